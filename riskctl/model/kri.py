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
    red: Number


class Observation(BaseModel):
    """One measured value of the indicator."""

    model_config = STRICT
    date: datetime.date
    value: Number


class FirstPoints(BaseModel):
    """A baseline of the first N observations."""

    model_config = STRICT
    first: Annotated[Count, Field(ge=1)]


class DateRange(BaseModel):
    """A baseline of the observations between two dates, inclusive."""

    model_config = STRICT
    from_: datetime.date = Field(alias="from")
    to: datetime.date


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
    risks: list[Reference] = []
    owner: Reference
    unit: Literal["count", "pct", "bps", "currency", "duration", "ratio"] | None = None
    direction: Literal["higher-is-worse", "lower-is-worse"]
    frequency: Literal["daily", "weekly", "monthly", "quarterly"] = "weekly"
    """How often an observation is expected."""
    thresholds: Thresholds
    baseline: Baseline | None = None
    """Locks the XmR limits to these observations."""
    observations: list[Observation] = []
