"""Writing register files: all or nothing across files, one writer at a time, no lost update.

Every command that changes a register (`new`, `fmt`, `kri ingest`, `rcm import`) computes the
new text of each file first, from the bytes it read, and hands the whole set to
`apply_changes`. That function:

1. takes an exclusive lock on the register folder (`flock` on the folder itself, so no lock
   file is left behind; waits up to `wait` seconds, then refuses with "another riskctl is
   writing"), so two writers never interleave;
2. checks, under the lock, that every file still holds exactly the bytes the change was computed
   from (and that a file to be created still does not exist): a file edited in between (by a
   person, an editor or another riskctl) is refused by name, nothing written, so no update is
   lost;
3. writes every new text to a temporary file beside its target (flushed and `fsync`ed, with the
   target's permissions and, where the process may set them, its owner and group; the umask's
   permissions for a new file), refusing links, devices and folders
   exactly as `--out` does (`fileio.check_output_path`); a kind folder the register lacks
   (`risks/` for a first risk) is created, and removed again if the write fails;
4. only then moves them into place, each with one atomic `rename` (a new file with `link`, which
   never replaces a file that appeared meanwhile). If any step fails, the files already moved are
   put back to the bytes they held and the new ones removed, so the register is as it was.

A reader therefore sees each file old or new, never half-written. What `rename` cannot give is a
multi-file snapshot to a reader that does not take the lock: between the first and the last
rename, a concurrent `lint` may see some files new and some old (each whole). The window is the
time of a few renames. A crash of the machine in that window can leave the same mix; every file
is still whole, and `git status` shows which ones changed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from riskctl.errors import RiskctlError
from riskctl.fileio import check_output_path, current_umask, printable, stage_beside


@dataclass(frozen=True)
class FileChange:
    """One file's change: `before` is what it held when read (None: it must not exist yet)."""

    path: Path
    before: bytes | None
    after: bytes

    @property
    def changes(self) -> bool:
        """Whether applying it changes the file at all."""
        return self.before != self.after


@contextlib.contextmanager
def register_lock(folder: Path, wait: float = 10.0) -> Iterator[None]:
    """Hold an exclusive lock on the register `folder` (advisory `flock` on the folder itself).

    Raises `RiskctlError` when the folder cannot be opened or another process holds the lock for
    longer than `wait` seconds.
    """
    import fcntl  # POSIX only; imported here so reading a register never needs it

    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as error:
        raise RiskctlError(f"{printable(folder)}: cannot lock it: {error.strerror}") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise RiskctlError(
                        f"{printable(folder)}: cannot lock it: {error.strerror}"
                    ) from None
                if time.monotonic() >= deadline:
                    raise RiskctlError(
                        f"{printable(folder)}: another riskctl is writing this register; "
                        "nothing written, run again when it has finished"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def current_bytes(path: Path) -> bytes | None:
    """What the regular file `path` holds now, or None when nothing is there.

    Raises `RiskctlError` for a link, a folder, a device or a file that cannot be read.
    """
    try:
        status = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise RiskctlError(f"{printable(path)}: cannot use it: {error.strerror}") from None
    if not stat.S_ISREG(status.st_mode):
        check_output_path(path, "")  # raises with the kind named
    try:
        return path.read_bytes()
    except OSError as error:
        raise RiskctlError(f"{printable(path)}: cannot read it: {error.strerror}") from None


def apply_changes(folder: Path, changes: Sequence[FileChange], wait: float = 10.0) -> list[Path]:
    """Apply `changes` to the register in `folder`, all or nothing; the paths that changed.

    Changes that change nothing are skipped. Raises `RiskctlError` (nothing written) when a file
    changed since it was read, a target is not a regular file, or the operating system refuses
    a step; see the module docstring for the guarantees.
    """
    effective = [change for change in changes if change.changes]
    if not effective:
        return []
    with register_lock(folder, wait):
        created = _kind_folders(folder, effective)
        staged: list[tuple[FileChange, str]] = []
        try:
            for change in effective:
                check_output_path(change.path, "")
                if current_bytes(change.path) != change.before:
                    what = "appeared" if change.before is None else "changed"
                    raise RiskctlError(
                        f"{printable(change.path)}: {what} since riskctl read it; nothing "
                        "written, run the command again"
                    )
            for change in effective:
                staged.append((change, _stage(change)))  # noqa: PERF401 (kept on a failure)
            _commit(staged)
            created = []  # written: the folders stay
        finally:
            for _, temporary in staged:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            for made in reversed(created):
                with contextlib.suppress(OSError):
                    made.rmdir()  # a failed write: the folder it made goes (only if empty)
    return [change.path for change in effective]


def _kind_folders(folder: Path, changes: Sequence[FileChange]) -> list[Path]:
    """Create the missing folder of each new file that sits directly in the register `folder`'s
    own subfolder (a kind folder the register lacks, like `risks/`); the folders made.

    Only that one level is ever created, never a tree: any other missing folder is left for
    `check_output_path` to refuse by name.
    """
    created: list[Path] = []
    for change in changes:
        parent = change.path.parent
        if change.before is not None or parent.parent != folder or parent in created:
            continue
        if os.path.lexists(parent):
            continue
        try:
            parent.mkdir()
        except OSError as error:
            for made in reversed(created):
                with contextlib.suppress(OSError):
                    made.rmdir()
            raise RiskctlError(
                f"{printable(parent)}: cannot create the folder: {error.strerror}; nothing written"
            ) from None
        created.append(parent)
    return created


def _stage(change: FileChange) -> str:
    """Write `change.after` to a temporary file beside the target; its name."""
    path = change.path
    try:
        status = path.stat() if change.before is not None else None
    except OSError:
        status = None
    mode = stat.S_IMODE(status.st_mode) if status is not None else 0o666 & ~current_umask()
    temporary = stage_beside(path, change.after, mode, printable(path), "; nothing written")
    if status is not None and hasattr(os, "chown"):
        try:
            _keep_owner(temporary, (status.st_uid, status.st_gid))
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise RiskctlError(
                f"{printable(path)}: cannot write: {error.strerror}; nothing written"
            ) from None
    return temporary


def _keep_owner(temporary: str, owner: tuple[int, int]) -> None:
    """Give the new file the old one's owner and group (a run as root must not hand a user's
    file to root); where the process may not, the file stays its own, as any editor leaves it."""
    status = os.stat(temporary)
    if (status.st_uid, status.st_gid) != owner:
        with contextlib.suppress(PermissionError):
            os.chown(temporary, *owner)


def _commit(staged: Sequence[tuple[FileChange, str]]) -> None:
    """Move each staged file into place; on a failure put back what was moved, then raise."""
    done: list[FileChange] = []
    try:
        for change, temporary in staged:
            if change.before is None:
                os.link(temporary, change.path)  # fails if a file appeared: never replaces it
                os.unlink(temporary)
            else:
                os.replace(temporary, change.path)
            done.append(change)
    except OSError as error:
        failed = staged[len(done)][0].path
        for change in reversed(done):
            with contextlib.suppress(OSError, RiskctlError):
                if change.before is None:
                    os.unlink(change.path)
                else:
                    _commit_one_back(change)
        raise RiskctlError(
            f"{printable(failed)}: cannot write: {error.strerror}; nothing written"
        ) from None
    for folder in dict.fromkeys(change.path.parent for change, _ in staged):
        with contextlib.suppress(OSError):
            descriptor = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)


def _commit_one_back(change: FileChange) -> None:
    """Put `change.before` back into `change.path` (atomically)."""
    assert change.before is not None
    temporary = _stage(FileChange(change.path, change.after, change.before))
    try:
        os.replace(temporary, change.path)
    except OSError:
        os.unlink(temporary)
        raise
