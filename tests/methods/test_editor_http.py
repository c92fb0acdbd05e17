"""The editor's endpoints in-process: validation by the loader with field paths and
translated messages, nothing invalid stored, ownership by browser key, publishing
behind the operator setting, and TOML import/export in the --methods-dir format."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.methods.loader import DATA_DIR, load_methods
from shared_schema.method import Method

KEY = "k" * 40
OTHER = "o" * 40


def app_client(tmp_path: Path, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path, **settings)))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with app_client(tmp_path) as test_client:
        yield test_client


def tienstappen() -> dict[str, Any]:
    return tomllib.loads((DATA_DIR / "tienstappen.toml").read_text(encoding="utf-8"))


def edited() -> dict[str, Any]:
    """Tienstappen without its 'follow_up' step and with a silent round added."""
    data = tienstappen()
    data["id"] = "tienstappen_stil"
    data["steps"] = [s for s in data["steps"] if s["id"] != "follow_up"]
    data["sections"].append({"id": "silent", "kind": "list",
                             "title": {"nl": "Stille ronde", "en": "Silent round"}})
    data["steps"].insert(2, {
        "id": "silent_round", "minutes": 5,
        "title": {"nl": "Stille ronde", "en": "Silent round"},
        "instruction": {"nl": "Schrijf in stilte.", "en": "Write in silence."},
        "sections": [{"section": "silent", "add": ["participant"], "rate": ["presenter"],
                      "hidden": True}],
    })
    return data


def save(client: TestClient, data: dict[str, Any], key: str = KEY) -> dict[str, Any]:
    answer = client.post("/api/saved-methods", json={"method": data}, headers={"x-method-key": key})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_check_answers_the_decoded_method(client: TestClient) -> None:
    answer = client.post("/api/methods/check", json={"method": edited()})
    assert answer.status_code == 200, answer.text
    method = msgspec.convert(answer.json()["method"], Method)
    assert [s.id for s in method.steps][:3] == ["introduce", "ask", "silent_round"]


INVALID: list[tuple[str, Any, str, str, str]] = [
    # (name, edit, path, code, words of the Dutch message)
    ("missing_title", lambda d: d["steps"][1]["title"].update(nl=""),
     "$.steps[1].title.nl", "too_short", "Vul dit veld in"),
    ("title_absent", lambda d: d["steps"][1].pop("title"),
     "$.steps[1].title", "missing_field", "ontbreekt"),
    ("unknown_role", lambda d: d["steps"][2]["sections"][0]["add"].append("gast"),
     "$.steps[2].sections[0].add[1]", "invalid_choice", "'gast'"),
    ("lanes_on_questions", lambda d: d["sections"][1].update(
        lanes=[{"id": "a", "title": {"nl": "A", "en": "A"}}]),
     "$.sections[1].lanes", "lanes_not_allowed", "kolommen"),
    ("filter_never_shown", lambda d: d["steps"][0]["sections"][0].update(filter=["warm"]),
     "$.steps[0].sections[0].filter", "filter_before_shown", "eerdere stap"),
    ("minutes", lambda d: d["steps"][3].update(minutes=500),
     "$.steps[3].minutes", "too_large", "240"),
    ("step_id", lambda d: d["steps"][3].update(id="Stap 4"),
     "$.steps[3].id", "bad_id", "kleine letters"),
    ("duplicate_step", lambda d: d["steps"][4].update(id=d["steps"][3]["id"]),
     "$.steps[4].id", "duplicate_id", "al eerder"),
    ("sheets_on_list", lambda d: d["sections"][1].update(sheets=2),
     "$.sections[1].sheets", "sheets_not_allowed", "blad"),
    ("sealed_without_rating", lambda d: d["steps"][0]["sections"][0].update(hide_ratings=True),
     "$.steps[0].sections[0].hide_ratings", "sealed_without_rating", "waarderen"),
    ("hidden_without_add", lambda d: d["steps"][3]["sections"][0].update(hidden=True),
     "$.steps[3].sections[0].hidden", "hidden_without_add", "toevoegen"),
    ("unknown_section", lambda d: d["steps"][3]["sections"][0].update(section="weg"),
     "$.steps[3].sections[0].section", "unknown_section", "'weg'"),
    ("frame_section_id", lambda d: d["sections"][0].update(id="checkin"),
     "$.sections[0].id", "frame_section", "sessiekader"),
    ("no_steps", lambda d: d.update(steps=[]), "$.steps", "too_few", "minstens 1"),
]


@pytest.mark.parametrize(("edit", "path", "code", "words"),
                         [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_edit_names_the_field_and_saves_nothing(
    client: TestClient, edit: Any, path: str, code: str, words: str
) -> None:
    data = edited()
    edit(data)
    answer = client.post("/api/methods/check", json={"method": data, "language": "nl"})
    assert answer.status_code == 422
    problem = answer.json()["problems"][0]
    assert (problem["path"], problem["code"]) == (path, code)
    assert words in problem["message"]
    english = client.post("/api/methods/check", json={"method": data, "language": "en"})
    assert english.json()["problems"][0]["path"] == path
    assert english.json()["problems"][0]["message"] != problem["message"]

    refused = client.post("/api/saved-methods", json={"method": data},
                          headers={"x-method-key": KEY})
    assert refused.status_code == 422 and refused.json()["problems"][0]["path"] == path
    first = save(client, edited())
    changed = client.put(f"/api/saved-methods/{first['saved_id']}",
                         json={"method": data, "version": 1}, headers={"x-method-key": KEY})
    assert changed.status_code == 422
    listed = client.get("/api/saved-methods", headers={"x-method-key": KEY}).json()
    assert [(m["saved_id"], m["version"]) for m in listed["mine"]] == [(first["saved_id"], 1)]
    stored = client.get(f"/api/saved-methods/{first['saved_id']}", headers={"x-method-key": KEY})
    assert stored.json()["method"] == client.post(
        "/api/methods/check", json={"method": edited()}).json()["method"]


def test_loader_refuses_the_same_in_a_methods_dir(tmp_path: Path) -> None:
    """The editor's rules are the loader's: a file with the edit is refused at start."""
    import tomli_w

    from server.methods.loader import MethodError

    data = edited()
    data["steps"][0]["sections"][0]["filter"] = ["warm"]
    folder = tmp_path / "methods"
    folder.mkdir()
    (folder / "stil.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    with pytest.raises(MethodError, match=r"\$\.steps\[0\]\.sections\[0\]\.filter"):
        load_methods([folder])


def test_export_loads_from_a_methods_dir_and_equals_the_edited(client: TestClient,
                                                               tmp_path: Path) -> None:
    saved = save(client, edited())
    exported = client.get(f"/api/saved-methods/{saved['saved_id']}/export",
                          headers={"x-method-key": KEY})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/toml")
    folder = tmp_path / "methods"
    folder.mkdir()
    (folder / "tienstappen_stil.toml").write_text(exported.text, encoding="utf-8")
    loaded = load_methods([folder], framed=False)["tienstappen_stil"]
    assert loaded == msgspec.convert(edited(), Method)
    unsaved = client.post("/api/methods/export", json={"method": edited()})
    assert unsaved.text == exported.text


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_method_imported_and_exported_gives_the_same_data(client: TestClient,
                                                                  path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    imported = client.post("/api/methods/check", json={"toml": text})
    assert imported.status_code == 200
    exported = client.post("/api/methods/export", json={"method": imported.json()["method"]})
    again = msgspec.convert(tomllib.loads(exported.text), Method)
    assert again == msgspec.convert(tomllib.loads(text), Method)
    assert client.get(f"/api/methods/{path.stem}/export").text == exported.text


def test_import_of_broken_toml_names_the_place(client: TestClient) -> None:
    answer = client.post("/api/methods/check", json={"toml": 'id = "half', "language": "en"})
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["code"] == "invalid_toml_end"
    assert "data" not in answer.json(), "nothing was read, so nothing is loaded"
    broken = 'id = "x"\nvote_budget = 3\nname = { nl = "A" en = "B" }\n'
    for language, words in (("nl", ["regel 3", "teken"]), ("en", ["line 3", "character"])):
        answer = client.post("/api/methods/check", json={"toml": broken, "language": language})
        [problem] = answer.json()["problems"]
        assert problem["code"] == "invalid_toml" and problem["path"] == "$"
        assert all(word in problem["message"] for word in words), problem
        if language == "nl":  # the parser's English wording stays out
            assert "Expected" not in problem["message"] and "Invalid" not in problem["message"]


def test_methods_belong_to_the_browser_key(client: TestClient) -> None:
    saved = save(client, edited())
    url = f"/api/saved-methods/{saved['saved_id']}"
    for headers in ({"x-method-key": OTHER}, {}):
        assert client.get(url, headers=headers).status_code == 404
        assert client.get(url + "/export", headers=headers).status_code == 404
        assert client.put(url, json={"method": edited(), "version": 1},
                          headers=headers).status_code == 404
        assert client.delete(url, headers=headers).status_code == 404
        listed = client.get("/api/saved-methods", headers=headers).json()
        assert listed["mine"] == [] and listed["published"] == []
        session = client.post("/api/sessions", headers=headers,
                              json={"title": "x", "saved_method": saved["saved_id"]})
        assert session.status_code == 400
    assert client.post("/api/saved-methods", json={"method": edited()}).status_code == 400
    stale = client.put(url, json={"method": edited(), "version": 7}, headers={"x-method-key": KEY})
    assert stale.status_code == 409
    assert client.delete(url, headers={"x-method-key": KEY}).status_code == 204
    assert client.get(url, headers={"x-method-key": KEY}).status_code == 404


def test_publishing_needs_the_operator_setting(client: TestClient, tmp_path: Path) -> None:
    saved = save(client, edited())
    url = f"/api/saved-methods/{saved['saved_id']}/publish"
    assert client.get("/api/saved-methods").json()["may_publish"] is False
    refused = client.post(url, json={"published": True}, headers={"x-method-key": KEY})
    assert refused.status_code == 403 and refused.json()["code"] == "publishing_disabled"
    seen = client.get("/api/saved-methods", headers={"x-method-key": OTHER}).json()
    assert seen["published"] == []

    with app_client(tmp_path / "open", publish_methods=True) as open_client:
        mine = save(open_client, edited())
        url = f"/api/saved-methods/{mine['saved_id']}/publish"
        assert open_client.post(url, json={"published": True},
                                headers={"x-method-key": OTHER}).status_code == 404
        answer = open_client.post(url, json={"published": True}, headers={"x-method-key": KEY})
        assert answer.status_code == 200
        seen = open_client.get("/api/saved-methods", headers={"x-method-key": OTHER}).json()
        assert [m["saved_id"] for m in seen["published"]] == [mine["saved_id"]]
        other_url = f"/api/saved-methods/{mine['saved_id']}"
        assert open_client.get(other_url, headers={"x-method-key": OTHER}).json()["mine"] is False
        assert open_client.put(other_url, json={"method": edited(), "version": 2},
                               headers={"x-method-key": OTHER}).status_code == 404
        session = open_client.post("/api/sessions", headers={"x-method-key": OTHER},
                                   json={"title": "x", "saved_method": mine["saved_id"]})
        assert session.status_code == 201


def test_preview_shows_each_role_what_the_server_would(client: TestClient) -> None:
    answer = client.post("/api/methods/preview", json={"method": edited(), "step": 2})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["method"]["steps"][body["step"]]["id"] == "silent_round"
    views = body["views"]
    participant = views["participant"]["board"]
    presenter = views["presenter"]["board"]
    # the participant's example item is hidden until revealed: only its author sees it
    assert [i["section"] for i in participant["items"]] == ["silent"]
    assert presenter["items"] == [] and views["facilitator"]["board"]["items"] == []
    silent = next(s for s in presenter["sections"] if s["id"] == "silent")
    assert silent["hidden"] is True and silent["hidden_count"] == 1
    bad = copy.deepcopy(edited())
    bad["steps"][2]["minutes"] = -1
    assert client.post("/api/methods/preview", json={"method": bad, "step": 2}).status_code == 422


def test_every_problem_text_exists_in_both_languages() -> None:
    from server.methods.messages import TEXTS

    assert set(TEXTS["nl"]) == set(TEXTS["en"])


def test_publish_setting_is_a_flag_and_a_variable() -> None:
    import argparse

    from server.config import add_arguments, settings_from

    assert settings_from(None, {}).publish_methods is False
    assert settings_from(None, {"INTERVISIEBORD_PUBLISH_METHODS": "true"}).publish_methods
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--publish-methods", "no"])
    assert settings_from(args, {"INTERVISIEBORD_PUBLISH_METHODS": "1"}).publish_methods is False


@pytest.mark.redis
def test_saved_methods_with_redis(tmp_path: Path, redis_url: str, redis_prefix: str) -> None:
    """With --redis-url the saved methods live in Redis: a second hub sees them."""
    settings = {"redis_url": redis_url, "redis_prefix": redis_prefix}
    with app_client(tmp_path / "a", **settings) as first, \
            app_client(tmp_path / "b", **settings) as second:
        saved = save(first, edited())
        mine = second.get("/api/saved-methods", headers={"x-method-key": KEY}).json()["mine"]
        assert [m["saved_id"] for m in mine] == [saved["saved_id"]]
        session = second.post("/api/sessions", headers={"x-method-key": KEY},
                              json={"title": "x", "saved_method": saved["saved_id"]})
        assert session.status_code == 201
    assert not (tmp_path / "a" / "methods.sqlite3").exists()


def test_every_empty_text_is_named_at_once(client: TestClient) -> None:
    """Type checks stop at the first problem; empty texts are all named together (and
    the rest of the method is still checked as if they were filled in)."""
    blank = {"nl": "", "en": ""}
    method = {"id": "mijn_methode", "name": blank, "summary": {"nl": "Kort", "en": ""},
              "vote_budget": 3, "sections": [],
              "steps": [{"id": "stap_1", "title": blank, "instruction": blank,
                         "minutes": 999, "sections": []}]}
    answer = client.post("/api/methods/check", json={"method": method, "language": "nl"})
    assert answer.status_code == 422
    problems = [(p["path"], p["code"]) for p in answer.json()["problems"]]
    assert problems == [
        ("$.name.nl", "too_short"), ("$.name.en", "too_short"), ("$.summary.en", "too_short"),
        ("$.steps[0].title.nl", "too_short"), ("$.steps[0].title.en", "too_short"),
        ("$.steps[0].instruction.nl", "too_short"), ("$.steps[0].instruction.en", "too_short"),
        ("$.steps[0].minutes", "too_large"),
    ]
