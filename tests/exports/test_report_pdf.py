"""The PDF report as a facilitator sends it round: read back with pypdf it has a
structure tree (headings, paragraphs and list entries in reading order), a document
language and the session's title; the first page holds the summary; no heading is
the last thing on a page; the file is named after the session."""

from __future__ import annotations

import io
import itertools

import pypdf

from server.exports.http import disposition
from server.exports.pdf import render_pdf
from server.exports.report import build_report
from server.exports.table import render_csv
from tests.exports.test_render import closed_board


def _long_board() -> bytes:
    doc = closed_board()
    for n in range(60):  # enough for several pages
        doc.items.append(type(doc.items[0])(
            id=f"e{n}", step=8, section="evaluation", author="Anouk",
            text=f"Wat ik meeneem, punt {n}: " + "een langere gedachte " * (n % 7 + 1)))
    return render_pdf(build_report(doc))


def _kids(elem: pypdf.generic.DictionaryObject) -> list[pypdf.generic.DictionaryObject]:
    kids = elem["/K"]
    return [k.get_object() for k in kids] if isinstance(kids, list) else [kids.get_object()]


def test_pdf_is_tagged_with_language_title_and_summary_first() -> None:
    reader = pypdf.PdfReader(io.BytesIO(_long_board()))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None and reader.metadata.title == "Casus *met* [tekens]"
    [document] = _kids(root["/StructTreeRoot"])
    assert document["/S"] == "/Document"
    elems = _kids(document)
    types = [e["/S"] for e in elems]
    assert types[:3] == ["/H1", "/H2", "/P"] and "/L" in types
    assert len(reader.pages) > 1
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    # every tagged element points at one of the pages
    for elem in elems:
        assert elem.raw_get("/Pg").idnum in pages
    # a heading always shares its page with what follows it
    for elem, after in itertools.pairwise(elems):
        if elem["/S"] in ("/H1", "/H2", "/H3"):
            assert elem.raw_get("/Pg").idnum == after.raw_get("/Pg").idnum, elem["/S"]
    first = " ".join(reader.pages[0].extract_text().split())
    assert first.index("Samenvatting") < first.index("Datum:")
    assert "Wat de inbrenger meeneemt" in first
    assert "Geen nieuwe items" not in " ".join(p.extract_text() for p in reader.pages)


def test_file_named_after_the_session() -> None:
    header = disposition("Intervisie team Noord: “zorg”", "intervisie", "2027-01-16", "pdf")
    assert 'filename="Intervisie-team-Noord-zorg-2027-01-16.pdf"' in header
    assert "filename*=UTF-8''Intervisie%20team%20Noord%20zorg%202027-01-16.pdf" in header
    assert 'filename="intervisie-2027-01-16.csv"' in disposition("?!", "intervisie",
                                                                    "2027-01-16", "csv")
    # a group meeting's board is named after its day: the date is not doubled
    header = disposition("Team Noord 2027-01-16", "intervisie", "2027-01-16", "pdf")
    assert 'filename="Team-Noord-2027-01-16.pdf"' in header
    assert "filename*=UTF-8''Team%20Noord%202027-01-16.pdf" in header
    assert 'filename="intervisie-2027-01-16.md"' in disposition("2027-01-16", "intervisie",
                                                                   "2027-01-16", "md")


def test_csv_opens_as_columns_in_dutch_excel() -> None:
    doc = closed_board()
    text = render_csv(doc)
    assert text.startswith("\ufeff")
    assert text.splitlines()[0].lstrip("\ufeff").split(";")[:3] == ["stap", "onderdeel", "soort"]
