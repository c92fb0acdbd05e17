"""Acceptance 4: a hub receives no pub/sub message of a session it holds no member
of, on one redis-server and on a Redis Cluster (sharded pub/sub): Redis counts one
subscriber on each session's channel, and each hub's ``/healthz`` counts the ops its
subscriptions delivered (a hub's own sessions' presence, ephemeral, may arrive at
any time). With every member of a session on one hub, not even that hub gets the
session's ops back: they are not published while no other hub is registered."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.support.client import ASK, BoardClient, run
from tests.support.cluster import Cluster, cluster
from tests.support.server import ServerProcess, Session
from tests.support.workload import adds, drive

MEMBERS = 3
OPS_EACH = 40

pytestmark = pytest.mark.redis


def received(c: Cluster) -> list[int]:
    return [int(c.healthz(hub)["backplane"]["pubsub_ops"]) for hub in c.hubs]


def alone(c: Cluster) -> list[int]:
    return [int(c.healthz(hub)["backplane"]["published_alone"]) for hub in c.hubs]


async def join(hub: ServerProcess, session: Session, tag: str) -> list[BoardClient]:
    facilitator = BoardClient(hub.ws_base, session.id, session.facilitator_token, f"Fee {tag}")
    await facilitator.connect()
    await facilitator.call("set_step", step=ASK)
    members = [BoardClient(hub.ws_base, session.id, session.invite_token, f"Lid {tag}{n}")
               for n in range(MEMBERS)]
    for member in members:
        await member.connect()
    return [facilitator, *members]


def test_a_hub_receives_nothing_of_sessions_it_has_no_member_of(
        tmp_path: Path, redis_kind: str) -> None:
    with cluster(tmp_path, with_nginx=False, redis_kind=redis_kind) as c:
        sessions = [c.hubs[0].create_session(title="X"), c.hubs[1].create_session(title="Y")]

        async def scenario() -> None:
            groups = [await join(hub, session, tag)
                      for hub, session, tag in zip(c.hubs, sessions, "XY", strict=True)]
            for busy in (0, 1):  # one session busy while the other's hub watches
                idle = 1 - busy
                before, before_alone = received(c), alone(c)
                clients = groups[busy][1:]
                await asyncio.gather(*(drive(client, adds(f"{busy}-{n}", OPS_EACH))
                                       for n, client in enumerate(clients)))
                total = groups[busy][0].seq
                for client in groups[busy]:
                    await client.until(lambda client=client, total=total: client.seq == total)
                after = received(c)
                delta = [a - b for a, b in zip(after, before, strict=True)]
                kept = [a - b for a, b in zip(alone(c), before_alone, strict=True)]
                print(f"\n{redis_kind}: session on hub {busy + 1} sent "
                      f"{len(clients) * OPS_EACH} ops; ops received by pub/sub per hub "
                      f"{delta}")
                assert delta[idle] == 0, "a hub received messages of a session it does not hold"
                assert delta[busy] == 0, "a hub got its own session's ops back"
                assert kept[busy] >= len(clients) * OPS_EACH and kept[idle] == 0
            for hub in c.hubs:
                assert c.healthz(hub)["backplane"]["pubsub_messages_unheard"] == 0
            assert [c.subscribers(session.id) for session in sessions] == [1, 1]

        run(scenario)
