"""One connection per client across hubs: connecting to another hub with the same
client_id replaces the older connection, as it does on one hub."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.client import ASK, BoardClient, run
from tests.support.cluster import cluster

pytestmark = pytest.mark.redis


def test_a_newer_connection_on_another_hub_replaces_the_older(tmp_path: Path) -> None:
    with cluster(tmp_path, with_nginx=False) as c:
        session = c.hubs[0].create_session()

        async def scenario() -> None:
            facilitator = BoardClient(c.hubs[0].ws_base, session.id, session.facilitator_token,
                                      "Fee")
            await facilitator.connect()
            await facilitator.call("set_step", step=ASK)
            old = BoardClient(c.hubs[0].ws_base, session.id, session.invite_token, "Piet")
            await old.connect()
            new = BoardClient(c.hubs[1].ws_base, session.id, session.invite_token, "Piet",
                              client_id=old.client_id)
            new.client_seq = old.client_seq
            await new.connect()
            await old.until(lambda: old.close_code is not None)
            assert old.close_code == 4007  # replaced
            reply = await new.add("questions", "Vanaf de andere hub?")
            assert reply["type"] == "applied"
            pids = {facilitator.welcome["participant_id"],  # type: ignore[index]
                    new.welcome["participant_id"]}  # type: ignore[index]
            await facilitator.until(lambda: set(getattr(facilitator, "online", ())) == pids)
            await new.until(lambda: set(getattr(new, "online", ())) == pids)
            assert c.connections() == [1, 1]

        run(scenario)
