"""The report as HTML: one body that the PDF renderer lays out (fpdf2's HTML subset:
headings, paragraphs, lists, ``b``/``i``/``font``), and the same body as a printable
page."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Part:
    """A part of the body: its heading (``tag`` is its structure type in the tagged
    PDF: H1, H2, or P for a part without heading) and its blocks, each laid out
    whole; the heading and the first block stay on one page."""

    tag: str
    heading: str
    blocks: tuple[str, ...] = ()


def render_parts(report: Report) -> list[Part]:
    parts = [Part("H1", f"<h1>{escape(report.title)}</h1>")]
    if report.summary:
        parts.append(Part("H2", f"<h2>{escape(report.summary_title)}</h2>", tuple(
            f'<p line-height="{LINE_HEIGHT}"><b>{escape(label)}:</b><br>{_text(text)}</p>'
            for label, text in report.summary)))
    facts = "<br>".join(f"<b>{escape(k)}:</b> {escape(v)}" for k, v in report.facts)
    parts.append(Part("P", f'<p line-height="{LINE_HEIGHT}">{facts}</p>'))
    if report.anonymous_note:
        parts.append(Part("P", f'<p><i><font color="{MUTED}">{escape(report.anonymous_note)}'
                               "</font></i></p>"))
    for step in report.steps:
        blocks = []
        if step.note:
            blocks.append(f'<p><font color="{MUTED}">{escape(step.note)}</font></p>')
        for section in step.sections:
            if section.title:
                blocks.append(f"<h3>{escape(section.title)}</h3>")
            for group in section.groups:
                if group.heading:
                    blocks.append(f"<h4>{escape(group.heading)}</h4>")
                blocks += [f'<ul line-height="{LINE_HEIGHT}">{_entry(e)}</ul>'
                           for e in group.entries]
        parts.append(Part("H2", f"<h2>{escape(_step_title(step.number, step.title))}</h2>",
                          tuple(blocks)))
    for closing in report.closing:
        parts.append(Part("H2", f"<h2>{escape(closing.title)}</h2>", tuple(
            f'<ul line-height="{LINE_HEIGHT}"><li>{_text(line)}</li></ul>'
            for line in closing.lines)))
    return parts


def _step_title(number: int | None, title: str) -> str:
    return title if number is None else f"{number}. {title}"


def render_body(report: Report) -> str:
    return "\n".join(part.heading + "".join(part.blocks) for part in render_parts(report))


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
