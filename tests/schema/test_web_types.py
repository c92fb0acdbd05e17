"""The browser client's types and texts stay in step with the protocol."""

from __future__ import annotations

import json
import re
from pathlib import Path

from server.core import errors
from server.core.reducer import MARKS_KEPT
from server.hub import codes
from shared_schema.codes import ANSWERS_KEPT, MAX_IN_FLIGHT, CloseCode, HttpErrorCode, RejectCode
from shared_schema.javascript import JS_PATH, render_js
from shared_schema.typescript import DTS_PATH, render_dts

WEB = Path(__file__).resolve().parents[2] / "web"
CATALOGS = {lang: json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
            for lang in ("nl", "en")}
CLOSE_CODES_SHOWN = (1008, 4002, 4003, 4004, 4005, 4006)
"""Close codes after which the client stops and explains (docs/protocol.md section 6)."""
HTTP_CODES = ("invalid_request", "unknown_method", "too_large")
EXPORT_CODES = ("not_found", "export_disabled", "not_closed")
assert {*HTTP_CODES, *EXPORT_CODES} <= {c.value for c in HttpErrorCode}


def test_typescript_declarations_are_fresh() -> None:
    assert DTS_PATH.read_text(encoding="utf-8") == render_dts(), (
        "web/types/protocol.d.ts is stale: run `python -m shared_schema.typescript`")


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    nl, en = CATALOGS["nl"], CATALOGS["en"]
    assert sorted(nl) == sorted(en)
    for key in nl:
        assert set(re.findall(r"\{\w+\}", nl[key])) == set(re.findall(r"\{\w+\}", en[key])), key
        assert nl[key].strip() and en[key].strip(), key


def test_every_error_rejection_and_close_code_is_explained() -> None:
    error_codes = [v for k, v in vars(codes).items() if k.isupper() and isinstance(v, str)]
    reject_codes = list(errors.REJECT_CODES)
    wanted = [*error_codes, *reject_codes, *HTTP_CODES, "replaced", "network", "unknown",
              *(f"close_{c}" for c in CLOSE_CODES_SHOWN), *(f"export_{c}" for c in EXPORT_CODES)]
    assert len(error_codes) >= 10 and len(reject_codes) >= 10
    for lang, catalog in CATALOGS.items():
        missing = [code for code in wanted if f"error.{code}" not in catalog]
        assert missing == [], (lang, missing)


def test_every_text_key_used_by_the_client_is_in_the_catalogs() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (WEB / "js").glob("*.js"))
    used = set(re.findall(r'"((?:[a-z]+)\.[a-z_][a-z_.0-9]*)"', source))
    used = {key for key in used if not key.endswith(".js") and not key.startswith("iv.")}
    assert len(used) > 100
    for lang, catalog in CATALOGS.items():
        assert sorted(used - set(catalog)) == [], lang


def test_catalog_families_cover_the_schema() -> None:
    schema = json.loads((Path(__file__).resolve().parents[2] / "shared_schema" / "schema.json")
                        .read_text(encoding="utf-8"))
    defs = schema["$defs"]
    ops = [tag for tag in schema["roots"]["client_message"]["discriminator"]["mapping"]
           if tag != "hello"]
    kinds = defs["SectionDef"]["properties"]["kind"]["enum"]
    roles = defs["Participant"]["properties"]["role"]["enum"]
    colors = defs["Item"]["properties"]["color"]["enum"]
    ratings = defs["Item"]["properties"]["rating"]["anyOf"][0]["enum"]
    filters = defs["StepSection"]["properties"]["filter"]["items"]["enum"]
    rights = [k for k in defs["StepSection"]["properties"]
              if k not in ("section", "hidden", "hide_ratings", "filter", "open_questions")]
    assert sorted(rights) == ["add", "choose", "circle", "rate", "vote"]
    wanted = [*(f"op.{o}" for o in ops), *(f"add.label.{k}" for k in kinds),
              *(f"add.placeholder.{k}" for k in kinds), *(f"role.{r}" for r in roles),
              *(f"role.plural.{r}" for r in roles), *(f"color.{c}" for c in colors),
              *(f"rating.{r}" for r in ratings), *(f"rating.short.{r}" for r in ratings),
              *(f"filter.{f}" for f in filters), *(f"rights.{r}" for r in rights),
              *(f"export.{f}" for f in ("pdf", "md", "csv", "json"))]
    for lang, catalog in CATALOGS.items():
        assert [key for key in wanted if key not in catalog] == [], lang


def test_browser_codes_and_limits_are_generated_from_shared_schema() -> None:
    assert JS_PATH.read_text(encoding="utf-8") == render_js(), (
        "web/js/protocol.js is stale: run `python -m shared_schema`")


def test_browser_hard_codes_no_close_code_or_limit() -> None:
    """Close codes and protocol limits reach the browser only through protocol.js."""
    for path in (WEB / "js").glob("*.js"):
        if path == JS_PATH:
            continue
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(1001|1008|1012|1013|400[1-9])\b", source), path.name
        assert "replaced by a newer connection" not in source, path.name


def test_server_names_are_the_shared_codes() -> None:
    assert {c.value for c in CloseCode} >= {
        v for k, v in vars(codes).items() if k.isupper() and isinstance(v, int)}
    assert set(errors.REJECT_CODES) == {c.value for c in RejectCode}
    assert MAX_IN_FLIGHT < ANSWERS_KEPT == MARKS_KEPT
    assert len({c.value for c in CloseCode}) == len(CloseCode)
