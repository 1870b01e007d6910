"""HTML fragments of report values: register text as literal text, riskctl's own marks as markup.

The HTML reports (templates/*.html.j2) run with jinja2's autoescaping; these functions are the
filters' bodies (`riskctl/report/render.py` registers them and marks their result safe, since
markupsafe lives there). Each returns a fragment in which every character of the value is text:
`&`, `<`, `>`, `"` and `'` become entities (`html.escape`), and controls, bidi overrides and
isolates ("Trojan Source", CVE-2021-42574) are shown escaped as `riskctl.textsafe.visible` shows
them, so a browser neither reorders nor hides any of it.

The only markup added is riskctl's own, out of a fixed set:
- a line break as `<br>` (`cell`, `text`);
- in riskctl's sentences (`prose`), a `code` span (backticks) as `<code>`; its content is escaped
  like the rest;
- a status badge, `<strong class="rk-badge rk-bad">above</strong>`, for the status marks the
  report contexts write as Markdown bold (`**above**`, `**no plan**`, `**expired**`,
  `**lapsed**`, `**none**`, `**breached**`, from `report/context.py`, `review.py`, `launch.py`
  and `quant.py`), and for a table cell that is exactly a KRI band (`red`, `amber`); the text
  stays, so the status never rests on colour alone (WCAG 2.1 SC 1.4.1). A value cannot tell
  riskctl's mark from register text that spells it, so register text that is exactly one of
  these words in `**` gets the same fixed badge (it would be bold in the Markdown too); it can
  never add any other element or attribute.
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
#: A table cell that is exactly one of these (a KRI's band) is shown as a badge of that kind.
BAND_CELLS = {"red": "red", "amber": "amber"}
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


def html_cell(value: object) -> str:
    """A table cell: literal text, line breaks as `<br>`, status marks and bands as badges."""
    text = str(value)
    if text in BAND_CELLS:
        return badge(text, BAND_CELLS[text])
    return _badges(_escaped(text)).replace("\n", "<br>")


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
