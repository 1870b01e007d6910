"""The register as of a date: every record dated after it left out, and a list of what was.

`--now` means "as of" in every command that computes (score, diff, kri, incidents, premortem,
quant, the reports, due): a control test, an incident, a KRI observation, an acceptance or an
action's completion dated after `--now` had not happened yet on that day, so it does not count.
`as_of` returns a copy of the register without them, and `LeftOut` entries that say what was
left out, for `--explain` and the outputs. Lint reads the register as written and notes each
record dated after `--now` (at `LeftOut.path`): it checks the data, it does not compute on it.

What "dated" means per record, one date each:

- a control test: its `date` (the day it was performed);
- an incident or near-miss: `occurred` (the whole record, its actions with it; its id stays
  known, so a reference to it is not reported as unknown);
- a KRI observation: its `date`;
- an acceptance: `decided` (the whole record);
- an incident action marked done or cancelled: its `completed` day; after `--now` the action
  was still in progress on that day;
- an incident's `resolved` day: after `--now` the incident was still unresolved (and open);
- a launch monitoring window's `reviewed` day: after `--now` the window was not yet reviewed.

The copy shares every unchanged entity with the original (pydantic models are not mutated).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from riskctl.findings import DataPath, Hit
from riskctl.model.acceptance import Acceptance
from riskctl.model.common import Entity
from riskctl.model.control import Control
from riskctl.model.incident import Incident
from riskctl.model.kri import Kri
from riskctl.model.launch import Launch
from riskctl.model.register import Record, Register

if TYPE_CHECKING:
    from riskctl.load import Loaded, ParseCache, Sources
    from riskctl.source import RegisterSource


@dataclass(frozen=True, order=True)
class LeftOut:
    """One record dated after the as-of day, left out of (or changed in) the computation."""

    file: str
    """The entity's file, relative to the register."""
    entity: str
    """The entity's id."""
    what: str
    """What was left out: `operating test`, `design test`, `incident`, `near-miss`,
    `observation`, `acceptance`, `action A1 completion`, `resolution`, `monitoring review`."""
    date: datetime.date
    """The record's date, after the as-of day."""
    path: DataPath = field(default=(), compare=False)
    """Where the date is in the entity's file: `("tests", 2, "date")`."""

    def describe(self, today: datetime.date) -> str:
        """`C-003 operating test dated 2026-11-24 (after 2026-11-20): not counted`."""
        return f"{self.entity} {self.what} dated {self.date} (after {today}): not counted"


@dataclass(frozen=True)
class AsOf:
    """A register as of a day, and what was left out to make it so."""

    register: Register
    today: datetime.date
    left_out: tuple[LeftOut, ...]

    def left_out_of(self, entity_id: str) -> tuple[LeftOut, ...]:
        """What was left out of one entity."""
        return tuple(each for each in self.left_out if each.entity == entity_id)


@dataclass(frozen=True)
class NotCounted:
    """What an output says of the records `--now` left out: `AsOf` without the register (a
    result kept by the persistent cache keeps this much)."""

    today: datetime.date
    left_out: tuple[LeftOut, ...]


def as_of(register: Register, today: datetime.date) -> AsOf:
    """The register as it stood on `today`: see the module's documentation."""
    copy = Register(
        config=register.config,
        known_ids={kind: set(ids) for kind, ids in register.known_ids.items()},
        files=list(register.files),
    )
    left_out: list[LeftOut] = []
    for record in register.records:
        entity, dropped = _entity_as_of(record.entity, today)
        left_out += [
            LeftOut(record.file, record.entity.id, what, day, path) for what, day, path in dropped
        ]
        if entity is None:
            continue
        copy.add(record if entity is record.entity else Record(record.kind, record.file, entity))
    for kind, ids in register.known_ids.items():  # `add` keeps a left-out id known: restore all
        copy.known_ids.setdefault(kind, set()).update(ids)
    return AsOf(copy, today, tuple(sorted(left_out)))


@dataclass(frozen=True)
class LoadedAsOf:
    """A register read from its source, as written (`loaded`: hits, raw data, files that did
    not load) and as of a day (`as_of`): what every computing command works on."""

    loaded: Loaded
    as_of: AsOf

    @property
    def register(self) -> Register:
        """The register as of the day: the one to compute on."""
        return self.as_of.register

    @property
    def today(self) -> datetime.date:
        return self.as_of.today

    @property
    def left_out(self) -> tuple[LeftOut, ...]:
        return self.as_of.left_out

    @property
    def hits(self) -> list[Hit]:
        """What loading found in the register as written (`Loaded.hits`)."""
        return self.loaded.hits

    @property
    def failed(self) -> dict[str, str]:
        """Register files that did not load (`Loaded.failed`)."""
        return self.loaded.failed


def loaded_as_of(loaded: Loaded, today: datetime.date) -> LoadedAsOf:
    """A register already loaded, as of `today`."""
    return LoadedAsOf(loaded, as_of(loaded.register, today))


def read_as_of(
    source: RegisterSource,
    today: datetime.date,
    cache: ParseCache | None = None,
    *,
    partial: bool = False,
    sources: Sources | None = None,
) -> LoadedAsOf:
    """Read the register (`riskctl.source.read_register`: refused when a file did not load,
    unless `partial`) as of `today`: the one way a computing command reads the register.
    `sources`: its files, when the caller has read them already."""
    from riskctl.source import read_register

    return loaded_as_of(read_register(source, cache, partial=partial, sources=sources), today)


#: What was dropped from one entity: (what, date, path of the date in the file).
Dropped = list[tuple[str, datetime.date, DataPath]]


def _entity_as_of(entity: Entity, today: datetime.date) -> tuple[Entity | None, Dropped]:
    """The entity as of `today` (None when the whole record is later), and what was dropped."""
    if isinstance(entity, Control):
        return _control(entity, today)
    if isinstance(entity, Incident):
        return _incident(entity, today)
    if isinstance(entity, Kri):
        return _kri(entity, today)
    if isinstance(entity, Acceptance):
        if entity.decided > today:
            return None, [("acceptance", entity.decided, ("decided",))]
        return entity, []
    if isinstance(entity, Launch):
        return _launch(entity, today)
    return entity, []


def _control(control: Control, today: datetime.date) -> tuple[Entity, Dropped]:
    dropped: Dropped = [
        (f"{test.type} test", test.date, ("tests", index, "date"))
        for index, test in enumerate(control.tests)
        if test.date > today
    ]
    if not dropped:
        return control, []
    kept = [test for test in control.tests if test.date <= today]
    return control.model_copy(update={"tests": kept}), dropped


def _incident(incident: Incident, today: datetime.date) -> tuple[Entity | None, Dropped]:
    if incident.occurred > today:
        return None, [(incident.kind, incident.occurred, ("occurred",))]
    dropped: Dropped = []
    update: dict[str, object] = {}
    if incident.resolved is not None and incident.resolved > today:
        dropped.append(("resolution", incident.resolved, ("resolved",)))
        update["resolved"] = None
        update["status"] = "open"
    actions = []
    for index, action in enumerate(incident.actions):
        if action.completed is not None and action.completed > today:
            path = ("actions", index, "completed")
            dropped.append((f"action {action.id} completion", action.completed, path))
            status = "in-progress" if action.status in ("done", "cancelled") else action.status
            action = action.model_copy(update={"completed": None, "status": status})
        actions.append(action)
    if not dropped:
        return incident, []
    if any(mine is not theirs for mine, theirs in zip(actions, incident.actions, strict=True)):
        update["actions"] = actions
        update["status"] = "open"
    return incident.model_copy(update=update), dropped


def _kri(kri: Kri, today: datetime.date) -> tuple[Entity, Dropped]:
    dropped: Dropped = [
        ("observation", each.date, ("observations", index, "date"))
        for index, each in enumerate(kri.observations)
        if each.date > today
    ]
    if not dropped:
        return kri, []
    kept = [each for each in kri.observations if each.date <= today]
    return kri.model_copy(update={"observations": kept}), dropped


def _launch(launch: Launch, today: datetime.date) -> tuple[Entity, Dropped]:
    dropped: Dropped = []
    watches = []
    for index, watch in enumerate(launch.monitoring):
        if watch.reviewed is not None and watch.reviewed > today:
            path = ("monitoring", index, "reviewed")
            dropped.append((f"monitoring review of {watch.kri}", watch.reviewed, path))
            watch = watch.model_copy(update={"reviewed": None})
        watches.append(watch)
    if not dropped:
        return launch, []
    return launch.model_copy(update={"monitoring": watches}), dropped
