"""`--no-cache` on every command that reads a register, and `riskctl cache info|clear`."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.load.cache import CACHEDIR_TAG, MAGIC, configure, fingerprint, store_for
from tests.conftest import FROZEN_NOW, ROOT, SHIPPED_REGISTER, check_golden
from tests.gitrepo import GitRepo
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


# --- riskctl cache info -----------------------------------------------------------------------

GOLDEN = ROOT / "tests" / "golden" / "cache"


def _cache_file(path: Path, size: int) -> None:
    """A file as riskctl's cache starts one, `size` bytes in all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(MAGIC + b"x" * (size - len(MAGIC)))


@pytest.fixture
def filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder (RISKCTL_CACHE_DIR) with entries of known sizes: this riskctl's (a pack,
    two results), another riskctl version's (one result), riskctl's tag and two entries that are
    not riskctl's; the working folder holds an empty register folder."""
    root = tmp_path / "cache"
    mine = root / fingerprint().hex()[:24]
    _cache_file(mine / "packs" / ("ab" * 8) / "101-0123456789abcdef.pack", 3000)
    _cache_file(mine / "results" / ("1" * 64), 1024)
    _cache_file(mine / "results" / ("2" * 64), 500)
    _cache_file(root / ("0" * 24) / "results" / ("3" * 64), 2_000_000)
    (root / "CACHEDIR.TAG").write_bytes(CACHEDIR_TAG)
    (root / "notes").mkdir()
    (root / "notes" / "todo.txt").write_text("keep me\n", encoding="utf-8")
    (root / "build.log").write_text("keep me too\n", encoding="utf-8")
    for folder in (root, *root.rglob("*")):
        if folder.is_dir():
            folder.chmod(0o700)
    (tmp_path / "work" / "register").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.setenv("RISKCTL_CACHE_DIR", str(root))
    monkeypatch.setenv("RISKCTL_CACHE_MAX_MB", "64")
    return root


def _tree(folder: Path) -> dict[str, int]:
    return {
        path.relative_to(folder).as_posix(): path.lstat().st_size
        for path in sorted(folder.rglob("*"))
        if not path.is_dir() or path.is_symlink()
    }


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_info_shows_where_what_and_how_much(
    output_format: str, filled: Path, tmp_path: Path, update_golden: bool
) -> None:
    before = _tree(filled)
    result = runner.invoke(app, ["cache", "info", "-f", output_format])
    assert (result.exit_code, result.stderr) == (0, "")
    shown = result.stdout.replace(str(tmp_path), "/tmp/example")
    check_golden(GOLDEN / f"info.{'txt' if output_format == 'text' else 'json'}", shown,
                 update_golden)  # fmt: skip
    assert _tree(filled) == before  # info changes nothing


def test_info_counts_exactly_the_fingerprint_folders(filled: Path) -> None:
    result = runner.invoke(app, ["cache", "info", "--format", "json"])
    document = json.loads(result.stdout)
    assert document["files"] == 4
    assert document["bytes"] == 3000 + 1024 + 500 + 2_000_000
    assert document["this_riskctl"] == {"files": 3, "bytes": 4524}
    assert document["not_riskctl"] == 2
    assert document["max_bytes"] == 64 << 20


def test_info_of_a_cache_not_there_yet_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISKCTL_CACHE_DIR", str(tmp_path / "later" / "cache"))
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["cache", "info"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[2:4] == [
        "status:  on",
        "holds:   nothing yet (the first run that reads the register creates it)",
    ]
    assert not (tmp_path / "later").exists()


def test_info_says_where_the_cache_is_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the repository's git directory; outside git, in the XDG cache."""
    monkeypatch.delenv("RISKCTL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    repository = GitRepo(tmp_path / "repo")
    (repository.root / "register").mkdir()
    (tmp_path / "plain" / "register").mkdir(parents=True)
    cases = {
        tmp_path / "repo": (repository.root / ".git" / "riskctl-cache", "git"),
        tmp_path / "plain": (tmp_path / "xdg" / "riskctl", "XDG"),
    }
    for folder, (root, chosen_by) in cases.items():
        monkeypatch.chdir(folder)
        result = runner.invoke(app, ["cache", "info", "-f", "json"])
        document = json.loads(result.stdout)
        assert (document["cache"], document["chosen_by"]) == (str(root), chosen_by)
        text = runner.invoke(app, ["cache", "info"]).stdout.splitlines()
        assert text[0] == f"cache:   {root}"
    register = tmp_path / "repo" / "register"
    text = runner.invoke(app, ["cache", "info", str(register)]).stdout.splitlines()
    assert text[1] == f"         in the git directory of the repository holding {register}"


def _link(root: Path) -> None:
    (root.parent / "real").mkdir(mode=0o700)
    root.symlink_to(root.parent / "real")


def _file(root: Path) -> None:
    root.write_text("not a folder\n", encoding="utf-8")


def _open_to_all(root: Path) -> None:
    root.mkdir()
    root.chmod(0o777)


def _below_a_file(root: Path) -> None:
    root.parent.rmdir()
    root.parent.write_text("a file\n", encoding="utf-8")


def _fingerprint_link(root: Path) -> None:
    root.mkdir(mode=0o700)
    (root.parent / "elsewhere").mkdir(mode=0o700)
    (root / fingerprint().hex()[:24]).symlink_to(root.parent / "elsewhere")


#: Why a run would not use the cache folder: how to make it so, and what info says.
NOT_USED: dict[str, tuple[Callable[[Path], None], str]] = {
    "link": (_link, "{root} is a symbolic link (riskctl never follows one to its cache)"),
    "file": (_file, "{root} is not a folder"),
    "others-write": (
        _open_to_all, "{root} can be written by others (mode 777; `chmod go-w` makes it private)"
    ),
    "cannot-create": (_below_a_file, "{root} cannot be created ({parent} is not a folder)"),
    "fingerprint-link": (
        _fingerprint_link,
        "{root}/{fingerprint} is a symbolic link (riskctl never follows one to its cache)",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", NOT_USED)
def test_info_says_why_the_cache_is_not_used_and_a_run_agrees(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make, why = NOT_USED[case]
    (tmp_path / "home").mkdir()
    root = tmp_path / "home" / "cache"
    make(root)
    monkeypatch.setenv("RISKCTL_CACHE_DIR", str(root))
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["cache", "info"])
    assert result.exit_code == 0, result.stderr
    expected = why.format(root=root, parent=root.parent, fingerprint=fingerprint().hex()[:24])
    assert result.stdout.splitlines()[2] == f"status:  off: {expected}"
    configure(enabled=True)
    assert store_for(SHIPPED_REGISTER) is None  # what info says is what a run does


def test_info_says_a_folder_of_another_user_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    root.mkdir(mode=0o700)
    monkeypatch.setenv("RISKCTL_CACHE_DIR", str(root))
    monkeypatch.chdir(ROOT)
    user = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: user + 1)  # as if another user ran riskctl
    result = runner.invoke(app, ["cache", "info"])
    expected = f"{root} belongs to another user (uid {user}, not {user + 1})"
    assert result.stdout.splitlines()[2] == f"status:  off: {expected}"
    configure(enabled=True)
    assert store_for(SHIPPED_REGISTER) is None


def test_info_says_the_environment_turned_it_off(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISKCTL_NO_CACHE", "1")
    result = runner.invoke(app, ["cache", "info", "-f", "json"])
    document = json.loads(result.stdout)
    assert (document["enabled"], document["why_not"]) == (False, "RISKCTL_NO_CACHE is set")
    assert document["files"] == 4  # still there, and counted


def test_a_usable_folder_is_on_and_a_run_agrees(filled: Path) -> None:
    result = runner.invoke(app, ["cache", "info", "-f", "json"])
    assert json.loads(result.stdout)["enabled"] is True
    configure(enabled=True)
    assert store_for(Path("register")) is not None


@pytest.mark.parametrize("command", ["info", "clear"])
def test_path_must_be_a_folder(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A misspelt PATH would describe or clear another cache (outside git, the shared one)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file.yaml").write_text("x: 1\n", encoding="utf-8")
    missing = runner.invoke(app, ["cache", command, "regsiter"])
    assert (missing.exit_code, missing.stderr) == (
        3, "riskctl: error: regsiter: no such register folder\n"
    )  # fmt: skip
    a_file = runner.invoke(app, ["cache", command, "file.yaml"])
    assert a_file.exit_code == 3
    assert "file.yaml: not a folder" in a_file.stderr


# --- riskctl cache clear ----------------------------------------------------------------------


def test_clear_deletes_riskctl_entries_only_and_says_how_much(
    filled: Path, tmp_path: Path, update_golden: bool
) -> None:
    result = runner.invoke(app, ["cache", "clear"])
    assert (result.exit_code, result.stderr) == (0, "")
    shown = result.stdout.replace(str(tmp_path), "/tmp/example")
    check_golden(GOLDEN / "clear.txt", shown, update_golden)
    assert _tree(filled) == {
        "CACHEDIR.TAG": len(CACHEDIR_TAG),
        "build.log": 12,
        "notes/todo.txt": 8,
    }
    again = runner.invoke(app, ["cache", "clear"])
    assert again.stdout == (f"nothing to clear in {filled}\nleft 2 entries not riskctl's alone\n")


def test_clear_of_a_cache_not_there_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISKCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["cache", "clear"])
    assert (result.exit_code, result.stdout) == (0, f"nothing to clear in {tmp_path / 'cache'}\n")
    assert not (tmp_path / "cache").exists()


def test_clear_after_real_runs_frees_what_info_counted_and_runs_rebuild_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    monkeypatch.setenv("RISKCTL_CACHE_DIR", str(root))
    monkeypatch.chdir(ROOT)
    first = runner.invoke(app, ["lint", "register", "--now", N, "-f", "json"])
    runner.invoke(app, ["score", "register", "--now", N])
    counted = json.loads(runner.invoke(app, ["cache", "info", "-f", "json"]).stdout)
    files = [path for path in root.rglob("*") if path.is_file() and path.name != "CACHEDIR.TAG"]
    assert counted["files"] == counted["this_riskctl"]["files"] == len(files) >= 2
    assert counted["bytes"] == sum(path.stat().st_size for path in files)
    result = runner.invoke(app, ["cache", "clear"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"cleared {root}: freed {len(files)} files, ")
    assert sorted(path.name for path in root.iterdir()) == ["CACHEDIR.TAG"]
    again = runner.invoke(app, ["lint", "register", "--now", N, "-f", "json"])
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)
    assert json.loads(runner.invoke(app, ["cache", "info", "-f", "json"]).stdout)["files"] >= 2


def _link_inside(root: Path, outside: Path) -> Path:
    link = root / fingerprint().hex()[:24] / "results" / ("9" * 64)
    link.symlink_to(outside)
    return link


def _foreign_file(root: Path, outside: Path) -> Path:
    path = root / ("0" * 24) / "results" / "notes.txt"
    path.write_text("mine\n", encoding="utf-8")
    return path


def _foreign_fingerprint_folder(root: Path, outside: Path) -> Path:
    path = root / ("f" * 24) / "photo.jpg"
    path.parent.mkdir(mode=0o700)
    path.write_bytes(b"\xff\xd8\xff")
    return path


def _fifo_inside(root: Path, outside: Path) -> Path:
    path = root / fingerprint().hex()[:24] / "packs" / "pipe"
    os.mkfifo(path)
    return path


#: Something in a fingerprint folder that riskctl's cache never holds: `clear` deletes nothing.
FOREIGN = {
    "link": (_link_inside, "is a symbolic link"),
    "foreign-file": (_foreign_file, "is not a file riskctl's cache writes"),
    "foreign-folder": (_foreign_fingerprint_folder, "is not a file riskctl's cache writes"),
    "fifo": (_fifo_inside, "is not a regular file"),
}


@pytest.mark.parametrize("case", FOREIGN)
def test_clear_refuses_a_fingerprint_folder_holding_what_riskctl_never_writes(
    case: str, filled: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "precious.txt"
    outside.write_text("do not touch\n", encoding="utf-8")
    make, why = FOREIGN[case]
    path = make(filled, outside)
    before = _tree(filled)
    result = runner.invoke(app, ["cache", "clear"])
    assert (result.exit_code, result.stdout) == (3, "")
    top = filled / path.relative_to(filled).parts[0]
    assert result.stderr == (
        f"riskctl: error: {path} {why}: {top} does not look like riskctl's cache, so nothing "
        "was deleted (remove it by hand if it is)\n"
    )
    assert _tree(filled) == before
    assert outside.read_text(encoding="utf-8") == "do not touch\n"


def test_clear_refuses_a_cache_folder_that_is_a_link(filled: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(filled)
    before = _tree(filled)
    result = runner.invoke(app, ["cache", "clear"], env={"RISKCTL_CACHE_DIR": str(link)})
    assert result.exit_code == 3
    assert result.stderr == (
        f"riskctl: error: {link} is a symbolic link (riskctl never follows one to its cache): "
        "riskctl does not use it and clears nothing in it\n"
    )
    assert _tree(filled) == before


def test_clear_refuses_a_cache_folder_others_can_write(filled: Path) -> None:
    filled.chmod(0o777)
    before = _tree(filled)
    result = runner.invoke(app, ["cache", "clear"])
    assert result.exit_code == 3
    assert "can be written by others (mode 777" in result.stderr
    assert _tree(filled) == before


def test_clear_leaves_a_fingerprint_named_link_and_what_it_points_to(
    filled: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    _cache_file(elsewhere / "results" / ("4" * 64), 100)
    (filled / ("e" * 24)).symlink_to(elsewhere)
    result = runner.invoke(app, ["cache", "clear"])
    assert result.exit_code == 0
    assert "left 3 entries not riskctl's alone" in result.stdout
    assert (filled / ("e" * 24)).is_symlink()
    assert _tree(elsewhere) == {f"results/{'4' * 64}": 100}


# --- the README's example ---------------------------------------------------------------------

README = (ROOT / "README.md").read_text(encoding="utf-8")
README_SECTION = README.split("### The cache\n", 1)[1].split("\n## ", 1)[0]
#: Sizes change with riskctl's code; the example's lines, words and plurals must not.
SIZE = re.compile(r"[0-9][0-9,.]* (?:files?|bytes?|KB|MB)\b")


def test_the_readme_example_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in a repository named as in the example, with the cache in its default place."""
    session = re.search(r"```text\n(.*?)```", README_SECTION, re.DOTALL)
    assert session is not None
    shown_root = "/home/ana/risk-register"
    repository = GitRepo(tmp_path / "risk-register")
    repository.copy_register(SHIPPED_REGISTER)
    monkeypatch.chdir(repository.root)
    monkeypatch.delenv("RISKCTL_CACHE_DIR")
    shown: list[str] = []
    actual: list[str] = []
    for line in session.group(1).splitlines():
        if not line.startswith("$ "):
            shown.append(line)
        elif line.startswith("$ riskctl "):
            arguments = line.removeprefix("$ riskctl ").removesuffix(" > /dev/null").split()
            result = runner.invoke(app, arguments)
            assert result.exit_code == 0, (line, result.stderr)
            if not line.endswith("> /dev/null"):
                actual += result.stdout.replace(str(repository.root), shown_root).splitlines()
    assert [SIZE.sub("SIZE", each) for each in shown] == [SIZE.sub("SIZE", each) for each in actual]
    assert len(shown) == 6
