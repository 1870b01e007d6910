"""`riskctl incidents` end to end: goldens for both formats, the window, --rev, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import FROZEN_NOW, ROOT, TESTS, check_golden
from tests.gitrepo import GitRepo

GOLDEN = TESTS / "golden" / "incidents"
SUFFIX = {"text": "txt", "json": "json"}
runner = CliRunner()


def _incidents(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["incidents", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("output_format", sorted(SUFFIX))
@pytest.mark.parametrize(("since", "name"), [(None, "register"), ("2026-06-01", "since-june")])
def test_golden_on_the_shipped_register(
    output_format: str,
    since: str | None,
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    update_golden: bool,
) -> None:
    monkeypatch.chdir(ROOT)
    window = ["--since", since] if since else []
    code, stdout, stderr = _incidents(
        "register", "--now", FROZEN_NOW, *window, "--format", output_format
    )
    assert (code, stderr) == (0, "")
    assert "\x1b[" not in stdout
    check_golden(GOLDEN / f"{name}.{SUFFIX[output_format]}", stdout, update_golden)


def test_default_path_and_short_format_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, _ = _incidents("--now", FROZEN_NOW, "-f", "json")
    assert code == 0
    document = json.loads(stdout)
    assert document["totals"] == {"incidents": 6, "near_misses": 5, "ratio": 5 / 6}


def test_now_bounds_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # Up to 2026-03-10: incidents 003 (01-01), 014 (02-23), 011 (03-10); near-miss 007 (02-16).
    monkeypatch.chdir(ROOT)
    document = json.loads(_incidents("--now", "2026-03-10", "-f", "json")[1])
    assert (document["now"], document["since"]) == ("2026-03-10", None)
    assert document["totals"] == {"incidents": 3, "near_misses": 1, "ratio": 1 / 3}


def test_since_after_now_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _incidents("--now", FROZEN_NOW, "--since", "2026-12-01")
    assert (code, stdout) == (2, "")
    assert "2026-12-01 is after --now (2026-11-27)" in stderr


def test_since_not_a_date_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _incidents("--since", "June")
    assert (code, stdout) == (2, "")
    assert "'June' is not a date: use YYYY-MM-DD" in stderr


def test_missing_register_exits_3(tmp_path: Path) -> None:
    code, stdout, stderr = _incidents(str(tmp_path / "nowhere"), "--now", FROZEN_NOW)
    assert (code, stdout) == (3, "")
    assert stderr.startswith("riskctl: error: ")


def test_counts_at_a_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(TESTS / "rules" / "base")
    repo.commit("base: one near-miss", day=0)
    repo.write(
        "register/incidents/INC-2026-002.yaml",
        "id: INC-2026-002\nkind: incident\ntitle: Card-testing burst got through\n"
        "occurred: 2026-10-01\nseverity: 3\nrisks: [R-001]\n"
        "root_cause: {category: technology}\n",
    )
    monkeypatch.chdir(repo.root)
    now = ["--now", FROZEN_NOW, "-f", "json"]
    working = json.loads(_incidents(*now)[1])
    code, stdout, stderr = _incidents(*now, "--rev", "HEAD")
    assert (code, stderr) == (0, "")
    committed = json.loads(stdout)
    assert working["totals"] == {"incidents": 1, "near_misses": 1, "ratio": 1.0}
    assert committed["totals"] == {"incidents": 0, "near_misses": 1, "ratio": None}
    assert committed["by_risk"] == [
        {"risk": "R-001", "incidents": 0, "near_misses": 1, "ratio": None}
    ]
    assert working["by_root_cause"] == [
        {"category": "technology", "incidents": 1, "near_misses": 0},
        {"category": "unknown", "incidents": 0, "near_misses": 1},
    ]


def test_unknown_revision_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(TESTS / "rules" / "base")
    repo.commit("base", day=0)
    monkeypatch.chdir(repo.root)
    code, stdout, stderr = _incidents("--rev", "no-such-branch", "--now", FROZEN_NOW)
    assert (code, stdout) == (3, "")
    assert stderr.startswith("riskctl: error: ")
