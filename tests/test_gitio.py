"""Reading registers from git objects: revisions, trees, blobs, --rev on every read."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.errors import RiskctlError
from riskctl.gitio import Repository, check_revision
from riskctl.lint.engine import lint
from riskctl.load import ParseCache, Sources, blob_id, load, read_directory
from riskctl.source import register_source
from tests.conftest import BASE_REGISTER, FROZEN_NOW
from tests.gitrepo import GitRepo

NOW = datetime.date.fromisoformat(FROZEN_NOW)
runner = CliRunner()


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """Two commits: a clean register, then one with a dangling reference and a new file."""
    repository = GitRepo(tmp_path / "repo")
    repository.copy_register(BASE_REGISTER)
    repository.commit("a clean register", day=1)
    risk = (repository.root / "register/risks/R-001.yaml").read_text(encoding="utf-8")
    repository.write("register/risks/R-001.yaml", risk.replace("[C-001, C-002]", "[C-001, C-404]"))
    repository.write("register/owners/cfo.yaml", "id: cfo\nname: CFO\n")
    repository.commit("break a reference", day=2)
    repository.git("tag", "v1", "HEAD~1")
    return repository


@pytest.mark.parametrize(
    "revision",
    ["-x", "--output=/tmp/x", "HEAD..main", "", "x" * 300, "a\nb", "HEAD\x1b[2J", "a\tb"],
)
def test_check_revision_refuses_options_ranges_and_control_characters(revision: str) -> None:
    with pytest.raises(RiskctlError, match="not a revision"):
        check_revision(revision)


@pytest.mark.parametrize(
    "revision",
    [
        *("HEAD", "HEAD~1", "main", "v1", "HEAD^", "main@{0}", "a1b2c3d", "@", "@{-1}"),
        *("main@{1 day ago}", ":/fix the..bug", "HEAD^{tree}", "HEAD;ls", "$(id)", "a b"),
    ],
)
def test_check_revision_passes_what_git_may_read_as_a_revision(revision: str) -> None:
    """No shell ever sees a revision and git gets it after `--end-of-options`: git decides."""
    assert check_revision(revision) == revision


def test_blob_id_is_gits(repo: GitRepo) -> None:
    content = (repo.root / "register/owners/cfo.yaml").read_bytes()
    assert blob_id(content) == repo.git("hash-object", "register/owners/cfo.yaml")


def sources_at(folder: Path, revision: str) -> Sources:
    return register_source(folder, revision).read()


def test_sources_at_a_revision_match_a_checkout(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.root)
    head = sources_at(Path("register"), "HEAD")
    worktree = read_directory(Path("register"))
    assert head.label == worktree.label == "register"
    assert dict(head.files) == dict(worktree.files)
    old = sources_at(Path("register"), "v1")
    assert "owners/cfo.yaml" not in old.files
    assert head.blob_ids is not None
    assert head.blob_ids["owners/cfo.yaml"] == blob_id(head.files["owners/cfo.yaml"])


def test_lint_at_a_revision_names_files_as_a_checkout_would(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.root)
    at_head = lint(sources_at(Path("register"), "HEAD"), today=NOW)
    assert [(f.file, f.line, f.col, f.code) for f in at_head.findings] == [
        ("register/risks/R-001.yaml", 6, 19, "RK103")
    ]
    assert lint(sources_at(Path("register"), "HEAD~1"), today=NOW).findings == ()


def test_rev_never_touches_the_working_tree(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    (repo.root / "register/owners/cfo.yaml").write_text("id: [broken\n", encoding="utf-8")
    status_before = repo.git("status", "--porcelain")
    result = runner.invoke(app, ["lint", "register", "--rev", "v1", "--now", FROZEN_NOW])
    assert result.exit_code == 0, result.stdout
    assert repo.git("status", "--porcelain") == status_before
    assert runner.invoke(app, ["lint", "register", "--now", FROZEN_NOW]).exit_code == 1


def test_score_at_a_revision(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    result = runner.invoke(
        app, ["score", "register", "--rev", "v1", "-f", "csv", "--now", FROZEN_NOW]
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("R-001,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rev", "nope"], "unknown revision 'nope'"),
        (["--rev", "--exec=x"], "not a revision"),
        (["--rev", "HEAD~9"], "unknown revision 'HEAD~9'"),
    ],
)
def test_bad_revisions_exit_3(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(repo.root)
    result = runner.invoke(app, ["lint", "register", *args])
    assert result.exit_code == 3
    assert message in result.stderr


def test_not_a_git_repository_exits_3(base_register: Path) -> None:
    result = runner.invoke(app, ["lint", str(base_register), "--rev", "HEAD"])
    assert result.exit_code == 3
    assert "not inside a git repository" in result.stderr


def test_folder_outside_the_repository_exits_3(repo: GitRepo, tmp_path: Path) -> None:
    with pytest.raises(RiskctlError, match="outside the git repository"):
        Repository(repo.root).relative(tmp_path / "elsewhere")


def test_not_a_register_at_that_revision(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    repo.write("other/readme.txt", "x")
    repo.commit("another folder", day=3)
    result = runner.invoke(app, ["lint", "other", "--rev", "HEAD"])
    assert result.exit_code == 3
    assert "other/ at HEAD is not a register: no riskctl.yaml" in result.stderr


def test_changes_between_commits_and_the_working_tree(repo: GitRepo) -> None:
    repository = Repository(repo.root)
    first, second = repository.resolve("HEAD~1"), repository.resolve("HEAD")
    changes = [(c.status, c.path) for c in repository.changes(first, second, "register")]
    assert changes == [("A", "owners/cfo.yaml"), ("M", "risks/R-001.yaml")]
    repo.remove("register/owners/cfo.yaml")
    repo.write("register/owners/new.yaml", "id: new\nname: New\n")
    changes = [(c.status, c.path) for c in repository.changes(second, None, "register")]
    assert changes == [("D", "owners/cfo.yaml"), ("A", "owners/new.yaml")]


def test_parse_cache_parses_an_unchanged_file_once(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.root)
    cache: ParseCache = {}
    first = load(sources_at(Path("register"), "HEAD~1"), cache)
    entries = len(cache)
    second = load(sources_at(Path("register"), "HEAD"), cache)
    assert len(cache) == entries + 2  # only R-001 (changed) and cfo (added) were parsed again
    assert first.register.record("control", "C-001") is not None
    assert (
        first.register.record("control", "C-001").entity  # type: ignore[union-attr]
        is second.register.record("control", "C-001").entity  # type: ignore[union-attr]
    )
    load(read_directory(Path("register")), cache)
    assert len(cache) == entries + 2  # the working tree equals HEAD: hashed, all hits
