"""The case vote: the reveal closes it (typed rejection), and the chosen case flows
into the method's case section when the method starts (table-driven)."""

from __future__ import annotations

import pytest

from server.core import errors
from server.core.visibility import board_view, section_state
from server.methods.loader import load_methods
from shared_schema.client import AddItem, AssignRole, RevealSection, SetStep, Vote
from tests.core.test_reducer import ANNA, BEN, FAC, PRES, Room, board_bytes, ok, rejected

FRAMED = load_methods()["tienstappen"]
CHOOSE_CASE, INTRODUCE = 1, 2
"""Frame step "choose_case"; Tienstappen's first step, which shows "case"."""


def _voted(votes: dict[str, list[str]], authors: dict[str, str]) -> Room:
    """A room at the case vote: each case by its author, then the votes."""
    room = Room(FRAMED)
    ok(room.join(FAC, "Fenna", "facilitator"))
    for client, name in ((PRES, "Pieter"), (ANNA, "Anna"), (BEN, "Ben")):
        ok(room.join(client, name))
    ok(room.send(FAC, SetStep, step=CHOOSE_CASE))
    for case_id, author in authors.items():
        ok(room.send(author, AddItem, item_id=case_id, section="cases", text=f"Casus {case_id}"))
    for voter, cases in votes.items():
        for case_id in cases:
            ok(room.send(voter, Vote, item_id=case_id, delta=1))
    return room


def test_reveal_closes_the_vote() -> None:
    room = _voted({ANNA: ["a"]}, {"a": PRES, "b": BEN})
    assert "vote" in section_state(room.state, "cases").rights
    ok(room.send(FAC, RevealSection, section="cases"))
    assert "vote" not in section_state(room.state, "cases").rights
    cases = [s for s in board_view(room.state, room.pid(ANNA)).sections if s.id == "cases"]
    assert "vote" not in cases[0].rights
    before = board_bytes(room.state)
    for voter, delta in ((BEN, 1), (ANNA, -1), (FAC, 1)):
        rejected(room.send(voter, Vote, item_id="b", delta=delta) if delta > 0 else
                 room.send(voter, Vote, item_id="a", delta=delta), errors.VOTING_CLOSED)
    assert board_bytes(room.state) == before
    # proposing a case and everything else in the step still works
    ok(room.send(ANNA, AddItem, item_id="c", section="cases", text="Nog een"))


CARRY = [
    # votes, authors, presenter (or None), carried case (or None)
    ("the presenter's case, though another has more votes",
     {ANNA: ["b", "b"], BEN: ["a"]}, {"a": PRES, "b": BEN}, PRES, "a"),
    ("one case with the most votes, no presenter named",
     {ANNA: ["b"], BEN: ["b", "a"]}, {"a": PRES, "b": BEN}, None, "b"),
    ("a tie and no presenter's case carries nothing",
     {ANNA: ["a"], BEN: ["b"]}, {"a": ANNA, "b": BEN}, PRES, None),
    ("no votes at all carries nothing", {}, {"a": ANNA}, None, None),
]


@pytest.mark.parametrize(("votes", "authors", "presenter", "carried"),
                         [case[1:] for case in CARRY], ids=[case[0] for case in CARRY])
def test_chosen_case_flows_into_the_method(
        votes: dict[str, list[str]], authors: dict[str, str], presenter: str | None,
        carried: str | None) -> None:
    room = _voted(votes, authors)
    ok(room.send(FAC, RevealSection, section="cases"))
    if presenter:
        ok(room.send(FAC, AssignRole, participant_id=room.pid(presenter), role="presenter"))
    ok(room.send(FAC, SetStep, step=INTRODUCE))
    in_case = [i for i in room.state.items.values() if i.section == "case"]
    if carried is None:
        assert in_case == []
        return
    assert [(i.text, i.author) for i in in_case] == [
        (f"Casus {carried}", room.pid(authors[carried]))]
    # once: going back and forth does not copy it again
    ok(room.send(FAC, SetStep, step=CHOOSE_CASE))
    ok(room.send(FAC, SetStep, step=INTRODUCE))
    assert len([i for i in room.state.items.values() if i.section == "case"]) == 1
