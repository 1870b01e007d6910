"""`riskctl incidents`: incidents and near-misses per risk and per root-cause category."""

import enum
from typing import Annotated

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    NoCacheOpt,
    NowOpt,
    PartialOpt,
    RegisterArg,
    RevisionOpt,
    _parse_date,
    load_as_of,
    operational_errors,
    source_for,
    today_or,
    write_result,
)


class IncidentsFormat(enum.StrEnum):
    """Output formats of `riskctl incidents`."""

    TEXT = "text"
    JSON = "json"


SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Count only what occurred on or after this date (default: all up to --now).",
        callback=_parse_date,
        metavar="YYYY-MM-DD",
    ),
]


def incidents_command(
    path: RegisterArg = DEFAULT_REGISTER,
    since: SinceOpt = None,
    now: NowOpt = None,
    revision: RevisionOpt = None,
    output_format: Annotated[
        IncidentsFormat, typer.Option("--format", "-f", help="text or json.")
    ] = IncidentsFormat.TEXT,
    partial: PartialOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Count incidents and near-misses per risk and per root-cause category.

    Counts what occurred on or before --now (and on or after --since), with the
    near-miss-to-incident ratio, near-misses ÷ incidents, as a leading indicator. Exit 3 for a
    register that cannot be read.
    """
    import datetime

    from riskctl.incidents import summarise
    from riskctl.output.incidents import INCIDENT_FORMATS

    today = today_or(now)
    first = datetime.date.fromisoformat(since) if since else None
    if first is not None and first > today:
        raise typer.BadParameter(
            f"{first} is after --now ({today}): nothing can have occurred in between",
            param_hint="'--since'",
        )
    with operational_errors():
        source = source_for(path, revision)
        loaded = load_as_of(source, partial, today)
    text = INCIDENT_FORMATS[output_format.value](summarise(loaded.register, today, first))
    write_result(
        text,
        "json" if output_format is IncidentsFormat.JSON else "text",
        loaded.failed,
        source.label,
        loaded.as_of,
    )
