"""Formats of `riskctl premortem`: a JSON document and a plain-text table per launch."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from riskctl.premortem import LaunchReview, Premortem, RatedMode, Watch
from riskctl.textsafe import cut, display_width, json_safe, pad, visible

HEADER = ["mode", "AP", "RPN", "S", "O", "D", "response", "risk", "failure mode"]
#: Columns aligned right (the numbers).
RIGHT = frozenset({"RPN", "S", "O", "D"})
DESCRIPTION_WIDTH = 56


def mode_document(rated: RatedMode) -> dict[str, Any]:
    """One failure mode in the JSON document: the issue's fields first, then the additions."""
    mode = rated.mode
    return {
        "id": mode.id,
        "description": mode.description,
        "severity": mode.severity,
        "occurrence": mode.occurrence,
        "detection": mode.detection,
        "rpn": rated.rpn,
        "ap": rated.ap,
        "actions": list(mode.actions),
        "risk": mode.risk,
        "justification": mode.justification,
        "prevention_controls": list(mode.prevention_controls),
        "detection_controls": list(mode.detection_controls),
    }


def watch_document(watch: Watch) -> dict[str, Any]:
    """One monitoring entry: the KRI, its window, its review, and whether it lapsed unreviewed."""
    entry = watch.monitoring
    return {
        "kri": entry.kri,
        "until": entry.until.isoformat(),
        "reviewed": entry.reviewed.isoformat() if entry.reviewed else None,
        "lapsed": watch.lapsed,
    }


def launch_document(review: LaunchReview) -> dict[str, Any]:
    """One launch, its failure modes ranked by action priority, then RPN."""
    launch = review.launch
    return {
        "id": launch.id,
        "title": launch.title,
        "status": launch.status,
        "launch_date": launch.launch_date.isoformat(),
        "failure_modes": [mode_document(rated) for rated in review.failure_modes],
        "owner": launch.owner,
        "monitoring": [watch_document(watch) for watch in review.monitoring],
    }


def render_json(result: Premortem) -> str:
    """`{"version": 1, "launches": [...]}`, plus `now` and the action priority table used."""
    table = result.table.table
    document = {
        "version": 1,
        "now": result.today.isoformat(),
        "action_priority": {
            "origin": result.table.origin,
            "source": table.source,
            "status": table.status,
        },
        "launches": [launch_document(review) for review in result.launches],
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def response(rated: RatedMode) -> str:
    """`2 actions`, `justified` (no action, a justification), or `none`."""
    actions = sum(1 for action in rated.mode.actions if action.strip())
    if actions:
        return f"{actions} action{'s' if actions != 1 else ''}"
    return "justified" if rated.has_response else "none"


def _cut(text: str, width: int = DESCRIPTION_WIDTH) -> str:
    return cut(visible(" ".join(text.split())), width)


def rows(review: LaunchReview) -> list[list[str]]:
    """A launch's table rows as strings, ranked: shared by the plain and the coloured table.

    Register text is `visible` (one line, no control character)."""
    return [
        [
            visible(rated.mode.id),
            rated.ap,
            str(rated.rpn),
            str(rated.mode.severity),
            str(rated.mode.occurrence),
            str(rated.mode.detection),
            response(rated),
            visible(rated.mode.risk or "-"),
            _cut(rated.mode.description),
        ]
        for rated in review.failure_modes
    ]


def heading(review: LaunchReview) -> list[str]:
    """`LAUNCH-001 Title` and `planned; launch date ...; owner ...`."""
    launch = review.launch
    return [
        f"{visible(launch.id)} {visible(launch.title)}",
        f"{launch.status}; launch date {launch.launch_date}; owner {visible(launch.owner)}",
    ]


def watch_text(watch: Watch) -> str:
    """`KRI-004 until 2027-01-04, reviewed 2026-11-16`, marked when it lapsed without review."""
    entry = watch.monitoring
    text = f"{visible(entry.kri)} until {entry.until}"
    if entry.reviewed is not None:
        text += f", reviewed {entry.reviewed}"
    return text + (" (LAPSED: no review since it ended)" if watch.lapsed else "")


def monitoring_line(review: LaunchReview) -> str:
    """`monitoring: KRI-002 until 2027-04-30; ...`, or `monitoring: none`."""
    return "monitoring: " + ("; ".join(map(watch_text, review.monitoring)) or "none")


def footer(result: Premortem) -> list[str]:
    """The counts by priority, how modes are ranked, and which table gave the priorities."""
    modes = [rated for review in result.launches for rated in review.failure_modes]
    counts = ", ".join(
        f"{sum(1 for rated in modes if rated.ap == ap)} {ap}" for ap in ("H", "M", "L")
    )
    launches = len(result.launches)
    table = result.table
    status = f" ({table.table.status})" if table.table.status else ""
    return [
        f"{len(modes)} failure mode{'s' if len(modes) != 1 else ''} in {launches} "
        f"launch{'es' if launches != 1 else ''}: {counts}; ranked by action priority (AP), "
        "then RPN = S*O*D",
        f"action priority table: {visible(table.origin)}{status}",
    ]


def align(lines: list[list[str]]) -> list[str]:
    """Fixed-width columns in terminal cells, numbers right-aligned, trailing spaces removed."""
    widths = [max(display_width(line[index]) for line in lines) for index in range(len(HEADER))]
    return [
        "  ".join(
            pad(cell, width, right=name in RIGHT)
            for name, cell, width in zip(HEADER, line, widths, strict=True)
        ).rstrip()
        for line in lines
    ]


def render_table(result: Premortem) -> str:
    """A plain fixed-width table per launch (for pipes and files), descriptions cut to fit."""
    blocks = []
    for review in result.launches:
        body = align([HEADER, *rows(review)]) if review.failure_modes else ["no failure modes"]
        blocks.append("\n".join([*heading(review), "", *body, monitoring_line(review)]))
    return "\n\n".join([*blocks, "\n".join(footer(result))]) + "\n"


PREMORTEM_FORMATS: dict[str, Callable[[Premortem], str]] = {
    "text": render_table,
    "json": render_json,
}
