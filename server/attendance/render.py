"""The presence list (PDF, CSV) and the personal certificate (PDF).

Built from a ``PresenceList`` only, which holds no content of the session: no
item, no case, no question, no title. fpdf2 lays the pages out, with the report's
fonts (``server.exports.pdf``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.fonts import FontFace

from server.attendance.catalog import clock, day, duration, hours, iso, roles, span, text
from server.attendance.record import Line, PresenceList
from server.attendance.yearly import YearOverview
from server.exports.pdf import (
    ACCENT,
    FALLBACK_FAMILY,
    FAMILY,
    INK,
    MARGIN_MM,
    MUTED,
    RULE,
    latin1,
    unicode_font,
)
from server.exports.table import BOM, FORMULA_START, SEPARATOR


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def render_csv(plist: PresenceList) -> str:
    """Semicolon-separated with a BOM, as the board's table export: what Dutch
    spreadsheet programs open in columns."""
    lang = plist.language
    columns = ["col_date", "col_method", "col_name", "col_roles", "col_from", "col_to",
               "col_minutes", "col_periods", "col_confirmed", "col_agreement"]
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow([text(lang, key) for key in columns])
    for line in plist.lines:
        confirmed = line.confirmation
        writer.writerow([_cell(value) for value in (
            day(lang, plist.started_ms),
            plist.method_name,
            line.name,
            roles(lang, line.roles),
            iso(line.from_ms),
            iso(line.to_ms),
            str(round(line.duration_ms / 60_000)),
            "; ".join(span(a, b) for a, b in line.periods),
            iso(confirmed.at_ms) if confirmed else "",
            iso(line.agreement_ms),
        )])
    return out.getvalue()


class _Page(FPDF):
    def __init__(self, footer_text: str, family: str, orientation: str = "portrait") -> None:
        super().__init__(orientation=orientation, format="A4", unit="mm")
        self.footer_text = footer_text
        self.family = family

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.family, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align="L")


class _Writer:
    """A few layout helpers over fpdf2 that fall back to Latin-1 without DejaVu."""

    def __init__(self, language: Literal["nl", "en"], title: str,
                 fonts: dict[str, Path] | Literal["system"] | None,
                 orientation: str = "portrait") -> None:
        files = unicode_font() if isinstance(fonts, str) else fonts
        self.plain = files is None
        self.family = FAMILY if files else FALLBACK_FAMILY
        self.pdf = _Page(self.t(text(language, "footer")), self.family, orientation)
        if files:
            for style, path in files.items():
                self.pdf.add_font(FAMILY, style, str(path))
        self.pdf.set_title(self.t(title))
        self.pdf.set_creator("Intervisiebord")
        self.pdf.set_lang(language)
        self.pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.pdf.set_auto_page_break(True, margin=MARGIN_MM)
        self.pdf.add_page()
        self.pdf.set_draw_color(*RULE)
        self.heading(title)

    def t(self, value: str) -> str:
        return latin1(value) if self.plain else value

    def heading(self, value: str) -> None:
        self.pdf.set_font(self.family, "B", 18)
        self.pdf.set_text_color(*ACCENT)
        self.pdf.multi_cell(0, 9, self.t(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(3)

    def para(self, value: str, size: float = 10.5, style: str = "") -> None:
        self.pdf.set_font(self.family, style, size)
        self.pdf.set_text_color(*INK)
        self.pdf.multi_cell(0, 5.5, self.t(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def fact(self, label: str, value: str) -> None:
        self.pdf.set_font(self.family, "B", 10.5)
        self.pdf.set_text_color(*MUTED)
        self.pdf.cell(45, 6, self.t(label))
        self.pdf.set_font(self.family, "", 10.5)
        self.pdf.set_text_color(*INK)
        self.pdf.multi_cell(0, 6, self.t(value), new_x="LMARGIN", new_y="NEXT")

    def table(self, header: list[str], rows: list[list[str]], widths: list[float],
              size: float = 9.5, mono_last: bool = False) -> None:
        """``mono_last``: the last column (verification codes, ASCII) in Courier, whose
        fixed width lets the column fit any code on one line."""
        self.pdf.ln(2)
        self.pdf.set_font(self.family, "B", size)
        self.pdf.set_text_color(*ACCENT)
        mono = FontFace(family="Courier", size_pt=size)
        with self.pdf.table(col_widths=widths, text_align="LEFT", line_height=5.5,
                            first_row_as_headings=True) as table:
            table.row([self.t(cell) for cell in header])
            self.pdf.set_font(self.family, "", size)
            self.pdf.set_text_color(*INK)
            for cells in rows:
                row = table.row()
                for index, cell in enumerate(cells):
                    last = mono_last and index == len(cells) - 1
                    row.cell(self.t(cell), style=mono if last else None)
        self.pdf.ln(3)

    def code(self, lang: Literal["nl", "en"], code: str, verify_url: str) -> None:
        self.pdf.ln(2)
        self.fact(text(lang, "code"), code)
        self.para(text(lang, "verify_at").format(url=verify_url), size=9)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _session_facts(out: _Writer, plist: PresenceList) -> None:
    lang = plist.language
    out.fact(text(lang, "date"), day(lang, plist.started_ms))
    out.fact(text(lang, "time"), span(plist.started_ms, plist.ended_ms))
    out.fact(text(lang, "duration"), duration(lang, plist.duration_ms))
    out.fact(text(lang, "method"), plist.method_name)
    out.fact(text(lang, "led_by"), ", ".join(plist.led_by))


def _approval(plist: PresenceList) -> str:
    lang = plist.language
    if plist.approved_ms is None:
        return text(lang, "not_approved")
    when = f"{day(lang, plist.approved_ms)} {clock(plist.approved_ms)}"
    return text(lang, "approved").format(when=when)


def render_list_pdf(plist: PresenceList, code: str, verify_url: str,
                    fonts: dict[str, Path] | Literal["system"] | None = "system") -> bytes:
    lang = plist.language
    out = _Writer(lang, text(lang, "list_title"), fonts)
    _session_facts(out, plist)
    if plist.agreement is not None:
        out.fact(text(lang, "agreement"), plist.agreement)
    rows = []
    for line in plist.lines:
        confirmed = line.confirmation
        rows.append([
            line.name,
            roles(lang, line.roles),
            ", ".join(span(a, b) for a, b in line.periods),
            duration(lang, line.duration_ms),
            text(lang, "yes_at").format(time=clock(confirmed.at_ms)) if confirmed
            else text(lang, "no"),
        ])
    out.table([text(lang, key) for key in ("name", "roles", "present", "duration",
                                           "confirmed")], rows, [34, 30, 50, 22, 26])
    out.para(_approval(plist))
    out.code(lang, code, verify_url)
    return out.output()


def render_certificate(plist: PresenceList, line: Line, code: str, verify_url: str,
                       fonts: dict[str, Path] | Literal["system"] | None = "system") -> bytes:
    lang = plist.language
    out = _Writer(lang, text(lang, "certificate_title"), fonts)
    out.para(text(lang, "certificate_lead").format(name=line.name), size=12)
    out.pdf.ln(2)
    _session_facts(out, plist)
    out.fact(text(lang, "roles"), roles(lang, line.roles))
    out.fact(text(lang, "present"), ", ".join(span(a, b) for a, b in line.periods))
    out.fact(text(lang, "present_duration"), duration(lang, line.duration_ms))
    if line.confirmation is not None:
        out.fact(text(lang, "confirmed_by_member"),
                 f"{day(lang, line.confirmation.at_ms)} {clock(line.confirmation.at_ms)}")
    if plist.agreement is not None and line.agreement_ms is not None:
        out.fact(text(lang, "agreement"),
                 text(lang, "agreement_accepted").format(time=clock(line.agreement_ms)))
    out.pdf.ln(2)
    out.para(_approval(plist))
    out.code(lang, code, verify_url)
    return out.output()



def _yes_no(lang: Literal["nl", "en"], value: bool) -> str:
    return text(lang, "yes" if value else "no")


def render_year_overview(overview: YearOverview, verify_url: str,
                         fonts: dict[str, Path] | Literal["system"] | None = "system"
                         ) -> bytes:
    """One row per meeting (date, time, the member's own time present, roles, method,
    who led it, both confirmations, the certificate's code) and the total; landscape,
    so a row fits on one line. ``verify_url``: where a code is checked."""
    lang, year = overview.language, overview.year
    out = _Writer(lang, text(lang, "overview_title").format(year=year), fonts, "landscape")
    out.para(text(lang, "overview_lead").format(name=overview.name, year=year), size=12)
    if not overview.entries:
        out.para(text(lang, "overview_none").format(year=year))
        return out.output()
    rows = []
    for entry in overview.entries:
        plist, line = entry.plist, entry.line
        rows.append([
            day(lang, plist.started_ms),
            span(plist.started_ms, plist.ended_ms),
            duration(lang, line.duration_ms),
            roles(lang, line.roles),
            plist.method_name,
            ", ".join(plist.led_by),
            text(lang, "overview_confirmed").format(
                own=_yes_no(lang, line.confirmation is not None),
                list=_yes_no(lang, plist.approved_ms is not None)),
            entry.code,
        ])
    header = [text(lang, key) for key in ("date", "time", "present_duration", "roles",
                                          "method", "led_by", "overview_confirmation",
                                          "code")]
    # widths (mm) from the longest single words at 8.5 pt plus the cell padding, so that
    # lines break between words: "Tienstappenmethode" 32; a code, in Courier, 52.2
    out.table(header, rows, [26, 22, 18, 28, 36, 30, 34, 58], size=8.5, mono_last=True)
    out.fact(text(lang, "overview_total"), text(lang, "overview_total_value").format(
        count=len(overview.entries),
        meetings=text(lang, "meetings_one" if len(overview.entries) == 1 else "meetings_many"),
        duration=duration(lang, overview.total_ms),
        hours=hours(lang, overview.total_ms)))
    out.para(text(lang, "overview_codes").format(url=verify_url), size=9)
    return out.output()
