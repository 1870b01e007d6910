"""Mermaid `xychart-beta` charts as ready values for `_chart.md.j2`.

A chart is a dictionary the template writes out line by line: a title, the x-axis categories, a
y-axis title and line series. Labels stay plain text here; the template quotes and escapes them
with the `mermaid_label` filter. Numbers are written here, in plain decimal notation: Mermaid's
grammar reads `[+-]?digits[.digits]`, so `1e-07` or `inf` would break the chart. A Mermaid line
has no gaps, so every series has one value per category; the caller leaves out categories
without data (and says so).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Line:
    """One line of a chart: its name (in the Mermaid source and the caption) and its values."""

    name: str
    values: Sequence[float]
    decimals: int | None = None
    """Round to this many decimals (for computed values such as a centre line)."""


def plain_number(value: float, decimals: int | None = None) -> str:
    """`54.6`, `7` (not `7.0`), `0.0000001` (not `1e-07`); rounded to `decimals` when given."""
    if not math.isfinite(value):
        raise ValueError(f"a chart value must be finite, not {value!r}")
    if decimals is not None:
        value = round(value, decimals)
    number = Decimal(repr(value))
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def chart(
    title: str,
    labels: Sequence[str],
    y_title: str,
    lines: Sequence[Line],
) -> dict[str, Any]:
    """The chart's ready values; every line must have one value per label."""
    for line in lines:
        if len(line.values) != len(labels):
            raise ValueError(f"line {line.name!r} has {len(line.values)} values for {len(labels)}")
    return {
        "title": title,
        "labels": list(labels),
        "y_title": y_title,
        "series": [
            {"name": line.name, "points": [plain_number(v, line.decimals) for v in line.values]}
            for line in lines
        ],
    }
