"""Formats of `riskctl coverage`: text for a terminal, JSON, Markdown and CSV.

All four are drawn from one document (`riskctl.report.soa.soa_document`); Markdown is the
`soa.md.j2` template `riskctl report soa` renders, so the two never differ. Register text is
escaped for each: `visible` (and cut to fit 100 columns) for the terminal, the template's
filters for Markdown, `csv_cell` for every CSV cell, `json_safe` for JSON.

CSV: one row per requirement and mapped control, a requirement with no mapped control on one
row with empty control cells (a spreadsheet filters and pivots such rows directly). Columns:
`CSV_HEADER`.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from typing import Any, Literal

from riskctl.coverage import STATUSES
from riskctl.report.soa import (
    STATUS_WORDS,
    applicability_text,
    sections,
    soa_context,
    totals_text,
)
from riskctl.textsafe import csv_cell, cut, display_width, json_safe, visible

#: Columns a text line may use.
WIDTH = 100
#: What a text line is, for colouring: a heading, a grouping, a requirement of a status, a
#: control that meets or not, a detail.
LineKind = Literal[
    "heading", "group", "covered", "partial", "gap", "not-applicable", "meets", "fails", "plain"
]

#: The statuses as the text format's status column shows them.
TEXT_STATUS = {"covered": "covered", "partial": "partial", "gap": "gap", "not-applicable": "n/a"}

CSV_HEADER = (
    "framework", "requirement", "title", "groups", "status", "applicability", "justification",
    "control", "control_title", "key", "nature", "control_status", "design", "operating",
    "last_operating_test", "last_test_result", "window_days", "meets", "reason",
)  # fmt: skip


def render_json(document: dict[str, Any], source: str) -> str:
    """The document (see `riskctl.report.soa`), indented, keys in their documented order."""
    del source
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def render_markdown(document: dict[str, Any], source: str) -> str:
    """The Statement of Applicability through the shipped `soa.md.j2` template."""
    from riskctl.report.render import render  # jinja2: only the Markdown format needs it

    return render("soa.md.j2", soa_context(document, source))


def render_csv(document: dict[str, Any], source: str) -> str:
    """One row per requirement and mapped control (see the module's documentation)."""
    del source
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    framework = document["framework"]["id"]
    for requirement in document["requirements"]:
        first = [
            framework,
            requirement["id"],
            requirement["title"],
            " > ".join(reversed(requirement["groups"])),
            requirement["status"],
            "applicable" if requirement["applicable"] else "not applicable",
            requirement["justification"] or "",
        ]
        controls = requirement["controls"] or [None]
        for control in controls:
            if control is None:
                row: list[object] = [*first, *[""] * 11]
            else:
                test = control["last_operating_test"]
                row = [
                    *first,
                    control["id"],
                    control["title"],
                    "key" if control["key"] else "non-key",
                    control["nature"],
                    control["status"],
                    control["design"],
                    control["operating"],
                    test["date"] if test else "",
                    test["result"] if test else "",
                    control["window_days"],
                    "yes" if control["meets"] else "no",
                    control["reason"],
                ]
            writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def _fit(prefix: str, text: str) -> str:
    """`prefix` and as much of `text` (made visible) as fits the line."""
    return prefix + cut(visible(text), max(WIDTH - display_width(prefix), 10))


def text_lines(document: dict[str, Any], source: str) -> list[tuple[str, LineKind]]:
    """The text format, line by line, each with its kind (the CLI colours by kind)."""
    framework = document["framework"]
    where = "shipped with riskctl" if framework["shipped"] else "the register's own catalogue"
    scope = (
        "in scope (riskctl.yaml)"
        if document["declared"]
        else "not declared in scope: every requirement applicable"
    )
    lines: list[tuple[str, LineKind]] = [
        (_fit("Statement of Applicability: ", framework["name"]), "heading"),
        (
            _fit("", f"{framework['id']} version {framework['version']}, {where}; {scope}"),
            "plain",
        ),
        (_fit("", f"{source}, as of {document['as_of']}"), "plain"),
        (totals_text(document["totals"]), "heading"),
    ]
    status_width = max(len(TEXT_STATUS[status]) for status in STATUSES)
    for section in sections(document):
        indent = "  " * section["depth"]
        if not lines[-1][0] or lines[-1][1] != "group":
            lines.append(("", "plain"))
        if section["id"] is not None:
            counts = ", ".join(
                f"{section['totals'][status]} {STATUS_WORDS[status]}"
                for status in STATUSES
                if section["totals"][status]
            )
            label = _fit(f"{indent}{visible(section['id'])}  ", section["title"])
            lines.append((f"{label}  ({counts})" if counts else label, "group"))
        for requirement in section["requirements"]:
            lines += _requirement_lines(requirement, indent + "  ", status_width)
    if document["unknown_mappings"]:
        lines.append(("", "plain"))
        count = len(document["unknown_mappings"])
        lines.append(
            (
                f"{count} mapping(s) name no requirement of {visible(framework['id'])} (lint):",
                "fails",
            )
        )
        for each in document["unknown_mappings"]:
            what = "a grouping" if each["grouping"] else "unknown"
            lines.append(
                (
                    _fit(
                        "  ", f"{each['control']} ({each['file']}): {each['requirement']} ({what})"
                    ),
                    "plain",
                )
            )
    return lines


def _requirement_lines(
    requirement: dict[str, Any], indent: str, status_width: int
) -> list[tuple[str, LineKind]]:
    status = requirement["status"]
    word = TEXT_STATUS[status].ljust(status_width)
    lines: list[tuple[str, LineKind]] = [
        (_fit(f"{indent}{word}  {visible(requirement['id'])}  ", requirement["title"]), status)
    ]
    detail = indent + " " * (status_width + 2)
    if not requirement["applicable"]:
        lines += [(line, "plain") for line in _wrap(detail, applicability_text(requirement))]
    # One line per requirement and its controls in brief: the controls that meet it on one
    # line, each other control with the reason it does not (JSON, Markdown and CSV have every
    # column: key, nature, grades, last test, window).
    meeting = [control["id"] for control in requirement["controls"] if control["meets"]]
    if meeting:
        lines += [(line, "meets") for line in _wrap(detail, f"meets: {', '.join(meeting)}")]
    for control in requirement["controls"]:
        if not control["meets"]:
            why = f"{control['id']}  {control['reason']}"
            lines += [(line, "fails") for line in _wrap(detail, why)]
    return lines


def _wrap(indent: str, text: str) -> list[str]:
    """`text` made visible and wrapped to the line width under `indent`."""
    return textwrap.wrap(
        visible(text),
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
    )


def render_text(document: dict[str, Any], source: str) -> str:
    """The text format: the lines of `text_lines`."""
    return "".join(f"{line}\n" for line, _ in text_lines(document, source))


COVERAGE_FORMATS = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "csv": render_csv,
}
