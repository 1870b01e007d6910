"""`riskctl schema export`: write the JSON Schemas of the register's files."""

from pathlib import Path
from typing import Annotated

import typer

from riskctl.cli._common import EXIT_FINDINGS, write_atomically, write_stdout

app = typer.Typer(name="schema", help="JSON Schemas of the register files.", no_args_is_help=True)


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the schemas to.")] = Path(
        "schemas"
    ),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if the folder is out of date.")
    ] = False,
) -> None:
    """Write one JSON Schema per kind (risk.schema.json, ...) and riskctl.schema.json."""
    from riskctl.model.schema import json_schemas

    stale = []
    for name, text in json_schemas().items():
        target = out / name
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        stale.append(name)
        if not check:
            write_atomically(target, text)
    if check:
        if stale:
            write_stdout("".join(f"out of date: {out / name}\n" for name in stale))
            raise typer.Exit(EXIT_FINDINGS)
        write_stdout(f"{out}: up to date\n")
    else:
        write_stdout(f"{out}: wrote {len(stale)} of {len(json_schemas())} schemas\n")
