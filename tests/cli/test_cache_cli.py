"""`--no-cache` on every command that reads a register, and `riskctl cache info|clear`."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import FROZEN_NOW, ROOT, SHIPPED_REGISTER
from tests.test_cli_vocabulary import COMMANDS

runner = CliRunner()
N = FROZEN_NOW


def _copy_register(folder: Path) -> None:
    shutil.copytree(SHIPPED_REGISTER, folder / "register")


def _catalogue(folder: Path) -> None:
    _copy_register(folder)
    shutil.copy(ROOT / "tests" / "data" / "frameworks" / "catalog.json", folder / "catalog.json")


def _kri_csv(folder: Path) -> None:
    _copy_register(folder)
    shutil.copy(ROOT / "tests" / "data" / "ingest" / "weekly.csv", folder / "weekly.csv")


def _xmr_csv(folder: Path) -> None:
    rows = "".join(f"2026-01-{day:02d},{day % 5 + 10}\n" for day in range(1, 29))
    (folder / "series.csv").write_text(f"date,value\n{rows}", encoding="utf-8")


def _rcm_csv(folder: Path) -> None:
    _copy_register(folder)
    result = runner.invoke(
        app, ["rcm", "export", "register", "--out", "rcm.csv", "--now", N, "--no-cache"]
    )
    assert result.exit_code == 0, result.stderr


#: One run of every command: its arguments, and what it needs in a scratch folder (None: it
#: runs in the repository, on the shipped register and its git history).
RUNS: dict[str, tuple[list[str], Callable[[Path], None] | None]] = {
    "init": (["init", "fresh"], lambda folder: None),
    "new": (
        ["new", "risk", "register", "--set", "owner=payments-risk", "--set",
         "category=payments-fraud", "--now", N],
        _copy_register,
    ),
    "fmt": (["fmt", "register", "--check"], _copy_register),
    "lint": (["lint", "register", "--now", N], None),
    "score": (["score", "register", "--now", N], None),
    "diff": (["diff", "HEAD", "register", "--now", N], None),
    "log": (["log", "R-001", "register"], None),
    "premortem": (["premortem", "register", "--now", N], None),
    "incidents": (["incidents", "register", "--now", N], None),
    "due": (["due", "register", "--now", N], None),
    "quant": (["quant", "register", "--now", N, "--years", "200"], None),
    "codeowners": (["codeowners", "register", "--print"], None),
    "coverage": (["coverage", "nist-csf-2.0", "register", "--now", N], None),
    "gates list": (["gates", "list"], None),
    "framework import": (["framework", "import", "catalog.json", "register"], _catalogue),
    "framework list": (["framework", "list", "register"], None),
    "framework show": (["framework", "show", "nist-csf-2.0", "register"], None),
    "kri status": (["kri", "status", "register", "--now", N], None),
    "kri xmr": (["kri", "xmr", "--csv", "series.csv"], _xmr_csv),
    "kri ingest": (["kri", "ingest", "weekly.csv", "register", "--dry-run"], _kri_csv),
    "rcm export": (["rcm", "export", "register", "--out", "out.csv", "--now", N], _copy_register),
    "rcm import": (["rcm", "import", "rcm.csv", "register", "--dry-run", "--now", N], _rcm_csv),
    "report register": (["report", "register", "register", "--now", N], None),
    "report rcm": (["report", "rcm", "register", "--now", N], None),
    "report risk": (["report", "risk", "R-001", "register", "--now", N], None),
    "report launch": (["report", "launch", "LAUNCH-001", "register", "--now", N], None),
    "report soa": (["report", "soa", "nist-csf-2.0", "register", "--now", N], None),
    "report wbr": (["report", "wbr", "register", "--now", N], None),
    "report mbr": (["report", "mbr", "register", "--now", N], None),
    "report site": (["report", "site", "--out", "site", "register", "--now", N], _copy_register),
    "rules list": (["rules", "list"], None),
    "rules explain": (["rules", "explain", "RK001"], None),
    "schema export": (["schema", "export", "--out", "schemas"], lambda folder: None),
    "cache info": (["cache", "info", "register"], None),
    "cache clear": (["cache", "clear", "register"], None),
}  # fmt: skip

#: The commands that never read a register through `riskctl.load.load`: no cache, no option.
NO_REGISTER_READ = {
    "init", "fmt", "gates list", "framework import", "kri xmr", "rules list", "rules explain",
    "schema export", "cache info", "cache clear",
}  # fmt: skip


def test_every_command_has_a_run_here() -> None:
    assert set(RUNS) == set(COMMANDS)


def _run_in(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> tuple[Path, int, str]:
    """Run `name` as RUNS says, with the cache in a new folder: that folder and the result."""
    arguments, prepare = RUNS[name]
    cache = tmp_path / "cache"
    if prepare is None:
        monkeypatch.chdir(ROOT)
    else:
        work = tmp_path / "work"
        work.mkdir()
        monkeypatch.chdir(work)
        monkeypatch.setenv("RISKCTL_CACHE_DIR", str(tmp_path / "setup-cache"))
        prepare(work)
    monkeypatch.setenv("RISKCTL_CACHE_DIR", str(cache))
    result = runner.invoke(app, [*arguments, *extra])
    return cache, result.exit_code, result.stderr


@pytest.mark.parametrize("name", sorted(set(RUNS) - NO_REGISTER_READ))
def test_no_cache_leaves_the_cache_folder_alone(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, code, stderr = _run_in(name, tmp_path, monkeypatch, "--no-cache")
    assert code in (0, 1), stderr
    assert not cache.exists()


@pytest.mark.parametrize("name", sorted(set(RUNS) - NO_REGISTER_READ))
def test_without_the_option_the_same_run_fills_the_cache(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other half of the test above: the run does use the cache when not told otherwise
    (it opens it; `diff` of an unchanged register parses nothing to keep)."""
    cache, code, stderr = _run_in(name, tmp_path, monkeypatch)
    assert code in (0, 1), stderr
    assert (cache / "CACHEDIR.TAG").is_file()
    assert [path.name for path in cache.glob("*/packs/*")], "no register's packs folder"


@pytest.mark.parametrize("name", sorted(NO_REGISTER_READ))
def test_a_command_that_reads_no_register_has_no_option_and_no_cache(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "--no-cache" not in {opt for p in COMMANDS[name].params for opt in p.opts}
    cache, code, stderr = _run_in(name, tmp_path, monkeypatch)
    assert code in (0, 1), stderr
    assert not cache.exists()


def test_the_environment_variable_turns_it_off_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISKCTL_NO_CACHE", "1")
    cache, code, stderr = _run_in("lint", tmp_path, monkeypatch)
    assert code == 0, stderr
    assert not cache.exists()


def test_the_option_lasts_for_its_own_run_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One process, two runs (as the tests and any library caller do): the second, without
    the option, uses the cache again."""
    cache, code, _ = _run_in("score", tmp_path, monkeypatch, "--no-cache")
    assert (code, cache.exists()) == (0, False)
    result = runner.invoke(app, RUNS["score"][0])
    assert result.exit_code == 0
    assert cache.is_dir()
