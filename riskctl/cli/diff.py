"""`riskctl diff` and `riskctl gates list`: what a change does to risk, with policy gates."""

import enum
from pathlib import Path
from typing import Annotated

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    NoCacheOpt,
    NowOpt,
    PartialOpt,
    mark_not_counted,
    operational_errors,
    split_codes,
    today_or,
    write_result,
    write_stdout,
)


class DiffFormat(enum.StrEnum):
    """Output formats of `riskctl diff`."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def _is_folder(argument: str) -> bool:
    """Whether an argument names a folder; one that cannot be looked up (a name too long for
    the file system) is not one, so it is taken as a revision and refused as one."""
    try:
        return Path(argument).is_dir()
    except OSError:
        return False


def _split_arguments(arguments: list[str]) -> tuple[str | None, str | None, Path]:
    """[A] [B] [PATH]: the last argument is the register folder when it is a folder, or when
    there are three (then a PATH that is not a folder is exit 3, naming it)."""
    remaining = list(arguments)
    if "" in remaining[:2]:  # an unset shell variable (`riskctl diff "$BASE"`): not HEAD, silently
        raise typer.BadParameter(
            "an empty revision (an unset variable?); give a branch, tag or commit, or leave A out",
            param_hint="'[A] [B] [PATH]'",
        )
    path = DEFAULT_REGISTER
    if len(remaining) == 3 or (remaining and _is_folder(remaining[-1])):
        path = Path(remaining.pop())
    if len(remaining) > 2:
        raise typer.BadParameter(
            f"too many arguments: {' '.join(arguments)} (give [A] [B] [PATH])",
            param_hint="'[A] [B] [PATH]'",
        )
    first = remaining[0] if remaining else None
    second = remaining[1] if len(remaining) > 1 else None
    if first is not None and "..." in first and "" in first.split("...", 1):
        # git reads an empty side as HEAD, so `"$BASE...HEAD"` with BASE unset would compare
        # HEAD with itself and pass a pull request with "no changes".
        raise typer.BadParameter(
            f"{first!r}: A...B needs both sides (an unset variable?); write HEAD for HEAD",
            param_hint="'[A] [B] [PATH]'",
        )
    return first, second, path


def _check_gates(values: list[str] | None) -> list[str] | None:
    """`--fail-on`: a usage error (exit 2) for a gate that does not exist."""
    if values:
        from riskctl.diff import GATES

        unknown = [name.lower() for name in split_codes(values) if name.lower() not in GATES]
        if unknown:
            raise typer.BadParameter(
                f"no gate {', '.join(map(repr, unknown))}; gates: {', '.join(GATES)}"
            )
    return values


def diff_command(
    arguments: Annotated[
        list[str] | None,
        typer.Argument(
            help="[A] [B] [PATH]: revisions A (default HEAD) and B (default the working tree), "
            "or A...B for the change since their merge base; PATH the register folder.",
            metavar="[A] [B] [PATH]",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="text, json or markdown.")
    ] = DiffFormat.TEXT,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Gates that fail the run (exit 1) when they fire, comma-separated or repeated; "
            "added to gates.fail_on in riskctl.yaml. `riskctl gates list` names them.",
            metavar="GATES",
            callback=_check_gates,
        ),
    ] = None,
    now: NowOpt = None,
    partial: PartialOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Compare the register between two revisions: changes, every tier's movement, gates.

    Scores, gates and losses compare both sides as of --now (a record dated later counts on
    neither side); the changes are the data as written. Every gate that fires is reported in
    every format; only those named by --fail-on (or in
    riskctl.yaml) make the run fail with exit 1. A file that does not load on the new side is
    refused (exit 3) unless --partial, and then reported as broken, never as deleted.
    """
    from riskctl.diff import diff_registers
    from riskctl.diff_reads import diff_sources, read_diff_sides
    from riskctl.load import ParseCache
    from riskctl.output.diff import DIFF_FORMATS
    from riskctl.quant.inputs import refuse_unknown_input_keys
    from riskctl.source import load_source, refuse_partial

    first, second, path = _split_arguments(arguments or [])
    requested = [name.lower() for name in split_codes(fail_on)]
    with operational_errors():
        sides = read_diff_sides(*diff_sources(path, first, second))
        cache: ParseCache = sides.cache
        old_loaded = load_source(sides.old_source, sides.old, cache)
        new_loaded = load_source(sides.new_source, sides.new, cache)
        if not partial:
            refuse_partial(new_loaded, sides.new_source)
        refuse_unknown_input_keys(new_loaded.hits, sides.new_source.label, new_loaded.failed)
        old, new = old_loaded.register, new_loaded.register
        today = today_or(now)
        diff = diff_registers(  # both sides as of --now (riskctl.asof)
            old,
            new,
            today,
            sides.old_ref,
            sides.new_ref,
            old_loaded.failed,
            new_loaded.failed,
        )
    if sides.old_source.git().is_shallow():
        import dataclasses

        from riskctl.gitio import shallow_hint

        note = f"only the history this clone holds was read: {shallow_hint()}"
        diff = dataclasses.replace(diff, shallow_note=note)
    # The old side's policy too: a change must not switch off the gate that judges it.
    failing = set(requested) | set(old.config.gates.fail_on) | set(new.config.gates.fail_on)
    text = DIFF_FORMATS[output_format.value](diff, failing)
    label = sides.new_source.label
    text = mark_not_counted(text, output_format.value, diff.left_out, today)
    write_result(text, output_format.value, new_loaded.failed, label)
    fired = {hit.gate for hit in diff.gates}
    raise typer.Exit(EXIT_FINDINGS if fired & failing else EXIT_CLEAN)


gates_app = typer.Typer(
    name="gates", help="The policy gates of riskctl diff.", no_args_is_help=True
)


@gates_app.command("list")
def gates_list_command() -> None:
    """List every gate with its documentation."""
    from riskctl.diff import GATES

    blocks = [
        name + "\n" + "\n".join(f"  {line}".rstrip() for line in gate.doc.splitlines())
        for name, gate in GATES.items()
    ]
    write_stdout("\n\n".join(blocks) + "\n")
