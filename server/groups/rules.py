"""Every rule of a group, pure (no I/O, no clock): who may do what, what each member
may see, the rota suggestion, the series generator and what a meeting leaves.

Invariants:
- a member's private learning questions appear only in that member's own view;
- the rota never changes a choice the group made (``*_fixed``) nor a meeting that
  has started; among the others it gives the role to the member who held it least
  often, then longest ago, then who joined first;
- a generated series keeps the wall-clock time of its first meeting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import msgspec

from server.groups.model import (
    Action,
    Meeting,
    Member,
    Outcome,
    Plan,
    Question,
    Questions,
)
from shared_schema.codes import HttpErrorCode as Code
from shared_schema.export_doc import ExportDocument
from shared_schema.method import Localized, Method, Step

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MAX_SERIES = 40
ACTION_SECTIONS = frozenset({"takeaways", "actions", "alternatives"})
"""Sections whose items are the agreed next actions ("Wat ga je nu doen?")."""


class RuleError(Exception):
    """A request the rules refuse; ``code`` is stable, ``status`` the HTTP status."""

    def __init__(self, status: int, code: Code, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.code = code
        self.reason = reason


# -- rights ------------------------------------------------------------------------------


def may_manage(member: Member) -> bool:
    """Invite rotation, removing members, handing on the right, deleting the group."""
    return member.manager and not member.removed


def may_edit_plan(member: Member) -> bool:
    """The group plans together: every active member may change the plan."""
    return not member.removed


def may_start(member: Member, meeting: Meeting) -> bool:
    """Any active member may open a planned meeting's board (roles come from the plan)."""
    return not member.removed and not meeting.closed


def check_plannable(meeting: Meeting) -> None:
    """Only a meeting whose board has not opened is planned: once open, its roles live
    on the board (the facilitator hands them on there), and a closed one is history."""
    if meeting.closed:
        raise RuleError(409, Code.MEETING_CLOSED, "this meeting has taken place")
    if meeting.session_id is not None:
        raise RuleError(409, Code.MEETING_STARTED, "a started meeting keeps its plan")


def may_follow_up(member: Member, action: Action) -> bool:
    """Only an action's owner writes its follow-up note."""
    return not member.removed and action.owner == member.id


def visible_questions(
    records: dict[str, Questions], viewer: str
) -> dict[str, list[Question]]:
    """Learning questions per member as ``viewer`` may see them: all of their own,
    only the shared ones of everyone else."""
    seen: dict[str, list[Question]] = {}
    for owner, record in records.items():
        items = record.items if owner == viewer else [q for q in record.items if q.shared]
        if items:
            seen[owner] = list(items)
    return seen


def session_role(meeting: Meeting, member_id: str) -> str:
    """The role a member enters a meeting's board with."""
    if meeting.facilitator == member_id:
        return "facilitator"
    if meeting.presenter == member_id:
        return "presenter"
    return "participant"


# -- the plan ----------------------------------------------------------------------------


def parse_local(text: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, LOCAL_FORMAT)
    except ValueError as exc:
        raise RuleError(400, Code.INVALID_TIME, f"not a local time: {text!r}") from exc


def series(start: str, count: int, weeks: int, skip: Iterable[str] = ()) -> list[str]:
    """``count`` meeting times every ``weeks`` weeks from ``start`` (local wall-clock
    times); a date in ``skip`` (``YYYY-MM-DD``) is left out and the series goes on."""
    if not 1 <= count <= MAX_SERIES:
        raise RuleError(400, Code.INVALID_SERIES, f"count must be 1..{MAX_SERIES}")
    if not 1 <= weeks <= 26:
        raise RuleError(400, Code.INVALID_SERIES, "weeks must be 1..26")
    first = parse_local(start)
    skipped = set(skip)
    times: list[str] = []
    for n in range(count + len(skipped)):
        moment = first + dt.timedelta(weeks=weeks * n)
        if moment.date().isoformat() not in skipped:
            times.append(moment.strftime(LOCAL_FORMAT))
        if len(times) == count:
            break
    return times


def sort_plan(plan: Plan) -> None:
    plan.meetings.sort(key=lambda m: (m.starts, m.id))


def meeting_of(plan: Plan, meeting_id: str) -> Meeting:
    for meeting in plan.meetings:
        if meeting.id == meeting_id:
            return meeting
    raise RuleError(404, Code.UNKNOWN_MEETING, "no such meeting in the plan")


def _fairest(
    candidates: Sequence[Member],
    counts: dict[str, int],
    last: dict[str, int],
    soon: dict[str, int] | None = None,
) -> str | None:
    """Who held the role least often, then longest ago, then (``soon``) whose own next
    turn in the other role comes first, then who joined first."""
    order = {m.id: n for n, m in enumerate(candidates)}
    soon = soon or {}
    best = min(
        candidates,
        key=lambda m: (counts.get(m.id, 0), last.get(m.id, -1), soon.get(m.id, 1 << 30),
                       order[m.id]),
        default=None,
    )
    return None if best is None else best.id


def _count(counts: dict[str, int], last: dict[str, int], holder: str | None,
           ids: set[str], index: int) -> None:
    if holder is not None and holder in ids:
        counts[holder] = counts.get(holder, 0) + 1
        last[holder] = index


def assign_rota(plan: Plan, members: Sequence[Member]) -> None:
    """Fill in the suggested facilitator and presenter of every meeting the group has
    not decided itself, fairly over the whole plan (see the module invariants).

    Facilitators first; then presenters, where a tie goes to the member whose next
    facilitation comes soonest (so nobody is blocked from presenting by their own
    turn as facilitator, and everyone presents once before anyone twice)."""
    active = [m for m in members if not m.removed]
    ids = {m.id for m in active}
    for meeting in plan.meetings:  # a choice of a member who left goes back to the rota
        if meeting.facilitator_fixed and meeting.facilitator not in ids:
            meeting.facilitator_fixed = False
        if meeting.presenter_fixed and meeting.presenter not in ids:
            meeting.presenter_fixed = False
    counts: dict[str, int] = {}
    last: dict[str, int] = {}
    for index, meeting in enumerate(plan.meetings):
        if not (_settled(meeting) or meeting.facilitator_fixed):
            meeting.facilitator = _fairest(active, counts, last)
        _count(counts, last, meeting.facilitator, ids, index)
    counts, last = {}, {}
    for index, meeting in enumerate(plan.meetings):
        if not (_settled(meeting) or meeting.presenter_fixed):
            soon: dict[str, int] = {}
            for later in range(len(plan.meetings) - 1, index, -1):
                holder = plan.meetings[later].facilitator
                if holder is not None:
                    soon[holder] = later
            others = [m for m in active if m.id != meeting.facilitator]
            meeting.presenter = _fairest(others, counts, last, soon)
        _count(counts, last, meeting.presenter, ids, index)


def _settled(meeting: Meeting) -> bool:
    return meeting.session_id is not None or meeting.closed


def previous_meeting(plan: Plan, meeting_id: str) -> Meeting | None:
    """The meeting before ``meeting_id`` in the plan that has closed (the look-back's
    source), or None for the first."""
    before: Meeting | None = None
    for meeting in plan.meetings:
        if meeting.id == meeting_id:
            return before
        if meeting.closed:
            before = meeting
    return None


LOOKBACK_STEP = Step(
    id="lookback",
    frame=True,
    minutes=10,
    title=Localized(nl="Terugblik", en="Look back"),
    instruction=Localized(
        nl="Wat heeft de vorige bijeenkomst opgeleverd? Lees de gekozen herdefinitie en de "
        "afgesproken acties terug; wie een actie had, vertelt hoe het ging (gelukt, deels, "
        "nog niet) en schrijft er een regel bij. Deze stap mag je overslaan.",
        en="What did the last meeting give? Read back the chosen re-definition and the "
        "agreed actions; whoever took an action tells how it went (done, partly, not yet) "
        "and writes one line about it. This step may be skipped.",
    ),
)
"""The optional look-back step of a group meeting after the first; the board shows
the previous meeting's outcome during it (from the group, live)."""


def with_lookback(method: Method) -> Method:
    """``method`` with the look-back step right after its check-in (or first)."""
    if any(step.id == LOOKBACK_STEP.id for step in method.steps):
        return method
    at = next((n + 1 for n, step in enumerate(method.steps) if step.id == "checkin"), 0)
    steps = [*method.steps[:at], LOOKBACK_STEP, *method.steps[at:]]
    return msgspec.structs.replace(method, steps=steps)


# -- what a meeting leaves -----------------------------------------------------------------


def outcome_of(doc: ExportDocument, owner: str | None) -> Outcome:
    """The chosen re-definition (or insight) and the agreed actions of a closed
    session; the actions belong to the meeting's presenter (``owner``)."""
    kinds = {section.id: section.kind for section in doc.sections}
    chosen = [i for i in doc.items if i.chosen and kinds.get(i.section) == "redefinitions"]
    if not chosen:
        chosen = [i for i in doc.items if i.chosen and kinds.get(i.section) != "cases"]
    actions = [i for i in doc.items if i.section in ACTION_SECTIONS and i.parent is None]
    return Outcome(
        redefinition=chosen[0].text if chosen else None,
        actions=[
            Action(id=item.id, text=item.text, owner=owner) for item in actions
        ],
    )
