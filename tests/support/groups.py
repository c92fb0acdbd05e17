"""A group over HTTP for tests: create, join, and call ``/api/groups`` as a member."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.support import http
from tests.support.client import BoardClient
from tests.support.server import ServerProcess


@dataclass
class Person:
    name: str
    member_id: str
    key: str


@dataclass
class Group:
    server: ServerProcess
    id: str
    invite: str
    people: list[Person] = field(default_factory=list)

    def call(self, who: Person, method: str, path: str = "", body: Any = None) -> http.Answer:
        return http.request(self.server, method, f"/api/groups/{self.id}{path}", who.key, body)

    def view(self, who: Person) -> dict[str, Any]:
        answer = self.call(who, "GET")
        assert answer.status == 200, answer.body
        result: dict[str, Any] = answer.json()
        return result

    def join(self, name: str) -> Person:
        answer = http.request(self.server, "POST", f"/api/groups/{self.id}/join", None,
                              {"invite": self.invite, "name": name})
        assert answer.status == 201, answer.body
        body = answer.json()
        person = Person(name, body["member_id"], body["member_key"])
        self.people.append(person)
        return person

    def by_id(self, member_id: str) -> Person:
        return next(p for p in self.people if p.member_id == member_id)


def create_group(server: ServerProcess, creator: str = "Fenna", name: str = "Team Noord",
                 **settings: Any) -> Group:
    answer = http.request(server, "POST", "/api/groups", None,
                          {"name": name, "your_name": creator, **settings})
    assert answer.status == 201, answer.body
    body = answer.json()
    group = Group(server, body["group_id"], body["invite_link"].split("#i=")[1])
    group.people.append(Person(creator, body["member_id"], body["member_key"]))
    assert body["member_link"].endswith("#m=" + body["member_key"])
    return group


def plan_series(group: Group, who: Person, count: int = 8) -> dict[str, Any]:
    version = group.view(who)["plan"]["version"]
    answer = group.call(who, "POST", "/plan/series",
                        {"version": version, "start": "2027-01-12T19:30", "count": count})
    assert answer.status == 200, answer.body
    plan: dict[str, Any] = answer.json()
    return plan


def step_index(client: BoardClient, step_id: str) -> int:
    assert client.welcome is not None
    ids = [s["id"] for s in client.welcome["method"]["steps"]]
    return ids.index(step_id)


async def enter(group: Group, meeting_id: str, who: Person) -> BoardClient:
    """What the board page does for a member: start (or open) the meeting, then say
    hello with the member key and the group's display name (nothing typed)."""
    answer = group.call(who, "POST", f"/meetings/{meeting_id}/start")
    assert answer.status in (200, 201), answer.body
    session_id = answer.json()["session_id"]
    assert answer.json()["board"] == f"/s/{session_id}#g={group.id}&meeting={meeting_id}"
    client = BoardClient(group.server.ws_base, session_id, who.key, who.name)
    await client.connect()
    return client


async def play_meeting(group: Group, meeting: dict[str, Any], redefinition: str,
                       actions: list[str]) -> dict[str, BoardClient]:
    """Play a Tienstappen meeting to its close with the roles from the plan."""
    clients = {p.member_id: await enter(group, meeting["id"], p) for p in group.people}
    fac = clients[meeting["facilitator"]]
    pres = clients[meeting["presenter"]]
    for member_id, client in clients.items():
        role = ("facilitator" if member_id == meeting["facilitator"] else
                "presenter" if member_id == meeting["presenter"] else "participant")
        assert client.welcome is not None and client.welcome["role"] == role, member_id
    other = next(c for m, c in clients.items()
                 if m not in (meeting["facilitator"], meeting["presenter"]))

    async def goto(step_id: str) -> None:
        reply = await fac.call("set_step", step=step_index(fac, step_id))
        assert reply["type"] == "applied", reply

    await goto("redefine")
    assert (await other.call("add_item", item_id="r1", section="redefinitions",
                             text="Mijn probleem is dat ik alles zelf doe."))["type"] == "applied"
    await goto("rate_redefinitions")
    assert (await pres.call("add_item", item_id="r2", section="redefinitions",
                            text=redefinition))["type"] == "applied"
    assert (await pres.call("choose_item", item_id="r2", chosen=True))["type"] == "applied"
    await goto("alternatives")
    for n, text in enumerate(actions):
        reply = await pres.call("add_item", item_id=f"a{n}", section="alternatives", text=text)
        assert reply["type"] == "applied", reply
    assert (await fac.call("close_session"))["type"] == "applied"
    return clients
