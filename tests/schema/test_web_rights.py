"""The browser shows exactly the rights the server computes: web/js/model.js runs in
Node against welcomes the core builds (every step, every role, every section of the
Tienstappenmethode, unlocked and locked), and its answers must equal the core's."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import msgspec
import pytest

from server.core.permissions import section_rights
from server.core.visibility import board_view
from shared_schema.board import ROLES, SectionRight
from shared_schema.client import LockSection
from shared_schema.server import Welcome
from shared_schema.version import PROTOCOL_VERSION
from tests.core.test_permissions import METHOD, SECTIONS, STEPS, make_room

MODEL = Path(__file__).resolve().parents[2] / "web" / "js" / "model.js"
RIGHTS: tuple[SectionRight, ...] = (
    "add", "rate", "circle", "choose", "vote", "edit_own", "edit_any", "move",
    "delete_own", "delete_any", "add_when_unlocked",
)
SCRIPT = """
import { readFileSync } from "node:fs";
const { BoardModel } = await import(process.argv[1]);
const cases = JSON.parse(readFileSync(0, "utf8"));
const out = cases.map(({ welcome, rights }) => {
  const model = new BoardModel(welcome);
  return welcome.board.sections.map((s) => rights.map((r) => model.may(r, s.id)));
});
process.stdout.write(JSON.stringify(out));
"""


def welcomes() -> list[tuple[dict[str, object], dict[str, dict[str, list[str]]]]]:
    """(welcome as sent, the core's table per section) for each step x role x lock."""
    cases = []
    for step in STEPS:
        for locked in (False, True):
            room = make_room(step)
            if locked:
                for entry in METHOD.steps[step].sections:
                    room.send("facilitator", LockSection, section=entry.section, locked=True)
            for role in ROLES:
                pid = room.pid(role)
                welcome = Welcome(
                    protocol=PROTOCOL_VERSION, session_id=room.state.session_id,
                    participant_id=pid, role=role, epoch="e", seq=room.seq, recovered=False,
                    board=board_view(room.state, pid), method=room.state.method,
                )
                table = {s: dict(section_rights(room.state, s)) for s in SECTIONS}
                cases.append((msgspec.to_builtins(welcome), table))
    return cases


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_browser_model_answers_exactly_what_the_core_computed() -> None:
    cases = welcomes()
    result = subprocess.run(
        ["node", "--input-type=module", "-e", SCRIPT, MODEL.as_uri()],
        input=json.dumps([{"welcome": w, "rights": list(RIGHTS)} for w, _ in cases]),
        capture_output=True, text=True, check=True, timeout=60,
    )
    answers = json.loads(result.stdout)
    mismatches = []
    for (welcome, table), per_section in zip(cases, answers, strict=True):
        board = welcome["board"]
        assert isinstance(board, dict)
        for section, mays in zip(board["sections"], per_section, strict=True):
            for right, shown in zip(RIGHTS, mays, strict=True):
                expected = welcome["role"] in table[section["id"]].get(right, [])
                if shown != expected:
                    mismatches.append((welcome["role"], section["id"], right, shown))
    assert len(answers) == len(STEPS) * 2 * len(ROLES)
    assert mismatches == []
