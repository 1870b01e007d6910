"""RK904-RK909: control mappings to framework requirements and the frameworks in scope.

A control maps to requirements (`maps_to: [FRAMEWORK:REQUIREMENT]`); riskctl.yaml declares the
frameworks in scope and, per framework, the requirements that do not apply
(`frameworks.in_scope`). These rules check that each names something a catalogue has, that a
mapping names a requirement and not a grouping, that each exclusion is justified, and that an
applicable requirement of an in-scope framework has a control in operation (the `gap` status of
`riskctl coverage`). None asks about dates: a gap depends only on mappings and control statuses.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from riskctl.coverage import coverage
from riskctl.findings import Hit, Severity, Where
from riskctl.framework.catalog import Catalogue, catalogue, known_ids
from riskctl.lint.rules import RuleContext, records, rule
from riskctl.lint.rules.controls import TestWindowOptions
from riskctl.model.control import Control
from riskctl.model.framework import split_mapping
from riskctl.model.register import CONFIG_FILE, Record

#: How many requirements a suggestion names.
SUGGESTED = 5


def _hint(wanted: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(wanted, list(known), n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _catalogues(context: RuleContext) -> dict[str, Catalogue | None]:
    """Every framework id mapped or in scope → its catalogue (None when none loads: RK904, or
    a register file that did not load, which the loader reports)."""
    ids = {split_mapping(mapping)[0] for _, _, mapping in _mappings(context)}
    ids |= {entry.id for entry in context.config.frameworks.in_scope}
    return {framework: catalogue(context.register, framework) for framework in sorted(ids)}


def _mappings(context: RuleContext) -> Iterator[tuple[Record, int, str]]:
    """Each control file's mappings: (record, index in maps_to, mapping), duplicates included."""
    for record in records(context.register, "control"):
        control = record.entity
        if isinstance(control, Control):
            for index, mapping in enumerate(control.maps_to):
                yield record, index, mapping


def _scope_where(index: int, *path: str | int) -> Where:
    return Where(CONFIG_FILE, ("frameworks", "in_scope", index, *path))


@rule("RK904", "unknown-framework")
def unknown_framework(context: RuleContext) -> Iterator[Hit]:
    """A mapping or an in-scope entry names a framework riskctl has a catalogue of.

    Why: a mapping to a framework with no catalogue is counted nowhere: no coverage report
    shows it, so a typo (`nist-csf-20`) silently drops the control from the Statement of
    Applicability. Catalogues are the register's `frameworks/ID.yaml` and those shipped with
    riskctl (`nist-csf-2.0`); `riskctl framework import` adds one.
    Fires:   `maps_to: [nist-csf-20:PR.AA-05]`; `frameworks: {in_scope: [{id: iso-27001}]}`
             with no frameworks/iso-27001.yaml
    Passes:  `maps_to: [nist-csf-2.0:PR.AA-05]`
    """
    known = known_ids(context.register)
    for record, index, mapping in _mappings(context):
        framework = split_mapping(mapping)[0]
        if framework not in known:
            yield Hit(
                context.where(record, "maps_to", index),
                f"{record.entity.id} maps to {mapping}: no framework {framework!r} in the "
                f"register's frameworks/ or shipped with riskctl{_hint(framework, known)}",
            )
    for index, entry in enumerate(context.config.frameworks.in_scope):
        if entry.id not in known:
            yield Hit(
                _scope_where(index, "id"),
                f"frameworks.in_scope names no framework {entry.id!r} in the register's "
                f"frameworks/ or shipped with riskctl{_hint(entry.id, known)}",
            )


@rule("RK905", "unknown-requirement")
def unknown_requirement(context: RuleContext) -> Iterator[Hit]:
    """A mapping, or a requirement declared not applicable, names a requirement its framework has.

    Why: a mapping to a requirement the catalogue lacks covers nothing (a typo such as
    `PR.AA-5` for `PR.AA-05`, or an id of another edition); an exclusion of one excludes
    nothing, and the requirement meant stays applicable. An exclusion names a requirement, not
    a grouping (exclude each requirement under it, with its reason).
    Fires:   `maps_to: [nist-csf-2.0:PR.AA-5]`; `not_applicable: [{requirement: PR.IR-09, ...}]`
    Passes:  `maps_to: [nist-csf-2.0:PR.AA-05]`
    """
    found = _catalogues(context)
    for record, index, mapping in _mappings(context):
        framework, requirement = split_mapping(mapping)
        known = found.get(framework)
        if known is not None and known.requirement(requirement) is None:
            yield Hit(
                context.where(record, "maps_to", index),
                f"{record.entity.id} maps to {mapping}: {framework} has no requirement "
                f"{requirement!r}{_hint(requirement, known.by_id)}",
            )
    for index, entry in enumerate(context.config.frameworks.in_scope):
        known = found.get(entry.id)
        if known is None:
            continue
        for position, item in enumerate(entry.not_applicable):
            excluded = known.requirement(item.requirement)
            where = _scope_where(index, "not_applicable", position, "requirement")
            if excluded is None:
                yield Hit(
                    where,
                    f"not_applicable names no requirement {item.requirement!r} of {entry.id}"
                    f"{_hint(item.requirement, known.by_id)}",
                )
            elif not excluded.assessable:
                yield Hit(
                    where,
                    f"not_applicable names {item.requirement}, a grouping of {entry.id}, not a "
                    f"requirement: list the requirements under it that do not apply"
                    f"{_under(known, item.requirement)}",
                )


def _under(known: Catalogue, grouping: str) -> str:
    """` (PR.AA-01, PR.AA-02, ... and 3 more)`: the requirements under a grouping."""
    below = []
    seen = {grouping}
    stack = list(reversed(known.children.get(grouping, ())))
    while stack:
        current = stack.pop()
        if current in seen:
            continue  # a cycle of parents (RK90x reports it at the catalogue)
        seen.add(current)
        if known.by_id[current].assessable:
            below.append(current)
        stack.extend(reversed(known.children.get(current, ())))
    if not below:
        return ""
    more = f" and {len(below) - SUGGESTED} more" if len(below) > SUGGESTED else ""
    return f" ({', '.join(below[:SUGGESTED])}{more})"


@rule("RK906", "mapped-to-grouping", Severity.WARNING)
def mapped_to_grouping(context: RuleContext) -> Iterator[Hit]:
    """A control maps to a requirement, not to a grouping such as a CSF function or category.

    Why: a grouping (`assessable: false`: a CSF category, an SP 800-53 family) is not assessed
    itself; a mapping to it covers none of the requirements under it, so the control is counted
    nowhere. Map it to the requirements it addresses.
    Fires:   `maps_to: [nist-csf-2.0:PR.AA]` (a category)
    Passes:  `maps_to: [nist-csf-2.0:PR.AA-01, nist-csf-2.0:PR.AA-05]`
    """
    found = _catalogues(context)
    for record, index, mapping in _mappings(context):
        framework, requirement_id = split_mapping(mapping)
        known = found.get(framework)
        requirement = known.requirement(requirement_id) if known is not None else None
        if known is not None and requirement is not None and not requirement.assessable:
            yield Hit(
                context.where(record, "maps_to", index),
                f"{record.entity.id} maps to {mapping}, a grouping ({requirement.title}), not a "
                f"requirement: map it to the requirements it addresses"
                f"{_under(known, requirement_id)}",
            )


@rule("RK907", "requirement-uncovered", Severity.WARNING)
def requirement_uncovered(context: RuleContext) -> Iterator[Hit]:
    """Each applicable requirement of an in-scope framework has a mapped control in operation.

    Why: a framework declared in scope is one the organisation answers to; an applicable
    requirement with no active or degraded control mapped to it is a gap in the Statement of
    Applicability (`riskctl coverage` status `gap`): map a control, plan one, or declare it not
    applicable with the reason. Reported at the framework's `in_scope` entry, once per
    requirement. Only statuses and mappings count, not tests or dates (`riskctl coverage`
    shows which covered requirements lack evidence).
    Fires:   `in_scope: [{id: nist-csf-2.0}]` with no control mapped to `GV.OC-01`, or only a
             planned or retired one
    Passes:  an active control with `maps_to: [nist-csf-2.0:GV.OC-01]`, or GV.OC-01 under
             `not_applicable`
    """
    windows = context.options("RK301", TestWindowOptions).window_days
    seen: set[str] = set()
    for index, entry in enumerate(context.config.frameworks.in_scope):
        if entry.id in seen:
            continue  # RK909
        seen.add(entry.id)
        if catalogue(context.register, entry.id) is None:
            continue  # RK904
        # `coverage` decides what a gap is; statuses are not dated, so the register as written
        # gives the same gaps as the register as of today.
        found = coverage(context.register, entry.id, context.today, windows)
        for row in found.requirements:
            if row.status == "gap":
                requirement = row.requirement
                yield Hit(
                    _scope_where(index, "id"),
                    f"{entry.id} {requirement.id} ({requirement.title}) has no mapped control in "
                    "operation: map an active control to it, or declare it not applicable",
                )


@rule("RK908", "not-applicable-unjustified")
def not_applicable_unjustified(context: RuleContext) -> Iterator[Hit]:
    """A requirement declared not applicable says why.

    Why: a Statement of Applicability justifies each exclusion (ISO/IEC 27001:2022 clause 6.1.3
    d); an auditor asks for the reason, and next year's reviewer needs it to tell whether it
    still holds.
    Fires:   `not_applicable: [{requirement: PR.IR-02}]`, or `justification: "  "`
    Passes:  `{requirement: PR.IR-02, justification: "No on-premises facilities"}`
    """
    for index, entry in enumerate(context.config.frameworks.in_scope):
        for position, item in enumerate(entry.not_applicable):
            if item.justification is None or not item.justification.strip():
                yield Hit(
                    _scope_where(index, "not_applicable", position),
                    f"{entry.id} {item.requirement} is declared not applicable without a "
                    "justification: say why it does not apply",
                )


@rule("RK909", "duplicate-scope-entry", Severity.WARNING)
def duplicate_scope_entry(context: RuleContext) -> Iterator[Hit]:
    """Each framework is in scope once, and each requirement declared not applicable once.

    Why: only the first entry counts (its exclusions, its justification); the second is
    silently ignored, so an exclusion or a reason written there does nothing.
    Fires:   `in_scope: [{id: nist-csf-2.0}, {id: nist-csf-2.0, not_applicable: [...]}]`; two
             `not_applicable` entries for `PR.IR-02`
    Passes:  each framework once, each requirement once under it
    """
    first: dict[str, int] = {}
    for index, entry in enumerate(context.config.frameworks.in_scope):
        if entry.id in first:
            yield Hit(
                _scope_where(index, "id"),
                f"{entry.id} is listed in frameworks.in_scope already (entry {first[entry.id] + 1})"
                ": this entry is ignored; merge the two",
            )
            continue
        first[entry.id] = index
        listed: dict[str, int] = {}
        for position, item in enumerate(entry.not_applicable):
            if item.requirement in listed:
                yield Hit(
                    _scope_where(index, "not_applicable", position, "requirement"),
                    f"{entry.id} {item.requirement} is declared not applicable already (entry "
                    f"{listed[item.requirement] + 1}): this entry is ignored",
                )
            else:
                listed[item.requirement] = position
