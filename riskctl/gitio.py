"""Git access: resolve revisions, list trees and read blobs, changes, tags and history.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

# Without a git executable GitPython's import raises ImportError (a crash); quiet, the first
# command raises GitCommandNotFound instead, which `_run` reports as an operational error.
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
try:
    import git
except ImportError as _error:  # git is there but fails to start (a broken ~/.gitconfig)
    _stderr = str(getattr(_error.__cause__, "stderr", "")).strip().removeprefix("stderr: ")
    #: Why git cannot run, said when a repository is opened (exit 3), not at import (exit 4).
    GIT_FAILURE: str | None = f"git fails to start: {_stderr.strip(chr(39)) or _error}"
else:
    GIT_FAILURE = None

from riskctl.errors import RiskctlError

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
    an option (a leading `-`), control characters, and ranges (`A..B`; diff takes `A...B`),
    `^A` among them: git resolves it to `^` and a commit id, which names no commit.
    """
    is_search = revision.startswith(":/")
    if (
        not revision
        or revision.startswith(("-", "^"))
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
        if GIT_FAILURE is not None:
            raise RiskctlError(GIT_FAILURE)
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
        """Files under `folder` at a commit: relative path → (mode, blob id). A submodule is
        listed too, with its mode (160000) and commit id: its files are not in this commit."""
        prefix = f"{folder}/" if folder else ""
        output = self._git("ls-tree", "-r", "-z", "--full-tree", commit_id, "--", folder or ".")
        files: dict[str, tuple[str, str]] = {}
        for entry in output.split(b"\0"):
            if not entry:
                continue
            meta, _, name = entry.partition(b"\t")
            mode, kind, object_id = meta.decode().split(" ")
            path = name.decode("utf-8", "surrogateescape")
            if kind in ("blob", "commit") and path.startswith(prefix):
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

        With `second` None the working tree is compared, untracked files included, ignored
        ones too (the register in the working tree is every file in its folder, as `score`
        reads it, whatever `.gitignore` says); renames are reported as a deletion and an
        addition.
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
            untracked = self._git("ls-files", "--others", "-z", "--", folder or ".")
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
            # Paths are paths, never patterns: a register folder named `reg[1]` must not
            # match `reg1/` (git reads `*`, `?` and `[` in a pathspec as a glob by default).
            process: Any = self._repo.git.execute(
                ["git", "--literal-pathspecs", *arguments],
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


def last_commit_at(
    mainline: Sequence[tuple[str, datetime.datetime]], moment: datetime.datetime
) -> str | None:
    """The newest commit of a first-parent history (newest first) dated on or before `moment`."""
    return next((found for found, date in mainline if date <= moment), None)
