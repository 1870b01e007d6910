"""`--format json`: the findings as one JSON document, version 1."""

from __future__ import annotations

import json

from riskctl.findings import LintResult
from riskctl.textsafe import json_safe


def render(result: LintResult, version: str) -> str:
    """`{"version": 1, "findings": [...], "summary": {...}}`.

    Keys come in a fixed, documented order, `version` first, so the document reads top-down
    and diffs stably.
    """
    del version  # the document's own format version is what consumers need
    document = {
        "version": 1,
        "findings": [
            {
                "file": finding.file,
                "line": finding.line,
                "col": finding.col,
                "code": finding.code,
                "name": finding.name,
                "severity": finding.severity.label,
                "message": finding.message,
            }
            for finding in result.findings
        ],
        "summary": {
            "files": result.files,
            "errors": result.errors,
            "warnings": result.warnings,
            "notes": len(result.findings) - result.errors - result.warnings,
        },
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
