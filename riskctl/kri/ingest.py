"""`riskctl kri ingest`: observations from a CSV export into the KRI files, all or nothing.

Three steps, each complete before the next starts:

1. `read_csv` turns the export into rows. Every row is checked (its line and why it is refused)
   before anything else happens; one bad row refuses the whole file.
2. `plan_ingest` computes each KRI file's new text from the bytes the register was read from:
   the new items are inserted as text (only the lines they need; every other byte and comment
   stays), in the style of the items already there, and in date order when the list is sorted.
   Each new text is then read back with riskctl's loader and must validate as the KRI with
   exactly the old observations plus the new ones, everything else unchanged.
3. `apply_plan` writes all files at once through `writes.apply_changes` (all or nothing, under
   the register lock, refusing a file that changed since it was read).

The CSV (decisions, also in the README):

- Columns `date,value` (then `--kri ID` says which KRI) or `date,kri,value` (several KRIs; with
  `--kri ID` only that KRI's rows are ingested, the others are checked and skipped). A header
  row is optional: a first row whose cells are the names date, kri, value (any case, any order)
  is the header, and its order is the columns' order.
- The delimiter is read off the first non-empty line: a tab if it has one, else `;` if it has
  one, else `,`. Tabs and semicolons never occur in a date, a KRI id or a number, so this never
  guesses; a decimal comma (`41,2`) is refused, like a thousands separator, with a message.
- UTF-8 (a BOM is dropped) or UTF-16 with its mark (Excel's "Unicode Text"), LF or CRLF line
  ends, quoted cells, blank lines skipped, empty cells after the last column ignored
  (spreadsheets export them).
- Dates are YYYY-MM-DD; a spreadsheet's midnight datetime (`2026-11-30T00:00:00`,
  `2026-11-30 00:00`) is that date. `11/30/2026`, `30.11.2026` and other orders are refused:
  no single row can prove whether 03/04 is March or April.
- Values are finite decimal numbers in ASCII digits (`-1.5`, `.5`, `41.20`, `1.5E-05`) within
  the register's bound of 10^15, written into the YAML as the CSV spells them (`41.20` stays
  `41.20`; riskctl reads it back as the same number), but for a leading `+` and leading
  zeros. NaN, infinity, `1_000`, thousands separators, decimal commas, percent signs and
  non-ASCII digits are refused.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import io
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskctl.errors import RiskctlError
from riskctl.fileio import utf16_as_utf8
from riskctl.findings import Hit
from riskctl.kri.status import Band, band, kri_status
from riskctl.kri.values import NUMBER, value_problem
from riskctl.load import Loaded, compose, load_file
from riskctl.load.parse import MAP, SEQ, quote
from riskctl.model.common import ID_REGEXES
from riskctl.model.kri import Kri
from riskctl.writes import FileChange, apply_changes

#: How many bad rows an error lists before it counts the rest.
SHOWN_PROBLEMS = 20

COLUMNS = ("date", "kri", "value")

_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")
_DATE_WITH_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*")
_OTHER_DATE = re.compile(r"[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}")
_DASH_PREFIX = re.compile(r" *- +")


@dataclass(frozen=True)
class Row:
    """One observation of the CSV: where it is, its KRI, date and value (as spelt and parsed)."""

    line: int
    kri: str
    date: datetime.date
    text: str
    """The value as the CSV spells it (trimmed): what is written into the YAML."""
    value: float


@dataclass(frozen=True)
class CsvRows:
    """The rows to ingest, and how many rows of other KRIs `--kri` left out."""

    rows: tuple[Row, ...]
    skipped: int = 0
    kri_column: bool = True
    """Whether the file names each row's KRI (else `--kri` named it)."""


@dataclass(frozen=True)
class Change:
    """One observation added to, or replaced in, a KRI."""

    kri: str
    date: datetime.date
    text: str
    line: int
    """The CSV line it came from."""
    old: str | None = None
    """The value it replaces, as the KRI file spells it; None for an added observation."""

    @property
    def is_added(self) -> bool:
        """Whether this adds an observation (not replaces one)."""
        return self.old is None


@dataclass(frozen=True)
class KriEdit:
    """One KRI file's change and the observations behind it."""

    kri: Kri
    label: str
    """The file as messages name it (`register/kris/KRI-001.yaml`)."""
    change: FileChange
    changes: tuple[Change, ...]
    was_unsorted: bool
    """The file's observations were not in date order: the new ones were appended at the end."""
    after: Kri
    """The KRI as its new text reads."""

    def new_points(self) -> dict[datetime.date, tuple[Band, tuple[str, ...]]]:
        """Each change's threshold band and the XmR signals (rule names) its point is part of,
        with the KRI's limits and signals as of its latest observation after the change."""
        latest = max(observation.date for observation in self.after.observations)
        status = kri_status(self.after, latest)
        rules: dict[datetime.date, set[str]] = {}  # one pass: 20,000 rows must not take minutes
        for signal in status.xmr.signals:
            for date in signal.dates:
                rules.setdefault(date, set()).add(signal.rule)
        return {
            change.date: (
                band(_number(change.text), self.after.thresholds, self.after.direction),
                tuple(sorted(rules.get(change.date, ()))),
            )
            for change in self.changes
        }


@dataclass(frozen=True)
class IngestPlan:
    """Everything an ingest changes, computed and checked, not yet written."""

    edits: tuple[KriEdit, ...]
    skipped: int

    @property
    def added(self) -> int:
        """How many observations are added."""
        return sum(change.is_added for edit in self.edits for change in edit.changes)

    @property
    def replaced(self) -> int:
        """How many observations get a new value (a replacement by the same value not counted)."""
        return sum(
            not change.is_added and _number(change.old or "") != _number(change.text)
            for edit in self.edits
            for change in edit.changes
        )


# --- the CSV ----------------------------------------------------------------------------------


def read_csv(data: bytes, source: str, kri: str | None) -> CsvRows:
    """The observations of a CSV export; `RiskctlError` naming every bad row (`source:line`).

    `kri` is `--kri`: the KRI of a `date,value` file, or the only KRI taken from a
    `date,kri,value` file.
    """
    text = _decode(data, source)
    rows = _csv_rows(text, source)
    if not rows:
        raise RiskctlError(f"{source}: no rows; expected `date,value` or `date,kri,value` rows")
    first_line, first = rows[0]
    if len(first) > 3:  # empty cells after the last column, or too many columns
        first = _trimmed(first, 2)
        if len(first) == 2 and first[1].strip() and not NUMBER.fullmatch(first[1].strip()):
            first.append("")  # date,kri and an empty value: the row reports it
    columns = _header(_trimmed(first))
    if columns is not None:
        rows = rows[1:]
    elif len(first) in (2, 3):
        columns = COLUMNS if len(first) == 3 else ("date", "value")
        if any(character.isalpha() for character in first[0]) and not _looks_like_a_date(first[0]):
            raise RiskctlError(
                f"{source}:{first_line}: expected a header row (the names date, value and "
                f"optionally kri, in any order) or a data row starting with a date; found "
                f"{quote(','.join(first))}"
            )
    else:
        raise RiskctlError(
            f"{source}:{first_line}: expected 2 columns (date,value) or 3 (date,kri,value), "
            f"found {len(first)}"
        )
    if "kri" not in columns and kri is None:
        raise RiskctlError(
            f"{source} has no kri column: name the KRI with --kri ID (or add a kri column)"
        )
    problems: list[str] = []
    taken: list[Row] = []
    skipped = 0
    first_seen: dict[tuple[str, datetime.date], int] = {}
    for line, cells in rows:
        row, problem = _row(cells, columns, line, kri)
        if problem is not None:
            problems.append(f"{source}:{line}: {problem}")
            continue
        assert row is not None
        if kri is not None and row.kri != kri:
            skipped += 1
            continue
        earlier = first_seen.setdefault((row.kri, row.date), line)
        if earlier != line:
            problems.append(
                f"{source}:{line}: {row.kri} {row.date} again (first on line {earlier}); "
                "one value per KRI and date"
            )
            continue
        taken.append(row)
    if problems:
        raise RiskctlError(_problems_message(source, problems, "bad row"))
    if not taken:
        which = f" for {kri}" if kri is not None and "kri" in columns else ""
        raise RiskctlError(f"{source}: no observations{which}; nothing written")
    return CsvRows(tuple(taken), skipped, "kri" in columns)


def _decode(data: bytes, source: str) -> str:
    """The CSV's text: UTF-8 or UTF-16 with its mark, a BOM dropped; anything else refused
    naming the line."""
    data = utf16_as_utf8(data, source).removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise RiskctlError(f"{source}:{line}: a NUL byte: not a CSV text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RiskctlError(
            f"{source}:{line}: not UTF-8 (byte 0x{data[error.start]:02x}); export the CSV as UTF-8"
        ) from None


def _delimiter(line: str) -> str:
    """Tab, `;` or `,`, read off the first non-empty line (see the module docstring)."""
    if "\t" in line:
        return "\t"
    return ";" if ";" in line else ","


def _csv_rows(text: str, source: str) -> list[tuple[int, list[str]]]:
    """The rows that are not blank, each with its first line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first), strict=True)
    rows: list[tuple[int, list[str]]] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return rows
        except csv.Error as error:
            raise RiskctlError(f"{source}:{reader.line_num or line}: not CSV: {error}") from None
        if any(cell.strip() for cell in cells):
            rows.append((line, cells))


def _trimmed(cells: Sequence[str], keep: int = 0) -> list[str]:
    """`cells` without the empty cells at its end (spreadsheets export them), keeping `keep`."""
    trimmed = list(cells)
    while len(trimmed) > keep and not trimmed[-1].strip():
        trimmed.pop()
    return trimmed


def _header(cells: Sequence[str]) -> tuple[str, ...] | None:
    """The column names when `cells` is a header row, else None."""
    names = tuple(cell.strip().lower() for cell in cells)
    if sorted(names) in (["date", "value"], ["date", "kri", "value"]):
        return names
    return None


def _row(
    cells: Sequence[str], columns: Sequence[str], line: int, kri: str | None
) -> tuple[Row | None, str | None]:
    """One data row, or why it is refused."""
    if len(cells) > len(columns):
        cells = _trimmed(cells, len(columns))
    if len(cells) != len(columns):
        return None, (
            f"expected {len(columns)} columns ({','.join(columns)}), found {len(cells)}: "
            f"{quote(','.join(cells))}"
        )
    by_name = {name: cell.strip() for name, cell in zip(columns, cells, strict=True)}
    kri_id = by_name.get("kri", kri or "")
    if "kri" in by_name and not ID_REGEXES["kri"].match(kri_id):
        if not kri_id:
            return None, "empty kri cell"
        return None, f"kri {quote(kri_id)} is not a KRI id: expected KRI- and 3 or more digits"
    date_problem = _date_problem(by_name["date"])
    if date_problem is not None:
        return None, date_problem
    date = _date(by_name["date"])
    text = by_name["value"]
    problem = value_problem(text)
    if problem is not None:
        return None, problem
    return Row(line, kri_id, date, _spelling(text), float(text)), None


def _spelling(text: str) -> str:
    """The value as written into the YAML: as the CSV spells it, but for a leading `+` and
    leading zeros (`010` is octal 8 to YAML 1.1 tools; riskctl reads YAML 1.2, where it is 10)."""
    sign = "-" if text.startswith("-") else ""
    unsigned = text.lstrip("+-")
    digits = unsigned.lstrip("0")
    if not digits[:1].isdigit() and unsigned[:1] == "0":
        digits = "0" + digits  # `0.5`, `0`, `0e0` keep their one zero
    return sign + digits


def _date(text: str) -> datetime.date:
    match = _DATE.fullmatch(text)
    assert match is not None
    return datetime.date.fromisoformat(match.group(1))


def _looks_like_a_date(text: str) -> bool:
    return bool(_OTHER_DATE.fullmatch(text) or _DATE_WITH_TIME.fullmatch(text))


def _date_problem(text: str) -> str | None:
    """Why `text` is not a date riskctl takes, or None."""
    if not text:
        return "empty date"
    match = _DATE.fullmatch(text)
    if match is not None:
        try:
            datetime.date.fromisoformat(match.group(1))
            return None
        except ValueError:
            return f"date {quote(text)} does not exist"
    if _DATE_WITH_TIME.fullmatch(text):
        return f"date {quote(text)} has a time of day; give the date only, as YYYY-MM-DD"
    if _OTHER_DATE.fullmatch(text):
        return (
            f"date {quote(text)} is ambiguous or not ISO: write it as YYYY-MM-DD (export dates "
            "in ISO format)"
        )
    return f"date {quote(text)} is not a date: use YYYY-MM-DD"


def _number(text: str) -> float:
    """A value's text as riskctl reads it (a YAML int or float); NaN for anything else."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def _problems_message(source: str, problems: Sequence[str], what: str) -> str:
    if len(problems) == 1:
        return f"{problems[0]}; nothing written"
    shown = problems[:SHOWN_PROBLEMS]
    more = len(problems) - len(shown)
    tail = [f"... and {more} more"] if more else []
    return f"{source}: {len(problems)} {what}s; nothing written:\n  " + "\n  ".join([*shown, *tail])


# --- the KRI files ----------------------------------------------------------------------------


def plan_ingest(
    loaded: Loaded, folder: Path, csv_rows: CsvRows, source: str, *, replace: bool
) -> IngestPlan:
    """Each KRI file's new text, checked; `RiskctlError` (nothing to write) on any problem.

    `loaded` is the register read from `folder` (its bytes are what the edits start from);
    `source` names the CSV in messages.
    """
    label = loaded.sources.label
    by_kri: dict[str, list[Row]] = {}
    for row in csv_rows.rows:
        by_kri.setdefault(row.kri, []).append(row)
    kris = loaded.register.of_kind("kri")
    problems: list[str] = []
    files_of: dict[str, list[str]] = {}  # every file of each KRI id, duplicates included
    for record in loaded.register.records:
        if record.kind == "kri":
            files_of.setdefault(record.entity.id, []).append(record.file)
    hits_of: dict[str, list[Hit]] = {}
    for hit in loaded.hits:
        hits_of.setdefault(hit.where.file, []).append(hit)
    for kri_id in sorted(by_kri):
        problem = _kri_problem(loaded, kri_id, label, files_of.get(kri_id, []), hits_of)
        if problem is not None:
            where = f"{source}:{by_kri[kri_id][0].line}" if csv_rows.kri_column else "--kri"
            problems.append(f"{where}: {problem}")
    if problems:
        raise RiskctlError(_problems_message(source, problems, "problem"))
    edits: list[KriEdit] = []
    for kri_id in sorted(by_kri):
        record = kris[kri_id]
        assert isinstance(record.entity, Kri)
        file_label = f"{label}/{record.file}"
        before = loaded.sources.files[record.file]
        edit, row_problems = _edit_kri(
            record.entity,
            file_label,
            before,
            loaded.raw[record.file],
            by_kri[kri_id],
            source,
            replace=replace,
        )
        problems += row_problems
        if edit is not None:
            edits.append(
                KriEdit(
                    record.entity,
                    file_label,
                    FileChange(folder / record.file, before, edit[0]),
                    edit[1],
                    edit[2],
                    edit[3],
                )
            )
    if problems:
        raise RiskctlError(_problems_message(source, sorted(problems, key=_line_key), "problem"))
    return IngestPlan(tuple(edits), csv_rows.skipped)


def apply_plan(folder: Path, plan: IngestPlan) -> list[Path]:
    """Write every file of `plan` at once (all or nothing); the paths that changed."""
    return apply_changes(folder, [edit.change for edit in plan.edits])


def _line_key(problem: str) -> tuple[int, str]:
    match = re.search(r":([0-9]+): ", problem)
    return (int(match.group(1)) if match else 0, problem)


def _kri_problem(
    loaded: Loaded, kri_id: str, label: str, files: list[str], hits_of: Mapping[str, list[Hit]]
) -> str | None:
    """Why observations cannot go into `kri_id` (unknown, two files, or its file does not load
    cleanly), or None. `files` are the KRI's files; `hits_of` the load problems by file."""
    record = loaded.register.record("kri", kri_id)
    file = f"kris/{kri_id}.yaml"
    if record is None:
        if file in loaded.failed or file in loaded.sources.files:
            return (
                f"{label}/{file} does not load ({loaded.failed.get(file, 'not a valid KRI')}); "
                f"fix it first (`riskctl lint {label}` shows why)"
            )
        known = sorted(loaded.register.of_kind("kri"))
        return f"no KRI {quote(kri_id)} in {label}{_did_you_mean(kri_id, known)}"
    if len(files) > 1:
        return f"{kri_id} is the id of {len(files)} files ({', '.join(files)}); keep one first"
    hits = hits_of.get(record.file, [])
    if hits:
        return (
            f"{label}/{record.file} has {len(hits)} load problem{'s' if len(hits) != 1 else ''} "
            f"(first: {hits[0].message}); fix it first (`riskctl lint {label}` shows where)"
        )
    return None


def _did_you_mean(kri_id: str, known: Sequence[str]) -> str:
    by_upper = {each.upper(): each for each in known}
    if kri_id.upper() in by_upper:
        return f"; did you mean {by_upper[kri_id.upper()]}?"
    close = difflib.get_close_matches(kri_id, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]}?"
    return f" (its KRIs: {', '.join(known)})" if known else " (it has no KRIs)"


@dataclass(frozen=True)
class _Item:
    """One observation item of the file: its node's spans and date."""

    date: datetime.date
    start: int
    """Where the item starts (its `{`, or its first key)."""
    end: int
    """Where its text ends (after `}`, or after its last scalar)."""
    value_span: tuple[int, int]
    """The value's text, inside any quotes."""
    node: Any


def _edit_kri(
    kri: Kri,
    file_label: str,
    before: bytes,
    old_data: Any,
    rows: Sequence[Row],
    source: str,
    *,
    replace: bool,
) -> tuple[tuple[bytes, tuple[Change, ...], bool, Kri] | None, list[str]]:
    """The KRI file's new bytes with the rows in it, and its changes; or the rows' problems."""
    bom = b"\xef\xbb\xbf" if before.startswith(b"\xef\xbb\xbf") else b""
    text = before[len(bom) :].decode("utf-8")
    root: Any = compose(text)
    if root is None or root.tag != MAP or root.flow_style or root.start_mark.column != 0:
        raise RiskctlError(
            f"{file_label}: not a block mapping at column 1; add the observations by hand"
        )
    _, sequence = next(
        ((key, value) for key, value in root.value if key.value == "observations"), (None, None)
    )
    items = _items(text, sequence, kri) if sequence is not None else []
    on_date: dict[datetime.date, list[_Item]] = {}
    for item in items:
        on_date.setdefault(item.date, []).append(item)
    problems: list[str] = []
    added: list[Row] = []
    replacements: list[tuple[_Item, Row]] = []
    for row in rows:
        present = on_date.get(row.date, [])
        old = [text[item.value_span[0] : item.value_span[1]] for item in present]
        if len(present) > 1:
            problems.append(
                f"{source}:{row.line}: {kri.id} already has {len(present)} observations on "
                f"{row.date} ({', '.join(old)}) in {file_label}; keep one (RK505) first"
            )
        elif present and not replace:
            same = " (the same value)" if _number(old[0]) == row.value else ""
            problems.append(
                f"{source}:{row.line}: {kri.id} already has {old[0]}{same} on {row.date} in "
                f"{file_label}; pass --replace to replace it"
            )
        elif present:
            replacements.append((present[0], row))
        else:
            added.append(row)
    if problems:
        return None, problems
    dates = [item.date for item in items]
    is_sorted = all(a <= b for a, b in itertools.pairwise(dates))
    newline = "\r\n" if "\r\n" in text else "\n"
    edits: list[tuple[int, int, str]] = []  # (start, end, new text), non-overlapping
    changes: list[Change] = []
    for item, row in replacements:
        spelt = text[item.value_span[0] : item.value_span[1]]
        changes.append(Change(kri.id, row.date, row.text, row.line, spelt))
        if _number(spelt) != row.value:
            edits.append((*item.value_span, row.text))
    added.sort(key=lambda row: row.date)
    changes += [Change(kri.id, row.date, row.text, row.line) for row in added]
    if added:
        if sequence is None or (sequence.tag == SEQ and not items and sequence.flow_style):
            edits.append(_new_block_list(text, sequence, added, newline))
        elif sequence.tag != SEQ:
            raise RiskctlError(
                f"{file_label}: observations is not a list; fix it first (riskctl lint)"
            )
        else:
            edits += _insertions(text, sequence, items, added, newline, is_sorted, file_label)
    edited = text
    for start, end, new in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
        edited = edited[:start] + new + edited[end:]
    after = bom + edited.encode("utf-8")
    expected = _expected_observations(kri, items, replacements, added, is_sorted)
    edited_kri = _check(file_label, old_data, after, kri, expected)
    changes.sort(key=lambda change: change.date)
    return (after, tuple(changes), bool(added) and not is_sorted, edited_kri), []


def _items(text: str, sequence: Any, kri: Kri) -> list[_Item]:
    """The observation items of the `observations` node of a file that validated as `kri`."""
    items = []
    nodes = sequence.value if sequence.tag == SEQ else []
    for node, observation in zip(nodes, kri.observations, strict=True):
        fields = {key.value: value for key, value in node.value}
        value_node = fields["value"]
        quoted = 1 if value_node.style in ("'", '"') else 0
        value_span = (value_node.start_mark.index + quoted, value_node.end_mark.index - quoted)
        if node.flow_style:
            end = node.end_mark.index
        else:
            end = max(value.end_mark.index for _, value in node.value)
        items.append(_Item(observation.date, node.start_mark.index, end, value_span, node))
    return items


def _item_text(text: str, template: _Item | None, row: Row) -> str:
    """A new item (without its dash) in the style of `template`, or as the shipped register
    writes them (`{date: 2026-11-30, value: 41.2}`)."""
    if template is not None:
        spelt = text[template.start : template.end]
        fields = {key.value: value for key, value in template.node.value}
        if "#" not in spelt and set(fields) == {"date", "value"}:
            spans = []
            for name, new in (("date", row.date.isoformat()), ("value", row.text)):
                node = fields[name]
                quoted = 1 if node.style in ("'", '"') else 0
                spans.append((node.start_mark.index + quoted, node.end_mark.index - quoted, new))
            for start, end, new in sorted(spans, reverse=True):
                spelt = spelt[: start - template.start] + new + spelt[end - template.start :]
            return spelt
        if not template.node.flow_style:
            column = template.node.start_mark.column
            newline = "\r\n" if "\r\n" in spelt else "\n"
            return f"date: {row.date.isoformat()}{newline}{' ' * column}value: {row.text}"
    return f"{{date: {row.date.isoformat()}, value: {row.text}}}"


def _insertions(
    text: str,
    sequence: Any,
    items: Sequence[_Item],
    added: Sequence[Row],
    newline: str,
    is_sorted: bool,
    file_label: str,
) -> list[tuple[int, int, str]]:
    """Text insertions that put each added row in its place (or at the end when unsorted)."""
    positions: dict[int, list[Row]] = {}
    for row in added:
        index = len(items) if not is_sorted else _bisect(items, row.date)
        positions.setdefault(index, []).append(row)
    edits = []
    for index, rows in positions.items():
        template = items[index - 1] if index > 0 else items[0]
        if sequence.flow_style:
            texts = [_item_text(text, template, row) for row in rows]
            if index < len(items):
                edits.append((items[index].start, items[index].start, ", ".join([*texts, ""])))
            else:
                edits.append((items[-1].end, items[-1].end, ", ".join(["", *texts])))
            continue
        line_start = text.rfind("\n", 0, template.start) + 1
        prefix = text[line_start : template.start]
        if not _DASH_PREFIX.fullmatch(prefix):
            raise RiskctlError(
                f"{file_label}: cannot add observations without rewriting other lines (an "
                "item does not start its own line); add them by hand"
            )
        lines = [prefix + _item_text(text, template, row) for row in rows]
        if index == 0:
            where = text.rfind("\n", 0, items[0].start) + 1
            edits.append((where, where, "".join(line + newline for line in lines)))
            continue
        end_of_line = text.find("\n", items[index - 1].end)
        if end_of_line < 0:  # the last line, without a final newline: keep it so
            edits.append((len(text), len(text), "".join(newline + line for line in lines)))
        else:
            where = end_of_line + 1
            edits.append((where, where, "".join(line + newline for line in lines)))
    return edits


def _bisect(items: Sequence[_Item], date: datetime.date) -> int:
    """The index after the last item dated before `date`."""
    index = 0
    for position, item in enumerate(items):
        if item.date < date:
            index = position + 1
    return index


def _new_block_list(
    text: str, sequence: Any, added: Sequence[Row], newline: str
) -> tuple[int, int, str]:
    """The edit that writes `observations:` with the rows as a block list: in place of an empty
    `[]`, or as a new key at the end of the file."""
    items = "".join(newline + "  - " + _item_text(text, None, row) for row in added)
    if sequence is not None:  # `observations: []`: the list replaces `[]`, a comment stays
        start, end = sequence.start_mark.index, sequence.end_mark.index
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        rest = text[end:line_end].removesuffix("\r")
        while start > 0 and text[start - 1] == " ":
            start -= 1
        if start > 0 and text[start - 1] == "\n":  # `[]` on a line of its own: drop the line
            start -= 2 if text[start - 2 : start] == "\r\n" else 1
        return start, end + len(rest), rest + items
    if text and not text.endswith("\n"):
        return len(text), len(text), newline + "observations:" + items
    return len(text), len(text), "observations:" + items + newline


def _expected_observations(
    kri: Kri,
    items: Sequence[_Item],
    replacements: Sequence[tuple[_Item, Row]],
    added: Sequence[Row],
    is_sorted: bool,
) -> list[tuple[datetime.date, float]]:
    """What the file's observations must read as after the edit, in file order."""
    by_start = {item.start: row.value for item, row in replacements}
    observations = [
        (observation.date, by_start.get(item.start, observation.value))
        for observation, item in zip(kri.observations, items, strict=True)
    ]
    new = [(row.date, row.value) for row in added]
    if is_sorted:
        return sorted([*observations, *new], key=lambda pair: pair[0])
    return [*observations, *new]


def _check(
    file_label: str,
    old: Any,
    after: bytes,
    kri: Kri,
    expected: Sequence[tuple[datetime.date, float]],
) -> Kri:
    """The edited KRI; refuse an edit that does not read back as the KRI with exactly
    `expected` observations and every other value unchanged."""
    loaded = load_file(file_label, after, Kri)
    entity = loaded.entity
    new = loaded.data
    ok = (
        isinstance(entity, Kri)
        and not loaded.hits
        and [(each.date, each.value) for each in entity.observations] == list(expected)
        and isinstance(new, dict)
        and isinstance(old, dict)
        and _without_observations(old) == _without_observations(new)
        and entity.model_copy(update={"observations": kri.observations}) == kri
    )
    if not ok or not isinstance(entity, Kri):
        raise RiskctlError(
            f"{file_label}: cannot add the observations without rewriting other lines; add "
            "them by hand"
        )
    return entity


def _without_observations(data: Mapping[Any, Any]) -> dict[Any, Any]:
    return {key: value for key, value in data.items() if key != "observations"}
