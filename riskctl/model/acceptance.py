"""Acceptances: time-limited decisions to retain a risk above appetite."""

from __future__ import annotations

import datetime

from riskctl.model.common import AcceptanceId, Entity, LikelihoodImpact, Reference, Text


class Acceptance(Entity):
    """A decision by an approver to retain a risk as assessed, until it expires."""

    id: AcceptanceId
    """ACC- and 3 or more digits, the file name without `.yaml`."""
    risk: Reference
    approver: Reference
    """The owner id of whoever accepted the risk."""
    decided: datetime.date
    expires: datetime.date | None = None
    rationale: Text
    residual_at_decision: LikelihoodImpact | None = None
    """The residual likelihood and impact the approver saw."""
