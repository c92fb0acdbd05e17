"""The pure group rules, table-driven: series, rota, rights, visibility, outcome."""

from __future__ import annotations

import pytest

from server.groups import rules
from server.groups.model import Action, Meeting, Member, Plan, Question, Questions
from shared_schema.export_doc import ExportDocument


def members(n: int) -> list[Member]:
    return [Member(id=f"m{i}", name=f"Lid {i}", key_hash="x" * 64, joined_ms=i)
            for i in range(1, n + 1)]


def plan_of(count: int) -> Plan:
    times = rules.series("2027-01-12T19:30", count, 6)
    return Plan(meetings=[Meeting(id=f"e{n}", starts=s, minutes=120, method="tienstappen")
                          for n, s in enumerate(times)])


@pytest.mark.parametrize(("start", "count", "weeks", "skip", "expected"), [
    ("2027-01-12T19:30", 3, 6, [], ["2027-01-12T19:30", "2027-02-23T19:30",
                                     "2027-04-06T19:30"]),
    # across the change to summer time the wall-clock time stays
    ("2027-03-16T09:00", 2, 2, [], ["2027-03-16T09:00", "2027-03-30T09:00"]),
    # a removed date is left out; the series goes on to reach its count
    ("2027-01-12T19:30", 3, 6, ["2027-02-23"], ["2027-01-12T19:30", "2027-04-06T19:30",
                                                 "2027-05-18T19:30"]),
])
def test_series(start: str, count: int, weeks: int, skip: list[str],
                expected: list[str]) -> None:
    assert rules.series(start, count, weeks, skip) == expected


@pytest.mark.parametrize(("start", "count", "weeks", "code"), [
    ("2027-13-01T19:30", 2, 6, "invalid_time"),
    ("2027-01-12T19:30", 0, 6, "invalid_series"),
    ("2027-01-12T19:30", 41, 6, "invalid_series"),
    ("2027-01-12T19:30", 3, 0, "invalid_series"),
])
def test_series_refuses(start: str, count: int, weeks: int, code: str) -> None:
    with pytest.raises(rules.RuleError) as caught:
        rules.series(start, count, weeks)
    assert caught.value.code == code


@pytest.mark.parametrize("size", [2, 3, 5, 8])
def test_rota_gives_everyone_a_turn_before_anyone_twice(size: int) -> None:
    plan, people = plan_of(8), members(size)
    rules.assign_rota(plan, people)
    facilitators = [m.facilitator for m in plan.meetings]
    presenters = [m.presenter for m in plan.meetings]
    for turns in (facilitators, presenters):
        first_round = turns[:size]
        assert len(set(first_round)) == min(size, 8), turns
    for meeting in plan.meetings:
        assert meeting.facilitator != meeting.presenter


def test_rota_override_sticks_and_the_rest_stays_fair() -> None:
    plan, people = plan_of(8), members(5)
    rules.assign_rota(plan, people)
    plan.meetings[0].facilitator, plan.meetings[0].facilitator_fixed = "m4", True
    rules.assign_rota(plan, people)
    assert plan.meetings[0].facilitator == "m4"
    assert [m.facilitator for m in plan.meetings[:5]] == ["m4", "m1", "m2", "m3", "m5"]
    # a new member and a re-run leave the override in place
    people.append(Member(id="m6", name="Nieuw", key_hash="y" * 64, joined_ms=9))
    rules.assign_rota(plan, people)
    assert plan.meetings[0].facilitator == "m4"
    assert "m6" in [m.facilitator for m in plan.meetings]


def test_a_removed_members_fixed_turn_goes_back_to_the_rota() -> None:
    plan, people = plan_of(3), members(4)
    plan.meetings[1].facilitator, plan.meetings[1].facilitator_fixed = "m4", True
    rules.assign_rota(plan, people)
    people[3].removed = True
    rules.assign_rota(plan, people)
    assert plan.meetings[1].facilitator != "m4"
    assert plan.meetings[1].facilitator_fixed is False


def test_rota_keeps_started_meetings_and_skips_removed_members() -> None:
    plan, people = plan_of(4), members(3)
    rules.assign_rota(plan, people)
    plan.meetings[0].session_id = "s" * 32
    held = plan.meetings[0].facilitator
    people[0].removed = True
    rules.assign_rota(plan, people)
    assert plan.meetings[0].facilitator == held
    assert all(m.facilitator != "m1" for m in plan.meetings[1:])


@pytest.mark.parametrize(("viewer", "expected"), [
    ("m1", {"m1": ["own private", "own shared"], "m2": ["their shared"]}),
    ("m2", {"m1": ["own shared"], "m2": ["their private", "their shared"]}),
    ("m3", {"m1": ["own shared"], "m2": ["their shared"]}),
])
def test_private_learning_questions_are_seen_only_by_their_owner(
        viewer: str, expected: dict[str, list[str]]) -> None:
    records = {
        "m1": Questions(items=[Question(id="a", text="own private"),
                               Question(id="b", text="own shared", shared=True)]),
        "m2": Questions(items=[Question(id="c", text="their private"),
                               Question(id="d", text="their shared", shared=True)]),
    }
    seen = rules.visible_questions(records, viewer)
    assert {k: [q.text for q in v] for k, v in seen.items()} == expected


@pytest.mark.parametrize(("member", "owner", "allowed"), [
    (Member(id="m1", name="a", key_hash="", joined_ms=0), "m1", True),
    (Member(id="m2", name="b", key_hash="", joined_ms=0), "m1", False),
    (Member(id="m1", name="a", key_hash="", joined_ms=0, removed=True), "m1", False),
])
def test_only_the_owner_follows_up(member: Member, owner: str, allowed: bool) -> None:
    assert rules.may_follow_up(member, Action(id="x", text="t", owner=owner)) is allowed


@pytest.mark.parametrize(("member", "manage", "edit"), [
    (Member(id="m1", name="a", key_hash="", joined_ms=0, manager=True), True, True),
    (Member(id="m2", name="b", key_hash="", joined_ms=0), False, True),
    (Member(id="m3", name="c", key_hash="", joined_ms=0, removed=True), False, False),
])
def test_rights(member: Member, manage: bool, edit: bool) -> None:
    assert rules.may_manage(member) is manage
    assert rules.may_edit_plan(member) is edit


def test_session_roles_from_the_plan() -> None:
    meeting = Meeting(id="e", starts="2027-01-12T19:30", minutes=90, method="x",
                      facilitator="m1", presenter="m2")
    assert [rules.session_role(meeting, m) for m in ("m1", "m2", "m3")] == [
        "facilitator", "presenter", "participant"]


def test_previous_meeting_is_the_last_closed_before() -> None:
    plan = plan_of(3)
    assert rules.previous_meeting(plan, "e1") is None
    plan.meetings[0].closed = True
    assert rules.previous_meeting(plan, "e1") is plan.meetings[0]
    assert rules.previous_meeting(plan, "e2") is plan.meetings[0]
    assert rules.previous_meeting(plan, "e0") is None


def test_outcome_takes_the_chosen_redefinition_and_the_actions() -> None:
    doc = ExportDocument(
        format="intervisiebord-export", version=1,
        session={"id": "a" * 32, "title": "t", "method": "tienstappen", "method_name": "T",
                 "language": "nl", "created": "2027-01-12", "closed": "2027-01-12",
                 "anonymous": False},  # type: ignore[arg-type]
        steps=[], participants=[],
        sections=[{"id": "redefinitions", "kind": "redefinitions", "title": "H"},
                  {"id": "alternatives", "kind": "notes", "title": "A"},
                  {"id": "cases", "kind": "cases", "title": "C"}],  # type: ignore[list-item]
        items=[{"id": "r1", "step": 7, "section": "redefinitions", "text": "Mijn probleem is x"},
               {"id": "r2", "step": 7, "section": "redefinitions", "text": "Mijn probleem is y",
                "chosen": True},
               {"id": "c1", "step": 1, "section": "cases", "text": "casus", "chosen": True},
               {"id": "a1", "step": 8, "section": "alternatives", "text": "Bellen"},
               ],  # type: ignore[list-item]
    )
    import msgspec
    doc = msgspec.convert(msgspec.to_builtins(doc), ExportDocument)
    outcome = rules.outcome_of(doc, "m2")
    assert outcome.redefinition == "Mijn probleem is y"
    assert [(a.id, a.text, a.owner) for a in outcome.actions] == [("a1", "Bellen", "m2")]


def test_the_look_back_step_comes_right_after_the_check_in() -> None:
    from server.methods.loader import load_methods

    method = load_methods([])["tienstappen"]
    looked = rules.with_lookback(method)
    ids = [step.id for step in looked.steps]
    assert ids[:3] == ["checkin", "lookback", "choose_case"]
    assert len(looked.steps) == len(method.steps) + 1
    assert rules.with_lookback(looked) is looked
    assert [s.id for s in method.steps][1] == "choose_case", "the method itself is unchanged"
