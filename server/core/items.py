"""Items: add, edit, move and delete; each op's check beside its change.

Rules: adding needs the step's ``add`` right on the section (and a valid lane, sheet
and visible parent); an item's author with ``add`` may edit and delete it, anyone with
``add`` may move it, the facilitator may edit anyone's item where they hold ``add``
and delete any item. An item added under a one-off key (``pid`` is ``ANONYMOUS``) gets
no author; its author is whoever shows the item's secret (the op's ``proof`` equals
the one kept in ``state.proofs``). A section's prefix ("Mijn probleem is ...") is put
in front of a text that lacks it. Item texts hold no control characters but tab and
newline. In an ``ideas`` section an item hangs under nothing (an idea) or under a
circled idea (an alternative); where the step shows only circled ideas, every new
item is an alternative.
"""

from __future__ import annotations

import re

from server.core.permissions import section_def, step_section
from server.core.results import ANONYMOUS, Rejected, Scoped, item_put, right, visible_item
from server.core.state import BoardState
from server.core.visibility import section_hidden, section_state
from shared_schema.board import Item, Role
from shared_schema.client import AddItem, DeleteItem, EditItem, MoveItem
from shared_schema.codes import RejectCode
from shared_schema.server import ItemPut, ItemRemoved, SectionPut

ItemOp = AddItem | EditItem | MoveItem | DeleteItem


def check(
    state: BoardState, op: ItemOp, pid: str, role: Role, proof: str | None
) -> Rejected | None:
    match op:
        case AddItem():
            return _check_add(state, op, pid, role)
        case EditItem() | MoveItem() | DeleteItem():
            return _check_change(state, op, pid, role, proof)


def _check_add(state: BoardState, op: AddItem, pid: str, role: Role) -> Rejected | None:
    definition = section_def(state, op.section)
    if definition is None:
        return Rejected(RejectCode.NOT_FOUND, f"no section {op.section!r}")
    if problem := right(state, role, "add", op.section):
        return problem
    if op.item_id in state.items:
        return Rejected(RejectCode.DUPLICATE_ID, f"item {op.item_id!r} exists")
    lanes = [lane_def.id for lane_def in definition.lanes]
    if lanes and op.lane not in lanes:
        return Rejected(RejectCode.INVALID_VALUE, f"lane must be one of {lanes}")
    if not lanes and op.lane is not None:
        return Rejected(RejectCode.INVALID_VALUE, "this section has no lanes")
    if op.sheet > definition.sheets:
        return Rejected(RejectCode.INVALID_VALUE, f"sheet must be <= {definition.sheets}")
    if op.parent is not None:
        found = visible_item(state, op.parent, pid)
        if isinstance(found, Rejected):
            return found
    if definition.kind == "ideas" and (problem := _idea_parent(state, op.section, op.parent)):
        return problem
    return control_characters(op.text)


def _check_change(
    state: BoardState, op: EditItem | MoveItem | DeleteItem, pid: str, role: Role,
    proof: str | None,
) -> Rejected | None:
    found = visible_item(state, op.item_id, pid)
    if isinstance(found, Rejected):
        item = state.items.get(op.item_id)
        if item is None or not proven(state, item, proof):
            return found
        found = item  # a hidden anonymous item, shown by its author's secret
    if isinstance(op, DeleteItem) and role == "facilitator":
        return None  # moderation: the facilitator may delete any item
    if problem := right(state, role, "add", found.section):
        return problem
    mine = found.author == pid if found.author is not None else proven(state, found, proof)
    if not isinstance(op, MoveItem) and not mine and role != "facilitator":
        return Rejected(RejectCode.NOT_AUTHOR, "only the author may change this item")
    if isinstance(op, EditItem):
        return control_characters(op.text)
    return None


def proven(state: BoardState, item: Item, proof: str | None) -> bool:
    """Whether ``proof`` shows its sender wrote ``item``, an item without author."""
    return item.author is None and proof is not None and state.proofs.get(item.id) == proof


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
"""The C0 codes but tab (U+0009) and newline (U+000A), and DEL."""


def control_characters(text: str) -> Rejected | None:
    """Item texts hold no control characters but tab and newline: NUL, the other C0
    codes and DEL are refused, not cleaned (the author sees what was stored). The
    first one found is named. (A regular expression: a loop over the characters cost
    4 µs for a 128-character text, the pattern 0.5 µs; a text is checked twice per op.)"""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return Rejected(
        RejectCode.INVALID_VALUE,
        f"the text holds a control character (U+{ord(found.group()):04X})",
    )


def _idea_parent(state: BoardState, section: str, parent: str | None) -> Rejected | None:
    """An idea hangs under nothing, an alternative under a circled idea; where the
    step shows only circled ideas, every new item is an alternative."""
    config = step_section(state, section)
    if parent is None:
        if config is not None and "circled" in config.filter:
            return Rejected(RejectCode.INVALID_VALUE, "an alternative hangs under a circled idea")
        return None
    idea = state.items[parent]
    if idea.section != section or idea.parent is not None or not idea.circled:
        return Rejected(RejectCode.INVALID_VALUE, "an alternative hangs under a circled idea")
    return None


def change(state: BoardState, op: ItemOp, pid: str, proof: str | None) -> list[Scoped]:
    match op:
        case AddItem():
            return _add(state, op, pid, proof)
        case EditItem():
            item = state.items[op.item_id]
            item.text = prefixed(state, item.section, op.text)
            return [item_put(state, item)]
        case MoveItem():
            item = state.items[op.item_id]
            item.x, item.y = op.x, op.y
            if op.color is not None:
                item.color = op.color
            return [item_put(state, item)]
        case DeleteItem():
            return delete(state, op.item_id)


def _add(state: BoardState, op: AddItem, pid: str, proof: str | None) -> list[Scoped]:
    """An item gets no author exactly when its op was recorded under a one-off key,
    so the stored record and the item always agree."""
    anonymous = pid == ANONYMOUS
    item = Item(
        id=op.item_id,
        section=op.section,
        text=prefixed(state, op.section, op.text),
        step=state.step,
        seq=state.seq,
        author=None if anonymous else pid,
        x=op.x,
        y=op.y,
        color=op.color,
        lane=op.lane,
        sheet=op.sheet,
        parent=op.parent,
    )
    state.items[item.id] = item
    if anonymous and proof is not None:
        state.proofs[item.id] = proof
    if section_hidden(state, op.section):
        # the owner is the author; anonymous items have none, so nobody sees
        # them before the reveal (the author's client keeps its own copy)
        state.hidden[item.id] = item.author
        return [item_put(state, item), Scoped(SectionPut(section=section_state(state, op.section)))]
    return [Scoped(ItemPut(item=item))]


def delete(state: BoardState, item_id: str) -> list[Scoped]:
    """Remove an item with its votes and private rating; a hidden item's removal goes
    only to its owner."""
    item = state.items.pop(item_id)
    state.proofs.pop(item_id, None)
    audience: frozenset[str] | None = None
    if item_id in state.hidden:
        owner = state.hidden.pop(item_id)
        audience = frozenset({owner}) if owner else frozenset()
    state.votes.pop(item_id, None)
    state.sealed_votes.pop(item_id, None)
    state.private_ratings.pop(item_id, None)
    changes = [Scoped(ItemRemoved(item_id=item_id), audience)]
    if audience is not None:
        changes.append(Scoped(SectionPut(section=section_state(state, item.section))))
    return changes


def prefixed(state: BoardState, section: str, text: str) -> str:
    """The text of an item in a section with a prefix ("Mijn probleem is ..."): as
    written when it starts with the prefix in either language, else with the prefix
    in the session's language put in front."""
    definition = section_def(state, section)
    if definition is None or definition.prefix is None:
        return text
    stems = {
        language: getattr(definition.prefix, language).rstrip(". …").strip()
        for language in ("nl", "en")
    }
    lowered = text.lower()
    if any(lowered.startswith(stem.lower()) for stem in stems.values()):
        return text
    return join_prefix(stems[state.language], text)


CONTINUES = frozenset({"dat", "hoe", "wat", "waarom", "of", "om", "that", "how", "what",
                       "why", "whether", "to"})
"""First words that carry the prefix's sentence on ("Mijn probleem is dat ...");
any other text follows a colon ("Mijn probleem is: ik weet niet ..."), so the
sentence never reads as "Mijn probleem is ik weet niet"."""


def join_prefix(stem: str, text: str) -> str:
    first = text.split(maxsplit=1)[0].lower() if text.split() else ""
    return f"{stem} {text}" if first in CONTINUES else f"{stem}: {text}"
