"""Day arithmetic that stays inside the calendar Python can represent (0001-01-01 to 9999-12-31).

A register may hold any date, `--now` may be either end of the calendar, and riskctl.yaml's day
counts are bounded but large; `date + timedelta` past either end raises OverflowError. Every
date step in riskctl goes through one of these two functions instead.
"""

from __future__ import annotations

import datetime


def add_days(day: datetime.date, days: int) -> datetime.date:
    """`day` plus `days` (minus when negative), held at the calendar's ends.

    For horizons, windows and due dates: a 30-day notice from 9999-12-15 runs to 9999-12-31,
    a 365-day window before 0001-06-01 starts on 0001-01-01. Comparisons stay right, since no
    date lies beyond either end.
    """
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def shift_days(day: datetime.date, days: int) -> datetime.date | None:
    """`day` plus `days` (minus when negative), or None when that date does not exist.

    For "the same day a week (or a year of weeks) earlier": held at an end, it would name a
    different day, so the caller gets no date and no comparison.
    """
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return None
