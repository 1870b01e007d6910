"""`riskctl cache info|clear`: where the persistent cache of a register lives, and emptying it."""

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from riskctl.cli._common import DEFAULT_REGISTER, RegisterArg, operational_errors, write_stdout

if TYPE_CHECKING:
    from riskctl.load.cache import Cleared, Description, Usage

app = typer.Typer(
    name="cache",
    help="The persistent cache of parsed files and results: where it is, how big, clear it.",
    no_args_is_help=True,
)


class InfoFormat(enum.StrEnum):
    """Output formats of `riskctl cache info`."""

    TEXT = "text"
    JSON = "json"


@app.command("info")
def info_command(
    path: RegisterArg = DEFAULT_REGISTER,
    output_format: Annotated[
        InfoFormat, typer.Option("--format", "-f", help="text or json.")
    ] = InfoFormat.TEXT,
) -> None:
    """Show where the cache of the register at PATH lives, whether it is used (and if not,
    why), how much it holds and its bound. Creates and changes nothing."""
    from riskctl.load.cache import describe

    with operational_errors():
        _check_folder(path)
        description = describe(path)
    if output_format is InfoFormat.JSON:
        write_stdout(_info_json(description))
    else:
        write_stdout(_info_text(description, path))


@app.command("clear")
def clear_command(path: RegisterArg = DEFAULT_REGISTER) -> None:
    """Delete what riskctl keeps in the cache folder of the register at PATH (every riskctl
    version's entries; the folder, its CACHEDIR.TAG and anything not riskctl's stay). Refused
    (exit 3, nothing deleted) for a link, a folder others can write, or one holding files
    riskctl's cache does not write."""
    from riskctl.load.cache import cache_root, clear

    with operational_errors():
        _check_folder(path)
        cleared = clear(cache_root(path))
    write_stdout(_cleared_text(cleared))


def _check_folder(path: Path) -> None:
    """PATH names a folder: a misspelt one would describe or clear another register's cache
    (the XDG one, shared by every register outside git)."""
    from riskctl.errors import RiskctlError
    from riskctl.fileio import printable

    if not path.exists():
        raise RiskctlError(f"{printable(path)}: no such register folder")
    if not path.is_dir():
        raise RiskctlError(
            f"{printable(path)}: not a folder; give the register folder (e.g. ./register)"
        )


def _info_text(description: "Description", path: Path) -> str:
    from riskctl.fileio import printable
    from riskctl.load.cache import ENV_MAX_MB
    from riskctl.textsafe import visible

    chosen = {
        "RISKCTL_CACHE_DIR": "set by RISKCTL_CACHE_DIR",
        "git": f"in the git directory of the repository holding {printable(path)}",
        "XDG": "the user's cache folder ($XDG_CACHE_HOME, else ~/.cache): "
        f"{printable(path)} is not in a git repository of this user",
    }[description.chosen_by]
    status = "on" if description.enabled else f"off: {visible(description.why_not)}"
    if not description.exists:
        holds = "nothing yet" + (
            " (the first run that reads the register creates it)" if description.enabled else ""
        )
    elif not description.inspected:
        holds = "not looked into (see status)"
    elif not description.total.files:
        holds = "nothing"
    elif description.current == description.total:
        holds = f"{_usage(description.total)}, all this riskctl's"
    else:
        holds = (
            f"{_usage(description.total)}; this riskctl's: {_usage(description.current)}, "
            "the rest other versions' (they age out)"
        )
    lines = [
        f"cache:   {printable(description.root)}",
        f"         {chosen}",
        f"status:  {status}",
        f"holds:   {holds}",
    ]
    if description.others:
        lines.append(
            f"also:    {_count(description.others, 'entry', 'entries')} not riskctl's, left alone"
        )
    lines.append(
        f"bound:   {description.max_bytes >> 20:,} MB ({ENV_MAX_MB}); beyond it the least "
        "recently used files are deleted"
    )
    return "".join(f"{line}\n" for line in lines)


def _info_json(description: "Description") -> str:
    import json

    from riskctl.textsafe import json_safe

    document = {
        "cache": str(description.root),
        "chosen_by": description.chosen_by,
        "enabled": description.enabled,
        "why_not": description.why_not or None,
        "exists": description.exists,
        "inspected": description.inspected,
        "files": description.total.files if description.inspected else None,
        "bytes": description.total.bytes if description.inspected else None,
        "this_riskctl": {
            "files": description.current.files,
            "bytes": description.current.bytes,
        }
        if description.inspected
        else None,
        "not_riskctl": description.others if description.inspected else None,
        "max_bytes": description.max_bytes,
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def _cleared_text(cleared: "Cleared") -> str:
    from riskctl.fileio import printable

    root = printable(cleared.root)
    if not cleared.freed.files and not cleared.left:
        text = f"nothing to clear in {root}\n"
    else:
        text = f"cleared {root}: freed {_usage(cleared.freed)}\n"
    if cleared.left:
        text += (
            f"left {_count(cleared.left, 'file', 'files')} that could not be deleted "
            "(another run was using them?)\n"
        )
    if cleared.others:
        text += f"left {_count(cleared.others, 'entry', 'entries')} not riskctl's alone\n"
    return text


def _usage(usage: "Usage") -> str:
    return f"{_count(usage.files, 'file', 'files')}, {_amount(usage.bytes)}"


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def _amount(size: int) -> str:
    """Bytes as people read them: KB and MB of 1,024 (as RISKCTL_CACHE_MAX_MB counts)."""
    if size < 1 << 10:
        return _count(size, "byte", "bytes")
    if size < 1 << 20:
        return f"{size / (1 << 10):.1f} KB"
    return f"{size / (1 << 20):,.1f} MB"
