"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

Escaping follows the runner's rules (actions/toolkit `command.ts`): in messages `%`, CR and LF
become `%25`, `%0D`, `%0A`; in properties `:` and `,` also become `%3A` and `%2C`.
"""

from __future__ import annotations

from riskctl.findings import LintResult, Severity
from riskctl.textsafe import visible

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message; other control characters are shown escaped, so no
    escape sequence reaches the log viewer, which renders ANSI colours."""
    text = "\r".join(visible(part, keep_newlines=True) for part in text.split("\r"))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: LintResult, version: str) -> str:
    """`::error file=F,line=L,col=C,title=CODE name::message` per finding."""
    del version
    lines = []
    for finding in result.findings:
        properties = ",".join(
            (
                f"file={escape_property(finding.file)}",
                f"line={finding.line}",
                f"col={finding.col}",
                f"title={escape_property(f'{finding.code} {finding.name}')}",
            )
        )
        lines.append(
            f"::{COMMAND[finding.severity]} {properties}::{escape_data(finding.message)}\n"
        )
    return "".join(lines)
