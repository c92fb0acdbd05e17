"""Write the protocol's JSON Schema to the checked-in file."""

from __future__ import annotations

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


def build_schema() -> dict[str, Any]:
    """The schema document: one definition per type, four roots."""
    roots = (ClientMessage, ServerMessage, Board, Method)
    (client, server, board, method), components = msgspec.json.schema_components(
        roots, ref_template="#/$defs/{name}"
    )
    return {
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
    }


def build_export_schema() -> dict[str, Any]:
    """The schema of the JSON export (``ExportDocument``) as a standalone document."""
    (root,), components = msgspec.json.schema_components(
        (ExportDocument,), ref_template="#/$defs/{name}"
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Intervisiebord session export",
        "export_version": EXPORT_VERSION,
        **root,
        "$defs": dict(sorted(components.items())),
    }


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render() -> str:
    return _dump(build_schema())


def render_export() -> str:
    return _dump(build_export_schema())


def main() -> None:
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    EXPORT_SCHEMA_PATH.write_text(render_export(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH} and {EXPORT_SCHEMA_PATH}")
