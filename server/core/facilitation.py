"""Leading the meeting: the spotlight, who follows it, go-rounds, facilitator notes.

Rules for the op families ``set_spotlight``, ``set_follow``, ``start_round``,
``round_turn``, ``end_round`` and the internal ``round_timeout``; each op's check
beside its change, like the other op families (the reducer dispatches to them).

Invariants:
- pure and deterministic like the reducer: time is the record's ``ts_ms``, a
  shuffled order comes from a hash of the seq, never from a random source;
- at most one active round; its turn ``i`` ends once (``next``, ``pass``, a
  timeout or the round's end), so two hubs that both notice a deadline move the
  round on once;
- the spotlight never points at an item hidden from anyone;
- facilitator notes leave the server only towards the facilitator
  (``notes_change`` is scoped to them; ``public_method`` strips the method).
"""

from __future__ import annotations

import hashlib

import msgspec

from server.core.permissions import section_def
from server.core.results import Rejected, Scoped, facilitator_only
from server.core.state import BoardState
from shared_schema.board import Role, Round, RoundOutcome, Spotlight
from shared_schema.client import EndRound, RoundTurn, SetFollow, SetSpotlight, StartRound
from shared_schema.codes import RejectCode
from shared_schema.method import Localized, Method, RoundDef
from shared_schema.server import FollowSet, NotesSet, RoundSet, SpotlightSet

FacilitationOp = SetSpotlight | SetFollow | StartRound | RoundTurn | EndRound

DEFAULT_ROUND = RoundDef()
"""A round the facilitator starts in a step that declares none."""


def check(state: BoardState, op: FacilitationOp, pid: str, role: Role) -> Rejected | None:
    """Why ``pid`` in ``role`` may not apply ``op`` now, or None if it may."""
    match op:
        case SetSpotlight():
            return facilitator_only(role) or _check_target(state, op)
        case SetFollow():
            return None
        case StartRound():
            return facilitator_only(role) or _check_start(state, op)
        case RoundTurn():
            return _check_turn(state, op, pid, role)
        case EndRound():
            if problem := facilitator_only(role):
                return problem
            if state.round is None or not state.round.active:
                return Rejected(RejectCode.INVALID_VALUE, "no round is running")
            return None


def _check_target(state: BoardState, op: SetSpotlight) -> Rejected | None:
    if op.item_id is not None:
        item = state.items.get(op.item_id)
        if item is None or op.item_id in state.hidden:
            return Rejected(RejectCode.NOT_FOUND, f"no item {op.item_id!r}")
        if op.section is not None and op.section != item.section:
            return Rejected(RejectCode.INVALID_VALUE, "the item is in another section")
    elif op.section is not None and section_def(state, op.section) is None:
        return Rejected(RejectCode.NOT_FOUND, f"no section {op.section!r}")
    return None


def _check_start(state: BoardState, op: StartRound) -> Rejected | None:
    if state.round is not None and state.round.active:
        return Rejected(RejectCode.INVALID_VALUE, "a round is running; end it first")
    eligible = _eligible(state)
    if op.speakers is not None and any(s not in eligible for s in op.speakers):
        return Rejected(RejectCode.NOT_FOUND, "a speaker is not a member who takes part")
    if not _speakers(state, op):
        return Rejected(RejectCode.INVALID_VALUE, "nobody to speak in this round")
    return None


def _check_turn(state: BoardState, op: RoundTurn, pid: str, role: Role) -> Rejected | None:
    current = state.round
    if current is None or not current.active:
        return Rejected(RejectCode.INVALID_VALUE, "no round is running")
    if op.turn != current.turn:
        return Rejected(RejectCode.INVALID_VALUE, "that turn has ended")
    speaker = current.speakers[current.turn]
    if op.action == "pass" and pid != speaker:
        return Rejected(RejectCode.FORBIDDEN, "only the speaker may pass")
    if op.action == "next" and pid != speaker and role != "facilitator":
        return Rejected(RejectCode.FORBIDDEN, "only the speaker or the facilitator moves on")
    return None


def change(state: BoardState, op: FacilitationOp, pid: str, ts_ms: int) -> list[Scoped]:
    """Apply a checked op; every change goes to everybody."""
    return [Scoped(c) for c in _changes(state, op, pid, ts_ms)]


def _changes(
    state: BoardState, op: FacilitationOp, pid: str, ts_ms: int
) -> list[SpotlightSet | FollowSet | RoundSet]:
    match op:
        case SetSpotlight(section=section, item_id=item_id):
            if item_id is not None:
                state.spotlight = Spotlight(section=state.items[item_id].section, item=item_id)
            elif section is not None:
                state.spotlight = Spotlight(section=section)
            else:
                state.spotlight = None
            return [SpotlightSet(spotlight=state.spotlight)]
        case SetFollow(following=following):
            if following and pid in state.not_following:
                state.not_following.remove(pid)
            elif not following and pid not in state.not_following:
                state.not_following.append(pid)
            return [FollowSet(not_following=list(state.not_following))]
        case StartRound():
            definition = step_round(state.method, state.step) or DEFAULT_ROUND
            seconds = op.seconds or definition.seconds
            state.round = Round(
                number=len(state.rounds) + 1,
                step=state.step,
                order=op.order or definition.order,
                seconds=seconds,
                speakers=_speakers(state, op),
                deadline_ms=ts_ms + seconds * 1000,
            )
            return [RoundSet(round=state.round)]
        case RoundTurn(action=action):
            return [*_advance(state, "passed" if action == "pass" else "spoke", ts_ms)]
        case EndRound():
            return [*_finish(state)]


def timeout(state: BoardState, number: int, turn: int, ts_ms: int) -> list[Scoped]:
    """The internal timeout: moves the round on only if turn ``turn`` of round
    ``number`` is still current and its deadline has passed; otherwise nothing."""
    current = state.round
    if (
        state.closed
        or current is None
        or not current.active
        or current.number != number
        or current.turn != turn
        or current.deadline_ms is None
        or ts_ms < current.deadline_ms
    ):
        return []
    return [Scoped(c) for c in _advance(state, "timeout", ts_ms)]


def after_step(state: BoardState) -> list[Scoped]:
    """A new step: the spotlight goes out and a running round ends."""
    changes: list[Scoped] = []
    if state.spotlight is not None:
        state.spotlight = None
        changes.append(Scoped(SpotlightSet(spotlight=None)))
    if state.round is not None and state.round.active:
        changes += [Scoped(c) for c in _finish(state)]
    return changes


def _advance(state: BoardState, outcome: RoundOutcome, ts_ms: int) -> list[RoundSet]:
    current = state.round
    assert current is not None  # validated by the caller
    current.outcomes = [*current.outcomes, outcome]
    current.turn += 1
    if current.turn >= len(current.speakers):
        return _finish(state)
    current.deadline_ms = ts_ms + current.seconds * 1000
    return [RoundSet(round=current)]


def _finish(state: BoardState) -> list[RoundSet]:
    current = state.round
    assert current is not None
    current.active = False
    current.deadline_ms = None
    state.rounds.append(msgspec.structs.replace(current, outcomes=list(current.outcomes)))
    return [RoundSet(round=current)]


def step_round(method: Method, step: int) -> RoundDef | None:
    """The round the method data declares for ``step``, if any."""
    return method.steps[step].round


def _eligible(state: BoardState) -> list[str]:
    """Members who may speak in a round of this step, in seat (join) order."""
    roles = (step_round(state.method, state.step) or DEFAULT_ROUND).roles
    return [p.id for p in state.participants.values() if not p.removed and p.role in roles]


def _speakers(state: BoardState, op: StartRound) -> list[str]:
    eligible = _eligible(state)
    chosen = set(op.speakers) if op.speakers is not None else None
    seated = [pid for pid in eligible if chosen is None or pid in chosen]
    definition = step_round(state.method, state.step) or DEFAULT_ROUND
    if (op.order or definition.order) == "shuffled":
        return sorted(seated, key=lambda pid: _shuffle_key(state.seq, pid))
    return seated


def _shuffle_key(seq: int, pid: str) -> bytes:
    return hashlib.blake2b(f"{seq}/{pid}".encode(), digest_size=8).digest()


# -- facilitator notes --------------------------------------------------------------------


def notes(method: Method) -> list[Localized | None]:
    """The facilitator notes of every step (None where a step has none)."""
    return [step.facilitator_notes for step in method.steps]


def notes_for_new_facilitator(state: BoardState, before: str | None) -> list[Scoped]:
    """The notes, addressed to the facilitator only, if the role changed hands."""
    if state.facilitator is None or state.facilitator == before:
        return []
    return [Scoped(NotesSet(notes=notes(state.method)), frozenset({state.facilitator}))]


def public_method(method: Method) -> Method:
    """The method as every role may receive it: without the facilitator notes."""
    if all(step.facilitator_notes is None for step in method.steps):
        return method
    steps = [msgspec.structs.replace(step, facilitator_notes=None) for step in method.steps]
    return msgspec.structs.replace(method, steps=steps)
