"""`riskctl score --explain`: every step of a risk's scoring in words and numbers.

An analyst must be able to redo each step by hand: which controls counted and why, which did
not and why, the combination per dimension, the mapping back to the 1-5 scale, the matrix cell,
the appetite check and the next review date.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from riskctl.asof import LeftOut
from riskctl.model.acceptance import Acceptance
from riskctl.model.incident import Incident
from riskctl.model.register import Register
from riskctl.score.matrix import Cell
from riskctl.score.residual import DimensionStep, RiskScore, Scorecard, TierResult
from riskctl.textsafe import visible

SOURCES = {
    "5x5-multiplicative": "5x5 multiplicative banding: low 1-4, medium 5-9, high 10-16, "
    "critical 20-25 (riskctl default)",
    "nist-800-30": "NIST SP 800-30 Rev. 1, Appendix I, Table I-2",
    "custom": "the custom grid in riskctl.yaml",
}


def number(value: float) -> str:
    """A number as an analyst writes it: no float noise, no trailing zeros (2.6, 0.72, 4)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def cell_text(cell: Cell) -> str:
    """`L3 x I4 = 12 (high)`."""
    return f"L{cell.likelihood} x I{cell.impact} = {cell.score} ({cell.level})"


def _dimension_lines(step: DimensionStep, combine: str) -> list[str]:
    name = step.dimension.capitalize()
    if not step.credits:
        return [f"  {name}: no credit, R = 0; stays at the inherent {step.inherent}."]
    listed = ", ".join(number(credit) for credit in step.credits)
    if combine == "strongest":
        formula = f"strongest R = max({listed}) = {number(step.reduction)}"
    else:
        product = " x ".join(f"(1 - {number(credit)})" for credit in step.credits)
        formula = f"compound R = 1 - {product} = {number(step.reduction)}"
    return [
        f"  {name}: inherent {step.inherent}; credits {listed}; {formula}",
        f"    v = 1 + ({step.inherent} - 1) x (1 - {number(step.reduction)}) = "
        f"{number(step.value)}; ceil(v - 1e-9) = {step.result}"
        + (" (never below 1)" if step.result == 1 and step.value < 1 else ""),
    ]


def _tier_lines(tier: TierResult, combine: str, title: str) -> list[str]:
    lines = [f"{title}:"]
    for contribution in tier.controls:
        if contribution.credit > 0:
            lines.append(
                f"  + {contribution.control} counts {number(contribution.credit)} on "
                f"{contribution.dimension}: {contribution.reason}"
            )
        else:
            lines.append(f"  - {contribution.control} counts 0: {contribution.reason}")
    if not tier.controls:
        lines.append("  (no linked controls)")
    for step in tier.steps:
        lines.extend(_dimension_lines(step, combine))
    lines.append(f"  Result: {cell_text(tier.cell)}")
    return lines


def left_out_lines(
    score: RiskScore,
    left_out: Sequence[LeftOut],
    today: datetime.date,
    written: Register | None = None,
) -> list[str]:
    """A line per record dated after `today` and left out (`riskctl.asof`) that bears on the
    risk: its own, its controls' tests, and, from the register as `written`, the incidents that
    name it or one of its controls as failed and its acceptances:
    `C-066 operating test dated 2026-11-24 (after 2026-11-20): not counted`."""
    risk = score.risk
    mine = {risk.id, *risk.controls}
    if written is not None:
        controls = set(risk.controls)
        mine |= {
            incident.id
            for incident in written.by_id(Incident).values()
            if risk.id in incident.risks or controls & set(incident.failed_controls)
        }
        mine |= {each.id for each in written.by_id(Acceptance).values() if each.risk == risk.id}
    return [f"    {each.describe(today)}" for each in left_out if each.entity in mine]


def explain(
    score: RiskScore,
    card: Scorecard,
    today: datetime.date,
    left_out: Sequence[LeftOut] = (),
    written: Register | None = None,
) -> str:
    """The whole derivation of one risk's tiers, as plain text; `left_out`: the records dated
    after `today` (`riskctl.asof`), listed where they bear on this risk (`left_out_lines`)."""
    risk, method = score.risk, card.method
    combine = str(method["combine"])
    table = method["credits"]
    assert isinstance(table, dict)
    lines = [
        f"{risk.id}  {visible(risk.title)}",  # one line, whatever the title holds
        f"category {risk.category}, owner {risk.owner}, status {risk.status}",
        "",
        f"Method: {method['name']} ({method['fingerprint']}); levels "
        f"{', '.join(card.matrix.levels)} from {SOURCES[card.matrix.method]}.",
        f"Credits: effective {number(table['effective'])}, partially-effective "
        f"{number(table['partially-effective'])}, ineffective and not-tested 0; combined "
        f"{combine} per dimension; v = 1 + (x - 1)(1 - R), rounded up "
        "(shared/reference/residual-scoring.md).",
        "",
        f"Inherent (analyst's assessment): {cell_text(score.inherent)}",
        "",
    ]
    lines += _tier_lines(score.computed, combine, "Residual, computed from the controls in place")
    not_counted = left_out_lines(score, left_out, today, written)
    if not_counted:
        lines.append(f"  Left out, dated after {today} (--now):")
        lines += not_counted
    if score.residual_source == "override":
        lines += [
            "",
            f"Residual override: {cell_text(score.residual)}, replacing the computed "
            f"{cell_text(score.computed.cell)}.",
            f"  Reason: {visible(risk.override_reason or '(none given)')}",
        ]
    lines.append("")
    lines += _tier_lines(
        score.projected, combine, "Projected (planned controls counted as active and effective)"
    )
    lines.append("")
    lines.append(f"Target: {cell_text(score.target) if score.target else '(none set)'}")
    lines.append("")
    appetite = score.appetite
    if appetite.limit is None:
        lines.append(f"Appetite: category {risk.category!r} is not in riskctl.yaml; not judged.")
    elif appetite.within is None:
        lines.append(f"Appetite: {appetite.limit!r} is not a level of this method; not judged.")
    else:
        verdict = "within" if appetite.within else "ABOVE"
        lines.append(
            f"Appetite: {risk.category} accepts at most {appetite.limit}; residual "
            f"{score.residual.level} is {verdict} appetite."
        )
    if score.next_review is None or risk.reviewed is None:
        lines.append("Next review: never reviewed (no `reviewed` date).")
    else:
        overdue = " (overdue)" if score.next_review < today else ""
        lines.append(
            f"Next review: reviewed {risk.reviewed} + {score.review_days} days for "
            f"{score.residual.level} = {score.next_review}{overdue}."
        )
    return "\n".join(lines) + "\n"
