"""The open-question classifier against questions as intervision groups ask them.

The expected label is how a facilitator would read the question, not what the rule
says: the rule must agree on at least 90% of them. Sources: the questions in the
intervision handbooks this product follows (several quoted as written), questions
from practice sessions, and English counterparts.
"""

from __future__ import annotations

import pytest

from server.core.questions import classify

AGREEMENT = 0.90
ENGLISH_STARTS = {"what", "how", "why", "which", "when", "who", "in", "to", "tell", "describe",
                  "do", "is", "have", "did", "can", "would", "are", "was", "could", "don't",
                  "so", "and", "you"}

OPEN, CLOSED, AMBIGUOUS = "open", "closed", "ambiguous"

TABLE: list[tuple[str, str]] = [
    # Dutch, open
    ("Wat deed je?", OPEN),
    ("Hoe deed je dat?", OPEN),
    ("Hoe ga je daarmee om?", OPEN),
    ("Wat is eigenlijk mijn vraag?", OPEN),
    ("Waar ben jij nieuwsgierig naar?", OPEN),
    ("Wat heeft het jou gebracht?", OPEN),
    ("Wat waren de gevoelens en gedachten die je op dat moment had?", OPEN),
    ("Waar zit in dit voorbeeld het hittepunt?", OPEN),
    ("Welke aanknopingspunten grijp je aan om het anders te doen?", OPEN),
    ("Wat ga je nu doen?", OPEN),
    ("Wanneer doe je het goed?", OPEN),
    ("Waarom zou je het doen?", OPEN),
    ("En wat raakte je, waar kun je wat mee?", OPEN),
    ("Wie bewaakt de tijd?", OPEN),
    ("Op welke manier heb je het gesprek voorbereid?", OPEN),
    ("In hoeverre voel je je verantwoordelijk voor het team?", OPEN),
    ("Vertel eens wat er gebeurde toen je binnenkwam.", OPEN),
    ("Welke opvattingen en waarden hoor je in je eigen verhaal?", OPEN),
    ("Waardoor lukte het deze keer wel?", OPEN),
    ("Wat verwacht je leidinggevende van je?", OPEN),
    ("Met wie heb je hier al over gesproken?", OPEN),
    ("Hoe reageerde de ouder toen je dat zei?", OPEN),
    # Dutch, closed
    ("Heb je dat al met je leidinggevende besproken?", CLOSED),
    ("Is het de eerste keer dat dit gebeurt?", CLOSED),
    ("Kun je niet gewoon nee zeggen?", CLOSED),
    ("Heb je zelf goede ervaringen met een andere methode?", CLOSED),
    ("Moet je iets opgeven of loslaten?", CLOSED),
    ("Wil je hier meer van?", CLOSED),
    ("Ben je boos geworden?", CLOSED),
    ("Vind je dat zelf ook?", CLOSED),
    ("Heeft je collega het gemerkt?", CLOSED),
    ("Zou je het opnieuw zo doen?", CLOSED),
    ("Was je verrast door zijn reactie?", CLOSED),
    ("Speelt er thuis ook iets?", CLOSED),
    ("Heb je al eens geprobeerd om het rustig te vragen?", CLOSED),
    ("Denk je dat hij het expres deed?", CLOSED),
    ("Klopt het dat je dit al een jaar doet?", CLOSED),
    ("Intervisie is toch altijd positief?", CLOSED),  # a suggestive statement
    # Dutch, ambiguous
    ("Kun je vertellen wat er toen door je heen ging?", AMBIGUOUS),
    ("Wil je iets meer zeggen over dat moment?", AMBIGUOUS),
    ("Dus je was eigenlijk teleurgesteld?", AMBIGUOUS),
    ("En toen?", AMBIGUOUS),
    ("Valkuilen?", AMBIGUOUS),
    # English, open
    ("What did you do next?", OPEN),
    ("How did you prepare for that conversation?", OPEN),
    ("What would you like to get out of this session?", OPEN),
    ("Why does this matter so much to you?", OPEN),
    ("Which part of the meeting do you keep thinking about?", OPEN),
    ("When did you first notice the tension?", OPEN),
    ("Who else is involved in this?", OPEN),
    ("In what way did your role change?", OPEN),
    ("To what extent do you feel responsible?", OPEN),
    ("Tell me more about the moment it went wrong.", OPEN),
    ("Describe what success would look like for you.", OPEN),
    ("How did you manage to stay calm?", OPEN),
    ("What made it work this time?", OPEN),
    # English, closed
    ("Do you think she knew?", CLOSED),
    ("Is it the first time this happened?", CLOSED),
    ("Have you talked to your manager about it?", CLOSED),
    ("Did you feel angry?", CLOSED),
    ("Can you say no to him?", CLOSED),
    ("Would you do it the same way again?", CLOSED),
    ("Are you afraid of losing the client?", CLOSED),
    ("Was it your decision?", CLOSED),
    ("Could you have asked for help earlier?", CLOSED),
    ("Don't you think you were too soft?", CLOSED),
    ("Have you tried asking him directly?", CLOSED),
    ("Is that really your problem?", CLOSED),
    # English, ambiguous
    ("Can you tell us what happened before the meeting?", AMBIGUOUS),
    ("Could you describe the atmosphere in the team?", AMBIGUOUS),
    ("So you felt left out?", AMBIGUOUS),
    ("And then?", AMBIGUOUS),
    # questions a word rule reads wrongly (kept: the score must hold with them)
    ("Hoe lang werk je daar al?", CLOSED),  # factual, answered with a number
    ("Weet je waarom hij dat deed?", AMBIGUOUS),  # yes/no form, asks for a reason
    ("How many times has this happened?", CLOSED),  # factual, answered with a number
    ("You said 'always': when exactly?", OPEN),
]


def test_table_is_large_and_mixed() -> None:
    labels = [label for _, label in TABLE]
    assert len(TABLE) >= 60
    assert {label: labels.count(label) >= 8 for label in (OPEN, CLOSED, AMBIGUOUS)} == {
        OPEN: True, CLOSED: True, AMBIGUOUS: True}
    english = sum(q.split()[0].lower() in ENGLISH_STARTS for q, _ in TABLE)
    assert 20 <= english <= len(TABLE) - 20  # both languages, well represented


def test_agreement_with_the_expected_labels() -> None:
    misses = [(q, want, classify(q).verdict) for q, want in TABLE if classify(q).verdict != want]
    score = 1 - len(misses) / len(TABLE)
    print(f"\nclassifier agreement: {len(TABLE) - len(misses)}/{len(TABLE)} = {score:.1%}")
    for miss in misses:
        print("  miss:", miss)
    assert score >= AGREEMENT, misses


@pytest.mark.parametrize(("text", "cue"), [
    ("Heb je dat gezegd?", "heb je"),
    ("Is het erg?", "is het"),
    ("Kun je dat nog eens doen?", "kun je"),
    ("Do you agree?", "do you"),
    ("Is it late?", "is it"),
])
def test_closed_questions_name_their_cue(text: str, cue: str) -> None:
    reading = classify(text)
    assert (reading.verdict, reading.cue) == ("closed", cue)


@pytest.mark.parametrize("text", ["", "   ", "?", "...", "😀?"])
def test_no_words_is_ambiguous(text: str) -> None:
    assert classify(text).verdict == "ambiguous"


def test_a_longer_text_is_judged_by_its_question() -> None:
    text = "Je zei net dat het team boos was. Heb je dat zelf ook zo gevoeld?"
    assert classify(text).verdict == "closed"
    text = "Ik hoor je twijfelen. Wat houdt je tegen?"
    assert classify(text).verdict == "open"
