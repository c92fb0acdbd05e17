"""Waiting for the room's replica: until it applied a seq, or until a join this hub
sequenced was decided. Futures only; nothing here touches the board."""

from __future__ import annotations

import asyncio
import heapq
import itertools

from server.core.reducer import Result

APPLY_WAIT_S = 10.0
"""How long a connection waits for its sequenced op to reach this replica."""

_ids = itertools.count()


class SeqWaiters:
    """Invariant: every future waits for a seq above the replica's last applied one;
    ``reached(seq)`` releases all up to ``seq``, ``release_all`` every one."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, asyncio.Future[None]]] = []

    async def wait(self, seq: int) -> bool:
        """Wait until ``reached`` passes ``seq``; False if that took too long."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (seq, next(_ids), future))
        try:
            await asyncio.wait_for(future, APPLY_WAIT_S)
        except TimeoutError:
            return False
        return True

    def reached(self, seq: int) -> None:
        heap = self._heap
        while heap and heap[0][0] <= seq:
            future = heapq.heappop(heap)[2]
            if not future.done():
                future.set_result(None)

    def release_all(self) -> None:
        for _, _, future in self._heap:
            if not future.done():
                future.set_result(None)
        self._heap.clear()


class JoinWaiters:
    """The joins this hub sequenced, by client key, until the reducer decided them."""

    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Future[Result]] = {}

    def expect(self, key: str) -> asyncio.Future[Result]:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting[key] = future
        return future

    def decided(self, key: str, result: Result) -> None:
        future = self._waiting.pop(key, None)
        if future is not None and not future.done():
            future.set_result(result)

    def fail_all(self, exc: Exception) -> None:
        """The room was reset: every joining client is told ``unavailable``."""
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(exc)
        self._waiting.clear()
