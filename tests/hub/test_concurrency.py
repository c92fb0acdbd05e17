"""Acceptance: 8 real websocket clients x 100 concurrent ops into one session."""

from __future__ import annotations

import asyncio
import random

from tests.support.client import ASK, BoardClient, run
from tests.support.server import ServerProcess

CLIENTS = 8
OPS = 100


async def _scenario(server: ServerProcess) -> None:
    session = server.create_session()
    facilitator = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
    await facilitator.connect()
    others = [BoardClient(server.ws_base, session.id, session.invite_token, f"Deelnemer {n}")
              for n in range(CLIENTS - 1)]
    await asyncio.gather(*(c.connect() for c in others))
    assert (await facilitator.call("set_step", step=ASK))["type"] == "applied"
    clients = [facilitator, *others]

    async def work(client: BoardClient, rng: random.Random) -> None:
        mine: list[str] = []
        for n in range(OPS):
            choice = rng.random()
            if mine and choice < 0.2:
                await client.op("edit_item", item_id=rng.choice(mine), text=f"edit {n}")
            elif mine and choice < 0.4:
                await client.op("move_item", item_id=rng.choice(mine),
                                x=rng.uniform(0, 900), y=rng.uniform(0, 600))
            else:
                item_id = f"{client.client_id[-6:]}-{n}"
                mine.append(item_id)
                await client.op("add_item", item_id=item_id, section="questions",
                                text=f"Vraag {n} van {client.name}?")
        await client.until(lambda: len(client.acks) == client.client_seq, timeout=60)

    await asyncio.gather(*(work(c, random.Random(i)) for i, c in enumerate(clients)))
    final_seq = max(c.seq for c in clients)
    await asyncio.gather(*(c.until(lambda c=c: c.seq == final_seq, 30) for c in clients))

    hashes = {c.state_hash() for c in clients}
    assert len(hashes) == 1, "boards differ"
    for client in clients:
        assert client.gaps == [], client.gaps
        assert sorted(client.ack_counts) == list(range(1, client.client_seq + 1))
        assert client.client_seq == OPS + (client is facilitator)
        assert set(client.ack_counts.values()) == {1}, "an op was acknowledged twice"
        assert all(a["type"] == "applied" for a in client.acks.values()), [
            a for a in client.acks.values() if a["type"] != "applied"]
        assert client.errors == []
    # 1 step change + 8 x 100 ops, after the joins
    assert final_seq == CLIENTS + 1 + CLIENTS * OPS
    await asyncio.gather(*(c.close() for c in clients))


def test_eight_clients_hundred_ops_each_converge(server: ServerProcess) -> None:
    run(lambda: _scenario(server))
