"""Files to models: read a register, parse YAML with positions, validate, report problems.

The only module that imports a YAML library. Parsing uses libyaml's composer through PyYAML's C
binding: it gives every node its start mark, as fast as PyYAML's C safe loader, and our own
construction applies the YAML 1.2 core schema (only `true`/`false` are booleans; `no`, `on` and
dates stay strings), rejects duplicate keys, tags and complex keys, and bounds alias expansion
(in nodes and in characters), nesting and numbers. Positions are not kept for clean files:
`Locator` composes a file again, with the same parser, only when a finding in it needs a line
and column, so positions are exact and a clean register pays nothing for them.

Bad input never raises here: every problem becomes a `Hit` with an RK0xx code. Only an
unusable register (a missing folder, no `riskctl.yaml`, a broken configuration) raises
`RiskctlError`.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import gc
import hashlib
import math
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import BaseModel, ValidationError
from yaml.cyaml import CParser  # type: ignore[attr-defined]  # exported only with libyaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.resolver import BaseResolver

from riskctl.errors import RiskctlError
from riskctl.findings import DataPath, Hit, Where
from riskctl.model.common import ID_EXAMPLES, ID_PATTERNS, Entity
from riskctl.model.config import Config
from riskctl.model.register import CONFIG_FILE, KIND_BY_FOLDER, Record, Register

#: Deepest nesting a register file may have; real files need about six levels.
MAX_DEPTH = 64
#: Nodes that aliases may re-expand in one file before we call it an alias bomb.
MAX_ALIAS_EXPANSION = 100_000
#: Characters of scalars that aliases may re-expand in one file: a 1 MB anchor repeated 50,000
#: times is 50 GB once constructed, though its node count is small. A register file needs
#: aliases, if at all, for a few short shared values.
MAX_ALIAS_CHARACTERS = 1_000_000
#: Largest magnitude of an integer in a register file: ratings, counts, days and amounts all fit
#: in 64 bits, and a bigger one (e.g. 10**5000, which Python cannot even print) is a mistake.
MAX_INTEGER = 2**63 - 1
#: Digits that can spell an integer up to `MAX_INTEGER` in any base (decimal: 19; octal: 21);
#: a longer numeral (after leading zeros) is too large without converting it.
_MAX_INTEGER_DIGITS = 22
#: Longest excerpt of a value quoted in a message.
QUOTE_LIMIT = 60

_CORE = "tag:yaml.org,2002:"
NULL, BOOL, INT, FLOAT, STR = (_CORE + name for name in ("null", "bool", "int", "float", "str"))
SEQ, MAP = _CORE + "seq", _CORE + "map"


class _CoreResolver(BaseResolver):
    """Implicit tags of the YAML 1.2 core schema (YAML 1.2.2, section 10.3.2)."""


_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_CoreResolver.add_implicit_resolver(NULL, _NULL, ["~", "n", "N", ""])
_CoreResolver.add_implicit_resolver(BOOL, _BOOL, list("tTfF"))
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_CoreResolver.add_implicit_resolver(INT, _INT, list("-+0123456789"))
_CoreResolver.add_implicit_resolver(FLOAT, _FLOAT, list("-+.0123456789"))


#: The core schema's resolvers by a scalar's first character, for `_Composer.resolve`.
_RESOLVERS_BY_FIRST: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(resolvers)
    for first, resolvers in _CoreResolver.yaml_implicit_resolvers.items()
    if first is not None
}


class _Composer(CParser, _CoreResolver):
    """libyaml's parser and composer with the core-schema resolver: nodes with start marks."""

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        _CoreResolver.__init__(self)

    # libyaml calls these three for every node. PyYAML's versions also serve path resolvers,
    # which riskctl never registers; these do the same work for the core schema in about a
    # third of the time (the largest Python cost of parsing after node creation).
    def descend_resolver(self, current_node: Node | None, current_index: object) -> None:
        """No path resolvers: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track."""

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        """The implicit tag of a node: a plain scalar by the core schema, else str/seq/map."""
        if kind is ScalarNode:
            if implicit[0]:
                for tag, pattern in _RESOLVERS_BY_FIRST.get(value[:1], ()):
                    if pattern.match(value):
                        return tag
            return STR
        return SEQ if kind is SequenceNode else MAP


def compose(text: str) -> Node | None:
    """The node tree of a single-document YAML text (None for an empty stream).

    Raises `yaml.YAMLError` on a syntax error or a second document.
    """
    composer = _Composer(text)
    try:
        root: Node | None = composer.get_single_node()
        return root
    finally:
        composer.dispose()


class TooLarge(str):
    """A numeral too large for a register number, kept as its text: the loader reported it
    (RK004 "number too large"), so schema validation does not report the same value again."""

    __slots__ = ()


class _Unsupported(Exception):
    """Construction stopped: the YAML is valid but not something a register file may hold.

    `alias` is the 1-based number, in document order, of the alias that passed a limit on
    expansion (0 when the problem is not an alias's): the finding is placed at that alias.
    """

    def __init__(self, node: Node, message: str, alias: int = 0) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.alias = alias


@dataclass
class _Construction:
    """Turns nodes into plain values, collecting problems that do not stop construction.

    `text` is the composed text, for the two syntax checks libyaml skips (see `_glued_comment`);
    without it (when only keys are read again, by `Locator`) they are not made.
    """

    file: str
    text: str = ""
    hits: list[Hit] = field(default_factory=list)
    expanded: int = 0
    expanded_characters: int = 0
    aliases: int = 0
    expanding: int = 0
    seen: set[int] = field(default_factory=set)

    def value(self, node: Node, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise _Unsupported(node, f"nesting deeper than {MAX_DEPTH} levels")
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return self.construct(node, depth)
        # Reached again: through an alias, or inside the expansion of one.
        self.reached_again(node)
        self.expanding += 1
        try:
            return self.construct(node, depth)
        finally:
            self.expanding -= 1

    def reached_again(self, node: Node) -> None:
        """Count a node re-expanded by an alias against both limits on expansion."""
        if not self.expanding:
            self.aliases += 1  # an alias in the text: its number in document order
        self.expanded += 1
        if isinstance(node, ScalarNode):
            self.expanded_characters += len(node.value)
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise _Unsupported(
                node,
                f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes (an alias bomb?); "
                "register files need few aliases, if any",
                self.aliases,
            )
        if self.expanded_characters > MAX_ALIAS_CHARACTERS:
            raise _Unsupported(
                node,
                f"aliases expand to more than {MAX_ALIAS_CHARACTERS:,} characters (an alias "
                "bomb?); register files need few aliases, if any",
                self.aliases,
            )

    def construct(self, node: Node, depth: int) -> Any:
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if node.tag not in (SEQ, MAP):
            self.unsupported_tag(node)
        if isinstance(node, SequenceNode):
            return [self.value(item, depth + 1) for item in node.value]
        return self.mapping(cast(MappingNode, node), depth)

    def mapping(self, node: MappingNode, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        seen: set[tuple[type, Any]] = set()  # typed: YAML's 1, 1.0 and true are three keys
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.hits.append(
                    _hit_at(self.file, key_node, "RK004", "a complex (non-scalar) key")
                )
                self.skip(key_node)
                self.skip(value_node)
                continue
            if id(key_node) in self.seen:
                self.reached_again(key_node)  # an alias as a key, or a key in an expansion
            self.seen.add(id(key_node))
            key = self.scalar(key_node)
            if (type(key), key) in seen or key in result:
                self.hits.append(
                    _hit_at(self.file, key_node, "RK002", f"duplicate key {_quote(key)}")
                )
                self.skip(value_node)
                continue
            seen.add((type(key), key))
            if self.text and not node.flow_style and id(value_node) not in self.seen:
                self.check_continuation_indent(key_node, value_node)
            result[key] = self.value(value_node, depth + 1)
        return result

    def check_continuation_indent(self, key_node: ScalarNode, value_node: Node) -> None:
        """A syntax error libyaml accepts: a block mapping's quoted or flow value that goes on
        over several lines must indent each further line more than its key (YAML 1.2.2,
        sections 6.1 and 7.3: `s-flow-line-prefix(n)`; a tab is never indentation).
        yaml-test-suite QB6E, DK95-01 and 9C9N. Checked only where the key is implicit (only
        spaces and `- ` before it) and the lines hold no other line break, so it never fires on
        valid YAML."""
        start, end = value_node.start_mark, value_node.end_mark
        if end.line == start.line:
            return
        is_quoted = isinstance(value_node, ScalarNode) and value_node.style in ('"', "'")
        is_flow = isinstance(value_node, SequenceNode | MappingNode) and value_node.flow_style
        if not (is_quoted or is_flow):
            return
        key = key_node.start_mark
        if self.text[key.index - key.column : key.index].strip(" -"):
            return  # an explicit key (`? key`): its indentation is not the key's column
        span = self.text[start.index : end.index].replace("\r\n", "\n")
        if any(other in span for other in ("\r", "\x85", "\u2028", "\u2029")):
            return
        for offset, line in enumerate(span.split("\n")[1:], start=1):
            content = line.lstrip(" \t")
            if not content or (is_flow and content.startswith("#")):
                continue  # an empty line, or a comment line inside a flow collection
            spaces = len(line) - len(line.lstrip(" "))
            if spaces <= key.column:
                self.hits.append(
                    _hit(
                        self.file,
                        start.line + offset + 1,
                        spaces + 1,
                        "RK001",
                        "YAML syntax error: a value's further lines must be indented more "
                        f"than its key (at column {key.column + 1}), with spaces",
                    )
                )
                return

    def skip(self, node: Node) -> None:
        """Mark a node that is not constructed as seen, counting the aliases in it.

        Aliases are numbered in document order; a skipped part (a complex key, a duplicate
        key's value) still holds some, and an alias into it is an alias like any other.
        """
        if self.expanding:
            return
        if id(node) in self.seen:
            self.aliases += 1
            return
        self.seen.add(id(node))
        if isinstance(node, SequenceNode):
            for item in node.value:
                self.skip(item)
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                self.skip(key_node)
                self.skip(value_node)

    def scalar(self, node: ScalarNode) -> Any:
        text: str = node.value
        tag = node.tag
        if node.style and self.text:
            self.check_glued_comment(node)
        try:
            if tag == STR:
                return text
            if tag == NULL:
                if not _NULL.match(text):
                    raise ValueError(text)
                return None
            if tag == BOOL:
                if not _BOOL.match(text):
                    raise ValueError(text)
                return text.lower() == "true"
            if tag == INT:
                return self.integer(node)
            if tag == FLOAT:
                if not _FLOAT.match(text):  # Python's float() also takes "1_0", "infinity"
                    raise ValueError(text)
                lowered = text.lower()
                if lowered.endswith(".inf"):
                    return -math.inf if lowered.startswith("-") else math.inf
                if lowered == ".nan":
                    return math.nan
                number = float(text)
                if math.isinf(number):  # a numeral beyond 1.8e308, not a spelt-out .inf
                    return self.too_large(node)
                return number
        except ValueError:
            self.hits.append(
                _hit_at(
                    self.file, node, "RK004", f"{_quote(text)} is not a valid {tag[len(_CORE) :]}"
                )
            )
            return text
        self.unsupported_tag(node)
        return text

    def integer(self, node: ScalarNode) -> Any:
        """An integer within `MAX_INTEGER`, or the text and a finding.

        The digits are counted before converting: Python refuses to convert a decimal of more
        than 4,300 digits, and converts a hexadecimal of a million digits to an integer that
        cannot be printed in a message.
        """
        text: str = node.value
        if not _INT.match(text):  # an explicit !!int; Python's int() also takes "1_000"
            raise ValueError(text)
        sign, unsigned = (text[0], text[1:]) if text[:1] in ("-", "+") else ("", text)
        base = {"0o": 8, "0x": 16}.get(unsigned[:2], 10)
        digits = unsigned[2:] if base != 10 else unsigned
        significant = digits.lstrip("0")
        if len(significant) > _MAX_INTEGER_DIGITS:
            return self.too_large(node)
        number = int(digits, base)
        if number > MAX_INTEGER:
            return self.too_large(node)
        return -number if sign == "-" else number

    def too_large(self, node: ScalarNode) -> str:
        """The numeral's text, marked (`TooLarge`) so validation does not report it again."""
        self.hits.append(
            _hit_at(
                self.file,
                node,
                "RK004",
                f"number too large: {_quote(node.value)}; register numbers are finite and at most "
                "2**63 - 1 in size",
            )
        )
        return TooLarge(node.value)

    def check_glued_comment(self, node: ScalarNode) -> None:
        """Two syntax errors libyaml accepts: a `#` right after a quoted scalar or a block
        scalar's header. YAML 1.2.2 (section 6.6) needs white space before a comment; libyaml
        reads `"a"# x` and `># x` as if it were there (yaml-test-suite SU5Z and X4QW)."""
        if node.style in ('"', "'"):
            mark = node.end_mark  # just after the closing quote
            if self.text[mark.index : mark.index + 1] == "#":
                self.hits.append(
                    _hit(
                        self.file,
                        mark.line + 1,
                        mark.column + 1,
                        "RK001",
                        "YAML syntax error: a comment needs a space before its '#' "
                        "(found after a quoted scalar)",
                    )
                )
        elif node.style in ("|", ">"):
            start = node.start_mark  # at the indicator
            header = self.text[start.index + 1 : start.index + 4]
            indicators = len(header) - len(header.lstrip("+-123456789"))
            if header[indicators : indicators + 1] == "#":
                self.hits.append(
                    _hit(
                        self.file,
                        start.line + 1,
                        start.column + 2 + indicators,
                        "RK001",
                        "YAML syntax error: a comment needs a space before its '#' "
                        "(found after a block scalar indicator)",
                    )
                )

    def unsupported_tag(self, node: Node) -> None:
        self.hits.append(
            _hit_at(
                self.file,
                node,
                "RK004",
                f"tag {_quote(node.tag)} is not allowed in a register file",
            )
        )


@dataclass(frozen=True)
class Parsed:
    """One file's data (None when unusable) and the problems found while parsing it."""

    data: Any
    hits: tuple[Hit, ...]


def decode(file: str, raw: bytes) -> tuple[str | None, Hit | None]:
    """The text of a file, or why it cannot be read as UTF-8 YAML. A BOM is dropped."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Hit(
            Where(file, line=1, col=1), "a UTF-16 file: register files are UTF-8; save it as UTF-8"
        )
    if b"\x00" in raw:
        line, col = _byte_position(raw, raw.index(b"\x00"))
        return None, Hit(
            Where(file, line=line, col=col),
            "binary file: a NUL byte; register files are UTF-8 YAML text",
        )
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line, col = _byte_position(raw, error.start)
        return None, Hit(
            Where(file, line=line, col=col),
            f"not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded; save the file as UTF-8",
        )


def parse(file: str, raw: bytes) -> Parsed:
    """Parse one file's bytes into plain data, never raising on bad input."""
    text, problem = decode(file, raw)
    if text is None:
        return Parsed(None, (_coded(problem, "RK008"),) if problem else ())
    try:
        root = compose(text)
    except yaml.MarkedYAMLError as error:
        return Parsed(None, (_syntax_hit(file, error),))
    except ReaderError as error:  # a character YAML forbids; libyaml gives its byte offset
        line, col = _byte_position(text.encode("utf-8"), error.position)
        character = f"#x{error.character:04x}" if isinstance(error.character, int) else "a byte"
        message = f"YAML syntax error: character {character} is not allowed ({error.reason})"
        return Parsed(None, (_hit(file, line, col, "RK001", message),))
    except yaml.YAMLError as error:  # pragma: no cover - every other libyaml error has a mark
        return Parsed(None, (_hit(file, 1, 1, "RK001", f"YAML error: {error}".splitlines()[0]),))
    if root is None:
        return Parsed(None, (_hit(file, 1, 1, "RK003", "empty file: expected a mapping"),))
    construction = _Construction(file, text)
    try:
        data = construction.value(root)
    except _Unsupported as stop:
        alias = _alias_mark(text, stop.alias) if stop.alias else None
        if alias is None:
            return Parsed(
                None, (*construction.hits, _hit_at(file, stop.node, "RK004", stop.message))
            )
        line, col = alias.line + 1, alias.column + 1
        return Parsed(None, (*construction.hits, _hit(file, line, col, "RK004", stop.message)))
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else f"a single value ({_quote(data)})"
        return Parsed(
            None,
            (*construction.hits, _hit_at(file, root, "RK003", f"expected a mapping, found {what}")),
        )
    return Parsed(data, tuple(construction.hits))


def _alias_mark(text: str, number: int) -> Any:
    """The start mark of the `number`th alias (1-based) of a text, or None if it has fewer.

    Nodes do not remember the alias they were reached through, so an alias bomb is placed by
    reading the events again: only on that rare path.
    """
    parser = CParser(text)
    try:
        count = 0
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.AliasEvent):
                count += 1
                if count == number:
                    return event.start_mark
        return None
    finally:
        parser.dispose()


def _syntax_hit(file: str, error: yaml.MarkedYAMLError) -> Hit:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or "syntax error"
    if error.context and "single document" in error.context:
        return _hit(file, line, col, "RK003", "a second YAML document: one entity per file")
    context = f" ({error.context})" if error.context else ""
    return _hit(file, line, col, "RK001", f"YAML syntax error: {problem}{context}")


def _hit(file: str, line: int, col: int, code: str, message: str) -> Hit:
    """A hit at a known 1-based position; the code travels at the front of the message."""
    return Hit(Where(file, line=line, col=col), message, code)


def _hit_at(file: str, node: Node, code: str, message: str) -> Hit:
    mark = node.start_mark
    return _hit(file, mark.line + 1, mark.column + 1, code, message)


def _coded(hit: Hit, code: str) -> Hit:
    return Hit(hit.where, hit.message, code)


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace"))
    return before.count(b"\n") + 1, column + 1


def _quote(value: object) -> str:
    if isinstance(value, str) and len(value) > QUOTE_LIMIT:
        value = value[:QUOTE_LIMIT]  # repr of a 10 MB value, once per finding, would be quadratic
    if isinstance(value, int) and abs(value) > MAX_INTEGER:
        return f"an integer of {value.bit_length():,} bits"  # repr() refuses beyond 4,300 digits
    text = repr(value)
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 4] + "...'"


# --- schema validation ------------------------------------------------------------------------


def validate(file: str, data: dict[Any, Any], model: type[BaseModel]) -> tuple[Any, list[Hit]]:
    """Validate plain data against a model: the model (or None) and a hit per schema problem.

    A file whose only problems are unknown keys still yields its model, without those keys.
    """
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        problems = error.errors()
    hits = _unique(
        [
            _schema_hit(file, data, model, problem)
            for problem in problems
            if not isinstance(problem.get("input"), TooLarge)  # the loader said it: RK004
        ]
    )
    if all(problem["type"] in ("extra_forbidden", "invalid_key") for problem in problems):
        # Only unknown keys: the rest of the entity is sound, so keep it for the cross-file
        # rules (its references still resolve, its waivers still count) minus those keys.
        unknown = [data_path(data, problem["loc"]) for problem in problems]
        try:
            return model.model_validate(_without(data, unknown)), hits
        except ValidationError:  # pragma: no cover - removing extra keys cannot add errors
            pass
    return None, hits


def _without(data: Any, paths: list[DataPath]) -> Any:
    """A copy of `data` without the keys at `paths`."""
    if not isinstance(data, dict | list):
        return data
    here = {path[0] for path in paths if len(path) == 1}
    deeper: dict[Any, list[DataPath]] = {}
    for path in paths:
        if len(path) > 1:
            deeper.setdefault(path[0], []).append(path[1:])
    if isinstance(data, list):
        return [_without(item, deeper.get(index, [])) for index, item in enumerate(data)]
    return {
        key: _without(value, deeper.get(key, [])) for key, value in data.items() if key not in here
    }


def _schema_hit(file: str, data: Any, model: type[BaseModel], problem: Any) -> Hit:
    path = data_path(data, problem["loc"])
    kind = problem["type"]
    where_text = ".".join(str(element) for element in path)
    if kind in ("extra_forbidden", "invalid_key"):
        key = path[-1] if path else "?"
        hint = _suggest(key, _allowed_keys(model, path[:-1], data))
        return Hit(Where(file, path, at_key=True), f"unknown key {_quote(key)}{hint}", "RK005")
    if kind == "missing":
        parent = ".".join(str(element) for element in path[:-1])
        within = f" in {parent}" if parent else ""
        return Hit(Where(file, path), f"missing required key {_quote(path[-1])}{within}", "RK006")
    message = _expected(model, problem)
    if kind == "string_pattern_mismatch" and path == ("id",):
        kind_name = _kind_of_model(model)
        if kind_name:
            message = f"not {_article(kind_name)} {kind_name} id: expected {ID_EXAMPLES[kind_name]}"
    found = _quote(problem["input"])
    return Hit(Where(file, path), f"{where_text or 'value'}: {message}, found {found}", "RK007")


#: pydantic errors whose own message says what was wrong but not what is expected ("input is too
#: short", "unable to interpret input", "datetimes provided to dates should have zero time"):
#: what the register expects instead. pydantic's other messages name the type, the allowed
#: values or the bound, and stay as they are.
_EXPECTED_BY_ERROR = {
    **dict.fromkeys(
        (
            "date_type",
            "date_parsing",
            "date_from_datetime_parsing",
            "date_from_datetime_inexact",
            "datetime_type",
            "datetime_parsing",
            "datetime_from_date_parsing",
        ),
        "expected a date as YYYY-MM-DD, e.g. 2026-11-27",
    ),
    "bool_parsing": "input should be a valid boolean: true or false",
    "string_too_short": "expected text, not an empty string",
}


def _expected(model: type[BaseModel], problem: Any) -> str:
    """What the value should have been, in the register's words: the allowed values or range,
    the form of a date or id, or a nested mapping's keys; never a pydantic class name."""
    kind = problem["type"]
    context = problem.get("ctx") or {}
    if kind in ("model_type", "model_attributes_type", "dict_type", "mapping_type"):
        nested = _model_named(model, context.get("class_name"))
        return _expected_mapping(nested) if nested is not None else "expected a mapping"
    if kind in _EXPECTED_BY_ERROR and (kind != "string_too_short" or context["min_length"] == 1):
        return _EXPECTED_BY_ERROR[kind]
    if kind == "string_pattern_mismatch":
        pattern = str(context.get("pattern", ""))
        kind_name = next((name for name, p in ID_PATTERNS.items() if p == pattern), None)
        if kind_name is not None:
            return f"expected {_article(kind_name)} {kind_name} id: {ID_EXAMPLES[kind_name]}"
        return f"expected text matching {pattern}"
    message = str(problem.get("msg") or "")
    return message[0].lower() + message[1:] if message else "invalid value"


def _expected_mapping(model: type[BaseModel]) -> str:
    """`expected a mapping with keys: a, b, c (required: a)`."""
    fields = model.model_fields.items()
    keys = [info.alias or name for name, info in fields]
    required = [info.alias or name for name, info in fields if info.is_required()]
    needed = f" (required: {', '.join(required)})" if required else ""
    return f"expected a mapping with keys: {', '.join(keys)}{needed}"


def _model_named(model: type[BaseModel], name: object) -> type[BaseModel] | None:
    """The model called `name` among `model` and the models its fields hold, at any depth."""
    seen: set[type[BaseModel]] = set()
    pending = [model]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if current.__name__ == name:
            return current
        for info in current.model_fields.values():
            pending.extend(_annotation_models(info.annotation))
    return None


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def data_path(data: Any, loc: tuple[Any, ...]) -> DataPath:
    """A pydantic error location as a path in the data, without union tags and model names."""
    path: list[str | int] = []
    current = data
    for position, element in enumerate(loc):
        is_last = position == len(loc) - 1
        if isinstance(current, dict) and element not in current and isinstance(element, str):
            # pydantic names a non-string key by its str(): find the key it means
            element = next((key for key in current if str(key) == element), element)
        is_key = isinstance(current, dict) and element in current
        is_index = isinstance(current, list) and isinstance(element, int) and element < len(current)
        if is_key or is_index:
            path.append(element)
            current = current[element]
        elif is_last and isinstance(current, dict):
            path.append(element)  # a missing key: named, and located at its mapping
        # else: a tag or model name pydantic added; not part of the data
    return tuple(path)


def _allowed_keys(model: type[BaseModel], path: DataPath, data: Any) -> list[str]:
    """Field names (aliases) of the model at `path`, for "did you mean" hints."""
    current: Any = model
    for element in path:
        if isinstance(element, int):
            continue
        annotation = _field_model(current, element)
        if annotation is None:
            return []
        current = annotation
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return []
    return [info.alias or name for name, info in current.model_fields.items()]


def _field_model(model: Any, name: str) -> type[BaseModel] | None:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    for field_name, info in model.model_fields.items():
        if (info.alias or field_name) == name:
            for candidate in _annotation_models(info.annotation):
                return candidate
    return None


def _annotation_models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in getattr(annotation, "__args__", ()):
        yield from _annotation_models(argument)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and getattr(annotation, "__metadata__", None) is not None:
        yield from _annotation_models(origin)


def _suggest(key: object, allowed: list[str]) -> str:
    if not isinstance(key, str):
        return ""
    close = difflib.get_close_matches(key, allowed, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _kind_of_model(model: type[BaseModel]) -> str | None:
    for folder_kind in KIND_BY_FOLDER.values():
        if folder_kind.model is model:
            return folder_kind.name
    return None


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[Where, str]] = set()
    unique = []
    for hit in hits:
        if (hit.where, hit.message) not in seen:
            seen.add((hit.where, hit.message))
            unique.append(hit)
    return unique


# --- sources ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sources:
    """A register's files as bytes, by path relative to the register, plus reading problems.

    `label` is how the register's folder is shown in findings (relative to the current
    directory), so a finding names `label/risks/R-001.yaml`.
    """

    label: str
    files: Mapping[str, bytes]
    problems: tuple[Hit, ...] = ()
    blob_ids: Mapping[str, str] | None = None
    """Git blob ids by path, when read from a commit: they key the parse cache."""


def read_directory(path: Path) -> Sources:
    """Every file of a register folder, each read by `read_file` (so only regular files)."""
    if not path.exists():
        raise RiskctlError(f"{path}: no such register folder")
    if not path.is_dir():
        raise RiskctlError(f"{path}: not a folder; give the register folder (e.g. ./register)")
    if not (path / CONFIG_FILE).is_file():
        raise RiskctlError(
            f"{path}: not a register: no {CONFIG_FILE} (create one with `version: 1` and "
            "`categories`)"
        )
    files: dict[str, bytes] = {}
    problems: list[Hit] = []
    for relative, _full in _walk(path, problems):
        content = read_file(path, relative)
        if isinstance(content, Hit):
            problems.append(content)
        else:
            files[relative] = content
    return Sources(label=label_of(path), files=files, problems=tuple(problems))


def read_file(folder: Path, relative: str) -> bytes | Hit:
    """One file of a register folder, or the RK008 problem that keeps it from being read.

    Every reader of the working tree comes here (lint, score, diff, log and the reports read a
    file the same way): only a regular file is read. A symlink is not followed (in a commit it
    is only the text of its target, so following it here would make the working tree and a
    commit disagree), and a FIFO or a device is never opened (it could block or never end).
    """
    full = folder / relative
    try:
        mode = full.lstat().st_mode
        if stat.S_ISLNK(mode):
            return _hit(relative, 1, 1, "RK008", "symlink: not followed; not read")
        if stat.S_ISDIR(mode):
            return _hit(relative, 1, 1, "RK008", "a folder, not a file; not read")
        if not stat.S_ISREG(mode):
            return _hit(relative, 1, 1, "RK008", "not a regular file (a pipe or device); not read")
        with open(full, "rb") as stream:
            return stream.read()
    except OSError as error:
        reason = "symlink loop" if error.errno == errno.ELOOP else error.strerror or error
        return _hit(relative, 1, 1, "RK008", f"cannot read: {reason}")


REGISTER_SUFFIXES = (".yaml", ".yml")


def _walk(path: Path, unreadable: list[Hit]) -> Iterator[tuple[str, Path]]:
    """Files under `path` (not hidden ones), as (posix relative path, path), sorted.

    A folder that cannot be listed is added to `unreadable` (RK008), never skipped silently;
    the register's own folder is an operational error.
    """

    def refuse(error: OSError) -> None:
        folder = Path(error.filename or path)
        if folder.resolve() == path.resolve():
            raise RiskctlError(f"{path}: cannot read the register folder: {error.strerror}")
        relative = folder.relative_to(path).as_posix()
        unreadable.append(
            _hit(relative, 1, 1, "RK008", f"cannot list the folder: {error.strerror}")
        )

    for directory, folders, names in os.walk(path, onerror=refuse):
        base = Path(directory)
        visible = sorted(folder for folder in folders if not folder.startswith("."))
        # A folder named like a register file is reported by `read_file`, not entered.
        folders[:] = [
            folder
            for folder in visible
            if not (base / folder).is_symlink() and not folder.endswith(REGISTER_SUFFIXES)
        ]
        refused = [folder for folder in visible if folder not in folders]
        for name in sorted([*names, *refused]):
            if not name.startswith("."):
                full = base / name
                yield full.relative_to(path).as_posix(), full


def label_of(path: Path) -> str:
    """How findings name the register folder: relative to the current directory when it is
    inside it (or was given relative), else absolute."""
    if not path.is_absolute():
        return Path(os.path.normpath(path)).as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


# --- the register -----------------------------------------------------------------------------


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


def load_file(file: str, raw: bytes, model: type[Entity]) -> LoadedFile:
    """Parse and validate one entity file."""
    parsed = parse(file, raw)
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

    With a `cache`, files are looked up by path and blob id first (read from git, or hashed).
    """
    config, config_data = load_config(sources)
    register = Register(config=config)
    hits = list(sources.problems)
    failed = {
        hit.where.file: _problem_text((hit,)) for hit in sources.problems if hit.code == "RK008"
    }
    raw: dict[str, Any] = {CONFIG_FILE: config_data}
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
                hits.append(_hit(file, 1, 1, "RK009", message))
                continue
            register.files.append(file)
            content = sources.files[file]
            if cache is None:
                loaded = load_file(file, content, kind.model)
            else:
                known = sources.blob_ids.get(file) if sources.blob_ids else None
                key = (file, known or blob_id(content))
                loaded = cache.get(key) or cache.setdefault(
                    key, load_file(file, content, kind.model)
                )
            hits += loaded.hits
            if loaded.entity is None:
                failed[file] = _problem_text(loaded.hits)
            if loaded.data is None:
                continue
            raw[file] = loaded.data
            if loaded.entity is not None:
                register.add(Record(kind.name, file, loaded.entity))
            elif isinstance(loaded.data.get("id"), str):
                register.known_ids.setdefault(kind.name, set()).add(loaded.data["id"])
    finally:
        if paused:
            gc.enable()
    return Loaded(register=register, hits=hits, raw=raw, sources=sources, failed=failed)


def _problem_text(hits: tuple[Hit, ...]) -> str:
    """A file's first problem in one line (`line 3: ... [RK001]`), for `Loaded.failed`."""
    if not hits:
        return "not loaded"
    first = hits[0]
    where = f"line {first.where.line}: " if first.where.line is not None else ""
    code = f" [{first.code}]" if first.code else ""
    return f"{where}{first.message}{code}"


def _unexpected(file: str, folder: str) -> Hit:
    folders = ", ".join(f"{name}/" for name in KIND_BY_FOLDER)
    where = f"folder {folder}/" if folder else "the register's top level"
    return _hit(file, 1, 1, "RK009", f"unexpected file in {where}: entities live in {folders}")


# --- positions --------------------------------------------------------------------------------


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
        return mark.line + 1, mark.column + 1  # the one place 0-based marks become 1-based

    def _root(self, file: str) -> Node | None:
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
    construction = _Construction("")
    keys: dict[tuple[type, Any], tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode):
            key = construction.scalar(key_node)
            keys.setdefault((type(key), key), (key_node, value_node))
    return keys


# --- round-trip edits (ruamel.yaml) -----------------------------------------------------------


def add_keys(file: str, text: str, additions: Mapping[DataPath, tuple[str, str]]) -> str:
    """`text` with `key: value` added at the end of the mapping at each path; nothing else moves.

    ruamel.yaml's round-trip mode keeps comments, quoting and block scalars. The result is then
    checked: compared line by line, it must be `text` plus exactly the added lines, and it must
    read as the same data plus the added keys. If ruamel would change anything else (a flow
    mapping, an indentation it cannot reproduce), this raises `RiskctlError` instead of
    reformatting the file. (ruamel is imported here, not at the top: only writes need it.)
    """
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.util import load_yaml_guess_indent

    if not text.endswith("\n"):
        text += "\n"  # ruamel ends the file with a newline; compare with the same
    try:
        _, sequence_indent, offset = load_yaml_guess_indent(text)
    except YAMLError as error:
        raise RiskctlError(f"{file}: cannot edit: {str(error).splitlines()[0]}") from None
    # (mapping, sequence, offset) indents: the guessed layout first, then common ones.
    layouts = [(2, sequence_indent or 2, offset or 0), (2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4)]
    for mapping_indent, sequence, dash_offset in dict.fromkeys(layouts):
        editor = YAML(typ="rt")
        editor.preserve_quotes = True
        editor.width = 1 << 16  # never re-wrap a long plain scalar
        editor.indent(mapping=mapping_indent, sequence=sequence, offset=dash_offset)
        try:
            document = editor.load(text)
        except YAMLError as error:
            raise RiskctlError(f"{file}: cannot edit: {str(error).splitlines()[0]}") from None
        for path, (key, value) in additions.items():
            target: Any = document
            for element in path:
                target = target[element]
            if not isinstance(target, CommentedMap) or key in target:
                where = ".".join(str(element) for element in path)
                raise RiskctlError(f"{file}: cannot add {key!r} at {where}")
            target.insert(len(target), key, value)
        stream = io.StringIO()
        editor.dump(document, stream)
        edited = stream.getvalue()
        if _only_added(text, edited, len(additions)) and _same_data(text, edited, additions):
            return edited
    keys = ", ".join(
        f"{'.'.join(str(element) for element in path)}.{key}: {value}"
        for path, (key, value) in additions.items()
    )
    raise RiskctlError(f"{file}: cannot add {keys} without rewriting other lines; add them by hand")


def _only_added(before: str, after: str, count: int) -> bool:
    """Whether `after` is `before` with exactly `count` lines inserted and nothing else changed."""
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    inserted = 0
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag == "insert":
            inserted += end - start
        elif tag != "equal":
            return False
    return inserted == count


def _same_data(before: str, after: str, additions: Mapping[DataPath, tuple[str, str]]) -> bool:
    """Whether `after` reads as `before`'s data plus the added keys (with riskctl's loader)."""
    old, new = parse("before", before.encode("utf-8")), parse("after", after.encode("utf-8"))
    if old.data is None or new.data is None or old.hits or new.hits:
        return False
    expected = old.data
    for path, (key, value) in additions.items():
        target: Any = expected
        for element in path:
            target = target[element]
        target[key] = value
    return bool(new.data == expected)
