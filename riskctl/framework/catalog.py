"""Which framework catalogue an id names, and its requirements as a tree.

A catalogue is found by id in the register's `frameworks/` folder first, then among those
shipped inside the package (`riskctl/data/frameworks/ID.yaml`, read with `importlib.resources`
so an installed wheel finds them too): a register may replace a shipped catalogue by adding a
file of the same id. A shipped catalogue is parsed and validated like a register file; a broken
one is an operational error.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from riskctl import load
from riskctl.errors import RiskctlError
from riskctl.model.framework import FRAMEWORK_ID, Framework, Requirement
from riskctl.model.register import Register

#: The folder of the shipped catalogues, inside the package.
SHIPPED_FOLDER = "riskctl/data/frameworks"


@dataclass(frozen=True)
class Catalogue:
    """A framework and its requirements indexed: by id, by parent, assessable ones in order."""

    framework: Framework
    origin: str
    """Where it was read: the register file (`frameworks/nist-csf-2.0.yaml`), or the shipped
    file (`riskctl/data/frameworks/nist-csf-2.0.yaml`)."""
    shipped: bool
    """Whether it is one shipped with riskctl (not in the register)."""
    by_id: Mapping[str, Requirement] = field(init=False, repr=False, compare=False)
    """Requirements by id; of two with one id, the first (lint reports the second)."""
    children: Mapping[str | None, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    """Child requirement ids by parent id (None: the top level), in catalogue order."""

    def __post_init__(self) -> None:
        by_id: dict[str, Requirement] = {}
        children: dict[str | None, list[str]] = {}
        for requirement in self.framework.requirements:
            if requirement.id in by_id:
                continue
            by_id[requirement.id] = requirement
        for requirement in by_id.values():
            parent = requirement.parent if requirement.parent in by_id else None
            children.setdefault(parent, []).append(requirement.id)
        object.__setattr__(self, "by_id", by_id)
        object.__setattr__(self, "children", {key: tuple(ids) for key, ids in children.items()})

    @property
    def id(self) -> str:
        """The framework id."""
        return self.framework.id

    def requirement(self, requirement_id: str) -> Requirement | None:
        """The requirement of that id, or None."""
        return self.by_id.get(requirement_id)

    def assessable(self) -> tuple[Requirement, ...]:
        """The requirements controls are mapped to (not the groupings), in catalogue order."""
        return tuple(each for each in self.by_id.values() if each.assessable)

    def ancestors(self, requirement_id: str) -> tuple[str, ...]:
        """The ids above a requirement, nearest first; stops at an unknown parent or a cycle."""
        found: list[str] = []
        seen = {requirement_id}
        current = self.by_id.get(requirement_id)
        while current is not None and current.parent is not None:
            parent = current.parent
            if parent in seen or parent not in self.by_id:
                break
            found.append(parent)
            seen.add(parent)
            current = self.by_id[parent]
        return tuple(found)

    def walk(self) -> Iterator[tuple[Requirement, int]]:
        """Every requirement once with its depth (0 at the top), parents before children, in
        catalogue order; a requirement in a parent cycle is listed at the top level."""
        listed: set[str] = set()

        def visit(requirement_id: str, depth: int) -> Iterator[tuple[Requirement, int]]:
            stack = [(requirement_id, depth)]
            while stack:
                current, level = stack.pop()
                if current in listed:
                    continue
                listed.add(current)
                yield self.by_id[current], level
                stack.extend(
                    (child, level + 1) for child in reversed(self.children.get(current, ()))
                )

        for top in self.children.get(None, ()):
            yield from visit(top, 0)
        for requirement_id in self.by_id:  # unreachable: in a cycle of parents
            yield from visit(requirement_id, 0)


def shipped_ids() -> tuple[str, ...]:
    """The ids of the catalogues shipped with riskctl, sorted."""
    return tuple(sorted(_shipped_files()))


@functools.cache
def _shipped_files() -> dict[str, str]:
    folder = importlib.resources.files("riskctl") / "data" / "frameworks"
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError as error:  # pragma: no cover - a broken installation
        raise RiskctlError(
            f"{SHIPPED_FOLDER}: cannot list the shipped catalogues: {error}"
        ) from None
    found = {}
    for name in names:
        stem = name.removesuffix(".yaml")
        if name.endswith(".yaml") and FRAMEWORK_ID.fullmatch(stem):
            found[stem] = name
    return found


@functools.cache
def shipped(framework_id: str) -> Catalogue | None:
    """The catalogue of that id shipped with riskctl, or None. Read once per process."""
    name = _shipped_files().get(framework_id)
    if name is None:
        return None
    origin = f"{SHIPPED_FOLDER}/{name}"
    resource = importlib.resources.files("riskctl") / "data" / "frameworks" / name
    try:
        raw = resource.read_bytes()
    except OSError as error:
        raise RiskctlError(f"{origin}: cannot read the shipped catalogue: {error}") from None
    loaded = load.load_file(origin, raw, Framework)
    problems = [hit.message for hit in loaded.hits]
    if not isinstance(loaded.entity, Framework) or problems:
        raise RiskctlError(f"{origin}: broken catalogue: {'; '.join(problems) or 'empty'}")
    return Catalogue(loaded.entity, origin, shipped=True)


def catalogue(register: Register, framework_id: str) -> Catalogue | None:
    """The catalogue a framework id names: the register's `frameworks/ID.yaml` when it has a
    valid one, else the shipped one, else None. A register file of that id that did not load
    (read with --partial) gives None, not the shipped catalogue it was meant to replace.
    Indexed anew on each call (a register's catalogue is a model, not hashable): callers look
    a framework up once."""
    record = register.record("framework", framework_id)
    if record is not None and isinstance(record.entity, Framework):
        return Catalogue(record.entity, record.file, shipped=False)
    if register.has("framework", framework_id):
        return None  # the register's own file did not load (--partial): never the shipped one
    return shipped(framework_id)


def known_ids(register: Register) -> tuple[str, ...]:
    """Every framework id a mapping may name: the register's and the shipped ones, sorted.

    A register file that did not load still counts (its problem is reported once, at the
    file), so a mapping to it is not reported as unknown as well."""
    return tuple(sorted({*shipped_ids(), *register.known_ids.get("framework", ())}))
