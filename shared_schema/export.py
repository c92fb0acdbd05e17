"""Write the protocol's JSON Schema to the checked-in file."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import msgspec

from shared_schema.board import Board
from shared_schema.client import ClientMessage
from shared_schema.export_doc import EXPORT_VERSION, ExportDocument
from shared_schema.method import Method
from shared_schema.server import ServerMessage
from shared_schema.version import PROTOCOL_VERSION

SCHEMA_PATH = Path(__file__).with_name("schema.json")
EXPORT_SCHEMA_PATH = Path(__file__).with_name("export.schema.json")


def normalised(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every ``description`` dedented and stripped
    (``inspect.cleandoc``), so the generated files do not depend on how a msgspec
    version formats docstrings."""
    result: dict[str, Any] = _cleaned(document)
    return result


def _cleaned(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: inspect.cleandoc(value)
            if key == "description" and isinstance(value, str)
            else _cleaned(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_cleaned(value) for value in node]
    return node


def build_schema() -> dict[str, Any]:
    """The schema document: one definition per type, four roots."""
    roots = (ClientMessage, ServerMessage, Board, Method)
    (client, server, board, method), components = msgspec.json.schema_components(
        roots, ref_template="#/$defs/{name}"
    )
    return normalised({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Intervisiebord protocol",
        "protocol_version": PROTOCOL_VERSION,
        "roots": {
            "client_message": client,
            "server_message": server,
            "board": board,
            "method": method,
        },
        "$defs": dict(sorted(components.items())),
    })


def build_export_schema() -> dict[str, Any]:
    """The schema of the JSON export (``ExportDocument``) as a standalone document."""
    (root,), components = msgspec.json.schema_components(
        (ExportDocument,), ref_template="#/$defs/{name}"
    )
    return normalised({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Intervisiebord session export",
        "export_version": EXPORT_VERSION,
        **root,
        "$defs": dict(sorted(components.items())),
    })


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render() -> str:
    return _dump(build_schema())


def render_export() -> str:
    return _dump(build_export_schema())
