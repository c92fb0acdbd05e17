"""The attendance exports, rendered from a presence list: catalogs complete, CSV cells
safe for spreadsheets, PDFs with and without the DejaVu fonts."""

from __future__ import annotations

import csv
import io
from typing import Literal

import pytest

from server.attendance.catalog import AGREEMENT, TEXTS, duration
from server.attendance.record import (
    Confirmation,
    Interval,
    MemberFacts,
    PresenceList,
    SessionFacts,
    presence_list,
)
from server.attendance.render import render_certificate, render_csv, render_list_pdf
from tests.support.attendance import pdf_text

MIN = 60_000
BASE = 1_796_400_000_000


def plist(language: Literal["nl", "en"] = "nl") -> PresenceList:
    facts = SessionFacts(session_id="a" * 32, method="tienstappen", method_name="Methode X",
                         language=language, created_ms=BASE, started_ms=BASE + 5 * MIN,
                         ended_ms=BASE + 95 * MIN, agreement=AGREEMENT["nl"])
    members = [
        MemberFacts(participant_id="p1", name="Fenna", roles=["facilitator"],
                    connections=[Interval(BASE, BASE + 96 * MIN)], agreement_ms=BASE,
                    confirmation=Confirmation(BASE + 5 * MIN, BASE + 95 * MIN, BASE + 95 * MIN)),
        MemberFacts(participant_id="p2", name="=HYPERLINK(\"x\")", roles=["participant"],
                    connections=[Interval(BASE, BASE + 40 * MIN)]),
        MemberFacts(participant_id="p3", name="Zoë Ŝ", roles=["observer"]),
    ]
    return presence_list(facts, members, BASE + 200 * MIN)


def test_catalogs_have_every_key() -> None:
    assert set(TEXTS["nl"]) == set(TEXTS["en"])
    assert set(AGREEMENT) == {"nl", "en"}


@pytest.mark.parametrize(("ms", "nl", "en"), [(0, "0 min", "0 min"), (59 * MIN, "59 min", "59 min"),
                                              (90 * MIN, "1 u 30 min", "1 h 30 min")])
def test_durations(ms: int, nl: str, en: str) -> None:
    assert duration("nl", ms) == nl and duration("en", ms) == en


def test_csv_cells_never_run_as_formulas() -> None:
    table = render_csv(plist())
    assert table.startswith("\ufeffdatum;methode;naam")
    assert "'=HYPERLINK" in table and ";=HYPERLINK" not in table
    assert "Fenna;begeleider" in table
    rows = list(csv.reader(io.StringIO(table.removeprefix("\ufeff")), delimiter=";"))
    assert len({len(row) for row in rows}) == 1, "every row has every column"


@pytest.mark.parametrize("fonts", ["system", None])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_pdfs_in_the_sessions_language(fonts: Literal["system"] | None,
                                       language: Literal["nl", "en"]) -> None:
    data = plist(language)
    code = "ABCD-EFGH-IJKL-MNOP-QRST-UVWX"
    listed = pdf_text(render_list_pdf(data, code, "http://x/verify", fonts))
    certificate = pdf_text(render_certificate(data, data.lines[0], code, "http://x/verify",
                                              fonts))
    title = "Presentielijst" if language == "nl" else "Attendance list"
    assert title in listed and code in listed and "Fenna" in listed
    assert code in certificate and "Fenna" in certificate
    if fonts is not None:
        assert "Zoë Ŝ" in listed
