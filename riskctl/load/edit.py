"""Round-trip edits through ruamel.yaml: add keys and keep every other byte of the file.

ruamel.yaml is imported here only (and only when an edit is made): comments, quoting and block
scalars survive, and every edit is checked to have changed nothing else.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from riskctl.errors import RiskctlError
from riskctl.findings import DataPath
from riskctl.load.parse import parse


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


# --- fmt: the canonical layout (riskctl/fmt.py) ------------------------------------------------

#: The canonical indentation, the shipped register's: a mapping's keys 2 in from their parent's,
#: a sequence's dash 2 in from its key and its items' keys 2 in from the dash.
EDIT_INDENT = {"mapping": 2, "sequence": 4, "offset": 2}


def canonical_layout(file: str, text: str) -> str:
    """`text` as ruamel.yaml's round trip writes it with the canonical indentation: comments,
    quotes, block and flow styles kept, never a line re-wrapped. Keys are not reordered here
    (`fmt` moves them in the text first).

    ruamel.yaml is third-party code fed the user's text: any failure of it is a `RiskctlError`
    naming the file, never a traceback.
    """
    import io

    from ruamel.yaml import YAML

    editor = YAML(typ="rt")
    editor.preserve_quotes = True
    editor.width = 1 << 16  # never re-wrap a long plain scalar or flow sequence
    editor.indent(**EDIT_INDENT)
    editor.explicit_start = text.startswith("---")
    stream = io.StringIO()
    try:
        editor.dump(editor.load(text), stream)
        formatted = stream.getvalue()
        lost = sorted(set(_anchors(editor, text)) - set(_anchors(editor, formatted)))
    except Exception as error:  # any failure of ruamel.yaml on user data, not only YAMLError
        first = (str(error).splitlines() or [type(error).__name__])[0]
        raise RiskctlError(f"{file}: cannot format it: {first}") from None
    if lost:
        names = ", ".join(f"&{name}" for name in lost)
        raise RiskctlError(
            f"{file}: formatting would drop the anchor {names}, which no alias uses; "
            "remove it by hand (it names nothing)"
        )
    return formatted


def _anchors(editor: Any, text: str) -> list[str]:
    """The anchors a text defines (ruamel.yaml drops a collection's anchor no alias uses)."""
    return [
        event.anchor for event in editor.parse(text) if getattr(event, "anchor", None) is not None
    ]
