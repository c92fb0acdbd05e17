"""Audit trail of privileged actions.

One log line per action on the ``intervisiebord.audit`` logger: time, session id,
pseudonymous actor (a participant id or a link kind, never a name) and the action.
Invariant: callers pass no item text, no display name and no token; ``detail`` is a
short fixed word (a step index, a section key, a role name).
"""

from __future__ import annotations

import logging
from enum import StrEnum

AUDIT_LOGGER = "intervisiebord.audit"

log = logging.getLogger(AUDIT_LOGGER)


class AuditAction(StrEnum):
    LOCK = "lock"
    UNLOCK = "unlock"
    REVEAL = "reveal"
    STEP = "step"
    ROLE = "role"
    REMOVE = "remove"
    ANONYMITY = "anonymity"
    CLOSE = "close"
    EXPORT = "export"
    EXPORT_SETTING = "export_setting"
    DELETE = "delete"
    ROTATE_INVITE = "rotate_invite"


def record(action: AuditAction, session_id: str, actor: str, detail: str = "") -> None:
    """Write one audit line; ``detail`` must never hold user text or secrets."""
    log.info(
        "audit action=%s session=%s actor=%s detail=%s", action.value, session_id, actor, detail
    )
