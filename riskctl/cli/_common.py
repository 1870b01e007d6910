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

if TYPE_CHECKING:  # datetime is imported where used: `--help` stays fast
    import datetime
    from collections.abc import Mapping, Sequence

    from riskctl.asof import AsOf, LeftOut, LoadedAsOf, NotCounted
    from riskctl.load import Loaded, ParseCache, Sources
    from riskctl.output.partial import OutputKind
    from riskctl.source import RegisterSource

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_OPERATIONAL = 3
EXIT_INTERNAL = 4


def _parse_date(value: str | None) -> str | None:
    """A YYYY-MM-DD date: fromisoformat alone also takes 20260101 and week dates (2026-W01 is
    2025-12-29), which would silently set another day than the user meant."""
    if value is not None:
        import datetime
        import re

        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                raise ValueError(value)
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
        help="Today's date, YYYY-MM-DD (default: today): computing commands read the register "
        "as of it; lint notes records dated later.",
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


PartialOpt = Annotated[
    bool,
    typer.Option(
        "--partial",
        help="Go on when some register files did not load (`riskctl lint` shows why); the "
        "output names the files left out. Without it such a register is refused (exit 3).",
    ),
]


def _turn_cache_off(value: bool) -> bool:
    """`--no-cache`: the persistent cache is off for this run. The root callback has already
    turned it on (click runs a group's callback before it parses the command's options)."""
    if value:
        from riskctl.load.cache import configure

        configure(enabled=False)
    return value


NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Neither read nor write the persistent cache (also RISKCTL_NO_CACHE=1).",
        callback=_turn_cache_off,
        is_eager=True,
    ),
]
"""Every command that reads a register through `riskctl.load.load` takes it; the callback does
the work, so a command only declares the parameter (`no_cache: NoCacheOpt = False`)."""


def source_for(
    path: Path, revision: str | None, *, with_repository: bool = False
) -> RegisterSource:
    """Which register: `PATH` and `--rev`, resolved once (see `riskctl.source`)."""
    from riskctl.source import register_source

    return register_source(path, revision, with_repository=with_repository)


def load_for(source: RegisterSource, partial: bool, cache: ParseCache | None = None) -> Loaded:
    """The loaded register; refused (RiskctlError) when a file did not load, unless partial."""
    from riskctl.source import read_register

    return read_register(source, cache, partial=partial)


def load_as_of(
    source: RegisterSource,
    partial: bool,
    today: datetime.date,
    cache: ParseCache | None = None,
    *,
    sources: Sources | None = None,
) -> LoadedAsOf:
    """The loaded register as of `today` (`--now`): what every command that computes on the
    register reads. `.register` has every record dated after `today` left out, `.left_out`
    says which, `.loaded` is the register as written (hits, failed files). Writing commands
    (new, fmt, rcm, kri ingest) edit data as written and use `load_for`."""
    from riskctl.asof import read_as_of

    return read_as_of(source, today, cache, partial=partial, sources=sources)


def note_left_out(left_out: Sequence[LeftOut], today: datetime.date) -> None:
    """One stderr note naming the records `--now` left out; nothing when none were."""
    from riskctl.output.left_out import left_out_note

    note = left_out_note(left_out, today)
    if note:
        sys.stderr.write(f"riskctl: note: {note}\n")


def mark_not_counted(
    text: str, kind: str, left_out: Sequence[LeftOut], today: datetime.date
) -> str:
    """The output with the records `--now` left out: a JSON document gains `not_counted`, and
    one note goes to stderr (any format); as is when none were left out."""
    if not left_out:
        return text
    if kind == "json":
        from riskctl.output.left_out import with_not_counted

        text = with_not_counted(text, left_out)
    note_left_out(left_out, today)
    return text


def write_result(
    text: str,
    kind: OutputKind,
    failed: Mapping[str, str] | None = None,
    label: str = "",
    as_of: AsOf | NotCounted | None = None,
) -> None:
    """Write a command's output; after a `--partial` read it names the files left out, and
    with `as_of` the records dated after `--now` that were not counted (a JSON document's
    `not_counted` list, and one stderr note)."""
    if as_of is not None:
        text = mark_not_counted(text, kind, as_of.left_out, as_of.today)
    if failed:
        from riskctl.output.partial import mark_partial

        text, note = mark_partial(text, kind, failed, label)
        if note:
            sys.stderr.write(f"riskctl: warning: {note}")
    write_stdout(text)


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


def check_rule_prefixes(values: list[str] | None) -> list[str] | None:
    """`--select`/`--ignore`: a usage error (exit 2) for a prefix that starts no rule's code."""
    if values:
        from riskctl.lint.rules import all_rules

        codes = all_rules()
        unknown = [
            prefix
            for prefix in split_codes(values)
            if not any(code.startswith(prefix) for code in codes)
        ]
        if unknown:
            raise typer.BadParameter(
                f"no rule code starts with {', '.join(map(repr, unknown))}; "
                "`riskctl rules list` shows the codes (RK001, ...)"
            )
    return values


@contextlib.contextmanager
def operational_errors() -> Iterator[None]:
    """Turn a `RiskctlError` into `riskctl: error: ...` on stderr and exit 3."""
    try:
        yield
    except RiskctlError as error:
        from riskctl.textsafe import visible  # a message quotes paths and values: show, never run

        sys.stderr.write(f"riskctl: error: {visible(error, keep_newlines=True)}\n")
        raise typer.Exit(EXIT_OPERATIONAL) from None


def read_input(file: Path, limit: int) -> tuple[bytes, str]:
    """The bytes of the input FILE (`-`: standard input) and its name for messages; at most
    `limit` bytes, a file that is not a regular file or cannot be read is a `RiskctlError`."""
    from riskctl.fileio import STDOUT, printable, read_limited

    if file != STDOUT:
        return read_limited(file, limit, "FILE"), printable(file)
    name = "<stdin>"
    if sys.stdin is None:
        raise RiskctlError(f"{name}: standard input is closed; give FILE or pipe the file in")
    try:
        data: bytes = sys.stdin.buffer.read(limit + 1)
    except (OSError, ValueError) as error:
        raise RiskctlError(f"{name}: cannot read standard input: {error}") from None
    if len(data) > limit:
        raise RiskctlError(f"{name}: larger than {limit:,} bytes, the most riskctl reads")
    return data, name


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


def write_output(out: Path | None, text: str) -> None:
    """Print `text`, or write it to `out` (`-` is stdout) and say so on stdout."""
    from riskctl.fileio import STDOUT, printable, write_file

    if out is None or out == STDOUT:
        write_stdout(text)
        return
    with operational_errors():
        write_file(out, text)
    write_stdout(f"wrote {printable(out)}\n")


def check_out(out: Path | None, register: Path | None = None) -> None:
    """Refuse a bad `--out` before any work is done (`write_output` checks again), and one
    inside the `register` folder: a report written there would replace a register file, or
    be an unexpected file the next lint reports."""
    from riskctl.fileio import STDOUT, check_output_path

    if out is not None and out != STDOUT:
        with operational_errors():
            check_output_path(out)
            if register is not None and _inside(out, register):
                raise RiskctlError(
                    f"--out {out}: inside the register folder {register}; write reports "
                    "elsewhere (e.g. build/)"
                )


def check_out_folder(out: Path, register: Path, templates: Path | None = None) -> None:
    """Refuse an `--out DIR` that is the register folder, lies inside it or holds it, or holds
    the `--templates` folder (replacing it would delete them), before any work is done
    (`fileio.write_folder` checks the folder itself)."""
    if _inside(out, register) or _inside(register, out):
        where = "inside" if _inside(out, register) else "holding"
        raise RiskctlError(
            f"--out {out}: {where} the register folder {register}; write the site elsewhere "
            "(e.g. build/site)"
        )
    if templates is not None and _inside(templates, out):
        raise RiskctlError(
            f"--templates {templates}: inside --out {out}, which a run replaces as a whole; "
            "keep the templates outside it"
        )


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or lies under it, following links as the OS would."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop: check_output_path refuses links anyway
        return False
