"""Deleting a group leaves nothing of it: the deletion canary of the exports, extended
to groups. A unique string goes into every kind of group record (name, member name,
learning question, plan, a played meeting's board and its look-back note, and an open
meeting's board); after the manager's DELETE it is in no byte of the SQLite files,
no Redis key or append-only file, and no log line. A second group's text stays."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tests.exports.test_deletion import Scan, scan_redis
from tests.support import http
from tests.support.client import run
from tests.support.groups import create_group, enter, plan_series, play_meeting
from tests.support.redis import own_redis
from tests.support.server import ServerProcess


def scan_sqlite_files(server: ServerProcess) -> bytes:
    files = sorted(server.data_dir.glob("*.sqlite3*"))
    assert {"groups.sqlite3", "intervisiebord.sqlite3"} <= {f.name for f in files}, files
    return b"".join(path.read_bytes() for path in files)


@pytest.mark.parametrize("store", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_deleted_group_leaves_no_trace(tmp_path: Path, store: str) -> None:
    if store == "redis":
        with own_redis(tmp_path / "redis") as own:
            canary_test(tmp_path, ("--redis-url", own.url), scan_redis(own.dir, own.url))
    else:
        canary_test(tmp_path, (), scan_sqlite_files)


def canary_test(tmp_path: Path, args: tuple[str, ...], scan: Scan) -> None:
    server = ServerProcess(tmp_path / "data", None, *args, "--log-level", "debug").start()
    canary = f"kanarie{secrets.token_hex(6)}"
    keeper = f"blijft-{secrets.token_hex(12)}"
    try:
        kept = create_group(server, "Karin", f"Groep {keeper}")
        kept.call(kept.people[0], "POST", "/questions", {"version": 0, "text": keeper})
        group = create_group(server, f"Fenna {canary}", f"Groep {canary}")
        for name in ("Anouk", "Bram", f"Dewi {canary}"):
            group.join(name)
        fenna = group.people[0]
        assert group.call(fenna, "POST", "/questions",
                          {"version": 0, "text": f"Leervraag {canary}"}).status == 200
        plan = plan_series(group, fenna, count=3)
        first, second = plan["meetings"][0], plan["meetings"][1]

        async def scenario() -> None:
            clients = await play_meeting(group, first, f"Mijn probleem is {canary}",
                                         [f"Actie {canary}"])
            for client in clients.values():
                await client.close()
            back = group.call(fenna, "GET", f"/meetings/{second['id']}/lookback").json()
            outcome = back["previous"]["outcome"]
            owner = group.by_id(first["presenter"])
            assert group.call(owner, "PUT",
                              f"/meetings/{first['id']}/actions/{outcome['actions'][0]['id']}",
                              {"version": outcome["version"], "status": "done",
                               "note": f"Gelukt {canary}"}).status == 200
            open_meeting = [await enter(group, second["id"], p) for p in group.people[:2]]
            reply = await open_meeting[0].add("checkin", f"Binnenkomst {canary}")
            assert reply["type"] == "applied"
            assert canary.encode() in scan(server), "the search must find the text before"
            assert keeper.encode() in scan(server)
            assert group.call(group.people[1], "DELETE").status == 403
            assert group.call(fenna, "DELETE").status == 204
            for client in open_meeting:
                await client.until(lambda c=client: c.close_code is not None)
                assert client.close_code == 4005

        run(scenario)
        held = scan(server)
        assert canary.encode() not in held
        assert canary[7:].encode() not in held
        assert keeper.encode() in held, "the other group must be untouched"
        assert group.call(fenna, "GET").status == 404
        assert http.request(server, "POST", f"/api/groups/{group.id}/join", None,
                            {"invite": group.invite, "name": "Laat"}).status == 404
        assert kept.view(kept.people[0])["questions"]["by_member"]
    finally:
        server.stop()
    assert canary.encode() not in scan(server), "nothing came back at shutdown"
    log = "".join(server.output)
    assert f"group deleted group={group.id[:8]}" in log
    assert canary not in log and canary[7:] not in log
