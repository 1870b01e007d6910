"""The `quant:` block in the Risks sheet: a dotted column per leaf of every form (poisson,
pert, fair; lognormal, pert, secondary; residual), through a real xlsx and back.

Values of the form a risk has are edited in the sheet; adding a second form, or switching a
risk from one form to another, is refused naming the cell (that is done in the risk's file)."""

from __future__ import annotations

import copy
import datetime
import shutil
from pathlib import Path

import pytest

from riskctl.errors import RiskctlError
from riskctl.load import load, read_directory
from riskctl.rcm.plan import plan_import
from riskctl.rcm.sheets import CellValue, RawSheet
from riskctl.rcm.table import build_sheets, column_letter
from riskctl.rcm.xlsx import read_workbook, write_workbook
from riskctl.writes import apply_changes
from tests.conftest import SHIPPED_REGISTER

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def register(tmp_path: Path) -> Path:
    target = tmp_path / "register"
    shutil.copytree(SHIPPED_REGISTER, target)
    return target


def exported(register: Path) -> list[RawSheet]:
    """The register's workbook, written and read back as a person's application would."""
    sheets = build_sheets(load(read_directory(register)).register)
    return read_workbook(write_workbook(sheets), "rcm.xlsx")


@pytest.fixture(scope="module")
def shipped_workbook() -> list[RawSheet]:
    """The shipped register's workbook, exported once for the module (0.25 s each time); the
    first test checks that a copy of the register exports the same."""
    return exported(SHIPPED_REGISTER)


@pytest.fixture
def sheets(shipped_workbook: list[RawSheet]) -> list[RawSheet]:
    """The workbook of the `register` copy, for a test to edit: its own copy of the shared one."""
    return copy.deepcopy(shipped_workbook)


def cell(sheets: list[RawSheet], risk: str, header: str) -> tuple[RawSheet, int, int, str]:
    """The Risks sheet, the row and column of `risk`'s `header`, and the cell's name."""
    risks = next(sheet for sheet in sheets if sheet.name == "Risks")
    row = next(index for index, cells in enumerate(risks.rows) if cells[0] == risk)
    column = risks.header.index(header)
    return risks, row, column, f"Risks!{column_letter(column)}{risks.first_row + row}"


def imported(register: Path, sheets: list[RawSheet]) -> dict[str, bytes]:
    """Import `sheets` into `register`: the files it changed, with their new bytes."""
    plan = plan_import(load(read_directory(register)), register, sheets, "rcm.xlsx", TODAY)
    apply_changes(register, plan.changes)
    return {change.path.name: change.after for change in plan.changes}


def test_every_shipped_form_has_its_columns_and_reads_back_as_no_edit(
    register: Path, shipped_workbook: list[RawSheet]
) -> None:
    sheets = exported(register)
    assert sheets == shipped_workbook  # what the other tests edit
    risks = next(sheet for sheet in sheets if sheet.name == "Risks")
    quant = [header for header in risks.header if str(header).startswith("quant.")]
    for header in (
        "quant.frequency.poisson.lambda",
        "quant.frequency.pert.high",
        "quant.frequency.fair.threat_event_frequency.pert.mode",
        "quant.frequency.fair.vulnerability",
        "quant.frequency.fair.control_strength.low",
        "quant.magnitude.lognormal.level",
        "quant.magnitude.secondary.probability",
        "quant.pert_method",
        "quant.residual.frequency.fair.control_strength.high",
    ):
        assert header in quant
    assert "quant.currency" not in risks.header  # the currency is riskctl.yaml's
    _, row, column, _ = cell(sheets, "R-013", "quant.frequency.poisson.lambda")
    assert risks.rows[row][column] == 0.3
    before = {path: path.read_bytes() for path in register.rglob("*.yaml")}
    assert imported(register, sheets) == {}
    assert {path: path.read_bytes() for path in register.rglob("*.yaml")} == before


@pytest.mark.parametrize(
    ("risk", "header", "value", "old_line", "new_line"),
    [
        ("R-013", "quant.frequency.poisson.lambda", 0.5, "lambda: 0.3", "lambda: 0.5"),
        ("R-001", "quant.frequency.pert.high", 12, "high: 10", "high: 12"),
        (
            "R-006",
            "quant.residual.frequency.fair.control_strength.high",
            0.99,
            "high: 0.97",
            "high: 0.99",
        ),
        ("R-001", "quant.pert_method", "pyfair-moments", None, "pert_method: pyfair-moments"),
    ],
)
def test_an_edited_loss_input_changes_only_its_line(
    register: Path,
    sheets: list[RawSheet],
    risk: str,
    header: str,
    value: CellValue,
    old_line: str | None,
    new_line: str,
) -> None:
    risks, row, column, _ = cell(sheets, risk, header)
    risks.rows[row][column] = value
    file = register / "risks" / f"{risk}.yaml"
    before = file.read_text(encoding="utf-8")
    assert list(imported(register, sheets)) == [f"{risk}.yaml"]
    after = file.read_text(encoding="utf-8")
    if old_line is None:
        assert after.startswith(before) and after[len(before) :].strip() == new_line
    else:
        removed = [line for line in before.splitlines() if line not in after.splitlines()]
        added = [line for line in after.splitlines() if line not in before.splitlines()]
        assert [line.strip() for line in removed] == [old_line]
        assert [line.strip() for line in added] == [new_line]
    loaded = load(read_directory(register))
    assert loaded.failed == {} and loaded.hits == []


@pytest.mark.parametrize(
    ("risk", "header", "value", "why"),
    [
        (
            "R-001",
            "quant.frequency.pert.high",
            1,
            "R-001 would not validate: quant.frequency.pert: a PERT: expected low <= mode <= "
            "high and low < high, not low 2, mode 4, high 1",
        ),
        (
            "R-013",
            "quant.frequency.poisson.lambda",
            2e6,
            "R-013 would not validate: quant.frequency.poisson.lambda: input should be less "
            "than or equal to 1000000, found 2000000",
        ),
        (
            "R-013",
            "quant.magnitude.lognormal.level",
            1.5,
            "R-013 would not validate: quant.magnitude.lognormal.level: input should be less "
            "than 1, found 1.5",
        ),
        (
            "R-002",  # no quant block: a frequency alone is not one
            "quant.frequency.poisson.lambda",
            3,
            "R-002 would not validate: missing required key 'magnitude' in quant",
        ),
        ("R-013", "quant.pert_method", "vose", "'vose' is not one of modified, pyfair-moments"),
    ],
)
def test_an_invalid_loss_input_is_refused_naming_the_cell(
    register: Path, sheets: list[RawSheet], risk: str, header: str, value: CellValue, why: str
) -> None:
    risks, row, column, name = cell(sheets, risk, header)
    risks.rows[row][column] = value
    before = {path: path.read_bytes() for path in register.rglob("*.yaml")}
    with pytest.raises(RiskctlError) as raised:
        imported(register, sheets)
    assert f"{name} ({header}): {why}" in str(raised.value), str(raised.value)
    assert {path: path.read_bytes() for path in register.rglob("*.yaml")} == before


def test_a_second_form_is_refused_naming_the_cell(register: Path, sheets: list[RawSheet]) -> None:
    """R-001's frequency is a PERT: a Poisson rate beside it would make two forms."""
    risks, row, column, name = cell(sheets, "R-001", "quant.frequency.poisson.lambda")
    risks.rows[row][column] = 3
    with pytest.raises(RiskctlError, match=rf"{name} \(quant.frequency.poisson.lambda\): "):
        imported(register, sheets)


def test_a_new_block_on_a_risk_without_one_is_added_as_one_line(
    register: Path, sheets: list[RawSheet]
) -> None:
    for header, value in (
        ("quant.frequency.poisson.lambda", 3),
        ("quant.magnitude.lognormal.low", 1000),
        ("quant.magnitude.lognormal.high", 50000),
    ):
        risks, row, column, _ = cell(sheets, "R-002", header)
        risks.rows[row][column] = value
    file = register / "risks" / "R-002.yaml"
    before = file.read_text(encoding="utf-8")
    imported(register, sheets)
    assert file.read_text(encoding="utf-8") == before + (
        "quant: {frequency: {poisson: {lambda: 3}}, magnitude: {lognormal: {low: 1000, "
        "high: 50000}}}\n"
    )
