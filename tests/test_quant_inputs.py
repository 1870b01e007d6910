"""riskctl.quant.inputs on hand-built registers: each `quant:` form read as the distributions of
../shared/reference/quantification.md, the residual scaled by exactly the credits `score`
computes (§4), explicit residual inputs, return on control spend, and which risks a run takes.

Registers are written as YAML into a temporary folder and read through riskctl's loader
(`register_source`, `read_register`), then scored with `score_register`. Every expected value
is computed here by hand from the reference's formulas (the arithmetic is in the docstrings).
Credits: the defaults, effective 0.6 and partially-effective 0.3, compound unless stated.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pydantic import ValidationError

from riskctl.errors import RiskctlError
from riskctl.model.control import Control
from riskctl.model.register import Register
from riskctl.quant.analytic import Lognormal, Pert, vulnerability
from riskctl.quant.inputs import RiskQuant, quantify, quantify_register, total_cost
from riskctl.quant.run import run_register
from riskctl.score.query import find
from riskctl.score.residual import score_register
from riskctl.source import read_register, register_source

#: Φ⁻¹(0.95) and Φ⁻¹(0.9) (§2.1's table), for lognormals read by hand.
Z90 = 1.6448536269514722
Z80 = 1.2815515655446004

CONFIG = """\
version: 1
categories:
  - id: ops
    name: Operations
    appetite: medium
"""


def risk_yaml(
    risk_id: str,
    quant: str | None,
    *,
    controls: tuple[str, ...] = (),
    status: str = "open",
) -> str:
    """A risk file; `quant` is the block's body, indented under `quant:`."""
    text = (
        f"id: {risk_id}\ntitle: Risk {risk_id}\ncategory: ops\nowner: team\nstatus: {status}\n"
        "inherent: {likelihood: 4, impact: 4}\n"
        f"controls: [{', '.join(controls)}]\n"
    )
    if quant is not None:
        body = "\n".join(f"  {line}" if line else "" for line in quant.strip("\n").splitlines())
        text += f"quant:\n{body}\n"
    return text


def control_yaml(
    control_id: str,
    reduces: str,
    *,
    grade: str = "effective",
    status: str = "active",
    cost: str | None = None,
    operating: str = "pass",
) -> str:
    """A control with a passing design test and an operating test (dated 2026-06-01) of the
    given result, so its grade earns full credit (no untested cap)."""
    text = (
        f"id: {control_id}\ntitle: Control {control_id}\nowner: team\nnature: preventive\n"
        f"status: {status}\nreduces: {reduces}\n"
        f"effectiveness: {{design: {grade}, operating: {grade}}}\n"
        "tests:\n"
        "  - {date: 2026-01-10, type: design, result: pass}\n"
        f"  - {{date: 2026-06-01, type: operating, result: {operating}}}\n"
    )
    if cost is not None:
        text += f"annual_cost: {cost}\n"
    return text


def load(root: Path, files: dict[str, str], config: str = CONFIG) -> Register:
    """Write a register (`riskctl.yaml` and `files`, path → text) and load it as riskctl does."""
    folder = root / "register"
    for path, text in {"riskctl.yaml": config, **files}.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return read_register(register_source(folder)).register


def quantified(register: Register, risk_id: str) -> RiskQuant:
    result = quantify(find(score_register(register), risk_id), register.by_id(Control))
    assert result is not None
    return result


def one(tmp_path: Path, quant: str, **files: str) -> RiskQuant:
    """The quantified R-001 of a register holding it (and `files`)."""
    register = load(tmp_path, {"risks/R-001.yaml": risk_yaml("R-001", quant), **files})
    return quantified(register, "R-001")


# --- every form ---------------------------------------------------------------------------


def test_poisson_and_a_90_percent_lognormal_give_riskquant_published_ale(tmp_path: Path) -> None:
    """§8.1 SimpleLoss(0.1, 1, 10): 0.4040012826945718 (7 places). No controls: the residual is
    the inherent model."""
    risk = one(
        tmp_path,
        """
frequency: {poisson: {lambda: 0.1}}
magnitude: {lognormal: {low: 1, high: 10}}
""",
    )
    assert risk.inherent.ale == pytest.approx(0.4040012826945718, abs=5e-8)
    assert risk.residual == risk.inherent
    assert (risk.likelihood_reduction, risk.impact_reduction) == (0.0, 0.0)
    assert (risk.frequency_source, risk.magnitude_source) == ("credited", "credited")
    assert risk.credited_costs == () and risk.control_cost is None and risk.rosi is None


def test_riskquant_defect_1_through_a_register_risk(tmp_path: Path) -> None:
    """§7: PERTLoss(1, 10, 0.1, 0.7, 0.3, kurtosis=1) is a PERT rate (0.1, 0.3, 0.7) with γ = 1
    and a 90 % lognormal [1, 10]: E[N] = (0.1 + 0.3 + 0.7)/3 = 0.366667, ALE = E[N]·4.0400128...
    = 1.4813380365 (not riskquant's 1.2120038962, the mode × E[X])."""
    risk = one(
        tmp_path,
        """
frequency: {pert: {low: 0.1, mode: 0.3, high: 0.7}}
magnitude: {lognormal: {low: 1, high: 10}}
pert_gamma: 1
""",
    )
    assert risk.inherent.frequency.mean == pytest.approx(1.1 / 3, rel=1e-15)
    assert risk.inherent.ale == pytest.approx(1.4813380365, abs=5e-11)


def test_a_lognormal_at_level_0_8(tmp_path: Path) -> None:
    """[1, 10] as an 80 % interval: μ = ln √10, σ = ln 10/(2·1.2815515655446004) = 0.8983...,
    mean e^(μ + σ²/2); λ = 2 gives ALE 2·mean."""
    risk = one(
        tmp_path,
        """
frequency: {poisson: {lambda: 2}}
magnitude: {lognormal: {low: 1, high: 10, level: 0.8}}
""",
    )
    sigma = math.log(10) / (2 * Z80)
    assert risk.inherent.ale == pytest.approx(
        2 * math.exp(math.log(10) / 2 + sigma**2 / 2), rel=1e-14
    )


def test_pert_magnitude_with_gamma_and_method(tmp_path: Path) -> None:
    """PERT(10k, 50k, 500k): modified γ = 4: mean (10k + 4·50k + 500k)/6 = 118,333.33, α = 1 +
    4·40/490 = 1.3265; γ = 2: mean (10k + 2·50k + 500k)/4 = 152,500; pyfair-moments γ = 4: the
    same mean, α, β = 1.1495, 4.0500 (§2.2's table)."""
    block = """
frequency: {poisson: {lambda: 1}}
magnitude: {pert: {low: 10000, mode: 50000, high: 500000}}
"""
    modified = one(tmp_path / "a", block)
    assert modified.inherent.ale == pytest.approx(710_000 / 6, rel=1e-15)
    primary = modified.inherent.magnitude.primary
    assert isinstance(primary, Pert)
    assert primary.shape[0] == pytest.approx(1 + 4 * 40 / 490, rel=1e-14)
    flatter = one(tmp_path / "b", block + "pert_gamma: 2\n")
    assert flatter.inherent.ale == pytest.approx(152_500, rel=1e-15)
    pyfair = one(tmp_path / "c", block + "pert_method: pyfair-moments\n")
    assert pyfair.inherent.ale == pytest.approx(710_000 / 6, rel=1e-15)
    pyfair_primary = pyfair.inherent.magnitude.primary
    assert isinstance(pyfair_primary, Pert)
    assert pyfair_primary.shape == pytest.approx((1.1495, 4.0500), abs=5e-4)


def test_a_secondary_loss_with_its_probability(tmp_path: Path) -> None:
    """Primary PERT(0, 5000, 10000) (mean 5,000), secondary 90 % lognormal [1e3, 1e5] (μ = ln 1e4,
    σ = ln 100/(2·Z90)) with probability 0.25: E[X] = 5000 + 0.25·e^(μ + σ²/2); λ = 3."""
    risk = one(
        tmp_path,
        """
frequency: {poisson: {lambda: 3}}
magnitude:
  pert: {low: 0, mode: 5000, high: 10000}
  secondary:
    probability: 0.25
    lognormal: {low: 1000, high: 100000}
""",
    )
    sigma = math.log(100) / (2 * Z90)
    secondary_mean = math.exp(math.log(1e4) + sigma**2 / 2)
    assert risk.inherent.ale == pytest.approx(3 * (5000 + 0.25 * secondary_mean), rel=1e-14)
    assert risk.inherent.magnitude.probability == 0.25


def test_fair_with_a_given_vulnerability(tmp_path: Path) -> None:
    """TEF PERT(1, 5, 20) (mean (1 + 20 + 20)/6 = 41/6) × V 0.2; magnitude PERT(20k, 80k, 400k)
    (mean (20k + 320k + 400k)/6 = 123,333.33): ALE = 41/6 · 0.2 · 740,000/6."""
    risk = one(
        tmp_path,
        """
frequency:
  fair:
    threat_event_frequency: {pert: {low: 1, mode: 5, high: 20}}
    vulnerability: 0.2
magnitude: {pert: {low: 20000, mode: 80000, high: 400000}}
""",
    )
    assert risk.inherent.frequency.mean == pytest.approx(41 / 6 * 0.2, rel=1e-15)
    assert risk.inherent.ale == pytest.approx(41 / 6 * 0.2 * 740_000 / 6, rel=1e-14)


def test_fair_with_capability_and_strength_is_pyfair_case_b(tmp_path: Path) -> None:
    """§8.3 Case B in pyfair's moments PERT: TEF PERT(1, 5, 20), TCap PERT(0.4, 0.6, 0.9), CS
    PERT(0.5, 0.7, 0.95), primary PERT(20k, 80k, 400k), secondary 25k (here PERT(24,999; 25,000;
    25,001), mean exactly 25,000): the analytic mean 6.8333 × V × 148,333 with V the 4M-draw
    reference 0.21289 ≈ 215,794; within the reference's own error (SE of V 2.05e-4, 4 SE)."""
    risk = one(
        tmp_path,
        """
frequency:
  fair:
    threat_event_frequency: {pert: {low: 1, mode: 5, high: 20}}
    threat_capability: {low: 0.4, mode: 0.6, high: 0.9}
    control_strength: {low: 0.5, mode: 0.7, high: 0.95}
magnitude:
  pert: {low: 20000, mode: 80000, high: 400000}
  secondary:
    pert: {low: 24999, mode: 25000, high: 25001}
pert_method: pyfair-moments
""",
    )
    v = vulnerability(
        Pert(0.4, 0.6, 0.9, method="pyfair-moments"),
        Pert(0.5, 0.7, 0.95, method="pyfair-moments"),
    )
    assert risk.inherent.frequency.mean == pytest.approx(41 / 6 * v, rel=1e-15)
    per_v = 41 / 6 * (740_000 / 6 + 25_000)
    assert risk.inherent.ale == pytest.approx(per_v * v, rel=1e-14)
    assert abs(risk.inherent.ale - per_v * 0.21289) < 4 * per_v * 2.05e-4


# --- residual: the credits of `score` ----------------------------------------------------------

INHERENT = """
frequency: {pert: {low: 2, mode: 4, high: 10}}
magnitude:
  lognormal: {low: 40000, high: 900000}
  secondary:
    probability: 0.5
    pert: {low: 1000, mode: 2000, high: 9000}
"""

CONTROLS = {
    "controls/C-001.yaml": control_yaml("C-001", "likelihood"),  # 0.6 L
    "controls/C-002.yaml": control_yaml("C-002", "likelihood", grade="partially-effective"),
    "controls/C-003.yaml": control_yaml("C-003", "impact"),  # 0.6 I
    "controls/C-004.yaml": control_yaml("C-004", "both", grade="partially-effective"),
}


def credited_register(root: Path, combine: str = "compound", **extra: str) -> Register:
    config = CONFIG + f"scoring:\n  combine: {combine}\n"
    ids = ("C-001", "C-002", "C-003", "C-004", *sorted(extra))
    files = {"risks/R-001.yaml": risk_yaml("R-001", INHERENT, controls=ids), **CONTROLS}
    files.update({f"controls/{name}.yaml": text for name, text in extra.items()})
    return load(root, files, config)


def assert_scaled(risk: RiskQuant, keep_likelihood: float, keep_impact: float) -> None:
    """The residual is the inherent model scaled by exactly (1 − R_L) and (1 − R_I)."""
    assert risk.likelihood_reduction == pytest.approx(1 - keep_likelihood, abs=1e-15)
    assert risk.impact_reduction == pytest.approx(1 - keep_impact, abs=1e-15)
    assert risk.residual.frequency == risk.inherent.frequency.scaled(1 - risk.likelihood_reduction)
    assert risk.residual.magnitude == risk.inherent.magnitude.scaled(1 - risk.impact_reduction)
    assert risk.residual.ale == pytest.approx(
        risk.inherent.ale * keep_likelihood * keep_impact, rel=1e-12
    )


def test_compound_credits_scale_frequency_and_magnitude(tmp_path: Path) -> None:
    """Likelihood credits 0.6 (C-001), 0.3 (C-002), 0.3 (C-004 both): 1 − R_L = 0.4·0.7·0.7 =
    0.196; impact 0.6 (C-003), 0.3 (C-004): 1 − R_I = 0.4·0.7 = 0.28. ALE_res = ALE·0.196·0.28."""
    risk = quantified(credited_register(tmp_path), "R-001")
    assert_scaled(risk, 0.196, 0.28)
    assert risk.credited_controls == ("C-001", "C-002", "C-003", "C-004")
    assert risk.uncosted_controls == risk.credited_controls
    assert risk.control_cost is None and risk.rosi is None


def test_strongest_credits(tmp_path: Path) -> None:
    """`combine: strongest`: R_L = max(0.6, 0.3, 0.3) = 0.6, R_I = max(0.6, 0.3) = 0.6."""
    risk = quantified(credited_register(tmp_path, "strongest"), "R-001")
    assert_scaled(risk, 0.4, 0.4)


@pytest.mark.parametrize(
    ("control", "keep_likelihood"),
    [
        # degraded: an effective control capped at partially-effective: 0.196·0.7 (not ·0.4)
        (control_yaml("C-005", "likelihood", status="degraded"), 0.196 * 0.7),
        (control_yaml("C-005", "likelihood", status="planned"), 0.196),  # no credit yet
        (control_yaml("C-005", "likelihood", status="retired"), 0.196),  # never
        (control_yaml("C-005", "likelihood", operating="fail"), 0.196),  # latest test failed
        (control_yaml("C-005", "likelihood"), 0.196 * 0.4),  # active, effective: 0.6
    ],
    ids=["degraded", "planned", "retired", "failed-test", "active"],
)
def test_what_a_fifth_likelihood_control_adds(
    tmp_path: Path, control: str, keep_likelihood: float
) -> None:
    register = credited_register(tmp_path, **{"C-005": control})
    risk = quantified(register, "R-001")
    assert_scaled(risk, keep_likelihood, 0.28)
    credited = keep_likelihood != 0.196
    assert ("C-005" in risk.credited_controls) == credited


def test_a_control_voided_by_an_incident_earns_nothing(tmp_path: Path) -> None:
    """C-001 failed in an incident (2026-07-01) after its latest passing operating test
    (2026-06-01): no credit, so 1 − R_L = 0.7·0.7 = 0.49."""
    incident = (
        "id: INC-2026-001\nkind: incident\ntitle: Failure\noccurred: 2026-07-01\nseverity: 3\n"
        "risks: [R-001]\nfailed_controls: [C-001]\n"
    )
    config = CONFIG
    files = {
        "risks/R-001.yaml": risk_yaml(
            "R-001", INHERENT, controls=("C-001", "C-002", "C-003", "C-004")
        ),
        **CONTROLS,
        "incidents/INC-2026-001.yaml": incident,
    }
    risk = quantified(load(tmp_path, files, config), "R-001")
    assert_scaled(risk, 0.49, 0.28)
    assert "C-001" not in risk.credited_controls


def test_a_credit_that_rounds_to_one_leaves_no_loss(tmp_path: Path) -> None:
    """Credits are below 1, but three at 0.9999999 compound to 1 − (1e-7)³, which is 1.0 in
    floating point: the residual is no loss at all (a PERT scaled to a point mass at 0), never
    an error."""
    config = CONFIG + "scoring:\n  credits: {effective: 0.9999999}\n"
    controls = {f"controls/C-00{n}.yaml": control_yaml(f"C-00{n}", "both") for n in (1, 2, 3)}
    block = """
frequency: {pert: {low: 2, mode: 4, high: 10}}
magnitude: {pert: {low: 1000, mode: 2000, high: 9000}}
"""
    files = {
        "risks/R-001.yaml": risk_yaml("R-001", block, controls=("C-001", "C-002", "C-003")),
        **controls,
    }
    risk = quantified(load(tmp_path, files, config), "R-001")
    assert risk.likelihood_reduction == 1.0 and risk.impact_reduction == 1.0
    assert risk.residual.ale == 0.0
    assert risk.inherent.ale == pytest.approx(28 / 6 * 3000, rel=1e-14)  # (2+16+10)/6·(1k+8k+9k)/6


# --- explicit residual inputs ------------------------------------------------------------------


@pytest.mark.parametrize("parts", ["frequency", "magnitude", "both"])
def test_explicit_residual_inputs_replace_the_credited_part(tmp_path: Path, parts: str) -> None:
    """A part under `quant.residual` replaces the credited one; the other stays credited.
    Explicit frequency Poisson 0.5; explicit magnitude 90 % lognormal [1e4, 1e5] (mean
    e^(ln √1e9 + σ²/2), σ = ln 10/(2·Z90))."""
    residual = {
        "frequency": "  frequency: {poisson: {lambda: 0.5}}\n",
        "magnitude": "  magnitude: {lognormal: {low: 10000, high: 100000}}\n",
    }
    chosen = ["frequency", "magnitude"] if parts == "both" else [parts]
    block = INHERENT + "residual:\n" + "".join(residual[part] for part in chosen)
    files = {
        "risks/R-001.yaml": risk_yaml(
            "R-001", block, controls=("C-001", "C-002", "C-003", "C-004")
        ),
        **CONTROLS,
    }
    risk = quantified(load(tmp_path, files), "R-001")
    sigma = math.log(10) / (2 * Z90)
    explicit_mean = math.exp(math.log(1e9) / 2 + sigma**2 / 2)
    frequency = 0.5 if "frequency" in chosen else risk.inherent.frequency.mean * 0.196
    magnitude = explicit_mean if "magnitude" in chosen else risk.inherent.magnitude.mean * 0.28
    assert risk.residual.ale == pytest.approx(frequency * magnitude, rel=1e-12)
    assert risk.frequency_source == ("explicit" if "frequency" in chosen else "credited")
    assert risk.magnitude_source == ("explicit" if "magnitude" in chosen else "credited")
    # the reductions are still reported: score computed them
    assert risk.likelihood_reduction == pytest.approx(0.804, abs=1e-15)


# --- return on control spend -------------------------------------------------------------------


def test_rosi_by_hand_and_a_shared_control_counted_once(tmp_path: Path) -> None:
    """R-001: λ = 1, PERT(0, 5000, 10000) (mean 5,000), C-001 (likelihood, 0.6, cost 1,000):
    ALE 5,000 → 2,000, ROSI (5000 − 2000 − 1000)/1000 = 2. R-002: λ = 2, the same magnitude,
    C-001 and C-002 (impact, 0.6, cost 500): ALE 10,000 → 10,000·0.4·0.4 = 1,600, cost 1,500,
    ROSI (10000 − 1600 − 1500)/1500 = 4.6. Portfolio: C-001 once: cost 1,500 (not 2,500)."""
    block = "frequency: {{poisson: {{lambda: {rate}}}}}\nmagnitude: {{pert: {{low: 0, mode: 5000, high: 10000}}}}\n"  # noqa: E501
    files = {
        "risks/R-001.yaml": risk_yaml("R-001", block.format(rate=1), controls=("C-001",)),
        "risks/R-002.yaml": risk_yaml("R-002", block.format(rate=2), controls=("C-001", "C-002")),
        "controls/C-001.yaml": control_yaml("C-001", "likelihood", cost="1000"),
        "controls/C-002.yaml": control_yaml("C-002", "impact", cost="500"),
    }
    register = load(tmp_path, files)
    first, second = quantify_register(score_register(register), register.by_id(Control))
    assert (first.inherent.ale, first.residual.ale) == pytest.approx((5000, 2000), rel=1e-14)
    assert first.control_cost == 1000 and first.rosi == pytest.approx(2, rel=1e-13)
    assert second.residual.ale == pytest.approx(1600, rel=1e-13)
    assert second.control_cost == 1500 and second.rosi == pytest.approx(4.6, rel=1e-13)
    assert total_cost(cost for risk in (first, second) for cost in risk.credited_costs) == 1500


def test_rosi_without_a_cost_or_with_zero_cost(tmp_path: Path) -> None:
    """A credited control without `annual_cost`: the cost is unknown (None), so no ROSI; a cost
    of 0: no ROSI (division by zero), the cost is 0. A planned control's cost is not counted:
    it earns no credit."""
    block = (
        "frequency: {poisson: {lambda: 1}}\nmagnitude: {pert: {low: 0, mode: 5000, high: 10000}}\n"
    )
    files = {
        "risks/R-001.yaml": risk_yaml("R-001", block, controls=("C-001", "C-003")),
        "risks/R-002.yaml": risk_yaml("R-002", block, controls=("C-002", "C-003")),
        "controls/C-001.yaml": control_yaml("C-001", "likelihood"),
        "controls/C-002.yaml": control_yaml("C-002", "likelihood", cost="0"),
        "controls/C-003.yaml": control_yaml("C-003", "impact", status="planned", cost="900"),
    }
    register = load(tmp_path, files)
    uncosted, free = quantify_register(score_register(register), register.by_id(Control))
    assert uncosted.credited_costs == (("C-001", None),)
    assert uncosted.uncosted_controls == ("C-001",)
    assert uncosted.control_cost is None and uncosted.rosi is None
    assert free.credited_costs == (("C-002", 0.0),)
    assert free.control_cost == 0.0 and free.rosi is None


# --- which risks a run takes -------------------------------------------------------------------

SIMPLE = "frequency: {poisson: {lambda: 1}}\nmagnitude: {pert: {low: 0, mode: 5, high: 10}}\n"


def selection_register(root: Path) -> Register:
    return load(
        root,
        {
            "risks/R-001.yaml": risk_yaml("R-001", SIMPLE),
            "risks/R-002.yaml": risk_yaml("R-002", SIMPLE, status="closed"),
            "risks/R-003.yaml": risk_yaml("R-003", None),
            "risks/R-004.yaml": risk_yaml("R-004", SIMPLE),
        },
    )


def test_the_open_risks_with_inputs_by_default(tmp_path: Path) -> None:
    register = selection_register(tmp_path)
    card, controls = score_register(register), register.by_id(Control)
    assert [risk.id for risk in quantify_register(card, controls)] == ["R-001", "R-004"]
    named = quantify_register(card, controls, ["R-004", "R-002", "R-004"])
    assert [risk.id for risk in named] == ["R-002", "R-004"]  # a closed one when named; once


def test_an_unknown_risk_or_one_without_inputs_is_refused(tmp_path: Path) -> None:
    register = selection_register(tmp_path)
    card, controls = score_register(register), register.by_id(Control)
    with pytest.raises(RiskctlError, match=r"no risk 'R-01' in the register; did you mean R-001"):
        quantify_register(card, controls, ["R-01"])
    with pytest.raises(
        RiskctlError,
        match=r"risk R-003 has no `quant:` inputs to simulate \(risks with inputs: R-001, R-002, "
        r"R-004\)",
    ):
        quantify_register(card, controls, ["R-001", "R-003"])
    assert quantify(find(card, "R-003"), controls) is None


def test_lognormal_magnitude_residual_is_the_same_sigma_shifted(tmp_path: Path) -> None:
    """§4: X_res = (1 − R_I)·X: μ + ln(1 − R_I), σ unchanged (impact credit 0.6 on a 90 %
    lognormal [1e3, 1e5])."""
    files = {
        "risks/R-001.yaml": risk_yaml(
            "R-001",
            "frequency: {poisson: {lambda: 1}}\n"
            "magnitude: {lognormal: {low: 1000, high: 100000}}\n",
            controls=("C-001",),
        ),
        "controls/C-001.yaml": control_yaml("C-001", "impact"),
    }
    risk = quantified(load(tmp_path, files), "R-001")
    inherent, residual = risk.inherent.magnitude.primary, risk.residual.magnitude.primary
    assert isinstance(inherent, Lognormal) and isinstance(residual, Lognormal)
    assert residual.sigma == inherent.sigma == pytest.approx(math.log(100) / (2 * Z90), rel=1e-15)
    assert residual.mu == pytest.approx(math.log(1e4) + math.log(0.4), rel=1e-15)


def test_an_override_keeps_the_computed_credits_and_odd_links_count_once(tmp_path: Path) -> None:
    """An analyst's residual override is a 1-5 cell, not a reduction: the residual loss uses the
    computed credits (C-001 likelihood 0.6, linked twice, counted once: 1 − R_L = 0.4). A
    control missing from the register earns nothing and is not listed."""
    text = risk_yaml(
        "R-001",
        "frequency: {poisson: {lambda: 1}}\nmagnitude: {pert: {low: 0, mode: 5, high: 10}}\n",
        controls=("C-001", "C-001", "C-404"),
    ).replace(
        "inherent: {likelihood: 4, impact: 4}\n",
        "inherent: {likelihood: 4, impact: 4}\nresidual: {likelihood: 4, impact: 4}\n"
        "override_reason: The committee keeps it at the inherent level.\n",
    )
    files = {
        "risks/R-001.yaml": text,
        "controls/C-001.yaml": control_yaml("C-001", "likelihood", cost="100"),
    }
    register = load(tmp_path, files)
    assert find(score_register(register), "R-001").residual_source == "override"
    risk = quantified(register, "R-001")
    assert_scaled(risk, 0.4, 1.0)
    assert risk.credited_costs == (("C-001", 100.0),)


@pytest.mark.parametrize(
    "vulnerability_lines",
    [
        "    vulnerability: 0\n",
        # a capability wholly below the strength: V = 0 exactly
        "    threat_capability: {low: 0.1, mode: 0.2, high: 0.3}\n"
        "    control_strength: {low: 0.5, mode: 0.6, high: 0.9}\n",
    ],
    ids=["given", "disjoint"],
)
def test_a_fair_risk_with_no_vulnerability_has_no_loss(
    tmp_path: Path, vulnerability_lines: str
) -> None:
    """V = 0 scales the PERT threat rate to a point mass at 0 (it used to raise ValueError on
    the way: a PERT with low == high): ALE 0, and a run draws no loss."""
    block = (
        "frequency:\n  fair:\n    threat_event_frequency: {pert: {low: 1, mode: 5, high: 20}}\n"
        + vulnerability_lines
        + "magnitude: {pert: {low: 20000, mode: 80000, high: 400000}}\n"
    )
    risk = one(tmp_path, block)
    assert risk.inherent.frequency.mean == 0 and risk.inherent.ale == 0
    result = run_register(
        load(tmp_path, {"risks/R-001.yaml": risk_yaml("R-001", block)}), years=100
    )
    assert result.risks[0].inherent.p_any == 0 and result.risks[0].inherent.mean == 0


def test_a_pert_gamma_below_one_tenth_is_refused() -> None:
    """Below 0.1 a Beta puts its mass within 1e-308 of an end (the vulnerability integral and
    the sampler cannot follow it): the model refuses it as a finding, not a wrong number."""
    from riskctl.model.quant import Quant

    block = {
        "frequency": {"poisson": {"lambda": 1}},
        "magnitude": {"pert": {"low": 1, "mode": 2, "high": 3}},
        "pert_gamma": 0.05,
    }
    with pytest.raises(ValidationError, match=r"greater than or equal to 0\.1"):
        Quant.model_validate(block)
    assert Quant.model_validate({**block, "pert_gamma": 0.1}).pert_gamma == 0.1
