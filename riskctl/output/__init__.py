"""Formatters: pure functions from a lint result to text, one per `--format` name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from riskctl.findings import LintResult
from riskctl.output import github, json_document, sarif, text

if TYPE_CHECKING:
    from riskctl.lint.baseline import Judgement

Formatter = Callable[[LintResult, str], str]

FORMATTERS: dict[str, Formatter] = {
    "text": text.render,
    "json": json_document.render,
    "github": github.render,
    "sarif": sarif.render,
}

#: `lint --new-since`: the same formats, each finding judged against the base.
JUDGED_FORMATTERS: dict[str, Callable[[Judgement, str], str]] = {
    "text": text.render_judged,
    "json": json_document.render_judged,
    "github": github.render_judged,
    "sarif": sarif.render_judged,
}
