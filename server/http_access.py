"""Which session and which link an HTTP request speaks for: the link token comes as
``Authorization: Bearer <token>`` (never in the URL) and is resolved by
``server.links.link_kind``, the same resolver the hub uses."""

from __future__ import annotations

from starlette.requests import Request

from server.links import LinkKind, link_kind
from server.store.base import SessionMeta
from server.tokens import is_session_id


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def session_link(request: Request) -> tuple[SessionMeta, LinkKind] | None:
    """The session named in the path and the kind of link its bearer token is, or None
    (answer ``not_found()``). Unknown sessions cost the same hashing work as wrong
    tokens."""
    session_id = request.path_params["session_id"]
    meta = None
    if is_session_id(session_id):
        meta = await request.app.state.store.get_session(session_id)
    kind = link_kind(meta, bearer_token(request))
    return None if meta is None or kind is None else (meta, kind)


async def facilitator_session(request: Request) -> SessionMeta | None:
    """The session named in the path if the bearer token is its facilitator link."""
    access = await session_link(request)
    return access[0] if access is not None and access[1] is LinkKind.FACILITATOR else None
