"""`riskctl coverage FRAMEWORK`: a framework's Statement of Applicability, and `report soa`."""

import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    ColorChoice,
    ColorOpt,
    NoCacheOpt,
    NowOpt,
    PartialOpt,
    RegisterArg,
    RevisionOpt,
    check_out,
    load_as_of,
    mark_not_counted,
    note_left_out,
    operational_errors,
    source_for,
    today_or,
    use_color,
    write_output,
)
from riskctl.cli.report import OutOpt

if TYPE_CHECKING:
    from riskctl.coverage import Coverage, Status
    from riskctl.output.partial import OutputKind


class CoverageFormat(enum.StrEnum):
    """Output formats of `riskctl coverage`."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    CSV = "csv"
    HTML = "html"


class FailOn(enum.StrEnum):
    """`--fail-on`: the statuses that fail a CI job."""

    GAP = "gap"
    PARTIAL = "partial"


FrameworkArg = Annotated[
    str,
    typer.Argument(
        help="The framework id: a catalogue in the register's frameworks/ or shipped with "
        "riskctl (nist-csf-2.0).",
        metavar="FRAMEWORK",
        show_default=False,
    ),
]


def coverage_command(
    framework: FrameworkArg,
    path: RegisterArg = DEFAULT_REGISTER,
    output_format: Annotated[
        CoverageFormat,
        typer.Option(
            "--format",
            "-f",
            help="text, json (a stable document), markdown or html (as `report soa`), or csv "
            "(one row per requirement and mapped control).",
        ),
    ] = CoverageFormat.TEXT,
    now: NowOpt = None,
    revision: RevisionOpt = None,
    partial: PartialOpt = False,
    out: OutOpt = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a requirement is a gap (gap), or partial or a gap (partial).",
        ),
    ] = None,
    color: ColorOpt = ColorChoice.AUTO,
    no_cache: NoCacheOpt = False,
) -> None:
    """A framework's Statement of Applicability as of --now: each requirement's status.

    Per requirement, in catalogue order under its groupings: applicability (riskctl.yaml
    `frameworks.in_scope`, with the justification of each exclusion), the controls mapped to
    it (`maps_to`) with key, nature, design and operating grade, last operating test and
    whether each meets it, and its status: covered, partial, gap or not-applicable; totals
    per status and per grouping. Records dated after --now do not count. Exit 0 (1 with
    --fail-on when such a requirement is listed); 3 for an unknown framework or a register
    that cannot be read.
    """
    from riskctl.coverage import coverage
    from riskctl.output.coverage import COVERAGE_FORMATS
    from riskctl.report.soa import soa_document

    if output_format is CoverageFormat.HTML:
        result = produce_soa(framework, path, revision, now, out, None, partial, "html")
        raise typer.Exit(_exit_code(result, fail_on))
    today = today_or(now)
    check_out(out, path)
    kind = cast("OutputKind", output_format.value)  # every format but html, handled above
    with operational_errors():
        source = source_for(path, revision)
        loaded = load_as_of(source, partial, today)
        result = coverage(loaded.register, framework, today)
        document = soa_document(result)
        text = COVERAGE_FORMATS[kind](document, source.description)
    note_coverage(result)
    if kind == "markdown":
        from riskctl.output.left_out import left_out_markdown

        text = left_out_markdown(loaded.left_out, today) + text
    text = mark_not_counted(text, kind, loaded.left_out, today)
    if loaded.failed:
        from riskctl.output.partial import mark_partial

        text, note = mark_partial(text, kind, loaded.failed, source.label)
        if note:
            sys.stderr.write(f"riskctl: warning: {note}")
    if kind == "text" and out is None and use_color(color):
        _print_coloured(text, document, source.description, bool(loaded.failed))
    else:
        write_output(out, text)
    raise typer.Exit(_exit_code(result, fail_on))


def _exit_code(result: "Coverage", fail_on: FailOn | None) -> int:
    """1 when --fail-on names a status some requirement has, else 0."""
    failing: tuple[Status, ...] = ()
    if fail_on is not None:
        failing = ("gap",) if fail_on is FailOn.GAP else ("gap", "partial")
    return EXIT_FINDINGS if any(result.totals[status] for status in failing) else EXIT_CLEAN


def _print_coloured(text: str, document: dict[str, object], source: str, partial: bool) -> None:
    """The text format with statuses coloured (a partial read's note stays on top, plain)."""
    from rich.console import Console
    from rich.text import Text

    from riskctl.output.coverage import text_lines

    style = {
        "heading": "bold", "group": "bold", "covered": "green", "partial": "yellow",
        "gap": "bold red", "not-applicable": "dim", "meets": "green", "fails": "yellow",
        "plain": "",
    }  # fmt: skip
    console = Console(highlight=False, soft_wrap=True, force_terminal=True)
    if partial:
        console.print(Text(text.split("\n\n", 1)[0]))
        console.print()
    for line, kind in text_lines(document, source):
        console.print(Text(line, style=style[kind]))


def note_coverage(result: "Coverage") -> None:
    """The stderr notes of `coverage` and `report soa`: a framework not declared in scope,
    mappings and exclusions naming no requirement of it."""
    from riskctl.textsafe import visible

    framework = result.catalogue.id
    notes = []
    if not result.declared:
        notes.append(
            f"{framework} is not declared in riskctl.yaml frameworks.in_scope: every "
            "requirement is counted as applicable"
        )
    if result.unknown:
        named = ", ".join(f"{each.control} {each.requirement}" for each in result.unknown[:5])
        more = f" and {len(result.unknown) - 5} more" if len(result.unknown) > 5 else ""
        notes.append(
            f"{len(result.unknown)} mapping(s) to {framework} name no requirement of it and are "
            f"not counted ({named}{more}); `riskctl lint` reports them (RK905, RK906)"
        )
    if result.unknown_not_applicable:
        notes.append(
            f"riskctl.yaml declares not applicable what {framework} does not have as a "
            f"requirement: {', '.join(result.unknown_not_applicable)}; `riskctl lint` reports "
            "it (RK905)"
        )
    for note in notes:
        sys.stderr.write(f"riskctl: note: {visible(note)}\n")


def produce_soa(
    framework: str,
    path: Path,
    revision: str | None,
    now: str | None,
    out: Path | None,
    templates: Path | None,
    partial: bool,
    output_format: str | None,
) -> "Coverage":
    """`riskctl report soa` and `coverage -f html`: the `soa` template over the coverage
    document, printed or written; the coverage, for the exit code."""
    from riskctl.report.produce import format_for, read_scored, soa_report

    today = today_or(now)
    check_out(out, path)
    with operational_errors():
        scored = read_scored(path, revision, today, partial=partial)
        report, result = soa_report(scored, framework, format_for(output_format, out), templates)
    note_coverage(result)
    note_left_out(report.not_counted, today)
    write_output(out, report.text)
    return result
