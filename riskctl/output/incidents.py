"""Formats of `riskctl incidents`: a plain-text table and a JSON document."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from riskctl.incidents import Counts, IncidentSummary
from riskctl.textsafe import display_width, json_safe, pad, visible


def _counts(counts: Counts) -> dict[str, Any]:
    return {"incidents": counts.incidents, "near_misses": counts.near_misses}


def render_json(summary: IncidentSummary) -> str:
    """`{"version": 1, "since", "now", "totals", "by_risk", "by_root_cause"}`; ratios unrounded.

    A ratio is null when there is no incident to divide by.
    """
    document = {
        "version": 1,
        "since": summary.since.isoformat() if summary.since else None,
        "now": summary.now.isoformat(),
        "totals": {**_counts(summary.totals), "ratio": summary.totals.ratio},
        "by_risk": [
            {"risk": group.key, **_counts(group.counts), "ratio": group.counts.ratio}
            for group in summary.by_risk
        ],
        "by_root_cause": [
            {"category": group.key, **_counts(group.counts)} for group in summary.by_root_cause
        ],
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def ratio_text(counts: Counts) -> str:
    """The ratio to two decimals, or `-` when there is no incident."""
    ratio = counts.ratio
    return "-" if ratio is None else f"{ratio:.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A fixed-width table: the first column left-aligned, the numbers right-aligned; widths in
    terminal cells, register text `visible`."""
    if not rows:
        return ["(none)"]
    rows = [[visible(cell) for cell in row] for row in rows]
    widths = [
        max(display_width(row[index]) for row in [header, *rows]) for index in range(len(header))
    ]
    return [
        "  ".join(
            pad(cell, width, right=index != 0)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    ]


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 'es' if word.endswith('s') else 's'}"


def render_table(summary: IncidentSummary) -> str:
    """Totals, then one table per risk and one per root-cause category, as plain text."""
    window = f"from {summary.since} to {summary.now}" if summary.since else f"up to {summary.now}"
    totals = summary.totals
    lines = [
        f"Occurred {window}: "
        f"{_plural(totals.incidents, 'incident')}, {_plural(totals.near_misses, 'near-miss')}; "
        f"near-miss-to-incident ratio {ratio_text(totals)}",
        "",
        *_table(
            ["risk", "incidents", "near-misses", "ratio"],
            [
                [
                    group.key,
                    str(group.counts.incidents),
                    str(group.counts.near_misses),
                    ratio_text(group.counts),
                ]
                for group in summary.by_risk
            ],
        ),
        "",
        *_table(
            ["root cause", "incidents", "near-misses"],
            [
                [group.key, str(group.counts.incidents), str(group.counts.near_misses)]
                for group in summary.by_root_cause
            ],
        ),
        "",
        "ratio = near-misses ÷ incidents (- without incidents); "
        "no root-cause category counts as unknown",
    ]
    return "\n".join(lines) + "\n"


Renderer = Callable[[IncidentSummary], str]
INCIDENT_FORMATS: dict[str, Renderer] = {"text": render_table, "json": render_json}
