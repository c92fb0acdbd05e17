"""The wire protocol: the checked-in JSON Schema, the client message union, the codec."""

from __future__ import annotations

import json
import re
from typing import Any, get_args

import msgspec
import pytest

from shared_schema import PROTOCOL_VERSION, export
from shared_schema.board import MAX_TEXT
from shared_schema.client import (
    AddItem,
    AssignRole,
    ChooseItem,
    CircleItem,
    Classify,
    ClientMessage,
    CloseSession,
    DeleteItem,
    EditItem,
    EndRound,
    Hello,
    LockSection,
    MoveItem,
    RateItem,
    RemoveParticipant,
    Resume,
    RevealSection,
    RoundTurn,
    SetAnonymous,
    SetExport,
    SetFollow,
    SetReady,
    SetSpotlight,
    SetStep,
    SetTimer,
    StartRound,
    Vote,
)
from shared_schema.codec import client_decoder, encoder
from shared_schema.server import ServerMessage

CLIENT_TYPES: tuple[type[msgspec.Struct], ...] = get_args(ClientMessage)
SERVER_TYPES: tuple[type[msgspec.Struct], ...] = get_args(ServerMessage)
SNAKE_CASE = re.compile(r"^[a-z]+(_[a-z]+)*$")


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# -- the checked-in schema ------------------------------------------------------------------


def test_checked_in_schema_is_current() -> None:
    checked_in = export.SCHEMA_PATH.read_text(encoding="utf-8")
    assert checked_in == export.render(), (
        "shared_schema/schema.json is stale: run `python -m shared_schema` and commit the result"
    )


def test_schema_has_every_message_and_the_protocol_version() -> None:
    document = json.loads(export.render())
    assert document["protocol_version"] == PROTOCOL_VERSION
    assert set(document["roots"]) == {"client_message", "server_message", "board", "method"}
    for struct in (*CLIENT_TYPES, *SERVER_TYPES):
        definition = document["$defs"][struct.__name__]
        tag = struct.__struct_config__.tag
        assert definition["properties"]["type"] == {"enum": [tag]}, struct.__name__


def test_protocol_version() -> None:
    assert type(PROTOCOL_VERSION) is int
    assert PROTOCOL_VERSION >= 1
    checked_in = json.loads(export.SCHEMA_PATH.read_text(encoding="utf-8"))
    assert checked_in["protocol_version"] == PROTOCOL_VERSION


# -- tags ---------------------------------------------------------------------------------


@pytest.mark.parametrize("struct", [*CLIENT_TYPES, *SERVER_TYPES], ids=lambda s: s.__name__)
def test_tags_are_explicit_snake_case(struct: type[msgspec.Struct]) -> None:
    config = struct.__struct_config__
    assert config.tag_field == "type"
    assert isinstance(config.tag, str)
    assert SNAKE_CASE.match(config.tag), config.tag
    assert config.tag == snake_case(struct.__name__)
    assert config.tag != struct.__name__ or struct.__name__.islower()


def test_tags_are_unique() -> None:
    for types in (CLIENT_TYPES, SERVER_TYPES):
        tags = [t.__struct_config__.tag for t in types]
        assert len(tags) == len(set(tags))


# -- round trips ----------------------------------------------------------------------------

SAMPLES: list[msgspec.Struct] = [
    Hello(protocol=PROTOCOL_VERSION, token="t0k3n", name="Anna", client_id="client-anna-01"),
    Hello(
        protocol=PROTOCOL_VERSION,
        token="t0k3n",
        name="Anna de Vries",
        client_id="client-anna-01",
        resume=Resume(epoch="e1", last_seq=42),
    ),
    AddItem(client_seq=1, item_id="q1", section="questions", text="Wat wil je bereiken?"),
    AddItem(
        client_seq=2,
        item_id="f-1",
        section="factors",
        text="Ik vroeg om hulp",
        x=-12.5,
        y=300.0,
        color="green",
        lane="own",
        sheet=2,
        parent="q1",
    ),
    EditItem(client_seq=3, item_id="q1", text="Wat wil je écht bereiken? ✨"),
    MoveItem(client_seq=4, item_id="q1", x=10.0, y=20.0),
    MoveItem(client_seq=5, item_id="q1", x=10.0, y=20.0, color="pink"),
    DeleteItem(client_seq=6, item_id="q1"),
    RateItem(client_seq=7, item_id="q1", rating="warm"),
    RateItem(client_seq=8, item_id="q1", rating=None),
    CircleItem(client_seq=9, item_id="q1", circled=True),
    ChooseItem(client_seq=10, item_id="q1", chosen=False),
    Vote(client_seq=11, item_id="q1", delta=-1),
    SetStep(client_seq=12, step=3),
    LockSection(client_seq=13, section="questions", locked=True),
    LockSection(client_seq=14, section="questions", locked=None),
    RevealSection(client_seq=15, section="notes"),
    SetTimer(client_seq=16, action="add", seconds=120),
    SetReady(client_seq=17, ready=True),
    AssignRole(client_seq=18, participant_id="0123abcd", role="presenter"),
    RemoveParticipant(client_seq=19, participant_id="0123abcd"),
    SetAnonymous(client_seq=20, anonymous=True),
    SetExport(client_seq=21, participants=False),
    SetSpotlight(client_seq=22, item_id="i-1"),
    SetSpotlight(client_seq=23, section="questions"),
    SetSpotlight(client_seq=24),
    SetFollow(client_seq=25, following=False),
    StartRound(client_seq=26),
    StartRound(client_seq=27, order="shuffled", seconds=30, speakers=["ab12", "cd34"]),
    RoundTurn(client_seq=28, action="pass", turn=0),
    EndRound(client_seq=29),
    Classify(request=1, text="Heb je dat gezegd?"),
    CloseSession(client_seq=2**53),
]


def test_samples_cover_every_client_message() -> None:
    assert {type(sample) for sample in SAMPLES} == set(CLIENT_TYPES)


@pytest.mark.parametrize(
    "message", SAMPLES, ids=[f"{type(s).__name__}-{i}" for i, s in enumerate(SAMPLES)]
)
def test_client_message_roundtrip(message: msgspec.Struct) -> None:
    data = encoder.encode(message)
    assert json.loads(data)["type"] == message.__struct_config__.tag
    decoded = client_decoder.decode(data)
    assert type(decoded) is type(message)
    assert decoded == message
    assert encoder.encode(decoded) == data


def test_defaults_are_filled_in() -> None:
    decoded = client_decoder.decode(
        b'{"type":"add_item","client_seq":1,"item_id":"a","section":"notes","text":"x"}'
    )
    assert decoded == AddItem(client_seq=1, item_id="a", section="notes", text="x")
    assert isinstance(decoded, AddItem)
    assert (decoded.x, decoded.y, decoded.color, decoded.sheet) == (0.0, 0.0, "yellow", 1)


# -- rejections ---------------------------------------------------------------------------

VALID_ADD: dict[str, Any] = {
    "type": "add_item",
    "client_seq": 1,
    "item_id": "q1",
    "section": "questions",
    "text": "Wat wil je bereiken?",
}

INVALID: dict[str, dict[str, Any]] = {
    "unknown_type": {"type": "shout", "client_seq": 1},
    "missing_type": {"client_seq": 1, "item_id": "q1"},
    "missing_field": {k: v for k, v in VALID_ADD.items() if k != "item_id"},
    "missing_client_seq": {k: v for k, v in VALID_ADD.items() if k != "client_seq"},
    "extra_field": {**VALID_ADD, "author": "someone-else"},
    "extra_field_on_hello": {
        "type": "hello",
        "protocol": 1,
        "token": "t",
        "name": "A",
        "client_id": "client-anna-01",
        "role": "facilitator",
    },
    "wrong_type_client_seq": {**VALID_ADD, "client_seq": "1"},
    "wrong_type_text": {**VALID_ADD, "text": 5},
    "wrong_type_bool": {"type": "set_ready", "client_seq": 1, "ready": "yes"},
    "text_over_limit": {**VALID_ADD, "text": "x" * (MAX_TEXT + 1)},
    "empty_text": {**VALID_ADD, "text": ""},
    "client_seq_zero": {**VALID_ADD, "client_seq": 0},
    "client_seq_negative": {**VALID_ADD, "client_seq": -1},
    "bad_enum": {**VALID_ADD, "color": "black"},
    "bad_item_id": {**VALID_ADD, "item_id": "no spaces"},
    "bad_vote_delta": {"type": "vote", "client_seq": 1, "item_id": "q1", "delta": 2},
    "bad_rating": {"type": "rate_item", "client_seq": 1, "item_id": "q1", "rating": "hot"},
}


@pytest.mark.parametrize("payload", list(INVALID.values()), ids=list(INVALID))
def test_decoder_rejects(payload: dict[str, Any]) -> None:
    with pytest.raises(msgspec.ValidationError):
        client_decoder.decode(json.dumps(payload).encode())


def test_text_at_the_limit_is_accepted() -> None:
    decoded = client_decoder.decode(json.dumps({**VALID_ADD, "text": "x" * MAX_TEXT}).encode())
    assert isinstance(decoded, AddItem)
    assert MAX_TEXT == 2000
    assert len(decoded.text) == 2000


def test_error_names_the_field() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$\.client_seq"):
        client_decoder.decode(json.dumps({**VALID_ADD, "client_seq": 0}).encode())
    with pytest.raises(msgspec.ValidationError, match="author"):
        client_decoder.decode(json.dumps({**VALID_ADD, "author": "x"}).encode())
