"""The report's closing parts: how many questions were open (the server's one
classifier) and which the presenter rated warm, and who spoke in which go-round
(never what was said; no names in an anonymous session)."""

from __future__ import annotations

import json

import msgspec

from server.core.state import BoardState, new_state
from server.exports.document import build_document
from server.exports.html import render_body
from server.exports.markdown import render_markdown
from server.exports.report import build_report
from server.methods.loader import load_methods
from shared_schema.board import Item, Participant, Round

METHOD = load_methods()["tienstappen"]
ASK = [s.id for s in METHOD.steps].index("ask")
TIPS = [s.id for s in METHOD.steps].index("tips")


def board(language: str = "nl") -> BoardState:
    state = new_state("cd" * 16, "Casus", language, METHOD)  # type: ignore[arg-type]
    for pid, name, role in (("p1", "Anouk", "facilitator"), ("p2", "Dewi", "presenter"),
                            ("p3", "Ben", "participant")):
        state.participants[pid] = Participant(id=pid, name=name, role=role)  # type: ignore[arg-type]
    questions = [
        ("q1", "Wat maakte dat je bleef?", "warm"),
        ("q2", "Heb je hulp gevraagd?", "cold"),
        ("q3", "Kun je vertellen wat er gebeurde?", "warm"),
        ("q4", "Heb je dat gemeld?", "warm"),
        ("q5", "Hoe reageerde je team?", None),
    ]
    for n, (item_id, text, rating) in enumerate(questions):
        state.items[item_id] = Item(id=item_id, section="questions", text=text, step=ASK,
                                    seq=n + 1, author="p3", rating=rating)  # type: ignore[arg-type]
    state.rounds = [Round(number=1, step=0, order="seat", seconds=60,
                          speakers=["p1", "p2", "p3"], turn=3, active=False,
                          outcomes=["spoke", "passed", "timeout"])]
    state.round = Round(number=2, step=TIPS, order="shuffled", seconds=60,
                        speakers=["p3", "p1"], turn=1, active=True, deadline_ms=5,
                        outcomes=["spoke"])
    state.closed = True
    return state


def test_report_counts_open_questions_and_lists_the_warm_ones() -> None:
    md = render_markdown(build_report(build_document(board(), 0, 0)))
    assert "5 vragen gesteld: 2 open, 2 gesloten, 1 niet eenduidig." in md
    warm = md[md.index("Warm beoordeeld"):]
    assert "Wat maakte dat je bleef? (open)" in warm
    assert "Kun je vertellen wat er gebeurde? (niet eenduidig)" in warm
    assert "Heb je dat gemeld? (gesloten)" in warm
    assert "Heb je hulp gevraagd?" not in warm and "Hoe reageerde" not in warm
    english = render_markdown(build_report(build_document(board("en"), 0, 0)))
    assert "5 questions asked: 2 open, 2 closed, 1 ambiguous." in english


def test_report_and_json_note_who_spoke_in_which_round() -> None:
    doc = build_document(board(), 0, 0)
    assert [[(t.name, t.outcome) for t in r.turns] for r in doc.rounds] == [
        [("Anouk", "spoke"), ("Dewi", "passed"), ("Ben", "timeout")],
        [("Ben", "spoke"), ("Anouk", "not_reached")],
    ]
    md = render_markdown(build_report(doc))
    assert "Ronde 1 (Check-in): Anouk: sprak, Dewi: paste, Ben: tijd om" in md
    assert "Ronde 2 (Tips en adviezen): Ben: sprak, Anouk: niet aan de beurt geweest" in md
    assert "<h2>Rondes</h2>" in render_body(build_report(doc))


def test_anonymous_rounds_hold_no_names() -> None:
    state = board()
    state.anonymous = True
    doc = build_document(state, 0, 0)
    text = json.dumps(msgspec.to_builtins(doc)) + render_markdown(build_report(doc))
    for name in ("Anouk", "Dewi", "Ben"):
        assert name not in text
    assert "iemand: sprak" in render_markdown(build_report(doc))
