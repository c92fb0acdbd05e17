"""What is wrong with a method, as data: a field path, a code and its parameters.

The path is msgspec's (``$.steps[3].sections[0].add[1]``) in the coordinates of the
method's own file (never of the framed method), so an editor can put the message
next to the field it names. Texts for the codes are in ``server.methods.messages``;
``MethodError`` (``server.methods.errors``) carries a list of them.
"""

from __future__ import annotations

import re

import msgspec


class Problem(msgspec.Struct, frozen=True, gc=False):
    """One reason a method cannot be used."""

    path: str
    code: str
    params: dict[str, str] = {}


_AT = re.compile(r"^(?P<message>.*?)(?: - at `(?P<path>[^`]*)`)?$", re.DOTALL)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Object missing required field `(?P<field>[^`]+)`$"), "missing_field"),
    (re.compile(r"^Object contains unknown field `(?P<field>[^`]+)`$"), "unknown_field"),
    (re.compile(r"^Invalid enum value (?P<value>.+)$"), "invalid_choice"),
    (re.compile(r"^Expected `str` of length >= (?P<limit>\d+)$"), "too_short"),
    (re.compile(r"^Expected `str` of length <= (?P<limit>\d+)$"), "too_long"),
    (re.compile(r"^Expected `array` of length >= (?P<limit>\d+)$"), "too_few"),
    (re.compile(r"^Expected `array` of length <= (?P<limit>\d+)$"), "too_many"),
    (re.compile(r"^Expected `int` >= (?P<limit>-?\d+)$"), "too_small"),
    (re.compile(r"^Expected `int` <= (?P<limit>-?\d+)$"), "too_large"),
    (re.compile(r"^Expected `str` matching regex .*$"), "bad_id"),
    (re.compile(r"^Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`$"), "wrong_type"),
]


def from_validation(error: msgspec.ValidationError) -> Problem:
    """msgspec's message as a Problem; a missing or unknown field's path names the
    field itself (``$.steps[3].title``), not the object that lacks it."""
    match = _AT.match(str(error))
    assert match is not None  # the pattern matches any text
    message, path = match["message"], match["path"] or "$"
    for pattern, code in _PATTERNS:
        found = pattern.match(message)
        if found is None:
            continue
        params = {k: v for k, v in found.groupdict().items() if v is not None}
        if "field" in params:
            path = f"{path}.{params.pop('field')}"
        if "value" in params:
            params["value"] = params["value"].strip("'\"")
        return Problem(path, code, params)
    return Problem(path, "invalid", {"detail": message})
