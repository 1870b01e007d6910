"""Review periods and the value of a KRI in each: ISO weeks, calendar months, month-ends.

A KRI observation is a level read at a date (a rate, a count per week, a recall), so a period's
value is its **last observation** (wbr.md section 2, aggf `last`): the reading the period ended
at. A period in progress (the one holding `--now`) is cut at `--now`, so its value is the latest
reading so far, never a partial sum; `kri status` judges the same latest reading. A period with
no observation has no value (None), never a carried-forward one.

Prior periods follow wbr.md section 2: a week compares with the week 364 days (52 x 7) earlier,
weekdays aligned; a month with the same calendar month a year earlier, cut at the same day.
"""

from __future__ import annotations

import calendar
import datetime
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from riskctl.errors import RiskctlError
from riskctl.model.days import add_days, shift_days
from riskctl.model.kri import Observation

#: wbr.md section 2: year over year for a week is 52 x 7 days earlier, weekdays aligned.
YEAR_OF_WEEKS = datetime.timedelta(days=364)
WEEK = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Period:
    """A labelled span of days, both ends included."""

    label: str
    first: datetime.date
    last: datetime.date


def _days_before(day: datetime.date, days: int) -> datetime.date:
    """`days` days before `day`; a period that starts before the calendar does is an error."""
    earlier = shift_days(day, -days)
    if earlier is None:
        raise _too_early()
    return earlier


def _too_early() -> RiskctlError:
    return RiskctlError(
        "the report's periods (and the same periods a year earlier) reach back to before "
        "0001-01-01, the first date riskctl can compute; use a later --now"
    )


def weeks_to(today: datetime.date, count: int) -> list[Period]:
    """The `count` ISO weeks (Monday to Sunday) up to the one holding `today`, cut at `today`."""
    monday = _days_before(today, today.weekday())
    weeks = []
    for back in range(count - 1, -1, -1):
        first = _days_before(monday, back * WEEK.days)
        last = min(add_days(first, 6), today)  # the week of 9999-12-31 ends with the calendar
        weeks.append(Period(f"W{first.isocalendar().week:02d}", first, last))
    return weeks


def year_before_week(week: Period) -> Period:
    """The same week 364 days earlier (wbr.md section 2)."""
    days = YEAR_OF_WEEKS.days
    return Period(week.label, _days_before(week.first, days), _days_before(week.last, days))


def month_end(year: int, month: int) -> datetime.date:
    """The last day of a month."""
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def shift_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later (earlier when negative), clamped to the
    month's last day (31 March - 1 month = 28 or 29 February)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    if year < datetime.MINYEAR:
        raise _too_early()
    if year > datetime.MAXYEAR:
        raise RiskctlError(f"{months} months after {day} is beyond 9999-12-31")
    month = month_index + 1
    return datetime.date(year, month, min(day.day, month_end(year, month).day))


def months_to(today: datetime.date, count: int) -> list[Period]:
    """The `count` calendar months up to the one holding `today`, the last cut at `today`."""
    months = []
    for back in range(count - 1, -1, -1):
        first = shift_months(today.replace(day=1), -back)
        last = min(month_end(first.year, first.month), today)
        months.append(Period(f"{first:%Y-%m}", first, last))
    return months


def year_before_month(month: Period) -> Period:
    """The same calendar month a year earlier, cut at the same day (wbr.md section 2)."""
    return Period(month.label, shift_months(month.first, -12), shift_months(month.last, -12))


def month_ends_before(today: datetime.date, count: int) -> list[datetime.date]:
    """The last days of the `count` months before the month holding `today`, oldest first."""
    first_of_month = today.replace(day=1)
    ends = []
    for back in range(count, 0, -1):
        start = shift_months(first_of_month, -back)
        ends.append(month_end(start.year, start.month))
    return ends


def last_observation(observations: Sequence[Observation], period: Period) -> Observation | None:
    """The last observation dated in the period (`observations` in date order), or None.

    On a date with two observations the later in the file wins, as in `kri status`.
    """
    dates = [each.date for each in observations]
    end = bisect_right(dates, period.last)
    if end and observations[end - 1].date >= period.first:
        return observations[end - 1]
    return None


def last_value(observations: Sequence[Observation], period: Period) -> float | None:
    """The value of `last_observation`, or None."""
    found = last_observation(observations, period)
    return None if found is None else found.value
