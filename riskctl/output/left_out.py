"""What `--now` left out (`riskctl.asof.LeftOut`), as JSON and as one note for a terminal.

A JSON document carries them as `not_counted` (`left_out` already names the files a `--partial`
read left out: `output/partial.py`).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Sequence
from typing import Any

from riskctl.asof import LeftOut
from riskctl.output.markdown import markdown_cell
from riskctl.textsafe import json_safe, visible

#: How many records the note names before it counts the rest.
NAMED = 5


def left_out_documents(left_out: Sequence[LeftOut]) -> list[dict[str, Any]]:
    """`[{"file": ..., "entity": ..., "what": ..., "date": "YYYY-MM-DD"}, ...]`."""
    return [
        {"file": each.file, "entity": each.entity, "what": each.what, "date": each.date.isoformat()}
        for each in left_out
    ]


def left_out_note(left_out: Sequence[LeftOut], today: datetime.date) -> str:
    """`N records dated after DAY not counted: C-066 operating test (2026-11-24), ...`, or ""."""
    if not left_out:
        return ""
    # `what` holds register text too: an action's id, the KRI a monitoring window watches
    named = [f"{visible(f'{each.entity} {each.what}')} ({each.date})" for each in left_out[:NAMED]]
    more = f" and {len(left_out) - NAMED} more" if len(left_out) > NAMED else ""
    count = len(left_out)
    return (
        f"{count} record{'s' if count != 1 else ''} dated after {today} not counted "
        f"(as of --now): {', '.join(named)}{more}"
    )


def with_not_counted(text: str, left_out: Sequence[LeftOut]) -> str:
    """A JSON document (an object) with its `not_counted` list; as is when nothing was left
    out or the document is not an object."""
    if not left_out:
        return text
    document = json.loads(text)
    if not isinstance(document, dict):
        return text
    document["not_counted"] = left_out_documents(left_out)
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def not_counted_notice(
    left_out: Sequence[LeftOut], today: datetime.date, quote: Callable[[str], str] = str
) -> tuple[str, str]:
    """The title and sentence that open a report which leaves records out (`As of DAY:`, `N
    records dated after it are not counted: ...`), each record written by `quote` (the
    format's escaping); the Markdown report's quote and the HTML report's notice."""
    named = ", ".join(quote(f"{each.entity} {each.what} ({each.date})") for each in left_out)
    count = len(left_out)
    return (
        f"As of {today}:",
        f"{count} record{'s' if count != 1 else ''} dated after it "
        f"{'are' if count != 1 else 'is'} not counted: {named}.",
    )


def left_out_markdown(left_out: Sequence[LeftOut], today: datetime.date) -> str:
    """`> **As of DAY:** N records dated after it are not counted: ...` and a blank line, for
    the top of a Markdown report; "" when none were left out."""
    if not left_out:
        return ""
    title, text = not_counted_notice(left_out, today, markdown_cell)
    return f"> **{title}** {text}\n\n"
