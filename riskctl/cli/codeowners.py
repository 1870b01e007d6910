"""`riskctl codeowners`: the register's owners as required reviewers, in CODEOWNERS."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    NoCacheOpt,
    RegisterArg,
    load_for,
    operational_errors,
    source_for,
    write_stdout,
)

if TYPE_CHECKING:  # the core is imported inside the command, so `--help` stays fast
    from riskctl.codeowners import Unowned, Update

#: How many files without a handle a warning names before it counts the rest.
NAMED_FILES = 10


def codeowners_command(
    path: RegisterArg = DEFAULT_REGISTER,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 with a unified diff when the file is out of date "
            "(a missing file is out of date).",
        ),
    ] = False,
    print_block: Annotated[
        bool,
        typer.Option("--print", help="Write nothing; print riskctl's block to standard output."),
    ] = False,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="The CODEOWNERS file (default: codeowners.file in riskctl.yaml, else the first "
            "of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS that exists, else "
            ".github/CODEOWNERS).",
            metavar="FILE",
        ),
    ] = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Write the register's owners into CODEOWNERS, so a pull request that changes an entity
    file needs its owner's review (an acceptance: its approver's).

    One line per register file, between `# BEGIN riskctl codeowners /register/` and its `# END`
    line; every other line of the file is kept byte for byte. Owners need a `github` handle.
    """
    if check and print_block:
        raise typer.BadParameter("--check and --print do not go together: choose one")
    from riskctl.codeowners import locate, plan_block, plan_update, write_update
    from riskctl.errors import RiskctlError
    from riskctl.textsafe import visible  # codeowners.file is riskctl.yaml's text

    with operational_errors():
        source = source_for(path, None, with_repository=True)
        if source.repository is None:
            raise RiskctlError(
                f"{source.label}: not inside a git repository; CODEOWNERS patterns are rooted "
                "at the repository, so riskctl codeowners needs the one holding the register"
            )
        register = load_for(source, partial=False).register
        inside = source.repository.relative(source.folder)
        command = f"riskctl codeowners {inside or '.'}"
        if print_block:
            root = source.repository.root
            relative = locate(root, register.config.codeowners.file, file)[3]
            block = plan_block(register, inside, command, relative)
            write_stdout(block.render().decode("utf-8"))
            _warn_unowned(block.unowned, block.default_handles)
            raise typer.Exit(EXIT_CLEAN)
        update = plan_update(register, source.repository.root, inside, command, file)
        _warn(update)
        if check:
            raise typer.Exit(_check(update, path))
        if update.is_current:
            write_stdout(f"{visible(update.shown)}: up to date\n")
            raise typer.Exit(EXIT_CLEAN)
        write_update(update)
    lines = len(update.block.lines)
    write_stdout(
        f"wrote {visible(update.shown)}: {lines} line{'s' if lines != 1 else ''} for "
        f"{update.block.folder}\n"
    )


def _check(update: "Update", path: Path) -> int:
    """`--check`: the diff on stdout and the cure on stderr when out of date; the exit code."""
    import difflib

    from riskctl.textsafe import visible

    if update.is_current:
        write_stdout(f"{visible(update.shown)}: up to date\n")
        return EXIT_CLEAN
    before = (update.before or b"").decode("utf-8", "replace").splitlines()
    after = update.after.decode("utf-8", "replace").splitlines()
    old = update.shown if update.before is not None else "/dev/null"
    diff = difflib.unified_diff(before, after, old, update.shown, lineterm="")
    write_stdout("".join(visible(line) + "\n" for line in diff))
    state = "out of date" if update.before is not None else "missing"
    sys.stderr.write(
        f"riskctl: {visible(update.shown)} is {state}; run `riskctl codeowners "
        f"{visible(str(path))}` and commit it\n"
    )
    return EXIT_FINDINGS


def _warn(update: "Update") -> None:
    """Say on stderr what keeps the file from binding every register file's owner."""
    from riskctl.textsafe import visible

    for note in update.notes:
        sys.stderr.write(f"riskctl: warning: {visible(note)}\n")
    if update.rules_after:
        count = update.rules_after
        sys.stderr.write(
            f"riskctl: warning: {visible(update.shown)}: {count} pattern "
            f"line{'s' if count != 1 else ''} after riskctl's block; the last matching line "
            "wins, so a later line that matches a register file overrides its owners: move "
            "the block to the end\n"
        )
    _warn_unowned(update.block.unowned, update.block.default_handles)


def _warn_unowned(files: "tuple[Unowned, ...]", default_handles: tuple[str, ...]) -> None:
    """`N register files have no owner with a github handle: ...`."""
    from riskctl.textsafe import visible

    if not files:
        return
    named = "; ".join(f"{each.file} ({each.why})" for each in files[:NAMED_FILES])
    more = f"; and {len(files) - NAMED_FILES} more" if len(files) > NAMED_FILES else ""
    count = len(files)
    them = "them" if count != 1 else "it"
    fallback = (
        f"the register folder's line ({' '.join(default_handles)}) covers {them}"
        if default_handles
        else f"no one is required to review {them} (set codeowners.default_owners)"
    )
    sys.stderr.write(
        f"riskctl: warning: {count} register file{'s' if count != 1 else ''} "
        f"{'have' if count != 1 else 'has'} no owner with a github handle, so no line of "
        f"{'their' if count != 1 else 'its'} own; {fallback}: {visible(named)}{more}\n"
    )
