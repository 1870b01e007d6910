"""XmR process-behaviour charts: natural process limits and Wheeler's three detection rules.

Pure functions over a dated series (../shared/reference/xmr.md). The series is in date order;
the caller sorts it (`status.py`) or refuses one out of order (`parse_series_csv`). Everything is
one pass or a fixed-size window over the points, so 100,000 points take well under a second.

Conventions (xmr.md section 2, "recommended riskctl conventions"):
- comparisons are strict: a point exactly on a limit or a mid-line does not count, and a point
  exactly on the centre line belongs to neither side and ends a run;
- each signal names its rule, its side and the dates involved: rule 1 and a moving range above
  the upper range limit one point each (a moving range is attributed to the later of its two
  points); rule 2 the points beyond the mid-line of every qualifying window, overlapping windows
  merged into one signal; rule 3 every point of the run, a longer run being one signal.

Limits come from a baseline (the first N points, or the points between two dates) and are
locked: every later point is judged against them. Without a baseline they come from all points.
Points before a date baseline belong to an earlier process (a re-based series) and are not
judged. Limits are provisional below 20 baseline points and not computed below 6 (xmr.md
section 3, a project convention).
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from riskctl.errors import RiskctlError
from riskctl.kri.values import value_problem

#: Scaling factors for individual values and moving ranges of two (Wheeler, "Understanding
#: Variation", 2nd ed.; xmr.md section 1): 2.66 = 3 / d2 with d2 = 1.128; D4 = 3.268.
NATURAL_LIMIT_FACTOR = 2.66
MIDLINE_FACTOR = 1.33  # half of 2.66: the mid-lines sit halfway between centre and each limit
UPPER_RANGE_FACTOR = 3.268

#: Fewer baseline points than this give no limits; fewer than STABLE_POINTS give provisional
#: ones (xmr.md section 3: a project convention; xmrit recommends locking at about 20).
MIN_POINTS = 6
STABLE_POINTS = 20
RUN_LENGTH = 8
"""Rule 3: this many successive points on one side of the centre line."""
WINDOW, BEYOND_IN_WINDOW = 4, 3
"""Rule 2: three of four successive points beyond the same mid-line."""

Rule = Literal["rule-1", "rule-2", "rule-3", "moving-range"]
Side = Literal["above", "below"]

RULES: tuple[Rule, ...] = ("rule-1", "rule-2", "rule-3", "moving-range")
"""Signal names; signals with the same first date sort in this order."""


@dataclass(frozen=True)
class FirstPoints:
    """A baseline of the first `first` points."""

    first: int


@dataclass(frozen=True)
class DateSpan:
    """A baseline of the points dated from `start` to `end`, both inclusive."""

    start: datetime.date
    end: datetime.date


Baseline = FirstPoints | DateSpan


@dataclass(frozen=True)
class Limits:
    """Centre line, natural process limits, upper range limit and mid-lines of an XmR chart."""

    centre: float
    mean_moving_range: float
    unpl: float
    lnpl: float
    url: float
    upper_midline: float
    lower_midline: float


@dataclass(frozen=True)
class Signal:
    """One detected signal: the rule, the side of the centre line, the dates involved."""

    rule: Rule
    side: Side
    dates: tuple[datetime.date, ...]


@dataclass(frozen=True)
class XmrAnalysis:
    """Limits and signals of a series, or a note saying why there are no limits."""

    points: int
    """How many points were judged (a date baseline leaves out the points before it)."""
    baseline: Baseline | None
    """The baseline as asked for; None for limits from all points."""
    baseline_points: int
    """How many points the limits come from."""
    baseline_dates: tuple[datetime.date, datetime.date] | None
    """The first and last date of the points the limits come from."""
    limits: Limits | None
    provisional: bool | None
    """Limits from fewer than 20 points; None without limits."""
    signals: tuple[Signal, ...]
    note: str | None
    """Why there are no limits, or that a baseline is not complete yet."""


def compute_limits(values: Sequence[float], *, floor_at_zero: bool = False) -> Limits:
    """The XmR limits of `values` (at least two), per xmr.md section 1.

    With `floor_at_zero` (counts and non-negative rates), the lower limit and the lower mid-line
    are floored at 0 (xmr.md section 3): lower mid-line max(0, X̄ - 1.33·mR̄).
    """
    count = len(values)
    if count < 2:
        raise ValueError("XmR limits need at least two values")
    # Centre line X̄ = mean(x); average moving range mR̄ = mean(|xᵢ - xᵢ₋₁|) over n - 1 ranges
    # (Wheeler, "Understanding Variation"; xmr.md section 1).
    centre = _total(values) / count
    moving_ranges = [abs(values[index] - values[index - 1]) for index in range(1, count)]
    mean_moving_range = _total(moving_ranges) / (count - 1)
    # Natural process limits X̄ ± 2.66·mR̄; upper range limit 3.268·mR̄; mid-lines X̄ ± 1.33·mR̄
    # (Wheeler, "Understanding Variation", 2nd ed.; xmr.md section 1).
    spread = NATURAL_LIMIT_FACTOR * mean_moving_range
    half = MIDLINE_FACTOR * mean_moving_range
    lnpl, lower_midline = centre - spread, centre - half
    if floor_at_zero:
        lnpl, lower_midline = max(0.0, lnpl), max(0.0, lower_midline)
    return Limits(
        centre=centre,
        mean_moving_range=mean_moving_range,
        unpl=centre + spread,
        lnpl=lnpl,
        url=UPPER_RANGE_FACTOR * mean_moving_range,
        upper_midline=centre + half,
        lower_midline=lower_midline,
    )


def _total(values: Sequence[float]) -> float:
    """The sum, correctly rounded (fsum, so the order of the points cannot change a limit).

    Values near the float maximum overflow fsum's intermediate sums; the plain sum then gives
    the infinity that the limits would be anyway.
    """
    try:
        return math.fsum(values)
    except OverflowError:
        return sum(values)


def describe_baseline(baseline: Baseline | None) -> str:
    """`first 20 points`, `2026-06-15 to 2026-10-26`, or `all points`, for notes and tables."""
    if isinstance(baseline, FirstPoints):
        return f"first {baseline.first} point{'s' if baseline.first != 1 else ''}"
    if isinstance(baseline, DateSpan):
        return f"{baseline.start} to {baseline.end}"
    return "all points"


def _baseline_span(dates: Sequence[datetime.date], baseline: Baseline | None) -> tuple[int, int]:
    """The baseline's points as a slice [start, stop) of the series (dates in order)."""
    if isinstance(baseline, FirstPoints):
        return 0, min(baseline.first, len(dates))
    if isinstance(baseline, DateSpan):
        return bisect_left(dates, baseline.start), bisect_right(dates, baseline.end)
    return 0, len(dates)


def analyse(
    dates: Sequence[datetime.date],
    values: Sequence[float],
    baseline: Baseline | None = None,
    *,
    floor_at_zero: bool = False,
) -> XmrAnalysis:
    """Limits from the baseline (or all points), and every signal of the points judged."""
    if len(dates) != len(values):
        raise ValueError("dates and values differ in length")
    start, stop = _baseline_span(dates, baseline)
    size = stop - start
    judged = len(dates) - start
    if size < MIN_POINTS:
        where = f" in the baseline ({describe_baseline(baseline)})" if baseline else ""
        return XmrAnalysis(
            points=judged,
            baseline=baseline,
            baseline_points=size,
            baseline_dates=(dates[start], dates[stop - 1]) if size else None,
            limits=None,
            provisional=None,
            signals=(),
            note=f"{size} point{'s' if size != 1 else ''}{where}: "
            f"XmR limits need at least {MIN_POINTS}",
        )
    limits = compute_limits(values[start:stop], floor_at_zero=floor_at_zero)
    series_dates, series_values = dates[start:], values[start:]
    signals = [
        *_outside_limits(series_dates, series_values, limits),
        *_moving_ranges_above_url(series_dates, series_values, limits.url),
        *_three_of_four(series_dates, series_values, lambda v: v > limits.upper_midline, "above"),
        *_three_of_four(series_dates, series_values, lambda v: v < limits.lower_midline, "below"),
        *_runs(series_dates, series_values, limits.centre),
    ]
    signals.sort(key=lambda signal: (signal.dates[0], RULES.index(signal.rule), signal.side))
    note = None
    if isinstance(baseline, FirstPoints) and size < baseline.first:
        note = f"the baseline has {size} of its {baseline.first} points so far"
    return XmrAnalysis(
        points=judged,
        baseline=baseline,
        baseline_points=size,
        baseline_dates=(dates[start], dates[stop - 1]),
        limits=limits,
        provisional=size < STABLE_POINTS,
        signals=tuple(signals),
        note=note,
    )


def _outside_limits(
    dates: Sequence[datetime.date], values: Sequence[float], limits: Limits
) -> list[Signal]:
    """Rule 1: each point strictly above UNPL or below LNPL, one signal per point."""
    signals = []
    for date, value in zip(dates, values, strict=True):
        if value > limits.unpl:
            signals.append(Signal("rule-1", "above", (date,)))
        elif value < limits.lnpl:
            signals.append(Signal("rule-1", "below", (date,)))
    return signals


def _moving_ranges_above_url(
    dates: Sequence[datetime.date], values: Sequence[float], url: float
) -> list[Signal]:
    """Rule 1 on the mR chart: a moving range strictly above URL, at the later of its points."""
    return [
        Signal("moving-range", "above", (dates[index],))
        for index in range(1, len(values))
        if abs(values[index] - values[index - 1]) > url
    ]


def _three_of_four(
    dates: Sequence[datetime.date],
    values: Sequence[float],
    is_beyond: Callable[[float], bool],
    side: Side,
) -> list[Signal]:
    """Rule 2 on one side: windows of four with three or more points beyond the mid-line.

    Overlapping qualifying windows merge into one signal naming the points beyond the mid-line
    in their union. The window count is updated as the window slides: one pass.
    """
    beyond = [is_beyond(value) for value in values]
    signals: list[Signal] = []
    group: list[int] = []  # [first, last] index of the merged windows

    def close() -> None:
        if group:
            first, last = group
            chosen = tuple(dates[i] for i in range(first, last + 1) if beyond[i])
            signals.append(Signal("rule-2", side, chosen))
            group.clear()

    count = sum(beyond[: WINDOW - 1])
    for first in range(len(values) - WINDOW + 1):
        last = first + WINDOW - 1
        count += beyond[last]
        if count >= BEYOND_IN_WINDOW:
            if group and first <= group[1]:
                group[1] = last
            else:
                close()
                group.extend((first, last))
        count -= beyond[first]
    close()
    return signals


def _runs(dates: Sequence[datetime.date], values: Sequence[float], centre: float) -> list[Signal]:
    """Rule 3: each maximal run of eight or more points on one side of the centre line."""
    signals = []
    run_start, run_side = 0, 0  # run_side: 1 above, -1 below, 0 on the centre line
    for index in range(len(values) + 1):
        value = values[index] if index < len(values) else centre  # a sentinel ends the last run
        side = (value > centre) - (value < centre)
        if side != run_side:  # a point on the centre line (side 0) ends a run too
            if run_side and index - run_start >= RUN_LENGTH:
                run_dates = tuple(dates[run_start:index])
                signals.append(Signal("rule-3", "above" if run_side > 0 else "below", run_dates))
            run_start, run_side = index, side
    return signals


def _rows(reader: Iterator[list[str]], source: str) -> Iterator[list[str]]:
    """The reader's rows; a CSV error (a field past the csv module's size limit, a quote left
    open) is a `RiskctlError` naming `source` and the line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = getattr(reader, "line_num", "?")
            raise RiskctlError(f"{source}:{line}: not a CSV row: {error}") from None
        yield row


def parse_series_csv(text: str, source: str) -> tuple[list[datetime.date], list[float]]:
    """A `date,value` CSV (a header row, ISO dates in increasing order) as dates and values.

    Blank lines are skipped. A malformed row is a `RiskctlError` naming `source` and its line.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    dates: list[datetime.date] = []
    values: list[float] = []
    header_seen = False
    previous_line = 0
    for row in _rows(reader, source):
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if not header_seen:
            if [cell.strip().lower() for cell in row] != ["date", "value"]:
                raise RiskctlError(
                    f"{source}:{line}: expected the header row `date,value`, "
                    f"found {','.join(row)!r}"
                )
            header_seen = True
            continue
        if len(row) != 2:
            raise RiskctlError(
                f"{source}:{line}: expected 2 columns (date,value), found {len(row)}"
            )
        date = _parse_date(row[0].strip(), source, line)
        value = _parse_value(row[1].strip(), source, line)
        if dates and date <= dates[-1]:
            raise RiskctlError(
                f"{source}:{line}: date {date} is not after {dates[-1]} on line {previous_line}; "
                "the series must be in increasing date order, one value per date"
            )
        dates.append(date)
        values.append(value)
        previous_line = line
    if not header_seen:
        raise RiskctlError(f"{source}: empty file; expected the header row `date,value`")
    return dates, values


def _parse_date(text: str, source: str, line: int) -> datetime.date:
    """A YYYY-MM-DD date, or an error naming the line."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise RiskctlError(f"{source}:{line}: {text!r} is not a date: use YYYY-MM-DD")


def _parse_value(text: str, source: str, line: int) -> float:
    """A finite number within 10^15 of 0 (as in the register), or an error naming the line.

    The bound keeps the limits finite: mean +- 2.66 x the average moving range of values near
    the float maximum (1e308) would overflow to infinity.
    """
    problem = value_problem(text)
    if problem is not None:
        raise RiskctlError(f"{source}:{line}: {problem}")
    return float(text)
