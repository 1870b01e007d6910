"""`--now` means "as of" in every command: records dated after it do not count anywhere.

A register with a failing control test, an incident, a red KRI observation and a monitoring
review all dated after NOW: at NOW every command (score, diff, kri status, incidents,
premortem, quant, the reports) computes as if they were not there, and says so; at LATER every
command counts them. Plus the case that started it (C-066 in the shipped register), and a
check that no computing command reads the register any other way.
"""

from __future__ import annotations

import ast
import datetime
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from riskctl.asof import as_of
from riskctl.cli import app
from riskctl.findings import Severity
from riskctl.lint.engine import lint
from riskctl.load import load, read_directory
from tests.conftest import BASE_REGISTER, ROOT
from tests.gitrepo import GitRepo

runner = CliRunner()

NOW = "2026-11-27"
LATER = "2026-12-01"
#: Everything dated after NOW, as the stderr note names it.
NOTE = (
    "riskctl: note: 4 records dated after 2026-11-27 not counted (as of --now): C-001 "
    "operating test (2026-11-30), INC-2026-002 incident (2026-11-29), KRI-001 observation "
    "(2026-11-30), LAUNCH-001 monitoring review of KRI-001 (2026-11-30)\n"
)
NOT_COUNTED = [
    {"file": "controls/C-001.yaml", "entity": "C-001", "what": "operating test",
     "date": "2026-11-30"},
    {"file": "incidents/INC-2026-002.yaml", "entity": "INC-2026-002", "what": "incident",
     "date": "2026-11-29"},
    {"file": "kris/KRI-001.yaml", "entity": "KRI-001", "what": "observation",
     "date": "2026-11-30"},
    {"file": "launches/LAUNCH-001.yaml", "entity": "LAUNCH-001",
     "what": "monitoring review of KRI-001", "date": "2026-11-30"},
]  # fmt: skip
QUANT = (
    "quant:\n  frequency:\n    poisson: {lambda: 3}\n"
    "  magnitude:\n    lognormal: {low: 10000, high: 200000}\n"
)
LATER_RECORDS = {
    "controls/C-001.yaml": (
        "  - {date: 2026-11-30, type: operating, procedure: reperformance, sample_size: 1, "
        "exceptions: 1, result: fail}\n"
    ),
    "kris/KRI-001.yaml": "  - {date: 2026-11-30, value: 70}\n",
}
INCIDENT = (
    "id: INC-2026-002\nkind: incident\ntitle: Card-testing wave got through\n"
    "occurred: 2026-11-29\nseverity: 3\nrisks: [R-001]\n"
)


def _append(register: Path, relative: str, text: str) -> None:
    path = register / relative
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def quantified_base(register: Path) -> None:
    """The base register, R-001 with loss inputs."""
    shutil.copytree(BASE_REGISTER, register)
    _append(register, "risks/R-001.yaml", QUANT)


def add_later_records(register: Path) -> None:
    """A failing test of C-001 (R-001's control), an incident on R-001, a red KRI-001 value
    and a review of LAUNCH-001's lapsed monitoring window, each dated after NOW."""
    for relative, text in LATER_RECORDS.items():
        _append(register, relative, text)
    (register / "incidents" / "INC-2026-002.yaml").write_text(INCIDENT, encoding="utf-8")
    launch = register / "launches" / "LAUNCH-001.yaml"
    text = launch.read_text(encoding="utf-8")
    old = "  - {kri: KRI-001, until: 2027-03-31}"
    assert old in text
    new = "  - {kri: KRI-001, until: 2026-11-20, reviewed: 2026-11-30}"
    launch.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    """Two commits: the quantified base register, then the records dated after NOW."""
    repo = GitRepo(tmp_path_factory.mktemp("asof") / "repo")
    quantified_base(repo.root / "register")
    repo.commit("base", day=300)
    add_later_records(repo.root / "register")
    repo.commit("records dated after NOW", day=301)
    return repo


@pytest.fixture
def in_repo(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    monkeypatch.chdir(repo.root)
    return repo


def run(*args: str, now: str, code: int = 0) -> tuple[str, str]:
    result = runner.invoke(app, [*args, "--now", now])
    assert result.exit_code == code, (result.stdout, result.stderr)
    expected_stderr = NOTE if now == NOW else ""
    assert result.stderr == expected_stderr
    return result.stdout, result.stderr


def run_json(*args: str, now: str) -> dict[str, Any]:
    stdout, _ = run(*args, "--format", "json", now=now)
    document: dict[str, Any] = json.loads(stdout)
    if now == NOW:
        assert document.pop("not_counted") == NOT_COUNTED
    else:
        assert "not_counted" not in document
    return document


# --- every command agrees ----------------------------------------------------------------------


@pytest.mark.parametrize(("now", "residual", "credited"), [(NOW, 12, ["C-001"]), (LATER, 16, [])])
def test_score_counts_the_failed_test_only_from_its_day(
    in_repo: GitRepo, now: str, residual: int, credited: list[str]
) -> None:
    (risk,) = run_json("score", "register", now=now)["risks"]
    assert risk["residual"]["score"] == residual
    assert [each["id"] for each in risk["credited_controls"]] == credited


def test_score_explain_lists_what_was_left_out_of_the_risk(in_repo: GitRepo) -> None:
    """Its control's test and the incident on it; not the KRI's observation (no score uses
    it) nor the launch's review."""
    stdout, _ = run("score", "register", "--explain", "R-001", now=NOW)
    assert (
        "  Left out, dated after 2026-11-27 (--now):\n"
        "    C-001 operating test dated 2026-11-30 (after 2026-11-27): not counted\n"
        "    INC-2026-002 incident dated 2026-11-29 (after 2026-11-27): not counted\n\n"
        "Projected"
    ) in stdout
    later, _ = run("score", "register", "--explain", "R-001", now=LATER)
    assert "Left out" not in later and "C-001 counts 0: latest operating test" in later


@pytest.mark.parametrize(("now", "moved", "level"), [(NOW, False, None), (LATER, True, (12, 16))])
def test_diff_compares_both_sides_as_of_the_same_day(
    in_repo: GitRepo, now: str, moved: bool, level: tuple[int, int] | None
) -> None:
    document = run_json("diff", "HEAD~1", "HEAD", "register", now=now)
    changes = {(each["kind"], each["id"]): each for each in document["changes"]}
    # the changes are the data as written: the new records show at any --now
    assert {"control", "incident", "kri", "launch"} <= {kind for kind, _ in changes}
    assert changes["incident", "INC-2026-002"]["change"] == "added"
    risk = changes.get(("risk", "R-001"))
    assert (risk is not None) == moved
    if level is not None:
        assert risk is not None
        residual = risk["scores"]["residual"]
        assert (residual["old"]["score"], residual["new"]["score"]) == level
    quant = document["quant"]["risks"]
    assert bool(quant) == moved  # the residual ALE moves only once the test counts


@pytest.mark.parametrize(("now", "latest", "status"), [(NOW, 33, "green"), (LATER, 70, "red")])
def test_kri_status_sees_the_observation_only_from_its_day(
    in_repo: GitRepo, now: str, latest: float, status: str
) -> None:
    (kri,) = run_json("kri", "status", "register", now=now)["kris"]
    assert (kri["latest"]["value"], kri["status"]) == (latest, status)


@pytest.mark.parametrize(("now", "incidents"), [(NOW, 0), (LATER, 1)])
def test_incidents_count_the_incident_only_from_its_day(
    in_repo: GitRepo, now: str, incidents: int
) -> None:
    document = run_json("incidents", "register", now=now)
    assert document["totals"]["incidents"] == incidents
    assert document["totals"]["near_misses"] == 1


@pytest.mark.parametrize(("now", "lapsed"), [(NOW, True), (LATER, False)])
def test_premortem_sees_the_review_only_from_its_day(
    in_repo: GitRepo, now: str, lapsed: bool
) -> None:
    (launch,) = run_json("premortem", "register", now=now)["launches"]
    (watch,) = launch["monitoring"]
    assert watch["lapsed"] is lapsed


def test_quant_credits_the_control_only_until_the_failed_test(in_repo: GitRepo) -> None:
    args = ("quant", "register", "--years", "2000", "--seed", "1")
    before = run_json(*args, now=NOW)["risks"][0]
    after = run_json(*args, now=LATER)["risks"][0]
    assert before["inherent"]["ale"] == after["inherent"]["ale"]
    assert before["residual"]["ale"] < after["residual"]["ale"] == after["inherent"]["ale"]


@pytest.mark.parametrize(("now", "residual"), [(NOW, "L3 I4 · 12"), (LATER, "L4 I4 · 16")])
@pytest.mark.parametrize(
    ("report", "row"),
    [
        (["register"], "| L4 I4 · 16 high | {} high |"),
        (["risk", "R-001"], "| residual | {} high |"),
    ],
)
def test_register_and_risk_reports_score_as_of_the_day(
    in_repo: GitRepo, report: list[str], row: str, now: str, residual: str
) -> None:
    stdout, _ = run("report", *report, "register", now=now)
    assert row.format(residual) in stdout
    # a reader of the file does not see stderr: the report says what it leaves out
    top = "> **As of 2026-11-27:** 4 records dated after it are not counted: C-001 operating test"
    assert stdout.startswith(top) == (now == NOW)


@pytest.mark.parametrize(("now", "red"), [(NOW, False), (LATER, True)])
def test_the_wbr_sees_the_red_value_and_the_failed_test_only_from_their_day(
    in_repo: GitRepo, now: str, red: bool
) -> None:
    stdout, _ = run("report", "wbr", "register", "--base", "HEAD~1", now=now)
    assert stdout.startswith("> **As of 2026-11-27:** 4 records") == (not red)
    kris = stdout.split("## 2.")[1].split("## 3.")[0]
    assert ("| latest | 70 bps on 2026-11-30 |" in kris) == red
    assert ("| 33 bps on 2026-11-23 | green |" in kris) != red
    changes = stdout.split("## 1.")[1].split("## 2.")[0]
    assert ("INC-2026-002" in changes) == red  # a new incident is listed once it occurred
    assert ("failed operating test on 2026-11-30" in changes) == red


def test_the_wbr_reads_the_last_review_as_of_its_own_day(tmp_path: Path) -> None:
    """A failing test entered on 2026-11-17 (the last review) for 2026-11-25: that review did
    not count it; this week's does, so it is a change since the last review. `diff` at one
    --now counts it on both sides: nothing moved."""
    repo = GitRepo(tmp_path / "repo")
    quantified_base(repo.root / "register")
    test = LATER_RECORDS["controls/C-001.yaml"].replace("2026-11-30", "2026-11-25")
    _append(repo.root / "register", "controls/C-001.yaml", test)
    repo.commit("a test planned for 2026-11-25", day=320)  # 2026-11-17
    repo.git("tag", "wbr-2026-11-17")
    _append(repo.root / "register", "kris/KRI-001.yaml", "  - {date: 2026-11-26, value: 34}\n")
    repo.commit("KRIs of the week", day=329)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(repo.root)
        review = runner.invoke(app, ["report", "wbr", "register", "--now", NOW])
        diff = runner.invoke(app, ["diff", "wbr-2026-11-17", "HEAD", "register", "--now", NOW])
    assert (review.exit_code, review.stderr) == (0, ""), review.stderr
    changes = review.stdout.split("## 2.")[0]
    assert "| C-001 | Purchase velocity limits | failed operating test on 2026-11-25 | R-001 |" in (
        changes
    )
    assert (diff.exit_code, diff.stderr) == (0, ""), diff.stderr
    assert "R-001" not in diff.stdout and "0 risk level(s) up" in diff.stdout


# --- the case that started it -------------------------------------------------------------------


@pytest.mark.parametrize(("now", "credited"), [("2026-11-20", False), ("2026-11-27", True)])
def test_c066_test_of_2026_11_24_counts_only_from_that_day(
    monkeypatch: pytest.MonkeyPatch, now: str, credited: bool
) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["score", "register", "--now", now, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    (r028,) = [each for each in document["risks"] if each["id"] == "R-028"]
    assert ("C-066" in [each["id"] for each in r028["credited_controls"]]) == credited
    left_out = {(each["entity"], each["what"]) for each in document.get("not_counted", [])}
    assert (("C-066", "operating test") in left_out) != credited
    explained = runner.invoke(app, ["score", "register", "--now", now, "--explain", "R-028"])
    line = "    C-066 operating test dated 2026-11-24 (after 2026-11-20): not counted\n"
    assert (line in explained.stdout) != credited


# --- one way to read the register as of --now -----------------------------------------------------

CLI = Path(__file__).parents[1] / "riskctl" / "cli"
#: The functions that read the register as written: they write it (or draft files, or the
#: CODEOWNERS block, which names files and owners, never dates), and a record dated after
#: --now is data to keep, not to leave out.
WRITERS = {
    ("codeowners.py", "codeowners_command"),
    ("kri.py", "ingest_command"),
    ("new.py", "new_command"),
    ("premortem.py", "_seed"),
    ("rcm.py", "export_command"),
    ("rcm.py", "import_command"),
}


def _calls(name: str) -> set[tuple[str, str]]:
    """(module, function) of every function under riskctl/cli/ that calls `name`."""
    found = set()
    for source in sorted(CLI.glob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == name
                ):
                    found.add((source.name, function.name))
    return found


def test_only_the_writing_commands_read_the_register_as_written() -> None:
    """Every other command reads it through `load_as_of` (or, for the reports and diff, the
    library functions that apply `as_of`: `report/produce.py` `read_scored`, `read_review`):
    none can forget --now."""
    assert _calls("load_for") == WRITERS
    assert _calls("read_register") == {("_common.py", "load_for")}
    readers = {module for module, _ in _calls("load_as_of")}
    assert readers == {"coverage.py", "due.py", "framework.py", "incidents.py", "kri.py",
                       "premortem.py", "quant.py", "score.py"}  # fmt: skip
    assert {module for module, _ in _calls("read_scored")} == {"coverage.py", "report.py"}


# --- lint notes exactly what the commands leave out -----------------------------------------------

FUTURE_RULES = {"RK306", "RK405", "RK507", "RK607", "RK706"}


@pytest.mark.parametrize("now", [NOW, LATER])
def test_lint_notes_each_record_the_commands_leave_out_at_its_date(
    tmp_path: Path, now: str
) -> None:
    register = tmp_path / "register"
    quantified_base(register)
    add_later_records(register)
    today = datetime.date.fromisoformat(now)
    sources = read_directory(register)
    notes = [each for each in lint(sources, today=today).findings if each.code in FUTURE_RULES]
    left_out = as_of(load(sources).register, today).left_out
    assert len(notes) == len(left_out) == (4 if now == NOW else 0)
    assert {each.severity for each in notes} <= {Severity.NOTE}
    lines = {
        f"{each.file.removeprefix(sources.label + '/')}:{each.line}": each.code for each in notes
    }
    texts = {
        each["file"]: (register / each["file"]).read_text(encoding="utf-8") for each in NOT_COUNTED
    }
    for each in left_out:
        (line,) = [
            number
            for number, text in enumerate(texts[each.file].splitlines(), 1)
            if str(each.date) in text
        ]
        assert f"{each.file}:{line}" in lines


def test_a_partial_read_and_records_left_out_are_both_named(tmp_path: Path) -> None:
    """`left_out` names the files a --partial read left out, `not_counted` the records dated
    after --now: one does not replace the other."""
    register = tmp_path / "register"
    quantified_base(register)
    add_later_records(register)
    (register / "owners" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    result = runner.invoke(
        app, ["score", str(register), "--now", NOW, "--partial", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert [each["file"] for each in document["left_out"]] == [f"{register}/owners/broken.yaml"]
    assert document["not_counted"] == NOT_COUNTED
    assert NOTE in result.stderr


def test_coloured_text_notes_what_was_left_out_too(in_repo: GitRepo) -> None:
    stdout, _ = run("score", "register", "--color", "always", now=NOW)
    assert "R-001" in stdout


def test_the_note_shows_register_text_in_what_was_left_out_escaped() -> None:
    """An action's id is register text; it reached the terminal raw in every computing
    command's stderr note (`action A1<ESC>[2J completion`)."""
    from riskctl.asof import LeftOut
    from riskctl.output.left_out import left_out_note

    day = datetime.date(2026, 12, 1)
    left_out = [
        LeftOut("incidents/INC-2026-002.yaml", "INC-2026-002", "action A1\x1b[2J completion", day),
        LeftOut("launches/LAUNCH-001.yaml", "LAUNCH-001", "monitoring review of K\u202e", day),
    ]
    note = left_out_note(left_out, datetime.date(2026, 11, 27))
    assert "\x1b" not in note and "\u202e" not in note
    assert "INC-2026-002 action A1\\x1b[2J completion (2026-12-01)" in note
    assert "LAUNCH-001 monitoring review of K\\u202e (2026-12-01)" in note
