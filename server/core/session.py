"""The session as a whole: anonymity mode, participant export and the close; only
the facilitator. Closing pauses a running timer and takes every right away (each
section is re-sent with empty rights); after it, only ``set_export`` is accepted."""

from __future__ import annotations

from server.core.results import Rejected, Scoped, facilitator_only, session_put
from server.core.sections import all_sections
from server.core.state import BoardState
from server.core.steps import timer_after
from shared_schema.board import Role
from shared_schema.client import CloseSession, SetAnonymous, SetExport, SetTimer
from shared_schema.server import TimerSet

SessionOp = SetAnonymous | CloseSession | SetExport


def check(role: Role) -> Rejected | None:
    return facilitator_only(role)


def change(state: BoardState, op: SessionOp, ts_ms: int) -> list[Scoped]:
    match op:
        case SetAnonymous():
            state.anonymous = op.anonymous
            return [Scoped(session_put(state))]
        case CloseSession():
            state.closed = True
            if state.timer.running:
                state.timer = timer_after(state, SetTimer(client_seq=1, action="pause"), ts_ms)
            return [Scoped(session_put(state)), *all_sections(state),
                    Scoped(TimerSet(timer=state.timer))]
        case SetExport():
            state.participant_export = op.participants
            return [Scoped(session_put(state))]
