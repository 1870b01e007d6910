"""The catalogue file writer (a `Framework` as `frameworks/ID.yaml` bytes), and the import plan.

A small emitter of its own, so the same catalogue always gives the same bytes whatever YAML
library is installed: a header comment, the framework's fields, then one block per requirement
in the order given (the importers put parents before children and keep the input's order
otherwise). `id` and `parent` are plain scalars when that is safe (a letter first, then letters,
digits and `._()-`, and not a word YAML reads as a boolean or null); every other string is
double-quoted, JSON style, with each character YAML does not allow raw (control characters, line
separators, a BOM, surrogates) written as an escape. `assessable` is written only when false.
`catalogue_bytes` checks that the text reads back through riskctl's loader as exactly the
framework it was given.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from riskctl.errors import RiskctlError
from riskctl.fileio import printable
from riskctl.framework.importing import Imported
from riskctl.model.framework import Framework
from riskctl.writes import FileChange

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._()-]*")
_NOT_PLAIN = frozenset({"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"})


def _allowed_raw(char: str) -> bool:
    """Whether YAML allows `char` unescaped inside a double-quoted one-line scalar."""
    code = ord(char)
    if code < 0x20:
        return False
    if code < 0x7F:
        return True
    if code <= 0x9F or code in (0x2028, 0x2029, 0xFEFF):
        return False
    return 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar on one line."""
    parts = ['"']
    for char in text:
        if char in _ESCAPES:
            parts.append(_ESCAPES[char])
        elif _allowed_raw(char):
            parts.append(char)
        elif ord(char) <= 0xFFFF:
            parts.append(f"\\u{ord(char):04x}")
        else:  # pragma: no cover - every character above U+FFFF is allowed raw
            parts.append(f"\\U{ord(char):08x}")
    parts.append('"')
    return "".join(parts)


def scalar(text: str) -> str:
    """An id as a plain scalar when YAML reads it back as the same string, else quoted."""
    if _PLAIN.fullmatch(text) and text not in _NOT_PLAIN:
        return text
    return quoted(text)


def comment_line(text: str) -> str:
    """One header comment line: anything YAML does not allow raw in a comment is dropped."""
    kept = "".join(char if _allowed_raw(char) else " " for char in text)
    return f"# {' '.join(kept.split())}".rstrip()


def catalogue_text(framework: Framework, header: Sequence[str]) -> str:
    """The file's text: `header` lines as comments, then the framework."""
    lines = [comment_line(line) for line in header]
    lines.append(f"id: {scalar(framework.id)}")
    lines.extend(
        f"{key}: {quoted(getattr(framework, key))}"
        for key in ("name", "version", "source", "licence")
    )
    lines.append("requirements:")
    for requirement in framework.requirements:
        lines.append(f"  - id: {scalar(requirement.id)}")
        lines.append(f"    title: {quoted(requirement.title)}")
        if requirement.parent is not None:
            lines.append(f"    parent: {scalar(requirement.parent)}")
        if not requirement.assessable:
            lines.append("    assessable: false")
    return "\n".join(lines) + "\n"


def catalogue_bytes(framework: Framework, header: Sequence[str], file: str) -> bytes:
    """The file's bytes, checked: read back through riskctl's loader they give exactly
    `framework`, or `RiskctlError` (a bug in this emitter, never written)."""
    from riskctl import load

    raw = catalogue_text(framework, header).encode("utf-8")
    loaded = load.load_file(file, raw, Framework)
    if loaded.hits or loaded.entity != framework:
        problem = loaded.hits[0].message if loaded.hits else "it reads back differently"
        raise RiskctlError(f"{file}: the catalogue written would not read back: {problem}")
    return raw


@dataclass(frozen=True)
class ImportPlan:
    """What `riskctl framework import` writes: one file change, and what it holds."""

    imported: Imported
    framework: Framework
    change: FileChange
    replaces: bool
    """Whether a catalogue of that id was in the register already (`--replace`)."""


def plan_import(
    folder: Path, raw: bytes, name: str, framework_id: str | None, *, replace: bool
) -> ImportPlan:
    """Read the file `name` (its bytes `raw`) and compute `frameworks/ID.yaml` for the register
    in `folder`. Raises `RiskctlError` for a bad input, an id that cannot be derived, or a
    catalogue of that id already in the register without `replace`."""
    from riskctl.framework.importing import read_catalogue, target_path
    from riskctl.writes import current_bytes

    if not folder.is_dir() or not os.path.lexists(folder / "riskctl.yaml"):
        raise RiskctlError(
            f"{printable(folder)}: not a register folder (no riskctl.yaml); give the register "
            "folder as PATH"
        )
    imported = read_catalogue(raw, name)
    chosen = framework_id or imported.default_id
    if chosen is None:
        raise RiskctlError(
            f"{name}: no framework id can be derived from the {imported.format}; give one with "
            "--id (e.g. --id nist-sp-800-53-rev5)"
        )
    target = target_path(folder, chosen)
    before = current_bytes(target)
    if before is not None and not replace:
        raise RiskctlError(
            f"{printable(target)}: a catalogue of id {chosen} is already in the register; "
            "give --replace to replace it (git shows what changed), or another --id"
        )
    framework = imported.framework(chosen)
    header = [
        f"{framework.name}: imported by riskctl from a file in {imported.format} format.",
        f"Source: {framework.source}.",
    ]
    after = catalogue_bytes(framework, header, f"frameworks/{chosen}.yaml")
    return ImportPlan(imported, framework, FileChange(target, before, after), before is not None)
