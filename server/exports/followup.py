"""A follow-up session ("continue with this group") from a JSON export.

Pure. The items of the sections named in ``carry`` move into the new session's
sections with the same key, with their text, column, sheet, rating and marks; votes
start again at zero and no author is carried (pseudonyms are per session, and the
group joins anew). An item whose column the new section does not have goes to its
first column; an answer whose item was not carried becomes a plain item.
"""

from __future__ import annotations

from server.core.state import BoardState
from shared_schema.board import Item
from shared_schema.export_doc import ExportDocument


class CarryError(ValueError):
    """A carry request that cannot be met; the message says which section and why."""


def carry_items(state: BoardState, doc: ExportDocument, carry: list[str]) -> None:
    """Put the carried items on the new board (``state`` is fresh, never applied)."""
    sections = {s.id: s for s in state.method.sections}
    exported = {s.id for s in doc.sections}
    for key in carry:
        if key not in exported:
            raise CarryError(f"section {key!r} is not in the export")
        if key not in sections:
            raise CarryError(f"method {state.method.id!r} has no section {key!r}")
    wanted = set(carry)
    items = [item for item in doc.items if item.section in wanted]
    carried = {item.id for item in items}
    for seq, item in enumerate(items, start=1):
        definition = sections[item.section]
        lanes = [lane.id for lane in definition.lanes]
        lane = (item.lane if item.lane in lanes else lanes[0]) if lanes else None
        state.items[item.id] = Item(
            id=item.id,
            section=item.section,
            text=item.text,
            step=0,
            seq=0,
            lane=lane,
            sheet=min(item.sheet, definition.sheets),
            parent=item.parent if item.parent in carried else None,
            rating=item.rating,
            circled=item.circled,
            chosen=item.chosen,
            y=float(seq * 10),
        )
