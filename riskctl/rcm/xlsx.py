"""The RCM as an xlsx workbook: write `Sheet`s styled for people, read any workbook back safely.

The only module that imports openpyxl. It knows nothing of the register: `riskctl.rcm.table`
builds the sheets and reads the cells (see `riskctl.rcm.sheets`).

Writing (`write_workbook`): one worksheet per `Sheet`, in order. The header row is bold and frozen
(with the first column too when it holds the row's id, field `id`), with an autofilter. Cells are
typed: booleans are real booleans, numbers numbers (every float exactly, to the 17th digit), dates
date cells shown `yyyy-mm-dd`. A date before 1900-03-01 (where spreadsheet calendars are wrong or
stop) and a time finer than a millisecond are written as ISO text, which the import parses. Text is
always text: a value starting with `=` is stored as a string with Excel's quote prefix, never as a
formula; so are `#N/A` and the other error names. Every `choice` column and every `boolean` column
gets a data-validation list (`TRUE`/`FALSE` for booleans) over its rows and `EXTRA_ROWS` empty rows
below, so a value added in a new row is checked too. A list longer than a validation formula can
hold lives in a very hidden sheet `riskctl-lists`, which `read_workbook` skips. A column import
does not read (`editable=False`) has a grey header and light grey cells (`D9D9D9`, `F2F2F2`).
Nothing is protected: people must be able to edit.

Level colours (columns with `level=True`), fill / text, each pair above WCAG's 4.5:1 contrast:

    low       C6EFCE / 006100   (green)
    medium    FFEB9C / 7F4F00   (yellow)
    high      FFC7CE / 9C0006   (pink-red)
    critical  C00000 / FFFFFF   (dark red, bold)

A level cell gets the fill of its value, and the column carries conditional formats with the same
colours, so a value a person changes recolours itself.

The same sheets always give the same bytes: the document's created and modified times are
`created` (default `FIXED_TIME`) and every zip entry is dated `FIXED_TIME`.

A value a workbook cannot hold exactly is refused with a `RiskctlError` naming its sheet and cell
rather than changed: text with a control character other than tab and newline (a carriage return
would come back as a newline), text longer than 32,767 characters (Excel's limit), text that
contains `_xHHHH_` or `x005F_` (Excel, or openpyxl reading a resaved file, takes it for an escape),
a number that is not finite or an integer beyond 15 digits (Excel keeps 15), a datetime with a time
zone.

Reading (`read_workbook`): every worksheet (chart sheets have no cells), header (row 1) and rows,
fully empty trailing rows and columns dropped, every row as wide as the widest; `""` reads as
None. Bounded: the file must be a zip whose entries, by their declared sizes, stay within
`MAX_PART_BYTES` each and `MAX_TOTAL_BYTES` together (checked before openpyxl reads a byte; zipfile
then stops an entry that inflates beyond its declared size), at most `MAX_ROWS` rows and
`MAX_COLUMNS` columns with values, and at most `MAX_SCANNED_CELLS` cells scanned (openpyxl pads
each row to its last cell). Refused with a `RiskctlError` naming the file (and sheet and cell): not
a zip, an encrypted workbook or an old `.xls` (both OLE files), an `.xlsb` or `.ods`, a zip that is
not a workbook, merged cells (the value sits in the first cell only, so the others would read as
empty), a formula without a cached value (a formula with one reads as that value), a cell holding
an error (`#N/A`).

What a cell reads as, which the rcm import must accept (measured: riskctl's workbook opened and
saved again by LibreOffice 7.4 headless, tests/test_libreoffice.py; every value came back the
same, as read_workbook reads riskctl's own file):

- boolean: `True`/`False` (LibreOffice keeps real boolean cells). Not measured but to expect from
  a person's edits: the text `TRUE`/`true`/`yes` typed into a text-formatted cell, or `1`/`0`.
- integer: `int`. A whole number always reads as `int`, whatever the column (a float `-1.0` or
  `2.0` we wrote reads back as `-1`, `2`), and a number a person typed may read as `float`
  (`3.5`): the table decides by the column's type.
- number: `float`, or `int` when the value is whole (see above). riskctl writes every float
  exactly, but LibreOffice keeps 15 significant digits: 0.1 + 0.2 (0.30000000000000004) comes
  back as 0.3. An import should take a number equal to the current value at 15 significant
  digits as unchanged, or it rewrites a register value nobody edited.
- date: `datetime.date` for a cell with a date-only format (ours, and LibreOffice keeps it);
  `datetime.datetime` for a date-time format. Text that looks like a date stays `str` (a person
  typed `2026-11-27` into a text cell; riskctl wrote a date before 1900-03-01): parse it.
- time of day and durations (a person typed `8:30`) read as ISO text (`08:30:00`).
- text: `str`, exactly: unicode, newlines, tabs, leading and trailing spaces, a leading `=`, `'`,
  `+`, `@` all survive LibreOffice; LibreOffice adds no quote; number-like text (`007`, `TRUE`)
  stays text. An empty text cell reads as None. Unlike riskctl's CSV, xlsx text carries no `'`
  guard before a formula-like start: `'=x` in a cell is the register text `'=x`, keep it.
- choice, level: `str`; list: `str` `"a, b"` (the table splits it).
- The frozen pane does not survive a headless LibreOffice save (it has no view); validations,
  fills, conditional formats and the filter do. Cells LibreOffice adds below the data (it writes
  the formatted empty rows) read as nothing.
"""

from __future__ import annotations

import copy
import datetime
import io
import math
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.numbers import is_datetime
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from riskctl.errors import RiskctlError
from riskctl.rcm.sheets import CellValue, Column, RawSheet, Sheet

#: The time a workbook and its zip entries are dated when no `created` is given.
FIXED_TIME = datetime.datetime(2000, 1, 1)

#: Empty rows below the data that the validations and level colours still cover.
EXTRA_ROWS = 1000

#: The very hidden sheet that holds validation lists too long for a formula.
LISTS_SHEET = "riskctl-lists"

#: Level → (fill, text colour), RGB hex; see the module docstring.
LEVEL_COLOURS: dict[str, tuple[str, str]] = {
    "low": ("C6EFCE", "006100"),
    "medium": ("FFEB9C", "7F4F00"),
    "high": ("FFC7CE", "9C0006"),
    "critical": ("C00000", "FFFFFF"),
}
#: Header fill of a column import does not read, and the fill of its cells.
READ_ONLY_HEADER_FILL = "D9D9D9"
READ_ONLY_CELL_FILL = "F2F2F2"

# Reading limits (see the module docstring).
MAX_PART_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_PARTS = 10_000
MAX_ROWS = 500_000
MAX_COLUMNS = 1_000
MAX_SCANNED_CELLS = 20_000_000

_MAX_TEXT = 32_767
_MAX_EXACT_INTEGER = 10**15
_FORMULA_LIST_LIMIT = 255  # characters in a validation list written inline
#: Excel reads `_xHHHH_` as an escaped character; openpyxl deletes `x005F_` from shared strings
#: (the ones LibreOffice and Excel write), so either would change the text.
_ESCAPE_LIKE = re.compile(r"_x[0-9A-Fa-f]{4}_|x005F_")
_UNSAFE_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")
_FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_MERGE_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref=\"([^\"]*)\"")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DATE_FORMAT = "yyyy-mm-dd"
#: Before this day a spreadsheet's calendar is wrong (Excel's 1900 leap year) or absent.
_FIRST_SERIAL_DAY = datetime.datetime(1900, 3, 1)
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


# --- writing -----------------------------------------------------------------------------------


def write_workbook(
    sheets: Sequence[Sheet],
    *,
    title: str = "Risk Control Matrix",
    created: datetime.datetime | None = None,
) -> bytes:
    """The workbook of `sheets`, one worksheet each, as xlsx bytes (see the module docstring).

    A value the workbook cannot hold exactly is a `RiskctlError` naming its sheet and cell.
    Sheet names must be valid and distinct (they come from riskctl, not from the register):
    a `ValueError` otherwise.
    """
    _check_sheet_names([sheet.name for sheet in sheets])
    when = _naive_utc(created) if created is not None else FIXED_TIME
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    workbook.properties.creator = "riskctl"
    workbook.properties.title = title
    workbook.properties.created = when
    workbook.properties.modified = when
    lists: list[tuple[str, ...]] = []
    for sheet in sheets:
        _write_sheet(workbook, sheet, lists)
    if lists:
        hidden = workbook.create_sheet(LISTS_SHEET)
        hidden.sheet_state = "veryHidden"
        for number, choices in enumerate(lists, start=1):
            for row, choice in enumerate(choices, start=1):
                hidden.cell(row=row, column=number).value = choice
                hidden.cell(row=row, column=number).data_type = "s"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return _dated_zip(buffer.getvalue(), when)


def _check_sheet_names(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if not 0 < len(name) <= 31 or re.search(r"[\[\]:*?/\\]", name) or name == LISTS_SHEET:
            raise ValueError(f"not a usable sheet name: {name!r}")
        if name.casefold() in seen:
            raise ValueError(f"two sheets named {name!r}")
        seen.add(name.casefold())


def _naive_utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def _dated_zip(data: bytes, when: datetime.datetime) -> bytes:
    """`data` re-zipped with every entry dated `when` (zip dates start in 1980), in order."""
    stamp = max(when, datetime.datetime(1980, 1, 1)).timetuple()[:6]
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry))
    return output.getvalue()


def _write_sheet(workbook: Workbook, sheet: Sheet, lists: list[tuple[str, ...]]) -> None:
    worksheet = workbook.create_sheet(sheet.name)
    columns = sheet.columns
    last_row = len(sheet.rows) + 1
    covered = last_row + EXTRA_ROWS
    bold = Font(bold=True)
    for number, column in enumerate(columns, start=1):
        letter = get_column_letter(number)
        header = worksheet.cell(row=1, column=number)
        header.value = _checked_text(column.header, sheet.name, header.coordinate)
        header.data_type = "s"
        header.font = bold
        if not column.editable:
            header.fill = _solid(READ_ONLY_HEADER_FILL)
        worksheet.column_dimensions[letter].width = column.width
    level_styles = {
        level: (_solid(fill), Font(color=text, bold=level == "critical"))
        for level, (fill, text) in LEVEL_COLOURS.items()
    }
    grey = _solid(READ_ONLY_CELL_FILL)
    styles: dict[tuple[str | None, bool, str | None], Any] = {}
    for row_number, row in enumerate(sheet.rows, start=2):
        if len(row) != len(columns):
            raise ValueError(
                f"sheet {sheet.name}: row {row_number} has {len(row)} cells "
                f"for {len(columns)} columns"
            )
        for number, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = worksheet.cell(row=row_number, column=number)
            number_format, quoted = _set_value(cell, value, sheet.name)
            look = None
            if column.level and isinstance(value, str) and value in level_styles:
                look = value
            elif not column.editable:
                look = "grey"
            key = (number_format, quoted, look)
            if key == (None, False, None):
                continue
            # Setting a style object hashes it into the workbook's style tables: half the
            # time of a large export. A cell's style is a small array: set it once per look,
            # then copy it (openpyxl's own way to copy a style).
            if key in styles:
                cell._style = copy.copy(styles[key])
                continue
            if number_format:
                cell.number_format = number_format
            if quoted:
                cell.quotePrefix = True
            if look == "grey":
                cell.fill = grey
            elif look:
                cell.fill, cell.font = level_styles[look]
            styles[key] = copy.copy(cell._style)
    if columns:
        end = get_column_letter(len(columns))
        worksheet.auto_filter.ref = f"A1:{end}{last_row}"
        first_is_id = columns[0].field == "id"
        worksheet.freeze_panes = "B2" if first_is_id else "A2"
    for number, column in enumerate(columns, start=1):
        letter = get_column_letter(number)
        cells = f"{letter}2:{letter}{covered}"
        if column.type == "boolean":
            _add_list_validation(worksheet, cells, ("TRUE", "FALSE"), column, lists)
        elif column.type == "choice" and column.choices:
            _add_list_validation(worksheet, cells, column.choices, column, lists)
        if column.level:
            for level, (fill, text) in LEVEL_COLOURS.items():
                rule = CellIsRule(  # type: ignore[no-untyped-call]
                    operator="equal",
                    formula=[f'"{level}"'],
                    fill=PatternFill(fill_type="solid", fgColor=fill, bgColor=fill),
                    font=Font(color=text, bold=level == "critical"),
                )
                worksheet.conditional_formatting.add(cells, rule)


def _solid(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", fgColor=colour)


def _add_list_validation(
    worksheet: Worksheet,
    cells: str,
    choices: tuple[str, ...],
    column: Column,
    lists: list[tuple[str, ...]],
) -> None:
    inline = ",".join(choices)
    if len(inline) <= _FORMULA_LIST_LIMIT and not re.search(r'[,"]', "".join(choices)):
        formula = f'"{inline}"'
    else:
        if choices not in lists:
            lists.append(choices)
        letter = get_column_letter(lists.index(choices) + 1)
        formula = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(choices)}"
    shown = ", ".join(choices)
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=f"{column.header}"[:32],
        error=f"Choose one of: {shown}"[:255],
    )
    validation.add(cells)
    worksheet.add_data_validation(validation)


def _set_value(cell: Cell, value: CellValue, sheet: str) -> tuple[str | None, bool]:
    """Store `value` in `cell` with its own type; text is never a formula or an error.

    Returns the number format the cell needs (dates) and whether it needs the quote prefix
    (text that starts with `=` or `'`), for the caller to style it.
    """
    where = cell.coordinate
    if isinstance(value, bool) or value is None:
        cell.value = value
    elif isinstance(value, int):
        if abs(value) >= _MAX_EXACT_INTEGER:
            raise RiskctlError(
                f"sheet {sheet}, cell {where}: the integer {value} has more digits than a "
                "spreadsheet keeps (15)"
            )
        cell.value = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise RiskctlError(f"sheet {sheet}, cell {where}: {value} is not a finite number")
        cell.value = value
        if float(f"{value:.16g}") != value:
            # openpyxl writes 16 significant digits; a float may need 17 to come back the same
            setattr(cell, "_value", repr(value))  # noqa: B010 (a slot the type stubs omit)
    elif isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            raise RiskctlError(
                f"sheet {sheet}, cell {where}: a spreadsheet cannot hold the time zone of {value}"
            )
        if value < _FIRST_SERIAL_DAY or value.microsecond % 1000:
            return _as_text(cell, value.isoformat())
        cell.value = value
        return _DATETIME_FORMAT, False
    elif isinstance(value, datetime.date):
        if value < _FIRST_SERIAL_DAY.date():
            return _as_text(cell, value.isoformat())
        cell.value = value
        return _DATE_FORMAT, False
    else:
        return _as_text(cell, _checked_text(value, sheet, where))
    return None, False


def _as_text(cell: Cell, text: str) -> tuple[str | None, bool]:
    cell.value = text
    cell.data_type = "s"  # even `=1+1` or `#N/A`: text, never a formula or an error
    return None, text.startswith(("=", "'"))


def _checked_text(text: str, sheet: str, where: str) -> str:
    problem = None
    unsafe = _UNSAFE_CHARACTER.search(text)
    if "\r" in text:
        problem = "a carriage return (a workbook gives it back as a newline)"
    elif unsafe:
        problem = f"the control character U+{ord(unsafe.group()):04X}, which xlsx cannot hold"
    elif len(text) > _MAX_TEXT:
        problem = f"{len(text)} characters, more than a spreadsheet cell holds ({_MAX_TEXT})"
    elif escape := _ESCAPE_LIKE.search(text):
        problem = f"{escape.group()!r}, which spreadsheet readers take for an escape"
    if problem:
        raise RiskctlError(
            f"sheet {sheet}, cell {where}: the text has {problem}; export CSV instead"
        )
    return text


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """How much `read_workbook` reads before it refuses the file (see the module docstring)."""

    part_bytes: int = MAX_PART_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    parts: int = MAX_PARTS
    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    scanned_cells: int = MAX_SCANNED_CELLS


def read_workbook(data: bytes, name: str, *, limits: Limits | None = None) -> list[RawSheet]:
    """Every worksheet of the xlsx `data` (read from the file `name`), cells as Python values.

    A file that is not a readable workbook, too large, or with a cell riskctl cannot read as
    its value (merged, a formula without a cached value, an error) is a `RiskctlError` that
    names `name` and, where there is one, the sheet and cell.
    """
    limits = limits or Limits()
    with _open_archive(data, name, limits) as archive:
        return _read_sheets(data, name, limits, archive)


def _read_sheets(
    data: bytes, name: str, limits: Limits, archive: zipfile.ZipFile
) -> list[RawSheet]:
    parts = {info.filename: info for info in archive.infolist()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheets = []
                for worksheet in values.worksheets:
                    if worksheet.title == LISTS_SHEET and worksheet.sheet_state != "visible":
                        continue
                    part = _part_of(worksheet, parts)
                    if part is None:
                        raise RiskctlError(
                            f"{name}: sheet {worksheet.title}: its cells are not in the file"
                        )
                    source = archive.read(part)
                    _refuse_merged(source, name, worksheet.title)
                    sheets.append(_read_sheet(worksheet, name, limits))
                    if _FORMULA_ELEMENT.search(source):
                        _refuse_uncached_formulas(data, worksheet.title, sheets[-1], name)
            finally:
                values.close()
    except RiskctlError:
        raise
    except Exception as error:  # openpyxl on a malformed file can raise anything
        raise RiskctlError(f"{name}: not a workbook riskctl can read ({_reason(error)})") from None
    return sheets


def _reason(error: Exception) -> str:
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _open_archive(data: bytes, name: str, limits: Limits) -> zipfile.ZipFile:
    if data.startswith(_OLE_MAGIC):
        raise RiskctlError(
            f"{name}: an encrypted (password-protected) workbook or an old Excel 97-2003 .xls "
            "file; save it as an unencrypted .xlsx workbook"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except zipfile.BadZipFile:
        raise RiskctlError(f"{name}: not an xlsx workbook (not a zip file)") from None
    except Exception as error:  # zipfile also raises NotImplementedError, ValueError...
        raise RiskctlError(
            f"{name}: not an xlsx workbook (a zip file riskctl cannot open: {_reason(error)})"
        ) from None
    if len(entries) > limits.parts:
        raise RiskctlError(f"{name}: {len(entries)} parts, more than a workbook riskctl reads")
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > limits.part_bytes or total > limits.total_bytes:
            raise RiskctlError(
                f"{name}: the workbook unpacks to more than "
                f"{min(limits.part_bytes, limits.total_bytes) // 2**20} MiB "
                f"({entry.filename}: {entry.file_size} bytes); riskctl does not read it"
            )
    names = {entry.filename for entry in entries}
    if "mimetype" in names and _member(archive, "mimetype", name).startswith(
        b"application/vnd.oasis"
    ):
        raise RiskctlError(f"{name}: an OpenDocument spreadsheet (.ods); save it as .xlsx")
    if any(entry.endswith("workbook.bin") for entry in names):
        raise RiskctlError(f"{name}: a binary workbook (.xlsb); save it as .xlsx")
    if "[Content_Types].xml" not in names:
        raise RiskctlError(f"{name}: a zip file but not an xlsx workbook")
    return archive


def _member(archive: zipfile.ZipFile, member: str, name: str) -> bytes:
    try:
        return archive.read(member)
    except Exception as error:  # a damaged or encrypted entry: BadZipFile, RuntimeError...
        raise RiskctlError(f"{name}: cannot read its part {member} ({_reason(error)})") from None


def _part_of(worksheet: Any, parts: dict[str, zipfile.ZipInfo]) -> str | None:
    """The zip entry that holds a read-only worksheet's cells."""
    path = getattr(worksheet, "_worksheet_path", None)
    if not isinstance(path, str):
        return None
    path = path.lstrip("/")
    return path if path in parts else None


def _refuse_merged(source: bytes, name: str, sheet: str) -> None:
    merged = _MERGE_ELEMENT.search(source)
    if merged:
        cells = merged.group(1).decode("ascii", "replace")
        raise RiskctlError(
            f"{name}: sheet {sheet}: merged cells {cells}; unmerge them (each row needs its "
            "own values) and import again"
        )


def _read_sheet(worksheet: Any, name: str, limits: Limits) -> RawSheet:
    """The cells of one read-only worksheet, bounded by `limits`."""
    title: str = worksheet.title
    worksheet.reset_dimensions()
    kept: dict[int, list[CellValue]] = {}
    scanned = 0
    width = 0
    for number, row in enumerate(worksheet.iter_rows(), start=1):
        scanned += len(row) + 1
        if scanned > limits.scanned_cells:
            raise RiskctlError(
                f"{name}: sheet {title}: more than {limits.scanned_cells} cells to scan; "
                "riskctl does not read it"
            )
        raw = [cell.value for cell in row]
        end = len(raw)
        while end and (raw[end - 1] is None or raw[end - 1] == ""):
            end -= 1
        if not end:
            continue
        if number > limits.rows + 1:
            raise RiskctlError(
                f"{name}: sheet {title}: a value in row {number}, beyond the {limits.rows} "
                "rows riskctl reads"
            )
        if end > limits.columns:
            raise RiskctlError(
                f"{name}: sheet {title}: a value in column {get_column_letter(end)} "
                f"(row {number}), beyond the {limits.columns} columns riskctl reads"
            )
        values = [_cell_value(cell, name, title) for cell in row[:end]]
        kept[number] = values
        width = max(width, len(values))
    last = max(kept, default=1)
    header = [_header_text(value) for value in _padded(kept.get(1, []), width)]
    rows = [_padded(kept.get(number, []), width) for number in range(2, last + 1)]
    return RawSheet(name=title, header=header, rows=rows, first_row=2)


def _padded(values: list[CellValue], width: int) -> list[CellValue]:
    return values + [None] * (width - len(values))


def _header_text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def _cell_value(cell: Any, name: str, sheet: str) -> CellValue:
    value = getattr(cell, "value", None)
    if value is None or value == "":
        return None
    kind = getattr(cell, "data_type", "n")
    if kind == "e":
        raise RiskctlError(
            f"{name}: sheet {sheet}, cell {cell.coordinate}: holds the error {value}; "
            "correct or clear it"
        )
    if isinstance(value, datetime.datetime):
        if is_datetime(cell.number_format) == "date":
            return value.date()
        return value
    if isinstance(value, datetime.time | datetime.timedelta):
        return value.isoformat() if isinstance(value, datetime.time) else str(value)
    if isinstance(value, bool | int | float | str | datetime.date):
        return value
    return str(value)


def _refuse_uncached_formulas(data: bytes, title: str, sheet: RawSheet, name: str) -> None:
    """Refuse a formula cell that has no cached value (it read as empty)."""
    formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        worksheet = formulas[title]
        for cells in _formula_rows(worksheet):
            for cell in cells:
                if getattr(cell, "data_type", None) != "f":
                    continue
                row, column = cell.row, cell.column
                index = row - sheet.first_row
                held: CellValue = None
                if row == 1 and column <= len(sheet.header):
                    held = sheet.header[column - 1] or None
                elif 0 <= index < len(sheet.rows) and column <= len(sheet.rows[index]):
                    held = sheet.rows[index][column - 1]
                if held is None:
                    raise RiskctlError(
                        f"{name}: sheet {title}, cell {cell.coordinate}: a formula "
                        f"({str(cell.value)[:80]}) without a saved value; open and save the "
                        "file in a spreadsheet application, or replace the formula by its value"
                    )
    finally:
        formulas.close()


def _formula_rows(worksheet: Any) -> Iterator[tuple[Any, ...]]:
    worksheet.reset_dimensions()
    yield from worksheet.iter_rows()
