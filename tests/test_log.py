"""`riskctl log`: an entity's history through real commits, with scores computed by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.errors import RiskctlError
from riskctl.history import changed_fields, entity_history, kind_of
from riskctl.load import ParseCache
from riskctl.output.history import render_text
from riskctl.score.matrix import Cell
from riskctl.source import register_source
from tests.conftest import BASE_REGISTER, TESTS, check_golden
from tests.gitrepo import GitRepo

GOLDEN = TESTS / "golden" / "log"
runner = CliRunner()

SUBJECTS = (
    "Start the register",  # day 1 → 2026-01-02
    "R-001: a chargeback wave costs more than assessed",
    "C-001: velocity limits miss new BIN ranges",
    "R-001: override the residual while C-001 is retuned",
    "Retire R-001",
    "Restore R-001",
)


def _edit(repo: GitRepo, relative: str, old: str, new: str) -> None:
    path = repo.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{relative} has no {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def build_history(root: Path) -> GitRepo:
    """Six commits on tests/rules/base; the fourth is the only one that leaves R-001 alone."""
    repo = GitRepo(root)
    repo.copy_register(BASE_REGISTER)
    repo.commit(SUBJECTS[0], day=1)
    _edit(repo, "register/risks/R-001.yaml", "impact: 4}", "impact: 5}")
    repo.commit(SUBJECTS[1], day=2)
    _edit(
        repo,
        "register/controls/C-001.yaml",
        "operating: effective}",
        "operating: partially-effective}",
    )
    repo.commit(SUBJECTS[2], day=3)
    _edit(
        repo,
        "register/risks/R-001.yaml",
        "treatment: mitigate\n",
        "treatment: mitigate\nresidual: {likelihood: 2, impact: 4}\n"
        "override_reason: A manual review queue covers the gap until C-001 is retuned.\n",
    )
    repo.commit(SUBJECTS[3], day=4)
    repo.remove("register/risks/R-001.yaml")
    repo.commit(SUBJECTS[4], day=5)
    repo.write(
        "register/risks/R-001.yaml",
        (BASE_REGISTER / "risks" / "R-001.yaml").read_text(encoding="utf-8"),
    )
    repo.commit(SUBJECTS[5], day=6)
    return repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    return build_history(tmp_path_factory.mktemp("log") / "repo")


@pytest.fixture
def in_repo(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    monkeypatch.chdir(repo.root)
    return repo


def _history(entity_id: str, revision: str = "HEAD", cache: ParseCache | None = None) -> Any:
    return entity_history(register_source(Path("register"), revision), entity_id, cache=cache)


def _log(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["log", *args])
    return result.exit_code, result.stdout, result.stderr


def cell(likelihood: int, impact: int, level: str) -> Cell:
    return Cell(likelihood, impact, likelihood * impact, level)


# --- the core ---------------------------------------------------------------------------------


def test_risk_history_lists_only_the_commits_that_touched_its_file(in_repo: GitRepo) -> None:
    history = _history("R-001")
    assert (history.id, history.kind) == ("R-001", "risk")
    assert history.file == "register/risks/R-001.yaml"
    assert [(e.commit.subject, e.change, e.fields, e.note) for e in history.entries] == [
        (SUBJECTS[5], "added", (), None),
        (SUBJECTS[4], "removed", (), None),
        (SUBJECTS[3], "modified", ("override_reason", "residual"), None),
        (SUBJECTS[1], "modified", ("inherent.impact",), None),
        (SUBJECTS[0], "added", (), None),
    ]
    assert [e.commit.id for e in history.entries] == in_repo.git(
        "log", "--format=%H", "--", "register/risks/R-001.yaml"
    ).split()
    assert [e.commit.date.date().isoformat() for e in history.entries] == [
        "2026-01-07", "2026-01-06", "2026-01-05", "2026-01-03", "2026-01-02",
    ]  # fmt: skip
    assert {e.commit.author for e in history.entries} == {"riskctl tests"}


def test_risk_scores_at_each_commit_match_hand_computation(in_repo: GitRepo) -> None:
    # residual-scoring.md §3, default credits and compound; 5x5 bands low 1-4, medium 5-9,
    # high 10-16, critical 20-25. C-001 reduces likelihood, C-002 (planned) impact.
    restored, removed, override, impact_up, start = _history("R-001").entries
    # Start: L4 I4. C-001 effective 0.6: L v = 1 + 3 * 0.4 = 2.2 → 3; I no credit → 4.
    # Projected: C-002 counts as effective 0.6 on I: v = 2.2 → 3.
    assert start.scores.inherent == cell(4, 4, "high")
    assert (start.scores.residual, start.scores.residual_source) == (cell(3, 4, "high"), "computed")
    assert start.scores.projected.cell == cell(3, 3, "medium")
    assert start.scores.target is None
    assert (start.scores.appetite.limit, start.scores.appetite.within) == ("medium", False)
    assert start.parent_scores is None
    # Impact 4 → 5: I keeps 5 in the residual; projected I v = 1 + 4 * 0.4 = 2.6 → 3.
    assert impact_up.scores.inherent == cell(4, 5, "critical")
    assert impact_up.scores.residual == cell(3, 5, "high")
    assert impact_up.scores.projected.cell == cell(3, 3, "medium")
    assert impact_up.parent_scores.residual == cell(3, 4, "high")
    # C-001 partially effective (not listed): L credit 0.3, v = 1 + 3 * 0.7 = 3.1 → 4, so the
    # parent of the override commit has residual L4 I5 20 critical; the override sets L2 I4.
    assert override.parent_scores.residual == cell(4, 5, "critical")
    assert (override.scores.residual, override.scores.residual_source) == (
        cell(2, 4, "medium"),
        "override",
    )
    assert override.scores.computed.cell == cell(4, 5, "critical")
    assert override.scores.projected.cell == cell(4, 3, "high")
    assert override.scores.appetite.within is True
    # Removed: no scores now, the override's scores at the parent.
    assert removed.scores is None
    assert removed.parent_scores.residual == cell(2, 4, "medium")
    # Restored as first written (L4 I4, no override), but C-001 is still partially effective.
    assert (restored.scores.residual, restored.scores.residual_source) == (
        cell(4, 4, "high"),
        "computed",
    )
    assert restored.scores.projected.cell == cell(4, 3, "high")
    assert restored.parent_scores is None


def test_unchanged_files_are_parsed_once_across_commits(in_repo: GitRepo) -> None:
    cache: ParseCache = {}
    entries = _history("R-001", cache=cache).entries
    # 9 entity files at the start, then 3 new blobs: R-001 twice, C-001 once. The restored R-001
    # has the first blob again, so it is the very same parsed model.
    assert len(cache) == 12
    assert entries[0].scores.risk is entries[-1].scores.risk


def test_a_control_history_has_no_scores(in_repo: GitRepo) -> None:
    history = _history("C-001")
    assert (history.kind, history.file) == ("control", "register/controls/C-001.yaml")
    assert [(e.commit.subject, e.change, e.fields, e.scores) for e in history.entries] == [
        (SUBJECTS[2], "modified", ("effectiveness.operating",), None),
        (SUBJECTS[0], "added", (), None),
    ]


def test_history_starts_at_the_given_revision(in_repo: GitRepo) -> None:
    history = _history("R-001", "HEAD~2")
    assert [e.commit.subject for e in history.entries] == [SUBJECTS[3], SUBJECTS[1], SUBJECTS[0]]


@pytest.mark.parametrize(
    ("entity_id", "kind"),
    [
        ("R-001", "risk"),
        ("C-012", "control"),
        ("INC-2026-014", "incident"),
        ("KRI-001", "kri"),
        ("LAUNCH-001", "launch"),
        ("ACC-001", "acceptance"),
        ("payments-risk", "owner"),
        ("cfo", "owner"),
    ],
)
def test_kind_of_an_id_comes_from_its_prefix(entity_id: str, kind: str) -> None:
    assert kind_of(entity_id).name == kind


@pytest.mark.parametrize("entity_id", ["R-*", "../R-001", "risks/R-001", ":R-001", "-x", "", "a b"])
def test_kind_of_refuses_what_cannot_be_a_file_name(entity_id: str) -> None:
    with pytest.raises(RiskctlError, match="not an entity id"):
        kind_of(entity_id)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"a": 1}, {"a": 1}, ()),
        ({"a": 1}, {"a": 2}, ("a",)),
        ({"a": 1}, {"a": True}, ("a",)),  # YAML 1.2: 1 and true are different values
        ({"a": 1}, {"b": 1}, ("a", "b")),
        (
            {"e": {"design": "x", "operating": "y"}},
            {"e": {"design": "x", "operating": "z"}},
            ("e.operating",),
        ),
        ({"e": {"design": "x"}}, {"e": "x"}, ("e",)),
        ({"tests": [{"r": "pass"}]}, {"tests": [{"r": "fail"}]}, ("tests",)),
        ({"z": 1, "b": [1, 2]}, {"z": 2, "b": [1, 2]}, ("z",)),
    ],
)
def test_changed_fields(old: Any, new: Any, expected: tuple[str, ...]) -> None:
    assert changed_fields(old, new) == expected


def test_a_register_broken_at_some_commits_is_reported_not_fatal(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("Start", day=1)
    config = (repo.root / "register/riskctl.yaml").read_text(encoding="utf-8")
    repo.write("register/riskctl.yaml", "version: 1\ncategories: none\n")
    _edit(repo, "register/risks/R-001.yaml", "reviewed: 2026-10-01", "reviewed: 2026-11-01")
    repo.commit("Break the configuration", day=2)
    repo.write("register/riskctl.yaml", config)
    _edit(repo, "register/risks/R-001.yaml", "impact: 4}", "impact: 4")
    repo.commit("Break R-001's YAML", day=3)
    _edit(repo, "register/risks/R-001.yaml", "impact: 4", "impact: 7}")
    repo.commit("R-001 out of range", day=4)
    _edit(repo, "register/risks/R-001.yaml", "impact: 7}", "impact: 4}")
    repo.commit("Fix R-001", day=5)
    history = entity_history(register_source(repo.root / "register", "HEAD"), "R-001")
    assert [(e.commit.subject, e.change, e.fields, e.note) for e in history.entries] == [
        ("Fix R-001", "modified", ("inherent.impact",), None),
        (
            "R-001 out of range",
            "modified",
            None,  # the parent could not be parsed: what changed is not known
            "invalid at this commit: inherent.impact: input should be less than or equal to 5, "
            "found 7 [RK007]",
        ),
        (
            "Break R-001's YAML",
            "modified",
            None,
            "could not be read: line 6: YAML syntax error: did not find expected ',' or '}' "
            "(while parsing a flow mapping) [RK001]",
        ),
        (
            "Break the configuration",
            "modified",
            ("reviewed",),
            "could not be read: invalid configuration: "
            f"{history.file.rsplit('/', 2)[0]}/riskctl.yaml:2:13: categories: input should be a "
            "valid list, found 'none' [RK007]",
        ),
        ("Start", "added", (), None),
    ]
    assert [e.scores is None for e in history.entries] == [False, True, True, True, False]
    fixed = history.entries[0].scores
    assert fixed is not None
    assert fixed.residual == cell(3, 4, "high")
    assert history.entries[0].parent_scores is None  # R-001 was invalid at the parent
    code, stdout, _ = _log("R-001", str(repo.root / "register"))
    assert code == 0
    assert "    fields    not known: this commit or its parent could not be read\n" in stdout


# --- the command ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "golden"),
    [
        (["R-001"], "R-001.txt"),
        (["R-001", "register", "--format", "json"], "R-001.json"),
        (["C-001", "-f", "text"], "C-001.txt"),
        (["C-001", "--format", "json"], "C-001.json"),
    ],
)
def test_golden_outputs(
    in_repo: GitRepo, args: list[str], golden: str, update_golden: bool
) -> None:
    code, stdout, stderr = _log(*args)
    assert (code, stderr) == (0, "")
    check_golden(GOLDEN / golden, stdout, update_golden)


def test_commit_ids_are_the_same_in_every_build(tmp_path: Path, repo: GitRepo) -> None:
    again = build_history(tmp_path / "again")
    assert again.git("rev-parse", "HEAD") == repo.git("rev-parse", "HEAD")
    golden = json.loads((GOLDEN / "R-001.json").read_text(encoding="utf-8"))
    assert golden["commits"][0]["commit"] == again.git("rev-parse", "HEAD")


def test_json_document_shape(in_repo: GitRepo) -> None:
    document = json.loads(_log("R-001", "--format", "json")[1])
    assert list(document) == [
        "version",
        "id",
        "kind",
        "file",
        "commits",
        "scores_at_revision",
        "shallow",
    ]
    assert document["version"] == 1
    commit = document["commits"][2]
    assert list(commit) == [
        "commit", "date", "author", "subject", "change", "fields", "scores", "parent_scores",
        "note",
    ]  # fmt: skip
    assert len(commit["commit"]) == 40
    assert commit["date"] == "2026-01-05T00:00:00+00:00"
    assert commit["scores"] == {
        "inherent": {"likelihood": 4, "impact": 5, "score": 20, "level": "critical"},
        "residual": {"likelihood": 2, "impact": 4, "score": 8, "level": "medium",
                     "source": "override"},
        "projected": {"likelihood": 4, "impact": 3, "score": 12, "level": "high"},
        "target": None,
        "appetite": {"limit": "medium", "within": True},
    }  # fmt: skip
    assert document["commits"][1]["scores"] is None


def test_text_shows_what_each_commit_did_to_the_residual(in_repo: GitRepo) -> None:
    stdout = _log("R-001")[1]
    override_id = in_repo.git("rev-parse", "--short=12", "HEAD~2")
    assert (
        f"{override_id}  2026-01-05  modified  residual L4 I5 20 critical → L2 I4 8 medium "
        f'(override)  "{SUBJECTS[3]}"\n'
    ) in stdout
    assert "    earlier   residual moved L3 I5 15 high → L4 I5 20 critical" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["R-999"], "unknown id 'R-999': no commit reachable from HEAD touched "
                    "register/risks/R-999.yaml"),
        (["C-001", "--rev", "nope"], "unknown revision 'nope'"),
        (["C-001", "--rev", "--exec=x"], "not a revision: '--exec=x' (give a branch, tag "
                                         "or commit id, e.g. HEAD~1 or main)"),
        (["R-*"], "not an entity id: 'R-*' (e.g. R-001, C-012, INC-2026-014, payments-risk)"),
        (["head-of-risk", "--rev", "HEAD~6"], "unknown revision 'HEAD~6'"),
    ],
)  # fmt: skip
def test_errors_exit_3(in_repo: GitRepo, args: list[str], message: str) -> None:
    code, stdout, stderr = _log(*args)
    assert (code, stdout) == (3, "")
    assert stderr == f"riskctl: error: {message}\n"


def test_not_a_git_repository_exits_3(base_register: Path) -> None:
    code, _, stderr = _log("R-001", str(base_register))
    assert code == 3
    assert "not inside a git repository" in stderr


def test_an_id_before_its_file_existed_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("Start", day=1)
    repo.write("register/owners/cfo.yaml", "id: cfo\nname: CFO\n")
    repo.commit("Add the CFO", day=2)
    monkeypatch.chdir(repo.root)
    assert [(e.commit.subject, e.change) for e in _history("cfo").entries] == [
        ("Add the CFO", "added")
    ]
    with pytest.raises(RiskctlError, match="no commit reachable from HEAD~1 touched"):
        _history("cfo", "HEAD~1")


def test_log_says_when_the_residual_moved_after_the_newest_listed_commit(
    tmp_path: Path,
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("base", day=1)
    control = (repo.root / "register/controls/C-001.yaml").read_text(encoding="utf-8")
    repo.write(
        "register/controls/C-001.yaml",
        control.replace("operating: effective}", "operating: partially-effective}"),
    )
    repo.commit("C-001 downgraded", day=2)
    history = entity_history(register_source(repo.root / "register", "HEAD"), "R-001")
    # base: C-001 effective on likelihood, 0.6: v = 1 + 3 x 0.4 = 2.2 -> L3 I4 (12 high);
    # after: 0.3: v = 1 + 3 x 0.7 = 3.1 -> L4 I4 (16 high), in a commit not touching R-001
    assert [entry.commit.subject for entry in history.entries] == ["base"]
    assert history.scores_at_revision is not None
    assert history.scores_at_revision.residual.likelihood == 4
    text = render_text(history)
    assert "residual now L4 I4 16 high, moved from L3 I4 12 high" in text
