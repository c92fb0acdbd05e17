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
from shared_schema.board import Role, SectionRight
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


ROLE_ORDER: tuple[Role, ...] = ("facilitator", "presenter", "participant", "observer")
METHOD_RIGHTS: tuple[Right, ...] = ("add", "rate", "circle", "choose", "vote")


def _ordered(roles: frozenset[Role] | set[Role]) -> list[Role]:
    return [role for role in ROLE_ORDER if role in roles]


def vote_revealed(state: BoardState, section: str) -> bool:
    """Whether this step's sealed votes in ``section`` were revealed: the reveal closes
    the vote there for the rest of the step (a vote gets ``voting_closed``)."""
    config = step_section(state, section)
    return (config is not None and config.hide_ratings
            and state.revealed.get(step_key(state.step, section), False))


def section_rights(state: BoardState, section: str) -> dict[SectionRight, list[Role]]:
    """Per right, the roles that hold it on ``section`` now; what the clients show.

    The item rules follow the reducer: an author with ``add`` may edit, move and delete
    their own items (own: authored by them, or, without author, shown by the item's
    secret that only its author's client holds); whoever holds ``add`` may move any
    note; the facilitator may edit anyone's items where they hold ``add`` and delete
    anyone's anywhere. A closed
    session grants nothing. (tests/core check this table against the reducer.)
    """
    if state.closed:
        return {}
    rights: dict[SectionRight, list[Role]] = {}
    closed_vote = vote_revealed(state, section)
    for right in METHOD_RIGHTS:
        if right == "vote" and closed_vote:
            continue  # the reveal closed the vote
        if roles := _ordered(roles_with(state, right, section)):
            rights[right] = roles
    add = set(rights.get("add", []))
    if add:
        rights["edit_own"] = rights["move"] = rights["delete_own"] = _ordered(add)
    if "facilitator" in add:
        rights["edit_any"] = ["facilitator"]
    rights["delete_any"] = ["facilitator"]
    if override(state, section) is True:
        config = step_section(state, section)
        if config is not None and config.add:
            rights["add_when_unlocked"] = _ordered(set(config.add))
    return rights
