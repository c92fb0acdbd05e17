"""``python -m shared_schema``: write every file generated from the shared types.

The JSON Schemas (``schema.json``, ``export.schema.json``), the browser's TypeScript
declarations (``web/types/protocol.d.ts``) and its codes and limits
(``web/js/protocol.js``). Tests fail while any of them is stale.
"""

from __future__ import annotations

import argparse

from shared_schema import javascript, typescript
from shared_schema.export import EXPORT_SCHEMA_PATH, SCHEMA_PATH, render, render_export


def main(argv: list[str] | None = None) -> None:
    """Rewrite the generated files (``--help`` writes nothing)."""
    argparse.ArgumentParser(
        prog="python -m shared_schema",
        description=(
            f"Write the protocol's JSON Schema to {SCHEMA_PATH.name} and the export "
            f"document's to {EXPORT_SCHEMA_PATH.name} (both in shared_schema/), its "
            "TypeScript declarations to web/types/protocol.d.ts and its codes and "
            "limits to web/js/protocol.js. Run it after changing a type or a code; a "
            "test fails while any of them is stale."
        ),
    ).parse_args(argv)
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    EXPORT_SCHEMA_PATH.write_text(render_export(), encoding="utf-8")
    written = (SCHEMA_PATH, EXPORT_SCHEMA_PATH, typescript.write(), javascript.write())
    print("wrote " + ", ".join(str(path) for path in written))
