"""The RCM sheet as CSV: what riskctl writes, and reading it back as a spreadsheet saved it.

Written as UTF-8 with a byte-order mark (Excel reads a CSV without one in the machine's legacy
code page and garbles every non-ASCII character), comma-separated, LF line ends, quoted only
where needed. Every text cell goes through `textsafe.csv_cell`: a text starting like a formula
(`=`, `+`, `-`, `@`) gets a leading `'`, which the import takes off again. Booleans are written
`true`/`false`, dates `YYYY-MM-DD`, no value as an empty cell.

Read back: UTF-8 with or without the mark; comma, semicolon or tab as the separator (the one
that splits the header row into the most known headers: spreadsheet applications in many
locales save with `;`). The file may also be one sheet of the workbook saved as CSV (the
Controls sheet, say): `table.sheet_for_header` tells which by the header row.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable

from riskctl.errors import RiskctlError
from riskctl.fileio import utf16_as_utf8
from riskctl.rcm.sheets import CellValue, RawSheet, Sheet
from riskctl.textsafe import csv_cell

BOM = "\ufeff"

#: Most bytes of a CSV file riskctl reads: far above any register's RCM.
CSV_LIMIT = 20_000_000


def _cell(value: CellValue) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return csv_cell(value)


def write_csv(sheet: Sheet) -> str:
    """The sheet as CSV text, starting with the byte-order mark."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([csv_cell(column.header) for column in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_cell(value) for value in row])
    return BOM + stream.getvalue()


def read_csv(data: bytes, name: str, known_headers: Iterable[str], sheet: str) -> RawSheet:
    """The CSV file `name` as one raw sheet called `sheet`; cells are text, empty ones None.

    Raises `RiskctlError` naming the file (and line) when it is not UTF-8 (or UTF-16 with its
    byte-order mark, as Excel's "Unicode Text" saves it) CSV text.
    """
    data = utf16_as_utf8(data, name)
    if b"\x00" in data:
        raise RiskctlError(f"{name}: a binary file (a NUL byte), not a CSV file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RiskctlError(
            f"{name}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save the CSV as UTF-8"
        ) from None
    text = text.removeprefix(BOM)
    if not text.strip():
        raise RiskctlError(f"{name}: an empty file; expected the RCM's header row and rows")
    known = set(known_headers)
    first_line = text.split("\n", 1)[0]
    delimiter = max(
        (",", ";", "\t"),
        key=lambda d: sum(cell.strip().strip('"') in known for cell in first_line.split(d)),
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise RiskctlError(f"{name}:{reader.line_num}: not CSV: {error}") from None
    header = [cell.strip() for cell in rows[0]]
    if not known & set(header):
        raise RiskctlError(
            f"{name}: the first row has none of the column headers of the RCM "
            "(process, risk, control, ...) or of a sheet of the workbook; is it an RCM export?"
        )
    body: list[list[CellValue]] = []
    for number, row in enumerate(rows[1:], start=2):
        extra = [cell for cell in row[len(header) :] if cell.strip()]
        if extra:
            raise RiskctlError(
                f"{name}: row {number} has more cells than the header row has columns"
            )
        body.append([cell if cell != "" else None for cell in row[: len(header)]])
    return RawSheet(sheet, header, body)
