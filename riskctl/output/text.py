"""`--format text`: one line per finding, as compilers and flake8 print them, and a summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from riskctl.findings import Finding, LintResult
from riskctl.textsafe import visible

if TYPE_CHECKING:
    from riskctl.lint.baseline import Judgement


def line(finding: Finding) -> str:
    """`file:line:col: severity: CODE message [name]`, on one line, control characters escaped."""
    return (
        f"{visible(finding.file)}:{finding.line}:{finding.col}: {finding.severity.label}: "
        f"{finding.code} {visible(finding.message)} [{finding.name}]"
    )


def summary(result: LintResult) -> str:
    """One line: how many files, errors and warnings."""
    files = f"{result.files} file{'s' if result.files != 1 else ''}"
    notes = len(result.findings) - result.errors - result.warnings
    if not result.errors and not result.warnings:
        return f"{files} checked: no problems" + (f" ({_count(notes, 'note')})" if notes else "")
    parts = [_count(result.errors, "error"), _count(result.warnings, "warning")]
    if notes:
        parts.append(_count(notes, "note"))
    return f"{files} checked: {', '.join(parts)}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def render(result: LintResult, version: str) -> str:
    """Every finding on its own line, then the summary."""
    del version  # the text format does not name the version
    return "".join(line(finding) + "\n" for finding in result.findings) + summary(result) + "\n"


def render_judged(judgement: Judgement, version: str) -> str:
    """`lint --new-since`: each finding marked `(new)`, `(new, date-driven)` or `(existing)`,
    new ones first; then the base's findings the change fixed, at their base positions; then
    the summary and the comparison's own line."""
    del version
    lines = [f"{line(each.finding)} ({each.mark})" for each in judgement.ordered()]
    if judgement.fixed:
        lines.append(f"fixed since {visible(judgement.base.revision)}:")
        lines += [f"{line(each.finding)} ({each.mark})" for each in judgement.fixed]
    if judgement.base.note:
        lines.append(f"note: {visible(judgement.base.note)}")
    lines += [summary(judgement.result), visible(judgement.summary())]
    return "".join(each + "\n" for each in lines)
