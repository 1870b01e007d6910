"""Markdown helpers shared by every Markdown output: cells that never break a table."""

from __future__ import annotations

import html


def markdown_cell(value: object) -> str:
    """A table cell: `|` escaped, line breaks as `<br>`, HTML shown as text, never markup."""
    text = html.escape(str(value), quote=False).replace("\\", "\\\\").replace("|", "\\|")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table, every cell escaped."""
    lines = [
        "| " + " | ".join(markdown_cell(cell) for cell in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(markdown_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
