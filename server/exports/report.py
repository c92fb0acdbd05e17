"""The report's structure, independent of its format: a summary first (the case and
its question, the chosen definition, what the presenter takes away), then what the
group wrote, grouped by what it holds: one part per section, in the order the method
first uses them, whichever steps its items were written in (re-definitions written
over two steps stand together). A section without items has no part, so the report
holds no empty steps.

Every exported item appears exactly once, under its section, in its column (lane)
and sheet. An item that answers another (an alternative to a circled idea) is nested
under it; when the answered item stands in another section, it is repeated there as
context (``Entry.context``, with the step it comes from). Markdown and HTML (and so
the PDF) render this one structure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from server.core.questions import classify, is_question_kind
from server.exports import catalog
from shared_schema.board import Language, Rating
from shared_schema.export_doc import ExportDocument, ExportItem, ExportSection


@dataclass(frozen=True)
class Entry:
    item_id: str
    text: str
    rating: Rating | None
    marks: tuple[str, ...]
    """Rating label first (if rated), then chosen / circled / votes."""
    author: str | None
    note: str | None
    children: tuple[Entry, ...] = ()
    context: bool = False
    """A repeated item from another step that the children answer."""


@dataclass(frozen=True)
class Group:
    heading: str | None
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class SectionBlock:
    title: str
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class StepBlock:
    """A part of the report: a section's items (``number`` None, ``title`` the
    section's, with the steps they were written in as ``note``)."""

    number: int | None
    title: str
    sections: tuple[SectionBlock, ...]
    note: str | None = None


@dataclass(frozen=True)
class Closing:
    """A closing part of the report: a heading and its lines (go-rounds, questions)."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    language: Language
    title: str
    facts: tuple[tuple[str, str], ...]
    anonymous_note: str | None
    steps: tuple[StepBlock, ...]
    nothing: str
    footer: str
    closing: tuple[Closing, ...] = ()
    summary: tuple[tuple[str, str], ...] = ()
    """(label, text) pairs, shown first."""
    summary_title: str = ""
    results_title: str = ""


def build_report(doc: ExportDocument) -> Report:
    lang = doc.session.language
    facts = [
        (catalog.text(lang, "date"), catalog.long_date(lang, doc.session.closed)),
        (catalog.text(lang, "method"), doc.session.method_name),
    ]
    if doc.participants:
        names = ", ".join(
            p.name if p.role == "participant" else f"{p.name} ({catalog.ROLES[lang][p.role]})"
            for p in doc.participants
        )
        facts.append((catalog.text(lang, "participants"), names))
    by_id = {item.id: item for item in doc.items}
    return Report(
        language=lang,
        title=doc.session.title,
        facts=tuple(facts),
        anonymous_note=catalog.text(lang, "anonymous") if doc.session.anonymous else None,
        steps=_parts(doc, by_id),
        nothing=catalog.text(lang, "nothing"),
        summary=_summary(doc),
        summary_title=catalog.text(lang, "summary"),
        results_title=catalog.text(lang, "results"),
        footer=catalog.text(lang, "footer"),
        closing=tuple(c for c in (_questions(doc), _rounds(doc)) if c is not None),
    )


CASE_SECTIONS = ("case",)
"""Sections that hold the case and its question (the frame's vote carries the chosen
case into ``case``); without one, the case chosen in the vote stands in."""
TAKEAWAY_KINDS = ("evaluation",)
TAKEAWAY_SECTIONS = ("takeaways", "reflection", "presenter_reflection")
NOT_TAKEAWAYS = ("checkout",)
"""The frame's check-out (tops and tips on the meeting) is evaluation-kind, but says
how the meeting went, not what the presenter takes away from the case."""


def _summary(doc: ExportDocument) -> tuple[tuple[str, str], ...]:
    """The case and its question, the chosen definition (or other chosen item), and
    what the presenter wrote down to take away."""
    lang = doc.session.language
    kinds = {s.id: s.kind for s in doc.sections}
    none = catalog.text(lang, "sum_none")
    case = [i.text for i in doc.items if i.section in CASE_SECTIONS]
    if not case:
        voted = sorted((i for i in doc.items if kinds.get(i.section) == "cases"),
                       key=lambda i: (not i.chosen, -i.votes))
        case = [voted[0].text] if voted else []
    lines = [(catalog.text(lang, "sum_case"), "\n".join(case) or none)]
    for item in doc.items:
        if item.chosen and kinds.get(item.section) != "cases":
            key = "sum_definition" if kinds.get(item.section) == "redefinitions" else "sum_chosen"
            lines.append((catalog.text(lang, key), item.text))
    presenter = {p.name for p in doc.participants if p.role == "presenter"}
    takeaways = [i.text for i in doc.items
                 if (kinds.get(i.section) in TAKEAWAY_KINDS or i.section in TAKEAWAY_SECTIONS)
                 and i.section not in NOT_TAKEAWAYS
                 and i.author is not None and i.author in presenter]
    if presenter:
        lines.append((catalog.text(lang, "sum_takeaways"), "\n".join(takeaways) or none))
    return tuple(lines)


def _parts(doc: ExportDocument, by_id: dict[str, ExportItem]) -> tuple[StepBlock, ...]:
    """One part per section that holds items, in the order the steps first show them."""
    lang = doc.session.language
    first_step = {s.id: min((i.step for i in doc.items if i.section == s.id), default=999)
                  for s in doc.sections}
    parts = []
    for section in sorted(doc.sections, key=lambda s: first_step[s.id]):
        items = [i for i in doc.items if i.section == section.id]
        if not items:
            continue
        titles = {s.index: s.title for s in doc.steps}
        steps = ", ".join(titles.get(n, str(n + 1)) for n in sorted({i.step for i in items}))
        note = catalog.text(lang, "in_steps").format(steps=steps)
        block = SectionBlock(title="", groups=_groups(doc, section, items, by_id))
        parts.append(StepBlock(number=None, title=section.title, sections=(block,), note=note))
    return tuple(parts)


def _questions(doc: ExportDocument) -> Closing | None:
    """How many questions were asked and how many read as open (the server's one
    classifier), and which ones the presenter rated warm: "which questions work"."""
    lang = doc.session.language
    kinds = {s.id: s.kind for s in doc.sections}
    asked = [i for i in doc.items if is_question_kind(kinds.get(i.section, ""))]
    if not asked:
        return None
    verdicts = [classify(i.text).verdict for i in asked]
    lines = [catalog.text(lang, "questions_count").format(
        n=len(asked), open=verdicts.count("open"), closed=verdicts.count("closed"),
        ambiguous=verdicts.count("ambiguous"))]
    warm = [(i, v) for i, v in zip(asked, verdicts, strict=True) if i.rating == "warm"]
    if warm:
        lines.append(catalog.text(lang, "questions_warm"))
        lines += [f"{i.text} ({catalog.text(lang, 'verdict_' + v)})" for i, v in warm]
    return Closing(title=catalog.text(lang, "questions_title"), lines=tuple(lines))


def _rounds(doc: ExportDocument) -> Closing | None:
    """Who spoke in which round (never what was said)."""
    lang = doc.session.language
    if not doc.rounds:
        return None
    titles = {s.index: s.title for s in doc.steps}
    lines = []
    for r in doc.rounds:
        turns = ", ".join(
            f"{t.name or catalog.text(lang, 'someone')}: {catalog.text(lang, 'turn_' + t.outcome)}"
            for t in r.turns
        )
        head = catalog.text(lang, "round_line").format(n=r.number, step=titles.get(r.step, ""))
        lines.append(f"{head}: {turns}")
    return Closing(title=catalog.text(lang, "rounds_title"), lines=tuple(lines))



def _groups(
    doc: ExportDocument,
    section: ExportSection,
    items: list[ExportItem],
    by_id: dict[str, ExportItem],
) -> tuple[Group, ...]:
    lang = doc.session.language
    here = {item.id for item in items}
    children: dict[str, list[ExportItem]] = {}
    for item in items:
        if item.parent in here:
            children.setdefault(item.parent, []).append(item)
    lane_titles = {lane.id: lane.title for lane in section.lanes}
    lane_order = {lane.id: n for n, lane in enumerate(section.lanes)}
    keys = sorted(
        {(item.sheet, item.lane) for item in items},
        key=lambda key: (key[0], -1 if key[1] is None else lane_order.get(key[1], 99)),
    )
    groups = []
    for sheet, lane in keys:
        heading_parts = []
        if section.sheets > 1:
            heading_parts.append(f"{catalog.text(lang, 'sheet')} {sheet}")
        if lane is not None:
            heading_parts.append(lane_titles.get(lane, lane))
        entries: list[Entry] = []
        answered_elsewhere: dict[str, list[ExportItem]] = {}
        for item in items:
            if item.sheet != sheet or item.lane != lane or item.parent in here:
                continue
            if item.parent is None or item.parent not in by_id:
                entries.append(_entry(lang, item, children))
                continue
            if item.parent not in answered_elsewhere:
                answered_elsewhere[item.parent] = []
                entries.append(_context(lang, by_id[item.parent]))
            answered_elsewhere[item.parent].append(item)
        entries = [
            replace(
                entry,
                children=tuple(
                    _entry(lang, child, children) for child in answered_elsewhere[entry.item_id]
                ),
            )
            if entry.context
            else entry
            for entry in entries
        ]
        groups.append(Group(heading=" · ".join(heading_parts) or None, entries=tuple(entries)))
    return tuple(groups)


def _context(lang: Language, item: ExportItem) -> Entry:
    """The answered item, shown again (without author) where it is answered."""
    shown = _entry(lang, item, {})
    origin = catalog.text(lang, "from_step").format(n=item.step + 1)
    return replace(shown, author=None, note=origin, context=True)


def _entry(lang: Language, item: ExportItem, children: dict[str, list[ExportItem]]) -> Entry:
    marks = []
    if item.rating is not None:
        marks.append(catalog.rating_label(lang, item.rating))
    if item.chosen:
        marks.append(catalog.text(lang, "chosen"))
    if item.circled:
        marks.append(catalog.text(lang, "circled"))
    if item.votes:
        marks.append(catalog.votes_label(lang, item.votes))
    return Entry(
        item_id=item.id,
        text=item.text,
        rating=item.rating,
        marks=tuple(marks),
        author=item.author,
        note=None,
        children=tuple(_entry(lang, child, children) for child in children.get(item.id, ())),
    )

