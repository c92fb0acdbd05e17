"""The rights the server sends (``SectionState.rights``) are exactly what the reducer
accepts: every step x role x section x item op of the Tienstappenmethode is played
against the reducer and held against the table the viewer is shown.

The browser reads this table and derives nothing (tests/schema/test_web_rights.py runs
the browser's model against it), so a rule changed in the core reaches the controls.
"""

from __future__ import annotations

import pytest

from server.core.permissions import section_rights
from server.core.reducer import Applied, Result
from shared_schema.board import ROLES, Role, SectionRight
from shared_schema.client import (
    AddItem,
    ChooseItem,
    CircleItem,
    CloseSession,
    DeleteItem,
    EditItem,
    LockSection,
    MoveItem,
    RateItem,
    Vote,
)
from tests.core.test_permissions import METHOD, SECTIONS, STEPS, Room, make_room, put_item


def play(room: Room, role: Role, kind: str, section: str) -> Result:
    """Seed an own item and another member's item in ``section``; apply ``kind``."""
    own = put_item(room, "own-item", section, author=room.pid(role))
    other_author: Role = "observer" if role == "participant" else "participant"
    other = put_item(room, "other-item", section, author=room.pid(other_author))
    lanes = [lane.id for lane in next(s for s in METHOD.sections if s.id == section).lanes]
    match kind:
        case "add":
            return room.send(role, AddItem, item_id="new-item", section=section, text="Hoe?",
                             lane=lanes[0] if lanes else None)
        case "edit_own":
            return room.send(role, EditItem, item_id=own.id, text="anders")
        case "edit_any":
            return room.send(role, EditItem, item_id=other.id, text="anders")
        case "move":
            return room.send(role, MoveItem, item_id=other.id, x=10.0, y=20.0, color="pink")
        case "delete_own":
            return room.send(role, DeleteItem, item_id=own.id)
        case "delete_any":
            return room.send(role, DeleteItem, item_id=other.id)
        case "rate":
            return room.send(role, RateItem, item_id=other.id, rating="warm")
        case "circle":
            return room.send(role, CircleItem, item_id=other.id, circled=True)
        case "choose":
            return room.send(role, ChooseItem, item_id=other.id, chosen=True)
        case "vote":
            return room.send(role, Vote, item_id=other.id, delta=1)
    raise AssertionError(kind)


PLAYED: tuple[SectionRight, ...] = (
    "add", "edit_own", "edit_any", "move", "delete_own", "delete_any",
    "rate", "circle", "choose", "vote",
)


def shown(rights: dict[SectionRight, list[Role]], role: Role, right: SectionRight) -> bool:
    """What a client shows: its role in the right's list (``delete_any`` and
    ``edit_any`` also cover own items)."""
    granted = set(rights.get(right, []))
    if right == "delete_own":
        granted |= set(rights.get("delete_any", []))
    if right == "edit_own":
        granted |= set(rights.get("edit_any", []))
    return role in granted


@pytest.mark.parametrize("step", STEPS)
def test_the_rights_table_is_what_the_reducer_accepts(step: int) -> None:
    mismatches = []
    for section in SECTIONS:
        rights = section_rights(make_room(step).state, section)
        for role in ROLES:
            for right in PLAYED:
                accepted = isinstance(play(make_room(step), role, right, section), Applied)
                if accepted != shown(rights, role, right):
                    mismatches.append((section, role, right, accepted))
    assert mismatches == []


def test_a_lock_empties_the_table_but_names_who_could_add() -> None:
    step = next(i for i, s in enumerate(METHOD.steps) if any(e.add for e in s.sections))
    room = make_room(step)
    entry = next(e for e in METHOD.steps[step].sections if e.add)
    assert isinstance(room.send("facilitator", LockSection, section=entry.section, locked=True),
                      Applied)
    rights = section_rights(room.state, entry.section)
    assert "add" not in rights and rights["add_when_unlocked"] == [
        r for r in ROLES if r in entry.add]
    for role in ROLES:
        assert not isinstance(play(room, role, "add", entry.section), Applied)


def test_a_closed_session_grants_nothing_and_says_so_in_its_events() -> None:
    room = make_room(1)
    result = room.send("facilitator", CloseSession)
    assert isinstance(result, Applied)
    sent = [c.change.section for c in result.changes if type(c.change).__name__ == "SectionPut"]
    assert {s.id for s in sent} == set(SECTIONS)  # type: ignore[attr-defined]
    assert all(s.rights == {} for s in sent)  # type: ignore[attr-defined]
