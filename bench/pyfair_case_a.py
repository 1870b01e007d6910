"""pyfair's time for one model: Case A of quantification.md §8.3, in pyfair's own venv.

    bench/.data/venv-pyfair/bin/python bench/pyfair_case_a.py --years 100000

Imports pyfair only (not riskctl), since pyfair lives in a venv of its own (`make bench`
installs it there; never in riskctl's dependencies). Builds a FairModel with LEF PERT(0.1, 0.5,
2) and LM PERT(10,000, 50,000, 500,000), calculates it and takes the Risk column's mean and
percentiles: one warm-up, then the median of RUNS runs. Prints one JSON line: seconds, peak RSS,
and the mean and p95 (the reference's 81,145.5 and 227,296 at 100,000 iterations, seed 42).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
import warnings
from collections.abc import Sequence

RUNS = 5


def main(argv: Sequence[str] | None = None) -> int:
    """Time Case A in pyfair and print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=100_000, help="pyfair's n_simulations")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    warnings.simplefilter("ignore")  # pyfair's use of pandas warns on recent versions
    from pyfair import FairModel  # type: ignore[import-not-found,unused-ignore]

    def once() -> tuple[float, float]:
        model = FairModel(name="Case A", n_simulations=args.years)
        model.input_data("Loss Event Frequency", low=0.1, mode=0.5, high=2.0)
        model.input_data("Loss Magnitude", low=10_000.0, mode=50_000.0, high=500_000.0)
        model.calculate_all()
        risk = model.export_results()["Risk"]
        risk.quantile([0.5, 0.9, 0.95, 0.99, 0.999])
        return float(risk.mean()), float(risk.quantile(0.95))

    once()  # warm-up
    runs, cpu_runs = [], []
    mean = p95 = 0.0
    for _ in range(RUNS):
        started, cpu = time.perf_counter(), time.process_time()
        mean, p95 = once()
        runs.append(time.perf_counter() - started)
        cpu_runs.append(time.process_time() - cpu)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "seconds": statistics.median(runs),
                "cpu": statistics.median(cpu_runs),
                "peak_rss": peak,
                "mean": mean,
                "p95": p95,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
