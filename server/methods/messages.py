"""The texts of method problems (``server.methods.problems``), in Dutch and English.

Every language has every code (a test checks it); ``{name}`` placeholders are filled
from the problem's parameters.
"""

from __future__ import annotations

from typing import Final

from server.methods.problems import Problem
from shared_schema.board import Language

TEXTS: Final[dict[Language, dict[str, str]]] = {
    "nl": {
        "invalid": "Ongeldige waarde: {detail}",
        "invalid_toml": "Geen geldige TOML: kijk op regel {line}, rond teken {column}.",
        "invalid_toml_end": (
            "Geen geldige TOML: de tekst houdt op voordat een waarde of tabel af is."
        ),
        "missing_field": "Dit veld ontbreekt.",
        "unknown_field": "Dit veld bestaat niet in een methode.",
        "invalid_choice": "'{value}' is geen toegestane keuze.",
        "too_short": "Vul dit veld in.",
        "too_long": "Te lang: hoogstens {limit} tekens.",
        "too_few": "Er moet er minstens {limit} zijn.",
        "too_many": "Hoogstens {limit} toegestaan.",
        "too_small": "Moet minstens {limit} zijn.",
        "too_large": "Mag hoogstens {limit} zijn.",
        "bad_id": "Gebruik 1 tot 40 kleine letters, cijfers of _ (geen spaties).",
        "wrong_type": "Verkeerd soort waarde (verwacht: {expected}).",
        "duplicate_id": "De id '{value}' komt al eerder voor.",
        "frame_section": (
            "De id '{value}' is al van een onderdeel van het sessiekader (check-in, casus "
            "kiezen, check-out)."
        ),
        "duplicate_section": "Het onderdeel '{value}' staat al eerder in deze stap.",
        "unknown_section": "Er is geen onderdeel '{value}'.",
        "lanes_not_allowed": "Een onderdeel van de soort '{kind}' heeft geen kolommen of niveaus.",
        "lanes_required": (
            "Een onderdeel van de soort '{kind}' heeft minstens één kolom of niveau nodig."
        ),
        "sheets_not_allowed": "Alleen succesfactoren kunnen meer dan één blad hebben.",
        "filter_before_shown": (
            "Dit filter neemt items mee uit eerdere stappen, maar het onderdeel '{section}' "
            "stond in geen eerdere stap."
        ),
        "hidden_without_add": (
            "Verborgen tot onthullen heeft alleen zin als iemand in deze stap iets mag "
            "toevoegen."
        ),
        "sealed_without_rating": (
            "Verzegelde waarderingen hebben alleen zin als iemand in deze stap mag waarderen "
            "of stemmen."
        ),
    },
    "en": {
        "invalid": "Invalid value: {detail}",
        "invalid_toml": "This is not valid TOML: look at line {line}, near character {column}.",
        "invalid_toml_end": "This is not valid TOML: the text ends before a value or table does.",
        "missing_field": "This field is missing.",
        "unknown_field": "A method has no such field.",
        "invalid_choice": "'{value}' is not one of the allowed choices.",
        "too_short": "Fill in this field.",
        "too_long": "Too long: at most {limit} characters.",
        "too_few": "There must be at least {limit}.",
        "too_many": "At most {limit} allowed.",
        "too_small": "Must be at least {limit}.",
        "too_large": "Must be at most {limit}.",
        "bad_id": "Use 1 to 40 lower-case letters, digits or _ (no spaces).",
        "wrong_type": "Wrong kind of value (expected: {expected}).",
        "duplicate_id": "The id '{value}' is used before.",
        "frame_section": (
            "The id '{value}' belongs to a section of the session frame (check-in, choosing "
            "the case, check-out)."
        ),
        "duplicate_section": "The section '{value}' is already shown earlier in this step.",
        "unknown_section": "Refers to an unknown section '{value}'.",
        "lanes_not_allowed": "A section of kind '{kind}' has no columns or levels.",
        "lanes_required": "A section of kind '{kind}' needs at least one column or level.",
        "sheets_not_allowed": "Only success factors can have more than one sheet.",
        "filter_before_shown": (
            "This filter carries items forward from earlier steps, but the section "
            "'{section}' was shown in no earlier step."
        ),
        "hidden_without_add": (
            "Hidden until revealed only makes sense when someone may add in this step."
        ),
        "sealed_without_rating": (
            "Sealed ratings only make sense when someone may rate or vote in this step."
        ),
    },
}


def describe(problem: Problem, language: Language) -> str:
    """The problem's text in ``language``."""
    template = TEXTS[language].get(problem.code, TEXTS[language]["invalid"])
    params = {"detail": problem.code, **problem.params}
    for name, value in params.items():
        template = template.replace("{" + name + "}", value)
    return template
