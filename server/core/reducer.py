"""The deterministic reducer: ``apply(state, op, actor)``.

Invariants:
- Same state + same op + same actor -> same result, on every hub (no clocks, no
  randomness: time comes from ``Actor.ts_ms``, ids from the op or the seq).
- A ``Rejected`` op leaves the board untouched; only the client's idempotency mark
  records that it was seen, so a resend gets the same answer.
- An op whose ``(client_id, client_seq)`` was seen before yields ``Duplicate`` and
  changes nothing. ``client_id`` is the sender's key (see ``Record``).
- An actor with a ``role`` sent the op in anonymity mode under a one-off key: it is
  judged by that role, its item gets no author and its mark is kept apart from the
  sender's, so nothing stored links the item to its author.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.core import errors, items, judgements, roles, sections, session, steps
from server.core.records import Join
from server.core.results import Applied, Audience, Duplicate, Rejected, Result, Scoped
from server.core.state import BoardState, ClientMark, participant_id
from shared_schema.board import Role
from shared_schema.client import (
    AddItem,
    AssignRole,
    ChooseItem,
    CircleItem,
    CloseSession,
    DeleteItem,
    EditItem,
    LockSection,
    MoveItem,
    Op,
    RateItem,
    RemoveParticipant,
    RevealSection,
    SetAnonymous,
    SetExport,
    SetReady,
    SetStep,
    SetTimer,
    Vote,
)
from shared_schema.codes import ANSWERS_KEPT

__all__ = [
    "Actor", "Applied", "Audience", "Duplicate", "Rejected", "Result", "Scoped", "apply",
    "check_and_apply", "precheck", "sent_anonymously",
]

MARKS_KEPT = ANSWERS_KEPT
"""How many recent results per client are kept for answering resends (the browser
keeps at most ``MAX_IN_FLIGHT`` ops unanswered; both come from shared_schema)."""

ANONYMOUS_MARKS_KEPT = 1024
"""How many results of ops sent in anonymity mode are kept, over all clients."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who sent an op, and where the backplane put it."""

    client_id: str
    client_seq: int
    seq: int
    ts_ms: int
    role: Role | None = None




def apply(state: BoardState, op: Op | Join, actor: Actor) -> Result:
    """Apply one sequenced op; see the module docstring for the invariants."""
    state.seq = actor.seq
    if actor.role is not None and not isinstance(op, Join):
        return _apply_anonymous(state, op, actor, actor.role)
    if actor.client_seq and (seen := _seen(state, actor.client_id, actor.client_seq)):
        return seen
    result = check_and_apply(state, op, actor)
    if actor.client_seq:
        code = result.code if isinstance(result, Rejected) else None
        kept = state.clients.setdefault(actor.client_id, [])
        kept.append(ClientMark(actor.client_seq, actor.seq, code))
        del kept[:-MARKS_KEPT]
    return result


def _apply_anonymous(state: BoardState, op: Op, actor: Actor, role: Role) -> Result:
    mark = state.anonymous_marks.get(actor.client_id)
    if mark is not None:
        return Duplicate(mark.seq, mark.code)
    result: Applied | Rejected
    if state.closed:
        result = Rejected(errors.SESSION_CLOSED, "the session is closed")
    else:
        problem = _validate(state, op, actor.client_id, role)
        result = problem or Applied(_mutate(state, op, actor.client_id, actor.ts_ms, True))
    code = result.code if isinstance(result, Rejected) else None
    state.anonymous_marks[actor.client_id] = ClientMark(actor.client_seq, actor.seq, code)
    while len(state.anonymous_marks) > ANONYMOUS_MARKS_KEPT:
        del state.anonymous_marks[next(iter(state.anonymous_marks))]
    return result


def sent_anonymously(state: BoardState, op: Op) -> bool:
    """Whether a hub records ``op`` under a one-off key: in anonymity mode, a new
    item and any change to an item that has no author."""
    if not state.anonymous:
        return False
    match op:
        case AddItem():
            return True
        case EditItem(item_id=item_id) | MoveItem(item_id=item_id) | DeleteItem(item_id=item_id):
            item = state.items.get(item_id)
            return item is not None and item.author is None
        case _:
            return False


def precheck(
    state: BoardState, op: Op, client_key: str, one_off_key: str | None = None
) -> Rejected | Duplicate | None:
    """Judge an op against the current state without changing it.

    Used by a hub before sequencing, so plainly forbidden ops never enter the log.
    The sequenced apply still decides: the state may change in between.
    ``one_off_key`` is the key the op has if it was sent in anonymity mode; a resend
    is recognised under either key.
    """
    if seen := _seen(state, client_key, op.client_seq):
        return seen
    if one_off_key is not None and (mark := state.anonymous_marks.get(one_off_key)):
        return Duplicate(mark.seq, mark.code)
    return _judge(state, op, participant_id(state.session_id, client_key))


def _seen(state: BoardState, client_id: str, client_seq: int) -> Duplicate | None:
    """The remembered outcome of ``(client_id, client_seq)``, if it is one of the last
    ``MARKS_KEPT`` ops of that client. Anything else is treated as a new op, so a
    client must keep fewer than ``MARKS_KEPT`` ops unanswered and never reuse a
    client id with a restarted client_seq."""
    for mark in state.clients.get(client_id, ()):
        if mark.client_seq == client_seq:
            return Duplicate(mark.seq, mark.code)
    return None


def check_and_apply(state: BoardState, op: Op | Join, actor: Actor) -> Applied | Rejected:
    pid = participant_id(state.session_id, actor.client_id)
    if isinstance(op, Join):
        return roles.join(state, op, pid)
    if problem := _judge(state, op, pid):
        return problem
    return Applied(_mutate(state, op, pid, actor.ts_ms, False))


def _judge(state: BoardState, op: Op, pid: str) -> Rejected | None:
    """Why ``pid`` may not apply ``op`` now, or None if it may."""
    return _member(state, op, pid) or _validate(state, op, pid, state.participants[pid].role)


def _member(state: BoardState, op: Op, pid: str) -> Rejected | None:
    """Membership, and the closed board: after the close every op is rejected except
    ``set_export``, which governs the exports that the close opens."""
    member = state.participants.get(pid)
    if member is None:
        return Rejected(errors.NOT_MEMBER, "join the session first")
    if member.removed:
        return Rejected(errors.REMOVED, "you were removed from this session")
    if state.closed and not isinstance(op, SetExport):
        return Rejected(errors.SESSION_CLOSED, "the session is closed")
    return None


# -- dispatch: each op family checks and changes in its own module ------------------


def _validate(state: BoardState, op: Op, pid: str, role: Role) -> Rejected | None:
    """Reads the state, never writes it."""
    match op:
        case AddItem() | EditItem() | MoveItem() | DeleteItem():
            return items.check(state, op, pid, role)
        case RateItem() | CircleItem() | ChooseItem() | Vote():
            return judgements.check(state, op, pid, role)
        case SetStep() | SetTimer() | SetReady():
            return steps.check(state, op, role)
        case LockSection() | RevealSection():
            return sections.check(state, op, role)
        case AssignRole() | RemoveParticipant():
            return roles.check(state, op, pid, role)
        case SetAnonymous() | CloseSession() | SetExport():
            return session.check(role)


def _mutate(state: BoardState, op: Op, pid: str, ts_ms: int, anonymous: bool) -> list[Scoped]:
    """Only after ``_validate`` passed."""
    match op:
        case AddItem() | EditItem() | MoveItem() | DeleteItem():
            return items.change(state, op, pid, anonymous)
        case RateItem() | CircleItem() | ChooseItem() | Vote():
            return judgements.change(state, op, pid)
        case SetStep() | SetTimer() | SetReady():
            return steps.change(state, op, pid, ts_ms)
        case LockSection() | RevealSection():
            return sections.change(state, op)
        case AssignRole() | RemoveParticipant():
            return roles.change(state, op, pid)
        case SetAnonymous() | CloseSession() | SetExport():
            return session.change(state, op, ts_ms)
