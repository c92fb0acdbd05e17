"""Acceptance 1: members of one session spread over two hubs see each other's ops in
the same seq order and end with identical boards; presence is merged over both hubs.
(nginx keeps a session on one hub, tests/multihub/test_affinity.py; a client can still
land on another hub, after a fail-over or a change of hubs, so the members here
connect to both hubs directly.)"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.support.client import ASK, BoardClient, run
from tests.support.cluster import cluster
from tests.support.workload import adds, drive

MEMBERS = 7
OPS_EACH = 40

pytestmark = pytest.mark.redis


def test_one_session_over_two_hubs(tmp_path: Path, redis_kind: str) -> None:
    with cluster(tmp_path, with_nginx=False, redis_kind=redis_kind) as c:
        session = c.hubs[0].create_session()
        bases = [hub.ws_base for hub in c.hubs]

        async def scenario() -> None:
            facilitator = BoardClient(bases[0], session.id, session.facilitator_token, "Fee")
            await facilitator.connect()
            members = [BoardClient(bases[(n + 1) % 2], session.id, session.invite_token,
                                   f"Lid {n}") for n in range(MEMBERS)]
            for member in members:
                await member.connect()
            everyone = [facilitator, *members]
            counts = c.connections()
            assert all(count > 0 for count in counts), f"not spread over both hubs: {counts}"
            print(f"\nconnections per hub: {counts}")
            pids = {client.welcome["participant_id"] for client in everyone}  # type: ignore[index]
            for client in everyone:  # presence is merged across the hubs
                await client.until(lambda client=client: set(getattr(client, "online", ()))
                                   == pids)
            leaving = members.pop()
            everyone.remove(leaving)
            await leaving.close()
            pids.discard(leaving.welcome["participant_id"])  # type: ignore[index]
            for client in everyone:
                await client.until(lambda client=client: set(client.online) == pids)

            await facilitator.call("set_step", step=ASK)
            start = facilitator.seq
            await asyncio.gather(*(drive(m, [*adds(f"m{n}", OPS_EACH),
                                             ("move_item", {"item_id": f"m{n}-0", "x": n,
                                                            "y": 2 * n})])
                                   for n, m in enumerate(members)))
            total = start + len(members) * (OPS_EACH + 1)
            try:
                for client in everyone:
                    await client.until(lambda client=client: client.seq == total)
            except TimeoutError:
                raise AssertionError(f"not all at seq {total}: " + ", ".join(
                    f"{c.name} seq={c.seq} close={c.close_code} gaps={c.gaps} "
                    f"errors={c.errors[-3:]}" for c in everyone)) from None

            def timeline(client: BoardClient) -> list[str]:
                return [json.dumps(m, sort_keys=True) for m in client.messages
                        if m["type"] == "event" and m["seq"] > start]

            reference = timeline(facilitator)
            assert len(reference) == len(members) * (OPS_EACH + 1)
            for client in everyone:
                assert client.gaps == [], client.gaps
                assert timeline(client) == reference, f"{client.name} saw another order"
                assert client.state_hash() == facilitator.state_hash()
            assert len(facilitator.items) == len(members) * OPS_EACH
            for member in members:
                assert all(a["type"] == "applied" for a in member.acks.values())
            assert facilitator.items["m3-0"]["x"] == 3

        run(scenario)
