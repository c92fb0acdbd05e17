"""Methods are data: the bundled ones load, user files load, broken files are refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from server.core.records import Join
from server.core.reducer import Actor, Applied, apply
from server.core.state import new_state
from server.methods.loader import DATA_DIR, MethodError, load_method_file, load_methods
from shared_schema.client import AddItem
from shared_schema.method import Localized, Method

BUNDLED_FILES = sorted(DATA_DIR.glob("*.toml"))
STEP_COUNTS = {
    "tienstappen": 10,
    "dominante_ideeen": 7,
    "leren_van_successen": 5,
    "dialoog": 6,
    "roddelmethode": 6,
}

USER_METHOD = """\
# A method a team wrote itself: no code needed.
id = "mijn_methode"
vote_budget = 2

[name]
nl = "Mijn methode"
en = "My method"

[summary]
nl = "Twee korte stappen."
en = "Two short steps."

[[sections]]
id = "ideas"
kind = "ideas"
[sections.title]
nl = "Ideeën"
en = "Ideas"

[[steps]]
id = "collect"
minutes = 7
[steps.title]
nl = "Verzamelen"
en = "Collect"
[steps.instruction]
nl = "Schrijf ideeën op."
en = "Write ideas down."
[[steps.sections]]
section = "ideas"
add = ["facilitator", "participant"]

[[steps]]
id = "close"
[steps.title]
nl = "Afronden"
en = "Wrap up"
[steps.instruction]
nl = "Kies er een."
en = "Pick one."
[[steps.sections]]
section = "ideas"
choose = ["facilitator"]
"""


def test_every_bundled_file_is_found() -> None:
    assert {path.stem for path in BUNDLED_FILES} == set(STEP_COUNTS)


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=lambda p: p.stem)
def test_bundled_method_loads(path: Path) -> None:
    method = load_method_file(path)
    assert isinstance(method, Method)
    assert method.id == path.stem
    section_ids = {section.id for section in method.sections}
    for step in method.steps:
        assert {entry.section for entry in step.sections} <= section_ids


def test_load_methods_returns_every_bundled_method() -> None:
    methods = load_methods(framed=False)
    assert set(methods) == set(STEP_COUNTS)
    assert all(key == method.id for key, method in methods.items())


@pytest.mark.parametrize(("method_id", "count"), STEP_COUNTS.items())
def test_step_counts(method_id: str, count: int) -> None:
    assert len(load_methods(framed=False)[method_id].steps) == count


def test_roddelmethode_minutes() -> None:
    method = load_methods(framed=False)["roddelmethode"]
    assert [step.minutes for step in method.steps] == [5, 10, 10, 5, 5, 5]
    assert sum(step.minutes for step in method.steps) == 40


def localized_texts(value: object, where: str) -> Iterator[tuple[str, Localized]]:
    """Every Localized inside a method, with a path naming where it is."""
    if isinstance(value, Localized):
        yield where, value
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            yield from localized_texts(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            yield from localized_texts(entry, f"{where}[{index}]")


@pytest.mark.parametrize("method_id", STEP_COUNTS)
def test_every_text_has_nl_and_en(method_id: str) -> None:
    method = load_methods(framed=False)[method_id]
    texts = list(localized_texts(method, method_id))
    expected = 2 + len(method.sections) + 2 * len(method.steps)  # name, summary, titles
    assert len(texts) >= expected
    for where, text in texts:
        assert text.nl.strip(), f"{where}.nl is empty"
        assert text.en.strip(), f"{where}.en is empty"
    for step in method.steps:
        assert step.instruction.nl != step.instruction.en, f"{method_id}.{step.id} not translated"


def test_user_method_file_is_loaded_and_playable(tmp_path: Path) -> None:
    (tmp_path / "mijn_methode.toml").write_text(USER_METHOD, encoding="utf-8")
    methods = load_methods([tmp_path], framed=False)
    assert set(methods) == {*STEP_COUNTS, "mijn_methode"}
    method = methods["mijn_methode"]
    assert [step.minutes for step in method.steps] == [7, 10]  # 10 is the default
    assert method.sections[0].add == ["facilitator", "presenter", "participant"]

    state = new_state("sess-user", "Eigen sessie", "en", method)
    assert state.timer.remaining_ms == 7 * 60_000
    joined = apply(state, Join(name="Fenna", via="facilitator"), Actor("client-fac-01", 0, 1, 0))
    assert isinstance(joined, Applied)
    op = AddItem(client_seq=1, item_id="i1", section="ideas", text="Een idee")
    result = apply(state, op, Actor("client-fac-01", 1, 2, 1_000))
    assert isinstance(result, Applied)
    assert state.items["i1"].text == "Een idee"
    assert state.items["i1"].section == "ideas"


def test_user_folder_may_override_a_bundled_method(tmp_path: Path) -> None:
    (tmp_path / "eigen_tienstappen.toml").write_text(
        USER_METHOD.replace('id = "mijn_methode"', 'id = "tienstappen"'), encoding="utf-8"
    )
    assert len(load_methods([tmp_path], framed=False)["tienstappen"].steps) == 2


# -- broken files ---------------------------------------------------------------------------

BROKEN: dict[str, tuple[str, tuple[str, ...]]] = {
    "minutes_is_a_string": (
        USER_METHOD.replace("minutes = 7", 'minutes = "zeven"'),
        ("minutes",),
    ),
    "unknown_section": (
        USER_METHOD.replace('section = "ideas"\nchoose', 'section = "wishes"\nchoose'),
        ("section", "wishes"),
    ),
    "unknown_kind": (
        USER_METHOD.replace('kind = "ideas"', 'kind = "mindmap"'),
        ("kind",),
    ),
    "missing_steps": (
        USER_METHOD.split("[[steps]]")[0],
        ("steps",),
    ),
}


@pytest.mark.parametrize(("text", "words"), BROKEN.values(), ids=list(BROKEN))
def test_broken_method_is_refused_naming_the_field(
    tmp_path: Path, text: str, words: tuple[str, ...]
) -> None:
    assert text != USER_METHOD
    (tmp_path / "kapot.toml").write_text(text, encoding="utf-8")
    with pytest.raises(MethodError) as caught:
        load_methods([tmp_path], framed=False)
    message = str(caught.value)
    assert "kapot.toml" in message
    for word in words:
        assert word in message, message


def test_invalid_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kapot.toml").write_text('id = "half', encoding="utf-8")
    with pytest.raises(MethodError, match="not valid TOML: the text ends"):
        load_methods([tmp_path], framed=False)


def test_every_method_is_wrapped_in_the_session_frame() -> None:
    framed = load_methods()
    plain = load_methods(framed=False)
    for method_id, method in framed.items():
        ids = [step.id for step in method.steps]
        assert ids[:2] == ["checkin", "choose_case"] and ids[-1] == "checkout", method_id
        assert [s for s in method.steps if not s.frame] == plain[method_id].steps
        cases = next(s for s in method.steps[1].sections if s.section == "cases")
        assert cases.hide_ratings and "participant" in cases.vote
