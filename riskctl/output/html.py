"""HTML fragments of report values: register text as literal text, riskctl's own marks as markup.

The HTML reports (templates/*.html.j2) run with jinja2's autoescaping; these functions are the
filters' bodies (`riskctl/report/render.py` registers them and marks their result safe, since
markupsafe lives there). Each returns a fragment in which every character of the value is text:
`&`, `<`, `>`, `"` and `'` become entities (`html.escape`), and controls, bidi overrides and
isolates ("Trojan Source", CVE-2021-42574) are shown escaped as `riskctl.textsafe.visible` shows
them, so a browser neither reorders nor hides any of it.

The only markup added is riskctl's own, out of a fixed set:
- a line break as `<br>` (`cell`, `text`);
- in a table cell (`cell`), a date or an id in `<span class="rk-id">`, kept on one line;
- in riskctl's sentences (`prose`), a `code` span (backticks) as `<code>`; its content is escaped
  like the rest;
- a status badge, `<strong class="rk-badge rk-bad">above</strong>`, which keeps its word (so
  the status never rests on colour alone, WCAG 2.1 SC 1.4.1): in riskctl's sentences (`prose`)
  and in the table columns that hold a status riskctl wrote (`STATUS_COLUMNS`: `appetite`,
  `plan`, `verdict`, ...), for the marks the report contexts write in Markdown bold
  (`**above**`, `**no plan**`, `**expired**`, `**lapsed**`, `**none**`, `**breached**`, from
  `report/context.py`, `review.py`, `launch.py` and `quant.py`) and for a KRI band (`red`,
  `amber`) or a requirement's `gap` or `partial` that starts the cell. A column of register
  text (a title, an owner) never gets one: there `**above**` is shown as it is written.
"""

from __future__ import annotations

import html
import re

from riskctl.textsafe import visible

#: The status marks of the report contexts, written in Markdown bold, and their badge's kind.
STATUS_MARKS = {
    "above": "bad",
    "breached": "bad",
    "no plan": "bad",
    "expired": "bad",
    "lapsed": "bad",
    "none": "bad",
}
#: The table columns (a header, or the name of a name-value row) whose cells riskctl writes from
#: a closed vocabulary and may mark with a status: never a column of register text.
STATUS_COLUMNS = frozenset(
    {"appetite", "plan", "when", "monitoring", "response", "verdict", "status"}
)
#: A table cell that is exactly one of these (a KRI's band, a requirement's status) is shown as
#: a badge of that kind.
BAND_CELLS = {"red": "red", "amber": "amber", "gap": "red", "partial": "amber"}
_MARK = re.compile(r"\*\*(" + "|".join(re.escape(word) for word in STATUS_MARKS) + r")\*\*")


def badge(word: str, kind: str) -> str:
    """A status badge: the word as text in a `<strong>` whose classes the stylesheet draws."""
    return f'<strong class="rk-badge rk-{kind}">{html.escape(word)}</strong>'


def _escaped(value: object) -> str:
    """`value` as escaped HTML text, controls and bidi overrides shown, line feeds kept."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return html.escape(visible(text, keep_newlines=True), quote=True)


def _badges(escaped: str) -> str:
    """Escaped text with the status marks (`**above**`) as badges (`*` is never escaped)."""
    return _MARK.sub(lambda match: badge(match[1], STATUS_MARKS[match[1]]), escaped)


def html_text(value: object) -> str:
    """A paragraph of register text: literal, line breaks as `<br>`."""
    return _escaped(value).replace("\n", "<br>\n")


#: A date or an id in running text ("2026-07-14 (operating)", "R-001, R-002"): wrapped in a
#: `<span class="rk-id">`, which the stylesheet keeps on one line, as a browser may break it
#: after a hyphen in a narrow column ("2026-07-" over "14"). Escaping leaves these characters
#: as they are, so the pattern is matched on escaped text.
_ID_IN_TEXT = re.compile(
    r"(?<![\w.-])(?:\d{4}-\d{2}-\d{2}|[A-Z][A-Z0-9]*(?:[.-][A-Z0-9]+)*-\d+)(?![\w-])"
)


def _whole(escaped: str) -> str:
    """Escaped text with its dates and ids in `<span class="rk-id">`."""
    return _ID_IN_TEXT.sub(lambda match: f'<span class="rk-id">{match[0]}</span>', escaped)


def html_cell(value: object, column: object = None) -> str:
    """A table cell: literal text, line breaks as `<br>`, dates and ids kept whole; in a
    `STATUS_COLUMNS` column, its status marks and band as badges."""
    text = str(value)
    if column not in STATUS_COLUMNS:
        return _whole(_escaped(text)).replace("\n", "<br>")
    word, space, rest = text.partition(" (")
    if word in BAND_CELLS and (not space or rest.endswith(")")):
        text = space + rest
        return badge(word, BAND_CELLS[word]) + _whole(_badges(_escaped(text))).replace("\n", "<br>")
    return _whole(_badges(_escaped(text))).replace("\n", "<br>")


def html_prose(value: object) -> str:
    """A sentence riskctl wrote: literal text, its `code` spans as `<code>`, status marks as
    badges. A backtick without its pair stays a backtick."""
    pieces = _escaped(value).split("`")
    if len(pieces) % 2 == 0:  # an odd number of backticks: the last one opens nothing
        pieces[-2:] = [pieces[-2] + "`" + pieces[-1]]
    out = []
    for index, piece in enumerate(pieces):
        out.append(f"<code>{piece}</code>" if index % 2 else _badges(piece))
    return "".join(out)


def html_code(value: object) -> str:
    """The body of a `<pre>` block: literal text, line feeds kept."""
    return _escaped(value)


#: A cell that is one number: digits with an optional sign, thousands commas, decimals and a
#: trailing percent sign ("12", "-1.5", "1,234", "7 %"): right-aligned, so digits line up.
_NUMBER = re.compile(r"[+\-\u2212]?\d[\d,]*(?:\.\d+)?(?: ?%)?")


def cell_class(value: object) -> str:
    """The class of a table cell for its value: `rk-num` for a number (right-aligned), else
    "" (`html_cell` keeps the dates and ids in it whole)."""
    return "rk-num" if _NUMBER.fullmatch(str(value).strip()) else ""
