"""Sections: the facilitator's lock override and the reveal; check beside change.

A lock applies to the current step only (``step_key``), so going back finds the locks
of that step. A reveal shows the section's hidden items to everyone and publishes its
sealed ratings and vote totals.
"""

from __future__ import annotations

from server.core import judgements
from server.core.permissions import section_def
from server.core.results import Rejected, Scoped, facilitator_only
from server.core.state import BoardState, step_key
from server.core.visibility import section_state
from shared_schema.board import Role
from shared_schema.client import LockSection, RevealSection
from shared_schema.codes import RejectCode
from shared_schema.server import ItemPut, SectionPut

SectionOp = LockSection | RevealSection


def check(state: BoardState, op: SectionOp, role: Role) -> Rejected | None:
    if problem := facilitator_only(role):
        return problem
    if section_def(state, op.section) is None:
        return Rejected(RejectCode.NOT_FOUND, f"no section {op.section!r}")
    return None


def change(state: BoardState, op: SectionOp) -> list[Scoped]:
    match op:
        case LockSection():
            key = step_key(state.step, op.section)
            if op.locked is None:
                state.overrides.pop(key, None)
            else:
                state.overrides[key] = op.locked
            return [Scoped(SectionPut(section=section_state(state, op.section)))]
        case RevealSection():
            return _reveal(state, op.section)


def _reveal(state: BoardState, section: str) -> list[Scoped]:
    state.revealed[step_key(state.step, section)] = True
    shown = [i for i in state.hidden if state.items[i].section == section]
    for item_id in shown:
        del state.hidden[item_id]
    changes = [Scoped(ItemPut(item=state.items[i])) for i in shown]
    changes += judgements.unseal(state, section, set(shown))
    changes.append(Scoped(SectionPut(section=section_state(state, section))))
    return changes


def all_sections(state: BoardState) -> list[Scoped]:
    """Every section's state, as after a step change or the close."""
    return [Scoped(SectionPut(section=section_state(state, s.id))) for s in state.method.sections]
