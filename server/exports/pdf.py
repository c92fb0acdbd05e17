"""The report as PDF: fpdf2 lays out the report's HTML body on A4 pages.

Tagged: the document carries its language, its title (shown as the window title)
and a structure tree (Document > H1, H2, P and L per heading, paragraph and list
entry, the footer marked as an artifact), so screen readers read it in order. fpdf2
(2.8) offers tagging in its public API only for images, links and outline sections;
the text is tagged here with its own structure tree builder (``_tagged``), a block
at a time: a block is laid out whole on one page (moved to the next page when it
does not fit, and a heading goes with its first block, so no heading ends a page).
A block taller than a page is laid out untagged.

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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from fpdf import FPDF, TextStyle, ViewerPreferences

from server.exports.html import render_parts
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
        self._out("/Artifact BMC")
        self.set_y(-14)
        self.set_font(self.family, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="R")
        self._out("EMC")

    @contextmanager
    def tagged(self, tag: str) -> Iterator[None]:
        """Content of structure type ``tag`` in the document's structure tree; it must
        stay on the current page."""
        mcid = self.struct_builder.next_mcid_for_page(self.page)
        self._add_marked_content(struct_type=f"/{tag}", mcid=mcid)
        self._out(f"/{tag} <</MCID {mcid}>> BDC")
        yield
        self._out("EMC")

    def fits(self, html: str, options: dict[str, Any]) -> bool:
        """Whether ``html`` fits on the rest of this page."""
        with self.offset_rendering() as dummy:
            dummy.write_html(html, **options)
        return not dummy.page_break_triggered

    def block(self, tag: str, html: str, options: dict[str, Any], *, keep: str = "") -> None:
        """Lay out ``html`` whole on one page, tagged; ``keep``: what must go on the
        same page (the first block after a heading)."""
        if not self.fits(html + keep, options) and self.y > self.t_margin + 1:
            self.add_page()
        if self.fits(html, options):
            with self.tagged(tag):
                self.write_html(html, **options)
        else:  # taller than a page: laid out across pages, untagged
            self.write_html(html, **options)


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
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_creator("Intervisiebord")
    pdf.set_lang(report.language)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM)
    pdf.add_page()
    pdf.set_font(family, "", 10.5)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    options: dict[str, Any] = {
        "font_family": family,
        "ul_bullet_char": "•" if files else "-",
        "li_prefix_color": ACCENT,
        "warn_on_tags_not_matching": False,
        "tag_styles": {
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
    }
    plain = (lambda text: text) if files else latin1
    for part in render_parts(report):
        blocks = [plain(block) for block in part.blocks]
        pdf.block(part.tag, plain(part.heading), options, keep=blocks[0] if blocks else "")
        for block in blocks:
            tag = "L" if block.startswith("<ul") else "H3" if block.startswith("<h3") \
                else "H4" if block.startswith("<h4") else "P"
            pdf.block(tag, block, options)
    return bytes(pdf.output())
