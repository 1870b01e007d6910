"""Controls: what the organisation does to reduce a risk, and the evidence it works."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from riskctl.model.common import STRICT, ControlId, Count, Entity, NonNegative, Reference, Text
from riskctl.model.framework import Mapping

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
    """The day the test was performed."""
    type: Literal["design", "operating"]
    """A test of design (would it work?) or of operating effectiveness (did it work?)."""
    procedure: Literal["inquiry", "observation", "inspection", "reperformance"] | None = None
    """How the tester gathered evidence, from least to most persuasive."""
    sample_size: Annotated[Count, Field(ge=1)] | None = None
    """Items inspected; compared with the convention for the control's frequency."""
    exceptions: Count | None = None
    """Items of the sample where the control did not operate as designed."""
    result: Literal["pass", "fail", "inconclusive"]
    """The tester's conclusion."""
    tester: str | None = None
    """Who performed the test (name and team)."""


class Control(Entity):
    """A control in the Risk Control Matrix."""

    id: ControlId
    """C- and 3 or more digits, the file name without `.yaml`."""
    title: Text
    """What the control does, in one line."""
    objective: str | None = None
    """What the control must achieve (an RCM column)."""
    owner: Reference
    """Who performs the control: an owner id."""
    key: Annotated[bool, Field(strict=True)] = False
    """A key control is relied on to address the risk and is tested for reliance."""
    nature: Literal["preventive", "detective", "corrective"]
    """Stops the event, finds it afterwards, or restores the position after it."""
    automation: Literal["manual", "automated", "it-dependent-manual"] | None = None
    """Performed by a person, by a system, or by a person acting on system output."""
    frequency: Frequency | None = None
    """How often the control operates."""
    status: Literal["planned", "active", "degraded", "retired"] = "active"
    """Only active controls earn full credit; planned ones count in the projected tier."""
    reduces: Literal["likelihood", "impact", "both"] | None = None
    """Which dimension of the risk the control brings down."""
    effectiveness: EffectivenessRating = EffectivenessRating()
    """Design and operating effectiveness, each as its latest test found it."""
    assertions: list[str] = []
    """The assertions the control supports, e.g. completeness, accuracy (optional)."""
    evidence: str | None = None
    """What a performance of the control leaves behind for a tester to inspect."""
    annual_cost: NonNegative | None = None
    """What the control costs a year, in the register's currency."""
    tests: list[ControlTest] = []
    """Tests of design and operating effectiveness, oldest first."""
    maps_to: list[Mapping] = []
    """The framework requirements the control meets, `FRAMEWORK:REQUIREMENT`, e.g.
    `nist-csf-2.0:PR.AA-05` (`riskctl coverage`)."""
