"""The coverage core (riskctl/coverage.py) on hand-built registers: every status and its edges.

Each expected status, count and reason is worked out by hand from the module's rules, not read
back from the code. Most cases map one control to one requirement of a small test framework
and ask for that requirement's status; the day is 2026-11-27 and an operating test stays
current for 365 days unless riskctl.yaml narrows RK301's `window_days`.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from riskctl.asof import as_of
from riskctl.coverage import Coverage, coverage, meets
from riskctl.errors import RiskctlError
from riskctl.framework.catalog import shipped
from riskctl.lint.rules import RuleContext, all_rules
from riskctl.model.config import Config
from riskctl.model.control import Control
from riskctl.model.framework import Framework
from riskctl.model.incident import Incident
from riskctl.model.owner import Owner
from riskctl.model.register import Record, Register

DAY = datetime.date(2026, 11, 27)
FW = "test-fw"

#: A small framework: two functions (F, G), categories under them, requirements under those.
CATALOGUE: dict[str, Any] = {
    "id": FW, "name": "Test framework", "version": "1", "source": "tests", "licence": "none",
    "requirements": [
        {"id": "F", "title": "Function F", "assessable": False},
        {"id": "F.A", "title": "Category F.A", "parent": "F", "assessable": False},
        {"id": "F.A-01", "title": "Requirement F.A-01", "parent": "F.A"},
        {"id": "F.A-02", "title": "Requirement F.A-02", "parent": "F.A"},
        {"id": "F.B", "title": "Category F.B", "parent": "F", "assessable": False},
        {"id": "F.B-01", "title": "Requirement F.B-01", "parent": "F.B"},
        {"id": "F.B-02", "title": "Requirement F.B-02", "parent": "F.B"},
        {"id": "G", "title": "Function G", "assessable": False},
        {"id": "G.A", "title": "Category G.A", "parent": "G", "assessable": False},
        {"id": "G.A-01", "title": "Requirement G.A-01", "parent": "G.A"},
    ],
}  # fmt: skip

#: A control that meets a requirement on DAY: active, effective by design and in operation,
#: a design test and a passing operating test 57 days ago.
GOOD: dict[str, Any] = {
    "id": "C-001", "title": "Velocity limits", "owner": "alice", "nature": "preventive",
    "key": True, "frequency": "quarterly", "status": "active",
    "effectiveness": {"design": "effective", "operating": "effective"},
    "tests": [
        {"date": "2026-03-02", "type": "design", "result": "pass"},
        {"date": "2026-10-01", "type": "operating", "sample_size": 25, "result": "pass"},
    ],
    "maps_to": [f"{FW}:F.A-01"],
}  # fmt: skip


def done(kind: str, date: str, result: str) -> dict[str, str]:
    """One test on record."""
    return {"date": date, "type": kind, "result": result}


def control(**changes: Any) -> dict[str, Any]:
    """GOOD with some fields changed."""
    return {**GOOD, **changes}


def settings(**extra: Any) -> Config:
    categories = [{"id": "fraud", "name": "Fraud", "appetite": "medium"}]
    return Config.model_validate({"version": 1, "categories": categories, **extra})


def build(
    *controls: dict[str, Any],
    incidents: tuple[dict[str, Any], ...] = (),
    config: Config | None = None,
    framework: dict[str, Any] | None = CATALOGUE,
) -> Register:
    register = Register(config=config or settings())
    register.add(
        Record("owner", "owners/alice.yaml", Owner.model_validate({"id": "alice", "name": "Alice"}))
    )
    if framework is not None:
        entity = Framework.model_validate(framework)
        register.add(Record("framework", f"frameworks/{entity.id}.yaml", entity))
    for index, data in enumerate(controls):
        # a file per control, numbered so that two controls may share an id
        register.add(
            Record(
                "control", f"controls/{index:02d}-{data['id']}.yaml", Control.model_validate(data)
            )
        )
    for data in incidents:
        register.add(
            Record("incident", f"incidents/{data['id']}.yaml", Incident.model_validate(data))
        )
    return register


def run(register: Register, today: datetime.date = DAY, framework: str = FW) -> Coverage:
    """Coverage as the command computes it: on the register as of the day."""
    return coverage(as_of(register, today).register, framework, today)


def status(register: Register, requirement: str = "F.A-01", today: datetime.date = DAY) -> str:
    return run(register, today).by_id()[requirement].status


def reason(register: Register, requirement: str = "F.A-01") -> str:
    (only,) = run(register).by_id()[requirement].controls
    return only.reason


# --- covered ----------------------------------------------------------------------------------


def test_an_effective_active_control_with_a_current_passing_test_covers() -> None:
    result = run(build(GOOD))
    row = result.by_id()["F.A-01"]
    assert row.status == "covered"
    (mapped,) = row.controls
    assert mapped.meets
    assert mapped.file == "controls/00-C-001.yaml"
    assert mapped.window == 365
    assert mapped.last_operating_test is not None
    assert mapped.last_operating_test.date == datetime.date(2026, 10, 1)
    assert mapped.reason == (
        "effective; operating test passed 2026-10-01, current to 2027-10-01 (365-day window)"
    )


def test_a_test_exactly_at_the_end_of_its_window_still_counts() -> None:
    narrow = settings(lint={"rules": {"RK301": {"window_days": {"quarterly": 57}}}})
    assert status(build(GOOD, config=narrow)) == "covered"  # 2026-10-01 + 57 days = DAY


# --- partial ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"status": "degraded"}, "degraded: operating below its design"),
        (
            {"effectiveness": {"design": "effective", "operating": "partially-effective"}},
            "graded partially-effective (design effective, operating partially-effective)",
        ),
        (
            {"tests": [done("operating", "2026-10-01", "pass")]},
            "rated effective with no design test on record",
        ),
        (
            {
                "tests": [
                    done("design", "2026-03-02", "pass"),
                    done("operating", "2026-06-01", "pass"),
                    done("operating", "2026-10-01", "fail"),
                ]
            },
            "latest operating test (2026-10-01) failed",
        ),
        (
            {
                "tests": [
                    done("design", "2026-03-02", "pass"),
                    done("operating", "2026-10-01", "inconclusive"),
                ]
            },
            "latest operating test (2026-10-01) was inconclusive",
        ),
    ],
    ids=["degraded", "partially-effective", "no-design-test", "failed", "inconclusive"],
)
def test_a_control_in_operation_that_does_not_meet_makes_it_partial(
    changes: dict[str, Any], why: str
) -> None:
    register = build(control(**changes))
    assert status(register) == "partial"
    assert reason(register) == why


def test_an_operating_test_out_of_its_frequency_window_is_partial() -> None:
    # quarterly: 56 days; the test of 2026-10-01 was current to 2026-11-26, the day before
    narrow = settings(lint={"rules": {"key-control-untested": {"window_days": {"quarterly": 56}}}})
    register = build(GOOD, config=narrow)
    assert status(register) == "partial"
    assert reason(register) == (
        "latest operating test (2026-10-01) is outside its 56-day window (current to 2026-11-26)"
    )
    # the window of another frequency does not apply to a quarterly control
    other = settings(lint={"rules": {"RK301": {"window_days": {"monthly": 10}}}})
    assert status(build(GOOD, config=other)) == "covered"


def test_the_default_window_is_365_days() -> None:
    old = control(
        tests=[done("design", "2026-03-02", "pass"), done("operating", "2025-11-26", "pass")]
    )
    assert status(build(old)) == "partial"  # 366 days before DAY
    year = control(
        tests=[done("design", "2026-03-02", "pass"), done("operating", "2025-11-27", "pass")]
    )
    assert status(build(year)) == "covered"  # exactly 365 days


INCIDENT: dict[str, Any] = {
    "id": "INC-2026-001", "kind": "incident", "title": "Chargebacks spiked", "severity": 3,
    "occurred": "2026-10-15", "failed_controls": ["C-001"],
}  # fmt: skip


def test_an_incident_after_the_latest_passing_test_withdraws_the_credit() -> None:
    register = build(GOOD, incidents=(INCIDENT,))
    assert status(register) == "partial"
    assert reason(register) == (
        "failed in INC-2026-001 (2026-10-15) after its latest passing operating test (2026-10-01)"
    )


def test_an_incident_before_the_latest_passing_test_does_not() -> None:
    earlier = {**INCIDENT, "occurred": "2026-09-30"}
    assert status(build(GOOD, incidents=(earlier,))) == "covered"
    other_control = {**INCIDENT, "failed_controls": ["C-999"]}
    assert status(build(GOOD, incidents=(other_control,))) == "covered"


def test_an_incident_dated_after_the_day_is_not_counted() -> None:
    later = {**INCIDENT, "occurred": "2026-12-01"}
    register = build(GOOD, incidents=(later,))
    assert status(register) == "covered"  # as of DAY it has not happened
    assert status(register, today=datetime.date(2026, 12, 2)) == "partial"


def test_an_operating_test_dated_after_the_day_is_not_counted() -> None:
    future = control(
        tests=[done("design", "2026-03-02", "pass"), done("operating", "2026-12-01", "pass")]
    )
    register = build(future)
    assert status(register) == "partial"
    assert reason(register) == "rated effective with no operating test on record"
    assert status(register, today=datetime.date(2026, 12, 1)) == "covered"
    # a later failing test does not hide the passing one before it either
    failing_later = control(tests=[*GOOD["tests"], done("operating", "2026-12-01", "fail")])
    assert status(build(failing_later)) == "covered"
    assert status(build(failing_later), today=datetime.date(2026, 12, 1)) == "partial"


def test_a_design_test_dated_after_the_day_leaves_the_rating_untested() -> None:
    future_design = control(
        tests=[done("design", "2026-12-01", "pass"), done("operating", "2026-10-01", "pass")]
    )
    register = build(future_design)
    assert status(register) == "partial"
    assert reason(register) == "rated effective with no design test on record"


# --- gap --------------------------------------------------------------------------------------


def test_nothing_mapped_is_a_gap() -> None:
    result = run(build())
    assert {row.status for row in result.requirements} == {"gap"}
    assert result.totals == {"covered": 0, "partial": 0, "gap": 5, "not-applicable": 0}
    assert all(row.controls == () for row in result.requirements)


@pytest.mark.parametrize("control_status", ["planned", "retired"])
def test_only_planned_or_retired_controls_is_a_gap(control_status: str) -> None:
    register = build(control(status=control_status))
    assert status(register) == "gap"
    assert reason(register) == f"{control_status}: not in operation"


def test_a_planned_and_a_degraded_control_make_it_partial() -> None:
    register = build(control(status="planned"), control(id="C-002", status="degraded"))
    assert status(register) == "partial"


# --- not applicable ---------------------------------------------------------------------------


def scoped(*not_applicable: dict[str, Any], framework: str = FW) -> Config:
    return settings(
        frameworks={"in_scope": [{"id": framework, "not_applicable": list(not_applicable)}]}
    )


def test_a_requirement_declared_not_applicable_keeps_its_justification_and_controls() -> None:
    config = scoped(
        {"requirement": "F.A-01", "justification": "No card payments"}, {"requirement": "F.B-02"}
    )
    result = run(build(GOOD, config=config))
    row = result.by_id()["F.A-01"]
    assert row.status == "not-applicable"
    assert not row.applicable
    assert row.justification == "No card payments"
    assert [each.control.id for each in row.controls] == ["C-001"]  # still listed
    assert result.by_id()["F.B-02"].status == "not-applicable"
    assert result.by_id()["F.B-02"].justification is None
    assert result.declared
    assert result.totals == {"covered": 0, "partial": 0, "gap": 3, "not-applicable": 2}


def test_an_undeclared_framework_is_computed_with_every_requirement_applicable() -> None:
    result = run(build(GOOD))
    assert not result.declared
    assert result.totals == {"covered": 1, "partial": 0, "gap": 4, "not-applicable": 0}


def test_not_applicable_ids_the_catalogue_lacks_are_reported() -> None:
    config = scoped(
        {"requirement": "F.A-99", "justification": "x"},
        {"requirement": "F.A", "justification": "a grouping"},
    )
    result = run(build(config=config))
    assert result.unknown_not_applicable == ("F.A-99", "F.A")
    assert result.totals["not-applicable"] == 0


# --- several controls, duplicates, other mappings --------------------------------------------


def test_one_control_that_meets_is_enough() -> None:
    register = build(
        control(id="C-002", status="degraded"), GOOD, control(id="C-003", status="retired")
    )
    result = run(register)
    row = result.by_id()["F.A-01"]
    assert row.status == "covered"
    assert [(each.control.id, each.meets) for each in row.controls] == [
        ("C-001", True),
        ("C-002", False),
        ("C-003", False),
    ]  # by id


def test_a_control_mapped_twice_to_one_requirement_is_listed_once() -> None:
    register = build(control(maps_to=[f"{FW}:F.A-01", f"{FW}:F.A-01", f"{FW}:F.B-01"]))
    result = run(register)
    assert len(result.by_id()["F.A-01"].controls) == 1
    assert len(result.by_id()["F.B-01"].controls) == 1
    assert result.totals == {"covered": 2, "partial": 0, "gap": 3, "not-applicable": 0}


def test_of_two_controls_with_one_id_the_first_file_counts() -> None:
    second = control(status="retired", maps_to=[f"{FW}:F.A-01", f"{FW}:G.A-01"])
    result = run(build(GOOD, second))
    row = result.by_id()["F.A-01"]
    assert [(each.file, each.meets) for each in row.controls] == [("controls/00-C-001.yaml", True)]
    assert result.by_id()["G.A-01"].controls == ()  # only the duplicate maps G.A-01


def test_mappings_to_another_framework_are_not_counted_or_reported() -> None:
    register = build(control(maps_to=["nist-csf-2.0:PR.AA-05", "other-fw:F.A-01"]))
    result = run(register)
    assert result.totals["covered"] == 0
    assert result.unknown == ()


def test_mappings_to_an_unknown_requirement_or_a_grouping_are_reported_not_counted() -> None:
    register = build(control(maps_to=[f"{FW}:F.A-09", f"{FW}:F.A", f"{FW}:F.B-01"]))
    result = run(register)
    assert [
        (each.control, each.index, each.requirement, each.grouping) for each in result.unknown
    ] == [("C-001", 0, "F.A-09", False), ("C-001", 1, "F.A", True)]
    assert result.unknown[0].file == "controls/00-C-001.yaml"
    # a mapping to a grouping covers none of the requirements under it
    assert result.by_id()["F.A-01"].status == "gap"
    assert result.by_id()["F.A-02"].status == "gap"
    assert result.by_id()["F.B-01"].status == "covered"


def test_an_unknown_framework_names_the_nearest_ids() -> None:
    with pytest.raises(RiskctlError, match=r"did you mean nist-csf-2\.0"):
        coverage(build(), "nist-csf-20", DAY)
    with pytest.raises(RiskctlError, match=r"did you mean test-fw"):
        coverage(build(), "test-fx", DAY)


# --- groups -----------------------------------------------------------------------------------


def test_group_totals_add_up_the_requirements_under_each_grouping() -> None:
    config = scoped({"requirement": "G.A-01", "justification": "not here"})
    register = build(
        GOOD,  # F.A-01 covered
        control(id="C-002", status="degraded", maps_to=[f"{FW}:F.B-01"]),  # partial
        config=config,
    )
    result = run(register)
    groups = {group.requirement.id: (group.depth, dict(group.counts)) for group in result.groups}
    assert [group.requirement.id for group in result.groups] == ["F", "F.A", "F.B", "G", "G.A"]
    zero = {"covered": 0, "partial": 0, "gap": 0, "not-applicable": 0}
    assert groups["F.A"] == (1, {**zero, "covered": 1, "gap": 1})
    assert groups["F.B"] == (1, {**zero, "partial": 1, "gap": 1})
    assert groups["F"] == (0, {**zero, "covered": 1, "partial": 1, "gap": 2})
    assert groups["G"] == (0, {**zero, "not-applicable": 1})
    assert result.by_id()["F.B-02"].groups == ("F.B", "F")


def test_csf_function_totals_are_the_sums_of_their_categories() -> None:
    mapped = control(
        maps_to=["nist-csf-2.0:PR.AA-05", "nist-csf-2.0:PR.AA-01", "nist-csf-2.0:DE.CM-01"]
    )
    result = run(build(mapped, framework=None), framework="nist-csf-2.0")
    assert result.catalogue.shipped
    assert len(result.requirements) == 106
    assert sum(result.totals.values()) == 106
    assert result.totals["covered"] == 3
    functions = [group for group in result.groups if group.depth == 0]
    categories = [group for group in result.groups if group.depth == 1]
    assert [group.requirement.id for group in functions] == ["GV", "ID", "PR", "DE", "RS", "RC"]
    assert len(categories) == 22
    for function in functions:
        under = [each for each in categories if each.requirement.parent == function.requirement.id]
        for name in ("covered", "partial", "gap", "not-applicable"):
            assert function.counts[name] == sum(each.counts[name] for each in under)
    by_group = {group.requirement.id: group.counts for group in result.groups}
    assert by_group["PR.AA"]["covered"] == 2
    assert by_group["PR"]["covered"] == 2
    assert by_group["DE"]["covered"] == 1
    assert sum(by_group[f.requirement.id]["gap"] for f in functions) == 103


def test_the_registers_own_catalogue_replaces_the_shipped_one() -> None:
    own = {
        **CATALOGUE,
        "id": "nist-csf-2.0",
        "name": "Our CSF",
        "requirements": [
            {"id": "PR", "title": "Protect", "assessable": False},
            {"id": "PR.AA-05", "title": "Access permissions", "parent": "PR"},
        ],
    }
    mapped = control(maps_to=["nist-csf-2.0:PR.AA-05", "nist-csf-2.0:DE.CM-01"])
    result = run(build(mapped, framework=own), framework="nist-csf-2.0")
    assert not result.catalogue.shipped
    assert result.catalogue.origin == "frameworks/nist-csf-2.0.yaml"
    assert result.catalogue.framework.name == "Our CSF"
    assert [row.requirement.id for row in result.requirements] == ["PR.AA-05"]
    assert result.totals["covered"] == 1
    # DE.CM-01 is in the shipped catalogue, not in the register's: unknown here
    assert [each.requirement for each in result.unknown] == ["DE.CM-01"]
    assert shipped("nist-csf-2.0") is not None  # the shipped one is untouched


def test_meets_judges_one_control_with_the_windows_given() -> None:
    judged = meets(Control.model_validate(GOOD), {"quarterly": 30}, None, DAY)
    assert not judged.meets
    assert judged.window == 30


# --- lint agrees ------------------------------------------------------------------------------


def lint_hits(register: Register, code: str, today: datetime.date = DAY) -> list[str]:
    rules = all_rules()
    context = RuleContext(register=register, raw={}, load_hits=(), today=today, rules=rules)
    return [hit.message for hit in rules[code].check(context)]


def test_rk907_fires_exactly_for_the_gaps() -> None:
    config = scoped({"requirement": "G.A-01", "justification": "not here"})
    register = build(
        GOOD,  # F.A-01 covered
        control(id="C-002", status="degraded", maps_to=[f"{FW}:F.B-01"]),  # partial
        control(id="C-003", status="planned", maps_to=[f"{FW}:F.B-02"]),  # a gap
        incidents=(INCIDENT,),  # C-001 only partial by the evidence: still no gap
        config=config,
    )
    gaps = {row.requirement.id for row in run(register).requirements if row.status == "gap"}
    assert gaps == {"F.A-02", "F.B-02"}
    fired = lint_hits(register, "RK907")
    assert sorted(message.split()[1] for message in fired) == sorted(gaps)
    # the dates of tests and incidents play no part: a year later, the same findings
    assert lint_hits(register, "RK907", DAY + datetime.timedelta(days=365)) == fired


def test_an_undeclared_framework_has_no_uncovered_findings() -> None:
    assert lint_hits(build(GOOD), "RK907") == []


def test_a_grouping_suggestion_survives_a_cycle_of_parents() -> None:
    cyclic = {**CATALOGUE, "requirements": [
        {"id": "X", "title": "X", "parent": "Y", "assessable": False},
        {"id": "Y", "title": "Y", "parent": "X", "assessable": False},
        {"id": "X-01", "title": "X-01", "parent": "X"},
    ]}  # fmt: skip
    register = build(control(maps_to=[f"{FW}:X", f"{FW}:X-01"]), framework=cyclic)
    (message,) = lint_hits(register, "RK906")
    assert message.endswith("(X-01)")
    result = run(register)
    assert result.totals["covered"] == 1


def test_did_you_mean_ignores_case() -> None:
    with pytest.raises(RiskctlError, match=r"did you mean nist-csf-2\.0"):
        coverage(build(), "NIST-CSF-2.0", DAY)
