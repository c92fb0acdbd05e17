"""/api/groups against a real server: a year's plan, the rota, calendar files,
concurrent plan edits, a meeting played with roles from the plan, the look-back, and
private learning questions checked in the other members' HTTP answers and frames."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from tests.support import http
from tests.support.client import BoardClient, run
from tests.support.groups import Group, Person, create_group, enter, plan_series, play_meeting
from tests.support.server import ServerProcess

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NAMES = ["Anouk", "Bram", "Dewi", "Sem"]


def group_of_five(server: ServerProcess) -> Group:
    group = create_group(server)
    for name in NAMES:
        group.join(name)
    return group


def test_plan_of_eight_meetings_calendar_across_dst(server: ServerProcess) -> None:
    group = group_of_five(server)
    fenna = group.people[0]
    plan = plan_series(group, group.people[2])
    assert len(plan["meetings"]) == 8
    answer = group.call(fenna, "GET", "/calendar.ics")
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(answer.body)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 8
    starts = [e.decoded("dtstart") for e in events]
    assert all(s.astimezone(AMSTERDAM).strftime("%H:%M") == "19:30" for s in starts)
    offsets = {s.utcoffset() for s in starts}
    assert offsets == {dt.timedelta(hours=1), dt.timedelta(hours=2)}, "crosses DST"
    assert [s.date().isoformat() for s in starts][:3] == ["2027-01-12", "2027-02-23",
                                                         "2027-04-06"]
    assert all(e.decoded("dtend") - e.decoded("dtstart") == dt.timedelta(minutes=120)
               for e in events)
    text = answer.body.decode()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Amsterdam" in text
    for secret in [p.key for p in group.people] + [group.invite]:
        assert secret not in text
    assert f"{server.base}/g/{group.id}" in text and "#" not in text.split("URL")[1][:80]
    one = group.call(fenna, "GET", f"/meetings/{plan['meetings'][3]['id']}/calendar.ics")
    assert len(list(icalendar.Calendar.from_ical(one.body).walk("VEVENT"))) == 1


def test_rota_is_fair_and_an_override_sticks(server: ServerProcess) -> None:
    group = group_of_five(server)
    plan = plan_series(group, group.people[0])
    facilitators = [m["facilitator"] for m in plan["meetings"]]
    everyone = {p.member_id for p in group.people}
    assert set(facilitators[:5]) == everyone, "each facilitates once before anyone twice"
    presenters = [m["presenter"] for m in plan["meetings"]]
    assert set(presenters[:5]) == everyone
    assert all(m["facilitator"] != m["presenter"] for m in plan["meetings"])
    # the group overrides the suggestion for meeting 6
    chosen = group.people[3].member_id
    sixth = plan["meetings"][5]
    answer = group.call(group.people[1], "PATCH", f"/plan/meetings/{sixth['id']}",
                        {"version": plan["version"], "facilitator": chosen})
    assert answer.status == 200, answer.body
    after = answer.json()
    assert after["meetings"][5]["facilitator"] == chosen
    assert after["meetings"][5]["facilitator_fixed"] is True
    # another edit and a new member do not move it
    answer = group.call(group.people[0], "PATCH", f"/plan/meetings/{after['meetings'][0]['id']}",
                        {"version": after["version"], "minutes": 90})
    assert answer.status == 200
    group.join("Noor")
    final = group.view(group.people[0])["plan"]["meetings"]
    assert final[5]["facilitator"] == chosen and final[0]["minutes"] == 90
    # giving the choice back to the rota
    answer = group.call(group.people[0], "PATCH", f"/plan/meetings/{sixth['id']}",
                        {"version": group.view(group.people[0])["plan"]["version"],
                         "facilitator": None})
    assert answer.json()["meetings"][5]["facilitator_fixed"] is False


def test_two_plan_edits_at_once_one_gets_409_and_the_retry_keeps_both(
        server: ServerProcess) -> None:
    group = group_of_five(server)
    plan = plan_series(group, group.people[0], count=3)
    first, second = plan["meetings"][0]["id"], plan["meetings"][1]["id"]
    anouk, bram = group.people[1], group.people[2]
    a = group.call(anouk, "PATCH", f"/plan/meetings/{first}",
                   {"version": plan["version"], "starts": "2027-01-13T19:30"})
    b = group.call(bram, "PATCH", f"/plan/meetings/{second}",
                   {"version": plan["version"], "minutes": 150})
    assert (a.status, b.status) == (200, 409), (a.body, b.body)
    conflict = b.json()
    assert conflict["code"] == "stale_version" and conflict["version"] == plan["version"] + 1
    assert conflict["current"]["meetings"][0]["starts"] == "2027-01-13T19:30"
    # nothing of the stale write was applied
    assert group.view(bram)["plan"]["meetings"][1]["minutes"] == 120
    retry = group.call(bram, "PATCH", f"/plan/meetings/{second}",
                       {"version": conflict["version"], "minutes": 150})
    assert retry.status == 200
    meetings = group.view(anouk)["plan"]["meetings"]
    assert meetings[0]["starts"] == "2027-01-13T19:30" and meetings[1]["minutes"] == 150


def test_bad_input_gets_typed_errors_and_changes_nothing(server: ServerProcess) -> None:
    group = group_of_five(server)
    fenna, anouk = group.people[0], group.people[1]
    before = group.view(fenna)
    cases = [
        (fenna, "POST", "/plan/series", {"version": 1, "start": "2027-02-30T19:30"}, 400,
         "invalid_time"),
        (fenna, "POST", "/plan/series", {"version": 1, "start": "x"}, 400, "invalid_request"),
        (fenna, "POST", "/plan/series", {"version": 1, "start": "2027-01-12T19:30",
                                         "surprise": 1}, 400, "invalid_request"),
        (fenna, "POST", "/plan/meetings", {"version": 1, "starts": "2027-01-12T19:30",
                                           "method": "nope"}, 400, "unknown_method"),
        (anouk, "POST", "/invite", None, 403, "not_manager"),
        (anouk, "DELETE", "", None, 403, "not_manager"),
        (fenna, "DELETE", "/members/nobody", None, 404, "unknown_member"),
        (fenna, "POST", "/questions", {"version": 0, "text": ""}, 400, "invalid_request"),
    ]
    for who, method, path, body, status, code in cases:
        answer = group.call(who, method, path, body)
        assert answer.status == status, (path, answer.body)
        assert answer.json()["code"] == code, (path, answer.body)
    stranger = Person("x", "x", "not-a-key")
    for path in ("", "/calendar.ics"):
        answer = group.call(stranger, "GET", path)
        assert (answer.status, answer.json()["code"]) == (404, "not_found")
    answer = http.request(server, "POST", f"/api/groups/{group.id}/join", None,
                          {"invite": "wrong", "name": "Indringer"})
    assert answer.status == 404
    after = group.view(fenna)
    assert after["plan"] == before["plan"] and after["group"] == before["group"]


def test_invite_rotation_removal_and_handing_on(server: ServerProcess) -> None:
    group = group_of_five(server)
    fenna, anouk, bram = group.people[:3]
    old = group.invite
    rotated = group.call(fenna, "POST", "/invite").json()["invite_link"]
    group.invite = old
    assert http.request(server, "POST", f"/api/groups/{group.id}/join", None,
                        {"invite": old, "name": "Laat"}).status == 404
    group.invite = rotated.split("#i=")[1]
    group.join("Op tijd")
    assert group.call(fenna, "DELETE", f"/members/{bram.member_id}").status == 204
    assert group.call(bram, "GET").status == 404
    assert bram.member_id not in [m["id"] for m in group.view(fenna)["group"]["members"]]
    # a second device: the same member key opens the same member
    assert group.view(anouk)["me"]["id"] == anouk.member_id
    assert group.call(fenna, "POST", "/manager", {"member_id": anouk.member_id}).status == 204
    assert group.view(anouk)["me"]["manager"] is True
    assert group.call(fenna, "POST", "/invite").status == 403


def test_meeting_roles_look_back_and_private_questions(server: ServerProcess) -> None:
    group = group_of_five(server)
    fenna, anouk = group.people[0], group.people[1]
    others = group.people[1:]
    seen_by_others: list[bytes] = []

    def view_as(who: Person) -> dict[str, Any]:
        answer = group.call(who, "GET")
        if who is not fenna:
            seen_by_others.append(answer.body)
        return dict(answer.json())

    # Fenna's learning questions: one private, one shared
    private, shared = "PRIVEVRAAG-hoe-zeg-ik-nee", "GEDEELD-hoe-geef-ik-feedback"
    q = group.call(fenna, "POST", "/questions", {"version": 0, "text": private})
    assert q.status == 200
    q = group.call(fenna, "POST", "/questions",
                   {"version": q.json()["version"], "text": shared, "shared": True})
    assert q.status == 200 and q.json()["version"] == 2
    stale = group.call(fenna, "POST", "/questions", {"version": 1, "text": "dubbel"})
    assert stale.status == 409 and stale.json()["version"] == 2
    mine = view_as(fenna)["questions"]["by_member"][fenna.member_id]
    assert [x["text"] for x in mine] == [private, shared]

    plan = plan_series(group, fenna)
    first, second = plan["meetings"][0], plan["meetings"][1]
    redefinition = "Mijn probleem is dat ik geen nee zeg."
    actions = ["Een vaste belafspraak maken", "Vaker nee zeggen"]

    async def scenario() -> None:
        clients = await play_meeting(group, first, redefinition, actions)
        welcome = next(iter(clients.values())).welcome
        assert welcome is not None
        assert "lookback" not in [s["id"] for s in welcome["method"]["steps"]], "not in 1"
        frames = [json.dumps(m) for member_id, c in clients.items()
                  if member_id != fenna.member_id for m in c.messages]
        assert frames and not any(private in f for f in frames)
        for client in clients.values():
            await client.close()

    run(scenario)
    for who in others:
        view = view_as(who)
        assert view["plan"]["meetings"][0]["status"] == "closed"
        shared_seen = view["questions"]["by_member"][fenna.member_id]
        assert [x["text"] for x in shared_seen] == [shared]
    presenter = group.by_id(first["presenter"])
    back = group.call(anouk, "GET", f"/meetings/{second['id']}/lookback")
    seen_by_others.append(back.body)
    previous = back.json()["previous"]
    assert previous["meeting_id"] == first["id"]
    outcome = previous["outcome"]
    assert outcome["redefinition"] == redefinition
    assert [a["text"] for a in outcome["actions"]] == actions
    assert {a["owner"] for a in outcome["actions"]} == {presenter.member_id}
    assert group.call(anouk, "GET", f"/meetings/{first['id']}/lookback").json() == {
        "previous": None}
    # the owner's follow-up note; somebody else may not write it
    action = outcome["actions"][0]
    path = f"/meetings/{first['id']}/actions/{action['id']}"
    intruder = next(p for p in group.people if p is not presenter)
    denied = group.call(intruder, "PUT", path, {"version": outcome["version"],
                                                "status": "done", "note": "niet van mij"})
    assert denied.status == 403
    note = group.call(presenter, "PUT", path, {"version": outcome["version"],
                                               "status": "partly", "note": "Twee keer gelukt"})
    assert note.status == 200, note.body
    for who in group.people:
        answer = group.call(who, "GET", f"/meetings/{second['id']}/lookback")
        if who is not fenna:
            seen_by_others.append(answer.body)
        got = answer.json()["previous"]["outcome"]["actions"][0]
        assert (got["status"], got["note"]) == ("partly", "Twee keer gelukt")
    # the archive: members export the closed meeting with their own key
    session_id = group.view(anouk)["plan"]["meetings"][0]["session_id"]
    report = http.export(server, session_id, anouk.key, "md")
    assert report.status == 200 and redefinition.encode() in report.body
    # meeting 2 starts with its own roles; nothing private anywhere the others looked
    async def second_meeting() -> None:
        clients = {p.member_id: await enter(group, second["id"], p) for p in group.people}
        fac = clients[second["facilitator"]]
        assert fac.welcome is not None and fac.welcome["role"] == "facilitator"
        steps = [s["id"] for s in fac.welcome["method"]["steps"]]
        assert steps[:2] == ["checkin", "lookback"], "meeting 2 has the look-back step"
        for member_id, client in clients.items():
            if member_id != fenna.member_id:
                assert not any(private in json.dumps(m) for m in client.messages)
        await asyncio.gather(*(c.close() for c in clients.values()))

    run(second_meeting)
    assert seen_by_others and not any(private.encode() in body for body in seen_by_others)
    assert any(shared.encode() in body for body in seen_by_others)
    # sharing it later shows it; the evaluation at the end of the trajectory too
    qid = mine[0]["id"]
    answer = group.call(fenna, "PATCH", f"/questions/{qid}",
                        {"version": 2, "shared": True, "evaluation": "Ik zeg vaker nee."})
    assert answer.status == 200
    texts = [x["text"] for x in view_as(anouk)["questions"]["by_member"][fenna.member_id]]
    assert private in texts


def test_a_removed_member_is_put_out_of_the_open_boards(server: ServerProcess) -> None:
    """Removing a member closes their open connections (4004) on every board of the
    group they entered, the others see them removed, and their key opens nothing."""
    group = group_of_five(server)
    fenna, anouk, sem = group.people[0], group.people[1], group.people[4]
    plan = plan_series(group, fenna, count=2)
    first, second = plan["meetings"][0]["id"], plan["meetings"][1]["id"]

    async def scenario() -> None:
        sem_first = await enter(group, first, sem)
        sem_second = await enter(group, second, sem)
        anouk_first = await enter(group, first, anouk)
        sem_pid = str(sem_first.welcome["participant_id"]) if sem_first.welcome else ""
        assert group.call(fenna, "DELETE", f"/members/{sem.member_id}").status == 204
        for client in (sem_first, sem_second):
            await client.until(lambda c=client: c.close_code is not None)  # type: ignore[misc]
            assert client.close_code == 4004
        await anouk_first.until(
            lambda: anouk_first.participants.get(sem_pid, {}).get("removed") is True)
        secret = "NA-VERWIJDEREN-GESCHREVEN"
        assert (await anouk_first.add("checkin", secret))["type"] == "applied"
        assert not any(secret in json.dumps(m) for m in sem_first.messages)
        for session_client in (sem_first, sem_second):
            late = BoardClient(server.ws_base, session_client.url.rsplit("/", 1)[1], sem.key,
                               sem.name, client_id=session_client.client_id)
            try:
                await late.connect()
                raise AssertionError("a removed member entered")
            except ConnectionError:
                pass
        await anouk_first.close()

    run(scenario)


def test_roles_of_a_started_meeting_change_only_on_its_board(server: ServerProcess) -> None:
    """Once a meeting's board is open the plan no longer hands out its roles: a member
    cannot name themselves facilitator and re-enter with that role; a member who
    joined the group since enters as a participant."""
    group = group_of_five(server)
    plan = plan_series(group, group.people[0], count=2)
    meeting = plan["meetings"][0]
    plain = next(p for p in group.people
                 if p.member_id not in (meeting["facilitator"], meeting["presenter"]))

    async def scenario() -> None:
        fac = await enter(group, meeting["id"], group.by_id(meeting["facilitator"]))
        first = await enter(group, meeting["id"], plain)
        assert first.welcome is not None and first.welcome["role"] == "participant"
        await first.close()
        version = group.view(plain)["plan"]["version"]
        for role in ("facilitator", "presenter"):
            answer = group.call(plain, "PATCH", f"/plan/meetings/{meeting['id']}",
                                {"version": version, role: plain.member_id})
            assert (answer.status, answer.json()["code"]) == (409, "meeting_started"), role
        moved = group.call(plain, "PATCH", f"/plan/meetings/{meeting['id']}",
                           {"version": version, "minutes": 30})
        assert (moved.status, moved.json()["code"]) == (409, "meeting_started")
        assert group.view(plain)["plan"]["version"] == version, "nothing changed"
        again = await enter(group, meeting["id"], plain)
        assert again.welcome is not None and again.welcome["role"] == "participant"
        assert again.board["facilitator"] == fac.welcome["participant_id"]  # type: ignore[index]
        newcomer = group.join("Nieuw")
        late = await enter(group, meeting["id"], newcomer)
        assert late.welcome is not None and late.welcome["role"] == "participant"
        # the facilitator closes the board; a start call after it changes no key
        assert (await fac.call("close_session"))["type"] == "applied"
        answer = group.call(plain, "POST", f"/meetings/{meeting['id']}/start")
        assert (answer.status, answer.json()["code"]) == (409, "meeting_closed")
        for client in (fac, again, late):
            await client.close()

    run(scenario)


def test_a_meeting_whose_board_was_deleted_is_over(server: ServerProcess) -> None:
    group = group_of_five(server)
    fenna = group.people[0]
    plan = plan_series(group, fenna, count=2)
    first = plan["meetings"][0]
    facilitator = group.by_id(first["facilitator"])
    started = group.call(facilitator, "POST", f"/meetings/{first['id']}/start").json()
    # the meeting's facilitator deletes its board with their member key
    assert http.delete(server, started["session_id"], facilitator.key).status == 204
    view = group.view(fenna)
    assert [m["status"] for m in view["plan"]["meetings"]] == ["closed", "planned"]
    again = group.call(facilitator, "POST", f"/meetings/{first['id']}/start")
    assert (again.status, again.json()["code"]) == (409, "meeting_closed")
    back = group.call(fenna, "GET", f"/meetings/{plan['meetings'][1]['id']}/lookback").json()
    assert back["previous"]["outcome"] is None
    # a plain member's key may not delete a meeting's board
    second = plan["meetings"][1]
    other = next(p for p in group.people if p.member_id != second["facilitator"])
    opened = group.call(other, "POST", f"/meetings/{second['id']}/start").json()
    assert http.delete(server, opened["session_id"], other.key).status == 404


def test_the_manager_changes_the_settings(server: ServerProcess) -> None:
    group = group_of_five(server)
    fenna, anouk = group.people[0], group.people[1]
    version = group.view(fenna)["group"]["version"]
    change = {"version": version, "name": "Team Zuid", "cadence_weeks": 4, "minutes": 90,
              "method": "leren_van_successen", "language": "en"}
    assert group.call(anouk, "PATCH", "/settings", change).json()["code"] == "not_manager"
    bad = group.call(fenna, "PATCH", "/settings", {**change, "cadence_weeks": 0})
    assert (bad.status, bad.json()["code"]) == (400, "invalid_request")
    answer = group.call(fenna, "PATCH", "/settings", change)
    assert answer.status == 200, answer.body
    assert answer.json()["version"] == version + 1
    stale = group.call(fenna, "PATCH", "/settings", {"version": version, "name": "Oud"})
    assert stale.status == 409 and stale.json()["current"]["name"] == "Team Zuid"
    info = group.view(anouk)["group"]
    assert (info["name"], info["cadence_weeks"], info["minutes"], info["method"],
            info["language"]) == ("Team Zuid", 4, 90, "leren_van_successen", "en")
    plan = plan_series(group, anouk, count=2)
    assert [m["starts"] for m in plan["meetings"]] == ["2027-01-12T19:30", "2027-02-09T19:30"]
    assert {(m["minutes"], m["method"]) for m in plan["meetings"]} == {
        (90, "leren_van_successen")}
