"""`riskctl framework list` and `show`: the catalogues a mapping may name, and one as a tree.

Text output shows register text through `textsafe` (control characters escaped); JSON is the
same data for tools.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from riskctl.framework.catalog import Catalogue, catalogue, known_ids, shipped
from riskctl.model.register import Register
from riskctl.textsafe import display_width, json_safe, pad, visible

#: Levels `show` indents; a deeper requirement (no real catalogue has one) is marked with its
#: depth instead, so a long chain of parents cannot make the output grow with its square.
MAX_INDENT = 12


@dataclass(frozen=True)
class Listed:
    """One catalogue a mapping may name."""

    id: str
    name: str | None
    """None: the register's file did not load (`riskctl lint` says why)."""
    version: str | None
    requirements: int
    """Assessable requirements: what controls map to."""
    groupings: int
    origin: str
    """`shipped` or the register file (`frameworks/ID.yaml`)."""
    replaces_shipped: bool
    """A register file of the id of a shipped catalogue: the register's is the one used."""


def listed(register: Register) -> list[Listed]:
    """Every catalogue a mapping may name, by id."""
    rows = []
    for framework_id in known_ids(register):
        found = catalogue(register, framework_id)
        if register.record("framework", framework_id) is None and framework_id in (
            register.known_ids.get("framework", ())
        ):  # its file did not load (`--partial`); `catalogue` falls back to a shipped one
            rows.append(Listed(framework_id, None, None, 0, 0, f"frameworks/{framework_id}.yaml",
                               shipped(framework_id) is not None))  # fmt: skip
            continue
        if found is None:  # pragma: no cover - known_ids names only existing catalogues
            continue
        framework = found.framework
        assessable = len(found.assessable())
        rows.append(
            Listed(
                framework_id,
                framework.name,
                framework.version,
                assessable,
                len(found.by_id) - assessable,
                "shipped" if found.shipped else found.origin,
                not found.shipped and shipped(framework_id) is not None,
            )
        )
    return rows


def list_text(rows: list[Listed]) -> str:
    """A table: id, name, version, requirements, groupings, where from."""
    header = ("id", "name", "version", "requirements", "groupings", "from")
    table = [header] + [
        (
            visible(row.id),
            visible(row.name) if row.name is not None else "(did not load: see riskctl lint)",
            visible(row.version or ""),
            str(row.requirements),
            str(row.groupings),
            visible(row.origin) + (" (replaces the shipped one)" if row.replaces_shipped else ""),
        )
        for row in rows
    ]
    widths = [max(display_width(line[column]) for line in table) for column in range(6)]
    lines = []
    for line in table:
        cells = [
            pad(cell, widths[column], right=column in (3, 4)) for column, cell in enumerate(line)
        ]
        lines.append("  ".join(cells).rstrip())
    if not rows:
        lines.append("no catalogues")
    return "\n".join(lines) + "\n"


def list_json(rows: list[Listed]) -> str:
    """`{"frameworks": [...]}`."""
    document = {"frameworks": [asdict(row) for row in rows]}
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def show_text(found: Catalogue) -> str:
    """The catalogue's header, then its requirements as a tree, two spaces per level."""
    framework = found.framework
    where = "shipped with riskctl" if found.shipped else found.origin
    lines = [
        f"{visible(framework.id)}: {visible(framework.name)}, version "
        f"{visible(framework.version)} ({visible(where)})",
        f"source: {visible(framework.source)}",
        f"licence: {visible(framework.licence)}",
        "",
    ]
    for requirement, depth in found.walk():
        marker = "" if requirement.assessable else "  [grouping]"
        indent = "  " * min(depth, MAX_INDENT) + (f"[depth {depth}] " if depth > MAX_INDENT else "")
        lines.append(f"{indent}{visible(requirement.id)}  {visible(requirement.title)}{marker}")
    return "\n".join(lines) + "\n"


def show_json(found: Catalogue) -> str:
    """The catalogue with each requirement's depth, in tree order."""
    framework = found.framework
    document = {
        "id": framework.id,
        "name": framework.name,
        "version": framework.version,
        "source": framework.source,
        "licence": framework.licence,
        "origin": "shipped" if found.shipped else found.origin,
        "requirements": [
            {
                "id": requirement.id,
                "title": requirement.title,
                "parent": requirement.parent,
                "assessable": requirement.assessable,
                "depth": depth,
            }
            for requirement, depth in found.walk()
        ],
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
