"""A client that stops reading is closed with 4008 once its outbound queue is full;
one that never reads again is aborted; the hub's memory stays bounded and the other
members' latency does not suffer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.support.client import run
from tests.support.rawws import OP_TEXT, RawClient
from tests.support.server import ServerProcess
from tests.support.timing import percentile, timed_ops, timed_room

QUEUE = 64
"""--queue-size for this test: small, so the bound is reached quickly."""
TEXT = "x" * 2000
"""Every op carries the largest item text, so each event is about 2 KiB."""
BASELINE_OPS = 120
AFTER_DROP_OPS = 400
MAX_OPS = 5000
P99_BOUND_MS = 250.0
"""Generous absolute bound: the machine is shared with other test suites."""
RSS_GROWTH_BOUND = 16 * 2**20
FLUSH_TIMEOUT_S = 5.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "data", None, "--queue-size", str(QUEUE),
                         "--rate-per-s", "10000", "--rate-burst", "10000").start()
    try:
        yield proc
    finally:
        proc.stop()


def _server_ports(server: ServerProcess) -> set[int]:
    """Remote ports of the server's established TCP connections."""
    assert server.proc is not None
    conns = psutil.Process(server.proc.pid).net_connections(kind="tcp")
    return {c.raddr.port for c in conns if c.raddr and c.status == psutil.CONN_ESTABLISHED}


async def _eventually(predicate: object, timeout: float) -> None:
    """Poll an outside condition (OS state) until it holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def test_slow_consumer_is_closed_and_others_are_unaffected(server: ServerProcess) -> None:
    async def scenario() -> None:
        session, sender, members = await timed_room(server)
        assert server.proc is not None
        rss = psutil.Process(server.proc.pid).memory_info

        baseline = await timed_ops(sender, members, TEXT, lambda n: n >= BASELINE_OPS)

        # two clients that stop reading: tiny receive buffers, nothing read after the welcome
        slow = RawClient(server.port, f"/ws/{session.id}", rcvbuf=4096)
        stuck = RawClient(server.port, f"/ws/{session.id}", rcvbuf=4096)
        pids = []
        for i, raw in enumerate((slow, stuck)):
            await raw.connect()
            await raw.send_json({"type": "hello", "protocol": 1, "token": session.invite_token,
                                 "name": f"Traag {i}", "client_id": f"slow-client-{i}"})
            await members[0].until(lambda i=i: len(members[0].participants) == 5 + i)
            pids.append(next(p for p, v in members[0].participants.items()
                             if v["name"] == f"Traag {i}"))
        await members[0].until(lambda: set(pids) <= set(getattr(members[0], "online", [])))
        rss_before = rss().rss

        def dropped() -> bool:
            return not set(pids) & set(getattr(members[0], "online", pids))

        during = await timed_ops(sender, members, TEXT, timeout=20, stop=lambda n: n >= MAX_OPS
                                 or (n >= BASELINE_OPS and dropped()))
        assert dropped(), f"still not dropped after {MAX_OPS} ops of 2 KiB"
        rss_at_drop = rss().rss
        # the slow client reads again: what was in flight, then the close frame 4008
        code, frames = await asyncio.wait_for(slow.read_until_close(), FLUSH_TIMEOUT_S)
        assert code == 4008, (code, frames[-3:])
        assert sum(op == OP_TEXT for op, _ in frames) < len(during)  # frames were dropped
        # the one that never reads again is aborted once the close cannot be written
        await _eventually(lambda: stuck.local_port not in _server_ports(server),
                          FLUSH_TIMEOUT_S + 5)
        slow.close()
        stuck.close()

        after = await timed_ops(sender, members, TEXT, lambda n: n >= AFTER_DROP_OPS)
        rss_after = rss().rss
        p99 = [percentile(x, 99) for x in (baseline, during, after)]
        print(f"\nslow consumer: ops until both dropped {len(during) // 3}; members' p99 "
              f"without {p99[0]:.1f} ms, with slow clients {p99[1]:.1f} ms, after {p99[2]:.1f}"
              f" ms; server RSS {rss_before / 2**20:.1f} -> {rss_at_drop / 2**20:.1f} -> "
              f"{rss_after / 2**20:.1f} MiB after {AFTER_DROP_OPS} more ops")
        assert p99[1] < P99_BOUND_MS and p99[2] < P99_BOUND_MS
        assert rss_after - rss_before < RSS_GROWTH_BOUND
        assert not any(m.gaps for m in members)
        assert "Traceback" not in "".join(server.output)

    run(scenario)
