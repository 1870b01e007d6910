"""The spreadsheet model shared by the RCM's CSV and xlsx codecs: sheets, typed columns, cells.

`riskctl rcm export` builds `Sheet`s from the register (`riskctl.rcm.table`); a codec writes
them (`riskctl.rcm.csvio` the RCM sheet alone, `riskctl.rcm.xlsx` every sheet, styled); on import
a codec reads the file back into `RawSheet`s of cell values as the file holds them, and
`riskctl.rcm.table` reads each cell by its column's type and applies the edits to the YAML files.
A codec knows nothing of the register; the table knows nothing of file formats.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

#: A cell's value as riskctl writes it or a codec reads it back (None: an empty cell).
CellValue = str | int | float | bool | datetime.date | datetime.datetime | None

#: How a column's cells are typed: what a codec writes and how an import reads a cell.
ColumnType = Literal["text", "integer", "number", "boolean", "date", "choice", "list"]


@dataclass(frozen=True)
class Column:
    """One column: its header, the entity field it shows, its type and whether import reads it.

    `field` is a dotted path into the entity (`effectiveness.design`); an empty `field` is a
    derived column (a computed residual, the last test) that import never writes back. `choices`
    lists the allowed values of a `choice` column (an xlsx data-validation list); `level` marks
    a column whose values are risk levels (low, medium, high, critical), coloured by level.
    """

    header: str
    field: str
    type: ColumnType = "text"
    choices: tuple[str, ...] = ()
    editable: bool = True
    level: bool = False
    width: int = 16


@dataclass
class Sheet:
    """A sheet to write: its name (the RCM, or a kind's sheet), its columns and its rows."""

    name: str
    columns: tuple[Column, ...]
    rows: list[list[CellValue]] = field(default_factory=list)


@dataclass
class RawSheet:
    """A sheet as read back from a file: the header row and the rows, cells as the file has them.

    `rows[i]` is the file's row `first_row + i` (1-based, as a spreadsheet numbers rows), so an
    error can name the sheet, row and column a person sees.
    """

    name: str
    header: list[str]
    rows: list[list[CellValue]]
    first_row: int = 2
