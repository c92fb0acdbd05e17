"""The case the group chose, carried from the frame's vote into the method.

Invariants:
- the winning case is the cases section's chosen item; else the presenter's case
  with the most votes (the facilitator names the presenter after the reveal); else
  the one case with strictly the most votes once they are revealed; else none;
- when a step first shows the method's ``case`` section (``CASE_SECTION``) while it
  holds no item, the winning case is copied into it once (same text and author), so
  nobody types it again; a tie without a presenter's case carries nothing.
"""

from __future__ import annotations

from server.core.results import Scoped
from server.core.state import BoardState, step_key
from shared_schema.board import Item
from shared_schema.server import ItemPut

CASE_SECTION = "case"
"""The method section that holds the case and its question (by convention)."""
CASES_KIND = "cases"
"""The frame's section kind where cases are proposed and voted on."""


def winning_case(state: BoardState) -> Item | None:
    cases = [item for item in state.items.values()
             if item.id not in state.hidden and _kind(state, item.section) == CASES_KIND]
    chosen = [item for item in cases if item.chosen]
    if chosen:
        return chosen[0]
    totals = {item.id: sum(state.votes.get(item.id, {}).values()) for item in cases}
    own = [item for item in cases if state.presenter and item.author == state.presenter]
    if own:
        return max(own, key=lambda item: (totals[item.id], -item.seq))
    revealed = [item for item in cases if _revealed_anywhere(state, item.section)]
    if not revealed:
        return None
    ranked = sorted(revealed, key=lambda item: totals[item.id], reverse=True)
    top = totals[ranked[0].id]
    if top == 0 or (len(ranked) > 1 and totals[ranked[1].id] == top):
        return None
    return ranked[0]


def carry_case(state: BoardState) -> list[Scoped]:
    """Copy the winning case into the method's case section, if this step shows it
    and it is still empty."""
    shown = {s.section for s in state.method.steps[state.step].sections}
    if CASE_SECTION not in shown or _kind(state, CASE_SECTION) is None:
        return []
    if any(item.section == CASE_SECTION for item in state.items.values()):
        return []
    case = winning_case(state)
    if case is None:
        return []
    item = Item(id=f"carried-{case.id}"[:40], section=CASE_SECTION, text=case.text,
                step=state.step, seq=state.seq, author=case.author)
    if item.id in state.items:
        return []
    state.items[item.id] = item
    return [Scoped(ItemPut(item=item))]


def _kind(state: BoardState, section: str) -> str | None:
    return next((s.kind for s in state.method.sections if s.id == section), None)


def _revealed_anywhere(state: BoardState, section: str) -> bool:
    return any(state.revealed.get(step_key(index, section), False)
               for index in range(len(state.method.steps)))
