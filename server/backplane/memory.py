"""The embedded backplane: one process, the log in the SQLite store.

Ops are sequenced in the order ``publish`` is called. A single flusher drains
everything waiting into one SQLite transaction, then delivers in seq order; so an op
reaches subscribers only after it is durable. Group commit without a timer: the
flusher takes what the event loop's last turn published and appends it at once on
the loop's own thread (``append_now``); only when the worker holds the file's lock is
the batch handed to it, and what arrives meanwhile waits and shares the next commit.
So light load gets the lowest latency and heavy load the fewest transactions.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from server.backplane.base import OnEphemeral, OnLost, OnSequenced, OpLog
from server.core.records import Record, Sequenced, decode_sequenced, encode_sequenced


class MemoryBackplane:
    def __init__(self, store: OpLog) -> None:
        self._store = store
        self._subs: dict[str, dict[OnSequenced, OnEphemeral]] = defaultdict(dict)
        self._seq: dict[str, int] = {}
        self._waiting: list[tuple[str, Record, asyncio.Future[int]]] = []
        self._wake = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        self._commits = 0
        self._logged = 0

    async def start(self) -> None:
        self._flusher = asyncio.create_task(self._flush_loop(), name="memory-backplane-flush")

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
            self._flusher = None

    def watch(self, on_lost: OnLost) -> None:
        """The SQLite log cannot be lost under a running process: never called."""

    async def subscribe(self, room: str, on_op: OnSequenced, on_ephemeral: OnEphemeral) -> None:
        self._subs[room][on_op] = on_ephemeral

    async def unsubscribe(self, room: str, on_op: OnSequenced) -> None:
        subs = self._subs.get(room)
        if subs is not None:
            subs.pop(on_op, None)
            if not subs:
                del self._subs[room]

    async def publish(self, room: str, record: Record) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append((room, record, future))
        self._wake.set()
        return await future

    async def publish_ephemeral(self, room: str, data: bytes) -> None:
        for on_ephemeral in list(self._subs.get(room, {}).values()):
            on_ephemeral(data)

    async def read(self, room: str, after_seq: int) -> list[Sequenced]:
        return [decode_sequenced(data) for _, data in await self._store.read_log(room, after_seq)]

    async def last_seq(self, room: str) -> int:
        return await self._store.last_seq(room)

    async def trim(self, room: str, upto_seq: int) -> None:
        await self._store.trim_log(room, upto_seq)

    async def epoch(self, room: str) -> str:
        meta = await self._store.get_session(room)
        return meta.epoch if meta else ""

    def counters(self) -> dict[str, int]:
        """Log transactions and the ops they held (ops / commits: the batch size)."""
        return {"log_commits": self._commits, "log_ops": self._logged}

    async def _flush_loop(self) -> None:
        """Commit what waits as soon as no commit is in flight; never on a timer."""
        while True:
            await self._wake.wait()
            # one more turn of the loop: what the members' messages of this turn publish
            # shares the commit (no timer: with nothing else ready the turn is immediate).
            # Measured by the hub's counters, one hub at 1,600 ops/s: 1.31-1.33 ops per
            # commit with this turn, 1.23 without
            await asyncio.sleep(0)
            self._wake.clear()
            batch, self._waiting = self._waiting, []
            if batch:
                await self._flush(batch)

    async def _flush(self, batch: list[tuple[str, Record, asyncio.Future[int]]]) -> None:
        rows: dict[str, list[tuple[int, bytes]]] = defaultdict(list)
        sequenced: list[tuple[str, Sequenced, asyncio.Future[int]]] = []
        for room, record, future in batch:
            if room not in self._seq:
                self._seq[room] = await self._store.last_seq(room)
            self._seq[room] += 1
            item = Sequenced(self._seq[room], record)
            rows[room].append((item.seq, encode_sequenced(item)))
            sequenced.append((room, item, future))
        try:
            if not self._store.append_now(rows):
                await self._store.append_many(rows)
            self._commits += 1
            self._logged += len(sequenced)
        except Exception as exc:
            for room, _, future in sequenced:
                self._seq.pop(room, None)
                if not future.done():
                    future.set_exception(exc)
            return
        for room, item, future in sequenced:
            for on_op in list(self._subs.get(room, {})):
                on_op(item)
            if not future.done():
                future.set_result(item.seq)
