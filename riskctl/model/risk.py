"""Risks: what could go wrong, how bad it is before controls, and what mitigates it."""

from __future__ import annotations

import datetime
from typing import Literal

from riskctl.model.common import (
    Entity,
    LikelihoodImpact,
    Reference,
    RiskId,
    Text,
)
from riskctl.model.quant import Quant


class Risk(Entity):
    """A risk: an event that could harm the business, assessed before and after controls."""

    id: RiskId
    """R- and 3 or more digits, the file name without `.yaml`."""
    title: Text
    """What could go wrong, in one line."""
    description: str | None = None
    """The event, its causes and its consequences."""
    category: Reference
    """A category id from `riskctl.yaml`."""
    owner: Reference
    """The accountable owner's id."""
    process: str | None = None
    """The business process the risk sits in (an RCM column)."""
    status: Literal["open", "closed"] = "open"
    """A closed risk is no longer scored or reviewed."""
    inherent: LikelihoodImpact
    """Likelihood and impact before any control, assessed by the analyst."""
    residual: LikelihoodImpact | None = None
    """An analyst's override of the computed residual; needs `override_reason`."""
    override_reason: str | None = None
    """Why the analyst overrides the computed residual."""
    target: LikelihoodImpact | None = None
    """Where the analyst means the risk to end up."""
    controls: list[Reference] = []
    """Ids of the controls that mitigate this risk."""
    treatment: Literal["mitigate", "accept", "transfer", "avoid"] | None = None
    """The treatment plan: reduce it with controls, retain it (needs an acceptance), share
    it, or stop the activity."""
    reviewed: datetime.date | None = None
    """When the risk was last reviewed; with the residual level it sets the next review."""
    kris: list[Reference] = []
    """Ids of the KRIs that watch this risk."""
    tags: list[str] = []
    """Free labels for filtering."""
    quant: Quant | None = None
    """Inputs for loss quantification (`riskctl quant`)."""
