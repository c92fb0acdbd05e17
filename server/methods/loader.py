"""Load and validate method files.

A method file decodes into ``shared_schema.method.Method`` (msgspec names the
field that is wrong); then cross-references are checked. Adding a method needs no
code: drop a ``.toml`` file into the data folder or a configured extra folder.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import msgspec

from shared_schema.method import Frame, Method

DATA_DIR = Path(__file__).with_name("data")
FRAME_FILE = Path(__file__).with_name("frame.toml")
T = TypeVar("T")


class MethodError(ValueError):
    """A method file that cannot be used; the message names the field and reason."""


def _decode(text: str, kind: type[T], source: str) -> T:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MethodError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        raise MethodError(f"{source}: {exc}") from exc


def load_frame() -> Frame:
    return _decode(FRAME_FILE.read_text(encoding="utf-8"), Frame, FRAME_FILE.name)


def parse_method(text: str, source: str = "<method>", frame: Frame | None = None) -> Method:
    """Decode and check a method; with ``frame``, wrap it in the session frame
    (unless the method sets ``with_frame = false``)."""
    method = _decode(text, Method, source)
    if frame is not None and method.with_frame:
        method = msgspec.structs.replace(
            method,
            sections=[*frame.sections, *method.sections],
            steps=[*frame.before, *method.steps, *frame.after],
        )
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


def load_method_file(path: Path, frame: Frame | None = None) -> Method:
    return parse_method(path.read_text(encoding="utf-8"), str(path.name), frame)


def load_methods(extra_dirs: Iterable[Path] = (), *, framed: bool = True) -> dict[str, Method]:
    """All methods by id, wrapped in the session frame unless ``framed`` is False:
    the bundled ones, then extra folders (which may override)."""
    frame = load_frame() if framed else None
    methods: dict[str, Method] = {}
    for folder in (DATA_DIR, *extra_dirs):
        for path in sorted(folder.glob("*.toml")):
            method = load_method_file(path, frame)
            methods[method.id] = method
    return methods
