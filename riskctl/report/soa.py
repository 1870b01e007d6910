"""The Statement of Applicability of one framework (`riskctl.coverage`) as plain data.

`soa_document` is the JSON document of `riskctl coverage --format json` (version 1, below);
every other format is drawn from it: the text and CSV of `riskctl coverage`, and the context of
the `soa.md.j2` template (`soa_context`), which `riskctl report soa` and `coverage --format
markdown` both render (and issue 15's HTML will render too). Values are ready to show: dates as
`YYYY-MM-DD`, counts as numbers, no register text escaped yet (each format escapes its own).

The document, keys in this order:

- `version`: 1;
- `framework`: `id`, `name`, `version`, `source`, `licence`, `origin` (the catalogue file read:
  the register's `frameworks/ID.yaml` or the shipped one), `shipped` (bool);
- `as_of`: the day (`--now`);
- `declared`: whether riskctl.yaml `frameworks.in_scope` lists the framework (when not, every
  requirement is applicable);
- `totals`: `requirements` (assessable ones) and one count per status, `covered`, `partial`,
  `gap`, `not-applicable`;
- `groups`: each grouping with a requirement under it, parents first in catalogue order:
  `id`, `title`, `parent`, `depth` (0 at the top: a CSF function), `totals` (as above);
- `requirements`: each assessable requirement in catalogue order: `id`, `title`, `groups` (the
  groupings above it, nearest first), `status`, `applicable`, `justification` (null unless
  not applicable), `controls`: each mapped control by id, `id`, `title`, `file`, `key`,
  `nature`, `automation`, `frequency`, `status`, `design`, `operating`,
  `last_operating_test` (`{date, result}` or null), `window_days`, `meets`, `reason`;
- `unknown_mappings`: mappings to the framework that name no requirement: `control`, `file`,
  `index` (in `maps_to`), `requirement`, `grouping` (true: it names a grouping);
- `unknown_not_applicable`: requirement ids riskctl.yaml declares not applicable that the
  catalogue does not have (or that are groupings).

Commands add `not_counted` (records dated after `--now`) and `left_out` (files a `--partial`
read left out) as the other JSON outputs do.
"""

from __future__ import annotations

from typing import Any

from riskctl.coverage import STATUSES, Coverage, MappedControl, RequirementCoverage, Status

#: Words for the statuses in prose and tables.
STATUS_WORDS: dict[Status, str] = {
    "covered": "covered",
    "partial": "partial",
    "gap": "gap",
    "not-applicable": "not applicable",
}
#: The columns of the Markdown requirement tables (one row per requirement and mapped control).
SOA_HEADER = (
    "requirement", "title", "status", "applicability", "control", "key", "nature",
    "design / operating", "last operating test", "meets",
)  # fmt: skip
#: The columns of the Markdown totals table.
TOTALS_HEADER = ("grouping", "title", *(STATUS_WORDS[status] for status in STATUSES), "total")


def _totals(counts: dict[Status, int] | Any) -> dict[str, int]:
    return {"requirements": sum(counts[status] for status in STATUSES)} | {
        status: counts[status] for status in STATUSES
    }


def _control(mapped: MappedControl) -> dict[str, Any]:
    control, test = mapped.control, mapped.last_operating_test
    return {
        "id": control.id,
        "title": control.title,
        "file": mapped.file,
        "key": control.key,
        "nature": control.nature,
        "automation": control.automation,
        "frequency": control.frequency,
        "status": control.status,
        "design": control.effectiveness.design,
        "operating": control.effectiveness.operating,
        "last_operating_test": (
            {"date": test.date.isoformat(), "result": test.result} if test is not None else None
        ),
        "window_days": mapped.window,
        "meets": mapped.meets,
        "reason": mapped.reason,
    }


def _requirement(row: RequirementCoverage) -> dict[str, Any]:
    return {
        "id": row.requirement.id,
        "title": row.requirement.title,
        "groups": list(row.groups),
        "status": row.status,
        "applicable": row.applicable,
        "justification": row.justification,
        "controls": [_control(each) for each in row.controls],
    }


def soa_document(result: Coverage) -> dict[str, Any]:
    """The Statement of Applicability as the JSON document described above."""
    framework = result.catalogue.framework
    return {
        "version": 1,
        "framework": {
            "id": framework.id,
            "name": framework.name,
            "version": framework.version,
            "source": framework.source,
            "licence": framework.licence,
            "origin": result.catalogue.origin,
            "shipped": result.catalogue.shipped,
        },
        "as_of": result.today.isoformat(),
        "declared": result.declared,
        "totals": _totals(result.totals),
        "groups": [
            {
                "id": group.requirement.id,
                "title": group.requirement.title,
                "parent": group.requirement.parent if group.depth else None,
                "depth": group.depth,
                "totals": _totals(group.counts),
            }
            for group in result.groups
        ],
        "requirements": [_requirement(row) for row in result.requirements],
        "unknown_mappings": [
            {
                "control": each.control,
                "file": each.file,
                "index": each.index,
                "requirement": each.requirement,
                "grouping": each.grouping,
            }
            for each in result.unknown
        ],
        "unknown_not_applicable": list(result.unknown_not_applicable),
    }


def totals_text(totals: dict[str, int]) -> str:
    """`106 requirements: 3 covered, 1 partial, 100 gap, 2 not applicable`."""
    count = totals["requirements"]
    parts = ", ".join(f"{totals[status]} {STATUS_WORDS[status]}" for status in STATUSES)
    return f"{count} requirement{'' if count == 1 else 's'}: {parts}"


def last_test_text(control: dict[str, Any]) -> str:
    """`2026-10-01 pass`, or `none` when the control has no operating test on record."""
    test = control["last_operating_test"]
    return f"{test['date']} {test['result']}" if test is not None else "none"


def meets_text(control: dict[str, Any]) -> str:
    """`meets: effective; ...` or `does not meet: graded ...`."""
    return f"{'meets' if control['meets'] else 'does not meet'}: {control['reason']}"


def applicability_text(requirement: dict[str, Any]) -> str:
    """`applicable`, or `not applicable: WHY` (`no justification given` when none was)."""
    if requirement["applicable"]:
        return "applicable"
    return f"not applicable: {requirement['justification'] or 'no justification given'}"


def requirement_rows(requirement: dict[str, Any]) -> list[list[str]]:
    """The Markdown table rows of one requirement: one per mapped control (the requirement's
    cells on the first only), or one with `—` for the control's when none is mapped."""
    first = [
        requirement["id"],
        requirement["title"],
        STATUS_WORDS[requirement["status"]],
        applicability_text(requirement),
    ]
    controls = requirement["controls"]
    if not controls:
        return [[*first, "—", "—", "—", "—", "—", "—"]]
    rows = []
    for index, control in enumerate(controls):
        cells = first if index == 0 else ["", "", "", ""]
        rows.append(
            [
                *cells,
                f"{control['id']} {control['title']}",
                "key" if control["key"] else "non-key",
                control["nature"],
                f"{control['design']} / {control['operating']}",
                last_test_text(control),
                meets_text(control),
            ]
        )
    return rows


def sections(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The groupings in catalogue order, each with the requirements whose nearest grouping it
    is (`requirements`): a CSF function has none of its own, a category its subcategories.
    Requirements under no grouping come first, in a section with id None."""
    by_group: dict[str | None, list[dict[str, Any]]] = {}
    for requirement in document["requirements"]:
        nearest = requirement["groups"][0] if requirement["groups"] else None
        by_group.setdefault(nearest, []).append(requirement)
    found = []
    if None in by_group:
        found.append({"id": None, "title": "", "depth": 0, "requirements": by_group[None]})
    found += [
        {**group, "requirements": by_group.get(group["id"], [])} for group in document["groups"]
    ]
    return found


def soa_context(document: dict[str, Any], source: str) -> dict[str, Any]:
    """The `soa.md.j2` context: the document, its sections with their Markdown rows and
    heading marks, the totals table and the sentences around them."""
    framework = document["framework"]
    where = (
        f"shipped with riskctl ({framework['origin']})"
        if framework["shipped"]
        else f"the register's {framework['origin']}"
    )
    shown = []
    for section in sections(document):
        rows = [row for each in section["requirements"] for row in requirement_rows(each)]
        shown.append(
            {
                **section,
                # `##` for the top groupings, down to `######`
                "heading": "#" * min(2 + section["depth"], 6),
                "label": (
                    f"{section['id']} {section['title']}"
                    if section["id"] is not None
                    else "Requirements under no grouping"
                ),
                "summary": totals_text(section["totals"]) if section["id"] is not None else "",
                "rows": rows,
            }
        )
    totals_rows = [
        [
            group["id"],
            group["title"],
            *(str(group["totals"][status]) for status in STATUSES),
            str(group["totals"]["requirements"]),
        ]
        for group in document["groups"]
    ]
    totals_rows.append(
        [
            "all",
            "",
            *(str(document["totals"][status]) for status in STATUSES),
            str(document["totals"]["requirements"]),
        ]
    )
    return {
        **document,
        "now": document["as_of"],
        "source": source,
        "title": f"{framework['name']} (version {framework['version']})",
        "summary": totals_text(document["totals"]),
        "catalogue": f"{framework['id']}, {where}",
        "scope": (
            "declared in scope in riskctl.yaml (`frameworks.in_scope`)"
            if document["declared"]
            else "not declared in riskctl.yaml `frameworks.in_scope`: every requirement counts "
            "as applicable"
        ),
        "totals_header": list(TOTALS_HEADER),
        "totals_rows": totals_rows,
        "header": list(SOA_HEADER),
        "sections": shown,
        "unknown_count": len(document["unknown_mappings"]),
        "unknown_lines": [
            f"{each['control']} ({each['file']}) maps to {each['requirement']}, "
            + ("a grouping, not a requirement" if each["grouping"] else "which it does not have")
            for each in document["unknown_mappings"]
        ],
    }
