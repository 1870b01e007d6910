"""`riskctl incidents`: incidents and near-misses counted per risk and per root-cause category.

Near-misses are a leading indicator (rca.md section 6): the near-miss-to-incident ratio per
risk is near-misses ÷ incidents, and a change in it means better reporting or weaker barriers.
Counting is pure: the caller passes the window (`since`, `now`) and the register.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from riskctl.model.incident import Action, Incident
from riskctl.model.register import Register

#: The category of an incident without a root cause or without a `category`.
UNKNOWN_CATEGORY = "unknown"
#: Action statuses that still need work (rca.md section 5): everything but done and cancelled.
UNFINISHED = ("open", "in-progress")


def is_unfinished(action: Action) -> bool:
    """Whether an action still needs work (open or in-progress)."""
    return action.status in UNFINISHED


def is_overdue(action: Action, today: datetime.date) -> bool:
    """An unfinished action whose due date is before today (due today is not overdue)."""
    return is_unfinished(action) and action.due is not None and action.due < today


@dataclass(frozen=True)
class Counts:
    """How many incidents and near-misses, and their ratio."""

    incidents: int
    near_misses: int

    @property
    def total(self) -> int:
        """Incidents and near-misses together."""
        return self.incidents + self.near_misses

    @property
    def ratio(self) -> float | None:
        """Near-misses ÷ incidents; None when there is no incident (the ratio is undefined)."""
        return self.near_misses / self.incidents if self.incidents else None


@dataclass(frozen=True)
class Group:
    """The counts of one risk id or one root-cause category."""

    key: str
    counts: Counts


@dataclass(frozen=True)
class IncidentSummary:
    """The counts of every incident and near-miss that occurred in a window."""

    since: datetime.date | None
    """The first day counted; None counts from the earliest."""
    now: datetime.date
    """The last day counted."""
    totals: Counts
    by_risk: tuple[Group, ...]
    """One row per risk named by a counted incident, most incidents and near-misses first."""
    by_root_cause: tuple[Group, ...]
    """One row per root-cause category, most first; no category counts as `unknown`."""


def in_window(incident: Incident, now: datetime.date, since: datetime.date | None = None) -> bool:
    """Whether the incident occurred on or after `since` (if given) and on or before `now`."""
    return incident.occurred <= now and (since is None or incident.occurred >= since)


def root_cause_category(incident: Incident) -> str:
    """The incident's root-cause category, or `unknown`."""
    category = incident.root_cause.category if incident.root_cause else None
    return category.strip() if category and category.strip() else UNKNOWN_CATEGORY


def count(incidents: Iterable[Incident]) -> Counts:
    """How many of the incidents are incidents and how many near-misses."""
    kinds = [incident.kind for incident in incidents]
    return Counts(kinds.count("incident"), kinds.count("near-miss"))


def _groups(members: dict[str, list[Incident]]) -> tuple[Group, ...]:
    """Counted groups, sorted by total, then incidents (both descending), then key."""
    groups = [Group(key, count(incidents)) for key, incidents in members.items()]
    return tuple(
        sorted(groups, key=lambda group: (-group.counts.total, -group.counts.incidents, group.key))
    )


def summarise(
    register: Register, now: datetime.date, since: datetime.date | None = None
) -> IncidentSummary:
    """Count the register's incidents and near-misses that occurred in [since, now].

    An incident naming several risks counts once for each (and once for a risk named twice);
    one naming none counts only in the totals and by root cause.
    """
    counted = sorted(
        (each for each in register.by_id(Incident).values() if in_window(each, now, since)),
        key=lambda incident: incident.id,
    )
    by_risk: dict[str, list[Incident]] = {}
    by_category: dict[str, list[Incident]] = {}
    for incident in counted:
        for risk_id in dict.fromkeys(incident.risks):
            by_risk.setdefault(risk_id, []).append(incident)
        by_category.setdefault(root_cause_category(incident), []).append(incident)
    return IncidentSummary(
        since=since,
        now=now,
        totals=count(counted),
        by_risk=_groups(by_risk),
        by_root_cause=_groups(by_category),
    )
