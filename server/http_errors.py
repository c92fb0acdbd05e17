"""The one error shape of the HTTP API: ``{"code": ..., "reason": ...}`` with a code
from ``shared_schema.codes.HttpErrorCode`` (documented in docs/protocol.md)."""

from __future__ import annotations

from starlette.responses import JSONResponse

from shared_schema.codes import HttpErrorCode


def http_error(status: int, code: HttpErrorCode, reason: str) -> JSONResponse:
    return JSONResponse({"code": code.value, "reason": reason}, status_code=status)


def not_found() -> JSONResponse:
    """The one answer for an unknown session, a wrong token and a missing token."""
    return http_error(404, HttpErrorCode.NOT_FOUND, "unknown session or wrong link")
