"""The persistent cache gives the answers an uncached run gives: what keys an entry, and where
the cache lives (issue 16).

Every run here is compared with the same command under `RISKCTL_NO_CACHE=1`: the exit code, the
stdout and the stderr, byte for byte. The other `test_cache_*.py` files corrupt the cache, run
commands at once on a changing register, and compare whole commands over many inputs; they use
the helpers defined here (`riskctl`, `cache_files`, `assert_same_as_uncached`).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.load import cache
from riskctl.load import register as load_module
from tests.conftest import BASE_REGISTER, FROZEN_NOW
from tests.gitrepo import GitRepo

runner = CliRunner()
#: riskctl in a process of its own, as `.venv/bin/riskctl` runs it.
RISKCTL = [sys.executable, "-m", "riskctl"]


@dataclass(frozen=True)
class Run:
    """What a command gave: exit code, stdout and stderr."""

    exit_code: int
    stdout: str
    stderr: str


def riskctl(args: list[str], cache_dir: Path | None, **environment: str | None) -> Run:
    """Run riskctl in this process with its cache in `cache_dir`, or none (`RISKCTL_NO_CACHE`
    set) when it is None. A crash fails the test with its traceback."""
    settings: dict[str, str | None] = (
        {"RISKCTL_NO_CACHE": "1"}
        if cache_dir is None
        else {"RISKCTL_CACHE_DIR": str(cache_dir), "RISKCTL_NO_CACHE": None}
    )
    result = runner.invoke(app, args, env={**settings, **environment})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.stderr, result.stderr
    return Run(result.exit_code, result.stdout, result.stderr)


def assert_same_as_uncached(args: list[str], cache_dir: Path, **environment: str | None) -> Run:
    """Run `args` with the cache in `cache_dir` and without any: the same exit code and
    bytes. Returns the cached run."""
    cached = riskctl(args, cache_dir, **environment)
    uncached = riskctl(args, None, **environment)
    assert cached == uncached
    return cached


def cache_files(root: Path) -> list[Path]:
    """Every file (or other non-folder) under `root`, sorted."""
    return sorted(path for path in root.rglob("*") if path.is_symlink() or not path.is_dir())


def packs(root: Path) -> list[Path]:
    return sorted(root.glob("*/packs/*/*.pack"))


def results(root: Path) -> list[Path]:
    return sorted(root.glob("*/results/*"))


def tree(root: Path) -> dict[str, bytes | str]:
    """Everything under `root`: each file's bytes, each folder and link by kind."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[name] = f"link to {os.readlink(path)}"
        elif path.is_dir():
            found[name] = "folder"
        else:
            found[name] = path.read_bytes()
    return found


def lint_args(register: Path, *more: str, now: str = FROZEN_NOW) -> list[str]:
    return ["lint", str(register), "--now", now, *more]


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return warned_register(tmp_path / "register")


def warned_register(target: Path) -> Path:
    """A copy of the tiny clean register with one warning (RK106: R-001 names KRI-001 twice)."""
    shutil.copytree(BASE_REGISTER, target)
    risk = target / "risks" / "R-001.yaml"
    text = risk.read_text(encoding="utf-8")
    risk.write_text(text.replace("[KRI-001]", "[KRI-001, KRI-001]"), encoding="utf-8")
    return target


# --- keys: what makes two entries different ---------------------------------------------------


def test_the_same_bytes_at_two_paths_are_two_entries(register: Path, tmp_path: Path) -> None:
    """A parsed file's findings name its path: the same bytes under another name must not
    reuse the first file's entry (R-002.yaml holding R-001's text: an id that is not its
    name)."""
    root = tmp_path / "cache"
    first = assert_same_as_uncached(lint_args(register), root)
    shutil.copy(register / "risks/R-001.yaml", register / "risks/R-002.yaml")
    second = assert_same_as_uncached(lint_args(register), root)
    assert "risks/R-002.yaml" in second.stdout
    assert first.stdout != second.stdout
    # and score reads both files through the packs: the same as uncached too
    assert_same_as_uncached(["score", "-f", "json", str(register), "--now", FROZEN_NOW], root)


def test_a_renamed_file_is_read_under_its_new_name(register: Path, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    assert_same_as_uncached(lint_args(register), root)
    (register / "risks/R-001.yaml").rename(register / "risks/R-009.yaml")
    renamed = assert_same_as_uncached(lint_args(register), root)
    assert "risks/R-009.yaml" in renamed.stdout
    assert "risks/R-001.yaml" not in renamed.stdout


def test_the_same_register_at_two_folders(register: Path, tmp_path: Path) -> None:
    """Two folders, one cache: the same files give the same answer under each label, and a
    change in one folder is not hidden by the other folder's entries (also when both are
    named by the same relative path, from two working directories)."""
    root = tmp_path / "cache"
    other = tmp_path / "elsewhere" / "register"
    shutil.copytree(register, other)
    at_first = assert_same_as_uncached(lint_args(register), root)
    at_other = assert_same_as_uncached(lint_args(other), root)
    assert at_first.stdout.replace(str(register), str(other)) == at_other.stdout
    risk = other / "risks/R-001.yaml"
    risk.write_text(risk.read_text(encoding="utf-8").replace(", KRI-001]", "]"), "utf-8")
    previous = Path.cwd()
    try:
        os.chdir(register.parent)
        same_label_first = assert_same_as_uncached(lint_args(Path("register")), root)
        os.chdir(other.parent)
        same_label_other = assert_same_as_uncached(lint_args(Path("register")), root)
    finally:
        os.chdir(previous)
    assert "RK106" in same_label_first.stdout
    assert "RK106" not in same_label_other.stdout


def test_the_day_changes_the_answer_when_an_acceptance_expires(
    register: Path, tmp_path: Path
) -> None:
    """ACC-001 expires on 2027-03-31: the same files linted on later days must show it, each
    day's answer cached apart."""
    root = tmp_path / "cache"
    runs = {
        day: assert_same_as_uncached(lint_args(register, now=day), root)
        for day in (FROZEN_NOW, "2027-03-31", "2027-04-01", FROZEN_NOW, "2027-04-01")
    }
    assert "RK401" not in runs[FROZEN_NOW].stdout
    assert "RK401" not in runs["2027-03-31"].stdout
    assert "RK401 ACC-001" in runs["2027-04-01"].stdout


@pytest.mark.parametrize(
    "options",
    [("--select", "RK0"), ("--ignore", "RK106"), ("--select", "RK1", "--ignore", "RK10")],
)
def test_select_and_ignore_change_the_answer(
    register: Path, tmp_path: Path, options: tuple[str, ...]
) -> None:
    root = tmp_path / "cache"
    everything = assert_same_as_uncached(lint_args(register), root)
    selected = assert_same_as_uncached(lint_args(register, *options), root)
    again = assert_same_as_uncached(lint_args(register), root)
    assert "RK106" in everything.stdout
    assert "RK106" not in selected.stdout
    assert again == everything


def test_a_severity_set_in_riskctl_yaml_is_followed(register: Path, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    assert "RK106" in assert_same_as_uncached(lint_args(register), root).stdout
    config = register / "riskctl.yaml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original + "lint: {rules: {RK106: off}}\n", encoding="utf-8")
    assert "RK106" not in assert_same_as_uncached(lint_args(register), root).stdout
    config.write_text(original + "lint: {rules: {RK106: error}}\n", encoding="utf-8")
    as_error = assert_same_as_uncached(lint_args(register), root)
    assert (as_error.exit_code, "error: RK106" in as_error.stdout) == (1, True)


# --- where the cache lives, and the switches --------------------------------------------------


def test_riskctl_cache_dir_is_where_everything_goes(register: Path, tmp_path: Path) -> None:
    root = tmp_path / "chosen" / "cache"
    assert_same_as_uncached(lint_args(register), root)
    assert (root / "CACHEDIR.TAG").read_bytes().startswith(b"Signature: 8a477f597d28d172789f")
    assert len(packs(root)) == 1
    assert len(results(root)) == 1
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def _unset_cache_dir() -> dict[str, str | None]:
    return {"RISKCTL_CACHE_DIR": None}


def test_inside_git_the_cache_is_in_the_git_directory(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("register", day=1)
    xdg = tmp_path / "xdg"
    args = lint_args(repo.root / "register")
    run = riskctl(args, tmp_path / "unused", RISKCTL_CACHE_DIR=None, XDG_CACHE_HOME=str(xdg))
    assert run == riskctl(args, None)
    root = repo.root / ".git" / "riskctl-cache"
    assert len(packs(root)) == 1
    assert not (tmp_path / "unused").exists()
    assert not xdg.exists()
    assert repo.git("status", "--porcelain") == ""  # nothing for git to see


def test_in_a_linked_worktree_the_cache_is_in_the_main_git_directory(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("register", day=1)
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "--quiet", str(linked), "-b", "other")
    xdg = tmp_path / "xdg"
    args = lint_args(linked / "register")
    run = riskctl(args, tmp_path / "unused", RISKCTL_CACHE_DIR=None, XDG_CACHE_HOME=str(xdg))
    assert run == riskctl(args, None)
    root = repo.root / ".git" / "riskctl-cache"
    assert len(packs(root)) == 1
    assert not (repo.root / ".git" / "worktrees" / "linked" / "riskctl-cache").exists()
    assert not xdg.exists()
    # --rev reads in the linked worktree go there too, and give the uncached answer
    assert_same_as_uncached([*args, "--rev", "HEAD"], root, RISKCTL_CACHE_DIR=None)


def test_outside_git_the_cache_is_in_the_xdg_cache(register: Path, tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    assert cache.git_directory(register) is None, "the test folder is inside a repository"
    args = lint_args(register)
    run = riskctl(args, tmp_path / "unused", RISKCTL_CACHE_DIR=None, XDG_CACHE_HOME=str(xdg))
    assert run == riskctl(args, None)
    assert len(packs(xdg / "riskctl")) == 1
    assert not (tmp_path / "unused").exists()


def test_riskctl_no_cache_writes_nothing(register: Path, tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    root = tmp_path / "cache"
    before = tree(register)
    for value in ("1", "yes"):
        riskctl(lint_args(register), root, RISKCTL_NO_CACHE=value, XDG_CACHE_HOME=str(xdg))
        riskctl(
            ["score", "-f", "json", str(register), "--now", FROZEN_NOW],
            root,
            RISKCTL_NO_CACHE=value,
            XDG_CACHE_HOME=str(xdg),
        )
    assert not root.exists()
    assert not xdg.exists()
    assert tree(register) == before
    riskctl(lint_args(register), root, RISKCTL_NO_CACHE="0")  # "0" means on
    assert len(packs(root)) == 1


def _big_register(tmp_path: Path) -> Path:
    """The tiny register with 40 risks of 40 kB of description each: a pack of about 1.6 MB."""
    target = tmp_path / "big"
    shutil.copytree(BASE_REGISTER, target)
    text = (target / "risks/R-001.yaml").read_text(encoding="utf-8")
    for number in range(100, 140):
        body = text.replace("R-001", f"R-{number}")
        words = " ".join(f"word{number}-{index}" for index in range(3_500))
        (target / f"risks/R-{number}.yaml").write_text(
            f"{body}description: {words}\n", encoding="utf-8"
        )
    return target


def test_the_cache_stays_under_its_bound(tmp_path: Path) -> None:
    big = _big_register(tmp_path)
    root = tmp_path / "cache"
    bound = {"RISKCTL_CACHE_MAX_MB": "1"}
    uncached = riskctl(["score", "-f", "json", str(big), "--now", FROZEN_NOW], None)
    for _ in range(3):
        assert_same_as_uncached(lint_args(big), root, **bound)
        assert riskctl(["score", "-f", "json", str(big), "--now", FROZEN_NOW], root, **bound) == (
            uncached
        )
        assert sum(path.stat().st_size for path in cache_files(root)) <= 1 << 20
    # without the bound, the same runs keep a pack larger than it
    assert_same_as_uncached(lint_args(big), root)
    assert max(path.stat().st_size for path in packs(root)) > 1 << 20


def test_more_than_max_packs_are_merged(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run that parses something adds a pack; past MAX_PACKS a run merges them into one,
    which keeps what the others held."""
    root = tmp_path / "cache"
    risk = register / "risks/R-001.yaml"
    original = risk.read_text(encoding="utf-8")
    counts = []
    for number in range(cache.MAX_PACKS + 2):
        risk.write_text(original + f"# edit {number}\n", encoding="utf-8")
        assert_same_as_uncached(lint_args(register), root)
        counts.append(len(packs(root)))
    assert counts == [*range(1, cache.MAX_PACKS + 1), 1, 2]
    # the merged pack still holds the other files: score parses none of them again
    parsed: list[str] = []
    original_parse = load_module.parse  # type: ignore[attr-defined]

    def counting(file: str, raw: bytes) -> object:
        parsed.append(file)
        return original_parse(file, raw)

    monkeypatch.setattr(load_module, "parse", counting)
    assert_same_as_uncached(["score", "-f", "json", str(register), "--now", FROZEN_NOW], root)
    assert parsed == ["riskctl.yaml"] * 2 + sorted(
        path.relative_to(register).as_posix()
        for path in register.rglob("*.yaml")
        if path.name != "riskctl.yaml"
    )


def test_eviction_deletes_nothing_outside_the_cache(tmp_path: Path) -> None:
    """A link inside the cache folder (to another fingerprint's folder, say, made by hand) is
    not followed when the cache is trimmed: only the cache's own files are deleted."""
    big = _big_register(tmp_path)
    root = tmp_path / "cache"
    outside = tmp_path / "outside"
    for folder in ("results", "packs/0123456789abcdef"):
        (outside / folder).mkdir(parents=True)
        (outside / folder / "precious").write_bytes(b"x" * 100)
    bound = {"RISKCTL_CACHE_MAX_MB": "1"}
    assert_same_as_uncached(lint_args(big), root, **bound)  # creates the folder
    (root / "0123456789abcdef01234567").symlink_to(outside)
    (root / "results").symlink_to(outside / "results")
    (big / "risks/R-100.yaml").write_text("id: R-100\n", encoding="utf-8")  # something new
    assert_same_as_uncached(lint_args(big), root, **bound)
    assert sorted(path.name for path in outside.rglob("precious")) == ["precious", "precious"]


def test_eviction_deletes_nothing_beside_the_fingerprint_folders(tmp_path: Path) -> None:
    """RISKCTL_CACHE_DIR may name a folder that holds more than riskctl's cache: a folder of
    another name, even one laid out like riskctl's, is not trimmed."""
    big = _big_register(tmp_path)
    root = tmp_path / "shared"
    project = root / "project" / "results"
    project.mkdir(parents=True)
    root.chmod(0o700)
    (project / "data.bin").write_bytes(b"x" * (2 << 20))
    assert_same_as_uncached(lint_args(big), root, RISKCTL_CACHE_MAX_MB="1")
    assert (project / "data.bin").stat().st_size == 2 << 20


def test_another_users_repository_gets_no_cache_in_its_git_directory(tmp_path: Path) -> None:
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        pytest.skip("only root can give a repository to another user")
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("register", day=1)
    os.chown(repo.root / ".git", 65534, 65534)
    xdg = tmp_path / "xdg"
    args = lint_args(repo.root / "register")
    assert riskctl(args, None, RISKCTL_CACHE_DIR=None, XDG_CACHE_HOME=str(xdg)) == riskctl(
        args, None
    )
    run = riskctl(args, tmp_path / "unused", RISKCTL_CACHE_DIR=None, XDG_CACHE_HOME=str(xdg))
    assert run == riskctl(args, None)
    assert not (repo.root / ".git" / "riskctl-cache").exists()
    assert len(packs(xdg / "riskctl")) == 1


def test_a_crashed_writers_temporary_files_are_removed_when_old(
    register: Path, tmp_path: Path
) -> None:
    root = tmp_path / "cache"
    assert_same_as_uncached(lint_args(register), root)
    (results_folder,) = root.glob("*/results")
    old, recent = results_folder / ".tmp-1-old", results_folder / ".tmp-2-recent"
    for path in (old, recent):
        path.write_bytes(b"half a file")
    an_hour_ago = old.stat().st_mtime - 3_600
    os.utime(old, (an_hour_ago, an_hour_ago))
    risk = register / "risks/R-001.yaml"
    risk.write_text(risk.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    assert_same_as_uncached(lint_args(register), root)  # writes, so trims
    assert (old.exists(), recent.exists()) == (False, True)


@pytest.mark.parametrize(
    "value",
    ["99999999999999999999999999999999", "1e999", ".nan", "2026-02-30", "!!binary aGk="],
)
def test_a_file_with_an_odd_value_is_kept_like_any_other(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Whatever parsing a file gives unpickles again: one file the unpickler refused would
    make the whole pack unreadable, and every run would parse every file again."""
    root = tmp_path / "cache"
    risk = register / "risks/R-001.yaml"
    risk.write_text(risk.read_text(encoding="utf-8") + f"odd: {value}\n", encoding="utf-8")
    score = ["score", "-f", "json", "--partial", str(register), "--now", FROZEN_NOW]
    assert_same_as_uncached(score, root)
    for path in results(root):
        path.unlink()  # so that the next runs read the packs
    parsed: list[str] = []
    original_parse = load_module.parse  # type: ignore[attr-defined]

    def counting(file: str, raw: bytes) -> object:
        parsed.append(file)
        return original_parse(file, raw)

    monkeypatch.setattr(load_module, "parse", counting)
    assert_same_as_uncached(score, root)
    assert parsed.count("risks/R-001.yaml") == 1  # the uncached run's


def test_a_cache_folder_inside_the_register_is_not_used(register: Path) -> None:
    """Its files would be register files (RK009 unexpected file): the cache would change the
    answer. A hidden folder is never read as the register's, so it may hold the cache (as
    the git directory does when the register is a repository's top)."""
    before = tree(register)
    for _ in range(2):
        assert_same_as_uncached(lint_args(register), register / "cache")
        assert_same_as_uncached(lint_args(register), register / "risks" / "cache")
        assert_same_as_uncached(lint_args(register), register)
    assert tree(register) == before
    assert_same_as_uncached(lint_args(register), register / ".cache")
    assert len(packs(register / ".cache")) == 1


def test_cache_info_says_a_folder_inside_the_register_is_not_used(register: Path) -> None:
    result = runner.invoke(
        app, ["cache", "info", str(register)], env={"RISKCTL_CACHE_DIR": str(register / "c")}
    )
    assert result.exit_code == 0, result.stderr
    assert "in the register folder, where its files would be register files" in result.stdout


def test_odd_file_names_are_keys_like_any_other(register: Path, tmp_path: Path) -> None:
    """A name that is not UTF-8, or that holds a newline (the register digest's separator),
    keys its own entry."""
    root = tmp_path / "cache"
    (register / os.fsdecode(b"risks/R-\xff01.yaml")).write_bytes(b"id: R-001\n")
    (register / "risks/R-002 \n.yaml").write_bytes(b"id: R-002\n")
    first = assert_same_as_uncached(lint_args(register), root)
    assert_same_as_uncached(lint_args(register), root)
    (register / "risks/R-002 \n.yaml").rename(register / "risks/R-002 .yaml")
    second = assert_same_as_uncached(lint_args(register), root)
    assert first.stdout != second.stdout
