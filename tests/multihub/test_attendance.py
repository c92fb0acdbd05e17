"""Attendance over two hubs with Redis (issue 18, acceptance 1, 2 and 4; issue 19's
agreement at the door): a played session of five real websocket clients spread over
two hub processes, one who leaves and comes back on the other hub, one with a network
blip, one who leaves early. The presence list matches what the clients did within
2 s and is the same from either hub; no word of the content is in any export; the
verification codes check on both hubs.

The ``asyncio.sleep`` calls let meeting time pass (the durations are what is
measured); every wait for the server is a wait on an event.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path

import pytest

from tests.support.attendance import accept, as_member, code_in, pdf_text, verify, view
from tests.support.client import BoardClient, run
from tests.support.cluster import cluster
from tests.support.server import ServerProcess, Session

pytestmark = pytest.mark.redis

GRACE_S = 1.0
TOLERANCE_MS = 2000


def now_ms() -> int:
    return int(time.time() * 1000)


class Seen:
    """What one test client did: its connection intervals by the wall clock."""

    def __init__(self) -> None:
        self.spans: list[list[int | None]] = []

    def came(self) -> None:
        self.spans.append([now_ms(), None])

    def went(self) -> None:
        self.spans[-1][1] = now_ms()


def expected_periods(seen: Seen, start: int, end: int) -> list[tuple[int, int]]:
    """The documented rule, applied to the clients' own clock."""
    spans = sorted((max(a or 0, start), min(end if b is None else b, end))
                   for a, b in seen.spans)
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if b <= a:
            continue
        if merged and a - merged[-1][1] <= GRACE_S * 1000:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def create(hub: ServerProcess) -> Session:
    status, body = hub.post("/api/sessions", {"title": "Casus KANARIE-TITEL", "method":
                                              "tienstappen", "language": "nl",
                                              "agreement": True})
    assert status == 201, body
    return Session(body["session_id"], body["facilitator_link"].split("#k=")[1],
                   body["invite_link"].split("#k=")[1])


def test_presence_list_over_two_hubs(tmp_path: Path) -> None:
    item_canary = f"KANARIE-ITEM-{secrets.token_hex(4)}"
    case_canary = f"KANARIE-CASUS-{secrets.token_hex(4)}"
    grace = ("--attendance-grace-seconds", str(GRACE_S))
    with cluster(tmp_path, *grace, with_nginx=False) as c:
        hub1, hub2 = c.hubs
        session = create(hub1)
        names = ["Fenna", "Anouk", "Bram", "Cas", "Dirk"]
        homes = [hub1, hub2, hub1, hub2, hub1]
        tokens = [session.facilitator_token] + [session.invite_token] * 4
        clients = [BoardClient(home.ws_base, session.id, token, name)
                   for home, token, name in zip(homes, tokens, names, strict=True)]
        fenna, anouk, bram, cas, dirk = clients
        seen = {client.name: Seen() for client in clients}
        outcome: dict[str, int] = {}

        async def connect(client: BoardClient, resume: bool = False) -> None:
            await client.connect(resume=resume)
            seen[client.name].came()

        async def leave(client: BoardClient) -> None:
            seen[client.name].went()
            await client.close()

        async def scenario() -> None:
            # the agreement at the door: no acceptance, no entry
            stranger = BoardClient(hub2.ws_base, session.id, session.invite_token, "Zonder")
            with pytest.raises(ConnectionError):
                await stranger.connect()
            assert stranger.close_code == 4010
            assert stranger.errors[0]["code"] == "agreement_required"
            for client in clients:
                assert accept(hub1 if client is fenna else hub2, session.id, client.token,
                              client.client_id) == 204
                await connect(client)
            await fenna.call("add_item", item_id="in", section="checkin", text=item_canary)
            stepped = await fenna.call("set_step", step=1)
            assert stepped["type"] == "applied"
            # Anouk's hub prechecks her op against its replica: wait until it has the step
            await anouk.until(lambda: anouk.seq >= stepped["seq"])
            outcome["start"] = now_ms()
            reply = await anouk.call("add_item", item_id="case", section="cases",
                                     text=case_canary)
            assert reply["type"] == "applied", reply
            await asyncio.sleep(2.5)
            await leave(bram)  # leaves, and comes back on the other hub
            await asyncio.sleep(3.0)
            back = BoardClient(hub2.ws_base, session.id, session.invite_token, "Bram",
                               client_id=bram.client_id)
            back.epoch, back.seq = bram.epoch, bram.seq
            await connect(back, resume=True)
            seen["Dirk"].went()  # a network blip, back at once
            await dirk.drop()
            await connect(dirk, resume=True)
            await asyncio.sleep(2.5)
            await leave(cas)  # leaves early
            assert as_member(hub2, "POST", f"/api/attendance/{session.id}/confirm",
                             cas.client_id).status == 200
            await asyncio.sleep(2.0)
            assert (await fenna.call("close_session"))["type"] == "applied"
            outcome["end"] = now_ms()
            for client in (fenna, anouk, back, dirk):
                await leave(client)

        run(scenario)
        start, end = outcome["start"], outcome["end"]
        sid = session.id
        for client in (fenna, anouk, bram, dirk):
            home = hub1 if client is fenna else hub2
            assert as_member(home, "POST", f"/api/attendance/{sid}/confirm",
                             client.client_id).status == 200
        assert as_member(hub2, "POST", f"/api/attendance/{sid}/approve",
                         anouk.client_id).status == 403  # only whoever led
        assert as_member(hub1, "POST", f"/api/attendance/{sid}/approve",
                         fenna.client_id).status == 200

        # identical from either hub
        lists = [view(hub, sid, fenna.client_id) for hub in (hub1, hub2)]
        assert lists[0] == lists[1]
        csvs = [as_member(hub, "GET", f"/api/attendance/{sid}/list.csv", fenna.client_id)
                for hub in (hub1, hub2)]
        assert csvs[0].status == 200 and csvs[0].body == csvs[1].body
        record = lists[0]
        assert abs(record["session"]["started_ms"] - start) <= TOLERANCE_MS
        assert abs(record["session"]["ended_ms"] - end) <= TOLERANCE_MS
        lines = {line["name"]: line for line in record["lines"]}
        assert set(lines) == set(names)
        report = []
        for name in names:
            got = [tuple(p) for p in lines[name]["periods"]]
            want = expected_periods(seen[name], start, end)
            report.append(f"{name}: record {got} clients {want}")
            assert len(got) == len(want), report
            for (a, b), (x, y) in zip(got, want, strict=True):
                assert abs(a - x) <= TOLERANCE_MS and abs(b - y) <= TOLERANCE_MS, report
            assert lines[name]["confirmed_ms"] is not None
            assert lines[name]["agreement_ms"] is not None
        print("\n" + "\n".join(report))
        assert len(lines["Bram"]["periods"]) == 2  # left and came back
        assert len(lines["Dirk"]["periods"]) == 1  # a blip is merged
        assert lines["Cas"]["to_ms"] < end - 1000  # left early
        assert lines["Fenna"]["roles"] == ["facilitator"]
        # a member sees only their own line
        mine = view(hub2, sid, cas.client_id)
        assert mine["lines"] == [] and mine["me"]["name"] == "Cas"

        # exports: no word of the content, in the session's language; codes verify
        canaries = (item_canary, case_canary, "KANARIE-TITEL")
        list_pdf = as_member(hub2, "GET", f"/api/attendance/{sid}/list.pdf", fenna.client_id)
        assert list_pdf.status == 200 and list_pdf.headers["content-type"] == "application/pdf"
        texts = {"list": pdf_text(list_pdf.body), "csv": csvs[0].body.decode("utf-8-sig")}
        assert "Presentielijst" in texts["list"] and "Fenna" in texts["list"]
        codes = [code_in(texts["list"])]
        for client in (fenna, anouk, bram, cas, dirk):
            cert = as_member(hub1, "GET", f"/api/attendance/{sid}/certificate.pdf",
                             client.client_id)
            assert cert.status == 200, cert.body
            texts[client.name] = pdf_text(cert.body)
            assert client.name in texts[client.name]
            assert "Bewijs van deelname" in texts[client.name]
            codes.append(code_in(texts[client.name]))
        assert as_member(hub1, "GET", f"/api/attendance/{sid}/list.pdf",
                         anouk.client_id).status == 403
        for where, body in texts.items():
            for canary in canaries:
                assert canary not in body, f"{canary} in {where}"
        assert len(set(codes)) == len(codes)
        for code in codes:
            for hub in (hub1, hub2):
                assert verify(hub, code) == {"valid": True}
        changed = codes[1][:-1] + ("A" if codes[1][-1] != "A" else "B")
        for wrong in (changed, "not-a-code", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"):
            assert verify(hub2, wrong) == {"valid": False}
