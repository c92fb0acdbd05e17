"""A step of a method as each role would see it, computed by the core itself.

Pure: a throw-away board plays the method up to the step (a facilitator, a presenter
and a participant join; the facilitator names the presenter and opens the step),
then each shown section gets one example item from the first role the step lets add
there. What each role sees is ``board_view``, exactly what a welcome would carry, so
the preview shows the server's rules (rights, hidden items, sealed ratings), never
a copy of them.
"""

from __future__ import annotations

from typing import Final

from server.core.records import Join
from server.core.reducer import Actor, apply
from server.core.state import new_state, participant_id
from server.core.visibility import board_view
from shared_schema.board import Board, Language, Role
from shared_schema.client import AddItem, AssignRole, LockSection, SetStep
from shared_schema.method import Method

PREVIEW_SESSION = "preview"
ROLES: Final[tuple[Role, ...]] = ("facilitator", "presenter", "participant")
_CLIENTS: Final[dict[Role, str]] = {role: f"preview-{role}" for role in ROLES}
WRITERS: Final[tuple[Role, ...]] = ("participant", "presenter", "facilitator")
NAMES: Final[dict[Language, dict[Role, str]]] = {
    "nl": {"facilitator": "Begeleider", "presenter": "Inbrenger", "participant": "Deelnemer"},
    "en": {"facilitator": "Facilitator", "presenter": "Presenter", "participant": "Participant"},
}
EXAMPLE: Final[dict[Language, str]] = {"nl": "Voorbeeld van een item", "en": "An example item"}


def member_id(role: Role) -> str:
    return participant_id(PREVIEW_SESSION, _CLIENTS[role])


def preview(method: Method, step: int, language: Language) -> dict[Role, Board]:
    """The board each role sees in step ``step`` (an index into the framed method's
    steps) of a fresh session of ``method``."""
    state = new_state(PREVIEW_SESSION, "Preview", language, method)
    seq = 0

    def act(role: Role, op: object) -> bool:
        nonlocal seq
        seq += 1
        result = apply(state, op, Actor(_CLIENTS[role], 0, seq, 0))  # type: ignore[arg-type]
        return type(result).__name__ == "Applied"

    names = NAMES[language]
    act("facilitator", Join(name=names["facilitator"], via="facilitator"))
    act("presenter", Join(name=names["presenter"], via="participant"))
    act("participant", Join(name=names["participant"], via="participant"))
    act("facilitator", AssignRole(client_seq=0, participant_id=member_id("presenter"),
                                  role="presenter"))
    if step:
        act("facilitator", SetStep(client_seq=0, step=step))
    definitions = {section.id: section for section in method.sections}
    for index, entry in enumerate(method.steps[step].sections):
        lanes = definitions[entry.section].lanes
        op = AddItem(client_seq=0, item_id=f"example-{index}", section=entry.section,
                     text=EXAMPLE[language], lane=lanes[0].id if lanes else None, x=24.0, y=24.0)
        if any(act(role, op) for role in WRITERS):
            continue
        # nobody adds here in this step: the facilitator unlocks it for a moment
        act("facilitator", LockSection(client_seq=0, section=entry.section, locked=False))
        any(act(role, op) for role in WRITERS)
        act("facilitator", LockSection(client_seq=0, section=entry.section, locked=None))
    return {role: board_view(state, member_id(role)) for role in ROLES}
