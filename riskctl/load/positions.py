"""Positions: the one place libyaml's 0-based marks become riskctl's 1-based lines and columns.

`Locator` composes a file again, with the same parser, only when a finding in it needs a line
and column, so positions are exact and a clean register pays nothing for them.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import yaml
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from riskctl.findings import DataPath, Hit, Where

if TYPE_CHECKING:  # files.py makes its hits here: no import cycle
    from riskctl.load.files import Sources


def located_hit(file: str, line: int, col: int, code: str, message: str) -> Hit:
    """A hit at a known 1-based position; the code travels at the front of the message."""
    return Hit(Where(file, line=line, col=col), message, code)


def one_based(mark: Mark) -> tuple[int, int]:
    """The 1-based line and column of libyaml's 0-based mark: the one place riskctl adds 1."""
    return mark.line + 1, mark.column + 1


def node_hit(file: str, node: Node, code: str, message: str) -> Hit:
    """A hit at the start of a node."""
    return located_hit(file, *one_based(node.start_mark), code, message)


def byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace"))
    return before.count(b"\n") + 1, column + 1


class Locator:
    """Resolves a `Where` to a 1-based line and column, composing files again only on demand."""

    def __init__(self, sources: Sources) -> None:
        self._sources = sources
        self._roots: dict[str, Node | None] = {}
        self._keys: dict[int, dict[tuple[type, Any], tuple[Node, Node]]] = {}

    def locate(self, where: Where) -> tuple[int, int]:
        """Line and column of `where`, or of its nearest existing ancestor; (1, 1) at worst."""
        if where.line is not None:
            return where.line, where.col or 1
        node = self._root(where.file)
        if node is None:
            return 1, 1
        mark = node.start_mark
        for position, element in enumerate(where.path):
            child = self._child(node, element)
            if child is None:
                break
            key_node, value_node = child
            is_last = position == len(where.path) - 1
            if is_last and where.at_key and key_node is not None:
                mark = key_node.start_mark
            else:
                mark = value_node.start_mark
            node = value_node
        return one_based(mark)

    def _root(self, file: str) -> Node | None:
        from riskctl.load.parse import compose, decode  # parse makes its hits here: no cycle

        if file not in self._roots:
            self._roots[file] = None
            raw = self._sources.files.get(file)
            if raw is not None:
                text, _problem = decode(file, raw)
                if text is not None:
                    with contextlib.suppress(yaml.YAMLError):
                        self._roots[file] = compose(text)
        return self._roots[file]

    def _child(self, node: Node, element: str | int) -> tuple[Node | None, Node] | None:
        """The key and value nodes of `element` in a mapping, or the item at an index.

        A mapping's keys are constructed once and indexed, so locating a finding is constant
        time: one finding per key of a 50,000-key file must not scan 50,000 keys each.
        """
        if isinstance(node, MappingNode):
            keys = self._keys.get(id(node))
            if keys is None:
                keys = self._keys[id(node)] = _index_keys(node)
            return keys.get((type(element), element))
        is_index = isinstance(element, int) and isinstance(node, SequenceNode)
        if is_index and 0 <= cast(int, element) < len(node.value):
            return None, node.value[cast(int, element)]
        return None


def _index_keys(node: MappingNode) -> dict[tuple[type, Any], tuple[Node, Node]]:
    """A mapping's scalar keys as constructed (typed: 1, 1.0 and true differ) to their nodes;
    the first of duplicate keys wins, as in construction."""
    from riskctl.load.parse import Construction  # parse makes its hits here: no import cycle

    construction = Construction("")
    keys: dict[tuple[type, Any], tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode):
            key = construction.scalar(key_node)
            keys.setdefault((type(key), key), (key_node, value_node))
    return keys


# --- spans: where each value's text is, for byte-preserving edits (riskctl rcm import) ---------


@dataclass(frozen=True)
class Span:
    """Where one node's text is in a file: character offsets `start`..`end` of the text, and
    its layout. `style` is a scalar's (`''` plain, `'`, `"`, `|`, `>`) or a collection's
    (`flow`, `block`). For a mapping value, `key_start` is where its key starts and
    `key_column` that key's column; for a mapping, `indent` is the column of its first key and
    `last_end` where its last value ends (None when it is empty)."""

    start: int
    end: int
    kind: str
    style: str
    key_start: int | None = None
    key_column: int | None = None
    indent: int | None = None
    last_end: int | None = None


def node_spans(text: str) -> dict[DataPath, Span] | None:
    """Every node of a one-document YAML text by its data path (scalar keys as constructed),
    or None when the text is not such YAML. The root is at the empty path."""
    from riskctl.load.parse import Construction, compose  # parse makes its hits here: no cycle

    try:
        root = compose(text)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    construction = Construction("")
    spans: dict[DataPath, Span] = {}

    def walk(node: Node, path: DataPath, key: Node | None) -> None:
        key_start = key.start_mark.index if key is not None else None
        key_column = key.start_mark.column if key is not None else None
        start, end = node.start_mark.index, node.end_mark.index
        if isinstance(node, ScalarNode):
            spans[path] = Span(start, end, "scalar", node.style or "", key_start, key_column)
            return
        style = "flow" if cast(Any, node).flow_style else "block"
        if isinstance(node, SequenceNode):
            spans[path] = Span(start, end, "sequence", style, key_start, key_column)
            for index, item in enumerate(node.value):
                walk(item, (*path, index), None)
            return
        pairs = cast(list[tuple[Node, Node]], node.value)
        indent = pairs[0][0].start_mark.column if pairs else None
        last_end = pairs[-1][1].end_mark.index if pairs else None
        spans[path] = Span(start, end, "mapping", style, key_start, key_column, indent, last_end)
        for key_node, value_node in pairs:
            if isinstance(key_node, ScalarNode):
                walk(value_node, (*path, construction.scalar(key_node)), key_node)

    walk(root, (), None)
    return spans
