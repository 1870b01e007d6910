"""`riskctl diff` and loss quantification: analytic ALE before and after, the portfolio, and the
`tolerance-breached` gate, on real git repositories.

Every scenario starts from tests/rules/base plus quant inputs (`quant-base`): R-001 with a
Poisson rate of 4 events a year and a PERT loss (10,000, 50,000, 200,000), R-002 (no controls)
with 0.5 a year and a PERT loss (20,000, 40,000, 120,000). Expected ALEs are by hand
(../shared/reference/quantification.md §4): ALE = λ·E[X], E[X] of a PERT = (low + 4·mode +
high)/6; R-001's residual is scaled by (1 - 0.6), C-001's likelihood credit (effective, tested),
C-002 being planned. Scenarios on the `tol` line add a tolerance curve to riskctl.yaml with a
small simulation (2,000 years, seed 11) to keep the tests fast.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.diff import RegisterDiff, diff_registers
from riskctl.diff_reads import DiffSides, diff_sources, read_diff_sides
from riskctl.load import ParseCache, load
from riskctl.output.amounts import percent
from riskctl.output.diff import render_json, render_markdown, render_text
from riskctl.quant.run import run_register
from tests.conftest import BASE_REGISTER, FROZEN_NOW, ROOT, TESTS, check_golden
from tests.gitrepo import GitRepo
from tests.test_diff import Edit, Replace, Write, apply

NOW = datetime.date.fromisoformat(FROZEN_NOW)
GOLDEN = TESTS / "golden" / "diff"
runner = CliRunner()


def pert_mean(low: float, mode: float, high: float) -> float:
    return (low + 4 * mode + high) / 6


R001_LAMBDA = 4.0
R001_LOSS = pert_mean(10_000, 50_000, 200_000)  # 68,333.33
R001_INHERENT = R001_LAMBDA * R001_LOSS  # 273,333.33
C001_CREDIT = 0.6  # effective, tested: the likelihood reduction (residual-scoring.md §3)
R001_RESIDUAL = R001_INHERENT * (1 - C001_CREDIT)  # 109,333.33
R002_ALE = 0.5 * pert_mean(20_000, 40_000, 120_000)  # 25,000, no control

R001_QUANT = """\
quant:
  frequency: {poisson: {lambda: 4}}
  magnitude: {pert: {low: 10000, mode: 50000, high: 200000}}
"""
R002 = """\
id: R-002
title: Account takeover through password reuse
category: account-security
owner: payments-risk
inherent: {likelihood: 2, impact: 2}
treatment: mitigate
reviewed: 2026-10-01
quant:
  frequency: {poisson: {lambda: 0.5}}
  magnitude: {pert: {low: 20000, mode: 40000, high: 120000}}
"""
ADD_R001_QUANT = Replace(
    "risks/R-001.yaml", "reviewed: 2026-10-01\n", "reviewed: 2026-10-01\n" + R001_QUANT
)
QUANT_BASE: tuple[Edit, ...] = (ADD_R001_QUANT, Write("risks/R-002.yaml", R002))


def rate(value: str) -> Replace:
    return Replace("risks/R-001.yaml", "{lambda: 4}", "{lambda: " + value + "}")


def curve(points: str) -> Replace:
    """riskctl.yaml's quant settings for the gate: 2,000 years, seed 11, and `points`."""
    return Replace(
        "riskctl.yaml",
        "version: 1\n",
        f"version: 1\nquant:\n  years: 2000\n  seed: 11\n  tolerance: [{points}]\n",
    )


def recurve(old: str, new: str) -> Replace:
    return Replace("riskctl.yaml", f"tolerance: [{old}]", f"tolerance: [{new}]")


DOWNGRADE_C001 = Replace(
    "controls/C-001.yaml", "operating: effective}", "operating: partially-effective}"
)
OWNER_TEAM = Replace("owners/payments-risk.yaml", "team: Trust & Safety", "team: Payments")
BREACH_POINT = "{loss: 300000, probability: 0.2}"
LOW_POINT = "{loss: 50000, probability: 0.3}"


@dataclass(frozen=True)
class Scenario:
    change: tuple[Edit, ...]
    setup: tuple[Edit, ...] = QUANT_BASE


SCENARIOS: dict[str, Scenario] = {
    # Without a tolerance curve: analytic lines only, the portfolio as the change of its sum.
    "rate-down": Scenario((rate("2"),)),
    "control-downgraded": Scenario((DOWNGRADE_C001,)),
    "risk-added": Scenario((Write("risks/R-002.yaml", R002),), setup=(ADD_R001_QUANT,)),
    "quant-removed": Scenario(
        (Replace("risks/R-001.yaml", R001_QUANT, ""),),
    ),
    "risk-closed": Scenario(
        (
            Replace(
                "risks/R-001.yaml", "treatment: mitigate\n", "status: closed\ntreatment: mitigate\n"
            ),
        )
    ),
    "currency": Scenario(
        (Replace("riskctl.yaml", "version: 1\n", "version: 1\nquant: {currency: EUR}\n"),)
    ),
    "unrelated": Scenario((OWNER_TEAM,)),
    # With a tolerance curve: totals, and the gate.
    "tol-breach": Scenario((rate("20"),), setup=(*QUANT_BASE, curve(BREACH_POINT))),
    "tol-curve-added": Scenario((curve(LOW_POINT),)),
    "tol-tightened": Scenario(
        (recurve("{loss: 50000, probability: 0.9}", LOW_POINT),),
        setup=(*QUANT_BASE, curve("{loss: 50000, probability: 0.9}")),
    ),
    "tol-already-breached": Scenario((rate("5"),), setup=(*QUANT_BASE, curve(LOW_POINT))),
    "tol-unrelated": Scenario((OWNER_TEAM,), setup=(*QUANT_BASE, curve(BREACH_POINT))),
    "tol-quant-removed": Scenario(
        (Replace("risks/R-001.yaml", R001_QUANT, ""),), setup=(*QUANT_BASE, curve(BREACH_POINT))
    ),
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    """tests/rules/base with quant inputs as `quant-base`; each scenario on its own line."""
    repo = GitRepo(tmp_path_factory.mktemp("quant") / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("the base register", day=1)
    repo.git("tag", "plain")
    for name, scenario in SCENARIOS.items():
        repo.git("checkout", "--quiet", "--detach", "plain")
        apply(repo, scenario.setup)
        repo.commit(f"{name}: setup", day=2)
        repo.git("tag", f"{name}-from")
        apply(repo, scenario.change)
        repo.commit(name, day=3)
        repo.git("tag", f"{name}-to")
    repo.git("checkout", "--quiet", "main")
    return repo


def compare(repo: GitRepo, name: str, *, complete: bool = False) -> tuple[RegisterDiff, DiffSides]:
    register = repo.root / "register"
    sides = read_diff_sides(
        *diff_sources(register, f"{name}-from", f"{name}-to"), complete=complete
    )
    cache: ParseCache = {}
    old, new = load(sides.old, cache), load(sides.new, cache)
    assert (old.hits, new.hits) == ([], [])
    return diff_registers(old.register, new.register, NOW, sides.old_ref, sides.new_ref), sides


def document(repo: GitRepo, name: str) -> dict[str, Any]:
    diff, _ = compare(repo, name)
    quant: dict[str, Any] = json.loads(render_json(diff, ()))["quant"]
    return quant


def move(old: float | None, new: float | None) -> dict[str, Any]:
    change = (new or 0.0) - (old or 0.0)
    return {"old": old, "new": new, "change": change, "relative": change / old if old else None}


def approx(value: Any) -> Any:
    """Numbers compared to 1e-9 relative (sums of floats in another order)."""
    if isinstance(value, dict):
        return {key: approx(item) for key, item in value.items()}
    if isinstance(value, list):
        return [approx(item) for item in value]
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-9, abs=1e-9)
    return value


def line(risk_id: str, why: str, inherent: dict[str, Any], residual: dict[str, Any]) -> Any:
    return {"id": risk_id, "why": why, "inherent": inherent, "residual": residual}


def change_only(inherent: float, residual: float) -> dict[str, Any]:
    """The portfolio line without a tolerance curve: the change of the sum only."""
    return {
        "totals": False,
        "inherent": {"old": None, "new": None, "change": inherent, "relative": None},
        "residual": {"old": None, "new": None, "change": residual, "relative": None},
    }


# --- analytic ALE lines --------------------------------------------------------------------------


def test_a_lower_rate_lowers_both_ales_by_hand(repo: GitRepo) -> None:
    quant = document(repo, "rate-down")
    half = R001_INHERENT / 2, R001_RESIDUAL / 2
    assert quant["risks"] == approx(
        [
            line(
                "R-001",
                "quant inputs changed",
                move(R001_INHERENT, half[0]),
                move(R001_RESIDUAL, half[1]),
            )
        ]
    )
    assert quant["risks"][0]["inherent"]["relative"] == pytest.approx(-0.5)
    assert quant["portfolio"] == approx(change_only(-half[0], -half[1]))
    assert (quant["simulated"], quant["tolerance"]) == (False, [])
    assert quant["simulation"] == "not simulated: riskctl.yaml has no quant.tolerance curve"
    diff, _ = compare(repo, "rate-down")
    assert render_text(diff, ()).endswith(
        "annual loss expectancy (analytic, USD a year):\n"
        "  R-001 (quant inputs changed)\n"
        "    inherent: 273,333 → 136,667 (-136,667, -50%)\n"
        "    residual: 109,333 → 54,667 (-54,667, -50%)\n"
        "  portfolio (the change of the sum; `riskctl quant` gives the totals)\n"
        "    inherent: -136,667\n"
        "    residual: -54,667\n"
    )


def test_a_downgraded_control_raises_only_the_residual(repo: GitRepo) -> None:
    quant = document(repo, "control-downgraded")
    partial_credit = 0.3  # partially-effective
    residual = R001_INHERENT * (1 - partial_credit)
    assert quant["risks"] == approx(
        [
            line(
                "R-001",
                "credits changed: C-001",
                move(R001_INHERENT, R001_INHERENT),
                move(R001_RESIDUAL, residual),
            )
        ]
    )
    assert quant["portfolio"] == approx(change_only(0.0, residual - R001_RESIDUAL))


def test_an_added_risk_with_inputs_has_no_ale_before(repo: GitRepo) -> None:
    quant = document(repo, "risk-added")
    added = {"old": None, "new": R002_ALE, "change": R002_ALE, "relative": None}
    assert quant["risks"] == approx([line("R-002", "added", added, added)])
    assert quant["portfolio"] == approx(change_only(R002_ALE, R002_ALE))


@pytest.mark.parametrize(
    ("name", "why"),
    [("quant-removed", "quant inputs removed"), ("risk-closed", "status open → closed")],
)
def test_a_risk_leaving_the_portfolio_has_no_ale_after(repo: GitRepo, name: str, why: str) -> None:
    quant = document(repo, name)
    assert quant["risks"] == approx(
        [line("R-001", why, move(R001_INHERENT, None), move(R001_RESIDUAL, None))]
    )
    assert quant["risks"][0]["residual"]["relative"] == pytest.approx(-1.0)
    assert quant["portfolio"] == approx(change_only(-R001_INHERENT, -R001_RESIDUAL))


def test_a_currency_change_is_not_subtracted(repo: GitRepo) -> None:
    """USD → EUR: every quantified risk is shown with its amounts in each currency, and no
    change or share is computed (a dollar is not a euro)."""
    quant = document(repo, "currency")
    assert (quant["currency"], quant["comparable"]) == ({"old": "USD", "new": "EUR"}, False)

    def same(value: float) -> dict[str, Any]:
        return {"old": value, "new": value, "change": None, "relative": None}

    assert quant["risks"] == approx(
        [
            line("R-001", "currency changed", same(R001_INHERENT), same(R001_RESIDUAL)),
            line("R-002", "currency changed", same(R002_ALE), same(R002_ALE)),
        ]
    )
    for tier in ("inherent", "residual"):
        assert quant["portfolio"][tier]["change"] is None
    diff, _ = compare(repo, "currency")
    text = render_text(diff, ())
    assert "the currency changed from USD to EUR, so amounts are not comparable" in text
    assert "    inherent: USD 273,333 → EUR 273,333\n" in text
    assert "not comparable (the currency changed)" in text


def test_an_unrelated_change_has_no_ale_lines_and_reads_partially(repo: GitRepo) -> None:
    diff, sides = compare(repo, "unrelated")
    assert sides.partial is True
    assert diff.quant is not None
    assert (diff.quant.risks, diff.quant.portfolio, diff.quant.changed) == ((), None, False)
    assert "annual loss expectancy" not in render_text(diff, ())
    assert "Annual loss expectancy" not in render_markdown(diff, ())


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_partial_read_equals_complete_read(repo: GitRepo, name: str) -> None:
    partial = compare(repo, name)[0]
    complete = compare(repo, name, complete=True)[0]
    assert render_json(partial, ()) == render_json(complete, ())


@pytest.mark.parametrize(("name", "partial"), [("rate-down", True), ("tol-breach", False)])
def test_a_tolerance_curve_makes_a_quant_change_read_everything(
    repo: GitRepo, name: str, partial: bool
) -> None:
    """Without a curve the affected risks are enough (the change of the sum); with one, the
    totals and the simulation need every quantified risk."""
    assert compare(repo, name)[1].partial is partial


# --- the tolerance-breached gate -----------------------------------------------------------------


def registers(repo: GitRepo, name: str) -> tuple[Any, Any]:
    sides = read_diff_sides(
        *diff_sources(repo.root / "register", f"{name}-from", f"{name}-to"), complete=True
    )
    return load(sides.old).register, load(sides.new).register


def test_a_change_that_crosses_the_curve_fires_with_before_after_and_limit(repo: GitRepo) -> None:
    diff, _ = compare(repo, "tol-breach")
    old, new = registers(repo, "tol-breach")
    # Same curve, years and seed on both sides: `riskctl quant` of each side gives the
    # probabilities the gate must name.
    (before,) = run_register(old).tolerance
    (after,) = run_register(new).tolerance
    assert before.probability < 0.2 < after.probability
    assert [(hit.gate, hit.id, hit.message) for hit in diff.gates] == [
        (
            "tolerance-breached",
            "portfolio",
            f"P(residual portfolio loss > USD 300,000 a year) is {percent(after.probability)} "
            f"({percent(before.probability)} before), above the limit of 20%",
        )
    ]
    quant = json.loads(render_json(diff, ()))["quant"]
    assert quant["simulated"] is True
    assert quant["simulation"] == "simulated: 2,000 years, seed 11 (the head's)"
    assert quant["tolerance"] == [
        {
            "loss": 300000.0,
            "limit": 0.2,
            "old": before.probability,
            "new": after.probability,
            "marginal": after.marginal,
            "fires": True,
        }
    ]
    # With a curve the portfolio line holds the totals, by hand.
    inherent_after = 20 * R001_LOSS
    assert quant["portfolio"] == approx(
        {
            "totals": True,
            "inherent": move(R001_INHERENT + R002_ALE, inherent_after + R002_ALE),
            "residual": move(
                R001_RESIDUAL + R002_ALE, inherent_after * (1 - C001_CREDIT) + R002_ALE
            ),
        }
    )


@pytest.mark.parametrize("name", ["tol-curve-added", "tol-tightened"])
def test_a_curve_added_or_tightened_that_the_head_breaches_fires(repo: GitRepo, name: str) -> None:
    """The inputs did not change, so both sides lose the same: the base would breach the new
    point too, but it was not the base's commitment: a new or tightened point breached now
    fires."""
    diff, _ = compare(repo, name)
    (point,) = diff.quant.tolerance if diff.quant else ()
    assert point.old == point.new > point.limit == 0.3
    assert [hit.gate for hit in diff.gates] == ["tolerance-breached"]
    assert diff.gates[0].message == (
        f"P(residual portfolio loss > USD 50,000 a year) is {percent(point.new)} "
        f"({percent(point.old)} before), above the limit of 30%"
    )


def test_a_point_breached_before_and_after_does_not_fire(repo: GitRepo) -> None:
    """The near miss: the portfolio got worse and breaches the point, but the base breached the
    same point of the same curve: the change did not make it cross."""
    diff, _ = compare(repo, "tol-already-breached")
    assert diff.quant is not None and diff.quant.simulated
    (point,) = diff.quant.tolerance
    assert point.limit < point.old < point.new  # type: ignore[operator]
    assert (point.fires, diff.gates) == (False, ())


def test_removing_inputs_lowers_the_curve_and_does_not_fire(repo: GitRepo) -> None:
    diff, _ = compare(repo, "tol-quant-removed")
    assert diff.quant is not None and diff.quant.simulated
    (point,) = diff.quant.tolerance
    assert point.new <= point.old  # type: ignore[operator]
    assert diff.gates == ()


def importtime(repo: GitRepo, name: str) -> str:
    """`python -X importtime -m riskctl diff` in a subprocess: its import log (stderr)."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "riskctl", "diff", f"{name}-from",
         f"{name}-to", "register", "--now", FROZEN_NOW, "--format", "json"],
        cwd=repo.root,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert json.loads(completed.stdout)["quant"]["simulated"] is (name == "tol-breach")
    return completed.stderr


def test_an_unrelated_change_does_not_simulate(repo: GitRepo) -> None:
    """The gate cannot fire when no quant input changed, so it does not simulate: numpy is
    never imported (and json says why); the same run with a quant change does import it."""
    quiet = importtime(repo, "tol-unrelated")
    assert "| numpy" not in quiet and "riskctl.diff" in quiet
    assert "| numpy" in importtime(repo, "tol-breach")
    quant = document(repo, "tol-unrelated")
    assert (quant["risks"], quant["simulated"]) == ([], False)
    assert quant["simulation"] == (
        "not simulated: no quant input changed, so the portfolio is as it was"
    )


def invoke(repo: GitRepo, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(repo.root)
    result = runner.invoke(app, ["diff", *args, "--now", FROZEN_NOW])
    assert result.stderr == ""
    return result.exit_code, result.stdout


def test_fail_on_tolerance_breached_exits_1(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    sides = ("tol-breach-from", "tol-breach-to")
    assert invoke(repo, monkeypatch, *sides)[0] == 0  # reported, not failing
    code, stdout = invoke(repo, monkeypatch, *sides, "--fail-on", "tolerance-breached")
    assert code == 1
    assert "gates: tolerance-breached (fails)" in stdout
    assert invoke(repo, monkeypatch, "tol-already-breached-from", "tol-already-breached-to",
                  "--fail-on", "tolerance-breached")[0] == 0  # fmt: skip


def test_fail_on_in_riskctl_yaml_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    apply(repo, (*QUANT_BASE, curve(BREACH_POINT)))
    apply(
        repo,
        (
            Replace(
                "riskctl.yaml",
                "version: 1\n",
                "version: 1\ngates: {fail_on: [tolerance-breached]}\n",
            ),
        ),
    )
    repo.commit("base", day=1)
    apply(repo, (rate("20"),))
    code, stdout = invoke(repo, monkeypatch)  # HEAD against the working tree
    assert code == 1
    assert "tolerance-breached (fails)" in stdout


@pytest.mark.parametrize(
    ("output_format", "suffix"), [("text", "txt"), ("json", "json"), ("markdown", "md")]
)
def test_golden_quant_in_every_format(
    repo: GitRepo,
    monkeypatch: pytest.MonkeyPatch,
    update_golden: bool,
    output_format: str,
    suffix: str,
) -> None:
    code, stdout = invoke(
        repo, monkeypatch, "tol-breach-from", "tol-breach-to", "--format", output_format
    )
    assert code == 0
    check_golden(GOLDEN / f"quant.{suffix}", stdout, update_golden)
