"""Acceptance 3: the Redis Cluster master serving a session is SIGKILLed while 8
clients on two hubs send 100 ops each; the cluster promotes its replica. No
acknowledged op is lost (an op is answered only after ``WAIT`` saw a replica hold it,
and shown to nobody before), none is applied twice, and all boards end identical."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.support.client import ASK, BoardClient, run
from tests.support.cluster import cluster
from tests.support.redis_cluster import RedisClusterServers
from tests.support.workload import adds, answered_once, converge, drive, keep_connected

CLIENTS_PER_HUB = 4
OPS_EACH = 100
KILL_AFTER = 300
"""Answered ops (of 800) after which the master is killed."""

pytestmark = pytest.mark.redis


def test_master_killed_replica_promoted_no_acknowledged_op_lost(tmp_path: Path) -> None:
    with cluster(tmp_path, with_nginx=False, redis_kind="cluster") as c:
        servers = c.redis
        assert isinstance(servers, RedisClusterServers)
        session = c.hubs[0].create_session()
        key = f"ib:{{{session.id}}}:seq"

        async def scenario() -> None:
            facilitator = BoardClient(c.hubs[0].ws_base, session.id, session.facilitator_token,
                                      "Fee")
            await facilitator.connect()
            await facilitator.call("set_step", step=ASK)
            clients = [BoardClient(hub.ws_base, session.id, session.invite_token, f"Lid {h}-{n}")
                       for h, hub in enumerate(c.hubs) for n in range(CLIENTS_PER_HUB)]
            for client in clients:
                await client.connect()
            answered = 0
            acked_before_kill: set[str] = set()
            kill_now = asyncio.Event()

            def progress() -> None:
                nonlocal answered
                answered += 1
                if answered == KILL_AFTER:
                    acked_before_kill.update(
                        item for item in facilitator.items if item.startswith("f"))
                    kill_now.set()

            async def failover() -> float:
                await kill_now.wait()
                # the ops so far waited for the replica
                assert all(c.healthz(hub)["backplane"]["replica_waits"] > 0 for hub in c.hubs)
                _, replica = await asyncio.to_thread(servers.failover, key)
                return await asyncio.to_thread(servers.wait_promoted, replica)

            promoted = asyncio.create_task(failover())
            listening = asyncio.create_task(keep_connected(facilitator))
            await asyncio.gather(*(drive(client, adds(f"f{n}", OPS_EACH), progress)
                                   for n, client in enumerate(clients)))
            took = await promoted
            listening.cancel()
            everyone = [facilitator, *clients]
            await converge(everyone, c.seq_of(session.id))

            expected = {f"f{n}-{i}" for n in range(len(clients)) for i in range(OPS_EACH)}
            counters = [c.healthz(hub)["backplane"] for hub in c.hubs]
            unavailable = sum(1 for cl in clients for e in cl.errors
                              if e["code"] == "unavailable")
            print(f"\nmaster killed after {KILL_AFTER} answered ops; replica promoted in "
                  f"{took:.2f}s; {unavailable} 'unavailable' answers resent; backplane "
                  f"counters per hub {counters}")
            assert answered == len(expected)
            assert all(a["type"] == "applied" for cl in clients for a in cl.acks.values())
            assert [p for client in clients for p in answered_once(client)] == []
            assert acked_before_kill <= set(facilitator.items)
            assert set(facilitator.items) == expected, "an acknowledged op was lost or added"
            assert len({client.state_hash() for client in everyone}) == 1
            assert all(client.gaps == [] for client in everyone)
            for hub in c.hubs:  # what a newcomer loads is the same board
                fresh = BoardClient(hub.ws_base, session.id, session.invite_token, "Nieuw")
                await fresh.connect()
                assert set(fresh.items) == expected
                assert fresh.state_hash() == facilitator.state_hash()
                await fresh.close()

        run(scenario)
