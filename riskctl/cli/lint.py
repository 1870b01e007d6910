"""`riskctl lint`: check the register and report every problem at file:line:col."""

import enum
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from riskctl import __version__
from riskctl.cli._common import (
    DEFAULT_REGISTER,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    ColorChoice,
    ColorOpt,
    NoCacheOpt,
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

if TYPE_CHECKING:
    from riskctl.lint.baseline import Judgement
    from riskctl.load import ParseCache


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
    new_since: Annotated[
        str | None,
        typer.Option(
            "--new-since",
            help="Fail only on findings the change introduced since the merge base of REV and "
            "the head (HEAD, or --rev); existing and date-driven findings are reported, marked.",
            metavar="REV",
        ),
    ] = None,
    now: NowOpt = None,
    color: ColorOpt = ColorChoice.AUTO,
    no_cache: NoCacheOpt = False,
) -> None:
    """Check the register: schema, references and rules, each finding at file:line:col.

    Exit 0 when clean, 1 when there are errors (or warnings with --strict), 3 when the register
    cannot be read. With --new-since REV, exit 1 only for new findings (not date-driven ones).
    """
    from riskctl.findings import Severity
    from riskctl.lint.engine import lint
    from riskctl.output import FORMATTERS
    from riskctl.source import naming_revision

    today = today_or(now)
    selected, ignored = split_codes(select), split_codes(ignore)
    # With --new-since the head and its base share one parse cache: unchanged files parse once.
    cache: ParseCache | None = {} if new_since is not None else None
    with operational_errors():
        source = source_for(path, revision, with_repository=new_since is not None)
        sources = source.read()
        with naming_revision(source):
            result = lint(sources, today, selected, ignored, cache)
        if new_since is not None:
            from riskctl.lint.baseline import judge_change

            if source.repository is None:
                _need_git(path)
            judgement = judge_change(
                source, sources, result, new_since, today, selected, ignored, cache
            )
    failing = Severity.WARNING if strict else Severity.ERROR
    chosen = resolve_format(output_format)
    if new_since is not None:
        _write_judged(judgement, chosen, use_color(color))
        raise typer.Exit(EXIT_FINDINGS if judgement.failing(failing) else EXIT_CLEAN)
    if chosen == "text" and use_color(color):
        from riskctl.cli._console import print_findings

        print_findings(result)
    else:
        write_stdout(FORMATTERS[chosen](result, __version__))
    failed = any(finding.severity >= failing for finding in result.findings)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _need_git(path: Path) -> None:
    """Why `--new-since` cannot run outside git (or without a working git): exit 3."""
    from riskctl.errors import RiskctlError
    from riskctl.source import open_repository

    try:
        open_repository(path)
    except RiskctlError as error:
        raise RiskctlError(f"--new-since compares with the git history: {error}") from None


def _write_judged(judgement: "Judgement", chosen: str, colored: bool) -> None:
    """Print a `--new-since` judgement in the chosen format."""
    from riskctl.output import JUDGED_FORMATTERS

    if chosen == "text" and colored:
        from riskctl.cli._console import print_findings

        print_findings(judgement.result, judgement)
    else:
        write_stdout(JUDGED_FORMATTERS[chosen](judgement, __version__))
