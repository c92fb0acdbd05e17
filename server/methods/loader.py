"""Load and validate methods: the one validator of method data.

A method (TOML text, or the same data already parsed, as the editor sends it)
decodes into ``shared_schema.method.Method`` (msgspec names the field that is wrong),
then ``server.methods.rules`` checks what types cannot say. Every failure is a
``MethodError`` holding ``Problem``s whose paths name fields of the method's own
file. Adding a method needs no code: drop a ``.toml`` file into the data folder or a
configured extra folder, or save one in the editor.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from server.methods import rules
from server.methods.errors import MethodError
from server.methods.problems import Problem, from_validation
from shared_schema.method import Frame, Method

__all__ = ["MethodError", "Problem", "check_method", "frame", "load_frame", "parse_method"]

DATA_DIR = Path(__file__).with_name("data")
FRAME_FILE = Path(__file__).with_name("frame.toml")
T = TypeVar("T")


_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)$")


def read_toml(text: str, source: str) -> dict[str, Any]:
    """The file's tables; a syntax error names its line and column (the parser's own
    English wording stays out of the message, which is in the reader's language)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        place = _TOML_PLACE.search(str(exc))
        problem = (Problem("$", "invalid_toml", {"line": place[1], "column": place[2]})
                   if place else Problem("$", "invalid_toml_end", {}))
        raise MethodError(source, [problem]) from exc


def _convert(raw: object, kind: type[T], source: str) -> T:
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        raise MethodError(source, [from_validation(exc)]) from exc


def load_frame() -> Frame:
    loaded = _convert(read_toml(FRAME_FILE.read_text(encoding="utf-8"), FRAME_FILE.name),
                      Frame, FRAME_FILE.name)
    problems = rules.check_frame(loaded)
    if problems:
        raise MethodError(FRAME_FILE.name, problems)
    return loaded


@cache
def frame() -> Frame:
    """The session frame, loaded once (it ships with the code)."""
    return load_frame()


LOCALIZED_KEYS = frozenset({"name", "summary", "title", "instruction", "prefix",
                            "facilitator_notes"})
"""The keys whose values are texts in both languages (``Localized``)."""


def _blank_texts(raw: object, path: str = "$") -> list[str]:
    """The paths of every empty text in both languages anywhere in ``raw``, so a new
    method hears of all its empty fields at once (type checks stop at the first)."""
    found: list[str] = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            here = f"{path}.{key}"
            if key in LOCALIZED_KEYS and isinstance(value, dict):
                found += [f"{here}.{lang}" for lang in ("nl", "en") if value.get(lang) == ""]
            else:
                found += _blank_texts(value, here)
    elif isinstance(raw, list):
        for index, value in enumerate(raw):
            found += _blank_texts(value, f"{path}[{index}]")
    return found


def _filled(raw: object, blanks: set[str], path: str = "$") -> object:
    """``raw`` with a stand-in for every blank text (checked further as if filled)."""
    if isinstance(raw, dict):
        return {k: "-" if f"{path}.{k}" in blanks else _filled(v, blanks, f"{path}.{k}")
                for k, v in raw.items()}
    if isinstance(raw, list):
        return [_filled(v, blanks, f"{path}[{i}]") for i, v in enumerate(raw)]
    return raw


def check_method(raw: object, source: str = "<method>") -> Method:
    """Decode and check method data (a parsed TOML document), unframed; raises
    ``MethodError`` with every empty text, then the first type problem or every
    problem the cross-checks find."""
    blanks = [Problem(path, "too_short", {}) for path in _blank_texts(raw)]
    try:
        method = _convert(_filled(raw, {p.path for p in blanks}) if blanks else raw,
                          Method, source)
    except MethodError as exc:
        raise MethodError(source, [*blanks, *exc.problems]) from exc
    problems = [*blanks, *rules.check(method, frame())]
    if problems:
        raise MethodError(source, problems)
    return method


def wrap_in_frame(method: Method, with_frame: Frame | None = None) -> Method:
    """The method as a session plays it: inside the frame unless it opts out."""
    if not method.with_frame:
        return method
    outer = with_frame or frame()
    return msgspec.structs.replace(
        method,
        sections=[*outer.sections, *method.sections],
        steps=[*outer.before, *method.steps, *outer.after],
    )


def parse_method(text: str, source: str = "<method>", frame: Frame | None = None) -> Method:
    """Decode and check a method file; with ``frame``, wrap it in the session frame
    (unless the method sets ``with_frame = false``)."""
    method = check_method(read_toml(text, source), source)
    return wrap_in_frame(method, frame) if frame is not None else method


def load_method_file(path: Path, frame: Frame | None = None) -> Method:
    return parse_method(path.read_text(encoding="utf-8"), str(path.name), frame)


def load_methods(extra_dirs: Iterable[Path] = (), *, framed: bool = True) -> dict[str, Method]:
    """All methods by id, wrapped in the session frame unless ``framed`` is False:
    the bundled ones, then extra folders (which may override)."""
    outer = load_frame() if framed else None
    methods: dict[str, Method] = {}
    for folder in (DATA_DIR, *extra_dirs):
        for path in sorted(folder.glob("*.toml")):
            method = load_method_file(path, outer)
            methods[method.id] = method
    return methods
