"""Launches and their pre-mortems (FMEA failure modes)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from riskctl.model.common import STRICT, Entity, LaunchId, Reference, Text

Rating10 = Annotated[int, Field(ge=1, le=10, strict=True)]


class FailureMode(BaseModel):
    """One way the launch could fail, rated for FMEA (AIAG-VDA 1-10 scales)."""

    model_config = STRICT
    id: Text
    """The failure mode's id within the launch, e.g. FM-01."""
    description: Text
    """How the launch fails, and what it does to users or the business."""
    severity: Rating10
    """1-10, 10 the worst effect."""
    occurrence: Rating10
    """1-10, 10 the most likely."""
    detection: Rating10
    """10 = least detectable."""
    prevention_controls: list[Reference] = []
    """Ids of the controls that keep the failure from happening."""
    detection_controls: list[Reference] = []
    """Ids of the controls that find it when it happens."""
    actions: list[str] = []
    """What the team will do before launch to lower the ratings."""
    justification: str | None = None
    """Why no action is taken, where the action priority asks for one."""
    risk: Reference | None = None
    """The risk the failure mode realises: a risk id among the launch's `risks`."""


class Monitoring(BaseModel):
    """A KRI watched after launch, until a date."""

    model_config = STRICT
    kri: Reference
    """The KRI watched: a KRI id."""
    until: datetime.date
    """The last day of the monitoring window."""
    reviewed: datetime.date | None = None
    """The day the window's outcome was reviewed."""


class Launch(Entity):
    """A product launch examined by a pre-mortem before it ships."""

    id: LaunchId
    """LAUNCH- and 3 or more digits, the file name without `.yaml`."""
    title: Text
    """What is launched, in one line."""
    owner: Reference
    """Who answers for the launch's risks: an owner id."""
    launch_date: datetime.date
    """The day the launch ships (planned or actual)."""
    status: Literal["planned", "launched", "cancelled", "closed"] = "planned"
    """Where the launch stands."""
    description: str | None = None
    """What ships, to whom, and at what scale."""
    risks: list[Reference] = []
    """Ids of the risks the launch creates or raises."""
    failure_modes: list[FailureMode] = []
    """The pre-mortem's failure modes (FMEA)."""
    monitoring: list[Monitoring] = []
    """KRIs watched after launch, each until a date."""
