"""Resume after a dropped connection, and idempotent resends."""

from __future__ import annotations

from tests.support.client import ASK, BoardClient, run
from tests.support.server import ServerProcess


async def _members(server: ServerProcess) -> tuple[BoardClient, BoardClient]:
    session = server.create_session()
    facilitator = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
    await facilitator.connect()
    participant = BoardClient(server.ws_base, session.id, session.invite_token, "Piet")
    await participant.connect()
    await facilitator.call("set_step", step=ASK)
    await participant.until(lambda: participant.seq == facilitator.seq)
    return facilitator, participant


def test_resume_receives_exactly_the_missed_events(server: ServerProcess) -> None:
    async def scenario() -> None:
        facilitator, participant = await _members(server)
        await participant.add("questions", "Wat wil je bereiken?")
        left_at = participant.seq
        await participant.drop()
        for n in range(5):
            await facilitator.add("questions", f"Vraag {n}?")
        welcome = await participant.connect(resume=True)
        assert welcome["recovered"] is True and welcome["board"] is None
        assert welcome["seq"] == left_at
        await participant.until(lambda: participant.seq == facilitator.seq)
        after = [s for s in participant.seqs if s > left_at]
        assert after == list(range(left_at + 1, facilitator.seq + 1))
        assert participant.gaps == []
        assert participant.state_hash() == facilitator.state_hash()

    run(scenario)


def test_unacknowledged_op_resent_is_applied_once(server: ServerProcess) -> None:
    async def scenario() -> None:
        facilitator, participant = await _members(server)
        client_seq = await participant.op("add_item", item_id="once-1", section="questions",
                                          text="Wie besliste dat?")
        await facilitator.until(lambda: "once-1" in facilitator.items)
        await participant.drop()  # the answer may or may not have arrived: resend anyway
        participant.unacked[client_seq] = {"type": "add_item", "client_seq": client_seq,
                                           "item_id": "once-1", "section": "questions",
                                           "text": "Wie besliste dat?"}
        participant.acks.pop(client_seq, None)
        await participant.connect(resume=True)
        before = facilitator.seq
        await participant.resend_unacked()
        await participant.until(lambda: client_seq in participant.acks)
        assert participant.acks[client_seq]["type"] == "applied"
        # a second resend on the live connection: same answer, nothing sequenced
        await participant.send_raw(
            '{"type":"add_item","client_seq":%d,"item_id":"once-1","section":"questions",'
            '"text":"Wie besliste dat?"}' % client_seq)
        await participant.until(lambda: participant.ack_counts[client_seq] >= 2)
        assert participant.acks[client_seq]["type"] == "applied"
        await facilitator.add("questions", "Controle?")
        assert facilitator.seq == before + 1, "a resend was sequenced again"
        texts = [i["text"] for i in facilitator.items.values()]
        assert texts.count("Wie besliste dat?") == 1

    run(scenario)


def test_unknown_epoch_gets_a_full_snapshot(server: ServerProcess) -> None:
    async def scenario() -> None:
        facilitator, participant = await _members(server)
        await participant.drop()
        participant.epoch = "not-the-epoch"
        welcome = await participant.connect(resume=True)
        assert welcome["recovered"] is False
        assert welcome["board"]["step"] == ASK
        assert welcome["seq"] == facilitator.seq

    run(scenario)


def test_seq_older_than_the_log_gets_a_full_snapshot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = ServerProcess(tmp_path / "data", None, "--snapshot-every", "10").start()
    try:
        async def scenario() -> None:
            facilitator, participant = await _members(server)
            old_seq = participant.seq
            await participant.drop()
            for n in range(30):
                await facilitator.add("questions", f"Vraag {n}?")
            await facilitator.close()
            server.stop()
            server.start()
            welcome = await participant.connect(resume=True)
            assert participant.seq == old_seq + 30
            assert welcome["recovered"] is False, "the log before the snapshot was replayed"
            assert len(participant.items) == 30

        run(scenario)
    finally:
        server.stop()
