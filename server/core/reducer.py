"""The deterministic reducer: ``apply(state, op, actor)``.

Invariants:
- Same state + same op + same actor -> same result, on every hub (no clocks, no
  randomness: time comes from ``Actor.ts_ms``, ids from the op or the seq).
- A ``Rejected`` op leaves the board untouched; only its idempotency mark records
  that it was seen, so a resend gets the same answer.
- An op whose ``op_key`` was seen before yields ``Duplicate`` and changes nothing.
  Marks are one flat map over all members (see ``BoardState.marks``).
- An actor with a ``role`` sent the op under a one-off key (no client key): it is
  judged by that role alone, an item it adds gets no author, and the author's right
  to edit or delete it later rests on the ``proof`` of the item's secret, which
  nothing stored maps to a member (docs/anonymity.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from server.core import (
    errors,
    facilitation,
    items,
    judgements,
    roles,
    sections,
    session,
    steps,
)
from server.core.records import Expel, Join, RoundTimeout
from server.core.results import (
    ANONYMOUS,
    Applied,
    Audience,
    Duplicate,
    Rejected,
    Result,
    Scoped,
)
from server.core.state import BoardState, Mark, item_proof, participant_id
from shared_schema.board import Role
from shared_schema.client import (
    AddItem,
    AssignRole,
    ChooseItem,
    CircleItem,
    CloseSession,
    DeleteItem,
    EditItem,
    EndRound,
    LockSection,
    MoveItem,
    Op,
    RateItem,
    RemoveParticipant,
    RevealSection,
    RoundTurn,
    SetAnonymous,
    SetExport,
    SetFollow,
    SetReady,
    SetSpotlight,
    SetStep,
    SetTimer,
    StartRound,
    Vote,
)
from shared_schema.codes import ANSWERS_KEPT

__all__ = [
    "ANONYMOUS", "Actor", "Admitted", "Applied", "Audience", "Duplicate", "Rejected",
    "Result", "Scoped", "admit", "apply", "check_and_apply", "needs_time", "precheck",
    "sent_anonymously",
]

MARKS_KEPT = ANSWERS_KEPT
"""How many recent outcomes are kept for answering resends, over all members of the
room (the browser keeps at most ``MAX_IN_FLIGHT`` ops unanswered; both come from
shared_schema)."""

LOGGED_CLIENT_SEQ = 1
"""The client_seq every logged op carries: the sender's own counter is never stored
(it would count and order that member's ops)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who sent an op, and where the backplane put it.

    ``client_id`` is the sender's client key ("" for a one-off op, which has a
    ``role`` instead); ``op_key`` its idempotency key ("" for internal ops);
    ``proof`` the hash of the item secret the op carried."""

    client_id: str
    op_key: str
    seq: int
    ts_ms: int
    role: Role | None = None
    proof: str | None = None


def apply(state: BoardState, op: Op | Join | RoundTimeout | Expel, actor: Actor) -> Result:
    """Apply one sequenced op; see the module docstring for the invariants."""
    state.seq = actor.seq
    if isinstance(op, RoundTimeout):
        return Applied(facilitation.timeout(state, op.number, op.turn, actor.ts_ms))
    if isinstance(op, Expel):
        return Applied(roles.expel(state, op.member))
    if actor.op_key and (seen := _seen(state, actor.op_key)):
        return seen
    result: Applied | Rejected
    if actor.role is not None and not isinstance(op, Join):
        result = _apply_anonymous(state, op, actor, actor.role)
    else:
        result = check_and_apply(state, op, actor)
    if actor.op_key:
        code = result.code if isinstance(result, Rejected) else None
        state.marks[actor.op_key] = Mark(actor.seq, code)
        while len(state.marks) > MARKS_KEPT:
            del state.marks[next(iter(state.marks))]
    return result


def _apply_anonymous(state: BoardState, op: Op, actor: Actor, role: Role) -> Applied | Rejected:
    if state.closed:
        return Rejected(errors.SESSION_CLOSED, "the session is closed")
    problem = _validate(state, op, ANONYMOUS, role, actor.proof)
    return problem or Applied(_mutate(state, op, ANONYMOUS, actor.ts_ms, actor.proof))


def sent_anonymously(state: BoardState, op: Op) -> bool:
    """Whether a hub records ``op`` under a one-off key (no client key, the sender's
    role instead): a new item while anonymity is on, and every change to an item
    that has no author, whatever the mode (an edit with the item's secret names its
    author to whoever could tie the op to a member)."""
    match op:
        case AddItem():
            return state.anonymous
        case EditItem(item_id=item_id) | MoveItem(item_id=item_id) | DeleteItem(item_id=item_id):
            item = state.items.get(item_id)
            return item is not None and item.author is None
        case _:
            return False


LOGGED_CLIENT_SEQ = 1
"""The client_seq every logged op carries: the sender's own counter is never stored
(it would count and order that member's ops)."""


@dataclass(frozen=True, slots=True)
class Admitted:
    """How a hub records an op it admits: ``op`` as logged (its client_seq replaced
    by ``LOGGED_CLIENT_SEQ``, its item secret cleared), whether under a one-off key,
    and the ``proof`` of the secret (kept only on a new item without author and on
    changes to an item without author)."""

    op: Op
    one_off: bool
    proof: str | None


def admit(state: BoardState, op: Op) -> Admitted:
    """How ``op`` is recorded; see ``Admitted`` and ``sent_anonymously``."""
    one_off = sent_anonymously(state, op)
    if not isinstance(op, AddItem | EditItem | DeleteItem) or op.secret is None:
        return Admitted(msgspec.structs.replace(op, client_seq=LOGGED_CLIENT_SEQ), one_off, None)
    logged = msgspec.structs.replace(op, client_seq=LOGGED_CLIENT_SEQ, secret=None)
    item = state.items.get(op.item_id)
    if (isinstance(op, AddItem) and not one_off) or (item is not None and item.author):
        return Admitted(logged, one_off, None)
    return Admitted(logged, one_off, item_proof(state.session_id, op.item_id, op.secret))


def needs_time(op: Op | Join) -> bool:
    """Whether the reducer reads the hub's clock for ``op`` (``Actor.ts_ms``); every
    other op is recorded without a time."""
    return isinstance(op, SetTimer | CloseSession | StartRound | RoundTurn)


def keeps_time(op: Op | Join, one_off: bool) -> bool:
    """Whether the log keeps the hub's time for ``op``: the ops the reducer reads the
    clock for, and a step change (facilitator-only, recorded under the facilitator's
    key), whose time the attendance record takes as the meeting's start. A one-off
    record gets no time it does not need."""
    return needs_time(op) or (isinstance(op, SetStep) and not one_off)


def precheck(
    state: BoardState, op: Op, client_key: str, key: str, proof: str | None = None
) -> Rejected | Duplicate | None:
    """Judge an op against the current state without changing it.

    Used by a hub before sequencing, so plainly forbidden ops never enter the log
    (nor does a text the reducer would refuse). The sequenced apply still decides:
    the state may change in between. ``key`` is the op's ``op_key``.
    """
    if seen := _seen(state, key):
        return seen
    return _judge(state, op, participant_id(state.session_id, client_key), proof)


def _seen(state: BoardState, key: str) -> Duplicate | None:
    """The remembered outcome of the op with this ``op_key``, if it is one of the last
    ``MARKS_KEPT`` ops of the room. Anything else is treated as a new op, so a client
    must resend an unanswered op before ``MARKS_KEPT`` others were decided."""
    mark = state.marks.get(key)
    return None if mark is None else Duplicate(mark.seq, mark.code)


def check_and_apply(state: BoardState, op: Op | Join, actor: Actor) -> Applied | Rejected:
    pid = participant_id(state.session_id, actor.client_id)
    facilitator = state.facilitator
    if isinstance(op, Join):
        result = roles.join(state, op, pid)
    elif problem := _judge(state, op, pid, actor.proof):
        return problem
    else:
        result = Applied(_mutate(state, op, pid, actor.ts_ms, None))
    if isinstance(result, Applied):
        # a new facilitator gets the notes for the one who leads (only they do)
        result.changes.extend(facilitation.notes_for_new_facilitator(state, facilitator))
    return result


def _judge(state: BoardState, op: Op, pid: str, proof: str | None) -> Rejected | None:
    """Why ``pid`` may not apply ``op`` now, or None if it may."""
    return _member(state, op, pid) or _validate(
        state, op, pid, state.participants[pid].role, proof
    )


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


def _validate(
    state: BoardState, op: Op, pid: str, role: Role, proof: str | None
) -> Rejected | None:
    """Reads the state, never writes it. ``pid`` is ``ANONYMOUS`` for a one-off op."""
    match op:
        case AddItem() | EditItem() | MoveItem() | DeleteItem():
            return items.check(state, op, pid, role, proof)
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
        case SetSpotlight() | SetFollow() | StartRound() | RoundTurn() | EndRound():
            return facilitation.check(state, op, pid, role)


def _mutate(
    state: BoardState, op: Op, pid: str, ts_ms: int, proof: str | None
) -> list[Scoped]:
    """Only after ``_validate`` passed."""
    match op:
        case AddItem() | EditItem() | MoveItem() | DeleteItem():
            return items.change(state, op, pid, proof)
        case RateItem() | CircleItem() | ChooseItem() | Vote():
            return judgements.change(state, op, pid)
        case SetStep():
            return [*steps.change(state, op, pid, ts_ms), *facilitation.after_step(state)]
        case SetTimer() | SetReady():
            return steps.change(state, op, pid, ts_ms)
        case LockSection() | RevealSection():
            return sections.change(state, op)
        case AssignRole() | RemoveParticipant():
            return roles.change(state, op, pid)
        case SetAnonymous() | CloseSession() | SetExport():
            return session.change(state, op, ts_ms)
        case SetSpotlight() | SetFollow() | StartRound() | RoundTurn() | EndRound():
            return facilitation.change(state, op, pid, ts_ms)
