"""The optional `quant:` block of a risk: inputs for Monte Carlo loss quantification.

The forms follow `../shared/reference/quantification.md`: frequency (events a year) as a Poisson
rate, a PERT rate drawn per simulated year, or FAIR-decomposed (threat event frequency x
vulnerability, §1); magnitude (loss per event) as a lognormal read from a central confidence
interval (§2.1) or a PERT (§2.2), with an optional secondary loss (FAIR: sum of SLEF x SLEM,
here one secondary loss with the probability it follows a primary one).
`riskctl/quant/inputs.py` turns a block into distributions.

Bounds that keep every run finite and bounded in time: a rate is at most `MAX_RATE` events a
year, and a lognormal's sigma at most `MAX_SIGMA` (E[X^2] = e^(2mu + 2sigma^2) stays far below
the float maximum for every amount the register allows).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from riskctl.model.common import STRICT, NonNegative, Number, Positive

#: The most events a year a frequency may give: a million. Above it, model the events in
#: aggregate (a day's or a week's losses as one event): simulating is linear in events.
MAX_RATE = 1e6
#: The widest lognormal allowed: sigma = 10 (at a 90 % level, high/low up to about 10^14).
MAX_SIGMA = 10.0

Rate = Annotated[NonNegative, Field(le=MAX_RATE)]
"""Events a year, from 0 to a million."""
Probability = Annotated[Number, Field(ge=0, le=1)]
"""A probability, from 0 to 1."""
Level = Annotated[Number, Field(gt=0, lt=1)]
"""A confidence level strictly between 0 and 1."""
Gamma = Annotated[Number, Field(ge=0.1, le=100)]
"""A PERT shape parameter from 0.1 to 100: below 0.1 a Beta puts its mass within 1e-308 of an
end, where floating point cannot follow it."""


def _one_of(*names: str) -> ConfigDict:
    """STRICT, and JSON Schema's `oneOf`: exactly one of the keys (editors check it too)."""
    return ConfigDict(
        **STRICT, json_schema_extra={"oneOf": [{"required": [name]} for name in names]}
    )


def _exactly_one(model: BaseModel, names: tuple[str, ...], what: str) -> None:
    given = [name for name in names if getattr(model, name) is not None]
    if len(given) != 1:
        options = ", ".join(f"`{name}`" for name in names)
        found = f"; found {', '.join(f'`{name}`' for name in given)}" if given else ""
        raise ValueError(f"{what}: expected exactly one of {options}{found}")


class ThreePoint(BaseModel):
    """A PERT three-point estimate: the lowest plausible, the most likely, the highest."""

    model_config = STRICT
    low: NonNegative
    """The lowest plausible value."""
    mode: NonNegative
    """The most likely value."""
    high: Positive
    """The highest plausible value."""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError(
                f"a PERT: expected low <= mode <= high and low < high, not "
                f"low {self.low:g}, mode {self.mode:g}, high {self.high:g}"
            )
        return self


class RateThreePoint(ThreePoint):
    """A PERT three-point estimate of a rate (events a year), at most a million."""

    high: Annotated[Positive, Field(le=MAX_RATE)]
    """The highest plausible rate."""


class Poisson(BaseModel):
    """A fixed rate: N ~ Poisson(lambda) events a year."""

    model_config = STRICT  # `lambda` only: no populate_by_name, so `lambda_:` is unknown
    lambda_: Rate = Field(alias="lambda")
    """lambda, the mean number of events a year (0.1 = once in ten years on average)."""


class Rates(BaseModel):
    """Events a year: a fixed Poisson rate, or a rate drawn per simulated year from a PERT."""

    model_config = _one_of("poisson", "pert")
    poisson: Poisson | None = None
    """A fixed rate `{lambda: ...}`."""
    pert: RateThreePoint | None = None
    """A rate drawn per simulated year: `{low, mode, high}` events a year."""

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        _exactly_one(self, ("poisson", "pert"), "a rate")
        return self


class Fair(BaseModel):
    """FAIR's loss event frequency: threat event frequency x vulnerability (Open FAIR)."""

    model_config = STRICT
    threat_event_frequency: Rates
    """How often a threat acts against the asset, events a year (`poisson` or `pert`)."""
    vulnerability: Probability | None = None
    """P(a threat event becomes a loss event), when estimated directly."""
    threat_capability: ThreePoint | None = None
    """The threat's capability on the same scale as `control_strength` (e.g. 0-1), as a PERT;
    with it, vulnerability = P(threat capability > control strength)."""
    control_strength: ThreePoint | None = None
    """The strength of the controls resisting the threat (Open FAIR's resistance strength)."""

    @model_validator(mode="after")
    def _one_vulnerability(self) -> Self:
        pair = (self.threat_capability, self.control_strength)
        if self.vulnerability is not None and any(part is not None for part in pair):
            raise ValueError(
                "vulnerability: expected `vulnerability`, or `threat_capability` and "
                "`control_strength`, not both"
            )
        if self.vulnerability is None and any(part is None for part in pair):
            raise ValueError(
                "vulnerability: expected `vulnerability`, or both `threat_capability` and "
                "`control_strength`"
            )
        return self


class FrequencyInput(BaseModel):
    """Loss events a year: `poisson`, `pert`, or `fair` (threat events x vulnerability)."""

    model_config = _one_of("poisson", "pert", "fair")
    poisson: Poisson | None = None
    """A fixed rate `{lambda: ...}`: N ~ Poisson(lambda) loss events a year."""
    pert: RateThreePoint | None = None
    """A rate drawn per simulated year from a PERT `{low, mode, high}`."""
    fair: Fair | None = None
    """FAIR-decomposed: threat event frequency x vulnerability."""

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        _exactly_one(self, ("poisson", "pert", "fair"), "a frequency")
        return self


class LognormalInput(BaseModel):
    """A lognormal loss read from a central confidence interval: `level` of losses fall
    between `low` and `high` (5 % below and 5 % above at the default 0.9)."""

    model_config = STRICT
    low: Positive
    """The interval's lower end (the 5th percentile at level 0.9)."""
    high: Positive
    """The interval's upper end (the 95th percentile at level 0.9)."""
    level: Level = 0.9
    """The interval's confidence level, strictly between 0 and 1."""

    @model_validator(mode="after")
    def _interval(self) -> Self:
        if not self.low < self.high:
            raise ValueError(
                f"a lognormal interval: expected low < high, not low {self.low:g}, "
                f"high {self.high:g}"
            )
        z = NormalDist().inv_cdf((1 + self.level) / 2)
        # Below a level of about 1e-16, (1 + level) / 2 rounds to 0.5 and z is 0: an interval
        # that says nothing of the spread, read as infinitely wide.
        spread = math.log(self.high) - math.log(self.low)
        sigma = spread / (2 * z) if z > 0 else math.inf
        if sigma > MAX_SIGMA:
            raise ValueError(
                f"the interval [{self.low:g}, {self.high:g}] at level {self.level:g} is too wide "
                f"to estimate a loss: expected sigma at most {MAX_SIGMA:g}, not {sigma:.3g}"
            )
        return self


class SecondaryLoss(BaseModel):
    """A loss that follows a primary loss with some probability (fines, litigation, churn)."""

    model_config = _one_of("lognormal", "pert")
    probability: Probability = 1.0
    """P(a loss event also brings the secondary loss); 1 by default."""
    lognormal: LognormalInput | None = None
    """The secondary loss as a lognormal interval."""
    pert: ThreePoint | None = None
    """The secondary loss as a PERT."""

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        _exactly_one(self, ("lognormal", "pert"), "a secondary loss")
        return self


class MagnitudeInput(BaseModel):
    """Loss per event, in the register's currency (`quant.currency` in riskctl.yaml)."""

    model_config = _one_of("lognormal", "pert")
    lognormal: LognormalInput | None = None
    """A lognormal `{low, high}` read as a 90 % interval (`level` to change it)."""
    pert: ThreePoint | None = None
    """A PERT `{low, mode, high}`."""
    secondary: SecondaryLoss | None = None
    """An optional secondary loss added to the primary one."""

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        _exactly_one(self, ("lognormal", "pert"), "a magnitude")
        return self


class ResidualQuant(BaseModel):
    """Explicit residual inputs; a part given here replaces the credited one."""

    model_config = STRICT
    frequency: FrequencyInput | None = None
    """Loss events a year after controls; without it, the inherent frequency scaled by the
    controls' likelihood credit."""
    magnitude: MagnitudeInput | None = None
    """Loss per event after controls; without it, the inherent magnitude scaled by the
    controls' impact credit."""

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.frequency is None and self.magnitude is None:
            raise ValueError("expected `frequency`, `magnitude` or both")
        return self


class Quant(BaseModel):
    """Inputs for Monte Carlo loss quantification (optional; see `riskctl quant`)."""

    model_config = STRICT
    frequency: FrequencyInput
    """Loss events a year before controls: `poisson`, `pert` or `fair`."""
    magnitude: MagnitudeInput
    """Loss per event before controls: `lognormal` or `pert`, and an optional `secondary`."""
    pert_method: Literal["modified", "pyfair-moments"] = "modified"
    """How every PERT of this block is read: `modified` (Vose's, the default) or
    `pyfair-moments` (pyfair's method-of-moments variant, for comparison)."""
    pert_gamma: Gamma = 4.0
    """The PERT shape gamma (4 by default): higher concentrates more weight on the mode."""
    residual: ResidualQuant | None = None
    """Explicit inputs after controls, instead of the controls' credits."""
