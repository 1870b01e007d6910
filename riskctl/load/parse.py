"""YAML text to plain data: libyaml's composer with riskctl's YAML 1.2 core-schema construction.

The only module that reads YAML for checking. Parsing uses libyaml's composer through PyYAML's C
binding: it gives every node its start mark, as fast as PyYAML's C safe loader, and our own
construction applies the YAML 1.2 core schema (only `true`/`false` are booleans; `no`, `on` and
dates stay strings), rejects duplicate keys, tags and complex keys, and bounds alias expansion
and nesting. Bad input never raises here: every problem becomes a `Hit` with an RK0xx code.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, cast

import yaml
from yaml.cyaml import CParser  # type: ignore[attr-defined]  # exported only with libyaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.resolver import BaseResolver

from riskctl.findings import Hit, Where
from riskctl.load.positions import byte_position, located_hit, node_hit, one_based

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
class Construction:
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
        if id(node) in self.seen:  # reached again: through an alias, or inside an expansion
            self.reached_again(node)
            self.expanding += 1
            try:
                return self.construct(node, depth)
            finally:
                self.expanding -= 1
        self.seen.add(id(node))
        # `construct`, inlined: this runs once per node of every file
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if node.tag not in (SEQ, MAP):
            self.unsupported_tag(node)
        if isinstance(node, SequenceNode):
            return [self.value(item, depth + 1) for item in node.value]
        return self.mapping(cast(MappingNode, node), depth)

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
        checks_lines = bool(self.text) and not node.flow_style
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.hits.append(
                    node_hit(self.file, key_node, "RK004", "a complex (non-scalar) key")
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
                    node_hit(self.file, key_node, "RK002", f"duplicate key {quote(key)}")
                )
                self.skip(value_node)
                continue
            seen.add((type(key), key))
            if (
                checks_lines
                and (value_node.style if type(value_node) is ScalarNode else value_node.flow_style)
                and id(value_node) not in self.seen
            ):  # a quoted, block or flow value (a plain one has no style), defined here
                self.check_continuation_indent(key_node, value_node)
                self.check_block_leading_lines(key_node, value_node)
            result[key] = self.value(value_node, depth + 1)
        return result

    def check_block_leading_lines(self, key_node: ScalarNode, value_node: Node) -> None:
        """A syntax error libyaml accepts: a block scalar (`|` or `>` without an indentation
        indicator) whose leading empty lines hold more spaces than its first non-empty line
        (YAML 1.2.2, section 8.1.1.1; yaml-test-suite S98Z). A line is the scalar's first
        non-empty line when it is indented more than the key; checked where the key is implicit
        and the lines hold no line break but LF and CRLF."""
        if not (isinstance(value_node, ScalarNode) and value_node.style in ("|", ">")):
            return
        key, start = key_node.start_mark, value_node.start_mark
        if self.text[key.index - key.column : key.index].strip(" -"):
            return
        header_end = self.text.find("\n", start.index)
        header = self.text[start.index + 1 : header_end if header_end >= 0 else None]
        if header_end < 0 or any(character.isdigit() for character in header.split("#")[0]):
            return  # no lines, or an explicit indentation indicator
        widest = (0, 0)  # (spaces, line offset) of the widest leading empty line
        position = header_end + 1
        for offset in range(1, len(self.text)):
            line_end = self.text.find("\n", position)
            line = self.text[position : line_end if line_end >= 0 else None].removesuffix("\r")
            if any(other in line for other in ("\r", "\x85", "\u2028", "\u2029")):
                return
            spaces = len(line) - len(line.lstrip(" "))
            if line.strip(" "):  # the first non-empty line
                if spaces > key.column and widest[0] > spaces:
                    self.hits.append(
                        located_hit(
                            self.file,
                            start.line + widest[1] + 1,
                            spaces + 1,
                            "RK001",
                            f"YAML syntax error: an empty line at the start of a block scalar "
                            f"has more spaces ({widest[0]}) than its first line ({spaces})",
                        )
                    )
                return
            widest = max(widest, (spaces, offset), key=lambda pair: pair[0])
            if line_end < 0:
                return
            position = line_end + 1

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
                    located_hit(
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
                node_hit(
                    self.file, node, "RK004", f"{quote(text)} is not a valid {tag[len(_CORE) :]}"
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
            node_hit(
                self.file,
                node,
                "RK004",
                f"number too large: {quote(node.value)}; register numbers are finite and at most "
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
                    located_hit(
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
                    located_hit(
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
            node_hit(
                self.file,
                node,
                "RK004",
                f"tag {quote(node.tag)} is not allowed in a register file",
            )
        )


def parser_version() -> str:
    """The YAML library parsing, for the cache's fingerprint (`load.cache`)."""
    return f"PyYAML {yaml.__version__} libyaml {yaml.__with_libyaml__}"


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
        line, col = byte_position(raw, raw.index(b"\x00"))
        return None, Hit(
            Where(file, line=line, col=col),
            "binary file: a NUL byte; register files are UTF-8 YAML text",
        )
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line, col = byte_position(raw, error.start)
        return None, Hit(
            Where(file, line=line, col=col),
            f"not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded; save the file as UTF-8",
        )


def parse(file: str, raw: bytes) -> Parsed:
    """Parse one file's bytes into plain data, never raising on bad input."""
    return parse_tree(file, raw)[0]


def parse_tree(file: str, raw: bytes) -> tuple[Parsed, Node | None]:
    """`parse`, and the node tree the data was built from (None when the data is None), for
    `fmt`'s layout check: one libyaml parse gives both."""
    parsed, root = _parse(file, raw)
    return parsed, (root if parsed.data is not None else None)


def _parse(file: str, raw: bytes) -> tuple[Parsed, Node | None]:
    text, problem = decode(file, raw)
    if text is None:
        return Parsed(None, (_coded(problem, "RK008"),) if problem else ()), None
    try:
        root = compose(text)
    except yaml.MarkedYAMLError as error:
        return Parsed(None, (_syntax_hit(file, error, text),)), None
    except ReaderError as error:  # a character YAML forbids; libyaml gives its byte offset
        line, col = byte_position(text.encode("utf-8"), error.position)
        character = f"#x{error.character:04x}" if isinstance(error.character, int) else "a byte"
        message = f"YAML syntax error: character {character} is not allowed ({error.reason})"
        return Parsed(None, (located_hit(file, line, col, "RK001", message),)), None
    except yaml.YAMLError as error:  # pragma: no cover - every other libyaml error has a mark
        return Parsed(
            None, (located_hit(file, 1, 1, "RK001", f"YAML error: {error}".splitlines()[0]),)
        ), None
    if root is None:
        empty = located_hit(file, 1, 1, "RK003", "empty file: expected a mapping")
        return Parsed(None, (empty,)), None
    construction = Construction(file, text)
    try:
        data = construction.value(root)
    except _Unsupported as stop:
        alias = _alias_mark(text, stop.alias) if stop.alias else None
        if alias is None:
            return Parsed(
                None, (*construction.hits, node_hit(file, stop.node, "RK004", stop.message))
            ), root
        line, col = alias.line + 1, alias.column + 1
        return Parsed(
            None, (*construction.hits, located_hit(file, line, col, "RK004", stop.message))
        ), root
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else f"a single value ({quote(data)})"
        return Parsed(
            None,
            (
                *construction.hits,
                node_hit(file, root, "RK003", f"expected a mapping, found {what}"),
            ),
        ), root
    return Parsed(data, tuple(construction.hits)), root


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


def _syntax_hit(file: str, error: yaml.MarkedYAMLError, text: str = "") -> Hit:
    mark = error.problem_mark or error.context_mark
    line, col = one_based(mark) if mark else (1, 1)
    problem = error.problem or "syntax error"
    if error.context and "single document" in error.context:
        return located_hit(file, line, col, "RK003", "a second YAML document: one entity per file")
    context = f" ({error.context})" if error.context else ""
    hint = _RESERVED_START_HINT if _starts_reserved(error, text) else ""
    return located_hit(file, line, col, "RK001", f"YAML syntax error: {problem}{context}{hint}")


#: libyaml's words for a plain value that starts with a reserved indicator, `@` or a backtick
#: (YAML 1.2 section 5.3): the usual case is a GitHub handle written `github: @alice`.
_CANNOT_START_TOKEN = "found character that cannot start any token"
_RESERVED_START_HINT = '; a value starting with `@` or a backtick must be quoted: "@alice"'


def _starts_reserved(error: yaml.MarkedYAMLError, text: str) -> bool:
    """Whether the error is a plain value starting with `@` or a backtick (not a tab, `%`)."""
    mark = error.problem_mark
    if error.problem != _CANNOT_START_TOKEN or mark is None:
        return False
    lines = text.split("\n")
    if not 0 <= mark.line < len(lines) or not 0 <= mark.column < len(lines[mark.line]):
        return False
    return lines[mark.line][mark.column] in "@`"


def _coded(hit: Hit, code: str) -> Hit:
    return Hit(hit.where, hit.message, code)


def quote(value: object) -> str:
    if isinstance(value, str) and len(value) > QUOTE_LIMIT:
        value = value[:QUOTE_LIMIT]  # repr of a 10 MB value, once per finding, would be quadratic
    if isinstance(value, int) and abs(value) > MAX_INTEGER:
        return f"an integer of {value.bit_length():,} bits"  # repr() refuses beyond 4,300 digits
    text = repr(value)
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 4] + "...'"
