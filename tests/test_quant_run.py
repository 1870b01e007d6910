"""riskctl.quant.run: reproducible runs, independent per-risk streams, common random numbers
between inherent and residual, the portfolio as per-year sums, the published references of
../shared/reference/quantification.md (§5, §8.2, §8.3), the event budget, the JSON document,
and hostile inputs.

Simulated values are compared with analytic or published values within 4 standard errors of
the simulation at the size used here (and of the reference's own simulation where it has one).
A quantile q_p is checked through its exceedance probability: P̂(L > q_p) is a binomial
proportion with SE √(p(1 − p)/n), so no density estimate is needed; `run`'s tolerance checks
give P̂(L > x) at any x.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from riskctl.errors import RiskctlError
from riskctl.model.control import Control
from riskctl.model.register import Register
from riskctl.quant.analytic import Frequency, Lognormal, compound_poisson_variance
from riskctl.quant.inputs import RiskQuant, quantify_register
from riskctl.quant.run import MAX_EVENTS, Settings, document, run, run_register, stats_document
from riskctl.quant.simulate import EVENT_BATCH, PERCENTILES, Stats, annual_losses, risk_generator
from riskctl.score.residual import score_register
from tests.test_quant_inputs import CONFIG, control_yaml, load, risk_yaml

#: §8.2's portfolio (riskquant's README): λ and the 90 % interval of each scenario.
RISKQUANT = {"R-001": (0.10, 1e7, 1e9), "R-002": (0.05, 5e6, 5e7), "R-003": (0.01, 1e6, 1e7)}
#: §5's tolerance curve against it.
TOLERANCE = "quant:\n  tolerance:\n" + "".join(
    f"    - {{loss: {loss}, probability: {p}}}\n"
    for loss, p in ((10_000_000, 0.10), (100_000_000, 0.05), (1_000_000_000, 0.01))
)


def lognormal_block(rate: float, low: float, high: float) -> str:
    return f"frequency: {{poisson: {{lambda: {rate}}}}}\nmagnitude: {{lognormal: {{low: {low:g}, high: {high:g}}}}}\n"  # noqa: E501


def riskquant_register(root: Path, config: str = CONFIG + TOLERANCE) -> Register:
    files = {
        f"risks/{risk_id}.yaml": risk_yaml(risk_id, lognormal_block(*inputs))
        for risk_id, inputs in RISKQUANT.items()
    }
    return load(root, files, config)


def quants(register: Register) -> list[RiskQuant]:
    return quantify_register(score_register(register), register.by_id(Control))


def within(estimate: float, expected: float, se: float) -> bool:
    return abs(estimate - expected) < 4 * se


def proportion_se(p: float, *sizes: float) -> float:
    """SE of the difference of independent binomial proportions at p, one per sample size."""
    return math.sqrt(sum(p * (1 - p) / n for n in sizes))


def as_json(result_document: dict[str, object]) -> bytes:
    return json.dumps(result_document, allow_nan=False, sort_keys=True).encode()


# --- reproducibility and streams ---------------------------------------------------------------


def test_the_same_seed_gives_a_byte_identical_document(tmp_path: Path) -> None:
    register = riskquant_register(tmp_path)
    first = as_json(document(run_register(register, years=20_000, seed=5)))
    assert first == as_json(document(run_register(register, years=20_000, seed=5)))
    assert first != as_json(document(run_register(register, years=20_000, seed=6)))


def test_adding_or_removing_a_risk_leaves_the_others_alone(tmp_path: Path) -> None:
    """Each risk draws from its own stream (seed and id, §6): R-002's statistics are the same
    alone, with R-001 and R-003, and in another order."""
    everything = quants(riskquant_register(tmp_path))
    settings = Settings(20_000, 9, "compound-poisson")
    alone = run([everything[1]], settings).risks[0]
    together = run(everything, settings).risks[1]
    reversed_order = run(everything[::-1], settings).risks[1]
    assert alone.quant.id == together.quant.id == reversed_order.quant.id == "R-002"
    assert alone.inherent == together.inherent == reversed_order.inherent
    assert alone.residual == together.residual == reversed_order.residual


def test_a_magnitude_only_credit_scales_every_simulated_year(tmp_path: Path) -> None:
    """Inherent and residual use common random numbers: with only an impact credit (0.6), each
    residual year is the inherent year × 0.4 (to rounding: a lognormal draw e^(μ + ln 0.4 + σz)
    against 0.4·e^(μ + σz)), so every order statistic, the mean, sd and tail means scale by
    0.4 and P(any loss) is unchanged."""
    files = {
        "risks/R-001.yaml": risk_yaml(
            "R-001",
            "frequency: {pert: {low: 0.5, mode: 2, high: 6}}\nmagnitude:\n"
            "  lognormal: {low: 1000, high: 100000}\n"
            "  secondary: {probability: 0.4, pert: {low: 10, mode: 500, high: 2000}}\n",
            controls=("C-001",),
        ),
        "controls/C-001.yaml": control_yaml("C-001", "impact"),
    }
    result = run_register(load(tmp_path, files), years=30_000, seed=3)
    (risk,) = result.risks
    inherent, residual = risk.inherent, risk.residual
    scaled = [
        (residual.mean, inherent.mean),
        (residual.sd, inherent.sd),
        (residual.var95, inherent.var95),
        (residual.var99, inherent.var99),
        (residual.tvar95, inherent.tvar95),
        (residual.tvar99, inherent.tvar99),
        (residual.ale, inherent.ale),
        *((residual.percentiles[p], inherent.percentiles[p]) for p in PERCENTILES),
    ]
    for after, before in scaled:
        assert after == pytest.approx(0.4 * before, rel=1e-12)
    assert residual.p_any == inherent.p_any


def test_the_portfolio_is_the_per_year_sum(tmp_path: Path) -> None:
    """Portfolio ALE = Σ ALE (exactly); simulated mean = Σ means (the mean of sums, to
    rounding); variance = Σ variances within simulation error: the sample covariance of two
    independent risks has SE ≈ sd_i·sd_j/√n, so |Var − Σ Var_i| < 4·2·Σ_(i<j) sd_i·sd_j/√n.
    Each risk's mean is within 4·sd/√n of its analytic ALE (sd analytic, §3)."""
    n = 50_000
    files = {
        "risks/R-001.yaml": risk_yaml("R-001", lognormal_block(2.0, 1e3, 1e5)),
        "risks/R-002.yaml": risk_yaml(
            "R-002",
            "frequency: {pert: {low: 1, mode: 3, high: 8}}\n"
            "magnitude: {pert: {low: 1000, mode: 20000, high: 90000}}\n",
        ),
        "risks/R-003.yaml": risk_yaml("R-003", lognormal_block(0.3, 5e4, 5e5)),
    }
    result = run_register(load(tmp_path, files), years=n, seed=17)
    assert result.portfolio is not None
    portfolio = result.portfolio.inherent
    risks = [item.inherent for item in result.risks]
    assert portfolio.ale == pytest.approx(sum(stats.ale for stats in risks), rel=1e-15)
    assert portfolio.mean == pytest.approx(sum(stats.mean for stats in risks), rel=1e-12)
    cross = sum(
        risks[i].sd * risks[j].sd for i in range(len(risks)) for j in range(i + 1, len(risks))
    )
    variance = sum(stats.sd**2 for stats in risks)
    assert abs(portfolio.sd**2 - variance) < 4 * 2 * cross / math.sqrt(n)
    for item in result.risks:
        model = item.quant.inherent
        sd = math.sqrt(compound_poisson_variance(model.frequency, model.magnitude))
        assert within(item.inherent.mean, model.ale, sd / math.sqrt(n))


# --- the published references ----------------------------------------------------------------


def test_the_riskquant_portfolio_and_its_tolerance_curve(tmp_path: Path) -> None:
    """§8.2 at 200,000 years: P(any loss) = 1 − e^(−0.16) = 0.147856 (analytic); P(L > 1e7 / 1e8
    / 1e9) = 0.12464 / 0.04979 / 0.00512 (10^6 years); p95 99,274,078 and p99 614,804,453, each
    checked as P̂(L > q) against 0.05 and 0.01. Tolerances 4 SE of the difference of the two
    simulations. §5's verdicts: 1e7 breached, 1e8 marginal (|P̂ − 5 %| < 2 SE; §5 finds it
    within at 10^6 years, and at 200,000 either side is noise), 1e9 within."""
    n = 200_000
    register = riskquant_register(tmp_path)
    result = run_register(register, years=n, seed=20260910)
    assert result.portfolio is not None
    residual = result.portfolio.residual  # no controls: the residual is the inherent
    p_any = 1 - math.exp(-0.16)
    assert within(residual.p_any, p_any, proportion_se(p_any, n))
    assert residual.ale == pytest.approx(27_690_204.31, abs=0.01)
    ten, hundred, billion = result.tolerance
    for check, reference in ((ten, 0.12464), (hundred, 0.04979), (billion, 0.00512)):
        assert within(check.probability, reference, proportion_se(reference, n, 1e6))
        assert check.standard_error == pytest.approx(
            math.sqrt(check.probability * (1 - check.probability) / n), rel=1e-12
        )
    assert (ten.breached, ten.marginal) == (True, False)
    # marginal: 4.98 % is 0.4 SE from 5 % here, so either verdict is simulation noise
    assert hundred.marginal and hundred.breached == (hundred.probability > 0.05)
    assert (billion.breached, billion.marginal) == (False, False)
    quantiles = run(
        quants(register),
        Settings(n, 20260910, "compound-poisson"),
        tolerance=[(99_274_078, 0.05), (614_804_453, 0.01)],
    ).tolerance
    for check in quantiles:
        assert within(check.probability, check.limit, proportion_se(check.limit, n, 5e6))


def test_fair_product_case_a_matches_pyfair(tmp_path: Path) -> None:
    """§8.3 Case A under `fair-product`: LEF pyfair-PERT(0.1, 0.5, 2) × one LM pyfair-PERT(10k,
    50k, 500k) a year: mean 80,861.11 (analytic) within 4·72,022/√n; p95 226,854 and p50 59,127
    (5M-draw reference) as P̂(L > q) within 4 SE of 0.05 and 0.5; P(L > 100k) 0.28726; no
    zero-loss year."""
    n = 100_000
    files = {
        "risks/R-001.yaml": risk_yaml(
            "R-001",
            "frequency: {pert: {low: 0.1, mode: 0.5, high: 2}}\n"
            "magnitude: {pert: {low: 10000, mode: 50000, high: 500000}}\n"
            "pert_method: pyfair-moments\n",
        )
    }
    register = load(tmp_path, files)
    result = run_register(register, years=n, seed=42, semantics="fair-product")
    (risk,) = result.risks
    assert result.settings.semantics == "fair-product"
    assert risk.inherent.ale == pytest.approx(80_861.11, abs=0.005)
    assert within(risk.inherent.mean, 80_861.11, 72_022 / math.sqrt(n))
    assert risk.inherent.p_any == 1.0
    checks = run(
        quants(register),
        result.settings,
        tolerance=[(59_127, 0.5), (100_000, 0.28726), (226_854, 0.05)],
    ).tolerance
    for check in checks:
        assert within(check.probability, check.limit, proportion_se(check.limit, n, 5e6))


# --- the event budget --------------------------------------------------------------------------


def test_a_run_above_the_event_budget_is_refused_before_drawing(tmp_path: Path) -> None:
    """λ = 10^6 (the most allowed) for inherent and residual: 2·10^6 events and 2 counts a year;
    999 years fit (allowed, not run here), 1,001 is over."""
    files = {"risks/R-001.yaml": risk_yaml("R-001", lognormal_block(1e6, 1, 10))}
    register = load(tmp_path, files)
    assert MAX_EVENTS == 2e6 * 1000
    with pytest.raises(RiskctlError, match=r"would draw about 2,002,002,002 event losses"):
        run_register(register, years=1001)
    with pytest.raises(ValueError, match="more than the 2,000,000,000 a run may draw"):
        run(quants(register), Settings(10_000_000, 0, "compound-poisson"))


# --- the JSON document -------------------------------------------------------------------------

ISSUE_STATS = {"ale", "mean", "sd", "p_any", "p50", "p90", "p95", "p99", "p999", "var95",
               "var99", "tvar95", "tvar99", "lec"}  # fmt: skip


def test_the_document_has_the_issues_shape(tmp_path: Path) -> None:
    """The issue's JSON: version 1, semantics, years, seed, risks [{id, inherent, residual}],
    portfolio {inherent, residual}, tolerance; STATS exactly its 14 keys; the LEC as [x, p]
    pairs. Serialisable with allow_nan=False."""
    result = run_register(riskquant_register(tmp_path), years=5_000, seed=1)
    doc = json.loads(as_json(document(result)))
    assert {"version", "semantics", "years", "seed", "risks", "portfolio", "tolerance"} <= set(doc)
    assert (doc["version"], doc["semantics"], doc["years"], doc["seed"]) == (
        1, "compound-poisson", 5_000, 1
    )  # fmt: skip
    assert [risk["id"] for risk in doc["risks"]] == list(RISKQUANT)
    tiers = [doc["portfolio"]] + doc["risks"]
    for holder in tiers:
        for tier in ("inherent", "residual"):
            stats = holder[tier]
            assert set(stats) == ISSUE_STATS
            assert all(len(point) == 2 for point in stats["lec"])
            assert stats["var95"] == stats["p95"] and stats["var99"] == stats["p99"]
    assert [(point["loss"], point["limit"]) for point in doc["tolerance"]] == [
        (1e7, 0.1), (1e8, 0.05), (1e9, 0.01)
    ]  # fmt: skip
    assert all({"probability", "breached", "marginal"} <= set(point) for point in doc["tolerance"])


def test_an_empty_run_and_non_finite_values_stay_valid_json() -> None:
    """No risk: no portfolio, no tolerance. A non-finite statistic is null in JSON, never NaN."""
    empty = document(run([], Settings(10, 0, "compound-poisson"), tolerance=[(1.0, 0.5)]))
    assert (empty["risks"], empty["portfolio"], empty["tolerance"]) == ([], None, [])
    as_json(empty)
    stats = Stats(
        ale=math.inf,
        mean=math.nan,
        sd=-math.inf,
        p_any=0.5,
        percentiles=dict.fromkeys(PERCENTILES, math.inf),
        var95=math.nan,
        var99=1.0,
        tvar95=math.inf,
        tvar99=2.0,
        lec=[(math.inf, 0.5), (10.0, 0.1)],
    )
    rendered = stats_document(stats)
    assert rendered["ale"] is None and rendered["mean"] is None and rendered["sd"] is None
    assert rendered["p999"] is None and rendered["var95"] is None and rendered["var99"] == 1.0
    assert rendered["lec"] == [[None, 0.5], [10.0, 0.1]]
    as_json(rendered)


# --- hostile numbers ---------------------------------------------------------------------------

HOSTILE = {
    # the largest rate, amounts at the limit (10^15): 2·10^6 events a year
    "R-001": "frequency: {poisson: {lambda: 1000000}}\n"
    "magnitude: {lognormal: {low: 999999999999999, high: 1000000000000000}}\n",
    # sigma just under MAX_SIGMA = 10: ln(H/L) = 2·1.6448536269514722·9.9999 = 32.89...
    "R-002": "frequency: {poisson: {lambda: 50}}\n"
    "magnitude: {lognormal: {low: 5.37, high: 1000000000000000}}\n",
    # level 0.999999, a PERT with low == mode, a secondary that never and one that always comes
    "R-003": "frequency: {pert: {low: 0, mode: 0, high: 1000000}}\n"
    "magnitude:\n  lognormal: {low: 1, high: 10, level: 0.999999}\n"
    "  secondary: {probability: 0, pert: {low: 0, mode: 0, high: 1000000000000000}}\n",
    "R-004": "frequency: {pert: {low: 0, mode: 0, high: 3}}\n"
    "magnitude:\n  pert: {low: 0, mode: 0, high: 1000000000000000}\n"
    "  secondary: {probability: 1, lognormal: {low: 6, high: 1000000000000000}}\n"
    "pert_method: pyfair-moments\npert_gamma: 0.1\n",
    # the sharpest PERT allowed
    "R-005": "frequency: {pert: {low: 0.999999, mode: 1, high: 1.000001}}\n"
    "magnitude: {pert: {low: 0, mode: 1000000000000000, high: 1000000000000000}}\n"
    "pert_gamma: 100\n",
}


def finite_numbers(value: Any) -> list[float]:
    """Every number in a JSON document."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [number for item in value.values() for number in finite_numbers(item)]
    return [number for item in value for number in finite_numbers(item)]


def test_hostile_numbers_neither_overflow_nor_raise(tmp_path: Path) -> None:
    """The model's extremes (see HOSTILE) load, simulate within the event budget (2 years:
    about 4.6·10^6 events), and give a document without NaN, infinity or a null statistic;
    analytic ALEs finite. A run of them over the budget is refused, not drawn."""
    files = {
        f"risks/{risk_id}.yaml": risk_yaml(risk_id, block) for risk_id, block in HOSTILE.items()
    }
    register = load(tmp_path, files)
    result = run_register(register, years=2, seed=0)
    doc = document(result)
    as_json(doc)
    numbers = finite_numbers(doc)
    assert numbers and all(math.isfinite(number) for number in numbers)
    for item in doc["risks"]:  # type: ignore[attr-defined]
        for tier in ("inherent", "residual"):
            assert all(item[tier][key] is not None for key in ISSUE_STATS - {"lec"})
    ales = {item.quant.id: item.quant.inherent.ale for item in result.risks}
    assert all(math.isfinite(value) for value in ales.values())
    # by hand: λ·√(LH)·e^(σ²/2), σ = ln(H/L)/(2·Z90); PERT (0, 1e15, 1e15) at γ = 100: mean
    # (0 + 100e15 + 1e15)/102, rate mean (0.999999 + 100 + 1.000001)/102 = 1
    low, high = 999_999_999_999_999, 1e15
    sigma = math.log(high / low) / (2 * 1.6448536269514722)
    assert ales["R-001"] == pytest.approx(1e6 * math.sqrt(low * high) * math.exp(sigma**2 / 2))
    assert ales["R-005"] == pytest.approx(101e15 / 102, rel=1e-12)
    with pytest.raises(RiskctlError, match="event losses"):
        run_register(register, years=1_000)


def test_a_return_on_a_tiny_cost_is_null_not_infinity(tmp_path: Path) -> None:
    """A cost of 1e-320 (a valid `annual_cost`) against a saving of 6,000 (λ = 10, PERT mean
    1,000, likelihood credit 0.6: ALE 10,000 → 4,000): ROSI (saving − cost)/cost overflows to
    infinity, which JSON cannot carry: it is null, and the cost itself stays."""
    files = {
        "risks/R-001.yaml": risk_yaml(
            "R-001",
            "frequency: {poisson: {lambda: 10}}\n"
            "magnitude: {pert: {low: 0, mode: 1000, high: 2000}}\n",
            controls=("C-001",),
        ),
        "controls/C-001.yaml": control_yaml("C-001", "likelihood", cost="1.0e-320"),
    }
    result = run_register(load(tmp_path, files), years=100, seed=0)
    assert result.risks[0].quant.rosi == math.inf
    doc = json.loads(as_json(document(result)))
    assert doc["risks"][0]["rosi"] is None and doc["portfolio"]["rosi"] is None
    assert doc["risks"][0]["control_cost"] == pytest.approx(1e-320)


def test_the_portfolio_counts_a_shared_control_once(tmp_path: Path) -> None:
    """R-001: λ = 1, PERT(0, 5000, 10000) (mean 5,000), C-001 (likelihood 0.6, cost 1,000):
    ALE 5,000 → 2,000. R-002: λ = 2, C-001 and C-002 (impact 0.6, cost 500): 10,000 → 1,600.
    Portfolio: cost 1,000 + 500 (C-001 once, not 2,500), ROSI (15,000 − 3,600 − 1,500)/1,500
    = 6.6."""
    block = "frequency: {{poisson: {{lambda: {rate}}}}}\nmagnitude: {{pert: {{low: 0, mode: 5000, high: 10000}}}}\n"  # noqa: E501
    files = {
        "risks/R-001.yaml": risk_yaml("R-001", block.format(rate=1), controls=("C-001",)),
        "risks/R-002.yaml": risk_yaml("R-002", block.format(rate=2), controls=("C-001", "C-002")),
        "controls/C-001.yaml": control_yaml("C-001", "likelihood", cost="1000"),
        "controls/C-002.yaml": control_yaml("C-002", "impact", cost="500"),
    }
    result = run_register(load(tmp_path, files), years=1_000, seed=0)
    assert result.portfolio is not None
    assert result.portfolio.control_cost == 1500
    assert result.portfolio.rosi == pytest.approx(6.6, rel=1e-12)
    doc = document(result)
    assert doc["portfolio"]["rosi"] == pytest.approx(6.6, rel=1e-12)  # type: ignore[index]


def test_frequent_events_drawn_in_batches_sum_correctly() -> None:
    """λ = 10^6 for 5 years is more events than one batch of draws (simulate.EVENT_BATCH): each
    year's loss is within 4 sd of the ALE, sd = √(λ·E[X²]) = √(10^6 × 26.6398010) (§8.5)."""
    assert EVENT_BATCH < 5 * 1e6
    frequency, magnitude = Frequency(1e6), Lognormal.from_interval(1, 10)
    years = annual_losses(frequency, magnitude, 5, risk_generator(0, "R-001"))
    sd = math.sqrt(1e6 * 26.6398010)
    for loss in years:
        assert abs(loss - 1e6 * 4.040012826945727) < 4 * sd
