"""How a question reads: open, closed or ambiguous (Dutch and English).

One pure function, ``classify``, used by the hub to answer ``classify`` requests
(the composer's hint) and by the report (how many questions were open). The rule
is a table of word cues, applied to the first words of the question:

- open: it starts with a question word ("wat", "hoe", "waarom", "what", "how",
  ...), possibly after a preposition ("op welke manier", "in what way"), or with
  an invitation to tell ("vertel", "beschrijf", "tell me", "describe");
- closed: it starts with a finite verb ("heb je", "is het", "kun je", "do you",
  "is it", ...): a yes/no question;
- ambiguous: a verb-first question that invites a story ("kun je vertellen",
  "can you describe") or asks indirectly ("weet je waarom"), or a question with
  no cue at all ("dus je was boos?").

Invariant: deterministic, no I/O, no state; the hint it drives never blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["open", "closed", "ambiguous"]

def _table(words: str) -> frozenset[str]:
    return frozenset(words.split())


FILLERS = _table(
    "en maar dus of oké ok nou ja nee goed oftewel kortom and but so or okay well right "
    "then also"
)
"""Words skipped at the start ("En wat deed je toen?")."""

OPEN_WORDS = _table(
    "wat wie wiens wier waar waarom waardoor waarmee waarover waaraan waarin waarvan "
    "waarbij waarop waarvoor waartoe waarheen vanwaar wanneer hoe hoezo hoeveel hoelang hoeverre "
    "welke welk "
    "what who whom whose where why when how which"
)
PREPOSITIONS = _table(
    "in op met voor van naar bij over aan door tot uit tegen vanuit sinds "
    "to in on with for from by about at into of under since"
)
"""A preposition may come before a question word: "op welke manier", "to what extent"."""

INVITATIONS = _table(
    "vertel beschrijf schets noem leg geef neem licht "
    "tell describe explain walk share say talk give paint"
)
"""Imperatives that invite a story: "Vertel eens ...", "Tell me ...", "Leg uit ..."."""

INVITING_VERBS = _table(
    "vertellen beschrijven uitleggen toelichten schetsen verwoorden "
    "tell describe explain elaborate share expand walk talk"
)
"""Inside a verb-first question these make it an invitation ("Kun je vertellen ...");
so does saying more ("Wil je iets meer zeggen ...", "Could you say more ...")."""
SAY = _table("zeggen say")
MORE = _table("meer more")
INDIRECT_SPAN = slice(2, 4)
"""A question word right after "verb + subject" asks indirectly: "Weet je waarom ..."."""

CLOSED_VERBS = _table(
    # Dutch finite verbs that open a yes/no question
    "ben bent is zijn was waren wordt werd worden heb hebt heeft hebben had hadden "
    "kan kun kunt kunnen kon konden wil wilt willen wilde wou zou zouden zal zult zullen "
    "moet moeten moest mag mogen mocht doe doet doen deed deden ga gaat gaan ging gingen "
    "vind vindt vond voel voelt voelde denk denkt dacht weet weten wist herken herkent "
    "merk merkt merkte speelt speelde klopt lukt lukte werkt helpt hielp zie ziet zag "
    "snap snapt begrijp begrijpt hoor hoort heette zit zat staat stond blijft bleef "
    "krijg krijgt kreeg komt kwam maakt maakte ervaar ervaart verwacht verwachtte "
    "gebruik gebruikt durf durft durfde schaam baal "
    # English auxiliaries
    "do does did is are was were am have has had can could will would shall should "
    "may might must don't doesn't didn't isn't aren't wasn't weren't haven't hasn't "
    "hadn't can't cannot couldn't won't wouldn't shouldn't"
)

_WORD = re.compile(r"[\w'’]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Reading:
    """A verdict and the words that decided it (None when no cue was found)."""

    verdict: Verdict
    cue: str | None = None


def _words(text: str) -> list[str]:
    words = [w.replace("’", "'").lower() for w in _WORD.findall(text)]
    while words and words[0] in FILLERS:
        words.pop(0)
    return words


def classify(text: str) -> Reading:
    """How ``text`` reads as a question (see the module docstring)."""
    # a question that is several sentences long is judged by its last question
    parts = [p for p in re.split(r"(?<=[.!?:])\s+", text.strip()) if p.strip()]
    asked = next((p for p in reversed(parts) if p.rstrip().endswith("?")), text)
    words = _words(asked)
    if not words:
        return Reading("ambiguous")
    first = words[0]
    if first in OPEN_WORDS:
        return Reading("open", first)
    if first in PREPOSITIONS and len(words) > 1 and words[1] in OPEN_WORDS:
        return Reading("open", f"{first} {words[1]}")
    if first in INVITATIONS:
        return Reading("open", first)
    if first in CLOSED_VERBS:
        cue = " ".join(words[:2])
        rest = set(words[1:8])
        inviting = bool(rest & INVITING_VERBS) or bool(rest & SAY and rest & MORE)
        if inviting or set(words[INDIRECT_SPAN]) & OPEN_WORDS:
            return Reading("ambiguous", cue)
        return Reading("closed", cue)
    return Reading("ambiguous")


def is_question_kind(kind: str) -> bool:
    """Section kinds whose items are questions (counted by the report)."""
    return kind == "questions"
