"""What every command shares: options, exit codes, the clock, errors, atomic writes, output."""

from __future__ import annotations

import contextlib
import enum
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from riskctl.errors import RiskctlError

if TYPE_CHECKING:  # datetime and tempfile are imported where used: `--help` stays fast
    import datetime

    from riskctl.load import Sources

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_OPERATIONAL = 3
EXIT_INTERNAL = 4


def _parse_date(value: str | None) -> str | None:
    if value is not None:
        try:
            import datetime

            datetime.date.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD") from None
    return value


RegisterArg = Annotated[
    Path,
    typer.Argument(
        help="The register folder.", show_default=True, metavar="[PATH]", file_okay=True
    ),
]
DEFAULT_REGISTER = Path("register")
NowOpt = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Today's date for date-dependent checks, YYYY-MM-DD (default: today).",
        callback=_parse_date,
        metavar="YYYY-MM-DD",
    ),
]


RevisionOpt = Annotated[
    str | None,
    typer.Option(
        "--rev",
        help="Read the register as it was at this git revision (branch, tag or commit), "
        "from git objects; the working tree is not touched.",
        metavar="REV",
    ),
]


def read_sources(path: Path, revision: str | None) -> Sources:
    """The register's files: from the working tree, or from git at `revision`."""
    if revision is None:
        from riskctl.load import read_directory

        return read_directory(path)
    from riskctl.gitio import sources_at

    return sources_at(path, revision)


class ColorChoice(enum.StrEnum):
    """When to colour text output."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


ColorOpt = Annotated[
    ColorChoice,
    typer.Option(
        "--color", help="Colour text output: auto (a terminal, NO_COLOR unset), always, never."
    ),
]


def today_or(now: str | None) -> datetime.date:
    """`--now` if given, else today: the only place riskctl reads the clock."""
    import datetime

    return datetime.date.fromisoformat(now) if now else datetime.date.today()


def split_codes(values: list[str] | None) -> tuple[str, ...]:
    """`--select RK0,RK1 --select RK3` → ("RK0", "RK1", "RK3"), upper-cased."""
    return tuple(
        part.strip().upper() for value in values or () for part in value.split(",") if part.strip()
    )


@contextlib.contextmanager
def operational_errors() -> Iterator[None]:
    """Turn a `RiskctlError` into `riskctl: error: ...` on stderr and exit 3."""
    try:
        yield
    except RiskctlError as error:
        from riskctl.textsafe import visible  # a message quotes paths and values: show, never run

        sys.stderr.write(f"riskctl: error: {visible(error, keep_newlines=True)}\n")
        raise typer.Exit(EXIT_OPERATIONAL) from None


def write_stdout(text: str) -> None:
    """Write text to stdout as is (no markup, no wrapping)."""
    sys.stdout.write(text)
    sys.stdout.flush()


def use_color(choice: ColorChoice) -> bool:
    """Whether to colour: always, never, or on a terminal with NO_COLOR unset."""
    if choice is ColorChoice.ALWAYS:
        return True
    if choice is ColorChoice.NEVER or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def write_atomically(path: Path, text: str) -> None:
    """Write a file through a temporary file in the same folder and `os.replace`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
