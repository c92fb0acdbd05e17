"""Exports of a closed session: the JSON document, a report (Markdown, HTML, PDF) and
CSV, all built from the final snapshot in the session's language."""
