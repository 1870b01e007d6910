"""The register as a whole: every valid entity by kind and id, and where each came from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar, cast

from riskctl.model.acceptance import Acceptance
from riskctl.model.common import Entity
from riskctl.model.config import Config
from riskctl.model.control import Control
from riskctl.model.framework import Framework
from riskctl.model.incident import Incident
from riskctl.model.kri import Kri
from riskctl.model.launch import Launch
from riskctl.model.owner import Owner
from riskctl.model.risk import Risk


class Kind(NamedTuple):
    """A kind of entity: its name, its folder in the register and its model."""

    name: str
    folder: str
    model: type[Entity]


KINDS: tuple[Kind, ...] = (
    Kind("risk", "risks", Risk),
    Kind("control", "controls", Control),
    Kind("owner", "owners", Owner),
    Kind("incident", "incidents", Incident),
    Kind("kri", "kris", Kri),
    Kind("launch", "launches", Launch),
    Kind("acceptance", "acceptances", Acceptance),
    Kind("framework", "frameworks", Framework),
)
KIND_BY_FOLDER: dict[str, Kind] = {kind.folder: kind for kind in KINDS}
KIND_BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
KIND_BY_MODEL: dict[type[Entity], Kind] = {kind.model: kind for kind in KINDS}
EntityT = TypeVar("EntityT", bound=Entity)
CONFIG_FILE = "riskctl.yaml"


@dataclass(frozen=True)
class Record:
    """One entity file: its kind, its path relative to the register, and its valid model."""

    kind: str
    file: str
    entity: Entity


@dataclass
class Register:
    """Every valid entity of a register, with indexes by kind and id.

    `records` keeps every valid file, duplicates included, and `records_of` the same by kind;
    the `by kind` dictionaries keep the first record of each id in file order. `known_ids`
    also holds the ids of files that did not load (their `id`, or the file name when the file
    is not even YAML), so that a reference to a broken file is not reported as unknown as well.
    """

    config: Config
    records: list[Record] = field(default_factory=list)
    known_ids: dict[str, set[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    _by_kind: dict[str, dict[str, Record]] = field(default_factory=dict)
    _all_of_kind: dict[str, list[Record]] = field(default_factory=dict)
    _typed: dict[type[Entity], dict[str, Entity]] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        """Add a valid entity; the first of two records with one id keeps the index."""
        self._typed.clear()
        self.records.append(record)
        self._all_of_kind.setdefault(record.kind, []).append(record)
        self._by_kind.setdefault(record.kind, {}).setdefault(record.entity.id, record)
        self.known_ids.setdefault(record.kind, set()).add(record.entity.id)

    def record(self, kind: str, entity_id: str) -> Record | None:
        """The record of `entity_id` of `kind`, or None."""
        return self._by_kind.get(kind, {}).get(entity_id)

    def records_of(self, kind: str) -> Sequence[Record]:
        """Every valid record of one kind, duplicates included, in file order: what a rule
        about one kind reads, without scanning the other kinds' records."""
        return self._all_of_kind.get(kind, ())

    def of_kind(self, kind: str) -> Mapping[str, Record]:
        """Records of one kind by id (the first of duplicates)."""
        return self._by_kind.get(kind, {})

    def entities(self, kind: str) -> Iterator[Entity]:
        """Valid entities of one kind, one per id, in file order."""
        for record in self.of_kind(kind).values():
            yield record.entity

    def has(self, kind: str, entity_id: str) -> bool:
        """Whether an entity of that kind and id exists, valid or not."""
        return entity_id in self.known_ids.get(kind, ())

    def by_id(self, model: type[EntityT]) -> Mapping[str, EntityT]:
        """Valid entities of one model by id, e.g. `register.by_id(Risk)`; built once per kind."""
        if model not in self._typed:
            kind = KIND_BY_MODEL[model]
            self._typed[model] = {
                entity_id: record.entity
                for entity_id, record in self.of_kind(kind.name).items()
                if isinstance(record.entity, model)
            }
        return cast(Mapping[str, EntityT], self._typed[model])
