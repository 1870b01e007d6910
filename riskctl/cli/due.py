"""`riskctl due`: what falls due or is overdue, by owner, with each owner's escalation."""

import enum
from typing import Annotated

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    NoCacheOpt,
    NowOpt,
    PartialOpt,
    RegisterArg,
    RevisionOpt,
    load_as_of,
    note_left_out,
    operational_errors,
    source_for,
    today_or,
    write_result,
)


class DueFormat(enum.StrEnum):
    """Output formats of `riskctl due`."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def due_command(
    path: RegisterArg = DEFAULT_REGISTER,
    within: Annotated[
        int,
        typer.Option(
            "--within",
            min=0,
            max=3650,
            metavar="DAYS",
            help="List what falls due within DAYS days of --now (0: only what is overdue or "
            "due today).",
        ),
    ] = 14,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            metavar="OWNER",
            help="Only this owner's items, and the overdue items escalated to them (owners "
            "whose `escalation` they are, overdue by more than `due: escalate_after_days`).",
        ),
    ] = None,
    output_format: Annotated[
        DueFormat,
        typer.Option(
            "--format", "-f", help="text, json, or markdown (an issue body or chat message)."
        ),
    ] = DueFormat.TEXT,
    now: NowOpt = None,
    fail_overdue: Annotated[
        bool, typer.Option("--fail-overdue", help="Exit 1 when anything listed is overdue.")
    ] = False,
    revision: RevisionOpt = None,
    partial: PartialOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """List what falls due or is overdue as of --now, grouped by owner.

    Risk reviews, acceptances expiring, incident actions, pre-mortem decisions before a launch,
    KRI observations, key control operating tests and launch monitoring reviews, each dated as
    lint dates it (an item is overdue exactly when its lint rule fires). Records dated after
    --now do not count. Exit 0, or 1 with --fail-overdue when something is overdue; 3 for an
    unknown owner or a register that cannot be read.
    """
    from riskctl.due import due
    from riskctl.output.due import DUE_FORMATS

    today = today_or(now)
    with operational_errors():
        source = source_for(path, revision)
        loaded = load_as_of(source, partial, today)
        # `due` takes the register as written (for positions) and as of `today` (its JSON and
        # Markdown name what was not counted); the note on stderr is every command's.
        report = due(loaded.loaded.register, today, within, owner, loaded.as_of)
    note_left_out(loaded.left_out, today)
    text = DUE_FORMATS[output_format.value](report, source.label)
    write_result(text, output_format.value, loaded.failed, source.label)
    raise typer.Exit(EXIT_FINDINGS if fail_overdue and report.has_overdue else EXIT_CLEAN)
