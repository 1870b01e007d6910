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
    description: Text
    severity: Rating10
    occurrence: Rating10
    detection: Rating10
    """10 = least detectable."""
    prevention_controls: list[Reference] = []
    detection_controls: list[Reference] = []
    actions: list[str] = []
    justification: str | None = None
    """Why no action is taken, where the action priority asks for one."""
    risk: Reference | None = None


class Monitoring(BaseModel):
    """A KRI watched after launch, until a date."""

    model_config = STRICT
    kri: Reference
    until: datetime.date
    reviewed: datetime.date | None = None


class Launch(Entity):
    """A product launch examined by a pre-mortem before it ships."""

    id: LaunchId
    """LAUNCH- and 3 or more digits, the file name without `.yaml`."""
    title: Text
    owner: Reference
    launch_date: datetime.date
    description: str | None = None
    risks: list[Reference] = []
    failure_modes: list[FailureMode] = []
    monitoring: list[Monitoring] = []
    status: Literal["planned", "launched", "cancelled", "closed"] = "planned"
