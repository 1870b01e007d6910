"""Controls: what the organisation does to reduce a risk, and the evidence it works."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from riskctl.model.common import STRICT, ControlId, Count, Entity, NonNegative, Reference, Text

Effectiveness = Literal["effective", "partially-effective", "ineffective", "not-tested"]
Frequency = Literal[
    "continuous",
    "multiple-daily",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "annual",
    "event-driven",
]


class EffectivenessRating(BaseModel):
    """Design and operating effectiveness, each from its latest test (PCAOB AS 2201)."""

    model_config = STRICT
    design: Effectiveness = "not-tested"
    """Would the control, performed as described, meet its objective?"""
    operating: Effectiveness = "not-tested"
    """Did it operate as designed throughout the period?"""


class ControlTest(BaseModel):
    """One test of design or operating effectiveness, as recorded by the tester."""

    model_config = STRICT
    date: datetime.date
    type: Literal["design", "operating"]
    procedure: Literal["inquiry", "observation", "inspection", "reperformance"] | None = None
    sample_size: Annotated[Count, Field(ge=1)] | None = None
    """Items inspected; compared with the convention for the control's frequency."""
    exceptions: Count | None = None
    result: Literal["pass", "fail", "inconclusive"]
    tester: str | None = None


class Control(Entity):
    """A control in the Risk Control Matrix."""

    id: ControlId
    """C- and 3 or more digits, the file name without `.yaml`."""
    title: Text
    objective: str | None = None
    owner: Reference
    key: Annotated[bool, Field(strict=True)] = False
    """A key control is relied on to address the risk and is tested for reliance."""
    nature: Literal["preventive", "detective", "corrective"]
    automation: Literal["manual", "automated", "it-dependent-manual"] | None = None
    frequency: Frequency | None = None
    status: Literal["planned", "active", "degraded", "retired"] = "active"
    reduces: Literal["likelihood", "impact", "both"] | None = None
    """Which dimension of the risk the control brings down."""
    effectiveness: EffectivenessRating = EffectivenessRating()
    assertions: list[str] = []
    evidence: str | None = None
    annual_cost: NonNegative | None = None
    tests: list[ControlTest] = []
