"""A client sending 1,000 messages as fast as it can is throttled (rate_limited) and
closed with 4009, also after reconnecting; the others' p95 latency stays < 100 ms."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter

import websockets

from server.config import Settings
from server.hub.endpoint import PRE_HELLO_FRAMES
from tests.support.client import ASK, BoardClient, run
from tests.support.server import ServerProcess
from tests.support.timing import TimedClient, percentile, timed_ops

MESSAGES = 1000
CHUNK = 100
WINDOW_S = 10.0
P95_BOUND_MS = 100.0


def test_flood_is_throttled_and_closed(server: ServerProcess) -> None:
    async def scenario() -> None:
        session = server.create_session()
        sender = TimedClient(server.ws_base, session.id, session.facilitator_token, "Fee")
        members = [TimedClient(server.ws_base, session.id, session.invite_token, f"Lid {i}")
                   for i in range(3)]
        await sender.connect()
        for member in members:
            await member.connect()
        await sender.call("set_step", step=ASK)
        flooder = BoardClient(server.ws_base, session.id, session.invite_token, "Stortvloed")
        await flooder.connect()

        sent, connections, closes = 0, 1, Counter[int]()
        flood_done = asyncio.Event()

        async def flood() -> None:
            """Chunks of CHUNK messages at full speed; after each, wait for the answer to
            its last one (or the close), reconnecting when closed."""
            nonlocal sent, connections
            started = time.monotonic()
            while sent < MESSAGES:
                assert time.monotonic() - started < WINDOW_S, "flooder too slow"
                assert flooder.ws is not None
                last = sent + CHUNK
                with contextlib.suppress(websockets.ConnectionClosed):
                    for seq in range(sent + 1, last + 1):
                        await flooder.ws.send(json.dumps(
                            {"type": "add_item", "client_seq": seq, "item_id": f"f{seq}",
                             "section": "questions", "text": "Spam?"}))
                sent = last
                await flooder.until(lambda last=last: flooder.close_code is not None
                                    or last in flooder.acks
                                    or any(e.get("client_seq") == last for e in flooder.errors))
                if flooder.close_code is not None:
                    closes[flooder.close_code] += 1
                    if sent < MESSAGES:
                        await flooder.connect(resume=True)
                        connections += 1
            flood_done.set()

        flooding = asyncio.create_task(flood())
        flood_started = time.monotonic()
        latencies = await timed_ops(sender, members, "Echte vraag?",
                                    lambda n: n >= 20 and flood_done.is_set())
        await flooding
        flood_s = time.monotonic() - flood_started
        limited = sum(1 for e in flooder.errors if e["code"] == "rate_limited")
        applied = sum(1 for a in flooder.acks.values() if a["type"] == "applied")
        p95 = percentile(latencies, 95)
        print(f"\nflood: {sent} messages in {flood_s:.2f} s over {connections} connections; "
              f"applied {applied}, rate_limited {limited}, closes {dict(closes)}; "
              f"members' p95 {p95:.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
              f"max {max(latencies):.1f} ms over {len(latencies)} deliveries")
        defaults = Settings()
        assert closes[4009] >= 1, "the flood was never closed"
        assert limited >= 1
        # one bucket per client id: reconnecting does not buy a new burst
        assert applied <= defaults.rate_burst + defaults.rate_per_s * (flood_s + 1)
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
