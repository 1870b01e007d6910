"""`riskctl kri status` and `riskctl kri xmr`: KRI bands, XmR signals and period deltas."""

import enum
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    ColorChoice,
    ColorOpt,
    NoCacheOpt,
    NowOpt,
    PartialOpt,
    RegisterArg,
    RevisionOpt,
    load_as_of,
    load_for,
    operational_errors,
    read_input,
    source_for,
    today_or,
    use_color,
    write_result,
    write_stdout,
)

if TYPE_CHECKING:
    import datetime

    from riskctl.kri.ingest import IngestPlan
    from riskctl.kri.status import KriStatus

app = typer.Typer(
    name="kri",
    help="Key risk indicators: threshold status, XmR signals, week and year deltas, CSV ingest.",
    no_args_is_help=True,
)


class KriFormat(enum.StrEnum):
    """Output formats of `riskctl kri`."""

    TEXT = "text"
    JSON = "json"


FormatOpt = Annotated[KriFormat, typer.Option("--format", "-f", help="text or json.")]


@app.command("status")
def status_command(
    path: RegisterArg = DEFAULT_REGISTER,
    ids: Annotated[
        list[str] | None,
        typer.Option("--id", help="Only this KRI (repeatable).", metavar="KRI-ID"),
    ] = None,
    output_format: FormatOpt = KriFormat.TEXT,
    now: NowOpt = None,
    revision: RevisionOpt = None,
    color: ColorOpt = ColorChoice.AUTO,
    partial: PartialOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Show each KRI's latest value, green/amber/red status, XmR signals, WoW and YoY.

    The register is frozen at --now: later observations are ignored. Limits are locked to the
    KRI's `baseline` when it has one. Exit 3 for an unknown KRI id or a register that cannot be
    read.
    """
    from riskctl.kri.status import register_status
    from riskctl.output.kri import render_status_json, render_status_text

    today = today_or(now)
    with operational_errors():
        source = source_for(path, revision)
        loaded = load_as_of(source, partial, today)
        statuses = register_status(loaded.register, today, ids or ())
    if output_format is KriFormat.JSON:
        text = render_status_json(statuses, today)
        write_result(text, "json", loaded.failed, source.label, loaded.as_of)
    elif use_color(color):
        write_result("", "text", loaded.failed, source.label, loaded.as_of)
        _print_coloured(statuses, today)
    else:
        text = render_status_text(statuses, today)
        write_result(text, "text", loaded.failed, source.label, loaded.as_of)


@app.command("xmr")
def xmr_command(
    csv_file: Annotated[
        Path,
        typer.Option(
            "--csv",
            help="A CSV file with a header row `date,value`, dates YYYY-MM-DD.",
            metavar="FILE",
        ),
    ],
    baseline: Annotated[
        int | None,
        typer.Option(
            "--baseline", min=1, help="Lock the limits to the first N points.", metavar="N"
        ),
    ] = None,
    floor_at_zero: Annotated[
        bool,
        typer.Option(
            "--floor-at-zero", help="Floor the lower limit at 0 (counts, non-negative rates)."
        ),
    ] = False,
    output_format: FormatOpt = KriFormat.TEXT,
) -> None:
    """XmR analysis of any series: limits, provisional below 20 points, and every signal.

    Exit 3 for a malformed row (the message names its line), fewer than 6 points, a --baseline
    longer than the series, or a FILE that is not a regular file of at most 16 MiB.
    """
    from riskctl.errors import RiskctlError
    from riskctl.fileio import read_limited
    from riskctl.kri.xmr import FirstPoints, analyse, parse_series_csv
    from riskctl.output.kri import render_xmr_json, render_xmr_text

    with operational_errors():
        try:
            text = read_limited(csv_file, CSV_LIMIT, "--csv").decode("utf-8")
        except UnicodeDecodeError:
            raise RiskctlError(f"{csv_file} is not UTF-8 text") from None
        dates, values = parse_series_csv(text, str(csv_file))
        if baseline is not None and baseline > len(dates):
            raise RiskctlError(f"--baseline {baseline}, but {csv_file} has {len(dates)} points")
        first = FirstPoints(baseline) if baseline is not None else None
        analysis = analyse(dates, values, first, floor_at_zero=floor_at_zero)
        if analysis.limits is None:
            raise RiskctlError(f"{csv_file}: {analysis.note}")
    if output_format is KriFormat.JSON:
        write_stdout(render_xmr_json(analysis))
    else:
        write_stdout(render_xmr_text(analysis, values))


#: The largest series file `kri xmr` reads: about 500,000 rows, far beyond any KRI's history.
CSV_LIMIT = 16 * 1024 * 1024

BAND_STYLE = {"red": "bold red", "amber": "yellow", "green": "green"}


def _print_coloured(statuses: "Sequence[KriStatus]", today: "datetime.date") -> None:
    """The status table through rich, the status cell coloured by its band."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from riskctl.output.kri import STATUS_HEADER, status_footer, status_rows

    console = Console(highlight=False, force_terminal=True)
    table = Table(box=box.SIMPLE_HEAD, header_style="bold")
    for name in STATUS_HEADER:
        table.add_column(name, overflow="fold")
    for status, row in zip(statuses, status_rows(statuses), strict=True):
        cells = [Text(cell) for cell in row]  # Text: no markup, so `[...]` in a title survives
        cells[4].stylize(BAND_STYLE.get(status.band or "", ""))
        table.add_row(*cells)
    console.print(table)
    console.print(Text(status_footer(statuses, today), style="dim"))


def _kri_id(value: str | None) -> str | None:
    """`--kri`: a usage error (exit 2) for a value that is not a KRI id at all."""
    from riskctl.model.common import ID_REGEXES

    if value is not None and not ID_REGEXES["kri"].match(value):
        raise typer.BadParameter(f"{value!r} is not a KRI id: expected KRI- and 3 or more digits")
    return value


@app.command("ingest")
def ingest_command(
    csv_file: Annotated[
        Path,
        typer.Argument(
            help="A CSV export: date,value (with --kri) or date,kri,value rows; - for stdin.",
            metavar="FILE",
        ),
    ],
    path: RegisterArg = DEFAULT_REGISTER,
    kri: Annotated[
        str | None,
        typer.Option(
            "--kri",
            help="The KRI of a date,value file; with a kri column, only this KRI's rows.",
            metavar="KRI-ID",
            callback=_kri_id,
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace the value of a date the KRI already has."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would change; write nothing.")
    ] = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Add observations from a CSV export to the KRI files, keeping every comment.

    All or nothing: every row is checked first, and one bad row (named by its line), an
    unknown KRI, a date the KRI already has (without --replace) or a KRI file that does not
    load means exit 3 and no file changes. New items follow the style of the file's items and
    go in date order.
    """
    import sys

    from riskctl.fileio import printable
    from riskctl.kri.ingest import apply_plan, plan_ingest, read_csv

    with operational_errors():
        data, name = read_input(csv_file, CSV_LIMIT)
        rows = read_csv(data, name, kri)
        source = source_for(path, None)
        loaded = load_for(source, partial=True)
        plan = plan_ingest(loaded, source.folder, rows, name, replace=replace)
        if not dry_run:
            apply_plan(source.folder, plan)
    write_stdout(_ingest_report(plan, dry_run=dry_run))
    for edit in plan.edits:
        if edit.was_unsorted:
            sys.stderr.write(
                f"riskctl: warning: {printable(Path(edit.label))}: its observations are not in "
                "date order, so the new ones were appended at the end\n"
            )


def _ingest_report(plan: "IngestPlan", *, dry_run: bool) -> str:
    """One line per observation added (+) or replaced (~) with its band and XmR signals, then
    the summary."""
    from riskctl.textsafe import visible

    lines = []
    for edit in plan.edits:
        points = edit.new_points()
        for change in edit.changes:
            level, rules = points[change.date]
            signals = f"; XmR {', '.join(rules)}" if rules else ""
            if change.is_added:
                lines.append(f"{change.kri}: + {change.date} {change.text} ({level}{signals})")
            elif _same_number(change.old, change.text):
                lines.append(f"{change.kri}: = {change.date} {visible(change.old)} (unchanged)")
            else:
                lines.append(
                    f"{change.kri}: ~ {change.date} {visible(change.old)} -> {change.text} "
                    f"({level}{signals})"
                )
    kris = len(plan.edits)
    counts = f"{plan.added} observation{'s' if plan.added != 1 else ''}"
    if plan.replaced:
        counts += f" and {'replace' if dry_run else 'replaced'} {plan.replaced}"
    summary = f"{counts} in {kris} KRI{'s' if kris != 1 else ''}"
    if plan.skipped:
        summary += f"; {plan.skipped} row{'s' if plan.skipped != 1 else ''} of other KRIs skipped"
    if not plan.added and not plan.replaced:
        lines.append("no change: the register already has these values")
    elif dry_run:
        lines.append(f"would add {summary}; nothing written (--dry-run)")
    else:
        lines.append(f"added {summary}")
    return "\n".join(lines) + "\n"


def _same_number(old: str | None, new: str) -> bool:
    try:
        return old is not None and float(old) == float(new)
    except ValueError:
        return False
