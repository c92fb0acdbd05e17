"""Write a method as a TOML file in the ``--methods-dir`` format.

Fields equal to their default are left out, as in the bundled files, so an export
reads like a hand-written method; reading it back (``loader.parse_method``) gives an
equal ``Method``.
"""

from __future__ import annotations

from typing import Any

import msgspec
import tomli_w

from shared_schema.method import Method


def _plain(value: object) -> Any:
    if isinstance(value, msgspec.Struct):
        out: dict[str, Any] = {}
        for field in msgspec.structs.fields(value):
            current = getattr(value, field.name)
            if field.default is not msgspec.NODEFAULT and current == field.default:
                continue
            factory = field.default_factory
            if factory is not msgspec.NODEFAULT and current == factory():
                continue
            out[field.encode_name] = _plain(current)
        return out
    if isinstance(value, list):
        return [_plain(entry) for entry in value]
    return value


def method_to_toml(method: Method) -> str:
    """The method (unframed) as the text of a method file."""
    header = f"# {method.name.nl} / {method.name.en}\n"
    return header + tomli_w.dumps(_plain(method), multiline_strings=False)
