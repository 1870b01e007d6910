"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

Escaping follows the runner's rules (actions/toolkit `command.ts`): in messages `%`, CR and LF
become `%25`, `%0D`, `%0A`; in properties `:` and `,` also become `%3A` and `%2C`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riskctl.findings import Finding, LintResult, Severity
from riskctl.textsafe import visible

if TYPE_CHECKING:
    from riskctl.lint.baseline import Judgement

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
    return "".join(_annotation(finding) for finding in result.findings)


def _annotation(finding: Finding, title_suffix: str = "") -> str:
    properties = ",".join(
        (
            f"file={escape_property(finding.file)}",
            f"line={finding.line}",
            f"col={finding.col}",
            f"title={escape_property(f'{finding.code} {finding.name}{title_suffix}')}",
        )
    )
    return f"::{COMMAND[finding.severity]} {properties}::{escape_data(finding.message)}\n"


def render_judged(judgement: Judgement, version: str) -> str:
    """`lint --new-since`: annotations for new findings only (a date-driven one says so in its
    title), then one `::notice::` with the comparison's summary."""
    del version
    lines = [
        _annotation(each.finding, " (date-driven)" if each.is_date_driven else "")
        for each in judgement.ordered()
        if each.is_new
    ]
    note = f"; {judgement.base.note}" if judgement.base.note else ""
    lines.append(f"::notice title=riskctl lint::{escape_data(judgement.summary() + note)}\n")
    return "".join(lines)
