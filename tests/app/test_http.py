"""HTTP endpoints and settings, driven in-process with Starlette's TestClient."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings, add_arguments, settings_from


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=tmp_path))) as test_client:
        yield test_client


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_create_session_returns_id_and_two_links(client: TestClient) -> None:
    response = client.post("/api/sessions", json={"title": "Casus mei", "method": "tienstappen",
                                                  "language": "en"})
    assert response.status_code == 201
    body = response.json()
    session_id = body["session_id"]
    assert len(session_id) == 32 and int(session_id, 16) >= 0
    for link in (body["facilitator_link"], body["invite_link"]):
        path, _, fragment = link.partition("#k=")
        assert path.endswith(f"/s/{session_id}")
        assert len(fragment) >= 22, "token must carry >= 128 bits"
    assert body["facilitator_link"] != body["invite_link"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, "invalid_request"),
        (b'{"title": "", "method": "tienstappen"}', 400, "invalid_request"),
        (b'{"title": "x", "method": "tienstappen", "extra": 1}', 400, "invalid_request"),
        (b'{"title": "x", "method": "tienstappen", "language": "de"}', 400, "invalid_request"),
        (b'{"title": "x", "method": "nope"}', 400, "unknown_method"),
    ],
)
def test_create_session_rejects_bad_requests(client: TestClient, body: bytes, status: int,
                                             code: str) -> None:
    response = client.post("/api/sessions", content=body)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_methods_are_listed(client: TestClient) -> None:
    methods = {m["id"]: m for m in client.get("/api/methods").json()}
    assert methods["tienstappen"]["steps"] == 13  # 10 + the frame
    detail = client.get("/api/methods/tienstappen").json()
    assert detail["steps"][4]["sections"][1]["rate"] == ["presenter"]
    assert client.get("/api/methods/nope").status_code == 404


def test_pages_are_served(client: TestClient) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/s/" + "a" * 32).status_code == 200


def test_settings_from_flags_and_environment() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    env = {"INTERVISIEBORD_PORT": "9001", "INTERVISIEBORD_ALLOWED_ORIGIN": "https://a.nl,https://b.nl",
           "INTERVISIEBORD_DATA_DIR": "/srv/ivb"}
    settings = settings_from(parser.parse_args([]), env)
    assert settings.port == 9001
    assert settings.allowed_origins == {"https://a.nl", "https://b.nl"}
    assert settings.data_dir == Path("/srv/ivb")
    flagged = settings_from(parser.parse_args(["--port", "9002", "--host", "0.0.0.0"]), env)
    assert flagged.port == 9002 and flagged.host == "0.0.0.0"
    assert settings_from(parser.parse_args([]), {}) == Settings()
