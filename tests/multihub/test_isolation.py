"""Acceptance 5: two sessions, each spread over both hubs, 1,000 ops each: not one
frame of one session reaches a member of the other (events, presence, answers,
errors, resumed replays)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.support.client import ASK, BoardClient, run
from tests.support.cluster import cluster
from tests.support.server import Session
from tests.support.workload import adds, converge, drive, reconnect

MEMBERS = 4
OPS_EACH = 250

pytestmark = pytest.mark.redis


def test_two_sessions_on_two_hubs_never_mix(tmp_path: Path) -> None:
    with cluster(tmp_path, with_nginx=False) as c:
        sessions = {"X": c.hubs[0].create_session(title="X"),
                    "Y": c.hubs[1].create_session(title="Y")}

        async def join(tag: str, session: Session) -> list[BoardClient]:
            facilitator = BoardClient(c.hubs[0].ws_base, session.id, session.facilitator_token,
                                      f"Fee {tag}")
            await facilitator.connect()
            await facilitator.call("set_step", step=ASK)
            members = [BoardClient(c.hubs[n % 2].ws_base, session.id, session.invite_token,
                                   f"Lid {tag}{n}") for n in range(MEMBERS)]
            for member in members:
                await member.connect()
            return [facilitator, *members]

        async def play(tag: str, clients: list[BoardClient]) -> None:
            facilitator, members = clients[0], clients[1:]
            for member in members:  # an error and a rejection of its own
                await member.send_raw("{not json")
                reply = await member.call("set_step", step=0)
                assert reply["type"] == "rejected"

            async def with_replay(n: int, member: BoardClient) -> None:
                ops = adds(f"{tag}{n}", OPS_EACH)
                await drive(member, ops[: OPS_EACH // 2])
                if n == 0:  # drop and resume: the replay is this session's only
                    await member.drop()
                    welcome = await reconnect(member)
                    assert welcome["recovered"] is True
                await drive(member, ops[OPS_EACH // 2 :])

            await asyncio.gather(*(with_replay(n, m) for n, m in enumerate(members)))
            await facilitator.call("set_step", step=ASK + 1)
            late = BoardClient(c.hubs[1].ws_base, sessions[tag].id, sessions[tag].invite_token,
                               f"Laat {tag}")  # presence changes late in the run
            await late.connect()
            await late.close()

        async def scenario() -> None:
            groups = {tag: await join(tag, session) for tag, session in sessions.items()}
            assert all(count >= MEMBERS for count in c.connections()), "both hubs serve both"
            await asyncio.gather(*(play(tag, clients) for tag, clients in groups.items()))
            for clients in groups.values():
                await converge(clients, max(client.seq for client in clients))

            pids = {tag: {client.welcome["participant_id"]  # type: ignore[index]
                          for client in clients} for tag, clients in groups.items()}
            frames = 0
            for tag, clients in groups.items():
                other = "Y" if tag == "X" else "X"
                foreign = [sessions[other].id, *pids[other], f'"{other}0-', f'"{other}1-']
                for client in clients:
                    for message in client.messages:
                        text = json.dumps(message)
                        frames += 1
                        leaked = [marker for marker in foreign if marker in text]
                        assert not leaked, f"{client.name} got {leaked}: {text[:200]}"
                    assert client.gaps == []
                    assert {e["code"] for e in client.errors} <= {"invalid_json"}
                facilitator = clients[0]
                assert len(facilitator.items) == MEMBERS * OPS_EACH
                assert all(item_id.startswith(tag) for item_id in facilitator.items)
                presence = [m for m in facilitator.messages if m["type"] == "presence"]
                assert presence and all(set(m["online"]) <= set(facilitator.participants)
                                        for m in presence)
            ops = sum(len(cl.acks) for clients in groups.values() for cl in clients[1:])
            print(f"\n{ops} ops answered in 2 sessions; {frames} frames checked, none foreign")
            assert ops >= 2 * MEMBERS * OPS_EACH

        run(scenario)
