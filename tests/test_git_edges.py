"""Revisions and repositories at the edge: every form git accepts, odd commits, shallow clones.

Each revision form resolves exactly as git resolves it (`Repository.resolve`), or is refused with
exit 3 and a message that says what to fix; never exit 4. Every command that takes a revision is
run on each form through the CLI (in-process, `CliRunner`). Repositories are real: empty, bare,
detached, unborn, with commits that have no message, no author name, a message that is not UTF-8
or a date in 1970 or 2100, and shallow clones made with `git clone --depth N file://...`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.errors import RiskctlError
from riskctl.gitio import Repository, shallow_hint
from riskctl.history import entity_history
from riskctl.output.history import render_text
from riskctl.source import register_source
from tests.conftest import BASE_REGISTER, FROZEN_NOW
from tests.gitrepo import EPOCH, IDENTITY, GitRepo

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
#: Generous: each run takes well under a second; a hang or a runaway walk would not.
TIME_BOUND = 30.0
HINT = shallow_hint()
REVISION_FORMAT = "(give a branch, tag or commit id, e.g. HEAD~1 or main)"


@pytest.fixture(autouse=True)
def _git_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Git's "now" for `@{yesterday}` and other relative dates: 2026-11-27, not the clock."""
    monkeypatch.setenv("GIT_TEST_DATE_NOW", str(EPOCH + 330 * 86400))


def _edit(repo: GitRepo, relative: str, old: str, new: str) -> None:
    path = repo.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{relative} has no {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _git(root: Path, *arguments: str, stamp: str, stdin: bytes | None = None) -> str:
    """Run git with the test identity and an explicit date (`@SECONDS +0000`)."""
    environment = {
        **os.environ,
        **IDENTITY,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    completed = subprocess.run(
        ["git", *arguments], cwd=root, env=environment, input=stdin, capture_output=True, check=True
    )
    return completed.stdout.decode().strip()


def _colliding_blobs() -> tuple[str, bytes, bytes]:
    """Two contents whose blob ids share their first four hex digits, and that prefix."""
    seen: dict[str, bytes] = {}
    number = 0
    while True:
        content = f"collision candidate {number}\n".encode()
        prefix = hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()[:4]
        if prefix in seen:
            return prefix, seen[prefix], content
        seen[prefix] = content
        number += 1


@dataclass(frozen=True)
class Edges:
    """The fixture repository and the commits it holds, by name."""

    repo: GitRepo
    ids: dict[str, str]
    ambiguous: str

    @property
    def register(self) -> Path:
        return self.repo.root / "register"


R001 = "register/risks/R-001.yaml"


@pytest.fixture(scope="module")
def edges(tmp_path_factory: pytest.TempPathFactory) -> Edges:
    """main: c1 (tag v1, annotated; branch `register`) → c2 (tag `light`; branch
    `riskctl.yaml`) → c3. feature: c2 → f1. odd: c3 → o1 … o5, every one touching R-001:
    a Latin-1 message, an empty message, an empty author name, dated 1970, dated 2100.
    HEAD is main, checked out last from odd.
    """
    repo = GitRepo(tmp_path_factory.mktemp("edges") / "repo")
    repo.copy_register(BASE_REGISTER)
    ids = {"c1": repo.commit("a clean register", day=1)}
    repo.git("tag", "-a", "v1", "-m", "the first register", day=1)
    _edit(repo, R001, "title: Card testing", "title: Card testing, retitled")
    ids["c2"] = repo.commit("retitle the card-testing risk", day=2)
    repo.git("tag", "light")
    repo.git("checkout", "-q", "-b", "feature", day=2)
    _edit(repo, R001, "reviewed: 2026-10-01", "reviewed: 2026-10-15")
    ids["f1"] = repo.commit("review R-001 on the feature branch", day=3)
    repo.git("checkout", "-q", "main", day=3)
    _edit(repo, R001, "impact: 4}", "impact: 5}")
    ids["c3"] = repo.commit("raise the impact of R-001", day=5)
    repo.git("branch", "register", ids["c1"], day=5)
    repo.git("branch", "riskctl.yaml", ids["c2"], day=5)

    repo.git("checkout", "-q", "-b", "odd", day=5)
    stamp = f"@{EPOCH + 6 * 86400} +0000"
    _edit(repo, R001, "treatment: mitigate\n", "treatment: mitigate\nprocess: odd 1\n")
    _git(repo.root, "add", "--all", stamp=stamp)
    latin = "café résumé\n".encode("latin-1")  # with an `encoding ISO-8859-1` header
    latin_1 = ("-c", "i18n.commitEncoding=ISO-8859-1")
    _git(repo.root, *latin_1, "commit", "-q", "-F", "-", stamp=stamp, stdin=latin)
    ids["o1"] = repo.git("rev-parse", "HEAD")
    _edit(repo, R001, "process: odd 1", "process: odd 2")
    _git(repo.root, "add", "--all", stamp=stamp)
    _git(repo.root, "commit", "-q", "--allow-empty-message", "-m", "", stamp=stamp)
    ids["o2"] = repo.git("rev-parse", "HEAD")
    _edit(repo, R001, "process: odd 2", "process: odd 3")
    _git(repo.root, "add", "--all", stamp=stamp)
    tree = _git(repo.root, "write-tree", stamp=stamp)
    ident = f"<nobody@example.invalid> {EPOCH + 7 * 86400} +0000"
    head = f"tree {tree}\nparent {ids['o2']}\nauthor  {ident}\ncommitter  {ident}\n\n"
    raw = head.encode() + b"no name \xff\xfe\n"  # not UTF-8, and no header says so
    ids["o3"] = _git(
        repo.root, "hash-object", "-t", "commit", "-w", "--stdin", "--literally",
        stamp=stamp, stdin=raw,
    )  # fmt: skip
    _git(repo.root, "update-ref", "refs/heads/odd", ids["o3"], stamp=stamp)
    _edit(repo, R001, "process: odd 3", "process: odd 4")
    _git(repo.root, "add", "--all", stamp="@0 +0000")
    _git(repo.root, "commit", "-q", "-m", "dated 1970", stamp="@0 +0000")
    ids["o4"] = repo.git("rev-parse", "HEAD")
    _edit(repo, R001, "process: odd 4", "process: odd 5")
    _git(repo.root, "add", "--all", stamp="@4102444800 +0000")
    _git(repo.root, "commit", "-q", "-m", "dated 2100", stamp="@4102444800 +0000")
    ids["o5"] = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "main", day=10)

    prefix, first, second = _colliding_blobs()
    for content in (first, second):
        _git(repo.root, "hash-object", "-w", "--stdin", stamp=stamp, stdin=content)
    ids["tree"] = repo.git("rev-parse", "HEAD^{tree}")
    ids["blob"] = repo.git("rev-parse", "HEAD:register/riskctl.yaml")
    return Edges(repo, ids, prefix)


#: Revision → the commit (by fixture name) git resolves it to.
RESOLVED = {
    "HEAD": "c3",
    "@": "c3",
    "main": "c3",
    "HEAD@{1}": "o5",
    "@{-1}": "o5",
    "main@{1}": "c2",
    "main@{2026-01-03 12:00:00 +0000}": "c2",
    "HEAD@{2026-11-01}": "c3",
    "main@{yesterday}": "c3",
    ":/retitle the card": "c2",
    "v1": "c1",
    "v1^{}": "c1",
    "light": "c2",
    "register": "c1",
    "riskctl.yaml": "c2",
    "feature": "f1",
    "odd~2": "o3",
}


@pytest.mark.parametrize(("revision", "name"), RESOLVED.items())
def test_resolve_gives_the_commit_git_gives(edges: Edges, revision: str, name: str) -> None:
    assert Repository(edges.repo.root).resolve(revision) == edges.ids[name]


REFLOG_NOTE = (
    " (a reflog entry exists only in the clone where the branch moved; "
    "a fresh clone, as in CI, has few or none)"
)


def _refusals(edges: Edges) -> dict[str, str]:
    """Revision → the exact message of its exit 3."""
    tree, blob = edges.ids["tree"], edges.ids["blob"]
    return {
        "HEAD^{tree}": (
            f"'HEAD^{{tree}}' names a tree ({tree[:12]}), not a commit {REVISION_FORMAT}"
        ),
        "HEAD:register": (
            f"'HEAD:register' names a tree ({edges.repo.git('rev-parse', 'HEAD:register')[:12]}), "
            f"not a commit {REVISION_FORMAT}"
        ),
        blob: f"{blob!r} names a blob ({blob[:12]}), not a commit {REVISION_FORMAT}",
        edges.ambiguous: (
            f"ambiguous revision {edges.ambiguous!r}: more than one object starts with it; "
            "give more characters of the commit id"
        ),
        "@{-9}": "unknown revision '@{-9}'" + REFLOG_NOTE,
        ":/no commit says this": "unknown revision ':/no commit says this'",
        "HEAD~99": "unknown revision 'HEAD~99'",
        "HEAD;ls": "unknown revision 'HEAD;ls'",
        "--output=/tmp/x": f"not a revision: '--output=/tmp/x' {REVISION_FORMAT}",
        "main..feature": f"not a revision: 'main..feature' {REVISION_FORMAT}",
        "^main": f"not a revision: '^main' {REVISION_FORMAT}",  # a range's exclusion
        "HEAD\x1b[2J": f"not a revision: 'HEAD\\x1b[2J' {REVISION_FORMAT}",
    }


def test_resolve_refuses_what_is_not_a_commit_with_the_reason(edges: Edges) -> None:
    repository = Repository(edges.repo.root)
    for revision, message in _refusals(edges).items():
        with pytest.raises(RiskctlError) as raised:
            repository.resolve(revision)
        assert str(raised.value) == message, revision


def test_resolve_passes_on_gits_own_reason(edges: Edges) -> None:
    """Git words some failures better than "unknown" (its wording varies by version)."""
    with pytest.raises(RiskctlError) as raised:
        Repository(edges.repo.root).resolve("main@{99}")
    message = str(raised.value)
    assert message.startswith("cannot resolve revision 'main@{99}': "), message
    assert "main" in message.removeprefix("cannot resolve revision 'main@{99}': ")
    assert message.endswith(REFLOG_NOTE)
    assert "fatal" not in message
    for revision in ("@{u}", "main@{upstream}", "@{push}"):  # no upstream in this clone
        with pytest.raises(RiskctlError) as raised:
            Repository(edges.repo.root).resolve(revision)
        message = str(raised.value)
        assert message.startswith(f"cannot resolve revision {revision!r}: "), message
        assert "upstream" in message
        assert "reflog" not in message


# --- every command that takes a revision, through the CLI ---------------------------------------


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    crashed: str | None


def _invoke(arguments: list[str]) -> Run:
    started = time.monotonic()
    result = runner.invoke(app, arguments)
    seconds = time.monotonic() - started
    crashed = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crashed = f"{type(result.exception).__name__}: {result.exception}"
    return Run(result.exit_code, result.stdout, result.stderr, seconds, crashed)


def _commands(revision: str, register: str) -> dict[str, list[str]]:
    """Each command that takes a revision, given `revision` where it goes."""
    now = ["--now", FROZEN_NOW]
    return {
        "lint --rev": ["lint", register, "--rev", revision, *now],
        "score --rev": ["score", register, "--rev", revision, *now],
        "report wbr --rev": ["report", "wbr", register, "--rev", revision, *now],
        "log --rev": ["log", "R-001", register, "--rev", revision],
        "diff A": ["diff", *now, "--", revision, register],
        "diff A B": ["diff", *now, "--", "HEAD", revision, register],
        "diff A...B": ["diff", *now, "--", f"{revision}...main", register],
    }


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the working tree (not `.git`) with its content."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


#: One of each kind of form in RESOLVED that is more than a plain name (the library test
#: covers them all; every command reads them through the same `Repository.resolve`).
CLI_RESOLVED = [
    *("HEAD@{1}", "@{-1}", "main@{2026-01-03 12:00:00 +0000}", "main@{yesterday}"),
    *(":/retitle the card", "v1", "register", "@"),
]


def _check_runs(
    edges: Edges, cases: list[tuple[str, str, list[str]]], expected: Mapping[str, str | None]
) -> None:
    """Run each case; None expects exit 0 or 1, a message expects exactly that exit 3."""
    before = _snapshot(edges.repo.root)
    status = edges.repo.git("status", "--porcelain")
    for revision, command, arguments in cases:
        run = _invoke(arguments)
        label = f"{command} {revision!r}"
        assert run.crashed is None, f"{label}: {run.crashed}"
        assert "Traceback" not in run.stdout + run.stderr, label
        assert run.seconds < TIME_BOUND, label
        message = expected[revision]
        if message is None:
            assert run.exit_code in (0, 1), f"{label}: {run.exit_code} {run.stderr}"
            assert "riskctl: error" not in run.stderr, label
            assert run.stdout, label
        else:
            assert (run.exit_code, run.stdout) == (3, ""), f"{label}: {run.stdout}"
            assert run.stderr == f"riskctl: error: {message}\n", label
    assert _snapshot(edges.repo.root) == before
    assert edges.repo.git("status", "--porcelain") == status


def test_every_command_resolves_each_revision_form(edges: Edges) -> None:
    register = str(edges.register)
    cases = [
        (revision, command, arguments)
        for revision in CLI_RESOLVED
        for command, arguments in _commands(revision, register).items()
    ]
    _check_runs(edges, cases, dict.fromkeys(CLI_RESOLVED))


def test_every_command_refuses_each_bad_revision_with_exit_3(edges: Edges) -> None:
    refusals = _refusals(edges)
    register = str(edges.register)
    cases = [
        (revision, command, arguments)
        for revision in refusals
        for command, arguments in _commands(revision, register).items()
    ]
    _check_runs(edges, cases, refusals)


def test_the_other_commands_with_rev_resolve_and_refuse_alike(edges: Edges) -> None:
    """Every other command with `--rev` reads through the same resolution: one form of each
    kind (a reflog date, a previous branch, a tree, an ambiguous id) is enough to show it."""
    register = str(edges.register)
    now = ["--now", FROZEN_NOW]
    commands = {
        "incidents": ["incidents", register, *now],
        "kri status": ["kri", "status", register, *now],
        "premortem": ["premortem", register, *now],
        "report register": ["report", "register", register, *now],
        "report rcm": ["report", "rcm", register, *now],
        "report risk": ["report", "risk", "R-001", register, *now],
        "report launch": ["report", "launch", "LAUNCH-001", register, *now],
        "report mbr": ["report", "mbr", register, *now],
    }
    refusals = _refusals(edges)
    expected: dict[str, str | None] = {
        "main@{2026-01-03 12:00:00 +0000}": None,
        "@{-1}": None,
        "HEAD^{tree}": refusals["HEAD^{tree}"],
        edges.ambiguous: refusals[edges.ambiguous],
    }
    cases = [
        (revision, command, [*arguments, "--rev", revision])
        for revision in expected
        for command, arguments in commands.items()
    ]
    _check_runs(edges, cases, expected)


# --- commits with odd metadata ------------------------------------------------------------------


def test_odd_commits_are_listed_as_they_are(edges: Edges) -> None:
    history = entity_history(register_source(edges.register, "odd"), "R-001")
    shown = [
        (entry.commit.id, entry.commit.subject, entry.commit.author, entry.commit.date.isoformat())
        for entry in history.entries[:5]
    ]
    assert shown == [
        (edges.ids["o5"], "dated 2100", "riskctl tests", "2100-01-01T00:00:00+00:00"),
        (edges.ids["o4"], "dated 1970", "riskctl tests", "1970-01-01T00:00:00+00:00"),
        (edges.ids["o3"], "no name \ufffd\ufffd", "", "2026-01-08T00:00:00+00:00"),
        (edges.ids["o2"], "", "riskctl tests", "2026-01-07T00:00:00+00:00"),
        (
            edges.ids["o1"],
            "café résumé",
            "riskctl tests",
            "2026-01-07T00:00:00+00:00",
        ),
    ]
    assert {entry.change for entry in history.entries[:5]} == {"modified"}
    assert {entry.fields for entry in history.entries[:5]} == {("process",)}
    assert history.shallow is False


def test_log_of_odd_commits_in_every_format(edges: Edges) -> None:
    for output_format in ("text", "json"):
        run = _invoke(["log", "R-001", str(edges.register), "--rev", "odd", "-f", output_format])
        assert (run.crashed, run.exit_code, run.stderr) == (None, 0, "")
        assert run.seconds < TIME_BOUND
    document = json.loads(run.stdout)
    assert [each["author"] for each in document["commits"][:5]] == [
        *("riskctl tests", "riskctl tests", ""),
        *("riskctl tests", "riskctl tests"),
    ]
    assert document["commits"][0]["date"] == "2100-01-01T00:00:00+00:00"


def test_month_end_trend_over_commits_dated_1970_and_2100(edges: Edges) -> None:
    run = _invoke(["report", "mbr", str(edges.register), "--rev", "odd", "--now", FROZEN_NOW])
    assert (run.crashed, run.exit_code, run.stderr) == (None, 0, "")
    assert run.seconds < TIME_BOUND


# --- repositories at the edge -----------------------------------------------------------------


def _small(root: Path, commits: int = 2) -> GitRepo:
    repo = GitRepo(root)
    repo.copy_register(BASE_REGISTER)
    repo.commit("a clean register", day=1)
    for day in range(2, commits + 1):
        _edit(repo, R001, f"impact: {2 + day}}}", f"impact: {3 + day}}}")
        repo.commit(f"R-001 impact {3 + day}", day=day)
    return repo


def _exit_3(arguments: list[str], message: str) -> None:
    run = _invoke(arguments)
    assert (run.crashed, run.exit_code, run.stdout) == (None, 3, ""), run.stderr
    assert run.stderr == f"riskctl: error: {message}\n"
    assert run.seconds < TIME_BOUND


def test_an_empty_repository_says_it_has_no_commits(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    register = str(repo.root / "register")
    before = _snapshot(repo.root)
    message = f"unknown revision 'HEAD': the repository at {repo.root.resolve()} has no commits yet"
    with pytest.raises(RiskctlError) as raised:
        Repository(repo.root).resolve("HEAD")
    assert str(raised.value) == message
    _exit_3(["lint", register, "--rev", "HEAD"], message)
    _exit_3(["diff", register], message)
    _exit_3(["log", "R-001", register], message)
    _exit_3(["report", "wbr", register, "--rev", "HEAD"], message)
    assert _snapshot(repo.root) == before


def test_an_unborn_branch_is_named(tmp_path: Path) -> None:
    repo = _small(tmp_path / "repo")
    repo.git("checkout", "-q", "--orphan", "fresh")
    repository = Repository(repo.root)
    with pytest.raises(RiskctlError) as raised:
        repository.resolve("HEAD")
    message = "unknown revision 'HEAD' (HEAD is the branch 'fresh', which has no commits yet)"
    assert str(raised.value) == message
    assert repository.resolve("main") == repo.git("rev-parse", "main")
    _exit_3(["lint", str(repo.root / "register"), "--rev", "HEAD"], message)


def test_a_detached_head_reads_like_any_commit(tmp_path: Path) -> None:
    repo = _small(tmp_path / "repo", commits=3)
    first = repo.git("rev-parse", "HEAD~1")
    repo.git("checkout", "-q", "--detach", "HEAD~1")
    register = str(repo.root / "register")
    assert Repository(repo.root).resolve("HEAD") == first
    assert Repository(repo.root).resolve("@{-1}") == repo.git("rev-parse", "main")
    history = entity_history(register_source(repo.root / "register", "HEAD"), "R-001")
    assert [entry.commit.id for entry in history.entries] == [
        first,
        repo.git("rev-parse", "HEAD~1"),
    ]
    for arguments in (
        ["diff", "--now", FROZEN_NOW, "--", "@{-1}", register],
        ["log", "R-001", register, "--rev", "@{-1}"],
        ["lint", register, "--rev", "@", "--now", FROZEN_NOW],
    ):
        run = _invoke(arguments)
        assert (run.crashed, run.exit_code, run.stderr) == (None, 0, ""), arguments


def test_a_bare_repository_has_no_register(tmp_path: Path) -> None:
    source = _small(tmp_path / "source")
    bare = tmp_path / "bare.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(source.root), str(bare)], check=True, env=_env()
    )
    message = f"{bare}: a bare repository has no register to compare with"
    with pytest.raises(RiskctlError) as raised:
        Repository(bare)
    assert str(raised.value) == message
    _exit_3(["lint", str(bare), "--rev", "HEAD"], message)
    inside = bare / "register"  # not there: its parent, the bare repository, is opened
    _exit_3(["diff", "HEAD", str(bare)], message)
    _exit_3(["log", "R-001", str(inside)], message)


def test_a_register_outside_any_repository(base_register: Path) -> None:
    message = f"{base_register}: not inside a git repository (--rev and diff read git history)"
    with pytest.raises(RiskctlError) as raised:
        Repository(base_register)
    assert str(raised.value) == message
    _exit_3(["diff", str(base_register)], message)
    _exit_3(["score", str(base_register), "--rev", "HEAD~1"], message)


def _env() -> dict[str, str]:
    return {**os.environ, **IDENTITY}


# --- shallow clones -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Clones:
    source: GitRepo
    """main: c1 (tag wbr-2026-01-02) → c2 → c3, each touching R-001; feature: c1 → f1."""
    depth_1: Path
    depth_2: Path


@pytest.fixture(scope="module")
def clones(tmp_path_factory: pytest.TempPathFactory) -> Clones:
    base = tmp_path_factory.mktemp("shallow")
    source = GitRepo(base / "source")
    source.copy_register(BASE_REGISTER)
    source.commit("a clean register", day=1)
    source.git("tag", "wbr-2026-01-02", day=1)
    source.git("checkout", "-q", "-b", "feature", day=1)
    _edit(source, R001, "reviewed: 2026-10-01", "reviewed: 2026-10-15")
    source.commit("review R-001", day=2)
    source.git("checkout", "-q", "main", day=2)
    _edit(source, R001, "impact: 4}", "impact: 5}")
    source.commit("raise the impact of R-001", day=3)
    _edit(source, R001, "likelihood: 4,", "likelihood: 3,")
    source.commit("lower the likelihood of R-001", day=4)
    clones = {}
    for depth in (1, 2):  # both branches, no tags: like actions/checkout at a fixed depth
        target = base / f"depth-{depth}"
        subprocess.run(
            [
                *("git", "clone", "-q", f"--depth={depth}", "--no-single-branch", "--no-tags"),
                f"file://{source.root}",
                str(target),
            ],
            check=True,
            capture_output=True,
            env=_env(),
        )
        clones[depth] = target
    return Clones(source, clones[1], clones[2])


def test_is_shallow_and_its_boundary(clones: Clones) -> None:
    shallow, full = Repository(clones.depth_1), Repository(clones.source.root)
    assert (shallow.is_shallow(), full.is_shallow()) == (True, False)
    tips = {clones.source.git("rev-parse", "main"), clones.source.git("rev-parse", "feature")}
    assert shallow.shallow_boundary() == tips
    assert full.shallow_boundary() == frozenset()


def test_a_revision_beyond_the_boundary_is_exit_3_with_the_cure(clones: Clones) -> None:
    register = str(clones.depth_1 / "register")
    message = f"unknown revision 'HEAD~1'; it may be cut off: {HINT}"
    with pytest.raises(RiskctlError) as raised:
        Repository(clones.depth_1).resolve("HEAD~1")
    assert str(raised.value) == message
    before = _snapshot(clones.depth_1)
    _exit_3(["lint", register, "--rev", "HEAD~1"], message)
    _exit_3(["score", register, "--rev", "HEAD~1"], message)
    _exit_3(["log", "R-001", register, "--rev", "HEAD~1"], message)
    _exit_3(["report", "wbr", register, "--rev", "HEAD~1", "--now", FROZEN_NOW], message)
    _exit_3(["diff", "HEAD~1", "HEAD", register], message)
    _exit_3(
        ["diff", "origin/main...origin/feature", register],
        "'origin/main' and 'origin/feature' have no common ancestor in this clone; "
        f"the merge base may be cut off: {HINT}",
    )
    assert _snapshot(clones.depth_1) == before


def test_what_the_shallow_clone_holds_still_reads(clones: Clones) -> None:
    register = str(clones.depth_1 / "register")
    (clones.depth_1 / R001).write_text(
        (clones.depth_1 / R001).read_text(encoding="utf-8").replace("impact: 5}", "impact: 4}"),
        encoding="utf-8",
    )
    try:
        for arguments in (
            ["lint", register, "--rev", "HEAD", "--now", FROZEN_NOW],
            ["diff", register, "--now", FROZEN_NOW],
            ["diff", "origin/feature", "HEAD", register, "--now", FROZEN_NOW],
            ["report", "mbr", register, "--now", FROZEN_NOW],
        ):
            run = _invoke(arguments)
            assert (run.crashed, run.stderr) == (None, ""), arguments
            assert run.exit_code in (0, 1), arguments
    finally:
        subprocess.run(["git", "checkout", "-q", "--", "."], cwd=clones.depth_1, check=True)


def test_log_in_a_shallow_clone_stops_at_the_boundary_and_says_so(clones: Clones) -> None:
    full = entity_history(register_source(clones.source.root / "register", "HEAD"), "R-001")
    assert [entry.change for entry in full.entries] == ["modified", "modified", "added"]
    assert full.shallow is False
    one = entity_history(register_source(clones.depth_1 / "register", "HEAD"), "R-001")
    assert [entry.commit.id for entry in one.entries] == [full.entries[0].commit.id]
    [cut] = one.entries
    assert (cut.change, cut.fields, cut.parent_scores) == ("unknown", None, None)
    assert cut.scores == full.entries[0].scores
    stops = "the history in this clone stops here, so what this commit changed is not known"
    assert cut.note == f"{stops}: {HINT}"
    assert one.shallow is True
    two = entity_history(register_source(clones.depth_2 / "register", "HEAD"), "R-001")
    assert [(entry.change, entry.fields) for entry in two.entries] == [
        ("modified", ("inherent.likelihood",)),
        ("unknown", None),
    ]
    assert two.entries[0].parent_scores == full.entries[0].parent_scores
    text = render_text(one)
    assert "  unknown   residual " in text
    assert "    fields    not known: the clone holds no parent of this commit\n" in text
    assert text.endswith(f"Older commits are not listed: {HINT}.\n")
    run = _invoke(["log", "R-001", str(clones.depth_1 / "register"), "-f", "json"])
    assert (run.crashed, run.exit_code) == (None, 0)
    document = json.loads(run.stdout)
    assert document["shallow"] is True
    assert document["commits"][0]["change"] == "unknown"


# --- the workflow that CI copies ----------------------------------------------------------------


def test_the_workflow_checks_out_the_history_the_diff_needs() -> None:
    workflow = yaml.safe_load((ROOT / "docs" / "github-actions.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["register"]["steps"]
    checkouts = [step for step in steps if str(step.get("uses", "")).startswith("actions/checkout")]
    assert [step["with"]["fetch-depth"] for step in checkouts] == [0]
    guide = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "git fetch --unshallow" in guide


def _trend_rows(register: Path) -> dict[str, str]:
    """The MBR trend table: month-end → its last cell (which commit, or why no data)."""
    run = _invoke(["report", "mbr", str(register), "--now", FROZEN_NOW])
    assert (run.crashed, run.exit_code, run.stderr) == (None, 0, "")
    rows = {}
    for line in run.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        if len(cells) > 2 and cells[0][:4] in {"2025", "2026"}:
            rows[cells[0]] = cells[-1]
    return rows


def test_month_end_trend_in_a_shallow_clone_says_what_is_missing(clones: Clones) -> None:
    full = _trend_rows(clones.source.root / "register")
    shallow = _trend_rows(clones.depth_1 / "register")
    cut_off = f"not in this clone: {shallow_hint()}".replace("|", "\\|").replace("`", "\\`")
    before = ("2025-11-30", "2025-12-31")  # the first commit is 2026-01-02
    assert [full[day] for day in before] == ["before the first commit"] * 2
    assert [shallow[day] for day in before] == [cut_off] * 2
    tip = f"commit {clones.source.git('rev-parse', 'main')[:12]}"
    assert full["2026-10-31"] == shallow["2026-10-31"] == tip
    assert len(full) == len(shallow) == 13


def test_without_git_on_path_every_git_read_is_exit_3(edges: Edges) -> None:
    """GitPython's import fails without git; riskctl must say so, not crash (subprocesses: the
    executable is looked up once per process)."""
    register = str(edges.register)
    environment = {**_env(), "PATH": "/nonexistent"}
    message = "riskctl: error: cannot run git: install it and put it on PATH (riskctl reads "
    message += "history with git)\n"
    commands = [
        ["lint", register, "--rev", "HEAD"],
        ["diff", "--", "HEAD", register],
        ["log", "R-001", register],
    ]

    def run(arguments: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
        started = time.monotonic()
        completed = subprocess.run(
            [sys.executable, "-m", "riskctl", *arguments],
            env=environment,
            capture_output=True,
            text=True,
            timeout=TIME_BOUND,
            check=False,
        )
        return time.monotonic() - started, completed

    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        for seconds, completed in pool.map(run, commands):
            assert seconds < TIME_BOUND
            assert (completed.returncode, completed.stdout) == (3, ""), completed.stderr
            assert completed.stderr == message


def test_a_git_that_fails_to_start_is_exit_3_saying_why(edges: Edges, tmp_path: Path) -> None:
    """A broken ~/.gitconfig makes `git version` fail, and GitPython's import with it
    (ImportError even with GIT_PYTHON_REFRESH=quiet): every git read was exit 4."""
    config = tmp_path / "gitconfig"
    config.write_text("[core\nbroken", encoding="utf-8")
    environment = {**_env(), "GIT_CONFIG_GLOBAL": str(config)}
    register = str(edges.register)
    commands = [["lint", register, "--rev", "HEAD"], ["diff", "--", "HEAD", register]]
    expected = f"riskctl: error: git fails to start: fatal: bad config line 1 in file {config}\n"

    def run(arguments: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "riskctl", *arguments],
            env=environment,
            capture_output=True,
            text=True,
            timeout=TIME_BOUND,
            check=False,
        )

    commands.append(["report", "wbr", register, "--now", FROZEN_NOW])
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        *reads, wbr = pool.map(run, commands)
    for completed in reads:
        assert (completed.returncode, completed.stdout) == (3, ""), completed.stderr
        assert completed.stderr == expected
    # the review goes on without history, and says why: not "not inside a git repository"
    assert (wbr.returncode, wbr.stderr) == (0, "")
    assert f"could be looked up ({expected.removeprefix('riskctl: error: ').strip()})" in wbr.stdout


def test_wbr_in_a_shallow_clone_says_why_no_review_tag_is_found(clones: Clones) -> None:
    runs = {
        name: _invoke(["report", "wbr", str(root / "register"), "--now", FROZEN_NOW])
        for name, root in (("full", clones.source.root), ("shallow", clones.depth_1))
    }
    for run in runs.values():
        assert (run.crashed, run.exit_code, run.stderr) == (None, 0, "")
    assert "wbr-2026-01-02" in runs["full"].stdout
    assert "wbr-2026-01-02" not in runs["shallow"].stdout
    expected = f"No `wbr-*` tag is reachable from HEAD in this clone: {HINT}, so there is no"
    assert expected in runs["shallow"].stdout
    assert "No `wbr-*` tag" not in runs["full"].stdout


def test_a_register_folder_named_like_a_glob_reads_only_itself(tmp_path: Path) -> None:
    """Git reads `[`, `*` and `?` in a pathspec as a glob: `reg[1]` matched `reg1/` too, so log
    listed commits that touched another register's R-001, and diff read its changes."""
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER, "reg[1]")
    repo.commit("a register named reg[1]", day=1)
    repo.copy_register(BASE_REGISTER, "reg1")
    repo.commit("another register, reg1", day=2)
    _edit(repo, "reg1/risks/R-001.yaml", "id: R-001\n", "id: R-001\n\n")
    repo.commit("touch reg1's R-001", day=3)
    folder = str(repo.root / "reg[1]")
    result = runner.invoke(app, ["log", "R-001", folder, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    commits = json.loads(result.stdout)["commits"]
    assert [each["subject"] for each in commits] == ["a register named reg[1]"]
    _edit(repo, "reg1/risks/R-001.yaml", "id: R-001\n", "id: R-001\nx: [\n")
    result = runner.invoke(app, ["diff", folder, "--format", "json", "--now", FROZEN_NOW])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["changes"] == []
