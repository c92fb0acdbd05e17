"""server/core is pure: no I/O, no clocks, no randomness, no event loop."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "server" / "core"
CORE_FILES = sorted(CORE.rglob("*.py"))

FORBIDDEN = frozenset(
    {
        "asyncio",
        "starlette",
        "uvicorn",
        "websockets",
        "redis",
        "sqlite3",
        "socket",
        "threading",
        "time",
        "random",
        "os",
        "subprocess",
    }
)
NEVER_LOADED = ("asyncio", "starlette", "redis", "websockets", "sqlite3")


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level module) of every absolute import, including dynamic ones."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            found.append((node.lineno, node.args[0].value.split(".")[0]))
    return found


def test_core_files_are_found() -> None:
    names = {path.name for path in CORE_FILES}
    assert {"reducer.py", "state.py", "permissions.py", "visibility.py"} <= names


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_imports_nothing_impure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [
        f"line {line}: {module}" for line, module in imported_modules(tree) if module in FORBIDDEN
    ]
    assert not bad, f"{path.relative_to(ROOT)} imports {', '.join(bad)}"


def test_the_checker_sees_every_import_form() -> None:
    source = (
        "import os\nimport asyncio.events as ev\nfrom time import monotonic\n"
        "from . import state\nimportlib.import_module('redis')\n__import__('socket')\n"
    )
    modules = {module for _, module in imported_modules(ast.parse(source))}
    assert modules == {"os", "asyncio", "time", "redis", "socket"}


def test_importing_the_reducer_loads_no_io_modules() -> None:
    code = "import server.core.reducer, sys; print(sorted(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.strip().strip("[]").replace("'", "").split(", ")
    assert "server.core.reducer" in loaded
    leaked = sorted(name for name in loaded if name.split(".")[0] in NEVER_LOADED)
    assert not leaked, f"importing server.core.reducer loads {leaked}"
