"""Cross-checks of a decoded method: what msgspec's types cannot say.

Pure functions. Paths are in the coordinates of the method's own file; the session
frame (when the method is framed) contributes its sections and the steps before the
method's own, so a carry-forward filter may use a section the frame showed.

Rules:

- ids of sections, of steps and of a section's lanes are unique; a method's section
  may not take the id of a frame section;
- a step shows a section at most once, and only a section that exists;
- lanes (columns or hourglass levels) only on kinds that show them; the hourglass and
  success factors need at least one; more than one sheet only for success factors;
- a carry-forward ``filter`` only on a section an earlier step showed;
- ``hidden`` only where someone may add in that step; ``hide_ratings`` (sealed
  ratings and votes) only where someone may rate or vote.
"""

from __future__ import annotations

from typing import Final

from server.methods.problems import Problem
from shared_schema.method import Frame, Localized, Method, SectionKind, Step

LANES_ALLOWED: Final[frozenset[SectionKind]] = frozenset(
    {"list", "evaluation", "success_factors", "hourglass"}
)
LANES_REQUIRED: Final[frozenset[SectionKind]] = frozenset({"success_factors", "hourglass"})
SHEETS_ALLOWED: Final[frozenset[SectionKind]] = frozenset({"success_factors"})


def check(method: Method, frame: Frame | None = None) -> list[Problem]:
    """Every problem found, in file order (empty: the method may be used)."""
    outer = frame if frame is not None and method.with_frame else None
    frame_sections = [s.id for s in outer.sections] if outer else []
    problems = _check_sections(method, frame_sections)
    known = {*frame_sections, *(s.id for s in method.sections)}
    frame_steps = {s.id for s in (*outer.before, *outer.after)} if outer else set()
    shown_before = {e.section for step in outer.before for e in step.sections} if outer else set()
    step_ids: set[str] = set()
    for index, step in enumerate(method.steps):
        path = f"$.steps[{index}]"
        if step.id in step_ids or step.id in frame_steps:
            problems.append(Problem(f"{path}.id", "duplicate_id", {"value": step.id}))
        step_ids.add(step.id)
        problems.extend(_check_step(step, path, known, shown_before))
        shown_before |= {entry.section for entry in step.sections}
    return problems


def _check_sections(method: Method, frame_sections: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, section in enumerate(method.sections):
        path = f"$.sections[{index}]"
        if section.id in frame_sections:
            problems.append(Problem(f"{path}.id", "frame_section", {"value": section.id}))
        elif section.id in seen:
            problems.append(Problem(f"{path}.id", "duplicate_id", {"value": section.id}))
        seen.add(section.id)
        problems.extend(_check_lanes(section.kind, [lane.id for lane in section.lanes], path))
        if section.sheets > 1 and section.kind not in SHEETS_ALLOWED:
            problems.append(Problem(f"{path}.sheets", "sheets_not_allowed", {"kind": section.kind}))
    return problems


def _check_step(step: Step, path: str, known: set[str], shown_before: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    in_step: set[str] = set()
    for position, entry in enumerate(step.sections):
        where = f"{path}.sections[{position}]"
        if entry.section not in known:
            problems.append(
                Problem(f"{where}.section", "unknown_section", {"value": entry.section})
            )
        elif entry.section in in_step:
            problems.append(
                Problem(f"{where}.section", "duplicate_section", {"value": entry.section})
            )
        in_step.add(entry.section)
        if entry.filter and entry.section not in shown_before:
            problems.append(
                Problem(f"{where}.filter", "filter_before_shown", {"section": entry.section})
            )
        if entry.hidden and not entry.add:
            problems.append(Problem(f"{where}.hidden", "hidden_without_add"))
        if entry.hide_ratings and not (entry.rate or entry.vote):
            problems.append(Problem(f"{where}.hide_ratings", "sealed_without_rating"))
    return problems


def _check_lanes(kind: SectionKind, lanes: list[str], path: str) -> list[Problem]:
    if lanes and kind not in LANES_ALLOWED:
        return [Problem(f"{path}.lanes", "lanes_not_allowed", {"kind": kind})]
    if not lanes and kind in LANES_REQUIRED:
        return [Problem(f"{path}.lanes", "lanes_required", {"kind": kind})]
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, lane in enumerate(lanes):
        if lane in seen:
            problems.append(Problem(f"{path}.lanes[{index}].id", "duplicate_id", {"value": lane}))
        seen.add(lane)
    return problems


def check_frame(frame: Frame) -> list[Problem]:
    """The frame read as a method of its own (the same rules, its own paths)."""
    as_method = Method(
        id="frame",
        name=_NAME,
        summary=_NAME,
        sections=frame.sections,
        steps=[*frame.before, *frame.after],
        with_frame=False,
    )
    return check(as_method)


_NAME = Localized(nl="kader", en="frame")
