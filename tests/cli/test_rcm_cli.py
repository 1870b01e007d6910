"""`riskctl rcm export|import` on real register copies: goldens, round trips, edits, refusals."""

from __future__ import annotations

import csv
import datetime
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.rcm.table import column_letter
from tests.conftest import FROZEN_NOW, SHIPPED_REGISTER, TESTS, check_golden

runner = CliRunner()
GOLDEN = TESTS / "golden" / "rcm"
STYLES = TESTS / "data" / "rcm" / "styles"


def _run(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["rcm", *arguments])
    return result.exit_code, result.stdout, result.stderr


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    target = tmp_path / "register"
    shutil.copytree(SHIPPED_REGISTER, target)
    return target


def _export(register: Path, out: Path) -> list[list[str]]:
    code, stdout, stderr = _run("export", str(register), "--out", str(out), "--now", FROZEN_NOW)
    assert (code, stderr) == (0, ""), stderr
    assert stdout.startswith(f"wrote {out}: ")
    return list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))


@dataclass(frozen=True)
class Exports:
    """The shipped register's RCM as `_export` and `_export_xlsx` write it."""

    csv: bytes
    rows: list[list[str]]
    xlsx: bytes


@pytest.fixture(scope="module")
def shipped_exports(tmp_path_factory: pytest.TempPathFactory) -> Exports:
    """The shipped register's RCM, exported once (50 ms as CSV, 190 ms as a workbook each time)
    for the tests that edit it and import it into their copy of the register, which exports the
    same bytes (test_export_then_import_changes_no_byte checks, in both formats). Never edited:
    `rcm_rows` and `rcm_xlsx` give each test its own."""
    folder = tmp_path_factory.mktemp("rcm")
    rows = _export(SHIPPED_REGISTER, folder / "rcm.csv")
    xlsx = _export_xlsx(SHIPPED_REGISTER, folder / "rcm.xlsx")
    return Exports((folder / "rcm.csv").read_bytes(), rows, xlsx)


@pytest.fixture
def rcm_rows(shipped_exports: Exports) -> list[list[str]]:
    """The rows `_export(shipped, ...)` gives, for the test to edit."""
    return [list(row) for row in shipped_exports.rows]


@pytest.fixture
def rcm_xlsx(shipped_exports: Exports, tmp_path: Path) -> Path:
    """The workbook `_export_xlsx(shipped, ...)` writes, as the test's own rcm.xlsx to edit."""
    out = tmp_path / "rcm.xlsx"
    out.write_bytes(shipped_exports.xlsx)
    return out


def _write(rows: list[list[str]], out: Path) -> None:
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\r\n").writerows(rows)
    out.write_text(stream.getvalue(), encoding="utf-8")


def _cell(rows: list[list[str]], risk: str, control: str, header: str) -> tuple[int, int]:
    column = rows[0].index(header)
    for index, row in enumerate(rows):
        if row[1] == risk and row[6] == control:
            return index, column
    raise AssertionError((risk, control))


def test_export_csv_golden_on_the_shipped_register(update_golden: bool) -> None:
    code, stdout, stderr = _run("export", str(SHIPPED_REGISTER), "--out", "-", "--now", FROZEN_NOW)
    assert (code, stderr) == (0, "")
    assert stdout.startswith("\ufeffprocess,risk,risk title,inherent L,")
    check_golden(GOLDEN / "register.csv", stdout, update_golden)


def test_export_writes_the_file_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "rcm.csv"
    code, stdout, stderr = _run("export", str(SHIPPED_REGISTER), "--out", str(out))
    assert (code, stdout, stderr) == (0, f"wrote {out}: 78 risk-control pairs\n", "")
    assert out.read_text(encoding="utf-8") == (GOLDEN / "register.csv").read_text("utf-8")


@pytest.mark.parametrize("source", [SHIPPED_REGISTER, STYLES], ids=["shipped", "styles"])
def test_export_then_import_changes_no_byte(
    source: Path, tmp_path: Path, shipped_exports: Exports
) -> None:
    register = tmp_path / "register"
    shutil.copytree(source, register)
    before = _tree(register)
    out = tmp_path / "rcm.csv"
    _export(register, out)
    if source == SHIPPED_REGISTER:  # what the import tests edit
        assert out.read_bytes() == shipped_exports.csv
    code, stdout, stderr = _run("import", str(out), str(register))
    assert (code, stderr) == (0, "")
    assert stdout == "no edits: the file matches the register; nothing written\n"
    assert _tree(register) == before


def test_import_as_a_spreadsheet_saved_it_is_no_edit(
    shipped: Path, tmp_path: Path, rcm_rows: list[list[str]]
) -> None:
    """Semicolons, CRLF, no byte-order mark, TRUE/FALSE, 4.0, dates in en-US form."""
    before = _tree(shipped)
    rows = rcm_rows
    saved = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if value in ("true", "false"):
                value = value.upper()
            elif rows[0][index] in ("inherent L", "residual I") and value.isdigit():
                value += ".0"
            elif rows[0][index] == "last test" and value and row is not rows[0]:
                year, month, day = value.split("-")
                value = f"{int(month)}/{int(day)}/{year[2:]}"
            cells.append(value)
        saved.append(cells)
    out = tmp_path / "saved.csv"
    stream = io.StringIO()
    csv.writer(stream, delimiter=";", lineterminator="\r\n").writerows(saved)
    out.write_bytes(stream.getvalue().encode("utf-8"))
    code, stdout, stderr = _run("import", str(out), str(shipped))
    assert (code, stderr) == (0, ""), stderr
    assert stdout == "no edits: the file matches the register; nothing written\n"
    assert _tree(shipped) == before


def test_import_applies_edits_of_each_type_byte_minimally(
    shipped: Path, tmp_path: Path, rcm_rows: list[list[str]]
) -> None:
    rows = rcm_rows
    for header, value in [
        ("inherent L", "4"),
        ("key", "FALSE"),
        ("frequency", "Daily"),
        ("control title", "3-D Secure 2 on every first purchase"),
    ]:
        row, column = _cell(rows, "R-001", "C-001", header)
        rows[row][column] = value
    row, column = _cell(rows, "R-001", "C-003", "design")
    rows[row][column] = "partially-effective"
    out = tmp_path / "edited.csv"
    _write(rows, out)
    before = _tree(shipped)
    code, stdout, stderr = _run("import", str(out), str(shipped), "--now", FROZEN_NOW)
    assert (code, stderr) == (0, "")
    assert stdout.splitlines() == [
        "C-001 title: 3-D Secure 2 challenge on first card purchase and on purchases above "
        "USD 100 -> 3-D Secure 2 on every first purchase (RCM!H2 (control title))",
        "C-001 key: true -> false (RCM!I2 (key))",
        "C-001 frequency: continuous -> daily (RCM!L2 (frequency))",
        "C-003 effectiveness.design: effective -> partially-effective (RCM!M4 (design))",
        "R-001 inherent.likelihood: 5 -> 4 (RCM!D2 (inherent L))",
        f"changed 3 files: {shipped}/controls/C-001.yaml, {shipped}/controls/C-003.yaml, "
        f"{shipped}/risks/R-001.yaml",
    ]
    after = _tree(shipped)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"controls/C-001.yaml", "controls/C-003.yaml", "risks/R-001.yaml"}

    def lines(name: str) -> tuple[list[str], list[str]]:
        old = before[name].decode().splitlines()
        new = after[name].decode().splitlines()
        return [x for x in old if x not in new], [x for x in new if x not in old]

    assert lines("controls/C-001.yaml") == (
        [
            "title: 3-D Secure 2 challenge on first card purchase and on purchases above USD 100",
            "key: true",
            "frequency: continuous",
        ],
        ["title: 3-D Secure 2 on every first purchase", "key: false", "frequency: daily"],
    )
    assert lines("controls/C-003.yaml") == (
        ["effectiveness: {design: effective, operating: ineffective}"],
        ["effectiveness: {design: partially-effective, operating: ineffective}"],
    )
    assert lines("risks/R-001.yaml") == (
        ["inherent: {likelihood: 5, impact: 5}"],
        ["inherent: {likelihood: 4, impact: 5}"],
    )
    for name in changed:
        assert len(before[name].splitlines()) == len(after[name].splitlines())


def test_dry_run_prints_the_diff_and_the_edits_and_writes_nothing(
    shipped: Path, tmp_path: Path, rcm_rows: list[list[str]]
) -> None:
    rows = rcm_rows
    row, column = _cell(rows, "R-001", "C-003", "design")
    rows[row][column] = "ineffective"
    out = tmp_path / "edited.csv"
    _write(rows, out)
    before = _tree(shipped)
    code, stdout, stderr = _run("import", str(out), str(shipped), "--dry-run", "--now", FROZEN_NOW)
    assert (code, stderr) == (0, "")
    assert stdout == (
        "worktree → import: 1 modified; 0 risk level(s) up, 0 down; gates: "
        "effectiveness-downgraded\n"
        "\n"
        "control C-003: modified\n"
        "  effectiveness.design: effective → ineffective\n"
        "\n"
        "gates:\n"
        "  effectiveness-downgraded: C-003 design effectiveness went down from effective to "
        "ineffective\n"
        "\n"
        "C-003 effectiveness.design: effective -> ineffective (RCM!M4 (design))\n"
        "dry run: 1 file would change; nothing written\n"
    )
    assert _tree(shipped) == before


def test_rows_left_out_of_the_file_are_left_alone_and_said(
    shipped: Path, tmp_path: Path, rcm_rows: list[list[str]]
) -> None:
    rows = rcm_rows
    out = tmp_path / "short.csv"
    _write(rows[:11], out)
    code, stdout, stderr = _run("import", str(out), str(shipped))
    assert (code, stderr) == (0, "")
    assert stdout == (
        "RCM: 68 rows of the register not in the file: left alone\n"
        "no edits: the file matches the register; nothing written\n"
    )


def _refused(
    shipped: Path, tmp_path: Path, rows: list[list[str]], edit: dict[tuple[str, str, str], str]
) -> str:
    for (risk, control, header), value in edit.items():
        row, column = _cell(rows, risk, control, header)
        rows[row][column] = value
    out = tmp_path / "edited.csv"
    _write(rows, out)
    before = _tree(shipped)
    code, stdout, stderr = _run("import", str(out), str(shipped))
    assert (code, stdout) == (3, "")
    assert _tree(shipped) == before
    return stderr


REFUSALS = {
    "bad-enum": (
        {("R-001", "C-001", "nature"): "proactive"},
        "RCM!J2 (nature): 'proactive' is not one of preventive, detective, corrective",
    ),
    "bad-type": (
        {("R-001", "C-001", "inherent L"): "high"},
        "RCM!D2 (inherent L): 'high' is not a whole number",
    ),
    "out-of-range": (
        {("R-001", "C-001", "inherent L"): "7"},
        "RCM!D2 (inherent L): R-001 would not validate: inherent.likelihood: input should be "
        "less than or equal to 5",
    ),
    "derived-column": (
        {("R-001", "C-001", "residual level"): "low"},
        "RCM!U2 (residual level): 'low' differs from the register's 'critical', but this "
        "column is computed by riskctl and is not imported",
    ),
    "id-column": (
        {("R-001", "C-001", "risk title"): "x", ("R-001", "C-002", "control"): "C-001"},
        "RCM!B3: R-001 / C-001 appears again (first in row 2)",
    ),
    "conflicting-edits": (
        {("R-001", "C-001", "risk title"): "One", ("R-001", "C-002", "risk title"): "Two"},
        "RCM!C3 (risk title): R-001 title is 'Two' here but 'One' in RCM!C2 (risk title): "
        "edit it in one place",
    ),
    "unknown-id": (
        {("R-001", "C-001", "control"): "C-999"},
        "RCM!B2: R-001 / C-999 is not a row of the register's RCM sheet",
    ),
    "formula": (
        {("R-001", "C-001", "control title"): '=HYPERLINK("http://x")'},
        "RCM!H2 (control title): '=HYPERLINK(\"http://x\")' starts like a formula",
    ),
    "emptied-required": (
        {("R-001", "C-001", "nature"): ""},
        "RCM!J2 (nature): cannot be empty: the field is required",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_a_bad_edit_is_refused_naming_its_cell_and_nothing_is_written(
    name: str, shipped: Path, tmp_path: Path, rcm_rows: list[list[str]]
) -> None:
    edit, message = REFUSALS[name]
    stderr = _refused(shipped, tmp_path, rcm_rows, edit)
    assert stderr.startswith(f"riskctl: error: {tmp_path}/edited.csv: "), stderr
    assert "nothing written:\n  " in stderr
    assert message in stderr, stderr


def test_a_formula_escaped_cell_reads_as_its_text(
    shipped: Path, tmp_path: Path, rcm_rows: list[list[str]]
) -> None:
    rows = rcm_rows
    row, column = _cell(rows, "R-001", "C-001", "control title")
    rows[row][column] = "'=Velocity (per card)"
    out = tmp_path / "edited.csv"
    _write(rows, out)
    code, stdout, stderr = _run("import", str(out), str(shipped))
    assert (code, stderr) == (0, "")
    assert stdout.startswith("C-001 title: 3-D Secure 2 challenge on first card purchase and on ")
    assert "\ntitle: =Velocity (per card)\n" in (shipped / "controls/C-001.yaml").read_text()
    assert _export(shipped, tmp_path / "again.csv")[row][column] == "'=Velocity (per card)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01PK binary", "a binary file (a NUL byte), not a CSV file"),
        (b"\xff\xfe\x00\xd8", "starts like UTF-16 text but is not valid UTF-16"),
        (b"when,amount\nx,1\n", "the first row has none of the column headers of the RCM"),
        (b"", "an empty file"),
        (b'process,risk\n"unterminated\n', "not CSV"),
        ("process,risk,control\n\xe9".encode("latin-1"), "not UTF-8 text (byte 0xe9)"),
    ],
    ids=["nul", "utf16", "not-rcm", "empty", "bad-quote", "latin-1"],
)
def test_a_file_that_is_not_an_rcm_csv_is_refused(
    content: bytes, message: str, shipped: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bad.csv"
    out.write_bytes(content)
    before = _tree(shipped)
    code, stdout, stderr = _run("import", str(out), str(shipped))
    assert (code, stdout) == (3, ""), stderr
    assert message in stderr, stderr
    assert _tree(shipped) == before


def test_a_huge_file_and_a_fifo_are_refused(shipped: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as stream:
        stream.truncate(20_000_001)
    code, _, stderr = _run("import", str(huge), str(shipped))
    assert code == 3
    assert "larger than 20,000,000 bytes" in stderr
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    code, _, stderr = _run("import", str(fifo), str(shipped))
    assert (code, stderr) == (
        3,
        f"riskctl: error: FILE {fifo}: a FIFO (named pipe), not a regular file\n",
    )


def test_xlsx_to_standard_output_is_a_usage_error() -> None:
    code, _, stderr = _run("export", str(SHIPPED_REGISTER), "--format", "xlsx", "--out", "-")
    assert code == 2
    assert "xlsx is a binary file" in stderr


# --- xlsx ----------------------------------------------------------------------------------------


def _export_xlsx(register: Path, out: Path, *now: str) -> bytes:
    code, stdout, stderr = _run("export", str(register), "-f", "xlsx", "--out", str(out), *now)
    assert (code, stderr) == (0, "")
    assert stdout == f"wrote {out}: {stdout.split(': ', 1)[1]}"
    return out.read_bytes()


def test_export_xlsx_is_deterministic_and_holds_every_sheet(tmp_path: Path) -> None:
    first = _export_xlsx(SHIPPED_REGISTER, tmp_path / "a.xlsx", "--now", FROZEN_NOW)
    again = _export_xlsx(SHIPPED_REGISTER, tmp_path / "b.xlsx", "--now", FROZEN_NOW)
    undated = _export_xlsx(SHIPPED_REGISTER, tmp_path / "c.xlsx")
    assert first == again
    assert undated != first  # --now is the workbook's date; without it a fixed one
    assert undated == _export_xlsx(SHIPPED_REGISTER, tmp_path / "d.xlsx")
    workbook = load_workbook(tmp_path / "a.xlsx")
    assert workbook.sheetnames[:8] == [
        "RCM", "Risks", "Controls", "Owners", "KRIs", "Incidents", "Launches", "Acceptances",
    ]  # fmt: skip
    assert workbook.properties.created == datetime.datetime(2026, 11, 27)
    rcm = workbook["RCM"]
    assert [cell.value for cell in rcm[2]][:9] == [
        "Gift-coin purchase (card)", "R-001",
        "Stolen-card coin purchases push chargebacks past card-scheme thresholds", 5, 5,
        "critical", "C-001",
        "3-D Secure 2 challenge on first card purchase and on purchases above USD 100", True,
    ]  # fmt: skip
    assert rcm.max_row == 79
    assert workbook["Controls"].max_row == 77


@pytest.mark.parametrize("source", [SHIPPED_REGISTER, STYLES], ids=["shipped", "styles"])
def test_export_xlsx_then_import_changes_no_byte(
    source: Path, tmp_path: Path, shipped_exports: Exports
) -> None:
    register = tmp_path / "register"
    shutil.copytree(source, register)
    before = _tree(register)
    out = tmp_path / "rcm.xlsx"
    exported = _export_xlsx(register, out)
    if source == SHIPPED_REGISTER:  # what the import tests edit
        assert exported == shipped_exports.xlsx
    code, stdout, stderr = _run("import", str(out), str(register))
    assert (code, stderr, stdout) == (
        0,
        "",
        "no edits: the file matches the register; nothing written\n",
    )
    assert _tree(register) == before


def _edit_xlsx(path: Path, edits: dict[tuple[str, str], object]) -> None:
    """Set cells by sheet and reference (`Controls!H2`), as a person would in a spreadsheet."""
    workbook = load_workbook(path)
    for (sheet, reference), value in edits.items():
        workbook[sheet][reference].value = value
    workbook.save(path)


def _header_column(path: Path, sheet: str, header: str) -> str:
    workbook = load_workbook(path, read_only=True)
    headers = [cell.value for cell in next(workbook[sheet].iter_rows(max_row=1))]
    workbook.close()
    return column_letter(headers.index(header))


def test_xlsx_edits_in_the_kind_sheets_apply_byte_minimally(tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(STYLES, register)
    out = tmp_path / "rcm.xlsx"
    _export_xlsx(register, out)
    risks_reviewed = _header_column(out, "Risks", "reviewed")
    residual = _header_column(out, "Risks", "residual.likelihood")
    residual_impact = _header_column(out, "Risks", "residual.impact")
    cost = _header_column(out, "Controls", "annual_cost")
    reduces = _header_column(out, "Controls", "reduces")
    _edit_xlsx(
        out,
        {
            ("Risks", f"{risks_reviewed}2"): datetime.datetime(2026, 11, 16),
            ("Risks", f"{residual}2"): 3,
            ("Risks", f"{residual_impact}2"): 3,
            ("Controls", f"{cost}2"): 12000.0,
            ("Controls", f"{reduces}2"): None,
            ("Controls", "B2"): "@Velocity limits, per card",
        },
    )
    before = _tree(register)
    code, stdout, stderr = _run("import", str(out), str(register))
    assert (code, stderr) == (0, "")
    assert stdout.splitlines()[:6] == [
        "C-001 title: Purchase velocity limits -> @Velocity limits, per card (Controls!B2 (title))",
        "C-001 reduces: likelihood -> (none) (Controls!J2 (reduces))",
        "C-001 annual_cost: (none) -> 12000 (Controls!O2 (annual_cost))",
        "R-001 residual.likelihood: (none) -> 3 (Risks!J2 (residual.likelihood))",
        "R-001 residual.impact: (none) -> 3 (Risks!K2 (residual.impact))",
        "R-001 reviewed: 2026-10-01 -> 2026-11-16 (Risks!Q2 (reviewed))",
    ]
    after = _tree(register)
    old_control = before["controls/C-001.yaml"].decode().splitlines()
    new_control = after["controls/C-001.yaml"].decode().splitlines()
    assert [line for line in old_control if line not in new_control] == [
        'title: "Purchase velocity limits"',
        "reduces: likelihood",
    ]
    assert [line for line in new_control if line not in old_control] == [
        'title: "@Velocity limits, per card"',
        "annual_cost: 12000",
    ]
    old_risk = before["risks/R-001.yaml"].decode().splitlines()
    new_risk = after["risks/R-001.yaml"].decode().splitlines()
    assert [line for line in old_risk if line not in new_risk] == ["reviewed: 2026-10-01"]
    assert [line for line in new_risk if line not in old_risk] == [
        "reviewed: 2026-11-16",
        "residual: {likelihood: 3, impact: 3}",
    ]


def test_xlsx_conflicting_edits_between_the_rcm_and_a_kind_sheet_are_refused(
    shipped: Path, rcm_xlsx: Path
) -> None:
    out = rcm_xlsx
    _edit_xlsx(out, {("RCM", "L2"): "daily", ("Controls", "H2"): "weekly"})
    before = _tree(shipped)
    code, stdout, stderr = _run("import", str(out), str(shipped))
    assert (code, stdout) == (3, "")
    assert stderr == (
        f"riskctl: error: {out}: 1 problem; nothing written:\n"
        "  Controls!H2 (frequency): C-001 frequency is 'weekly' here but 'daily' in "
        "RCM!L2 (frequency): edit it in one place\n"
    )
    assert _tree(shipped) == before


def test_xlsx_a_reference_to_nothing_is_refused(shipped: Path, rcm_xlsx: Path) -> None:
    out = rcm_xlsx
    _edit_xlsx(out, {("Controls", "D2"): "nobody"})
    before = _tree(shipped)
    code, stdout, stderr = _run("import", str(out), str(shipped))
    assert (code, stdout) == (3, "")
    assert "Controls!D2 (owner): C-001 " in stderr
    assert "'nobody'" in stderr and "[RK103]" in stderr
    assert _tree(shipped) == before


def test_xlsx_an_ambiguous_date_asks_for_iso(shipped: Path, rcm_xlsx: Path) -> None:
    out = rcm_xlsx
    reviewed = _header_column(out, "Risks", "reviewed")
    _edit_xlsx(out, {("Risks", f"{reviewed}2"): "03/04/2026"})
    code, _, stderr = _run("import", str(out), str(shipped))
    assert code == 3
    assert (
        f"Risks!{reviewed}2 (reviewed): '03/04/2026' is an ambiguous date (2026-03-04 or "
        "2026-04-03): write it as YYYY-MM-DD"
    ) in stderr


def test_a_workbook_that_is_not_one_is_refused(shipped: Path, tmp_path: Path) -> None:
    fake = tmp_path / "rcm.xlsx"
    fake.write_text("process,risk\n", encoding="utf-8")
    code, stdout, stderr = _run("import", str(fake), str(shipped))
    assert (code, stdout) == (3, "")
    assert stderr.startswith(f"riskctl: error: {fake}: not an xlsx workbook (not a zip file")


def test_xlsx_a_formula_cell_is_refused(shipped: Path, rcm_xlsx: Path) -> None:
    out = rcm_xlsx
    _edit_xlsx(out, {("Controls", "B2"): "=UPPER(C2)"})
    code, stdout, stderr = _run("import", str(out), str(shipped))
    assert (code, stdout) == (3, "")
    assert stderr.startswith(
        f"riskctl: error: {out}: sheet Controls, cell B2: a formula (=UPPER(C2)) without a saved "
        "value"
    )


def test_the_exported_workbook_has_validations_colours_and_a_frozen_header(
    tmp_path: Path,
) -> None:
    out = tmp_path / "rcm.xlsx"
    _export_xlsx(SHIPPED_REGISTER, out)
    rcm = load_workbook(out)["RCM"]
    assert rcm.freeze_panes == "A2"
    assert rcm["A1"].font.b is True
    last = 1 + 78 + 1000  # the rows, and empty rows below for added values
    lists = {str(v.sqref): v.formula1 for v in rcm.data_validations.dataValidation}
    assert lists[f"I2:I{last}"] == '"TRUE,FALSE"'  # key
    assert lists[f"J2:J{last}"] == '"preventive,detective,corrective"'
    assert lists[f"L2:L{last}"] == (
        '"continuous,multiple-daily,daily,weekly,monthly,quarterly,annual,event-driven"'
    )
    assert lists[f"M2:M{last}"] == '"effective,partially-effective,ineffective,not-tested"'
    assert (rcm["U2"].value, rcm["U2"].fill.fgColor.rgb) == ("critical", "00C00000")
    assert rcm["U1"].fill.fgColor.rgb == "00D9D9D9"  # computed: grey, not imported
    assert rcm["O1"].fill.fill_type is None  # maps to: editable, as in the Controls sheet
    assert rcm["J1"].fill.fill_type is None  # nature: editable


def test_a_kind_sheet_saved_as_csv_imports_its_edits(shipped: Path, tmp_path: Path) -> None:
    """The Controls sheet of the workbook, saved as CSV: found by its header row."""
    rows = [["id", "title", "frequency", "key"], ["C-005", "", "daily", "FALSE"]]
    out = tmp_path / "controls.csv"
    _write(rows, out)
    code, stdout, stderr = _run("import", str(out), str(shipped))
    assert (code, stdout) == (3, "")
    assert "Controls!B2 (title): cannot be empty: the field is required" in stderr
    rows[1][1] = "Acquirer rule-parity suite: velocity, 3DS and block rules replayed on every route"
    _write(rows, out)
    code, stdout, stderr = _run("import", str(out), str(shipped))
    assert (code, stderr) == (0, "")
    assert stdout.splitlines() == [
        "C-005 frequency: weekly -> daily (Controls!C2 (frequency))",
        "Controls: 75 rows of the register not in the file: left alone",
        f"changed 1 file: {shipped}/controls/C-005.yaml",
    ]


def _maps_to_edit(shipped: Path, tmp_path: Path, cells: dict[str, str]) -> tuple[int, str, str]:
    """Set the `maps to` cell of each control's first RCM row, and import the file."""
    rows = _export(shipped, tmp_path / "rcm.csv")  # as the register is now: called twice
    column = rows[0].index("maps to")
    for control, value in cells.items():
        row = next(row for row in rows[1:] if row[6] == control)
        row[column] = value
    out = tmp_path / "edited.csv"
    _write(rows, out)
    return _run("import", str(out), str(shipped), "--now", FROZEN_NOW)


def test_the_rcm_maps_to_column_round_trips_mappings_added_and_removed(
    shipped: Path, tmp_path: Path
) -> None:
    """C-001 gains a mapping (a flow list), C-003 gets its first (no key before), C-073 loses
    some (a block list): each file changes only in its maps_to lines."""
    before = _tree(shipped)
    code, stdout, stderr = _maps_to_edit(
        shipped,
        tmp_path,
        {
            "C-001": "nist-csf-2.0:PR.AA-03, nist-csf-2.0:PR.AA-04",
            "C-003": "nist-csf-2.0:DE.CM-01",
        },
    )
    assert (code, stderr) == (0, ""), stderr
    assert "C-001 maps_to: [nist-csf-2.0:PR.AA-03] -> [nist-csf-2.0:PR.AA-03, " in stdout
    after = _tree(shipped)
    assert {name for name in before if before[name] != after[name]} == {
        "controls/C-001.yaml",
        "controls/C-003.yaml",
    }
    assert after["controls/C-001.yaml"] == before["controls/C-001.yaml"].replace(
        b"maps_to: [nist-csf-2.0:PR.AA-03]\n",
        b'maps_to: ["nist-csf-2.0:PR.AA-03", "nist-csf-2.0:PR.AA-04"]\n',
    )
    assert after["controls/C-003.yaml"] == (
        before["controls/C-003.yaml"] + b'maps_to: ["nist-csf-2.0:DE.CM-01"]\n'
    )
    # C-073's block list, one item removed: the lines before maps_to stay byte for byte (the
    # list's items are written again, quoted, by load/edit).
    kept = [f"nist-csf-2.0:{each}" for each in ("GV.SC-01", "GV.SC-02", "GV.SC-03", "GV.SC-04")]
    code, _, stderr = _maps_to_edit(shipped, tmp_path, {"C-073": ", ".join(kept)})
    assert (code, stderr) == (0, ""), stderr
    old, new = before["controls/C-073.yaml"], _tree(shipped)["controls/C-073.yaml"]
    head = old[: old.index(b"maps_to:")]
    assert new.startswith(head)
    assert yaml.safe_load(new[len(head) :]) == {"maps_to": kept}
    # exported again, the column reads as it was imported
    rows = _export(shipped, tmp_path / "again.csv")
    column = rows[0].index("maps to")
    assert next(row for row in rows if row[6] == "C-003")[column] == "nist-csf-2.0:DE.CM-01"


def test_an_invalid_mapping_in_the_rcm_is_refused_naming_its_cell(
    shipped: Path, tmp_path: Path
) -> None:
    before = _tree(shipped)
    code, stdout, stderr = _maps_to_edit(shipped, tmp_path, {"C-002": "NIST CSF:DE.AE-02"})
    assert (code, stdout) == (3, "")
    assert "RCM!O3 (maps to): C-002 would not validate: maps_to.0: expected FRAMEWORK:" in stderr
    assert _tree(shipped) == before


def test_xlsx_the_rcm_and_control_sheet_mappings_must_agree(shipped: Path, rcm_xlsx: Path) -> None:
    out = rcm_xlsx
    maps_to = _header_column(out, "Controls", "maps_to")
    _edit_xlsx(
        out,
        {
            ("RCM", "O2"): "nist-csf-2.0:PR.AA-04",
            ("Controls", f"{maps_to}2"): "nist-csf-2.0:PR.AA-05",
        },
    )
    before = _tree(shipped)
    code, stdout, stderr = _run("import", str(out), str(shipped))
    assert (code, stdout) == (3, "")
    assert "edit it in one place" in stderr and "RCM!O2 (maps to)" in stderr
    assert _tree(shipped) == before
