"""Owners: the people and teams accountable for risks, controls and actions."""

from __future__ import annotations

from riskctl.model.common import Entity, OwnerId, Reference, Text


class Owner(Entity):
    """A person or team accountable for risks, controls, KRIs and actions."""

    id: OwnerId
    """A kebab-case slug, the file name without `.yaml`."""
    name: Text
    """The person's or team's name."""
    team: str | None = None
    """The team the owner belongs to."""
    email: str | None = None
    """Where to reach the owner."""
    escalation: Reference | None = None
    """The owner id to escalate to."""
