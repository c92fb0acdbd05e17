"""Session ids and capability tokens: 128 bits from the OS CSPRNG, stored hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ID_BYTES = 16


def new_id() -> str:
    return secrets.token_hex(ID_BYTES)


def new_token() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)
