"""Formats of `riskctl kri status` and `riskctl kri xmr`: JSON (unrounded) and plain tables.

JSON keys come in a fixed, documented order, `version` first. Tables round for display only:
deltas to 1 decimal (wbr.md section 2), limits to one decimal more than the data shows (at
least 2, at most 6).
"""

from __future__ import annotations

import datetime
import json
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from riskctl.kri.status import Delta, KriStatus
from riskctl.kri.xmr import (
    RULES,
    WINDOW,
    DateSpan,
    FirstPoints,
    Signal,
    XmrAnalysis,
    describe_baseline,
)
from riskctl.textsafe import cut, display_width, json_safe, pad, visible

TITLE_WIDTH = 48
STATUS_HEADER = ["kri", "title", "latest", "date", "status", "WoW", "YoY", "signals"]


def number(value: float | None) -> float | None:
    """A float for JSON: infinities and NaN (from hostile data) become null, never `Infinity`."""
    return value if value is not None and math.isfinite(value) else None


def baseline_document(analysis: XmrAnalysis) -> dict[str, Any] | None:
    """`{"first": 20}`, `{"from": ..., "to": ...}`, or None for limits from all points."""
    baseline = analysis.baseline
    if isinstance(baseline, FirstPoints):
        return {"first": baseline.first}
    if isinstance(baseline, DateSpan):
        return {"from": baseline.start.isoformat(), "to": baseline.end.isoformat()}
    return None


def signal_document(signal: Signal) -> dict[str, Any]:
    """`{"rule": "rule-1", "side": "above", "dates": [...]}`."""
    return {
        "rule": signal.rule,
        "side": signal.side,
        "dates": [date.isoformat() for date in signal.dates],
    }


def xmr_document(analysis: XmrAnalysis) -> dict[str, Any]:
    """The `xmr` object: limits (null without them), provisional, baseline, note, signals."""
    limits = analysis.limits
    return {
        "centre": number(limits.centre) if limits else None,
        "unpl": number(limits.unpl) if limits else None,
        "lnpl": number(limits.lnpl) if limits else None,
        "url": number(limits.url) if limits else None,
        "upper_midline": number(limits.upper_midline) if limits else None,
        "lower_midline": number(limits.lower_midline) if limits else None,
        "mean_moving_range": number(limits.mean_moving_range) if limits else None,
        "provisional": analysis.provisional,
        "baseline": baseline_document(analysis),
        "baseline_points": analysis.baseline_points,
        "points": analysis.points,
        "note": analysis.note,
        "signals": [signal_document(signal) for signal in analysis.signals],
    }


def delta_document(delta: Delta | None) -> dict[str, Any] | None:
    """`{"change": 15.0, "unit": "bps"}` or None."""
    return None if delta is None else {"change": number(delta.change), "unit": delta.unit}


def kri_document(status: KriStatus) -> dict[str, Any]:
    """One KRI's entry in the `kri status` JSON document."""
    kri, latest = status.kri, status.latest
    return {
        "id": kri.id,
        "title": kri.title,
        "unit": kri.unit,
        "direction": kri.direction,
        "thresholds": {"amber": kri.thresholds.amber, "red": kri.thresholds.red},
        "latest": None
        if latest is None
        else {"date": latest.date.isoformat(), "value": number(latest.value)},
        "status": status.band,
        "xmr": xmr_document(status.xmr),
        "wow": delta_document(status.wow),
        "yoy": delta_document(status.yoy),
    }


def render_status_json(statuses: Sequence[KriStatus], today: datetime.date) -> str:
    """`{"version": 1, "now": ..., "kris": [...]}`, unrounded values."""
    document = {
        "version": 1,
        "now": today.isoformat(),
        "kris": [kri_document(status) for status in statuses],
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def render_xmr_json(analysis: XmrAnalysis) -> str:
    """`{"version": 1, ...the xmr object...}`, unrounded values."""
    document = {"version": 1, **xmr_document(analysis)}
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def as_written(value: float) -> str:
    """A value as the register writes it: 54.6, and 7 rather than 7.0."""
    if math.isfinite(value) and value.is_integer() and abs(value) <= 1e15:
        return str(int(value))
    return repr(value)


def value_text(value: float, unit: str | None) -> str:
    """`54.6 bps`, `2.96%`, or the bare value for other units."""
    suffix = {"bps": " bps", "pct": "%"}.get(unit or "", "")
    return f"{as_written(value)}{suffix}"


def delta_text(delta: Delta | None) -> str:
    """`+15.0 bps`, `-3.9 %`, `+0.0 %` (the sign always shown), or `n/a`."""
    if delta is None or not math.isfinite(delta.change):
        return "n/a"
    rounded = round(delta.change, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:+.1f} {delta.unit}"


def signals_summary(analysis: XmrAnalysis) -> str:
    """`rule-1 (8), rule-3 (1); last 2026-11-23`, `none`, or why there are no limits."""
    if analysis.limits is None:
        return f"no limits ({analysis.baseline_points} points, need 6)"
    provisional = " (provisional)" if analysis.provisional else ""
    if not analysis.signals:
        return "none" + provisional
    counts = Counter(signal.rule for signal in analysis.signals)
    chosen = [f"{rule} ({counts[rule]})" for rule in RULES if counts[rule]]
    last = max(signal.dates[-1] for signal in analysis.signals)
    return f"{', '.join(chosen)}; last {last}{provisional}"


def status_rows(statuses: Sequence[KriStatus]) -> list[list[str]]:
    """The `kri status` table's rows, as strings."""
    rows = []
    for status in statuses:
        latest = status.latest
        rows.append(
            [
                visible(status.kri.id),
                cut(visible(status.kri.title), TITLE_WIDTH),
                "-" if latest is None else value_text(latest.value, status.kri.unit),
                "-" if latest is None else latest.date.isoformat(),
                status.band or "-",
                delta_text(status.wow),
                delta_text(status.yoy),
                signals_summary(status.xmr),
            ]
        )
    return rows


def render_status_text(statuses: Sequence[KriStatus], today: datetime.date) -> str:
    """A plain fixed-width table, one row per KRI, and a footer."""
    return _table(STATUS_HEADER, status_rows(statuses)) + status_footer(statuses, today) + "\n"


def status_footer(statuses: Sequence[KriStatus], today: datetime.date) -> str:
    """The line under the status table: how many KRIs, as of when, what the columns mean."""
    count = len(statuses)
    return (
        f"{count} KRI{'s' if count != 1 else ''} as of {today}; WoW and YoY against 7 and 364 "
        "days earlier; the dates of each signal: --format json"
    )


def display_decimals(values: Sequence[float]) -> int:
    """One decimal more than the data shows, at least 2 and at most 6 (for limits)."""
    shown = 0
    for value in values:
        text = repr(value)
        if "e" in text or "n" in text:  # 1e-07, inf, nan: as many as allowed
            return 6
        shown = max(shown, len(text.partition(".")[2].rstrip("0")))
        if shown >= 5:
            return 6
    return max(2, shown + 1)


def _dates_text(dates: Sequence[datetime.date]) -> str:
    """All dates when four or fewer, else the first and last with the count."""
    if len(dates) <= WINDOW:
        return ", ".join(date.isoformat() for date in dates)
    return f"{dates[0]} to {dates[-1]} ({len(dates)} points)"


def render_xmr_text(analysis: XmrAnalysis, values: Sequence[float]) -> str:
    """The limits, one per line, then one line per signal."""
    lines = [f"points judged   {analysis.points}"]
    limits = analysis.limits
    count = analysis.baseline_points
    source = f"{count} point{'s' if count != 1 else ''}"
    if analysis.baseline_dates is not None:
        first, last = analysis.baseline_dates
        source += f", {first} to {last}"
    if analysis.baseline is not None:
        source += f" (baseline: {describe_baseline(analysis.baseline)}; locked)"
    lines.append(f"limits from     {source}")
    if analysis.note:
        lines.append(f"note            {visible(analysis.note)}")
    if limits is None:
        return "\n".join(lines) + "\n"
    decimals = display_decimals(values)

    def shown(value: float) -> str:
        return f"{value:.{decimals}f}"

    lines += [
        f"provisional     {'yes (fewer than 20 points)' if analysis.provisional else 'no'}",
        f"centre          {shown(limits.centre)}",
        f"UNPL            {shown(limits.unpl)}",
        f"LNPL            {shown(limits.lnpl)}",
        f"URL             {shown(limits.url)}",
        f"mid-lines       {shown(limits.upper_midline)} / {shown(limits.lower_midline)}",
        f"average mR      {shown(limits.mean_moving_range)}",
        f"signals         {len(analysis.signals) or 'none'}",
    ]
    body = [[signal.rule, signal.side, _dates_text(signal.dates)] for signal in analysis.signals]
    if body:
        lines.append(_table(["rule", "side", "dates"], body, indent="  ").rstrip("\n"))
    return "\n".join(lines) + "\n"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> str:
    """Left-aligned columns two spaces apart, trailing spaces stripped; widths in terminal cells."""
    widths = [
        max(display_width(line[index]) for line in [header, *rows]) for index in range(len(header))
    ]
    return "".join(
        indent
        + "  ".join(pad(cell, width) for cell, width in zip(line, widths, strict=True)).rstrip()
        + "\n"
        for line in [header, *rows]
    )
