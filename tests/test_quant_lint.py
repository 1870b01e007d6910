"""Invalid loss inputs through `riskctl lint --format json`: each check of the `quant:` block
(riskctl/model/quant.py) is a finding at the offending value or mapping, with a message that
says what is expected; each check of riskctl.yaml's `quant:` (QuantConfig) is exit 3 naming
riskctl.yaml:line:col."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import FROZEN_NOW
from tests.rules.test_cases import build_register

runner = CliRunner()

HEAD = """\
id: R-001
title: Card testing through gift-coin purchases
category: payments-fraud
owner: payments-risk
inherent: {likelihood: 4, impact: 4}
controls: [C-001, C-002]
kris: [KRI-001]
treatment: mitigate
reviewed: 2026-10-01
quant:
"""
#: The first line of the quant block's body in a risk file.
FIRST = HEAD.count("\n") + 1

FREQUENCY = "  frequency: {poisson: {lambda: 2}}\n"
MAGNITUDE = "  magnitude: {lognormal: {low: 1000, high: 50000}}\n"

#: case -> (the block's body, the finding's line within it (1 = first), its column, the message)
CASES: dict[str, tuple[str, int, int, str]] = {
    "pert-out-of-order": (
        "  frequency: {pert: {low: 2, mode: 9, high: 4}}\n" + MAGNITUDE,
        1,
        21,
        "quant.frequency.pert: a PERT: expected low <= mode <= high and low < high, "
        "not low 2, mode 9, high 4",
    ),
    "pert-of-one-point": (
        FREQUENCY + "  magnitude: {pert: {low: 5, mode: 5, high: 5}}\n",
        2,
        21,
        "quant.magnitude.pert: a PERT: expected low <= mode <= high and low < high, "
        "not low 5, mode 5, high 5",
    ),
    "pert-rate-above-a-million": (
        "  frequency: {pert: {low: 1, mode: 2, high: 2000000}}\n" + MAGNITUDE,
        1,
        45,
        "quant.frequency.pert.high: input should be less than or equal to 1000000, found 2000000",
    ),
    "poisson-rate-above-a-million": (
        "  frequency: {poisson: {lambda: 1.5e6}}\n" + MAGNITUDE,
        1,
        33,
        "quant.frequency.poisson.lambda: input should be less than or equal to 1000000, "
        "found 1500000.0",
    ),
    "negative-rate": (
        "  frequency: {poisson: {lambda: -1}}\n" + MAGNITUDE,
        1,
        33,
        "quant.frequency.poisson.lambda: input should be greater than or equal to 0, found -1",
    ),
    "no-frequency-form": (
        "  frequency: {}\n" + MAGNITUDE,
        1,
        14,
        "quant.frequency: a frequency: expected exactly one of `poisson`, `pert`, `fair`",
    ),
    "two-frequency-forms": (
        "  frequency:\n    poisson: {lambda: 2}\n    pert: {low: 1, mode: 2, high: 3}\n"
        + MAGNITUDE,
        2,
        5,
        "quant.frequency: a frequency: expected exactly one of `poisson`, `pert`, `fair`; "
        "found `poisson`, `pert`",
    ),
    "two-threat-event-frequency-forms": (
        "  frequency:\n    fair:\n      threat_event_frequency:\n"
        "        poisson: {lambda: 2}\n        pert: {low: 1, mode: 2, high: 3}\n"
        "      vulnerability: 0.3\n" + MAGNITUDE,
        4,
        9,
        "quant.frequency.fair.threat_event_frequency: a rate: expected exactly one of "
        "`poisson`, `pert`; found `poisson`, `pert`",
    ),
    "vulnerability-given-twice": (
        "  frequency:\n    fair:\n      threat_event_frequency: {poisson: {lambda: 2}}\n"
        "      vulnerability: 0.3\n      threat_capability: {low: 0, mode: 0.5, high: 1}\n"
        "      control_strength: {low: 0, mode: 0.5, high: 1}\n" + MAGNITUDE,
        3,
        7,
        "quant.frequency.fair: vulnerability: expected `vulnerability`, or "
        "`threat_capability` and `control_strength`, not both",
    ),
    "vulnerability-half-given": (
        "  frequency:\n    fair:\n      threat_event_frequency: {poisson: {lambda: 2}}\n"
        "      threat_capability: {low: 0, mode: 0.5, high: 1}\n" + MAGNITUDE,
        3,
        7,
        "quant.frequency.fair: vulnerability: expected `vulnerability`, or both "
        "`threat_capability` and `control_strength`",
    ),
    "vulnerability-above-1": (
        "  frequency:\n    fair:\n      threat_event_frequency: {poisson: {lambda: 2}}\n"
        "      vulnerability: 1.5\n" + MAGNITUDE,
        4,
        22,
        "quant.frequency.fair.vulnerability: input should be less than or equal to 1, found 1.5",
    ),
    "missing-threat-event-frequency": (
        "  frequency:\n    fair: {vulnerability: 0.3}\n" + MAGNITUDE,
        2,
        11,
        "missing required key 'threat_event_frequency' in quant.frequency.fair",
    ),
    "no-magnitude-form": (
        FREQUENCY + "  magnitude: {secondary: {pert: {low: 0, mode: 1, high: 2}}}\n",
        2,
        14,
        "quant.magnitude: a magnitude: expected exactly one of `lognormal`, `pert`",
    ),
    "lognormal-backwards": (
        FREQUENCY + "  magnitude: {lognormal: {low: 50000, high: 1000}}\n",
        2,
        26,
        "quant.magnitude.lognormal: a lognormal interval: expected low < high, not "
        "low 50000, high 1000",
    ),
    "lognormal-too-wide": (
        FREQUENCY + "  magnitude: {lognormal: {low: 0.001, high: 1e15}}\n",
        2,
        26,
        "quant.magnitude.lognormal: the interval [0.001, 1e+15] at level 0.9 is too wide to "
        "estimate a loss: expected sigma at most 10, not 12.6",
    ),
    "lognormal-level-of-1": (
        FREQUENCY + "  magnitude: {lognormal: {low: 1000, high: 50000, level: 1}}\n",
        2,
        58,
        "quant.magnitude.lognormal.level: input should be less than 1, found 1",
    ),
    # (1 + level) / 2 rounds to 0.5 below a level of about 1e-16: z = 0, no interval at all
    # (it was a ZeroDivisionError, exit 4, in the model's own check).
    "lognormal-level-too-small-to-read": (
        FREQUENCY + "  magnitude: {lognormal: {low: 1000, high: 50000, level: 1e-300}}\n",
        2,
        26,
        "quant.magnitude.lognormal: the interval [1000, 50000] at level 1e-300 is too wide to "
        "estimate a loss: expected sigma at most 10, not inf",
    ),
    "lognormal-low-of-0": (
        FREQUENCY + "  magnitude: {lognormal: {low: 0, high: 50000}}\n",
        2,
        32,
        "quant.magnitude.lognormal.low: input should be greater than 0, found 0",
    ),
    "secondary-without-a-form": (
        FREQUENCY + "  magnitude:\n    pert: {low: 0, mode: 1, high: 2}\n"
        "    secondary: {probability: 0.5}\n",
        4,
        16,
        "quant.magnitude.secondary: a secondary loss: expected exactly one of `lognormal`, `pert`",
    ),
    "secondary-probability-above-1": (
        FREQUENCY + "  magnitude:\n    pert: {low: 0, mode: 1, high: 2}\n"
        "    secondary: {probability: 2, pert: {low: 0, mode: 1, high: 2}}\n",
        4,
        30,
        "quant.magnitude.secondary.probability: input should be less than or equal to 1, found 2",
    ),
    "unknown-pert-method": (
        FREQUENCY + MAGNITUDE + "  pert_method: vose\n",
        3,
        16,
        "quant.pert_method: input should be 'modified' or 'pyfair-moments', found 'vose'",
    ),
    "pert-gamma-of-0": (
        FREQUENCY + MAGNITUDE + "  pert_gamma: 0\n",
        3,
        15,
        "quant.pert_gamma: input should be greater than or equal to 0.1, found 0",
    ),
    "empty-residual": (
        FREQUENCY + MAGNITUDE + "  residual: {}\n",
        3,
        13,
        "quant.residual: expected `frequency`, `magnitude` or both",
    ),
    "residual-with-a-bad-rate": (
        FREQUENCY + MAGNITUDE + "  residual:\n    frequency: {poisson: {lambda: .inf}}\n",
        4,
        35,
        "quant.residual.frequency.poisson.lambda: expected a finite number from -10^15 to "
        "10^15 (1e15), found inf",
    ),
    "the-old-per-risk-currency": (
        FREQUENCY + MAGNITUDE + "  currency: EUR\n",
        3,
        3,
        "unknown key 'currency'; the currency is the register's, riskctl.yaml `quant: currency:`",
    ),
    "no-magnitude": (
        FREQUENCY,
        1,
        3,
        "missing required key 'magnitude' in quant",
    ),
}


def lint_json(register: Path) -> tuple[int, list[dict[str, object]]]:
    result = runner.invoke(app, ["lint", str(register), "--format", "json", "--now", FROZEN_NOW])
    assert result.stderr == ""
    findings = json.loads(result.stdout)["findings"]
    assert isinstance(findings, list)
    return result.exit_code, findings


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_invalid_loss_input_is_a_finding_at_its_place(tmp_path: Path, case: str) -> None:
    body, line, col, message = CASES[case]
    register = build_register(tmp_path, {"risks/R-001.yaml": HEAD + body})
    code, findings = lint_json(register)
    assert code == 1
    mine = [
        (finding["line"], finding["col"], finding["code"], finding["message"])
        for finding in findings
        if str(finding["file"]).endswith("risks/R-001.yaml")
    ]
    rule = "RK005" if message.startswith("unknown key") else "RK007"
    rule = "RK006" if message.startswith("missing") else rule
    assert mine == [(FIRST - 1 + line, col, rule, message)]


def test_every_form_of_the_block_is_valid(tmp_path: Path) -> None:
    body = (
        "  frequency:\n    fair:\n"
        "      threat_event_frequency: {pert: {low: 1, mode: 2, high: 5}}\n"
        "      threat_capability: {low: 0, mode: 0.5, high: 1}\n"
        "      control_strength: {low: 0.2, mode: 0.6, high: 0.9}\n"
        "  magnitude:\n    lognormal: {low: 1000, high: 50000, level: 0.8}\n"
        "    secondary: {probability: 0.1, lognormal: {low: 10000, high: 90000}}\n"
        "  pert_method: pyfair-moments\n  pert_gamma: 6\n"
        "  residual:\n    magnitude: {pert: {low: 0, mode: 800, high: 20000}}\n"
    )
    register = build_register(tmp_path, {"risks/R-001.yaml": HEAD + body})
    assert lint_json(register) == (0, [])


BASE_CONFIG = """\
version: 1
categories:
  - {id: payments-fraud, name: Payments fraud, appetite: medium}
  - {id: account-security, name: Account security, appetite: low}
"""

#: riskctl.yaml's quant: -> the position and message of the error.
CONFIG_CASES: dict[str, tuple[str, str]] = {
    "currency: usd": ("5:19", "quant.currency: expected text matching ^[A-Z]{3}$, found 'usd'"),
    "years: 0": ("5:16", "quant.years: input should be greater than or equal to 1, found 0"),
    "years: 1.5": ("5:16", "quant.years: input should be a valid integer, found 1.5"),
    "years: 10000001": (
        "5:16",
        "quant.years: input should be less than or equal to 10000000, found 10000001",
    ),
    "seed: -1": ("5:15", "quant.seed: input should be greater than or equal to 0, found -1"),
    "semantics: fair": (
        "5:20",
        "quant.semantics: input should be 'compound-poisson' or 'fair-product', found 'fair'",
    ),
    "tolerance: [{loss: .inf, probability: 0.1}]": (
        "5:28",
        "quant.tolerance.0.loss: input should be a finite number, found inf",
    ),
    "tolerance: [{loss: 0, probability: 0.1}]": (
        "5:28",
        "quant.tolerance.0.loss: input should be greater than 0, found 0",
    ),
    "tolerance: [{loss: 1e16, probability: 0.1}]": (
        "5:28",
        "quant.tolerance.0.loss: input should be less than or equal to 1000000000000000, "
        "found 1e+16",
    ),
    "tolerance: [{loss: 100, probability: 1}]": (
        "5:46",
        "quant.tolerance.0.probability: input should be less than 1, found 1",
    ),
    "tolerance: [{loss: 100, probability: 0.1}, {loss: 100, probability: 0.01}]": (
        "5:8",
        "quant: tolerance points must be in strictly increasing `loss`",
    ),
    "tolerance: [{loss: 100, probability: 0.1}, {loss: 500, probability: 0.2}]": (
        "5:8",
        "quant: tolerance probability rises from 0.1 to 0.2 at loss 500: a larger loss cannot "
        "be more acceptable than a smaller one",
    ),
    "tolerance: {loss: 100}": (
        "5:20",
        "quant.tolerance: input should be a valid list, found {'loss': 100}",
    ),
}


@pytest.mark.parametrize("setting", sorted(CONFIG_CASES))
def test_each_invalid_quant_setting_is_exit_3_at_its_place(tmp_path: Path, setting: str) -> None:
    register = build_register(tmp_path, {"riskctl.yaml": BASE_CONFIG + f"quant: {{{setting}}}\n"})
    result = runner.invoke(app, ["lint", str(register), "--format", "json", "--now", FROZEN_NOW])
    where, message = CONFIG_CASES[setting]
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        f"riskctl: error: invalid configuration:\n  {register}/riskctl.yaml:{where}: "
        f"{message} [RK007]\n"
    )


def test_a_misspelt_form_is_an_unknown_key_and_the_missing_form_both(tmp_path: Path) -> None:
    """`poison:` for `poisson:` is an unknown key; without it no form is left, which the
    model finds only once every field is valid. Both are findings, and the file does not load
    (before, lint said only "unknown key" while the loader dropped the file: they disagreed,
    found by `make fuzz`)."""
    body = "  frequency:\n    poison: {lambda: 1}\n" + MAGNITUDE
    register = build_register(tmp_path, {"risks/R-001.yaml": HEAD + body})
    code, findings = lint_json(register)
    assert code == 1
    mine = [
        (finding["code"], finding["message"])
        for finding in findings
        if str(finding["file"]).endswith("risks/R-001.yaml")
    ]
    assert ("RK005", "unknown key 'poison'; did you mean 'poisson'?") in mine
    assert (
        "RK007",
        "quant.frequency: a frequency: expected exactly one of `poisson`, `pert`, `fair`",
    ) in mine
    result = runner.invoke(app, ["score", str(register), "--now", FROZEN_NOW])
    assert result.exit_code == 3 and "R-001.yaml" in result.stderr
