"""One register source, and never computing silently on a half-loaded register.

Real git repositories (tests/gitrepo.py) hold a copy of tests/rules/base: R-001 relies on the
key control C-001 (operating test passed 2026-09-15) and C-002. Each test breaks, removes or
replaces one file and checks what every command does with it.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.diff import diff_registers
from riskctl.diff_reads import diff_sources, read_diff_sides
from riskctl.errors import RiskctlError
from riskctl.load import ParseCache, load, read_directory
from riskctl.source import read_register, register_source
from tests.conftest import BASE_REGISTER, FROZEN_NOW
from tests.gitrepo import GitRepo

runner = CliRunner()
NOW = datetime.date.fromisoformat(FROZEN_NOW)
BROKEN_CONTROL = "id: C-001\ntitle: [unclosed\n"
FAILED_C001 = (
    "id: INC-2026-009\nkind: incident\ntitle: Velocity limits bypassed\nstatus: closed\n"
    "occurred: 2026-10-20\ndetected: 2026-10-21\nresolved: 2026-10-22\nseverity: 3\n"
    "potential_severity: 4\nowner: payments-risk\nrisks: [R-001]\nfailed_controls: [C-001]\n"
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("base", day=1)
    monkeypatch.chdir(repo.root)
    return repo


def riskctl(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(arguments))
    return result.exit_code, result.stdout, result.stderr


# --- the source -------------------------------------------------------------------------------


def test_a_source_resolves_its_revision_once(repo: GitRepo) -> None:
    head = repo.git("rev-parse", "HEAD")
    source = register_source(Path("register"), "HEAD")
    assert (source.commit, source.revision, source.label) == (head, "HEAD", "register")
    worktree = register_source(Path("register"))
    assert (worktree.commit, worktree.repository) == (None, None)
    assert dict(source.read().files) == dict(worktree.read().files)


def test_an_unknown_revision_is_an_operational_error(repo: GitRepo) -> None:
    with pytest.raises(RiskctlError, match="unknown revision 'nope'"):
        register_source(Path("register"), "nope")


# --- refusing a half-loaded register ----------------------------------------------------------


def test_read_register_refuses_a_file_that_did_not_load(repo: GitRepo) -> None:
    repo.write("register/controls/C-001.yaml", BROKEN_CONTROL)
    source = register_source(Path("register"))
    with pytest.raises(RiskctlError) as raised:
        read_register(source)
    message = str(raised.value)
    assert message.startswith("1 register file did not load: register/controls/C-001.yaml.")
    assert "`riskctl lint register` shows why" in message and "--partial" in message
    loaded = read_register(source, partial=True)
    assert list(loaded.failed) == ["controls/C-001.yaml"]
    assert "RK001" in loaded.failed["controls/C-001.yaml"]


COMMANDS = [
    ["score", "register"],
    ["score", "register", "--explain", "R-001"],
    ["kri", "status", "register"],
    ["incidents", "register"],
    ["due", "register"],
    ["premortem", "register"],
    ["report", "register", "register"],
    ["report", "rcm", "register"],
    ["report", "risk", "R-001", "register"],
    ["report", "launch", "LAUNCH-001", "register"],
    ["report", "wbr", "register"],
    ["report", "mbr", "register"],
    ["diff", "register"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_refuses_a_half_loaded_register(repo: GitRepo, command: list[str]) -> None:
    """The issue's case: a half-written control file turned R-001 from medium to high above
    appetite with exit 0. Now every computing command stops and names the file."""
    repo.write("register/controls/C-001.yaml", BROKEN_CONTROL)
    code, stdout, stderr = riskctl(*command, "--now", FROZEN_NOW)
    assert (code, stdout) == (3, "")
    assert "register/controls/C-001.yaml" in stderr and "riskctl lint register" in stderr


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_partial_goes_on_and_says_what_was_left_out(repo: GitRepo, command: list[str]) -> None:
    repo.write("register/controls/C-001.yaml", BROKEN_CONTROL)
    code, stdout, stderr = riskctl(*command, "--now", FROZEN_NOW, "--partial")
    assert code in (0, 1), stderr
    assert "register/controls/C-001.yaml" in stdout
    assert "Traceback" not in stdout + stderr


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        (["score", "register", "--format", "json"], "json"),
        (["kri", "status", "register", "--format", "json"], "json"),
        (["incidents", "register", "--format", "json"], "json"),
        (["premortem", "register", "--format", "json"], "json"),
        (["diff", "register", "--format", "json"], "json"),
        (["score", "register", "--format", "csv"], "csv"),
        (["score", "register", "--format", "markdown"], "markdown"),
        (["diff", "register", "--format", "markdown"], "markdown"),
        (["due", "register", "--format", "markdown"], "markdown"),
    ],
)
def test_every_format_names_the_files_left_out(
    repo: GitRepo, command: list[str], kind: str
) -> None:
    repo.write("register/controls/C-001.yaml", BROKEN_CONTROL)
    code, stdout, stderr = riskctl(*command, "--now", FROZEN_NOW, "--partial")
    assert code in (0, 1), stderr
    if kind == "json":
        left_out = json.loads(stdout)["left_out"]
        assert [each["file"] for each in left_out] == ["register/controls/C-001.yaml"]
        assert "RK001" in left_out[0]["problem"]
    elif kind == "csv":
        assert "C-001.yaml" not in stdout  # CSV has no place for a note: stderr says it
        assert "riskctl: warning: partial: 1 file(s) did not load" in stderr
        assert "register/controls/C-001.yaml" in stderr
    else:
        assert stdout.startswith("> **Partial register:** 1 file(s) did not load")
        assert "every number below: register/controls/C-001.yaml." in stdout


def test_partial_scores_without_the_file_and_says_so(repo: GitRepo) -> None:
    repo.write("register/controls/C-001.yaml", BROKEN_CONTROL)
    code, stdout, _ = riskctl("score", "register", "--now", FROZEN_NOW, "--partial")
    assert code == 0
    first, blank, *table = stdout.splitlines()
    assert first.startswith("partial: 1 file(s) did not load and are left out of everything below")
    assert blank == ""
    assert "L4 I4 16 high" in table[1]  # no credit from C-001: inherent L4 I4 stays


def test_lint_is_not_refused_it_is_how_to_see_why(repo: GitRepo) -> None:
    repo.write("register/controls/C-001.yaml", BROKEN_CONTROL)
    code, stdout, _ = riskctl("lint", "register", "--now", FROZEN_NOW, "--format", "text")
    assert code == 1
    assert "register/controls/C-001.yaml:3:1" in stdout and "RK001" in stdout


# --- diff: dependencies, broken files ---------------------------------------------------------


def _diff(first: str | None, second: str | None, complete: bool) -> tuple[str, bool]:
    from riskctl.output.diff import render_json

    sides = read_diff_sides(*diff_sources(Path("register"), first, second), complete=complete)
    cache: ParseCache = {}
    old, new = load(sides.old, cache), load(sides.new, cache)
    diff = diff_registers(
        old.register,
        new.register,
        __import__("datetime").date.fromisoformat(FROZEN_NOW),
        sides.old_ref,
        sides.new_ref,
        old.failed,
        new.failed,
    )
    return render_json(diff, set()), sides.partial


def test_an_incident_naming_a_credited_control_moves_its_risks_in_diff(repo: GitRepo) -> None:
    """The issue's case: adding an incident that names a credited control as failed moves R-001
    up in `score`; diff said "0 risk level(s) up" because it did not read the risk."""
    repo.write("register/incidents/INC-2026-009.yaml", FAILED_C001)
    partial, is_partial = _diff(None, None, complete=False)
    complete, _ = _diff(None, None, complete=True)
    assert is_partial and partial == complete
    document = json.loads(partial)
    moved = {change["id"]: change for change in document["changes"]}
    assert moved["R-001"]["scores"]["residual"]["old"]["level"] == "high"
    assert moved["R-001"]["scores"]["residual"]["new"]["score"] == 16
    code, stdout, _ = riskctl("diff", "register", "--now", FROZEN_NOW)
    assert code == 0 and "1 risk level(s) up" not in stdout  # 12 high -> 16 high: same level
    assert "residual: L3 I4 12 high → L4 I4 16 high" in stdout


def test_diff_reads_the_working_tree_score_reads_whatever_gitignore_says(repo: GitRepo) -> None:
    """An incident file that .gitignore matches is still in the working tree's register (score
    reads every file of the folder); diff against the working tree must see it too."""
    repo.write(".gitignore", "register/incidents/*.yaml\n")
    repo.commit("ignore incident files", day=2)
    repo.write("register/incidents/INC-2026-009.yaml", FAILED_C001)
    document = json.loads(_diff(None, None, complete=False)[0])
    changed = {change["id"]: change["change"] for change in document["changes"]}
    assert changed == {"INC-2026-009": "added", "R-001": "modified"}
    code, stdout, stderr = riskctl("score", "register", "--now", FROZEN_NOW, "--format", "json")
    assert code == 0 and '"score": 16' in stdout, stderr


def test_a_control_broken_in_the_change_is_broken_not_deleted(repo: GitRepo) -> None:
    repo.write("register/controls/C-001.yaml", BROKEN_CONTROL)
    code, stdout, stderr = riskctl("diff", "register", "--now", FROZEN_NOW)
    assert code == 3 and "register/controls/C-001.yaml" in stderr
    code, stdout, stderr = riskctl("diff", "register", "--now", FROZEN_NOW, "--partial")
    assert code == 0, stderr
    assert "control C-001: broken" in stdout and "C-001: removed" not in stdout
    assert "its file does not load after the change: line 3: YAML syntax error" in stdout
    assert "key control C-001 no longer loads" in stdout
    assert "was deleted" not in stdout


def test_a_risk_broken_in_the_change_fires_no_deletion_gate(repo: GitRepo) -> None:
    repo.write("register/risks/R-001.yaml", "id: R-001\ninherent: {likelihood: 9}\n")
    code, stdout, _ = riskctl("diff", "register", "--now", FROZEN_NOW, "--partial")
    assert code == 0
    assert "risk R-001: broken" in stdout and "risk-deleted" not in stdout


def test_a_file_repaired_by_the_change_is_repaired_not_added(repo: GitRepo) -> None:
    good = (repo.root / "register/controls/C-001.yaml").read_text()
    repo.write("register/controls/C-001.yaml", BROKEN_CONTROL)
    repo.commit("break C-001", day=2)
    repo.write("register/controls/C-001.yaml", good)
    code, stdout, stderr = riskctl("diff", "register", "--now", FROZEN_NOW)
    assert code == 0, stderr
    assert "control C-001: repaired" in stdout and "added" not in stdout.split("\n")[0]
    assert "its file does not load before the change" in stdout


# --- every reader treats files the same way (RK008) -------------------------------------------


def _replace_with(repo: GitRepo, relative: str, how: str) -> None:
    target = repo.root / relative
    target.unlink()
    if how == "symlink":
        target.symlink_to("C-002.yaml")
    elif how == "fifo":
        os.mkfifo(target)
    elif how == "folder":
        target.mkdir()
        (target / "inside.yaml").write_text("id: C-001\n")
    else:  # pragma: no cover
        raise AssertionError(how)


@pytest.mark.parametrize("how", ["symlink", "fifo", "folder"])
def test_lint_score_and_diff_refuse_the_same_non_files(repo: GitRepo, how: str) -> None:
    """A symlink, FIFO or folder where controls/C-001.yaml was: RK008 for lint, a refused
    register for score, and a broken file (never a deleted one) for diff — in bounded time
    (a FIFO must never be opened). The FIFO goes through the real CLI, whose process a timeout
    can end should a reader ever open it; the others in-process (four processes each were
    1.5 s of CPU, nearly all of it starting Python)."""
    _replace_with(repo, "register/controls/C-001.yaml", how)

    def run(*arguments: str) -> tuple[int, str, str]:
        if how == "fifo":
            completed = subprocess.run(
                [sys.executable, "-m", "riskctl", *arguments, "--now", FROZEN_NOW],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=repo.root,
                check=False,
            )
            return completed.returncode, completed.stdout, completed.stderr
        result = runner.invoke(app, [*arguments, "--now", FROZEN_NOW])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        return result.exit_code, result.stdout, result.stderr

    _, lint, lint_stderr = run("lint", "register", "--format", "json")
    codes = {(f["file"], f["code"]) for f in json.loads(lint)["findings"]}
    assert ("register/controls/C-001.yaml", "RK008") in codes
    score_code, _, score_stderr = run("score", "register")
    assert score_code == 3 and "register/controls/C-001.yaml" in score_stderr
    diff_code, _, diff_stderr = run("diff", "register")
    assert diff_code == 3 and "register/controls/C-001.yaml" in diff_stderr
    partial_code, partial, partial_stderr = run("diff", "register", "--partial")
    assert partial_code == 0, partial_stderr
    assert "control C-001: broken" in partial and "RK008" in partial
    assert "Traceback" not in lint_stderr + score_stderr + diff_stderr + partial_stderr


@pytest.mark.parametrize(
    ("how", "why"),
    [
        ("symlink", "symlink: not followed; not read"),
        ("fifo", "not a regular file (a pipe or device); not read"),
        ("folder", "a folder, not a file; not read"),
    ],
)
def test_a_configuration_that_is_not_a_file_is_named_not_missing(
    repo: GitRepo, how: str, why: str
) -> None:
    """riskctl.yaml is there but a symlink, FIFO or folder: 'no riskctl.yaml (create one)'
    sent the user to write a file that exists; the error says what it is instead."""
    _replace_with(repo, "register/riskctl.yaml", how)
    for command in (["lint"], ["score"], ["report", "register"]):
        code, _, stderr = riskctl(*command, "register")
        assert code == 3, (command, stderr)
        assert f"register/riskctl.yaml: {why}; make it a regular file" in stderr, command
    if how == "symlink":
        repo.commit("riskctl.yaml as a symlink", day=2)
        code, _, stderr = riskctl("score", "register", "--rev", "HEAD")
        assert code == 3 and "riskctl.yaml: symlink in a commit: not followed" in stderr


def test_diff_reads_nothing_through_a_symlinked_folder(repo: GitRepo, tmp_path: Path) -> None:
    """register/controls replaced by a link to a copy: the walk refuses the folder (RK008), so
    score leaves every control out; diff read controls/C-001.yaml through the link (git lists
    the folder's files as changed, and opening them follows it) and called it modified."""
    outside = tmp_path / "controls"
    (repo.root / "register/controls").rename(outside)
    (repo.root / "register/controls").symlink_to(outside)
    copy = outside / "C-001.yaml"
    copy.write_text(copy.read_text().replace("operating: effective", "operating: ineffective"))
    code, _, stderr = riskctl("diff", "register", "--now", FROZEN_NOW)
    assert code == 3 and "register/controls/C-001.yaml" in stderr
    code, stdout, stderr = riskctl("diff", "register", "--partial", "--format", "json")
    assert code == 0, stderr
    changed = {each["id"]: each["change"] for each in json.loads(stdout)["changes"]}
    assert changed["C-001"] == changed["C-002"] == "broken"
    assert "in a symlinked folder: not followed; not read" in stdout


def test_a_submodule_in_a_commit_is_refused_not_read_as_empty(repo: GitRepo) -> None:
    """register/risks as a git submodule: a commit holds only the submodule's commit id, not its
    files. Read as an empty folder, score --rev gave no risks with exit 0 and diff called every
    risk removed (risk-deleted); it is RK008, so a command refuses it as not loaded."""
    head = repo.git("rev-parse", "HEAD")
    repo.git("rm", "-r", "--cached", "--quiet", "register/risks")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{head},register/risks")
    repo.git("commit", "--quiet", "-m", "risks as a submodule")
    code, _, stderr = riskctl("score", "register", "--rev", "HEAD")
    assert code == 3 and "did not load: register/risks." in stderr
    code, stdout, _ = riskctl("lint", "register", "--rev", "HEAD")
    assert "register/risks:1:1: error: RK008 a git submodule" in stdout
    code, _, stderr = riskctl("diff", "HEAD~1", "HEAD", "register")
    assert code == 3 and "did not load: register/risks." in stderr


def test_a_symlink_in_a_commit_is_refused_like_in_the_working_tree(repo: GitRepo) -> None:
    _replace_with(repo, "register/controls/C-001.yaml", "symlink")
    repo.commit("C-001 as a symlink", day=2)
    worktree = load(read_directory(Path("register")))
    at_head = load(register_source(Path("register"), "HEAD").read())
    assert worktree.failed.keys() == at_head.failed.keys() == {"controls/C-001.yaml"}
    code, _, stderr = riskctl("score", "register", "--rev", "HEAD")
    assert code == 3 and "register/controls/C-001.yaml" in stderr
    assert "riskctl lint register --rev HEAD" in stderr


def test_a_commit_is_read_as_the_working_tree_walk_reads_it(repo: GitRepo) -> None:
    """A commit holds what the walk of a working tree never reads as a register file: a folder
    named like one (RK008 in the working tree) and hidden files (not read). At a commit, in a
    diff and in log they are the same: not a deleted risk, not an extra risk."""
    repo.remove("register/risks/R-001.yaml")
    repo.write("register/risks/R-001.yaml/inside.yaml", "id: R-001\n")
    risk = (BASE_REGISTER / "risks/R-001.yaml").read_text()
    repo.write("register/risks/.R-099.yaml", risk.replace("id: R-001", "id: R-099"))
    repo.write("register/.drafts/controls/C-009.yaml", "id: C-009\n")
    repo.commit("R-001 as a folder; hidden drafts", day=2)
    worktree = load(read_directory(Path("register")))
    at_head = load(register_source(Path("register"), "HEAD").read())
    assert worktree.failed.keys() == at_head.failed.keys() == {"risks/R-001.yaml"}
    assert sorted(worktree.sources.files) == sorted(at_head.sources.files)
    assert [hit.message for hit in at_head.sources.problems] == ["a folder, not a file; not read"]
    for first, second in [("HEAD~1", "HEAD"), ("HEAD", None)]:
        sides = read_diff_sides(*diff_sources(Path("register"), first, second))
        old, new = load(sides.old), load(sides.new)
        diff = diff_registers(old.register, new.register, NOW, "a", "b", old.failed, new.failed)
        changed = {(change.id, change.change) for change in diff.changes}
        assert changed == ({("R-001", "broken")} if second else set()), (first, second)
    code, stdout, stderr = riskctl("log", "R-001", "register", "--format", "json")
    assert code == 0, stderr
    assert [each["change"] for each in json.loads(stdout)["commits"]] == ["modified", "added"]
    assert "a folder, not a file" in stdout


def test_a_configuration_broken_at_a_commit_names_the_commit(repo: GitRepo) -> None:
    """`register/riskctl.yaml:2:1` alone points at the working tree's file, which is fine:
    every command reading a commit whose configuration is broken says which commit."""
    config = (repo.root / "register/riskctl.yaml").read_text()
    repo.write("register/riskctl.yaml", "version: [\n")
    broken = repo.commit("break the configuration", day=2)
    repo.write("register/riskctl.yaml", config)
    repo.commit("repair it", day=3)
    named = f"register at HEAD~1 ({broken[:12]}): invalid configuration:"
    for arguments in [
        ["diff", "HEAD~1", "HEAD", "register"],
        ["diff", "HEAD~1...HEAD", "register"],
        ["lint", "register", "--rev", "HEAD~1"],
        ["score", "register", "--rev", "HEAD~1"],
        ["report", "wbr", "register", "--base", "HEAD~1", "--now", FROZEN_NOW],
    ]:
        code, stdout, stderr = riskctl(*arguments)
        assert code == 3, (arguments, stdout, stderr)
        assert "register/riskctl.yaml:2:1" in stderr, arguments
        assert (named if "..." not in arguments[1] else "merge base of") in stderr, arguments
    code, _, stderr = riskctl("score", "register", "--rev", "HEAD")
    assert code == 0, stderr


def test_a_register_gone_from_the_working_tree_is_read_at_a_revision(repo: GitRepo) -> None:
    """The register moved to a/b/register in a commit, and the working tree no longer has it
    (deleted, or another branch checked out): at that revision it is there, in the same
    repository, not "not inside a git repository"."""
    (repo.root / "a/b").mkdir(parents=True)
    repo.git("mv", "register", "a/b/register")
    repo.commit("move the register", day=2)
    repo.git("rm", "-r", "--quiet", "a")
    for arguments, expected in [
        (["score", "a/b/register", "--rev", "HEAD"], '"id": "R-001"'),
        (["lint", "a/b/register", "--rev", "HEAD"], '"files": 10'),
        (["log", "R-001", "a/b/register"], '"file": "a/b/register/risks/R-001.yaml"'),
    ]:
        code, stdout, stderr = riskctl(*arguments, "--format", "json")
        assert code == 0, (arguments, stderr)
        assert expected in stdout, arguments
    code, _, stderr = riskctl("score", "a/b/register", "--rev", "HEAD~1")
    assert code == 3 and "a/b/register/ at HEAD~1 is not a register" in stderr


def test_log_notes_scores_computed_without_a_file(repo: GitRepo) -> None:
    repo.write("register/controls/C-002.yaml", "id: C-002\ntitle: [broken\n")
    repo.write("register/risks/R-001.yaml", (repo.root / "register/risks/R-001.yaml").read_text())
    (repo.root / "register/risks/R-001.yaml").write_text(
        (repo.root / "register/risks/R-001.yaml").read_text().replace("2026-10-01", "2026-10-02")
    )
    repo.commit("review R-001, break C-002", day=2)
    code, stdout, _ = riskctl("log", "R-001", "register")
    assert code == 0
    assert "scored without 1 file(s) that did not load at this commit: controls/C-002.yaml" in (
        stdout
    )


def test_a_diff_in_a_shallow_clone_says_so(repo: GitRepo, tmp_path: Path) -> None:
    """GitHub Actions checks out one commit by default: the diff of what is there is right,
    and every format says the clone is shallow and how to deepen it."""
    repo.write("register/owners/cfo.yaml", "id: cfo\nname: CFO\n")
    repo.commit("add the CFO", day=2)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", f"file://{repo.root}", str(clone)],
        check=True,
        capture_output=True,
    )
    (clone / "register/owners/cfo.yaml").write_text("id: cfo\nname: Chief Financial Officer\n")
    register = str(clone / "register")
    code, stdout, _ = riskctl("diff", register, "--now", FROZEN_NOW)
    assert code == 0
    assert "owner cfo: modified" in stdout
    assert "note: only the history this clone holds was read: this clone is shallow" in stdout
    assert "fetch-depth: 0" in stdout
    code, stdout, _ = riskctl("diff", register, "--now", FROZEN_NOW, "--format", "json")
    assert "git fetch --unshallow" in json.loads(stdout)["shallow"]
    code, stdout, _ = riskctl("diff", register, "--now", FROZEN_NOW, "--format", "markdown")
    assert "\n> only the history this clone holds was read" in stdout
    code, _, stderr = riskctl("diff", "HEAD~1", register, "--now", FROZEN_NOW)
    assert code == 3 and "shallow" in stderr and "Traceback" not in stderr


def test_a_month_end_at_which_a_file_did_not_load_has_no_scores(repo: GitRepo) -> None:
    """The MBR trend reads the register at each month-end: one where a control file did not
    load would be scored without it, so it shows no data and says why."""
    good = (repo.root / "register/controls/C-002.yaml").read_text()
    repo.write("register/controls/C-002.yaml", "id: C-002\ntitle: [broken\n")
    repo.commit("break C-002", day=40)  # 2026-02-10
    repo.write("register/controls/C-002.yaml", good)
    repo.commit("fix C-002", day=70)  # 2026-03-12
    code, stdout, stderr = riskctl("report", "mbr", "register", "--now", "2026-04-15")
    assert code == 0, stderr
    february = next(line for line in stdout.splitlines() if line.startswith("| 2026-02-28"))
    assert "unreadable: 1 file(s) did not load at this commit" in february
    march = next(line for line in stdout.splitlines() if line.startswith("| 2026-03-31"))
    assert "unreadable" not in march
