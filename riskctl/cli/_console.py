"""Coloured terminal output through rich; imported only when colour is on."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from riskctl.findings import Finding, LintResult, Severity
from riskctl.output import text
from riskctl.output.scores import HEADER, rows
from riskctl.score.residual import RiskScore, Scorecard
from riskctl.textsafe import visible

if TYPE_CHECKING:
    from riskctl.lint.baseline import Judged, Judgement

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def print_findings(result: LintResult, judgement: Judgement | None = None) -> None:
    """The text format, with the position dimmed and the severity coloured; with a
    `--new-since` judgement, each finding's mark coloured too, new ones first, then the fixed
    ones and the comparison's summary (as `text.render_judged` lays them out).

    Every piece is a `Text` (never markup, so `[link=...]` in a message stays text) of
    `visible` strings (so no control character or escape sequence reaches the terminal).
    """
    console = Console(highlight=False, soft_wrap=True, force_terminal=True)
    if judgement is None:
        for finding in result.findings:
            console.print(_finding_line(finding))
        console.print(Text(text.summary(result), style="bold"))
        return
    for judged in judgement.ordered():
        console.print(_judged_line(judged))
    if judgement.fixed:
        console.print(Text(f"fixed since {visible(judgement.base.revision)}:", style="bold"))
        for judged in judgement.fixed:
            console.print(_judged_line(judged))
    if judgement.base.note:
        console.print(Text(f"note: {visible(judgement.base.note)}", style="yellow"))
    console.print(Text(text.summary(result), style="bold"))
    console.print(Text(visible(judgement.summary()), style="bold"))


def _finding_line(finding: Finding) -> Text:
    line = Text()
    line.append(f"{visible(finding.file)}:{finding.line}:{finding.col}:", style="bold")
    line.append(" ")
    line.append(f"{finding.severity.label}:", style=STYLE[finding.severity])
    line.append(f" {finding.code} {visible(finding.message)} ")
    line.append(f"[{finding.name}]", style="dim")
    return line


#: How each `--new-since` mark is coloured: what fails stands out, what does not recedes.
MARK_STYLE = {
    "new": "bold magenta",
    "new, date-driven": "cyan",
    "existing": "dim",
    "fixed": "green",
}


def _judged_line(judged: Judged) -> Text:
    line = _finding_line(judged.finding)
    line.append(" ")
    line.append(f"({judged.mark})", style=MARK_STYLE[judged.mark])
    return line


LEVEL_STYLE = {
    "critical": "bold white on red",
    "very-high": "bold white on red",
    "high": "bold red",
    "moderate": "yellow",
    "medium": "yellow",
    "low": "green",
    "very-low": "green",
}


def print_scores(card: Scorecard, scores: Sequence[RiskScore], today: datetime.date) -> None:
    """The score table as a rich table, each tier coloured by its level.

    The rows are `scores.rows`, already `visible`; as `Text` they are never read as markup, and
    rich measures their width in terminal cells.
    """
    console = Console(highlight=False, force_terminal=True)
    table = Table(box=box.SIMPLE_HEAD, header_style="bold")
    for name in HEADER:
        table.add_column(name, overflow="fold")
    for score, row in zip(scores, rows(scores, today), strict=True):
        cells = [Text(value) for value in row]
        for index, cell in ((4, score.inherent), (5, score.residual), (6, score.projected.cell)):
            cells[index].stylize(LEVEL_STYLE.get(cell.level, ""))
        if score.appetite.within is False:
            cells[8].stylize("bold red")
        table.add_row(*cells)
    console.print(table)
    console.print(
        Text(
            f"{len(scores)} risks; method {card.method['name']} ({card.method['fingerprint']}); "
            "* = analyst override",
            style="dim",
        )
    )
