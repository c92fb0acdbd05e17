"""The web client's pages and files, served with the security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import WEB_DIR, create_app
from server.config import Settings
from server.security import CONTENT_SECURITY_POLICY

SESSION = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=tmp_path))) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/", f"/s/{SESSION}", "/static/js/app.js",
                                  "/static/css/app.css", "/static/i18n/nl.json", "/healthz"])
def test_pages_and_files_carry_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_start_and_board_page_are_the_same_shell(client: TestClient) -> None:
    assert client.get("/").text == client.get(f"/s/{SESSION}").text


def test_markup_has_no_inline_script_or_style() -> None:
    """The CSP allows neither; scripts and styles come from files."""
    html = (WEB_DIR / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html and " style=" not in html
    for module in (WEB_DIR / "js").glob("*.js"):
        source = module.read_text(encoding="utf-8")
        assert "innerHTML" not in source and 'setAttribute("style"' not in source, module.name
