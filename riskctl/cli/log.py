"""`riskctl log`: the history of one entity through the commits that touched its file."""

import enum
from typing import Annotated

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    NoCacheOpt,
    RegisterArg,
    operational_errors,
    write_stdout,
)


class LogFormat(enum.StrEnum):
    """Output formats of `riskctl log`."""

    TEXT = "text"
    JSON = "json"


def log_command(
    entity_id: Annotated[
        str,
        typer.Argument(
            help="The entity's id: R-001, C-012, INC-2026-014, KRI-001, LAUNCH-001, ACC-001, "
            "or an owner's slug.",
            metavar="ID",
            show_default=False,
        ),
    ],
    path: RegisterArg = DEFAULT_REGISTER,
    output_format: Annotated[
        LogFormat, typer.Option("--format", "-f", help="text or json.")
    ] = LogFormat.TEXT,
    revision: Annotated[
        str,
        typer.Option(
            "--rev",
            help="Start the history at this git revision (branch, tag or commit).",
            metavar="REV",
        ),
    ] = "HEAD",
    no_cache: NoCacheOpt = False,
) -> None:
    """Show one entity's history: each commit that touched its file, newest first.

    For each commit: whether the entity was added, modified (which fields) or removed, and for
    a risk its inherent, residual, projected and target scores and appetite status, computed
    with the whole register at that commit. Only commits that touched the entity's own file
    (e.g. register/risks/R-001.yaml) are listed: a risk's residual can also move in a commit
    that changed one of its controls, and such a commit is not listed. A commit at which the
    register cannot be read is shown with a note. Exit 3 for an id no commit touched, a bad
    revision, or a folder outside a git repository.
    """
    from riskctl.cli._common import source_for
    from riskctl.history import entity_history
    from riskctl.output.history import LOG_FORMATS

    with operational_errors():
        history = entity_history(source_for(path, revision), entity_id)
    write_stdout(LOG_FORMATS[output_format.value](history))
