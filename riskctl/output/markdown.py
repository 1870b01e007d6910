"""Markdown helpers shared by every Markdown output: cells that never break a table."""

from __future__ import annotations

import html


def markdown_cell(value: object) -> str:
    """A table cell: `|` escaped, line breaks as `<br>`, HTML shown as text, never markup."""
    text = html.escape(str(value), quote=False).replace("\\", "\\\\").replace("|", "\\|")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def markdown_text(value: object) -> str:
    """A paragraph of free text: HTML shown as text, never markup; line breaks kept."""
    return html.escape(str(value), quote=False)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table, every cell escaped."""
    lines = [
        "| " + " | ".join(markdown_cell(cell) for cell in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(markdown_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


#: Characters a Mermaid label cannot hold as they are, as Mermaid entity codes (`#name;`), which
#: Mermaid turns back into the character after parsing (its `encodeEntities`/`decodeEntities`):
#: `"` would end the quoted label, `#` would start an entity, `%` could start a `%%{...}%%`
#: directive, `<` and `>` could become markup. `#` goes first, so the others' codes stay intact.
MERMAID_ESCAPES = (("#", "#35;"), ('"', "#quot;"), ("%", "#37;"), ("<", "#lt;"), (">", "#gt;"))


def mermaid_label(value: object) -> str:
    """A quoted Mermaid label: escaped, on one line (a line break would end the statement)."""
    text = " ".join(str(value).split())
    for character, code in MERMAID_ESCAPES:
        text = text.replace(character, code)
    return f'"{text}"'
