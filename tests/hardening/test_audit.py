"""The audit trail: every privileged action with time, session, pseudonymous actor
and action; never an item text, a display name or a token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.client import ASK, BoardClient, run
from tests.support.http import rotate
from tests.support.server import ServerProcess

CANARY_TEXT = "Kanarie-tekst-7f3a: mijn vertrouwelijke casus"
CANARY_NAME = "Kanarie-Naam-91c2"
LINE = re.compile(r"^audit time=(\S+) action=(\w+) session=([0-9a-f]{32}) actor=(\S+) "
                  r"detail=(.*)$")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "data", None, "--audit-log",
                         str(tmp_path / "audit" / "audit.log")).start()
    try:
        yield proc
    finally:
        proc.stop()


def test_audit_trail_of_privileged_actions(server: ServerProcess) -> None:
    session = server.create_session()
    pids: dict[str, str] = {}

    async def scenario() -> None:
        facilitator = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
        member = BoardClient(server.ws_base, session.id, session.invite_token, CANARY_NAME)
        other = BoardClient(server.ws_base, session.id, session.invite_token, "Ander")
        for client in (facilitator, member, other):
            await client.connect()
            assert client.welcome is not None
            pids[client.name] = client.welcome["participant_id"]
        await facilitator.call("set_step", step=ASK)
        assert (await member.add("questions", CANARY_TEXT))["type"] == "applied"
        await member.call("edit_item", item_id=next(iter(member.items)), text=CANARY_TEXT + "!")
        for locked in (True, False):
            await facilitator.call("lock_section", section="questions", locked=locked)
        await facilitator.call("assign_role", participant_id=pids[CANARY_NAME], role="presenter")
        await facilitator.call("remove_participant", participant_id=pids["Ander"])
        assert rotate(server, session.id, session.facilitator_token)[0] == 200
        await facilitator.call("close_session")

    run(scenario)
    server.stop()
    audit_file = server.data_dir.parent / "audit" / "audit.log"
    lines = audit_file.read_text().splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    fee = pids["Fee"]
    got = [(m[2], m[3], m[4], m[5]) for m in parsed if m]
    assert got == [
        ("role", session.id, fee, "facilitator_link"),  # took the role with the link
        ("step", session.id, fee, str(ASK)),
        ("lock", session.id, fee, "questions"),
        ("unlock", session.id, fee, "questions"),
        ("role", session.id, fee, f"{pids[CANARY_NAME]} presenter"),
        ("remove", session.id, fee, pids["Ander"]),
        ("rotate_invite", session.id, "facilitator_link", ""),
        ("close", session.id, fee, got[-1][3]),  # detail: the seq of the final snapshot
    ]
    assert got[-1][3].isdigit()
    assert all(m and m[1].endswith("+00:00") for m in parsed)  # UTC timestamps
    # the same lines are on the audit logger in the server's output
    output = "".join(server.output)
    assert output.count("audit time=") == len(lines)
    for secret in (CANARY_TEXT, "Kanarie-tekst", CANARY_NAME, "Ander", session.facilitator_token,
                   session.invite_token):
        assert secret not in audit_file.read_text()
        assert secret not in output
