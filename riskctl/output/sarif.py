"""`--format sarif`: a SARIF 2.1.0 log (OASIS), one run, the rules from the registry.

Reference: Static Analysis Results Interchange Format (SARIF) Version 2.1.0, OASIS Standard,
https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html. Columns count Unicode code
points (`columnKind`), as riskctl's positions do.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from riskctl.findings import LintResult, Severity
from riskctl.lint.rules import all_rules
from riskctl.textsafe import json_safe

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(result: LintResult, version: str) -> str:
    """The SARIF log as indented JSON."""
    rules = list(all_rules().values())
    index_of = {each.code: index for index, each in enumerate(rules)}
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
    results = [
        {
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
        for finding in result.findings
    ]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
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
        ],
    }
    return json_safe(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"
