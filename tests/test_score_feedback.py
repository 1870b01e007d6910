"""The incident feedback loop in the scorer (rca.md section 7).

A control whose latest incident failure (the latest `occurred` among incidents and near-misses
listing it in `failed_controls`) postdates its latest passing operating test earns no credit;
no passing operating test at all also counts as postdating. Every expected number is computed
by hand in a comment (credits E = 0.6, P = 0.3; v = 1 + (x - 1)(1 - R), rounded up).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from riskctl.diff import diff_registers
from riskctl.lint.engine import lint
from riskctl.load import load, read_directory
from riskctl.model.config import Config, Credits
from riskctl.model.control import Control
from riskctl.model.incident import Incident
from riskctl.model.register import Record, Register
from riskctl.model.risk import Risk
from riskctl.score import residual
from riskctl.score.explain import explain
from riskctl.score.matrix import Cell
from riskctl.score.residual import (
    Failure,
    failure_outweighs_tests,
    latest_failures,
    latest_passing_test,
    score_register,
)
from tests.conftest import SHIPPED_REGISTER
from tests.strategies import CATEGORIES, control_data

#: The reference model (residual-scoring.md section 3) is pinned with the untested cap off: its
#: worked examples state ratings, not test records. The cap has its own tests (test_score.py).
NO_CAP = 1.0


def control_credit(*args: Any, **kwargs: Any) -> tuple[float, str]:
    """`residual.control_credit` with the untested cap off."""
    return residual.control_credit(*args, untested_cap=NO_CAP, **kwargs)


TODAY = datetime.date(2026, 11, 27)
CREDITS = Credits()
FAILED_0838 = Failure(datetime.date(2026, 10, 12), "INC-2026-038")


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def operating(date: str, result: str) -> dict[str, Any]:
    return {"date": day(date), "type": "operating", "result": result}


def design(date: str, result: str) -> dict[str, Any]:
    return {"date": day(date), "type": "design", "result": result}


def control(control_id: str = "C-001", **fields: Any) -> Control:
    return Control.model_validate(control_data(control_id, **fields))


def incident(
    incident_id: str, occurred: str, failed: list[str], kind: str = "incident"
) -> Incident:
    return Incident.model_validate(
        {
            "id": incident_id,
            "kind": kind,
            "title": f"Incident {incident_id}",
            "occurred": day(occurred),
            "severity": 3,
            "failed_controls": failed,
            **({"barrier_that_held": "a later check"} if kind == "near-miss" else {}),
        }
    )


def risk(likelihood: int, impact: int, controls: list[str]) -> Risk:
    return Risk.model_validate(
        {
            "id": "R-001",
            "title": "A risk",
            "category": "payments-fraud",
            "owner": "payments-risk",
            "inherent": {"likelihood": likelihood, "impact": impact},
            "controls": controls,
            "reviewed": day("2026-11-16"),
        }
    )


def register_of(*entities: Risk | Control | Incident) -> Register:
    register = Register(
        config=Config.model_validate(
            {"version": 1, "categories": CATEGORIES, "scoring": {"untested_cap": NO_CAP}}
        )
    )
    folders = {Risk: ("risk", "risks"), Control: ("control", "controls")}
    for entity in entities:
        kind, folder = folders.get(type(entity), ("incident", "incidents"))
        register.add(Record(kind=kind, file=f"{folder}/{entity.id}.yaml", entity=entity))
    return register


# --- latest_failures ---------------------------------------------------------------------------


def test_latest_failures_keeps_the_latest_occurred_per_control() -> None:
    failures = latest_failures(
        [
            incident("INC-2026-003", "2026-01-01", ["C-011", "C-013"]),
            incident("INC-2026-038", "2026-10-12", ["C-003", "C-001"]),
            incident("INC-2026-040", "2026-06-01", ["C-001"]),
        ]
    )
    assert failures == {
        "C-001": Failure(day("2026-10-12"), "INC-2026-038"),  # 10-12 is later than 06-01
        "C-003": Failure(day("2026-10-12"), "INC-2026-038"),
        "C-011": Failure(day("2026-01-01"), "INC-2026-003"),
        "C-013": Failure(day("2026-01-01"), "INC-2026-003"),
    }
    assert list(failures) == ["C-001", "C-003", "C-011", "C-013"]


def test_latest_failures_counts_near_misses_and_breaks_ties_by_id() -> None:
    failures = latest_failures(
        [
            incident("INC-2026-050", "2026-11-08", ["C-033"], kind="near-miss"),
            incident("INC-2026-044", "2026-11-08", ["C-033", "C-033"]),
        ]
    )
    assert failures == {"C-033": Failure(day("2026-11-08"), "INC-2026-050")}


def test_latest_failures_none_without_failed_controls() -> None:
    assert latest_failures([incident("INC-2026-001", "2026-08-03", [])]) == {}


# --- latest_passing_test -----------------------------------------------------------------------


def test_latest_passing_test_ignores_design_failed_and_inconclusive_tests() -> None:
    item = control(
        tests=[
            operating("2026-05-19", "pass"),
            design("2026-09-01", "pass"),
            operating("2026-10-01", "inconclusive"),
            operating("2026-11-05", "fail"),
        ]
    )
    passed = latest_passing_test(item)
    assert passed is not None
    assert passed.date == day("2026-05-19")


def test_latest_passing_test_none_without_a_passing_operating_test() -> None:
    assert latest_passing_test(control(tests=[design("2026-05-19", "pass")])) is None


# --- control_credit ----------------------------------------------------------------------------


def test_failure_after_latest_passing_test_earns_nothing() -> None:
    item = control(tests=[operating("2026-05-19", "pass")])
    assert control_credit(item, "residual", CREDITS, FAILED_0838) == (
        0.0,
        "failed in INC-2026-038 (2026-10-12) after its latest passing operating test (2026-05-19)",
    )
    # and the projected tier too: only planned controls are treated differently there
    assert control_credit(item, "projected", CREDITS, FAILED_0838)[0] == 0.0


def test_failure_without_any_passing_operating_test_earns_nothing() -> None:
    # Rated effective, but the only operating test was inconclusive: nothing to outweigh it.
    item = control(tests=[design("2026-01-10", "pass"), operating("2026-03-01", "inconclusive")])
    assert control_credit(item, "residual", CREDITS, FAILED_0838) == (
        0.0,
        "failed in INC-2026-038 (2026-10-12) and has no passing operating test",
    )


def test_failure_on_the_day_of_the_passing_test_keeps_the_credit() -> None:
    item = control(tests=[operating("2026-10-12", "pass")])
    assert control_credit(item, "residual", CREDITS, FAILED_0838) == (
        0.6,
        "grade effective (design effective, operating effective), active; failed in "
        "INC-2026-038 (2026-10-12), before its latest passing operating test (2026-10-12)",
    )


def test_passing_test_after_the_failure_restores_the_credit() -> None:
    item = control(operating="partially-effective", tests=[operating("2026-11-17", "pass")])
    credit, reason = control_credit(item, "residual", CREDITS, FAILED_0838)
    assert credit == 0.3  # partially-effective
    assert reason.endswith("before its latest passing operating test (2026-11-17)")


def test_no_failure_leaves_credit_and_reason_unchanged() -> None:
    item = control(tests=[operating("2026-05-19", "pass")])
    assert control_credit(item, "residual", CREDITS) == (
        0.6,
        "grade effective (design effective, operating effective), active",
    )


def test_failed_latest_test_reason_wins_over_incident_failure() -> None:
    item = control(
        operating="ineffective",
        tests=[operating("2026-05-19", "pass"), operating("2026-11-05", "fail")],
    )
    assert control_credit(item, "residual", CREDITS, FAILED_0838) == (
        0.0,
        "latest operating test (2026-11-05) failed",
    )


def test_degraded_control_failed_after_its_test_earns_nothing() -> None:
    item = control(status="degraded", tests=[operating("2026-07-14", "pass")])
    assert control_credit(item, "residual", CREDITS, FAILED_0838) == (
        0.0,
        "failed in INC-2026-038 (2026-10-12) after its latest passing operating test (2026-07-14)",
    )


@pytest.mark.parametrize(
    ("status", "tier", "expected"),
    [
        ("planned", "projected", (0.6, "planned: counted as if active and effective")),
        ("planned", "residual", (0.0, "planned: counts only in the projected tier")),
        ("retired", "residual", (0.0, "retired: never counts")),
    ],
)
def test_planned_and_retired_controls_ignore_failures_by_status(
    status: str, tier: Any, expected: tuple[float, str]
) -> None:
    assert control_credit(control(status=status), tier, CREDITS, FAILED_0838) == expected


def test_failure_outweighs_tests_none_without_failure() -> None:
    assert failure_outweighs_tests(control(), None) is None


# --- score_register ----------------------------------------------------------------------------


def test_score_register_stops_crediting_a_control_failed_after_its_test() -> None:
    # R-001 inherent L5 I4; C-001 effective on likelihood, passed 2026-05-19.
    # Without the incident: R = 0.6, v = 1 + 4 x 0.4 = 2.6 -> 3: L3 x I4 = 12 high.
    # With INC-2026-038 (2026-10-12) failing C-001: R = 0, likelihood stays 5: L5 x I4 = 20
    # critical, in the residual and the projected tier alike.
    item = control(tests=[operating("2026-05-19", "pass")])
    before = score_register(register_of(risk(5, 4, ["C-001"]), item)).risks[0]
    after = score_register(
        register_of(risk(5, 4, ["C-001"]), item, incident("INC-2026-038", "2026-10-12", ["C-001"]))
    ).risks[0]
    assert (before.residual, before.projected.cell) == (Cell(3, 4, 12, "high"),) * 2
    assert (after.residual, after.projected.cell) == (Cell(5, 4, 20, "critical"),) * 2
    assert after.computed.controls[0].reason == (
        "failed in INC-2026-038 (2026-10-12) after its latest passing operating test (2026-05-19)"
    )


def test_score_register_credits_a_control_retested_after_the_failure() -> None:
    # C-001 passed again on 2026-11-17, after the 2026-10-12 failure: L3 x I4 = 12 high.
    item = control(tests=[operating("2026-05-19", "pass"), operating("2026-11-17", "pass")])
    card = score_register(
        register_of(risk(5, 4, ["C-001"]), item, incident("INC-2026-038", "2026-10-12", ["C-001"]))
    )
    assert card.risks[0].residual == Cell(3, 4, 12, "high")


def test_score_register_compounds_the_remaining_controls() -> None:
    # C-001 (E, likelihood) fails after its test; C-002 (P, likelihood) and C-003 (E, impact)
    # stay. Likelihood: R = 0.3, v = 1 + 4 x 0.7 = 3.8 -> 4; impact: R = 0.6,
    # v = 1 + 4 x 0.4 = 2.6 -> 3. L4 x I3 = 12 high (without the failure: R = 1 - 0.4 x 0.7
    # = 0.72, v = 2.12 -> 3: L3 x I3 = 9 medium).
    tested = [operating("2026-05-19", "pass")]
    controls = (
        control("C-001", tests=tested),
        control("C-002", operating="partially-effective", tests=tested),
        control("C-003", reduces="impact", tests=tested),
    )
    the_risk = risk(5, 5, ["C-001", "C-002", "C-003"])
    without = score_register(register_of(the_risk, *controls)).risks[0]
    failed = incident("INC-2026-038", "2026-10-12", ["C-001"], kind="near-miss")
    with_failure = score_register(register_of(the_risk, *controls, failed)).risks[0]
    assert without.residual == Cell(3, 3, 9, "medium")
    assert with_failure.residual == Cell(4, 3, 12, "high")
    step = with_failure.computed.steps[0]
    assert (step.credits, step.result) == ((0.3,), 4)
    assert step.value == pytest.approx(3.8)


def test_explain_shows_the_failure_as_the_reason() -> None:
    item = control(tests=[operating("2026-05-19", "pass")])
    card = score_register(
        register_of(risk(5, 4, ["C-001"]), item, incident("INC-2026-038", "2026-10-12", ["C-001"]))
    )
    text = explain(card.risks[0], card, TODAY)
    assert (
        "  - C-001 counts 0: failed in INC-2026-038 (2026-10-12) after its latest passing "
        "operating test (2026-05-19)\n"
    ) in text
    assert "  Result: L5 x I4 = 20 (critical)\n" in text


def test_diff_sees_a_new_incident_move_an_unchanged_risk() -> None:
    item = control(tests=[operating("2026-05-19", "pass")])
    old = register_of(risk(5, 4, ["C-001"]), item)
    new = register_of(
        risk(5, 4, ["C-001"]), item, incident("INC-2026-038", "2026-10-12", ["C-001"])
    )
    changes = {
        (change.kind, change.id): change for change in diff_registers(old, new, TODAY).changes
    }
    assert changes["incident", "INC-2026-038"].change == "added"
    moved = changes["risk", "R-001"]
    assert moved.fields == ()  # the risk file did not change, its residual did
    assert "residual" in moved.scores


# --- the shipped register ----------------------------------------------------------------------


def _without_incidents(register: Register) -> Register:
    copy = Register(config=register.config)
    for record in register.records:
        if record.kind != "incident":
            copy.add(record)
    return copy


def test_shipped_register_tiers_are_the_same_with_and_without_the_loop() -> None:
    register = load(read_directory(Path(SHIPPED_REGISTER))).register
    with_loop = {score.risk.id: score for score in score_register(register).risks}
    without = {score.risk.id: score for score in score_register(_without_incidents(register)).risks}
    assert with_loop.keys() == without.keys()
    for risk_id, score in with_loop.items():
        other = without[risk_id]
        assert (score.computed.cell, score.residual, score.projected.cell) == (
            other.computed.cell,
            other.residual,
            other.projected.cell,
        ), risk_id
    # What the loop does change: two credits, each the third of three on likelihood.
    # C-001 (degraded, 0.3) fails in INC-2026-038 (10-12) after its test of 07-14;
    #        likelihood credits 0.6 only: v = 1 + 4 x 0.4 = 2.6 -> 3, as 0.3 and 0.6 gave
    #        (v = 1 + 4 x 0.28 = 2.12 -> 3).
    # C-033 (0.3) fails in near-miss INC-2026-044 (11-08) after its test of 10-06;
    #        the same arithmetic.
    lost = sorted(
        (risk_id, credit.control)
        for risk_id, score in with_loop.items()
        for credit, before in zip(
            score.computed.controls, without[risk_id].computed.controls, strict=True
        )
        if credit.credit != before.credit
    )
    assert lost == [("R-001", "C-001"), ("R-013", "C-033")]


# --- RK606, the lint side of the loop ----------------------------------------------------------


def test_reassess_after_incident_names_the_incident_and_the_controls(base_register: Path) -> None:
    # The base R-001 links C-001 (effective, passed 2026-09-15) and C-002 (planned), reviewed
    # 2026-10-01. C-003 (effective, no test) is linked too here; INC-2026-002 fails all three.
    risk_file = base_register / "risks" / "R-001.yaml"
    risk_file.write_text(
        risk_file.read_text(encoding="utf-8").replace(
            "controls: [C-001, C-002]", "controls: [C-003, C-001, C-002]"
        ),
        encoding="utf-8",
    )
    (base_register / "controls" / "C-003.yaml").write_text(
        "id: C-003\ntitle: Device blocklist\nowner: payments-risk\nnature: preventive\n"
        "reduces: likelihood\neffectiveness: {design: effective, operating: effective}\n",
        encoding="utf-8",
    )
    (base_register / "incidents" / "INC-2026-002.yaml").write_text(
        "id: INC-2026-002\nkind: incident\ntitle: Card testing got through\n"
        "occurred: 2026-10-20\nseverity: 3\nfailed_controls: [C-002, C-003, C-001]\n",
        encoding="utf-8",
    )
    result = lint(read_directory(base_register), today=TODAY)
    assert [(f.line, f.col, f.message) for f in result.findings if f.code == "RK606"] == [
        (
            9,
            11,
            "R-001 relies on C-001 and C-003, which failed in INC-2026-002 (2026-10-20); "
            "re-assess the risk: last reviewed 2026-10-01, not after the incident",
        )
    ]
    # and the scorer: C-001 failed after its test of 09-15, C-003 has no passing test at all
    card = score_register(load(read_directory(base_register)).register)
    assert [credit.reason for credit in card.risks[0].computed.controls[:2]] == [
        "failed in INC-2026-002 (2026-10-20) and has no passing operating test",
        "failed in INC-2026-002 (2026-10-20) after its latest passing operating test (2026-09-15)",
    ]
