"""Git access: resolve revisions, list trees and read blobs, changes, tags and history.

The only module that imports GitPython. Callers never see a GitPython type. A revision is
checked before git sees it (nothing that git could read as an option, only plain revision
expressions) and resolved once to a full commit id. Files are read from the object database,
never by checking out: `git ls-tree` lists a folder's blobs and one `git cat-file --batch`
process reads them all (about ten times faster than GitPython's per-object API on a large
register). A blob id is the hash of its content, so it keys the parse cache in `load`.
"""

from __future__ import annotations

import datetime
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import git

from riskctl.errors import RiskctlError

#: A plain revision expression: names, ids, `^`, `~N`, `@{...}`; no spaces, no leading dash.
_REVISION = re.compile(r"[\w./@^~{}+-]+")
_MAX_REVISION = 256
WORKTREE = "worktree"


def check_revision(revision: str) -> str:
    """The revision if it is a plain revision expression; else an operational error."""
    if (
        not revision
        or revision.startswith("-")
        or len(revision) > _MAX_REVISION
        or not _REVISION.fullmatch(revision)
        or ".." in revision
    ):
        raise RiskctlError(
            f"not a revision: {revision!r} (give a branch, tag or commit id, e.g. HEAD~1 or main)"
        )
    return revision


@dataclass(frozen=True)
class Commit:
    """A commit as riskctl reports it."""

    id: str
    date: datetime.datetime
    author: str
    subject: str


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


class Repository:
    """The git repository holding a register folder."""

    def __init__(self, folder: Path) -> None:
        try:
            self._repo = git.Repo(folder, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise RiskctlError(
                f"{folder}: not inside a git repository (--rev and diff read git history)"
            ) from None
        if self._repo.working_tree_dir is None:
            raise RiskctlError(f"{folder}: a bare repository has no register to compare with")
        self.root = Path(self._repo.working_tree_dir).resolve()

    def relative(self, folder: Path) -> str:
        """The folder's path inside the repository, forward slashes ('' for the root)."""
        try:
            inside = folder.resolve().relative_to(self.root)
        except ValueError:
            raise RiskctlError(f"{folder}: outside the git repository at {self.root}") from None
        return "" if inside == Path(".") else inside.as_posix()

    def resolve(self, revision: str) -> str:
        """The full commit id that `revision` names."""
        check_revision(revision)
        try:
            return str(self._repo.commit(revision).hexsha)
        except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
            raise RiskctlError(f"unknown revision {revision!r}") from None

    def merge_base(self, first: str, second: str) -> str:
        """The best common ancestor of two commits (for `A...B`)."""
        bases = self._repo.merge_base(first, second)
        if not bases:
            raise RiskctlError(f"{first[:12]} and {second[:12]} have no common ancestor")
        return str(bases[0].hexsha)

    def commit(self, commit_id: str) -> Commit:
        """What to show of a commit."""
        found = self._repo.commit(commit_id)
        return Commit(
            id=found.hexsha,
            date=found.committed_datetime,
            author=str(found.author.name),
            subject=str(found.message).splitlines()[0] if found.message else "",
        )

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
        output = self._git("log", "--format=%H", "--no-renames", commit_id, "--", *paths)
        return [self.commit(line) for line in output.decode().split()]

    def _git(self, *arguments: str, stdin: str | None = None) -> bytes:
        """Run a git command in the repository and return its stdout as bytes."""
        try:
            process: Any = self._repo.git.execute(
                ["git", *arguments],
                as_process=True,
                istream=subprocess.PIPE if stdin is not None else None,
            )
            stdout, stderr = process.proc.communicate(stdin.encode() if stdin is not None else None)
        except git.GitCommandError as error:  # pragma: no cover - spawning git itself failed
            raise RiskctlError(f"git {arguments[0]} failed: {error}") from None
        if process.proc.returncode != 0:
            message = stderr.decode("utf-8", "replace").strip().splitlines()
            raise RiskctlError(f"git {arguments[0]} failed: {message[-1] if message else ''}")
        return cast(bytes, stdout)


def last_commit_at(
    mainline: Sequence[tuple[str, datetime.datetime]], moment: datetime.datetime
) -> str | None:
    """The newest commit of a first-parent history (newest first) dated on or before `moment`."""
    return next((found for found, date in mainline if date <= moment), None)
