"""`riskctl due` end to end: goldens on the shipped register at dates around each kind's due date,
agreement with `riskctl lint` at those dates, the owner filter, --rev, --partial, exit codes."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.due import RULE_OF_KIND, due
from riskctl.findings import Where
from riskctl.lint.engine import lint
from riskctl.load import Locator
from riskctl.source import read_register, register_source
from tests.conftest import FROZEN_NOW, ROOT, SHIPPED_REGISTER, TESTS, check_golden
from tests.gitrepo import GitRepo

GOLDEN = TESTS / "golden" / "due"
runner = CliRunner()

#: Dates around each due date of the shipped register (frozen at 2026-11-27), each one on or
#: the day after one: R-022's review (11-29), INC-2026-038 A2 (12-04), the weekly KRI
#: observations (12-07), R-001's review and C-056's key control test (12-16), ACC-002 (12-18),
#: LAUNCH-002's monitoring windows (2027-01-04). 11-20 is before the freeze: records dated after
#: it are not counted.
DATES = [
    "2026-11-20", FROZEN_NOW, "2026-11-29", "2026-11-30", "2026-12-04", "2026-12-05",
    "2026-12-07", "2026-12-08", "2026-12-16", "2026-12-17", "2026-12-18", "2026-12-19",
    "2027-01-04", "2027-01-05",
]  # fmt: skip


def _due(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["due", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("now", DATES)
def test_text_golden_on_the_shipped_register(
    now: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _due("register", "--now", now)
    # before the freeze (2026-11-27) the records dated after --now are named on stderr
    assert code == 0
    assert stderr.startswith("riskctl: note: ") if now < "2026-11-24" else stderr == ""
    assert "\x1b[" not in stdout
    check_golden(GOLDEN / f"{now}.txt", stdout, update_golden)


@pytest.mark.parametrize(("output_format", "suffix"), [("json", "json"), ("markdown", "md")])
def test_json_and_markdown_goldens(
    output_format: str, suffix: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _due("register", "--now", "2026-12-19", "--format", output_format)
    assert (code, stderr) == (0, "")
    check_golden(GOLDEN / f"2026-12-19.{suffix}", stdout, update_golden)


@pytest.mark.parametrize("now", [date for date in DATES if date >= FROZEN_NOW])
def test_due_and_lint_agree_on_the_shipped_register(now: str) -> None:
    """Every RK208/RK301/RK401/RK502/RK604/RK703 finding of `riskctl lint` at a date is an
    overdue item of `riskctl due`, at the same file:line:col, and every overdue item is one.
    (From the freeze on: the register holds no record dated after these days.)"""
    today = datetime.date.fromisoformat(now)
    source = register_source(SHIPPED_REGISTER, None)
    loaded = read_register(source, None, partial=False)
    codes = {code for kind, code in RULE_OF_KIND.items() if kind != "premortem"}
    findings = {
        (finding.code, finding.file, finding.line, finding.col)
        for finding in lint(loaded.sources, today).findings
        if finding.code in codes
    }
    locator = Locator(loaded.sources)
    overdue = {
        (
            RULE_OF_KIND[item.kind],
            f"{loaded.sources.label}/{item.file}",
            *locator.locate(Where(item.file, item.path)),
        )
        for item in due(loaded.register, today, within=0).items
        if item.status == "overdue"
    }
    assert findings == overdue
    if now == "2027-01-05":  # the last date: every kind the register has is overdue by then
        assert {code for code, *_ in findings} == codes


def test_fail_overdue_exit_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert _due("--now", FROZEN_NOW, "--fail-overdue")[0] == 0  # only upcoming items
    assert _due("--now", "2026-11-30", "--fail-overdue")[0] == 1  # R-022's review
    assert _due("--now", "2026-11-30")[0] == 0  # without the flag: a listing
    # --owner narrows what counts: R-022 is growth-integrity's, not yet escalated
    assert _due("--now", "2026-11-30", "--fail-overdue", "--owner", "payments-risk")[0] == 0
    assert _due("--now", "2026-11-30", "--fail-overdue", "--owner", "growth-integrity")[0] == 1


def test_owner_filter_includes_escalated_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, _ = _due("--now", "2026-12-19", "--owner", "payments-risk", "-f", "json")
    document = json.loads(stdout)
    assert code == 0
    assert document["owner"] == "payments-risk"
    items = [
        (i["id"], i["owner"], i["escalate_to"]) for g in document["owners"] for i in g["items"]
    ]
    # growth-integrity's R-022 is 20 days overdue (more than 14): escalated to payments-risk
    assert ("R-022", "growth-integrity", "payments-risk") in items
    assert all("payments-risk" in (owner, escalate_to) for _, owner, escalate_to in items)


def test_unknown_owner_is_exit_3_with_did_you_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _due("--now", FROZEN_NOW, "--owner", "payment-risk")
    assert (code, stdout) == (3, "")
    assert stderr.startswith("riskctl: error: no owner 'payment-risk' in the register; ")
    assert "did you mean payments-risk" in stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--within", "-1"], "greater than or equal to 0"),
        (["--within", "two"], "valid integer"),
        (["--format", "html"], "'html' is not one of"),
        (["--now", "2026-13-01"], "is not a date"),
        (["register", "extra"], "unexpected extra argument"),
    ],
)
def test_usage_errors_are_exit_2(
    arguments: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _due(*arguments)
    assert (code, stdout) == (2, "")
    assert message in " ".join(stderr.split())


def test_a_missing_register_is_exit_3(tmp_path: Path) -> None:
    code, _, stderr = _due(str(tmp_path / "nowhere"), "--now", FROZEN_NOW)
    assert code == 3
    assert stderr.startswith("riskctl: error: ")


def test_partial_names_what_did_not_load(tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(SHIPPED_REGISTER, register)
    (register / "kris" / "KRI-001.yaml").write_text("id: [\n", encoding="utf-8")
    code, _, stderr = _due(str(register), "--now", FROZEN_NOW)
    assert code == 3
    assert "did not load" in stderr
    code, stdout, _ = _due(str(register), "--now", FROZEN_NOW, "-f", "json", "--partial")
    document = json.loads(stdout)
    assert code == 0
    assert [each["file"] for each in document["left_out"]] == [f"{register}/kris/KRI-001.yaml"]
    ids = {item["id"] for group in document["owners"] for item in group["items"]}
    assert "KRI-001" not in ids and "KRI-002" in ids


def test_rev_reads_the_register_at_a_commit(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path)
    repo.copy_register(SHIPPED_REGISTER)
    repo.commit("register", day=1)
    risk = tmp_path / "register" / "risks" / "R-022.yaml"
    risk.write_text(
        risk.read_text(encoding="utf-8").replace("reviewed: 2026-06-02", "reviewed: 2026-11-28"),
        encoding="utf-8",
    )
    folder = str(tmp_path / "register")
    now = ["--now", "2026-11-30", "-f", "json"]
    worktree = json.loads(_due(folder, *now)[1])
    committed = json.loads(_due(folder, *now, "--rev", "HEAD")[1])
    assert worktree["totals"]["overdue"] == 0
    assert committed["totals"]["overdue"] == 1
