"""The report as Markdown."""

from __future__ import annotations

import re

from server.exports.report import Entry, Report

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def escape(text: str) -> str:
    """User text as literal Markdown: special characters escaped, line breaks kept."""
    lines = [_SPECIAL.sub(r"\\\1", line.strip()) for line in text.strip().splitlines()]
    return "  \n  ".join(line for line in lines if line)


def render_markdown(report: Report) -> str:
    out = [f"# {escape(report.title)}", ""]
    if report.summary:
        out += [f"## {report.summary_title}", ""]
        for label, value in report.summary:
            out += [f"**{label}:**  ", escape(value), ""]
    out += [f"- **{label}:** {escape(value)}" for label, value in report.facts]
    if report.anonymous_note:
        out += ["", f"_{report.anonymous_note}_"]
    for step in report.steps:
        title = step.title if step.number is None else f"{step.number}. {step.title}"
        out += ["", f"## {escape(title)}", ""]
        if step.note:
            out += [f"_{escape(step.note)}_", ""]
        for section in step.sections:
            if section.title:
                out += [f"### {escape(section.title)}", ""]
            for group in section.groups:
                if group.heading:
                    out += [f"#### {escape(group.heading)}", ""]
                for entry in group.entries:
                    out += _entry(entry, 0)
                out.append("")
    for part in report.closing:
        out += ["", f"## {escape(part.title)}", ""]
        out += [f"- {escape(line)}" for line in part.lines]
    out += ["", "---", "", f"_{report.footer}_", ""]
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text)


def _entry(entry: Entry, depth: int) -> list[str]:
    line = f"_{escape(entry.text)}_" if entry.context else escape(entry.text)
    if entry.marks:
        line += " — **" + " · ".join(entry.marks) + "**"
    if entry.note:
        line += f" ({escape(entry.note)})"
    if entry.author:
        line += f" — _{escape(entry.author)}_"
    lines = ["  " * depth + "- " + line]
    for child in entry.children:
        lines += _entry(child, depth + 1)
    return lines
