"""Importing a catalogue: read an OSCAL catalog or a CISO Assistant library and check it.

The format is told from the content: a top-level `catalog` is an OSCAL catalog (JSON or YAML),
`objects.framework` a CISO Assistant library (YAML). JSON is read with the standard library,
YAML with riskctl's own loader (so the same limits on nesting, aliases and numbers hold). A
problem in the input (a wrong type anywhere, a missing field, an id riskctl cannot use, two
requirements with one id, a parent that is not in the file, a cycle of parents) is a
`RiskctlError` naming where: `FILE: at /json/pointer` for JSON, `FILE:LINE` for YAML.

Both readers give the same shape: requirements with their ids, titles, parents and whether they
are assessable, each with its place in the input. `finish` then checks them all the same way:
ids are unique (two requirements of one id are refused, naming both places: a mapping to that
id would be ambiguous), every parent is a requirement of the file, no chain of parents comes
back to where it started, and the order is the input's with every parent before its children.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskctl.errors import RiskctlError
from riskctl.findings import Where
from riskctl.model.framework import (
    FRAMEWORK_ID,
    MAX_DEPTH,
    REQUIREMENT_ID,
    Framework,
    Requirement,
)

#: The largest input file read: the whole SP 800-53 Rev. 5 catalog in JSON is about 10 MB.
IMPORT_LIMIT = 64 * 1024 * 1024

#: The deepest nesting of groups and controls followed (SP 800-53 has 3 levels).
MAX_LEVELS = 64

#: The licence written when the file states none.
NOT_STATED = (
    "Not stated in the imported file: check the publisher's terms before sharing this catalogue"
)

FORMATS = "an OSCAL catalog (JSON or YAML, a top-level `catalog`) or a CISO Assistant library "
FORMATS += "(YAML, with `objects.framework`)"


class Input:
    """The input file's data and how to name a place in it: a JSON pointer, or a YAML line."""

    def __init__(self, name: str, raw: bytes, data: Any, is_json: bool) -> None:
        self.name = name
        self.raw = raw
        self.data = data
        self.is_json = is_json
        self._locator: Any = None

    def at(self, path: Sequence[str | int]) -> str:
        """`FILE: at /catalog/groups/0` (JSON) or `FILE:12` (YAML) for a data path."""
        place = self.place(path)
        return f"{self.name}: at {place}" if self.is_json else f"{self.name}:{place[5:]}"

    def place(self, path: Sequence[str | int]) -> str:
        """`/catalog/groups/0` (a JSON pointer) or `line 12` (YAML) for a data path."""
        if self.is_json:
            pointer = "".join(
                "/" + str(part).replace("~", "~0").replace("/", "~1") for part in path
            )
            return pointer or "/"
        if self._locator is None:
            from riskctl.load import Locator, Sources

            self._locator = Locator(Sources(label="", files={self.name: self.raw}))
        line, _col = self._locator.locate(Where(self.name, tuple(path)))
        return f"line {line}"

    def fail(self, path: Sequence[str | int], message: str) -> RiskctlError:
        """The error for a problem at `path`."""
        return RiskctlError(f"{self.at(path)}: {message}")

    def mapping(self, value: Any, path: Sequence[str | int], what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"{what}: expected a mapping, found {kind(value)}")
        return value

    def sequence(self, value: Any, path: Sequence[str | int], what: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, f"{what}: expected a list, found {kind(value)}")
        return value

    def text(self, value: Any, path: Sequence[str | int], what: str) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"{what}: expected text, found {kind(value)}")
        return value

    def optional_text(self, value: Any, path: Sequence[str | int], what: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return self.text(value, path, what)


def kind(value: Any) -> str:
    """What a value is, for a message: `a list`, `a number`, `text`, `nothing`."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover - JSON and YAML give only the above


@dataclass(frozen=True)
class Node:
    """A requirement as read: `parent` is the key of another node (an OSCAL id, a CISO urn)."""

    key: str
    id: str
    title: str
    parent: str | None
    assessable: bool
    path: tuple[str | int, ...]


@dataclass(frozen=True)
class Imported:
    """A catalogue read from a file, checked, before it has an id."""

    format: str
    """`OSCAL catalog` or `CISO Assistant library`."""
    default_id: str | None
    """The framework id derived from the file (None: it gives none; `--id` is needed)."""
    name: str
    version: str
    source: str
    licence: str
    requirements: tuple[Requirement, ...]
    counts: tuple[tuple[str, int], ...]
    """What was read, for the command's report: (`controls`, 191), ..."""
    withdrawn: int = 0
    """OSCAL controls with status withdrawn, left out."""

    def framework(self, framework_id: str) -> Framework:
        """The catalogue as the register's `frameworks/ID.yaml` entity."""
        return Framework(
            id=framework_id,
            name=self.name,
            version=self.version,
            source=self.source,
            licence=self.licence,
            requirements=list(self.requirements),
        )


def read_catalogue(raw: bytes, name: str) -> Imported:
    """Read an OSCAL catalog or a CISO Assistant library from the bytes of the file `name`."""
    source = parse_input(raw, name)
    data = source.data
    if isinstance(data, dict) and "catalog" in data:
        from riskctl.framework.oscal import read_oscal

        return read_oscal(source)
    objects = data.get("objects") if isinstance(data, dict) else None
    if isinstance(objects, dict) and "framework" in objects:
        from riskctl.framework.ciso import read_ciso

        return read_ciso(source)
    raise RiskctlError(f"{name}: not a catalogue riskctl reads: expected {FORMATS}")


def parse_input(raw: bytes, name: str) -> Input:
    """The file's data: JSON when it starts with `{` (after a BOM and blanks) and is not named
    `.yaml`/`.yml` (a YAML flow mapping starts with `{` too), else YAML."""
    body = raw.removeprefix(b"\xef\xbb\xbf")
    named_yaml = name.lower().endswith((".yaml", ".yml"))
    if body.lstrip(b" \t\r\n").startswith(b"{") and not named_yaml:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise RiskctlError(
                f"{name}: not UTF-8 text (byte {error.start + 1} cannot be decoded); save it "
                "as UTF-8"
            ) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise RiskctlError(
                f"{name}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
            ) from None
        except RecursionError:
            raise RiskctlError(f"{name}: JSON nested too deeply to read") from None
        except ValueError as error:  # an integer of thousands of digits
            raise RiskctlError(f"{name}: not usable JSON: {error}") from None
        return Input(name, raw, data, is_json=True)
    from riskctl.load import parse

    parsed = parse(name, raw)
    if parsed.hits:
        hit = parsed.hits[0]
        line = f":{hit.where.line}" if hit.where.line is not None else ""
        if not line and parsed.data is not None:
            line = Input(name, raw, parsed.data, is_json=False).at(hit.where.path)[len(name) :]
        raise RiskctlError(f"{name}{line}: {hit.message}")
    if not isinstance(parsed.data, dict):  # pragma: no cover - parse reports a non-mapping
        raise RiskctlError(f"{name}: not a catalogue riskctl reads: expected {FORMATS}")
    return Input(name, raw, parsed.data, is_json=False)


_SPACE = re.compile(r"\s+")


def one_line(text: str) -> str:
    """Text on one line: control characters dropped, runs of whitespace one space."""
    kept = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or (unicodedata.category(char) not in ("Cc", "Cs") and char != "\ufeff")
    )
    return _SPACE.sub(" ", kept).strip()


def requirement_id(source: Input, value: str, path: Sequence[str | int]) -> str:
    """A requirement id as read, outer whitespace removed; one riskctl cannot use is an error."""
    stripped = value.strip()
    if not REQUIREMENT_ID.fullmatch(stripped):
        raise source.fail(
            path,
            f"{stripped[:60]!r} cannot be a requirement id: it must not be empty nor hold a "
            "control character",
        )
    return stripped


def slug(text: str) -> str | None:
    """A framework id from a name: lower-case ASCII letters and digits, other runs as `-` (a `.`
    between two digits is kept, as in `5.1.1`); None when nothing is left. At most 80
    characters, cut at a `-`."""
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    )
    words = re.findall(r"[a-z0-9]+(?:\.[0-9]+)*", ascii_text)
    found = ""
    for word in words:
        candidate = f"{found}-{word}" if found else word
        if len(candidate) > 80:
            break
        found = candidate
    return found if found and FRAMEWORK_ID.fullmatch(found) else None


def finish(source: Input, nodes: Sequence[Node]) -> tuple[Requirement, ...]:
    """The requirements, checked (see the module docstring), parents before children."""
    if not nodes:
        raise RiskctlError(f"{source.name}: no requirements found: nothing to import")
    by_key: dict[str, Node] = {}
    by_id: dict[str, Node] = {}
    for node in nodes:
        if node.key in by_key:
            raise source.fail(
                node.path,
                f"{node.key!r} appears twice (first at {source.place(by_key[node.key].path)})",
            )
        if node.id in by_id:
            raise source.fail(
                node.path,
                f"requirement id {node.id!r} appears twice (first at "
                f"{source.place(by_id[node.id].path)}); a mapping to it would be ambiguous",
            )
        by_key[node.key] = node
        by_id[node.id] = node
    children: dict[str | None, list[Node]] = {}
    for node in nodes:
        if node.parent is not None and node.parent not in by_key:
            raise source.fail(node.path, f"parent {node.parent[:80]!r} is not in the file")
        children.setdefault(node.parent, []).append(node)
    ordered = []
    for node, level in _preorder(children):
        if level > MAX_DEPTH:
            raise source.fail(
                node.path,
                f"{node.id!r} is on level {level} of parents: a catalogue nests at most "
                f"{MAX_DEPTH} levels",
            )
        ordered.append(node)
    if len(ordered) < len(nodes):
        listed = {node.key for node in ordered}
        stuck = next(node for node in nodes if node.key not in listed)
        raise source.fail(
            stuck.path,
            f"{stuck.id!r} is not under any top-level requirement: following its parents runs "
            "into a cycle (a requirement that is its own ancestor)",
        )
    return tuple(
        Requirement(
            id=node.id,
            title=node.title,
            parent=by_key[node.parent].id if node.parent is not None else None,
            assessable=node.assessable,
        )
        for node in ordered
    )


def _preorder(children: dict[str | None, list[Node]]) -> Iterator[tuple[Node, int]]:
    """Each node with its level (1 at the top), parents before children."""
    stack = [(node, 1) for node in reversed(children.get(None, []))]
    while stack:
        node, level = stack.pop()
        yield node, level
        stack.extend((child, level + 1) for child in reversed(children.get(node.key, [])))


def target_path(folder: Path, framework_id: str) -> Path:
    """Where the catalogue of that id lives in the register."""
    return folder / "frameworks" / f"{framework_id}.yaml"
