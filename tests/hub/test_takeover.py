"""The facilitator link on a second device, over real websockets: asked, not silent.

The second device is refused with ``facilitator_taken`` (close 4011) and nothing is
sequenced; taking over makes the first device a participant that sees its own
``participant_put`` at once and stays connected; it can take the role back.
"""

from __future__ import annotations

import contextlib

from tests.support.client import BoardClient, run
from tests.support.server import ServerProcess


def test_second_device_is_asked_then_takes_over_and_back(server: ServerProcess) -> None:
    async def scenario() -> None:
        session = server.create_session()
        first = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fenna")
        await first.connect()
        anna = BoardClient(server.ws_base, session.id, session.invite_token, "Anna")
        await anna.connect()
        await first.until(lambda: first.seq == anna.seq)
        seq_before = first.seq

        second = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fenna")
        with contextlib.suppress(ConnectionError):
            await second.connect()
        assert second.close_code == 4011
        assert [e["code"] for e in second.errors] == ["facilitator_taken"]
        assert first.role() == "facilitator" and first.close_code is None
        # nothing was sequenced: the others saw no event
        assert (await anna.call("set_ready", ready=True))["seq"] == seq_before + 1

        second.take_over = True
        await second.connect()
        assert second.role() == "facilitator"
        await first.until(lambda: first.role() == "participant")
        assert first.close_code is None  # told, still in the session
        assert (await first.call("set_step", step=1))["code"] == "forbidden"
        assert (await second.call("set_step", step=1))["type"] == "applied"

        # the first device takes the role back the same way
        await first.close()
        first.take_over = True
        await first.connect()
        assert first.role() == "facilitator"
        await second.until(lambda: second.role() == "participant")
        # a reconnect that declines keeps the participant role, and is not asked again
        await second.close()
        second.take_over = False
        await second.connect()
        assert second.role() == "participant"
        for client in (first, second, anna):
            await client.close()

    run(scenario)
