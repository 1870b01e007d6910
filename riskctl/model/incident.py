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
    """The question and the cause that answers it."""
    evidence: str | None = None
    """Something checkable that supports the link: a log query, ticket, dashboard, commit."""
    verified: bool = False
    """Whether someone confirmed that the evidence supports the link."""


class RootCause(BaseModel):
    """The root cause: a category and the chain of whys that reaches it."""

    model_config = STRICT
    category: str | None = None
    """people, process, technology, monitoring, third-party or environment (configurable)."""
    whys: list[Why] = []
    """The five-whys chain, from the problem to a systemic cause the organisation can change."""


class Action(BaseModel):
    """A corrective or preventive action item from the RCA."""

    model_config = STRICT
    id: Text
    """The action's id within the incident, e.g. A1."""
    description: Text
    """What will be done."""
    owner: Reference | None = None
    """Who does it: an owner id."""
    due: datetime.date | None = None
    """The day it is due."""
    status: Literal["open", "in-progress", "done", "cancelled"] = "open"
    """Where the action stands."""
    completed: datetime.date | None = None
    """The day it was done or cancelled: as of an earlier `--now` it was still in progress."""
    type: Literal["mitigate", "prevent", "process"] | None = None
    """Limits this incident's harm, prevents a recurrence, or changes a process."""


class Incident(Entity):
    """An incident or a near-miss, linked to the risks it realised and the controls that failed."""

    id: IncidentId
    """INC-YYYY-NNN, the file name without `.yaml`."""
    kind: Literal["incident", "near-miss"]
    """An incident caused harm; a near-miss was stopped before it did."""
    title: Text
    """What happened, in one line."""
    status: Literal["open", "closed"] = "open"
    """Closed once the root cause is verified and no action is open."""
    occurred: datetime.date
    """The day it started."""
    detected: datetime.date | None = None
    """The day it was noticed."""
    resolved: datetime.date | None = None
    """The day its harm was stopped."""
    severity: Rating
    """1-5, 5 the worst: what happened."""
    potential_severity: Rating | None = None
    """1-5: what could have happened had no barrier held."""
    owner: Reference | None = None
    """Who leads the response and the RCA: an owner id."""
    risks: list[Reference] = []
    """Ids of the risks the incident realised."""
    failed_controls: list[Reference] = []
    """Ids of the controls that should have stopped or caught it and did not."""
    barrier_that_held: str | None = None
    """For a near-miss: what stopped it."""
    summary: str | None = None
    """What happened, when and how it was found and stopped."""
    impact: str | None = None
    """The harm done: money, users, regulators."""
    root_cause: RootCause | None = None
    """The root-cause analysis."""
    actions: list[Action] = []
    """Corrective and preventive actions from the RCA."""
