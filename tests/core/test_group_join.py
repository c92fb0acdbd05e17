"""Joining with a role from a group's plan (``Join.via``), table-driven: the planned
facilitator and presenter get their roles and the one before them steps down."""

from __future__ import annotations

import pytest

from server.core.records import Join
from server.core.reducer import Actor, Applied, apply
from server.core.state import new_state, participant_id
from server.methods.loader import load_methods


@pytest.mark.parametrize(("joins", "expected"), [
    ([("a", "facilitator"), ("b", "presenter"), ("c", "participant")],
     {"a": "facilitator", "b": "presenter", "c": "participant"}),
    # order does not matter: the presenter may come first
    ([("b", "presenter"), ("c", "participant"), ("a", "facilitator")],
     {"a": "facilitator", "b": "presenter", "c": "participant"}),
    # a second presenter (the plan changed meanwhile) takes over; the first steps down
    ([("b", "presenter"), ("d", "presenter")], {"b": "participant", "d": "presenter"}),
])
def test_join_roles_from_the_plan(joins: list[tuple[str, str]], expected: dict[str, str]) -> None:
    state = new_state("s" * 32, "Groep", "nl", load_methods([])["tienstappen"])
    for seq, (who, via) in enumerate(joins, start=1):
        result = apply(state, Join(name=who.upper(), via=via), Actor(f"key-{who}", 0, seq, seq))  # type: ignore[arg-type]
        assert isinstance(result, Applied), result
        state.seq = seq
    roles = {who: state.participants[participant_id("s" * 32, f"key-{who}")].role
             for who in expected}
    assert roles == expected
    presenters = [p.id for p in state.participants.values() if p.role == "presenter"]
    assert state.presenter == (presenters[0] if presenters else None)
