"""Red-team findings on the persistent cache (issue 16): each test failed before its fix.

Every run is compared with the same command under `RISKCTL_NO_CACHE=1` (the helpers of
`test_cache.py`): the cache may never change an answer, crash, or write where it should not.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskctl.load import cache
from tests.conftest import BASE_REGISTER
from tests.gitrepo import GitRepo
from tests.test_cache import (
    assert_same_as_uncached,
    lint_args,
    packs,
    riskctl,
    tree,
    warned_register,
)


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return warned_register(tmp_path / "register")


def test_a_register_named_through_dot_dot_keeps_the_cache_out_of_it(
    register: Path, tmp_path: Path
) -> None:
    """`x/../register` is the register folder: a cache folder in it is not used, as when the
    register is named plainly (its files would be read as register files, RK009)."""
    (tmp_path / "x").mkdir()
    before = tree(register)
    roundabout = tmp_path / "x" / ".." / "register"
    for _ in range(2):
        assert_same_as_uncached(lint_args(roundabout), register / "cache")
    assert tree(register) == before
    # and the other way round: the cache folder named through `..`
    for _ in range(2):
        assert_same_as_uncached(lint_args(register), tmp_path / "x" / ".." / "register" / "c")
    assert tree(register) == before


def test_a_register_reached_through_a_link_keeps_the_cache_out_of_it(
    register: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link"
    link.symlink_to(register, target_is_directory=True)
    before = tree(register)
    for _ in range(2):
        assert_same_as_uncached(lint_args(link), register / "cache")
        assert_same_as_uncached(lint_args(register), link / "cache")
    assert tree(register) == before


def _replaced_risk(tmp_path: Path) -> GitRepo:
    """A repository whose committed R-001 is replaced (`git replace`) by a version with
    another owner; the working tree holds the original, whose blob id is the replaced one."""
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("register", day=1)
    risk = repo.root / "register" / "risks" / "R-001.yaml"
    original = repo.git("rev-parse", "HEAD:register/risks/R-001.yaml")
    changed = tmp_path / "changed.yaml"
    text = risk.read_text(encoding="utf-8")
    changed.write_text(text.replace("owner: ", "owner: nobody-"), encoding="utf-8")
    replacement = repo.git("hash-object", "-w", str(changed))
    repo.git("replace", original, replacement)
    return repo


def test_a_replaced_git_object_does_not_answer_for_the_working_tree(tmp_path: Path) -> None:
    """`git replace` makes `git cat-file` give another blob's bytes for a blob id: a `--rev`
    read keyed what it parsed by the id it asked for, and the working tree, whose file has
    that id, was then given the replacement's findings."""
    repo = _replaced_risk(tmp_path)
    root = tmp_path / "cache"
    at_head = assert_same_as_uncached([*lint_args(repo.root / "register"), "--rev", "HEAD"], root)
    assert "nobody-" in at_head.stdout  # git gives the replacement at HEAD
    for selection in ([], ["--select", "RK1"]):  # the whole result, and the parsed file
        here = assert_same_as_uncached([*lint_args(repo.root / "register"), *selection], root)
        assert "nobody-" not in here.stdout


@pytest.mark.parametrize("bound", ["\u00b2", "1e3", "-1", "0", " 7 x"])
def test_a_bound_that_is_not_a_plain_whole_number_is_the_default(
    register: Path, tmp_path: Path, bound: str
) -> None:
    """`str.isdigit` is true of a superscript two, which `int` refuses: every run crashed."""
    assert_same_as_uncached(lint_args(register), tmp_path / "cache", RISKCTL_CACHE_MAX_MB=bound)
    run = riskctl(["cache", "info", str(register)], tmp_path / "cache", RISKCTL_CACHE_MAX_MB=bound)
    assert (run.exit_code, run.stderr) == (0, "")
    assert f"bound:   {cache.DEFAULT_MAX_MB:,} MB" in run.stdout


@pytest.mark.parametrize("home", ["home", "~"])
def test_a_home_that_is_not_an_absolute_path_gets_no_cache(
    register: Path, monkeypatch: pytest.MonkeyPatch, home: str
) -> None:
    """Outside git, with no XDG_CACHE_HOME, the cache is in ~/.cache: a relative HOME (or one
    Python cannot find, when it is `~` itself) named a folder in the current directory, here
    the register, whose files the next run read as register files."""
    monkeypatch.chdir(register)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path.replace("~", home, 1))
    before = tree(register)
    environment: dict[str, str | None] = {"RISKCTL_CACHE_DIR": None, "XDG_CACHE_HOME": None}
    for _ in range(2):
        assert_same_as_uncached(lint_args(Path(".")), register / "unused", **environment)
    assert tree(register) == before
    assert not packs(register / "unused")
    for command in ("info", "clear"):
        run = riskctl(["cache", command, "."], None, RISKCTL_NO_CACHE=None, **environment)
        assert (run.exit_code, run.stdout) == (3, "")
        assert run.stderr.startswith("riskctl: error: no cache folder: "), run.stderr
        assert "set XDG_CACHE_HOME or RISKCTL_CACHE_DIR" in run.stderr
    assert tree(register) == before


def test_a_clear_finding_a_folder_another_clear_just_removed_is_not_an_error(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `cache clear` at once (two terminals, two CI steps): the second lists a fingerprint
    folder the first deletes before the second looks into it. It was refused (exit 3, "cannot
    be listed") although what it was asked to do was done."""
    root = tmp_path / "cache"
    riskctl(lint_args(register), root)
    listed = cache._entries

    def listed_then_cleared_by_another_run(folder: Path) -> Iterator[tuple[Path, str | None]]:
        for entry, kind in listed(folder):
            if kind == "fingerprint":
                shutil.rmtree(entry)  # the other `cache clear` got there first
            yield entry, kind

    monkeypatch.setattr(cache, "_entries", listed_then_cleared_by_another_run)
    run = riskctl(["cache", "clear", str(register)], root)
    assert (run.exit_code, run.stderr) == (0, "")
    assert run.stdout == f"nothing to clear in {root}\n"
    assert sorted(path.name for path in root.iterdir()) == ["CACHEDIR.TAG"]


def test_eviction_deletes_no_file_the_cache_did_not_write(register: Path, tmp_path: Path) -> None:
    """RISKCTL_CACHE_DIR may name a shared folder: a folder there that happens to be named like
    a fingerprint (24 hex digits) and to hold `results/` was trimmed as riskctl's, its files
    deleted without a look (`cache clear` refuses the same folder). Only files that start as
    riskctl's cache files do, and only they count towards the bound."""
    root = tmp_path / "shared"
    foreign = root / "0123456789abcdef01234567" / "results"
    foreign.mkdir(parents=True)
    root.chmod(0o700)
    (foreign / "data.bin").write_bytes(b"x" * (2 << 20))
    os.utime(foreign / "data.bin", (0, 0))  # the least recently used file there
    bound = {"RISKCTL_CACHE_MAX_MB": "1"}
    for number in range(2):  # the second run reads what the first kept: not trimmed away
        (register / "risks/R-001.yaml").write_text(f"id: R-001\n# {number}\n", encoding="utf-8")
        assert_same_as_uncached(lint_args(register), root, **bound)
        assert (foreign / "data.bin").stat().st_size == 2 << 20
        assert len(packs(root)) == number + 1


def _versions_kept(root: Path, path: str) -> int:
    """How many versions of the register file `path` the packs under `root` hold."""
    count = 0
    for pack in packs(root):
        entries = cache._decode(pack.read_bytes())
        count += sum(1 for file, _blob in entries if file == path)
    return count


def test_a_merge_drops_the_versions_a_run_superseded(register: Path, tmp_path: Path) -> None:
    """Every warm run reads every pack whole; a merge kept each version of each file ever
    parsed until the packs passed half the cache's bound (512 MB by default), so a register
    edited for months made every warm run read all its history. A merge now drops the versions
    of a file the merging run read at another version (an edit, a branch switch); files it did
    not read keep theirs (another commit's register, a file deleted since)."""
    root = tmp_path / "cache"
    risk = register / "risks/R-001.yaml"
    original = risk.read_text(encoding="utf-8")
    (register / "risks/R-009.yaml").write_text("id: R-009\n", encoding="utf-8")
    assert_same_as_uncached(lint_args(register), root)
    (register / "risks/R-009.yaml").unlink()  # its entry stays: a merge never read the file
    for number in range(cache.MAX_PACKS):
        risk.write_text(original + f"# edit {number}\n", encoding="utf-8")
        assert_same_as_uncached(lint_args(register), root)
    assert len(packs(root)) == 1  # merged on the last run
    assert _versions_kept(root, "risks/R-001.yaml") == 1
    assert _versions_kept(root, "risks/R-009.yaml") == 1
    assert _versions_kept(root, "controls/C-001.yaml") == 1


def test_a_replaced_git_object_read_by_log_does_not_answer_for_the_working_tree(
    tmp_path: Path,
) -> None:
    """`log` (and `diff`) parse a commit's files through the cache too, keyed by the tree's
    blob ids."""
    repo = _replaced_risk(tmp_path)
    root = tmp_path / "cache"
    history = assert_same_as_uncached(["log", "R-001", str(repo.root / "register")], root)
    assert history.exit_code == 0, history.stderr
    here = assert_same_as_uncached([*lint_args(repo.root / "register"), "--select", "RK1"], root)
    assert "nobody-" not in here.stdout


def test_a_cache_dir_under_an_unknown_users_home_runs_uncached(register: Path) -> None:
    """`RISKCTL_CACHE_DIR=~nosuchuser/cache`: pathlib raises RuntimeError for a home it cannot
    find, and every command crashed (exit 4)."""
    chosen = "~riskctl-no-such-user/cache"
    unused = register.parent / "unused"  # RISKCTL_CACHE_DIR below names the cache, not this
    assert_same_as_uncached(lint_args(register), unused, RISKCTL_CACHE_DIR=chosen)
    assert not unused.exists()
    run = riskctl(
        ["cache", "info", str(register)], None, RISKCTL_NO_CACHE=None, RISKCTL_CACHE_DIR=chosen
    )
    assert (run.exit_code, run.stdout) == (3, "")
    assert run.stderr.startswith(f"riskctl: error: no cache folder: {chosen} starts with"), (
        run.stderr
    )
    assert not Path("~riskctl-no-such-user").exists()
