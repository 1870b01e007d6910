"""Red-team cases against issue 12's quantification: each one failed (a traceback, a refusal
that blocked the fix of the very problem it names, ...) before the fix it names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.errors import RiskctlError
from riskctl.output.amounts import compact
from riskctl.quant.run import run_register
from tests.conftest import FROZEN_NOW, SHIPPED_REGISTER
from tests.gitrepo import GitRepo
from tests.test_quant_inputs import load, risk_yaml
from tests.test_quant_run import lognormal_block

runner = CliRunner()

#: R-001's inputs in the shipped register, and a rate too frequent to simulate the register's
#: 100,000 years (about 1.4e11 event losses, above run.MAX_EVENTS).
R001_INPUTS = "  frequency:\n    pert:\n      low: 2\n      mode: 4\n      high: 10\n"
TOO_FREQUENT = "  frequency: {poisson: {lambda: 1000000}}\n"


def _diff(repo: GitRepo, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(repo.root)
    result = runner.invoke(app, ["diff", *args, "--now", FROZEN_NOW])
    return result.exit_code, result.stdout, result.stderr


def test_a_diff_that_repairs_a_run_too_large_to_draw_still_runs_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base cannot be simulated (too many events); the head fixes it. The diff used to
    refuse (exit 3) on the base, so the very change that repairs the register failed CI. The
    base's probabilities are unknown (null), the head's are simulated, the gate judges the
    head, and the text says why the base has none."""
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(SHIPPED_REGISTER)
    r001 = repo.root / "register" / "risks" / "R-001.yaml"
    text = r001.read_text(encoding="utf-8")
    assert R001_INPUTS in text
    r001.write_text(text.replace(R001_INPUTS, TOO_FREQUENT), encoding="utf-8")
    repo.commit("a rate too frequent to simulate", day=1)
    r001.write_text(text, encoding="utf-8")
    repo.commit("the shipped rate again", day=2)

    code, stdout, stderr = _diff(repo, monkeypatch, "HEAD~1", "HEAD", "--format", "json")
    assert (code, stderr) == (0, "")
    quant = json.loads(stdout)["quant"]
    assert quant["simulated"] is True
    assert "the base's run is too large to draw" in quant["simulation"]
    points = quant["tolerance"]
    assert [point["old"] for point in points] == [None] * 4
    assert all(isinstance(point["new"], float) for point in points)
    # The shipped register breaches its 5,000,000 point (README); unknown before, so it fires.
    assert [hit["gate"] for hit in json.loads(stdout)["gates"]] == ["tolerance-breached"]

    code, stdout, stderr = _diff(repo, monkeypatch, "HEAD~1", "HEAD")
    assert (code, stderr) == (0, "")
    assert "(not simulated before: the base's run is too large to draw)" in stdout
    assert "not comparable" not in stdout

    # The other way round the head cannot be simulated: still refused, naming the setting.
    code, stdout, stderr = _diff(repo, monkeypatch, "HEAD", "HEAD~1")
    assert code == 3
    assert "the tolerance-breached gate cannot simulate" in stderr
    assert "riskctl.yaml `quant: years:`" in stderr


def test_the_event_budget_refusal_says_how_many_years_fit_and_which_risk_draws_most(
    tmp_path: Path,
) -> None:
    """1,001 years at 2,000,000 events a year read "about 2e+09 event losses (at most 2e+09)":
    a refusal that looks like it should have passed, and no way to know what would."""
    files = {
        "risks/R-001.yaml": risk_yaml("R-001", lognormal_block(1e6, 1, 10)),
        "risks/R-002.yaml": risk_yaml("R-002", lognormal_block(2, 1, 10)),
    }
    register = load(tmp_path, files)
    with pytest.raises(RiskctlError) as raised:
        run_register(register, years=1001)
    assert str(raised.value) == (
        "this run would draw about 2,002,008,008 event losses and yearly event counts, more "
        "than the 2,000,000,000 a run may draw: at most 999 years fit (R-001 draws the most, "
        "2,000,002 a year inherent and residual); use fewer years, or model frequent small "
        "losses as fewer aggregated events"
    )
    run_register(register, years=1)  # far below: runs


def test_many_quantified_risks_at_the_most_years_are_refused_not_simulated_for_minutes(
    tmp_path: Path,
) -> None:
    """The budget counted only event losses, but every risk and tier draws each year's count
    too (about as costly as a loss): 101 risks that never lose at riskctl.yaml's allowed
    10,000,000 years drew 2.02e9 counts, over a minute, unasked (a report or diff simulates
    the configured years). Now each tier-year counts as a draw."""
    files = {
        f"risks/R-{number}.yaml": risk_yaml(f"R-{number}", lognormal_block(0, 1, 10))
        for number in range(100, 201)
    }
    register = load(tmp_path, files)
    with pytest.raises(RiskctlError, match="at most 9,900,990 years fit"):
        run_register(register, years=10_000_000)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (950, "950"),
        (40_000, "40k"),
        (1_385_696, "1.39M"),
        (2.6e9, "2.6B"),
        (999.5, "1k"),  # was 1e+03
        (999_500, "1M"),  # was 1e+03k
        (999_950_000_000, "1T"),  # was 1e+03B
        (1e15, "1,000T"),  # was 1e+03T: a chart axis of a register's largest losses
        (1.2345e18, "1,230,000T"),  # was 1.23e+06T
        (-999_500, "-1M"),
    ],
)
def test_compact_amounts_never_read_in_exponent_form(value: float, text: str) -> None:
    """The loss exceedance chart (report) and the text table label loss levels with `compact`;
    an annual loss can reach 10^21 (a million events of 10^15), and rounding to three figures
    could carry into the next thousand ("1e+03k")."""
    assert compact(value) == text


@pytest.mark.parametrize(
    ("command", "refused"),
    [
        (["quant", "--years", "100"], True),
        (["report", "register", "--now", FROZEN_NOW], True),
        (["report", "risk", "R-001", "--now", FROZEN_NOW], True),
        (["report", "wbr", "--now", FROZEN_NOW], True),
        (["report", "rcm", "--now", FROZEN_NOW], False),
        (["score"], False),
    ],
)
def test_an_unknown_key_in_loss_inputs_is_refused_where_a_loss_is_computed(
    tmp_path: Path, command: list[str], refused: bool
) -> None:
    """The old per-risk `currency: EUR` (or a misspelt `pert_gama`) would otherwise be computed
    as the register's USD (or the default gamma): lint reports it (RK005), and every command that
    simulates refuses (exit 3, naming the file and key); commands that do not compute a loss
    keep the entity, as before."""
    import shutil

    register = tmp_path / "register"
    shutil.copytree(SHIPPED_REGISTER, register)
    with (register / "risks" / "R-009.yaml").open("a", encoding="utf-8") as file:
        file.write("  currency: EUR\n")
    where = command[:2] if command[0] == "report" else command[:1]
    result = runner.invoke(app, [*where, *command[len(where) :], str(register)])
    if refused:
        assert result.exit_code == 3, result.output
        assert "risks/R-009.yaml (quant.currency)" in result.stderr
    else:
        assert result.exit_code in (0, 1), result.output


def test_diff_refuses_a_change_that_leaves_an_unknown_key_in_loss_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The head's ALE lines would be computed without the key (the old per-risk currency read
    as the register's): exit 3 naming it. A base with such a key does not block the change
    that removes it."""
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(SHIPPED_REGISTER)
    repo.commit("base", 0)
    risk = repo.root / "register" / "risks" / "R-009.yaml"
    clean = risk.read_text(encoding="utf-8")
    risk.write_text(clean + "  currency: EUR\n", encoding="utf-8")
    repo.commit("an old per-risk currency", 1)
    code, _out, err = _diff(repo, monkeypatch, "HEAD~1", "HEAD")
    assert code == 3 and "risks/R-009.yaml (quant.currency)" in err
    risk.write_text(clean, encoding="utf-8")
    repo.commit("the currency removed", 2)
    code, _out, err = _diff(repo, monkeypatch, "HEAD~1", "HEAD")
    assert code in (0, 1), err


def test_a_named_risk_whose_file_did_not_load_is_named_as_such(tmp_path: Path) -> None:
    """`--risk R-003 --partial` with R-003.yaml broken said "no risk 'R-003'; did you mean
    R-031?": the file exists and did not load, which is what to fix."""
    import shutil

    register = tmp_path / "register"
    shutil.copytree(SHIPPED_REGISTER, register)
    with (register / "risks" / "R-003.yaml").open("a", encoding="utf-8") as file:
        file.write("oops: [\n")
    args = ["quant", str(register), "--partial", "--years", "100"]
    result = runner.invoke(app, [*args, "--risk", "R-003"])
    assert result.exit_code == 3
    assert "risks/R-003.yaml did not load (line " in result.stderr
    assert "did you mean" not in result.stderr
    assert runner.invoke(app, [*args, "--risk", "R-001"]).exit_code == 0
