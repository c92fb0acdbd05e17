"""The go-round's turn deadline on this hub: one timer per room.

When the deadline of the current turn passes, this hub sequences a ``RoundTimeout``.
With several hubs each may send one; the reducer moves the round on once (it checks
the turn and the deadline), and a turn still current a second later is sent again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from server.core.records import Record, RoundTimeout
from server.core.state import BoardState

log = logging.getLogger("intervisiebord.hub")

ROUND_GRACE_S = 0.02
"""A turn's timeout is sent this long after its deadline (the reducer checks it)."""
ROUND_RETRY_S = 1.0
"""If a turn is still current this long after its timeout was sent, send it again."""
ROUND_TIMER = "round-timer"
"""The sender key of the internal round timeouts (no op key: never deduplicated)."""

Due = tuple[int, int, int]
"""(round number, turn, deadline in epoch ms)"""


class RoundTimer:
    def __init__(
        self,
        session_id: str,
        publish: Callable[[Record], Awaitable[int]],
        spawn: Callable[[Awaitable[None]], None],
    ) -> None:
        self._session_id = session_id
        self._publish = publish
        self._spawn = spawn
        self._due: Due | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._state: BoardState | None = None

    def watch(self, state: BoardState, active: bool = True) -> None:
        """Keep the timer on ``state``'s current turn deadline (none if not ``active``)."""
        self._state = state
        current = state.round
        due = (
            (current.number, current.turn, current.deadline_ms)
            if active and current is not None and current.active
            and current.deadline_ms is not None and not state.closed
            else None
        )
        if due == self._due:
            return
        self.stop()
        self._due = due
        if due is None:
            return
        delay = max(0.0, due[2] / 1000 - time.time()) + ROUND_GRACE_S
        self._timer = asyncio.get_running_loop().call_later(delay, self._expired, due)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._due = None

    def _expired(self, due: Due) -> None:
        if due != self._due:
            return
        number, turn, _ = due
        record = Record(client_id=ROUND_TIMER, ts_ms=int(time.time() * 1000),
                        op=RoundTimeout(number=number, turn=turn))
        self._spawn(self._send(record))
        self._due = None  # if the turn is still current later, send it again
        state = self._state
        if state is not None:
            self._timer = asyncio.get_running_loop().call_later(
                ROUND_RETRY_S, self.watch, state)

    async def _send(self, record: Record) -> None:
        try:
            await self._publish(record)
        except Exception as exc:  # the retry timer sends it again
            log.info("round timeout not sequenced session=%s: %r", self._session_id[:8], exc)
