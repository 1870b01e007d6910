"""Charts as data, drawn two ways: Mermaid `xychart-beta` for Markdown, inline SVG for HTML.

A report's context holds a chart as a format-neutral value: a `LineChart` (a KRI run chart, the
MBR's month-end trend, the loss exceedance curve) or a `HeatMap` (the 5x5 of inherent or
residual). The Markdown templates turn a `LineChart` into Mermaid with the `mermaid` filter
(`mermaid_chart` here); the HTML templates draw either with the `svg` filter
(`riskctl/report/svg.py`). Neither drawing computes anything the chart does not carry, so the
two cannot disagree about a value.

A series has one value per category, `None` where a period has no data: SVG draws a gap there.
Mermaid's grammar has no missing value (mermaid-js/mermaid#5293, open), so `mermaid_chart`
leaves out the categories where the first series (the data) has none, and draws any other
series that still lacks a value as bars, a missing value as a zero-height bar (the chart's notes
name those periods).

Numbers reach Mermaid in plain decimal notation: Mermaid's grammar reads `[+-]?digits[.digits]`,
so `1e-07` or `inf` would break the chart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

#: What a series is, which decides how it is drawn: `this` the period that matters (strongest),
#: `prior` a comparison (a year earlier; inherent beside residual), muted; `amber` and `red`
#: thresholds in their colours; `centre` the XmR centre line; `level` a residual level (drawn in
#: the level's colour); `tolerance` the loss tolerance (a step, in the red of a limit).
Role = Literal["this", "prior", "amber", "red", "centre", "level", "tolerance"]

#: Colours per role, for Mermaid's palette and the SVG's light scheme (the HTML's CSS gives the
#: dark one). "this" is the strongest ink on the page; "prior" a light grey that still passes
#: 3:1 against white for a line (WCAG 2.1 SC 1.4.11, non-text contrast).
ROLE_COLORS: dict[str, str] = {
    "this": "#1d4ed8",
    "prior": "#8b95a5",
    "amber": "#d97706",
    "red": "#dc2626",
    "centre": "#6b7280",
    "level": "#6b7280",
    "tolerance": "#b91c1c",
}

#: A colour we write into SVG or Mermaid: `#rgb` or `#rrggbb` (a custom matrix's level colour is
#: register text; anything else falls back to the role's colour).
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def safe_color(value: str | None, fallback: str) -> str:
    """`value` when it is a `#rgb`/`#rrggbb` colour, else `fallback`."""
    if value is not None and _HEX_COLOR.fullmatch(value):
        return value.lower()
    return fallback


@dataclass(frozen=True)
class Series:
    """One line of a chart: its name (legend, caption), role, and one value per category."""

    name: str
    values: Sequence[float | None]
    role: Role
    decimals: int | None = None
    """Round to this many decimals where the value is written (a computed centre line)."""
    color: str | None = None
    """A level's own colour (`#rrggbb`), from the matrix; None: the role's colour."""
    marks: Sequence[str | None] = ()
    """Per category, why the point is marked (an XmR signal's rule), or None; empty: none."""
    step: bool = False
    """Drawn as a step holding each value until the next category (a tolerance curve)."""

    @property
    def ink(self) -> str:
        """The colour the series is drawn in."""
        return safe_color(self.color, ROLE_COLORS[self.role])


@dataclass(frozen=True)
class Band:
    """A shaded band across the plot, from `low` to `high` (the XmR natural process limits)."""

    name: str
    low: float
    high: float


@dataclass(frozen=True)
class LineChart:
    """A line chart over categories (periods, month-ends, loss levels)."""

    title: str
    labels: Sequence[str]
    """The x-axis categories, oldest (or smallest) first."""
    y_title: str
    series: Sequence[Series]
    """The data series first: the first one decides which categories Mermaid keeps."""
    x_title: str = ""
    band: Band | None = None
    x_values: Sequence[float] | None = None
    """Numeric x positions (a loss in currency); None: categories evenly spaced."""
    x_log: bool = False
    """`x_values` on a log scale (the loss exceedance curve)."""
    y_percent: bool = False
    """Values are percentages (0-100): the y axis runs from 0 to 100 at most."""
    notes: Sequence[str] = ()
    """Sentences about the data (periods without an observation), shown under the chart."""
    stacked: bool = False
    """Parts of a whole (open risks per level): the SVG draws a bar per category, the series
    stacked in order from the bottom, so a level at 0 hides none and each is a box of its own
    colour; Mermaid, which cannot stack, still draws lines."""

    def __post_init__(self) -> None:
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(
                    f"series {series.name!r} has {len(series.values)} values "
                    f"for {len(self.labels)} categories"
                )
            if series.marks and len(series.marks) != len(self.labels):
                raise ValueError(f"series {series.name!r}: one mark per category, or none")
            for value in series.values:
                if value is not None and not math.isfinite(value):
                    raise ValueError(f"a chart value must be finite, not {value!r}")
        if self.x_values is not None and len(self.x_values) != len(self.labels):
            raise ValueError("x_values: one per category")
        edges = [*(self.x_values or ()), *((self.band.low, self.band.high) if self.band else ())]
        if not all(math.isfinite(value) for value in edges):
            raise ValueError("x values and band edges must be finite")

    @property
    def description(self) -> str:
        """One sentence for `<desc>` and screen readers: what is drawn, and the notes."""
        names = ", ".join(series.name for series in self.series)
        span = f"{self.labels[0]} to {self.labels[-1]}" if self.labels else "no categories"
        band = f"; shaded: {self.band.name}" if self.band else ""
        return " ".join([f"{self.y_title} by category, {span}: {names}{band}.", *self.notes])

    def table(self) -> dict[str, Any]:
        """The chart's values as a table (header and rows of text) for screen readers."""
        header = [self.x_title or "category", *(series.name for series in self.series)]
        rows = []
        for index, label in enumerate(self.labels):
            row = [label]
            for series in self.series:
                value = series.values[index]
                text = "no data" if value is None else plain_number(value, series.decimals)
                mark = series.marks[index] if series.marks else None
                row.append(f"{text} ({mark})" if mark else text)
            rows.append(row)
        return {"header": header, "rows": rows}


@dataclass(frozen=True)
class HeatCell:
    """One cell of a 5x5: its likelihood and impact, level, colour, and the risks in it."""

    likelihood: int
    impact: int
    level: str
    color: str | None
    risks: Sequence[str] = field(default_factory=tuple)
    """Risk ids in the cell, in the report's order."""

    @property
    def ink(self) -> str:
        """The cell's fill: the level's colour, grey when the matrix has none."""
        return safe_color(self.color, ROLE_COLORS["level"])


@dataclass(frozen=True)
class HeatMap:
    """A likelihood x impact grid of open risks: likelihood 5 (top) to 1, impact 1 to 5."""

    title: str
    likelihood_names: Sequence[str]
    """Names of likelihood 1..5."""
    impact_names: Sequence[str]
    """Names of impact 1..5."""
    cells: Sequence[HeatCell]
    """All 25 cells, likelihood 5 first, then impact 1 to 5."""

    def cell(self, likelihood: int, impact: int) -> HeatCell:
        """The cell at (likelihood, impact), both 1-5."""
        return self.cells[(5 - likelihood) * 5 + impact - 1]

    @property
    def description(self) -> str:
        """One sentence for `<desc>`: the count and where the risks are."""
        count = sum(len(cell.risks) for cell in self.cells)
        filled = [
            f"likelihood {cell.likelihood} impact {cell.impact} ({cell.level}): "
            f"{', '.join(cell.risks)}"
            for cell in self.cells
            if cell.risks
        ]
        return f"{self.title}: {count} open risks. " + ("; ".join(filled) or "none") + "."

    def table(self) -> dict[str, Any]:
        """Counts per cell as a table: rows likelihood 5 to 1, columns impact 1 to 5."""
        header = ["likelihood \\ impact"] + [
            f"{impact} {self.impact_names[impact - 1]}" for impact in range(1, 6)
        ]
        rows = [
            [f"{likelihood} {self.likelihood_names[likelihood - 1]}"]
            + [str(len(self.cell(likelihood, impact).risks) or "") for impact in range(1, 6)]
            for likelihood in range(5, 0, -1)
        ]
        return {"header": header, "rows": rows}


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


def mermaid_chart(chart: LineChart) -> dict[str, Any]:
    """The Mermaid-ready values of `chart` for `_chart.md.j2`: the palette (the series' colours,
    in their order), title, categories, y-axis title, series as `line` or `bar` with their points
    written out, and the caption (the order of the lines, which Mermaid does not label, and the
    chart's notes).

    Mermaid draws series in the palette's colours in order
    (`themeVariables.xyChart.plotColorPalette`, mermaid.js.org/syntax/xyChart.html).
    """
    kept = [index for index, value in enumerate(chart.series[0].values) if value is not None]
    series: list[dict[str, Any]] = []
    bars = []
    for each in chart.series:
        values = [each.values[index] for index in kept]
        kind = "line"
        if any(value is None for value in values):
            kind = "bar"
            bars.append(each.name)
        points = [plain_number(value or 0.0, each.decimals) for value in values]
        series.append({"kind": kind, "name": each.name, "points": points, "color": each.ink})
    names = "; ".join(each.name for each in chart.series)
    notes = [f"Lines, in order: {names}."]
    first = chart.series[0].values
    left = [label for label, value in zip(chart.labels, first, strict=True) if value is None]
    if left:
        notes.append(f"No data for {listed(left)}: left out.")
    if chart.x_values is not None:
        scale = "a log scale" if chart.x_log else "a numeric scale"
        notes.append(f"The x axis is {scale} drawn as evenly spaced categories.")
    if bars:
        notes.append(
            f"{_join(bars)} {'is' if len(bars) == 1 else 'are'} drawn as bars, none where "
            "there is no value (Mermaid cannot leave a gap in a line)."
        )
    return {
        "palette": ", ".join(str(each["color"]) for each in series),
        "title": chart.title,
        "labels": [chart.labels[index] for index in kept],
        "y_title": chart.y_title,
        "series": series,
        "caption": " ".join([*notes, *chart.notes]),
    }


def listed(labels: Sequence[str], shown: int = 3) -> str:
    """`W43, W44 and W45`; `2025-12, 2026-01, 2026-02 and 9 more`."""
    if len(labels) <= shown:
        return _join(labels, quote=False)
    return f"{', '.join(labels[:shown])} and {len(labels) - shown} more"


def _join(names: Sequence[str], *, quote: bool = True) -> str:
    quoted = [f'"{name}"' if quote else name for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


#: Level colours where the matrix gives none: a sequential scale from green to red (the preset
#: levels' own colours, riskctl/score/matrix.py `PRESET_COLORS`), spread over the levels.
LEVEL_SCALE = ("#2e7d32", "#7cb342", "#fbc02d", "#f57c00", "#c62828")


def level_colors(levels: Sequence[str], colors: Sequence[str | None]) -> dict[str, str]:
    """Each level's colour, lowest level first: the matrix's own, else its place on
    `LEVEL_SCALE` (the lowest green, the highest red), so no two levels of a custom matrix
    without colours are drawn alike."""
    last = max(len(levels) - 1, 1)
    scale = len(LEVEL_SCALE) - 1
    return {
        level: safe_color(color, LEVEL_SCALE[round(rank * scale / last)])
        for rank, (level, color) in enumerate(zip(levels, colors, strict=True))
    }
