"""`--format json`: the findings as one JSON document, version 1."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from riskctl.findings import Finding, LintResult
from riskctl.textsafe import json_safe

if TYPE_CHECKING:
    from riskctl.lint.baseline import Judged, Judgement


def render(result: LintResult, version: str) -> str:
    """`{"version": 1, "findings": [...], "summary": {...}}`.

    Keys come in a fixed, documented order, `version` first, so the document reads top-down
    and diffs stably.
    """
    del version  # the document's own format version is what consumers need
    document = {
        "version": 1,
        "findings": [_finding(finding) for finding in result.findings],
        "summary": _summary(result),
    }
    return _dump(document)


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "file": finding.file,
        "line": finding.line,
        "col": finding.col,
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "message": finding.message,
    }


def _summary(result: LintResult) -> dict[str, int]:
    return {
        "files": result.files,
        "errors": result.errors,
        "warnings": result.warnings,
        "notes": len(result.findings) - result.errors - result.warnings,
    }


def _dump(document: dict[str, Any]) -> str:
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def render_judged(judgement: Judgement, version: str) -> str:
    """`lint --new-since`: the same document; each finding also has `baseline` (`new` or
    `unchanged`), `date_dependent` (its rule asks about the calendar) and `date_driven` (new,
    and the calendar had a part in it: it does not fail), and `new_since` says what it was
    compared with, counts the comparison, and lists the base's findings the change fixed
    (`baseline`: `absent`, at their base positions)."""
    del version
    base = judgement.base
    document = {
        "version": 1,
        "findings": [_judged(each) for each in judgement.findings],
        "summary": _summary(judgement.result),
        "new_since": {
            "revision": base.revision,
            "merge_base": base.commit,
            "note": base.note,
            "summary": {
                "new": judgement.new,
                "existing": judgement.existing,
                "date_driven": judgement.date_driven,
                "fixed": len(judgement.fixed),
            },
            "fixed": [_judged(each) for each in judgement.fixed],
        },
    }
    return _dump(document)


def _judged(judged: Judged) -> dict[str, Any]:
    return {
        **_finding(judged.finding),
        "baseline": judged.state.value,
        "date_dependent": judged.date_dependent,
        "date_driven": judged.is_date_driven,
    }
