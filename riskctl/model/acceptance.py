"""Acceptances: time-limited decisions to retain a risk above appetite."""

from __future__ import annotations

import datetime

from riskctl.model.common import AcceptanceId, Entity, LikelihoodImpact, Reference, Text


class Acceptance(Entity):
    """A decision by an approver to retain a risk as assessed, until it expires."""

    id: AcceptanceId
    """ACC- and 3 or more digits, the file name without `.yaml`."""
    risk: Reference
    """The risk retained: a risk id."""
    approver: Reference
    """The owner id of whoever accepted the risk."""
    decided: datetime.date
    """The day the approver accepted the risk."""
    expires: datetime.date | None = None
    """The last day the acceptance holds; every acceptance needs one (RK402)."""
    rationale: Text
    """Why the risk is retained above appetite, and what would end the acceptance."""
    residual_at_decision: LikelihoodImpact | None = None
    """The residual likelihood and impact the approver saw."""
