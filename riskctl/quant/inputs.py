"""A risk's `quant:` block as distributions, before and after its controls.

Source: `../shared/reference/quantification.md`. Inherent: the block's inputs. Residual (§4):
the same credited reduction `riskctl score` computes (riskctl/score/residual.py, the raw
per-dimension reduction R before it is mapped back onto the 1-5 scale) scales the inputs:
λ_res = λ(1 − R_L) for likelihood credits, X_res = (1 − R_I)·X for impact credits, so
ALE_res = ALE·(1 − R_L)(1 − R_I). A part the risk gives under `quant.residual` replaces the
credited part. Return on control spend (CISO Assistant's ROSI, §4):
(ALE_inherent − ALE_residual − cost)/cost, cost = the annual cost of the credited controls.

Pure Python (no numpy): `riskctl diff` computes analytic ALEs from here without simulating.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from riskctl.errors import RiskctlError
from riskctl.findings import Hit
from riskctl.model.control import Control
from riskctl.model.quant import (
    FrequencyInput,
    LognormalInput,
    MagnitudeInput,
    Quant,
    Rates,
    ThreePoint,
)
from riskctl.quant.analytic import (
    EventLoss,
    Frequency,
    Lognormal,
    Pert,
    Primitive,
    ale,
    vulnerability,
)
from riskctl.score.query import find
from riskctl.score.residual import RiskScore, Scorecard

Source = Literal["credited", "explicit"]


@dataclass(frozen=True)
class LossModel:
    """One risk's loss model in one tier: events a year and loss per event."""

    frequency: Frequency
    magnitude: EventLoss

    @property
    def ale(self) -> float:
        """E[N]·E[X] (§4), under either semantics: `analytic.ale`."""
        return ale(self.frequency, self.magnitude)


@dataclass(frozen=True)
class RiskQuant:
    """A quantified risk: its inherent and residual loss models and what the controls buy."""

    id: str
    title: str
    inherent: LossModel
    residual: LossModel
    frequency_source: Source
    """`credited` (scaled by the likelihood reduction) or `explicit` (`quant.residual`)."""
    magnitude_source: Source
    likelihood_reduction: float
    """R_L, the combined likelihood credit of the controls (score's computed residual tier)."""
    impact_reduction: float
    credited_costs: tuple[tuple[str, float | None], ...]
    """The controls that earn credit in the computed residual tier, in the risk's order, each
    with its `annual_cost` (None when it has none)."""

    @property
    def credited_controls(self) -> tuple[str, ...]:
        return tuple(control for control, _cost in self.credited_costs)

    @property
    def uncosted_controls(self) -> tuple[str, ...]:
        """Credited controls without an `annual_cost`."""
        return tuple(control for control, cost in self.credited_costs if cost is None)

    @property
    def control_cost(self) -> float | None:
        """Annual cost of the credited controls; None when there are none, or one of them has
        no `annual_cost`."""
        return total_cost(self.credited_costs)

    @property
    def rosi(self) -> float | None:
        """(ALE_inherent − ALE_residual − cost)/cost, or None without a positive cost."""
        if self.control_cost is None or self.control_cost <= 0:
            return None
        return (self.inherent.ale - self.residual.ale - self.control_cost) / self.control_cost


def total_cost(costs: Iterable[tuple[str, float | None]]) -> float | None:
    """The sum of the costs, each control once; None when empty or a cost is unknown."""
    unique = dict(costs)
    if not unique or any(cost is None for cost in unique.values()):
        return None
    return float(sum(cost for cost in unique.values() if cost is not None))


def _pert(point: ThreePoint, quant: Quant) -> Pert:
    return Pert(point.low, point.mode, point.high, quant.pert_gamma, quant.pert_method)


def _rate(rates: Rates, quant: Quant) -> float | Pert:
    if rates.poisson is not None:
        return float(rates.poisson.lambda_)
    assert rates.pert is not None  # the model allows exactly one form
    return _pert(rates.pert, quant)


def frequency_of(block: FrequencyInput, quant: Quant) -> Frequency:
    """Loss events a year; FAIR: the threat event rate scaled by the vulnerability."""
    if block.poisson is not None:
        return Frequency(float(block.poisson.lambda_))
    if block.pert is not None:
        return Frequency(_pert(block.pert, quant))
    fair = block.fair
    assert fair is not None  # the model allows exactly one form
    threats = Frequency(_rate(fair.threat_event_frequency, quant))
    if fair.vulnerability is not None:
        return threats.scaled(float(fair.vulnerability))
    assert fair.threat_capability is not None and fair.control_strength is not None
    return threats.scaled(
        vulnerability(_pert(fair.threat_capability, quant), _pert(fair.control_strength, quant))
    )


def _primitive(
    lognormal: LognormalInput | None, pert: ThreePoint | None, quant: Quant
) -> Primitive:
    if lognormal is not None:
        return Lognormal.from_interval(lognormal.low, lognormal.high, lognormal.level)
    assert pert is not None  # the model allows exactly one form
    return _pert(pert, quant)


def magnitude_of(block: MagnitudeInput, quant: Quant) -> EventLoss:
    """Loss per event: the primary loss and the optional secondary one."""
    primary = _primitive(block.lognormal, block.pert, quant)
    if block.secondary is None:
        return EventLoss(primary)
    secondary = block.secondary
    return EventLoss(
        primary,
        _primitive(secondary.lognormal, secondary.pert, quant),
        float(secondary.probability),
    )


def _cost(control: Control) -> float | None:
    return None if control.annual_cost is None else float(control.annual_cost)


def quantify(score: RiskScore, controls: Mapping[str, Control]) -> RiskQuant | None:
    """The risk's loss models, or None when it has no `quant:` block.

    The residual uses the computed residual tier's credits even when the analyst overrides the
    residual cell (an override is a 1-5 cell, not a reduction).
    """
    risk = score.risk
    quant = risk.quant
    if quant is None:
        return None
    inherent = LossModel(frequency_of(quant.frequency, quant), magnitude_of(quant.magnitude, quant))
    likelihood, impact = score.computed.steps
    explicit = quant.residual
    frequency_source: Source = "credited"
    magnitude_source: Source = "credited"
    if explicit is not None and explicit.frequency is not None:
        frequency, frequency_source = frequency_of(explicit.frequency, quant), "explicit"
    else:
        frequency = inherent.frequency.scaled(1 - likelihood.reduction)
    if explicit is not None and explicit.magnitude is not None:
        magnitude, magnitude_source = magnitude_of(explicit.magnitude, quant), "explicit"
    else:
        magnitude = inherent.magnitude.scaled(1 - impact.reduction)
    credited = tuple(
        credit.control
        for credit in score.computed.controls
        if credit.credit > 0 and credit.control in controls
    )
    costs = tuple((control, _cost(controls[control])) for control in dict.fromkeys(credited))
    return RiskQuant(
        id=risk.id,
        title=risk.title,
        inherent=inherent,
        residual=LossModel(frequency, magnitude),
        frequency_source=frequency_source,
        magnitude_source=magnitude_source,
        likelihood_reduction=likelihood.reduction,
        impact_reduction=impact.reduction,
        credited_costs=costs,
    )


def quantify_open(scores: Iterable[RiskScore], controls: Mapping[str, Control]) -> list[RiskQuant]:
    """The portfolio: every open risk of `scores` with a `quant:` block, in the order given."""
    return [
        quant
        for score in scores
        if score.risk.status == "open"
        for quant in (quantify(score, controls),)
        if quant is not None
    ]


def quantify_register(
    card: Scorecard, controls: Mapping[str, Control], risk_ids: Sequence[str] = ()
) -> list[RiskQuant]:
    """The quantified risks of a scored register, in id order: every open risk with a `quant:`
    block, or the risks named in `risk_ids` (each must exist and have a `quant:` block; a
    closed one named explicitly is included).

    Raises RiskctlError for an unknown id (with near misses) or a risk without inputs.
    """
    if not risk_ids:
        return quantify_open(card.risks, controls)
    chosen = []
    for risk_id in dict.fromkeys(risk_ids):
        quant = quantify(find(card, risk_id), controls)
        if quant is None:
            with_inputs = [score.risk.id for score in card.risks if score.risk.quant is not None]
            listed = ", ".join(with_inputs[:10]) + (" ..." if len(with_inputs) > 10 else "")
            hint = f" (risks with inputs: {listed})" if with_inputs else ""
            raise RiskctlError(f"risk {risk_id} has no `quant:` inputs to simulate{hint}")
        chosen.append(quant)
    return sorted(chosen, key=lambda quant: quant.id)


def refuse_unknown_input_keys(
    hits: Iterable[Hit], label: str, failed: Mapping[str, str] | None = None
) -> None:
    """RiskctlError when a risk's `quant:` block has a key the model does not know.

    Computing commands keep an entity whose only problems are unknown keys (lint reports them,
    RK005); inside `quant:` that would compute a loss with the key silently ignored: a misspelt
    `pert_gama: 1` as the default 4, an old per-risk `currency: EUR` as the register's USD.
    Files in `failed` (not loaded, left out by --partial) are not computed from: not counted.
    """
    failed = failed or {}
    unknown = sorted(
        f"{label}/{hit.where.file} ({'.'.join(str(part) for part in hit.where.path)})"
        for hit in hits
        if hit.code == "RK005"
        and hit.where.file.startswith("risks/")
        and hit.where.file not in failed
        and hit.where.path[:1] == ("quant",)
    )
    if unknown:
        listed = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        raise RiskctlError(
            f"unknown keys in loss inputs, which the loss would be computed without: {listed}; "
            f"fix them (`riskctl lint {label}` shows each)"
        )
