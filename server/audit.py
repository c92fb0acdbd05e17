"""Audit trail of privileged actions.

One log line per action on the ``intervisiebord.audit`` logger: time, session id,
pseudonymous actor (a participant id or a link kind, never a name) and the action.
Invariant: callers pass no item text, no display name and no token; ``detail`` is a
short fixed word (a step index, a section key, a role name).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

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
    ATTENDANCE = "attendance"


def record(action: AuditAction, session_id: str, actor: str, detail: str = "") -> None:
    """Write one audit line; ``detail`` must never hold user text or secrets."""
    log.info(
        "audit time=%s action=%s session=%s actor=%s detail=%s",
        datetime.now(UTC).isoformat(timespec="milliseconds"),
        action.value,
        session_id,
        actor,
        detail,
    )


def open_audit_file(path: Path) -> logging.Handler:
    """Also append the audit lines to ``path`` (whatever the log level); the caller
    removes and closes the returned handler at shutdown."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler
