"""KRI status at a date: threshold band, XmR analysis, week-over-week and year-over-year deltas.

The register is frozen at `today`: observations dated after it are ignored everywhere. Bands
follow wbr.md section 4 (reaching a threshold counts as crossing it); deltas follow wbr.md
section 2 (rates move in basis points, volumes in percent).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from riskctl.errors import RiskctlError
from riskctl.kri.xmr import Baseline, DateSpan, FirstPoints, XmrAnalysis, analyse
from riskctl.model.days import add_days, shift_days
from riskctl.model.kri import DateRange, Kri, Observation, Thresholds
from riskctl.model.kri import FirstPoints as FirstPointsModel
from riskctl.model.register import Register
from riskctl.model.risk import Risk

Band = Literal["green", "amber", "red"]
Direction = Literal["higher-is-worse", "lower-is-worse"]

#: Units whose values cannot be negative: the XmR lower limit is floored at 0 (xmr.md section 3).
FLOORED_UNITS = frozenset({"count", "pct", "bps", "ratio"})

#: How a change in each unit is expressed (wbr.md section 2, "Percent or basis points"): rates
#: in basis points, by their storage convention (pct: percent numbers, 1.5 = 1.5 %, so one unit
#: is 100 bps; ratio: fractions, 0.015, so one unit is 10,000 bps; bps: already bps); volumes
#: (counts, amounts, durations, and a KRI without a unit) in percent.
BPS_PER_UNIT: dict[str | None, int] = {"pct": 100, "ratio": 10_000, "bps": 1}

WEEK_DAYS = 7
#: Year over year compares with the same week 52 x 7 = 364 days earlier, weekdays aligned (wbr.md
#: section 2, wbr-app `wbr.py`).
YEAR_OF_WEEKS_DAYS = 364


@dataclass(frozen=True)
class Delta:
    """A period-over-period change: `change` in `unit` ("bps" or "%"), unrounded."""

    change: float
    unit: Literal["bps", "%"]


@dataclass(frozen=True)
class KriStatus:
    """Everything `riskctl kri status` shows for one KRI at a date."""

    kri: Kri
    latest: Observation | None
    """The latest observation on or before the date; None when there is none."""
    band: Band | None
    xmr: XmrAnalysis
    wow: Delta | None
    yoy: Delta | None


def band(value: float, thresholds: Thresholds, direction: Direction) -> Band:
    """Green, amber or red: reaching a threshold counts as crossing it (wbr.md section 4).

    higher-is-worse: red when value ≥ red, amber when value ≥ amber; lower-is-worse mirrored.
    Red is checked first, so inconsistent thresholds (RK503) still give one answer.
    """
    if direction == "higher-is-worse":
        if value >= thresholds.red:
            return "red"
        return "amber" if value >= thresholds.amber else "green"
    if value <= thresholds.red:
        return "red"
    return "amber" if value <= thresholds.amber else "green"


def delta(current: float, previous: float, unit: str | None) -> Delta | None:
    """The change from `previous` to `current` in bps (rates) or percent (volumes).

    wbr.md section 2: a rate moves by (CY - PY) x bps-per-unit, computed on the decimal values
    as written, so 1.20 → 1.35 pct is exactly +15 bps, not 15.000000000000014; a volume by
    (CY / PY - 1) x 100 %, null when PY is 0 (not ±∞).
    """
    if unit in BPS_PER_UNIT:
        difference = Decimal(repr(current)) - Decimal(repr(previous))
        return Delta(float(difference * BPS_PER_UNIT[unit]), "bps")
    if previous == 0:
        return None
    change = (current / previous - 1) * 100
    # Register numbers are within 10^15 of 0 (model.common.Number), but a PY near 0 (1e-300)
    # still makes the ratio overflow to infinity: like PY = 0, such a change has no value.
    return Delta(change, "%") if math.isfinite(change) else None


def observations_until(kri: Kri, today: datetime.date) -> list[Observation]:
    """The KRI's observations dated on or before `today`, in date order (file order on a tie).

    Every value is a finite number within 10^15 of 0: the model refuses `.nan`, `.inf` and
    1e308 (RK007 at the value), so no observation is left out here without a finding.
    """
    return sorted(
        (each for each in kri.observations if each.date <= today), key=lambda each: each.date
    )


def latest_observation(kri: Kri, today: datetime.date) -> Observation | None:
    """The last observation dated on or before `today` (the last in the file on a tie): the
    last of `observations_until`, found in one pass without sorting."""
    latest = None
    for each in kri.observations:
        if each.date <= today and (latest is None or each.date >= latest.date):
            latest = each
    return latest


def xmr_baseline(kri: Kri) -> Baseline | None:
    """The KRI's `baseline` as the XmR core's baseline."""
    if isinstance(kri.baseline, FirstPointsModel):
        return FirstPoints(kri.baseline.first)
    if isinstance(kri.baseline, DateRange):
        return DateSpan(kri.baseline.from_, kri.baseline.to)
    return None


def kri_status(kri: Kri, today: datetime.date) -> KriStatus:
    """The KRI's band, XmR analysis and deltas from its observations up to `today`."""
    observations = observations_until(kri, today)
    xmr = analyse(
        [each.date for each in observations],
        [each.value for each in observations],
        xmr_baseline(kri),
        floor_at_zero=kri.unit in FLOORED_UNITS,
    )
    if not observations:
        return KriStatus(kri, None, None, xmr, None, None)
    latest = observations[-1]
    value_on = {each.date: each.value for each in observations}  # the last one wins a tie

    def change_since(days: int) -> Delta | None:
        earlier = shift_days(latest.date, -days)  # None in the first days of 0001
        previous = value_on.get(earlier) if earlier is not None else None
        return None if previous is None else delta(latest.value, previous, kri.unit)

    return KriStatus(
        kri=kri,
        latest=latest,
        band=band(latest.value, kri.thresholds, kri.direction),
        xmr=xmr,
        wow=change_since(WEEK_DAYS),
        yoy=change_since(YEAR_OF_WEEKS_DAYS),
    )


def register_status(
    register: Register, today: datetime.date, ids: Sequence[str] = ()
) -> list[KriStatus]:
    """The status of every KRI, or of the KRIs in `ids`, in id order; an unknown id is an error."""
    kris = register.by_id(Kri)
    unknown = sorted(set(ids) - set(kris))
    if unknown:
        known = ", ".join(sorted(kris)) or "none"
        raise RiskctlError(
            f"no KRI {', '.join(repr(each) for each in unknown)} in the register; KRIs: {known}"
        )
    chosen = sorted(set(ids)) if ids else sorted(kris)
    return [kri_status(kris[kri_id], today) for kri_id in chosen]


def watched_risks(kri: Kri, risks: Iterable[Risk]) -> set[str]:
    """The ids of the risks a KRI watches: those in its `risks`, and those naming it in `kris`.

    For every KRI of a register, `watchers` lists the risks once instead of once per KRI.
    """
    return set(kri.risks) | {risk.id for risk in risks if kri.id in risk.kris}


def watchers(risks: Iterable[Risk]) -> dict[str, set[str]]:
    """KRI id → the ids of the risks naming it in `kris`: with the KRI's own `risks`, the risks
    it watches (`watched_risks`)."""
    named: dict[str, set[str]] = {}
    for risk in risks:
        for kri_id in risk.kris:
            named.setdefault(kri_id, set()).add(risk.id)
    return named


# --- the next observation (lint RK502 and `riskctl due`) ------------------------------------

#: Days between two expected observations, by the KRI's `frequency` (a month is at most 31
#: days, a quarter at most 92).
PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92}


@dataclass(frozen=True)
class ObservationDue:
    """When a KRI's next observation is due: the latest one's date plus period plus grace."""

    latest: Observation | None
    """The latest observation on or before the day asked about; None: there is none (due now)."""
    period: int
    """Days between two expected observations, by `frequency`."""
    due: datetime.date | None
    """The last day the next observation may arrive; None when there is no latest one."""


def observation_due(kri: Kri, today: datetime.date, grace_days: int) -> ObservationDue:
    """When the next observation is due, as of `today`: the one computation behind lint RK502
    (missing when today is after `due`, or when there is no observation) and `riskctl due`."""
    period = PERIOD_DAYS[kri.frequency]
    latest = latest_observation(kri, today)
    due = add_days(latest.date, period + grace_days) if latest is not None else None
    return ObservationDue(latest, period, due)
