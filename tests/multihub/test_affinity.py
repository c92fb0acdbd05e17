"""Session affinity at the load balancer (deploy/nginx.conf): every client of a session
reaches the same hub by a consistent hash of the session id, so each sequenced op is
applied by exactly one hub (the hubs' ``ops_applied`` counters add up to the ops
sequenced), and the sessions are spread over both hubs."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support.client import ASK, BoardClient, run
from tests.support.cluster import cluster
from tests.support.workload import adds, drive

SESSIONS = 8
MEMBERS = 4
OPS_EACH = 10

pytestmark = pytest.mark.redis


def health(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        body: dict[str, Any] = json.load(response)
    return body


def test_each_session_lives_on_one_hub_and_each_op_is_applied_once(tmp_path: Path) -> None:
    with cluster(tmp_path) as c:
        sessions = [c.hubs[0].create_session(title=f"Casus {n}") for n in range(SESSIONS)]
        lb = c.nginx.ws_base
        # the sessions were created on hub 1: nothing loaded yet (a room loads on join)
        before = [health(hub.base) for hub in c.hubs]

        async def scenario() -> None:
            clients = []
            for session in sessions:
                facilitator = BoardClient(lb, session.id, session.facilitator_token, "Fee")
                await facilitator.connect()
                await facilitator.call("set_step", step=ASK)
                members = [BoardClient(lb, session.id, session.invite_token, f"Lid {n}")
                           for n in range(MEMBERS)]
                for member in members:
                    await member.connect()
                clients.append((facilitator, members))
            await asyncio.gather(*(drive(member, adds(f"m{n}", OPS_EACH))
                                   for _, members in clients for n, member in enumerate(members)))
            for facilitator, members in clients:
                final = facilitator.seq
                for member in members:
                    await member.until(lambda member=member, final=final: member.seq >= final)
            after.extend([await asyncio.to_thread(health, hub.base) for hub in c.hubs])

        after: list[dict[str, Any]] = []
        run(scenario)
        with c.redis.client() as admin:
            sequenced = sum(int(admin.get(f"ib:{{{s.id}}}:seq") or 0) for s in sessions)
        applied = sum(a["ops_applied"] - b["ops_applied"] for a, b in zip(after, before,
                                                                           strict=True))
        rooms = [a["rooms"] for a in after]
        print(f"\nrooms per hub {rooms}; ops sequenced {sequenced}, applied {applied}")
        assert sum(rooms) == SESSIONS, f"a session was loaded on both hubs: {rooms}"
        assert all(rooms), f"all sessions on one hub: {rooms}"
        assert applied == sequenced, "an op was applied by more than one hub"
        assert sum(a["connections"] for a in after) == SESSIONS * (MEMBERS + 1)
