"""`riskctl fmt`: register files in canonical form (key order, layout), comments kept."""

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_OPERATIONAL,
    RegisterArg,
    operational_errors,
    write_stdout,
)

if TYPE_CHECKING:  # the core is imported inside the command, so `--help` stays fast
    from riskctl.fmt import Outcome


def fmt_command(
    path: RegisterArg = DEFAULT_REGISTER,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; name the files that would change and exit 1 if any."
        ),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff", help="Write nothing; print what would change as a unified diff (exit 1)."
        ),
    ] = False,
) -> None:
    """Put every register file in canonical form: keys in the schema's order, the shipped
    register's layout; comments, quotes, block and flow styles kept.

    Never changes a value: each new text is read back and must hold the same data and comments.
    A file with a YAML or schema error is left alone and named (fix it first: `riskctl lint`),
    exit 3; the other files are still formatted, all at once.
    """
    from riskctl import fmt
    from riskctl.textsafe import visible

    with operational_errors():
        plan = fmt.plan(path)
    label = visible(plan.label)
    changed = plan.changed
    dry = check or diff
    lines: list[str] = []
    if diff:
        lines += _diffs(plan.label, changed)
    elif check:
        lines += [f"would reformat {label}/{visible(outcome.file)}\n" for outcome in changed]
    else:
        with operational_errors():
            written = fmt.apply(plan)
        lines += [f"reformatted {label}/{visible(file)}\n" for file in written]
    write_stdout("".join(lines))
    for file, problem in plan.skipped:
        sys.stderr.write(f"riskctl: error: {label}/{visible(file)}: {visible(problem)}\n")
    unchanged = len(plan.outcomes) - len(changed) - sum(o.after is None for o in plan.outcomes)
    summary = _summary(len(changed), unchanged, len(plan.skipped), dry)
    (sys.stderr if diff else sys.stdout).write(summary)
    if plan.skipped:
        raise typer.Exit(EXIT_OPERATIONAL)
    raise typer.Exit(EXIT_FINDINGS if dry and changed else EXIT_CLEAN)


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


def _summary(changed: int, unchanged: int, skipped: int, dry: bool) -> str:
    """`1 file would be reformatted, 137 files already formatted` (ruff's words)."""
    if dry:
        parts = [f"{_files(changed)} would be reformatted"] if changed else []
    else:
        parts = [f"reformatted {_files(changed)}"] if changed else []
    parts.append(f"{_files(unchanged)} already formatted")
    if skipped:
        parts.append(f"{_files(skipped)} skipped (not formatted)")
    return ", ".join(parts) + "\n"


def _diffs(label: str, changed: list["Outcome"]) -> list[str]:
    """A unified diff per changed file; every line made safe for a terminal."""
    import difflib

    from riskctl.textsafe import visible

    lines: list[str] = []
    for outcome in changed:
        assert outcome.after is not None
        before = outcome.before.decode("utf-8", "replace").splitlines()
        after = outcome.after.decode("utf-8", "replace").splitlines()
        name = f"{label}/{outcome.file}"
        diff = difflib.unified_diff(before, after, name, name, lineterm="")
        lines.extend(visible(line) + "\n" for line in diff)
    return lines
