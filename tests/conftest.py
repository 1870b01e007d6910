"""Shared fixtures: golden-file updating, a clean git environment, register copies."""

from __future__ import annotations

import functools
import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.testing

TESTS = Path(__file__).parent
ROOT = TESTS.parent
BASE_REGISTER = TESTS / "rules" / "base"
SHIPPED_REGISTER = ROOT / "register"
#: The date the shipped register and the test registers are frozen at.
FROZEN_NOW = "2026-11-27"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite golden files from the current output instead of comparing.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection built (modules, parameters, test items) lives until the end: the cyclic
    collector need not walk it again at every full collection (a quarter of its time)."""
    gc.freeze()


@pytest.fixture(autouse=True, scope="session")
def _one_click_command_per_app() -> Iterator[None]:
    """Build each typer app's click commands once per test process.

    typer's `CliRunner.invoke(app, ...)` turns the app into click commands on every call,
    reading the signatures of all of riskctl's commands again: about 13 ms an invocation, and
    the suite invokes thousands of times (a third of some files' time). The commands come from
    the same functions each time and click keeps no state in them between calls; the real entry
    point, `riskctl.cli.main`, builds them once per process too. Should typer rename the name it
    imports, this does nothing and the tests only run slower.
    """
    build = getattr(typer.testing, "_get_command", None)
    with pytest.MonkeyPatch.context() as patch:
        if build is not None:
            patch.setattr(typer.testing, "_get_command", functools.cache(build))
        yield


@pytest.fixture(autouse=True, scope="session")
def _cache_in_a_test_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The CLI's persistent cache is on in every test, as for a user, in one folder per test
    process: never in the user's cache or a repository's git folder. Running every command
    with it (and the same register linted by many tests) checks it gives what a first run
    gives. Session-wide, so that fixtures of any scope that run the CLI use it too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RISKCTL_CACHE_DIR", str(tmp_path_factory.mktemp("riskctl-cache")))
        patch.delenv("RISKCTL_NO_CACHE", raising=False)
        patch.delenv("RISKCTL_CACHE_MAX_MB", raising=False)
        yield


@pytest.fixture(autouse=True)
def _no_cache_for_library_calls() -> Iterator[None]:
    """A CLI run turns the cache on for its process; library calls in the next test get none,
    as in a program that never ran the CLI."""
    yield
    from riskctl.load.cache import configure

    configure(enabled=False)


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system git configuration leaks into a test."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def base_register(tmp_path: Path) -> Path:
    """A writable copy of the tiny clean register in tests/rules/base."""
    target = tmp_path / "register"
    shutil.copytree(BASE_REGISTER, target)
    return target


def check_golden(path: Path, actual: str, update: bool) -> None:
    """Compare `actual` with the golden file, or rewrite it with --update-golden."""
    if update or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not update:
            pytest.fail(f"golden file {path} was missing and has been written; review it")
    assert actual == path.read_text(encoding="utf-8")
