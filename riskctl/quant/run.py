"""A quantification run: every quantified risk simulated, inherent and residual, the portfolio,
and the loss-tolerance curve; and its JSON document (the `riskctl quant --format json` shape).

Conventions (`../shared/reference/quantification.md`): each risk draws from its own stream
(`simulate.risk_generator`, §6), and each tier restarts that stream, so inherent and residual use
common random numbers (the residual of a magnitude-only credit is exactly the inherent years
scaled); the portfolio is the per-year sum over independent risks (§3); the tolerance curve is
checked against the residual portfolio (§5). Memory is bounded: one risk's years at a time, plus
the two portfolio sums.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from riskctl.errors import RiskctlError
from riskctl.model.config import QuantConfig
from riskctl.model.control import Control
from riskctl.model.register import Register
from riskctl.quant.inputs import LossModel, RiskQuant, quantify_register, total_cost
from riskctl.quant.simulate import (
    PERCENTILES,
    Semantics,
    Stats,
    annual_losses,
    risk_generator,
    statistics,
)
from riskctl.quant.tolerance import ToleranceCheck, check_tolerance
from riskctl.score.residual import Scorecard, score_register

#: The most random draws one run may make (expected, over every risk, tier and year: each
#: year's event count and each event's loss, about as costly): about half a minute here. Above
#: it `run` refuses before drawing anything.
MAX_EVENTS = 2_000_000_000

#: Called after each simulated tier of each risk: (tiers done, tiers in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Settings:
    """How a run simulates: years, seed and semantics."""

    years: int
    seed: int
    semantics: Semantics

    @classmethod
    def from_config(
        cls,
        config: QuantConfig,
        *,
        years: int | None = None,
        seed: int | None = None,
        semantics: Semantics | None = None,
    ) -> Settings:
        """riskctl.yaml's `quant:` settings, each overridden when given."""
        return cls(
            years if years is not None else config.years,
            seed if seed is not None else config.seed,
            semantics or config.semantics,
        )


@dataclass(frozen=True)
class RiskResult:
    """One risk's simulated statistics, inherent and residual."""

    quant: RiskQuant
    inherent: Stats
    residual: Stats


@dataclass(frozen=True)
class Portfolio:
    """The per-year sums over the run's risks."""

    inherent: Stats
    residual: Stats
    control_cost: float | None
    """Annual cost of the controls credited on any risk, each counted once; None when one has
    no `annual_cost` or none is credited."""

    @property
    def rosi(self) -> float | None:
        if self.control_cost is None or self.control_cost <= 0:
            return None
        saved = self.inherent.ale - self.residual.ale
        return (saved - self.control_cost) / self.control_cost


@dataclass(frozen=True)
class QuantResult:
    """Everything `riskctl quant` reports."""

    settings: Settings
    currency: str
    risks: tuple[RiskResult, ...]
    portfolio: Portfolio | None
    """None when no risk is quantified."""
    tolerance: tuple[ToleranceCheck, ...]


def _draws_a_year(risk: RiskQuant) -> float:
    """Compound-Poisson: a count and the expected event losses a year, inherent and residual."""
    return 2 + risk.inherent.frequency.mean + risk.residual.frequency.mean


def expected_events(risks: Sequence[RiskQuant], settings: Settings) -> float:
    """The draws a run is expected to make: compound-Poisson draws each tier's count of events
    a year and their losses (the count matters: 100 risks that never lose, at 10^7 years, are
    2·10^9 counts); fair-product one magnitude a tier and year."""
    if settings.semantics == "fair-product":
        return 2.0 * len(risks) * settings.years
    return sum(_draws_a_year(risk) for risk in risks) * settings.years


def _too_large(risks: Sequence[RiskQuant], settings: Settings, events: float) -> str:
    """Why a run is refused, with what would fit: the years, and the risk that draws most."""
    fit = math.floor(MAX_EVENTS / (events / settings.years))
    years = f"at most {fit:,} years fit" if fit >= 1 else "not even one year fits"
    if settings.semantics == "compound-poisson":
        draws = {risk.id: _draws_a_year(risk) for risk in risks}
        most = max(draws, key=draws.__getitem__)
        if 2 * draws[most] >= events / settings.years:  # one risk makes most of the run
            years += f" ({most} draws the most, {draws[most]:,.0f} a year inherent and residual)"
    return (
        f"this run would draw about {events:,.0f} event losses and yearly event counts, more "
        f"than the {MAX_EVENTS:,} a run may draw: {years}; use fewer years, or model frequent "
        "small losses as fewer aggregated events"
    )


def _simulate(model: LossModel, risk_id: str, settings: Settings) -> np.ndarray:
    generator = risk_generator(settings.seed, risk_id)
    return annual_losses(
        model.frequency, model.magnitude, settings.years, generator, settings.semantics
    )


def run(
    risks: Sequence[RiskQuant],
    settings: Settings,
    *,
    currency: str = "USD",
    tolerance: Sequence[tuple[float, float]] = (),
    progress: Progress | None = None,
) -> QuantResult:
    """Simulate `risks` (in the order given) and the portfolio.

    Raises ValueError when the run would draw more than `MAX_EVENTS` losses.
    """
    events = expected_events(risks, settings)
    if events > MAX_EVENTS:
        raise ValueError(_too_large(risks, settings, events))
    results = []
    total = 2 * len(risks)
    inherent_sum = np.zeros(settings.years) if risks else None
    residual_sum = np.zeros(settings.years) if risks else None
    for index, risk in enumerate(risks):
        tiers = []
        for offset, (model, portfolio_sum) in enumerate(
            ((risk.inherent, inherent_sum), (risk.residual, residual_sum))
        ):
            losses = _simulate(model, risk.id, settings)
            assert portfolio_sum is not None
            portfolio_sum += losses
            losses.sort()
            tiers.append(statistics(losses, model.ale, ordered=True))
            if progress is not None:
                progress(2 * index + offset + 1, total)
        results.append(RiskResult(risk, tiers[0], tiers[1]))
    if inherent_sum is None or residual_sum is None:
        return QuantResult(settings, currency, (), None, ())
    checks = tuple(check_tolerance(residual_sum, tolerance)) if tolerance else ()
    inherent_sum.sort()  # in place: the sums are not needed in year order any more
    residual_sum.sort()
    portfolio = Portfolio(
        statistics(inherent_sum, sum(risk.inherent.ale for risk in risks), ordered=True),
        statistics(residual_sum, sum(risk.residual.ale for risk in risks), ordered=True),
        total_cost(cost for risk in risks for cost in risk.credited_costs),
    )
    return QuantResult(settings, currency, tuple(results), portfolio, checks)


# --- the JSON document ---------------------------------------------------------------------------


def _number(value: float) -> float | None:
    """A JSON number, None for a non-finite value (JSON has none)."""
    return value if math.isfinite(value) else None


def _optional(value: float | None) -> float | None:
    """A JSON number or null: a cost or return on spend can be absent, and a return on a tiny
    cost overflows to infinity (a saving of 1e6 on a cost of 1e-320)."""
    return None if value is None else _number(value)


def stats_document(stats: Stats) -> dict[str, object]:
    """STATS of the issue's JSON: ale, mean, sd, p_any, p50...p999, var95/99, tvar95/99, lec."""
    names = dict(zip(PERCENTILES, ("p50", "p90", "p95", "p99", "p999"), strict=True))
    return {
        "ale": _number(stats.ale),
        "mean": _number(stats.mean),
        "sd": _number(stats.sd),
        "p_any": stats.p_any,
        **{names[p]: _number(value) for p, value in stats.percentiles.items()},
        "var95": _number(stats.var95),
        "var99": _number(stats.var99),
        "tvar95": _number(stats.tvar95),
        "tvar99": _number(stats.tvar99),
        "lec": [[_number(x), p] for x, p in stats.lec],
    }


def document(result: QuantResult) -> dict[str, object]:
    """The `--format json` document (version 1)."""
    settings = result.settings
    risks = [
        {
            "id": item.quant.id,
            "title": item.quant.title,
            "inherent": stats_document(item.inherent),
            "residual": stats_document(item.residual),
            "residual_inputs": {
                "frequency": item.quant.frequency_source,
                "magnitude": item.quant.magnitude_source,
                "likelihood_reduction": item.quant.likelihood_reduction,
                "impact_reduction": item.quant.impact_reduction,
            },
            "credited_controls": list(item.quant.credited_controls),
            "control_cost": _optional(item.quant.control_cost),
            "uncosted_controls": list(item.quant.uncosted_controls),
            "rosi": _optional(item.quant.rosi),
        }
        for item in result.risks
    ]
    portfolio = result.portfolio
    return {
        "version": 1,
        "semantics": settings.semantics,
        "years": settings.years,
        "seed": settings.seed,
        "currency": result.currency,
        "risks": risks,
        "portfolio": None
        if portfolio is None
        else {
            "inherent": stats_document(portfolio.inherent),
            "residual": stats_document(portfolio.residual),
            "control_cost": _optional(portfolio.control_cost),
            "rosi": _optional(portfolio.rosi),
        },
        "tolerance": [
            {
                "loss": check.loss,
                "limit": check.limit,
                "probability": check.probability,
                "standard_error": check.standard_error,
                "breached": check.breached,
                "marginal": check.marginal,
            }
            for check in result.tolerance
        ],
    }


def run_register(
    register: Register,
    *,
    years: int | None = None,
    seed: int | None = None,
    semantics: Semantics | None = None,
    risk_ids: Sequence[str] = (),
    progress: Progress | None = None,
    card: Scorecard | None = None,
) -> QuantResult:
    """Quantify a loaded register: its open risks with `quant:` inputs (or `risk_ids`), under
    riskctl.yaml's `quant:` settings with any given override, against its tolerance curve.
    `card` is the register's scorecard when the caller already has it (else it is scored here).

    The one way every command (quant, diff, reports) runs a simulation. Raises RiskctlError for
    an unknown risk, a risk without inputs, or a run too large to draw.
    """
    config = register.config.quant
    card = card if card is not None else score_register(register)
    quants = quantify_register(card, register.by_id(Control), risk_ids)
    settings = Settings.from_config(config, years=years, seed=seed, semantics=semantics)
    try:
        return run(
            quants,
            settings,
            currency=config.currency,
            tolerance=[(point.loss, point.probability) for point in config.tolerance],
            progress=progress,
        )
    except ValueError as error:
        raise RiskctlError(str(error)) from None
