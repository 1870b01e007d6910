"""`riskctl fmt` on the command line: exit codes, what it prints, what it writes, and hostile
files (links, FIFOs, read-only files, a file changed while fmt runs): no traceback, no partial
write."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl import fmt
from riskctl.cli import app
from riskctl.errors import RiskctlError
from tests.conftest import ROOT, SHIPPED_REGISTER, TESTS

runner = CliRunner()
UNFORMATTED = TESTS / "data" / "registers" / "unformatted"
R001 = "risks/R-001.yaml"
R001_FORMATTED = (
    "# yaml-language-server: $schema=../../../../../schemas/risk.schema.json\n"
    "---\n"
    "id: R-001\n"
    'title: "Stolen-card coin purchases"   # as the committee worded it\n'
    "description: |-\n"
    "  Card testers buy coins with stolen cards\n"
    "  and gift them out before the chargeback.\n"
    "category: payments-fraud\n"
    "owner: payments-risk\n"
    "status: open\n"
    "# Rated in the 2026-11 workshop.\n"
    "inherent: {likelihood: 4, impact: 5}\n"
)


@pytest.fixture
def register(tmp_path: Path) -> Path:
    """A writable copy of the unformatted test register."""
    target = tmp_path / "register"
    shutil.copytree(UNFORMATTED, target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def test_check_on_the_shipped_register_exits_0_and_writes_nothing() -> None:
    before = snapshot(SHIPPED_REGISTER)
    result = runner.invoke(app, ["fmt", "--check", str(SHIPPED_REGISTER)])
    assert (result.exit_code, result.stderr) == (0, "")
    count = len(list(SHIPPED_REGISTER.rglob("*.yaml")))
    assert result.stdout == f"{count} files already formatted\n"
    assert snapshot(SHIPPED_REGISTER) == before


def test_the_pre_commit_hook_entry_leaves_the_shipped_register_as_it_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (entry,) = [hook["entry"] for hook in hooks if hook["id"] == "riskctl-fmt"]
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, [*entry.split()[1:], "--check"])
    assert (result.exit_code, result.stderr) == (0, "")


def test_check_names_the_files_that_would_change_and_exits_1(register: Path) -> None:
    before = snapshot(register)
    result = runner.invoke(app, ["fmt", "--check", str(register)])
    assert result.exit_code == 1
    assert result.stdout == (
        f"would reformat {register}/{R001}\n"
        "1 file would be reformatted, 2 files already formatted\n"
    )
    assert result.stderr == ""
    assert snapshot(register) == before


def test_diff_prints_a_unified_diff_and_writes_nothing(register: Path) -> None:
    before = snapshot(register)
    result = runner.invoke(app, ["fmt", "--diff", str(register)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"--- {register}/{R001}\n+++ {register}/{R001}\n@@ ")
    assert "+inherent: {likelihood: 4, impact: 5}\n" in result.stdout
    assert "-inherent: {impact: 5, likelihood: 4}\n" in result.stdout
    assert result.stderr == "1 file would be reformatted, 2 files already formatted\n"
    assert snapshot(register) == before


def test_fmt_writes_the_canonical_form_and_a_second_run_changes_nothing(register: Path) -> None:
    result = runner.invoke(app, ["fmt", str(register)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"reformatted {register}/{R001}\nreformatted 1 file, 2 files already formatted\n"
    )
    assert (register / R001).read_text(encoding="utf-8") == R001_FORMATTED
    after = snapshot(register)
    again = runner.invoke(app, ["fmt", str(register)])
    assert (again.exit_code, again.stdout) == (0, "3 files already formatted\n")
    assert snapshot(register) == after


def test_a_file_with_errors_is_named_and_skipped_and_the_others_are_formatted(
    register: Path,
) -> None:
    broken = register / "risks" / "R-002.yaml"
    broken.write_bytes(b"id: R-002\ntitle: [unclosed\n")
    result = runner.invoke(app, ["fmt", str(register)])
    assert result.exit_code == 3
    assert result.stderr.startswith(f"riskctl: error: {register}/risks/R-002.yaml: line ")
    assert "YAML syntax error" in result.stderr and "fmt does not fix data" in result.stderr
    assert (register / R001).read_text(encoding="utf-8") == R001_FORMATTED
    assert broken.read_bytes() == b"id: R-002\ntitle: [unclosed\n"
    assert result.stdout.endswith(
        "reformatted 1 file, 2 files already formatted, 1 file skipped (not formatted)\n"
    )


def test_check_with_a_skipped_file_exits_3(register: Path) -> None:
    (register / "risks" / "R-002.yaml").write_bytes(b"id: R-002\nstatus: maybe\n")
    result = runner.invoke(app, ["fmt", "--check", str(register)])
    assert result.exit_code == 3
    assert result.stderr == (
        f"riskctl: error: {register}/risks/R-002.yaml: line 1:1: missing required key 'title'; "
        "fmt does not fix data (`riskctl lint` shows every problem)\n"
    )


def test_a_symlinked_file_is_skipped_and_not_followed(register: Path) -> None:
    target = register.parent / "outside.yaml"
    target.write_bytes(b"title: T\nid: R-009\n")
    (register / "risks" / "R-009.yaml").symlink_to(target)
    result = runner.invoke(app, ["fmt", str(register)])
    assert result.exit_code == 3
    assert f"{register}/risks/R-009.yaml: symlink: not followed" in result.stderr
    assert (register / "risks" / "R-009.yaml").is_symlink()
    assert target.read_bytes() == b"title: T\nid: R-009\n"
    assert (register / R001).read_text(encoding="utf-8") == R001_FORMATTED


def test_a_fifo_named_like_a_register_file_is_skipped_without_hanging(register: Path) -> None:
    os.mkfifo(register / "risks" / "R-010.yaml")
    result = runner.invoke(app, ["fmt", "--check", str(register)])
    assert result.exit_code == 3
    assert "risks/R-010.yaml: not a regular file" in result.stderr
    assert "Traceback" not in result.output


def test_a_read_only_file_is_left_alone_and_named(register: Path) -> None:
    path = register / R001
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        result = runner.invoke(app, ["fmt", str(register)])
    finally:
        path.chmod(0o644)
    assert result.exit_code == 3
    assert f"{register}/{R001}: read-only: not reformatted" in result.stderr
    assert path.read_bytes() == before


def test_a_file_changed_while_fmt_runs_is_refused_and_nothing_is_written(register: Path) -> None:
    (register / "risks" / "R-002.yaml").write_bytes(
        (register / R001).read_bytes().replace(b"R-001", b"R-002")
    )
    plan = fmt.plan(register)
    assert len(plan.changed) == 2
    edited = b"# edited by someone else\n" + (register / "risks" / "R-002.yaml").read_bytes()
    (register / "risks" / "R-002.yaml").write_bytes(edited)
    before = snapshot(register)
    with pytest.raises(RiskctlError, match="changed since riskctl read it; nothing written"):
        fmt.apply(plan)
    assert snapshot(register) == before


def test_a_missing_register_is_an_operational_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["fmt", str(tmp_path / "nowhere")])
    assert result.exit_code == 3
    assert result.stderr == f"riskctl: error: {tmp_path / 'nowhere'}: no such register folder\n"


def test_a_file_outside_the_kinds_is_not_touched(register: Path) -> None:
    (register / "README.md").write_text("title: x\nid: y\n", encoding="utf-8")
    (register / "notes").mkdir()
    (register / "notes" / "n.yaml").write_bytes(b"b: 1\na: 2\n")
    result = runner.invoke(app, ["fmt", "--check", str(register)])
    assert result.exit_code == 1
    assert "notes/n.yaml" not in result.output
