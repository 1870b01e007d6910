"""Text that cannot be turned against its reader: terminal, CSV and Markdown escaping.

Register text and git metadata (author names, commit subjects) are written by whoever can open
a pull request, and riskctl prints them to terminals, CI logs, spreadsheets and pull-request
comments. This module holds the one definition of what is escaped for each, as pure functions
over `str` (standard library only, so every formatter can use it):

- `visible`: control characters (C0, DEL, C1), line and paragraph separators and bidirectional
  overrides ("Trojan Source", CVE-2021-42574) shown as `\\x1b`, `\\u202e`, so no escape sequence
  reaches a terminal and no text is reordered on screen.
- `display_width`, `pad`, `cut`: columns measured in terminal cells (CJK and most emoji take
  two, combining and zero-width characters none), so a table stays aligned.
- `csv_cell`: OWASP's CSV-injection defence, a `'` before a cell a spreadsheet would run, and
  the terminal's escapes as `visible` shows them.
- `markdown_inline`: register text as literal Markdown text: no link, image, autolink, raw HTML,
  entity, heading, list, table or code fence can come out of it.
"""

from __future__ import annotations

import html
import re
import unicodedata

#: Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the
#: Unicode line and paragraph separators, which some terminals and editors break lines at.
_FORMATTING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


#: Lone surrogates: a file name or git path that is not UTF-8, decoded with `surrogateescape`;
#: they cannot be written as UTF-8, so they are shown escaped (`\\udcff`) like a control.
_SURROGATES = "\ud800-\udfff"
_HOSTILE = re.compile("[\x00-\x1f\x7f-\x9f" + _SURROGATES + "".join(sorted(_FORMATTING)) + "]")
_HOSTILE_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f" + _SURROGATES + "".join(sorted(_FORMATTING)) + "]"
)


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: object, *, keep_newlines: bool = False) -> str:
    """`value` as text with every control character and bidi override shown escaped.

    A newline is escaped too (`\\n`), so one value stays on one line, unless `keep_newlines`
    says newlines are the format's own (a paragraph, a multi-line message).
    """
    text = str(value)
    pattern = _HOSTILE_BUT_NEWLINE if keep_newlines else _HOSTILE
    return pattern.sub(_escape, text)


def is_visible(text: str, *, keep_newlines: bool = False) -> bool:
    """Whether `text` holds nothing `visible` would escape."""
    pattern = _HOSTILE_BUT_NEWLINE if keep_newlines else _HOSTILE
    return pattern.search(text) is None


def char_width(character: str) -> int:
    """Terminal cells a character takes: 2 for wide (CJK, most emoji), 0 for combining marks,
    format characters (zero-width space, joiners, variation selectors), 1 otherwise."""
    if unicodedata.combining(character) or unicodedata.category(character) in ("Mn", "Me", "Cf"):
        return 0
    if character == "\u200b" or "\u1160" <= character <= "\u11ff":  # Hangul jungseong/jongseong
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Terminal cells `text` takes on one line (escape it with `visible` first)."""
    if text.isascii():
        return len(text)
    return sum(char_width(character) for character in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    """`text` padded with spaces to `width` cells: on the right, or on the left if `right`."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def cut(text: str, width: int) -> str:
    """`text` cut to at most `width` cells, ending in `…` when cut."""
    if display_width(text) <= width:
        return text
    kept, used = [], 0
    for character in text:
        cells = char_width(character)
        if used + cells > width - 1:
            break
        kept.append(character)
        used += cells
    return "".join(kept) + "…"


#: A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets
#: (OWASP, "CSV Injection"): `=`, `+`, `-`, `@`, and tab or carriage return before them.
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs: text starting like a formula gets a leading `'`.

    Numbers riskctl computes (int, float) stay numbers; everything else is text. A carriage
    return becomes a line feed: the csv module quotes a field only for the characters of its
    line terminator (`\\n` here), and a bare CR outside quotes would end the row for Excel.
    Other control characters and bidi overrides are shown escaped, as `visible` shows them.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    text = "'" + text if text.startswith(CSV_FORMULA_STARTS) else text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CSV_HOSTILE.sub(_escape, text)


#: What `visible` escapes but a cell's own tab and line feed: CSV goes to terminals (`riskctl
#: score -f csv` with no redirect) as much as to spreadsheets.
_CSV_HOSTILE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(_FORMATTING)) + "]")


# --- Markdown ---------------------------------------------------------------------------------

#: Characters that, anywhere in a line, can open a link or image (`[`, `]`), a code span or fence
#: (`` ` ``), a table cell (`|`) or an escape (`\`): backslash-escaped, which CommonMark and GFM
#: render as the character itself.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`\[\]|])")
_MARKDOWN_PUNCTUATION_BUT_CODE = re.compile(r"([\\\[\]|])")
#: GFM's extended autolinks (GitHub renders bare `https://…`, `www.…` and e-mail addresses as
#: links): an escaped `:`, `.` or `@` splits the text so that no autolinker sees a URL or an
#: address, and renders the same. GitHub finds `@name` mentions (which notify people) in the
#: rendered text, after escapes are gone, so a zero-width space (`&#8203;`) follows an `@`.
_URL_COLON = re.compile(r"(?<=[A-Za-z0-9]):(?=//)")
_WWW_DOT = re.compile(r"(?i)(?<=www)\.")
_AT = re.compile(r"@(?=\S)")
#: What opens a block at the start of a line: an ATX heading, a list item, a quote, a setext
#: underline, a thematic break (`***`, `---`, `___`), a fence (`~~~`), a numbered item (`1.` or
#: `1)`). A line's leading spaces go first (four would open an indented code block; a paragraph
#: shows none of them anyway).
_BLOCK_START = re.compile(r"^( {0,3})([#>+*=~_-]|\d{1,9}(?=[.)]))", re.MULTILINE)
_INDENT = re.compile(r"^ +", re.MULTILINE)


def _escape_block_start(match: re.Match[str]) -> str:
    indent, opener = match.groups()
    if opener.isdigit():  # `1.` as a list item: escape the `.` or `)` after the number
        return f"{indent}{opener}\\"
    return f"{indent}\\{opener}"


#: GitHub links `#12`, `owner/repo#12` and `GH-12` to issues and pull requests, and lists the
#: document (a pull-request comment, a weekly digest) in the issue named: a zero-width space
#: after `#` (or `GH-`) breaks the reference and renders the same, as for `@` mentions. (GitHub
#: also links commit ids, which notify no one.) Not the `&#8203;` an `@` already carries.
_ISSUE_REFERENCE = re.compile(r"((?<!&)#|(?i:\bGH-))(?=\d)")


def markdown_inline(value: object, *, is_block: bool = True, keeps_code: bool = False) -> str:
    """Register text as literal Markdown: what it says is what a reader sees, never markup.

    HTML and entities become text (`&lt;`, `&amp;`), link, code and table punctuation is
    backslash-escaped, autolinks are broken up, control characters are shown as `visible`
    shows them, and line breaks are kept. Where the text starts lines of a document
    (`is_block`, not inside a table cell), what would open a block at a line start is escaped.
    `keeps_code` leaves backticks alone, for riskctl's own sentences with `code` spans in them
    that quote a value (a revision, a tag name) which must still not become markup.
    """
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = visible(text, keep_newlines=True)
    text = html.escape(text, quote=False)
    punctuation = _MARKDOWN_PUNCTUATION_BUT_CODE if keeps_code else _MARKDOWN_PUNCTUATION
    text = punctuation.sub(r"\\\1", text)
    text = _URL_COLON.sub(r"\\:", text)
    text = _WWW_DOT.sub(r"\\.", text)
    text = _AT.sub(r"\\@&#8203;", text)
    text = _ISSUE_REFERENCE.sub(lambda match: f"{match[1]}&#8203;", text)
    if not is_block:
        return text
    return _BLOCK_START.sub(_escape_block_start, _INDENT.sub("", text))


# --- JSON -------------------------------------------------------------------------------------

_JSON_UNSAFE = re.compile("[\x7f-\x9f" + _SURROGATES + "".join(sorted(_FORMATTING)) + "]")


def json_safe(document: str) -> str:
    """A JSON text (from `json.dumps(..., ensure_ascii=False)`) with DEL, C1 controls and bidi
    overrides written as `\\u` escapes: the same JSON value, but nothing a terminal acts on.

    `json.dumps` already escapes C0 controls; outside strings a JSON text is ASCII, so every
    match is inside a string, where a `\\u` escape means the same character.
    """
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", document)
