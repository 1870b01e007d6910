"""`riskctl fmt`: the register's files in canonical form, without changing a value or a comment.

Canonical form is two things:

- **key order**: the schema's, i.e. the field order of the pydantic model, at every level
  (a control's `effectiveness` and `tests[]` items, a KRI's `observations[]`, `riskctl.yaml`'s
  configuration, ...). Keys the model does not know (lint reports them) keep their order, after
  the known ones. A key moves with its comments: the full-line comments just above it and the
  comment at the end of its line.
- **layout**: what ruamel.yaml's round trip writes with the indentation of the shipped register
  (mappings by 2, a sequence's dash 2 in from its key: `EDIT_INDENT` in `load/edit.py`), keeping
  comments, quotes, block scalars (`|`, `>-`), flow collections (`[a, b]`, `{a: 1}`), the
  schema comment line and `---`. Everything before the first key (the schema comment, `---`)
  is kept byte for byte.

Line endings and a BOM are kept: a file whose lines all end in CRLF is formatted as LF and
written back with CRLF; a file mixing line endings is refused.

Speed: ruamel.yaml is pure Python and far too slow for tens of thousands of files, so a file is
first checked from libyaml's node tree (the parse `lint` uses; `is_canonical`): key order
against the model, and every line of the file against the line canonical form would write for
it (scalars copied from the source, comments and blank lines as they are). That check is sound,
never complete: it says "canonical" only for layouts ruamel.yaml reproduces byte for byte (a
property test holds it to that), and anything unusual (an anchor, a multi-line plain scalar,
a tab, trailing spaces, a quoted key) goes to ruamel.yaml, which has the last word.

Safety: a formatted text is parsed again with riskctl's loader and must hold the same data
(types included: `1` never becomes `1.0` or `true`) and the same comments, and formatting it
again must change nothing; a file that fails any of these is refused (`Outcome.problem`) and
never written.
"""

from __future__ import annotations

import bisect
import math
import os
import re
import types
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from riskctl.errors import RiskctlError
from riskctl.load import edit
from riskctl.load.files import Sources, read_directory
from riskctl.load.parse import parse, parse_tree
from riskctl.load.positions import Locator
from riskctl.load.validate import validate
from riskctl.model.config import Config
from riskctl.model.register import CONFIG_FILE, KIND_BY_FOLDER
from riskctl.writes import FileChange, apply_changes

BOM = b"\xef\xbb\xbf"


# --- the schema's key order ---------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What the schema says about a value's keys: a model's (ordered), a list's items' or a
    dict's values' (`each`)."""

    kind: str
    """`model`, `list` or `dict`."""
    order: Mapping[str, int] = field(default_factory=dict)
    """A model's keys (aliases where a field has one) by their place in the model."""
    fields: Mapping[str, Shape | None] = field(default_factory=dict)
    """A model's keys' own shapes (None: a scalar, nothing to order)."""
    each: Shape | None = None
    """A list's items' shape, or a dict's values' shape."""

    def child(self, key: object) -> Shape | None:
        """The shape of the value at `key` of a mapping of this shape."""
        if self.kind == "model":
            return self.fields.get(key) if isinstance(key, str) else None
        return self.each if self.kind == "dict" else None

    def item(self) -> Shape | None:
        """The shape of the items of a sequence of this shape."""
        return self.each if self.kind == "list" else None

    def sort_key(self, key: object, index: int) -> tuple[int, int]:
        """Where a key goes: the model's keys in model order, then the others as they were."""
        if self.kind == "model" and isinstance(key, str) and key in self.order:
            return (0, self.order[key])
        return (1, index)


def shape_of(annotation: Any) -> Shape | None:
    """The shape of a type annotation: models, lists and dicts of them, optional or not."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return shape_of(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        shapes = [shape for shape in map(shape_of, get_args(annotation)) if shape is not None]
        if len(shapes) <= 1:
            return shapes[0] if shapes else None
        if all(shape.kind == "model" for shape in shapes):  # e.g. the KRI baseline's two forms
            return _merged(shapes)
        return None
    if origin in (list, tuple):
        arguments = get_args(annotation)
        each = shape_of(arguments[0]) if arguments else None
        return Shape("list", each=each) if each is not None else None
    if origin is dict:
        arguments = get_args(annotation)
        each = shape_of(arguments[1]) if len(arguments) == 2 else None
        return Shape("dict", each=each) if each is not None else None
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return model_shape(annotation)
    return None


@cache
def model_shape(model: type) -> Shape:
    """The shape of a pydantic model: its fields in declaration order, by alias if any."""
    model_fields: Mapping[str, Any] = getattr(model, "model_fields", {})
    keys = [info.alias or name for name, info in model_fields.items()]
    shapes = {info.alias or name: shape_of(info.annotation) for name, info in model_fields.items()}
    return Shape("model", {key: place for place, key in enumerate(keys)}, shapes)


def _merged(shapes: Sequence[Shape]) -> Shape:
    keys: dict[str, Shape | None] = {}
    for shape in shapes:
        for key in shape.order:
            keys.setdefault(key, shape.fields.get(key))
    return Shape("model", {key: place for place, key in enumerate(keys)}, keys)


def shape_for(file: str) -> Shape | None:
    """The shape of a register file by its path relative to the register (None: not one)."""
    if file == CONFIG_FILE:
        return model_shape(Config)
    folder, _, name = file.rpartition("/")
    kind = KIND_BY_FOLDER.get(folder)
    if kind is None or not name.endswith(".yaml"):
        return None
    return model_shape(kind.model)


def canonical_order(keys: Sequence[object], shape: Shape | None) -> list[int]:
    """The indices of `keys` in canonical order."""
    if shape is None or shape.kind != "model":
        return list(range(len(keys)))
    return sorted(range(len(keys)), key=lambda index: shape.sort_key(keys[index], index))


# --- the fast check: is a file canonical already? -------------------------------------------


class _NotCanonical(Exception):
    """The fast check cannot show the file canonical: ruamel.yaml decides."""


#: Plain scalars that are not strings but that ruamel.yaml writes back exactly as they are:
#: decimal integers, decimals of at most 15 significant digits (longer ones come back with
#: other digits), booleans in lower case.
_SAFE_PLAIN = re.compile(r"-?(?:0|[1-9][0-9]{0,17})|-?[0-9]{1,8}\.[0-9]{1,7}|true|false")
_BLOCK_HEADERS = frozenset(("|", "|-", ">", ">-"))
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"


class _Checker:
    """Builds the line the canonical form has at each content line of a text, from its nodes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")[:-1]
        self.expected: dict[int, str] = {}
        self.verbatim: set[int] = set()
        self.seen: set[int] = set()

    def expect(self, line: int, content: str) -> None:
        if line in self.expected or (
            self.lines[line] != content and not _is_comment_after(self.lines[line], content)
        ):
            raise _NotCanonical
        self.expected[line] = content

    def visit(self, node: Any) -> None:
        if id(node) in self.seen:  # an alias
            raise _NotCanonical
        self.seen.add(id(node))

    def block_mapping(self, node: Any, column: int, shape: Shape | None, prefix: str) -> None:
        self.visit(node)
        if node.id != "mapping" or node.flow_style or not node.value:
            raise _NotCanonical
        pairs = node.value
        order = canonical_order([key.value for key, _ in pairs], shape)
        if order != sorted(order):
            raise _NotCanonical
        for index, (key_node, value_node) in enumerate(pairs):
            key = self.plain_key(key_node)
            mark = key_node.start_mark
            if mark.column != column:
                raise _NotCanonical
            head = (prefix if index == 0 else " " * column) + key + ":"
            line = mark.line
            child = shape.child(key_node.value) if shape is not None else None
            self.visit(value_node)
            if value_node.id == "scalar":
                if value_node.style in ("|", ">"):
                    self.block_scalar(value_node, column, head, line)
                    continue
                if value_node.start_mark.line != line:
                    raise _NotCanonical
                if value_node.tag == _NULL and value_node.value == "" and not value_node.style:
                    self.expect(line, head)  # `key:`, as ruamel.yaml writes a null
                    continue
                self.expect(line, f"{head} {self.inline_scalar(value_node)}")
            elif value_node.flow_style:
                if value_node.start_mark.line != line:
                    raise _NotCanonical
                self.expect(line, f"{head} {self.flow(value_node, child, True)}")
            elif value_node.id == "mapping":
                self.expect(line, head)
                self.seen.discard(id(value_node))
                self.block_mapping(value_node, column + 2, child, " " * (column + 2))
            else:
                self.expect(line, head)
                self.block_sequence(value_node, column + 2, child)

    def block_sequence(self, node: Any, column: int, shape: Shape | None) -> None:
        if not node.value:
            raise _NotCanonical
        item_shape = shape.item() if shape is not None else None
        prefix = " " * column + "- "
        for item in node.value:
            self.visit(item)
            line = item.start_mark.line
            if item.start_mark.column != column + 2:
                raise _NotCanonical
            if item.id == "scalar":
                if item.style in ("|", ">"):
                    self.block_scalar(item, column, " " * column + "-", line)
                    continue
                if item.tag == _NULL:
                    raise _NotCanonical
                self.expect(line, prefix + self.inline_scalar(item))
            elif item.flow_style:
                self.expect(line, prefix + self.flow(item, item_shape, True))
            elif item.id == "mapping":
                self.seen.discard(id(item))
                self.block_mapping(item, column + 2, item_shape, prefix)
            else:
                raise _NotCanonical  # `- - x`: ruamel.yaml writes it its own way

    def plain_key(self, node: Any) -> str:
        if node.id != "scalar" or node.style or node.tag != _STR:
            raise _NotCanonical
        start, end = node.start_mark, node.end_mark
        key: str = node.value
        if start.line != end.line or self.text[start.index : end.index] != key:
            raise _NotCanonical
        if not key or not key.isprintable():
            raise _NotCanonical
        return key

    def inline_scalar(self, node: Any) -> str:
        """A one-line plain or quoted scalar as it stands, if ruamel.yaml writes it so."""
        start, end = node.start_mark, node.end_mark
        if start.line != end.line:
            raise _NotCanonical
        source = self.text[start.index : end.index]
        value: str = node.value
        if not value.isprintable():
            raise _NotCanonical
        if not node.style:
            if source != value or not value:
                raise _NotCanonical
            if node.tag != _STR and not _SAFE_PLAIN.fullmatch(value):
                raise _NotCanonical
        elif node.style == "'":
            if source != "'" + value.replace("'", "''") + "'":
                raise _NotCanonical
        elif node.style == '"':
            if "\\" in value or '"' in value or source != f'"{value}"':
                raise _NotCanonical
        else:
            raise _NotCanonical
        return source

    def flow(self, node: Any, shape: Shape | None, outer: bool) -> str:
        """A one-line flow collection as ruamel.yaml writes it: `{a: 1, b: 2}`, `[a, b]`."""
        if outer:
            if node.start_mark.line != node.end_mark.line:
                raise _NotCanonical
        else:
            self.visit(node)
        if node.id == "sequence":
            item_shape = shape.item() if shape is not None else None
            parts = []
            for item in node.value:
                if item.id == "mapping":
                    raise _NotCanonical  # ruamel.yaml writes `[{a: 1}]` as `[a: 1]`
                if item.id == "sequence":
                    parts.append(self.flow(item, item_shape, False))
                else:
                    self.visit(item)
                    if item.tag == _NULL:
                        raise _NotCanonical
                    parts.append(self.inline_scalar(item))
            text = "[" + ", ".join(parts) + "]"
        else:
            pairs = node.value
            order = canonical_order([key.value for key, _ in pairs], shape)
            if order != sorted(order):
                raise _NotCanonical
            parts = []
            for key_node, value_node in pairs:
                self.visit(key_node)
                key = self.plain_key(key_node)
                child = shape.child(key_node.value) if shape is not None else None
                if value_node.id == "scalar":
                    self.visit(value_node)
                    if value_node.tag == _NULL:
                        raise _NotCanonical
                    parts.append(f"{key}: {self.inline_scalar(value_node)}")
                else:
                    parts.append(f"{key}: {self.flow(value_node, child, False)}")
            text = "{" + ", ".join(parts) + "}"
        if outer and self.text[node.start_mark.index : node.end_mark.index] != text:
            raise _NotCanonical
        return text

    def block_scalar(self, node: Any, column: int, head: str, line: int) -> None:
        start, end = node.start_mark, node.end_mark
        if start.line != line or end.column != 0:
            raise _NotCanonical
        header = self.lines[line][start.column :]
        if header not in _BLOCK_HEADERS:
            raise _NotCanonical
        self.expect(line, f"{head} {header}")
        content = range(line + 1, end.line)
        if not content:
            raise _NotCanonical
        indent = " " * (column + 2)
        first = self.lines[content[0]]
        if not first.startswith(indent) or first[column + 2 : column + 3] in ("", " "):
            raise _NotCanonical
        for number in content:
            if number in self.expected:
                raise _NotCanonical
            text = self.lines[number]
            if text and (not text.startswith(indent) or not text.isprintable()):
                raise _NotCanonical
            if header[0] == ">" and text[column + 2 : column + 3] == " ":
                raise _NotCanonical  # a more-indented folded line: left to ruamel.yaml
            self.verbatim.add(number)

    def rest_are_comments(self, first_content: int) -> bool:
        """Whether every line that holds no content is empty or a comment (or, before the
        first key, `---`)."""
        for number, line in enumerate(self.lines):
            if number in self.expected or number in self.verbatim:
                continue
            is_start = line == "---" and number < first_content
            if line and not line.lstrip(" ").startswith("#") and not is_start:
                return False
        return True


def _is_comment_after(line: str, content: str) -> bool:
    """Whether `line` is `content` followed by spaces and a comment."""
    if not line.startswith(content):
        return False
    rest = line[len(content) :]
    return rest.startswith(" ") and rest.lstrip(" ").startswith("#")


def is_canonical(text: str, root: Any, shape: Shape | None) -> bool:
    """Whether `text` (LF line ends, no BOM), whose libyaml node tree is `root`, is canonical:
    formatting it would change no byte. False means "not shown", not "not canonical"."""
    if not text.endswith("\n") or "\t" in text or "\r" in text or " \n" in text:
        return False
    if text.endswith("\n\n") or root is None:
        return False
    checker = _Checker(text)
    try:
        if root.id != "mapping" or root.flow_style or root.start_mark.column != 0:
            return False
        checker.block_mapping(root, 0, shape, "")
    except _NotCanonical:
        return False
    return checker.rest_are_comments(root.start_mark.line)


# --- reordering keys in the text -----------------------------------------------------------


def _content_end(node: Any) -> int:
    """The last line holding some of `node`'s content (0-based)."""
    while node.id in ("mapping", "sequence") and not node.flow_style and node.value:
        last = node.value[-1]
        if node.id == "mapping" and last[1].start_mark.index < last[0].start_mark.index:
            return int(last[0].end_mark.line)  # `key: *alias`: the node is the anchor's
        node = last[1] if node.id == "mapping" else last
    end = node.end_mark
    if node.id == "scalar" and node.style in ("|", ">") and end.column == 0:
        return int(end.line) - 1
    return int(end.line)


def _indentation(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_lead(line: str, column: int) -> bool:
    """Whether a line above a key at `column` belongs with it: empty, or a comment no deeper."""
    stripped = line.lstrip(" ")
    return not stripped or (stripped.startswith("#") and _indentation(line) <= column)


class _Reorderer:
    """Puts the keys of every mapping of a text in canonical order, moving whole lines."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.lines = text.split("\n")
        self.flow_edits: list[tuple[int, int, str]] = []
        self.block_edits: list[Any] = []
        self.seen: set[int] = set()

    def refuse(self, node: Any, why: str) -> RiskctlError:
        line = node.start_mark.line + 1
        return RiskctlError(f"{self.file}: line {line}: cannot put the keys in schema order: {why}")

    def walk(self, node: Any, shape: Shape | None, inside_flow: bool = False) -> bool:
        """Record the edits under `node`; whether its text must change (for flow parents)."""
        if id(node) in self.seen:
            return False  # an alias: its node is reordered where its anchor is
        self.seen.add(id(node))
        if node.id == "scalar":
            return False
        if node.id == "sequence":
            item_shape = shape.item() if shape is not None else None
            changed = False
            for item in node.value:
                changed |= self.walk(item, item_shape, inside_flow or node.flow_style)
            if changed and node.flow_style and not inside_flow:
                self.flow_edits.append(self.flow_edit(node, shape))
            return changed
        pairs = node.value
        order = canonical_order([key.value for key, _ in pairs], shape)
        changed = order != sorted(order)
        for key_node, value_node in pairs:
            child = shape.child(key_node.value) if shape is not None else None
            changed_below = self.walk(value_node, child, inside_flow or node.flow_style)
            changed |= changed_below and bool(node.flow_style)
        if node.flow_style:
            if changed and not inside_flow:
                self.flow_edits.append(self.flow_edit(node, shape))
            return changed
        if order != sorted(order):
            self.block_edits.append((node, order))
        return False

    def flow_edit(self, node: Any, shape: Shape | None) -> tuple[int, int, str]:
        start, end = node.start_mark, node.end_mark
        if start.line != end.line:
            raise self.refuse(node, "a flow collection over several lines; put it on one line")
        return (start.index, end.index, self.flow_text(node, shape))

    def flow_text(self, node: Any, shape: Shape | None) -> str:
        if node.id == "scalar":
            return self.text[node.start_mark.index : node.end_mark.index]
        if self.text[node.start_mark.index] not in "{[":
            raise self.refuse(node, "a flow collection with an anchor or a tag; reorder it by hand")
        if node.id == "sequence":
            item_shape = shape.item() if shape is not None else None
            return "[" + ", ".join(self.flow_text(item, item_shape) for item in node.value) + "]"
        pairs = node.value
        order = canonical_order([key.value for key, _ in pairs], shape)
        parts = []
        for index in order:
            key_node, value_node = pairs[index]
            child = shape.child(key_node.value) if shape is not None else None
            key = self.text[key_node.start_mark.index : key_node.end_mark.index]
            parts.append(f"{key}: {self.flow_text(value_node, child)}")
        return "{" + ", ".join(parts) + "}"

    def reordered(self, root: Any, shape: Shape | None) -> str:
        self.walk(root, shape)
        if not self.flow_edits and not self.block_edits:
            return self.text
        text = self.text
        for start, end, replacement in sorted(self.flow_edits, reverse=True):
            text = text[:start] + replacement + text[end:]
        self.lines = text.split("\n")
        # Innermost first: a mapping's lines move only within its parent's entry.
        for node, order in self.block_edits:
            self.move_lines(node, order)
        return "\n".join(self.lines)

    def move_lines(self, node: Any, order: list[int]) -> None:
        pairs = node.value
        column = pairs[0][0].start_mark.column
        for key_node, _ in pairs:
            if key_node.start_mark.line == key_node.end_mark.line and not key_node.style:
                continue
            raise self.refuse(key_node, "a quoted or multi-line key; reorder it by hand")
        keys = [key.start_mark.line for key, _ in pairs]
        ends = [
            key.end_mark.line if value.start_mark.index < key.start_mark.index else end
            for (key, value), end in zip(
                pairs, map(_content_end, (v for _, v in pairs)), strict=True
            )
        ]
        starts = [keys[0]]
        for index in range(1, len(pairs)):
            start = keys[index]
            while start - 1 > ends[index - 1] and _is_lead(self.lines[start - 1], column):
                start -= 1
            starts.append(start)
        last = ends[-1]  # comments deeper than the keys after the last entry stay with it
        for number in range(ends[-1] + 1, len(self.lines)):
            line = self.lines[number]
            if line.strip() and not (
                line.lstrip(" ").startswith("#") and _indentation(line) > column
            ):
                break
            if line.strip():
                last = number
        stops = [*starts[1:], last + 1]
        segments = [self.lines[start:stop] for start, stop in zip(starts, stops, strict=True)]
        first_line = segments[0][0]
        prefix = first_line[:column]
        if prefix.strip():  # `- key: ...`: the dash stays on the first key's line
            segments[0][0] = " " * column + first_line[column:]
        moved: list[str] = []
        for place, index in enumerate(order):
            segment = list(segments[index])
            if place == 0 and prefix.strip():
                key_at = keys[index] - starts[index]
                segment[key_at] = prefix + segment[key_at][column:]
            moved += segment
        self.lines[starts[0] : stops[-1]] = moved


# --- comments, for the check that none was lost ---------------------------------------------


def comments(text: str, root: Any) -> list[str]:
    """Every comment of a text (from `#` to the end of its line), sorted: a comment is a `#`
    at a line's start or after a space, outside every scalar."""
    spans: list[tuple[int, int]] = []
    if root is not None:
        stack = [root]
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.id == "scalar":
                spans.append((node.start_mark.index, node.end_mark.index))
            elif node.id == "sequence":
                stack.extend(node.value)
            else:
                for key, value in node.value:
                    stack += (key, value)
    spans.sort()
    starts = [start for start, _ in spans]
    found = []
    position = text.find("#")
    while position >= 0:
        before = text[position - 1 : position]
        place = bisect.bisect_right(starts, position) - 1
        inside = place >= 0 and spans[place][0] <= position < spans[place][1]
        if not inside and before in ("", " ", "\t", "\n"):
            end = text.find("\n", position)
            end = len(text) if end < 0 else end
            found.append(text[position:end].rstrip(" \t\r"))
            position = text.find("#", end)
        else:
            position = text.find("#", position + 1)
    return sorted(found)


def _braced(text: str, root: Any) -> int:
    """How many flow mappings are written with braces (`{a: 1}`, not `[a: 1]`)."""
    count = 0
    stack = [root] if root is not None else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.id == "sequence":
            stack.extend(node.value)
        elif node.id == "mapping":
            count += bool(node.flow_style) and text[node.start_mark.index] == "{"
            for key, value in node.value:
                stack += (key, value)
    return count


# --- same data -------------------------------------------------------------------------------


def same_data(first: Any, second: Any) -> bool:
    """Whether two parsed values are the same data, types included (`1`, `1.0` and `true`
    differ; NaN is the same as NaN; mapping order does not count)."""
    if type(first) is not type(second):
        return False
    if isinstance(first, dict):
        if len(first) != len(second):
            return False
        keys = {(type(key), key): value for key, value in second.items()}
        return all(
            (type(key), key) in keys and same_data(value, keys[(type(key), key)])
            for key, value in first.items()
        )
    if isinstance(first, list):
        return len(first) == len(second) and all(
            same_data(a, b) for a, b in zip(first, second, strict=True)
        )
    if isinstance(first, float) and math.isnan(first):
        return math.isnan(second)
    return bool(first == second)


# --- one file ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One file's result: its new bytes (the same when canonical), or why it was left alone."""

    file: str
    before: bytes
    after: bytes | None
    problem: str | None = None
    fast: bool = False
    """Whether the fast check showed it canonical (ruamel.yaml was not needed)."""

    @property
    def changes(self) -> bool:
        """Whether formatting changes the file."""
        return self.after is not None and self.after != self.before


_NOT_DATA = "fmt does not fix data (`riskctl lint` shows every problem)"


def format_bytes(file: str, raw: bytes, shape: Shape | None, *, schema: bool = True) -> Outcome:
    """Format one file's bytes. Never raises on bad input: a problem is `Outcome.problem`.

    `schema` False skips schema validation (tests format made-up data with a real shape)."""
    parsed, root = parse_tree(file, raw)
    if parsed.data is None or parsed.hits:
        if not parsed.hits:
            return Outcome(file, raw, None, f"cannot read it; {_NOT_DATA}")
        first = parsed.hits[0]
        line, col = first.where.line or 1, first.where.col or 1
        return Outcome(file, raw, None, f"line {line}:{col}: {first.message}; {_NOT_DATA}")
    if schema and shape is not None and shape.kind == "model":
        problem = _schema_problem(file, raw, parsed.data)
        if problem is not None:
            return Outcome(file, raw, None, problem)
    bom = BOM if raw.startswith(BOM) else b""
    text = raw[len(bom) :].decode("utf-8")
    crlf = "\r\n" in text
    if crlf:
        mixed = text.count("\r\n") != text.count("\n")
        text = text.replace("\r\n", "\n")
        if mixed or "\r" in text:
            return Outcome(
                file,
                raw,
                None,
                "mixed line endings (CRLF and LF or CR): fmt keeps "
                "one kind; make them all LF or all CRLF",
            )
        parsed, root = parse_tree(file, text.encode("utf-8"))
    elif "\r" in text:
        return Outcome(file, raw, None, "a bare CR line ending: make the line ends LF")
    if is_canonical(text, root, shape):
        return Outcome(file, raw, raw, fast=True)
    try:
        formatted = format_text(file, text, root, shape, parsed.data)
    except RiskctlError as error:
        return Outcome(file, raw, None, str(error).removeprefix(f"{file}: "))
    if crlf:
        formatted = formatted.replace("\n", "\r\n")
    return Outcome(file, raw, bom + formatted.encode("utf-8"))


def _schema_problem(file: str, raw: bytes, data: Any) -> str | None:
    """The first schema problem of an entity or configuration file, other than unknown keys
    (which fmt keeps, after the known ones)."""
    model: type[Any] = Config
    if file != CONFIG_FILE:
        model = KIND_BY_FOLDER[file.rpartition("/")[0]].model
    _, hits = validate(file, data, model)
    problems = [hit for hit in hits if hit.code != "RK005"]
    if not problems:
        return None
    first = problems[0]
    line, col = Locator(Sources("", {file: raw})).locate(first.where)
    return f"line {line}:{col}: {first.message}; {_NOT_DATA}"


def format_text(file: str, text: str, root: Any, shape: Shape | None, data: Any) -> str:
    """The canonical form of `text` (LF line ends, no BOM), checked to hold the same data and
    comments and to be a fixed point; `RiskctlError` when any check fails."""
    formatted = _format_once(file, text, root, shape)
    new_root = _check(file, text, root, data, formatted)
    is_stable = is_canonical(formatted, new_root, shape) or (
        _format_once(file, formatted, new_root, shape) == formatted
    )
    if not is_stable:
        raise RiskctlError(f"{file}: cannot format it stably (a second run changes it)")
    return formatted


def _format_once(file: str, text: str, root: Any, shape: Shape | None) -> str:
    """Keys reordered, then ruamel.yaml's layout; the lines before the first key kept as they
    are (ruamel.yaml drops comments above `---`)."""
    if not text.endswith("\n"):
        text += "\n"  # as ruamel.yaml ends a file; so a moved last line keeps its line break
    first_key = int(root.start_mark.line)
    prelude = "".join(line + "\n" for line in text.split("\n")[:first_key])
    body = _Reorderer(file, text).reordered(root, shape).split("\n", first_key)[-1]
    out = prelude + edit.canonical_layout(file, body)
    trimmed = out.rstrip("\n") + "\n"  # no empty lines at the end, unless they are data (`|+`)
    if trimmed != out:
        kept, cut = parse(file, out.encode("utf-8")), parse(file, trimmed.encode("utf-8"))
        if cut.hits or not same_data(kept.data, cut.data):
            return out
    return trimmed


def _check(file: str, text: str, root: Any, data: Any, formatted: str) -> Any:
    """Refuse a formatted text that reads as other data or other comments; its node tree."""
    parsed, new_root = parse_tree(file, formatted.encode("utf-8"))
    if parsed.data is None or parsed.hits or not same_data(data, parsed.data):
        raise RiskctlError(f"{file}: formatting would change the data; left as it is")
    if comments(text, root) != comments(formatted, new_root):
        raise RiskctlError(f"{file}: formatting would lose or change a comment; left as it is")
    if _braced(text, root) != _braced(formatted, new_root):
        raise RiskctlError(
            f"{file}: ruamel.yaml would write a one-key flow mapping in a flow list, "
            "`[{a: 1}]`, as `[a: 1]`; write it in block style, or leave the file as it is"
        )
    return new_root


# --- a register --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What `fmt` found in a register: every register file's outcome, and unreadable files."""

    folder: Path
    label: str
    """How the folder is named in messages (`register`), as lint names it."""
    outcomes: tuple[Outcome, ...]
    unreadable: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> list[Outcome]:
        """Files formatting changes."""
        return [outcome for outcome in self.outcomes if outcome.changes]

    @property
    def skipped(self) -> list[tuple[str, str]]:
        """Files left alone, each with why."""
        refused = [(o.file, o.problem) for o in self.outcomes if o.problem is not None]
        return sorted([*self.unreadable, *refused])

    @property
    def fast(self) -> int:
        """Files the fast check showed canonical."""
        return sum(outcome.fast for outcome in self.outcomes)


def register_files(files: Mapping[str, bytes]) -> Iterator[tuple[str, bytes, Shape | None]]:
    """The files `fmt` formats: `riskctl.yaml` and every `KIND/ID.yaml`, with their shapes."""
    for file in sorted(files):
        shape = shape_for(file)
        if shape is not None:
            yield file, files[file], shape


def plan(folder: Path) -> Plan:
    """Format every register file in memory; nothing is written."""
    sources = read_directory(folder)
    outcomes = [
        format_bytes(file, raw, shape) for file, raw, shape in register_files(sources.files)
    ]
    outcomes = [_writable(folder, outcome) for outcome in outcomes]
    unreadable = tuple(
        (hit.where.file, hit.message)
        for hit in sources.problems
        if shape_for(hit.where.file) is not None or hit.where.file.endswith(".yaml")
    )
    return Plan(folder, sources.label, tuple(outcomes), unreadable)


def _writable(folder: Path, outcome: Outcome) -> Outcome:
    """A file that needs formatting but is read-only (no write permission bit, or not writable
    for this user) is left alone, and says so: the atomic replace would otherwise go through."""
    if not outcome.changes:
        return outcome
    path = folder / outcome.file
    try:
        is_writable = bool(path.stat().st_mode & 0o222) and os.access(path, os.W_OK)
    except OSError:
        is_writable = False
    if is_writable:
        return outcome
    return Outcome(outcome.file, outcome.before, None, "read-only: not reformatted")


def apply(plan: Plan, wait: float = 10.0) -> list[str]:
    """Write every change of `plan` at once (all or nothing); the files written."""
    changes = [
        FileChange(plan.folder / outcome.file, outcome.before, outcome.after)
        for outcome in plan.changed
        if outcome.after is not None
    ]
    written = apply_changes(plan.folder, changes, wait)
    return [path.relative_to(plan.folder).as_posix() for path in written]
