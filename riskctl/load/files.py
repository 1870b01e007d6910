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
    for relative, _full in _walk(path, problems):
        content = read_file(path, relative)
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
        if stat.S_ISLNK(mode):
            return located_hit(relative, 1, 1, "RK008", "symlink: not followed; not read")
        if stat.S_ISDIR(mode):
            return located_hit(relative, 1, 1, "RK008", "a folder, not a file; not read")
        if not stat.S_ISREG(mode):
            return located_hit(
                relative, 1, 1, "RK008", "not a regular file (a pipe or device); not read"
            )
        with open(full, "rb") as stream:
            return stream.read()
    except OSError as error:
        reason = "symlink loop" if error.errno == errno.ELOOP else error.strerror or error
        return located_hit(relative, 1, 1, "RK008", f"cannot read: {reason}")


REGISTER_SUFFIXES = (".yaml", ".yml")


def _walk(path: Path, unreadable: list[Hit]) -> Iterator[tuple[str, Path]]:
    """Files under `path` (not hidden ones), as (posix relative path, path), sorted.

    A folder that cannot be listed is added to `unreadable` (RK008), never skipped silently;
    the register's own folder is an operational error.
    """

    def refuse(error: OSError) -> None:
        folder = Path(error.filename or path)
        if folder.resolve() == path.resolve():
            raise RiskctlError(f"{path}: cannot read the register folder: {error.strerror}")
        relative = folder.relative_to(path).as_posix()
        unreadable.append(
            located_hit(relative, 1, 1, "RK008", f"cannot list the folder: {error.strerror}")
        )

    for directory, folders, names in os.walk(path, onerror=refuse):
        base = Path(directory)
        visible = sorted(folder for folder in folders if not folder.startswith("."))
        # A folder named like a register file is reported by `read_file`, not entered.
        folders[:] = [
            folder
            for folder in visible
            if not (base / folder).is_symlink() and not folder.endswith(REGISTER_SUFFIXES)
        ]
        refused = [folder for folder in visible if folder not in folders]
        for name in sorted([*names, *refused]):
            if not name.startswith("."):
                full = base / name
                yield full.relative_to(path).as_posix(), full


def label_of(path: Path) -> str:
    """How findings name the register folder: relative to the current directory when it is
    inside it (or was given relative), else absolute."""
    if not path.is_absolute():
        return Path(os.path.normpath(path)).as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
