"""Say in every output that a register was read without some of its files (`--partial`).

A command refuses a register whose files did not all load, unless `--partial` is given; then
its output must not look complete. Text and Markdown outputs start with a note naming the files
left out; a JSON document gets a top-level `left_out` list (`[{"file", "problem"}]`); CSV has
no place for a note, so it goes to stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Literal

from riskctl.output.markdown import markdown_cell
from riskctl.textsafe import json_safe, visible

OutputKind = Literal["text", "json", "markdown", "csv"]


def left_out_text(failed: Mapping[str, str], label: str) -> str:
    """One line: `partial: N file(s) did not load and are left out: a (why), b (why)`."""
    parts = [f"{label}/{path} ({problem})" for path, problem in sorted(failed.items())]
    return visible(
        f"partial: {len(parts)} file(s) did not load and are left out of everything below: "
        + "; ".join(parts)
    )


def partial_notice(
    failed: Mapping[str, str],
    label: str,
    quote: Callable[[str], str] = str,
    code: Callable[[str], str] = str,
) -> tuple[str, str]:
    """The title and sentence that open a report read without some files (`Partial register:`,
    `N file(s) did not load ...`), each file named by `quote` (the format's escaping) and the
    command by `code`; the Markdown report's quote and the HTML report's notice."""
    names = ", ".join(quote(f"{label}/{path}") for path in sorted(failed))
    return (
        "Partial register:",
        f"{len(failed)} file(s) did not load and are left out of every number below: {names}. "
        f"{code('riskctl lint')} shows why.",
    )


def mark_partial(
    text: str, kind: OutputKind, failed: Mapping[str, str], label: str
) -> tuple[str, str | None]:
    """The output with its partial-read note, and a note for stderr (CSV), if any."""
    if not failed:
        return text, None
    if kind == "json":
        document = json.loads(text)
        if isinstance(document, dict):
            document["left_out"] = [
                {"file": f"{label}/{path}", "problem": problem}
                for path, problem in sorted(failed.items())
            ]
            return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n", None
        return text, left_out_text(failed, label) + "\n"
    if kind == "markdown":
        title, note = partial_notice(failed, label, markdown_cell, lambda code: f"`{code}`")
        return f"> **{title}** {note}\n\n" + text, None
    if kind == "csv":
        return text, left_out_text(failed, label) + "\n"
    return left_out_text(failed, label) + "\n\n" + text, None
