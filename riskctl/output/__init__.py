"""Formatters: pure functions from a lint result to text, one per `--format` name."""

from __future__ import annotations

from collections.abc import Callable

from riskctl.findings import LintResult
from riskctl.output import github, json_document, sarif, text

Formatter = Callable[[LintResult, str], str]

FORMATTERS: dict[str, Formatter] = {
    "text": text.render,
    "json": json_document.render,
    "github": github.render,
    "sarif": sarif.render,
}
