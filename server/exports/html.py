"""The report as HTML: one body that the PDF renderer lays out (fpdf2's HTML subset:
headings, paragraphs, lists, ``b``/``i``/``font``), and the same body as a printable
page."""

from __future__ import annotations

from html import escape

from server.exports.report import Entry, Report
from shared_schema.board import Rating

RATING_COLORS: dict[Rating, str] = {"warm": "#b3261e", "cold": "#1f5fa8", "neutral": "#5f6368"}
MARK_COLOR = "#2e6b3a"
MUTED = "#6b6b6b"
LINE_HEIGHT = 1.3


def _text(value: str) -> str:
    """User text, escaped, line breaks kept."""
    return "<br>".join(escape(line.strip()) for line in value.strip().splitlines() if line)


def render_body(report: Report) -> str:
    out = [f"<h1>{escape(report.title)}</h1>"]
    facts = "<br>".join(f"<b>{escape(k)}:</b> {escape(v)}" for k, v in report.facts)
    out.append(f'<p line-height="{LINE_HEIGHT}">{facts}</p>')
    if report.anonymous_note:
        out.append(f'<p><i><font color="{MUTED}">{escape(report.anonymous_note)}</font></i></p>')
    out.append("<hr>")
    for step in report.steps:
        out.append(f"<h2>{step.number}. {escape(step.title)}</h2>")
        if not step.sections:
            out.append(f'<p><i><font color="{MUTED}">{escape(report.nothing)}</font></i></p>')
        for section in step.sections:
            out.append(f"<h3>{escape(section.title)}</h3>")
            for group in section.groups:
                if group.heading:
                    out.append(f"<h4>{escape(group.heading)}</h4>")
                out.append(f'<ul line-height="{LINE_HEIGHT}">'
                           + "".join(_entry(e) for e in group.entries) + "</ul>")
    for part in report.closing:
        out.append(f"<h2>{escape(part.title)}</h2>")
        out.append(f'<ul line-height="{LINE_HEIGHT}">'
                   + "".join(f"<li>{_text(line)}</li>" for line in part.lines) + "</ul>")
    return "\n".join(out)


def _entry(entry: Entry) -> str:
    html = _text(entry.text)
    if entry.context:
        html = f'<i><font color="{MUTED}">{html}</font></i>'
    marks = []
    for mark in entry.marks:
        color = MARK_COLOR
        if entry.rating is not None and mark == entry.marks[0]:
            color = RATING_COLORS[entry.rating]
        marks.append(f'<font color="{color}"><b>{escape(mark)}</b></font>')
    if marks:
        html += " — " + " · ".join(marks)
    if entry.note:
        html += f' <font color="{MUTED}">({escape(entry.note)})</font>'
    if entry.author:
        html += f' <i><font color="{MUTED}">— {escape(entry.author)}</font></i>'
    if entry.children:
        html += (f'<ul line-height="{LINE_HEIGHT}">'
                 + "".join(_entry(child) for child in entry.children) + "</ul>")
    return f"<li>{html}</li>"


def render_page(report: Report) -> str:
    """A standalone printable page (no scripts, no inline styles)."""
    return (
        "<!doctype html>\n"
        f'<html lang="{report.language}"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)}</title></head><body>\n"
        f"{render_body(report)}\n"
        f"<hr><p><i>{escape(report.footer)}</i></p>\n</body></html>\n"
    )
