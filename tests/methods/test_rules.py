"""The loader's cross-checks, table-driven on the pure ``rules.check``: each rule
refuses what it names (with the path in the method's own file) and lets the rest
pass; the frame counts for ids and carry-forward filters only when the method is
framed."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from server.methods import rules
from server.methods.loader import DATA_DIR, frame
from server.methods.problems import Problem
from shared_schema.method import Method


def tienstappen() -> dict[str, Any]:
    return tomllib.loads((DATA_DIR / "tienstappen.toml").read_text(encoding="utf-8"))


def shown(section: str, **rights: Any) -> dict[str, Any]:
    return {"section": section, **rights}


Edit = Callable[[dict[str, Any]], None]
CASES: list[tuple[str, Edit, list[Problem]]] = [
    ("unchanged", lambda d: None, []),
    ("filter_on_a_frame_section_shown_before", lambda d: d["steps"][0]["sections"].append(
        shown("cases", filter=["chosen"])), []),
    ("filter_on_a_frame_section_unframed", lambda d: (d.update(with_frame=False),
                                                      d["steps"][0]["sections"].append(
                                                          shown("cases", filter=["chosen"]))),
     [Problem("$.steps[0].sections[1].section", "unknown_section", {"value": "cases"}),
      Problem("$.steps[0].sections[1].filter", "filter_before_shown", {"section": "cases"})]),
    ("filter_in_the_step_that_first_shows_it", lambda d: d["steps"][1]["sections"][1].update(
        filter=["warm"]),
     [Problem("$.steps[1].sections[1].filter", "filter_before_shown", {"section": "questions"})]),
    ("duplicate_section_id", lambda d: d["sections"].append(
        {"id": "case", "kind": "list", "title": {"nl": "Nog een", "en": "Another"}}),
     [Problem("$.sections[6].id", "duplicate_id", {"value": "case"})]),
    ("frame_section_id_is_free_unframed", lambda d: (d.update(with_frame=False),
                                                     d["sections"][0].update(id="checkin"),
                                                     [s.update(section="checkin")
                                                      for st in d["steps"]
                                                      for s in st["sections"]
                                                      if s["section"] == "case"]), []),
    ("frame_step_id", lambda d: d["steps"][0].update(id="checkout"),
     [Problem("$.steps[0].id", "duplicate_id", {"value": "checkout"})]),
    ("section_twice_in_a_step", lambda d: d["steps"][1]["sections"].append(shown("case")),
     [Problem("$.steps[1].sections[2].section", "duplicate_section", {"value": "case"})]),
    ("duplicate_lane", lambda d: d["sections"][5].update(lanes=[
        {"id": "a", "title": {"nl": "A", "en": "A"}},
        {"id": "a", "title": {"nl": "B", "en": "B"}}]),
     [Problem("$.sections[5].lanes[1].id", "duplicate_id", {"value": "a"})]),
    ("lanes_on_ideas", lambda d: d["sections"][3].update(kind="ideas", lanes=[
        {"id": "a", "title": {"nl": "A", "en": "A"}}]),
     [Problem("$.sections[3].lanes", "lanes_not_allowed", {"kind": "ideas"})]),
    ("success_factors_without_lanes", lambda d: d["sections"][3].update(kind="success_factors"),
     [Problem("$.sections[3].lanes", "lanes_required", {"kind": "success_factors"})]),
    ("sheets_on_success_factors", lambda d: d["sections"][3].update(
        kind="success_factors", sheets=3, lanes=[{"id": "a", "title": {"nl": "A", "en": "A"}}]),
     []),
    ("sheets_on_evaluation", lambda d: d["sections"][5].update(sheets=2),
     [Problem("$.sections[5].sheets", "sheets_not_allowed", {"kind": "evaluation"})]),
    ("hidden_with_add", lambda d: d["steps"][1]["sections"][1].update(hidden=True), []),
    ("hidden_without_add", lambda d: d["steps"][2]["sections"][1].update(hidden=True),
     [Problem("$.steps[2].sections[1].hidden", "hidden_without_add")]),
    ("sealed_with_rating", lambda d: d["steps"][2]["sections"][1].update(hide_ratings=True), []),
    ("sealed_without_rating", lambda d: d["steps"][1]["sections"][1].update(hide_ratings=True),
     [Problem("$.steps[1].sections[1].hide_ratings", "sealed_without_rating")]),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(edit: Edit, expected: list[Problem]) -> None:
    data = tienstappen()
    edit(data)
    assert rules.check(msgspec.convert(data, Method), frame()) == expected


def test_frame_itself_follows_the_rules() -> None:
    assert rules.check_frame(frame()) == []
