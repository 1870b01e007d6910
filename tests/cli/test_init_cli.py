"""`riskctl init`: a new register that lints clean, whole or not at all, never over anything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.lint.engine import lint
from riskctl.load import load, read_directory
from riskctl.model.register import KINDS
from riskctl.model.schema import json_schemas
from riskctl.scaffold import SCHEMA_FOLDER
from riskctl.score.residual import score_register
from tests.conftest import FROZEN_NOW, SHIPPED_REGISTER

runner = CliRunner()


def _init(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["init", *arguments])
    return result.exit_code, result.stdout, result.stderr


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() if path.is_file() else b"<dir>"
        for path in sorted(folder.rglob("*"))
    }


def test_init_makes_a_register_that_lints_clean_and_scores(tmp_path: Path) -> None:
    target = tmp_path / "register"
    code, stdout, stderr = _init(str(target))
    assert (code, stderr) == (0, "")
    assert stdout.startswith(f"created {target}: 18 files\n")
    result = lint(read_directory(target), today=__import__("datetime").date(2026, 11, 27))
    assert result.findings == ()
    register = load(read_directory(target)).register
    assert [category.id for category in register.config.categories] == [
        "payments-fraud",
        "account-integrity",
        "data-protection",
    ]
    # the scoring block written out is the default method: the same fingerprint
    shipped = score_register(load(read_directory(SHIPPED_REGISTER)).register).method
    assert score_register(register).method["fingerprint"] == shipped["fingerprint"]
    for kind in KINDS:
        assert (target / kind.folder).is_dir()


def test_the_schemas_ship_inside_the_register_and_the_schema_line_finds_them(
    tmp_path: Path,
) -> None:
    target = tmp_path / "register"
    assert _init(str(target))[0] == 0
    for name, text in json_schemas().items():
        assert (target / SCHEMA_FOLDER / name).read_text(encoding="utf-8") == text
    first = (target / "riskctl.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={SCHEMA_FOLDER}/riskctl.schema.json"
    assert (target / first.split("$schema=")[1]).is_file()


def test_init_into_an_empty_folder_with_the_umask_permissions(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    kept = target.stat().st_mode
    previous = os.umask(0o027)
    try:
        assert _init(str(target))[0] == 0
    finally:
        os.umask(previous)
    assert (target / "riskctl.yaml").stat().st_mode & 0o777 == 0o640
    assert (target / "risks").stat().st_mode & 0o777 == 0o750
    assert target.stat().st_mode == kept  # the existing folder is kept as it was


@pytest.mark.parametrize("kind", ["non-empty", "file", "symlink", "hidden-file", "missing-parent"])
def test_init_refuses_and_changes_nothing(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "register"
    if kind == "non-empty":
        target.mkdir()
        (target / "notes.txt").write_text("keep me\n")
    elif kind == "file":
        target.write_text("keep me\n")
    elif kind == "symlink":
        (tmp_path / "elsewhere").mkdir()
        target.symlink_to(tmp_path / "elsewhere")
    elif kind == "hidden-file":
        target.mkdir()
        (target / ".git").write_text("gitdir: ../x\n")
    else:
        target = tmp_path / "no" / "such" / "register"
    before = _tree(tmp_path)
    code, stdout, stderr = _init(str(target))
    assert (code, stdout) == (3, "")
    assert stderr.startswith("riskctl: error: ") and "Traceback" not in stderr
    assert _tree(tmp_path) == before  # no staging folder left behind either


def test_init_twice_refuses_the_second_time(tmp_path: Path) -> None:
    target = tmp_path / "register"
    assert _init(str(target))[0] == 0
    before = _tree(target)
    code, _, stderr = _init(str(target))
    assert code == 3 and "not empty" in stderr
    assert _tree(target) == before


def test_init_defaults_to_register_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _init()[0] == 0
    assert (tmp_path / "register" / "riskctl.yaml").is_file()
    assert runner.invoke(app, ["lint", "--now", FROZEN_NOW]).exit_code == 0


def test_init_dot_in_an_empty_current_folder_keeps_that_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mkdir reg && cd reg && riskctl init .`: the folder is filled, not replaced (a shell in a
    replaced folder would sit in a deleted one)."""
    target = tmp_path / "reg"
    target.mkdir()
    inode = target.stat().st_ino
    monkeypatch.chdir(target)
    assert _init(".")[0] == 0
    assert target.stat().st_ino == inode
    assert sorted(path.name for path in target.iterdir())[:3] == [
        ".schemas",
        "acceptances",
        "controls",
    ]
    assert not [path for path in target.iterdir() if path.name.startswith(".riskctl-init")]
    assert runner.invoke(app, ["lint", ".", "--now", FROZEN_NOW]).exit_code == 0
