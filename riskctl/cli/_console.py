"""Coloured terminal output through rich; imported only when colour is on."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from riskctl.findings import LintResult, Severity
from riskctl.output import text

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def print_findings(result: LintResult) -> None:
    """The text format, with the position dimmed and the severity coloured."""
    console = Console(highlight=False, soft_wrap=True, force_terminal=True)
    for finding in result.findings:
        line = Text()
        line.append(f"{finding.file}:{finding.line}:{finding.col}:", style="bold")
        line.append(" ")
        line.append(f"{finding.severity.label}:", style=STYLE[finding.severity])
        line.append(f" {finding.code} {finding.message} ")
        line.append(f"[{finding.name}]", style="dim")
        console.print(line)
    console.print(Text(text.summary(result), style="bold"))
