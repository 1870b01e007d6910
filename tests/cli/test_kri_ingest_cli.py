"""`riskctl kri ingest` end to end: output goldens, exit codes, and no file changed on a refusal."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import BASE_REGISTER, ROOT, TESTS, check_golden
from tests.test_kri_ingest import DATA, REFUSED, snapshot

GOLDEN = TESTS / "golden" / "kri_ingest"
runner = CliRunner()


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["kri", "ingest", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped register in the current folder, with weekly.csv beside it."""
    shutil.copytree(ROOT / "register", tmp_path / "register")
    shutil.copy(DATA / "weekly.csv", tmp_path / "weekly.csv")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "register"


@pytest.fixture
def base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the tiny base register in the current folder."""
    shutil.copytree(BASE_REGISTER, tmp_path / "register")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "register"


def test_golden_the_weekly_ingest(shipped: Path, update_golden: bool) -> None:
    lint_before = runner.invoke(app, ["lint", "register", "--now", "2026-12-01"])
    before = snapshot(shipped)
    code, stdout, stderr = _run("weekly.csv", "--dry-run")
    assert (code, stderr) == (0, "")
    check_golden(GOLDEN / "weekly-dry-run.txt", stdout, update_golden)
    assert snapshot(shipped) == before

    code, stdout, stderr = _run("weekly.csv")
    assert (code, stderr) == (0, "")
    check_golden(GOLDEN / "weekly.txt", stdout, update_golden)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"(the same lines, then `{stdout.splitlines()[-1]}`)" in readme
    after = snapshot(shipped)
    rows = (DATA / "weekly.csv").read_text().splitlines()[1:]
    assert len(rows) == 8
    for row in rows:
        date, kri, value = row.split(",")
        file = f"kris/{kri}.yaml"
        assert after[file] == before[file] + f"  - {{date: {date}, value: {value}}}\n".encode()
    assert {k: v for k, v in after.items() if not k.startswith("kris/")} == {
        k: v for k, v in before.items() if not k.startswith("kris/")
    }
    lint_after = runner.invoke(app, ["lint", "register", "--now", "2026-12-01"])
    assert (lint_after.exit_code, lint_after.stdout) == (lint_before.exit_code, lint_before.stdout)

    code, stdout, stderr = _run("weekly.csv")
    assert (code, stdout) == (3, "")
    assert stderr.startswith("riskctl: error: weekly.csv: 8 problems; nothing written:\n")
    assert "weekly.csv:2: KRI-001 already has 52.3 (the same value) on 2026-11-30" in stderr
    assert snapshot(shipped) == after


def test_replace_prints_old_and_new(shipped: Path) -> None:
    restated = DATA / "kri-001-restated.csv"
    code, stdout, stderr = _run(str(restated), "--kri", "KRI-001", "--replace")
    assert (code, stderr) == (0, "")
    assert stdout.splitlines() == [
        "KRI-001: ~ 2026-11-23 54.6 -> 55.1 (amber; XmR rule-1, rule-2, rule-3)",
        "KRI-001: + 2026-11-30 52.3 (amber; XmR rule-1, rule-2, rule-3)",
        "added 1 observation and replaced 1 in 1 KRI",
    ]
    text = (shipped / "kris" / "KRI-001.yaml").read_text()
    assert text.endswith(
        "  - {date: 2026-11-23, value: 55.1}\n  - {date: 2026-11-30, value: 52.3}\n"
    )
    code, stdout, _ = _run(str(restated), "--kri", "KRI-001", "--replace")
    assert code == 0
    assert stdout.splitlines()[-1] == "no change: the register already has these values"
    assert "KRI-001: = 2026-11-23 55.1 (unchanged)" in stdout


@pytest.mark.parametrize(("csv", "message"), REFUSED.values(), ids=list(REFUSED))
def test_every_bad_row_class_is_exit_3_and_changes_nothing(
    csv: str | bytes, message: str, base: Path
) -> None:
    data = csv.encode("utf-8") if isinstance(csv, str) else csv
    Path("w.csv").write_bytes(data)
    before = snapshot(base)
    extra = ["--kri", "KRI-001"] if b"KRI-" not in data else []
    code, stdout, stderr = _run("w.csv", *extra)
    assert (code, stdout) == (3, "")
    assert stderr.startswith("riskctl: error: w.csv")
    assert "Traceback" not in stderr
    assert re.search(message, stderr), stderr
    assert snapshot(base) == before


def test_kri_that_is_not_an_id_is_a_usage_error(base: Path) -> None:
    Path("w.csv").write_text("2026-11-30,1\n")
    code, stdout, stderr = _run("w.csv", "--kri", "chargebacks")
    assert (code, stdout) == (2, "")
    assert "'chargebacks' is not a KRI id" in stderr


def test_unknown_kri_suggests_the_nearest(base: Path) -> None:
    Path("w.csv").write_text("2026-11-30,1\n")
    code, _, stderr = _run("w.csv", "--kri", "KRI-0001")
    assert code == 3
    assert stderr == (
        "riskctl: error: --kri: no KRI 'KRI-0001' in register; did you mean KRI-001?; "
        "nothing written\n"
    )
    Path("w.csv").write_text("date,kri,value\n2026-11-30,kri-001,1\n")
    code, _, stderr = _run("w.csv")
    assert (code, stderr) == (
        3,
        "riskctl: error: w.csv:2: kri 'kri-001' is not a KRI id: expected KRI- and 3 or more "
        "digits; nothing written\n",
    )
    Path("w.csv").write_text("date,kri,value\n2026-11-30,KRI-01,1\n")
    code, _, stderr = _run("w.csv")
    assert "w.csv:2: kri 'KRI-01' is not a KRI id" in stderr
    Path("w.csv").write_text("date,kri,value\n2026-11-30,KRI-101,1\n")
    code, _, stderr = _run("w.csv")
    assert (code, stderr) == (
        3,
        "riskctl: error: w.csv:2: no KRI 'KRI-101' in register; did you mean KRI-001?; "
        "nothing written\n",
    )


def test_stdin_is_read_with_a_dash(base: Path) -> None:
    code, stdout, stderr = _run("-", "--kri", "KRI-001", stdin="date,value\n2026-11-30,41.2\n")
    assert (code, stderr) == (0, "")
    assert stdout == "KRI-001: + 2026-11-30 41.2 (amber)\nadded 1 observation in 1 KRI\n"
    assert (
        (base / "kris" / "KRI-001.yaml")
        .read_text()
        .endswith("  - {date: 2026-11-30, value: 41.2}\n")
    )
    code, _, stderr = _run("-", "--kri", "KRI-001", stdin="2026-12-07,x\n")
    assert (code, stderr) == (
        3,
        "riskctl: error: <stdin>:1: value 'x' is not a number; nothing written\n",
    )


def test_a_file_that_is_not_a_regular_file_is_refused(base: Path) -> None:
    Path("folder.csv").mkdir()
    code, _, stderr = _run("folder.csv", "--kri", "KRI-001")
    assert (code, stderr) == (3, "riskctl: error: FILE folder.csv: a folder, not a regular file\n")
    code, _, stderr = _run("missing.csv", "--kri", "KRI-001")
    assert code == 3
    assert stderr.startswith("riskctl: error: FILE missing.csv: cannot read it")
    os.mkfifo("fifo.csv")
    code, _, stderr = _run("fifo.csv", "--kri", "KRI-001")
    assert (code, stderr) == (
        3,
        "riskctl: error: FILE fifo.csv: a FIFO (named pipe), not a regular file\n",
    )


def test_an_unsorted_list_is_appended_to_with_a_warning(base: Path) -> None:
    (base / "kris" / "KRI-001.yaml").write_bytes((DATA / "kris" / "unsorted.yaml").read_bytes())
    Path("w.csv").write_text("2026-11-30,1\n")
    code, _, stderr = _run("w.csv", "--kri", "KRI-001")
    assert code == 0
    assert stderr == (
        "riskctl: warning: register/kris/KRI-001.yaml: its observations are not in date order, "
        "so the new ones were appended at the end\n"
    )


def test_not_a_register_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("w.csv").write_text("2026-11-30,1\n")
    code, _, stderr = _run("w.csv", "nowhere", "--kri", "KRI-001")
    assert code == 3
    assert "nowhere" in stderr


def test_closed_standard_input_is_exit_3(base: Path) -> None:
    riskctl = Path(sys.executable).parent / "riskctl"
    result = subprocess.run(
        [str(riskctl), "kri", "ingest", "-", "--kri", "KRI-001"],
        capture_output=True,
        preexec_fn=lambda: os.close(0),  # the child closes its own standard input
        check=False,
    )
    assert result.returncode == 3, result.stderr
    assert result.stderr == (
        b"riskctl: error: <stdin>: standard input is closed; give FILE or pipe the file in\n"
    )
