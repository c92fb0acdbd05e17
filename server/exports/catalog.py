"""User-facing texts of the exports, in Dutch and English.

Method, step, section and lane names come localized from the method data; this
catalog holds everything else the exports print. Every language has every key (a
test checks it).
"""

from __future__ import annotations

from typing import Final

from shared_schema.board import Language, Rating, Role

TEXTS: Final[dict[Language, dict[str, str]]] = {
    "nl": {
        "date": "Datum",
        "method": "Methode",
        "participants": "Deelnemers",
        "anonymous": "Anonieme sessie: er staan geen namen in dit verslag.",
        "step": "Stap",
        "nothing": "Geen nieuwe items in deze stap.",
        "summary": "Samenvatting",
        "sum_case": "Casus en vraag",
        "sum_definition": "Gekozen definitie",
        "sum_chosen": "Gekozen",
        "sum_takeaways": "Wat de inbrenger meeneemt",
        "sum_none": "(niet ingevuld)",
        "results": "Wat de groep opschreef",
        "in_steps": "Geschreven in: {steps}",
        "sheet": "Blad",
        "chosen": "gekozen",
        "circled": "omcirkeld",
        "votes_one": "1 stem",
        "votes_many": "{n} stemmen",
        "from_step": "uit stap {n}",
        "rating": "Waardering",
        "footer": "Intervisiebord · vertrouwelijk: wat hier gezegd is, blijft hier.",
        "col_step": "stap",
        "col_section": "onderdeel",
        "col_kind": "soort",
        "col_lane": "kolom",
        "col_text": "tekst",
        "col_rating": "waardering",
        "col_marks": "markering",
        "col_votes": "stemmen",
        "col_author": "auteur",
        "filename": "intervisie",
        "questions_title": "Vragen",
        "questions_count": (
            "{n} vragen gesteld: {open} open, {closed} gesloten, {ambiguous} niet eenduidig."
        ),
        "questions_warm": "Warm beoordeeld door de inbrenger (welke vragen werkten het best):",
        "verdict_open": "open",
        "verdict_closed": "gesloten",
        "verdict_ambiguous": "niet eenduidig",
        "rounds_title": "Rondes",
        "round_line": "Ronde {n} ({step})",
        "someone": "iemand",
        "turn_spoke": "sprak",
        "turn_passed": "paste",
        "turn_timeout": "tijd om",
        "turn_not_reached": "niet aan de beurt geweest",
    },
    "en": {
        "date": "Date",
        "method": "Method",
        "participants": "Participants",
        "anonymous": "Anonymous session: this report contains no names.",
        "step": "Step",
        "nothing": "No new items in this step.",
        "summary": "Summary",
        "sum_case": "Case and question",
        "sum_definition": "Chosen definition",
        "sum_chosen": "Chosen",
        "sum_takeaways": "What the presenter takes away",
        "sum_none": "(not filled in)",
        "results": "What the group wrote",
        "in_steps": "Written in: {steps}",
        "sheet": "Sheet",
        "chosen": "chosen",
        "circled": "circled",
        "votes_one": "1 vote",
        "votes_many": "{n} votes",
        "from_step": "from step {n}",
        "rating": "Rating",
        "footer": "Intervisiebord · confidential: what was said here stays here.",
        "col_step": "step",
        "col_section": "section",
        "col_kind": "kind",
        "col_lane": "column",
        "col_text": "text",
        "col_rating": "rating",
        "col_marks": "marks",
        "col_votes": "votes",
        "col_author": "author",
        "filename": "intervision",
        "questions_title": "Questions",
        "questions_count": (
            "{n} questions asked: {open} open, {closed} closed, {ambiguous} ambiguous."
        ),
        "questions_warm": "Rated warm by the presenter (the questions that worked best):",
        "verdict_open": "open",
        "verdict_closed": "closed",
        "verdict_ambiguous": "ambiguous",
        "rounds_title": "Go-rounds",
        "round_line": "Round {n} ({step})",
        "someone": "someone",
        "turn_spoke": "spoke",
        "turn_passed": "passed",
        "turn_timeout": "time up",
        "turn_not_reached": "no turn",
    },
}

RATINGS: Final[dict[Language, dict[Rating, tuple[str, str]]]] = {
    "nl": {"cold": ("K", "koud"), "warm": ("W", "warm"), "neutral": ("N", "neutraal")},
    "en": {"cold": ("C", "cold"), "warm": ("W", "warm"), "neutral": ("N", "neutral")},
}
"""Per rating its letter (K/W/N in Dutch) and its word."""

ROLES: Final[dict[Language, dict[Role, str]]] = {
    "nl": {
        "facilitator": "begeleider",
        "presenter": "inbrenger",
        "participant": "deelnemer",
        "observer": "toehoorder",
    },
    "en": {
        "facilitator": "facilitator",
        "presenter": "case presenter",
        "participant": "participant",
        "observer": "observer",
    },
}

MONTHS: Final[dict[Language, tuple[str, ...]]] = {
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def text(language: Language, key: str) -> str:
    return TEXTS[language][key]


def rating_label(language: Language, rating: Rating) -> str:
    """E.g. ``W (warm)`` or ``K (koud)``."""
    letter, word = RATINGS[language][rating]
    return f"{letter} ({word})"


def votes_label(language: Language, votes: int) -> str:
    if votes == 1:
        return text(language, "votes_one")
    return text(language, "votes_many").format(n=votes)


def long_date(language: Language, iso_date: str) -> str:
    """``2026-11-22`` -> ``22 november 2026`` / ``22 November 2026``."""
    year, month, day = (int(part) for part in iso_date.split("-"))
    return f"{day} {MONTHS[language][month - 1]} {year}"
