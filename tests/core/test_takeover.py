"""The facilitator link never takes the role away silently (table-driven).

While another member holds the role, a join with the facilitator link is refused with
``facilitator_taken`` until it says whether to take over (the facilitator before
becomes a participant) or to enter without the role.
"""

from __future__ import annotations

import pytest

from server.core import errors
from server.core.records import Join
from server.core.reducer import Actor, Applied, Rejected, apply
from server.core.roles import join_answer
from server.core.state import BoardState, new_state, participant_id
from server.methods.loader import load_methods
from shared_schema.server import ParticipantPut

FAC, OTHER, ANNA = "client-fac-01", "client-fac-02", "client-anna-01"


def _state() -> BoardState:
    state = new_state("sess-takeover", "Casus", "nl", load_methods()["tienstappen"])
    for seq, (client, name, via) in enumerate(
            [(FAC, "Fenna", "facilitator"), (ANNA, "Anna", "participant")], start=1):
        join = Join(name=name, via=via)  # type: ignore[arg-type]
        assert isinstance(apply(state, join, Actor(client, "", seq, 0)),
                          Applied)
    return state


def _pid(client: str) -> str:
    return participant_id("sess-takeover", client)


CASES = [
    # who, via, take_over -> code or the facilitator afterwards
    ("second device, no answer yet", OTHER, "facilitator", None, errors.FACILITATOR_TAKEN),
    ("second device takes over", OTHER, "facilitator", True, OTHER),
    ("second device declines", OTHER, "facilitator", False, FAC),
    ("participant with the facilitator link", ANNA, "facilitator", None,
     errors.FACILITATOR_TAKEN),
    ("participant takes over with the link", ANNA, "facilitator", True, ANNA),
    ("facilitator rejoins", FAC, "facilitator", None, FAC),
    ("take_over with the invite link does nothing", OTHER, "participant", True, FAC),
]


@pytest.mark.parametrize(("who", "via", "take_over", "outcome"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_facilitator_link_asks_before_taking_the_role(
        who: str, via: str, take_over: bool | None, outcome: str) -> None:
    state = _state()
    name = "Fenna" if who in (FAC, OTHER) else "Anna"
    join = Join(name=name, via=via, take_over=take_over)  # type: ignore[arg-type]
    result = apply(state, join, Actor(who, "", 3, 0))
    if outcome in errors.REJECT_CODES:
        assert isinstance(result, Rejected) and result.code == outcome
        assert state.facilitator == _pid(FAC)
        assert _pid(OTHER) not in state.participants
        assert join_answer(state, join, _pid(who)) == result
        return
    assert isinstance(result, Applied)
    assert state.facilitator == _pid(outcome)
    roles = {p.id: p.role for p in state.participants.values()}
    assert list(roles.values()).count("facilitator") == 1
    if outcome != FAC:
        assert roles[_pid(FAC)] == "participant"  # the one before steps down, visibly
        told = [s.change.participant.id for s in result.changes
                if isinstance(s.change, ParticipantPut)]
        assert _pid(FAC) in told


def test_closed_session_asks_nothing() -> None:
    state = _state()
    state.closed = True
    # a known member opens the closed board as before; a new one is refused as before
    assert join_answer(state, Join(name="Anna", via="facilitator"), _pid(ANNA)) == Applied([])
    refused = join_answer(state, Join(name="Fenna", via="facilitator"), _pid(OTHER))
    assert isinstance(refused, Rejected) and refused.code == errors.SESSION_CLOSED
