"""The persistent cache: what parsing each register file produced, and whole results, kept
between runs so that an unchanged register is not parsed again.

**What is kept.** For each register file, its parsed data and parse problems (`parse.Parsed`),
keyed by the file's path in the register and its git blob id (the SHA-1 of `blob <size>\\0` and
its bytes, hashed from the bytes read: the id git gives the file, so a commit's file and the
working tree's are one entry, but never taken from git, whose `replace` can give other bytes).
Validation runs on every load (it is an eighth of a parse), so an entity is always the current
models' reading of the data. Beside them, whole results (`lint`'s findings, `score`'s output)
keyed by a digest of every input: the register's files and blob ids, the day, the options.

**Keyed by riskctl itself.** Every entry lives under a folder named by a fingerprint of the
running code: the bytes of every file of the riskctl package, the Python version and the
versions of the libraries that parse and validate (`fingerprint`). Any change to any of them
starts an empty folder; the old one ages out.

**Where.** `$RISKCTL_CACHE_DIR` when set; else `riskctl-cache/` in the git directory of the
repository holding the register (the common one, for a linked worktree), where git tooling
keeps per-repository state and nothing is ever committed, when this user owns it; else
`$XDG_CACHE_HOME/riskctl` (`~/.cache/riskctl`). A cache folder that is not a real folder owned
by this user, or that others can write, is not used; nor is one in the register folder that
is not hidden (its files would be read as the register's). `--no-cache` or
`RISKCTL_NO_CACHE=1` turns it off. Each register folder has its own packs; results are shared
(their keys name the files).

**Never a wrong answer.** Each file of the cache starts with a header (magic, format, the
fingerprint, the length and SHA-256 of the rest); anything that does not match it in full
(truncated, corrupted, edited by hand, from another version, not a regular file) is ignored,
as is anything that fails to unpickle, and the entry is computed again. Unpickling is limited
to the few classes riskctl stores (`_Unpickler`).

**Shared by concurrent runs.** Files are written to a temporary name in the same folder and
renamed (atomic on POSIX): a reader sees a whole file or none. Parsed files are added as a new
"pack" per run that parsed something; when there are more than `MAX_PACKS`, a run merges them
into one. Two runs at once each add their own pack; a pack deleted while another run lists the
folder is a miss there, nothing more.

**Bounded.** After a write, if the cache holds more than `RISKCTL_CACHE_MAX_MB` (default
`DEFAULT_MAX_MB`) megabytes, the least recently used files are deleted (reading a file touches
it) until it holds three quarters of that.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import enum
import hashlib
import io
import os
import pickle
import stat
import struct
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from riskctl.findings import Hit
from riskctl.load.files import READ_FLAGS

#: Changes whenever the layout of a cache file changes.
FORMAT = 1
MAGIC = b"riskctl-cache\n"
#: magic, format (2 bytes), fingerprint (32), payload length (8), payload SHA-256 (32).
_HEADER = struct.Struct(f">{len(MAGIC)}sH32sQ32s")
DEFAULT_MAX_MB = 1024
MAX_PACKS = 8
#: Temporary files older than this are a crashed writer's; eviction removes them.
_STALE_TEMPORARY = 600.0
ENV_DIR = "RISKCTL_CACHE_DIR"
ENV_OFF = "RISKCTL_NO_CACHE"
ENV_MAX_MB = "RISKCTL_CACHE_MAX_MB"
FOLDER_IN_GIT = "riskctl-cache"
CACHEDIR_TAG = b"Signature: 8a477f597d28d172789f06886806bc55\n# riskctl's cache: safe to delete\n"

#: (path in the register, blob id)
Key = tuple[str, str]
#: What parsing a file produced: its data (None when unusable) and the parse problems.
ParsedEntry = tuple[Any, tuple[Hit, ...]]
T = TypeVar("T")


# --- the fingerprint of the running code -----------------------------------------------------

_fingerprint: bytes | None = None


def fingerprint() -> bytes:
    """SHA-256 of what could change a cached result: the cache format, the Python version,
    the parsing and validating libraries' versions, and every file of the riskctl package
    (bytes, not dates: a checkout that restores old code finds its old entries)."""
    global _fingerprint
    if _fingerprint is None:
        import riskctl
        from riskctl.load.parse import parser_version
        from riskctl.load.validate import validator_version

        digest = hashlib.sha256()
        versions = (FORMAT, sys.version, parser_version(), validator_version())
        digest.update(repr(versions).encode())
        package = Path(riskctl.__file__).resolve().parent
        for path in sorted(_package_files(package)):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        _fingerprint = digest.digest()
    return _fingerprint


def _package_files(package: Path) -> Iterator[Path]:
    for directory, folders, names in os.walk(package):
        folders[:] = [name for name in folders if name != "__pycache__"]
        for name in names:
            if not name.endswith((".pyc", ".pyo")):
                yield Path(directory, name)


# --- where the cache lives -------------------------------------------------------------------


def cache_root(folder: Path) -> Path:
    """Where the cache of the register at `folder` lives (see the module's docstring).
    Raises RiskctlError when that is the user's cache folder and the home folder is not known
    or not an absolute path (it would be a folder in the current directory)."""
    chosen = os.environ.get(ENV_DIR, "")
    if chosen:
        return _home_expanded(Path(chosen)).absolute()
    found = git_directory(folder)
    if found is not None and _ours(found):  # never write into another user's repository
        return found / FOLDER_IN_GIT
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG base directory specification: a relative path is invalid and ignored.
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "riskctl"
    home = _home_expanded(Path("~"))
    if not home.is_absolute():
        from riskctl.errors import RiskctlError

        raise RiskctlError(
            f"no cache folder: the home folder {str(home)!r} (HOME) is not an absolute path; "
            "set XDG_CACHE_HOME or RISKCTL_CACHE_DIR to one"
        )
    return home / ".cache" / "riskctl"


def _home_expanded(path: Path) -> Path:
    """`path` with a leading `~` expanded; RiskctlError when the home folder is not known."""
    try:
        return path.expanduser()
    except RuntimeError:  # pathlib: "Could not determine home directory."
        from riskctl.errors import RiskctlError

        raise RiskctlError(
            f"no cache folder: {path} starts with a home folder that is not known (HOME is "
            "not set and the user has no entry in the password database, or there is no such "
            "user); set XDG_CACHE_HOME or RISKCTL_CACHE_DIR to an absolute path"
        ) from None


def git_directory(folder: Path) -> Path | None:
    """The (common) git directory of the repository holding `folder`, found by walking up
    to a `.git` folder, or a `.git` file naming one (a linked worktree, a submodule); None
    outside git. No git process is started."""
    start = folder.absolute()
    existing = next((each for each in (start, *start.parents) if each.exists()), None)
    if existing is None:
        return None
    for directory in (existing, *existing.parents):
        dot_git = directory / ".git"
        try:
            if dot_git.is_dir():
                return dot_git
            if dot_git.is_file():
                text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
                if not text.startswith("gitdir:"):
                    return None
                git_dir = (directory / text.removeprefix("gitdir:").strip()).resolve()
                common = git_dir / "commondir"
                if common.is_file():
                    relative = common.read_text(encoding="utf-8", errors="replace").strip()
                    return (git_dir / relative).resolve()
                return git_dir if git_dir.is_dir() else None
        except OSError:
            return None
    return None


def _ours(path: Path) -> bool:
    """Whether this user owns `path` (always, where there are no user ids)."""
    try:
        return not hasattr(os, "getuid") or path.stat().st_uid == os.getuid()
    except OSError:
        return False


def _usable_folder(path: Path) -> bool:
    """Whether `path` is a real folder, ours, that nobody else can write."""
    try:
        status = path.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(status.st_mode) or status.st_mode & 0o022:
        return False
    return not hasattr(os, "getuid") or status.st_uid == os.getuid()


def _make_folder(path: Path) -> bool:
    """Create `path` (private) if needed; whether it is usable."""
    with contextlib.suppress(OSError):
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return _usable_folder(path)


# --- settings: on or off, for this process ---------------------------------------------------


@dataclass
class _Settings:
    enabled: bool = False
    stores: dict[tuple[Path, Path], Store | None] = field(default_factory=dict)


_settings = _Settings()


def configure(*, enabled: bool) -> None:
    """Turn the persistent cache on or off for this process (the CLI turns it on, unless
    `--no-cache` or `RISKCTL_NO_CACHE`); library callers get none unless they ask."""
    _settings.enabled = enabled
    _settings.stores.clear()


def disabled_by_environment() -> bool:
    """Whether `RISKCTL_NO_CACHE` is set to anything but empty or `0`."""
    return os.environ.get(ENV_OFF, "") not in ("", "0")


def store_for(folder: Path | None) -> Store | None:
    """The cache for the register at `folder`, one per cache folder per process; None when
    caching is off, the folder unknown, or the cache folder not usable."""
    if not _settings.enabled or folder is None:
        return None
    from riskctl.errors import RiskctlError

    try:
        where = (cache_root(folder), folder.absolute())
    except RiskctlError:  # no folder for it: the run goes on without (cache info says why)
        return None
    if where not in _settings.stores:
        _settings.stores[where] = None if _visible_inside(*where) else Store.open(*where)
    return _settings.stores[where]


def _visible_inside(root: Path, register: Path) -> bool:
    """Whether `root` is the register folder or a folder in it that is not hidden: the cache's
    files would be read as the register's own (RK009), and a run with the cache would not
    answer what one without it answers. (A hidden one is never read: the git directory of a
    repository whose top is the register holds its cache.)"""
    # Resolved: `x/../register`, or a link to it, is the same folder (`absolute()` keeps both).
    try:
        relative = Path(os.path.realpath(root)).relative_to(os.path.realpath(register))
    except ValueError:
        return False
    return not any(part.startswith(".") for part in relative.parts)


# --- reading and writing one cache file ------------------------------------------------------

_ALLOWED_DATETIME = frozenset({"date", "datetime", "time", "timedelta", "timezone"})


class _Unpickler(pickle.Unpickler):
    """Unpickles only what riskctl stores: plain data, dates, and riskctl's own dataclasses,
    enums, models and subclasses of str, int and float (constructing them runs no code of the
    file's choosing). Only from
    modules already imported: importing one runs it (`riskctl.__main__` runs the CLI)."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _ALLOWED_DATETIME:
            return super().find_class(module, name)
        if module.startswith("riskctl.") and "." not in name and module in sys.modules:
            found = super().find_class(module, name)
            if isinstance(found, type) and (
                dataclasses.is_dataclass(found)
                or issubclass(found, (enum.Enum, str, int, float))  # parse.TooLarge is a str
                or hasattr(found, "__pydantic_fields__")
            ):
                return found
        raise pickle.UnpicklingError(f"not a class the cache stores: {module}.{name}")


def _encode(value: Any) -> bytes:
    payload = _pickled(value)
    digest = hashlib.sha256(payload).digest()
    return _HEADER.pack(MAGIC, FORMAT, fingerprint(), len(payload), digest) + payload


def _pickled(value: Any) -> bytes:
    """`pickle.dumps` in fast mode (no memo), else the usual way.

    Fast mode does not remember the objects it wrote: on a pack of 28k files it writes in a
    sixth of the time, and smaller (keys are small strings, a memo entry costs more than
    them). An object met twice is written twice, which loads as an equal copy; a recursive
    structure (parsing never makes one: aliases nest past the depth limit) is written the
    usual way.
    """
    stream = io.BytesIO()
    fast = pickle.Pickler(stream, protocol=5)
    fast.fast = True
    try:
        fast.dump(value)
    except (RecursionError, ValueError):
        return pickle.dumps(value, protocol=5)
    return stream.getvalue()


def _decode(blob: bytes) -> Any:
    """The value of a cache file's bytes; ValueError for anything but a whole, matching file."""
    if len(blob) < _HEADER.size:
        raise ValueError("truncated header")
    magic, version, printed, length, digest = _HEADER.unpack_from(blob)
    payload = memoryview(blob)[_HEADER.size :]
    if magic != MAGIC or version != FORMAT or printed != fingerprint():
        raise ValueError("another format or another riskctl")
    if len(payload) != length or hashlib.sha256(payload).digest() != digest:
        raise ValueError("truncated or changed")
    try:
        return _Unpickler(io.BytesIO(payload)).load()
    except Exception as error:  # any failure to unpickle is a miss, never a crash
        raise ValueError(f"cannot unpickle: {error}") from error


def _read(path: Path) -> bytes | None:
    """A regular file's bytes (a link, a FIFO or a folder is never opened as one); None if it
    is not there or cannot be read."""
    try:
        descriptor = os.open(path, READ_FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        chunks = []
        while chunk := os.read(descriptor, 1 << 24):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _write(path: Path, blob: bytes) -> bool:
    """Write `path` atomically: a temporary file in its folder, then a rename."""
    temporary = path.with_name(f".tmp-{os.getpid()}-{os.urandom(6).hex()}")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(blob)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return False
    return True


# --- the store -------------------------------------------------------------------------------


class Store:
    """One cache folder: packs of parsed files and whole results, for the running code."""

    def __init__(self, root: Path, folder: Path, packs: Path, max_bytes: int) -> None:
        self.root = root
        self.folder = folder
        """`root`/fingerprint: this code's entries."""
        self.packs = packs
        """The packs of one register folder (registers outside git share the XDG cache)."""
        self.max_bytes = max_bytes
        self._parsed: dict[Key, ParsedEntry] | None = None
        self._packs: list[Path] = []
        self._added: dict[Key, ParsedEntry] = {}
        self._used: set[Key] = set()
        """Every key this process looked up and found, or added."""

    @classmethod
    def open(cls, root: Path, register: Path) -> Store | None:
        """The store at `root` for the register folder `register`, created if needed; None
        when it cannot be used."""
        folders = _store_folders(root, register)
        _, folder, _, packs, _ = folders
        created = not os.path.lexists(root)
        if not _make_folder(root):
            return None
        if created:  # only a folder riskctl made: RISKCTL_CACHE_DIR may name one with more in it
            # https://bford.info/cachedir/: backup tools skip the folder
            _write(root / "CACHEDIR.TAG", CACHEDIR_TAG)
        if not all(_make_folder(each) for each in folders[1:]):
            return None
        return cls(root, folder, packs, max_megabytes() << 20)

    # parsed files

    def parsed(self, key: Key) -> ParsedEntry | None:
        """What parsing the file `key` names produced, when a run kept it."""
        if self._parsed is None:
            self._parsed = self._read_packs()
        found = self._parsed.get(key)
        if found is not None:
            self._used.add(key)
        return found

    def add(self, key: Key, entry: ParsedEntry) -> None:
        """Keep what parsing a file produced (written by `flush`)."""
        if self._parsed is None:
            self._parsed = self._read_packs()
        self._parsed[key] = entry
        self._added[key] = entry
        self._used.add(key)

    def flush(self) -> None:
        """Write what was added since the last flush, as a new pack; merge the packs when
        there are too many. Nothing is raised: a cache that cannot be written is no cache."""
        if not self._added:
            return
        packs = self.packs
        name = f"{os.getpid()}-{os.urandom(8).hex()}.pack"
        if len(self._packs) + 1 > MAX_PACKS:
            merged = self._merged()
            if _write(packs / name, _encode(merged)):
                for old in self._packs:
                    with contextlib.suppress(OSError):
                        old.unlink()
                self._packs = [packs / name]
        elif _write(packs / name, _encode(self._added)):
            self._packs.append(packs / name)
        self._added = {}
        self.evict(packs / name)

    def _merged(self) -> dict[Key, ParsedEntry]:
        """The entries of the packs read and of this run, for one merged pack: those this
        process used or added, and those of files it did not read; over half the cache's size,
        only the first. Read again from the files, so that nothing a caller changed in the data
        it was given is written.

        A version of a file this process read at another version is superseded (an edit, a
        branch switch): every warm run reads the packs whole, so keeping each version ever
        parsed made them grow with the register's history."""
        merged: dict[Key, ParsedEntry] = {}
        for path in self._packs:
            value = self._load(path)
            if isinstance(value, dict):
                merged.update(value)
        merged.update(self._added)
        wanted = self._used
        if sum(_size(path) for path in self._packs) > self.max_bytes // 2:
            return {key: entry for key, entry in merged.items() if key in wanted}
        read = {path for path, _blob in wanted}
        return {key: entry for key, entry in merged.items() if key in wanted or key[0] not in read}

    def _read_packs(self) -> dict[Key, ParsedEntry]:
        entries: dict[Key, ParsedEntry] = {}
        with contextlib.suppress(OSError):
            for path in sorted(self.packs.glob("*.pack")):
                value = self._load(path)
                if isinstance(value, dict):
                    entries.update(value)
                    self._packs.append(path)
        return entries

    # whole results

    def result(self, key: tuple[Any, ...]) -> Any | None:
        """A result kept under `key` (a tuple of plain values), or None."""
        path = self.folder / "results" / _digest(key)
        found = self._load(path)
        if not isinstance(found, tuple) or len(found) != 2 or found[0] != key:
            return None  # a digest collision or a swapped file: not this result
        return found[1]

    def keep_result(self, key: tuple[Any, ...], value: Any) -> None:
        """Keep `value` under `key`."""
        path = self.folder / "results" / _digest(key)
        if _write(path, _encode((key, value))):
            self.evict(path)

    def _load(self, path: Path) -> Any:
        blob = _read(path)
        if blob is None:
            return None
        try:
            value = _decode(blob)
        except ValueError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used: the last to be evicted
        return value

    # size

    def evict(self, written: Path) -> None:
        """Delete the least recently used files while the cache is over its size, and any
        crashed writer's temporary file (the file just `written` tells the time: riskctl
        reads the clock only in its CLI)."""
        try:
            now = written.stat().st_mtime
        except OSError:
            return
        files: list[tuple[float, int, Path]] = []
        for path in _cache_files(self.root):
            try:
                status = path.lstat()
            except OSError:
                continue
            if not stat.S_ISREG(status.st_mode):
                continue  # riskctl writes only regular files: a link, a folder are not its own
            if path.name.startswith(".tmp-"):
                if now - status.st_mtime > _STALE_TEMPORARY:
                    with contextlib.suppress(OSError):
                        path.unlink()
                continue
            files.append((status.st_mtime, status.st_size, path))
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return
        # Over the bound: only riskctl's cache files count and are deleted (a shared
        # RISKCTL_CACHE_DIR may hold a folder named like a fingerprint that is not ours).
        files = [each for each in files if _is_cache_file(each[2])]
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return
        for _, size, path in sorted(files):
            if total <= self.max_bytes * 3 // 4:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
                if path in self._packs:
                    self._packs.remove(path)


def _cache_files(root: Path) -> Iterator[Path]:
    """The files of every fingerprint's packs and results under `root`. A link is never
    followed (it is listed, and deleting it deletes the link): nothing outside the cache is
    ever deleted, nor anything beside riskctl's fingerprint folders (RISKCTL_CACHE_DIR may
    name a folder that holds more)."""
    for name, folder in _real_folders(root).items():
        if not is_fingerprint_folder_name(name):
            continue
        inside = _real_folders(folder)
        if "results" in inside:
            yield from _listed(inside["results"])
        if "packs" in inside:
            for packs in _real_folders(inside["packs"]).values():
                yield from _listed(packs)


def _real_folders(path: Path) -> dict[str, Path]:
    """The folders in `path` by name, links to folders left out."""
    try:
        with os.scandir(path) as entries:
            return {
                entry.name: Path(entry.path)
                for entry in entries
                if entry.is_dir(follow_symlinks=False)
            }
    except OSError:
        return {}


def _listed(path: Path) -> list[Path]:
    """Everything in the folder `path` (nothing when it cannot be listed)."""
    try:
        with os.scandir(path) as entries:
            return [Path(entry.path) for entry in entries]
    except OSError:
        return []


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _digest(key: tuple[Any, ...]) -> str:
    """A file name for a result key: SHA-256 of its repr (plain values: deterministic)."""
    return hashlib.sha256(repr(key).encode()).hexdigest()


def max_megabytes() -> int:
    """The cache's size bound: `RISKCTL_CACHE_MAX_MB`, or DEFAULT_MAX_MB when unset or not a
    positive whole number."""
    text = os.environ.get(ENV_MAX_MB, "").strip()
    # ASCII digits only: `isdigit` is also true of "²", which `int` refuses.
    if text.isascii() and text.isdigit() and 0 < int(text) < 1 << 40:
        return int(text)
    return DEFAULT_MAX_MB


# --- results of whole computations -----------------------------------------------------------


def snapshot(files: Mapping[str, str], problems: tuple[Hit, ...], label: str) -> str:
    """A digest of a register as read: every file's path and blob id, the reading problems,
    and how outputs name the folder."""
    digest = hashlib.sha256(repr((label, problems)).encode())
    for path in sorted(files):
        digest.update(f"{path}\0{files[path]}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def remembered(store: Store | None, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned last time for the same `key` (a tuple of plain values
    that names every input), kept in `store`; just `compute()` without a store."""
    if store is None:
        return compute()
    found = store.result(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = compute()
    store.keep_result(key, value)
    return value


def today_key(today: datetime.date) -> str:
    """A day in a result key."""
    return today.isoformat()


# --- looking at and clearing a cache folder (`riskctl cache info|clear`) ----------------------
#
# A cache folder may hold more than riskctl's cache (RISKCTL_CACHE_DIR may name any folder):
# riskctl's part is its fingerprint folders (24 hex digits, every file in them a cache file or a
# writer's temporary file) and the temporary files of its CACHEDIR.TAG. Nothing else is counted
# or deleted, and a fingerprint-named folder holding anything else stops `clear` before it
# deletes anything.

_FINGERPRINT_NAME = 24  # hex digits of `fingerprint()` naming its folder (`Store.open`)


@dataclass(frozen=True)
class Usage:
    """How much of a cache folder riskctl's entries take."""

    files: int = 0
    bytes: int = 0


@dataclass(frozen=True)
class Description:
    """Where the cache of one register lives, whether it is used, and how big it is."""

    root: Path
    chosen_by: str
    """`RISKCTL_CACHE_DIR`, `git` (the repository's git directory) or `XDG` (the user's cache)."""
    enabled: bool
    why_not: str
    """Why it is not used (empty when it is): the environment, or what is wrong with a folder."""
    exists: bool
    inspected: bool
    """Whether the folder was looked into: it exists, and is a real folder riskctl would use."""
    total: Usage
    """Every riskctl entry in the folder, for any version of riskctl."""
    current: Usage
    """This riskctl's entries (other versions' age out)."""
    others: int
    """Entries in the folder that are not riskctl's (RISKCTL_CACHE_DIR names a shared folder)."""
    max_bytes: int


@dataclass(frozen=True)
class Cleared:
    """What `clear` deleted, and what it left (a file another run wrote meanwhile, say)."""

    root: Path
    freed: Usage
    left: int
    """riskctl's files it could not delete."""
    others: int
    """Entries that are not riskctl's, left alone."""


def is_fingerprint_folder_name(name: str) -> bool:
    """Whether `name` is how a fingerprint folder of riskctl's cache is named."""
    return len(name) == _FINGERPRINT_NAME and all(c in "0123456789abcdef" for c in name)


def describe(folder: Path) -> Description:
    """Where the cache of the register at `folder` lives, whether a run would use it (and why
    not), and its size; nothing is created or changed."""
    root = cache_root(folder)
    if os.environ.get(ENV_DIR, ""):
        chosen_by = ENV_DIR
    elif root.parent == git_directory(folder):
        chosen_by = "git"
    else:
        chosen_by = "XDG"
    problems = (
        f"{path} {problem}"
        for path in _store_folders(root, folder.absolute())
        if (problem := _folder_problem(path))
    )
    if disabled_by_environment():
        why_not = f"{ENV_OFF} is set"
    elif _visible_inside(root, folder.absolute()):
        why_not = f"{root} is in the register folder, where its files would be register files"
    else:
        why_not = next(problems, "")
    exists = os.path.lexists(root)
    inspected = exists and not _folder_problem(root)  # a link or a file is not looked into
    total, current, others = Usage(), Usage(), 0
    if inspected:
        mine = fingerprint().hex()[:_FINGERPRINT_NAME]
        for entry, kind in _entries(root):
            if kind is None:
                others += 1
            if kind != "fingerprint":
                continue
            usage = _usage(entry)
            total = Usage(total.files + usage.files, total.bytes + usage.bytes)
            if entry.name == mine:
                current = usage
    return Description(
        root=root,
        chosen_by=chosen_by,
        enabled=not why_not,
        why_not=why_not,
        exists=exists,
        inspected=inspected,
        total=total,
        current=current,
        others=others,
        max_bytes=max_megabytes() << 20,
    )


def clear(root: Path) -> Cleared:
    """Delete riskctl's entries in the cache folder `root` (every version's), leaving the folder,
    its CACHEDIR.TAG and whatever else it holds. Raises RiskctlError, deleting nothing, when
    `root` is a link or not a usable folder, or a fingerprint-named folder in it holds anything
    riskctl does not write there (a link, a foreign file); links are never followed."""
    from riskctl.errors import RiskctlError

    if not os.path.lexists(root):
        return Cleared(root, Usage(), 0, 0)
    problem = _folder_problem(root)
    if problem:
        raise RiskctlError(f"{root} {problem}: riskctl does not use it and clears nothing in it")
    files: list[tuple[Path, int]] = []
    folders: list[Path] = []
    others = 0
    for entry, kind in _entries(root):
        if kind is None:
            others += 1
        elif kind == "temporary":
            files.append((entry, _size(entry)))
        elif kind == "fingerprint":
            _collect(entry, entry, files, folders)
    freed, left = Usage(), 0
    for path, size in files:
        try:
            path.unlink()
        except FileNotFoundError:  # evicted by a run at the same time
            continue
        except OSError:
            left += 1
            continue
        freed = Usage(freed.files + 1, freed.bytes + size)
    for path in reversed(folders):  # deepest first
        with contextlib.suppress(OSError):  # not empty: a run at the same time wrote into it
            path.rmdir()
    return Cleared(root, freed, left, others)


def _store_folders(root: Path, register: Path) -> tuple[Path, ...]:
    """The folders `Store.open` needs for the register folder `register`, outermost first:
    the root, this code's fingerprint folder, its packs, this register's packs, its results."""
    folder = root / fingerprint().hex()[:_FINGERPRINT_NAME]
    where = hashlib.sha256(os.fsencode(register)).hexdigest()[:16]
    return (root, folder, folder / "packs", folder / "packs" / where, folder / "results")


def _folder_problem(path: Path) -> str:
    """Why riskctl would not use `path` as a cache folder (as `_usable_folder` judges it), in
    words that say what to fix; empty when it would, or will create it."""
    try:
        status = path.lstat()
    except (FileNotFoundError, NotADirectoryError):  # not there, or below a file
        return _creation_problem(path)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if stat.S_ISLNK(status.st_mode):
        return "is a symbolic link (riskctl never follows one to its cache)"
    if not stat.S_ISDIR(status.st_mode):
        return "is not a folder"
    if hasattr(os, "getuid") and status.st_uid != os.getuid():
        return f"belongs to another user (uid {status.st_uid}, not {os.getuid()})"
    if status.st_mode & 0o022:
        mode = stat.S_IMODE(status.st_mode)
        return f"can be written by others (mode {mode:o}; `chmod go-w` makes it private)"
    return ""


def _creation_problem(path: Path) -> str:
    """Why the missing folder `path` could not be created, judged from its nearest existing
    parent; empty when it could."""
    for parent in path.parents:
        try:
            status = parent.stat()
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as error:
            return f"cannot be created ({parent}: {error.strerror})"
        if not stat.S_ISDIR(status.st_mode):
            return f"cannot be created ({parent} is not a folder)"
        if not os.access(parent, os.W_OK | os.X_OK):
            return f"cannot be created ({parent} is not writable)"
        return ""
    return "cannot be created"


def _entries(root: Path) -> Iterator[tuple[Path, str | None]]:
    """Each entry of a cache folder: `fingerprint` (a real folder so named), `temporary` (a
    writer's temporary file), `tag` (CACHEDIR.TAG, which stays), or None (not riskctl's)."""
    import re

    try:
        names = sorted(os.listdir(root))
    except OSError:
        return
    for name in names:
        entry = root / name
        try:
            status = entry.lstat()
        except OSError:
            continue
        if stat.S_ISDIR(status.st_mode) and is_fingerprint_folder_name(name):
            yield entry, "fingerprint"
        elif name == "CACHEDIR.TAG":
            yield entry, "tag"
        elif stat.S_ISREG(status.st_mode) and re.fullmatch(r"\.tmp-[0-9]+-[0-9a-f]{12}", name):
            yield entry, "temporary"
        else:
            yield entry, None


def _usage(folder: Path) -> Usage:
    """The regular files under `folder` (links not followed) and their bytes."""
    files = size = 0
    for directory, _folders, names in os.walk(folder):  # os.walk follows no link
        for name in names:
            with contextlib.suppress(OSError):
                status = os.lstat(os.path.join(directory, name))
                if stat.S_ISREG(status.st_mode):
                    files, size = files + 1, size + status.st_size
    return Usage(files, size)


def _collect(top: Path, folder: Path, files: list[tuple[Path, int]], folders: list[Path]) -> None:
    """Add the files and folders under `folder`, in the fingerprint folder `top`, to delete,
    each folder before its contents; raise RiskctlError at the first entry riskctl would not
    have written there."""
    from riskctl.errors import RiskctlError

    def foreign(path: Path, what: str) -> RiskctlError:
        return RiskctlError(
            f"{path} {what}: {top} does not look like riskctl's cache, so nothing was "
            "deleted (remove it by hand if it is)"
        )

    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:  # deleted since it was listed (another `clear`): nothing to do
        return
    except OSError as error:
        raise RiskctlError(f"{folder}: cannot be listed ({error.strerror})") from None
    problem = _folder_problem(folder)
    if problem:
        raise foreign(folder, problem)
    folders.append(folder)
    for name in names:
        path = folder / name
        try:
            status = path.lstat()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise RiskctlError(f"{path}: cannot be read ({error.strerror})") from None
        if stat.S_ISDIR(status.st_mode):
            _collect(top, path, files, folders)
        elif stat.S_ISREG(status.st_mode) and (name.startswith(".tmp-") or _is_cache_file(path)):
            files.append((path, status.st_size))
        elif stat.S_ISLNK(status.st_mode):
            raise foreign(path, "is a symbolic link")
        elif stat.S_ISREG(status.st_mode):
            raise foreign(path, "is not a file riskctl's cache writes")
        else:
            raise foreign(path, "is not a regular file")


def _is_cache_file(path: Path) -> bool:
    """Whether `path` starts as every file riskctl's cache writes does."""
    try:
        descriptor = os.open(path, READ_FLAGS)
    except OSError:
        return False
    try:
        return os.read(descriptor, len(MAGIC)) == MAGIC
    except OSError:
        return False
    finally:
        os.close(descriptor)
