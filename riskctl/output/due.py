"""Formats of `riskctl due`: a text table per owner, a JSON document, and Markdown for a GitHub
issue or a chat message.

Register text (titles, names, ids, what an item says) is escaped for each: `visible` for the
terminal, `markdown_inline` for Markdown (which breaks `@` mentions and `#12` issue references:
GitHub would announce the digest in the issue named, every week it is posted).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from riskctl.due import STATUSES, DueItem, DueReport, OwnerGroup
from riskctl.textsafe import cut, display_width, json_safe, markdown_inline, pad, visible

#: Cells of a title in the text table (the rest is in JSON and Markdown).
TITLE_WIDTH = 40


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def when(item: DueItem) -> str:
    """`never done`, `3 days overdue`, `today`, `in 5 days`."""
    if item.days is None:
        return "never done"
    if item.days < 0:
        return f"{_plural(-item.days, 'day')} overdue"
    return "today" if item.days == 0 else f"in {_plural(item.days, 'day')}"


def _display(label: str, file: str) -> str:
    """A register file as the user sees it (as lint names it)."""
    return file if label in ("", ".") else f"{label}/{file}"


def summary(report: DueReport) -> str:
    """`2 overdue, 1 due today, 5 upcoming within 14 days`."""
    return (
        f"{report.count('overdue')} overdue, {report.count('due-today')} due today, "
        f"{report.count('upcoming')} upcoming within {_plural(report.within, 'day')}"
    )


def _owner_heading(group: OwnerGroup) -> tuple[str, str]:
    """`payments-risk (Mei Lin Tan)` and `escalates to head-of-risk (Priya Raman)`."""
    owner = group.owner if group.owner is not None else "(no owner)"
    name = f" ({group.name})" if group.name else ""
    if group.owner is not None and group.name is None:
        name = " (not in the register)"
    if group.escalation is None:
        escalation = "no escalation" if group.owner is not None else ""
    else:
        above = f" ({group.escalation_name})" if group.escalation_name else ""
        escalation = f"escalates to {group.escalation}{above}"
    return f"{owner}{name}", escalation


def _group_counts(group: OwnerGroup) -> str:
    """`2 overdue, 1 upcoming`: the statuses the group has."""
    counts = [
        f"{sum(1 for item in group.items if item.status == status)} {status.replace('-', ' ')}"
        for status in STATUSES
        if any(item.status == status for item in group.items)
    ]
    return ", ".join(counts)


def _escalation_note(item: DueItem, report: DueReport) -> str:
    if item.escalate_to is None:
        return ""
    if report.owner is not None and item.owner != report.owner:
        return f"escalated from {item.owner} to {item.escalate_to}"
    return f"escalate to {item.escalate_to}"


def _footer(report: DueReport) -> list[str]:
    lines = [
        f"escalation: an item overdue by more than {_plural(report.escalate_after_days, 'day')} "
        "(or never done) names the owner's escalation (riskctl.yaml due.escalate_after_days)"
    ]
    if report.left_out:
        lines.append(
            f"not counted: {_plural(len(report.left_out), 'record')} dated after "
            f"{report.today} (`riskctl lint` notes them)"
        )
    return lines


# --- text -------------------------------------------------------------------------------------

TEXT_HEADER = ("status", "due", "when", "kind", "item", "title", "what")


def _text_row(item: DueItem, report: DueReport, label: str) -> list[str]:
    where = _display(label, item.file) + (f" {item.subject}" if item.subject else "")
    escalation = _escalation_note(item, report)
    what = f"{item.what}; {escalation}" if escalation else item.what
    return [
        item.status,
        str(item.due) if item.due else "-",
        when(item),
        item.kind,
        visible(where),
        cut(visible(item.title), TITLE_WIDTH),
        visible(what),
    ]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(display_width(row[index]) for row in rows) for index in range(len(rows[0]))]
    return [
        "  " + "  ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def render_text(report: DueReport, label: str = "") -> str:
    """A heading with the counts, then per owner: the escalation and a table of items."""
    asked = f" for {visible(report.owner)}" if report.owner else ""
    lines = [f"Due as of {report.today}{asked}: {summary(report)}"]
    for group in report.groups:
        owner, escalation = _owner_heading(group)
        counts = _group_counts(group)
        lines += ["", visible(f"{owner}: {counts}{'; ' + escalation if escalation else ''}")]
        lines += _table(
            [list(TEXT_HEADER), *(_text_row(item, report, label) for item in group.items)]
        )
    if not report.groups:
        lines += ["", "nothing due"]
    lines += ["", *_footer(report)]
    return "\n".join(lines) + "\n"


# --- JSON -------------------------------------------------------------------------------------


def _item_document(item: DueItem, label: str) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "id": item.entity,
        "subject": item.subject or None,
        "file": _display(label, item.file),
        "title": item.title,
        "what": item.what,
        "due": item.due.isoformat() if item.due else None,
        "days": item.days,
        "status": item.status,
        "owner": item.owner,
        "escalate_to": item.escalate_to,
    }


def render_json(report: DueReport, label: str = "") -> str:
    """The document, keys sorted:

    `{"version": 1, "now", "within", "owner", "escalate_after_days", "totals": {"overdue",
    "due_today", "upcoming"}, "owners": [{"owner", "name", "escalation", "escalation_name",
    "items": [{"kind", "id", "subject", "file", "title", "what", "due", "days", "status",
    "owner", "escalate_to"}]}], "not_counted": [{"file", "id", "what", "date"}]}`.

    `days` is negative when overdue; `due` and `days` are null for something never done;
    `owner` (top level) is `--owner`, null without it; `not_counted` lists the records dated
    after `now`.
    """
    document = {
        "version": 1,
        "now": report.today.isoformat(),
        "within": report.within,
        "owner": report.owner,
        "escalate_after_days": report.escalate_after_days,
        "totals": {
            "overdue": report.count("overdue"),
            "due_today": report.count("due-today"),
            "upcoming": report.count("upcoming"),
        },
        "owners": [
            {
                "owner": group.owner,
                "name": group.name,
                "escalation": group.escalation,
                "escalation_name": group.escalation_name,
                "items": [_item_document(item, label) for item in group.items],
            }
            for group in report.groups
        ],
        "not_counted": [
            {
                "file": _display(label, each.file),
                "id": each.entity,
                "what": each.what,
                "date": each.date.isoformat(),
            }
            for each in report.left_out
        ],
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True)) + "\n"


# --- Markdown ---------------------------------------------------------------------------------


def markdown_text(value: object) -> str:
    """Register text on one line of Markdown: literal, no mention, no issue reference."""
    return markdown_inline(value, is_block=False).replace("\n", " ")


def _markdown_item(item: DueItem, report: DueReport, label: str) -> str:
    due = f"{item.due} ({when(item)})" if item.due else when(item)
    subject = f" {item.subject}" if item.subject else ""
    title = f" — {markdown_text(item.title)}" if item.title else ""
    escalation = _escalation_note(item, report)
    parts = [
        f"- [ ] **{item.status}** {due}: {item.kind} **{markdown_text(item.entity + subject)}**"
        f"{title}",
        f"  {markdown_text(item.what)}; {markdown_text(_display(label, item.file))}"
        + (f"; **{markdown_text(escalation)}**" if escalation else ""),
    ]
    return "\n".join(parts)


def render_markdown(report: DueReport, label: str = "") -> str:
    """Headings per owner and a task-list item per item, for an issue body or a chat message.

    Every piece of register text is literal: no link, HTML, heading, list, mention or issue
    reference comes out of it.
    """
    asked = f" for {markdown_text(report.owner)}" if report.owner else ""
    lines = [f"## Due as of {report.today}{asked}", "", f"{summary(report)}."]
    for group in report.groups:
        owner, escalation = _owner_heading(group)
        lines += ["", f"### {markdown_text(owner)}: {_group_counts(group)}", ""]
        if escalation:
            lines += [f"{markdown_text(escalation[0].upper() + escalation[1:])}.", ""]
        lines += [_markdown_item(item, report, label) for item in group.items]
    if not report.groups:
        lines += ["", "Nothing due."]
    lines += ["", *(f"{markdown_text(line[0].upper() + line[1:])}." for line in _footer(report))]
    return "\n".join(lines) + "\n"


Renderer = Callable[[DueReport, str], str]
DUE_FORMATS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
