"""Incidents and near-misses, with their root-cause analysis and actions."""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel

from riskctl.model.common import STRICT, Entity, IncidentId, Rating, Reference, Text


class Why(BaseModel):
    """One link of a five-whys chain, with the evidence that supports it."""

    model_config = STRICT
    why: Text
    evidence: str | None = None
    verified: bool = False


class RootCause(BaseModel):
    """The root cause: a category and the chain of whys that reaches it."""

    model_config = STRICT
    category: str | None = None
    """people, process, technology, monitoring, third-party or environment (configurable)."""
    whys: list[Why] = []


class Action(BaseModel):
    """A corrective or preventive action item from the RCA."""

    model_config = STRICT
    id: Text
    description: Text
    owner: Reference | None = None
    due: datetime.date | None = None
    status: Literal["open", "in-progress", "done", "cancelled"] = "open"
    type: Literal["mitigate", "prevent", "process"] | None = None


class Incident(Entity):
    """An incident or a near-miss, linked to the risks it realised and the controls that failed."""

    id: IncidentId
    """INC-YYYY-NNN, the file name without `.yaml`."""
    kind: Literal["incident", "near-miss"]
    title: Text
    occurred: datetime.date
    detected: datetime.date | None = None
    resolved: datetime.date | None = None
    severity: Rating
    """1-5, 5 the worst: what happened."""
    potential_severity: Rating | None = None
    """1-5: what could have happened had no barrier held."""
    owner: Reference | None = None
    risks: list[Reference] = []
    failed_controls: list[Reference] = []
    barrier_that_held: str | None = None
    """For a near-miss: what stopped it."""
    summary: str | None = None
    impact: str | None = None
    root_cause: RootCause | None = None
    actions: list[Action] = []
    status: Literal["open", "closed"] = "open"
