"""Residual and projected risk from the controls a risk links, by the project's credit model.

Source: ../shared/reference/residual-scoring.md, section 3 (the project default credit model):
1. A control earns credit only while `active`; `degraded` earns at most the partially-effective
   credit; `planned` counts only for the projected tier, as if active and effective; `retired`
   never counts.
2. Its grade is the lower of design and operating effectiveness (effective > partially-effective
   > ineffective = not-tested); credits effective 0.6, partially-effective 0.3, others 0 (from
   riskctl.yaml `scoring.credits`); a control whose latest operating test failed earns 0.
   Project rule (rca.md section 7, the incident feedback loop): a control whose latest failure
   in an incident (the latest `occurred` among incidents and near-misses that list it in
   `failed_controls`) postdates its latest passing operating test earns 0 too; no passing
   operating test at all counts as postdating. A passing test on the failure's day, or later,
   restores the credit.
   Project rule (lint RK305): a control rated effective or partially-effective on design or
   operating with no test of that type in its `tests` earns at most `scoring.untested_cap`
   (default 0.3, the partially-effective credit); an untested rating is an opinion, not
   evidence. A register whose rated controls all have tests scores as without the cap.
3. Credits apply on the dimension the control `reduces` (likelihood, impact, or both).
4. Per dimension, compound R = 1 - prod(1 - c_i) (default), or strongest R = max c_i
   (SimpleRisk's `get_residual_risk`).
5. Back onto the 1-5 scale, conservatively: residual = ceil(1 + (x - 1)(1 - R)), computed with a
   1e-9 tolerance before the ceiling so that exact integers are not pushed up by float error;
   never above the inherent value x, and never below 2 when x >= 2 (credits are below 1, so
   controls never bring a dimension to 1).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from riskctl.errors import RiskctlError
from riskctl.model.config import DEFAULT_UNTESTED_CAP, Config, Credits
from riskctl.model.control import Control, ControlTest, Frequency
from riskctl.model.days import add_days
from riskctl.model.incident import Incident
from riskctl.model.register import Register
from riskctl.model.risk import Risk
from riskctl.score.matrix import (
    Cell,
    Matrix,
    build_matrix,
    custom_grid_problems,
    method_document,
    review_days,
)

Tier = Literal["residual", "projected"]
Dimension = Literal["likelihood", "impact"]
DIMENSIONS: tuple[Dimension, Dimension] = ("likelihood", "impact")
#: Float tolerance before the ceiling (residual-scoring.md, section 3).
TOLERANCE = 1e-9

GRADE_ORDER = {"effective": 2, "partially-effective": 1, "ineffective": 0, "not-tested": 0}


@dataclass(frozen=True, order=True)
class Failure:
    """A control's failure named by an incident: when it occurred, and which incident says so.

    Ordered by date, then incident id, so `max` picks the latest (a tie goes to the higher id).
    """

    occurred: datetime.date
    incident: str


@dataclass(frozen=True)
class ControlCredit:
    """What one linked control contributes to one tier, and why."""

    control: str
    credit: float
    dimension: str | None
    """likelihood, impact or both; None when the control is missing or says nothing."""
    reason: str


@dataclass(frozen=True)
class DimensionStep:
    """The arithmetic for one dimension: credits, combined reduction R, the value v, the result."""

    dimension: Dimension
    inherent: int
    credits: tuple[float, ...]
    reduction: float
    value: float
    result: int


@dataclass(frozen=True)
class TierResult:
    """A computed tier: the cell, every control's credit, and the two dimensions' steps."""

    cell: Cell
    controls: tuple[ControlCredit, ...]
    steps: tuple[DimensionStep, DimensionStep]


@dataclass(frozen=True)
class Appetite:
    """The risk's category appetite and whether the residual level is within it."""

    limit: str | None
    within: bool | None
    """None when the category or its appetite is unknown (a lint finding)."""


@dataclass(frozen=True)
class RiskScore:
    """Every tier of one risk, with the reasons behind the computed ones."""

    risk: Risk
    inherent: Cell
    computed: TierResult
    residual: Cell
    residual_source: Literal["computed", "override"]
    projected: TierResult
    target: Cell | None
    appetite: Appetite
    next_review: datetime.date | None
    review_days: int


@dataclass(frozen=True)
class Scorecard:
    """The scores of a register's risks under one method."""

    matrix: Matrix
    method: dict[str, object]
    risks: tuple[RiskScore, ...]


def latest_test(control: Control, test_type: str) -> ControlTest | None:
    """The most recent test of a type (`design` or `operating`); the last listed wins a tie."""
    latest = None
    for test in control.tests:
        if test.type == test_type and (latest is None or test.date >= latest.date):
            latest = test
    return latest


def grade(control: Control) -> str:
    """The lower of design and operating effectiveness; not-tested ranks with ineffective."""
    design, operating = control.effectiveness.design, control.effectiveness.operating
    return design if GRADE_ORDER[design] <= GRADE_ORDER[operating] else operating


def latest_passing_test(control: Control) -> ControlTest | None:
    """The most recent operating test that passed; the last listed wins a tie."""
    latest = None
    for test in control.tests:
        if (
            test.type == "operating"
            and test.result == "pass"
            and (latest is None or test.date >= latest.date)
        ):
            latest = test
    return latest


def latest_failures(incidents: Iterable[Incident]) -> dict[str, Failure]:
    """Control id → its latest failure among the incidents (and near-misses) that name it.

    A control listed twice in one incident, or in several incidents on one day, keeps one
    failure: the latest date, and on a tie the highest incident id.
    """
    failures: dict[str, Failure] = {}
    for incident in incidents:
        failure = Failure(incident.occurred, incident.id)
        for control_id in incident.failed_controls:
            known = failures.get(control_id)
            if known is None or failure > known:
                failures[control_id] = failure
    return dict(sorted(failures.items()))


def failure_outweighs_tests(control: Control, failure: Failure | None) -> str | None:
    """Why an incident failure voids the control's credit, or None when it does not.

    It does when the failure postdates the latest passing operating test, or when there is no
    passing operating test at all.
    """
    if failure is None:
        return None
    passed = latest_passing_test(control)
    if passed is None:
        return (
            f"failed in {failure.incident} ({failure.occurred}) and has no passing operating test"
        )
    if failure.occurred > passed.date:
        return (
            f"failed in {failure.incident} ({failure.occurred}) after its latest passing "
            f"operating test ({passed.date})"
        )
    return None


def untested_ratings(control: Control) -> list[str]:
    """The ratings (design, operating) that claim effectiveness with no test of their type.

    A rating of effective or partially-effective is a finding about tests; with no test of
    that type in `tests` it is an opinion (lint RK305), and its credit is capped.
    """
    rated = {"design": control.effectiveness.design, "operating": control.effectiveness.operating}
    tested = {test.type for test in control.tests}
    return [
        kind
        for kind, rating in rated.items()
        if rating in ("effective", "partially-effective") and kind not in tested
    ]


def control_credit(
    control: Control,
    tier: Tier,
    table: Credits,
    failure: Failure | None = None,
    *,
    untested_cap: float = DEFAULT_UNTESTED_CAP,
) -> tuple[float, str]:
    """The credit a control earns in a tier, and the reason in words.

    `failure` is the control's latest failure in an incident (see `latest_failures`), if any.
    `untested_cap` (riskctl.yaml `scoring.untested_cap`) is the most a control earns while a
    rating of it has no test of its type (`untested_ratings`).
    """
    if control.status == "retired":
        return 0.0, "retired: never counts"
    if control.status == "planned":
        if tier == "projected":
            return table.effective, "planned: counted as if active and effective"
        return 0.0, "planned: counts only in the projected tier"
    latest = latest_test(control, "operating")
    if latest is not None and latest.result == "fail":
        return 0.0, f"latest operating test ({latest.date}) failed"
    voided = failure_outweighs_tests(control, failure)
    if voided is not None:
        return 0.0, voided
    control_grade = grade(control)
    credit = {
        "effective": table.effective,
        "partially-effective": table.partially_effective,
    }.get(control_grade, 0.0)
    design, operating = control.effectiveness.design, control.effectiveness.operating
    why = f"grade {control_grade} (design {design}, operating {operating})"
    if control.status == "degraded" and credit > table.partially_effective:
        why = f"{why}, but degraded: capped at partially-effective"
        credit = table.partially_effective
    else:
        why = f"{why}, {control.status}"
    untested = untested_ratings(control)
    if untested and credit > untested_cap:
        credit = untested_cap
        why += (
            f"; no {' or '.join(untested)} test on record: capped at {untested_cap:g} "
            "(scoring.untested_cap)"
        )
    passed = latest_passing_test(control) if failure is not None else None
    if failure is not None and passed is not None:  # a failure that a later test outweighs
        why += (
            f"; failed in {failure.incident} ({failure.occurred}), before its latest passing "
            f"operating test ({passed.date})"
        )
    return credit, why


def combine(earned: Sequence[float], method: str) -> float:
    """Combined reduction R on one dimension: compound 1 - prod(1 - c), or strongest max c."""
    if not earned:
        return 0.0
    if method == "strongest":
        return max(earned)
    remaining = 1.0
    for credit in earned:
        remaining *= 1.0 - credit
    return 1.0 - remaining


def back_to_scale(inherent: int, reduction: float) -> tuple[float, int]:
    """v = 1 + (x - 1)(1 - R) and the conservative 1-5 value ceil(v - 1e-9), within [2, x].

    The floor is 2 for x >= 2, not 1: every credit is below 1 (the configuration forbids 1), so
    R < 1 and v > 1, and "controls never bring a dimension to 1" (residual-scoring.md,
    properties). The tolerance alone would round a v within 1e-9 above 1 (23 effective
    controls on x = 2) down to 1.
    """
    value = 1 + (inherent - 1) * (1 - reduction)
    lowest = 2 if inherent >= 2 else 1
    return value, min(inherent, max(lowest, math.ceil(value - TOLERANCE)))


class Scorer:
    """Scores risks against one set of controls, incidents and method: what every risk of a
    register shares is worked out once, each control's credit included (a control linked from
    several risks, and both tiers of a control that is not planned, share one `ControlCredit`:
    only `planned` tells the tiers apart, see `control_credit`).
    """

    def __init__(
        self,
        controls: Mapping[str, Control],
        config: Config,
        matrix: Matrix,
        failures: Mapping[str, Failure] | None = None,
    ) -> None:
        self.controls = controls
        self.config = config
        self.matrix = matrix
        self.failures = failures or {}
        self.appetites: dict[str, str] = {}
        for category in config.categories:  # the first of two categories with one id counts
            self.appetites.setdefault(category.id, category.appetite)
        self.review_days = review_days(config, matrix)
        self._credits: dict[tuple[str, Tier], ControlCredit] = {}

    def credit(self, control_id: str, tier: Tier) -> ControlCredit:
        """What a linked control contributes to a tier, and why."""
        known = self._credits.get((control_id, tier))
        if known is None:
            control = self.controls.get(control_id)
            known = self._credit(control_id, control, tier)
            if control is None or control.status != "planned":
                self._credits[(control_id, "residual")] = known
                self._credits[(control_id, "projected")] = known
            else:
                self._credits[(control_id, tier)] = known
        return known

    def _credit(self, control_id: str, control: Control | None, tier: Tier) -> ControlCredit:
        if control is None:
            return ControlCredit(control_id, 0.0, None, "not in the register")
        scoring = self.config.scoring
        credit, reason = control_credit(
            control,
            tier,
            scoring.credits,
            self.failures.get(control_id),
            untested_cap=scoring.untested_cap,
        )
        if control.reduces is None:
            credit, reason = 0.0, "no `reduces`: it does not say which dimension it lowers"
        return ControlCredit(control_id, credit, control.reduces, reason)

    def tier(self, risk: Risk, tier: Tier) -> TierResult:
        """One computed tier (residual or projected) of a risk."""
        contributions = []
        per_dimension: dict[Dimension, list[float]] = {"likelihood": [], "impact": []}
        for control_id in dict.fromkeys(risk.controls):  # a control linked twice counts once
            contribution = self.credit(control_id, tier)
            contributions.append(contribution)
            credit, reduces = contribution.credit, contribution.dimension
            if credit > 0 and reduces is not None:
                for dimension in DIMENSIONS:
                    if reduces in (dimension, "both"):
                        per_dimension[dimension].append(credit)
        steps = []
        for dimension in DIMENSIONS:
            inherent = getattr(risk.inherent, dimension)
            reduction = combine(per_dimension[dimension], self.config.scoring.combine)
            value, result = back_to_scale(inherent, reduction)
            steps.append(
                DimensionStep(
                    dimension, inherent, tuple(per_dimension[dimension]), reduction, value, result
                )
            )
        likelihood, impact = steps
        return TierResult(
            self.matrix.cell(likelihood.result, impact.result),
            tuple(contributions),
            (likelihood, impact),
        )

    def score(self, risk: Risk) -> RiskScore:
        """Inherent, residual (computed or overridden), projected and target tiers of a risk."""
        matrix = self.matrix
        computed = self.tier(risk, "residual")
        # Only a planned control tells the tiers apart (`control_credit`): without one linked,
        # the projected tier is the residual one.
        controls = self.controls
        has_planned = any(
            each in controls and controls[each].status == "planned" for each in risk.controls
        )
        projected = self.tier(risk, "projected") if has_planned else computed
        if risk.residual is not None:
            residual = matrix.cell(risk.residual.likelihood, risk.residual.impact)
            source: Literal["computed", "override"] = "override"
        else:
            residual, source = computed.cell, "computed"
        target = matrix.cell(risk.target.likelihood, risk.target.impact) if risk.target else None
        limit = self.appetites.get(risk.category)
        within = (
            matrix.rank(residual.level) <= matrix.rank(limit)
            if limit is not None and limit in matrix.levels
            else None
        )
        cadence = self.review_days.get(residual.level, 365)
        next_review = add_days(risk.reviewed, cadence) if risk.reviewed is not None else None
        return RiskScore(
            risk=risk,
            inherent=matrix.cell(risk.inherent.likelihood, risk.inherent.impact),
            computed=computed,
            residual=residual,
            residual_source=source,
            projected=projected,
            target=target,
            appetite=Appetite(limit, within),
            next_review=next_review,
            review_days=cadence,
        )


def compute_tier(
    risk: Risk,
    controls: Mapping[str, Control],
    tier: Tier,
    config: Config,
    matrix: Matrix,
    failures: Mapping[str, Failure] | None = None,
) -> TierResult:
    """One computed tier (residual or projected) of a risk.

    `failures` maps control ids to their latest incident failure (`latest_failures`).
    """
    return Scorer(controls, config, matrix, failures).tier(risk, tier)


def score_risk(
    risk: Risk,
    controls: Mapping[str, Control],
    config: Config,
    matrix: Matrix,
    failures: Mapping[str, Failure] | None = None,
) -> RiskScore:
    """Inherent, residual (computed or overridden), projected and target tiers of one risk.

    `failures` maps control ids to their latest incident failure (`latest_failures`).
    """
    return Scorer(controls, config, matrix, failures).score(risk)


def usable_matrix(config: Config) -> Matrix:
    """The configured matrix; a custom one that cannot be used is an operational error."""
    problems = custom_grid_problems(config.scoring) if config.scoring.method == "custom" else []
    if problems:
        details = "; ".join(message for _path, message in problems)
        raise RiskctlError(f"riskctl.yaml: the custom scoring method cannot be used: {details}")
    return build_matrix(config.scoring)


def score_register(register: Register, config: Config | None = None) -> Scorecard:
    """Score every risk of a register (open and closed), in id order.

    `config` scores the register under another configuration (the diff's "old data under the
    new method"); by default the register's own. A control's credit also depends on the
    register's incidents: see `latest_failures` and `failure_outweighs_tests`.
    """
    config = config or register.config
    matrix = usable_matrix(config)
    failures = latest_failures(register.by_id(Incident).values())
    scorer = Scorer(register.by_id(Control), config, matrix, failures)
    risks = sorted(register.by_id(Risk).values(), key=lambda risk: risk.id)
    return Scorecard(
        matrix=matrix,
        method=method_document(config, matrix),
        risks=tuple(scorer.score(risk) for risk in risks),
    )


# --- the next operating test of a key control (lint RK301 and `riskctl due`) ------------------

#: A control without `frequency`, or a frequency the window table leaves out, is tested at
#: least annually.
DEFAULT_TEST_WINDOW_DAYS = 365


@dataclass(frozen=True)
class OperatingTestDue:
    """When a control's next operating test is due: the latest one's date plus the window."""

    window: int
    """Days an operating test stays current, by the control's frequency."""
    latest: ControlTest | None
    """The latest operating test dated on or before the day asked about; None: never tested."""
    due: datetime.date | None
    """The last day the current test holds (`latest` + `window`); None when never tested."""


def operating_test_due(
    control: Control, window_days: Mapping[Frequency, int], today: datetime.date
) -> OperatingTestDue:
    """When the next operating test is due, as of `today`: the one computation behind lint
    RK301 (no test within the window when today is after `due`, or never tested) and `riskctl
    due`. Tests dated after `today` do not count; any result counts (RK302 judges those)."""
    window = (
        window_days.get(control.frequency, DEFAULT_TEST_WINDOW_DAYS)
        if control.frequency is not None
        else DEFAULT_TEST_WINDOW_DAYS
    )
    latest = None
    for test in control.tests:  # the last listed wins a tie, as in `latest_test`
        if (
            test.type == "operating"
            and test.date <= today
            and (latest is None or test.date >= latest.date)
        ):
            latest = test
    due = add_days(latest.date, window) if latest is not None else None
    return OperatingTestDue(window, latest, due)


def is_key_in_operation(control: Control) -> bool:
    """A key control with status active or degraded: the controls RK301 and `due` follow."""
    return control.key and control.status in ("active", "degraded")
