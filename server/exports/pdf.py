"""The report as PDF: fpdf2 lays out the report's HTML body on A4 pages.

fpdf2 is pure Python (no system libraries). For full Unicode it needs a TrueType
font: the DejaVu Sans family where the system has one (Debian's fonts-dejavu-core,
present on most installs). Without it the PDF uses the built-in Helvetica and
characters outside Latin-1 are replaced (typographic quotes and dashes by their
plain forms, anything else by "?"); a warning says so once.
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from pathlib import Path
from typing import Literal

from fpdf import FPDF, TextStyle

from server.exports.html import render_body
from server.exports.report import Report

log = logging.getLogger("intervisiebord.exports")

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
)
FONT_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}
FAMILY = "report"
FALLBACK_FAMILY = "helvetica"
INK = (34, 34, 34)
ACCENT = (38, 70, 120)
MUTED = (110, 110, 110)
RULE = (190, 196, 206)
MARGIN_MM = 20
_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-",
                        "…": "...", "•": "-", "«": "«", "»": "»", "€": "EUR"})  # fmt: skip


@functools.cache
def unicode_font() -> dict[str, Path] | None:
    """The DejaVu Sans files by style, if a system folder has all four."""
    for folder in FONT_DIRS:
        files = {style: folder / name for style, name in FONT_FILES.items()}
        if all(path.is_file() for path in files.values()):
            return files
    log.warning("no DejaVu Sans font found: PDF exports replace non-Latin-1 characters")
    return None


def latin1(text: str) -> str:
    """Text the built-in PDF fonts can show."""
    text = unicodedata.normalize("NFC", text.translate(_PLAIN))
    return text.encode("latin-1", "replace").decode("latin-1")


class _ReportPdf(FPDF):
    def __init__(self, footer_text: str, family: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer_text
        self.family = family

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.family, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="R")


def render_pdf(
    report: Report, fonts: dict[str, Path] | Literal["system"] | None = "system"
) -> bytes:
    """``fonts``: the TrueType files by style; ``"system"`` finds DejaVu Sans, None
    uses the built-in Helvetica."""
    files = unicode_font() if isinstance(fonts, str) else fonts
    family = FAMILY if files else FALLBACK_FAMILY
    footer = report.footer if files else latin1(report.footer)
    pdf = _ReportPdf(footer, family)
    if files:
        for style, path in files.items():
            pdf.add_font(FAMILY, style, str(path))
    pdf.set_title(report.title)
    pdf.set_creator("Intervisiebord")
    pdf.set_lang(report.language)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM)
    pdf.add_page()
    pdf.set_font(family, "", 10.5)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    body = render_body(report)
    pdf.write_html(
        body if files else latin1(body),
        font_family=family,
        ul_bullet_char="•" if files else "-",
        li_prefix_color=ACCENT,
        warn_on_tags_not_matching=False,
        tag_styles={
            # heading b_margin counts in heading heights; t_margin in mm
            "h1": TextStyle(font_family=family, font_style="B", font_size_pt=20,
                            color=ACCENT, t_margin=0, b_margin=0.25),
            "h2": TextStyle(font_family=family, font_style="B", font_size_pt=14,
                            color=ACCENT, t_margin=8, b_margin=0.15),
            "h3": TextStyle(font_family=family, font_style="B", font_size_pt=11,
                            color=INK, t_margin=3, b_margin=0.1),
            "h4": TextStyle(font_family=family, font_style="I", font_size_pt=10,
                            color=MUTED, t_margin=2, b_margin=0.05),
            "ul": TextStyle(font_family=family, t_margin=0, b_margin=0, l_margin=0),
            "li": TextStyle(font_family=family, font_size_pt=10.5, t_margin=1.4, l_margin=5),
            "p": TextStyle(font_family=family, font_size_pt=10.5, t_margin=1, b_margin=1),
        },
    )
    return bytes(pdf.output())
