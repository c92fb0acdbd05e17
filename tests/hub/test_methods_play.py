"""Whole sessions of the five methods, played over the real websocket protocol.

Each test plays one method from the check-in to the closed session with five real
clients: the facilitator (facilitator link), three participants and one member who
becomes the presenter (all invite link). The frame is the same for every method:
check-in, choosing the case with a sealed dot vote (the facilitator reveals the totals
and names the presenter), the method's own steps, check-out, close.

The expectations are a hand-written table per method, taken from the source documents
(``/work/shared/seeds``): the Divosa "Werkwijzer Vakmanschap door intervisie" 2.1-2.4
for Tienstappen, Dominante Ideeen, Leren van successen and the Dialoogmethode, and the
workshop slides for the Roddel-/incidentmethode (timeboxes 5/10/10/5/5/5 min). They
are NOT derived from the method TOML files: a step lists which sections are open, what
a role may do there (``can``: must be applied) and what a role must not do
(``cannot``: must be rejected ``forbidden``). Steps in which the source writes nothing
down (e.g. Tienstappen 4 and 5) have all sections locked; their allowed action is a
participant saying "ready" (``set_ready``).

Roles in the tables: ``fac`` facilitator, ``p1``-``p3`` participants, ``pres`` the
member who is named presenter in the choose-case step (a plain participant before).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.support.client import BoardClient, run
from tests.support.server import ServerProcess

WHO = ("fac", "p1", "p2", "p3", "pres")
NAMES = {"fac": "Fenna", "p1": "Anouk", "p2": "Bart", "p3": "Chris", "pres": "Dewi"}
APPLIED = "applied"
FORBIDDEN = "forbidden"
CLOSED = "session_closed"

Op = tuple[str, dict[str, Any]]


def add(section: str, item_id: str, text: str, **extra: Any) -> Op:
    return "add_item", {"item_id": item_id, "section": section, "text": text, **extra}


def rate(item_id: str, rating: str) -> Op:
    return "rate_item", {"item_id": item_id, "rating": rating}


def circle(item_id: str) -> Op:
    return "circle_item", {"item_id": item_id, "circled": True}


def choose(item_id: str) -> Op:
    return "choose_item", {"item_id": item_id, "chosen": True}


def vote(item_id: str) -> Op:
    return "vote", {"item_id": item_id, "delta": 1}


READY: Op = ("set_ready", {"ready": True})
"""The allowed action of a step in which nothing is written on the board."""

Hook = Callable[["Table"], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    id: str
    open: frozenset[str]
    """Sections somebody may write in during this step (all others are locked)."""
    can: tuple[tuple[str, Op], ...]
    cannot: tuple[tuple[str, Op], ...]
    minutes: int | None = None
    """The timebox the source gives, where it gives one."""
    hook: Hook | None = None
    """Extra checks played after ``can`` and ``cannot``."""


def step(id: str, open: str, can: list[tuple[str, Op]], cannot: list[tuple[str, Op]],
         minutes: int | None = None, hook: Hook | None = None) -> Step:
    assert can and cannot, f"step {id}: every step tries an allowed and a forbidden action"
    return Step(id, frozenset(open.split()), tuple(can), tuple(cannot), minutes, hook)


Final = dict[str, dict[str, dict[str, Any]]]
"""section -> item id -> expected fields (``text``: a fragment of the item's text)."""


# -- the live table ----------------------------------------------------------------------


class Table:
    """Five real clients around one session, with helpers that assert as they go."""

    def __init__(self, server: ServerProcess, method: str) -> None:
        session = server.create_session(method=method, title=f"Intervisie {method}")
        self.clients = {
            who: BoardClient(server.ws_base, session.id,
                             session.facilitator_token if who == "fac" else session.invite_token,
                             NAMES[who])
            for who in WHO
        }
        self.authors: dict[str, str] = {}

    async def join(self) -> None:
        for client in self.clients.values():
            await client.connect()
        await self.synced()
        assert [self.clients[w].role() for w in WHO] == [
            "facilitator", "participant", "participant", "participant", "participant"]

    def pid(self, who: str) -> str:
        welcome = self.clients[who].welcome
        assert welcome is not None
        return str(welcome["participant_id"])

    async def synced(self) -> None:
        """Wait until every client has every sequenced event."""
        target = max(c.seq for c in self.clients.values())
        for client in self.clients.values():
            await client.until(lambda c=client: c.seq >= target)

    async def expect(self, who: str, op: Op, outcome: str) -> dict[str, Any]:
        kind, fields = op
        answer = await self.clients[who].call(kind, **fields)
        if outcome == APPLIED:
            assert answer["type"] == "applied", (who, kind, fields, answer)
            if kind == "add_item":
                self.authors[fields["item_id"]] = self.pid(who)
        else:
            assert answer["type"] == "rejected", (who, kind, fields, answer)
            assert answer["code"] == outcome, (who, kind, fields, answer)
        return answer

    async def goto(self, index: int, spec: Step) -> None:
        await self.expect("fac", ("set_step", {"step": index}), APPLIED)
        for client in self.clients.values():
            await client.until(lambda c=client: _saw_step_set(c, index))
        await self.synced()
        for who, client in self.clients.items():
            assert client.board["step"] == index, who
            assert client.welcome is not None
            assert client.welcome["method"]["steps"][index]["id"] == spec.id, who
            if spec.minutes is not None:
                timer = client.board["timer"]
                assert timer["running"] is False, who
                assert timer["remaining_ms"] == spec.minutes * 60_000, (spec.id, who, timer)
            unlocked = {s for s, state in client.sections.items() if not state["locked"]}
            assert unlocked == spec.open, (spec.id, who, unlocked)

    async def play(self, steps: list[Step]) -> None:
        for index, spec in enumerate(steps):
            await self.goto(index, spec)
            for who, op in spec.can:
                await self.expect(who, op, APPLIED)
            for who, op in spec.cannot:
                await self.expect(who, op, FORBIDDEN)
            if spec.hook is not None:
                await spec.hook(self)

    async def close(self) -> None:
        await self.expect("p1", ("close_session", {}), FORBIDDEN)
        await self.expect("pres", ("close_session", {}), FORBIDDEN)
        await self.expect("fac", ("close_session", {}), APPLIED)
        await self.synced()
        closed_at = self.clients["fac"].seq
        for who, client in self.clients.items():
            assert client.board["closed"] is True, who
        after_close: list[tuple[str, Op]] = [
            ("fac", ("set_step", {"step": 0})),
            ("fac", add("checkout", "late-1", "Nog een top", lane="tops")),
            ("fac", ("reveal_section", {"section": "cases"})),
            ("fac", ("set_timer", {"action": "start"})),
            ("fac", ("close_session", {})),
            ("p1", add("checkout", "late-2", "Nog een tip", lane="tips")),
            ("p2", vote("case_a")),
            ("p3", READY),
            ("pres", add("checkin", "late-3", "Ik ben er nog")),
            ("pres", ("edit_item", {"item_id": "checkin_dewi", "text": "gewijzigd"})),
        ]
        for who, op in after_close:
            await self.expect(who, op, CLOSED)
        assert self.clients["fac"].seq == closed_at, "a rejected op was sequenced"

    async def check_final(self, final: Final) -> None:
        await self.synced()
        hashes = {who: c.state_hash() for who, c in self.clients.items()}
        assert len(set(hashes.values())) == 1, hashes
        for who, client in self.clients.items():
            assert client.gaps == [], (who, client.gaps)
            assert client.errors == [], (who, client.errors)
            _assert_items(client, final, self.authors, who)


def _saw_step_set(client: BoardClient, index: int) -> bool:
    return any(change["type"] == "step_set" and change["step"] == index
               for msg in client.messages if msg["type"] == "event"
               for change in msg["changes"])


DEFAULTS: dict[str, Any] = {"rating": None, "chosen": False, "circled": False, "parent": None,
                            "lane": None, "sheet": 1, "votes": 0}


def _assert_items(client: BoardClient, final: Final, authors: dict[str, str], who: str) -> None:
    stray = [i["id"] for i in client.items.values() if i["section"] not in final]
    assert stray == [], (who, stray)
    for section, expected in final.items():
        items = {i["id"]: i for i in client.items.values() if i["section"] == section}
        assert sorted(items) == sorted(expected), (who, section)
        assert len(items) == len(expected)
        for item_id, want in expected.items():
            item = items[item_id]
            assert want["text"] in item["text"], (who, item_id, item["text"])
            # a case carried from the vote keeps its author
            author = authors[item_id.removeprefix("carried-")]
            assert item.get("author") == author, (who, item_id)
            for field, default in DEFAULTS.items():
                assert item.get(field, default) == want.get(field, default), (who, item_id, field)


# -- the frame around every method: check-in, choosing the case, check-out ---------------


async def _sealed_vote_then_reveal(t: Table) -> None:
    """Votes stay hidden until the facilitator reveals them; then the presenter is named."""
    await t.synced()
    for who, client in t.clients.items():
        assert client.sections["cases"]["sealed"] is True, who
        for item_id in ("case_a", "case_b"):
            assert client.items[item_id].get("votes", 0) == 0, (who, item_id)
    mine = [c for m in t.clients["p2"].messages if m["type"] == "event"
            for c in m["changes"] if c["type"] == "vote_put"]
    assert mine[-1] == {"type": "vote_put", "item_id": "case_a", "mine": 2}
    assert not any(c["type"] == "vote_put" for m in t.clients["p3"].messages
                   if m["type"] == "event" for c in m["changes"]
                   if c.get("item_id") == "case_a"), "p3 saw someone else's votes"

    await t.expect("p1", ("reveal_section", {"section": "cases"}), FORBIDDEN)
    await t.expect("fac", ("reveal_section", {"section": "cases"}), APPLIED)
    await t.synced()
    for who, client in t.clients.items():
        assert client.items["case_a"]["votes"] == 4, who
        assert client.items["case_b"]["votes"] == 2, who
        assert client.sections["cases"]["revealed"] is True, who

    presenter = {"participant_id": t.pid("pres"), "role": "presenter"}
    await t.expect("p1", ("assign_role", presenter), FORBIDDEN)
    await t.expect("pres", ("assign_role", presenter), FORBIDDEN)
    await t.expect("fac", ("assign_role", presenter), APPLIED)
    await t.synced()
    for who, client in t.clients.items():
        assert client.board["presenter"] == t.pid("pres"), who
        assert client.participants[t.pid("pres")]["role"] == "presenter", who
        assert client.board["facilitator"] == t.pid("fac"), who
    assert [t.clients[w].role() for w in WHO] == [
        "facilitator", "participant", "participant", "participant", "presenter"]


FRAME_BEFORE = [
    step("checkin", "checkin",
         can=[("pres", add("checkin", "checkin_dewi", "Druk week, blij dat ik er ben")),
              ("p1", add("checkin", "checkin_anouk", "Nieuwsgierig"))],
         cannot=[("p1", add("cases", "x", "Te vroeg voor een casus")),
                 ("p2", vote("checkin_dewi"))]),
    # Doc 004 "Welke casus kiezen we?": as a group, by urgency. Dewi's case gets
    # 4 votes (Anouk 1, Bart 2, Dewi 1), Bart's case 2 (Chris 1, Fenna 1).
    step("choose_case", "cases",
         can=[("pres", add("cases", "case_a", "Klant komt afspraken niet na. Vraag: hoe ...?")),
              ("p2", add("cases", "case_b", "Collega neemt mijn klanten over. Vraag: wat ...?")),
              ("p1", vote("case_a")), ("p2", vote("case_a")), ("p2", vote("case_a")),
              ("pres", vote("case_a")), ("p3", vote("case_b")), ("fac", vote("case_b"))],
         cannot=[("p1", add("checkin", "x", "Check-in is voorbij")),
                 ("p3", ("set_step", {"step": 2})),
                 ("p3", ("lock_section", {"section": "cases", "locked": False}))],
         hook=_sealed_vote_then_reveal),
]

FRAME_AFTER = [
    step("checkout", "checkout",
         can=[("p1", add("checkout", "top_1", "Fijn tempo en goede vragen", lane="tops")),
              ("pres", add("checkout", "tip_1", "Volgende keer strakker op tijd", lane="tips"))],
         cannot=[("p2", add("cases", "x", "Nog een casus")),
                 ("p3", add("checkin", "x", "Te laat"))]),
]

FRAME_FINAL: Final = {
    "checkin": {"checkin_dewi": {"text": "Druk week"}, "checkin_anouk": {"text": "Nieuwsgierig"}},
    "cases": {"case_a": {"text": "afspraken niet na", "votes": 4},
              "case_b": {"text": "Collega neemt", "votes": 2}},
    "checkout": {"top_1": {"text": "Fijn tempo", "lane": "tops"},
                 "tip_1": {"text": "strakker op tijd", "lane": "tips"}},
}


CARRIED: Final = {"carried-case_a": {"text": "afspraken niet na"}}
"""The presenter's case from the vote, carried into the method's "case" section."""


def with_carried_case(final: Final) -> Final:
    if "case" not in final:
        return final
    return {**final, "case": {**CARRIED, **final["case"]}}


def play_method(server: ServerProcess, method: str, steps: list[Step], final: Final) -> None:
    async def scenario() -> None:
        table = Table(server, method)
        await table.join()
        await table.play([*FRAME_BEFORE, *steps, *FRAME_AFTER])
        await table.close()
        await table.check_final({**FRAME_FINAL, **with_carried_case(final)})

    run(scenario)


# -- 2.1 Tienstappenmethode ----------------------------------------------------------------

TIENSTAPPEN = [
    # 1: the presenter describes the case briefly and states the question.
    step("introduce", "case",
         can=[("pres", add("case", "c1", "Een klant zegt telkens af. "
                                         "Vraag: hoe houd ik contact?"))],
         cannot=[("p1", add("case", "x", "Mijn versie van de casus")),
                 ("p1", add("questions", "x", "Al een vraag?"))]),
    # 2: the others write two or three open questions; the presenter does nothing yet.
    step("ask", "questions",
         can=[("p1", add("questions", "q1", "Wat wil je zelf bereiken met deze klant?")),
              ("p1", add("questions", "q2", "Wanneer lukte het contact wel?")),
              ("p2", add("questions", "q3", "Wat maakt dat je blijft bellen?")),
              ("p3", add("questions", "q4", "Wie is er nog meer betrokken?"))],
         cannot=[("pres", add("questions", "x", "Mag ik zelf iets vragen?")),
                 ("pres", rate("q1", "warm")),
                 ("p1", add("case", "x", "Aanvulling op de casus"))]),
    # 3: only the presenter marks each question K/W/N, in silence.
    step("rate_questions", "questions",
         can=[("pres", rate("q1", "warm")), ("pres", rate("q2", "cold")),
              ("pres", rate("q3", "warm")), ("pres", rate("q4", "neutral"))],
         cannot=[("p1", rate("q2", "warm")), ("fac", rate("q2", "warm")),
                 ("p2", add("questions", "x", "Nog een vraag"))]),
    # 4: the presenter answers all questions; nothing is written.
    step("answer", "",
         can=[("p1", READY)],
         cannot=[("p1", add("questions", "x", "Nog een vraag")),
                 ("pres", rate("q4", "warm")),
                 ("pres", add("case", "x", "Mijn antwoorden"))]),
    # 5: follow-up questions are not written down; the presenter answers at once.
    step("follow_up", "",
         can=[("p2", READY)],
         cannot=[("p2", add("questions", "x", "Doorvraag")),
                 ("p3", add("redefinitions", "x", "Mijn probleem is ... (te vroeg)"))]),
    # 6: the others re-define the problem: "Mijn probleem is ...".
    step("redefine", "redefinitions",
         can=[("p1", add("redefinitions", "r1", "Mijn probleem is dat ik te veel wil.")),
              ("p2", add("redefinitions", "r2", "Mijn probleem is dat ik geen grens stel.")),
              ("p3", add("redefinitions", "r3", "Mijn probleem is dat ik alleen sta."))],
         cannot=[("pres", add("redefinitions", "x", "Mijn probleem is (te vroeg)")),
                 ("pres", rate("r1", "warm")),
                 ("p3", rate("q1", "cold"))]),
    # 7: the presenter rates the re-definitions, adds an own one and picks one.
    step("rate_redefinitions", "redefinitions",
         can=[("pres", rate("r1", "neutral")), ("pres", rate("r2", "warm")),
              ("pres", rate("r3", "cold")),
              ("pres", add("redefinitions", "r4", "Mijn probleem is dat ik geen nee zeg.")),
              ("pres", choose("r4"))],
         cannot=[("p1", add("redefinitions", "x", "Mijn probleem is nog iets")),
                 ("p1", rate("r2", "cold")),
                 ("p2", choose("r2")),
                 ("fac", choose("r2"))]),
    # 8: everyone discusses the new situation and alternative actions.
    step("alternatives", "alternatives",
         can=[("p3", add("alternatives", "a1", "Een vaste belafspraak maken")),
              ("pres", add("alternatives", "a2", "Vaker nee zeggen tegen extra verzoeken"))],
         cannot=[("p1", add("tips", "x", "Alvast een tip")),
                 ("pres", choose("r2"))]),
    # 9: the participants may give practical tips and advice.
    step("tips", "tips",
         can=[("p2", add("tips", "t1", "Plan het gesprek op een vast moment"))],
         cannot=[("pres", add("tips", "x", "Tip aan mezelf")),
                 ("p2", add("alternatives", "x", "Nog een alternatief"))]),
    # 10: look back and evaluate: what did everyone learn?
    step("evaluate", "evaluation",
         can=[("pres", add("evaluation", "e1", "Ik zie nu mijn eigen aandeel")),
              ("p3", add("evaluation", "e2", "Vragen uitstellen werkt"))],
         cannot=[("p1", add("tips", "x", "Nog een tip")),
                 ("pres", rate("r4", "cold"))]),
]

TIENSTAPPEN_FINAL: Final = {
    "case": {"c1": {"text": "hoe houd ik contact"}},
    "questions": {"q1": {"text": "zelf bereiken", "rating": "warm"},
                  "q2": {"text": "lukte het contact", "rating": "cold"},
                  "q3": {"text": "blijft bellen", "rating": "warm"},
                  "q4": {"text": "betrokken", "rating": "neutral"}},
    "redefinitions": {"r1": {"text": "te veel wil", "rating": "neutral"},
                      "r2": {"text": "geen grens", "rating": "warm"},
                      "r3": {"text": "alleen sta", "rating": "cold"},
                      "r4": {"text": "geen nee zeg", "chosen": True}},
    "alternatives": {"a1": {"text": "belafspraak"}, "a2": {"text": "nee zeggen"}},
    "tips": {"t1": {"text": "vast moment"}},
    "evaluation": {"e1": {"text": "eigen aandeel"}, "e2": {"text": "uitstellen"}},
}


def test_tienstappen_whole_session(server: ServerProcess) -> None:
    play_method(server, "tienstappen", TIENSTAPPEN, TIENSTAPPEN_FINAL)


# -- 2.2 Dominante Ideeen ------------------------------------------------------------------

DOMINANTE_IDEEEN = [
    # 1: the presenter introduces the case and explains the question.
    step("introduce", "case",
         can=[("pres", add("case", "c1", "Ik neem steeds het werk van anderen over."))],
         cannot=[("p2", add("case", "x", "Mijn kijk op de casus")),
                 ("p2", add("ideas", "x", "Al een idee"))]),
    # 2: the others ask and listen between the lines; notes are kept to oneself.
    step("explore", "",
         can=[("p3", READY)],
         cannot=[("p1", add("ideas", "x", "Mijn aantekening")),
                 ("pres", add("case", "x", "Nog meer over de casus"))]),
    # 3: the participants name the dominant ideas; the presenter listens, no reaction.
    step("name_ideas", "ideas",
         can=[("p1", add("ideas", "d1", "Als ik het niet doe, doet niemand het")),
              ("p2", add("ideas", "d2", "Hulp vragen is zwak")),
              ("p3", add("ideas", "d3", "Een goede collega zegt nooit nee"))],
         cannot=[("pres", add("ideas", "x", "Dat klopt niet")),
                 ("pres", circle("d1"))]),
    # 4: the presenter responds and circles the ideas to explore further.
    step("respond", "ideas",
         can=[("pres", circle("d1")), ("pres", circle("d3"))],
         cannot=[("p1", circle("d2")), ("fac", circle("d2")),
                 ("p2", add("ideas", "x", "Nog een idee"))]),
    # 5: with the others' help the presenter finds an alternative for each circled idea.
    step("alternatives", "ideas",
         can=[("pres", add("ideas", "alt1", "Als ik het laat liggen, pakt een ander het op",
                           parent="d1")),
              ("p2", add("ideas", "alt2", "Een goede collega zegt soms nee", parent="d3")),
              ("p3", add("ideas", "alt3", "Wie nee zegt, maakt ruimte", parent="d3"))],
         cannot=[("p1", circle("d2")), ("pres", circle("d2")),
                 ("p1", add("takeaways", "x", "Wat jij moet doen"))]),
    # 6: the presenter says what it brought and how they will act differently.
    step("takeaways", "takeaways",
         can=[("pres", add("takeaways", "k1", "Ik wacht voortaan een dag voor ik iets overneem"))],
         cannot=[("p1", add("takeaways", "x", "Doe dit")),
                 ("p2", add("ideas", "x", "Nog een alternatief"))]),
    # 7: the whole group looks back.
    step("evaluate", "evaluation",
         can=[("p1", add("evaluation", "e1", "Confronterend maar waardevol")),
              ("pres", add("evaluation", "e2", "Ik voelde me gehoord"))],
         cannot=[("p3", add("takeaways", "x", "Nog een opbrengst")),
                 ("pres", circle("d2"))]),
]

DOMINANTE_IDEEEN_FINAL: Final = {
    "case": {"c1": {"text": "werk van anderen"}},
    "ideas": {"d1": {"text": "niemand het", "circled": True},
              "d2": {"text": "zwak"},
              "d3": {"text": "nooit nee", "circled": True},
              "alt1": {"text": "pakt een ander", "parent": "d1"},
              "alt2": {"text": "soms nee", "parent": "d3"},
              "alt3": {"text": "maakt ruimte", "parent": "d3"}},
    "takeaways": {"k1": {"text": "wacht voortaan"}},
    "evaluation": {"e1": {"text": "Confronterend"}, "e2": {"text": "gehoord"}},
}


def test_dominante_ideeen_whole_session(server: ServerProcess) -> None:
    play_method(server, "dominante_ideeen", DOMINANTE_IDEEEN, DOMINANTE_IDEEEN_FINAL)


# -- 2.3 Leren van successen ---------------------------------------------------------------

LEREN_VAN_SUCCESSEN = [
    # 1: the presenter tells the success story; the OTHERS note the success factors.
    step("success_story", "case factors",
         can=[("pres", add("case", "c1", "Hoe is het mij gelukt een klant weer aan het werk "
                                          "te krijgen?")),
              ("p1", add("factors", "f1", "Ze bleef rustig doorvragen", lane="own"))],
         cannot=[("pres", add("factors", "x", "Ik was geduldig", lane="own")),
                 ("p2", add("case", "x", "Mijn succes")),
                 ("p2", add("reflection", "x", "Opbrengst"))]),
    # 2: everyone, the presenter too, lists factors: own actions vs the environment.
    step("collect_factors", "factors",
         can=[("pres", add("factors", "f2", "De werkgever gaf een proefplaats",
                           lane="environment")),
              ("p2", add("factors", "f3", "Ze vierde kleine stappen", lane="own")),
              ("fac", add("factors", "f4", "De klantmanager dacht mee", lane="environment"))],
         cannot=[("p3", add("case", "x", "Nog een succesverhaal")),
                 ("pres", add("reflection", "x", "Al mijn opbrengst"))]),
    # 3: a round of questions for deeper factors, noted on a second sheet.
    step("dig_deeper", "factors",
         can=[("p3", add("factors", "f5", "Ze geloofde echt in de klant", lane="own", sheet=2)),
              ("p1", add("factors", "f6", "Het team gaf haar de tijd", lane="environment",
                         sheet=2))],
         cannot=[("pres", add("reflection", "x", "Te vroeg")),
                 ("p1", add("case", "x", "Nog een verhaal"))]),
    # 4: the presenter reflects and names what it brought.
    step("reflect", "reflection",
         can=[("pres", add("reflection", "o1", "Mijn geduld is een kracht, niet een zwakte"))],
         cannot=[("p1", add("reflection", "x", "Jouw opbrengst is ...")),
                 ("p2", add("factors", "x", "Nog een factor", lane="own"))]),
    # 5: the group discusses what it learned from this way of looking.
    step("evaluate", "evaluation",
         can=[("p2", add("evaluation", "e1", "Positief kijken geeft energie")),
              ("pres", add("evaluation", "e2", "Ik ga dit vaker doen"))],
         cannot=[("p3", add("reflection", "x", "Mijn opbrengst")),
                 ("p3", add("factors", "x", "Nog een factor", lane="own", sheet=2))]),
]

LEREN_VAN_SUCCESSEN_FINAL: Final = {
    "case": {"c1": {"text": "Hoe is het mij gelukt"}},
    "factors": {"f1": {"text": "rustig doorvragen", "lane": "own"},
                "f2": {"text": "proefplaats", "lane": "environment"},
                "f3": {"text": "kleine stappen", "lane": "own"},
                "f4": {"text": "dacht mee", "lane": "environment"},
                "f5": {"text": "geloofde", "lane": "own", "sheet": 2},
                "f6": {"text": "de tijd", "lane": "environment", "sheet": 2}},
    "reflection": {"o1": {"text": "geduld is een kracht"}},
    "evaluation": {"e1": {"text": "energie"}, "e2": {"text": "vaker"}},
}


def test_leren_van_successen_whole_session(server: ServerProcess) -> None:
    play_method(server, "leren_van_successen", LEREN_VAN_SUCCESSEN, LEREN_VAN_SUCCESSEN_FINAL)


# -- 2.4 Dialoogmethode ----------------------------------------------------------------------


async def _perspectives_hidden_until_reveal(t: Table) -> None:
    """Step 3: each writes alone; nobody sees another's perspective until the reveal."""
    await t.synced()
    own = {"p1": "v1", "p2": "v2", "p3": "v3"}
    for who, client in t.clients.items():
        seen = {i["id"] for i in client.items.values() if i["section"] == "perspectives"}
        assert seen == ({own[who]} if who in own else set()), (who, seen)
        assert client.sections["perspectives"]["hidden"] is True, who
        assert client.sections["perspectives"]["hidden_count"] == 3, who
    await t.expect("p1", ("reveal_section", {"section": "perspectives"}), FORBIDDEN)
    await t.expect("fac", ("reveal_section", {"section": "perspectives"}), APPLIED)
    await t.synced()
    for who, client in t.clients.items():
        seen = {i["id"] for i in client.items.values() if i["section"] == "perspectives"}
        assert seen == {"v1", "v2", "v3"}, (who, seen)
        assert client.sections["perspectives"]["hidden_count"] == 0, who


async def _one_hittepunt(t: Table) -> None:
    """Marking another moment moves the hittepunt: one chosen example at a time."""
    await t.synced()
    for who, client in t.clients.items():
        chosen = [i["id"] for i in client.items.values() if i.get("chosen")]
        assert chosen == ["ex2"], who


DIALOOG = [
    # 1: the group interviews the presenter: question, example, hittepunt, feelings.
    step("interview", "hourglass",
         can=[("p1", add("hourglass", "th1", "Wanneer laat je een klant los?", lane="theme")),
              ("pres", add("hourglass", "ex1", "Het eerste gesprek met mevrouw K.",
                           lane="example")),
              ("p2", add("hourglass", "ex2", "Het moment dat ik de deur dichtdeed",
                         lane="example")),
              ("pres", choose("ex1")), ("pres", choose("ex2"))],
         cannot=[("p3", choose("ex1")),
                 ("p3", add("questions", "x", "Al een verhelderende vraag")),
                 ("p1", add("perspectives", "x", "Ik zou ..."))],
         hook=_one_hittepunt),
    # 2: the participants ask clarifying questions.
    step("clarify", "questions",
         can=[("p3", add("questions", "vq1", "Wat zei mevrouw K. precies?")),
              ("fac", add("questions", "vq2", "Hoe lang duurde het gesprek?"))],
         cannot=[("pres", add("questions", "x", "Een vraag aan mezelf")),
                 ("p1", add("hourglass", "x", "Regel", lane="rules"))]),
    # 3: the others put themselves in the presenter's shoes, each alone (hidden).
    step("shoes", "perspectives",
         can=[("p1", add("perspectives", "v1", "Ik zou me schuldig voelen")),
              ("p2", add("perspectives", "v2", "Ik zou de deur openhouden")),
              ("p3", add("perspectives", "v3", "Ik zou hetzelfde doen, uit zelfbescherming"))],
         cannot=[("pres", add("perspectives", "x", "Zo voelde ik het")),
                 ("p1", add("hourglass", "x", "Principe", lane="principles"))],
         hook=_perspectives_hidden_until_reveal),
    # 4: the essence: rules and general principles go into the hourglass.
    step("essence", "hourglass",
         can=[("p3", add("hourglass", "ru1", "Je mag een gesprek beeindigen als je je "
                                             "onveilig voelt", lane="rules")),
              ("p1", add("hourglass", "pr1", "Zorg voor jezelf is zorg voor de klant",
                         lane="principles")),
              ("pres", add("hourglass", "pr2", "Grenzen maken hulp mogelijk",
                           lane="principles"))],
         cannot=[("pres", add("perspectives", "x", "Nog een verplaatsing")),
                 ("p2", add("perspectives", "x", "Nog een verplaatsing")),
                 ("p2", choose("ex1"))]),
    # 5: which attitude does acting well in such a situation take?
    step("attitude", "attitude",
         can=[("p2", add("attitude", "h1", "De moed om je eigen angst te zien")),
              ("pres", add("attitude", "h2", "Loslaten dat ik iedereen kan redden"))],
         cannot=[("p1", add("hourglass", "x", "Nog een regel", lane="rules")),
                 ("p1", add("evaluation", "x", "Te vroeg"))]),
    # 6: look back on the dialogue together.
    step("look_back", "evaluation",
         can=[("p3", add("evaluation", "e1", "Traag, maar het ging ergens over")),
              ("pres", add("evaluation", "e2", "Ik neem de principes mee"))],
         cannot=[("p1", add("attitude", "x", "Nog een houding")),
                 ("p2", add("hourglass", "x", "Nog een principe", lane="principles"))]),
]

DIALOOG_FINAL: Final = {
    "hourglass": {"th1": {"text": "laat je een klant los", "lane": "theme"},
                  "ex1": {"text": "eerste gesprek", "lane": "example"},
                  "ex2": {"text": "deur dichtdeed", "lane": "example", "chosen": True},
                  "ru1": {"text": "onveilig", "lane": "rules"},
                  "pr1": {"text": "Zorg voor jezelf", "lane": "principles"},
                  "pr2": {"text": "Grenzen", "lane": "principles"}},
    "questions": {"vq1": {"text": "precies"}, "vq2": {"text": "Hoe lang"}},
    "perspectives": {"v1": {"text": "schuldig"}, "v2": {"text": "openhouden"},
                     "v3": {"text": "zelfbescherming"}},
    "attitude": {"h1": {"text": "moed"}, "h2": {"text": "redden"}},
    "evaluation": {"e1": {"text": "Traag"}, "e2": {"text": "principes mee"}},
}


def test_dialoog_whole_session(server: ServerProcess) -> None:
    play_method(server, "dialoog", DIALOOG, DIALOOG_FINAL)


# -- Roddel-/incidentmethode (workshop slides; 40 minutes) ----------------------------------

RODDELMETHODE = [
    # 5 min: the presenter tells about the case.
    step("introduce", "case", minutes=5,
         can=[("pres", add("case", "c1", "Een klant dreigde met een klacht"))],
         cannot=[("p1", add("case", "x", "Mijn casus")),
                 ("p1", add("questions", "x", "Al een vraag"))]),
    # 10 min: the group asks clarifying questions.
    step("clarify", "questions", minutes=10,
         can=[("p1", add("questions", "q1", "Wat was de aanleiding?")),
              ("p2", add("questions", "q2", "Wie was er nog bij?"))],
         cannot=[("pres", add("questions", "x", "Vraag van mij")),
                 ("p3", add("gossip", "x", "Te vroeg om te roddelen"))]),
    # 10 min: the group gossips; the presenter only listens.
    step("gossip", "gossip", minutes=10,
         can=[("p3", add("gossip", "g1", "Volgens mij voelde ze zich niet serieus genomen")),
              ("p1", add("gossip", "g2", "Hij had eerder moeten escaleren"))],
         cannot=[("pres", add("gossip", "x", "Zo zat het niet!")),
                 ("pres", add("case", "x", "Even rechtzetten")),
                 ("pres", add("questions", "x", "Mag ik iets zeggen?"))]),
    # 5 min: which tips can you give the presenter?
    step("tips", "tips", minutes=5,
         can=[("p2", add("tips", "t1", "Vraag wat de klant nodig heeft"))],
         cannot=[("pres", add("tips", "x", "Tip aan mezelf")),
                 ("p2", add("gossip", "x", "Nog een roddel"))]),
    # 5 min: the presenter speaks: how it ended, what touched them, what now.
    step("presenter_reflects", "presenter_reflection", minutes=5,
         can=[("pres", add("presenter_reflection", "pr1",
                           "Het liep goed af; ik ga eerder bellen"))],
         cannot=[("p1", add("presenter_reflection", "x", "Wat jij denkt")),
                 ("fac", add("presenter_reflection", "x", "Samenvatting")),
                 ("p1", add("tips", "x", "Nog een tip"))]),
    # 5 min: what do the other participants take from this round?
    step("take_home", "takeaways", minutes=5,
         can=[("p1", add("takeaways", "m1", "Ik ga ook eerder bellen")),
              ("p3", add("takeaways", "m2", "Roddelen geeft een eerlijke blik"))],
         cannot=[("pres", add("takeaways", "x", "Wat ik meeneem")),
                 ("p2", add("presenter_reflection", "x", "Jouw reactie"))]),
]

RODDELMETHODE_FINAL: Final = {
    "case": {"c1": {"text": "klacht"}},
    "questions": {"q1": {"text": "aanleiding"}, "q2": {"text": "nog bij"}},
    "gossip": {"g1": {"text": "niet serieus"}, "g2": {"text": "escaleren"}},
    "tips": {"t1": {"text": "nodig heeft"}},
    "presenter_reflection": {"pr1": {"text": "eerder bellen"}},
    "takeaways": {"m1": {"text": "ook eerder"}, "m2": {"text": "eerlijke blik"}},
}


def test_roddelmethode_whole_session(server: ServerProcess) -> None:
    assert [s.minutes for s in RODDELMETHODE] == [5, 10, 10, 5, 5, 5]  # 40 minutes in all
    play_method(server, "roddelmethode", RODDELMETHODE, RODDELMETHODE_FINAL)
