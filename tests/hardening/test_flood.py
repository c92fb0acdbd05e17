"""A client sending 1,000 messages as fast as it can is throttled (rate_limited) and
closed with 4009, also after reconnecting; the others' p95 latency stays < 100 ms."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys

import websockets

from server.config import Settings
from server.hub.endpoint import PRE_HELLO_FRAMES
from tests.support.client import run
from tests.support.flooder import WINDOW_S
from tests.support.server import ROOT, ServerProcess
from tests.support.timing import percentile, timed_ops, timed_room

MESSAGES = 1000
SENDER_RATE = 25.0
P95_BOUND_MS = 100.0


def test_flood_is_throttled_and_closed(server: ServerProcess) -> None:
    async def scenario() -> None:
        session, sender, members = await timed_room(server)
        # the flooder runs in its own process: its CPU must not delay the measuring clients
        flooder = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.support.flooder", server.ws_base, session.id,
            session.invite_token, str(MESSAGES), cwd=ROOT, stdout=asyncio.subprocess.PIPE)
        assert flooder.stdout is not None
        assert await asyncio.wait_for(flooder.stdout.readline(), 20) == b"flooding\n"
        flooder_out = asyncio.create_task(flooder.communicate())  # measure while it floods
        # the measuring member stays under the default rate limit (40 ops/s)
        latencies = await timed_ops(sender, members, "Echte vraag?",
                                    lambda n: n >= 20 and flooder_out.done(),
                                    interval=1 / SENDER_RATE)
        out, _ = await flooder_out
        assert flooder.returncode == 0
        result = json.loads(out)
        p95 = percentile(latencies, 95)
        print(f"\nflood: {result['sent']} messages in {result['seconds']:.2f} s over "
              f"{result['connections']} connections; applied {result['applied']}, "
              f"rate_limited {result['rate_limited']}, closes {result['closes']}; "
              f"members' p95 {p95:.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
              f"max {max(latencies):.1f} ms over {len(latencies)} deliveries")
        defaults = Settings()
        assert result["sent"] == MESSAGES and result["seconds"] <= WINDOW_S
        assert result["closes"].get("4009", 0) >= 1, "the flood was never closed"
        assert result["rate_limited"] >= 1
        # one bucket per client id: reconnecting does not buy a new burst
        assert result["applied"] <= defaults.rate_burst + defaults.rate_per_s * (
            result["seconds"] + 1)
        assert p95 < P95_BOUND_MS
        assert not any(m.gaps for m in members)

    run(scenario)


def test_frames_before_hello_are_bounded(server: ServerProcess) -> None:
    """No rate limit applies before the hello, so the number of frames is bounded."""

    async def scenario() -> None:
        session = server.create_session()
        async with websockets.connect(f"{server.ws_base}/ws/{session.id}",
                                      origin=server.base) as ws:
            with contextlib.suppress(websockets.ConnectionClosed):
                for i in range(PRE_HELLO_FRAMES + 10):
                    await ws.send(json.dumps({"type": "set_ready", "client_seq": i + 1,
                                              "ready": True}))
            codes = []
            with contextlib.suppress(websockets.ConnectionClosed):
                async for raw in ws:
                    codes.append(json.loads(raw)["code"])
            assert codes == ["hello_required"] * PRE_HELLO_FRAMES
            assert ws.protocol.close_rcvd is not None
            assert ws.protocol.close_rcvd.code == 4009

    run(scenario)
