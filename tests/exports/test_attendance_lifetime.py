"""The attendance record outlives the content (issue 18, acceptance 3 and 5), with
SQLite and with Redis: after ``--retention-days 0`` and a sweep the content canary is
gone from the stores and the logs while the presence list and the certificates still
export and verify; a member who deletes their record is gone from the storage while
the rest of the list stays; ``--attendance-retention-days`` sweeps the record; deleting
a session on request keeps or deletes the record as the facilitator chooses."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from tests.exports.test_deletion import scan_redis
from tests.support import http
from tests.support.attendance import as_member, code_in, pdf_text, verify, view
from tests.support.client import BoardClient, run
from tests.support.redis import own_redis
from tests.support.server import ServerProcess, Session

Scan = Callable[[ServerProcess], bytes]


def scan_files(server: ServerProcess) -> bytes:
    """Both SQLite files (content and attendance) with their WAL and SHM."""
    files = sorted(server.data_dir.glob("*.sqlite3*"))
    assert {f.name for f in files} >= {"intervisiebord.sqlite3", "attendance.sqlite3"}
    return b"".join(path.read_bytes() for path in files)


async def play(server: ServerProcess, session: Session, canary: str, leaver: str
               ) -> list[BoardClient]:
    fac = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fenna")
    anouk = BoardClient(server.ws_base, session.id, session.invite_token, "Anouk")
    bram = BoardClient(server.ws_base, session.id, session.invite_token, leaver)
    for client in (fac, anouk, bram):
        await client.connect()
    assert (await fac.call("set_step", step=1))["type"] == "applied"
    assert (await fac.call("set_anonymous", anonymous=True))["type"] == "applied"
    assert (await anouk.call("add_item", item_id="case-item-kanarie", section="cases",
                             text=canary))["type"] == "applied"
    assert (await fac.call("close_session"))["type"] == "applied"
    for client in (fac, anouk, bram):
        await client.close()
    return [fac, anouk, bram]


def export(server: ServerProcess, sid: str, client: BoardClient, fmt: str) -> tuple[int, str]:
    answer = as_member(server, "GET", f"/api/attendance/{sid}/{fmt}", client.client_id)
    if answer.status != 200:
        return answer.status, ""
    if fmt.endswith(".csv"):
        return 200, answer.body.decode("utf-8-sig")
    return 200, pdf_text(answer.body)


@pytest.mark.parametrize("store", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_record_outlives_the_content(tmp_path: Path, store: str) -> None:
    if store == "redis":
        with own_redis(tmp_path / "redis") as own:
            lifetime_test(tmp_path, ("--redis-url", own.url), scan_redis(own.dir, own.url))
    else:
        lifetime_test(tmp_path, (), scan_files)


def attendance_scan(redis_url: str) -> Scan:
    """The attendance record's own storage only: its SQLite file, or its Redis keys."""

    def scan(server: ServerProcess) -> bytes:
        if not redis_url:
            return b"".join(p.read_bytes() for p in server.data_dir.glob("attendance.sqlite3*"))
        with redis.Redis.from_url(redis_url) as client:
            held = []
            for key in client.scan_iter(match="*:att:*", count=1000):
                held += [key, client.dump(key) or b""]
                kind = client.type(key)
                if kind == b"hash":
                    held += [b"".join(kv) for kv in client.hgetall(key).items()]
                elif kind == b"set":
                    held += list(client.smembers(key))
            return b"\n".join(held)

    return scan


def lifetime_test(tmp_path: Path, args: tuple[str, ...], scan: Scan) -> None:
    scan_attendance = attendance_scan(args[1] if args else "")
    canary = f"kanarie{secrets.token_hex(6)}"
    leaver = f"Bram{secrets.token_hex(5)}"
    server = ServerProcess(tmp_path / "data", None, *args, "--log-level", "debug").start()
    session = server.create_session()
    sid = session.id
    clients: list[BoardClient] = []

    async def scenario() -> None:
        clients.extend(await play(server, session, canary, leaver))

    try:
        run(scenario)
        fac, anouk, bram = clients
        assert canary.encode() in scan(server), "the search must find the text before"
        # the record holds no content and no link to an item (anonymity mode on)
        assert canary.encode() not in scan_attendance(server)
        assert b"case-item-kanarie" not in scan_attendance(server)
        # acceptance 5: a member deletes their own record
        status, before = export(server, sid, fac, "list.csv")
        assert status == 200 and leaver in before
        assert leaver.encode() in scan(server)
        _, certificate = export(server, sid, anouk, "certificate.pdf")
        code = code_in(certificate)
        gone = as_member(server, "DELETE", f"/api/attendance/{sid}/me", bram.client_id)
        assert gone.status == 204
        assert as_member(server, "GET", f"/api/attendance/{sid}", bram.client_id).status == 404
        # gone from the attendance storage (the content still names the member until it
        # goes: checked at the end)
        assert leaver.encode() not in scan_attendance(server)
        record = view(server, sid, fac.client_id)
        assert sorted(line["name"] for line in record["lines"]) == ["Anouk", "Fenna"]
        assert verify(server, code) == {"valid": True}  # Anouk's line did not change
        _, listed = export(server, sid, fac, "list.pdf")
        list_code = code_in(listed)
        server.stop()
        # acceptance 3: the content goes after --retention-days 0 and a sweep (at start)
        server.args = (*args, "--retention-days", "0", "--log-level", "debug")
        server.start()
        assert http.export(server, sid, session.facilitator_token, "json").status == 404
        held = scan(server)
        assert canary.encode() not in held and canary[7:].encode() not in held
        for client in (fac, anouk):
            status, text = export(server, sid, client, "certificate.pdf")
            assert status == 200 and client.name in text
            assert verify(server, code_in(text)) == {"valid": True}
        status, listed_after = export(server, sid, fac, "list.pdf")
        assert status == 200 and code_in(listed_after) == list_code
        assert verify(server, list_code) == {"valid": True}
        assert verify(server, code) == {"valid": True}
        status, table = export(server, sid, fac, "list.csv")
        assert status == 200 and "Fenna" in table and "Anouk" in table and leaver not in table
        # the record goes after its own retention
        server.stop()
        server.args = (*args, "--attendance-retention-days", "0")
        server.start()
        assert verify(server, code) == {"valid": False}
        assert as_member(server, "GET", f"/api/attendance/{sid}", fac.client_id).status == 404
        assert b"Anouk" not in scan(server)
    finally:
        server.stop()
    held = scan(server)
    assert leaver.encode() not in held, "the deleted member's name is gone from storage"
    log = "".join(server.output)
    assert canary not in log and leaver not in log


def test_delete_on_request_keeps_or_deletes_the_record(server: ServerProcess) -> None:
    kept, dropped = server.create_session(), server.create_session()
    members: dict[str, list[BoardClient]] = {}

    async def scenario() -> None:
        for session in (kept, dropped):
            members[session.id] = await play(server, session, "inhoud", "Bram")

    run(scenario)
    fac_kept, fac_dropped = members[kept.id][0], members[dropped.id][0]
    bad = http.request(server, "DELETE", f"/api/sessions/{kept.id}?attendance=maybe",
                       kept.facilitator_token)
    assert bad.status == 400 and bad.json()["code"] == "invalid_request"
    assert http.export(server, kept.id, kept.facilitator_token, "json").status == 200
    assert http.delete(server, kept.id, kept.facilitator_token).status == 204
    assert http.request(server, "DELETE", f"/api/sessions/{dropped.id}?attendance=delete",
                        dropped.facilitator_token).status == 204
    assert view(server, kept.id, fac_kept.client_id)["me"]["name"] == "Fenna"
    assert as_member(server, "GET", f"/api/attendance/{dropped.id}",
                     fac_dropped.client_id).status == 404
