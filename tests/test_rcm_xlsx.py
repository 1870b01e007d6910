"""The xlsx codec: what a workbook riskctl writes holds, and how it reads any workbook safely."""

from __future__ import annotations

import datetime
import io
import os
import re
import struct
import subprocess
import sys
import time
import zipfile
from itertools import chain
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from riskctl.errors import RiskctlError
from riskctl.rcm import xlsx
from riskctl.rcm.sheets import CellValue, Column, Sheet
from riskctl.rcm.xlsx import LEVEL_COLOURS, Limits, read_workbook, write_workbook

LEVELS = ("low", "medium", "high", "critical")
NATURES = ("preventive", "detective", "corrective")
COLUMNS = (
    Column("Control", "id", width=12),
    Column("Title", "title", width=40),
    Column("Key", "key", type="boolean"),
    Column("Sample", "sample_size", type="integer"),
    Column("Weight", "weight", type="number"),
    Column("Last test", "", type="date", editable=False),
    Column("Nature", "nature", type="choice", choices=NATURES),
    Column("Risks", "risks", type="list"),
    Column("Residual", "", type="choice", choices=LEVELS, level=True, editable=False),
)
ROWS: list[list[CellValue]] = [
    [
        "C-001",
        "Second approver",
        True,
        25,
        0.5,
        datetime.date(2026, 11, 2),
        "preventive",
        "R-001, R-002",
        "high",
    ],
    ["C-002", '=HYPERLINK("http://x")', False, 0, 2.25, None, "detective", "R-003", "low"],
    ["C-003", "#N/A", None, None, None, datetime.date(2026, 1, 31), None, None, "critical"],
    ["C-004", "'kept", True, 3, -1.0, None, "corrective", None, "medium"],
]
DATA_END = len(ROWS) + 1 + xlsx.EXTRA_ROWS  # the last row validations and colours cover


def rcm_sheets() -> list[Sheet]:
    return [
        Sheet("RCM", COLUMNS, [list(row) for row in ROWS]),
        Sheet("owners", (Column("Owner", "name"), Column("Team", "team")), [["Ana", "Payments"]]),
    ]


@pytest.fixture(scope="module")
def exported() -> bytes:
    return write_workbook(rcm_sheets())


def opened(data: bytes):
    return load_workbook(io.BytesIO(data))


# --- what the written workbook holds --------------------------------------------------------


def test_cells_keep_their_types(exported: bytes) -> None:
    sheet = opened(exported)["RCM"]
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    assert sheet["C2"].value is True and sheet["C2"].data_type == "b"
    assert sheet["D2"].value == 25 and sheet["D2"].data_type == "n"
    assert sheet["E3"].value == 2.25
    assert sheet["F2"].value == datetime.datetime(2026, 11, 2)
    assert sheet["F2"].number_format == "yyyy-mm-dd"
    assert sheet["H2"].value == "R-001, R-002"
    assert sheet["C4"].value is None


def test_text_is_never_a_formula_or_an_error(exported: bytes) -> None:
    sheet = opened(exported)["RCM"]
    formula_like, error_like, quoted = sheet["B3"], sheet["B4"], sheet["B5"]
    assert formula_like.data_type == "s" and formula_like.value == '=HYPERLINK("http://x")'
    assert formula_like.quotePrefix  # shown and edited as text in Excel and LibreOffice
    assert error_like.data_type == "s" and error_like.value == "#N/A"
    assert quoted.value == "'kept" and quoted.quotePrefix
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        part = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in part and b"<f " not in part and b't="e"' not in part


def test_header_is_bold_frozen_and_filtered(exported: bytes) -> None:
    workbook = opened(exported)
    sheet = workbook["RCM"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "B2"  # the header row and the id column
    assert workbook["owners"].freeze_panes == "A2"  # no id column: the header row only
    assert sheet.auto_filter.ref == f"A1:I{len(ROWS) + 1}"
    assert sheet.column_dimensions["A"].width == 12
    assert sheet.column_dimensions["B"].width == 40
    assert sheet.column_dimensions["C"].width == 16
    assert sheet.protection.sheet is False


def test_columns_import_does_not_read_are_grey(exported: bytes) -> None:
    sheet = opened(exported)["RCM"]
    assert sheet["F1"].fill.fgColor.rgb == "00" + xlsx.READ_ONLY_HEADER_FILL
    assert sheet["F2"].fill.fgColor.rgb == "00" + xlsx.READ_ONLY_CELL_FILL
    assert sheet["B1"].fill.fill_type is None and sheet["B2"].fill.fill_type is None


def test_validation_lists_cover_choices_and_booleans(exported: bytes) -> None:
    sheet = opened(exported)["RCM"]
    lists = {
        str(validation.sqref): (validation.type, validation.formula1, validation.allow_blank)
        for validation in sheet.data_validations.dataValidation
    }
    assert lists == {
        f"C2:C{DATA_END}": ("list", '"TRUE,FALSE"', True),
        f"G2:G{DATA_END}": ("list", '"preventive,detective,corrective"', True),
        f"I2:I{DATA_END}": ("list", '"low,medium,high,critical"', True),
    }


def test_a_long_list_lives_in_a_hidden_sheet_that_reading_skips() -> None:
    owners = tuple(f"owner-team-number-{n:03d}" for n in range(40))  # > 255 characters
    odd = ("a, with comma", 'a "quote"')
    columns = (
        Column("Owner", "owner", type="choice", choices=owners),
        Column("Odd", "odd", type="choice", choices=odd),
    )
    data = write_workbook([Sheet("RCM", columns, [["owner-team-number-007", "a, with comma"]])])
    workbook = opened(data)
    hidden = workbook[xlsx.LISTS_SHEET]
    assert hidden.sheet_state == "veryHidden"
    assert [cell.value for cell in hidden["A"]] == list(owners)
    assert [hidden.cell(row=n, column=2).value for n in (1, 2)] == list(odd)
    formulas = {str(v.sqref): v.formula1 for v in workbook["RCM"].data_validations.dataValidation}
    assert formulas == {
        "A2:A1002": "'riskctl-lists'!$A$1:$A$40",
        "B2:B1002": "'riskctl-lists'!$B$1:$B$2",
    }
    (sheet,) = read_workbook(data, "long.xlsx")
    assert sheet.name == "RCM" and sheet.rows == [["owner-team-number-007", "a, with comma"]]


def test_level_cells_are_coloured_now_and_when_changed(exported: bytes) -> None:
    sheet = opened(exported)["RCM"]
    for row, level in ((2, "high"), (3, "low"), (4, "critical"), (5, "medium")):
        fill, text = LEVEL_COLOURS[level]
        cell = sheet[f"I{row}"]
        assert cell.value == level
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == "00" + fill
        assert cell.font.color.rgb == "00" + text
    (formats,) = list(sheet.conditional_formatting)
    assert str(formats.sqref) == f"I2:I{DATA_END}"
    rules = {rule.formula[0]: rule for rule in formats.rules}
    assert set(rules) == {f'"{level}"' for level in LEVELS}
    for level, (fill, text) in LEVEL_COLOURS.items():
        rule = rules[f'"{level}"']
        assert rule.type == "cellIs" and rule.operator == "equal"
        assert rule.dxf.fill.bgColor.rgb == "00" + fill
        assert rule.dxf.font.color.rgb == "00" + text


def test_every_cell_of_a_look_gets_it_not_just_the_first() -> None:
    """Styles are set once per look and copied: the copies must be whole."""
    columns = (
        Column("Level", "", type="choice", choices=LEVELS, level=True),
        Column("Tested", "", type="date", editable=False),
        Column("Text", "t"),
    )
    rows: list[list[CellValue]] = [
        [level, datetime.date(2026, 1, day), "=x" if day % 2 else "plain"]
        for day, level in enumerate(LEVELS * 3, start=1)
    ]
    sheet = opened(write_workbook([Sheet("S", columns, rows)]))["S"]
    for number, (level, _, text) in enumerate(rows, start=2):
        fill, colour = LEVEL_COLOURS[str(level)]
        assert sheet[f"A{number}"].fill.fgColor.rgb == "00" + fill
        assert sheet[f"A{number}"].font.color.rgb == "00" + colour
        assert sheet[f"B{number}"].number_format == "yyyy-mm-dd"
        assert sheet[f"B{number}"].fill.fgColor.rgb == "00" + xlsx.READ_ONLY_CELL_FILL
        assert sheet[f"C{number}"].quotePrefix == (text == "=x")
        assert not sheet[f"C{number}"].fill.fill_type


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize("level", LEVELS)
def test_level_colours_are_readable(level: str) -> None:
    fill, text = LEVEL_COLOURS[level]
    lighter, darker = sorted((_luminance(fill), _luminance(text)), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5  # WCAG AA for normal text


def test_the_docstring_states_the_colours() -> None:
    for level, (fill, text) in LEVEL_COLOURS.items():
        assert f"{level:<9} {fill} / {text}" in (xlsx.__doc__ or "")


# --- determinism ------------------------------------------------------------------------------


def test_the_same_sheets_give_the_same_bytes(exported: bytes) -> None:
    assert write_workbook(rcm_sheets()) == exported
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2  # created and modified


def test_created_dates_the_workbook() -> None:
    when = datetime.datetime(
        2026, 11, 27, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    data = write_workbook(rcm_sheets(), created=when, title="RCM of the week")
    properties = opened(data).properties
    assert properties.created == datetime.datetime(2026, 11, 27, 7, 30)
    assert properties.modified == datetime.datetime(2026, 11, 27, 7, 30)
    assert properties.title == "RCM of the week" and properties.creator == "riskctl"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 27, 7, 30, 0)}


def test_bytes_do_not_depend_on_the_process(exported: bytes, tmp_path: Path) -> None:
    """Hash seeds and the clock differ between runs; the bytes must not."""
    script = (
        "import sys\n"
        "from tests.test_rcm_xlsx import rcm_sheets\n"
        "from riskctl.rcm.xlsx import write_workbook\n"
        "sys.stdout.buffer.write(write_workbook(rcm_sheets()))\n"
    )
    root = Path(__file__).parents[1]
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
        )
        assert result.stdout == exported


# --- reading back -----------------------------------------------------------------------------


def test_reading_gives_back_what_was_written(exported: bytes) -> None:
    rcm, owners = read_workbook(exported, "rcm.xlsx")
    assert rcm.name == "RCM" and rcm.first_row == 2
    assert rcm.header == [column.header for column in COLUMNS]
    expected = [list(row) for row in ROWS]
    expected[3][4] = -1  # -1.0 is the number -1: it reads as an integer
    assert rcm.rows == expected
    assert isinstance(rcm.rows[0][5], datetime.date)
    assert owners.name == "owners" and owners.rows == [["Ana", "Payments"]]


def test_datetimes_text_and_empty_cells_read_back() -> None:
    moment = datetime.datetime(2026, 11, 27, 14, 5, 9)
    columns = (Column("When", "when", type="date"), Column("Text", "t"), Column("Empty", "e"))
    rows: list[list[CellValue]] = [[moment, "", None], [None, "x", None], [None, None, None]]
    (sheet,) = read_workbook(write_workbook([Sheet("S", columns, rows)]), "w.xlsx")
    # "" is an empty cell; the empty last row goes; the empty last column stays for its header
    assert sheet.rows == [[moment, None, None], [None, "x", None]]
    assert sheet.header == ["When", "Text", "Empty"]


def test_an_empty_sheet_reads_as_nothing() -> None:
    (sheet,) = read_workbook(write_workbook([Sheet("Empty", ())]), "e.xlsx")
    assert sheet.header == [] and sheet.rows == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("bell\x07", "U+0007"),
        ("a\r\nb", "carriage return"),
        ("x" * 32_768, "32768 characters"),
        ("_x0041_", "'_x0041_', which spreadsheet readers take for an escape"),
        ("abx005F_cd", "'x005F_'"),
        (float("nan"), "not a finite number"),
        (10**15, "15"),
        (datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), "time zone"),
    ],
    ids=["control", "cr", "long", "escape", "x005F", "nan", "big-int", "tz"],
)
def test_a_value_a_workbook_cannot_hold_is_refused(value: CellValue, reason: str) -> None:
    rows: list[list[CellValue]] = [["ok"], [value]]
    with pytest.raises(RiskctlError, match=rf"sheet RCM, cell A3: .*{re.escape(reason)}"):
        write_workbook([Sheet("RCM", (Column("A", "a"),), rows)])


def test_text_at_the_limits_is_kept() -> None:
    texts = ["x" * 32_767, "tab\tnew\nline", "_x004_ and x0041_", "日本語 🙂"]
    data = write_workbook([Sheet("S", (Column("T", "t"),), [[text] for text in texts])])
    (sheet,) = read_workbook(data, "t.xlsx")
    assert sheet.rows == [[text] for text in texts]


@pytest.mark.parametrize("name", ["", "a/b", "x" * 32, xlsx.LISTS_SHEET])
def test_sheet_names_riskctl_must_not_use(name: str) -> None:
    with pytest.raises(ValueError, match="sheet name"):
        write_workbook([Sheet(name, ())])


def test_two_sheets_with_one_name_is_a_bug() -> None:
    with pytest.raises(ValueError, match="two sheets"):
        write_workbook([Sheet("RCM", ()), Sheet("rcm", ())])


# --- hostile input ----------------------------------------------------------------------------

SHEET_XML = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "{dimension}<sheetData>{rows}</sheetData>{after}</worksheet>"
)


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """`data` with the zip entry `name` replaced by `content`."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = content if info.filename == name else source.read(info)
            target.writestr(info.filename, body)
    return output.getvalue()


def with_sheet(rows: str, after: str = "", dimension: str = "") -> bytes:
    """A one-sheet workbook whose sheet XML holds `rows` (and `after` the sheet data)."""
    base = write_workbook([Sheet("S", (Column("A", "a"),), [["x"]])])
    xml = SHEET_XML.format(rows=rows, after=after, dimension=dimension)
    return with_part(base, "xl/worksheets/sheet1.xml", xml.encode())


def refused(data: bytes, match: str, limits: Limits | None = None) -> None:
    started = time.monotonic()
    with pytest.raises(RiskctlError, match=match) as caught:
        read_workbook(data, "in.xlsx", limits=limits)
    assert str(caught.value).startswith("in.xlsx: ")
    assert time.monotonic() - started < 20


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "not a zip file"),
        (b"id,title\nR-001,x\n", "not a zip file"),
        (b"PK\x03\x04" + b"\0" * 100, "not a zip file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "encrypted .* or an old Excel"),
    ],
    ids=["empty", "csv", "broken-zip", "ole"],
)
def test_a_file_that_is_no_workbook_is_refused(data: bytes, match: str) -> None:
    refused(data, match)


def _zip(entries: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return output.getvalue()


@pytest.mark.parametrize(
    ("entries", "match"),
    [
        ({"hello.txt": b"hi"}, "a zip file but not an xlsx workbook"),
        ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}, r"\.ods"),
        ({"[Content_Types].xml": b"<x/>", "xl/workbook.bin": b"\0"}, r"\.xlsb"),
        ({"[Content_Types].xml": b"<Types/>"}, "not a workbook riskctl can read"),
    ],
    ids=["zip", "ods", "xlsb", "no-workbook"],
)
def test_a_zip_that_is_no_workbook_is_refused(entries: dict[str, bytes], match: str) -> None:
    refused(_zip(entries), match)


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/big.xml": b"\0" * (4 << 20)})
    assert len(bomb) < 20_000
    refused(bomb, "unpacks to more than 1 MiB", Limits(part_bytes=1 << 20))
    refused(bomb, "unpacks to more than", Limits(total_bytes=2 << 20))


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """`data` with the central directory's uncompressed size of `member` set to `size`."""
    entry = b"PK\x01\x02"
    at = data.index(entry)
    out = bytearray(data)
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        name = data[at + 46 : at + 46 + name_length].decode()
        if name == member:
            struct.pack_into("<I", out, at + 24, size)
        at = data.find(entry, at + 46)
    return bytes(out)


def test_a_declared_size_is_checked_and_a_lying_one_is_caught(exported: bytes) -> None:
    refused(_declare_size(exported, "xl/styles.xml", 4_000_000_000), "unpacks to more than")
    refused(_declare_size(exported, "xl/worksheets/sheet1.xml", 10), "can read .*CRC")


def _patch_central_directory(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    """`data` with a field of every central directory entry set to `value`."""
    out = bytearray(data)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        struct.pack_into(fmt, out, at + offset, value)
        at = data.find(b"PK\x01\x02", at + 46)
    return bytes(out)


def test_a_zip_python_cannot_open_is_refused(exported: bytes) -> None:
    """Found by the damaged-file property: zipfile raises NotImplementedError, not BadZipFile."""
    refused(_patch_central_directory(exported, 6, "<H", 64), "cannot open: .*version 6.4")
    refused(_patch_central_directory(exported, 8, "<H", 1), "password")  # encrypted entries
    refused(_patch_central_directory(exported, 10, "<H", 99), "compression")  # unknown method


def test_merged_cells_are_refused() -> None:
    data = with_sheet(
        '<row r="1">' + inline("A1", "Process") + "</row>",
        after='<mergeCells count="1"><mergeCell ref="A2:A4"/></mergeCells>',
    )
    refused(data, r"sheet S: merged cells A2:A4")


def test_a_formula_reads_as_its_cached_value_or_is_refused() -> None:
    cached = with_sheet(
        '<row r="1">' + inline("A1", "n") + '</row><row r="2"><c r="A2"><f>1+1</f><v>2</v></c>'
        '<c r="B2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>'
    )
    (sheet,) = read_workbook(cached, "in.xlsx")
    assert sheet.rows == [[2, "ab"]]
    uncached = with_sheet(
        '<row r="1">' + inline("A1", "n") + '</row><row r="3"><c r="C3"><f>SUM(A1:A2)</f></c></row>'
    )
    refused(uncached, r"sheet S, cell C3: a formula \(=SUM\(A1:A2\)\) without a saved value")


def test_an_error_cell_is_refused() -> None:
    data = with_sheet('<row r="1"><c r="B1" t="e"><v>#N/A</v></c></row>')
    refused(data, r"sheet S, cell B1: holds the error #N/A")


def test_a_value_in_the_last_row_is_refused_in_bounded_time() -> None:
    rows = '<row r="1">' + inline("A1", "h") + '</row><row r="1048576">'
    rows += inline("A1048576", "far") + "</row>"
    refused(with_sheet(rows, dimension='<dimension ref="A1:A1048576"/>'), "row 1048576, beyond")


def test_a_value_in_the_last_column_is_refused() -> None:
    rows = '<row r="1">' + inline("A1", "h") + inline("XFD1", "far") + "</row>"
    refused(with_sheet(rows, dimension='<dimension ref="A1:XFD1"/>'), "column XFD .*beyond")


def test_many_rows_are_refused_beyond_the_limit() -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 2002))
    refused(with_sheet(rows), "row 1002, beyond the 1000 rows", Limits(rows=1000))


def test_wide_empty_rows_are_bounded_by_the_cells_scanned() -> None:
    """openpyxl pads a row up to its last cell, even an empty one: the padding is counted."""
    rows = "".join(f'<row r="{n}"><c r="XFD{n}" s="0"/></row>' for n in range(1, 20_001))
    refused(with_sheet(rows), "more than 2000000 cells to scan", Limits(scanned_cells=2_000_000))
    assert xlsx.MAX_SCANNED_CELLS * 10 < 20_000 * 16_384


def test_stray_empty_cells_far_away_are_ignored() -> None:
    rows = '<row r="1">' + inline("A1", "h") + '</row><row r="2"><c r="A2"><v>1</v></c>'
    rows += '</row><row r="1048576"><c r="XFD1048576" s="0"/></row>'
    (sheet,) = read_workbook(with_sheet(rows, dimension='<dimension ref="A1:XFD1048576"/>'), "x")
    assert sheet.header == ["h"] and sheet.rows == [[1]]


def test_malformed_xml_is_refused() -> None:
    refused(with_sheet('<row r="1"><c r="A1"><v>1</v></row>'), "not a workbook riskctl can read")


def test_entity_expansion_is_refused() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + "]>"
    )
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row>'
    xml = laughs + SHEET_XML.format(rows=rows, after="", dimension="")
    base = write_workbook([Sheet("S", (Column("A", "a"),), [["x"]])])
    refused(with_part(base, "xl/worksheets/sheet1.xml", xml.encode()), "riskctl can read")


def test_a_date_out_of_range_is_refused_not_warned() -> None:
    data = write_workbook(
        [Sheet("S", (Column("D", "d", type="date"),), [[datetime.date(2026, 1, 1)]])]
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    xml = xml.replace(b"<v>46023</v>", b"<v>99999999999</v>")
    assert b"99999999999" in xml
    refused(with_part(data, "xl/worksheets/sheet1.xml", xml), "cell A2: holds the error")


# --- properties -------------------------------------------------------------------------------

#: `make fuzz` (HYPOTHESIS_PROFILE=fuzz) runs many more examples; the default suite stays short.
FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
PROPERTY = settings(
    max_examples=2_000 if FUZZ else 30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15) + 1, 10**15 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.datetimes(),
    st.text(max_size=30),
    st.sampled_from(["=1+1", "'x", "#N/A", "TRUE", "007", " ", "_x", "a\nb", "_x00e9_", "x005F_"]),
)
PROPERTY_COLUMNS = tuple(Column(f"c{n}", f"c{n}") for n in range(4))


def holdable(text: str) -> bool:
    """What a workbook holds exactly (XML 1.0 characters; no CR; no `_xHHHH_`; Excel's length)."""
    control = any(ord(c) < 32 and c not in "\t\n" for c in text)
    return not (
        control
        or "\ufffe" in text
        or "\uffff" in text
        or re.search("_x[0-9A-Fa-f]{4}_", text)
        or "x005F_" in text  # openpyxl deletes it from shared strings
        or len(text) > 32_767
    )


def read_as(value: CellValue) -> CellValue:
    """What `value` reads back as (numbers compare by value: 2.0 reads as 2)."""
    if value == "":
        return None
    first_day = datetime.datetime(1900, 3, 1)
    if isinstance(value, datetime.datetime):
        exact = value >= first_day and value.microsecond % 1000 == 0
        return value if exact else value.isoformat()
    if isinstance(value, datetime.date) and value < first_day.date():
        return value.isoformat()
    return value


@PROPERTY
@given(st.lists(st.lists(CELLS, min_size=4, max_size=4), max_size=6))
def test_a_workbook_gives_back_every_value_or_refuses_it(rows: list[list[CellValue]]) -> None:
    sheet = Sheet("S", PROPERTY_COLUMNS, rows)
    texts = [value for row in rows for value in row if isinstance(value, str)]
    if not all(holdable(text) for text in texts):
        with pytest.raises(RiskctlError, match=r"sheet S, cell [A-D][0-9]+: the text has"):
            write_workbook([sheet])
        return
    (back,) = read_workbook(write_workbook([sheet]), "p.xlsx")
    expected = [[read_as(value) for value in row] for row in rows]
    while expected and all(value is None for value in expected[-1]):
        expected.pop()
    assert back.header == [column.header for column in PROPERTY_COLUMNS]
    assert back.rows == expected
    for got, want in zip(chain(*back.rows), chain(*expected), strict=True):
        assert type(got) is type(want) or (
            isinstance(want, float) and type(got) is int and want.is_integer()
        )


SMALL_WORKBOOK = write_workbook(rcm_sheets())


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, len(SMALL_WORKBOOK) - 1), st.integers(0, 255))))
def test_a_damaged_file_reads_or_is_refused(flips: list[tuple[int, int]]) -> None:
    data = bytearray(SMALL_WORKBOOK)
    for at, byte in flips:
        data[at] = byte
    try:
        read_workbook(bytes(data), "damaged.xlsx")
    except RiskctlError as error:
        assert str(error).startswith("damaged.xlsx: ")


with zipfile.ZipFile(io.BytesIO(SMALL_WORKBOOK)) as _archive:
    SHEET_SOURCE = _archive.read("xl/worksheets/sheet1.xml").decode()


@PROPERTY
@given(
    st.lists(
        st.tuples(st.integers(0, len(SHEET_SOURCE)), st.integers(0, 40), st.text(max_size=12)),
        min_size=1,
        max_size=4,
    )
)
def test_a_mangled_sheet_reads_or_is_refused(edits: list[tuple[int, int, str]]) -> None:
    """Edits to the sheet's XML (the zip intact) reach openpyxl's parser: never a traceback."""
    source = SHEET_SOURCE
    for at, cut, text in edits:
        source = source[:at] + text + source[at + cut :]
    data = with_part(SMALL_WORKBOOK, "xl/worksheets/sheet1.xml", source.encode("utf-8", "replace"))
    try:
        read_workbook(data, "mangled.xlsx")
    except RiskctlError as error:
        assert str(error).startswith("mangled.xlsx: ")
