"""Which applied ops are privileged actions, and their audit lines.

Called by the room after an op was applied (server/core stays pure). The actor is
the sender's participant id (a pseudonym); ``detail`` holds only a step index, a
section key, a role name, a flag or a participant id, never text, names or tokens.
"""

from __future__ import annotations

from server.audit import AuditAction, record
from shared_schema.client import (
    AssignRole,
    LockSection,
    RemoveParticipant,
    RevealSection,
    SetAnonymous,
    SetStep,
)


def audit_op(session_id: str, actor: str, op: object) -> None:
    """Record ``op`` if it is a privileged action; other ops are not audited."""
    match op:
        case LockSection(section=section, locked=locked):
            action = AuditAction.UNLOCK if locked is False else AuditAction.LOCK
            detail = section if locked is not None else f"{section} default"
            record(action, session_id, actor, detail)
        case SetStep(step=step):
            record(AuditAction.STEP, session_id, actor, str(step))
        case AssignRole(participant_id=target, role=role):
            record(AuditAction.ROLE, session_id, actor, f"{target} {role}")
        case RemoveParticipant(participant_id=target):
            record(AuditAction.REMOVE, session_id, actor, target)
        case RevealSection(section=section):
            record(AuditAction.REVEAL, session_id, actor, section)
        case SetAnonymous(anonymous=anonymous):
            record(AuditAction.ANONYMITY, session_id, actor, "on" if anonymous else "off")
        case _:
            # close_session and set_export are audited by the room once their
            # snapshot is stored (Room._store_then_answer); item ops are not audited
            pass
