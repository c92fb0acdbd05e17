"""Acceptance 3 and 4: the Redis between two hubs misbehaves (our own redis-server).

- ``CLIENT KILL TYPE pubsub`` during 2,000 ops: each hub notices, re-reads its
  rooms' streams and fills the gap; nothing is lost, every client's seq is gap-free.
- Redis killed with SIGKILL and restarted on its AOF: the hubs recover by themselves
  within 5 s and no acknowledged op is lost; meanwhile a newcomer gets
  ``unavailable`` and close 1013.
- Redis emptied (FLUSHALL): the epoch changes, every client gets a full snapshot of
  one board, nobody silently diverges.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from tests.support.client import ASK, BoardClient, run
from tests.support.cluster import Cluster, cluster
from tests.support.redis import RedisServer
from tests.support.workload import (
    adds,
    answered_once,
    converge,
    drive,
    keep_connected,
)

RECOVERY_LIMIT_S = 5.0

pytestmark = pytest.mark.redis


async def members(c: Cluster, session_id: str, token: str, per_hub: int,
                  name: str = "Lid") -> list[BoardClient]:
    """``per_hub`` clients connected straight to each hub (hub 1 first)."""
    clients = [BoardClient(hub.ws_base, session_id, token, f"{name} {h}-{n}")
               for h, hub in enumerate(c.hubs) for n in range(per_hub)]
    for client in clients:
        await client.connect()
    return clients


def hub_log(c: Cluster, pattern: str) -> list[list[str]]:
    return [[line for line in hub.output if re.search(pattern, line)] for hub in c.hubs]


def test_pubsub_kill_during_2000_ops_loses_nothing(tmp_path: Path, redis_kind: str) -> None:
    per_client, kills_every = 250, 400
    with cluster(tmp_path, with_nginx=False, redis_kind=redis_kind) as c:
        session = c.hubs[0].create_session()

        async def scenario() -> None:
            facilitator = BoardClient(c.hubs[1].ws_base, session.id, session.facilitator_token,
                                      "Fee")
            await facilitator.connect()
            await facilitator.call("set_step", step=ASK)
            clients = await members(c, session.id, session.invite_token, per_hub=4)
            answered, kills = 0, 0

            def progress() -> None:
                nonlocal answered, kills
                answered += 1
                if answered % kills_every == 0:
                    kills += c.redis.kill_pubsub()

            await asyncio.gather(*(drive(client, adds(f"p{n}", per_client), progress)
                                   for n, client in enumerate(clients)))
            everyone = [facilitator, *clients]
            await converge(everyone, c.seq_of(session.id))
            reread = hub_log(c, r"pub/sub connection back")
            filled = hub_log(c, r"ops read from the stream")
            print(f"\n{answered} ops; {kills} pub/sub connections killed; re-reads per hub "
                  f"{[len(r) for r in reread]}; gap fills per hub {[len(f) for f in filled]}")
            assert answered == 2000 and kills >= 8
            assert all(reread), "each hub must notice its dropped subscription"
            assert any(filled), "ops missed while unsubscribed must be read from the stream"
            expected = {f"p{n}-{i}" for n in range(8) for i in range(per_client)}
            assert set(facilitator.items) == expected
            assert [p for client in clients for p in answered_once(client)] == []
            assert all(client.gaps == [] and not client.reconnected_at for client in everyone)

        run(scenario)


def test_redis_sigkill_and_restart_on_aof(tmp_path: Path) -> None:
    """One redis-server (a cluster's master failing over: tests/chaos/test_failover.py)."""
    with cluster(tmp_path, with_nginx=False) as c:
        redis = c.redis
        assert isinstance(redis, RedisServer)
        session = c.hubs[0].create_session()

        async def scenario() -> None:
            loop = asyncio.get_running_loop()
            facilitator = BoardClient(c.hubs[0].ws_base, session.id, session.facilitator_token,
                                      "Fee")
            await facilitator.connect()
            await facilitator.call("set_step", step=ASK)
            clients = await members(c, session.id, session.invite_token, per_hub=2)
            probes = await members(c, session.id, session.invite_token, per_hub=1,
                                   name="Peiler")
            answered = 0
            kill_now = asyncio.Event()

            def progress() -> None:
                nonlocal answered
                answered += 1
                if answered == 200:
                    kill_now.set()

            async def crash_and_restart() -> float:
                await kill_now.wait()
                await asyncio.to_thread(redis.kill9)
                # while Redis is away a newcomer is told so, not left hanging
                newcomer = BoardClient(c.hubs[1].ws_base, session.id, session.invite_token,
                                       "Nieuwkomer")
                with pytest.raises(ConnectionError):
                    await newcomer.connect()
                assert newcomer.close_code == 1013
                assert [e["code"] for e in newcomer.errors] == ["unavailable"]
                await asyncio.to_thread(redis.start)
                return loop.time()

            async def recovery(probe: BoardClient, restarted: asyncio.Task[float]) -> float:
                at = await restarted
                await drive(probe, adds(probe.name.replace(" ", "_"), 1))
                return loop.time() - at

            listening = asyncio.create_task(keep_connected(facilitator))
            restarted = asyncio.create_task(crash_and_restart())
            recoveries = asyncio.gather(*(recovery(p, restarted) for p in probes))
            await asyncio.gather(*(drive(client, adds(f"r{n}", 150), progress)
                                   for n, client in enumerate(clients)))
            took = await recoveries
            listening.cancel()
            print(f"\nRedis SIGKILLed after 200 answered ops; hubs "
                  f"answered again {', '.join(f'{t:.2f}s' for t in took)} after the restart")
            everyone = [facilitator, *clients, *probes]
            await converge(everyone, c.seq_of(session.id))
            expected = {f"r{n}-{i}" for n in range(4) for i in range(150)}
            expected |= {f"{p.name.replace(' ', '_')}-0" for p in probes}
            assert set(facilitator.items) == expected, "an acknowledged op was lost"
            assert [p for client in clients for p in answered_once(client)] == []
            assert all(a["type"] == "applied" for cl in clients for a in cl.acks.values())
            assert max(took) < RECOVERY_LIMIT_S
            for hub in c.hubs:
                fresh = BoardClient(hub.ws_base, session.id, session.invite_token, "Nieuw")
                await fresh.connect()
                assert set(fresh.items) == expected

        run(scenario)


def test_redis_flushall_changes_epoch_and_resyncs_everyone(tmp_path: Path,
                                                           redis_kind: str) -> None:
    with cluster(tmp_path, with_nginx=False, redis_kind=redis_kind) as c:
        session = c.hubs[0].create_session()

        async def scenario() -> None:
            facilitator = BoardClient(c.hubs[0].ws_base, session.id, session.facilitator_token,
                                      "Fee")
            await facilitator.connect()
            await facilitator.call("set_step", step=ASK)
            clients = await members(c, session.id, session.invite_token, per_hub=2)
            everyone = [facilitator, *clients]
            await asyncio.gather(*(drive(client, adds(f"f{n}", 20))
                                   for n, client in enumerate(clients)))
            await converge(everyone, c.seq_of(session.id))
            before = {client.name: (client.epoch, client.seq) for client in everyone}
            items_before = set(facilitator.items)

            listening = [asyncio.create_task(keep_connected(client)) for client in everyone]
            c.redis.flushall()
            for client in everyone:  # every client is told, also the idle ones
                await client.until(lambda client=client: bool(client.reconnected_at)
                                   and client.welcome is not None, 15)
            for task in listening:
                task.cancel()
            epochs = {client.epoch for client in everyone}
            assert len(epochs) == 1 and facilitator.epoch != before["Fee"][0], epochs
            for client in everyone:
                welcome = client.welcome
                assert welcome is not None and welcome["recovered"] is False
                assert welcome["board"] is not None
                welcomes = [m for m in client.messages if m["type"] == "welcome"]
                assert len(welcomes) >= 2
            assert len({client.state_hash() for client in everyone}) == 1
            assert set(facilitator.items) == items_before

            reply = await clients[-1].add("questions", "Na het legen?")
            assert reply["type"] == "applied"
            await converge(everyone, reply["seq"])
            print(f"\nafter FLUSHALL: epoch {before['Fee'][0]} -> {facilitator.epoch}, "
                  f"{len(everyone)} clients resynced by snapshot, seq {reply['seq']}")

        run(scenario)
