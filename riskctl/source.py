"""Which register: one value, resolved once where a command starts.

A `RegisterSource` names a register folder and where to read it: the working tree, or a
commit (resolved once to its full id) of the repository that holds the folder (opened once).
Every command builds one (diff builds two) from `PATH`, `--rev`, or diff's `A` / `B` / `A...B`,
and everything after takes it: `read_register` loads it, `diff_reads` reads what a comparison
needs from it, `history` and the reports walk its repository. So "which register" is answered
in one place, and every reader treats files the same way: only regular files are read; a
symlink, a FIFO, a device or a folder named like a register file is refused with RK008, in the
working tree as at a commit (`load.read_file`, `gitio.Repository.tree`).

A register whose files did not all load is refused by `read_register` (exit 3, naming the
files and `riskctl lint` as the way to see why) unless the caller accepts a partial read
(`--partial`): then `Loaded.failed` names what was left out, and every output says so.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from riskctl.errors import RiskctlError
from riskctl.fileio import check_usable
from riskctl.findings import Hit, Where
from riskctl.load import (
    REGISTER_SUFFIXES,
    Loaded,
    ParseCache,
    Sources,
    blob_id,
    label_of,
    load,
    read_directory,
)
from riskctl.load import read_file as read_worktree_file
from riskctl.model.register import CONFIG_FILE

if TYPE_CHECKING:  # gitio imports GitPython: only commands that read git pay for it
    from riskctl.gitio import Commit, Repository


@dataclass(frozen=True)
class RegisterSource:
    """A register folder, read from the working tree (`commit` None) or from one commit."""

    folder: Path
    """The register folder as given on the command line."""
    label: str
    """How findings and outputs name the folder (`register`, `../x/register`)."""
    repository: Repository | None = None
    """The git repository holding the folder, opened once; None outside git (or not needed)."""
    commit: str | None = None
    """The full commit id read, or None for the working tree."""
    revision: str | None = None
    """The revision as the user gave it (`main`, `HEAD~1`), for messages."""

    @property
    def description(self) -> str:
        """`register`, or `register at main (0123456789ab)` for a commit."""
        if self.commit is None:
            return self.label
        shown = self.revision or self.commit[:12]
        suffix = "" if shown == self.commit[:12] else f" ({self.commit[:12]})"
        return f"{self.label} at {shown}{suffix}"

    def git(self) -> Repository:
        """The repository, or an operational error saying git is needed."""
        if self.repository is None:
            raise RiskctlError(f"{self.folder}: not inside a git repository")
        return self.repository

    def commit_tree(self) -> dict[str, str]:
        """The register's files at the commit as a walk would find them (`as_walked`): relative
        path → blob id, or `SYMLINK` for a symlink and `FOLDER` for a folder named like a
        register file (which `FileReader` refuses with RK008, as `read` does)."""
        if self.commit is None:
            raise RiskctlError(f"{self.label}: the working tree has no commit tree")
        repository = self.git()
        tree = as_walked(repository.tree(self.commit, repository.relative(self.folder)))
        return {path: _UNREAD.get(mode, blob) for path, (mode, blob) in tree.items()}

    def read(self) -> Sources:
        """Every file of the register."""
        if self.commit is None:
            return read_directory(self.folder)
        return _sources_at_commit(self.git(), self.folder, self.commit, self.revision)


SYMLINK_MODE = "120000"
#: Stands for a symlink's blob id in `commit_tree`: never read.
SYMLINK = "symlink"
#: The mode `as_walked` gives a folder named like a register file, and its stand-in blob id.
FOLDER_MODE = "040000"
FOLDER = "folder"
#: A submodule in a commit: only the id of a commit of another repository.
SUBMODULE_MODE = "160000"
SUBMODULE = "submodule"
_UNREAD = {SYMLINK_MODE: SYMLINK, FOLDER_MODE: FOLDER, SUBMODULE_MODE: SUBMODULE}
_IN_A_LINK = "in a symlinked folder: not followed; not read"
#: Why an entry of a commit that is not a regular file is not read (RK008), as in the working
#: tree (`load.read_file`).
_NOT_READ = {
    SYMLINK: "symlink in a commit: not followed; not read",
    FOLDER: "a folder, not a file; not read",
    SUBMODULE: "a git submodule: its files are not in this repository's commits; not read",
}


def walked_path(path: str) -> str | None:
    """Where the working-tree walk (`load.read_directory`) puts a file of the register: the
    path itself, the folder named like a register file that holds it (read as that folder:
    RK008), or None inside a hidden file or folder (not read at all).

    A commit's tree and git's list of changes name every file; through this they name the
    files a walk of the same folder would find, so a commit and the working tree agree.
    """
    parts = path.split("/")
    for index, part in enumerate(parts):
        if part.startswith("."):
            return None
        if index < len(parts) - 1 and part.endswith(REGISTER_SUFFIXES):
            return "/".join(parts[: index + 1])
    return path


def as_walked(tree: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """A commit's tree (path → (mode, blob id)) as the working-tree walk sees the folder."""
    walked: dict[str, tuple[str, str]] = {}
    for path, entry in tree.items():
        found = walked_path(path)
        if found == path:
            walked[path] = entry
        elif found is not None:
            walked[found] = (FOLDER_MODE, FOLDER)
    return walked


def register_source(
    folder: Path, revision: str | None = None, *, with_repository: bool = False
) -> RegisterSource:
    """The register at `folder`: its working tree, or the commit `revision` names.

    A revision needs git: the repository is opened and the revision resolved here, once. For
    the working tree the repository is opened only `with_repository` (the reviews compare with
    tags), and is None outside git.
    """
    check_usable(folder, "")
    if revision is None:
        repository = find_repository(folder) if with_repository else None
        return RegisterSource(folder, label_of(folder), repository)
    repository = open_repository(folder)
    commit = repository.resolve(revision)
    return RegisterSource(folder, label_of(folder), repository, commit, revision)


def at_commit(source: RegisterSource, commit: str, revision: str | None = None) -> RegisterSource:
    """The same register folder at another commit of the same repository."""
    return RegisterSource(source.folder, source.label, source.git(), commit, revision)


def open_repository(folder: Path) -> Repository:
    """The git repository holding `folder`; outside git an operational error.

    The folder need not exist in the working tree (a register read at a revision may have
    moved or been deleted since): its nearest existing parent is searched then.
    """
    from riskctl.gitio import Repository

    existing = next((each for each in (folder, *folder.parents) if each.exists()), folder)
    return Repository(existing)


def find_repository(folder: Path) -> Repository | None:
    """The git repository holding `folder`, or None outside git."""
    try:
        return open_repository(folder)
    except RiskctlError:
        return None


def _sources_at_commit(
    repository: Repository, folder: Path, commit: str, revision: str | None
) -> Sources:
    """A register folder exactly as it was at a commit, read from git objects.

    Files are named as they would be in a checkout of that commit. A symlink is reported
    (RK008), not followed: in a commit it is only the text of its target.
    """
    inside = repository.relative(folder)
    tree = as_walked(repository.tree(commit, inside))
    if CONFIG_FILE not in tree:
        where = f"{inside}/" if inside else "the repository root"
        raise RiskctlError(
            f"{where} at {revision or commit[:12]} is not a register: no {CONFIG_FILE}"
        )
    regular, problems = _split_tree(tree)
    contents = repository.read_blobs(regular.values())
    return Sources(
        label=label_of(folder),
        files={path: contents[blob] for path, blob in regular.items()},
        problems=problems,
        blob_ids=regular,
        folder=folder,
    )


def _split_tree(tree: Mapping[str, tuple[str, str]]) -> tuple[dict[str, str], tuple[Hit, ...]]:
    """A commit tree's regular files (path → blob id), and an RK008 problem per symlink and per
    folder named like a register file (see `as_walked`)."""
    regular = {path: blob for path, (mode, blob) in tree.items() if mode not in _UNREAD}
    problems = tuple(
        Hit(Where(path, line=1, col=1), _NOT_READ[_UNREAD[mode]], "RK008")
        for path, (mode, _blob) in sorted(tree.items())
        if mode in _UNREAD
    )
    return regular, problems


class FileReader:
    """Reads chosen files of a source: git blobs in batches, working-tree files one by one.

    Working-tree files go through `load.read_file`, so a symlink, FIFO, device or folder is
    refused (RK008) exactly as when the whole folder is read.
    """

    def __init__(self, source: RegisterSource, blobs: dict[str, bytes] | None = None) -> None:
        self.source = source
        self._blobs: dict[str, bytes] = {} if blobs is None else blobs
        """Blob contents by id; readers of one repository may share them."""

    def prefetch(self, object_ids: Iterable[str | None]) -> None:
        """Read many blobs with one git process, before `read` asks for them one by one."""
        wanted = [
            each
            for each in dict.fromkeys(object_ids)
            if each and each not in _NOT_READ and each not in self._blobs
        ]
        if wanted:
            self._blobs.update(self.source.git().read_blobs(wanted))

    def read(self, path: str, object_id: str | None) -> bytes | Hit:
        """A file's bytes, or the RK008 problem that kept it from being read."""
        if object_id is None:
            # The walk never enters a symlinked folder (it is RK008 itself); git lists the
            # files it held as changed, and opening them would follow the link.
            parents = path.split("/")[:-1]
            for depth in range(1, len(parents) + 1):
                if (self.source.folder / "/".join(parents[:depth])).is_symlink():
                    return Hit(Where(path, line=1, col=1), _IN_A_LINK, "RK008")
            return read_worktree_file(self.source.folder, path)
        if object_id in _NOT_READ:
            return Hit(Where(path, line=1, col=1), _NOT_READ[object_id], "RK008")
        if object_id not in self._blobs:
            self.prefetch([object_id])
        return self._blobs[object_id]

    def sources(self, tree: Mapping[str, str | None], paths: Iterable[str]) -> Sources:
        """`Sources` holding the chosen files of `tree` (those that exist there)."""
        files: dict[str, bytes] = {}
        problems: list[Hit] = []
        blob_ids: dict[str, str] = {}
        chosen = sorted(path for path in set(paths) if path in tree)
        self.prefetch(tree[path] for path in chosen)
        for path in chosen:
            content = self.read(path, tree[path])
            if isinstance(content, Hit):
                problems.append(content)
                continue
            files[path] = content
            blob_ids[path] = tree[path] or blob_id(content)
        return Sources(self.source.label, files, tuple(problems), blob_ids, self.source.folder)


@contextmanager
def naming_revision(source: RegisterSource) -> Iterator[None]:
    """Operational errors raised inside name the revision read, when it is a commit: a broken
    `riskctl.yaml` at `HEAD~1` is not the file of that name in the working tree."""
    try:
        yield
    except RiskctlError as error:
        if source.commit is None:
            raise
        raise RiskctlError(f"{source.description}: {error}") from None


def load_source(
    source: RegisterSource, sources: Sources, cache: ParseCache | None = None
) -> Loaded:
    """`load` the files read from `source`; an unusable register names the revision."""
    with naming_revision(source):
        return load(sources, cache)


def read_register(
    source: RegisterSource,
    cache: ParseCache | None = None,
    *,
    partial: bool = False,
    sources: Sources | None = None,
) -> Loaded:
    """Load a register; refuse (`RiskctlError`) when a file did not load, unless `partial`.
    `sources`: its files, when the caller has read them already (`source.read()`)."""
    loaded = load_source(source, source.read() if sources is None else sources, cache)
    if not partial:
        refuse_partial(loaded, source)
    return loaded


def refuse_partial(loaded: Loaded, source: RegisterSource) -> None:
    """An operational error when any file of `loaded` did not load (see `Loaded.failed`)."""
    if not loaded.failed:
        return
    raise RiskctlError(not_loaded_message(loaded.failed, source))


#: How many files a refusal names before it counts the rest.
NAMED_FILES = 10


def not_loaded_message(failed: Mapping[str, str], source: RegisterSource) -> str:
    """`N register files did not load: ...; see why with riskctl lint ...`."""
    names = [f"{source.label}/{path}" for path in sorted(failed)]
    shown = ", ".join(names[:NAMED_FILES])
    more = f" and {len(names) - NAMED_FILES} more" if len(names) > NAMED_FILES else ""
    count = len(names)
    rev = f" --rev {source.revision or source.commit}" if source.commit else ""
    return (
        f"{count} register file{'s' if count != 1 else ''} did not load: {shown}{more}. "
        f"`riskctl lint {source.label}{rev}` shows why; fix "
        f"{'them' if count != 1 else 'it'}, or pass --partial to compute without "
        f"{'them' if count != 1 else 'it'}"
    )


@dataclass(frozen=True)
class SourceAt:
    """The register as of a moment: the last mainline commit on or before it, and its files."""

    moment: datetime.datetime
    commit: Commit | None
    """None when no commit of the mainline is that old."""
    sources: Sources | None
    """The register's files at that commit; None without a commit, or when the commit holds no
    register (`problem` says which)."""
    problem: str | None


def sources_at_moments(
    source: RegisterSource, moments: Sequence[datetime.datetime]
) -> list[SourceAt]:
    """The register as it was at each moment, along the first-parent history of `source`'s
    commit (HEAD for the working tree).

    Each moment reads the last commit dated (committer date) on or before it. Every blob of
    every chosen commit is read through one `git cat-file --batch` process, each blob once, so a
    file that did not change between two moments is read once; its blob id keys the parse
    cache of `load`, so it is parsed once too.
    """
    from riskctl.gitio import last_commit_at

    repository = source.git()
    start = source.commit or repository.resolve("HEAD")
    mainline = repository.mainline(start)
    inside = repository.relative(source.folder)
    chosen = [last_commit_at(mainline, moment) for moment in moments]
    trees = {
        commit_id: as_walked(repository.tree(commit_id, inside))
        for commit_id in dict.fromkeys(each for each in chosen if each is not None)
    }
    contents = repository.read_blobs(
        blob
        for tree in trees.values()
        if CONFIG_FILE in tree
        for mode, blob in tree.values()
        if mode not in _UNREAD
    )
    commits = {commit_id: repository.commit(commit_id) for commit_id in trees}
    found: list[SourceAt] = []
    for moment, commit_id in zip(moments, chosen, strict=True):
        if commit_id is None:
            found.append(SourceAt(moment, None, None, "before the first commit"))
            continue
        tree = trees[commit_id]
        if CONFIG_FILE not in tree:
            problem = "no register at this commit"
            found.append(SourceAt(moment, commits[commit_id], None, problem))
            continue
        regular, problems = _split_tree(tree)
        files = {path: contents[blob] for path, blob in regular.items()}
        sources = Sources(source.label, files, problems, blob_ids=regular, folder=source.folder)
        found.append(SourceAt(moment, commits[commit_id], sources, None))
    return found
