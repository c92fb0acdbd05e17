"""A session deleted from Redis is gone on every hub: hubs that hold its board close
its members with 4005 within seconds and never restore it from their replica."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.store.redis import RedisStore
from tests.support.client import BoardClient, run
from tests.support.cluster import cluster

pytestmark = pytest.mark.redis


def test_deleting_a_session_closes_it_on_every_hub(tmp_path: Path) -> None:
    with cluster(tmp_path, with_nginx=False) as c:
        session = c.hubs[0].create_session()

        async def scenario() -> None:
            clients = [BoardClient(hub.ws_base, session.id, session.invite_token, f"Lid {n}")
                       for n, hub in enumerate(c.hubs)]
            for client in clients:
                await client.connect()
            store = RedisStore(c.redis.url)
            try:
                await store.delete_session(session.id)
            finally:
                await store.close()
            for client in clients:
                await client.until(lambda client=client: client.close_code is not None, 10)
            assert [client.close_code for client in clients] == [4005, 4005]
            with c.redis.client() as admin:
                assert admin.get(f"ib:{{{session.id}}}:meta") is None, "restored after all"
            again = BoardClient(c.hubs[1].ws_base, session.id, session.invite_token, "Lid 1",
                                client_id=clients[1].client_id)
            with pytest.raises(ConnectionError):
                await again.connect()
            assert again.close_code == 4003

        run(scenario)
