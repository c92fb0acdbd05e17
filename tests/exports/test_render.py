"""The export renderers and the follow-up request, without a server."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import msgspec
import pypdf
import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.core.state import new_state
from server.exports import catalog
from server.exports.document import build_document
from server.exports.markdown import escape, render_markdown
from server.exports.pdf import latin1, render_pdf
from server.exports.report import build_report
from server.exports.table import render_csv
from server.methods.loader import load_methods
from shared_schema import export as schema_export
from shared_schema.board import Item, Participant
from shared_schema.export_doc import ExportDocument

METHODS = load_methods()
DAY = 86_400_000


def closed_board(method: str = "dominante_ideeen", language: str = "nl") -> ExportDocument:
    state = new_state("ab" * 16, "Casus *met* [tekens]", language, METHODS[method])  # type: ignore[arg-type]
    state.participants["p1"] = Participant(id="p1", name="Anouk", role="participant")
    state.participants["p2"] = Participant(id="p2", name="Dewi", role="presenter")
    items = [
        Item(id="d1", section="ideas", text="Als ik het niet doe, doet niemand het", step=4,
             seq=1, author="p1", circled=True),
        Item(id="d2", section="ideas", text="Hulp vragen is zwak", step=4, seq=2, author="p1"),
        Item(id="a1", section="ideas", text="Een ander pakt het op", step=6, seq=3,
             author="p2", parent="d1"),
        Item(id="a2", section="ideas", text="Ik vraag hulp\nen dat is sterk", step=4, seq=4,
             author="p2", parent="d2"),
        Item(id="x1", section="evaluation", text="=HYPERLINK(\"x\")", step=8, seq=5, author="p2"),
        Item(id="h1", section="ideas", text="Verborgen", step=4, seq=6, author="p1"),
    ]
    state.items = {item.id: item for item in items}
    state.hidden["h1"] = "p1"  # never revealed: not exported
    state.closed = True
    return build_document(state, 1_800_000_000_000, 1_800_000_000_000 + DAY)


def test_checked_in_export_schema_is_current() -> None:
    checked_in = schema_export.EXPORT_SCHEMA_PATH.read_text(encoding="utf-8")
    assert checked_in == schema_export.render_export(), (
        "shared_schema/export.schema.json is stale: run `python -m shared_schema`"
    )
    document = json.loads(checked_in)
    jsonschema.Draft202012Validator.check_schema(document)
    jsonschema.Draft202012Validator(document).validate(
        msgspec.to_builtins(closed_board()))


def test_catalogs_have_the_same_keys() -> None:
    assert set(catalog.TEXTS["nl"]) == set(catalog.TEXTS["en"])
    for table in (catalog.RATINGS, catalog.ROLES, catalog.MONTHS):
        assert len(table["nl"]) == len(table["en"])  # type: ignore[index]


def test_circled_ideas_carry_their_alternatives_and_hidden_items_stay_out() -> None:
    doc = closed_board()
    assert "h1" not in {item.id for item in doc.items}
    md = render_markdown(build_report(doc))
    assert "# Casus \\*met\\* \\[tekens\\]" in md
    lines = md.splitlines()
    idea = lines.index(next(line for line in lines if "doet niemand het" in line))
    assert "omcirkeld" in lines[idea]
    # grouped by what it holds: alternatives from the same and from a later step
    # both stand under the idea itself, which is not repeated
    alt = next(line for line in lines if "Ik vraag hulp" in line)
    assert alt.startswith("  - ") and "en dat is sterk" in md
    later = lines.index(next(line for line in lines if "Een ander pakt het op" in line))
    assert lines[later].startswith("  - ")
    assert lines[idea + 1].startswith("  - ") and idea < later
    assert sum("doet niemand het" in line for line in lines) == 1
    assert "**Datum:** 16 januari 2027" in md


def test_english_report_and_csv_guard() -> None:
    doc = closed_board(language="en")
    md = render_markdown(build_report(doc))
    assert "circled" in md and "**Method:** Dominant ideas" in md
    rows = list(csv.reader(io.StringIO(render_csv(doc).removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["step", "section", "kind"] and rows[0][-1] == "author"
    assert len(rows) == 1 + len(doc.items)
    assert [r[4] for r in rows if "HYPERLINK" in r[4]] == ["'=HYPERLINK(\"x\")"]


def test_pdf_holds_unicode_text() -> None:
    doc = closed_board()
    doc.items[0].text = "Ik ben “écht” blij — ✓ ok"
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(build_report(doc))))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "“écht”" in " ".join(text.split())


def test_pdf_without_a_unicode_font_still_renders() -> None:
    doc = closed_board()
    doc.items[0].text = "Ik ben “écht” blij ✓"
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(build_report(doc), fonts=None)))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Ik ben \"écht\" blij ?" in text and "Hulp vragen is zwak" in text


def test_latin1_fallback_keeps_what_it_can() -> None:
    assert latin1("“Zó” – prima… 10€ ✓") == "\"Zó\" - prima... 10EUR ?"
    assert escape("a*b_c\n\nd") == "a\\*b\\_c  \n  d"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path)))


@pytest.mark.parametrize(
    ("change", "carry", "code"),
    [
        ({}, ["nope"], "invalid_carry"),
        ({}, ["takeaways"], "invalid_carry"),  # tienstappen has no such section
        ({"version": 2}, [], "invalid_request"),
        ({"format": "other"}, [], "invalid_request"),
        ({"items": "x"}, [], "invalid_request"),
    ],
)
def test_follow_up_requests_are_checked(client: TestClient, change: dict[str, object],
                                        carry: list[str], code: str) -> None:
    doc = {**msgspec.to_builtins(closed_board()), **change}
    with client:
        answer = client.post("/api/sessions", json={"from_export": doc, "carry": carry,
                                                    "method": "tienstappen"})
        assert answer.status_code == 400 and answer.json()["code"] == code, answer.json()
        answer = client.post("/api/sessions", json={"carry": ["ideas"], "title": "x",
                                                    "method": "tienstappen"})
        assert answer.json()["code"] == "invalid_request"


def test_follow_up_defaults_to_the_exports_method_and_title(client: TestClient) -> None:
    doc = msgspec.to_builtins(closed_board())
    with client:
        answer = client.post("/api/sessions", json={"from_export": doc, "carry": ["ideas"]})
        assert answer.status_code == 201, answer.json()


def test_the_check_out_is_not_what_the_presenter_takes_away() -> None:
    """The frame's check-out is evaluation-kind too, but the summary's takeaways hold
    only what the presenter wrote in the method's own evaluation."""
    doc = closed_board()
    assert "checkout" in {s.id for s in doc.sections}
    own = next(i for i in doc.items if i.section == "evaluation")
    doc.items.append(msgspec.structs.replace(own, id="c1", section="checkout",
                                             text="Top: fijne sfeer"))
    summary = dict(build_report(doc).summary)
    takeaways = summary[catalog.text("nl", "sum_takeaways")]
    assert "HYPERLINK" in takeaways and "fijne sfeer" not in takeaways
