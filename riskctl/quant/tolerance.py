"""The loss-tolerance curve checked against simulated annual losses.

Source: Hubbard, *The Failure of Risk Management*; Hubbard & Seiersen, *How to Measure Anything
in Cybersecurity Risk*; `../shared/reference/quantification.md` §5. A tolerance point (x, p)
means "P(annual loss > x) ≤ p"; it is breached when the simulated P̂(L > x) = count(L > x)/n is
above p, evaluated at x itself (no interpolation). Its simulation error is
SE(P̂) = √(P̂(1 − P̂)/n); a point is *marginal* when |P̂ − p| < 2·SE: more years could change
the verdict. The SE used for that judgement is the larger of SE(P̂) and the SE the limit itself
would have, √(p(1 − p)/n) (the standard error under "the true probability is p", as a
binomial test of the limit uses it): with no year above x, SE(P̂) is 0 and would call 0 of
1,000 years against a limit of 0.1 % certain, when 1,000 years cannot tell 0 from 0.1 %.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ToleranceCheck:
    """One tolerance point against the simulated losses."""

    loss: float
    limit: float
    probability: float
    standard_error: float
    years: int = 0
    """The simulated years behind `probability` (0: unknown, judge by `standard_error`)."""

    @property
    def breached(self) -> bool:
        return self.probability > self.limit

    @property
    def marginal(self) -> bool:
        at_limit = math.sqrt(self.limit * (1 - self.limit) / self.years) if self.years else 0.0
        return abs(self.probability - self.limit) < 2 * max(self.standard_error, at_limit)


def check_tolerance(
    losses: np.ndarray, points: Sequence[tuple[float, float]]
) -> list[ToleranceCheck]:
    """Each (loss, highest acceptable exceedance probability) point checked against `losses`
    (one simulated annual loss a year), in the order given."""
    ordered = np.sort(losses)
    n = len(ordered)
    if n == 0:
        raise ValueError("no simulated years to check the tolerance against")
    checks = []
    for loss, limit in points:
        above = n - int(np.searchsorted(ordered, loss, side="right"))
        probability = above / n
        error = math.sqrt(probability * (1 - probability) / n)
        checks.append(ToleranceCheck(float(loss), float(limit), probability, error, n))
    return checks
