"""Property: random sheet edits either apply exactly or are refused with nothing written."""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskctl.errors import RiskctlError
from riskctl.load import load, read_directory
from riskctl.rcm.plan import plan_import
from riskctl.rcm.sheets import CellValue, RawSheet
from riskctl.rcm.table import build_sheets, value_at
from riskctl.writes import apply_changes
from tests.conftest import SHIPPED_REGISTER

STYLES = Path(__file__).parent / "data" / "rcm" / "styles"
REGISTERS = {"styles": STYLES, "shipped": SHIPPED_REGISTER}
TODAY = datetime.date(2026, 11, 27)

settings.register_profile(
    "rcm-default",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "rcm-fuzz",
    max_examples=1_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
#: `make fuzz` sets HYPOTHESIS_PROFILE=fuzz; the default suite stays short.
PROFILE = settings.get_profile(
    "rcm-fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "rcm-default"
)

SHEETS = {
    name: build_sheets(load(read_directory(path)).register) for name, path in REGISTERS.items()
}
#: (sheet index, row, column) of every editable cell, by register.
CELLS = {
    name: [
        (index, row, column)
        for index, sheet in enumerate(sheets)
        for row in range(len(sheet.rows))
        for column, header in enumerate(sheet.columns)
        if header.editable
    ]
    for name, sheets in SHEETS.items()
}
cell_values: st.SearchStrategy[CellValue] = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            "—",
            "TRUE",
            "no",
            "3",
            "4.0",
            "7",
            "-1",
            "0.5",
            "2026-11-16",
            "11/16/26",
            "03/04/2026",
            "daily",
            "Effective",
            "ineffective",
            "mitigate",
            "C-002",
            "C-001, C-002",
            "KRI-001",
            "payments-risk",
            "nobody",
            "=1+1",
            "'=1+1",
            "a: b",
            "# not a comment",
            "[x]",
            "line one\nline two",
            "  padded  ",
            'it\'s "quoted"',
            "\u00e9t\u00e9",
            "null",
        ]
    ),
    st.text(max_size=12),
    st.integers(-2, 9),
    st.booleans(),
    st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)),
)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.yaml")}


@pytest.mark.parametrize("name", sorted(REGISTERS))
@settings(PROFILE)
@given(data=st.data())
def test_an_import_applies_exactly_or_writes_nothing(name: str, data: st.DataObject) -> None:
    cells = st.tuples(st.sampled_from(CELLS[name]), cell_values)
    edits = data.draw(st.lists(cells, min_size=1, max_size=4))
    raw = [
        RawSheet(sheet.name, [c.header for c in sheet.columns], [list(r) for r in sheet.rows])
        for sheet in SHEETS[name]
    ]
    for (index, row, column), value in edits:
        raw[index].rows[row][column] = value
    with tempfile.TemporaryDirectory() as folder:
        register = Path(folder) / "register"
        shutil.copytree(REGISTERS[name], register)
        before = _tree(register)
        loaded = load(read_directory(register))
        try:
            plan = plan_import(loaded, register, raw, "edited.csv", TODAY)
            apply_changes(register, plan.changes)
        except RiskctlError:
            assert _tree(register) == before
            return
        after = load(read_directory(register))
        assert after.failed == {}
        for edit in plan.edits:
            record = after.register.record(edit.kind, edit.id)
            assert record is not None
            dumped: Any = record.entity.model_dump(by_alias=True)
            assert value_at(dumped, edit.path) == edit.new, edit
        changed = {c.path.relative_to(register).as_posix() for c in plan.changes}
        assert {
            name for name, raw_bytes in _tree(register).items() if before[name] != raw_bytes
        } == changed
        old = {(r.kind, r.entity.id): r.entity for r in loaded.register.records}
        for record in after.register.records:
            key = (record.kind, record.entity.id)
            edited = {edit.path for edit in plan.edits if (edit.kind, edit.id) == key}
            new_leaves = _leaves(record.entity.model_dump(by_alias=True))
            for path, value in _leaves(old[key].model_dump(by_alias=True)).items():
                if path not in edited and not any(len(e) > 1 and e[0] == path[0] for e in edited):
                    assert new_leaves[path] == value, (key, path)


def _leaves(data: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every scalar or list of a model dump by its path."""
    if not isinstance(data, dict):
        return {prefix: data}
    found: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        found.update(_leaves(value, (*prefix, key)))
    return found
