"""The quantification benchmark's child processes: a generated portfolio simulated by riskctl
(`riskctl.quant.run.run`) and by the floor, the same computation written here in plain numpy.

    python bench/quant.py riskctl --risks 1000 --years 100000
    python bench/quant.py floor --risks 1000 --years 100000
    python bench/quant.py pyfair-riskctl --years 100000   # pyfair's own: bench/pyfair_case_a.py

Each prints one JSON line: the seconds of the computation alone (timed in the process, after
imports and after building the inputs; wall clock, and the process's CPU time, which a busy
machine disturbs less), the process's peak RSS, and a few results of the run so
that `run.py` can check that riskctl and the floor computed the same thing.

The floor is no riskctl code: it seeds each risk's stream the way quantification.md §6 says and
draws the same values in the same order (rates, event counts, then the year's event losses, in
chunks of FLOOR_CHUNK years), sums each year's events with `np.bincount`, and computes the same
statistics with numpy's own functions: a sort, `np.quantile`, the tail means, and the exceedance
curve by `np.searchsorted`. So riskctl's time over the floor's is what riskctl's structure costs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import resource
import statistics
import sys
import time
from collections.abc import Sequence

import numpy as np

from riskctl.quant.analytic import EventLoss, Frequency, Lognormal, Pert, Primitive
from riskctl.quant.inputs import LossModel, RiskQuant
from riskctl.quant.simulate import Semantics

#: The portfolio generator's seed.
PORTFOLIO_SEED = 7
#: The run seed (riskctl.yaml `quant.seed`).
RUN_SEED = 1
#: Years drawn at a time by the floor: riskctl's CHUNK, so both draw the same values.
FLOOR_CHUNK = 65_536
PERCENTILES = (0.50, 0.90, 0.95, 0.99, 0.999)
#: Timed runs of the one-risk comparison with pyfair (bench/pyfair_case_a.py: the same).
PYFAIR_RUNS = 5


def _rate(generator: random.Random) -> float:
    """An event rate a year: most risks rare (0.01 to 1), some yearly (1 to 5), a few frequent
    (5 to 20), each log-uniform within its band."""
    band = generator.random()
    low, high = (0.01, 1.0) if band < 0.80 else (1.0, 5.0) if band < 0.95 else (5.0, 20.0)
    return math.exp(generator.uniform(math.log(low), math.log(high)))


def _loss(generator: random.Random) -> Primitive:
    """A loss per event: lognormal from a 90 % interval (60 %) or a modified PERT (40 %)."""
    low = 10 ** generator.uniform(3, 6)
    if generator.random() < 0.6:
        return Lognormal.from_interval(low, low * 10 ** generator.uniform(0.5, 2.0))
    high = low * 10 ** generator.uniform(0.7, 2.0)
    return Pert(low, low + (high - low) * generator.uniform(0.05, 0.4), high)


def portfolio(risks: int, seed: int = PORTFOLIO_SEED) -> list[RiskQuant]:
    """`risks` generated risks: half with a fixed Poisson rate, half with a PERT rate; 20 % with
    a secondary loss; residuals credited 0-60 % on likelihood and 0-50 % on impact."""
    generator = random.Random(seed)
    quants = []
    for index in range(risks):
        rate = _rate(generator)
        frequency = (
            Frequency(rate)
            if generator.random() < 0.5
            else Frequency(Pert(rate / 2, rate, rate * 2.5))
        )
        if generator.random() < 0.2:
            magnitude = EventLoss(_loss(generator), _loss(generator), generator.uniform(0.1, 0.5))
        else:
            magnitude = EventLoss(_loss(generator))
        likelihood, impact = generator.uniform(0, 0.6), generator.uniform(0, 0.5)
        inherent = LossModel(frequency, magnitude)
        residual = LossModel(frequency.scaled(1 - likelihood), magnitude.scaled(1 - impact))
        quants.append(
            RiskQuant(
                id=f"R-{index + 1:04d}",
                title=f"generated risk {index + 1}",
                inherent=inherent,
                residual=residual,
                frequency_source="credited",
                magnitude_source="credited",
                likelihood_reduction=likelihood,
                impact_reduction=impact,
                credited_costs=(),
            )
        )
    return quants


# --- the floor: plain numpy ---------------------------------------------------------------------


def _stream(seed: int, risk_id: str) -> np.random.Generator:
    digest = int.from_bytes(hashlib.sha256(risk_id.encode("utf-8")).digest()[:8], "big")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, digest])))


def _draw(primitive: Primitive, generator: np.random.Generator, size: int) -> np.ndarray:
    if isinstance(primitive, Lognormal):
        return generator.lognormal(primitive.mu, primitive.sigma, size)
    alpha, beta = primitive.shape
    return primitive.low + (primitive.high - primitive.low) * generator.beta(alpha, beta, size)


def _event_losses(magnitude: EventLoss, generator: np.random.Generator, size: int) -> np.ndarray:
    losses = _draw(magnitude.primary, generator, size)
    if magnitude.secondary is not None:
        hit = generator.random(size) < magnitude.probability
        losses[hit] += _draw(magnitude.secondary, generator, int(np.count_nonzero(hit)))
    return losses


def floor_losses(model: LossModel, generator: np.random.Generator, years: int) -> np.ndarray:
    """A tier's annual losses: per chunk, the rates, the event counts, the events, summed."""
    out = np.empty(years)
    for start in range(0, years, FLOOR_CHUNK):
        size = min(FLOOR_CHUNK, years - start)
        rate = model.frequency.rate
        if isinstance(rate, Pert):
            counts = generator.poisson(_draw(rate, generator, size))
        else:
            counts = generator.poisson(float(rate), size)
        events = _event_losses(model.magnitude, generator, int(counts.sum()))
        owners = np.repeat(np.arange(size), counts)
        out[start : start + size] = np.bincount(owners, weights=events, minlength=size)
    return out


def floor_statistics(losses: np.ndarray) -> dict[str, object]:
    """The reported statistics with numpy's own functions (sorts `losses` in place)."""
    losses.sort()
    n = len(losses)
    positive = losses[losses > 0]
    lec: list[float] = []
    if positive.size:
        first = math.floor(math.log10(float(np.quantile(positive, 0.01))))
        last = max(first + 1, math.ceil(math.log10(float(losses[-1]))))
        grid = 10.0 ** (first + np.arange(10 * (last - first) + 1) / 10)
        lec = ((n - np.searchsorted(losses, grid, side="right")) / n).tolist()
    k95, k99 = max(1, math.ceil(0.05 * n - 1e-9)), max(1, math.ceil(0.01 * n - 1e-9))
    return {
        "mean": float(losses.mean()),
        "sd": float(losses.std(ddof=1)),
        "p_any": float(np.count_nonzero(losses) / n),
        "percentiles": np.quantile(losses, PERCENTILES).tolist(),
        "tvar95": float(losses[-k95:].mean()),
        "tvar99": float(losses[-k99:].mean()),
        "lec": lec,
    }


def floor_run(risks: Sequence[RiskQuant], years: int, seed: int) -> dict[str, object]:
    """Every risk's two tiers and their statistics, and the two portfolio sums'."""
    sums = {"inherent": np.zeros(years), "residual": np.zeros(years)}
    per_risk = []
    for risk in risks:
        for tier, model in (("inherent", risk.inherent), ("residual", risk.residual)):
            losses = floor_losses(model, _stream(seed, risk.id), years)
            sums[tier] += losses
            per_risk.append(floor_statistics(losses))
    return {
        "inherent": floor_statistics(sums["inherent"]),
        "residual": floor_statistics(sums["residual"]),
        "risks": per_risk,
    }


# --- the child processes ------------------------------------------------------------------------


def peak_rss_bytes() -> int:
    """This process's peak resident set size (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def summary(portfolio_stats: dict[str, object]) -> dict[str, float]:
    """What run.py compares between riskctl and the floor: the residual portfolio's figures."""
    percentiles = portfolio_stats["percentiles"]
    assert isinstance(percentiles, list)
    return {
        "mean": float(portfolio_stats["mean"]),  # type: ignore[arg-type]
        "p99": float(percentiles[3]),
        "tvar99": float(portfolio_stats["tvar99"]),  # type: ignore[arg-type]
    }


def child_riskctl(risks: int, years: int, semantics: Semantics) -> dict[str, object]:
    """riskctl's run of the generated portfolio (statistics and portfolio included)."""
    from riskctl.quant.run import Settings, run

    quants = portfolio(risks)
    started, cpu = time.perf_counter(), time.process_time()
    result = run(quants, Settings(years, RUN_SEED, semantics))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.portfolio is not None
    residual = result.portfolio.residual
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_rss": peak_rss_bytes(),
        "residual": {"mean": residual.mean, "p99": residual.var99, "tvar99": residual.tvar99},
        "events": sum(q.inherent.frequency.mean + q.residual.frequency.mean for q in quants)
        * years,
    }


def child_floor(risks: int, years: int) -> dict[str, object]:
    """The floor's run of the same portfolio."""
    quants = portfolio(risks)
    started, cpu = time.perf_counter(), time.process_time()
    result = floor_run(quants, years, RUN_SEED)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    residual = result["residual"]
    assert isinstance(residual, dict)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_rss": peak_rss_bytes(),
        "residual": summary(residual),
    }


#: pyfair's Case A (quantification.md §8.3): LEF PERT(0.1, 0.5, 2) times LM PERT(10k, 50k, 500k).
CASE_A = {"lef": (0.1, 0.5, 2.0), "lm": (10_000.0, 50_000.0, 500_000.0)}


def case_a() -> RiskQuant:
    """Case A as one riskctl risk, with pyfair's moments PERT (no controls: the residual is the
    inherent, credited by 0, as `quantify` gives it)."""
    frequency = Frequency(Pert(*CASE_A["lef"], method="pyfair-moments"))
    magnitude = EventLoss(Pert(*CASE_A["lm"], method="pyfair-moments"))
    model = LossModel(frequency, magnitude)
    return RiskQuant("CASE-A", "pyfair Case A", model, model, "credited", "credited", 0.0, 0.0, ())


def child_pyfair_riskctl(years: int) -> dict[str, object]:
    """riskctl's one risk (Case A) under fair-product semantics, as `run` simulates it: both
    tiers, their statistics and the portfolio's (twice pyfair's work); one warm-up, then the
    median of PYFAIR_RUNS runs, as bench/pyfair_case_a.py times pyfair."""
    from riskctl.quant.run import Settings, run

    quants = [case_a()]
    settings = Settings(years, RUN_SEED, "fair-product")
    run(quants, settings)  # warm-up
    runs, cpu_runs = [], []
    mean = 0.0
    for _ in range(PYFAIR_RUNS):
        started, cpu = time.perf_counter(), time.process_time()
        result = run(quants, settings)
        runs.append(time.perf_counter() - started)
        cpu_runs.append(time.process_time() - cpu)
        mean = result.risks[0].inherent.mean
    return {
        "seconds": statistics.median(runs),
        "cpu": statistics.median(cpu_runs),
        "peak_rss": peak_rss_bytes(),
        "mean": mean,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run one child and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", choices=("riskctl", "floor", "pyfair-riskctl"))
    parser.add_argument("--risks", type=int, default=1000)
    parser.add_argument("--years", type=int, default=100_000)
    parser.add_argument(
        "--semantics", choices=("compound-poisson", "fair-product"), default="compound-poisson"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.which == "riskctl":
        result = child_riskctl(args.risks, args.years, args.semantics)
    elif args.which == "floor":
        result = child_floor(args.risks, args.years)
    else:
        result = child_pyfair_riskctl(args.years)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
