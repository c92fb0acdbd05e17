"""HTTP helpers for the attendance record: a member's requests carry their client id
(``Authorization: Member <client id>``); PDFs are read back as text."""

from __future__ import annotations

import io
import json
import urllib.request
from typing import Any

import pypdf

from tests.support.http import Answer, request
from tests.support.server import ServerProcess


def as_member(server: ServerProcess, method: str, path: str, client_id: str) -> Answer:
    req = urllib.request.Request(server.base + path, method=method,
                                 headers={"authorization": f"Member {client_id}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()},
                          response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())


def view(server: ServerProcess, session_id: str, client_id: str) -> dict[str, Any]:
    answer = as_member(server, "GET", f"/api/attendance/{session_id}", client_id)
    assert answer.status == 200, answer.body
    result: dict[str, Any] = answer.json()
    return result


def accept(server: ServerProcess, session_id: str, token: str, client_id: str) -> int:
    """Accept the session's agreement at the door, as the join form does."""
    return request(server, "POST", f"/api/sessions/{session_id}/agreement/accept", token,
                   {"client_id": client_id}).status


def verify(server: ServerProcess, code: str) -> dict[str, Any]:
    answer = request(server, "GET", f"/api/attendance/verify/{code}")
    assert answer.status == 200
    result: dict[str, Any] = json.loads(answer.body)
    return result


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


def code_in(text: str) -> str:
    """The verification code printed in a PDF's text."""
    for token in text.replace("\n", " ").split():
        if token.count("-") == 5 and len(token) == 29:
            return token
    raise AssertionError("no verification code in:\n" + text)
