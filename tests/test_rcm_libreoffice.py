"""RCM round trips through LibreOffice: a workbook resaved, a CSV opened and saved again.

What a spreadsheet application changes on save (TRUE for true, number formats, quoting, line
ends, the byte-order mark) must read as the same values: the import changes no byte. One soffice
run per format and register (each start costs seconds); skipped, saying why, where LibreOffice
is not installed.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import FROZEN_NOW, SHIPPED_REGISTER, TESTS
from tests.libreoffice import CSV_IMPORT_FILTER, requires_soffice, resave

runner = CliRunner()
STYLES = TESTS / "data" / "rcm" / "styles"
REGISTERS = {"shipped": SHIPPED_REGISTER, "styles": STYLES}
REGISTER_ORDER = list(REGISTERS)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.yaml")}


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Each register's xlsx and CSV exports, as LibreOffice saved them again."""
    folder = tmp_path_factory.mktemp("libreoffice")
    exported: dict[str, list[Path]] = {"xlsx": [], "csv": []}
    for name, register in REGISTERS.items():
        for kind in exported:
            out = folder / f"{name}.{kind}"
            arguments = ["rcm", "export", str(register), "--format", kind, "--out", str(out)]
            result = runner.invoke(app, [*arguments, "--now", FROZEN_NOW])
            assert (result.exit_code, result.stderr) == (0, "")
            exported[kind].append(out)
    edited = folder / "edited.xlsx"  # a person's edits, made before LibreOffice saves it
    shutil.copy(exported["xlsx"][REGISTER_ORDER.index("shipped")], edited)
    workbook = load_workbook(edited)
    workbook["RCM"]["L2"].value = "daily"  # C-001 frequency
    workbook["RCM"]["I3"].value = False  # C-002 key
    workbook["Risks"]["Q2"].value = datetime.date(2026, 11, 20)  # R-001 reviewed
    workbook.save(edited)
    exported["xlsx"].append(edited)
    saved = folder / "saved"
    workbooks = resave(exported["xlsx"], "xlsx", saved)
    # opened as UTF-8 CSV, as a person picks it in the import dialog
    texts = resave(exported["csv"], "csv", saved, infilter=CSV_IMPORT_FILTER)
    return {
        "xlsx": {path.stem: path for path in workbooks},
        "csv": {path.stem: path for path in texts},
    }


@requires_soffice
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize("name", sorted(REGISTERS))
def test_a_file_saved_again_by_libreoffice_imports_with_no_change(
    kind: str, name: str, resaved: dict[str, dict[str, Path]], tmp_path: Path
) -> None:
    register = tmp_path / "register"
    shutil.copytree(REGISTERS[name], register)
    before = _tree(register)
    saved = resaved[kind][name]
    if kind == "csv":  # LibreOffice really changed the file: TRUE for true, no byte-order mark
        text = saved.read_text(encoding="utf-8")
        assert ",TRUE," in text
        assert not text.startswith("\ufeff")
    result = runner.invoke(app, ["rcm", "import", str(saved), str(register)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "no edits: the file matches the register; nothing written\n"
    assert _tree(register) == before


@requires_soffice
def test_edits_in_a_workbook_libreoffice_saved_apply_exactly(
    resaved: dict[str, dict[str, Path]], tmp_path: Path
) -> None:
    register = tmp_path / "register"
    shutil.copytree(SHIPPED_REGISTER, register)
    before = _tree(register)
    result = runner.invoke(app, ["rcm", "import", str(resaved["xlsx"]["edited"]), str(register)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[:3] == [
        "C-001 frequency: continuous -> daily (RCM!L2 (frequency))",
        "C-002 key: true -> false (RCM!I3 (key))",
        "R-001 reviewed: 2026-11-16 -> 2026-11-20 (Risks!Q2 (reviewed))",
    ]
    after = _tree(register)
    assert {name for name in before if before[name] != after[name]} == {
        "controls/C-001.yaml",
        "controls/C-002.yaml",
        "risks/R-001.yaml",
    }
    assert after["risks/R-001.yaml"] == before["risks/R-001.yaml"].replace(
        b"reviewed: 2026-11-16", b"reviewed: 2026-11-20"
    )
