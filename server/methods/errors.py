"""The error a method that cannot be used raises: its problems as data, and an English
text that names the source, each field and its reason."""

from __future__ import annotations

from server.methods.messages import describe
from server.methods.problems import Problem


class MethodError(ValueError):
    """A method that cannot be used. ``str()`` names the source, field and reason in
    English; ``problems`` holds them as data (at least one)."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        text = "; ".join(f"{describe(p, 'en')} - at `{p.path}`" for p in problems)
        super().__init__(f"{source}: {text}")
