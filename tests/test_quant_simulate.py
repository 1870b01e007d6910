"""riskctl.quant.simulate against quantification.md: analytic moments within Monte Carlo error,
the published simulation references (§8.2, §8.3, §8.4), exact estimator checks (§5, §8.5), and
the stream rules (§6)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from riskctl.quant import simulate
from riskctl.quant.analytic import (
    EventLoss,
    Frequency,
    Lognormal,
    Magnitude,
    Pert,
    ale,
    compound_poisson_variance,
    fair_product_variance,
)
from riskctl.quant.simulate import (
    CHUNK,
    annual_losses,
    risk_generator,
    statistics,
    tail_count,
    tail_mean,
)

YEARS = 200_000


def within_se(estimate: float, expected: float, sd: float, n: int, sigmas: float = 4) -> bool:
    """|estimate − expected| < sigmas · sd/√n: a Monte Carlo mean within its standard error."""
    return abs(estimate - expected) < sigmas * sd / math.sqrt(n)


def test_compound_poisson_moments_match_the_analytic_values() -> None:
    """§8.5: λ = 0.1, [1, 10]: mean 0.40400128, sd 1.6321704, P(0) = e^(−0.1) = 0.9048374."""
    frequency, magnitude = Frequency(0.1), Lognormal.from_interval(1, 10)
    losses = annual_losses(frequency, magnitude, YEARS, risk_generator(7, "R-001"))
    sd = math.sqrt(compound_poisson_variance(frequency, magnitude))
    assert within_se(float(losses.mean()), ale(frequency, magnitude), sd, YEARS)
    assert float(losses.std(ddof=1)) == pytest.approx(sd, rel=0.05)
    p_zero = math.exp(-0.1)
    assert within_se(float(np.mean(losses == 0)), p_zero, math.sqrt(p_zero * (1 - p_zero)), YEARS)


def test_case_a_compound_poisson_matches_the_independent_simulation() -> None:
    """§8.4: λ ~ pyfair-PERT(0.1, 0.5, 2), X ~ pyfair-PERT(10k, 50k, 500k): mean 80,861 (analytic),
    P(zero-loss year) 0.52910, p95 340,600 (2 %), p99 523,636 (4 %)."""
    frequency = Frequency(Pert(0.1, 0.5, 2, method="pyfair-moments"))
    magnitude = Pert(10_000, 50_000, 500_000, method="pyfair-moments")
    losses = annual_losses(frequency, magnitude, YEARS, risk_generator(7, "R-002"))
    stats = statistics(losses, ale(frequency, magnitude))
    sd = math.sqrt(compound_poisson_variance(frequency, magnitude))
    assert within_se(stats.mean, 80_861.11, sd, YEARS)
    assert 1 - stats.p_any == pytest.approx(0.52910, abs=0.005)
    assert stats.percentiles[0.5] == 0
    assert stats.var95 == pytest.approx(340_600, rel=0.02)
    assert stats.var99 == pytest.approx(523_636, rel=0.04)


def test_case_a_fair_product_matches_pyfair() -> None:
    """§8.3: fair-product, the same inputs: mean 80,861 (analytic), sd 72,022, p50 59,127,
    p95 226,854 (2 %), no zero-loss year."""
    frequency = Frequency(Pert(0.1, 0.5, 2, method="pyfair-moments"))
    magnitude = Pert(10_000, 50_000, 500_000, method="pyfair-moments")
    losses = annual_losses(
        frequency, magnitude, YEARS, risk_generator(7, "R-002"), semantics="fair-product"
    )
    stats = statistics(losses, ale(frequency, magnitude))
    assert stats.mean == pytest.approx(80_861.11, rel=0.01)  # §8: means within about 1 %
    assert stats.sd == pytest.approx(
        math.sqrt(fair_product_variance(frequency, magnitude)), rel=0.02
    )
    assert stats.p_any == 1.0
    assert stats.percentiles[0.5] == pytest.approx(59_127, rel=0.02)
    assert stats.var95 == pytest.approx(226_854, rel=0.02)


def test_the_riskquant_portfolio_summed_per_year() -> None:
    """§8.2: BOB + CHARLIE + ALICE, independent streams: P(any loss) 1 − e^(−0.16) = 0.147856,
    P(L > 1e7) 0.12464, P(L > 1e8) 0.04979; p95 99,274,078 (3 %)."""
    scenarios = {"BOB": (0.10, 1e7, 1e9), "CHARLIE": (0.05, 5e6, 5e7), "ALICE": (0.01, 1e6, 1e7)}
    total = np.zeros(YEARS)
    for name, (rate, low, high) in scenarios.items():
        total += annual_losses(
            Frequency(rate), Lognormal.from_interval(low, high), YEARS, risk_generator(7, name)
        )
    stats = statistics(total, 27_690_204.31)
    assert stats.p_any == pytest.approx(0.147856, abs=0.003)
    lec = {round(math.log10(x), 6): p for x, p in stats.lec}
    assert lec[7.0] == pytest.approx(0.12464, abs=0.003)
    assert lec[8.0] == pytest.approx(0.04979, abs=0.002)
    assert stats.var95 == pytest.approx(99_274_078, rel=0.03)


def test_the_tail_mean_of_a_rare_risk_is_its_mean_over_the_tail_share() -> None:
    """§5: λ = 0.01, [1e6, 1e7]: fewer than 5 % of years have a loss, so VaR95 = 0 and TVaR95 is
    exactly the sample mean / 0.05 (every positive year is in the top 5 %)."""
    losses = annual_losses(
        Frequency(0.01), Lognormal.from_interval(1e6, 1e7), 100_000, risk_generator(7, "ALICE")
    )
    stats = statistics(losses, 40_400.13)
    assert stats.var95 == 0
    assert stats.tvar95 == pytest.approx(float(losses.mean()) / 0.05, rel=1e-12)
    assert stats.tvar95 >= stats.var95 and stats.tvar99 >= stats.var99


def test_tail_count_is_exact_despite_floating_point() -> None:
    assert (1 - 0.95) * 100_000 > 5000  # 5000.000000000005
    assert tail_count(0.95, 100_000) == 5000
    assert tail_count(0.99, 100_000) == 1000
    assert tail_count(0.95, 10) == 1
    assert tail_mean(np.array([1.0, 2.0, 3.0, 4.0, 10.0, 20.0]), 0.5) == pytest.approx(34 / 3)


def test_percentiles_interpolate_linearly_between_order_statistics() -> None:
    """Type 7 by hand: for 0..9, p90 is at h = 8.1: 8 + 0.1·(9 − 8) = 8.1."""
    stats = statistics(np.arange(10, dtype=float), 0)
    assert stats.percentiles[0.9] == pytest.approx(8.1)
    assert stats.percentiles[0.5] == pytest.approx(4.5)
    assert stats.p_any == pytest.approx(0.9)


def test_the_same_seed_gives_the_same_draws_and_streams_are_per_risk() -> None:
    frequency, magnitude = Frequency(0.5), Lognormal.from_interval(1, 10)
    first = annual_losses(frequency, magnitude, 1_000, risk_generator(42, "R-001"))
    again = annual_losses(frequency, magnitude, 1_000, risk_generator(42, "R-001"))
    other = annual_losses(frequency, magnitude, 1_000, risk_generator(42, "R-002"))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert not np.array_equal(
        first, annual_losses(frequency, magnitude, 1_000, risk_generator(43, "R-001"))
    )


def test_years_beyond_a_chunk_extend_the_same_draws() -> None:
    """The first CHUNK years do not depend on how many years are asked for."""
    frequency, magnitude = Frequency(Pert(1, 2, 5)), Pert(10, 20, 50)
    short = annual_losses(frequency, magnitude, CHUNK, risk_generator(1, "R-1"))
    longer = annual_losses(frequency, magnitude, CHUNK + 10, risk_generator(1, "R-1"))
    assert np.array_equal(short, longer[:CHUNK])
    assert len(longer) == CHUNK + 10


def test_the_exceedance_curve_is_a_decreasing_log_grid() -> None:
    losses = annual_losses(
        Frequency(2.0), Lognormal.from_interval(1e3, 1e5), 20_000, risk_generator(3, "R-9")
    )
    lec = statistics(losses, 0).lec
    levels = [x for x, _ in lec]
    assert all(b / a == pytest.approx(10**0.1) for a, b in itertools.pairwise(levels))
    probabilities = [p for _, p in lec]
    assert probabilities == sorted(probabilities, reverse=True)
    assert probabilities[-1] == 0.0
    assert statistics(np.zeros(10), 0).lec == []


def test_the_tolerance_curve_on_the_riskquant_portfolio() -> None:
    """§5: tolerance (1e7, 10 %), (1e8, 5 %), (1e9, 1 %) against LEC 12.46 %, 4.98 %, 0.51 %:
    breach; within but marginal; within."""
    from riskctl.quant.tolerance import check_tolerance

    scenarios = {"BOB": (0.10, 1e7, 1e9), "CHARLIE": (0.05, 5e6, 5e7), "ALICE": (0.01, 1e6, 1e7)}
    total = np.zeros(YEARS)
    for name, (rate, low, high) in scenarios.items():
        total += annual_losses(
            Frequency(rate), Lognormal.from_interval(low, high), YEARS, risk_generator(11, name)
        )
    ten, hundred, billion = check_tolerance(total, [(1e7, 0.10), (1e8, 0.05), (1e9, 0.01)])
    assert (ten.breached, ten.marginal) == (True, False)
    assert ten.probability == pytest.approx(0.1246, abs=0.003)
    assert hundred.probability == pytest.approx(0.0498, abs=0.002)
    assert hundred.standard_error == pytest.approx(math.sqrt(0.0498 * 0.9502 / YEARS), rel=0.05)
    assert (billion.breached, billion.marginal) == (False, False)


def test_a_tolerance_point_is_judged_at_its_loss_strictly_above() -> None:
    from riskctl.quant.tolerance import check_tolerance

    losses = np.array([0.0, 0.0, 5.0, 10.0, 20.0])
    (at_ten,) = check_tolerance(losses, [(10.0, 0.2)])
    assert at_ten.probability == pytest.approx(0.2)  # only 20 > 10
    assert not at_ten.breached
    (at_five,) = check_tolerance(losses, [(5.0, 0.2)])
    assert at_five.breached  # 10 and 20: 40 % > 20 %
    with pytest.raises(ValueError, match="no simulated years"):
        check_tolerance(np.array([]), [(1.0, 0.5)])


def test_no_year_above_a_point_is_still_marginal_when_the_years_cannot_tell() -> None:
    """0 of 1,000 years above x against a limit of 0.1 %: SE(P̂) is 0, but the limit's own SE
    is √(0.001·0.999/1000) ≈ 0.1 %, so 0 is within 2 SE of the limit (by hand). 0 of 1,000,000
    years: the limit's SE is 0.0032 %, and 0 is 31 SE below 0.1 %: not marginal."""
    from riskctl.quant.tolerance import check_tolerance

    few = check_tolerance(np.zeros(1_000), [(1.0, 0.001)])[0]
    assert (few.breached, few.marginal, few.standard_error) == (False, True, 0.0)
    many = check_tolerance(np.zeros(1_000_000), [(1.0, 0.001)])[0]
    assert (many.breached, many.marginal) == (False, False)


def _plain_annual_losses(
    frequency: Frequency, magnitude: Magnitude, years: int, generator: np.random.Generator
) -> np.ndarray:
    """The same draws the simple way (§3): per chunk, a rate for every year, the counts, the
    events, each year's sum by repeating every year index its count of times."""
    parts = []
    for start in range(0, years, CHUNK):
        size = min(CHUNK, years - start)
        rate = frequency.rate
        if isinstance(rate, Pert):
            alpha, beta = rate.shape
            rates = rate.low + (rate.high - rate.low) * generator.beta(alpha, beta, size)
        else:
            rates = np.full(size, float(rate))
        counts = generator.poisson(rates)
        total = int(counts.sum())
        assert isinstance(magnitude, Lognormal)
        events = generator.lognormal(magnitude.mu, magnitude.sigma, total)
        owners = np.repeat(np.arange(size), counts)
        parts.append(np.bincount(owners, weights=events, minlength=size))
    return np.concatenate(parts)


@pytest.mark.parametrize("rate", [0.01, 0.7, 12.0, Pert(0.05, 0.2, 1.5), Pert(4, 10, 20)], ids=repr)
@pytest.mark.parametrize("batch", [simulate.EVENT_BATCH, 7, 1], ids=["one-batch", "7", "1"])
def test_the_fast_paths_draw_and_sum_exactly_what_the_simple_computation_does(
    rate: float | Pert, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fixed rate is drawn as a scalar, events are attributed only to years that have some,
    and many events are drawn in batches: none of it changes a single bit of the losses."""
    monkeypatch.setattr(simulate, "EVENT_BATCH", batch)
    frequency, magnitude = Frequency(rate), Lognormal.from_interval(1e3, 1e5)
    years = CHUNK + 3_000 if batch > 1 else 3_000
    fast = annual_losses(frequency, magnitude, years, risk_generator(5, "R-7"))
    plain = _plain_annual_losses(frequency, magnitude, years, risk_generator(5, "R-7"))
    assert np.array_equal(fast, plain)
    assert np.count_nonzero(fast) > 0


def test_a_fixed_rate_under_fair_product_is_the_rate_times_one_loss_a_year() -> None:
    magnitude = Lognormal.from_interval(1, 10)
    losses = annual_losses(
        Frequency(0.25), magnitude, 1_000, risk_generator(2, "R-3"), semantics="fair-product"
    )
    generator = risk_generator(2, "R-3")
    assert np.array_equal(losses, 0.25 * generator.lognormal(magnitude.mu, magnitude.sigma, 1_000))


def test_the_run_portfolio_is_the_per_year_sum_of_its_risks_years() -> None:
    """run() sums each tier's years into the portfolio and sorts the sums in place: its
    statistics and tolerance checks are exactly those of the per-year sums computed here."""
    from riskctl.quant.inputs import LossModel, RiskQuant
    from riskctl.quant.run import Settings, run
    from riskctl.quant.tolerance import check_tolerance

    def risk(risk_id: str, rate: float | Pert, low: float, high: float) -> RiskQuant:
        inherent = LossModel(Frequency(rate), EventLoss(Lognormal.from_interval(low, high)))
        residual = LossModel(inherent.frequency.scaled(0.5), inherent.magnitude.scaled(0.7))
        return RiskQuant(risk_id, risk_id, inherent, residual, "credited", "credited", 0.5, 0.3, ())

    risks = [risk("R-1", 0.3, 1e4, 1e6), risk("R-2", Pert(1, 3, 8), 1e3, 5e4)]
    years, points = 20_000, [(1e5, 0.2), (1e6, 0.01)]
    result = run(risks, Settings(years, 9, "compound-poisson"), tolerance=points)
    sums = {"inherent": np.zeros(years), "residual": np.zeros(years)}
    for quant in risks:
        for tier in sums:
            model = getattr(quant, tier)
            generator = risk_generator(9, quant.id)
            sums[tier] += annual_losses(model.frequency, model.magnitude, years, generator)
    assert result.portfolio is not None
    assert result.portfolio.inherent == statistics(sums["inherent"], result.portfolio.inherent.ale)
    assert result.portfolio.residual == statistics(sums["residual"], result.portfolio.residual.ale)
    assert list(result.tolerance) == check_tolerance(sums["residual"], points)
    assert result.risks[0].residual.mean < result.risks[0].inherent.mean
