"""A group over HTTP for tests: create, join, and call ``/api/groups`` as a member."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.support import http
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
