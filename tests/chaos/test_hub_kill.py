"""Acceptance 2: SIGKILL the hub that holds a session while 8 clients send 100 ops
each. With session affinity every client of the session came to that hub through
nginx; they reconnect through nginx to the other hub; no acknowledged op is lost,
none is applied twice, and all boards agree soon after the reconnects."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.support.client import ASK, BoardClient, run
from tests.support.cluster import cluster
from tests.support.workload import adds, answered_once, converge, drive, keep_connected

CLIENTS = 8
OPS_EACH = 100
KILL_AFTER = 700
"""Answered ops (of 800) after which the hub is killed; the convergence time below
includes sending the remaining ops (on 2 shared cores, about 2 ms each)."""
CONVERGE_LIMIT_S = 2.0

pytestmark = pytest.mark.redis


def test_sigkill_one_hub_loses_nothing(tmp_path: Path, redis_kind: str) -> None:
    with cluster(tmp_path, redis_kind=redis_kind) as c:
        session = c.hubs[0].create_session()
        lb = c.nginx.ws_base

        async def scenario() -> None:
            loop = asyncio.get_running_loop()
            facilitator = BoardClient(lb, session.id, session.facilitator_token, "Fee")
            await facilitator.connect()
            await facilitator.call("set_step", step=ASK)
            clients = [BoardClient(lb, session.id, session.invite_token, f"Lid {n}")
                       for n in range(CLIENTS)]
            for client in clients:
                await client.connect()
            counts = c.connections()
            assert sorted(counts) == [0, CLIENTS + 1], f"no session affinity: {counts}"
            held, other = (0, 1) if counts[0] else (1, 0)

            answered = 0
            kill_now = asyncio.Event()

            def progress() -> None:
                nonlocal answered
                answered += 1
                if answered == KILL_AFTER:
                    kill_now.set()

            async def killer() -> float:
                await kill_now.wait()
                await asyncio.to_thread(c.hubs[held].kill)
                return loop.time()

            kill_task = asyncio.create_task(killer())
            listening = asyncio.create_task(keep_connected(facilitator))
            await asyncio.gather(*(drive(client, adds(f"k{n}", OPS_EACH), progress)
                                   for n, client in enumerate(clients)))
            killed_at = await kill_task
            listening.cancel()
            last = c.seq_of(session.id)
            everyone = [facilitator, *clients]
            await converge(everyone, last)
            converged_at = loop.time()

            expected = {f"k{n}-{i}" for n in range(CLIENTS) for i in range(OPS_EACH)}
            displaced = [client for client in everyone if client.reconnected_at]
            assert displaced, "nobody was on the killed hub"
            assert c.connections([c.hubs[other]]) == [len(everyone)], "all on the survivor"
            reconnected = max(t for client in displaced for t in client.reconnected_at)
            took = converged_at - reconnected
            print(f"\n{len(displaced)} clients moved hubs; last reconnect "
                  f"{reconnected - killed_at:.2f}s after the kill; all {len(everyone)} boards "
                  f"identical {took:.2f}s after it, {len(expected) - KILL_AFTER} ops "
                  f"later (seq {last})")

            problems = [p for client in clients for p in answered_once(client)]
            assert problems == []
            assert all(a["type"] == "applied" for cl in clients for a in cl.acks.values())
            assert set(facilitator.items) == expected, "an acknowledged op was lost or added"
            assert all(client.gaps == [] for client in everyone)
            fresh = BoardClient(lb, session.id, session.invite_token, "Later")
            await fresh.connect()
            assert set(fresh.items) == expected
            assert took < CONVERGE_LIMIT_S

        run(scenario)
