"""Walking a register folder: which files there are, and reading each one the same way.

Only regular files are read (`read_file`); a symlink, a FIFO, a device or a folder named like a
register file is an RK008 problem, never followed or opened.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from riskctl.errors import RiskctlError
from riskctl.findings import Hit
from riskctl.load.positions import located_hit
from riskctl.model.register import CONFIG_FILE


@dataclass(frozen=True)
class Sources:
    """A register's files as bytes, by path relative to the register, plus reading problems.

    `label` is how the register's folder is shown in findings (relative to the current
    directory), so a finding names `label/risks/R-001.yaml`.
    """

    label: str
    files: Mapping[str, bytes]
    problems: tuple[Hit, ...] = ()
    blob_ids: Mapping[str, str] | None = None
    """Git blob ids by path, when read from a commit: they key the parse cache."""
    folder: Path | None = None
    """The register folder read (in the working tree, or as it was at a commit), which says
    where its persistent cache lives (`load.cache`); None for files that are not a register
    folder's."""


def read_directory(path: Path) -> Sources:
    """Every file of a register folder, each read by `read_file` (so only regular files)."""
    if not path.exists():
        raise RiskctlError(f"{path}: no such register folder")
    if not path.is_dir():
        raise RiskctlError(f"{path}: not a folder; give the register folder (e.g. ./register)")
    if not os.path.lexists(path / CONFIG_FILE):  # a link or a FIFO is refused by `load`
        raise RiskctlError(
            f"{path}: not a register: no {CONFIG_FILE} (create one with `version: 1` and "
            "`categories`)"
        )
    files: dict[str, bytes] = {}
    problems: list[Hit] = []
    for relative, full, regular in _walk(path, problems):
        # What the walk saw as a regular file is opened directly (no lstat first); `_open`
        # still refuses it if it became a link or a FIFO since. Anything else goes through
        # `read_file`, which reports it without opening it.
        content = _read_regular(relative, full) if regular else read_file(path, relative)
        if isinstance(content, Hit):
            problems.append(content)
        else:
            files[relative] = content
    return Sources(label=label_of(path), files=files, problems=tuple(problems), folder=path)


def read_file(folder: Path, relative: str) -> bytes | Hit:
    """One file of a register folder, or the RK008 problem that keeps it from being read.

    Every reader of the working tree comes here (lint, score, diff, log and the reports read a
    file the same way): only a regular file is read. A symlink is not followed (in a commit it
    is only the text of its target, so following it here would make the working tree and a
    commit disagree), and a FIFO or a device is never opened (it could block or never end).
    """
    full = folder / relative
    try:
        mode = full.lstat().st_mode
    except OSError as error:
        return _unreadable(relative, error)
    problem = _not_regular(relative, mode)
    return problem if problem is not None else _read_regular(relative, os.fspath(full))


def _not_regular(relative: str, mode: int) -> Hit | None:
    """The RK008 problem of a file of this mode, or None for a regular file."""
    if stat.S_ISLNK(mode):
        return located_hit(relative, 1, 1, "RK008", "symlink: not followed; not read")
    if stat.S_ISDIR(mode):
        return located_hit(relative, 1, 1, "RK008", "a folder, not a file; not read")
    if not stat.S_ISREG(mode):
        return located_hit(
            relative, 1, 1, "RK008", "not a regular file (a pipe or device); not read"
        )
    return None


def _unreadable(relative: str, error: OSError) -> Hit:
    reason = "symlink loop" if error.errno == errno.ELOOP else error.strerror or error
    return located_hit(relative, 1, 1, "RK008", f"cannot read: {reason}")


#: Opening never follows a final symlink and never blocks on a FIFO (the cache reads so too).
READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _read_regular(relative: str, full: str) -> bytes | Hit:
    """The bytes of a file found regular; if it was replaced since (a link, a FIFO), its
    problem, as `read_file` reports it."""
    try:
        descriptor = os.open(full, READ_FLAGS)
    except OSError as error:
        try:
            problem = _not_regular(relative, os.lstat(full).st_mode)
        except OSError:
            problem = None
        return problem or _unreadable(relative, error)
    try:
        status = os.fstat(descriptor)
        problem = _not_regular(relative, status.st_mode)
        if problem is not None:
            return problem
        chunks = []
        while chunk := os.read(descriptor, max(status.st_size + 1, 1 << 16)):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        return _unreadable(relative, error)
    finally:
        os.close(descriptor)


REGISTER_SUFFIXES = (".yaml", ".yml")


def _walk(path: Path, unreadable: list[Hit]) -> Iterator[tuple[str, str, bool]]:
    """Files under `path` (not hidden ones), as (posix relative path, full path, whether the
    listing says it is a regular file), sorted as `os.walk` with sorted names would give them.

    A folder that cannot be listed is added to `unreadable` (RK008), never skipped silently;
    the register's own folder is an operational error. A folder named like a register file,
    and a symlink to a folder, are yielded as files (not regular), not entered.
    """
    top = os.fspath(path)

    def visit(folder: str, prefix: str) -> Iterator[tuple[str, str, bool]]:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(
                    (entry for entry in listing if not entry.name.startswith(".")),
                    key=lambda entry: entry.name,
                )
        except OSError as error:
            if folder == top:
                raise RiskctlError(
                    f"{path}: cannot read the register folder: {error.strerror}"
                ) from None
            unreadable.append(
                located_hit(
                    prefix.rstrip("/"), 1, 1, "RK008", f"cannot list the folder: {error.strerror}"
                )
            )
            return
        folders = []
        for entry in entries:
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
                regular = not is_folder and entry.is_file(follow_symlinks=False)
            except OSError:
                is_folder = regular = False
            if is_folder and not entry.name.endswith(REGISTER_SUFFIXES):
                folders.append(entry)
            else:
                yield prefix + entry.name, entry.path, regular
        for entry in folders:  # os.walk's order: a folder's files, then its subfolders
            yield from visit(entry.path, prefix + entry.name + "/")

    yield from visit(top, "")


def label_of(path: Path) -> str:
    """How findings name the register folder: relative to the current directory when it is
    inside it (or was given relative), else absolute."""
    if not path.is_absolute():
        return Path(os.path.normpath(path)).as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
