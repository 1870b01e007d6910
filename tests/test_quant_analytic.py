"""riskctl.quant.analytic against the published and hand-derived values of
../shared/reference/quantification.md (§2, §8.1, §8.3, §8.4, §8.5)."""

from __future__ import annotations

import decimal
import math
import timeit
from decimal import Decimal
from fractions import Fraction
from math import comb, factorial

import numpy as np
import pytest

from riskctl.quant.analytic import (
    EventLoss,
    Frequency,
    Lognormal,
    Pert,
    ale,
    compound_poisson_variance,
    fair_product_variance,
    pert_cdf,
    probability_of_no_loss,
    regularized_beta,
    vulnerability,
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
        (lambda: Pert(1, 2, 1.5), "low <= mode <= high"),
        (lambda: Pert(0, 1, 2, gamma=0), "positive"),
        (lambda: Pert(0, 1, 2, method="beta"), "unknown PERT method"),
    ],
)
def test_impossible_inputs_are_refused(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


# --- the regularized incomplete beta function -----------------------------------------------

F = Fraction

_SMALL = [F(1, 10**9), F(1, 10**6), F(1, 1000), F(1, 100), F(1, 10), F(1, 4)]
RATIONAL_X = [*_SMALL, F(1, 2), *(1 - x for x in reversed(_SMALL))]
GRID_X = [float(x) for x in RATIONAL_X]
INTEGER_SHAPES = [1, 2, 3, 5, 10, 37, 100, 200]


def binomial_tail(x: Fraction, a: int, b: int) -> float:
    """I_x(a, b) for whole a, b: P(at least a successes in n = a + b − 1 trials of probability
    x) = Σ_(j=a)^n C(n, j) x^j (1 − x)^(n−j) (Abramowitz & Stegun 26.5.24 with 6.6.4), in
    60-digit decimal arithmetic (x is a decimal fraction, so it is exact there)."""
    with decimal.localcontext() as context:
        context.prec = 60
        p = Decimal(x.numerator) / Decimal(x.denominator)
        n = a + b - 1
        total = sum(
            (Decimal(comb(n, j)) * p**j * (1 - p) ** (n - j) for j in range(a, n + 1)),
            Decimal(0),
        )
        return float(total)


@pytest.mark.parametrize("a", INTEGER_SHAPES)
def test_regularized_beta_matches_the_binomial_sum_for_whole_shapes(a: int) -> None:
    """Exact rational values (binomial_tail) at every grid x, b over 1..200: absolute error
    within 1e-12 and relative within 1e-11 (measured: 9e-14 and 2e-13 at worst; rounding x to
    a float moves I by at most |I'|·1e-16)."""
    for b in INTEGER_SHAPES:
        for x in RATIONAL_X:
            exact = binomial_tail(x, a, b)
            got = regularized_beta(float(x), a, b)
            assert got == pytest.approx(exact, abs=1e-12, rel=1e-11), (a, b, x)


@pytest.mark.parametrize("shape", [0.5, 0.9, 1.5, 7.3, 50.5, 200.0])
def test_regularized_beta_matches_its_closed_forms(shape: float) -> None:
    """I_x(a, 1) = x^a and I_x(1, b) = 1 − (1 − x)^b (the Beta(a, 1) and Beta(1, b) distribution
    functions by integrating their densities a·x^(a−1) and b(1 − x)^(b−1)); symmetry
    I_x(a, a) + I_(1−x)(a, a) = 1 and I_(1/2)(a, a) = 1/2; I_x(1/2, 1/2) = (2/π)·asin(√x) (the
    arcsine distribution)."""
    for x in GRID_X:
        assert regularized_beta(x, shape, 1) == pytest.approx(x**shape, abs=1e-12, rel=1e-11)
        assert regularized_beta(x, 1, shape) == pytest.approx(
            -math.expm1(shape * math.log1p(-x)), abs=1e-12, rel=1e-11
        )
        assert regularized_beta(x, shape, shape) + regularized_beta(
            1 - x, shape, shape
        ) == pytest.approx(1, abs=1e-12)
        arcsine = (
            2 / math.pi * math.asin(math.sqrt(x))
            if x < 0.5
            else 1 - 2 / math.pi * math.asin(math.sqrt(1 - x))  # precise near 1
        )
        assert regularized_beta(x, 0.5, 0.5) == pytest.approx(arcsine, abs=1e-12)
    assert regularized_beta(0.5, shape, shape) == pytest.approx(0.5, abs=1e-12)
    assert regularized_beta(0.0, shape, 2) == 0.0
    assert regularized_beta(1.0, shape, 2) == 1.0
    assert regularized_beta(-0.5, shape, 2) == 0.0
    assert regularized_beta(1.5, shape, 2) == 1.0


def test_pert_cdf_is_the_scaled_beta_distribution_function() -> None:
    """PERT(0, 0.5, 1), γ = 4, is Beta(3, 3): F(x) = Σ_(j=3)^5 C(5, j) x^j (1 − x)^(5−j) =
    10x³ − 15x⁴ + 6x⁵. PERT(10, 10, 20) is 10 + 10·Beta(1, 5): F(x) = 1 − (1 − (x − 10)/10)^5.
    Outside the support 0 and 1; a point mass is a step."""
    symmetric = Pert(0, 0.5, 1)
    for x in (0.1, 0.3, 0.5, 0.8, 0.95):
        assert pert_cdf(symmetric, x) == pytest.approx(10 * x**3 - 15 * x**4 + 6 * x**5, abs=1e-14)
    skewed = Pert(10, 10, 20)
    for x in (10.5, 12, 15, 19.9):
        assert pert_cdf(skewed, x) == pytest.approx(1 - (1 - (x - 10) / 10) ** 5, abs=1e-14)
    assert pert_cdf(skewed, 9) == 0.0 and pert_cdf(skewed, 25) == 1.0
    point = Pert(3, 3, 3)
    assert (pert_cdf(point, 2.9), pert_cdf(point, 3), pert_cdf(point, 3.1)) == (0.0, 1.0, 1.0)


# --- vulnerability --------------------------------------------------------------------------

Polynomial = list[Fraction]


def _multiply(p: Polynomial, q: Polynomial) -> Polynomial:
    product = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, left in enumerate(p):
        for j, right in enumerate(q):
            product[i + j] += left * right
    return product


def _power(p: Polynomial, n: int) -> Polynomial:
    result = [Fraction(1)]
    for _ in range(n):
        result = _multiply(result, p)
    return result


def _antiderivative(p: Polynomial) -> Polynomial:
    return [Fraction(0)] + [c / (i + 1) for i, c in enumerate(p)]


def _at(p: Polynomial, x: Fraction) -> Fraction:
    return sum((c * x**i for i, c in enumerate(p)), Fraction(0))


def _beta_density(low: Fraction, high: Fraction, a: int, b: int) -> Polynomial:
    """(s − low)^(a−1)(high − s)^(b−1)/(B(a, b)(high − low)^(a+b−1)), B(a, b) =
    (a − 1)!(b − 1)!/(a + b − 1)! for whole a, b."""
    norm = Fraction(factorial(a + b - 1), factorial(a - 1) * factorial(b - 1)) / (high - low) ** (
        a + b - 1
    )
    shape = _multiply(_power([-low, Fraction(1)], a - 1), _power([high, Fraction(-1)], b - 1))
    return [c * norm for c in shape]


def exact_vulnerability(
    capability: tuple[Fraction, Fraction, int, int], strength: tuple[Fraction, Fraction, int, int]
) -> Fraction:
    """P(T > S) for T = capability, S = strength, each (low, high, α, β) with whole α, β: the
    densities are polynomials, so V = P(S < a_T) + ∫ f_S(s)(1 − F_T(s)) ds over the overlap is
    integrated exactly in rational arithmetic (independent of riskctl's quadrature)."""
    t_low, t_high, t_alpha, t_beta = capability
    s_low, s_high, s_alpha, s_beta = strength
    density = _beta_density(s_low, s_high, s_alpha, s_beta)
    t_anti = _antiderivative(_beta_density(t_low, t_high, t_alpha, t_beta))
    # 1 − F_T(s) = 1 − (A(s) − A(t_low)), A the antiderivative of T's density
    survival = [1 + _at(t_anti, t_low) - t_anti[0]] + [-c for c in t_anti[1:]]
    total = Fraction(0)
    top = min(s_high, t_low)
    if top > s_low:
        anti = _antiderivative(density)
        total += _at(anti, top) - _at(anti, s_low)
    low, high = max(s_low, t_low), min(s_high, t_high)
    if high > low:
        anti = _antiderivative(_multiply(density, survival))
        total += _at(anti, high) - _at(anti, low)
    return total


#: (capability (low, mode, high), strength (low, mode, high)), modes placed so that γ = 4 gives
#: whole α and β ((mode − low)/(high − low) in {0, 1/4, 1/2, 3/4, 1}).
WHOLE_SHAPE_CASES = [
    ((F(0), F(1, 2), F(1)), (F(0), F(1, 2), F(1))),
    ((F(0), F(1, 4), F(1)), (F(1, 4), F(1, 2), F(5, 4))),
    ((F(2, 10), F(4, 10), F(1)), (F(0), F(1, 4), F(1))),
    ((F(0), F(0), F(1)), (F(0), F(3, 4), F(1))),
    ((F(0), F(1, 4), F(1)), (F(3, 10), F(9, 10), F(11, 10))),
    ((F(4, 10), F(6, 10), F(8, 10)), (F(5, 10), F(7, 10), F(9, 10))),
    ((F(0), F(1), F(1)), (F(0), F(0), F(1))),
    ((F(0), F(3, 4), F(1)), (F(99, 100), F(1), F(101, 100))),
    ((F(0), F(1, 2), F(1)), (F(1, 4), F(5, 16), F(1, 2))),
]


def _whole(points: tuple[Fraction, Fraction, Fraction]) -> tuple[Fraction, Fraction, int, int]:
    low, mode, high = points
    alpha = 1 + 4 * (mode - low) / (high - low)
    beta = 1 + 4 * (high - mode) / (high - low)
    assert alpha.denominator == beta.denominator == 1
    return low, high, int(alpha), int(beta)


def _float_pert(points: tuple[Fraction, Fraction, Fraction]) -> Pert:
    low, mode, high = points
    return Pert(float(low), float(mode), float(high))


@pytest.mark.parametrize(("capability", "strength"), WHOLE_SHAPE_CASES)
def test_vulnerability_is_exact_for_whole_shapes(
    capability: tuple[Fraction, Fraction, Fraction], strength: tuple[Fraction, Fraction, Fraction]
) -> None:
    """Against exact_vulnerability (rational arithmetic): within 1e-13 (measured: 2e-15)."""
    expected = float(exact_vulnerability(_whole(capability), _whole(strength)))
    got = vulnerability(_float_pert(capability), _float_pert(strength))
    assert got == pytest.approx(expected, abs=1e-13)


def test_vulnerability_closed_forms() -> None:
    """By hand: identical symmetric PERTs → 1/2 (P(T > S) = P(S > T), no ties); T ~ U(0, 1) (a
    pyfair-moments PERT with mode 1/2 and γ = 2√3 − 2 is Beta(1, 1): (γ + 2)²/4 − 1 = 2, α = 1)
    against S ~ Beta(2, 1) (modified PERT (0, 1, 1), γ = 1): P(U > S) = E[1 − S] = 1/3; the other
    way 2/3; disjoint supports → 0 or 1; a PERT inside another, both symmetric about 1/2 → 1/2."""
    same = Pert(0.2, 0.5, 0.8)
    assert vulnerability(same, same) == pytest.approx(0.5, abs=1e-13)
    uniform = Pert(0, 0.5, 1, gamma=2 * math.sqrt(3) - 2, method="pyfair-moments")
    assert uniform.shape == pytest.approx((1, 1), abs=1e-12)
    rising = Pert(0, 1, 1, gamma=1)
    assert rising.shape == (2, 1)
    assert vulnerability(uniform, rising) == pytest.approx(1 / 3, abs=1e-12)
    assert vulnerability(rising, uniform) == pytest.approx(2 / 3, abs=1e-12)
    assert vulnerability(Pert(0, 0.5, 1), Pert(2, 2.5, 3)) == 0.0
    assert vulnerability(Pert(2, 2.5, 3), Pert(0, 0.5, 1)) == 1.0
    assert vulnerability(Pert(0, 0.5, 1), Pert(0.4, 0.5, 0.6)) == pytest.approx(0.5, abs=1e-13)
    assert vulnerability(Pert(0.4, 0.5, 0.6), Pert(0, 0.5, 1)) == pytest.approx(0.5, abs=1e-13)


@pytest.mark.parametrize(
    ("capability", "strength"),
    [
        (Pert(0, 0, 1, method="pyfair-moments"), Pert(0, 0.3, 1, method="pyfair-moments")),
        (Pert(0, 0.5, 1, gamma=0.1, method="pyfair-moments"), Pert(0, 0, 1, gamma=0.1,
                                                                    method="pyfair-moments")),
        (Pert(0, 0.3, 1, gamma=100), Pert(0.29, 0.3, 0.31, gamma=100)),
        (Pert(0.4, 0.6, 0.9, gamma=1.5), Pert(0.5, 0.7, 0.95, gamma=7)),
    ],
)  # fmt: skip
def test_vulnerability_of_fractional_shapes_is_complementary(
    capability: Pert, strength: Pert
) -> None:
    """P(T > S) + P(S > T) = 1 for continuous T, S: the two integrals run over different
    densities and distribution functions, including unbounded densities (α ≈ 0.05, pyfair
    moments with γ = 0.1) and narrow peaks (γ = 100). Within 1e-12."""
    total = vulnerability(capability, strength) + vulnerability(strength, capability)
    assert total == pytest.approx(1, abs=1e-12)


def test_vulnerability_of_a_point_mass() -> None:
    """A point mass c (what scaling can give): P(T > c) = 1 − F_T(c); P(c > S) = F_S(c)."""
    spread = Pert(0, 0.5, 1)
    assert vulnerability(spread, Pert(0.3, 0.3, 0.3)) == pytest.approx(
        1 - (10 * 0.3**3 - 15 * 0.3**4 + 6 * 0.3**5), abs=1e-14
    )
    assert vulnerability(Pert(0.3, 0.3, 0.3), spread) == pytest.approx(
        10 * 0.3**3 - 15 * 0.3**4 + 6 * 0.3**5, abs=1e-14
    )


def test_pyfair_case_b_vulnerability() -> None:
    """§8.3 Case B with pyfair's moments PERT: TCap PERT(0.4, 0.6, 0.9), CS PERT(0.5, 0.7, 0.95):
    reference 0.21289 from 4M draws (SE √(V(1 − V)/4e6) = 2.05e-4), pyfair's 0.21306 from 100k
    (SE 1.3e-3); the stronger CS PERT(0.7, 0.85, 0.99): 0.00743 (4M, SE 4.3e-5), pyfair 0.0076
    (100k, SE 2.7e-4). Each within 4 SE."""
    capability = Pert(0.4, 0.6, 0.9, method="pyfair-moments")
    weak = vulnerability(capability, Pert(0.5, 0.7, 0.95, method="pyfair-moments"))
    strong = vulnerability(capability, Pert(0.7, 0.85, 0.99, method="pyfair-moments"))
    for value, reference, draws in ((weak, 0.21289, 4e6), (weak, 0.21306, 1e5),
                                    (strong, 0.00743, 4e6), (strong, 0.0076, 1e5)):  # fmt: skip
        assert abs(value - reference) < 4 * math.sqrt(value * (1 - value) / draws)


@pytest.mark.parametrize("method", ["modified", "pyfair-moments"])
def test_vulnerability_against_a_large_simulation(method: str) -> None:
    """P(T > S) estimated from 10^6 independent numpy Beta pairs (α, β by hand from §2.2's
    formulas, not from riskctl), within 4 SE = 4·√(V(1 − V)/n)."""
    n = 1_000_000
    generator = np.random.default_rng(20261207)

    def draws(low: float, mode: float, high: float) -> np.ndarray:
        mean = (low + 4 * mode + high) / 6
        if method == "modified":
            alpha = 1 + 4 * (mode - low) / (high - low)
            beta = 1 + 4 * (high - mode) / (high - low)
        else:
            sd = (high - low) / 6
            alpha = (mean - low) / (high - low) * ((mean - low) * (high - mean) / sd**2 - 1)
            beta = alpha * (high - mean) / (mean - low)
        return low + (high - low) * generator.beta(alpha, beta, n)

    capability, strength = (0.4, 0.6, 0.9), (0.5, 0.7, 0.95)
    estimate = float(np.mean(draws(*capability) > draws(*strength)))
    value = vulnerability(Pert(*capability, method=method), Pert(*strength, method=method))
    assert abs(value - estimate) < 4 * math.sqrt(value * (1 - value) / n)


def test_vulnerability_is_fast() -> None:
    """`riskctl diff` computes it for each FAIR risk: best of 5 under 20 ms (measured: 0.3 ms;
    1 ms at γ = 100)."""
    capability, strength = Pert(0, 0.3, 1, gamma=100), Pert(0.29, 0.3, 0.31, gamma=100)
    best = min(timeit.repeat(lambda: vulnerability(capability, strength), number=1, repeat=5))
    assert best < 0.020


# --- event loss -----------------------------------------------------------------------------


def test_event_loss_moments_by_hand() -> None:
    """Primary PERT(0, 0.5, 1) (Beta(3, 3): mean 1/2, variance (1/2)(1/2)/7 = 1/28), secondary
    PERT(0, 0, 1) (Beta(1, 5): mean 1/6, variance (1/6)(5/6)/7 = 5/252) with probability 1/2:
    E[X] = 1/2 + 1/12 = 7/12; E[X²] = (1/28 + 1/4) + 2·(1/2)(1/2)(1/6) + (1/2)(5/252 + 1/36)
    = 2/7 + 1/12 + 1/42 = 11/28."""
    loss = EventLoss(Pert(0, 0.5, 1), Pert(0, 0, 1), 0.5)
    assert loss.mean == pytest.approx(7 / 12, rel=1e-15)
    assert loss.second_moment == pytest.approx(11 / 28, rel=1e-14)
    assert loss.variance == pytest.approx(11 / 28 - (7 / 12) ** 2, rel=1e-13)
    alone = EventLoss(Pert(0, 0.5, 1))
    assert (alone.mean, alone.second_moment) == (
        Pert(0, 0.5, 1).mean,
        Pert(0, 0.5, 1).second_moment,
    )
    never = EventLoss(Pert(0, 0.5, 1), Pert(0, 0, 1), 0.0)
    assert never.mean == 0.5 and never.second_moment == pytest.approx(2 / 7, rel=1e-15)


def test_event_loss_moments_against_a_million_draws() -> None:
    """Primary lognormal [1e4, 1e6] at 90 % (μ = ln 1e5, σ = ln 100/(2·1.6448536269514722), by
    hand), secondary modified PERT(2e4, 5e4, 3e5) (α = 1 + 4·3/28, β = 1 + 4·25/28) with
    probability 0.3: numpy draws E[X] and E[X²] within 4 SE (SE from the sample sd of X and of
    X²)."""
    n = 1_000_000
    generator = np.random.default_rng(12)
    sigma = math.log(100) / (2 * 1.6448536269514722)
    primary = generator.lognormal(math.log(1e5), sigma, n)
    secondary = 2e4 + 28e4 * generator.beta(1 + 4 * 3 / 28, 1 + 4 * 25 / 28, n)
    x = primary + np.where(generator.random(n) < 0.3, secondary, 0.0)
    loss = EventLoss(Lognormal.from_interval(1e4, 1e6), Pert(2e4, 5e4, 3e5), 0.3)
    assert abs(loss.mean - x.mean()) < 4 * x.std() / math.sqrt(n)
    squares = x**2
    assert abs(loss.second_moment - squares.mean()) < 4 * squares.std() / math.sqrt(n)


def test_scaling_by_nothing_or_almost_nothing() -> None:
    """Credits are below 1, but a compound credit can round to R = 1 (1 − (1 − 0.9999999)³ is
    1.0 in floating point) and a tiny PERT can underflow: scaling gives a zero loss, never an
    error. scaled(1e-300) keeps every moment finite and scaled by the factor."""
    lognormal, pert = Lognormal.from_interval(1e4, 1e6), Pert(1e3, 5e3, 9e4)
    assert lognormal.scaled(0).mean == 0 and lognormal.scaled(0).second_moment == 0
    assert pert.scaled(0).mean == 0 and pert.scaled(0).variance == 0
    assert Pert(0, 0, 5e-324).scaled(0.5).mean == 0
    loss = EventLoss(pert, lognormal, 0.5)
    assert loss.scaled(0).mean == 0 and loss.scaled(0).second_moment == 0
    tiny = 1e-300
    assert lognormal.scaled(tiny).mean == pytest.approx(lognormal.mean * tiny, rel=1e-12)
    assert pert.scaled(tiny).mean == pytest.approx(pert.mean * tiny, rel=1e-12)
    assert loss.scaled(tiny).mean == pytest.approx(loss.mean * tiny, rel=1e-12)
    assert Frequency(Pert(1, 2, 5)).scaled(0).mean == 0
    assert Frequency(3.0).scaled(0).mean == 0


@pytest.mark.parametrize("gamma", [0.5, 1.0, 4.0, 17.0, 100.0])
@pytest.mark.parametrize("points", [(0, 0, 1), (0.1, 0.5, 2), (10_000, 50_000, 500_000), (3, 9, 9)])
def test_pyfair_moments_shape_is_pyfairs_formula(
    gamma: float, points: tuple[float, float, float]
) -> None:
    """pyfair/utility/beta_pert.py as written (§2.2): μ = (a + γm + b)/(γ + 2),
    σ = (b − a)/(γ + 2), α = ((μ − a)/(b − a))·((μ − a)(b − μ)/σ² − 1), β = α(b − μ)/(μ − a).
    riskctl computes the same α, β from an algebraically equal form that cannot round to 0."""
    a, m, b = points
    mu, sigma = (a + gamma * m + b) / (gamma + 2), (b - a) / (gamma + 2)
    alpha = ((mu - a) / (b - a)) * ((mu - a) * (b - mu) / sigma**2 - 1)
    beta = alpha * (b - mu) / (mu - a)
    assert Pert(a, m, b, gamma, "pyfair-moments").shape == pytest.approx((alpha, beta), rel=1e-12)


@pytest.mark.parametrize("gamma", [1e-300, 1e-17, 1e-8, 0.001])
def test_a_tiny_gamma_never_gives_a_zero_shape(gamma: float) -> None:
    """pyfair's own formula rounds (μ − a)(b − μ)/σ² − 1 to 0 for γ ≤ 1e-16 (α = 0: numpy's beta
    refuses it, lgamma(0) raises). As γ → 0, Beta(α, β) → α, β ≈ γ/2: variance → 1/4 of the
    width squared (half the mass at each end). The vulnerability stays a probability."""
    mode_at_low = Pert(0, 0, 1, gamma, "pyfair-moments")
    middle = Pert(0, 0.5, 1, gamma, "pyfair-moments")
    for pert in (mode_at_low, middle):
        alpha, beta = pert.shape
        assert alpha > 0 and beta > 0
        assert alpha == pytest.approx(gamma / 2, rel=1e-2) and beta == pytest.approx(
            gamma / 2, rel=1e-2
        )
        # Var = r(1 − r)/(α + β + 1), r = α/(α + β) ≈ 1/2
        assert pert.variance == pytest.approx(0.25 / (1 + gamma), rel=2e-3)
    assert 0 <= vulnerability(mode_at_low, middle) <= 1
    assert 0 <= vulnerability(middle, mode_at_low) <= 1
