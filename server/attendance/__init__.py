"""Attendance: proof that someone took part, kept apart from what was said.

``record`` is pure (no I/O): the facts a store holds and the presence list computed
from them. ``store`` keeps the facts (SQLite file of its own, or Redis keys of its
own); ``recorder`` is the hub's writer; ``http``, ``pdf`` and ``table`` serve and
render the list and the certificates.
"""
