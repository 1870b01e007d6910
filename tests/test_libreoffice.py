"""A workbook riskctl writes, opened and saved again by LibreOffice, still means the same values.

One soffice run per format (each start costs seconds): the workbook with every column type is
resaved as xlsx and exported as CSV once per test session. What LibreOffice changes is listed in
riskctl/rcm/xlsx.py's docstring (for xlsx) and tests/data/rcm/libreoffice-export.md (for CSV);
the CSV it wrote is kept as tests/data/rcm/libreoffice-export.csv, so a CSV import can be tested
against it where LibreOffice is not installed.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from riskctl.rcm.sheets import CellValue, Column, Sheet
from riskctl.rcm.xlsx import read_workbook, write_workbook
from tests.libreoffice import requires_soffice, resave

FIXTURE = Path(__file__).parent / "data" / "rcm" / "libreoffice-export.csv"

LEVELS = ("low", "medium", "high", "critical")
COLUMNS = (
    Column("Risk", "id", width=10),
    Column("Title", "title", width=40),
    Column("Key", "key", type="boolean"),
    Column("Sample size", "sample_size", type="integer"),
    Column("Score", "score", type="number"),
    Column("Reviewed", "reviewed", type="date"),
    Column("Nature", "nature", type="choice", choices=("preventive", "detective", "corrective")),
    Column("Controls", "controls", type="list"),
    Column("Residual", "", type="choice", choices=LEVELS, level=True, editable=False),
)
ROWS: list[list[CellValue]] = [
    [
        "R-001",
        "Zahlungsbetrug — café ✓ 日本語 🙂",
        True,
        25,
        0.5,
        datetime.date(2026, 11, 27),
        "detective",
        "C-001, C-002",
        "high",
    ],
    [
        "R-002",
        "=SUM(A1:A3)",
        False,
        0,
        2.0,
        datetime.date(1900, 3, 1),
        "preventive",
        "C-003",
        "low",
    ],
    [
        "R-003",
        "'quoted",
        None,
        -3,
        0.1,
        datetime.date(2099, 12, 31),
        "corrective",
        None,
        "critical",
    ],
    ["R-004", "line one\nline two", True, 1, 1234567.891, None, None, "", "medium"],
    ["R-005", "  spaced  ", False, 7, -0.25, datetime.date(2026, 2, 28), "detective", "C-1", None],
    ["R-006", "007", None, None, None, None, None, None, None],
    ["R-007", "TRUE", True, 2, 3.0, datetime.date(2026, 1, 1), None, None, "low"],
    ["R-008", '+1, "-1" and @x; tab\there', False, 10, 1e-7, None, None, None, None],
    # 17 significant digits; a date before 1900-03-01 (riskctl writes it as ISO text)
    [
        "R-009",
        "x",
        True,
        999_999_999_999_999,
        0.1 + 0.2,
        datetime.date(1899, 12, 31),
        None,
        None,
        None,
    ],
]


def sheets() -> list[Sheet]:
    return [
        Sheet("RCM", COLUMNS, [list(row) for row in ROWS]),
        Sheet("risks", COLUMNS[:2], [row[:2] for row in ROWS]),
    ]


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    source = tmp_path_factory.mktemp("ours") / "rcm.xlsx"
    source.write_bytes(write_workbook(sheets()))
    out = tmp_path_factory.mktemp("libreoffice")
    (xlsx,) = resave([source], "xlsx", out / "xlsx")
    (csv_file,) = resave([source], "csv", out / "csv")
    return {"ours": source, "xlsx": xlsx, "csv": csv_file}


def expected_after_libreoffice(value: CellValue) -> CellValue:
    """What a cell we wrote reads as after LibreOffice saved the workbook again."""
    if value == "":
        return None  # an empty text cell is an empty cell
    if isinstance(value, float):
        value = float(f"{value:.15g}")  # LibreOffice keeps 15 significant digits
        if value.is_integer():
            return int(value)  # 2.0 is written and read back as the number 2
    return value


@requires_soffice
def test_a_libreoffice_resave_keeps_every_value(resaved: dict[str, Path]) -> None:
    ours = read_workbook(resaved["ours"].read_bytes(), "ours.xlsx")
    theirs = read_workbook(resaved["xlsx"].read_bytes(), "resaved.xlsx")
    assert [sheet.name for sheet in theirs] == ["RCM", "risks"]
    for mine, other in zip(ours, theirs, strict=True):
        assert other.header == mine.header
        assert other.rows == [[expected_after_libreoffice(v) for v in row] for row in mine.rows]
        assert other.rows[:8] == mine.rows[:8]  # as we read our own file, up to R-009's 0.3
    rcm = theirs[0]
    assert rcm.rows[1][1] == "=SUM(A1:A3)"  # text, not a formula, and no quote added
    assert rcm.rows[2][1] == "'quoted"
    assert rcm.rows[1][5] == datetime.date(1900, 3, 1)  # before Excel's 1900 leap-year bug
    assert isinstance(rcm.rows[0][2], bool)
    assert isinstance(rcm.rows[0][3], int) and isinstance(rcm.rows[0][4], float)
    assert rcm.rows[8][4] == 0.3  # 0.1 + 0.2 = 0.30000000000000004, kept to 15 digits
    assert rcm.rows[8][5] == "1899-12-31"  # riskctl wrote it as text; it stays text


@requires_soffice
def test_a_libreoffice_resave_keeps_the_layout(resaved: dict[str, Path]) -> None:
    """Validations, level colours and the filter survive; the frozen pane does not, because
    headless LibreOffice has no view to save it from (a person's save in the desktop keeps it)."""
    workbook = load_workbook(resaved["xlsx"])
    worksheet = workbook["RCM"]
    assert worksheet.auto_filter.ref is not None
    lists = {
        str(validation.sqref).split(":")[0]: validation.formula1
        for validation in worksheet.data_validations.dataValidation
    }
    assert lists["C2"] == '"TRUE,FALSE"'
    assert lists["G2"] == '"preventive,detective,corrective"'
    assert lists["I2"] == '"low,medium,high,critical"'
    assert worksheet["I2"].fill.fgColor.rgb.endswith("FFC7CE")  # high, kept as a static fill
    assert len(worksheet.conditional_formatting) >= 1


@requires_soffice
def test_libreoffice_csv_export_matches_the_fixture(resaved: dict[str, Path]) -> None:
    """LibreOffice's CSV of the RCM sheet, read as a CSV reader reads it, is the fixture's."""
    exported = resaved["csv"].read_text(encoding="utf-8")
    fixture = FIXTURE.read_text(encoding="utf-8")
    assert list(csv.reader(io.StringIO(exported))) == list(csv.reader(io.StringIO(fixture)))


def test_the_fixture_shows_how_libreoffice_writes_csv() -> None:
    """The CSV import must read these as a person meant them (tests/data/rcm/*.md)."""
    raw = FIXTURE.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # no byte-order mark
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[0] == [column.header for column in COLUMNS]
    assert len(rows) == len(ROWS) + 1
    first, second = rows[1], rows[2]
    assert first[2] == "TRUE" and second[2] == "FALSE"  # booleans
    assert first[5] == "2026-11-27"  # dates as shown: yyyy-mm-dd
    assert first[4] == "0.5" and second[4] == "2"  # numbers as shown, 2.0 as 2
    assert second[1] == "=SUM(A1:A3)"  # a leading = is written bare
    assert rows[4][1] == "line one\nline two"  # a newline inside a quoted cell
    assert rows[6][1] == "007" and rows[7][1] == "TRUE"  # text that looks like a value
    assert rows[3][8] == "critical" and rows[4][7] == ""  # empty text is an empty cell
    assert rows[9][4] == "0.3" and rows[9][5] == "1899-12-31"  # 15 digits; a text date
