"""Session ids and capability tokens: 128 bits from the OS CSPRNG, stored hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ID_BYTES = 16
ID_LENGTH = 2 * ID_BYTES
"""Session ids are ``ID_BYTES`` random bytes in hex."""
RETIRED_KEPT = 8
"""Rotated-away invite hashes kept per session (see ``SessionMeta``)."""
_NO_HASH = "0" * 64


def is_session_id(text: str) -> bool:
    return len(text) == ID_LENGTH and all(c in "0123456789abcdef" for c in text)


def new_id() -> str:
    return secrets.token_hex(ID_BYTES)


def new_token() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str | None) -> bool:
    """Constant-time check; with no stored hash it does the same work and fails, so
    an unknown session costs as long as a wrong token."""
    return hmac.compare_digest(token_hash(token), stored_hash or _NO_HASH) and bool(stored_hash)
