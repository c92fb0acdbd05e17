"""Who may do what, in which step, on which section.

Rights come from the method data (``StepSection``); the facilitator's lock
override for the current step narrows or widens them:

- override ``True``: nobody may write the section (it is locked);
- override ``False``: unlocked; if the step gives nobody ``add`` there, the
  section's own ``add`` roles may add;
- no override: exactly the step's rights; a section without rights is locked.
"""

from __future__ import annotations

from server.core.state import BoardState, step_key
from shared_schema.board import Role
from shared_schema.method import Right, SectionDef, StepSection

_NO_RIGHTS = StepSection(section="_")


def step_section(state: BoardState, section: str) -> StepSection | None:
    """The current step's configuration of ``section``, or None if not shown."""
    for entry in state.method.steps[state.step].sections:
        if entry.section == section:
            return entry
    return None


def section_def(state: BoardState, section: str) -> SectionDef | None:
    for entry in state.method.sections:
        if entry.id == section:
            return entry
    return None


def override(state: BoardState, section: str) -> bool | None:
    return state.overrides.get(step_key(state.step, section))


def roles_with(state: BoardState, right: Right, section: str) -> frozenset[Role]:
    """Roles that hold ``right`` on ``section`` now."""
    locked = override(state, section)
    if locked is True:
        return frozenset()
    config = step_section(state, section) or _NO_RIGHTS
    roles: list[Role] = getattr(config, right)
    if right == "add" and locked is False and not roles:
        definition = section_def(state, section)
        roles = definition.add if definition else []
    return frozenset(roles)


def is_locked(state: BoardState, section: str) -> bool:
    """The effective lock the clients show: nobody holds any write right."""
    locked = override(state, section)
    if locked is not None:
        return locked
    config = step_section(state, section)
    if config is None:
        return True
    return not (config.add or config.rate or config.circle or config.choose or config.vote)


def may(state: BoardState, role: Role, right: Right, section: str) -> bool:
    return role in roles_with(state, right, section)
