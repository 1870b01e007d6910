"""`riskctl init`: a new, lint-clean register."""

from pathlib import Path
from typing import Annotated

import typer

from riskctl.cli._common import operational_errors, write_stdout


def init_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="Where to create the register: a new folder, or an empty one.",
            metavar="[PATH]",
            show_default=True,
        ),
    ] = Path("register"),
) -> None:
    """Create a register: riskctl.yaml with commented categories and appetite, a folder per kind,
    and the JSON Schemas inside it (.schemas/) for editors.

    Refuses (exit 3) a PATH that exists and is not an empty folder: nothing is overwritten. The
    register is built beside PATH and renamed into place, so it appears whole or not at all.
    """
    from riskctl.fileio import check_usable, printable
    from riskctl.scaffold import init_register

    with operational_errors():
        check_usable(path, "")
        written = init_register(path)
    shown = printable(path)
    write_stdout(
        f"created {shown}: {len(written)} files\n"
        f"next: `riskctl new owner OWNER-ID {shown}`, then "
        f"`riskctl new risk {shown} --set category=CATEGORY`, then `riskctl lint {shown}`\n"
    )
