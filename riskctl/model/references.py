"""Where each kind of entity refers to another: one table for lint, diff and reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from riskctl.findings import DataPath
from riskctl.model.acceptance import Acceptance
from riskctl.model.common import Entity
from riskctl.model.control import Control
from riskctl.model.incident import Incident
from riskctl.model.kri import Kri
from riskctl.model.launch import Launch
from riskctl.model.owner import Owner
from riskctl.model.risk import Risk


class Reference(NamedTuple):
    """One reference: where it is in the entity's data, what kind it names, and the id."""

    path: DataPath
    kind: str
    target: str


def _each(field: str, kind: str, targets: list[str]) -> Iterator[Reference]:
    for index, target in enumerate(targets):
        yield Reference((field, index), kind, target)


def references(entity: Entity) -> Iterator[Reference]:
    """Every reference an entity makes to another entity, in file order."""
    if isinstance(entity, Risk):
        yield Reference(("owner",), "owner", entity.owner)
        yield from _each("controls", "control", entity.controls)
        yield from _each("kris", "kri", entity.kris)
    elif isinstance(entity, Control):
        yield Reference(("owner",), "owner", entity.owner)
    elif isinstance(entity, Owner):
        if entity.escalation is not None:
            yield Reference(("escalation",), "owner", entity.escalation)
    elif isinstance(entity, Incident):
        if entity.owner is not None:
            yield Reference(("owner",), "owner", entity.owner)
        yield from _each("risks", "risk", entity.risks)
        yield from _each("failed_controls", "control", entity.failed_controls)
        for index, action in enumerate(entity.actions):
            if action.owner is not None:
                yield Reference(("actions", index, "owner"), "owner", action.owner)
    elif isinstance(entity, Kri):
        yield Reference(("owner",), "owner", entity.owner)
        yield from _each("risks", "risk", entity.risks)
    elif isinstance(entity, Launch):
        yield Reference(("owner",), "owner", entity.owner)
        yield from _each("risks", "risk", entity.risks)
        for index, mode in enumerate(entity.failure_modes):
            for field in ("prevention_controls", "detection_controls"):
                for position, target in enumerate(getattr(mode, field)):
                    yield Reference(("failure_modes", index, field, position), "control", target)
            if mode.risk is not None:
                yield Reference(("failure_modes", index, "risk"), "risk", mode.risk)
        for index, watch in enumerate(entity.monitoring):
            yield Reference(("monitoring", index, "kri"), "kri", watch.kri)
    elif isinstance(entity, Acceptance):
        yield Reference(("risk",), "risk", entity.risk)
        yield Reference(("approver",), "owner", entity.approver)
