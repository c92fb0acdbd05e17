"""The browser board keeps its shape: small modules, and an action table that covers
exactly the actions the render modules put on controls (web/js/board-actions.js).

The table's entries run in Node against a stand-in board: each builds the ops the
control asks for and nothing else."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS = Path(__file__).resolve().parents[2] / "web" / "js"
MAX_LINES = 400
VIEW_ROOT = "board-view.js"
"""The board's render modules are this module and every module it imports."""
EVENT_OF_TAG = {"button": "click", "form": "submit", "select": "change"}
"""Which DOM event reaches the board from a control with a data-action."""
DATA_ACTION = re.compile(r'"data-action":\s*')
CONTROL = re.compile(
    r'h\(\s*"(\w+)",\s*\{(?:[^{}]|\{[^{}]*\})*?"data-action":\s*"([a-z][a-z-]*)"', re.DOTALL)
IMPORT = re.compile(r'^import [^;]*? from "\./([\w-]+\.js)";', re.MULTILINE)

LIST_TABLE = """
const { ACTIONS } = await import(process.argv[1]);
const table = Object.fromEntries(Object.entries(ACTIONS).map(([name, a]) => [name, a.on]));
process.stdout.write(JSON.stringify(table));
"""

RUN_TABLE = """
import { readFileSync } from "node:fs";
const { ACTIONS } = await import(process.argv[1]);
const cases = JSON.parse(readFileSync(0, "utf8"));
const out = cases.map(({ action, input, board, items, view }) => {
  const model = board ? { board } : null;
  const ctx = { model, items: new Map(items.map((i) => [i.id, i])), view };
  const full = { data: {}, pressed: false, fields: {}, prefix: "", value: "", ...input };
  return ACTIONS[action].build(full, ctx);
});
process.stdout.write(JSON.stringify(out));
"""


def render_modules() -> list[Path]:
    """board-view.js and what it imports, transitively."""
    seen: list[str] = []
    todo = [VIEW_ROOT]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        todo.extend(IMPORT.findall((JS / name).read_text(encoding="utf-8")))
    return [JS / name for name in sorted(seen)]


def rendered_actions() -> dict[str, set[str]]:
    """data-action -> the events of the controls that carry it, over the render modules."""
    found: dict[str, set[str]] = {}
    for path in render_modules():
        source = path.read_text(encoding="utf-8")
        controls = CONTROL.findall(source)
        assert len(controls) == len(DATA_ACTION.findall(source)), (
            f"{path.name}: a data-action that is not a literal on an h(...) control")
        for tag, action in controls:
            assert tag in EVENT_OF_TAG, (path.name, tag, action)
            found.setdefault(action, set()).add(EVENT_OF_TAG[tag])
    return found


def app_actions() -> set[str]:
    """Actions the page handles for every view (app.js), e.g. the language switch."""
    source = (JS / "app.js").read_text(encoding="utf-8")
    return set(re.findall(r"\[data-action=([a-z-]+)\]", source))


def node(script: str, stdin: str = "") -> Any:
    result = subprocess.run(
        ["node", "--no-warnings", "--input-type=module", "-e", script,
         (JS / "board-actions.js").as_uri()],
        input=stdin, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(result.stdout)


def test_no_browser_module_is_over_400_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in JS.glob("*.js")}
    assert len(sizes) > 10
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_the_render_modules_are_found() -> None:
    names = {p.name for p in render_modules()}
    assert {"board-view.js", "board-steps.js", "board-timer.js", "board-people.js",
            "board-lead.js", "sections.js", "section-items.js"} <= names
    assert "board.js" not in names and "board-actions.js" not in names


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_every_rendered_action_has_an_entry_and_every_entry_is_rendered() -> None:
    table: dict[str, str] = node(LIST_TABLE)
    rendered = rendered_actions()
    board = {name: events for name, events in rendered.items() if name not in app_actions()}
    assert app_actions() == {"lang"}
    assert len(table) >= 25
    assert sorted(set(board) - set(table)) == [], "rendered without an entry in ACTIONS"
    assert sorted(set(table) - set(board)) == [], "in ACTIONS but rendered nowhere"
    wrong = {name: (table[name], events) for name, events in board.items()
             if events != {table[name]}}
    assert wrong == {}, "an entry answers another event than its controls send"


ITEM = {"id": "i1", "section": "questions", "text": "Wat wil je?", "x": 40, "y": 56,
        "color": "yellow", "rating": "warm"}
VIEW = {"editing": None, "confirm": None, "notice": None}
BOARD = {"anonymous": False, "participant_export": True, "you_ready": False}

# (action, input, expected outcome); the board, items and view above unless overridden.
CASES: list[tuple[str, dict[str, Any], Any]] = [
    ("rate", {"data": {"item": "i1", "rating": "cold"}},
     {"send": [{"type": "rate_item", "item_id": "i1", "rating": "cold"}]}),
    ("rate", {"data": {"item": "i1", "rating": "warm"}},
     {"send": [{"type": "rate_item", "item_id": "i1", "rating": None}]}),
    ("choose", {"data": {"item": "i1"}, "pressed": True},
     {"send": [{"type": "choose_item", "item_id": "i1", "chosen": False}]}),
    ("circle", {"data": {"item": "i1"}},
     {"send": [{"type": "circle_item", "item_id": "i1", "circled": True}]}),
    ("vote", {"data": {"item": "i1", "delta": "-1"}},
     {"send": [{"type": "vote", "item_id": "i1", "delta": -1}]}),
    ("delete", {"data": {"item": "i1"}},
     {"send": [{"type": "delete_item", "item_id": "i1"}],
      "effects": [{"kind": "focus-near", "item": "i1"}]}),
    ("color", {"data": {"item": "i1"}, "value": "green"},
     {"send": [{"type": "move_item", "item_id": "i1", "x": 40, "y": 56, "color": "green"}]}),
    ("color", {"data": {"item": "gone"}, "value": "green"}, None),
    ("save", {"data": {"item": "i1"}, "fields": {"text": "  Wat wil je?  "}},
     {"view": {"editing": None}, "effects": []}),
    ("save", {"data": {"item": "i1"}, "fields": {"text": " Wat wil jij? "}},
     {"view": {"editing": None}, "effects": [],
      "send": [{"type": "edit_item", "item_id": "i1", "text": "Wat wil jij?"}]}),
    ("step", {"data": {"step": "4"}}, {"send": [{"type": "set_step", "step": 4}]}),
    ("lock", {"data": {"section": "tips", "locked": "null"}},
     {"send": [{"type": "lock_section", "section": "tips", "locked": None}]}),
    ("lock", {"data": {"section": "tips", "locked": "true"}},
     {"send": [{"type": "lock_section", "section": "tips", "locked": True}]}),
    ("reveal", {"data": {"section": "cases"}},
     {"send": [{"type": "reveal_section", "section": "cases"}]}),
    ("timer", {"data": {"timerAction": "add"}},
     {"send": [{"type": "set_timer", "action": "add", "seconds": 300}]}),
    ("timer", {"data": {"timerAction": "pause"}},
     {"send": [{"type": "set_timer", "action": "pause", "seconds": 0}]}),
    ("role", {"data": {"pid": "p2", "role": "presenter"}},
     {"send": [{"type": "assign_role", "participant_id": "p2", "role": "presenter"}],
      "view": {"confirm": None}}),
    ("remove", {"data": {"pid": "p2"}},
     {"send": [{"type": "remove_participant", "participant_id": "p2"}],
      "view": {"confirm": None}}),
    ("anonymous", {}, {"send": [{"type": "set_anonymous", "anonymous": True}]}),
    ("export-toggle", {}, {"send": [{"type": "set_export", "participants": False}]}),
    ("ready", {}, {"send": [{"type": "set_ready", "ready": True}]}),
    ("close-confirm", {}, {"send": [{"type": "close_session"}], "view": {"confirm": None}}),
    ("close-ask", {}, {"view": {"confirm": "close"}, "effects": [
        {"kind": "focus-after-render", "selector": "[data-action=close-confirm]"}]}),
    ("ask", {"data": {"confirm": "remove-p2"}}, {"view": {"confirm": "remove-p2"}, "effects": [
        {"kind": "focus-after-render", "selector": '[data-person="p2"] .person-actions button'}]}),
    ("edit", {"data": {"item": "i1"}}, {"view": {"editing": "i1"}}),
    ("dismiss", {}, {"view": {"notice": None}}),
    ("copy", {"data": {"copy": "https://x/s/1#k=t"}},
     {"effects": [{"kind": "copy", "text": "https://x/s/1#k=t"}]}),
    ("export", {"data": {"format": "md"}}, {"effects": [{"kind": "download", "format": "md"}]}),
    ("join", {"fields": {"name": "  Fenna "}}, {"effects": [{"kind": "join", "name": "Fenna"}]}),
    ("join", {"fields": {"name": "   "}}, None),
    ("add", {"data": {"section": "questions"}, "fields": {"text": "   "}}, None),
]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_action_table_builds_the_ops_and_view_changes() -> None:
    cases = [{"action": a, "input": i, "board": BOARD, "items": [ITEM], "view": VIEW}
             for a, i, _ in CASES]
    got = node(RUN_TABLE, json.dumps(cases))
    mismatches = [(a, i, g, want) for (a, i, want), g in zip(CASES, got, strict=True)
                  if g != want]
    assert mismatches == []


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_adding_builds_one_item_with_the_prefix_lane_and_note_place() -> None:
    cases = [
        {"action": "add", "board": BOARD, "items": [], "view": VIEW,
         "input": {"data": {"section": "redefinitions"}, "prefix": "Mijn probleem is ...",
                   "fields": {"text": "dat ik te veel wil."}}},
        {"action": "add", "board": BOARD, "items": [], "view": VIEW,
         "input": {"data": {"section": "redefinitions"}, "prefix": "Mijn probleem is ...",
                   "fields": {"text": "mijn probleem is dat ik nee zeg."}}},
        {"action": "add", "board": BOARD, "items": [], "view": VIEW,
         "input": {"data": {"section": "factors", "lane": "good", "sheet": "2"},
                   "fields": {"text": "Rust"}}},
        {"action": "add", "board": BOARD, "items": [], "view": VIEW,
         "input": {"data": {"section": "alternatives", "count": "5"}, "fields": {"text": "Bel"}}},
        {"action": "add", "board": None, "items": [], "view": VIEW,
         "input": {"data": {"section": "tips"}, "fields": {"text": "Zonder bord"}}},
    ]
    got = node(RUN_TABLE, json.dumps(cases))
    assert got[4] is None
    ops = []
    for outcome in got[:4]:
        assert outcome["effects"] == [{"kind": "reset-add-form"}]
        [op] = outcome["send"]
        assert re.fullmatch(r"[a-z0-9]{12}", op.pop("item_id"))
        ops.append(op)
    redefinition = {"type": "add_item", "section": "redefinitions"}
    assert ops == [
        {**redefinition, "text": "Mijn probleem is dat ik te veel wil."},
        {**redefinition, "text": "mijn probleem is dat ik nee zeg."},
        {"type": "add_item", "section": "factors", "text": "Rust", "lane": "good", "sheet": 2},
        {"type": "add_item", "section": "alternatives", "text": "Bel", "x": 224, "y": 160,
         "color": "yellow"},
    ]
