"""The pure attendance record, table-driven: intervals, reconnects, the window, codes."""

from __future__ import annotations

import pytest

from server.attendance.record import (
    Confirmation,
    Interval,
    MemberFacts,
    SessionFacts,
    certificate_message,
    code_matches,
    code_of,
    confirmation_for,
    list_message,
    normalize_code,
    open_until,
    periods,
    presence_list,
)

MIN = 60_000


@pytest.mark.parametrize(
    ("connections", "start", "end", "grace", "expected"),
    [
        # one connection inside the meeting
        ([Interval(10, 50)], 0, 100, 0, [(10, 50)]),
        # joined before the start, left after the end: clipped to the meeting
        ([Interval(-20, 200)], 0, 100, 0, [(0, 100)]),
        # still connected (or its hub died): lasts until the end
        ([Interval(30, None)], 0, 100, 0, [(30, 100)]),
        # a reconnect within the grace merges
        ([Interval(0, 40), Interval(45, 90)], 0, 100, 10, [(0, 90)]),
        # a longer absence stays a gap
        ([Interval(0, 40), Interval(60, 90)], 0, 100, 10, [(0, 40), (60, 90)]),
        # two tabs or two hubs at once: the union
        ([Interval(0, 60), Interval(20, 50), Interval(55, 80)], 0, 100, 0, [(0, 80)]),
        # order of the stored connections does not matter
        ([Interval(60, 90), Interval(0, 40)], 0, 100, 0, [(0, 40), (60, 90)]),
        # entirely before the start or after the end: nothing
        ([Interval(-50, -10), Interval(120, 130)], 0, 100, 0, []),
        # no start known: nothing
        ([Interval(0, 10)], None, 100, 0, []),
    ],
)
def test_periods(connections: list[Interval], start: int | None, end: int, grace: int,
                 expected: list[tuple[int, int]]) -> None:
    assert periods(connections, start, end, grace) == expected


@pytest.mark.parametrize(
    ("connection", "seen", "now", "expected"),
    [
        (Interval(0, 50, "h1"), {"h1": 10}, 1_000_000, 50),  # closed: its own end
        (Interval(0, None, "h1"), {"h1": 990_000}, 1_000_000, None),  # hub alive
        (Interval(0, None, "h1"), {"h1": 900_000}, 1_000_000, 900_000),  # hub dead
        (Interval(950_000, None, "h1"), {"h1": 900_000}, 1_000_000, 950_000),  # never before
        (Interval(0, None, "h2"), {"h1": 900_000}, 1_000_000, None),  # no heartbeat known
        (Interval(0, None, ""), {}, 1_000_000, None),
    ],
)
def test_a_dead_hubs_connections_end_at_its_last_heartbeat(
        connection: Interval, seen: dict[str, int], now: int, expected: int | None) -> None:
    assert open_until(connection, seen, now) == expected


def test_dead_hub_in_the_list() -> None:
    dead = member("p9", "Gerrit", ["participant"])
    dead.connections = [Interval(20 * MIN, None, "gone")]
    plist = presence_list(facts(), [dead], now_ms=200 * MIN, hubs_seen={"gone": 30 * MIN})
    assert plist.lines[0].periods == ((20 * MIN, 30 * MIN),)


def facts(**changes: object) -> SessionFacts:
    base = SessionFacts(session_id="s" * 32, method="tienstappen", method_name="Tienstappen",
                        language="nl", created_ms=0, started_ms=10 * MIN, ended_ms=100 * MIN)
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def member(pid: str, name: str, roles: list[str], *spans: tuple[float, float | None]
           ) -> MemberFacts:
    """Spans in minutes."""
    return MemberFacts(participant_id=pid, name=name, roles=roles,
                       connections=[Interval(int(a * MIN), None if b is None else int(b * MIN))
                                    for a, b in spans])


MEMBERS = [
    member("p2", "Bram", ["participant"], (5, 40), (40 + 0.5, 100)),  # reconnect
    member("p1", "Fenna", ["participant", "facilitator"], (0, None)),
    member("p3", "Cas", ["presenter", "participant"], (12, 60)),  # left early
    member("p4", "Dirk", ["participant"], (10, 20), (50, 100)),  # left and came back
    member("p5", "Eva", ["observer"]),  # never connected
]


def test_presence_list() -> None:
    plist = presence_list(facts(), MEMBERS, now_ms=500 * MIN)
    assert [ln.name for ln in plist.lines] == ["Bram", "Dirk", "Fenna", "Cas", "Eva"]
    lines = {ln.name: ln for ln in plist.lines}
    assert lines["Fenna"].periods == ((10 * MIN, 100 * MIN),)
    assert lines["Fenna"].roles == ("facilitator", "participant")
    assert lines["Bram"].periods == ((10 * MIN, 100 * MIN),)
    assert lines["Cas"].duration_ms == 48 * MIN
    assert lines["Cas"].roles == ("presenter", "participant")
    assert lines["Dirk"].periods == ((10 * MIN, 20 * MIN), (50 * MIN, 100 * MIN))
    assert lines["Dirk"].duration_ms == 60 * MIN
    assert lines["Eva"].from_ms is None and lines["Eva"].duration_ms == 0
    assert plist.led_by == ("Fenna",)
    assert plist.duration_ms == 90 * MIN


def test_window_before_start_and_close() -> None:
    plist = presence_list(facts(started_ms=None, ended_ms=None), MEMBERS, now_ms=30 * MIN)
    assert plist.started_ms == 0  # the first connection
    fenna = next(ln for ln in plist.lines if ln.name == "Fenna")
    assert fenna.periods == ((0, 30 * MIN),)
    assert plist.ended_ms is None and plist.duration_ms == 30 * MIN


def test_confirmation_takes_the_recorded_times() -> None:
    plist = presence_list(facts(), MEMBERS, now_ms=500 * MIN)
    cas = next(ln for ln in plist.lines if ln.name == "Cas")
    assert confirmation_for(cas, 61 * MIN) == Confirmation(12 * MIN, 60 * MIN, 61 * MIN)
    eva = next(ln for ln in plist.lines if ln.name == "Eva")
    assert confirmation_for(eva, 61 * MIN) is None


def test_codes_verify_only_the_same_facts() -> None:
    secret = b"k" * 32
    plist = presence_list(facts(), MEMBERS, now_ms=500 * MIN)
    cas = next(ln for ln in plist.lines if ln.name == "Cas")
    code = code_of(secret, certificate_message(plist, cas))
    assert len(code) == 29 and normalize_code(code.lower().replace("-", " ")) == code
    assert code_matches(secret, certificate_message(plist, cas), code)
    assert not code_matches(b"x" * 32, certificate_message(plist, cas), code)
    other = presence_list(facts(ended_ms=99 * MIN), MEMBERS, now_ms=500 * MIN)
    cas_other = next(ln for ln in other.lines if ln.name == "Cas")
    assert not code_matches(secret, certificate_message(other, cas_other), code)
    list_code = code_of(secret, list_message(plist))
    assert list_code != code
    confirmed = [*MEMBERS[:2], MemberFacts(**{**{f: getattr(MEMBERS[2], f) for f in
                 MemberFacts.__struct_fields__}, "confirmation": Confirmation(1, 2, 3)}),
                 *MEMBERS[3:]]
    assert code_of(secret, list_message(presence_list(facts(), confirmed, 500 * MIN))) \
        != list_code


@pytest.mark.parametrize("text", ["", "ABCD", "ABCD-EFGH-IJKL-MNOP-QRST-UVW1",
                                  "ABCD-EFGH-IJKL-MNOP-QRST-UVWXY"])
def test_malformed_codes(text: str) -> None:
    assert normalize_code(text) is None


def test_the_record_has_no_place_for_content() -> None:
    """Nothing in the stored facts can hold an item, a title or an item's author."""
    assert set(SessionFacts.__struct_fields__) == {
        "session_id", "method", "method_name", "language", "created_ms", "started_ms",
        "ended_ms", "approved_ms", "approved_by", "agreement"}
    assert set(MemberFacts.__struct_fields__) == {
        "participant_id", "name", "roles", "connections", "agreement_ms", "agreement_text",
        "confirmation", "member_key"}
