"""User-facing texts of the attendance exports and the default agreement, nl and en.

Every language has every key (a test checks it). Role names and months come from
the report's catalog (``server.exports.catalog``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.exports.catalog import MONTHS, ROLES
from shared_schema.board import Language, Role

TIMEZONE = "Europe/Amsterdam"
"""Times on the list and the certificates: the registers' (Dutch) local time."""

AGREEMENT: Final[dict[Language, str]] = {
    "nl": "Wat hier gezegd wordt, blijft hier. Ik neem niets mee naar buiten van wat "
          "anderen inbrengen: geen namen, geen casussen, geen schermafbeeldingen. Wat ik "
          "zelf heb geleerd, mag ik meenemen.",
    "en": "What is said here stays here. I take nothing outside of what others bring in: "
          "no names, no cases, no screenshots. What I learnt myself I may take with me.",
}

TEXTS: Final[dict[Language, dict[str, str]]] = {
    "nl": {
        "list_title": "Presentielijst intervisie",
        "certificate_title": "Bewijs van deelname aan intervisie",
        "certificate_lead": "{name} nam deel aan een intervisiebijeenkomst.",
        "date": "Datum",
        "time": "Tijd",
        "duration": "Duur",
        "method": "Methode",
        "led_by": "Begeleid door",
        "present": "Aanwezig",
        "present_duration": "Duur aanwezig",
        "roles": "Rol",
        "name": "Naam",
        "confirmed": "Bevestigd",
        "confirmed_by_member": "Zelf bevestigd",
        "yes_at": "ja, {time}",
        "no": "nee",
        "agreement": "Afspraak",
        "agreement_accepted": "vertrouwelijkheidsafspraak geaccepteerd om {time}",
        "approved": "Lijst bevestigd door de begeleider op {when}.",
        "not_approved": "De begeleider heeft de lijst (nog) niet bevestigd.",
        "code": "Verificatiecode",
        "verify_at": "Controleer de code op {url}",
        "footer": "Intervisiebord · zonder iets van wat er besproken is",
        "hours_minutes": "{h} u {m} min",
        "minutes": "{m} min",
        "col_name": "naam",
        "col_roles": "rollen",
        "col_from": "aanwezig van",
        "col_to": "aanwezig tot",
        "col_minutes": "minuten aanwezig",
        "col_periods": "perioden",
        "col_confirmed": "zelf bevestigd",
        "col_agreement": "afspraak geaccepteerd",
        "col_date": "datum",
        "col_method": "methode",
        "filename_list": "presentielijst",
        "filename_certificate": "deelnamebewijs",
        "overview_title": "Jaaroverzicht intervisie {year}",
        "overview_lead": "Intervisiebijeenkomsten van {name} in {year}.",
        "overview_none": "Geen afgesloten bijeenkomsten in {year}.",
        "overview_total": "Totaal",
        "overview_total_value": "{count} {meetings}, {duration} ({hours} uur)",
        "meetings_one": "bijeenkomst",
        "meetings_many": "bijeenkomsten",
        "overview_confirmation": "Bevestiging",
        "overview_confirmed": "zelf: {own} · lijst: {list}",
        "overview_codes": "Elke code hoort bij het deelnamebewijs van één bijeenkomst. "
                          "Controleer een code op {url}",
        "yes": "ja",
        "filename_overview": "jaaroverzicht",
    },
    "en": {
        "list_title": "Attendance list, intervision",
        "certificate_title": "Certificate of participation in intervision",
        "certificate_lead": "{name} took part in an intervision meeting.",
        "date": "Date",
        "time": "Time",
        "duration": "Duration",
        "method": "Method",
        "led_by": "Led by",
        "present": "Present",
        "present_duration": "Time present",
        "roles": "Role",
        "name": "Name",
        "confirmed": "Confirmed",
        "confirmed_by_member": "Confirmed by the member",
        "yes_at": "yes, {time}",
        "no": "no",
        "agreement": "Agreement",
        "agreement_accepted": "confidentiality agreement accepted at {time}",
        "approved": "List confirmed by the facilitator on {when}.",
        "not_approved": "The facilitator has not confirmed the list (yet).",
        "code": "Verification code",
        "verify_at": "Check the code at {url}",
        "footer": "Intervisiebord · without anything of what was discussed",
        "hours_minutes": "{h} h {m} min",
        "minutes": "{m} min",
        "col_name": "name",
        "col_roles": "roles",
        "col_from": "present from",
        "col_to": "present until",
        "col_minutes": "minutes present",
        "col_periods": "periods",
        "col_confirmed": "confirmed by member",
        "col_agreement": "agreement accepted",
        "col_date": "date",
        "col_method": "method",
        "filename_list": "attendance",
        "filename_certificate": "certificate",
        "overview_title": "Year overview, intervision {year}",
        "overview_lead": "Intervision meetings of {name} in {year}.",
        "overview_none": "No closed meetings in {year}.",
        "overview_total": "Total",
        "overview_total_value": "{count} {meetings}, {duration} ({hours} hours)",
        "meetings_one": "meeting",
        "meetings_many": "meetings",
        "overview_confirmation": "Confirmation",
        "overview_confirmed": "member: {own} · list: {list}",
        "overview_codes": "Each code belongs to the certificate of one meeting. "
                          "Check a code at {url}",
        "yes": "yes",
        "filename_overview": "year-overview",
    },
}


def text(language: Language, key: str) -> str:
    return TEXTS[language][key]


def _local(ms: int) -> datetime:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    try:
        return moment.astimezone(ZoneInfo(TIMEZONE))
    except ZoneInfoNotFoundError:  # a system without time zone data: UTC
        return moment


def local_year(ms: int) -> int:
    """The calendar year of a moment, in the registers' local time."""
    return _local(ms).year


def hours(language: Language, ms: int) -> str:
    """Decimal hours, one digit (``4,1`` in Dutch, ``4.1`` in English)."""
    value = f"{ms / 3_600_000:.1f}"
    return value.replace(".", ",") if language == "nl" else value


def clock(ms: int | None) -> str:
    return "" if ms is None else _local(ms).strftime("%H:%M")


def day(language: Language, ms: int | None) -> str:
    if ms is None:
        return ""
    moment = _local(ms)
    return f"{moment.day} {MONTHS[language][moment.month - 1]} {moment.year}"


def iso(ms: int | None) -> str:
    """For the CSV: local date and time to the second."""
    return "" if ms is None else _local(ms).strftime("%Y-%m-%d %H:%M:%S")


def duration(language: Language, ms: int) -> str:
    minutes = round(ms / 60_000)
    if minutes < 60:
        return text(language, "minutes").format(m=minutes)
    return text(language, "hours_minutes").format(h=minutes // 60, m=minutes % 60)


def span(start: int | None, end: int | None) -> str:
    return f"{clock(start)}–{clock(end)}" if start is not None and end is not None else ""


def roles(language: Language, names: tuple[str, ...]) -> str:
    return ", ".join(ROLES[language].get(cast(Role, name), name) for name in names)
