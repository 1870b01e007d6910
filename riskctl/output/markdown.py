"""Markdown helpers shared by every Markdown output: cells that never break a table."""

from __future__ import annotations

from riskctl.textsafe import markdown_inline, visible


def markdown_cell(value: object) -> str:
    """A table cell: literal text (`markdown_inline`), line breaks as `<br>`, never markup."""
    return markdown_inline(value, is_block=False).replace("\n", "<br>")


def markdown_text(value: object) -> str:
    """A paragraph of free text: literal text (`markdown_inline`), line breaks kept."""
    return markdown_inline(value)


def markdown_prose(value: object) -> str:
    """A sentence riskctl wrote, with its own `code` spans, quoting values that stay literal."""
    return markdown_inline(value, keeps_code=True)


def markdown_code(value: object) -> str:
    """The body of a fenced code block: control characters escaped, no line closes the fence."""
    return visible(value, keep_newlines=True).replace("```", "` ` `")


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
#: directive, `<` and `>` could become markup, a backtick starts a Markdown string, `[` and `]`
#: close a bracketed list (`x-axis [...]`). `#` goes first, so the others' codes stay intact.
MERMAID_ESCAPES = (
    ("#", "#35;"),
    ('"', "#quot;"),
    ("%", "#37;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("`", "#96;"),
    ("[", "#91;"),
    ("]", "#93;"),
)


def mermaid_label(value: object) -> str:
    """A quoted Mermaid label: escaped, on one line (a line break would end the statement)."""
    text = visible(" ".join(str(value).split()))
    for character, code in MERMAID_ESCAPES:
        text = text.replace(character, code)
    return f'"{text}"'
