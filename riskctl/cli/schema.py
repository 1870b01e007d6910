"""`riskctl schema export`: write the JSON Schemas of the register's files."""

from pathlib import Path
from typing import Annotated

import typer

from riskctl.cli._common import EXIT_FINDINGS, operational_errors, write_stdout
from riskctl.errors import RiskctlError

#: A schema file larger than this cannot be one riskctl wrote: it is out of date.
SCHEMA_LIMIT = 1 << 20

app = typer.Typer(name="schema", help="JSON Schemas of the register files.", no_args_is_help=True)


@app.command("export")
def export_command(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder to write the schemas to; created if only it is missing. A file in it "
            "that is not a regular file is refused.",
            metavar="DIR",
        ),
    ] = Path("schemas"),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if the folder is out of date.")
    ] = False,
) -> None:
    """Write one JSON Schema per kind (risk.schema.json, ...) and riskctl.schema.json."""
    from riskctl.fileio import check_output_path, check_usable, prepare_folder, write_file
    from riskctl.model.schema import json_schemas

    schemas = json_schemas()
    stale = []
    with operational_errors():
        if not check:
            prepare_folder(out)
        else:
            check_usable(out, "--out")
            if (out.exists() or out.is_symlink()) and not out.is_dir():
                raise RiskctlError(f"--out {out}: not a folder")
        for name, text in schemas.items():
            target = out / name
            if target.exists() or target.is_symlink():
                check_output_path(target)
                small = target.stat().st_size <= SCHEMA_LIMIT
                current = target.read_bytes().decode("utf-8", "replace") if small else None
            else:
                current = None
            if current == text:
                continue
            stale.append(name)
            if not check:
                write_file(target, text)
    if check:
        if stale:
            write_stdout("".join(f"out of date: {out / name}\n" for name in stale))
            raise typer.Exit(EXIT_FINDINGS)
        write_stdout(f"{out}: up to date\n")
    else:
        write_stdout(f"{out}: wrote {len(stale)} of {len(schemas)} schemas\n")
