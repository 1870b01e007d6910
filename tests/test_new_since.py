"""`riskctl lint --new-since REV`, on real git histories.

The history (`history` fixture), on the tiny register of tests/rules/base plus three risks:

    main:     b0 ── m1 (fixes R-002's C-999, adds R-005 with C-555)
                \\
    feature:     f1 (moves text in R-002) ── f2 (adds C-404 to R-001, adds R-004 reviewed
                 long ago)  + in the working tree, not committed: R-003's owner fixed

At b0 the register already has two errors (R-002 names C-999, R-003's owner does not exist) and
a date-driven warning (R-002's review is overdue). The change (the working tree against main)
introduces one error (C-404), one date-driven warning (R-004's review) and fixes one error
(R-003's owner). main moved on after the branch point: what it did is not the change's doing.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.findings import Finding, LintResult, Severity
from riskctl.lint.baseline import Base, Judgement, State, compare, judge_change
from riskctl.lint.engine import lint
from riskctl.lint.rules import all_rules
from riskctl.load import ParseCache, Sources
from riskctl.output import JUDGED_FORMATTERS
from riskctl.source import register_source
from tests.conftest import BASE_REGISTER, FROZEN_NOW, TESTS, check_golden
from tests.gitrepo import IDENTITY, GitRepo

runner = CliRunner()
NOW = ["--now", FROZEN_NOW]
TEST_VERSION = "0.0.0-test"
GOLDEN = TESTS / "golden" / "lint_new_since"
SUFFIX = {"text": "txt", "json": "json", "github": "github", "sarif": "sarif"}

RISK = """\
id: {id}
title: {title}
category: payments-fraud
owner: {owner}
inherent: {{likelihood: 3, impact: 3}}
controls: [{controls}]
treatment: mitigate
reviewed: {reviewed}
"""
R002_MOVED = """\
# The same risk, its keys in another order, with comments and blank lines.
id: R-002

controls: [C-001, C-999]   # C-999 is still unknown
reviewed: 2025-01-01
title: Promo abuse through referral codes

owner: payments-risk
category: payments-fraud
inherent: {likelihood: 3, impact: 3}
treatment: mitigate
"""


def _risk(
    risk_id: str,
    *,
    owner: str = "payments-risk",
    controls: str = "C-001",
    reviewed: str = "2026-10-01",
    title: str = "",
) -> str:
    title = title or f"A risk numbered {risk_id}"
    return RISK.format(id=risk_id, title=title, owner=owner, controls=controls, reviewed=reviewed)


@dataclass(frozen=True)
class History:
    repo: GitRepo
    branch_point: str
    main_tip: str
    moved: str
    """f1: only moves text."""
    added: str
    """f2: the new error and the date-driven warning."""

    @property
    def register(self) -> Path:
        return self.repo.root / "register"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    repo = GitRepo(tmp_path_factory.mktemp("new-since") / "repo")
    repo.copy_register(BASE_REGISTER)
    r002 = _risk(
        "R-002",
        controls="C-001, C-999",
        reviewed="2025-01-01",
        title="Promo abuse through referral codes",
    )
    repo.write("register/risks/R-002.yaml", r002)
    repo.write("register/risks/R-003.yaml", _risk("R-003", owner="nobody"))
    branch_point = repo.commit("a register with two errors and an overdue review", day=1)
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("register/risks/R-002.yaml", R002_MOVED)
    moved = repo.commit("reorder R-002", day=2)
    repo.write("register/risks/R-001.yaml", _r001_with("C-001, C-002, C-404"))
    # reviewed in time at the branch point (2026-01-02), overdue by --now: the calendar's part
    repo.write("register/risks/R-004.yaml", _risk("R-004", reviewed="2025-12-20"))
    added = repo.commit("link C-404 to R-001; add R-004", day=3)
    repo.git("checkout", "-q", "main")
    repo.write("register/risks/R-002.yaml", r002.replace("C-001, C-999", "C-001"))
    repo.write("register/risks/R-005.yaml", _risk("R-005", controls="C-555"))
    main_tip = repo.commit("main moves on: fixes R-002, adds R-005", day=4)
    repo.git("checkout", "-q", "feature")
    repo.write("register/risks/R-003.yaml", _risk("R-003"))  # uncommitted: the working tree
    return History(repo, branch_point, main_tip, moved, added)


def _r001_with(controls: str) -> str:
    text = (BASE_REGISTER / "risks" / "R-001.yaml").read_text(encoding="utf-8")
    return text.replace("controls: [C-001, C-002]", f"controls: [{controls}]")


def _run(history: History, *arguments: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(history.repo.root)
    return runner.invoke(app, ["lint", "register", *NOW, *arguments])


def _json(history: History, *arguments: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    result = _run(history, "-f", "json", *arguments, monkeypatch=monkeypatch)
    return result.exit_code, json.loads(result.stdout)


def _states(document: Any) -> list[tuple[str, str, str, bool]]:
    """(file, code, baseline, date_dependent) of every finding, the fixed ones last."""
    return [
        (
            each["file"].removeprefix("register/"),
            each["code"],
            each["baseline"],
            each["date_dependent"],
        )
        for each in [*document["findings"], *document["new_since"]["fixed"]]
    ]


def test_only_the_new_error_fails(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    code, document = _json(history, "--new-since", "main", monkeypatch=monkeypatch)
    assert code == 1
    assert _states(document) == [
        ("risks/R-001.yaml", "RK103", "new", False),
        ("risks/R-002.yaml", "RK103", "unchanged", False),
        ("risks/R-002.yaml", "RK208", "unchanged", True),
        ("risks/R-004.yaml", "RK208", "new", True),
        ("risks/R-003.yaml", "RK103", "absent", False),
    ]
    assert document["new_since"]["summary"] == {
        "new": 1,
        "existing": 2,
        "date_driven": 1,
        "fixed": 1,
    }


def test_the_merge_base_is_compared_not_revs_tip(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    """main fixed R-002 and broke R-005 after the branch point: neither is the change's."""
    _code, document = _json(history, "--new-since", "main", monkeypatch=monkeypatch)
    assert document["new_since"]["merge_base"] == history.branch_point
    assert document["new_since"]["revision"] == "main"
    assert not any("R-005" in each["file"] for each in document["new_since"]["fixed"])
    # Against main's tip itself, the change would be blamed for R-002 and credited with R-005.
    _code, tip = _json(history, "--new-since", history.main_tip, monkeypatch=monkeypatch)
    assert tip["new_since"]["merge_base"] == history.branch_point


def test_moving_text_introduces_nothing(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    code, document = _json(
        history, "--new-since", "main", "--rev", history.moved, monkeypatch=monkeypatch
    )
    assert code == 0
    assert _states(document) == [
        ("risks/R-002.yaml", "RK103", "unchanged", False),
        ("risks/R-002.yaml", "RK208", "unchanged", True),
        ("risks/R-003.yaml", "RK103", "unchanged", False),
    ]
    # The lines did move: the same findings, at other positions.
    lines = {each["code"]: each["line"] for each in document["findings"] if "R-002" in each["file"]}
    assert lines == {"RK103": 4, "RK208": 5}


def test_rev_head_is_the_commit_not_the_working_tree(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, document = _json(
        history, "--new-since", "main", "--rev", history.added, monkeypatch=monkeypatch
    )
    assert code == 1
    assert [row for row in _states(document) if row[2] == "absent"] == []  # R-003 not yet fixed


def test_date_driven_findings_never_fail_even_with_strict(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only R-004's overdue review is new at `--rev f2` once C-404 is ignored: a date-driven
    warning, which `--strict` does not make failing."""
    arguments = ("--new-since", "main", "--rev", history.added, "--ignore", "RK103", "--strict")
    code, document = _json(history, *arguments, monkeypatch=monkeypatch)
    assert [row for row in _states(document) if row[2] == "new"] == [
        ("risks/R-004.yaml", "RK208", "new", True)
    ]
    assert code == 0


def test_the_verdict_does_not_depend_on_the_date(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At any --now both sides see the same calendar: the failing findings stay the same."""
    for now in ("2026-06-01", FROZEN_NOW, "2027-06-01"):
        result = _run(
            history, "-f", "json", "--new-since", "main", "--now", now, monkeypatch=monkeypatch
        )
        document = json.loads(result.stdout)
        failing = [
            (each["file"], each["code"])
            for each in document["findings"]
            if each["baseline"] == "new" and not each["date_dependent"]
        ]
        assert (result.exit_code, failing) == (1, [("register/risks/R-001.yaml", "RK103")]), now


def test_text_marks_every_finding(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(history, "--new-since", "main", "-f", "text", monkeypatch=monkeypatch)
    lines = result.stdout.splitlines()
    assert [line.rsplit(" (", 1)[1] for line in lines[:4]] == [
        "new)",
        "new, date-driven)",
        "existing)",
        "existing)",
    ]
    assert lines[4] == "fixed since main:"
    assert lines[5].startswith("register/risks/R-003.yaml:4:8: error: RK103 ")
    assert lines[5].endswith(" (fixed)")
    assert lines[-1] == (
        f"1 new, 2 existing, 1 date-driven, 1 fixed since main (merge base "
        f"{history.branch_point[:12]})"
    )


def test_color_output_shows_the_marks(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(history, "--new-since", "main", "--color", "always", monkeypatch=monkeypatch)
    assert "\x1b[" in result.stdout
    assert "(new)" in result.stdout
    assert "(new, date-driven)" in result.stdout
    assert "(fixed)" in result.stdout
    assert "1 new, 2 existing, 1 date-driven, 1 fixed since main" in result.stdout


def test_github_annotates_only_new_findings(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(history, "--new-since", "main", "-f", "github", monkeypatch=monkeypatch)
    lines = result.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning", "::notice"]
    assert "file=register/risks/R-001.yaml" in lines[0]
    assert "title=RK208 review-overdue (date-driven)::" in lines[1]
    assert lines[2].startswith("::notice title=riskctl lint::1 new, 2 existing")


def test_sarif_baseline_state_is_valid(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(history, "--new-since", "main", "-f", "sarif", monkeypatch=monkeypatch)
    log = json.loads(result.stdout)
    schema = json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    assert [error.message for error in validator.iter_errors(log)] == []
    run = log["runs"][0]
    states = [
        (
            each["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            each["ruleId"],
            each["baselineState"],
        )
        for each in run["results"]
    ]
    assert states == [
        ("register/risks/R-001.yaml", "RK103", "new"),
        ("register/risks/R-004.yaml", "RK208", "new"),
        ("register/risks/R-002.yaml", "RK103", "unchanged"),
        ("register/risks/R-002.yaml", "RK208", "unchanged"),
        ("register/risks/R-003.yaml", "RK103", "absent"),
    ]
    assert run["properties"]["newSince"]["mergeBase"] == history.branch_point


def _judgement(
    history: History, monkeypatch: pytest.MonkeyPatch, cache: ParseCache | None = None
) -> Judgement:
    monkeypatch.chdir(history.repo.root)
    source = register_source(Path("register"), with_repository=True)
    sources = source.read()
    today = datetime.date.fromisoformat(FROZEN_NOW)
    head = lint(sources, today, cache=cache)
    return judge_change(source, sources, head, "main", today, cache=cache)


def test_a_shared_parse_cache_changes_nothing(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache: ParseCache = {}
    shared = _judgement(history, monkeypatch, cache)
    assert len(cache) > len(list((history.register).rglob("*.yaml")))  # both sides went in
    alone = _judgement(history, monkeypatch)
    for render in JUDGED_FORMATTERS.values():
        assert render(shared, TEST_VERSION) == render(alone, TEST_VERSION)


@pytest.mark.parametrize("output_format", sorted(JUDGED_FORMATTERS))
def test_golden(
    history: History, output_format: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    rendered = JUDGED_FORMATTERS[output_format](_judgement(history, monkeypatch), TEST_VERSION)
    check_golden(GOLDEN / f"history.{SUFFIX[output_format]}", rendered, update_golden)


# --- what the base is, and when there is none ---------------------------------------------------


def test_a_register_added_by_the_change_makes_every_finding_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "before the register\n")
    repo.commit("no register yet", day=1)
    repo.git("checkout", "-q", "-b", "feature")
    repo.copy_register(BASE_REGISTER)
    repo.write("register/risks/R-003.yaml", _risk("R-003", owner="nobody"))
    repo.commit("add the register", day=2)
    monkeypatch.chdir(repo.root)
    result = runner.invoke(app, ["lint", "register", *NOW, "--new-since", "main"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith("[unknown-reference] (new)")
    base = repo.git("rev-parse", "main")[:12]
    assert lines[1] == f"note: main (merge base {base}) has no register: every finding is new"


def test_an_unusable_base_config_is_replaced_by_the_heads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    config = (BASE_REGISTER / "riskctl.yaml").read_text(encoding="utf-8")
    repo.write("register/riskctl.yaml", config + "colour: blue\n")
    repo.write("register/risks/R-003.yaml", _risk("R-003", owner="nobody"))
    repo.commit("a broken configuration and an unknown owner", day=1)
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("register/riskctl.yaml", config)
    repo.commit("repair the configuration", day=2)
    monkeypatch.chdir(repo.root)
    result = runner.invoke(app, ["lint", "register", *NOW, "--new-since", "main"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith("[unknown-reference] (existing)")
    assert lines[1].startswith("note: the merge base's riskctl.yaml cannot be used (")
    assert "colour" in lines[1]
    assert lines[1].endswith("the base was linted with the head's riskctl.yaml")


# --- exit 3: what to do --------------------------------------------------------------------------


def test_an_unknown_revision_is_exit_3(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(history, "--new-since", "no-such-branch", monkeypatch=monkeypatch)
    assert result.exit_code == 3
    assert "riskctl: error: unknown revision 'no-such-branch'" in result.stderr


def test_a_range_exclusion_is_not_a_revision(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`^main` resolved to `^` and a commit id, which reached `git merge-base` as a name."""
    result = _run(history, "--new-since", "^main", monkeypatch=monkeypatch)
    assert result.exit_code == 3
    assert result.stderr.startswith("riskctl: error: not a revision: '^main' (give a branch")
    assert "merge-base" not in result.stderr


def test_outside_git_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(BASE_REGISTER, tmp_path / "register")
    result = runner.invoke(app, ["lint", "register", *NOW, "--new-since", "main"])
    assert result.exit_code == 3
    assert result.stderr.startswith("riskctl: error: --new-since compares with the git history: ")
    assert "not inside a git repository" in result.stderr


def test_a_shallow_clone_without_the_merge_base_is_exit_3(
    history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = tmp_path / "clone"
    subprocess.run(
        [
            *("git", "clone", "-q", "--depth=1", "--no-single-branch", "--branch=feature"),
            f"file://{history.repo.root}",
            str(clone),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, **IDENTITY},
    )
    monkeypatch.chdir(clone)
    result = runner.invoke(app, ["lint", "register", *NOW, "--new-since", "origin/main"])
    assert result.exit_code == 3
    assert "have no common ancestor in this clone" in result.stderr
    assert "fetch-depth: 0" in result.stderr


# --- pairing, as a pure function -----------------------------------------------------------------


def _finding(code: str, message: str, path: tuple[str | int, ...], line: int = 1) -> Finding:
    return Finding(
        "register/risks/R-001.yaml",
        line,
        1,
        code,
        "a-rule",
        Severity.ERROR,
        message,
        path=path,
        register_file="risks/R-001.yaml",
    )


def _compare(head: list[Finding], base: list[Finding]) -> Judgement:
    return compare(
        LintResult(tuple(head), 1), LintResult(tuple(base), 1), Base("main", "0" * 40), {"RK208"}
    )


def test_pairing_ignores_lines_and_pairs_equal_messages_first() -> None:
    base = [
        _finding("RK103", "names C-1", ("controls",), line=3),
        _finding("RK103", "names C-2", ("controls",), line=3),
    ]
    head = [
        _finding("RK103", "names C-2", ("controls",), line=9),
        _finding("RK103", "names C-3", ("controls",), line=9),
    ]
    judged = _compare(head, base)
    assert [each.state for each in judged.findings] == [State.UNCHANGED, State.UNCHANGED]
    # C-2 paired with C-2; C-3 took the leftover slot of the same key: two findings before,
    # two after, so nothing is new and nothing fixed.
    assert judged.fixed == ()
    more = _compare([*head, _finding("RK103", "names C-4", ("controls",))], base)
    assert [each.state for each in more.findings] == [State.UNCHANGED, State.UNCHANGED, State.NEW]


def test_pairing_follows_a_finding_whose_list_index_moved() -> None:
    base = [_finding("RK505", "two observations on 2026-11-02", ("observations", 3))]
    shifted = [_finding("RK505", "two observations on 2026-11-02", ("observations", 4))]
    assert [each.state for each in _compare(shifted, base).findings] == [State.UNCHANGED]
    other = [_finding("RK505", "two observations on 2026-11-09", ("observations", 4))]
    judged = _compare(other, base)
    assert [each.state for each in judged.findings] == [State.NEW]
    assert [each.finding.message for each in judged.fixed] == ["two observations on 2026-11-02"]


def test_failing_counts_only_new_findings_of_undated_rules_at_the_level() -> None:
    warning = Finding("f", 1, 1, "RK106", "dup", Severity.WARNING, "w", ("kris",), "f")
    dated = Finding("f", 2, 1, "RK208", "review-overdue", Severity.WARNING, "d", ("reviewed",), "f")
    judged = _compare([warning, dated], [])
    assert judged.failing(Severity.ERROR) == ()
    assert [each.finding.code for each in judged.failing(Severity.WARNING)] == ["RK106"]
    assert (judged.new, judged.date_driven, judged.existing) == (1, 1, 0)


def test_the_readme_example_is_the_golden_output() -> None:
    """The README's `--new-since` example (a fenced block: it needs this history) is real."""
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    command = "$ riskctl lint register --now 2026-11-27 --new-since main\n"
    shown = readme[readme.index(command) + len(command) :].split("```", 1)[0]
    assert shown == (GOLDEN / "history.txt").read_text(encoding="utf-8")


def test_a_yaml_syntax_error_keeps_its_identity_when_lines_are_added_above_it() -> None:
    """A loader finding known only by its line keys on its file and rule."""
    base_files = {
        path.relative_to(BASE_REGISTER).as_posix(): path.read_bytes()
        for path in BASE_REGISTER.rglob("*.yaml")
    }
    broken = b"id: R-009\ntitle: 'unclosed\n"
    head_files = {**base_files, "risks/R-009.yaml": b"# a comment\n\n" + broken}
    base_files["risks/R-009.yaml"] = broken
    today = datetime.date.fromisoformat(FROZEN_NOW)
    base = lint(Sources("register", base_files), today)
    head = lint(Sources("register", head_files), today)
    (before,) = [each for each in base.findings if each.code == "RK001"]
    (after,) = [each for each in head.findings if each.code == "RK001"]
    assert (before.path, after.path, after.line - before.line) == ((), (), 2)
    judged = compare(head, base, Base("main", "0" * 40))
    assert [(each.finding.code, each.state) for each in judged.findings] == [
        ("RK001", State.UNCHANGED)
    ]
    assert judged.fixed == ()


def test_a_new_finding_of_a_rule_judged_as_of_today_fails() -> None:
    """RK201 (an override below the computed residual) reads the scorecard as of --now, so it
    moves with --now only through records dated after it; both sides are read as of the same
    day, so a new one is the change's own and fails (it is not date-driven), unlike RK208."""
    rules = all_rules()
    assert rules["RK201"].as_of and not rules["RK201"].date_dependent
    override = Finding(
        "f", 1, 1, "RK201", "override-below-computed", Severity.ERROR, "o", ("residual",), "f"
    )
    judged = compare(LintResult((override,), 1), LintResult((), 1), Base("main", "0" * 40))
    assert [each.finding.code for each in judged.failing(Severity.ERROR)] == ["RK201"]
    assert (judged.new, judged.date_driven) == (1, 0)


def test_a_dated_finding_the_change_alone_produced_fails(tmp_path: Path) -> None:
    """A risk added already overdue on the merge base's own day (2026-01-02): the calendar had
    no part in it, so it is new, not date-driven, and fails with --strict; one whose review
    fell due after that day (R-004 in the history above) is date-driven and does not."""
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("base", day=1)
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("register/risks/R-006.yaml", _risk("R-006", reviewed="2025-01-01"))
    repo.write("register/risks/R-007.yaml", _risk("R-007", reviewed="2025-12-20"))
    repo.commit("add R-006 and R-007", day=3)
    result = runner.invoke(
        app,
        [
            "lint",
            str(repo.root / "register"),
            *NOW,
            "--new-since",
            "main",
            "--strict",
            "-f",
            "json",
        ],
    )
    document = json.loads(result.stdout)
    new = sorted(
        (each["file"].rsplit("/", 1)[1], each["code"], each["date_driven"])
        for each in document["findings"]
        if each["baseline"] == "new"
    )
    assert new == [("R-006.yaml", "RK208", False), ("R-007.yaml", "RK208", True)]
    assert result.exit_code == 1
