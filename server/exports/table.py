"""The CSV export: one row per item, in report order, headers in the session's
language. Cells that a spreadsheet would run as a formula get a leading quote.

Separator and encoding are chosen for the spreadsheet programs of the people who use
the board: a semicolon (Excel with Dutch regional settings, where the comma is the
decimal sign, splits only on the list separator ";"), and UTF-8 with a byte order
mark (without it Excel reads the file as Windows-1252 and mangles é, ë, €)."""

from __future__ import annotations

import csv
import io

from server.exports import catalog
from shared_schema.export_doc import ExportDocument

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SEPARATOR = ";"
BOM = "\ufeff"
"""So spreadsheet programs read the file as UTF-8."""


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def render_csv(doc: ExportDocument) -> str:
    lang = doc.session.language
    with_author = not doc.session.anonymous
    columns = ["col_step", "col_section", "col_kind", "col_lane", "col_text", "col_rating",
               "col_marks", "col_votes"]  # fmt: skip
    if with_author:
        columns.append("col_author")
    steps = {step.index: f"{step.index + 1}. {step.title}" for step in doc.steps}
    sections = {section.id: section for section in doc.sections}
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow([catalog.text(lang, key) for key in columns])
    for item in doc.items:
        section = sections[item.section]
        lanes = {lane.id: lane.title for lane in section.lanes}
        lane = lanes.get(item.lane, item.lane or "") if item.lane else ""
        if section.sheets > 1:
            lane = f"{catalog.text(lang, 'sheet')} {item.sheet}" + (f" · {lane}" if lane else "")
        marks = [catalog.text(lang, key) for key, on in
                 (("chosen", item.chosen), ("circled", item.circled)) if on]  # fmt: skip
        row = [
            steps.get(item.step, str(item.step + 1)),
            section.title,
            section.kind,
            lane,
            item.text,
            catalog.RATINGS[lang][item.rating][1] if item.rating else "",
            ", ".join(marks),
            str(item.votes),
        ]
        if with_author:
            row.append(item.author or "")
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
