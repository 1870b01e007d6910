"""Files to a register: the configuration, every entity file parsed and validated, the parse cache.

`load` never raises on bad data: each problem is a hit, and `Loaded.failed` names the files that
did not load. Only an unusable register (no `riskctl.yaml`, a broken configuration) raises
`RiskctlError`.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from riskctl.errors import RiskctlError
from riskctl.findings import Hit, first_problem
from riskctl.load.cache import Store, remembered, snapshot, store_for
from riskctl.load.files import Sources
from riskctl.load.parse import Parsed, parse
from riskctl.load.positions import Locator, located_hit
from riskctl.load.validate import validate
from riskctl.model.common import Entity
from riskctl.model.config import Config
from riskctl.model.register import CONFIG_FILE, KIND_BY_FOLDER, Record, Register


@dataclass
class Loaded:
    """A loaded register, the problems found while loading it, and the raw data per file."""

    register: Register
    hits: list[Hit]
    raw: dict[str, Any]
    sources: Sources
    failed: dict[str, str] = field(default_factory=dict)
    """Register files that did not load (unreadable, not YAML, not valid), each with its first
    problem: what a command computing without them would silently leave out."""


IGNORED_AT_TOP = ("README.md", "README", "LICENSE", "CODEOWNERS")


def load_config(sources: Sources) -> tuple[Config, Any]:
    """The register's configuration; a broken one is an operational error naming each problem."""
    raw = sources.files.get(CONFIG_FILE)
    if raw is None:
        for hit in sources.problems:  # there, but a symlink, a FIFO or a folder: not read
            if hit.where.file == CONFIG_FILE:
                raise RiskctlError(
                    f"{sources.label}/{CONFIG_FILE}: {hit.message}; make it a regular file"
                )
        raise RiskctlError(f"{sources.label}: not a register: no {CONFIG_FILE}")
    parsed = parse(CONFIG_FILE, raw)
    hits = list(parsed.hits)
    config = None
    if parsed.data is not None:
        config, schema_hits = validate(CONFIG_FILE, parsed.data, Config)
        hits += schema_hits
    if config is None or hits:
        locator = Locator(sources)
        lines = []
        for hit in hits:
            line, col = locator.locate(hit.where)
            lines.append(f"{sources.label}/{CONFIG_FILE}:{line}:{col}: {hit.message} [{hit.code}]")
        raise RiskctlError("invalid configuration:\n  " + "\n  ".join(lines or ["unreadable"]))
    return cast(Config, config), parsed.data


@dataclass(frozen=True)
class LoadedFile:
    """One entity file after parsing and validation: its data, its model (or None), its hits."""

    data: Any
    entity: Entity | None
    hits: tuple[Hit, ...]


#: Loaded files by (path, git blob id): a blob id is the hash of the content, so a file that did
#: not change between two revisions (or the working tree) is parsed once.
ParseCache = dict[tuple[str, str], LoadedFile]


def blob_id(content: bytes) -> str:
    """The git blob id of some content: sha1 of `blob <size>\\0<content>` (git's object format)."""
    header = f"blob {len(content)}\0".encode()
    return hashlib.sha1(header + content, usedforsecurity=False).hexdigest()


_last_ids: list[tuple[Sources, dict[str, str]]] = []


def file_ids(sources: Sources) -> dict[str, str]:
    """The blob id of every file of `sources`, hashed from the bytes read (once per `Sources`:
    the last one asked about is remembered).

    Never the id git was asked for: with `git replace`, `git cat-file` gives another blob's
    bytes for it, and a key that does not name the bytes it keys would give the working-tree
    file of that id the replacement's parse. Hashing is what a working-tree read costs anyway.
    """
    if _last_ids and _last_ids[0][0] is sources:
        return _last_ids[0][1]
    ids = {path: blob_id(content) for path, content in sources.files.items()}
    _last_ids[:] = [(sources, ids)]
    return ids


T = TypeVar("T")


def remembered_for(sources: Sources, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()`, or its value from the persistent cache when the register's files (by blob
    id), reading problems, folder label and `key` (the command, the day and every option that
    changes its output) are those of a run that kept it; just `compute()` with the cache off.
    How `lint` and `score` answer an unchanged register without loading it."""
    store = store_for(sources.folder)
    if store is None:
        return compute()
    register = snapshot(file_ids(sources), sources.problems, sources.label)
    return remembered(store, (*key, register), compute)


def load_file(file: str, raw: bytes, model: type[Entity]) -> LoadedFile:
    """Parse and validate one entity file."""
    return validated(file, parse(file, raw), model)


def cached_parse(store: Store | None, file: str, raw: bytes) -> Parsed:
    """What parsing `file` with the bytes `raw` produces: from the persistent cache when a run
    kept it, else parsed now and kept. The cache is keyed by the blob id of `raw` itself,
    hashed here, never a commit tree's id, which may name other bytes (`git replace`; see
    `file_ids`)."""
    if store is None:
        return parse(file, raw)
    return _cached_parse(store, (file, blob_id(raw)), raw)


def _cached_parse(store: Store, key: tuple[str, str], raw: bytes) -> Parsed:
    """`cached_parse` for a `key` whose blob id was hashed from `raw` (`file_ids`)."""
    found = store.parsed(key)
    if found is not None:
        return Parsed(*found)
    parsed = parse(key[0], raw)
    store.add(key, (parsed.data, parsed.hits))
    return parsed


def validated(file: str, parsed: Parsed, model: type[Entity]) -> LoadedFile:
    """A parsed entity file, validated against its model."""
    if parsed.data is None:
        return LoadedFile(None, None, parsed.hits)
    entity, schema_hits = validate(file, parsed.data, model)
    if parsed.hits:
        # A duplicate key, a tag, a number too large, a glued comment: the data is not what the
        # file says, so nothing computes on it (lint still reports it, and its id is known).
        entity = None
    return LoadedFile(parsed.data, entity, (*parsed.hits, *schema_hits))


def load(sources: Sources, cache: ParseCache | None = None) -> Loaded:
    """Parse and validate every file; each problem becomes a hit, nothing raises on bad data.

    With a `cache`, files are looked up by path and blob id (of the bytes read) first.
    When the persistent cache is on (`load.cache`), what parsing a file produced is looked
    up there by the same key, and what was parsed now is kept there.
    """
    config, config_data = load_config(sources)
    register = Register(config=config)
    hits = list(sources.problems)
    failed = {
        hit.where.file: first_problem((hit,)) for hit in sources.problems if hit.code == "RK008"
    }
    raw: dict[str, Any] = {CONFIG_FILE: config_data}
    store = store_for(sources.folder)
    ids = file_ids(sources) if cache is not None or store is not None else {}
    paused = gc.isenabled()
    gc.disable()  # parsing allocates many small, acyclic objects: collecting is wasted time
    try:
        for file in sorted(sources.files):
            if file == CONFIG_FILE:
                continue
            folder, _, name = file.rpartition("/")
            kind = KIND_BY_FOLDER.get(folder)
            if kind is None or "/" in folder:
                if folder or (name not in IGNORED_AT_TOP and name.endswith((".yaml", ".yml"))):
                    hits.append(_unexpected(file, folder))
                continue
            if not name.endswith(".yaml"):
                message = f"not a register file: {kind.folder}/ holds only ID.yaml files"
                hits.append(located_hit(file, 1, 1, "RK009", message))
                continue
            register.files.append(file)
            content = sources.files[file]
            if cache is None and store is None:
                loaded = load_file(file, content, kind.model)
            else:
                key = (file, ids[file])
                found = cache.get(key) if cache is not None else None
                if found is None:
                    parsed = (
                        parse(file, content)
                        if store is None
                        else _cached_parse(store, key, content)
                    )
                    found = validated(file, parsed, kind.model)
                    if cache is not None:
                        cache[key] = found
                loaded = found
            hits += loaded.hits
            if loaded.entity is None:
                failed[file] = first_problem(loaded.hits)
            if loaded.data is None:
                # Not even YAML: its file name is its id (RK102), so a reference to it is
                # not reported as unknown as well as the file's own problem.
                register.known_ids.setdefault(kind.name, set()).add(name.removesuffix(".yaml"))
                continue
            raw[file] = loaded.data
            if loaded.entity is not None:
                register.add(Record(kind.name, file, loaded.entity))
            elif isinstance(loaded.data.get("id"), str):
                register.known_ids.setdefault(kind.name, set()).add(loaded.data["id"])
        if store is not None:
            store.flush()
    finally:
        if paused:
            gc.enable()
    return Loaded(register=register, hits=hits, raw=raw, sources=sources, failed=failed)


def _unexpected(file: str, folder: str) -> Hit:
    folders = ", ".join(f"{name}/" for name in KIND_BY_FOLDER)
    where = f"folder {folder}/" if folder else "the register's top level"
    return located_hit(
        file, 1, 1, "RK009", f"unexpected file in {where}: entities live in {folders}"
    )
