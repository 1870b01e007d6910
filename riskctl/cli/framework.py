"""`riskctl framework import|list|show`: framework catalogues in the register and shipped."""

import enum
from pathlib import Path
from typing import Annotated

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    NoCacheOpt,
    PartialOpt,
    RegisterArg,
    RevisionOpt,
    load_as_of,
    operational_errors,
    read_input,
    source_for,
    today_or,
    write_result,
    write_stdout,
)

app = typer.Typer(
    name="framework",
    help="Framework catalogues (NIST CSF 2.0, SP 800-53, ...): import one, list them, show one.",
    no_args_is_help=True,
)


class ListFormat(enum.StrEnum):
    """Output formats of `framework list` and `framework show`."""

    TEXT = "text"
    JSON = "json"


FormatOpt = Annotated[ListFormat, typer.Option("--format", "-f", help="text or json.")]


def _framework_id(value: str | None) -> str | None:
    from riskctl.model.framework import FRAMEWORK_ID

    if value is not None and not FRAMEWORK_ID.fullmatch(value):
        raise typer.BadParameter(
            f"{value!r} is not a framework id: lower-case letters and digits joined by single "
            "- or ., e.g. nist-sp-800-53-rev5"
        )
    return value


@app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="An OSCAL catalog (JSON or YAML) or a CISO Assistant library file (YAML); "
            "- for stdin.",
            metavar="FILE",
        ),
    ],
    path: RegisterArg = DEFAULT_REGISTER,
    framework_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            help="The framework id, the file's name in frameworks/ (default: derived from the "
            "file: a CISO Assistant framework's urn, an OSCAL catalog's title).",
            callback=_framework_id,
            metavar="ID",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Replace the register's catalogue of that id (a newer edition)."
        ),
    ] = False,
) -> None:
    """Import a catalogue into PATH/frameworks/ID.yaml. The format is told from the content; the
    same file always gives the same bytes. A malformed file is exit 3 naming where (a JSON
    pointer or a YAML line), and nothing is written.
    """
    from riskctl.fileio import printable
    from riskctl.framework.importing import IMPORT_LIMIT
    from riskctl.framework.write import plan_import
    from riskctl.textsafe import visible
    from riskctl.writes import apply_changes

    with operational_errors():
        data, name = read_input(file, IMPORT_LIMIT)
        plan = plan_import(path, data, name, framework_id, replace=replace)
        written = apply_changes(path, [plan.change])
    imported = plan.imported
    counts = ", ".join(
        f"{count:,} {what if count != 1 else what[:-1]}" for what, count in imported.counts
    )
    total = len(plan.framework.requirements)
    verb = "replaced" if plan.replaces else "wrote"
    if plan.replaces and not written:
        verb = "unchanged"
    lines = [
        f"{verb} {printable(plan.change.path)}: {visible(plan.framework.name)}, version "
        f"{visible(plan.framework.version)}",
        f"read {imported.format}: {counts}; {total:,} requirement{'s' if total != 1 else ''} "
        "in all",
    ]
    if imported.format == "OSCAL catalog":
        lines.append(
            f"{imported.withdrawn:,} withdrawn control{'s' if imported.withdrawn != 1 else ''} "
            "left out"
        )
    write_stdout("\n".join(lines) + "\n")


@app.command("list")
def list_command(
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    output_format: FormatOpt = ListFormat.TEXT,
    partial: PartialOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """List every catalogue a mapping may name: the shipped ones and the register's own
    (frameworks/ID.yaml, which replaces a shipped one of the same id), with their requirement
    and grouping counts."""
    from riskctl.framework.listing import list_json, list_text, listed

    with operational_errors():
        source = source_for(path, revision)
        loaded = load_as_of(source, partial, today_or(None))  # catalogues are not dated
        rows = listed(loaded.register)
    text = list_json(rows) if output_format is ListFormat.JSON else list_text(rows)
    write_result(text, output_format.value, loaded.failed, source.label)


@app.command("show")
def show_command(
    framework_id: Annotated[str, typer.Argument(help="The framework id.", metavar="ID")],
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    output_format: FormatOpt = ListFormat.TEXT,
    partial: PartialOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Show a catalogue's requirements as a tree (groupings marked), with its source and
    licence. An unknown id is exit 3 with the known ones."""
    from riskctl.coverage import unknown_framework_message
    from riskctl.errors import RiskctlError
    from riskctl.framework.catalog import catalogue
    from riskctl.framework.listing import show_json, show_text

    with operational_errors():
        source = source_for(path, revision)
        loaded = load_as_of(source, partial, today_or(None))  # catalogues are not dated
        found = catalogue(loaded.register, framework_id)
        if found is None:
            raise RiskctlError(unknown_framework_message(loaded.register, framework_id))
    text = show_json(found) if output_format is ListFormat.JSON else show_text(found)
    write_result(text, output_format.value, loaded.failed, source.label)
