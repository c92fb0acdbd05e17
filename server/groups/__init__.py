"""Intervision groups: members, a plan of meetings, the rota, look-back and learning
questions (``rules`` is pure; ``store`` and ``redis_store`` keep the records;
``api`` serves ``/api/groups/...``)."""
