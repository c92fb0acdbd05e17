"""The method's steps: moving between them, the step timer and the ready count; each
op's check beside its change.

Only the facilitator moves steps and runs the timer; going back loses nothing. A step
change clears the ready count and resets the timer to the step's timebox. The timer's
deadline is server time (``ts_ms`` of the record), so every hub computes the same.
Everyone but an observer may say they are ready. Entering the step that first shows
the method's case section carries the chosen case into it (``cases.py``).
"""

from __future__ import annotations

from server.core.cases import carry_case
from server.core.results import Rejected, Scoped, facilitator_only
from server.core.sections import all_sections
from server.core.state import BoardState
from shared_schema.board import Role, Timer
from shared_schema.client import SetReady, SetStep, SetTimer
from shared_schema.codes import RejectCode
from shared_schema.server import ReadySet, StepSet, TimerSet

StepOp = SetStep | SetTimer | SetReady


def check(state: BoardState, op: StepOp, role: Role) -> Rejected | None:
    match op:
        case SetStep(step=step):
            if problem := facilitator_only(role):
                return problem
            if step >= len(state.method.steps):
                return Rejected(RejectCode.INVALID_VALUE,
                                f"step must be < {len(state.method.steps)}")
            return None
        case SetTimer():
            return facilitator_only(role)
        case SetReady():
            if role == "observer":
                return Rejected(RejectCode.FORBIDDEN, "observers do not take part")
            return None


def change(state: BoardState, op: StepOp, pid: str, ts_ms: int) -> list[Scoped]:
    match op:
        case SetStep():
            return goto_step(state, op.step)
        case SetTimer():
            state.timer = timer_after(state, op, ts_ms)
            return [Scoped(TimerSet(timer=state.timer))]
        case SetReady():
            if op.ready and pid not in state.ready:
                state.ready.append(pid)
            elif not op.ready and pid in state.ready:
                state.ready.remove(pid)
            return [Scoped(ReadySet(count=len(state.ready)))]


def goto_step(state: BoardState, step: int) -> list[Scoped]:
    state.step = step
    state.ready.clear()
    state.timer = Timer(remaining_ms=state.method.steps[step].minutes * 60_000)
    return [
        Scoped(StepSet(step=step)),
        *all_sections(state),
        Scoped(TimerSet(timer=state.timer)),
        Scoped(ReadySet(count=0)),
        *carry_case(state),
    ]


def timer_after(state: BoardState, op: SetTimer, now: int) -> Timer:
    """The timer after ``op`` at server time ``now`` (epoch ms)."""
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
