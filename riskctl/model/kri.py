"""Key risk indicators: measured signals with thresholds and observations."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Discriminator, Field, Tag

from riskctl.model.common import STRICT, Count, Entity, KriId, Number, Reference, Text


class Thresholds(BaseModel):
    """Amber and red thresholds; reaching a threshold counts as crossing it."""

    model_config = STRICT
    amber: Number
    """The value at which the KRI turns amber (reaching it counts)."""
    red: Number
    """The value at which the KRI turns red; beyond amber in the direction of worse."""


class Observation(BaseModel):
    """One measured value of the indicator."""

    model_config = STRICT
    date: datetime.date
    """The day (or the start of the period) the value was measured."""
    value: Number
    """The measured value, in the KRI's unit."""


class FirstPoints(BaseModel):
    """A baseline of the first N observations."""

    model_config = STRICT
    first: Annotated[Count, Field(ge=1)]
    """How many of the first observations make the baseline."""


class DateRange(BaseModel):
    """A baseline of the observations between two dates, inclusive."""

    model_config = STRICT
    from_: datetime.date = Field(alias="from")
    """The first day of the baseline."""
    to: datetime.date
    """The last day of the baseline."""


def _baseline_kind(value: object) -> str:
    """Pick the baseline form by its keys, so that an error names one form, not both."""
    if isinstance(value, FirstPoints) or (isinstance(value, dict) and "first" in value):
        return "first-points"
    return "date-range"


Baseline = Annotated[
    Annotated[FirstPoints, Tag("first-points")] | Annotated[DateRange, Tag("date-range")],
    Discriminator(_baseline_kind),
]


class Kri(Entity):
    """A key risk indicator."""

    id: KriId
    """KRI- and 3 or more digits, the file name without `.yaml`."""
    title: Text
    """What is measured, in one line."""
    owner: Reference
    """Who measures and answers for the KRI: an owner id."""
    risks: list[Reference] = []
    """Ids of the risks the KRI watches."""
    unit: Literal["count", "pct", "bps", "currency", "duration", "ratio"] | None = None
    """The unit of the values."""
    direction: Literal["higher-is-worse", "lower-is-worse"]
    """Which way is worse."""
    frequency: Literal["daily", "weekly", "monthly", "quarterly"] = "weekly"
    """How often an observation is expected."""
    thresholds: Thresholds
    """Amber and red thresholds."""
    baseline: Baseline | None = None
    """Locks the XmR limits to these observations."""
    observations: list[Observation] = []
    """The measured values, one per date, oldest first."""
