"""Joining with a role from a group's plan (``Join.via``), table-driven: the planned
facilitator and presenter get their roles and the one before them steps down."""

from __future__ import annotations

import pytest
from msgspec.json import encode

from server.core.records import Expel, Join
from server.core.reducer import Actor, Applied, Rejected, apply
from server.core.state import member_tag, new_state, participant_id
from server.core.visibility import board_view
from server.methods.loader import load_methods
from shared_schema.server import ParticipantPut


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


def test_expel_removes_everyone_who_entered_with_the_member_key() -> None:
    """The group removed a member: every participant who entered with their key (two
    devices here) is removed and steps down from a role; others stay; a rejoin is
    refused; the tag never reaches a client."""
    sid = "s" * 32
    state = new_state(sid, "Groep", "nl", load_methods([])["tienstappen"])
    sem, other = member_tag(sid, "hash-sem"), member_tag(sid, "hash-anouk")
    joins = [("phone", "facilitator", sem), ("laptop", "participant", sem),
             ("anouk", "participant", other), ("guest", "participant", None)]
    for seq, (who, via, tag) in enumerate(joins, start=1):
        result = apply(state, Join(name=who, via=via, member=tag),  # type: ignore[arg-type]
                       Actor(f"key-{who}", "", seq, 0))
        assert isinstance(result, Applied), result
    pid = {who: participant_id(sid, f"key-{who}") for who, _, _ in joins}
    assert state.facilitator == pid["phone"]
    assert all(tag not in encode(board_view(state, p)).decode() for p in pid.values()
               for tag in (sem, other))
    result = apply(state, Expel(member=sem), Actor("", "", 5, 0))
    assert isinstance(result, Applied)
    removed = {s.change.participant.id for s in result.changes
               if isinstance(s.change, ParticipantPut) and s.change.participant.removed}
    assert removed == {pid["phone"], pid["laptop"]}
    assert state.facilitator is None
    assert [p for p in state.participants.values() if not p.removed] == [
        state.participants[pid["anouk"]], state.participants[pid["guest"]]]
    again = apply(state, Join(name="phone", via="participant", member=sem),
                  Actor("key-phone", "", 6, 0))
    assert isinstance(again, Rejected) and again.code == "removed"
    unknown = apply(state, Expel(member=member_tag(sid, "hash-nobody")), Actor("", "", 7, 0))
    assert unknown == Applied([])
