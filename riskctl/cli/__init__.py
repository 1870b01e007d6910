"""The command line: thin typer commands around the core. Only this package prints and exits.

Command modules do not use `from __future__ import annotations`: typer evaluates every command's
annotations on each `--help`, and as strings that cost about 15 ms of start-up (a test keeps it
so).
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn

import typer

from riskctl import __version__
from riskctl.cli import (
    cache,
    codeowners,
    coverage,
    diff,
    due,
    fmt,
    framework,
    incidents,
    init,
    kri,
    lint,
    log,
    new,
    premortem,
    quant,
    rcm,
    report,
    rules,
    schema,
    score,
)
from riskctl.cli._common import EXIT_INTERNAL, EXIT_OPERATIONAL


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"riskctl {__version__}\n")
        raise typer.Exit()


app = typer.Typer(
    name="riskctl",
    help="A git-native risk register: lint, score, diff and report YAML risk registers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """riskctl: a git-native risk register toolkit."""
    from riskctl.load.cache import configure, disabled_by_environment

    configure(enabled=not disabled_by_environment())


app.command("init")(init.init_command)
app.command("lint")(lint.lint_command)
app.command("new")(new.new_command)
app.command("fmt")(fmt.fmt_command)
app.command("score")(score.score_command)
app.command("diff")(diff.diff_command)
app.command("log")(log.log_command)
app.command("premortem")(premortem.premortem_command)
app.command("incidents")(incidents.incidents_command)
app.command("due")(due.due_command)
app.command("quant")(quant.quant_command)
app.command("codeowners")(codeowners.codeowners_command)
app.command("coverage")(coverage.coverage_command)
app.add_typer(cache.app)
app.add_typer(diff.gates_app)
app.add_typer(framework.app)
app.add_typer(kri.app)
app.add_typer(rcm.app)
app.add_typer(report.app)
app.add_typer(rules.app)
app.add_typer(schema.app)


def main() -> None:
    """Run the CLI; a bug exits 4 with a report line and no register data."""
    # A one-shot process: reference counting frees almost everything, and the cyclic collector
    # would only walk the register's millions of acyclic objects again and again (about 10% of
    # a large lint). Library callers keep the collector; `load` pauses it only while parsing.
    gc.disable()
    # A locale whose encoding lacks a character riskctl prints (C with PYTHONUTF8=0, Latin-1, a
    # Windows console) gets it as a `\u` escape, as a control character is shown, not a crash.
    if sys.stderr is None:  # started with descriptor 2 closed: messages go nowhere, no crash
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process
    if sys.stdout is None:  # started with descriptor 1 closed (`>&-`)
        sys.stderr.write("riskctl: error: standard output is closed; redirect it (> FILE)\n")
        raise SystemExit(EXIT_OPERATIONAL)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        app(prog_name="riskctl")
    except OSError as error:
        if not _is_output_error(error):
            _internal_error(error)
        # Whatever is still buffered would fail again at exit: send it nowhere.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.stderr.write(f"riskctl: error: cannot write to standard output: {error.strerror}\n")
        raise SystemExit(EXIT_OPERATIONAL) from None
    except Exception as error:  # only bugs get here: RiskctlError already exited 3
        _internal_error(error)


def _is_output_error(error: OSError) -> bool:
    """Whether writing standard output failed (a full disk, a closed descriptor): the two
    places that write it are `write_stdout` and rich's console."""
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename)
        if (path.name, frame.name) == ("_common.py", "write_stdout") or (
            path.name == "console.py" and "rich" in path.parts
        ):
            return True
    return False


def _internal_error(error: Exception) -> NoReturn:
    """Exit 4: a bug, reported with riskctl's frames and no register data."""
    frames = traceback.extract_tb(error.__traceback__)
    sys.stderr.write("Traceback (most recent call last):\n")
    for frame in frames:  # no source lines: only riskctl's own frames, no data
        sys.stderr.write(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n')
    sys.stderr.write(f"{type(error).__module__}.{type(error).__qualname__}\n")
    sys.stderr.write(
        f"riskctl {__version__}: internal error; please report it with the traceback above "
        "(the error's message is left out: it may quote register data)\n"
    )
    raise SystemExit(EXIT_INTERNAL) from None
