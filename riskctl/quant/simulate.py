"""Simulated annual losses of one risk, and the statistics `riskctl quant` reports from them.

numpy's only home with `riskctl/quant/`. Conventions from `../shared/reference/quantification.md`:

- Randomness (§6): one `numpy.random.Generator` per risk, seeded from the run seed and a stable
  digest of the risk id (`SeedSequence([seed, sha256(id)[:8]])`), so adding or removing a risk
  never changes another risk's draws; years are drawn in chunks of a fixed size (`CHUNK`), so
  memory stays bounded and the draws do not depend on the number of years asked for beyond it.
- Semantics (§3): `compound-poisson` draws N ~ Poisson(λ) events a year (λ drawn per year when
  the rate is a PERT) and sums N independent magnitudes; `fair-product` (pyfair) multiplies the
  year's rate by one magnitude.
- Statistics (§5): sample mean and sd (n − 1); p_any = count(L > 0)/n; percentiles by linear
  interpolation between order statistics (Hyndman & Fan type 7, numpy's default); VaR_p is the
  p-quantile; TVaR_p the mean of the k = ⌈(1 − p)·n⌉ largest years (k computed as
  ceil((1 − p)·n − 1e-9), since (1 − 0.95)·100000 is 5000.000000000005 in floating point); the
  loss exceedance curve P̂(L > x) = count(L > x)/n on a log grid of 10 points a decade.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from riskctl.quant.analytic import EventLoss, Frequency, Lognormal, Magnitude, Pert, Primitive

Semantics = Literal["compound-poisson", "fair-product"]

#: Years drawn at a time: bounds memory, and fixed so the draws never depend on it.
CHUNK = 65_536

#: The percentiles reported, as fractions.
PERCENTILES = (0.50, 0.90, 0.95, 0.99, 0.999)


def risk_generator(seed: int, risk_id: str) -> np.random.Generator:
    """The risk's own stream: from the run seed and a stable digest of its id (§6)."""
    digest = int.from_bytes(hashlib.sha256(risk_id.encode("utf-8")).digest()[:8], "big")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, digest])))


#: The most event losses drawn at once within a chunk of years: bounds memory for frequent
#: events (a chunk of 65,536 years at a million events a year is split into many batches).
EVENT_BATCH = 1 << 22


def _primitive(magnitude: Primitive, generator: np.random.Generator, size: int) -> np.ndarray:
    if isinstance(magnitude, Lognormal):
        if magnitude.mu == -np.inf:  # scaled to nothing by a full credit
            return np.zeros(size)
        return generator.lognormal(magnitude.mu, magnitude.sigma, size)
    alpha, beta = magnitude.shape
    return magnitude.low + (magnitude.high - magnitude.low) * generator.beta(alpha, beta, size)


def _magnitudes(magnitude: Magnitude, generator: np.random.Generator, size: int) -> np.ndarray:
    if not isinstance(magnitude, EventLoss):
        return _primitive(magnitude, generator, size)
    losses = _primitive(magnitude.primary, generator, size)
    if magnitude.secondary is None or magnitude.probability == 0:
        return losses
    if magnitude.probability >= 1:
        losses += _primitive(magnitude.secondary, generator, size)
        return losses
    hit = generator.random(size) < magnitude.probability
    losses[hit] += _primitive(magnitude.secondary, generator, int(np.count_nonzero(hit)))
    return losses


def _owners(counts: np.ndarray) -> np.ndarray:
    """The year (index into `counts`) of each event, years in order: the years with events,
    each repeated its count of times (most years of a rare risk have none, so repeating only
    those is several times faster than `np.repeat(np.arange(len(counts)), counts)`)."""
    years = np.flatnonzero(counts)
    return np.repeat(years, counts[years])


def _sum_events(
    counts: np.ndarray, magnitude: Magnitude, generator: np.random.Generator
) -> np.ndarray:
    """Each year's total over its `counts[i]` event losses, drawing at most `EVENT_BATCH`
    losses at a time (whole years per batch; a year with more events is drawn alone)."""
    size = len(counts)
    total_events = int(counts.sum())
    if total_events <= EVENT_BATCH:
        return np.bincount(
            _owners(counts),
            weights=_magnitudes(magnitude, generator, total_events),
            minlength=size,
        )
    totals = np.zeros(size)
    ends = np.cumsum(counts)
    start = 0
    while start < size:
        before = int(ends[start - 1]) if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, before + EVENT_BATCH, side="right")))
        batch = counts[start:stop]
        draws = _magnitudes(magnitude, generator, int(batch.sum()))
        totals[start:stop] = np.bincount(_owners(batch), weights=draws, minlength=stop - start)
        start = stop
    return totals


def _rates(frequency: Frequency, generator: np.random.Generator, size: int) -> np.ndarray | float:
    """The chunk's rates: drawn per year for a PERT rate, else the one fixed rate (a scalar:
    `poisson(λ, size)` draws exactly what `poisson(np.full(size, λ))` does, faster)."""
    rate = frequency.rate
    if isinstance(rate, Pert):
        alpha, beta = rate.shape
        return rate.low + (rate.high - rate.low) * generator.beta(alpha, beta, size)
    return float(rate)


def annual_losses(
    frequency: Frequency,
    magnitude: Magnitude,
    years: int,
    generator: np.random.Generator,
    semantics: Semantics = "compound-poisson",
) -> np.ndarray:
    """`years` simulated annual losses of one risk (float64), drawn in chunks of `CHUNK`."""
    if years < 1:
        raise ValueError(f"years must be at least 1, not {years}")
    losses = np.empty(years)
    for start in range(0, years, CHUNK):
        size = min(CHUNK, years - start)
        rates = _rates(frequency, generator, size)
        if semantics == "fair-product":
            chunk = rates * _magnitudes(magnitude, generator, size)
        else:
            chunk = _sum_events(generator.poisson(rates, size), magnitude, generator)
        losses[start : start + size] = chunk
    return losses


@dataclass(frozen=True)
class Stats:
    """What `riskctl quant` reports of a set of simulated years (one risk or the portfolio)."""

    ale: float
    mean: float
    sd: float
    p_any: float
    percentiles: dict[float, float]
    var95: float
    var99: float
    tvar95: float
    tvar99: float
    lec: list[tuple[float, float]]


def tail_count(p: float, years: int) -> int:
    """k = ⌈(1 − p)·n⌉, robust to the floating-point error of (1 − p)·n (§5)."""
    return max(1, math.ceil((1 - p) * years - 1e-9))


def tail_mean(ordered: np.ndarray, p: float) -> float:
    """TVaR_p: the mean of the k largest of `ordered` (sorted ascending)."""
    k = tail_count(p, len(ordered))
    return float(ordered[-k:].mean())


def exceedance_grid(ordered: np.ndarray) -> list[float]:
    """Loss levels, 10 a decade, from the decade below the smallest positive p1 (or the smallest
    positive loss) to the decade above the maximum (§5); empty when no year has a loss."""
    positive = ordered[int(np.searchsorted(ordered, 0.0, side="right")) :]  # a view, no copy
    if positive.size == 0:
        return []
    low = type7(positive, 0.01)
    first = math.floor(math.log10(low))
    last = math.ceil(math.log10(float(ordered[-1])))
    if last <= first:
        last = first + 1
    return [10 ** (first + step / 10) for step in range(0, 10 * (last - first) + 1)]


def type7(ordered: np.ndarray, p: float) -> float:
    """The p-quantile of sorted values by linear interpolation between order statistics
    (Hyndman & Fan type 7, numpy's default; §5): h = (n − 1)p, x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋₊₁ − x⌊h⌋)."""
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    if low + 1 >= len(ordered):
        return float(ordered[-1])
    below, above = float(ordered[low]), float(ordered[low + 1])
    return below + (h - low) * (above - below)


def statistics(losses: np.ndarray, ale: float, *, ordered: bool = False) -> Stats:
    """The reported statistics of `losses` (one value a simulated year); `ale` is analytic.

    `ordered`: the losses are already sorted ascending (saves the sort).
    """
    values = losses if ordered else np.sort(losses)
    n = len(values)
    grid = exceedance_grid(values)
    above: list[int] = (n - np.searchsorted(values, grid, side="right")).tolist() if grid else []
    return Stats(
        ale=ale,
        mean=float(values.mean()),
        sd=float(values.std(ddof=1)) if n > 1 else 0.0,
        p_any=float(np.count_nonzero(values > 0) / n),
        percentiles={p: type7(values, p) for p in PERCENTILES},
        var95=type7(values, 0.95),
        var99=type7(values, 0.99),
        tvar95=tail_mean(values, 0.95),
        tvar99=tail_mean(values, 0.99),
        lec=[(x, count / n) for x, count in zip(grid, above, strict=True)],
    )
