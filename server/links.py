"""Which link a capability token is: the one resolver for the hub, the API and exports.

Pure: takes the session's stored hashes and the presented token. Every check does the
same hashing work whether or not the session exists, so an unknown session costs as
long as a wrong token.
"""

from __future__ import annotations

from enum import StrEnum

from server.store.base import SessionMeta
from server.tokens import token_hash, token_matches


class LinkKind(StrEnum):
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"
    RETURNING = "returning"
    """A rotated-away invite link: admits only members who joined with it before."""
    PRESENTER = "presenter"
    """A group member's own key where the meeting's plan names them presenter (a group
    member's key is otherwise ``FACILITATOR`` or ``PARTICIPANT`` as the plan says)."""


_MEMBER_KINDS = {
    "facilitator": LinkKind.FACILITATOR,
    "presenter": LinkKind.PRESENTER,
    "participant": LinkKind.PARTICIPANT,
}


def link_kind(meta: SessionMeta | None, token: str, *, retired: bool = False) -> LinkKind | None:
    """The kind of link ``token`` is for ``meta``, or None. Retired invite links count
    (as ``RETURNING``) only where the caller can check membership (``retired``)."""
    facilitator = token_matches(token, meta.facilitator_hash if meta else None)
    invite = token_matches(token, meta.invite_hash if meta else None)
    if facilitator:
        return LinkKind.FACILITATOR
    if invite:
        return LinkKind.PARTICIPANT
    if retired and meta is not None and any(
        token_matches(token, h) for h in meta.retired_invite_hashes
    ):
        return LinkKind.RETURNING
    if meta is not None and meta.member_roles:
        # a group meeting: a member's own key, with the role the plan gives them
        return _MEMBER_KINDS.get(meta.member_roles.get(token_hash(token), ""))
    return None


def exports_when_off(via: LinkKind) -> bool:
    """Whether a holder of this kind of link may export while the facilitator has
    switched participant export off: only the facilitator link (a member key the plan
    made facilitator counts as one)."""
    return via == LinkKind.FACILITATOR


def is_member_key(meta: SessionMeta | None, token: str) -> bool:
    """Whether ``token`` is a group member's key of this (group meeting) session."""
    return meta is not None and token_hash(token) in meta.member_roles
