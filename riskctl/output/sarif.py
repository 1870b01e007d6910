"""`--format sarif`: a SARIF 2.1.0 log (OASIS), one run, the rules from the registry.

Reference: Static Analysis Results Interchange Format (SARIF) Version 2.1.0, OASIS Standard,
https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html. Columns count Unicode code
points (`columnKind`), as riskctl's positions do.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from riskctl.findings import Finding, LintResult, Severity
from riskctl.lint.rules import Rule, all_rules
from riskctl.textsafe import json_safe

if TYPE_CHECKING:
    from riskctl.lint.baseline import Judged, Judgement

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(result: LintResult, version: str) -> str:
    """The SARIF log as indented JSON."""
    rules = list(all_rules().values())
    index_of = {each.code: index for index, each in enumerate(rules)}
    results = [_result(finding, index_of) for finding in result.findings]
    return _log(version, rules, results)


def render_judged(judgement: Judgement, version: str) -> str:
    """`lint --new-since`: each result carries `baselineState` (`new`, `unchanged`), and each
    base finding the change fixed is an `absent` result at its base position; the run's
    properties name the base (`newSince`), each result's whether its rule is date-dependent."""
    rules = list(all_rules().values())
    index_of = {each.code: index for index, each in enumerate(rules)}
    results = [_judged(each, index_of) for each in (*judgement.ordered(), *judgement.fixed)]
    base = judgement.base
    properties = {
        "newSince": {
            "revision": base.revision,
            "mergeBase": base.commit,
            "note": base.note,
            "new": judgement.new,
            "existing": judgement.existing,
            "dateDriven": judgement.date_driven,
            "fixed": len(judgement.fixed),
        }
    }
    return _log(version, rules, results, properties)


def _judged(judged: Judged, index_of: dict[str, int]) -> dict[str, Any]:
    return {
        **_result(judged.finding, index_of),
        "baselineState": judged.state.value,
        "properties": {
            "dateDependent": judged.date_dependent,
            "dateDriven": judged.is_date_driven,
        },
    }


def _result(finding: Finding, index_of: dict[str, int]) -> dict[str, Any]:
    return {
        "ruleId": finding.code,
        "ruleIndex": index_of[finding.code],
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    # A file name that is not UTF-8 holds surrogate escapes: its bytes
                    # are percent-encoded as they are on disk.
                    "artifactLocation": {
                        "uri": quote(finding.file.encode("utf-8", "surrogateescape"))
                    },
                    "region": {"startLine": finding.line, "startColumn": finding.col},
                }
            }
        ],
    }


def _log(
    version: str,
    rules: list[Rule],
    results: list[dict[str, Any]],
    properties: dict[str, Any] | None = None,
) -> str:
    descriptors: list[dict[str, Any]] = [
        {
            "id": each.code,
            "name": each.name,
            "shortDescription": {"text": each.summary},
            "fullDescription": {"text": each.doc},
            "help": {"text": each.doc},
            "defaultConfiguration": {"level": LEVEL[each.default]},
            "properties": {"family": each.family},
        }
        for each in rules
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "riskctl",
                "version": version,
                "rules": descriptors,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if properties is not None:
        run["properties"] = properties
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_safe(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"
