"""Cells read as a person meant them: types and formats a spreadsheet changed are no edit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from riskctl.load import load, read_directory
from riskctl.model.control import Control
from riskctl.rcm.sheets import CellValue, Column, ColumnType, RawSheet
from riskctl.rcm.table import (
    CellError,
    build_sheets,
    column_letter,
    field_specs,
    read_cell,
    read_edits,
)
from tests.conftest import SHIPPED_REGISTER

LEVELS = ("low", "medium", "high", "critical")


def _column(kind: ColumnType, choices: tuple[str, ...] = ()) -> Column:
    return Column("x", "x", kind, choices)


UNCHANGED: list[tuple[ColumnType, CellValue, CellValue]] = [
    ("boolean", "TRUE", True),
    ("boolean", "True", True),
    ("boolean", "yes", True),
    ("boolean", 1, True),
    ("boolean", "0", False),
    ("boolean", False, False),
    ("integer", "4", 4),
    ("integer", "4.0", 4),
    ("integer", 4.0, 4),
    ("integer", " 4 ", 4),
    ("number", "96000.00", 96000),
    ("number", 96000.0, 96000),
    ("number", "0.5", 0.5),
    ("number", "0.3", 0.1 + 0.2),
    ("date", "2026-11-16", datetime.date(2026, 11, 16)),
    ("date", datetime.datetime(2026, 11, 16), datetime.date(2026, 11, 16)),
    ("date", "11/16/26", datetime.date(2026, 11, 16)),
    ("date", "11/16/2026", datetime.date(2026, 11, 16)),
    ("date", "16/11/2026", datetime.date(2026, 11, 16)),
    ("date", "16.11.2026", datetime.date(2026, 11, 16)),
    ("date", "2026-11-16 00:00:00", datetime.date(2026, 11, 16)),
    # both readings are valid dates, and one of them is the register's: no edit
    ("date", "03/04/2026", datetime.date(2026, 4, 3)),
    ("date", "03/04/2026", datetime.date(2026, 3, 4)),
    ("text", "Velocity limits  ", "Velocity limits"),
    ("text", "'=SUM(A1)", "=SUM(A1)"),
    ("text", "line one\r\nline two", "line one\nline two\n"),
    ("text", "bell\\x07 and \\u202e", "bell\x07 and \u202e"),  # shown escaped in the CSV
    ("text", "—", None),
    ("text", "", None),
    ("text", None, None),
    ("choice", "Daily", "daily"),
    ("list", "C-001,C-002", "C-001, C-002"),
    ("list", None, ""),
]


@pytest.mark.parametrize(("kind", "cell", "current"), UNCHANGED)
def test_a_cell_that_means_the_current_value_is_no_edit(
    kind: ColumnType, cell: CellValue, current: CellValue
) -> None:
    column = _column(kind, ("daily", "weekly") if kind == "choice" else ())
    assert read_cell(column, cell, current, None) == (False, None)


CHANGED: list[tuple[ColumnType, CellValue, CellValue, Any]] = [
    ("boolean", "FALSE", True, False),
    ("integer", "3", 4, 3),
    ("number", "0.25", 0.5, 0.25),
    ("date", "11/17/26", datetime.date(2026, 11, 16), datetime.date(2026, 11, 17)),
    ("date", "17/11/2026", datetime.date(2026, 11, 16), datetime.date(2026, 11, 17)),
    ("text", "New title", "Old title", "New title"),
    ("text", "'-5 % net", "Old", "-5 % net"),
    ("text", "", "Old", None),
    ("choice", "WEEKLY", "daily", "weekly"),
    ("list", "C-002, C-001", "C-001, C-002", ["C-002", "C-001"]),
    ("list", "", "C-001", []),
]


@pytest.mark.parametrize(("kind", "cell", "current", "new"), CHANGED)
def test_a_changed_cell_reads_as_its_typed_value(
    kind: ColumnType, cell: CellValue, current: CellValue, new: Any
) -> None:
    column = _column(kind, ("daily", "weekly") if kind == "choice" else ())
    assert read_cell(column, cell, current, None) == (True, new)


REFUSED: list[tuple[ColumnType, CellValue, CellValue, str]] = [
    ("boolean", "maybe", True, r"'maybe' is not a boolean"),
    ("boolean", "on", True, r"'on' is not a boolean"),
    ("integer", "4.5", 4, r"'4.5' is not a whole number"),
    ("integer", "four", 4, r"'four' is not a whole number"),
    ("number", "1,000", 5, r"'1,000' is an ambiguous number \(1 or 1000\)"),
    ("number", "1,000.5", 5, r"'1,000.5' is not a number"),
    (
        "date",
        "03/04/2026",
        datetime.date(2026, 1, 1),
        r"ambiguous date \(2026-03-04 or 2026-04-03\)",
    ),
    ("date", "13/13/2026", datetime.date(2026, 1, 1), r"is not a date"),
    ("choice", "hourly", "daily", r"'hourly' is not one of daily, weekly"),
    ("text", '=HYPERLINK("x")', "Old", r"starts like a formula"),
    ("text", "@evil", "Old", r"starts like a formula"),
]


@pytest.mark.parametrize(("kind", "cell", "current", "message"), REFUSED)
def test_a_cell_that_cannot_be_read_is_an_error(
    kind: ColumnType, cell: CellValue, current: CellValue, message: str
) -> None:
    column = _column(kind, ("daily", "weekly") if kind == "choice" else ())
    with pytest.raises(CellError, match=message):
        read_cell(column, cell, current, None)


def test_column_letters_as_a_spreadsheet_names_them() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_a_control_sheet_has_a_column_per_scalar_field_and_no_lists_of_objects() -> None:
    paths = [".".join(spec.path) for spec in field_specs(Control)]
    assert paths == [
        "id", "title", "objective", "owner", "key", "nature", "automation", "frequency",
        "status", "reduces", "effectiveness.design", "effectiveness.operating", "assertions",
        "evidence", "annual_cost", "maps_to",
    ]  # fmt: skip


def _register() -> Any:
    return load(read_directory(SHIPPED_REGISTER)).register


def _raw(sheet: Any) -> RawSheet:
    return RawSheet(sheet.name, [c.header for c in sheet.columns], [list(r) for r in sheet.rows])


def test_the_sheets_read_back_unchanged_are_no_edit() -> None:
    register = _register()
    sheets = build_sheets(register)
    asked = read_edits(register, [_raw(sheet) for sheet in sheets], sheets)
    assert (asked.edits, asked.errors) == ([], [])
    assert set(asked.missing.values()) == {0}


def test_one_field_edited_differently_in_two_places_names_both_cells() -> None:
    register = _register()
    sheets = build_sheets(register)
    rcm, controls = _raw(sheets[0]), _raw(sheets[2])
    assert rcm.rows[0][6] == "C-001" and controls.rows[0][0] == "C-001"
    rcm.rows[0][11] = "daily"  # frequency
    controls.rows[0][7] = "weekly"  # frequency
    asked = read_edits(register, [rcm, controls], sheets)
    assert asked.errors == [
        "Controls!H2 (frequency): C-001 frequency is 'weekly' here but 'daily' in "
        "RCM!L2 (frequency): edit it in one place"
    ]


def test_the_same_edit_in_two_places_is_one_edit() -> None:
    register = _register()
    sheets = build_sheets(register)
    rcm, controls = _raw(sheets[0]), _raw(sheets[2])
    rcm.rows[0][11] = "daily"
    controls.rows[0][7] = "Daily"
    asked = read_edits(register, [rcm, controls], sheets)
    assert asked.errors == []
    assert [(e.id, e.dotted, e.old, e.new, e.cell) for e in asked.edits] == [
        ("C-001", "frequency", "continuous", "daily", "RCM!L2 (frequency)")
    ]


def test_missing_rows_are_counted_and_left_alone() -> None:
    register = _register()
    sheets = build_sheets(register)
    owners = _raw(sheets[3])
    owners.rows = owners.rows[:2]
    asked = read_edits(register, [owners], sheets)
    assert (asked.edits, asked.errors) == ([], [])
    assert asked.missing == {"Owners": len(sheets[3].rows) - 2}


def test_unknown_rows_columns_sheets_and_derived_edits_are_errors() -> None:
    register = _register()
    sheets = build_sheets(register)
    rcm = _raw(sheets[0])
    rcm.header.append("notes")
    for row in rcm.rows:
        row.append(None)
    rcm.rows[1][18] = 1  # residual L: computed
    rcm.rows[2][6] = "C-999"  # not a pair of the register
    rcm.rows[3][1] = None  # no risk
    stray = RawSheet("Notes", ["a"], [["b"]])
    asked = read_edits(register, [rcm, stray], sheets)
    assert asked.errors == [
        "RCM!V1: unknown column 'notes'; the RCM sheet has process, risk, risk title, "
        "inherent L, inherent I, inherent level, control, control title, key, nature, "
        "automation, frequency, design, operating, maps to, last test, last test type, "
        "last test result, residual L, residual I, residual level",
        "RCM!S3 (residual L): '1' differs from the register's '4', but this column is "
        "computed by riskctl and is not imported; edit the fields it comes from",
        "RCM!B4: R-001 / C-999 is not a row of the register's RCM sheet: import edits existing "
        "pairs (link a control in its risk's `controls`, in the Risks sheet or the risk's file)",
        "RCM!B5: a row without its risk and control: import edits existing entities; "
        "`riskctl new` creates them",
        "Notes: not a sheet riskctl exports (RCM, Risks, Controls, Owners, KRIs, Incidents, "
        "Launches, Acceptances); remove it",
    ]


def test_a_signed_number_in_a_text_column_is_text_not_a_formula() -> None:
    assert read_cell(_column("text"), "-1", "Old", None) == (True, "-1")


@pytest.mark.parametrize(
    ("header", "default"),
    [("quant.pert_method", "'modified'"), ("quant.magnitude.lognormal.level", "0.9")],
)
def test_emptying_a_field_with_a_default_inside_an_optional_model_is_refused(
    header: str, default: str
) -> None:
    """quant.pert_method defaults to `modified`, a lognormal's level to 0.9: an empty cell
    would silently mean the default, not no value."""
    register = _register()
    sheets = build_sheets(register)
    risks = _raw(sheets[1])
    column = risks.header.index(header)
    row = next(i for i, r in enumerate(risks.rows) if r[column] is not None)
    risks.rows[row][column] = None
    asked = read_edits(register, [risks], sheets)
    assert asked.errors == [
        f"Risks!{column_letter(column)}{row + 2} ({header}): cannot be empty: without a "
        f"value it means {default}; write that"
    ]


def test_a_kind_sheet_row_with_an_unknown_or_no_id_is_an_error() -> None:
    register = _register()
    sheets = build_sheets(register)
    owners = _raw(sheets[3])
    owners.rows.append(["new-team", "New team", None, None, None])
    owners.rows.append([None, "Nameless", None, None, None])
    asked = read_edits(register, [owners], sheets)
    first = len(sheets[3].rows) + 2
    assert asked.errors == [
        f"Owners!A{first}: new-team is not a row of the register's Owners sheet: import edits "
        "existing entities (`riskctl new` creates them)",
        f"Owners!A{first + 1}: a row without an id: import edits existing entities; "
        "`riskctl new` creates them",
    ]
