"""RK2xx: scoring: overrides, targets, treatments, appetite, review cadence, residual loss inputs.

Rules that judge a risk's tiers use the scoring core (`context.scores`, from
`riskctl.score.residual`) and see nothing when the configured method cannot be used (RK805
reports that). Rules about how a risk is managed today skip `status: closed` risks; RK202 and
RK204, about the consistency of the file itself, check every risk.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping

from riskctl.findings import Hit, Severity
from riskctl.lint.rules import RuleContext, records, rule
from riskctl.model.acceptance import Acceptance
from riskctl.model.control import Control
from riskctl.model.register import Record
from riskctl.model.risk import Risk
from riskctl.score.matrix import Cell
from riskctl.score.residual import RiskScore
from riskctl.score.treatment import (
    acceptance_problem,
    acceptances_by_risk,
    has_treatment_plan,
    has_valid_acceptance,
)


def _cell(cell: Cell) -> str:
    """`L3 I4 (12 high)`."""
    return f"L{cell.likelihood} I{cell.impact} ({cell.score} {cell.level})"


def _scored(context: RuleContext) -> Iterator[tuple[RiskScore, Record]]:
    """Each scored open risk with its record, in id order (closed risks are skipped)."""
    for risk_id, score in sorted(context.scores.items()):
        record = context.register.record("risk", risk_id)
        if record is not None and score.risk.status == "open":
            yield score, record


def _risks(context: RuleContext) -> Iterator[tuple[Risk, Record]]:
    """Every valid risk file (duplicates included), open or closed, in file order."""
    for record in records(context.register, "risk"):
        if isinstance(record.entity, Risk):
            yield record.entity, record


def _linked_controls(risk: Risk, controls: Mapping[str, Control]) -> list[Control]:
    """The controls a risk links that are in the register, in the risk's order."""
    return [controls[each] for each in risk.controls if each in controls]


@rule("RK201", "override-below-computed", as_of=True)
def override_below_computed(context: RuleContext) -> Iterator[Hit]:
    """A residual override is not below the residual the controls give.

    Why: the computed residual already credits every linked control; an analyst's override
    records what the controls miss (a known gap, a recent incident), so it may raise the
    residual but never lower it. Lowering it claims credit no control earns; waive the rule on
    the risk, with a reason, for a deliberate exception.
    Closed risks are skipped.
    Fires:   `residual: {likelihood: 2, impact: 4}` when the computed residual is L3 I4 (either
             dimension, or the score, lower)
    Passes:  `residual: {likelihood: 4, impact: 4}` (raised), or equal to the computed residual
    """
    for score, record in _scored(context):
        if score.residual_source != "override":
            continue
        override, computed = score.residual, score.computed.cell
        if (
            override.likelihood < computed.likelihood
            or override.impact < computed.impact
            or override.score < computed.score
        ):
            yield Hit(
                context.where(record, "residual"),
                f"{score.risk.id} override {_cell(override)} is below the computed residual "
                f"{_cell(computed)}; an override may only raise it",
            )


@rule("RK202", "override-without-reason")
def override_without_reason(context: RuleContext) -> Iterator[Hit]:
    """A residual override says why, and an `override_reason` comes with an override.

    Why: an override replaces what the controls compute; a reviewer must be able to judge it,
    and remove it once the reason is gone. A reason without `residual:` overrides nothing.
    Checks every risk, closed ones too (the file itself is inconsistent).
    Fires:   `residual:` without `override_reason` (or a blank one), reported at `residual`;
             `override_reason:` without `residual:`, reported at `override_reason`
    Passes:  both, with a non-blank reason; neither
    """
    for risk, record in _risks(context):
        has_reason = bool((risk.override_reason or "").strip())
        if risk.residual is not None and not has_reason:
            yield Hit(
                context.where(record, "residual"),
                f"{risk.id} overrides its residual (L{risk.residual.likelihood} "
                f"I{risk.residual.impact}) without an override_reason",
            )
        elif risk.residual is None and risk.override_reason is not None:
            yield Hit(
                context.where(record, "override_reason"),
                f"{risk.id} has an override_reason but no `residual:` override; "
                "the reason has no effect",
            )


@rule("RK203", "target-above-residual", as_of=True)
def target_above_residual(context: RuleContext) -> Iterator[Hit]:
    """A risk's target is not above its residual.

    Why: the target is where the treatment should take the risk; a target above where the risk
    already is asks for nothing, and usually means the target or an override is stale.
    Compares with the residual (the override if any, else the computed one). Closed risks are
    skipped.
    Fires:   `target: {likelihood: 3, impact: 4}` with residual L2 I4 (either dimension, or the
             score, higher)
    Passes:  a target equal to or below the residual on both dimensions
    """
    for score, record in _scored(context):
        target, residual = score.target, score.residual
        if target is None:
            continue
        if (
            target.likelihood > residual.likelihood
            or target.impact > residual.impact
            or target.score > residual.score
        ):
            yield Hit(
                context.where(record, "target"),
                f"{score.risk.id} target {_cell(target)} is above its residual {_cell(residual)}",
            )


@rule("RK204", "residual-above-inherent")
def residual_above_inherent(context: RuleContext) -> Iterator[Hit]:
    """A residual override is not above the inherent rating on either dimension.

    Why: inherent is the risk with no control at all; controls cannot make a risk more likely
    or worse than that. A residual above it means the inherent rating is out of date: raise it.
    (The computed residual is never above inherent; only an override can be.) Checks every
    risk, closed ones too.
    Fires:   `residual: {likelihood: 5, impact: 4}` with `inherent: {likelihood: 4, impact: 4}`
    Passes:  `residual: {likelihood: 4, impact: 4}` with the same inherent
    """
    for risk, record in _risks(context):
        residual, inherent = risk.residual, risk.inherent
        if residual is not None and (
            residual.likelihood > inherent.likelihood or residual.impact > inherent.impact
        ):
            yield Hit(
                context.where(record, "residual"),
                f"{risk.id} override L{residual.likelihood} I{residual.impact} is above the "
                f"inherent L{inherent.likelihood} I{inherent.impact}; raise the inherent rating",
            )


def _acceptance_status(acceptances: list[Acceptance], today: datetime.date) -> str:
    """Why none of a risk's acceptances holds, in words, for messages."""
    problems = [acceptance_problem(each, today) for each in acceptances]
    return "; ".join(problem for problem in problems if problem) or "no acceptance names it"


@rule("RK205", "accept-without-acceptance", date_dependent=True)
def accept_without_acceptance(context: RuleContext) -> Iterator[Hit]:
    """A risk treated by `accept` has a valid acceptance.

    Why: accepting a risk is a decision by someone with the authority to take it, recorded and
    time-limited (rcm.md section 7: treatment accept requires a valid, unexpired acceptance).
    Valid: an acceptance file whose `risk` is this risk, `decided` on or before today and
    `expires` on or after today; one without `expires` is not valid. Closed risks are skipped.
    Fires:   `treatment: accept` with no acceptance, or only an expired, open-ended or
             future-dated one
    Passes:  `treatment: accept` and ACC-001 for the risk, decided 2026-10-01, expiring
             2027-03-31, checked on 2026-11-27
    """
    by_risk = acceptances_by_risk(context.register)
    for score, record in _scored(context):
        risk = score.risk
        acceptances = by_risk.get(risk.id, [])
        if risk.treatment == "accept" and not has_valid_acceptance(acceptances, context.today):
            yield Hit(
                context.where(record, "treatment"),
                f"{risk.id} is treated by accept without a valid acceptance "
                f"({_acceptance_status(acceptances, context.today)})",
            )


@rule("RK206", "above-appetite-without-plan", date_dependent=True)
def above_appetite_without_plan(context: RuleContext) -> Iterator[Hit]:
    """An open risk above its category's appetite has a treatment plan.

    Why: appetite is the highest residual level the organisation accepts in a category; a risk
    above it must either be brought down (a control on the way) or be knowingly retained by
    someone with the authority to do so.
    A plan is a valid acceptance (as in RK205) or a linked control with `status: planned`.
    Reported at the risk's `treatment` when it has one (the plan it names is missing), else at
    the risk's top mapping (it has no plan at all). Closed risks, and risks whose category or
    appetite is unknown (RK104, RK803), are skipped.
    Fires:   residual L3 I4 (high) in a category with appetite medium, no planned control and
             no valid acceptance
    Passes:  the same risk linking a planned control, or with a valid acceptance; a residual
             within appetite
    """
    by_risk = acceptances_by_risk(context.register)
    controls = context.register.by_id(Control)
    for score, record in _scored(context):
        risk = score.risk
        if score.appetite.within is not False:
            continue
        if has_treatment_plan(risk, controls, by_risk.get(risk.id, []), context.today):
            continue
        path = ("treatment",) if risk.treatment is not None else ()
        yield Hit(
            context.where(record, *path),
            f"{risk.id} residual {_cell(score.residual)} is above the {risk.category} appetite "
            f"({score.appetite.limit}) with no plan: no planned control and no valid acceptance",
        )


@rule("RK207", "mitigate-without-controls")
def mitigate_without_controls(context: RuleContext) -> Iterator[Hit]:
    """A risk treated by `mitigate` links at least one working or planned control.

    Why: mitigation is done by controls; with none active, degraded or planned (only retired
    ones, or none at all), the treatment is a word, not a plan. Closed risks are skipped.
    Fires:   `treatment: mitigate` with `controls: []`, or only retired or missing controls
    Passes:  `treatment: mitigate` with one planned control
    """
    controls = context.register.by_id(Control)
    for score, record in _scored(context):
        risk = score.risk
        if risk.treatment == "mitigate" and not any(
            control.status in ("active", "degraded", "planned")
            for control in _linked_controls(risk, controls)
        ):
            yield Hit(
                context.where(record, "treatment"),
                f"{risk.id} is treated by mitigate but links no active, degraded or planned "
                "control",
            )


@rule("RK208", "review-overdue", default=Severity.WARNING, date_dependent=True)
def review_overdue(context: RuleContext) -> Iterator[Hit]:
    """An open risk has been reviewed within the cadence of its residual level.

    Why: the higher the residual, the sooner it can change; the cadence (riskctl.yaml
    `review_days`, default critical 30, high 90, medium 180, low 365 days) keeps the register
    current. The next review is `reviewed` plus the cadence of the residual level. A risk with
    no `reviewed` date was never reviewed (reported at its top mapping). Closed risks are
    skipped.
    Fires:   residual high, `reviewed: 2026-08-28`, checked on 2026-11-27 (due 2026-11-26)
    Passes:  the same risk checked on 2026-11-26 (due that day)
    """
    for score, record in _scored(context):
        risk = score.risk
        if risk.reviewed is None:
            yield Hit(
                context.where(record),
                f"{risk.id} has never been reviewed (no `reviewed:` date); its residual "
                f"level {score.residual.level} calls for a review every {score.review_days} days",
            )
        elif score.next_review is not None and score.next_review < context.today:
            yield Hit(
                context.where(record, "reviewed"),
                f"{risk.id} review is overdue: reviewed {risk.reviewed}, due {score.next_review} "
                f"(every {score.review_days} days at residual level {score.residual.level})",
            )


@rule("RK209", "reviewed-in-the-future", date_dependent=True)
def reviewed_in_the_future(context: RuleContext) -> Iterator[Hit]:
    """A risk's `reviewed` date is not after today.

    Why: `reviewed` records a review that took place; a date after today (a typo such as
    2062 for 2026, or 9999-12-01) pushes the next review out of sight, so RK208 can never
    fire and the review cadence is silently off. Closed risks are checked too: the date is a
    record either way. Reported at `reviewed`.
    Fires:   `reviewed: 2026-11-28` checked on 2026-11-27; `reviewed: 9999-12-01`
    Passes:  `reviewed: 2026-11-27` checked on 2026-11-27
    """
    for record in records(context.register, "risk"):
        risk = record.entity
        if isinstance(risk, Risk) and risk.reviewed is not None and risk.reviewed > context.today:
            yield Hit(
                context.where(record, "reviewed"),
                f"{risk.id} was reviewed on {risk.reviewed}, after today ({context.today}); "
                "record the date the review took place",
            )


@rule("RK210", "residual-loss-without-controls", default=Severity.WARNING)
def residual_loss_without_controls(context: RuleContext) -> Iterator[Hit]:
    """A risk's explicit residual loss inputs (`quant.residual`) come with a working control.

    Why: `quant.residual` states the losses after controls and replaces what the controls'
    credits would give (`riskctl quant`); with no active or degraded control linked (none, or
    only planned, retired or missing ones), nothing in the register stands behind that
    difference, the same gap RK201 closes for a residual override. Judgement, so a warning.
    Closed risks are skipped. Reported at `quant.residual`.
    Fires:   `quant: {..., residual: {frequency: ...}}` with `controls: []`, or only a
             planned control
    Passes:  the same block with one active control linked
    """
    controls = context.register.by_id(Control)
    for risk, record in _risks(context):
        if risk.status != "open" or risk.quant is None or risk.quant.residual is None:
            continue
        working = [
            control.id
            for control in _linked_controls(risk, controls)
            if control.status in ("active", "degraded")
        ]
        if not working:
            yield Hit(
                context.where(record, "quant", "residual"),
                f"{risk.id} gives residual loss inputs but links no active or degraded control "
                "to stand behind them: link the controls, or remove `quant.residual`",
            )
