"""Files the user names on the command line: safe output (`--out`) and bounded input (`--csv`).

Output never goes anywhere the user did not plainly ask for. `--out FILE` must name a regular
file or a new name in an existing folder: a folder, a FIFO, a device, a socket or a symbolic link
is refused with a `RiskctlError` naming the path, before anything is written. Riskctl does not
write through a symbolic link, because the atomic replace would silently turn the link into a
plain file (or, through it, overwrite a file the user never named); name the link's target
instead. The text goes to a temporary file in the same folder, which then replaces the target
with `os.replace`, so a reader sees the old file or the new one, never half of one; the new file
gets the permissions a new file gets from the umask (0666 minus the umask), not `mkstemp`'s 0600.
The parent folder is never created: a misspelt folder is an error, not a new tree.

Input (`kri xmr --csv FILE`) is read only from a regular file, and at most `limit` bytes, so a
FIFO, a device such as /dev/zero, a folder or a huge file is refused in bounded time and memory.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from riskctl.errors import RiskctlError

#: `--out -` writes to standard output.
STDOUT = Path("-")

_KINDS = (
    (stat.S_ISREG, "a regular file"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


def printable(path: Path) -> str:
    """The path for a message on a terminal: control characters escaped (`\\n`, `\\x1b`)."""
    text = str(path)
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


def kind_of(mode: int) -> str:
    """`a folder`, `a FIFO (named pipe)`, ... for a file mode that is not a regular file."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def current_umask() -> int:
    """The process's umask (reading it means setting it; it is set straight back)."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def check_usable(path: Path, option: str) -> None:
    """Refuse a path that cannot even be looked up (a name too long, a loop of links, no
    permission), naming it; a path that does not exist passes, for the caller to say so."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as error:
        name = f"{option} {path}" if option else str(path)
        raise RiskctlError(f"{name}: cannot use it: {error.strerror}") from None


def check_output_path(path: Path, option: str = "--out") -> None:
    """Refuse, naming `path`, any target `write_file` must not write; write nothing.

    `option` names the option the path came from (`--out`); empty for a register file.
    """
    named = f"{option} {path}" if option else str(path)
    try:
        status = path.lstat()
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise RiskctlError(f"{named}: cannot write there: {error.strerror}") from None
    if status is not None:
        if stat.S_ISLNK(status.st_mode):
            target = os.readlink(path)
            raise RiskctlError(
                f"{named}: a symbolic link (to {target}); riskctl does not write through "
                "links: name the file itself"
            )
        if not stat.S_ISREG(status.st_mode):
            hint = "; use --out - for standard output" if option == "--out" else ""
            raise RiskctlError(f"{named}: {kind_of(status.st_mode)}, not a regular file{hint}")
    parent = path.parent
    try:
        parent_status = parent.stat()
    except FileNotFoundError:
        raise RiskctlError(
            f"{named}: the folder {parent} does not exist (riskctl does not create it)"
        ) from None
    except OSError as error:
        raise RiskctlError(f"{named}: cannot use {parent}: {error.strerror}") from None
    if not stat.S_ISDIR(parent_status.st_mode):
        raise RiskctlError(f"{named}: {parent} is not a folder")


def write_file(path: Path, text: str | bytes, option: str = "--out") -> None:
    """Replace or create the regular file `path` with `text` (UTF-8; bytes as they are),
    atomically.

    A `RiskctlError` naming the path for every target `check_output_path` refuses and every
    operating-system error on the way; the target is then untouched and no temporary file stays.
    """
    check_output_path(path, option)
    named = f"{option} {path}" if option else str(path)
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    temporary = stage_beside(path, data, 0o666 & ~current_umask(), named)
    try:
        check_output_path(path, option)  # again: it may have changed while we wrote
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise RiskctlError(f"{named}: cannot write: {error.strerror}") from None
        raise


def stage_beside(path: Path, data: bytes, mode: int, named: str, tail: str = "") -> str:
    """Write `data` to a new temporary file beside `path` (flushed to disk, permissions `mode`)
    and return its name, for the caller to rename into place.

    On an operating-system error the temporary file is removed and a `RiskctlError` names
    `named` (the path as the user gave it), ending with `tail`.
    """
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise RiskctlError(
            f"{named}: cannot create a file in {printable(path.parent)}: {error.strerror}{tail}"
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise RiskctlError(f"{named}: cannot write: {error.strerror}{tail}") from None
    return temporary


def existing_folder(folder: Path, option: str) -> bool:
    """Whether `folder` exists as a folder (not through a link); a `RiskctlError` naming it
    when it is a link, a file or anything else, or cannot be looked up."""
    try:
        status = folder.lstat()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise RiskctlError(f"{option} {folder}: cannot use it: {error.strerror}") from None
    if stat.S_ISLNK(status.st_mode):
        raise RiskctlError(
            f"{option} {folder}: a symbolic link (to {os.readlink(folder)}); riskctl does not "
            "write through links: name the folder itself"
        )
    if not stat.S_ISDIR(status.st_mode):
        raise RiskctlError(f"{option} {folder}: {kind_of(status.st_mode)}, not a folder")
    return True


def prepare_folder(folder: Path, option: str = "--out") -> None:
    """Make sure `folder` is a folder to write into: create it if only it is missing."""
    if existing_folder(folder, option):
        return
    if not folder.parent.is_dir():
        raise RiskctlError(
            f"{option} {folder}: the folder {folder.parent} does not exist "
            "(riskctl creates only the last folder)"
        )
    try:
        folder.mkdir()
    except OSError as error:
        raise RiskctlError(f"{option} {folder}: cannot create it: {error.strerror}") from None


def read_limited(path: Path, limit: int, option: str) -> bytes:
    """The bytes of the regular file `path`, refused when it holds more than `limit` bytes.

    Opened without blocking, so a FIFO with no writer cannot hang the run; checked on the open
    descriptor, so a file swapped after a check is still what is read.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise RiskctlError(f"{option} {path}: cannot read it: {error.strerror}") from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise RiskctlError(f"{option} {path}: {kind_of(status.st_mode)}, not a regular file")
    with os.fdopen(descriptor, "rb") as stream:
        too_big = f"{option} {path}: larger than {limit:,} bytes, the most riskctl reads"
        if status.st_size > limit:
            raise RiskctlError(too_big)
        try:
            data = stream.read(limit + 1)  # /proc files say size 0: count what comes
        except OSError as error:
            raise RiskctlError(f"{option} {path}: cannot read it: {error.strerror}") from None
    if len(data) > limit:
        raise RiskctlError(too_big)
    return data


#: The byte-order marks of UTF-16, which Excel's "Unicode Text" and some exports write.
_UTF16_MARKS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def utf16_as_utf8(data: bytes, name: str) -> bytes:
    """`data` re-encoded as UTF-8 when it starts with a UTF-16 byte-order mark (the mark
    dropped); anything else as it is. Text that is not valid UTF-16 is a `RiskctlError`."""
    encoding = _UTF16_MARKS.get(data[:2])
    if encoding is None:
        return data
    try:
        return data[2:].decode(encoding).encode("utf-8")
    except UnicodeError:
        raise RiskctlError(
            f"{name}: starts like UTF-16 text but is not valid UTF-16; save it as UTF-8"
        ) from None


def write_folder(folder: Path, files: dict[str, str | bytes], marker: str, option: str) -> None:
    """Replace or create `folder` with exactly `files` (`/`-separated relative paths; the
    subfolders they name are created), as a whole.

    The folder must be new, empty, or one this function wrote before (it holds `marker`, which
    it also writes): riskctl never replaces a folder of someone else's files (`--out .` in a
    repository would otherwise delete it). The files are written into a temporary folder beside
    `folder` (flushed to disk; permissions from the umask, as a new file and folder get), which
    then takes `folder`'s place: an existing folder is renamed aside first and removed after,
    so a reader sees the old site or the new one, never a mix; only between the two renames is
    there no folder at all. Links, devices and files in the way are refused as `--out` does.
    Ctrl-C waits while the folders are swapped and the old one or the temporary one removed
    (`interrupts_held`), so an interrupted run leaves no `.NAME.*` folder beside `folder`.
    Of two runs into one folder at once, the later to rename stops with an error saying so.
    """
    import shutil

    named = f"{option} {folder}"
    exists = check_output_folder(folder, marker, option)
    parent = folder.parent
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    except OSError as error:
        raise RiskctlError(
            f"{named}: cannot create a folder in {parent}: {error.strerror}"
        ) from None
    umask = current_umask()
    aside: Path | None = None
    try:
        for relative, text in sorted({marker: "", **files}.items()):
            parts = relative.split("/")
            if relative.startswith("/") or any(part in ("", ".", "..") for part in parts):
                raise ValueError(f"{relative!r} is not a relative path in the folder")
            path = staging.joinpath(*parts)
            for missing in reversed([p for p in path.parents if not p.exists()]):
                missing.mkdir()
                os.chmod(missing, 0o777 & ~umask)
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            with open(path, "xb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(path, 0o666 & ~umask)
        os.chmod(staging, 0o777 & ~umask)
        with interrupts_held():
            if exists:
                aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=parent))
                try:
                    os.rename(folder, aside / folder.name)
                except FileNotFoundError:  # another run has moved it aside
                    raise _written_at_once(folder, option) from None
            try:
                os.rename(staging, folder)
            except OSError as error:  # another run has put its folder there
                if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
                raise _written_at_once(folder, option) from None
            if aside is not None:
                shutil.rmtree(aside, ignore_errors=True)
    except BaseException as error:
        with interrupts_held():
            if aside is not None and (aside / folder.name).exists() and not folder.exists():
                with contextlib.suppress(OSError):
                    os.rename(aside / folder.name, folder)
            shutil.rmtree(staging, ignore_errors=True)
            if aside is not None:
                shutil.rmtree(aside, ignore_errors=True)
        if isinstance(error, OSError) and error.errno == errno.EBUSY:
            raise _mount_point(folder, option) from None  # one `ismount` cannot see (a bind)
        if isinstance(error, OSError):
            raise RiskctlError(f"{named}: cannot write: {error.strerror}") from None
        raise


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block ends, then deliver it to the handler it would have
    reached: a step that must finish once begun (renames, removing a temporary folder) is not
    cut in half. Outside the main thread, or under a handler not set from Python, nothing is
    held (a handler can be set only there)."""
    import signal
    import threading

    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda number, _frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            signal.raise_signal(signal.SIGINT)


def _written_at_once(folder: Path, option: str) -> RiskctlError:
    """The error for a folder another run (of `report site`) was replacing at the same time:
    this run stops and leaves the folder to that one."""
    return RiskctlError(
        f"{option} {folder}: another run wrote it at the same time; this one stopped and wrote "
        "nothing (run it again once the other is done)"
    )


def _mount_point(folder: Path, option: str) -> RiskctlError:
    """The error for a `folder` mounted in place (`docker run -v $PWD/public:/site`), which
    `rename` cannot move (EBUSY), so `write_folder` cannot replace it as a whole."""
    return RiskctlError(
        f"{option} {folder}: a mount point, which cannot be replaced as a whole (riskctl renames "
        f"a new folder into its place); write into a folder inside it: {option} "
        f"{printable(folder / 'site')}"
    )


def check_output_folder(folder: Path, marker: str, option: str) -> bool:
    """Refuse, naming `folder`, a folder `write_folder` must not replace; whether it exists."""
    named = f"{option} {folder}"
    if folder.name in ("", ".", ".."):
        raise RiskctlError(f"{named}: name the folder itself (a new one, e.g. build/site)")
    exists = existing_folder(folder, option)
    if exists and os.path.ismount(folder):
        raise _mount_point(folder, option)
    if exists:
        try:
            entries = os.listdir(folder)
        except OSError as error:
            raise RiskctlError(f"{named}: cannot list it: {error.strerror}") from None
        if entries and marker not in entries:
            raise RiskctlError(
                f"{named}: a folder with files riskctl did not write (no {marker}); give a new "
                "or empty folder, or one an earlier run wrote"
            )
        if ".git" in entries:  # an earlier site made a repository to publish it by hand
            raise RiskctlError(
                f"{named}: holds .git, a repository, which replacing the folder would delete; "
                "write the site elsewhere and copy it in"
            )
    parent = folder.parent
    if not parent.is_dir():
        raise RiskctlError(
            f"{named}: the folder {parent} does not exist (riskctl does not create it)"
        )
    return exists
