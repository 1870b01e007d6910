"""The history of one entity through the commits that touched its file, with a risk's scores.

`entity_history` walks `git log` for one file (`<register>/<kind folder>/<ID>.yaml`), newest
first, and says for each commit whether the entity was added, modified (which fields) or removed.
For a risk it also scores the whole register at that commit and at the commit's first parent, so
a reader sees what the commit did to the risk's tiers.

Only commits that touched the entity's own file are listed. A risk's residual also moves when a
linked control changes, in commits that never touched the risk's file; those commits are not
listed, but the move shows as a difference between one listed commit's scores and the next
newer one's parent scores.

A register that cannot be read at some commit (a broken riskctl.yaml, an unparseable file) is
never an error here: that commit gets a `note` and the walk goes on. In a shallow clone the walk
shows the history the clone holds and stops at its boundary, whose change is `unknown`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from riskctl.errors import RiskctlError
from riskctl.findings import first_problem
from riskctl.gitio import Commit, shallow_hint
from riskctl.load import LoadedFile, ParseCache, load
from riskctl.load.cache import store_for
from riskctl.load.register import cached_parse, validated
from riskctl.model.register import KIND_BY_NAME, Kind
from riskctl.model.risk import Risk
from riskctl.score.residual import RiskScore, score_register
from riskctl.source import FOLDER_MODE, SYMLINK_MODE, RegisterSource, as_walked, at_commit

#: `unknown`: the commit is a shallow clone's boundary, whose parent the clone does not hold.
ChangeKind = Literal["added", "modified", "removed", "unknown"]

#: Kinds by id prefix; an id with none of these prefixes is an owner (a kebab-case slug).
KIND_BY_PREFIX: tuple[tuple[str, str], ...] = (
    ("LAUNCH-", "launch"),
    ("KRI-", "kri"),
    ("INC-", "incident"),
    ("ACC-", "acceptance"),
    ("R-", "risk"),
    ("C-", "control"),
)
#: What an id may look like to be looked up: it becomes a file name and a git pathspec, so no
#: path separators, dots or pathspec wildcards (`*`, `?`, `[`, a leading `:`).
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_MAX_ID = 100


@dataclass(frozen=True)
class HistoryEntry:
    """One commit that touched the entity's file, and what the entity was then."""

    commit: Commit
    change: ChangeKind
    fields: tuple[str, ...] | None
    """Changed fields of a modified entity, sorted; nested mappings as dotted paths
    (`effectiveness.operating`). Empty when added or removed; None when either side could not
    be read as a mapping, so what changed is not known."""
    scores: RiskScore | None
    """A risk's tiers at this commit, scored with the whole register; None for other kinds, a
    removed risk, or a register that could not be read."""
    parent_scores: RiskScore | None
    """The same at the commit's first parent (None when the risk did not exist there)."""
    note: str | None
    """Why something could not be read at this commit, or None."""


@dataclass(frozen=True)
class EntityHistory:
    """An entity's history, newest first, from `revision`."""

    id: str
    kind: str
    file: str
    """The entity's file as findings name it: the register's label, kind folder, `ID.yaml`."""
    revision: str
    """The revision the walk started at, as given."""
    entries: tuple[HistoryEntry, ...]
    scores_at_revision: RiskScore | None = None
    """A risk's tiers at `revision` itself, which differ from the newest entry's when a commit
    not listed (a linked control changed) moved them since."""
    shallow: bool = False
    """True in a shallow clone: commits older than its boundary are not listed."""


def kind_of(entity_id: str) -> Kind:
    """The kind an id names, from its prefix (R-, C-, INC-, KRI-, LAUNCH-, ACC-, else owner)."""
    if len(entity_id) > _MAX_ID or not _SAFE_ID.fullmatch(entity_id):
        raise RiskctlError(
            f"not an entity id: {entity_id!r} (e.g. R-001, C-012, INC-2026-014, payments-risk)"
        )
    name = next((kind for prefix, kind in KIND_BY_PREFIX if entity_id.startswith(prefix)), "owner")
    return KIND_BY_NAME[name]


def changed_fields(old: Any, new: Any, prefix: str = "") -> tuple[str, ...]:
    """Keys whose values differ between two mappings, sorted; nested mappings are followed.

    Values compare with their types (`1` and `true` differ, as YAML 1.2 reads them).
    """
    changed: list[str] = []
    for key in sorted(set(old) | set(new), key=str):
        name = f"{prefix}{key}"
        before, after = old.get(key, _MISSING), new.get(key, _MISSING)
        if isinstance(before, dict) and isinstance(after, dict):
            changed.extend(changed_fields(before, after, f"{name}."))
        elif not _same(before, after):
            changed.append(name)
    return tuple(sorted(changed))


_MISSING = object()


def _same(first: Any, second: Any) -> bool:
    if type(first) is not type(second):
        return False
    if isinstance(first, dict):
        return first.keys() == second.keys() and all(_same(first[k], second[k]) for k in first)
    if isinstance(first, list):
        return len(first) == len(second) and all(
            _same(a, b) for a, b in zip(first, second, strict=True)
        )
    return bool(first == second)


@dataclass(frozen=True)
class _FileState:
    """The entity's file at one commit: absent, or its blob and what parsing it gave."""

    exists: bool
    loaded: LoadedFile | None = None
    problem: str | None = None


class _Walker:
    """Reads the entity's file and, for a risk, the register's scores, once per commit."""

    def __init__(
        self, source: RegisterSource, kind: Kind, entity_id: str, cache: ParseCache
    ) -> None:
        self.source = source
        self.repository = repository = source.git()
        self.kind = kind
        self.entity_id = entity_id
        self.name = f"{kind.folder}/{entity_id}.yaml"
        inside = repository.relative(source.folder)
        self.kind_folder = f"{inside}/{kind.folder}" if inside else kind.folder
        self.path = f"{self.kind_folder}/{entity_id}.yaml"
        self.cache = cache
        self._states: dict[str, _FileState] = {}
        self._scores: dict[str, tuple[RiskScore | None, str | None]] = {}

    def state(self, commit_id: str | None) -> _FileState:
        """The file at a commit (None: before the first commit)."""
        if commit_id is None:
            return _FileState(exists=False)
        if commit_id not in self._states:
            self._states[commit_id] = self._read_state(commit_id)
        return self._states[commit_id]

    def _read_state(self, commit_id: str) -> _FileState:
        tree = as_walked(self.repository.tree(commit_id, self.kind_folder))
        found = tree.get(f"{self.entity_id}.yaml")
        if found is None:
            return _FileState(exists=False)
        mode, object_id = found
        if mode == SYMLINK_MODE:
            return _FileState(exists=True, problem="could not be read: a symlink in a commit")
        if mode == FOLDER_MODE:
            return _FileState(exists=True, problem="could not be read: a folder, not a file")
        key = (self.name, object_id)
        if key not in self.cache:
            content = self.repository.read_blobs([object_id])[object_id]
            store = store_for(self.source.folder)  # flushed by entity_history
            parsed = cached_parse(store, self.name, content)
            self.cache[key] = validated(self.name, parsed, self.kind.model)
        loaded = self.cache[key]
        problem = None
        if loaded.data is None:
            problem = f"could not be read: {first_problem(loaded.hits, count_others=True)}"
        elif loaded.entity is None:
            problem = f"invalid at this commit: {first_problem(loaded.hits, count_others=True)}"
        return _FileState(exists=True, loaded=loaded, problem=problem)

    def scores(self, commit_id: str | None) -> tuple[RiskScore | None, str | None]:
        """The risk's scores at a commit with the whole register, or why there are none."""
        if commit_id is None or self.kind.model is not Risk:
            return None, None
        if commit_id not in self._scores:
            self._scores[commit_id] = self._score(commit_id)
        return self._scores[commit_id]

    def _score(self, commit_id: str) -> tuple[RiskScore | None, str | None]:
        state = self.state(commit_id)
        if not state.exists or state.problem is not None or state.loaded is None:
            return None, None  # the file's own problem is the note
        try:
            loaded = load(at_commit(self.source, commit_id, commit_id[:12]).read(), self.cache)
            register = loaded.register
            card = score_register(register)
        except RiskctlError as error:
            lines = [line.strip() for line in str(error).splitlines() if line.strip()]
            first, *rest = lines or ["unknown problem"]
            return None, f"could not be read: {' '.join([first, '; '.join(rest)]).strip()}"
        record = next(
            (each for each in register.records if each.kind == "risk" and each.file == self.name),
            None,
        )
        # Scores computed without a file that did not load would be silently wrong: say so.
        left_out = _left_out(loaded.failed)
        for score in card.risks:
            if record is not None and score.risk is record.entity:
                return score, left_out
        entity = state.loaded.entity
        other = entity.id if entity is not None else self.entity_id
        return None, f"not scored: another file has the id {other}, and it was scored instead"


def _left_out(failed: Mapping[str, str]) -> str | None:
    """The note for scores computed while some files did not load, or None."""
    if not failed:
        return None
    names = sorted(failed)
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"scored without {len(names)} file(s) that did not load at this commit: {shown}"


def entity_history(
    source: RegisterSource,
    entity_id: str,
    cache: ParseCache | None = None,
) -> EntityHistory:
    """The commits reachable from `source`'s commit that touched the entity's file, newest first.

    Only the entity's own file is followed: a commit that changed a risk's residual by changing
    one of its controls is not listed (its effect shows between two listed commits' scores).
    Scores are computed with the register as a whole at each commit, parsing each distinct file
    once (through `cache`, which a caller may share). Raises `RiskctlError` for a bad id or
    revision, a folder outside a git repository, or an id whose file no commit ever touched.
    """
    kind = kind_of(entity_id)
    repository = source.git()
    start = source.commit or repository.resolve("HEAD")
    revision = source.revision or "HEAD"
    walker = _Walker(source, kind, entity_id, {} if cache is None else cache)
    file = f"{source.label}/{walker.name}"
    commits = repository.history(start, [walker.path])
    if not commits:
        raise RiskctlError(
            f"unknown id {entity_id!r}: no commit reachable from {revision} touched {file}"
        )
    boundary = repository.shallow_boundary()
    entries = []
    for commit in commits:
        parent = commit.parents[0] if commit.parents else None
        now, before = walker.state(commit.id), walker.state(parent)
        cut_note = None
        if commit.id in boundary:  # git log shows it as if it added every file it holds
            change: ChangeKind = "unknown"
            cut_note = (
                f"the history in this clone stops here, so what this commit changed is not "
                f"known: {shallow_hint()}"
            )
        elif not now.exists:
            change = "removed"
        elif not before.exists:
            change = "added"
        else:
            change = "modified"
        fields: tuple[str, ...] | None = ()
        if change == "unknown":
            fields = None
        elif change == "modified":
            old_data = before.loaded.data if before.loaded else None
            new_data = now.loaded.data if now.loaded else None
            is_readable = isinstance(old_data, dict) and isinstance(new_data, dict)
            fields = changed_fields(old_data, new_data) if is_readable else None
        scores, scoring_note = walker.scores(commit.id) if now.exists else (None, None)
        parent_scores, _ = walker.scores(parent) if before.exists else (None, None)
        entries.append(
            HistoryEntry(
                commit=commit,
                change=change,
                fields=fields,
                scores=scores,
                parent_scores=parent_scores,
                note="; ".join(note for note in (now.problem, scoring_note, cut_note) if note)
                or None,
            )
        )
    at_revision, _ = walker.scores(start) if walker.state(start).exists else (None, None)
    store = store_for(source.folder)
    if store is not None:  # keep the versions parsed: only a risk's scores loaded (and flushed)
        store.flush()
    return EntityHistory(
        id=entity_id,
        kind=kind.name,
        file=file,
        revision=revision,
        entries=tuple(entries),
        scores_at_revision=at_revision,
        shallow=bool(boundary),
    )
