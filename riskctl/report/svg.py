"""Charts drawn as inline SVG for the HTML reports: `svg(figure)` for a `LineChart` or `HeatMap`.

The HTML report pages put each chart's `<svg>` element straight into the page. The page's
Content-Security-Policy allows only its own hashed stylesheet, so an SVG here has no
JavaScript, no `style=` attribute and no `<style>` element: colours are presentation attributes
(`stroke=`, `fill=`), which any CSS rule overrides, so the page's stylesheet can restyle a chart
by class (dark mode). Text and axes are drawn in `currentColor` and follow the page's colour.

Class contract (the page's CSS is written against these names):

- `rk-chart`: the root `<svg>`. It has a `viewBox` and `width="100%"` and no height, so it
  scales to its container (a 360 px screen included) and keeps its aspect ratio.
- `rk-title`: the chart's title drawn at the top (the `<title>` element holds it too).
- `rk-grid`: the horizontal grid lines at the y ticks; `rk-axis`: the axis lines and tick marks;
  `rk-ticks-x`, `rk-ticks-y`: the groups of tick labels (text, in `currentColor`).
- `rk-s rk-ROLE` (ROLE: `this`, `prior`, `amber`, `red`, `centre`, `level`, `tolerance`): one
  `<g>` per series, carrying the series' colour as both `stroke` and `fill`; its lines have
  `fill="none"` and its point markers (and a stacked chart's boxes) inherit the fill. The
  legend's swatch of a series is a `<g class="rk-key rk-ROLE">` built the same way, so one rule
  `.rk-chart .rk-this { stroke: …; fill: … }` recolours a role's line, markers and swatch.
  A `level` series keeps its level's colour from the matrix (all levels share `rk-level`).
- `rk-band`: the shaded band (the XmR natural process limits), and its swatch in the legend.
- `rk-signal`: the ring around a point with a signal; its `<title>` names the rule.
- `rk-legend`: the legend group (swatches and names).
- `rk-cell`: one heat map cell, a `<g>` with its `<title>`, the coloured `<rect>` and its text.
  The text's colour is chosen for contrast with the cell's fill, so it is set on each text.

What is drawn:

- A line chart has a title, the y axis's title above the plot, "nice" y ticks (1-2-5 steps,
  `nice_ticks`) covering every value, threshold and band edge, so nothing leaves the plot;
  categories evenly spaced, or `x_values` placed linearly (log10 with `x_log`); x labels thinned
  where they would overlap, the last always kept. Each series is a polyline per run of consecutive
  values, split at `None`; a lone value between gaps is a dot. Points of the `this` and `level`
  roles get dots with a `<title>` tooltip "LABEL: VALUE" ("2026-10: 3 high" for a level), left out
  when the points are closer than `MARKER_SPACING`, where dots would only blot the line; a point
  with a mark gets an `rk-signal` ring whose `<title>` names the rule; a `step` series is drawn as
  a step. Dash patterns tell prior, thresholds and centre apart in greyscale print. A `stacked`
  chart (open risks per level) is a bar per category instead, its series stacked in order from the
  bottom (a part per value, outlined, with a `<title>` "LABEL: VALUE NAME"), the y axis covering
  the totals; its legend's swatches are boxes.
- An axis of whole values only (a count) has whole ticks, never 0.5.
- A heat map is 5x5 cells in their level's colour, likelihood 5 at the top; an occupied cell
  shows its count large and as many risk ids as fit, then "+N"; an empty cell is drawn paler.
  Each cell's `<title>` names its likelihood, impact and level, and lists every risk in it.

Register text (titles, labels, names, risk ids) is hostile: everything written goes through
`_text`, which removes what XML 1.0 cannot hold (C0 controls but tab and newline, lone
surrogates, U+FFFE, U+FFFF), shows the other controls and bidi overrides escaped as
`riskctl.textsafe.visible` does, and escapes `&<>"'`. Drawn text is cut to the room
it has; `<title>` and `<desc>` keep all of it. Work and output grow linearly with the input.
Coordinates are rounded to 2 decimals, and the same chart always gives the same bytes (no
element ids, so a page can hold many charts).

Degenerate input draws something: no categories, or all values `None`, draws the axes and "no
data"; all-equal values and one point get an axis around the value; negative values are drawn
as they are; values too close to tell apart in 9 significant digits are drawn as equal; tick
labels too long in plain decimals (1e300) are written as powers of ten. A `ValueError`, which
the caller reports, is raised only for what no axis can hold: an `x_values` entry that is not
finite, `x_log` with an x value <= 0, or values of about 1e308, whose axis would need a tick
beyond the largest float.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal

from riskctl.report.charts import ROLE_COLORS, HeatCell, HeatMap, LineChart, Series, plain_number
from riskctl.textsafe import cut, display_width, visible

#: The line chart's width in user units; its height grows with the legend's rows. A chart
#: scales to its column, so its text is TEXT_SIZE x column / WIDTH px: on a 360 px phone
#: (a 328 px column) 13 units are 10.7 px, and the page's stylesheet caps a chart's width on a
#: wide screen (30rem: 15.6 px). At 480 units, 12-unit text read 8 px on the phone.
WIDTH = 400
#: The heat map's width in user units.
HEAT_WIDTH = 400
#: The size of the chart's text (ticks, axis titles, legend) in user units.
TEXT_SIZE = 13.0
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
#: Average advance of a character in em, for estimating how much text fits: sans-serif digits
#: and lower case are about 0.55 em; 0.6 errs towards room to spare.
CHAR_EM = 0.6
#: Points closer together than this (user units) get no dots: the line alone reads better.
MARKER_SPACING = 6.0

#: From the title's (last) baseline to the plot's top, with the y axis's title between.
_PLOT_BELOW_TITLE = 36.0
_PLOT_HEIGHT = 170.0
#: Room right of the plot for half of the last x label ("2026-11" at 13 units is about 58).
_RIGHT = WIDTH - 24.0
_INSET = 12.0
"""Room at each end of a numeric x axis, so the end points are not drawn on the axis."""

#: Per role: line width, dash pattern, dot radius (0: no dots), drawing order (lower: below).
#: Dashes follow the convention of control charts: thresholds long-dashed, the centre dotted.
#: The centre's dots are round (`_dashes`: zero-length dashes with round caps), so it is not
#: taken for the year earlier's dashes, which are as grey.
_LOOKS: dict[str, tuple[float, str | None, float, int]] = {
    "this": (3.0, None, 3.5, 6),
    "prior": (2.5, "7 4", 0.0, 4),
    "amber": (2.0, "10 3 2 3", 0.0, 1),
    "red": (2.0, "10 4", 0.0, 2),
    "centre": (2.0, "0 4", 0.0, 0),
    "level": (2.5, None, 3.0, 5),
    "tolerance": (2.0, None, 0.0, 3),
}
#: The band in the text colour, faint: grey on a light page, light on a dark one, without CSS.
_BAND_FILL = "currentColor"
_BAND_OPACITY = "0.14"
_SIGNAL_INK = ROLE_COLORS["red"]


# --- text -------------------------------------------------------------------------------------

#: What XML 1.0 cannot hold (its `Char` production, W3C XML 1.0 5th ed. section 2.2): C0 controls
#: but tab, line feed and carriage return (already made line feeds), lone surrogates, U+FFFE,
#: U+FFFF. Removed: a parser refuses the whole document for one of them, and they carry nothing
#: a reader needs. `visible` then shows DEL, C1 controls, line separators and bidi overrides.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value: object) -> str:
    """Register text as characters safe in XML and on screen (not yet XML-escaped): no
    character XML 1.0 cannot hold (`_NOT_XML`), tabs as spaces, and DEL, C1 controls, line
    separators and bidi overrides shown escaped as `riskctl.textsafe.visible` shows them
    (`\\u202e`), so no text is reordered on screen."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return visible(_NOT_XML.sub("", text), keep_newlines=True)


def _text(value: object, cells: int | None = None) -> str:
    """`value` as XML character data, cut to `cells` character cells when given."""
    text = clean(value)
    if cells is not None:
        text = _fit(" ".join(text.split("\n")), max(cells, 1))
    return html.escape(text, quote=True)


def _fit(text: str, cells: int) -> str:
    """`text` cut to `cells` character cells, ending in "…" when cut (`textsafe.cut`), looking
    at no more than 4 characters per cell: a megabyte label costs no more than a short one."""
    if len(text) <= 4 * cells:
        return cut(text, cells)
    head = cut(text[: 4 * cells], cells)
    return head if head.endswith("…") else head + "…"


def _cells(width: float, size: float) -> int:
    """How many character cells of font `size` fit in `width` user units."""
    return max(1, int(width / (size * CHAR_EM)))


def _width(text: str, size: float) -> float:
    """The estimated drawn width of (clean) `text` at font `size`."""
    return display_width(text) * size * CHAR_EM


def _n(value: float) -> str:
    """A coordinate rounded to 2 decimals, without trailing zeros (`12.5`, `3`, `-0.25`)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- nice ticks -------------------------------------------------------------------------------


def _nice(value: Decimal, *, rounds: bool) -> Decimal:
    """Heckbert's nice number near `value` > 0 (1, 2, 5 or 10 times a power of ten): rounded to
    the nearest, or the smallest not below it (Paul S. Heckbert, "Nice numbers for graph
    labels", Graphics Gems, Academic Press 1990, pp. 61-63). In decimals, which neither
    overflow nor drift (0.1 * 3) where a float would."""
    exponent = value.adjusted()  # floor(log10(value))
    fraction = value.scaleb(-exponent)  # 1 <= fraction < 10
    if rounds:
        limits = ((Decimal("1.5"), 1), (Decimal(3), 2), (Decimal(7), 5))
        nice = next((nice for limit, nice in limits if fraction < limit), 10)
    else:
        limits = ((Decimal(1), 1), (Decimal(2), 2), (Decimal(5), 5))
        nice = next((nice for limit, nice in limits if fraction <= limit), 10)
    return Decimal(nice).scaleb(exponent)


def _loose_ticks(low: float, high: float, count: int) -> list[float]:
    """Heckbert's "loose labelling": ticks a nice step apart from at or below `low` to at or
    above `high`; the step is a nice number near the nice range over `count - 1`."""
    # Each end as the decimal its float was written as (1e300, not the float's exact binary
    # value 1.0000000000000000525e300, which would round the range up to the next nice number).
    low_decimal, high_decimal = Decimal(repr(low)), Decimal(repr(high))
    context = Context(prec=40)
    span = context.subtract(high_decimal, low_decimal)
    step = _nice(context.divide(_nice(span, rounds=False), count - 1), rounds=True)
    first = context.divide(low_decimal, step).to_integral_value(ROUND_FLOOR)
    last = context.divide(high_decimal, step).to_integral_value(ROUND_CEILING)
    if last - first > 4 * count:  # pragma: no cover - the step is about a quarter of the span
        return []
    return [float(context.multiply(step, k)) for k in range(int(first), int(last) + 1)]


#: Values closer together than this share of their size are drawn as equal: their difference
#: would need tick labels of more than 9 significant digits, which no one reads at a glance.
_RESOLUTION = 1e-9
#: Values smaller than this are drawn as 0 is, on an axis from -0.5 to 0.5 around them.
_TINY = 1e-150


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Tick values from at or below `low` to at or above `high`, a 1-2-5 step apart, about
    `count` of them (Heckbert 1990), exact decimals (`plain_number` writes them plainly).

    Equal ends (one value, all-equal values, or ends closer than `_RESOLUTION` of their size)
    get an axis around their middle: half its size each side, 0.5 each side for values
    smaller than `_TINY`, or 0 to 1 for 0. ValueError when a tick would be beyond what a float
    holds (values of about 1e308).
    """
    low, high = min(low, high), max(low, high)
    ends = (low, high)
    if high - low <= _RESOLUTION * max(abs(low), abs(high), _TINY):
        middle = low / 2 + high / 2
        size = abs(middle) / 2 if abs(middle) >= _TINY else 0.5
        low, high = (0.0, 1.0) if middle == 0.0 else (middle - size, middle + size)
    ticks = _loose_ticks(low, high, count) if math.isfinite(low) and math.isfinite(high) else []
    if len(ticks) < 2 or not all(map(math.isfinite, ticks)):
        raise ValueError(f"values from {ends[0]!r} to {ends[1]!r} are too large for an axis")
    return ticks


_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)
#: Longer tick labels (1e300 in plain decimals is 301 digits) are written as powers of ten.
_PLAIN_LABEL_CHARS = 12


def _power_of_ten(value: float) -> str:
    """`value` as a mantissa times ten to a superscript power, with the digits of its shortest
    representation (`repr`), so no two ticks share a label."""
    if value == 0.0:
        return "0"
    mantissa, exponent = format(Decimal(repr(value)).normalize(), "e").split("e")
    return f"{mantissa}\u00d710{str(int(exponent)).translate(_SUPERSCRIPT)}"


def tick_labels(ticks: Sequence[float]) -> list[str]:
    """The ticks' labels in plain decimals (`plain_number`), or, when one would be longer than
    12 characters, all as mantissas times ten to a power (1.5 x 10 to the 300th)."""
    plain = [plain_number(tick) for tick in ticks]
    if all(len(label) <= _PLAIN_LABEL_CHARS for label in plain):
        return plain
    return [_power_of_ten(tick) for tick in ticks]


def _y_domain(chart: LineChart) -> list[float]:
    """The values the y axis must cover: every value (a stacked chart's totals per category,
    and 0), and the band's edges."""
    covered = [value for series in chart.series for value in series.values if value is not None]
    if chart.stacked and covered:
        covered = [0.0, *(_stack(chart, index)[-1] for index in range(len(chart.labels)))]
    if chart.band is not None:
        covered += [chart.band.low, chart.band.high]
    for value in covered:
        if not math.isfinite(value):
            raise ValueError(f"a chart value must be finite, not {value!r}")
    return covered


def y_ticks(chart: LineChart) -> list[float]:
    """The y axis's ticks for `chart`: its first tick is the plot's bottom, its last the top.

    A percentage axis starts at 0 and (for values up to 100) ends at 100 at most: 100 is a
    multiple of every 1-2-5 step up to 100, so the loose labelling never passes it. Other axes
    include 0 when the values are all on one side of it and their nearest is no farther from 0
    than the values are from each other, as a count or a days figure is best read from 0; an
    axis of values far from 0 (availability between 99 and 100) starts near them, or its
    changes would be flattened. An axis of whole values only (a count) has whole ticks.
    """
    covered = _y_domain(chart)
    if not covered:
        return nice_ticks(0.0, 1.0)
    low, high = min(covered), max(covered)
    if chart.y_percent:
        low, high = min(low, 0.0), max(high, 0.0)
    elif low >= 0.0 and low <= high - low:
        low = 0.0
    elif high <= 0.0 and -high <= high - low:
        high = 0.0
    ticks = nice_ticks(low, high)
    if ticks[1] - ticks[0] < 1 and all(value == math.floor(value) for value in covered):
        # A count (every value whole) has no half tick: Heckbert's step is below 1 only for a
        # span under about 4, so whole steps give 2 to 5 ticks.
        first, last = math.floor(low), math.ceil(high)
        if first == last:
            first, last = (first - 1, last + 1) if first else (0, 1)
        return [float(tick) for tick in range(first, last + 1)]
    return ticks


# --- geometry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """Where the plot is, and how values map into it."""

    left: float
    right: float
    top: float
    bottom: float
    low: float
    high: float
    xs: tuple[float, ...]
    """Each category's x position."""

    def y(self, value: float) -> float:
        """A value's y: linear between the axis's first tick (bottom) and last tick (top)."""
        # In halves, so that a span of -1e308 to 1e308 does not overflow.
        share = (value / 2 - self.low / 2) / (self.high / 2 - self.low / 2)
        return self.bottom - share * (self.bottom - self.top)


def _x_positions(chart: LineChart, left: float, right: float) -> tuple[float, ...]:
    """Categories evenly spaced (each in the middle of its slot), or `x_values` mapped linearly
    (log10 with `x_log`) between the plot's ends, less an inset."""
    count = len(chart.labels)
    if chart.x_values is None:
        slot = (right - left) / max(count, 1)
        return tuple(left + (index + 0.5) * slot for index in range(count))
    positions = []
    for label, value in zip(chart.labels, chart.x_values, strict=True):
        if not math.isfinite(value):
            raise ValueError(f"x value {value!r} at {clean(label)[:80]!r} is not finite")
        if chart.x_log and value <= 0.0:
            raise ValueError(
                f"x value {plain_number(value)} at {clean(label)[:80]!r} cannot go on a log axis"
            )
        positions.append(math.log10(value) if chart.x_log else value)
    if not positions:
        return ()
    low, high = min(positions), max(positions)
    if high == low:
        return tuple((left + right) / 2 for _ in positions)
    start, width = left + _INSET, right - left - 2 * _INSET
    half_span = high / 2 - low / 2  # in halves, so that -1e308 to 1e308 does not overflow
    return tuple(start + (position / 2 - low / 2) / half_span * width for position in positions)


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    """The indexes of each run of consecutive values, split where a value is None."""
    runs: list[list[int]] = []
    current: list[int] = []
    for index, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(index)
    if current:
        runs.append(current)
    return runs


# --- the line chart ---------------------------------------------------------------------------


def _root(width: float, height: float, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rk-chart" viewBox="0 0 {_n(width)} '
        f'{_n(height)}" width="100%" role="img" font-family="{FONT}" font-size="{_n(TEXT_SIZE)}" '
        'fill="currentColor">',
        f"<title>{_text(title)}</title>",
        f"<desc>{_text(description)}</desc>",
    ]


def _split(text: str, cells: int) -> tuple[str, str]:
    """`text` (one line) split where the first `cells` character cells end, at the last space
    before that if there is one: (the first line, the rest)."""
    used = 0
    for index, character in enumerate(text):
        used += display_width(character)
        if used > cells:
            space = text.rfind(" ", 0, index + 1)
            end = space if space > 0 else index
            return text[:end], text[end:].strip()
    return text, ""


#: The title's font size and line height; it takes at most two lines.
_TITLE_SIZE = 15.0
#: Semibold text runs wider: DejaVu Sans Bold, the fallback where no system-ui font is
#: installed, averages about 0.65 em, so the title is cut for 0.66.
_BOLD_EM = 0.66
_TITLE_LINE = 19.0


def _heading(title: str, width: float) -> tuple[list[str], float]:
    """The title drawn at the top in one or two lines, the rest cut: (elements, the y below)."""
    cells = _cells(width - 20, _TITLE_SIZE * _BOLD_EM / CHAR_EM)
    first, rest = _split(" ".join(clean(title).split()), cells)
    lines = [first, _fit(rest, cells)] if rest else [first]
    parts = [
        f'<text class="rk-title" x="10" y="{_n(22 + number * _TITLE_LINE)}" '
        f'font-size="{_n(_TITLE_SIZE)}" font-weight="600">{html.escape(line, quote=True)}</text>'
        for number, line in enumerate(lines)
    ]
    return parts, 22 + (len(lines) - 1) * _TITLE_LINE


#: The x labels are thinned by a wider estimate than CHAR_EM: capitals and digits run to 0.64
#: to 0.86 em in DejaVu Sans (the fallback font), so "5M" beside "10M" at 0.6 em nearly touched.
_LABEL_EM = 0.72


def _x_labels(chart: LineChart, frame: _Frame, size: float) -> list[str]:
    """The x labels that fit without overlapping, each cut to 16 cells, chosen greedily from
    the last (the latest period, which a reader looks for first) back to the first: a label
    is left out when its estimated box (`_LABEL_EM`) comes within `size` of the next drawn
    one's, or would leave the chart."""
    gap = size
    drawn: list[tuple[str, str]] = []
    next_start = WIDTH - 2 + gap
    for label, x in reversed(list(zip(chart.labels, frame.xs, strict=True))):
        text = _fit(" ".join(clean(label).split("\n")), 16)
        half = display_width(text) * size * _LABEL_EM / 2
        if x + half > next_start - gap or x - half < 0.0:
            continue
        next_start = x - half
        drawn.append(
            (
                f'<text x="{_n(x)}" y="{_n(frame.bottom + 18)}">'
                f"{html.escape(text, quote=True)}</text>",
                f'<line x1="{_n(x)}" y1="{_n(frame.bottom)}" x2="{_n(x)}" '
                f'y2="{_n(frame.bottom + 4)}" class="rk-axis" stroke="currentColor"/>',
            )
        )
    drawn.reverse()
    return [
        f'<g class="rk-ticks-x" text-anchor="middle" font-size="{_n(size)}">',
        *(label for label, _ in drawn),
        "</g>",
        *(tick for _, tick in drawn),
    ]


def _point_title(series: Series, label: str, value: float, mark: str | None) -> str:
    text = f"{label}: {plain_number(value, series.decimals)}"
    if series.role == "level":
        text += f" {series.name}"
    return f"{text} ({mark})" if mark else text


def _dashes(role: str) -> str:
    """A role's dash attributes: its pattern, and round caps for the centre's dots."""
    dash = _LOOKS[role][1]
    if dash is None:
        return ""
    caps = ' stroke-linecap="round"' if role == "centre" else ""
    return f' stroke-dasharray="{dash}"{caps}'


def _series(series: Series, chart: LineChart, frame: _Frame) -> list[str]:
    """One series' group: a polyline per run, dots, signal rings."""
    width, _, radius, _ = _LOOKS[series.role]
    ink = series.ink
    parts = [f'<g class="rk-s rk-{series.role}" stroke="{ink}" fill="{ink}">']
    dashes = _dashes(series.role)
    line = f' fill="none" stroke-width="{_n(width)}"{dashes} stroke-linejoin="round"'
    values = series.values
    spaced = len(frame.xs) < 2 or (frame.right - frame.left) / len(frame.xs) >= MARKER_SPACING
    dots: list[int] = []
    for run in _runs(values):
        if len(run) == 1:
            dots.append(run[0])
            continue
        points: list[str] = []
        for position, index in enumerate(run):
            x, y = frame.xs[index], frame.y(values[index] or 0.0)
            if series.step and position > 0:
                points.append(f"{_n(x)},{_n(frame.y(values[run[position - 1]] or 0.0))}")
            points.append(f"{_n(x)},{_n(y)}")
        parts.append(f'<polyline points="{" ".join(points)}"{line}/>')
        if radius and spaced:
            dots.extend(run)
    marks = series.marks or [None] * len(values)
    for index in sorted(dots):
        value = values[index]
        if value is None:  # pragma: no cover - dots are taken from runs of values
            continue
        where = f'cx="{_n(frame.xs[index])}" cy="{_n(frame.y(value))}"'
        title = _text(_point_title(series, chart.labels[index], value, marks[index]))
        size = _n(radius or 3.0)
        parts.append(f'<circle {where} r="{size}" stroke="none"><title>{title}</title></circle>')
    for index, mark in enumerate(marks):
        value = values[index]
        if mark is None or value is None:
            continue
        where = f'cx="{_n(frame.xs[index])}" cy="{_n(frame.y(value))}"'
        title = _text(_point_title(series, chart.labels[index], value, mark))
        parts.append(
            f'<circle class="rk-signal" {where} r="7" fill="none" '
            f'stroke="{_SIGNAL_INK}" stroke-width="2"><title>{title}</title></circle>'
        )
    parts.append("</g>")
    return parts


#: A stacked bar takes this share of its category's slot; its parts are outlined in the text
#: colour, so a pale level (medium's #fbc02d is 1.7:1 on white) still has an edge of 3:1
#: and more (WCAG 2.1 SC 1.4.11, non-text contrast).
_BAR_SHARE = 0.6
_BAR_OUTLINE = ' stroke="currentColor" stroke-opacity="0.7" stroke-width="0.75"'


def _stack(chart: LineChart, index: int) -> list[float]:
    """The running totals of the category `index` (its values, None as 0), bottom first."""
    totals, total = [], 0.0
    for series in chart.series:
        total += series.values[index] or 0.0
        totals.append(total)
    return totals


def _bars(chart: LineChart, frame: _Frame) -> list[str]:
    """A stacked chart's bars: per series a group of its parts, each a box from the running
    total below it to its own, with a `<title>` "LABEL: VALUE NAME"; none where a category has
    no value, and no box for a 0."""
    count = len(frame.xs)
    slot = (frame.right - frame.left) / max(count, 1)
    width = slot * _BAR_SHARE
    stacks = [_stack(chart, index) for index in range(count)]
    parts: list[str] = []
    for number, series in enumerate(chart.series):
        ink = series.ink
        parts.append(f'<g class="rk-s rk-{series.role}" stroke="{ink}" fill="{ink}">')
        for index, value in enumerate(series.values):
            if not value:
                continue
            edges = frame.y(stacks[index][number]), frame.y(stacks[index][number] - value)
            top, bottom = min(edges), max(edges)
            title = _text(_point_title(series, chart.labels[index], value, None))
            parts.append(
                f'<rect x="{_n(frame.xs[index] - width / 2)}" y="{_n(top)}" '
                f'width="{_n(width)}" height="{_n(bottom - top)}"{_BAR_OUTLINE}>'
                f"<title>{title}</title></rect>"
            )
        parts.append("</g>")
    return parts


def _legend(chart: LineChart, top: float) -> tuple[list[str], float]:
    """The legend, wrapped to the chart's width: (its elements, the y below its last row)."""
    size, row_height, swatch = TEXT_SIZE, TEXT_SIZE + 9, 26.0
    items: list[tuple[str, str]] = []  # (swatch markup at x=0, y=0, name)
    for series in chart.series:
        if chart.stacked:
            key = (
                f'<g class="rk-key rk-{series.role}" stroke="{series.ink}" fill="{series.ink}">'
                f'<rect x="6" y="-7" width="14" height="14"{_BAR_OUTLINE}/></g>'
            )
            items.append((key, series.name))
            continue
        width, _, radius, _ = _LOOKS[series.role]
        dashes = _dashes(series.role)
        dot = (
            f'<circle cx="{_n(swatch / 2)}" cy="0" r="{_n(radius)}" stroke="none"/>'
            if radius
            else ""
        )
        key = (
            f'<g class="rk-key rk-{series.role}" stroke="{series.ink}" fill="{series.ink}">'
            f'<line x1="0" y1="0" x2="{_n(swatch)}" y2="0" stroke-width="{_n(width)}"{dashes}/>'
            f"{dot}</g>"
        )
        items.append((key, series.name))
    if chart.band is not None:
        key = (
            f'<rect class="rk-band" x="0" y="-6" width="{_n(swatch)}" height="12" '
            f'fill="{_BAND_FILL}" fill-opacity="{_BAND_OPACITY}"/>'
        )
        items.append((key, chart.band.name))
    parts = [f'<g class="rk-legend" font-size="{_n(size)}">']
    x, y = 10.0, top + row_height / 2
    for key, name in items:
        text = _fit(" ".join(clean(name).split("\n")), 40)
        width = swatch + 6 + _width(text, size) + 18
        if x > 10.0 and x + width > WIDTH - 10:
            x, y = 10.0, y + row_height
        parts.append(f'<g transform="translate({_n(x)},{_n(y)})">{key}</g>')
        parts.append(
            f'<text x="{_n(x + swatch + 6)}" y="{_n(y)}" dy="0.35em">'
            f"{html.escape(text, quote=True)}</text>"
        )
        x += width
    parts.append("</g>")
    return parts, y + row_height / 2


def line_chart_svg(chart: LineChart) -> str:
    """`chart` as a self-contained `<svg class="rk-chart">` element (see the module docstring).

    ValueError for what no axis can hold: an `x_values` entry that is not finite, `x_log` with
    an x value <= 0, or values of about 1e308 (a tick beyond the largest float).
    """
    ticks = y_ticks(chart)
    labels = tick_labels(ticks)
    tick_size = TEXT_SIZE
    left = 10.0 + max(_width(label, tick_size) for label in labels) + 8.0
    body, below_title = _heading(chart.title, WIDTH)
    top = below_title + _PLOT_BELOW_TITLE
    bottom = top + _PLOT_HEIGHT
    frame = _Frame(
        left, _RIGHT, top, bottom, ticks[0], ticks[-1], _x_positions(chart, left, _RIGHT)
    )
    y_title = _text(chart.y_title, _cells(WIDTH - 20, TEXT_SIZE))
    body.append(f'<text x="10" y="{_n(top - 14)}" fill-opacity="0.8">{y_title}</text>')
    body.append('<g class="rk-grid" stroke="currentColor" stroke-opacity="0.16" stroke-width="1">')
    for tick in ticks:
        y = _n(frame.y(tick))
        body.append(f'<line x1="{_n(left)}" y1="{y}" x2="{_n(_RIGHT)}" y2="{y}"/>')
    body.append("</g>")
    body.append(f'<g class="rk-ticks-y" text-anchor="end" font-size="{_n(tick_size)}">')
    for tick, label in zip(ticks, labels, strict=True):
        body.append(f'<text x="{_n(left - 6)}" y="{_n(frame.y(tick))}" dy="0.35em">{label}</text>')
    body.append("</g>")
    if chart.band is not None:
        band_top = frame.y(max(chart.band.low, chart.band.high))
        band_bottom = frame.y(min(chart.band.low, chart.band.high))
        band_title = _text(
            f"{chart.band.name}: {plain_number(chart.band.low)} to {plain_number(chart.band.high)}"
        )
        body.append(
            f'<rect class="rk-band" x="{_n(left)}" y="{_n(band_top)}" '
            f'width="{_n(_RIGHT - left)}" height="{_n(band_bottom - band_top)}" '
            f'fill="{_BAND_FILL}" fill-opacity="{_BAND_OPACITY}"><title>{band_title}</title></rect>'
        )
    body.append(
        f'<g class="rk-axis" stroke="currentColor" stroke-width="1">'
        f'<line x1="{_n(left)}" y1="{_n(top)}" x2="{_n(left)}" y2="{_n(bottom)}"/>'
        f'<line x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(_RIGHT)}" y2="{_n(bottom)}"/></g>'
    )
    body.extend(_x_labels(chart, frame, TEXT_SIZE))
    below = bottom + 30
    if chart.x_title:
        x_title = _text(chart.x_title, _cells(_RIGHT - left, TEXT_SIZE))
        middle = _n((left + _RIGHT) / 2)
        body.append(
            f'<text x="{middle}" y="{_n(bottom + 36)}" text-anchor="middle" '
            f'fill-opacity="0.8">{x_title}</text>'
        )
        below = bottom + 46
    if not any(value is not None for series in chart.series for value in series.values):
        body.append(
            f'<text x="{_n((left + _RIGHT) / 2)}" y="{_n((top + bottom) / 2)}" dy="0.35em" '
            'text-anchor="middle" fill-opacity="0.7">no data</text>'
        )
    if chart.stacked:
        body.extend(_bars(chart, frame))
    else:
        for series in sorted(chart.series, key=lambda series: _LOOKS[series.role][3]):
            body.extend(_series(series, chart, frame))
    legend, height = _legend(chart, below)
    body.extend(legend)
    return "\n".join([*_root(WIDTH, height + 6, chart.title, chart.description), *body, "</svg>"])


# --- the heat map -----------------------------------------------------------------------------


def _channel(value: int) -> float:
    """An sRGB channel (0-255) linearised, as WCAG 2.x defines relative luminance."""
    share = value / 255
    return share / 12.92 if share <= 0.03928 else ((share + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """The relative luminance of `#rgb`/`#rrggbb` (WCAG 2.1, "relative luminance":
    0.2126 R + 0.7152 G + 0.0722 B of the linearised channels; w3.org/TR/WCAG21)."""
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(each * 2 for each in digits)
    red, green, blue = (_channel(int(digits[index : index + 2], 16)) for index in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter's luminance over the darker's (WCAG 2.1,
    "contrast ratio"; 4.5:1 is SC 1.4.3's minimum for normal text)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_color(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill`."""
    return max(("#000000", "#ffffff"), key=lambda ink: contrast_ratio(ink, fill))


#: Tall enough for the count and three lines of ids (a cell at 400 units is about 62 wide).
_CELL_HEIGHT = 76.0
_CELL_GAP = 3.0
#: Risk ids in a cell: 12 units, 9.8 px on a 360 px phone (10 units read 7 px at 480 wide).
_ID_SIZE = 12.0
#: The axes' names of likelihood and impact.
_AXIS_NAME_SIZE = 12.0
#: A likelihood, impact or level name in a cell's tooltip is cut to this many characters.
_TOOLTIP_NAME_CELLS = 80
_ID_LINES = 3


def fit_ids(ids: Sequence[str], cells: int, lines: int = _ID_LINES) -> list[str]:
    """Risk ids (clean text) packed into at most `lines` lines of `cells` character cells,
    space-separated, the last ending in "+N" for the N that did not fit."""
    packed: list[list[str]] = []
    index = 0
    while index < len(ids) and len(packed) < lines:
        row: list[str] = []
        used = 0
        while index < len(ids):
            word = _fit(ids[index], cells)
            need = display_width(word) + (1 if row else 0)
            if row and used + need > cells:
                break
            row.append(word)
            used += need
            index += 1
        packed.append(row)
    if index < len(ids):
        last = packed[-1]
        while True:
            more = f"+{len(ids) - index}"
            used = sum(display_width(word) + 1 for word in last) + len(more)
            if used <= cells or not last:
                break
            last.pop()
            index -= 1
        last.append(more)
    return [" ".join(row) for row in packed if row]


#: A likelihood's name takes at most two lines of this many character cells left of its row.
_ROW_NAME_CELLS = 10


def _two_lines(text: str, cells: int) -> list[str]:
    """(Clean) `text` in at most two lines of `cells` character cells: broken at the last space,
    or after the last hyphen, that fits ("5 almost-" over "certain"); a word longer than a line
    is hyphenated ("insigni-" over "ficant"); the second line is cut with "…"."""
    text = " ".join(text.split())
    if display_width(text) <= cells:
        return [text]
    used, end = 0, 0
    while end < len(text) and used + display_width(text[end]) <= cells:
        used += display_width(text[end])
        end += 1
    head = text[:end]
    space, hyphen = head.rfind(" "), head.rfind("-")
    if hyphen > 0 and hyphen >= space:
        first, rest = head[: hyphen + 1], text[hyphen + 1 :]
    elif space > 0:
        first, rest = head[:space], text[space + 1 :]
    else:
        keep = max(end - 1, 1)
        first, rest = text[:keep] + "-", text[keep:]
    return [first, _fit(rest.strip(), cells)] if rest.strip() else [first]


def _row_name(likelihood: int, name: str) -> list[str]:
    """ "4 likely" on one line, or "5 almost-" over "certain": two lines at most, the rest cut."""
    return _two_lines(f"{likelihood} {clean(name)}", _ROW_NAME_CELLS)


@dataclass(frozen=True)
class _Grid:
    """Where the heat map's cells are: the grid's left and top, and a cell's width."""

    left: float
    top: float
    cell_width: float

    def x(self, impact: int) -> float:
        return self.left + (impact - 1) * self.cell_width

    def y(self, likelihood: int) -> float:
        return self.top + (5 - likelihood) * _CELL_HEIGHT


def _cell(cell: HeatCell, heat_map: HeatMap, grid: _Grid) -> list[str]:
    fill = cell.ink
    count = len(cell.risks)
    x, y = grid.x(cell.impact), grid.y(cell.likelihood)
    width, height = grid.cell_width - _CELL_GAP, _CELL_HEIGHT - _CELL_GAP
    # The names are the axes' (drawn there): cut here, so that 25 cells do not repeat a long
    # one. The level is said once, as every risk in a cell has the cell's level.
    likelihood = _fit(clean(heat_map.likelihood_names[cell.likelihood - 1]), _TOOLTIP_NAME_CELLS)
    impact = _fit(clean(heat_map.impact_names[cell.impact - 1]), _TOOLTIP_NAME_CELLS)
    level = _fit(clean(cell.level), _TOOLTIP_NAME_CELLS)
    listed = ", ".join(clean(risk) for risk in cell.risks)
    where = f"likelihood {cell.likelihood} {likelihood}, impact {cell.impact} {impact}"
    noun = "risk" if count == 1 else "risks"
    title = f"{where}: {count} {level} {noun}: {listed}" if count else f"{where}: {level}, no risks"
    opacity = "" if count else ' fill-opacity="0.35"'
    parts = [
        f'<g class="rk-cell"><title>{html.escape(title, quote=True)}</title>',
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" rx="3" '
        f'fill="{fill}"{opacity}/>',
    ]
    if count:
        ink = text_color(fill)
        middle = _n(x + width / 2)
        parts.append(
            f'<text x="{middle}" y="{_n(y + 25)}" text-anchor="middle" font-size="21" '
            f'font-weight="700" fill="{ink}">{count}</text>'
        )
        cells = _cells(width - 4, _ID_SIZE)
        for number, line in enumerate(fit_ids([clean(risk) for risk in cell.risks], cells)):
            parts.append(
                f'<text x="{middle}" y="{_n(y + 42 + number * 13)}" text-anchor="middle" '
                f'font-size="{_n(_ID_SIZE)}" fill="{ink}">{html.escape(line, quote=True)}</text>'
            )
    parts.append("</g>")
    return parts


def heat_map_svg(heat_map: HeatMap) -> str:
    """`heat_map` as a self-contained `<svg class="rk-chart">` element: likelihood 5 at the top,
    impact 1 to 5 left to right (see the module docstring). ValueError unless it has 25 cells
    and 5 names on each axis."""
    if len(heat_map.cells) != 25:
        raise ValueError(f"a heat map has 25 cells, not {len(heat_map.cells)}")
    if len(heat_map.likelihood_names) != 5 or len(heat_map.impact_names) != 5:
        raise ValueError("a heat map has 5 likelihood names and 5 impact names")
    body, below_title = _heading(heat_map.title, HEAT_WIDTH)
    row_lines = [
        _row_name(likelihood, heat_map.likelihood_names[likelihood - 1])
        for likelihood in range(1, 6)
    ]
    # "likelihood" is written above the row names, so only they decide where the grid starts
    label_width = max(_width(line, _AXIS_NAME_SIZE) for lines in row_lines for line in lines)
    left = 10 + label_width + 8
    grid = _Grid(left, below_title + 40, (HEAT_WIDTH - 10 - left) / 5)
    body.append(f'<text x="10" y="{_n(grid.top - 12)}" font-weight="600">likelihood</text>')
    grid_bottom = grid.top + 5 * _CELL_HEIGHT
    body.append(f'<g class="rk-ticks-y" text-anchor="end" font-size="{_n(_AXIS_NAME_SIZE)}">')
    for likelihood in range(5, 0, -1):
        lines = row_lines[likelihood - 1]
        middle = grid.y(likelihood) + (_CELL_HEIGHT - _CELL_GAP) / 2
        for number, line in enumerate(lines):
            y = middle + (number - (len(lines) - 1) / 2) * (_AXIS_NAME_SIZE + 2)
            text = html.escape(line, quote=True)
            body.append(f'<text x="{_n(left - 6)}" y="{_n(y)}" dy="0.35em">{text}</text>')
    body.append("</g>")
    body.append(f'<g class="rk-ticks-x" text-anchor="middle" font-size="{_n(_AXIS_NAME_SIZE)}">')
    name_cells = _cells(grid.cell_width - 2, _AXIS_NAME_SIZE)
    for impact in range(1, 6):
        centre = _n(grid.x(impact) + (grid.cell_width - _CELL_GAP) / 2)
        body.append(
            f'<text x="{centre}" y="{_n(grid_bottom + 14)}" font-weight="600">{impact}</text>'
        )
        name = " ".join(clean(heat_map.impact_names[impact - 1]).split("\n"))
        for number, line in enumerate(_two_lines(name, name_cells)):
            below = _n(grid_bottom + 29 + number * (_AXIS_NAME_SIZE + 2))
            body.append(f'<text x="{centre}" y="{below}">{html.escape(line, quote=True)}</text>')
    body.append("</g>")
    across = _n(left + 5 * grid.cell_width / 2)
    body.append(
        f'<text x="{across}" y="{_n(grid_bottom + 62)}" text-anchor="middle" '
        'font-weight="600">impact</text>'
    )
    for cell in heat_map.cells:
        body.extend(_cell(cell, heat_map, grid))
    legend, height = _levels_legend(heat_map, grid_bottom + 70)
    body.extend(legend)
    return "\n".join(
        [*_root(HEAT_WIDTH, height + 6, heat_map.title, heat_map.description), *body, "</svg>"]
    )


def _levels_legend(heat_map: HeatMap, top: float) -> tuple[list[str], float]:
    """Each level's colour, lowest first (in the order the cells meet them from likelihood 1,
    impact 1), wrapped to the width."""
    seen: dict[str, str] = {}
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            cell = heat_map.cell(likelihood, impact)
            seen.setdefault(cell.level, cell.ink)
    size, row_height = TEXT_SIZE, TEXT_SIZE + 9
    parts = [f'<g class="rk-legend" font-size="{_n(size)}">']
    x, y = 10.0, top + row_height / 2
    for level, ink in seen.items():
        text = _fit(" ".join(clean(level).split("\n")), 30)
        width = 14 + 6 + _width(text, size) + 18
        if x > 10.0 and x + width > HEAT_WIDTH - 10:
            x, y = 10.0, y + row_height
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(y - 7)}" width="14" height="14" rx="2" fill="{ink}"/>'
        )
        parts.append(
            f'<text x="{_n(x + 20)}" y="{_n(y)}" dy="0.35em">{html.escape(text, quote=True)}</text>'
        )
        x += width
    parts.append("</g>")
    return parts, y + row_height / 2


def svg(figure: LineChart | HeatMap) -> str:
    """`figure` drawn as an inline `<svg>` element: `line_chart_svg` or `heat_map_svg`."""
    if isinstance(figure, LineChart):
        return line_chart_svg(figure)
    if isinstance(figure, HeatMap):
        return heat_map_svg(figure)
    raise TypeError(f"not a chart: {type(figure).__name__}")
