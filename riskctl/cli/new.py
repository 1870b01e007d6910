"""`riskctl new`: a new entity file, with the next free id and a comment on every field."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from riskctl.cli._common import (
    NoCacheOpt,
    NowOpt,
    load_for,
    operational_errors,
    source_for,
    today_or,
    write_stdout,
)
from riskctl.errors import RiskctlError

#: How many times `new` takes the next free id when concurrent runs keep taking it first.
NEXT_ID_ATTEMPTS = 20


def new_command(
    kind: Annotated[
        str,
        typer.Argument(
            help="risk, control, owner, incident, kri, launch or acceptance (or its folder: "
            "risks, ...).",
            metavar="KIND",
            show_default=False,
        ),
    ],
    entity_id: Annotated[
        str | None,
        typer.Argument(
            help="The new id (default: the next free one; an owner needs one, e.g. payments-risk).",
            metavar="[ID]",
            show_default=False,
        ),
    ] = None,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The register folder (default: register).", metavar="[PATH]", show_default=False
        ),
    ] = None,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Prefill a field: FIELD=VALUE, repeatable; dotted for nested fields "
            "(inherent.likelihood=4), lists as a,b or [a, b], mappings as {k: v}.",
            metavar="FIELD=VALUE",
        ),
    ] = None,
    now: NowOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Create an entity file: the next free id, every required field, a comment on each field
    saying what it takes, and the schema line for editors.

    Values are checked (by the model, and references against the register) before anything is
    written. The path of the new file is printed on standard output, alone, for scripts:
    `$EDITOR "$(riskctl new risk --set category=payments-fraud)"`. Placeholders the analyst must
    replace say TODO.
    """
    from riskctl.fileio import printable
    from riskctl.newentity import (
        UsageProblem,
        find_kind,
        parse_setting,
        plan_new,
        split_arguments,
    )
    from riskctl.writes import FileChange, apply_changes

    today = today_or(now)
    try:
        chosen = find_kind(kind)
        given_id, folder_name = split_arguments(
            chosen, entity_id, str(path) if path is not None else None
        )
        parsed = [parse_setting(argument) for argument in settings or ()]
    except UsageProblem as problem:
        raise _usage(problem) from None
    folder = Path(folder_name)
    with operational_errors():
        for attempt in range(1, NEXT_ID_ATTEMPTS + 1):
            loaded = load_for(source_for(folder, None), partial=True)
            try:
                planned = plan_new(loaded, folder, chosen, given_id, parsed, today)
            except UsageProblem as problem:
                raise _usage(problem) from None
            try:  # a missing kind folder is created, and removed if the write fails
                change = FileChange(planned.path, None, planned.text.encode("utf-8"))
                apply_changes(folder, [change])
                break
            except RiskctlError:
                # another `riskctl new` took the next free id meanwhile: take the one after it
                if given_id is None and attempt < NEXT_ID_ATTEMPTS and planned.path.exists():
                    continue
                raise
    write_stdout(f"{printable(planned.path)}\n")
    plural = "s" if planned.todos != 1 else ""
    todo = f"replace the {planned.todos} TODO{plural}, then " if planned.todos else ""
    sys.stderr.write(f"next: {todo}riskctl lint {printable(folder)}\n")


def _usage(problem: Exception) -> typer.BadParameter:
    """Exit 2 with the problem's message; what it quotes (a --set value, an id read from a broken
    file) is shown escaped, never run by the terminal."""
    from riskctl.textsafe import visible

    return typer.BadParameter(visible(problem))
