"""Field edits applied to a YAML file's text, changing only the bytes of the edited values.

Each edit splices the exact text span of the value (libyaml's node marks, `load.node_spans`):
a scalar is rewritten in its own style where that style can hold the new value (plain,
single-quoted, double-quoted, literal or folded block), a list of scalars in its own layout
(flow `[a, b]` or block `- a` lines). A missing key is added as one line at the end of its
mapping (or `, key: value` in a flow mapping); clearing an optional field removes its line, only
when that line holds nothing else. After every edit the whole text is parsed again and must read
as exactly the data meant, or the edit is refused (`RiskctlError`) rather than made some other
way: comments and every other byte stay as they were.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from riskctl.errors import RiskctlError
from riskctl.load.parse import parse
from riskctl.load.positions import Span, node_spans

#: An edit: the data path of a field and its new value (None removes the key).
Edit = tuple[tuple[str, ...], Any]


def loader_value(value: Any) -> Any:
    """A value as riskctl's YAML loader reads it back: dates are text until validation."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [loader_value(item) for item in value]
    return value


def _read(file: str, text: str) -> Any:
    parsed = parse(file, text.encode("utf-8"))
    return parsed.data if not parsed.hits else None


def apply_edits(file: str, text: str, edits: Sequence[Edit], where: Callable[[int], str]) -> str:
    """`text` with every edit made; `where(i)` names the cell of edit i for messages.

    Raises `RiskctlError` when an edit cannot be made without changing other bytes. A file
    with CRLF line ends throughout keeps them (the edit is made on its LF form).
    """
    if "\r\n" in text and text.count("\r\n") == text.count("\n"):
        edited = _apply(file, text.replace("\r\n", "\n"), edits, where)
        back = edited.replace("\n", "\r\n")
        if _read(file, back) != _read(file, edited):
            raise _refuse(file, where(0), "these edits")
        return back
    return _apply(file, text, edits, where)


def _apply(file: str, text: str, edits: Sequence[Edit], where: Callable[[int], str]) -> str:
    data = _read(file, text)
    if not isinstance(data, dict):
        raise RiskctlError(f"{file}: does not read as a register file; fix it first")
    additions: dict[tuple[str, ...], list[int]] = {}
    spans = node_spans(text)
    assert spans is not None  # it parsed
    for index, (path, value) in enumerate(edits):
        existing = _existing_prefix(spans, path)
        if value is None and len(path) > 1 and existing < len(path):
            continue  # clearing a field under a missing parent: nothing to do
        if existing < len(path):
            additions.setdefault(path[: existing + 1], []).append(index)
    groups = _group_removals(edits, spans)
    done: set[int] = set()
    for index, (path, value) in enumerate(edits):
        if index in done or any(index in members for members in additions.values()):
            continue
        if value is None and len(path) > 1 and _existing_prefix(spans, path) < len(path):
            continue
        group = groups.get(index)
        if group is not None:
            parent, members = group
            text, data = _remove(file, text, data, parent, where(index))
            done.update(members)
            spans = node_spans(text) or {}
            continue
        if value is None:
            text, data = _remove(file, text, data, path, where(index))
        else:
            text, data = _replace(file, text, data, path, value, where(index))
        spans = node_spans(text) or {}
    for first_missing, members in sorted(additions.items()):
        values = {edits[i][0]: edits[i][1] for i in members if edits[i][1] is not None}
        if values:
            text, data = _add(file, text, data, first_missing, values, where(members[0]))
    return text


def _existing_prefix(spans: Mapping[tuple[Any, ...], Span], path: tuple[str, ...]) -> int:
    """How many leading elements of `path` exist in the file."""
    for length in range(len(path), 0, -1):
        if path[:length] in spans:
            return length
    return 0


def _group_removals(
    edits: Sequence[Edit], spans: Mapping[tuple[Any, ...], Span]
) -> dict[int, tuple[tuple[str, ...], list[int]]]:
    """Edits that clear every field of a nested mapping (`residual.likelihood` and
    `residual.impact`): the mapping is removed as a whole."""
    by_parent: dict[tuple[str, ...], list[int]] = {}
    for index, (path, value) in enumerate(edits):
        if value is None and len(path) > 1 and path in spans:
            by_parent.setdefault(path[:-1], []).append(index)
    groups = {}
    for parent, members in by_parent.items():
        children = [p for p in spans if len(p) == len(parent) + 1 and p[:-1] == parent]
        if len(children) == len(members):
            for index in members:
                groups[index] = (parent, members)
    return groups


def _set(data: Any, path: tuple[str, ...], value: Any) -> Any:
    expected = copy.deepcopy(data)
    target = expected
    for key in path[:-1]:
        target = target.setdefault(key, {})
    if value is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = loader_value(value)
    return expected


def _try(
    file: str, text: str, expected: Any, candidates: Sequence[tuple[int, int, str]]
) -> str | None:
    """The first splice (start, end, replacement) whose result reads as `expected`."""
    for start, end, replacement in candidates:
        edited = text[:start] + replacement + text[end:]
        if _read(file, edited) == expected:
            return edited
    return None


def _refuse(file: str, where: str, what: str) -> RiskctlError:
    return RiskctlError(
        f"{where}: cannot write {what} into {file} without changing other lines; "
        "edit the file by hand"
    )


# --- replacing a value ---------------------------------------------------------------------------


def _replace(
    file: str, text: str, data: Any, path: tuple[str, ...], value: Any, where: str
) -> tuple[str, Any]:
    spans = node_spans(text) or {}
    span = spans[path]
    expected = _set(data, path, value)
    candidates: list[str] = []
    if isinstance(value, list):
        candidates = _list_texts(text, spans, path, span, value)
    elif span.kind == "scalar":
        candidates = _scalar_texts(text, span, value)
    end = span.end
    if span.kind == "sequence" and span.style == "block" and candidates:
        end = _block_sequence_end(spans, path, span)
    edited = _try(file, text, expected, [(span.start, end, c) for c in candidates])
    if edited is None:
        raise _refuse(file, where, f"{'.'.join(path)}: {_shown(value)}")
    return edited, expected


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _single(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


#: Characters YAML 1.1 (libyaml) reads as a line break even inside quotes: written as escapes.
_LINE_BREAKS = {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}


def _double(value: str) -> str:
    text = json.dumps(value, ensure_ascii=False)
    for character, escape in _LINE_BREAKS.items():
        text = text.replace(character, escape)
    return text


def _scalar_texts(text: str, span: Span, value: Any) -> list[str]:
    """Ways to write `value` where the scalar at `span` is, its own style first."""
    style = span.style
    # a block scalar's span runs on to the next token: what replaces it keeps the line breaks
    after = _after_block(text[span.start : span.end]) if style in ("|", ">") else ""
    if not isinstance(value, str):
        return [_plain(value) + after]
    if style in ("|", ">"):
        return [*_block_texts(text, span, value), _double(value) + after]
    one_line = "\n" not in value and not any(c in value for c in _LINE_BREAKS)
    ordered = {
        "": [value, _single(value), _double(value)],
        "'": [_single(value), _double(value)],
        '"': [_double(value)],
    }[style]
    return [c for c in ordered if one_line or c.startswith('"')]


def _block_texts(text: str, span: Span, value: str) -> list[str]:
    """`value` as a block scalar in the old one's style, indentation and trailing lines."""
    old = text[span.start : span.end]
    header, _, body = old.partition("\n")
    match = re.fullmatch(r"([|>])([-+]?)([1-9]?)([-+]?)(.*)", header)
    breaks = any(character in value for character in _LINE_BREAKS)
    if match is None or match[3] or value.endswith("\n\n") or not value.strip() or breaks:
        return []
    indentation = next(
        (len(line) - len(line.lstrip(" ")) for line in body.split("\n") if line.strip()), None
    )
    if indentation is None:
        return []
    tail = _after_block(old)
    if not tail:
        return []
    chomp = "" if value.endswith("\n") else "-"
    lines = value.removesuffix("\n").split("\n")
    style = match[1]
    if style == ">" and len(lines) > 1:
        style = "|"  # folded text would join the lines: keep them as lines
    if style == ">" and lines[0].startswith(" "):
        return []
    content = "\n".join(" " * indentation + line if line else "" for line in lines)
    return [f"{style}{chomp}{match[5]}\n{content}{tail}"]


def _after_block(old: str) -> str:
    """What a block scalar's span holds after its last line: the line break, blank lines and
    the next line's indentation (its end mark is at the next token); empty at the file's end."""
    core = old.rstrip(" \n")
    tail = old[len(core) :]
    return tail[tail.index("\n") :] if "\n" in tail else ""


def _flow_item(value: str) -> str:
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_./()' -]*", value) and value == value.strip()
    if plain and value.lower() not in ("true", "false", "null", "~"):
        return value
    return _double(value)


def _has_comment(text: str, start: int, end: int, inner: Sequence[Span]) -> bool:
    """Whether text[start:end], outside the inner spans, holds a comment."""
    cut = text[start:end]
    for span in sorted(inner, key=lambda s: s.start, reverse=True):
        cut = cut[: span.start - start] + cut[span.end - start :]
    return "#" in cut


def _list_texts(
    text: str,
    spans: Mapping[tuple[Any, ...], Span],
    path: tuple[str, ...],
    span: Span,
    value: list[str],
) -> list[str]:
    items = [p for p in spans if len(p) == len(path) + 1 and p[:-1] == path]
    inner = [spans[p] for p in items]
    if any(item.kind != "scalar" for item in inner):
        return []  # a record's span runs on over the comments after it: never rewritten whole
    flow = "[" + ", ".join(_flow_item(item) for item in value) + "]"
    if span.kind != "sequence":
        return [flow] if span.kind == "scalar" and span.style == "" else []
    end = span.end if span.style == "flow" else _block_sequence_end(spans, path, span)
    if _has_comment(text, span.start, end, inner):
        return []
    if span.style == "flow":
        return [flow]
    if not value:
        return []
    line_start = text.rfind("\n", 0, span.start) + 1
    column = span.start - line_start
    prefix = text[line_start : span.start]
    if prefix.strip(" "):
        return []
    separator = "\n" + " " * column
    return [separator.join(f"- {_flow_item(item)}" for item in value)]


def _block_sequence_end(
    spans: Mapping[tuple[Any, ...], Span], path: tuple[str, ...], span: Span
) -> int:
    """Where a block sequence's last item ends (its end mark runs on to the next token)."""
    items = [spans[p] for p in spans if len(p) == len(path) + 1 and p[:-1] == path]
    return max((item.end for item in items), default=span.end)


# --- removing a key ------------------------------------------------------------------------------


def _remove(file: str, text: str, data: Any, path: tuple[str, ...], where: str) -> tuple[str, Any]:
    spans = node_spans(text) or {}
    span = spans.get(path)
    if span is None:
        return text, data
    expected = _set(data, path, None)
    parent = spans[path[:-1]]
    what = f"the removal of {'.'.join(path)}"
    if span.key_start is None or parent.style != "block":
        raise _refuse(file, where, what)
    line_start = text.rfind("\n", 0, span.key_start) + 1
    line_end = text.find("\n", span.end)
    if text[line_start : span.key_start].strip(" ") or "\n" in text[span.key_start : span.end]:
        raise _refuse(file, where, what)  # not alone on its line, or over several lines
    rest = text[span.end : line_end if line_end >= 0 else len(text)]
    if rest.strip():
        raise _refuse(file, where, what)  # a comment would go with it
    end = line_end + 1 if line_end >= 0 else len(text)
    edited = _try(file, text, expected, [(line_start, end, "")])
    if edited is None:
        raise _refuse(file, where, what)
    return edited, expected


# --- adding a key --------------------------------------------------------------------------------


def _add(
    file: str,
    text: str,
    data: Any,
    first_missing: tuple[str, ...],
    values: Mapping[tuple[str, ...], Any],
    where: str,
) -> tuple[str, Any]:
    """Add the key `first_missing[-1]` to its mapping, holding every value under it."""
    spans = node_spans(text) or {}
    expected = data
    for path, value in values.items():
        expected = _set(expected, path, value)
    key = first_missing[-1]
    parent = spans.get(first_missing[:-1])
    what = f"{'.'.join(first_missing)}"
    if parent is None or parent.kind != "mapping":
        raise _refuse(file, where, what)
    rendered = _render(first_missing, values)
    candidates: list[tuple[int, int, str]] = []
    for written in rendered:
        pair = f"{key}: {written}"
        if parent.style == "flow":
            if parent.last_end is None:
                opening = text.index("{", parent.start) + 1
                candidates.append((opening, opening, pair))
            else:
                candidates.append((parent.last_end, parent.last_end, f", {pair}"))
            continue
        if parent.last_end is None or parent.indent is None:
            continue
        end = parent.last_end
        if end > 0 and text[end - 1] == "\n":
            candidates.append((end, end, " " * parent.indent + pair + "\n"))
            continue
        line_end = text.find("\n", end)
        if line_end < 0:
            candidates.append((len(text), len(text), "\n" + " " * parent.indent + pair))
        else:
            at = line_end + 1
            candidates.append((at, at, " " * parent.indent + pair + "\n"))
    edited = _try(file, text, expected, candidates)
    if edited is None:
        raise _refuse(file, where, what)
    return edited, expected


def _render(first_missing: tuple[str, ...], values: Mapping[tuple[str, ...], Any]) -> list[str]:
    """Ways to write the value of the new key: a scalar, a list or a flow mapping."""
    if len(values) == 1 and next(iter(values)) == first_missing:
        value = values[first_missing]
        if isinstance(value, list):
            return ["[" + ", ".join(_flow_item(item) for item in value) + "]"]
        if isinstance(value, str):
            return (
                [value, _single(value), _double(value)]
                if "\n" not in value and not any(c in value for c in _LINE_BREAKS)
                else [_double(value)]
            )
        return [_plain(value)]
    nested: dict[str, Any] = {}
    for path, value in values.items():
        target = nested
        for key in path[len(first_missing) : -1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value

    def flow(mapping: Mapping[str, Any]) -> str:
        parts = []
        for key, value in mapping.items():
            if isinstance(value, dict):
                parts.append(f"{key}: {flow(value)}")
            elif isinstance(value, list):
                parts.append(f"{key}: [{', '.join(_flow_item(item) for item in value)}]")
            elif isinstance(value, str):
                parts.append(f"{key}: {_flow_item(value)}")
            else:
                parts.append(f"{key}: {_plain(value)}")
        return "{" + ", ".join(parts) + "}"

    return [flow(nested)]
