"""`riskctl lint`: check the register and report every problem at file:line:col."""

import enum
import os
from typing import Annotated

import typer

from riskctl import __version__
from riskctl.cli._common import (
    DEFAULT_REGISTER,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    ColorChoice,
    ColorOpt,
    NowOpt,
    RegisterArg,
    RevisionOpt,
    check_rule_prefixes,
    operational_errors,
    source_for,
    split_codes,
    today_or,
    use_color,
    write_stdout,
)


class LintFormat(enum.StrEnum):
    """Output formats of `riskctl lint`."""

    AUTO = "auto"
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"


def resolve_format(chosen: LintFormat) -> str:
    """`auto` is `github` inside GitHub Actions, `text` elsewhere."""
    if chosen is LintFormat.AUTO:
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return chosen.value


def lint_command(
    path: RegisterArg = DEFAULT_REGISTER,
    output_format: Annotated[
        LintFormat,
        typer.Option(
            "--format",
            "-f",
            help="text, json, github or sarif; auto picks github in GitHub Actions.",
        ),
    ] = LintFormat.AUTO,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            help="Only rules whose code starts with these prefixes (RK0,RK1).",
            metavar="PREFIXES",
            callback=check_rule_prefixes,
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            help="Skip rules whose code starts with these prefixes.",
            metavar="PREFIXES",
            callback=check_rule_prefixes,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the run too.")] = False,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    color: ColorOpt = ColorChoice.AUTO,
) -> None:
    """Check the register: schema, references and rules, each finding at file:line:col.

    Exit 0 when clean, 1 when there are errors (or warnings with --strict), 3 when the register
    cannot be read.
    """
    from riskctl.findings import Severity
    from riskctl.lint.engine import lint
    from riskctl.output import FORMATTERS
    from riskctl.source import naming_revision

    with operational_errors():
        source = source_for(path, revision)
        sources = source.read()
        with naming_revision(source):
            result = lint(
                sources, today=today_or(now), select=split_codes(select), ignore=split_codes(ignore)
            )
    chosen = resolve_format(output_format)
    if chosen == "text" and use_color(color):
        from riskctl.cli._console import print_findings

        print_findings(result)
    else:
        write_stdout(FORMATTERS[chosen](result, __version__))
    failing = Severity.WARNING if strict else Severity.ERROR
    failed = any(finding.severity >= failing for finding in result.findings)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_CLEAN)
