"""riskctl.quant.analytic against the published and hand-derived values of
../shared/reference/quantification.md (§2, §8.1, §8.3, §8.4, §8.5)."""

from __future__ import annotations

import math

import pytest

from riskctl.quant.analytic import (
    Frequency,
    Lognormal,
    Pert,
    ale,
    compound_poisson_variance,
    fair_product_variance,
    probability_of_no_loss,
)


def test_lognormal_from_a_90_percent_interval_matches_the_table() -> None:
    """§2.1: [1, 10] and [635,000; 19,000,000] at 90 %."""
    small = Lognormal.from_interval(1, 10)
    assert small.mu == pytest.approx(1.151292546497023, rel=1e-14)
    assert small.sigma == pytest.approx(0.6999361691719632, rel=1e-14)
    assert small.mean == pytest.approx(4.040012826945727, rel=1e-14)
    assert small.quantile(0.5) == pytest.approx(3.1622776601683795, rel=1e-14)
    assert small.quantile(0.99) == pytest.approx(16.11237428027951, rel=1e-12)
    large = Lognormal.from_interval(635_000, 19_000_000)
    assert large.mu == pytest.approx(15.060664907502773, rel=1e-14)
    assert large.sigma == pytest.approx(1.0330916999449682, rel=1e-14)
    # riskquant test_model_lognormal testHardParameters (7 places)
    assert large.mean == pytest.approx(5922706.83351131, abs=5e-8)


def test_the_interval_ends_are_the_5th_and_95th_percentiles() -> None:
    small = Lognormal.from_interval(1, 10)
    assert small.quantile(0.05) == pytest.approx(1, rel=1e-12)
    assert small.quantile(0.95) == pytest.approx(10, rel=1e-12)
    eighty = Lognormal.from_interval(1, 10, confidence=0.8)
    assert eighty.quantile(0.1) == pytest.approx(1, rel=1e-12)


def test_lognormal_tail_means_match_the_exact_checks() -> None:
    """§8.5: [1, 10] at 90 %: VaR95 = 10, TVaR95 = 13.925965, VaR99 = 16.112374, TVaR99 =
    20.980211."""
    small = Lognormal.from_interval(1, 10)
    assert small.quantile(0.95) == pytest.approx(10, rel=1e-12)
    assert small.tail_mean(0.95) == pytest.approx(13.925965, abs=5e-7)
    assert small.quantile(0.99) == pytest.approx(16.112374, abs=5e-7)
    assert small.tail_mean(0.99) == pytest.approx(20.980211, abs=5e-7)


@pytest.mark.parametrize(
    ("points", "modified", "pyfair"),
    [
        ((0, 0.5, 1), (3, 3), (4, 4)),
        ((10_000, 50_000, 500_000), (1.3265, 4.6735), (1.1495, 4.0500)),
        ((0.1, 0.5, 2), (1.8421, 4.1579), (2.0445, 4.6148)),
        ((0, 0, 1), (1, 5), (0.667, 3.333)),
    ],
)
def test_pert_shapes_match_the_table(
    points: tuple[float, float, float],
    modified: tuple[float, float],
    pyfair: tuple[float, float],
) -> None:
    """§2.2: α, β of the modified PERT and of pyfair's moments fit, γ = 4."""
    low, mode, high = points
    assert Pert(low, mode, high).shape == pytest.approx(modified, abs=5e-4)
    assert Pert(low, mode, high, method="pyfair-moments").shape == pytest.approx(pyfair, abs=5e-4)


@pytest.mark.parametrize(
    ("points", "modified_sd", "pyfair_sd"),
    [
        ((0, 0.5, 1), 0.1890, 0.1667),
        ((10_000, 50_000, 500_000), 76_855, 81_667),
        ((0.1, 0.5, 2), 0.3312, 0.3167),
        ((0, 0, 1), 0.1409, 0.1667),
    ],
)
def test_pert_spreads_match_the_table(
    points: tuple[float, float, float], modified_sd: float, pyfair_sd: float
) -> None:
    low, mode, high = points
    modified = Pert(low, mode, high)
    assert math.sqrt(modified.variance) == pytest.approx(modified_sd, rel=5e-4)
    # the modified PERT's closed form: (mean − a)(b − mean)/(γ + 3)
    assert modified.variance == pytest.approx(
        (modified.mean - low) * (high - modified.mean) / 7, rel=1e-12
    )
    pyfair = Pert(low, mode, high, method="pyfair-moments")
    assert math.sqrt(pyfair.variance) == pytest.approx(pyfair_sd, rel=5e-4)
    assert pyfair.mean == modified.mean


def test_riskquant_published_annualised_losses() -> None:
    """§8.1: SimpleLoss(0.1, 1, 10) and SimpleLoss(3.0, 1, 10), pinned to 7 places."""
    magnitude = Lognormal.from_interval(1, 10)
    assert ale(Frequency(0.1), magnitude) == pytest.approx(0.4040012826945718, abs=5e-8)
    assert ale(Frequency(3.0), magnitude) == pytest.approx(12.120038480837177, abs=5e-8)


def test_the_ale_of_a_pert_frequency_uses_its_mean_not_its_mode() -> None:
    """§7 riskquant defect 1: PERTLoss(1, 10, 0.1, 0.7, 0.3, kurtosis=1) is 1.4813380365, not
    the tool's 1.2120038962 (mode × E[X])."""
    frequency = Frequency(Pert(0.1, 0.3, 0.7, gamma=1))
    assert frequency.mean == pytest.approx(0.366667, abs=5e-7)
    assert ale(frequency, Lognormal.from_interval(1, 10)) == pytest.approx(1.4813380365, abs=5e-10)


def test_the_riskquant_portfolio_ale() -> None:
    """§8.1: BOB + CHARLIE + ALICE = 27,690,204.31."""
    scenarios = [(0.10, 1e7, 1e9), (0.05, 5e6, 5e7), (0.01, 1e6, 1e7)]
    values = [ale(Frequency(rate), Lognormal.from_interval(low, high)) for rate, low, high in
              scenarios]  # fmt: skip
    assert values == pytest.approx([26_639_800.98, 1_010_003.21, 40_400.13], abs=0.01)
    assert sum(values) == pytest.approx(27_690_204.31, abs=0.01)


def test_compound_poisson_moments_match_the_exact_checks() -> None:
    """§8.5: λ = 0.1, [1, 10]: mean 0.40400128, Var 2.6639801, P(0) = 0.9048374."""
    frequency, magnitude = Frequency(0.1), Lognormal.from_interval(1, 10)
    assert magnitude.second_moment == pytest.approx(26.6398010, abs=5e-7)
    assert compound_poisson_variance(frequency, magnitude) == pytest.approx(2.6639801, abs=5e-7)
    assert math.sqrt(compound_poisson_variance(frequency, magnitude)) == pytest.approx(
        1.6321704, abs=5e-7
    )
    assert probability_of_no_loss(0.1) == pytest.approx(0.9048374, abs=5e-8)


def test_case_a_under_both_semantics() -> None:
    """§8.3 / §8.4: pyfair Case A, LEF PERT(0.1, 0.5, 2) × LM PERT(10k, 50k, 500k), pyfair's
    moments PERT: mean 80,861.11 either way; sd 72,022 (fair-product), 124,620
    (compound Poisson)."""
    frequency = Frequency(Pert(0.1, 0.5, 2, method="pyfair-moments"))
    magnitude = Pert(10_000, 50_000, 500_000, method="pyfair-moments")
    assert frequency.mean == pytest.approx(0.683333, abs=5e-7)
    assert magnitude.mean == pytest.approx(118_333.33, abs=0.005)
    assert ale(frequency, magnitude) == pytest.approx(80_861.11, abs=0.005)
    assert math.sqrt(fair_product_variance(frequency, magnitude)) == pytest.approx(72_022, abs=1)
    assert math.sqrt(compound_poisson_variance(frequency, magnitude)) == pytest.approx(
        124_620, abs=1
    )


def test_credits_scale_the_inputs_and_the_ale_multiplies() -> None:
    """§4: λ_res = λ(1 − R_L), X_res = (1 − R_I)·X, so ALE_res = ALE·(1 − R_L)(1 − R_I)."""
    frequency, magnitude = Frequency(Pert(2, 4, 10)), Lognormal.from_interval(40_000, 900_000)
    before = ale(frequency, magnitude)
    after = ale(frequency.scaled(1 - 0.6), magnitude.scaled(1 - 0.3))
    assert after == pytest.approx(before * 0.4 * 0.7, rel=1e-12)
    pert = Pert(10_000, 50_000, 500_000)
    assert ale(Frequency(1.0), pert.scaled(0.5)) == pytest.approx(pert.mean * 0.5, rel=1e-12)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Lognormal.from_interval(0, 10), "0 < low < high"),
        (lambda: Lognormal.from_interval(10, 1), "0 < low < high"),
        (lambda: Lognormal.from_interval(1, 10, confidence=1), "between 0 and 1"),
        (lambda: Pert(1, 0, 2), "low <= mode <= high"),
        (lambda: Pert(1, 1, 1), "low < high"),
        (lambda: Pert(0, 1, 2, gamma=0), "positive"),
        (lambda: Pert(0, 1, 2, method="beta"), "unknown PERT method"),
    ],
)
def test_impossible_inputs_are_refused(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]
