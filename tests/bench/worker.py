"""One load-generator process: holds its share of the clients and obeys the parent.

The parent sends commands over a pipe; every command gets one answer. Clients are
whole members of rooms that may be spread over several workers: a member's counters
are reported to the parent, which adds them up per room to find lost ops.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from tests.bench.clients import ASK_STEP, BoardMember, Member, RawMember, SocketIOMember, Tally

CONNECT_CONCURRENCY = 64
DRAIN_POLL_S = 0.02
PREPARE_TIMEOUT_S = 30.0
LAG_TICK_S = 0.01


@dataclass
class RoomSpec:
    room_id: str
    size: int
    invite_token: str = ""


@dataclass
class Assignment:
    """The members this worker runs: (room index, member index) pairs."""

    system: str
    ports: list[int]
    rooms: list[RoomSpec]
    members: list[tuple[int, int]]
    reconnect: bool = False
    seed: int = 0
    affinity: bool = False
    """Every member of a session on the same hub (as nginx's hash of the session id
    places them), instead of spread over the hubs."""


@dataclass
class Result:
    elapsed: float = 0.0
    ops: int = 0
    deliveries: int = 0
    latencies_us: bytes = b""
    errors: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    cpu_s: float = 0.0
    sent: dict[tuple[int, int], int] = field(default_factory=dict)
    received: dict[tuple[int, int], int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


async def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Check ``predicate`` every DRAIN_POLL_S until it holds (True) or time is up (False)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(DRAIN_POLL_S)
    return True


async def _watch_lag(lags: list[float]) -> None:
    """How late this worker's event loop runs a timer: the generator's own delay."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + LAG_TICK_S
        await asyncio.sleep(LAG_TICK_S)
        lags.append(max(0.0, loop.time() - due))


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


class Worker:
    def __init__(self, assignment: Assignment) -> None:
        self.a = assignment
        self.tally = Tally()
        self.members: list[Member] = []
        self.rng = random.Random(assignment.seed)

    def _member(self, room_index: int, index: int) -> Member:
        room = self.a.rooms[room_index]
        hub = (zlib.crc32(room.room_id.encode()) if self.a.affinity else index) % len(self.a.ports)
        args = (self.tally, self.a.ports, hub, room.room_id, room.size, index)
        match self.a.system:
            case "intervisiebord":
                client_id = f"bench-{room.room_id[:12]}-{index:05d}-{os.getpid()}"
                return BoardMember(*args, token=room.invite_token, client_id=client_id,
                                   reconnect=self.a.reconnect)
            case "raw":
                return RawMember(*args)
            case "socketio" | "node":  # the same Socket.IO protocol (EIO 4)
                return SocketIOMember(*args)
        raise ValueError(self.a.system)

    async def connect(self, with_items: bool) -> dict[str, Any]:
        started = time.monotonic()
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        self.members = [self._member(r, i) for r, i in self.a.members]

        async def one(member: Member) -> None:
            async with gate:
                await member.connect()
                if with_items and isinstance(member, BoardMember):
                    await member.add_own_item()

        await asyncio.gather(*(one(m) for m in self.members))
        if with_items:
            await self._until(lambda: all(m.unanswered() == 0 for m in self.members), 120)
        # the clients live for the whole run: keep them out of the cyclic collector,
        # whose full passes would stall receipt stamping (the hub does the same)
        gc.freeze()
        return {"connected": len(self.members), "seconds": time.monotonic() - started,
                "errors": dict(self.tally.errors), "examples": list(self.tally.examples)}

    async def _until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        return await wait_until(predicate, timeout)

    async def generate(self, rate: float, start_at: float, stop_at: float, warmup: float
                       ) -> Result:
        """Every member sends ``rate`` ops/s from ``start_at`` to ``stop_at`` (wall clock)."""
        self.tally.reset()
        # no cyclic collection while receipts are stamped (``drain`` turns it back on)
        gc.disable()
        self.tally.measure_from_ns = int((start_at + warmup) * 1e9)
        self.tally.measure_until_ns = int(stop_at * 1e9)
        cpu0 = _cpu()
        interval = 1.0 / rate
        loop = asyncio.get_running_loop()
        offset = loop.time() - time.time()
        ops = 0

        spread = interval / max(1, len(self.members))

        async def pace(position: int, member: Member) -> None:
            """Members start evenly spread over one interval, so the total is exact."""
            nonlocal ops
            due = start_at + spread * (position + self.rng.random()) + offset
            end = stop_at + offset
            while due < end:
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                await member.send_op()
                ops += 1
                due += interval

        lags: list[float] = []
        monitor = asyncio.create_task(_watch_lag(lags))
        await asyncio.gather(*(pace(j, m) for j, m in enumerate(self.members)))
        monitor.cancel()
        # A generator that fell behind sends its last op late: the real send window.
        result = Result(ops=ops, cpu_s=_cpu() - cpu0, elapsed=time.time() - start_at)
        lags.sort()
        result.extra["lag_p99_ms"] = 1000 * lags[int(len(lags) * 0.99)] if lags else 0.0
        result.extra["lag_max_ms"] = 1000 * lags[-1] if lags else 0.0
        result.sent = {(r, i): m.n for (r, i), m in zip(self.a.members, self.members,
                                                          strict=True)}
        self._cpu_at_generate_end = _cpu() - cpu0
        return result

    async def drain(self, expected: dict[int, int], timeout: float) -> Result:
        """Wait until every member saw ``expected[room]`` ops in total (or time out)."""
        cpu0 = _cpu()
        pairs = list(zip(self.a.members, self.members, strict=True))
        await self._until(lambda: all(m.received() >= expected[r] for (r, _), m in pairs),
                          timeout)
        result = Result(deliveries=self.tally.deliveries,
                        latencies_us=self.tally.latencies_us.tobytes(),
                        cpu_s=self._cpu_at_generate_end + _cpu() - cpu0)
        for (r, i), m in pairs:
            result.received[(r, i)] = m.received()
            if m.unanswered():
                self.tally.error("unanswered", f"member {i} of room {r}: {m.unanswered()}")
        result.errors = dict(self.tally.errors)
        result.examples = list(self.tally.examples)
        gc.enable()
        return result

    async def settle(self, killed_hub: int, timeout: float) -> Result:
        """After a hub was killed: wait until its members have moved to another hub,
        every member is connected and every op is answered."""
        ok = await self._until(lambda: all(
            m.connected and m.unanswered() == 0
            and (m.first_hub != killed_hub or m.reconnects > 0) for m in self.members),
            timeout)
        return Result(extra={"settled": ok, "max_seq": max(m.seq_now() for m in self.members)})

    async def converge(self, target_seq: int, timeout: float) -> Result:
        ok = await self._until(lambda: all(m.seq_now() >= target_seq for m in self.members),
                               timeout)
        result = Result(errors=dict(self.tally.errors), examples=list(self.tally.examples))
        result.extra = {
            "converged": ok,
            "last_activity": max(m.last_activity for m in self.members),
            "seqs": sorted({m.seq_now() for m in self.members}),
            "hashes": sorted({m.state_hash() for m in self.members}),
            "reconnects": sum(m.reconnects for m in self.members),
            "unanswered": sum(m.unanswered() for m in self.members),
            "own_last": {(r, i): m.n for (r, i), m in zip(self.a.members, self.members,
                                                           strict=True)},
            "monotonic_offset": time.time() - time.monotonic(),
        }
        for (r, i), m in zip(self.a.members, self.members, strict=True):
            result.received[(r, i)] = m.received()
        return result

    async def close(self) -> None:
        await asyncio.gather(*(m.close() for m in self.members), return_exceptions=True)


async def _serve(pipe: Connection) -> None:
    loop = asyncio.get_running_loop()
    worker: Worker | None = None
    while True:
        command, args = await loop.run_in_executor(None, pipe.recv)
        try:
            match command:
                case "assign":
                    if worker is not None:
                        await worker.close()
                    worker = Worker(args)
                    answer: Any = None
                case "connect":
                    assert worker is not None
                    answer = await worker.connect(**args)
                case "generate":
                    assert worker is not None
                    answer = await worker.generate(**args)
                case "drain":
                    assert worker is not None
                    answer = await worker.drain(**args)
                case "settle":
                    assert worker is not None
                    answer = await worker.settle(**args)
                case "converge":
                    assert worker is not None
                    answer = await worker.converge(**args)
                case "release":
                    if worker is not None:
                        await worker.close()
                    worker = None
                    answer = None
                case "close":
                    if worker is not None:
                        await worker.close()
                    pipe.send(("ok", None))
                    return
                case _:
                    raise ValueError(command)
        except Exception as exc:  # reported to the parent, which fails the run
            pipe.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        pipe.send(("ok", answer))


def main(pipe: Connection) -> None:
    """Entry point of a worker process."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(_serve(pipe))


async def prepare_board_room(port: int, room_id: str, facilitator_token: str) -> None:
    """The facilitator joins, moves to the step where everyone may add, and leaves."""
    tally = Tally()
    member = BoardMember(tally, [port], 0, room_id, 1, 0, token=facilitator_token,
                         client_id=f"bench-fac-{room_id[:16]}")
    await member.connect()
    await member.set_step(ASK_STEP)
    await wait_until(lambda: member.unanswered() == 0, PREPARE_TIMEOUT_S)
    await member.close()
    if member.unanswered() or tally.errors:
        raise RuntimeError(f"room {room_id} not prepared: {tally.examples}")
