"""What `riskctl diff` must read: the changed files and the unchanged files their scores need.

A diff is fast because it reads files in proportion to the change, and it is right only if it
reads every file the comparison depends on. Those dependencies follow from the scoring model
(`score/residual.py`, `score/treatment.py`) and the gates (`diff.py`), and are written down once,
here:

- a risk's tiers depend on the risk, the controls it links, the incidents and near-misses that
  name those controls in `failed_controls` (a failure after the latest passing test voids the
  credit: rca.md section 7), and `riskctl.yaml` (the method, categories and appetite);
- so a change to a risk affects that risk; to a control, every risk linking it; to an incident,
  every risk linking a control it names (before or after the change); to `riskctl.yaml`,
  everything (then everything is read);
- the gates also read, for each affected risk, the acceptances that name it (its treatment
  plan) and its linked controls (key controls, planned controls);
- owners, KRIs, launches and acceptances move no score: a change to one is read (the gates on
  acceptances compare the acceptance itself), and nothing else for it;
- a framework requirement's coverage status depends on every control mapped to it (`maps_to`),
  the incidents naming those controls, the framework's catalogue and `riskctl.yaml` (scope and
  test windows): so a change to a control, or to an incident naming it, affects the
  requirements the control maps to on either side, and every control mapped to one of them is
  read (found by the requirement id's bytes), with the incidents naming it and every catalogue
  file; a change to a catalogue file reads everything;
- a risk's analytic ALE depends on what its tiers depend on, so the risks above are every risk
  whose ALE can move; but the portfolio's totals and the `tolerance-breached` simulation need
  every quantified risk: when `riskctl.yaml` has a `quant.tolerance` curve and an affected risk
  has a `quant:` block on either side, everything is read. Without a curve the diff gives the
  change of the portfolio's sum, which the affected risks alone determine.

Unchanged files are found by the ids they must mention: a file is a candidate when its bytes
contain the id, or a backslash (a double-quoted escape could spell an id without its bytes),
and a candidate is parsed to check. When file names cannot be trusted (a changed file whose id is
not its name, a linked control with no `controls/ID.yaml`, a risk, incident or acceptance file
scanned but left unread that declares the id of a file read: of two files with one id the first
keeps it), the complete register is read.
A property test (tests/test_diff_reads.py) applies random single-file changes of every kind and
checks that the partial read gives exactly the complete read's diff.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskctl.errors import RiskctlError
from riskctl.fileio import check_usable
from riskctl.load import ParseCache, Sources, blob_id, label_of, parse
from riskctl.load.cache import store_for
from riskctl.load.register import cached_parse, validated
from riskctl.model.register import CONFIG_FILE, KIND_BY_FOLDER
from riskctl.source import FileReader, RegisterSource, at_commit, open_repository, walked_path

WORKTREE = "worktree"


@dataclass(frozen=True)
class DiffSides:
    """The two sides of a diff, as sources holding only the files the comparison needs."""

    old: Sources
    new: Sources
    old_source: RegisterSource
    new_source: RegisterSource
    partial: bool
    """True when unchanged files that cannot matter were left out."""
    cache: ParseCache = field(default_factory=dict)
    """Files already parsed and validated while choosing what to read: pass it to `load`."""

    @property
    def old_ref(self) -> str:
        """The old side's full commit id."""
        return self.old_source.commit or WORKTREE

    @property
    def new_ref(self) -> str:
        """The new side's full commit id, or `worktree`."""
        return self.new_source.commit or WORKTREE


def diff_sources(
    folder: Path, first: str | None, second: str | None
) -> tuple[RegisterSource, RegisterSource]:
    """The two registers `riskctl diff FIRST SECOND` compares, resolved once.

    FIRST defaults to HEAD and SECOND to the working tree; `A...B` (as FIRST) compares the merge
    base of A and B with B.
    """
    check_usable(folder, "")
    repository = open_repository(folder)
    base = RegisterSource(folder, label_of(folder), repository)
    if first is not None and "..." in first:
        if second is not None:
            raise RiskctlError("give either A...B or two revisions, not both")
        left, _, right = first.partition("...")
        new_id = repository.resolve(right or "HEAD")
        old_id = repository.merge_base(repository.resolve(left or "HEAD"), new_id)
        return at_commit(base, old_id, f"merge base of {first}"), at_commit(
            base, new_id, right or "HEAD"
        )
    old = at_commit(base, repository.resolve(first or "HEAD"), first or "HEAD")
    new = base if second is None else at_commit(base, repository.resolve(second), second)
    return old, new


def read_diff_sides(
    old: RegisterSource, new: RegisterSource, *, complete: bool = False
) -> DiffSides:
    """Read what comparing `old` (a commit) with `new` (a commit or the working tree) needs.

    Only changed files are read on both sides, plus the unchanged files the affected risks'
    scores depend on (see the module's docstring). `complete` reads everything (the tests use it
    to check that the partial read gives the same diff).
    """
    repository = old.git()
    if old.commit is None:
        raise RiskctlError("the old side of a diff is a commit")
    inside = repository.relative(old.folder)
    old_tree: dict[str, str | None] = dict(old.commit_tree())
    if CONFIG_FILE not in old_tree:
        raise RiskctlError(
            f"{inside or '.'} at {old.commit[:12]} is not a register: no {CONFIG_FILE}"
        )
    # Changes as the working-tree walk names files (`walked_path`): none in hidden files, and
    # one for a folder named like a register file, whatever changed inside it.
    changes: dict[str, str] = {}
    for change in repository.changes(old.commit, new.commit, inside):
        path = walked_path(change.path)
        if path is not None:
            known = changes.setdefault(path, change.status)
            changes[path] = known if known == change.status else "M"
    if new.commit is not None:
        new_tree: dict[str, str | None] = dict(new.commit_tree())
    else:  # the working tree: the old tree plus what git reports as changed
        new_tree = {path: blob for path, blob in old_tree.items() if path not in changes}
        # git calls a file replaced by a FIFO, a device or a folder deleted; it is not: it is
        # there and cannot be read, so it goes to `read_file`, which refuses it (RK008).
        new_tree.update(
            {
                path: None
                for path, status in changes.items()
                if status != "D" or os.path.lexists(new.folder / path)
            }
        )
    blobs: dict[str, bytes] = {}  # one blob is read once, whichever side asks for it
    cache: ParseCache = {}
    old_reader, new_reader = FileReader(old, blobs), FileReader(new, blobs)
    needed: set[str] | None = None
    if not complete and CONFIG_FILE not in changes:
        needed = needed_files(changes, old_tree, new_tree, old_reader, new_reader, cache)
    everything = needed is None
    if needed is None:
        needed = set(old_tree) | set(new_tree)
    return DiffSides(
        old=old_reader.sources(old_tree, needed),
        new=new_reader.sources(new_tree, needed),
        old_source=old,
        new_source=new,
        partial=not everything,
        cache=cache,
    )


def kind_and_id(path: str) -> tuple[str, str] | None:
    """(kind, id) of an entity file named by the convention `FOLDER/ID.yaml`, else None."""
    folder, _, name = path.rpartition("/")
    if folder in KIND_BY_FOLDER and name.endswith(".yaml"):
        return KIND_BY_FOLDER[folder].name, name.removesuffix(".yaml")
    return None


class _Needles:
    """Ids to look for in files' bytes: as ASCII tokens (`_TOKEN`); an id whose digits are
    other Unicode digits (the id patterns' `\\d` allows them) is not an ASCII token, and is
    looked for as bytes anywhere in the file."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.tokens = {each.encode() for each in ids}
        self.wide = [each for each in self.tokens if not each.isascii()]


class _Side:
    """One side's tree and reader, with each file's parsed data read once."""

    def __init__(
        self, tree: Mapping[str, str | None], reader: FileReader, cache: ParseCache
    ) -> None:
        self.tree = tree
        self.reader = reader
        self.cache = cache
        self._data: dict[str, Any] = {}
        self._tokens: dict[str, list[bytes] | None] = {}

    def data(self, path: str) -> Any:
        """The file's plain data (None when absent, unreadable or not YAML).

        An entity file is loaded into the parse cache that loading the sides uses next, keyed
        as `load` keys it, so a file read here is not parsed again.
        """
        if path not in self._data:
            content = self.reader.read(path, self.tree[path]) if path in self.tree else None
            data = None
            if isinstance(content, bytes):
                folder = path.rpartition("/")[0]
                kind = KIND_BY_FOLDER.get(folder)
                if kind is None or not path.endswith(".yaml"):
                    data = parse(path, content).data
                else:
                    key = (path, self.tree[path] or blob_id(content))
                    loaded = self.cache.get(key)
                    if loaded is None:
                        store = store_for(self.reader.source.folder)
                        parsed = cached_parse(store, path, content)
                        # kept by the store when loading the sides flushes it
                        loaded = self.cache[key] = validated(path, parsed, kind.model)
                    data = loaded.data
            self._data[path] = data
        return self._data[path]

    def names(self, path: str, name: str, ids: set[str]) -> bool:
        """Whether the file's field `name` names one of `ids`; True when the file cannot be
        parsed (it is read then, and loading reports it)."""
        data = self.data(path)
        return data is None or bool(ids & _strings(_field(data, name)))

    def mentioning(self, folder: str, ids: set[str], unchanged: Iterable[str]) -> list[str]:
        """Unchanged files of a kind folder whose bytes could name one of `ids`."""
        if not ids:
            return []
        paths = [path for path in unchanged if path.startswith(f"{folder}/")]
        self.reader.prefetch(self.tree[path] for path in paths if path not in self._tokens)
        needles = _Needles(ids)
        return [path for path in paths if self.could_name(path, needles)]

    def could_name(self, path: str, needles: _Needles) -> bool:
        """Whether the file's bytes could name one of the ids (see `_TOKEN`)."""
        tokens = self.tokens(path)
        if tokens is None or not needles.tokens.isdisjoint(tokens):
            return True
        if not needles.wide:
            return False
        content = self.reader.read(path, self.tree[path])
        return not isinstance(content, bytes) or any(each in content for each in needles.wide)

    def tokens(self, path: str) -> list[bytes] | None:
        """The id-like runs in a file's bytes; None when they cannot tell (the file is
        unreadable, to be read with the rest and reported by load, or has an escape)."""
        if path not in self._tokens:
            content = self.reader.read(path, self.tree[path])
            tokens = None
            if isinstance(content, bytes) and b"\\" not in content:
                tokens = _TOKEN.findall(content)
            self._tokens[path] = tokens
        return self._tokens[path]

    def scanned(self, path: str, needles: _Needles) -> bool:
        """Whether the file's bytes were scanned (`tokens`) and could name one of `needles`."""
        return path in self._tokens and self.could_name(path, needles)

    def declares(self, path: str, ids: set[str]) -> bool:
        """Whether the file declares one of `ids` as its own id (a file that cannot be parsed
        declares none: it holds no entity)."""
        return _field(self.data(path), "id") in ids


#: A run of the characters ids are made of. An id written in a file is such a run exactly: the
#: characters around a plain or quoted scalar are not id characters, and a scalar can spell an
#: id differently only through an escape (a backslash, checked separately). So a file whose
#: runs include none of the ids names none of them.
_TOKEN = re.compile(rb"[A-Za-z0-9_-]+")


def _strings(value: Any) -> set[str]:
    """The strings of a list (or a single string) in raw data."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {each for each in value if isinstance(each, str)}
    return set()


def _field(data: Any, name: str) -> Any:
    return data.get(name) if isinstance(data, dict) else None


def needed_files(
    changes: Mapping[str, str],
    old_tree: Mapping[str, str | None],
    new_tree: Mapping[str, str | None],
    old_reader: FileReader,
    new_reader: FileReader,
    cache: ParseCache | None = None,
) -> set[str] | None:
    """Changed files and the unchanged files their scores and gates depend on; None when that
    cannot be told from file names (then everything is read). Entity files parsed to tell are
    left in `cache`."""
    cache = {} if cache is None else cache
    sides = (_Side(old_tree, old_reader, cache), _Side(new_tree, new_reader, cache))
    unchanged = [path for path in old_tree if path not in changes and path in new_tree]
    for side in sides:
        side.reader.prefetch(side.tree.get(path) for path in changes)
    risks: set[str] = set()
    controls: set[str] = set()
    for path in changes:
        found = kind_and_id(path)
        if found is None:
            continue
        kind, entity_id = found
        for side in sides:
            data = side.data(path)
            if isinstance(data, dict) and data.get("id") != entity_id:
                return None  # the file's name is not its id: names cannot be trusted
            if kind == "risk":
                risks.add(entity_id)
            elif kind == "control":
                controls.add(entity_id)
            elif kind == "incident":
                controls |= _strings(_field(data, "failed_controls"))
    old_side = sides[0]  # unchanged files are the same on both sides
    for path in old_side.mentioning("risks", controls, unchanged):
        if old_side.names(path, "controls", controls):
            found = kind_and_id(path)
            if found is None:
                return None
            risks.add(found[1])
    needed: set[str] = {CONFIG_FILE, *changes}
    linked: set[str] = set()
    for side in sides:
        side.reader.prefetch(side.tree.get(f"risks/{risk_id}.yaml") for risk_id in risks)
    totals = _has_tolerance_curve(sides[1])
    for risk_id in risks:
        path = f"risks/{risk_id}.yaml"
        for side in sides:
            if path in side.tree:
                needed.add(path)
                linked |= _strings(_field(side.data(path), "controls"))
                if totals and _field(side.data(path), "quant") is not None:
                    return None  # the portfolio's totals and its simulation need every risk
    for control_id in linked:
        path = f"controls/{control_id}.yaml"
        if path not in old_tree and path not in new_tree:
            return None  # a dangling link, or a control in a misnamed file
        needed.add(path)
    for path in old_side.mentioning("incidents", linked, unchanged):
        if old_side.names(path, "failed_controls", linked):
            needed.add(path)
    for path in old_side.mentioning("acceptances", risks, unchanged):
        if old_side.names(path, "risk", risks):
            needed.add(path)
    mapped = _coverage_files(changes, controls, unchanged, sides)
    if mapped is None:
        return None
    needed |= mapped
    if _shadowed(needed, unchanged, sides):
        return None
    return needed


def _coverage_files(
    changes: Mapping[str, str],
    touched: set[str],
    unchanged: list[str],
    sides: tuple[_Side, _Side],
) -> set[str] | None:
    """The files the coverage of the requirements that `touched` controls map to (on either
    side) depends on: those controls, every unchanged control mapped to one of the
    requirements, the incidents naming them, and every catalogue file. None when everything
    must be read (a catalogue changed, a touched control has no file of its name)."""
    if any(path.startswith("frameworks/") for path in changes):
        return None  # a requirement added or removed can change any control's mapping
    mappings: set[str] = set()
    files: set[str] = set()
    for control_id in touched:
        path = f"controls/{control_id}.yaml"
        present = [side for side in sides if path in side.tree]
        if not present:
            return None  # an incident names a control with no file of its name
        files.add(path)
        for side in present:
            mappings |= _strings(_field(side.data(path), "maps_to"))
    if not mappings:
        return files  # no requirement can change its status
    requirements = {mapping.partition(":")[2] for mapping in mappings}
    if any(
        not each or not each.isprintable() or any(c in each for c in " '") for each in requirements
    ):
        needles: list[bytes] | None = None  # could be spelled over two lines or quoted: read all
    else:
        needles = [each.encode() for each in requirements]
    old_side = sides[0]  # unchanged files are the same on both sides
    candidates = [path for path in unchanged if path.startswith("controls/")]
    old_side.reader.prefetch(old_side.tree[path] for path in candidates)
    mapped_controls = set(touched)
    for path in candidates:
        content = old_side.reader.read(path, old_side.tree[path])
        could = (
            needles is None
            or not isinstance(content, bytes)
            or b"\\" in content
            or any(needle in content for needle in needles)
        )
        if could and old_side.names(path, "maps_to", mappings):
            files.add(path)
            declared = _field(old_side.data(path), "id")
            mapped_controls.add(declared if isinstance(declared, str) else path)
    for path in old_side.mentioning("incidents", mapped_controls, unchanged):
        if old_side.names(path, "failed_controls", mapped_controls):
            files.add(path)
    for side in sides:
        files |= {path for path in side.tree if path.startswith("frameworks/")}
    return files


def _has_tolerance_curve(side: _Side) -> bool:
    """Whether the side's riskctl.yaml (unchanged here) has a `quant.tolerance` curve; one that
    does not parse counts as having one (then everything is read, and loading reports it)."""
    data = side.data(CONFIG_FILE)
    if not isinstance(data, dict):
        return True
    quant = data.get("quant")
    return quant is not None and (not isinstance(quant, dict) or bool(quant.get("tolerance")))


def _shadowed(needed: set[str], unchanged: Iterable[str], sides: tuple[_Side, _Side]) -> bool:
    """Whether an unchanged file left unread declares the id of a file read (its name's, or
    the one it declares): of two files with one id the first keeps it (`Register.add`), so the
    complete read could use the file this read leaves out.

    Only files whose bytes were already scanned for ids (risks, incidents and acceptances that
    could name an affected control or risk) are checked: scanning every folder for duplicate
    ids would read the whole register, which a diff must not. A duplicate control, owner, KRI
    or launch id that was already in the old commit (an RK101 error there) is not caught."""
    for side in sides:
        side.reader.prefetch(side.tree.get(path) for path in needed)
    ids_by_folder: dict[str, set[str]] = {}
    for path in needed:
        found = kind_and_id(path)
        if found is None:
            continue
        ids = ids_by_folder.setdefault(path.rpartition("/")[0], set())
        ids.add(found[1])
        for side in sides:
            declared = _field(side.data(path), "id")
            if isinstance(declared, str):
                ids.add(declared)
    old_side = sides[0]  # unchanged files are the same on both sides
    needles = {folder: _Needles(ids) for folder, ids in ids_by_folder.items()}
    for path in sorted(unchanged):
        folder = path.rpartition("/")[0]
        if path in needed or folder not in needles or not old_side.scanned(path, needles[folder]):
            continue
        if old_side.declares(path, ids_by_folder[folder]):
            return True
    return False
