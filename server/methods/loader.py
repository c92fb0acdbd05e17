"""Load and validate method files.

A method file decodes into ``shared_schema.method.Method`` (msgspec names the
field that is wrong); then cross-references are checked. Adding a method needs no
code: drop a ``.toml`` file into the data folder or a configured extra folder.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

import msgspec

from shared_schema.method import Method

DATA_DIR = Path(__file__).with_name("data")


class MethodError(ValueError):
    """A method file that cannot be used; the message names the field and reason."""


def parse_method(text: str, source: str = "<method>") -> Method:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MethodError(f"{source}: not valid TOML: {exc}") from exc
    try:
        method = msgspec.convert(raw, Method)
    except msgspec.ValidationError as exc:
        raise MethodError(f"{source}: {exc}") from exc
    _check_references(method, source)
    return method


def _check_references(method: Method, source: str) -> None:
    section_ids = [s.id for s in method.sections]
    _unique(section_ids, f"{source}: $.sections", "section id")
    _unique([s.id for s in method.steps], f"{source}: $.steps", "step id")
    for section in method.sections:
        _unique(
            [lane.id for lane in section.lanes],
            f"{source}: section {section.id!r} lanes",
            "lane id",
        )
    for index, step in enumerate(method.steps):
        shown = [entry.section for entry in step.sections]
        _unique(shown, f"{source}: $.steps[{index}].sections", "section")
        for position, entry in enumerate(step.sections):
            if entry.section not in section_ids:
                raise MethodError(
                    f"{source}: unknown section {entry.section!r} - at "
                    f"`$.steps[{index}].sections[{position}].section`"
                )


def _unique(values: list[str], where: str, what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise MethodError(f"{where}: duplicate {what} {value!r}")
        seen.add(value)


def load_method_file(path: Path) -> Method:
    return parse_method(path.read_text(encoding="utf-8"), str(path.name))


def load_methods(extra_dirs: Iterable[Path] = ()) -> dict[str, Method]:
    """All methods by id: the bundled ones, then extra folders (which may override)."""
    methods: dict[str, Method] = {}
    for folder in (DATA_DIR, *extra_dirs):
        for path in sorted(folder.glob("*.toml")):
            method = load_method_file(path)
            methods[method.id] = method
    return methods
