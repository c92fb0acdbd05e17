"""Leading the meeting in the pure core: spotlight, following, go-rounds, notes.

Every forbidden or stale op is checked for its typed code and for leaving the board
byte-identical.
"""

from __future__ import annotations

from typing import Any

import pytest

from server.core import errors
from server.core.facilitation import public_method
from server.core.records import RoundTimeout
from server.core.reducer import Actor, Applied, apply
from server.methods.loader import load_methods
from shared_schema.client import (
    AddItem,
    AssignRole,
    EndRound,
    Op,
    RoundTurn,
    SetFollow,
    SetSpotlight,
    SetStep,
    StartRound,
)
from shared_schema.server import NotesSet, RoundSet, SpotlightSet
from tests.core.test_reducer import ANNA, BEN, FAC, PRES, Room, board_bytes, make_room, ok, rejected

FRAMED = load_methods()["tienstappen"]
TIPS = [s.id for s in FRAMED.steps].index("tips")
CHECKIN = 0


def framed_room() -> Room:
    return make_room(FRAMED)


def timeout(room: Room, number: int, turn: int, ts_ms: int) -> Applied:
    room.seq += 1
    result = apply(room.state, RoundTimeout(number=number, turn=turn),
                   Actor("round-timer", 0, room.seq, ts_ms))
    return ok(result)


def refused(room: Room, client: str, op: type[Op], code: str, **fields: Any) -> None:
    before = board_bytes(room.state)
    rejected(room.send(client, op, **fields), code)
    assert board_bytes(room.state) == before


# -- spotlight ------------------------------------------------------------------------------


def test_spotlight_on_an_item_and_a_section_then_off() -> None:
    room = make_room()
    ok(room.send(PRES, AddItem, item_id="c1", section="case", text="Casus"))
    change = ok(room.send(FAC, SetSpotlight, item_id="c1")).changes[0]
    assert isinstance(change.change, SpotlightSet) and change.audience is None
    assert change.change.spotlight is not None
    assert (change.change.spotlight.section, change.change.spotlight.item) == ("case", "c1")
    ok(room.send(FAC, SetSpotlight, section="questions"))
    assert room.state.spotlight is not None and room.state.spotlight.item is None
    ok(room.send(FAC, SetSpotlight))
    assert room.state.spotlight is None


@pytest.mark.parametrize(("client", "fields", "code"), [
    (ANNA, {"section": "case"}, errors.FORBIDDEN),
    (PRES, {"section": "case"}, errors.FORBIDDEN),
    (FAC, {"section": "nope"}, errors.NOT_FOUND),
    (FAC, {"item_id": "missing"}, errors.NOT_FOUND),
    (FAC, {"item_id": "c1", "section": "questions"}, errors.INVALID_VALUE),
])
def test_spotlight_refusals(client: str, fields: dict[str, Any], code: str) -> None:
    room = make_room()
    ok(room.send(PRES, AddItem, item_id="c1", section="case", text="Casus"))
    refused(room, client, SetSpotlight, code, **fields)


def test_a_new_step_turns_the_spotlight_off() -> None:
    room = make_room()
    ok(room.send(FAC, SetSpotlight, section="case"))
    changes = [s.change for s in ok(room.send(FAC, SetStep, step=1)).changes]
    assert SpotlightSet(spotlight=None) in changes
    assert room.state.spotlight is None


def test_following_is_per_member() -> None:
    room = make_room()
    ok(room.send(ANNA, SetFollow, following=False))
    ok(room.send(BEN, SetFollow, following=False))
    ok(room.send(ANNA, SetFollow, following=False))
    assert room.state.not_following == [room.pid(ANNA), room.pid(BEN)]
    ok(room.send(ANNA, SetFollow, following=True))
    assert room.state.not_following == [room.pid(BEN)]


# -- rounds ---------------------------------------------------------------------------------


def test_round_in_seat_order_with_a_server_deadline() -> None:
    room = framed_room()
    result = ok(room.send(FAC, StartRound, ts_ms=1_000_000))
    change = result.changes[0].change
    assert isinstance(change, RoundSet) and change.round is not None
    assert change.round.speakers == [room.pid(c) for c in (FAC, PRES, ANNA, BEN)]
    assert change.round.seconds == 60  # the check-in's round in the frame data
    assert change.round.deadline_ms == 1_000_000 + 60_000
    assert (change.round.number, change.round.turn, change.round.active) == (1, 0, True)


def test_round_roles_and_order_come_from_the_step() -> None:
    room = framed_room()
    ok(room.send(FAC, SetStep, step=TIPS))
    ok(room.send(FAC, StartRound, order="shuffled", seconds=5))
    current = room.state.round
    assert current is not None and current.seconds == 5
    # the tips round leaves out the presenter (the method data says so)
    assert sorted(current.speakers) == sorted(room.pid(c) for c in (FAC, ANNA, BEN))
    again = framed_room()
    ok(again.send(FAC, SetStep, step=TIPS))
    ok(again.send(FAC, StartRound, order="shuffled", seconds=5))
    assert again.state.round is not None
    assert again.state.round.speakers == current.speakers  # same seq: same order


def test_speakers_may_be_chosen_and_must_take_part() -> None:
    room = framed_room()
    ok(room.send(FAC, StartRound, speakers=[room.pid(ANNA), room.pid(FAC)]))
    assert room.state.round is not None
    assert room.state.round.speakers == [room.pid(FAC), room.pid(ANNA)]  # seat order
    ok(room.send(FAC, EndRound))
    refused(room, FAC, StartRound, errors.NOT_FOUND, speakers=["abcdef0123456789"])
    refused(room, FAC, StartRound, errors.INVALID_VALUE, speakers=[])


def test_next_pass_and_timeout_move_on_once() -> None:
    room = framed_room()
    ok(room.send(FAC, StartRound, seconds=10, ts_ms=1_000_000))
    # the speaker (the facilitator sits first) moves on
    ok(room.send(FAC, RoundTurn, action="next", turn=0, ts_ms=1_002_000))
    assert room.state.round is not None
    assert room.state.round.turn == 1 and room.state.round.deadline_ms == 1_012_000
    # only the speaker passes; nobody else moves the presenter's turn on
    refused(room, ANNA, RoundTurn, errors.FORBIDDEN, action="pass", turn=1)
    refused(room, ANNA, RoundTurn, errors.FORBIDDEN, action="next", turn=1)
    ok(room.send(PRES, RoundTurn, action="pass", turn=1, ts_ms=1_003_000))
    # a stale turn changes nothing
    refused(room, FAC, RoundTurn, errors.INVALID_VALUE, action="next", turn=1)
    # Anna's turn: a timeout before the deadline is a no-op, after it moves on once
    assert timeout(room, 1, 2, 1_012_999).changes == []
    assert room.state.round.turn == 2
    assert timeout(room, 1, 2, 1_013_000).changes != []
    assert timeout(room, 1, 2, 1_013_001).changes == []  # the other hub's, too late
    assert room.state.round.turn == 3
    ok(room.send(FAC, RoundTurn, action="next", turn=3))  # the facilitator for Ben
    current = room.state.round
    assert not current.active and current.deadline_ms is None
    assert current.outcomes == ["spoke", "passed", "timeout", "spoke"]
    assert [r.outcomes for r in room.state.rounds] == [current.outcomes]
    refused(room, FAC, RoundTurn, errors.INVALID_VALUE, action="next", turn=4)


def test_round_refusals_and_ending() -> None:
    room = framed_room()
    refused(room, ANNA, StartRound, errors.FORBIDDEN)
    refused(room, FAC, EndRound, errors.INVALID_VALUE)
    ok(room.send(FAC, StartRound))
    refused(room, FAC, StartRound, errors.INVALID_VALUE)
    refused(room, ANNA, EndRound, errors.FORBIDDEN)
    ok(room.send(FAC, EndRound))
    assert room.state.round is not None and not room.state.round.active
    assert room.state.rounds[0].outcomes == []
    ok(room.send(FAC, StartRound))
    assert room.state.round.number == 2
    ok(room.send(FAC, SetStep, step=1))  # a new step ends the round
    assert not room.state.round.active and len(room.state.rounds) == 2


def test_an_observer_does_not_speak() -> None:
    room = framed_room()
    ok(room.send(FAC, AssignRole, participant_id=room.pid(BEN), role="observer"))
    ok(room.send(FAC, StartRound))
    assert room.state.round is not None and room.pid(BEN) not in room.state.round.speakers
    ok(room.send(FAC, EndRound))
    refused(room, FAC, StartRound, errors.NOT_FOUND, speakers=[room.pid(BEN)])


# -- facilitator notes ----------------------------------------------------------------------


def test_notes_go_to_a_new_facilitator_only() -> None:
    room = framed_room()
    result = ok(room.send(FAC, AssignRole, participant_id=room.pid(ANNA), role="facilitator"))
    notes = [s for s in result.changes if isinstance(s.change, NotesSet)]
    assert len(notes) == 1 and notes[0].audience == frozenset({room.pid(ANNA)})
    assert isinstance(notes[0].change, NotesSet)
    assert notes[0].change.notes[CHECKIN] is not None
    # other changes of the handover go to everyone; none carries a note
    for scoped in result.changes:
        if scoped.audience is None:
            assert "facilitator_notes" not in repr(scoped.change)


def test_public_method_has_no_notes() -> None:
    assert any(step.facilitator_notes for step in FRAMED.steps)
    public = public_method(FRAMED)
    assert all(step.facilitator_notes is None for step in public.steps)
    assert [s.id for s in public.steps] == [s.id for s in FRAMED.steps]
    assert any(step.facilitator_notes for step in FRAMED.steps)  # the original is kept
