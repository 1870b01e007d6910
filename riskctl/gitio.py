"""Git access: resolve revisions, list and read a register's files at a commit, history.

The only module that imports GitPython. Callers never see a GitPython type. A revision is
checked before git sees it (nothing that git could read as an option) and resolved by git
itself, once, to a full commit id. Files are read from the object database,
never by checking out: `git ls-tree` lists a folder's blobs and one `git cat-file --batch`
process reads them all (about ten times faster than GitPython's per-object API on a large
register). A blob id is the hash of its content, so it keys the parse cache in `load`.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

# Without a git executable GitPython's import raises ImportError (a crash); quiet, the first
# command raises GitCommandNotFound instead, which `_run` reports as an operational error.
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
import git

from riskctl.errors import RiskctlError
from riskctl.findings import Hit, Where
from riskctl.load import Sources, blob_id, label_of, parse
from riskctl.model.register import CONFIG_FILE, KIND_BY_FOLDER

#: Longest revision accepted: enough for any ref name plus `@{...}` or `~N`.
_MAX_REVISION = 256
WORKTREE = "worktree"
#: `@{N}`, `@{-N}`, `@{date}`: a reflog entry (not `@{u}`, `@{upstream}`, `@{push}`).
_REFLOG_ENTRY = re.compile(r"@\{(?!(?:u|upstream|push)\})", re.IGNORECASE)


def check_revision(revision: str) -> str:
    """The revision if git may be given it as a revision; else an operational error.

    Git itself resolves what passes (`git rev-parse --end-of-options`), so every form git
    knows is accepted: names, ids, `^`, `~N`, `@`, reflog entries and dates (`HEAD@{1}`,
    `@{-1}`, `main@{1 day ago}`), `:/message` searches. Refused: anything git could read as
    an option (a leading `-`), control characters, and ranges (`A..B`; diff takes `A...B`).
    """
    is_search = revision.startswith(":/")
    if (
        not revision
        or revision.startswith("-")
        or len(revision) > _MAX_REVISION
        or not revision.isprintable()
        or (".." in revision and not is_search)
    ):
        raise RiskctlError(
            f"not a revision: {revision!r} (give a branch, tag or commit id, e.g. HEAD~1 or main)"
        )
    return revision


def shallow_hint() -> str:
    """What to say wherever a shallow clone hides history: that it is shallow, and the cure."""
    return (
        "this clone is shallow (its history was cut at a fixed depth); deepen it with "
        "`git fetch --unshallow`, or in GitHub Actions give actions/checkout `fetch-depth: 0`"
    )


@dataclass(frozen=True)
class Commit:
    """A commit as riskctl reports it."""

    id: str
    date: datetime.datetime
    author: str
    subject: str
    parents: tuple[str, ...] = ()
    """Parent ids, first parent first; none for a root commit or a shallow clone's boundary."""


@dataclass(frozen=True)
class Tag:
    """A tag, the commit it points to, and its date (UTC)."""

    name: str
    commit: str
    date: datetime.datetime


@dataclass(frozen=True)
class Change:
    """A file that differs between two sides: `A` added, `D` deleted, `M` modified."""

    status: str
    path: str
    """Relative to the register folder, forward slashes."""


#: `git log` fields of a commit, NUL-separated (`-z` separates commits with NUL too).
_COMMIT_FORMAT = "--format=%H%x00%P%x00%ct%x00%cI%x00%an%x00%B"
_COMMIT_FIELDS = 6


class Repository:
    """The git repository holding a register folder."""

    def __init__(self, folder: Path) -> None:
        try:
            self._repo = git.Repo(folder, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError, OSError):
            raise RiskctlError(
                f"{folder}: not inside a git repository (--rev and diff read git history)"
            ) from None
        if self._repo.working_tree_dir is None:
            raise RiskctlError(f"{folder}: a bare repository has no register to compare with")
        self.root = Path(self._repo.working_tree_dir).resolve()
        self._names: dict[str, str] = {}
        """Commit id → the revision it was resolved from, to name it as the user did."""

    def relative(self, folder: Path) -> str:
        """The folder's path inside the repository, forward slashes ('' for the root)."""
        try:
            inside = folder.resolve().relative_to(self.root)
        except ValueError:
            raise RiskctlError(f"{folder}: outside the git repository at {self.root}") from None
        return "" if inside == Path(".") else inside.as_posix()

    def resolve(self, revision: str) -> str:
        """The full commit id that `revision` names, resolved by git itself.

        An annotated tag gives the commit it points to. Anything else that is not a commit (a
        tree, a blob), an unknown or ambiguous name, or a commit cut off by a shallow clone is
        an operational error that says which.
        """
        check_revision(revision)
        if ":" not in revision:
            # One process for the common case; a `:/search` or `REV:path` would read an
            # appended `^{commit}` as part of its text, so those go the long way below.
            code, output, _ = self._run(
                "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
            )
            if code == 0:
                return self._named(output, revision)
        code, output, error = self._run("rev-parse", "--verify", "--end-of-options", revision)
        if code != 0:
            raise RiskctlError(self._unresolved(revision, error.decode("utf-8", "replace")))
        object_id = output.decode().strip()
        code, output, _ = self._run("rev-parse", "--verify", "--quiet", f"{object_id}^{{commit}}")
        if code == 0:
            return self._named(output, revision)
        kind = self._run("cat-file", "-t", object_id)[1].decode().strip() or "object"
        raise RiskctlError(
            f"{revision!r} names a {kind} ({object_id[:12]}), not a commit "
            "(give a branch, tag or commit id, e.g. HEAD~1 or main)"
        )

    def _named(self, output: bytes, revision: str) -> str:
        commit_id = output.decode().strip()
        self._names.setdefault(commit_id, revision)
        return commit_id

    def _unresolved(self, revision: str, error: str) -> str:
        """Why git could not resolve a revision, and what to do about it."""
        lines = [line.strip() for line in error.splitlines() if line.strip()]
        if any("is ambiguous" in line for line in lines):
            return (
                f"ambiguous revision {revision!r}: more than one object starts with it; "
                "give more characters of the commit id"
            )
        reason = lines[-1].removeprefix("fatal: ") if lines else ""
        message = f"unknown revision {revision!r}"
        if reason and reason != "Needed a single revision":
            message = f"cannot resolve revision {revision!r}: {reason}"
        elif self._run("rev-parse", "--verify", "--quiet", "HEAD")[0] != 0:
            if not self._git("for-each-ref", "--count=1").strip():
                return f"{message}: the repository at {self.root} has no commits yet"
            branch = self._run("symbolic-ref", "--quiet", "--short", "HEAD")[1]
            name = branch.decode("utf-8", "replace").strip()
            message += f" (HEAD is the branch {name!r}, which has no commits yet)"
        if _REFLOG_ENTRY.search(revision):
            message += (
                " (a reflog entry exists only in the clone where the branch moved; "
                "a fresh clone, as in CI, has few or none)"
            )
        if self.is_shallow():
            message += f"; it may be cut off: {shallow_hint()}"
        return message

    def is_shallow(self) -> bool:
        """Whether this is a shallow clone (`git clone --depth N`): older history is missing."""
        return self._git("rev-parse", "--is-shallow-repository").strip() == b"true"

    def shallow_boundary(self) -> frozenset[str]:
        """The commits whose parents a shallow clone cut off (empty for a full clone)."""
        location = self._git("rev-parse", "--git-path", "shallow").decode().strip()
        try:
            text = (self.root / location).read_text(encoding="ascii")
        except FileNotFoundError:
            return frozenset()
        except (OSError, UnicodeDecodeError) as error:
            raise RiskctlError(f"cannot read {location}: {error}") from None
        return frozenset(text.split())

    def merge_base(self, first: str, second: str) -> str:
        """The best common ancestor of two commits (for `A...B`)."""
        code, output, error = self._run("merge-base", first, second)
        if code == 0:
            return output.decode().split()[0]
        if code == 1 and not error.strip():
            names = [
                repr(self._names[each]) if each in self._names else each[:12]
                for each in (first, second)
            ]
            message = f"{names[0]} and {names[1]} have no common ancestor"
            if self.is_shallow():
                message += f" in this clone; the merge base may be cut off: {shallow_hint()}"
            raise RiskctlError(message)
        lines = error.decode("utf-8", "replace").strip().splitlines()
        raise RiskctlError(f"git merge-base failed: {lines[-1] if lines else code}")

    def commit(self, commit_id: str) -> Commit:
        """What to show of a commit."""
        found = self._commits("-1", commit_id)
        if not found:  # pragma: no cover - callers pass resolved ids
            raise RiskctlError(f"unknown commit {commit_id[:12]}")
        return found[0]

    def _commits(self, *arguments: str) -> list[Commit]:
        """Commits that `git log ARGUMENTS` lists, newest first, in one git process.

        Text is decoded as UTF-8 (what git re-encodes a commit with an `encoding` header to);
        bytes that are not UTF-8 become U+FFFD, so a message in another encoding never fails.
        """
        output = self._git("log", "-z", _COMMIT_FORMAT, *arguments)
        fields = output.split(b"\0") if output else []
        commits = []
        for start in range(0, len(fields) - _COMMIT_FIELDS + 1, _COMMIT_FIELDS):
            found, parents, stamp, iso, author, message = (
                field.decode("utf-8", "replace") for field in fields[start : start + _COMMIT_FIELDS]
            )
            lines = message.splitlines()
            commits.append(
                Commit(
                    id=found,
                    date=_commit_date(iso, stamp),
                    author=author,
                    subject=lines[0] if lines else "",
                    parents=tuple(parents.split()),
                )
            )
        return commits

    def tree(self, commit_id: str, folder: str) -> dict[str, tuple[str, str]]:
        """Files under `folder` at a commit: relative path → (mode, blob id)."""
        prefix = f"{folder}/" if folder else ""
        output = self._git("ls-tree", "-r", "-z", "--full-tree", commit_id, "--", folder or ".")
        files: dict[str, tuple[str, str]] = {}
        for entry in output.split(b"\0"):
            if not entry:
                continue
            meta, _, name = entry.partition(b"\t")
            mode, kind, object_id = meta.decode().split(" ")
            path = name.decode("utf-8", "surrogateescape")
            if kind == "blob" and path.startswith(prefix):
                files[path[len(prefix) :]] = (mode, object_id)
        return files

    def read_blobs(self, object_ids: Iterable[str]) -> dict[str, bytes]:
        """The content of many blobs through one `git cat-file --batch` process."""
        wanted = list(dict.fromkeys(object_ids))
        if not wanted:
            return {}
        output = self._git("cat-file", "--batch", stdin="\n".join(wanted) + "\n")
        contents: dict[str, bytes] = {}
        position = 0
        for object_id in wanted:
            header_end = output.index(b"\n", position)
            header = output[position:header_end].split(b" ")
            if header[-1] == b"missing":
                raise RiskctlError(f"git object {object_id} is missing from the repository")
            size = int(header[2])
            start = header_end + 1
            contents[object_id] = output[start : start + size]
            position = start + size + 1  # the content is followed by a newline
        return contents

    def changes(self, first: str, second: str | None, folder: str) -> list[Change]:
        """Files under `folder` that differ between commits, or a commit and the working tree.

        With `second` None the working tree is compared, untracked (not ignored) files
        included; renames are reported as a deletion and an addition.
        """
        arguments = ["diff", "--name-status", "--no-renames", "-z", first]
        if second is not None:
            arguments.append(second)
        output = self._git(*arguments, "--", folder or ".").split(b"\0")
        prefix = f"{folder}/" if folder else ""
        changes = []
        for status, name in zip(output[0::2], output[1::2], strict=False):
            if status:
                path = name.decode("utf-8", "surrogateescape")
                if path.startswith(prefix):
                    changes.append(Change(status.decode()[0], path[len(prefix) :]))
        if second is None:
            untracked = self._git(
                "ls-files", "--others", "--exclude-standard", "-z", "--", folder or "."
            )
            for name in untracked.split(b"\0"):
                path = name.decode("utf-8", "surrogateescape")
                if name and path.startswith(prefix):
                    changes.append(Change("A", path[len(prefix) :]))
        return sorted(changes, key=lambda change: change.path)

    def latest_tag(self, pattern: str, commit_id: str) -> Tag | None:
        """The most recent tag named like `pattern` (a glob, `wbr-*`) reachable from a commit.

        Most recent by tag date: an annotated tag's own date, a lightweight tag's commit date;
        on a tie, the greater name (`wbr-2026-11-27` after `wbr-2026-11-20`). None when no such
        tag is reachable.
        """
        output = self._git(
            "for-each-ref",
            f"--merged={commit_id}",
            "--format=%(refname:strip=2)%00%(creatordate:unix)%00%(objectname)%00%(*objectname)",
            f"refs/tags/{pattern}",
        )
        tags = []
        for line in output.decode("utf-8", "surrogateescape").splitlines():
            name, stamp, target, peeled = line.split("\0")
            moment = datetime.datetime.fromtimestamp(int(stamp or 0), tz=datetime.UTC)
            tags.append(Tag(name=name, commit=peeled or target, date=moment))
        return max(tags, key=lambda tag: (tag.date, tag.name), default=None)

    def mainline(self, commit_id: str) -> list[tuple[str, datetime.datetime]]:
        """The first-parent history of a commit, newest first: (commit id, committer date)."""
        output = self._git("log", "--first-parent", "--format=%H %ct", commit_id)
        commits = []
        for line in output.decode().splitlines():
            found, stamp = line.split(" ")
            commits.append((found, datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC)))
        return commits

    def history(self, commit_id: str, paths: list[str]) -> list[Commit]:
        """Commits reachable from `commit_id` that touched any of `paths`, newest first."""
        return self._commits("--no-renames", commit_id, "--", *paths)

    def _git(self, *arguments: str, stdin: str | None = None) -> bytes:
        """Run a git command in the repository and return its stdout as bytes."""
        code, stdout, stderr = self._run(*arguments, stdin=stdin)
        if code != 0:
            message = stderr.decode("utf-8", "replace").strip().splitlines()
            raise RiskctlError(f"git {arguments[0]} failed: {message[-1] if message else ''}")
        return stdout

    def _run(self, *arguments: str, stdin: str | None = None) -> tuple[int, bytes, bytes]:
        """Run a git command in the repository: its exit status, stdout and stderr."""
        try:
            process: Any = self._repo.git.execute(
                ["git", *arguments],
                as_process=True,
                istream=subprocess.PIPE if stdin is not None else None,
            )
            stdout, stderr = process.proc.communicate(stdin.encode() if stdin is not None else None)
        except git.GitCommandNotFound:
            raise RiskctlError(
                "cannot run git: install it and put it on PATH (riskctl reads history with git)"
            ) from None
        except (git.CommandError, OSError) as error:  # pragma: no cover - e.g. out of processes
            raise RiskctlError(f"cannot run git {arguments[0]}: {error}") from None
        return int(process.proc.returncode), cast(bytes, stdout), cast(bytes, stderr)


def _commit_date(iso: str, stamp: str) -> datetime.datetime:
    """A commit's date in its own time zone; in UTC when git's ISO form is out of Python's range."""
    try:
        return datetime.datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC)
    except (ValueError, OverflowError, OSError):
        raise RiskctlError(f"a commit has a date out of range: {iso or stamp!r}") from None


SYMLINK_MODE = "120000"


def sources_at(folder: Path, revision: str, repository: Repository | None = None) -> Sources:
    """A register folder exactly as it was at `revision`, read from git objects.

    Files are named as they would be in a checkout of that revision. A symlink is reported
    (RK008), not followed: in a commit it is only the text of its target.
    """
    repository = repository or Repository(folder if folder.exists() else folder.parent)
    commit_id = repository.resolve(revision)
    return sources_at_commit(repository, folder, commit_id, revision)


def sources_at_commit(
    repository: Repository, folder: Path, commit_id: str, revision: str
) -> Sources:
    """`sources_at` for a resolved commit id (`revision` is only for messages)."""
    inside = repository.relative(folder)
    tree = repository.tree(commit_id, inside)
    if CONFIG_FILE not in tree:
        where = f"{inside}/" if inside else "the repository root"
        raise RiskctlError(f"{where} at {revision} is not a register: no {CONFIG_FILE}")
    regular = {path: blob for path, (mode, blob) in tree.items() if mode != SYMLINK_MODE}
    problems = tuple(
        Hit(Where(path, line=1, col=1), "symlink in a commit: not followed; not read", "RK008")
        for path, (mode, _blob) in sorted(tree.items())
        if mode == SYMLINK_MODE
    )
    contents = repository.read_blobs(regular.values())
    return Sources(
        label=label_of(folder),
        files={path: contents[blob] for path, blob in regular.items()},
        problems=problems,
        blob_ids=regular,
    )


@dataclass(frozen=True)
class DiffSides:
    """The two sides of a diff, as sources holding only the files the comparison needs."""

    old: Sources
    new: Sources
    old_ref: str
    """The old side's full commit id."""
    new_ref: str
    """The new side's full commit id, or `worktree`."""
    partial: bool
    """True when unchanged files that cannot matter were left out."""


def _kind_and_id(path: str) -> tuple[str, str] | None:
    folder, _, name = path.rpartition("/")
    if folder in KIND_BY_FOLDER and name.endswith(".yaml"):
        return KIND_BY_FOLDER[folder].name, name.removesuffix(".yaml")
    return None


def read_diff_sides(
    folder: Path, first: str | None, second: str | None, *, complete: bool = False
) -> DiffSides:
    """Read what `riskctl diff FIRST SECOND` compares, in time that follows the change.

    FIRST defaults to HEAD and SECOND to the working tree; `A...B` (as FIRST) compares the merge
    base of A and B with B. Only changed files are read on both sides, plus the unchanged files
    the scores of affected risks depend on: the risks that link a changed control (found by the
    control's id in the risk's text, then parsed), their linked controls and the acceptances
    naming them. A changed riskctl.yaml can move every score: then everything is read (as with
    `complete`, which the tests use to check that the partial read gives the same diff).
    """
    repository = Repository(folder if folder.exists() else folder.parent)
    if first is not None and "..." in first:
        if second is not None:
            raise RiskctlError("give either A...B or two revisions, not both")
        left, _, right = first.partition("...")
        new_id: str | None = repository.resolve(right or "HEAD")
        old_id = repository.merge_base(repository.resolve(left or "HEAD"), new_id or "HEAD")
    else:
        old_id = repository.resolve(first or "HEAD")
        new_id = repository.resolve(second) if second is not None else None
    inside = repository.relative(folder)
    old_tree = {
        path: blob
        for path, (mode, blob) in repository.tree(old_id, inside).items()
        if mode != SYMLINK_MODE
    }
    if CONFIG_FILE not in old_tree:
        raise RiskctlError(f"{inside or '.'} at {old_id[:12]} is not a register: no {CONFIG_FILE}")
    changes = {change.path: change.status for change in repository.changes(old_id, new_id, inside)}
    if new_id is not None:
        new_tree: dict[str, str | None] = {
            path: blob
            for path, (mode, blob) in repository.tree(new_id, inside).items()
            if mode != SYMLINK_MODE
        }
    else:  # the working tree: the old tree plus what git reports as changed
        new_tree = {path: blob for path, blob in old_tree.items() if path not in changes}
        new_tree.update({path: None for path, status in changes.items() if status != "D"})
    blobs = _BlobReader(repository, folder)

    def content(tree: Mapping[str, str | None], path: str) -> bytes:
        return blobs.read(path, tree[path])

    needed: set[str] | None = None
    if not complete and CONFIG_FILE not in changes:
        needed = _dependants(changes, old_tree, new_tree, blobs)
    everything = needed is None
    if needed is None:
        needed = set(old_tree) | set(new_tree)
    blobs.prefetch(
        blob
        for tree in (old_tree, new_tree)
        for path in needed
        if path in tree and (blob := tree[path]) is not None
    )
    old_files = {path: content(old_tree, path) for path in sorted(needed) if path in old_tree}
    new_files = {path: content(new_tree, path) for path in sorted(needed) if path in new_tree}
    label = label_of(folder)
    return DiffSides(
        old=Sources(label, old_files, blob_ids={p: old_tree[p] for p in old_files}),
        new=Sources(
            label,
            new_files,
            blob_ids={p: new_tree[p] or blob_id(new_files[p]) for p in new_files},
        ),
        old_ref=old_id,
        new_ref=new_id or WORKTREE,
        partial=not everything,
    )


class _BlobReader:
    """Reads files of either side: git blobs in batches, working-tree files from disk."""

    def __init__(self, repository: Repository, folder: Path) -> None:
        self._repository = repository
        self._folder = folder
        self._cache: dict[str, bytes] = {}

    def prefetch(self, object_ids: Iterable[str]) -> None:
        """Read many blobs with one git process, before `read` asks for them one by one."""
        wanted = [each for each in dict.fromkeys(object_ids) if each not in self._cache]
        self._cache.update(self._repository.read_blobs(wanted))

    def read(self, path: str, object_id: str | None) -> bytes:
        if object_id is None:
            try:
                return (self._folder / path).read_bytes()
            except OSError as error:
                raise RiskctlError(f"cannot read {self._folder / path}: {error.strerror}") from None
        if object_id not in self._cache:
            self.prefetch([object_id])
        return self._cache[object_id]


def _dependants(
    changes: Mapping[str, str],
    old_tree: Mapping[str, str],
    new_tree: Mapping[str, str | None],
    blobs: _BlobReader,
) -> set[str] | None:
    """Changed files and the unchanged files their scores and gates depend on.

    None when that cannot be told from file names: a changed entity file whose id is not its
    name (RK102), or a linked control whose file is not `controls/ID.yaml`. Then everything is
    read.
    """
    changed = [found for path in changes if (found := _kind_and_id(path))]
    changed_controls = {entity_id for kind, entity_id in changed if kind == "control"}
    affected_risks = {entity_id for kind, entity_id in changed if kind == "risk"}
    unchanged_risks = [
        path for path in old_tree if path.startswith("risks/") and path not in changes
    ]
    if changed_controls:
        blobs.prefetch(old_tree[path] for path in unchanged_risks)
        for path in unchanged_risks:
            text = blobs.read(path, old_tree[path])
            if any(control.encode() in text for control in changed_controls):
                found = _kind_and_id(path)
                if found:
                    affected_risks.add(found[1])
    needed: set[str] = {CONFIG_FILE, *changes}
    blobs.prefetch(
        blob
        for path in changes
        for tree in (old_tree, new_tree)
        if (blob := tree.get(path)) is not None
    )
    for path in changes:
        found = _kind_and_id(path)
        for tree in (old_tree, new_tree):
            if found and path in tree:
                data = parse(path, blobs.read(path, tree[path])).data
                if isinstance(data, dict) and data.get("id") != found[1]:
                    return None
    blobs.prefetch(
        blob
        for risk_id in affected_risks
        for tree in (old_tree, new_tree)
        if (blob := tree.get(f"risks/{risk_id}.yaml")) is not None
    )
    for risk_id in affected_risks:
        path = f"risks/{risk_id}.yaml"
        for tree in (old_tree, new_tree):
            if path in tree:
                needed.add(path)
                data = parse(path, blobs.read(path, tree[path])).data
                linked = data.get("controls") if isinstance(data, dict) else None
                for control in linked if isinstance(linked, list) else []:
                    control_path = f"controls/{control}.yaml"
                    if control_path not in old_tree and control_path not in new_tree:
                        return None  # a dangling link, or a control in a misnamed file
                    needed.add(control_path)
    acceptances = [path for path in old_tree if path.startswith("acceptances/")]
    if affected_risks and acceptances:
        blobs.prefetch(old_tree[path] for path in acceptances)
        for path in acceptances:
            text = blobs.read(path, old_tree[path])
            if any(risk.encode() in text for risk in affected_risks):
                needed.add(path)
    return needed


@dataclass(frozen=True)
class SourcesAt:
    """The register as of a moment: the last mainline commit on or before it, and its files."""

    moment: datetime.datetime
    commit: Commit | None
    """None when no commit of the mainline is that old."""
    sources: Sources | None
    """None without a commit, or when the commit holds no register (`problem` says which)."""
    problem: str | None


def last_commit_at(
    mainline: Sequence[tuple[str, datetime.datetime]], moment: datetime.datetime
) -> str | None:
    """The newest commit of a first-parent history (newest first) dated on or before `moment`."""
    return next((found for found, date in mainline if date <= moment), None)


def sources_at_moments(
    folder: Path, revision: str, moments: Sequence[datetime.datetime]
) -> list[SourcesAt]:
    """The register as it was at each moment, along the first-parent history of `revision`.

    Each moment reads the last commit dated (committer date) on or before it. Every blob of
    every chosen commit is read through one `git cat-file --batch` process, each blob once, so a
    file that did not change between two moments is read once; its blob id keys the parse
    cache of `load`, so it is parsed once too.
    """
    repository = Repository(folder if folder.exists() else folder.parent)
    start = repository.resolve(revision)
    mainline = repository.mainline(start)
    inside = repository.relative(folder)
    chosen = [last_commit_at(mainline, moment) for moment in moments]
    trees = {
        commit_id: {
            path: blob
            for path, (mode, blob) in repository.tree(commit_id, inside).items()
            if mode != SYMLINK_MODE
        }
        for commit_id in dict.fromkeys(each for each in chosen if each is not None)
    }
    contents = repository.read_blobs(
        blob for tree in trees.values() if CONFIG_FILE in tree for blob in tree.values()
    )
    commits = {commit_id: repository.commit(commit_id) for commit_id in trees}
    label = label_of(folder)
    found: list[SourcesAt] = []
    for moment, commit_id in zip(moments, chosen, strict=True):
        if commit_id is None:
            found.append(SourcesAt(moment, None, None, "before the first commit"))
            continue
        tree = trees[commit_id]
        if CONFIG_FILE not in tree:
            found.append(SourcesAt(moment, commits[commit_id], None, "no register at this commit"))
            continue
        files = {path: contents[blob] for path, blob in tree.items()}
        sources = Sources(label, files, blob_ids=dict(tree))
        found.append(SourcesAt(moment, commits[commit_id], sources, None))
    return found
