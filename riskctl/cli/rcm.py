"""`riskctl rcm export|import`: the Risk Control Matrix as a spreadsheet, and edits back."""

import enum
from pathlib import Path
from typing import Annotated

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    NoCacheOpt,
    NowOpt,
    RegisterArg,
    check_out,
    load_for,
    operational_errors,
    read_input,
    source_for,
    today_or,
    write_stdout,
)

app = typer.Typer(
    name="rcm",
    help="The Risk Control Matrix as a spreadsheet (CSV or xlsx): export it, import edits back.",
    no_args_is_help=True,
)


class FileFormat(enum.StrEnum):
    """The spreadsheet file format written."""

    CSV = "csv"
    XLSX = "xlsx"


@app.command("export")
def export_command(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="The file to write, replaced atomically; - is standard output (csv only).",
            metavar="FILE",
        ),
    ],
    path: RegisterArg = DEFAULT_REGISTER,
    output_format: Annotated[
        FileFormat,
        typer.Option(
            "--format",
            "-f",
            help="csv: the RCM sheet alone; xlsx: the RCM and a sheet per kind, with "
            "validation lists and level colours.",
        ),
    ] = FileFormat.CSV,
    now: NowOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Write the RCM: one row per risk-control pair of the open risks (process, risk, inherent,
    control, key, nature, automation, frequency, design and operating effectiveness, last test,
    residual); in xlsx also one sheet per kind. The same register gives the same bytes.
    """
    import datetime

    from riskctl.fileio import STDOUT, printable, write_file
    from riskctl.rcm.csvio import write_csv
    from riskctl.rcm.table import build_sheets

    if output_format is FileFormat.XLSX and out == STDOUT:
        raise typer.BadParameter("xlsx is a binary file: name a file (--out FILE.xlsx)")
    check_out(out, path)
    with operational_errors():
        loaded = load_for(source_for(path, None), partial=False)
        sheets = build_sheets(loaded.register)
        content: str | bytes
        if output_format is FileFormat.XLSX:
            from riskctl.rcm.xlsx import write_workbook

            created = None
            if now is not None:  # without --now a fixed date: the bytes depend on the register
                created = datetime.datetime.combine(today_or(now), datetime.time())
            content = write_workbook(sheets, created=created)
        else:
            content = write_csv(sheets[0])
        if out == STDOUT:
            write_stdout(str(content))
            return
        write_file(out, content)
    what = "sheets" if output_format is FileFormat.XLSX else "sheet"
    write_stdout(
        f"wrote {printable(out)}: {len(sheets[0].rows)} risk-control pairs"
        f"{f' and {len(sheets) - 1} kind {what}' if output_format is FileFormat.XLSX else ''}\n"
    )


@app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="The edited spreadsheet: the CSV or xlsx `rcm export` wrote; - for stdin.",
            metavar="FILE",
        ),
    ],
    path: RegisterArg = DEFAULT_REGISTER,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the change as `riskctl diff` shows it; write nothing."
        ),
    ] = False,
    now: NowOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Apply the sheet's edits to the register's YAML files, field by field, keeping comments
    and every other byte. Any problem (a value a field cannot take, an edit to a computed
    column, two different edits of one field, an unknown row) is reported with its sheet, row
    and column, and then nothing is written (exit 3).
    """
    from riskctl.diff import diff_registers
    from riskctl.fileio import printable
    from riskctl.load import load
    from riskctl.output.diff import render_text
    from riskctl.rcm.csvio import CSV_LIMIT, read_csv
    from riskctl.rcm.plan import plan_import
    from riskctl.rcm.table import RCM_SHEET, build_sheets, sheet_for_header
    from riskctl.rcm.xlsx import read_workbook
    from riskctl.textsafe import visible
    from riskctl.writes import apply_changes

    today = today_or(now)
    with operational_errors():
        data, name = read_input(file, CSV_LIMIT)
        source = source_for(path, None)
        loaded = load_for(source, partial=False)
        sheets = build_sheets(loaded.register)
        is_csv = not _is_workbook(file, data)
        if is_csv:
            headers = {column.header for sheet in sheets for column in sheet.columns}
            raw = read_csv(data, name, headers, RCM_SHEET)
            raw.name = sheet_for_header(sheets, raw.header)
            raw_sheets = [raw]
        else:
            raw_sheets = read_workbook(data, name)
        plan = plan_import(loaded, path, raw_sheets, name, today, sheets, escaped=is_csv)
        lines = [
            f"{edit.id} {edit.dotted}: {_shown(edit.old)} -> {_shown(edit.new)} ({edit.cell})"
            for edit in plan.edits
        ]
        if dry_run and plan.changes:
            new = load(plan.sources).register
            diff = diff_registers(loaded.register, new, today, "worktree", "import")
            write_stdout(render_text(diff, set()) + "\n")
        written: list[Path] = []
        if not dry_run:
            written = apply_changes(path, plan.changes)
    report = [visible(line) for line in lines]
    for sheet, count in sorted(plan.missing.items()):
        if count:
            report.append(f"{sheet}: {count} row{'s' if count != 1 else ''} of the register "
                          "not in the file: left alone")  # fmt: skip
    if not plan.edits:
        report.append("no edits: the file matches the register; nothing written")
    elif dry_run:
        count = len(plan.changes)
        report.append(
            f"dry run: {count} file{'s' if count != 1 else ''} would change; nothing written"
        )
    else:
        shown = ", ".join(printable(each) for each in written)
        report.append(f"changed {len(written)} file{'s' if len(written) != 1 else ''}: {shown}")
    write_stdout("\n".join(report) + "\n")


#: How a workbook starts: a zip (xlsx, xlsb, ods) or an OLE file (xls, an encrypted xlsx).
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def _is_workbook(file: Path, data: bytes) -> bool:
    """A workbook by its content or its name (`read_workbook` says why a misnamed one is not
    one); anything else is read as CSV."""
    named = file.name != "-" and file.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
    return named or data.startswith(_WORKBOOK_MAGIC)


def _shown(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
