"""Acceptance: close a played session, then every export of it.

Two whole sessions (Tienstappen and Leren van successen) are played over the real
websocket protocol by five clients (the tables of tests/hub/test_methods_play.py),
closed by the facilitator, and exported over HTTP. The board the clients hold after
the close is the truth every export is checked against: the Markdown and the PDF's
text (read back with pypdf) hold every item under its step with its rating, mark and
author; the CSV has one row per item; the JSON validates against the checked-in
schema and starts a follow-up session that holds the carried items.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import jsonschema
import pypdf

from shared_schema import export as schema_export
from tests.hub.test_methods_play import (
    FRAME_AFTER,
    FRAME_BEFORE,
    FRAME_FINAL,
    LEREN_VAN_SUCCESSEN,
    LEREN_VAN_SUCCESSEN_FINAL,
    NAMES,
    TIENSTAPPEN,
    TIENSTAPPEN_FINAL,
    Final,
    Step,
    Table,
    with_carried_case,
)
from tests.support import http
from tests.support.client import BoardClient, run
from tests.support.server import ServerProcess

RATING_NL = {"warm": "W (warm)", "cold": "K (koud)", "neutral": "N (neutraal)"}
RATING_WORD_NL = {"warm": "warm", "cold": "koud", "neutral": "neutraal"}


def flat(text: str) -> str:
    return " ".join(text.split())


def step_titles(client: BoardClient) -> list[str]:
    assert client.welcome is not None
    return [s["title"]["nl"] for s in client.welcome["method"]["steps"]]


def section_titles(client: BoardClient) -> dict[str, str]:
    assert client.welcome is not None
    return {s["id"]: s["title"]["nl"] for s in client.welcome["method"]["sections"]}


def parts(items: list[dict[str, Any]]) -> list[str]:
    """The report's parts: the sections that hold items, in the order of their first
    item's step (the report groups by what it holds)."""
    first: dict[str, int] = {}
    for item in items:
        first[item["section"]] = min(first.get(item["section"], 999), item["step"])
    return sorted(first, key=lambda section: first[section])


def names_by_pid(client: BoardClient) -> dict[str, str]:
    return {pid: p["name"] for pid, p in client.participants.items()}


def check_markdown(md: str, items: list[dict[str, Any]], titles: dict[str, str],
                   names: dict[str, str]) -> None:
    chunks: dict[str, str] = {}
    for section in parts(items):
        start = md.index(f"\n## {titles[section]}\n")
        end = md.find("\n## ", start + 1)
        chunks[section] = md[start:end if end >= 0 else len(md)]
    for item in items:
        chunk = chunks[item["section"]]
        lines = [line for line in chunk.splitlines() if item["text"] in line]
        assert len(lines) == 1, (item["id"], item["text"], titles[item["section"]])
        line = lines[0]
        if item.get("rating"):
            assert RATING_NL[item["rating"]] in line, line
        else:
            assert "(warm)" not in line and "(koud)" not in line and "(neutraal)" not in line
        if item.get("chosen"):
            assert "gekozen" in line, line
        if item.get("votes"):
            assert f"{item['votes']} stem" in line, line
        assert names[item["author"]] in line, line


def check_pdf(pdf_bytes: bytes, items: list[dict[str, Any]], titles: dict[str, str],
              names: dict[str, str]) -> None:
    assert pdf_bytes.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    starts: dict[str, int] = {}
    position = text.index("Deelnemers:")  # the parts follow the summary and the facts
    order = parts(items)
    for section in order:
        position = text.index(flat(titles[section]), position)
        starts[section] = position
    ends = {section: starts[order[n + 1]] if n + 1 < len(order) else len(text)
            for n, section in enumerate(order)}
    for item in items:
        begin, end = starts[item["section"]], ends[item["section"]]
        where = text.find(flat(item["text"]), begin, end)
        assert where >= 0, (item["id"], item["text"], titles[item["section"]])
        tail = text[where + len(flat(item["text"])): where + len(flat(item["text"])) + 60]
        if item.get("rating"):
            assert tail.lstrip(" —").startswith(RATING_NL[item["rating"]]), (item["id"], tail)
        if item.get("chosen"):
            assert "gekozen" in tail, tail
        assert names[item["author"]] in tail, (item["id"], tail)


def check_csv(body: bytes, items: list[dict[str, Any]], titles: list[str],
              names: dict[str, str]) -> None:
    # a UTF-8 BOM and semicolons: what Dutch Excel opens as columns
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == len(items)
    by_key = {(row["stap"], row["tekst"]): row for row in rows}
    assert len(by_key) == len(rows)
    for item in items:
        row = by_key[(f"{item['step'] + 1}. {titles[item['step']]}", item["text"])]
        assert row["stap"] == f"{item['step'] + 1}. {titles[item['step']]}"
        assert row["waardering"] == RATING_WORD_NL.get(item.get("rating") or "", "")
        assert row["stemmen"] == str(item.get("votes", 0))
        assert row["auteur"] == names[item["author"]]
        assert ("gekozen" in row["markering"]) == bool(item.get("chosen"))


def check_json(doc: dict[str, Any], items: list[dict[str, Any]], names: dict[str, str]) -> None:
    schema = json.loads(schema_export.EXPORT_SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["format"] == "intervisiebord-export" and doc["version"] == 1
    exported = {item["id"]: item for item in doc["items"]}
    assert set(exported) == {item["id"] for item in items}
    for item in items:
        got = exported[item["id"]]
        assert got["text"] == item["text"] and got["step"] == item["step"]
        assert got["rating"] == item.get("rating")
        assert got["author"] == names[item["author"]]
    bad = dict(doc, version=2)
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)


async def follow_up(server: ServerProcess, doc: dict[str, Any], method: str,
                    carry: list[str], items: list[dict[str, Any]]) -> None:
    """Start the follow-up session and check that exactly the carried items are on it."""
    answer = http.request(server, "POST", "/api/sessions",
                          body={"from_export": doc, "carry": carry, "method": method})
    assert answer.status == 201, answer.body
    created = answer.json()
    token = created["facilitator_link"].split("#k=")[1]
    client = BoardClient(server.ws_base, created["session_id"], token, "Fenna")
    await client.connect()
    assert client.board["title"] == doc["session"]["title"]
    assert client.board["method"] == method
    carried = {i["id"]: i for i in items if i["section"] in carry}
    assert carried, "the test must carry something"
    assert set(client.items) == set(carried)
    for item_id, item in carried.items():
        new = client.items[item_id]
        assert new["text"] == item["text"] and new["section"] == item["section"]
        assert new.get("rating") == item.get("rating")
        assert new.get("chosen", False) == item.get("chosen", False)
        assert new.get("lane") == item.get("lane") and new.get("sheet", 1) == item.get("sheet", 1)
        assert "author" not in new and new.get("votes", 0) == 0
    await client.close()


def play_close_export(server: ServerProcess, method: str, steps: list[Step], final: Final,
                      follow_method: str, carry: list[str]) -> None:
    async def scenario() -> None:
        table = Table(server, method)
        await table.join()
        await table.play([*FRAME_BEFORE, *steps, *FRAME_AFTER])
        await table.close()
        await table.check_final({**FRAME_FINAL, **with_carried_case(final)})
        fac = table.clients["fac"]
        items = sorted(fac.items.values(), key=lambda i: i["seq"])
        titles, names = step_titles(fac), names_by_pid(fac)
        assert set(names.values()) == set(NAMES.values())
        session_id = fac.url.rsplit("/", 1)[1]
        invite = table.clients["p1"].token
        exports = {fmt: http.export(server, session_id, invite, fmt)
                   for fmt in ("md", "pdf", "csv", "json", "html")}
        for fmt, answer in exports.items():
            assert answer.status == 200, (fmt, answer.body[:200])
            disposition = answer.headers["content-disposition"]
            assert disposition.startswith("attachment;") and f".{fmt}" in disposition
        sections = section_titles(fac)
        check_markdown(exports["md"].body.decode(), items, sections, names)
        check_pdf(exports["pdf"].body, items, sections, names)
        check_csv(exports["csv"].body, items, titles, names)
        doc = exports["json"].json()
        check_json(doc, items, names)
        for item in items:
            assert item["text"] in exports["html"].body.decode()
        await follow_up(server, doc, follow_method, carry, items)

    run(scenario)
    audit = "".join(server.output)
    assert " action=close " in audit and " action=export " in audit


def test_tienstappen_closed_and_exported(server: ServerProcess) -> None:
    # same method, the questions and re-definitions carried over
    play_close_export(server, "tienstappen", TIENSTAPPEN, TIENSTAPPEN_FINAL,
                      "tienstappen", ["questions", "redefinitions"])


def test_leren_van_successen_closed_and_exported(server: ServerProcess) -> None:
    # another method: the group continues with the cases it did not choose
    play_close_export(server, "leren_van_successen", LEREN_VAN_SUCCESSEN,
                      LEREN_VAN_SUCCESSEN_FINAL, "tienstappen", ["cases", "checkin"])
