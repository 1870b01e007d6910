"""Coverage of a framework's requirements by the register's controls: a Statement of
Applicability.

Each assessable requirement of the framework gets one status:

- `not-applicable`: riskctl.yaml `frameworks.in_scope` lists it under the framework's
  `not_applicable`, with a justification (ISO/IEC 27001:2022 clause 6.1.3 d: the Statement of
  Applicability justifies each exclusion);
- `covered`: at least one control mapped to it (`maps_to`) *meets* it (below);
- `partial`: a mapped control is in operation (active or degraded), but none meets it: the
  requirement is addressed on paper, without the evidence;
- `gap`: applicable, and no mapped control is in operation (nothing mapped, or only planned or
  retired controls).

A control meets a requirement when, as of the day asked about, it is active; graded effective
(the lower of its design and operating ratings, as the residual credit model grades it:
../shared/reference/residual-scoring.md section 3); neither rating is untested (lint RK305: an
untested rating is an opinion); its latest operating test passed and is within the control's
testing window (lint RK301's `window_days`, by frequency, default 365 days: an operating test
older than its window no longer evidences operation, PCAOB AS 2201 .B1-.B6 on roll-forward);
and no incident names it as failed after that test (the credit model's incident feedback loop,
rca.md section 7). These are the conditions under which the credit model gives the control
its full effective credit, plus the window: one test of evidence the auditor would accept.

The register passed in is the register as of that day (`riskctl.asof`): a test dated later has
not happened yet.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from riskctl.errors import RiskctlError
from riskctl.framework.catalog import Catalogue, catalogue, known_ids
from riskctl.model.config import FrameworkScope
from riskctl.model.control import Control, ControlTest, Frequency
from riskctl.model.framework import Requirement, split_mapping
from riskctl.model.incident import Incident
from riskctl.model.register import Register
from riskctl.score.residual import (
    Failure,
    failure_outweighs_tests,
    grade,
    latest_failures,
    operating_test_due,
    untested_ratings,
)

Status = Literal["covered", "partial", "gap", "not-applicable"]
#: The statuses, best first: the order of totals and of the outputs' columns.
STATUSES: tuple[Status, ...] = ("covered", "partial", "gap", "not-applicable")
#: Control statuses in operation: a mapped control in one of these makes a requirement partial
#: at least.
IN_OPERATION = ("active", "degraded")


@dataclass(frozen=True)
class MappedControl:
    """One control mapped to a requirement, and whether it meets it."""

    control: Control
    file: str
    """The control's file, relative to the register."""
    meets: bool
    """Whether the control meets the requirement (see the module's documentation)."""
    reason: str
    """Why it meets it, or the first reason it does not, in words."""
    last_operating_test: ControlTest | None
    """Its latest operating test on or before the day asked about."""
    window: int
    """Days an operating test stays current, by the control's frequency (RK301)."""

    @property
    def in_operation(self) -> bool:
        """Active or degraded: planned and retired controls do not operate."""
        return self.control.status in IN_OPERATION


@dataclass(frozen=True)
class RequirementCoverage:
    """One assessable requirement: applicability, mapped controls and status."""

    requirement: Requirement
    status: Status
    justification: str | None
    """Why it does not apply (status `not-applicable`); None otherwise."""
    controls: tuple[MappedControl, ...]
    """Controls mapped to it, by id; listed for a not-applicable requirement too."""
    groups: tuple[str, ...]
    """The ids of the groupings above it, nearest first."""

    @property
    def applicable(self) -> bool:
        """Whether it applies (is not declared not applicable)."""
        return self.status != "not-applicable"


@dataclass(frozen=True)
class GroupTotal:
    """Totals per status of the requirements under one grouping (a CSF function or category)."""

    requirement: Requirement
    depth: int
    """0 at the top (a CSF function), 1 under it (a category), ..."""
    counts: Mapping[Status, int]


@dataclass(frozen=True)
class UnknownMapping:
    """A control's mapping to this framework that names no assessable requirement."""

    control: str
    file: str
    index: int
    """The mapping's position in `maps_to`."""
    requirement: str
    grouping: bool
    """True when it names a grouping (a CSF category), not an unknown id."""


@dataclass(frozen=True)
class Coverage:
    """A framework's Statement of Applicability over a register, as of a day."""

    catalogue: Catalogue
    today: datetime.date
    declared: bool
    """Whether riskctl.yaml `frameworks.in_scope` lists the framework."""
    requirements: tuple[RequirementCoverage, ...]
    """Every assessable requirement, in catalogue order."""
    groups: tuple[GroupTotal, ...]
    """Every grouping with an assessable requirement under it, parents first, in catalogue
    order."""
    unknown: tuple[UnknownMapping, ...]
    """Mappings to this framework that name no assessable requirement (lint reports them)."""
    unknown_not_applicable: tuple[str, ...]
    """Requirement ids declared not applicable that the catalogue does not have."""

    @property
    def totals(self) -> dict[Status, int]:
        """Requirements per status, every status present."""
        return count(self.requirements)

    def by_id(self) -> dict[str, RequirementCoverage]:
        """Requirement id → its coverage."""
        return {each.requirement.id: each for each in self.requirements}


def count(rows: tuple[RequirementCoverage, ...] | list[RequirementCoverage]) -> dict[Status, int]:
    """Requirements per status, in `STATUSES` order, every status present."""
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        counts[row.status] += 1
    return counts


def scope(register: Register, framework_id: str) -> FrameworkScope | None:
    """The framework's entry in riskctl.yaml `frameworks.in_scope`, or None (the first of two)."""
    return next(
        (entry for entry in register.config.frameworks.in_scope if entry.id == framework_id),
        None,
    )


def in_scope_ids(register: Register) -> tuple[str, ...]:
    """The framework ids riskctl.yaml declares in scope, in its order, each once."""
    return tuple(dict.fromkeys(entry.id for entry in register.config.frameworks.in_scope))


def mapped_ids(register: Register) -> tuple[str, ...]:
    """The framework ids the register's controls map to, sorted."""
    return tuple(
        sorted(
            {
                split_mapping(mapping)[0]
                for control in register.by_id(Control).values()
                for mapping in control.maps_to
            }
        )
    )


def test_windows(register: Register, today: datetime.date) -> Mapping[Frequency, int]:
    """RK301's `window_days` as lint reads them from riskctl.yaml (its defaults otherwise)."""
    # Imported here: lint's framework rules import this module.
    from riskctl.lint.rules import RuleContext, all_rules
    from riskctl.lint.rules.controls import TestWindowOptions

    context = RuleContext(register=register, raw={}, load_hits=(), today=today, rules=all_rules())
    return context.options("RK301", TestWindowOptions).window_days


def meets(
    control: Control,
    window_days: Mapping[Frequency, int],
    failure: Failure | None,
    today: datetime.date,
) -> MappedControl:
    """Whether one control meets a requirement mapped to it, and why (the module's rules, in
    that order: the first that fails is the reason). `file` is left empty for the caller."""
    expected = operating_test_due(control, window_days, today)
    latest, window = expected.latest, expected.window

    def result(ok: bool, reason: str) -> MappedControl:
        return MappedControl(control, "", ok, reason, latest, window)

    if control.status != "active":
        why = {
            "planned": "planned: not in operation",
            "retired": "retired: not in operation",
            "degraded": "degraded: operating below its design",
        }
        return result(False, why.get(control.status, control.status))
    control_grade = grade(control)
    design, operating = control.effectiveness.design, control.effectiveness.operating
    if control_grade != "effective":
        return result(False, f"graded {control_grade} (design {design}, operating {operating})")
    untested = untested_ratings(control)
    if untested:
        return result(False, f"rated effective with no {' or '.join(untested)} test on record")
    if latest is None:
        return result(False, "no operating test on record")
    if latest.result != "pass":
        outcome = "failed" if latest.result == "fail" else "was inconclusive"
        return result(False, f"latest operating test ({latest.date}) {outcome}")
    if expected.due is not None and today > expected.due:
        return result(
            False,
            f"latest operating test ({latest.date}) is outside its {window}-day window "
            f"(current to {expected.due})",
        )
    voided = failure_outweighs_tests(control, failure)
    if voided is not None:
        return result(False, voided)
    return result(
        True,
        f"effective; operating test passed {latest.date}, current to {expected.due} "
        f"({window}-day window)",
    )


def coverage(
    register: Register,
    framework_id: str,
    today: datetime.date,
    window_days: Mapping[Frequency, int] | None = None,
) -> Coverage:
    """The Statement of Applicability of one framework over `register` (as of `today`).

    `window_days` defaults to RK301's as riskctl.yaml sets them. An unknown framework id is a
    `RiskctlError` naming the nearest known ids.
    """
    found = catalogue(register, framework_id)
    if found is None:
        raise RiskctlError(unknown_framework_message(register, framework_id))
    windows = window_days if window_days is not None else test_windows(register, today)
    failures = latest_failures(register.by_id(Incident).values())
    entry = scope(register, framework_id)
    excluded: dict[str, str | None] = {}
    for item in entry.not_applicable if entry is not None else ():
        excluded.setdefault(item.requirement, item.justification)
    mapped: dict[str, list[MappedControl]] = {}
    unknown = []
    for record in register.records:
        control = record.entity
        if not isinstance(control, Control) or register.record("control", control.id) is not record:
            continue  # a duplicate id: the first file counts, as everywhere
        judged = None
        for index, mapping in enumerate(control.maps_to):
            framework, requirement_id = split_mapping(mapping)
            if framework != framework_id:
                continue
            requirement = found.requirement(requirement_id)
            if requirement is None or not requirement.assessable:
                unknown.append(
                    UnknownMapping(control.id, record.file, index, requirement_id,
                                   requirement is not None)
                )  # fmt: skip
                continue
            if judged is None:
                judged = meets(control, windows, failures.get(control.id), today)
                judged = MappedControl(
                    control, record.file, judged.meets, judged.reason,
                    judged.last_operating_test, judged.window,
                )  # fmt: skip
            rows = mapped.setdefault(requirement_id, [])
            if all(each.control.id != control.id for each in rows):
                rows.append(judged)
    requirements = []
    groupings = _all_groupings(found)
    for requirement in found.assessable():
        controls = tuple(sorted(mapped.get(requirement.id, ()), key=lambda each: each.control.id))
        status: Status
        if requirement.id in excluded:
            status = "not-applicable"
        elif any(each.meets for each in controls):
            status = "covered"
        elif any(each.in_operation for each in controls):
            status = "partial"
        else:
            status = "gap"
        justification = excluded.get(requirement.id) if status == "not-applicable" else None
        requirements.append(
            RequirementCoverage(
                requirement, status, justification, controls, groupings[requirement.id]
            )
        )
    return Coverage(
        catalogue=found,
        today=today,
        declared=entry is not None,
        requirements=tuple(requirements),
        groups=_groups(found, requirements),
        unknown=tuple(unknown),
        unknown_not_applicable=tuple(
            requirement_id
            for requirement_id in excluded
            if (known := found.requirement(requirement_id)) is None or not known.assessable
        ),
    )


def _all_groupings(found: Catalogue) -> dict[str, tuple[str, ...]]:
    """Requirement id → the groupings above it, nearest first (not a control above an
    enhancement). Parents come before children in `walk`, so each is its parent's, extended:
    linear in the catalogue, shared tuples down a chain of requirements."""
    groupings: dict[str, tuple[str, ...]] = {}
    for requirement, _depth in found.walk():
        parent = requirement.parent
        above = groupings.get(parent, ()) if parent is not None else ()
        if parent is not None and parent in found.by_id and not found.by_id[parent].assessable:
            above = (parent, *above)
        groupings[requirement.id] = above if parent != requirement.id else ()
    return groupings


def _groups(found: Catalogue, rows: list[RequirementCoverage]) -> tuple[GroupTotal, ...]:
    under: dict[str, list[RequirementCoverage]] = {}
    for row in rows:
        for group in row.groups:
            under.setdefault(group, []).append(row)
    return tuple(
        GroupTotal(requirement, depth, count(under[requirement.id]))
        for requirement, depth in found.walk()
        if not requirement.assessable and requirement.id in under
    )


def unknown_framework_message(register: Register, framework_id: str) -> str:
    """`no framework 'nist-csf-20'; did you mean nist-csf-2.0? (known: ...)`."""
    if register.has("framework", framework_id):  # its file is in the register, but broken
        return (
            f"framework {framework_id!r}: its catalogue in the register's frameworks/ did not "
            "load; `riskctl lint` shows why"
        )
    known = known_ids(register)
    close = difflib.get_close_matches(framework_id.lower(), known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    listed = ", ".join(known) or "none"
    return (
        f"no framework {framework_id!r} in the register's frameworks/ or shipped with riskctl"
        f"{hint} (known: {listed})"
    )
