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

from dataclasses import dataclass, field

import msgspec

from server.core import errors
from server.core.permissions import may, override, section_def
from server.core.records import Join
from server.core.state import (
    BoardState,
    ClientMark,
    PrivateRating,
    participant_id,
    step_key,
)
from server.core.visibility import item_visible, section_hidden, section_sealed, section_state
from shared_schema.board import Item, Participant, Role, Timer
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
from shared_schema.method import Right
from shared_schema.server import (
    Change,
    ItemPut,
    ItemRemoved,
    ParticipantPut,
    ReadySet,
    SectionPut,
    SessionPut,
    StepSet,
    TimerSet,
    VotePut,
)

MARKS_KEPT = 64
"""How many recent results per client are kept for answering resends."""

ANONYMOUS_MARKS_KEPT = 1024
"""How many results of ops sent in anonymity mode are kept, over all clients."""

Audience = frozenset[str] | None
"""None: every member; otherwise only these participant ids."""


class Scoped(msgspec.Struct, frozen=True, gc=False):
    """A change and who may see it (None: everyone). Plain data, never in a cycle:
    kept out of the cyclic collector, as rooms keep thousands for resuming clients."""

    change: Change
    audience: Audience = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who sent an op, and where the backplane put it."""

    client_id: str
    client_seq: int
    seq: int
    ts_ms: int
    role: Role | None = None


@dataclass(frozen=True, slots=True)
class Applied:
    changes: list[Scoped] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rejected:
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A resend of an op already decided: ``seq`` it got, ``code`` if rejected."""

    seq: int
    code: str | None


Result = Applied | Rejected | Duplicate


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
        return _join(state, op, pid)
    if problem := _judge(state, op, pid):
        return problem
    return Applied(_mutate(state, op, pid, actor.ts_ms, False))


# -- validation: reads the state, never writes it -------------------------------------


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


def _right(state: BoardState, role: Role, right: Right, section: str) -> Rejected | None:
    if may(state, role, right, section):
        return None
    if override(state, section) is True:
        return Rejected(errors.SECTION_LOCKED, f"section {section!r} is locked")
    return Rejected(errors.FORBIDDEN, f"a {role} may not {right} in {section!r} in this step")


def _item(state: BoardState, item_id: str, pid: str) -> Item | Rejected:
    item = state.items.get(item_id)
    if item is None or not item_visible(state, item, pid):
        return Rejected(errors.NOT_FOUND, f"no item {item_id!r}")
    return item


def _facilitator_only(role: Role) -> Rejected | None:
    if role == "facilitator":
        return None
    return Rejected(errors.FORBIDDEN, "only the facilitator may do this")


def _validate(state: BoardState, op: Op, pid: str, role: Role) -> Rejected | None:
    match op:
        case AddItem(item_id=item_id, section=section, lane=lane, sheet=sheet, parent=parent):
            definition = section_def(state, section)
            if definition is None:
                return Rejected(errors.NOT_FOUND, f"no section {section!r}")
            if problem := _right(state, role, "add", section):
                return problem
            if item_id in state.items:
                return Rejected(errors.DUPLICATE_ID, f"item {item_id!r} exists")
            lanes = [lane_def.id for lane_def in definition.lanes]
            if lanes and lane not in lanes:
                return Rejected(errors.INVALID_VALUE, f"lane must be one of {lanes}")
            if not lanes and lane is not None:
                return Rejected(errors.INVALID_VALUE, "this section has no lanes")
            if sheet > definition.sheets:
                return Rejected(errors.INVALID_VALUE, f"sheet must be <= {definition.sheets}")
            if parent is not None:
                found = _item(state, parent, pid)
                if isinstance(found, Rejected):
                    return found
            return None
        case EditItem(item_id=item_id) | MoveItem(item_id=item_id) | DeleteItem(item_id=item_id):
            found = _item(state, item_id, pid)
            if isinstance(found, Rejected):
                return found
            if isinstance(op, DeleteItem) and role == "facilitator":
                return None
            if problem := _right(state, role, "add", found.section):
                return problem
            if not isinstance(op, MoveItem) and found.author != pid and role != "facilitator":
                return Rejected(errors.NOT_AUTHOR, "only the author may change this item")
            return None
        case (
            RateItem(item_id=item_id)
            | CircleItem(item_id=item_id)
            | ChooseItem(item_id=item_id)
            | Vote(item_id=item_id)
        ):
            found = _item(state, item_id, pid)
            if isinstance(found, Rejected):
                return found
            right: Right = _RIGHT_OF[type(op)]
            if problem := _right(state, role, right, found.section):
                return problem
            if isinstance(op, Vote):
                return _vote_check(state, op, pid, found)
            return None
        case SetStep(step=step):
            if problem := _facilitator_only(role):
                return problem
            if step >= len(state.method.steps):
                return Rejected(errors.INVALID_VALUE, f"step must be < {len(state.method.steps)}")
            return None
        case LockSection(section=section) | RevealSection(section=section):
            if problem := _facilitator_only(role):
                return problem
            if section_def(state, section) is None:
                return Rejected(errors.NOT_FOUND, f"no section {section!r}")
            return None
        case AssignRole(participant_id=target):
            if problem := _facilitator_only(role):
                return problem
            member = state.participants.get(target)
            if member is None or member.removed:
                return Rejected(errors.NOT_FOUND, "no such participant")
            if target == pid:
                return Rejected(errors.INVALID_VALUE, "hand the facilitator role to someone else")
            return None
        case RemoveParticipant(participant_id=target):
            if problem := _facilitator_only(role):
                return problem
            member = state.participants.get(target)
            if member is None or member.removed:
                return Rejected(errors.NOT_FOUND, "no such participant")
            if target == pid:
                return Rejected(errors.INVALID_VALUE, "the facilitator cannot remove themselves")
            return None
        case SetTimer() | SetAnonymous() | CloseSession() | SetExport():
            return _facilitator_only(role)
        case SetReady():
            if role == "observer":
                return Rejected(errors.FORBIDDEN, "observers do not take part")
            return None


_RIGHT_OF: dict[type, Right] = {
    RateItem: "rate",
    CircleItem: "circle",
    ChooseItem: "choose",
    Vote: "vote",
}


def _vote_check(state: BoardState, op: Vote, pid: str, item: Item) -> Rejected | None:
    mine = state.votes.get(item.id, {}).get(pid, 0)
    if op.delta < 0:
        return None if mine > 0 else Rejected(errors.INVALID_VALUE, "no vote to take back")
    spent = sum(
        by_pid.get(pid, 0)
        for item_id, by_pid in state.votes.items()
        if item_id in state.items and state.items[item_id].section == item.section
    )
    if spent >= state.method.vote_budget:
        return Rejected(errors.VOTE_BUDGET, f"all {state.method.vote_budget} votes are used")
    return None


# -- mutation: only after validation passed -------------------------------------------


def _join(state: BoardState, op: Join, pid: str) -> Applied | Rejected:
    member = state.participants.get(pid)
    if member is not None and member.removed:
        return Rejected(errors.REMOVED, "you were removed from this session")
    if member is not None and member.name == op.name:
        return Applied([])
    if state.closed:
        return Rejected(errors.SESSION_CLOSED, "the session is closed")
    changes: list[Scoped] = []
    if member is None:
        role: Role = op.via
        member = Participant(id=pid, name=op.name, role=role)
        state.participants[pid] = member
        if role in ("facilitator", "presenter"):
            return Applied(_set_role(state, pid, role))
    else:
        member.name = op.name
    changes.append(Scoped(ParticipantPut(participant=member)))
    return Applied(changes)


def _set_role(state: BoardState, pid: str, role: Role) -> list[Scoped]:
    """Give ``pid`` a role; the single facilitator/presenter before them steps down."""
    changes: list[Scoped] = []
    previous = {"facilitator": state.facilitator, "presenter": state.presenter}.get(role)
    if previous is not None and previous != pid:
        state.participants[previous].role = "participant"
        changes.append(Scoped(ParticipantPut(participant=state.participants[previous])))
    if state.facilitator == pid and role != "facilitator":
        state.facilitator = None
    if state.presenter == pid and role != "presenter":
        state.presenter = None
    if role == "facilitator":
        state.facilitator = pid
    elif role == "presenter":
        state.presenter = pid
    state.participants[pid].role = role
    changes.append(Scoped(ParticipantPut(participant=state.participants[pid])))
    changes.append(Scoped(_session_put(state)))
    if role == "observer" and pid in state.ready:
        state.ready.remove(pid)  # observers do not take part, so are never "ready"
        changes.append(Scoped(ReadySet(count=len(state.ready))))
    return changes


def _session_put(state: BoardState) -> SessionPut:
    return SessionPut(
        anonymous=state.anonymous,
        closed=state.closed,
        presenter=state.presenter,
        facilitator=state.facilitator,
        participant_export=state.participant_export,
    )


def _item_put(state: BoardState, item: Item) -> Scoped:
    owner = state.hidden.get(item.id, "")
    if item.id not in state.hidden:
        return Scoped(ItemPut(item=item))
    return Scoped(ItemPut(item=item), frozenset({owner}) if owner else frozenset())


def _prefixed(state: BoardState, section: str, text: str) -> str:
    """The text of an item in a section with a prefix ("Mijn probleem is ..."): as
    written when it starts with the prefix in either language, else with the prefix
    in the session's language put in front."""
    definition = section_def(state, section)
    if definition is None or definition.prefix is None:
        return text
    stems = {
        language: getattr(definition.prefix, language).rstrip(". …").strip()
        for language in ("nl", "en")
    }
    lowered = text.lower()
    if any(lowered.startswith(stem.lower()) for stem in stems.values()):
        return text
    return f"{stems[state.language]} {text}"


def _mutate(state: BoardState, op: Op, pid: str, ts_ms: int, anonymous: bool) -> list[Scoped]:
    match op:
        case AddItem():
            item = Item(
                id=op.item_id,
                section=op.section,
                text=_prefixed(state, op.section, op.text),
                step=state.step,
                seq=state.seq,
                author=None if anonymous or state.anonymous else pid,
                x=op.x,
                y=op.y,
                color=op.color,
                lane=op.lane,
                sheet=op.sheet,
                parent=op.parent,
            )
            state.items[item.id] = item
            if section_hidden(state, op.section):
                # the owner is the author; anonymous items have none, so nobody sees
                # them before the reveal (the author's client keeps its own copy)
                state.hidden[item.id] = item.author
                return [
                    _item_put(state, item),
                    Scoped(SectionPut(section=section_state(state, op.section))),
                ]
            return [Scoped(ItemPut(item=item))]
        case EditItem():
            item = state.items[op.item_id]
            item.text = _prefixed(state, item.section, op.text)
            return [_item_put(state, item)]
        case MoveItem():
            item = state.items[op.item_id]
            item.x, item.y = op.x, op.y
            if op.color is not None:
                item.color = op.color
            return [_item_put(state, item)]
        case DeleteItem():
            return _delete(state, op.item_id)
        case RateItem():
            item = state.items[op.item_id]
            if section_sealed(state, item.section):
                if op.rating is None:
                    state.private_ratings.pop(item.id, None)
                else:
                    state.private_ratings[item.id] = PrivateRating(op.rating, pid)
                seen = msgspec.structs.replace(item, rating=op.rating)
                return [Scoped(ItemPut(item=seen), frozenset({pid}))]
            state.private_ratings.pop(item.id, None)
            item.rating = op.rating
            return [_item_put(state, item)]
        case CircleItem():
            item = state.items[op.item_id]
            item.circled = op.circled
            return [_item_put(state, item)]
        case ChooseItem():
            item = state.items[op.item_id]
            changes: list[Scoped] = []
            if op.chosen:
                for other in state.items.values():
                    if (
                        other.chosen
                        and other is not item
                        and other.section == item.section
                        and other.lane == item.lane
                    ):
                        other.chosen = False
                        changes.append(_item_put(state, other))
            item.chosen = op.chosen
            changes.append(_item_put(state, item))
            return changes
        case Vote():
            by_pid = state.votes.setdefault(op.item_id, {})
            by_pid[pid] = by_pid.get(pid, 0) + op.delta
            item = state.items[op.item_id]
            mine = Scoped(VotePut(item_id=item.id, mine=by_pid[pid]), frozenset({pid}))
            if section_sealed(state, item.section):
                return [mine]
            item.votes = sum(by_pid.values())
            return [_item_put(state, item), mine]
        case SetStep():
            return _goto_step(state, op.step)
        case LockSection():
            key = step_key(state.step, op.section)
            if op.locked is None:
                state.overrides.pop(key, None)
            else:
                state.overrides[key] = op.locked
            return [Scoped(SectionPut(section=section_state(state, op.section)))]
        case RevealSection():
            state.revealed[step_key(state.step, op.section)] = True
            shown = [i for i, _ in state.hidden.items() if state.items[i].section == op.section]
            for item_id in shown:
                del state.hidden[item_id]
            changes = [Scoped(ItemPut(item=state.items[i])) for i in shown]
            changes += _unseal(state, op.section, set(shown))
            changes.append(Scoped(SectionPut(section=section_state(state, op.section))))
            return changes
        case SetTimer():
            state.timer = _timer(state, op, ts_ms)
            return [Scoped(TimerSet(timer=state.timer))]
        case SetReady():
            if op.ready and pid not in state.ready:
                state.ready.append(pid)
            elif not op.ready and pid in state.ready:
                state.ready.remove(pid)
            return [Scoped(ReadySet(count=len(state.ready)))]
        case AssignRole():
            if op.role == "facilitator":
                changes = _set_role(state, op.participant_id, "facilitator")
                state.participants[pid].role = "participant"
                return [*changes, Scoped(ParticipantPut(participant=state.participants[pid]))]
            return _set_role(state, op.participant_id, op.role)
        case RemoveParticipant():
            member = state.participants[op.participant_id]
            changes = _set_role(state, member.id, "participant")
            member.removed = True
            if member.id in state.ready:
                state.ready.remove(member.id)
            return [
                *changes,
                Scoped(ParticipantPut(participant=member)),
                Scoped(ReadySet(count=len(state.ready))),
            ]
        case SetAnonymous():
            state.anonymous = op.anonymous
            return [Scoped(_session_put(state))]
        case CloseSession():
            state.closed = True
            if state.timer.running:
                state.timer = _timer(state, SetTimer(client_seq=1, action="pause"), ts_ms)
            return [Scoped(_session_put(state)), Scoped(TimerSet(timer=state.timer))]
        case SetExport():
            state.participant_export = op.participants
            return [Scoped(_session_put(state))]


def _unseal(state: BoardState, section: str, already_sent: set[str]) -> list[Scoped]:
    """Publish the private ratings and vote totals of ``section``'s items."""
    changes: list[Scoped] = []
    for item in state.items.values():
        if item.section != section or item.id in state.hidden:
            continue
        private = state.private_ratings.pop(item.id, None)
        total = sum(state.votes.get(item.id, {}).values())
        if private is None and total == item.votes:
            continue
        if private is not None:
            item.rating = private.rating
        item.votes = total
        if item.id not in already_sent:
            changes.append(Scoped(ItemPut(item=item)))
    return changes


def _delete(state: BoardState, item_id: str) -> list[Scoped]:
    item = state.items.pop(item_id)
    audience: Audience = None
    if item_id in state.hidden:
        owner = state.hidden.pop(item_id)
        audience = frozenset({owner}) if owner else frozenset()
    state.votes.pop(item_id, None)
    state.private_ratings.pop(item_id, None)
    changes = [Scoped(ItemRemoved(item_id=item_id), audience)]
    if audience is not None:
        changes.append(Scoped(SectionPut(section=section_state(state, item.section))))
    return changes


def _goto_step(state: BoardState, step: int) -> list[Scoped]:
    state.step = step
    state.ready.clear()
    state.timer = Timer(remaining_ms=state.method.steps[step].minutes * 60_000)
    changes = [Scoped(StepSet(step=step))]
    changes += [
        Scoped(SectionPut(section=section_state(state, s.id))) for s in state.method.sections
    ]
    changes += [Scoped(TimerSet(timer=state.timer)), Scoped(ReadySet(count=0))]
    return changes


def _timer(state: BoardState, op: SetTimer, now: int) -> Timer:
    timer = state.timer
    default_ms = state.method.steps[state.step].minutes * 60_000
    remaining = (
        max(0, timer.deadline_ms - now)
        if timer.running and timer.deadline_ms
        else (timer.remaining_ms)
    )
    match op.action:
        case "start":
            remaining = remaining or default_ms
            return Timer(running=True, deadline_ms=now + remaining, remaining_ms=remaining)
        case "pause":
            return Timer(running=False, remaining_ms=remaining)
        case "add":
            remaining += op.seconds * 1000
            if timer.running:
                return Timer(running=True, deadline_ms=now + remaining, remaining_ms=remaining)
            return Timer(running=False, remaining_ms=remaining)
        case "reset":
            return Timer(running=False, remaining_ms=default_ms)
