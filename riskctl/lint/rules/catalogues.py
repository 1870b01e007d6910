"""RK901-RK903: framework catalogues (`frameworks/ID.yaml`) hold a well-formed requirement tree.

A catalogue's requirements form a tree through `parent`. Coverage, `framework show` and the
Statement of Applicability read it as one: a second requirement of an id is ignored, a parent
that is not in the file puts the requirement at the top level, and a cycle of parents lists its
members at the top level. These rules say so at the file, so the catalogue gets fixed rather
than read differently from what it says.
"""

from __future__ import annotations

from collections.abc import Iterator

from riskctl.findings import Hit
from riskctl.lint.rules import RuleContext, records, rule
from riskctl.model.framework import Framework
from riskctl.model.register import Record


def _catalogues(context: RuleContext) -> Iterator[tuple[Framework, Record]]:
    for record in records(context.register, "framework"):
        if isinstance(record.entity, Framework):
            yield record.entity, record


@rule("RK901", "duplicate-requirement")
def duplicate_requirement(context: RuleContext) -> Iterator[Hit]:
    """A requirement id appears once in its catalogue.

    Why: a mapping `FRAMEWORK:REQUIREMENT` must name one requirement; with two of one id,
    coverage reads the first and ignores the second, whose title and parent may differ.
    Reported at the second (and each later) requirement's `id`.
    Fires:   `requirements: [{id: GV.OC-01, title: A}, {id: GV.OC-01, title: B}]`
    Passes:  `requirements: [{id: GV.OC-01, title: A}, {id: GV.OC-02, title: B}]`
    """
    for framework, record in _catalogues(context):
        first: dict[str, int] = {}
        for index, requirement in enumerate(framework.requirements):
            if requirement.id in first:
                yield Hit(
                    context.where(record, "requirements", index, "id"),
                    f"{framework.id}: requirement {requirement.id} appears twice (first as "
                    f"requirement {first[requirement.id] + 1}); a mapping to it is ambiguous: "
                    "give each requirement its own id",
                )
            else:
                first[requirement.id] = index


@rule("RK902", "unknown-parent")
def unknown_parent(context: RuleContext) -> Iterator[Hit]:
    """A requirement's `parent` names a requirement of the same catalogue.

    Why: a parent that is not in the file is a typo or a grouping left out; the requirement is
    then shown at the top level and counted in no group's totals.
    Reported at the requirement's `parent`.
    Fires:   `{id: GV.OC-01, title: A, parent: GV.OX}` with no requirement `GV.OX`
    Passes:  the same with a requirement `{id: GV.OC, title: Context, assessable: false}`
             and `parent: GV.OC`
    """
    for framework, record in _catalogues(context):
        ids = {requirement.id for requirement in framework.requirements}
        for index, requirement in enumerate(framework.requirements):
            if requirement.parent is not None and requirement.parent not in ids:
                yield Hit(
                    context.where(record, "requirements", index, "parent"),
                    f"{framework.id}: {requirement.id}'s parent {requirement.parent} is not a "
                    "requirement of this catalogue; name one of its ids, or add the grouping",
                )


@rule("RK903", "parent-cycle")
def parent_cycle(context: RuleContext) -> Iterator[Hit]:
    """Following `parent` from a requirement never comes back to it.

    Why: requirements form a tree; in a cycle of parents no member has a place in it, so each
    is shown at the top level and counted in no group's totals.
    Reported once per cycle, at the `parent` of its first member in file order.
    Fires:   `{id: A, title: A, parent: B}` and `{id: B, title: B, parent: A}`; `{id: A,
             title: A, parent: A}`
    Passes:  `{id: A, title: A}` and `{id: B, title: B, parent: A}`
    """
    for framework, record in _catalogues(context):
        parent_of: dict[str, str | None] = {}
        index_of: dict[str, int] = {}
        for index, requirement in enumerate(framework.requirements):
            if requirement.id not in parent_of:  # a duplicate is RK901's
                parent_of[requirement.id] = requirement.parent
                index_of[requirement.id] = index
        done: set[str] = set()  # known to lead out of any cycle, or already reported
        for start in parent_of:
            chain: list[str] = []
            on_chain: set[str] = set()
            current: str | None = start
            while current is not None and current in parent_of and current not in done:
                if current in on_chain:  # came back: the cycle is the chain from `current`
                    cycle = chain[chain.index(current) :]
                    first = min(cycle, key=index_of.__getitem__)
                    at = cycle.index(first)
                    shown = [*cycle[at:], *cycle[:at], first]
                    yield Hit(
                        context.where(record, "requirements", index_of[first], "parent"),
                        f"{framework.id}: following parent from {first} comes back to it "
                        f"({' -> '.join(shown)}); requirements form a tree: break the cycle",
                    )
                    break
                chain.append(current)
                on_chain.add(current)
                current = parent_of[current]
            done.update(chain)  # each requirement is walked once: linear in the file
