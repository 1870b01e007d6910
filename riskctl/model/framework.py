"""Framework catalogues (NIST CSF 2.0, SP 800-53, ISO/IEC 27001 Annex A, ...) and control mappings.

A catalogue is a register file, `frameworks/ID.yaml`, or one shipped inside the package
(`riskctl/data/frameworks/`), usable by id without copying; the register's own file of an id
takes precedence. Its requirements form a tree through `parent`: a grouping (a CSF function or
category, an SP 800-53 family) has `assessable: false` and is never covered itself; the
requirements under it are what controls map to (`maps_to: [FRAMEWORK:REQUIREMENT]`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, field_validator

from riskctl.model.common import STRICT, Entity, Text, must_match, python_pattern

#: A framework id: lower-case letters and digits in parts joined by single `-` or `.`, e.g.
#: `nist-csf-2.0`, `iso-27001-2022`, `nist-sp-800-53-rev5`. ECMA-262 and Python read it alike.
FRAMEWORK_ID_PATTERN = r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$"
FRAMEWORK_ID = python_pattern(FRAMEWORK_ID_PATTERN)

#: The most levels of requirements a catalogue nests (a CSF subcategory is on level 3, an SP
#: 800-53 enhancement on level 3): deeper, and what lists each requirement with the groupings
#: above it (coverage, the SoA) would grow with the square of the depth.
MAX_DEPTH = 64

#: A requirement id as its framework writes it (`PR.AA-05`, `AC-2(1)`, `A.5.15`, `CC6.1`): no
#: leading or trailing space, no control character. Spaces inside are allowed (some
#: catalogues' reference ids have them).
REQUIREMENT_ID_PATTERN = r"^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$"
REQUIREMENT_ID = python_pattern(REQUIREMENT_ID_PATTERN)

#: A control's mapping: `FRAMEWORK:REQUIREMENT`, split at the first colon.
MAPPING_PATTERN = (
    r"^[a-z0-9]+(?:[.-][a-z0-9]+)*:[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$"
)
MAPPING = python_pattern(MAPPING_PATTERN)

FrameworkId = Annotated[
    str,
    Field(json_schema_extra={"pattern": FRAMEWORK_ID_PATTERN}),
    AfterValidator(
        must_match(
            FRAMEWORK_ID,
            "framework_id",
            "expected a framework id: lower-case letters and digits joined by single - or ., "
            "e.g. nist-csf-2.0",
        )
    ),
]
"""A framework id, e.g. `nist-csf-2.0`: the catalogue's file name without `.yaml`."""

RequirementId = Annotated[
    str,
    Field(json_schema_extra={"pattern": REQUIREMENT_ID_PATTERN}),
    AfterValidator(
        must_match(
            REQUIREMENT_ID,
            "requirement_id",
            "expected a requirement id as the framework writes it, e.g. PR.AA-05 (no leading "
            "or trailing space, no control character)",
        )
    ),
]
"""A requirement id as the framework writes it, e.g. `PR.AA-05` or `AC-2(1)`."""

Mapping = Annotated[
    str,
    Field(json_schema_extra={"pattern": MAPPING_PATTERN}),
    AfterValidator(
        must_match(
            MAPPING,
            "framework_mapping",
            "expected FRAMEWORK:REQUIREMENT, e.g. nist-csf-2.0:PR.AA-05 (a framework id, a "
            "colon, the requirement id as the framework writes it)",
        )
    ),
]
"""`FRAMEWORK:REQUIREMENT`, e.g. `nist-csf-2.0:PR.AA-05`."""


def split_mapping(mapping: str) -> tuple[str, str]:
    """`nist-csf-2.0:PR.AA-05` → (`nist-csf-2.0`, `PR.AA-05`): split at the first colon."""
    framework, _, requirement = mapping.partition(":")
    return framework, requirement


class Requirement(BaseModel):
    """One requirement of a framework, or a grouping of requirements."""

    model_config = STRICT
    id: RequirementId
    """The requirement's id as the framework writes it, e.g. `PR.AA-05`; unique in the file."""
    title: Text
    """Its title or outcome statement, e.g. "Identities and credentials ... are managed"."""
    parent: RequirementId | None = None
    """The id of the grouping (or requirement) it belongs to: a CSF category, an SP 800-53
    family or, for a control enhancement, its control."""
    assessable: Annotated[bool, Field(strict=True)] = True
    """False for a grouping that is not itself a requirement (a CSF function or category, an
    SP 800-53 family): coverage counts it only as a total of the requirements under it."""


class Framework(Entity):
    """A framework catalogue: its requirements, in the framework's own order."""

    id: FrameworkId
    """The framework id, the file name without `.yaml`, e.g. `nist-csf-2.0`."""
    name: Text
    """The framework's name, e.g. "NIST Cybersecurity Framework (CSF) 2.0"."""
    version: Text
    """The edition, e.g. "2.0" or "Rev. 5 (5.1.1)"."""
    source: Text
    """Where the text comes from: the publication and where it can be had."""
    licence: Text
    """The terms of the text, e.g. "public domain (US Government work)"; copyrighted texts
    (ISO, SOC 2) are never shipped with riskctl: a user brings them."""
    requirements: Annotated[list[Requirement], Field(min_length=1)]
    """Requirements and groupings, parents before their children."""

    @field_validator("requirements")
    @classmethod
    def _not_too_deep(cls, requirements: list[Requirement]) -> list[Requirement]:
        """At most `MAX_DEPTH` levels through `parent` (a cycle or an unknown parent ends a
        chain: RK902 and RK903 report those). Linear: each requirement's depth once."""
        parents: dict[str, str | None] = {}
        for requirement in requirements:
            parents.setdefault(requirement.id, requirement.parent)
        depth: dict[str, int] = {}
        for start in parents:
            chain: list[str] = []
            seen: set[str] = set()
            node: str | None = start
            while node is not None and node in parents and node not in depth and node not in seen:
                seen.add(node)
                chain.append(node)
                node = parents[node]
            level = depth.get(node, 0) if node is not None and node not in seen else 0
            for each in reversed(chain):
                level += 1
                depth[each] = level
                if level > MAX_DEPTH:
                    raise ValueError(
                        f"more than {MAX_DEPTH} levels through `parent` ({each} is on level "
                        f"{level}): riskctl reads at most {MAX_DEPTH}"
                    )
        return requirements
