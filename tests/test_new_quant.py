"""`riskctl new risk --set quant...`: dotted paths through the exactly-one-of forms, the aliased
key `lambda`, whole mappings in flow style; the file holds what was asked, validates, and is
already in `riskctl fmt`'s canonical form."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest

from riskctl import fmt
from riskctl.errors import RiskctlError
from riskctl.load import Loaded, load, parse, read_directory, validate
from riskctl.model.register import KIND_BY_NAME
from riskctl.model.risk import Risk
from riskctl.newentity import NewFile, UsageProblem, parse_setting, plan_new
from tests.conftest import FROZEN_NOW, SHIPPED_REGISTER, check_golden

GOLDEN = Path(__file__).parent / "golden" / "new"
TODAY = datetime.date.fromisoformat(FROZEN_NOW)
NEEDS = ("owner=payments-risk", "category=payments-fraud")


@pytest.fixture(scope="module")
def shipped() -> Loaded:
    return load(read_directory(SHIPPED_REGISTER))


def planned(shipped: Loaded, *settings: str) -> NewFile:
    parsed = [parse_setting(each) for each in (*NEEDS, *settings)]
    return plan_new(shipped, SHIPPED_REGISTER, KIND_BY_NAME["risk"], None, parsed, TODAY)


def quant_of(new: NewFile) -> dict[str, Any]:
    """The file's quant: block as data, after checking the file validates and is canonical."""
    file = f"risks/{new.path.name}"
    parsed = parse(file, new.text.encode())
    assert parsed.hits == ()
    assert isinstance(parsed.data, dict)
    risk, hits = validate(file, parsed.data, Risk)
    assert hits == [] and risk is not None
    outcome = fmt.format_bytes(file, new.text.encode(), fmt.shape_for(file))
    assert outcome.problem is None and outcome.after in (None, new.text.encode())
    quant = parsed.data["quant"]
    assert isinstance(quant, dict)
    return quant


FORMS: dict[str, tuple[list[str], dict[str, Any]]] = {
    "poisson-lognormal": (
        [
            "quant.frequency.poisson.lambda=0.5",
            "quant.magnitude.lognormal.low=1000",
            "quant.magnitude.lognormal.high=50000",
        ],
        {
            "frequency": {"poisson": {"lambda": 0.5}},
            "magnitude": {"lognormal": {"low": 1000, "high": 50000}},
        },
    ),
    "pert-pert-secondary-settings": (
        [
            "quant.frequency.pert={low: 1, mode: 2, high: 6}",
            "quant.magnitude.pert.low=0",
            "quant.magnitude.pert.mode=4000",
            "quant.magnitude.pert.high=80000",
            "quant.magnitude.secondary={probability: 0.2, lognormal: {low: 1e4, high: 1e6}}",
            "quant.pert_method=pyfair-moments",
            "quant.pert_gamma=6",
        ],
        {
            "frequency": {"pert": {"low": 1, "mode": 2, "high": 6}},
            "magnitude": {
                "pert": {"low": 0, "mode": 4000, "high": 80000},
                "secondary": {"probability": 0.2, "lognormal": {"low": 1e4, "high": 1e6}},
            },
            "pert_method": "pyfair-moments",
            "pert_gamma": 6,
        },
    ),
    "fair-and-residual": (
        [
            "quant.frequency.fair.threat_event_frequency.poisson.lambda=12",
            "quant.frequency.fair.threat_capability={low: 0.5, mode: 0.7, high: 0.9}",
            "quant.frequency.fair.control_strength.low=0.4",
            "quant.frequency.fair.control_strength.mode=0.6",
            "quant.frequency.fair.control_strength.high=0.85",
            "quant.magnitude.lognormal={low: 1000000, high: 25000000, level: 0.8}",
            "quant.residual.frequency.fair.threat_event_frequency.pert.low=1",
            "quant.residual.frequency.fair.threat_event_frequency.pert.mode=2",
            "quant.residual.frequency.fair.threat_event_frequency.pert.high=3",
            "quant.residual.frequency.fair.vulnerability=0.1",
        ],
        {
            "frequency": {
                "fair": {
                    "threat_event_frequency": {"poisson": {"lambda": 12}},
                    "threat_capability": {"low": 0.5, "mode": 0.7, "high": 0.9},
                    "control_strength": {"low": 0.4, "mode": 0.6, "high": 0.85},
                }
            },
            "magnitude": {"lognormal": {"low": 1000000, "high": 25000000, "level": 0.8}},
            "residual": {
                "frequency": {
                    "fair": {
                        "threat_event_frequency": {"pert": {"low": 1, "mode": 2, "high": 3}},
                        "vulnerability": 0.1,
                    }
                }
            },
        },
    ),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_by_dotted_paths_and_flow_mappings(shipped: Loaded, form: str) -> None:
    settings, expected = FORMS[form]
    assert quant_of(planned(shipped, *settings)) == expected


def test_a_risk_with_a_quant_block_matches_its_golden(shipped: Loaded, update_golden: bool) -> None:
    """The block's fields in model order, each with its description as a comment."""
    new = planned(shipped, *FORMS["fair-and-residual"][0])
    check_golden(GOLDEN / "shipped" / "risk-quant.yaml", new.text, update_golden)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["quant.frequency.poisson.lambda_=1"], "unknown field 'lambda_' in quant.frequency."),
        (["quant.currency=EUR"], "unknown field 'currency' in quant"),
        (["quant.frequency.poisson=3"], "quant.frequency.poisson: a mapping; set its keys"),
        (["quant.frequency.lambda=3"], "unknown field 'lambda' in quant.frequency"),
    ],
)
def test_a_wrong_quant_path_is_a_usage_problem(
    shipped: Loaded, settings: list[str], message: str
) -> None:
    with pytest.raises(UsageProblem, match=re.escape(message)):
        planned(shipped, *settings)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            [
                "quant.frequency.poisson.lambda=4",
                "quant.frequency.pert={low: 1, mode: 2, high: 3}",
                "quant.magnitude.pert={low: 1, mode: 2, high: 3}",
            ],
            "quant.frequency: a frequency: expected exactly one of `poisson`, `pert`, `fair`; "
            "found `poisson`, `pert`",
        ),
        (["quant.frequency.poisson.lambda=0.5"], "missing required key 'magnitude' in quant"),
        (
            [
                "quant.frequency.poisson.lambda=-1",
                "quant.magnitude.pert={low: 1, mode: 2, high: 3}",
            ],
            "quant.frequency.poisson.lambda: input should be greater than or equal to 0",
        ),
        (
            ["quant.frequency.poisson.lambda=1", "quant.magnitude.lognormal={low: 9, high: 2}"],
            "quant.magnitude.lognormal: a lognormal interval: expected low < high",
        ),
    ],
)
def test_an_invalid_quant_block_is_refused(
    shipped: Loaded, settings: list[str], message: str
) -> None:
    with pytest.raises(RiskctlError, match=re.escape(message)):
        planned(shipped, *settings)
