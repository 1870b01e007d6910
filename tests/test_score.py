"""The scoring core: matrices, control credit, residual and projected tiers, cadence, fingerprint.

Every expected number here is computed by hand from ../shared/reference/residual-scoring.md
(sections 3 and 4) and risk-matrices.md (sections 2, 3 and 5), with the arithmetic in a comment
beside it; none is obtained by calling the code under test. The property tests compare the code
with an exact-fraction model of the reference written here.

Hand-computation conventions used in the comments:
- credits E = effective 0.6, P = partially-effective 0.3 (defaults), compound unless stated;
- v = 1 + (x - 1)(1 - R); residual = min(x, max(1, ceil(v - 1e-9)));
- dates: reviewed 2026-10-01; +30 d = 2026-10-31; +60 d = 2026-11-30; +90 d = 2026-12-30
  (Oct 31 is +30, Nov 30 is +60, Dec 30 is +90); +180 d = 2027-03-30 (Dec 31 +91, Jan 31 +122,
  Feb 28 +150, Mar 30 +180); +365 d = 2027-10-01 (no 29 February in between).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from riskctl.errors import RiskctlError
from riskctl.model.config import DEFAULT_UNTESTED_CAP, Config, Credits, Level
from riskctl.model.control import Control
from riskctl.model.register import Record, Register
from riskctl.model.risk import Risk
from riskctl.score import residual
from riskctl.score.matrix import (
    Cell,
    Matrix,
    betweenness_violations,
    build_matrix,
    custom_grid_problems,
    fingerprint,
    method_document,
    monotonicity_violations,
    review_days,
)
from riskctl.score.residual import (
    RiskScore,
    TierResult,
    back_to_scale,
    combine,
    compute_tier,
    grade,
    latest_test,
    score_register,
    score_risk,
)
from tests.conftest import ROOT
from tests.strategies import (
    CATEGORIES,
    Scenario,
    control_data,
    effective_active_controls,
    scenarios,
)

#: The reference model (residual-scoring.md section 3) is pinned with the untested cap off: its
#: worked examples state ratings, not test records. The cap has its own tests (test_score.py).
NO_CAP = 1.0


def control_credit(*args: Any, **kwargs: Any) -> tuple[float, str]:
    """`residual.control_credit` with the untested cap off."""
    return residual.control_credit(*args, untested_cap=NO_CAP, **kwargs)


FIVE = "5x5-multiplicative"
NIST = "nist-800-30"
PRESETS = (FIVE, NIST)
REVIEWED = datetime.date(2026, 10, 1)
PLUS_30 = datetime.date(2026, 10, 31)
PLUS_60 = datetime.date(2026, 11, 30)
PLUS_90 = datetime.date(2026, 12, 30)
PLUS_180 = datetime.date(2027, 3, 30)
PLUS_365 = datetime.date(2027, 10, 1)
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

# --- the presets, written out literally (risk-matrices.md sections 1 and 2) -------------------

#: 5x5-multiplicative: (score, level) per cell, row n = likelihood n, column m = impact m.
FIVE_BY_FIVE_TABLE: tuple[tuple[tuple[int, str], ...], ...] = (
    ((1, "low"), (2, "low"), (3, "low"), (4, "low"), (5, "medium")),
    ((2, "low"), (4, "low"), (6, "medium"), (8, "medium"), (10, "high")),
    ((3, "low"), (6, "medium"), (9, "medium"), (12, "high"), (15, "high")),
    ((4, "low"), (8, "medium"), (12, "high"), (16, "high"), (20, "critical")),
    ((5, "medium"), (10, "high"), (15, "high"), (20, "critical"), (25, "critical")),
)

#: NIST SP 800-30 Rev. 1 Table I-2 as printed in risk-matrices.md section 2; row n = likelihood n
#: (1 = very-low), column m = impact m.
NIST_TABLE: tuple[tuple[str, ...], ...] = (
    ("very-low", "very-low", "very-low", "low", "low"),
    ("very-low", "low", "low", "low", "moderate"),
    ("very-low", "low", "moderate", "moderate", "high"),
    ("very-low", "low", "moderate", "high", "very-high"),
    ("very-low", "low", "moderate", "high", "very-high"),
)

PRESET_GRIDS: dict[str, tuple[tuple[str, ...], ...]] = {
    FIVE: tuple(tuple(level for _score, level in row) for row in FIVE_BY_FIVE_TABLE),
    NIST: NIST_TABLE,
}
PRESET_LEVELS = {
    FIVE: ("low", "medium", "high", "critical"),
    NIST: ("very-low", "low", "moderate", "high", "very-high"),
}
PRESET_CADENCE = {
    FIVE: {"critical": 30, "high": 90, "medium": 180, "low": 365},
    NIST: {"very-high": 30, "high": 90, "moderate": 180, "low": 365, "very-low": 365},
}


def expected_cell(method: str, likelihood: int, impact: int) -> Cell:
    """The literal tables above: the score is always L x I, the level from the table."""
    return Cell(
        likelihood,
        impact,
        likelihood * impact,
        PRESET_GRIDS[method][likelihood - 1][impact - 1],
    )


# --- builders ----------------------------------------------------------------------------------


def make_config(
    method: str = FIVE,
    *,
    combine_rule: str = "compound",
    credit_table: Mapping[str, float] | None = None,
    review: Mapping[str, int] | None = None,
    categories: Sequence[Mapping[str, str]] | None = None,
    levels: Sequence[str] | None = None,
    grid: Sequence[Sequence[str]] | None = None,
    untested_cap: float = NO_CAP,
) -> Config:
    scoring: dict[str, Any] = {
        "method": method,
        "combine": combine_rule,
        "untested_cap": untested_cap,
    }
    if credit_table is not None:
        scoring["credits"] = dict(credit_table)
    if levels is not None:
        scoring["levels"] = [{"name": name} for name in levels]
    if grid is not None:
        scoring["grid"] = [list(row) for row in grid]
    data: dict[str, Any] = {
        "version": 1,
        "categories": list(categories) if categories is not None else CATEGORIES,
        "scoring": scoring,
    }
    if review is not None:
        data["review_days"] = dict(review)
    return Config.model_validate(data)


def control(control_id: str, **fields: Any) -> Control:
    return Control.model_validate(control_data(control_id, **fields))


def risk(
    likelihood: int,
    impact: int,
    controls: Sequence[str] = (),
    **extra: Any,
) -> Risk:
    data: dict[str, Any] = {
        "id": "R-001",
        "title": "A risk",
        "category": "payments-fraud",
        "owner": "payments-risk",
        "inherent": {"likelihood": likelihood, "impact": impact},
        "controls": list(controls),
        "reviewed": REVIEWED,
    }
    data.update(extra)
    return Risk.model_validate(data)


def by_id(*controls: Control) -> dict[str, Control]:
    return {item.id: item for item in controls}


def score(
    the_risk: Risk, controls: Mapping[str, Control], config: Config | None = None
) -> RiskScore:
    config = config or make_config()
    return score_risk(the_risk, controls, config, build_matrix(config.scoring))


def operating(date: str, result: str) -> dict[str, Any]:
    return {"date": datetime.date.fromisoformat(date), "type": "operating", "result": result}


def design(date: str, result: str) -> dict[str, Any]:
    return {"date": datetime.date.fromisoformat(date), "type": "design", "result": result}


# === 1. both presets, every cell ===============================================================

ALL_CELLS = [(likelihood, impact) for likelihood in range(1, 6) for impact in range(1, 6)]


@pytest.mark.parametrize(("likelihood", "impact"), ALL_CELLS)
def test_cell_matches_table_5x5_multiplicative(likelihood: int, impact: int) -> None:
    matrix = build_matrix(make_config(FIVE).scoring)
    score_, level = FIVE_BY_FIVE_TABLE[likelihood - 1][impact - 1]
    assert matrix.cell(likelihood, impact) == Cell(likelihood, impact, score_, level)


@pytest.mark.parametrize(("likelihood", "impact"), ALL_CELLS)
def test_cell_matches_table_i2_nist(likelihood: int, impact: int) -> None:
    matrix = build_matrix(make_config(NIST).scoring)
    # NIST's level is Table I-2's; the score is still L x I, only for ordering.
    expected = Cell(likelihood, impact, likelihood * impact, NIST_TABLE[likelihood - 1][impact - 1])
    assert matrix.cell(likelihood, impact) == expected


def test_levels_follow_score_bands_5x5_multiplicative() -> None:
    # Bands low 1-4, medium 5-9, high 10-16, critical 20-25, checked against the literal table.
    bands = {"low": range(1, 5), "medium": range(5, 10), "high": range(10, 17)}
    bands["critical"] = range(20, 26)
    for row in FIVE_BY_FIVE_TABLE:
        for score_, level in row:
            assert score_ in bands[level]
    matrix = build_matrix(make_config(FIVE).scoring)
    for likelihood, impact in ALL_CELLS:
        cell = matrix.cell(likelihood, impact)
        assert cell.score in bands[cell.level]


@pytest.mark.parametrize(
    ("method", "counts"),
    [
        (FIVE, {"low": 8, "medium": 7, "high": 7, "critical": 3}),
        (NIST, {"very-low": 7, "low": 8, "moderate": 5, "high": 3, "very-high": 2}),
    ],
)
def test_cells_per_level_match_reference_preset(method: str, counts: dict[str, int]) -> None:
    matrix = build_matrix(make_config(method).scoring)
    assert Counter(matrix.cell(l_, i_).level for l_, i_ in ALL_CELLS) == counts
    assert sum(counts.values()) == 25


@pytest.mark.parametrize("method", PRESETS)
def test_levels_ordered_lowest_first_preset(method: str) -> None:
    matrix = build_matrix(make_config(method).scoring)
    assert matrix.levels == PRESET_LEVELS[method]
    assert [matrix.rank(level) for level in PRESET_LEVELS[method]] == list(
        range(len(PRESET_LEVELS[method]))
    )


def test_nist_level_not_a_function_of_score_nist() -> None:
    matrix = build_matrix(make_config(NIST).scoring)
    # VH likelihood x VL impact: score 5 x 1 = 5, yet very-low; L1 I5 also scores 5 but is low.
    assert matrix.cell(5, 1) == Cell(5, 1, 5, "very-low")
    assert matrix.cell(1, 5) == Cell(1, 5, 5, "low")
    # The H and VH likelihood rows are identical.
    assert [matrix.cell(4, i).level for i in range(1, 6)] == [
        matrix.cell(5, i).level for i in range(1, 6)
    ]


@pytest.mark.parametrize("method", PRESETS)
def test_presets_monotone_and_between_preset(method: str) -> None:
    matrix = build_matrix(make_config(method).scoring)
    assert monotonicity_violations(matrix) == []
    assert betweenness_violations(matrix) == []


# === 2. the table "Residual by inherent value x" (residual-scoring.md section 3) ==============

#: One control per letter, each `reduces: likelihood`, `status: active`. E: design and operating
#: effective. P: one of the two partially-effective (alternating which), the other effective.
LETTER_FIELDS: dict[str, list[dict[str, str]]] = {
    "E": [{"design": "effective", "operating": "effective"}],
    "P": [
        {"design": "partially-effective", "operating": "effective"},
        {"design": "effective", "operating": "partially-effective"},
    ],
}

# (row, residual for x = 1..5 compound, residual for x = 1..5 strongest). For every row x = 1
# gives v = 1 -> 1, and x = 2 gives v = 1 + (1 - R) in (1, 2] -> 2.
RESIDUAL_TABLE = [
    # none: R = 0, v = x -> x (both rules)
    ("none", (1, 2, 3, 4, 5), (1, 2, 3, 4, 5)),
    # P: R = 0.3, 1 - R = 0.7: x=3 v=1+2(0.7)=2.4->3; x=4 v=1+3(0.7)=3.1->4; x=5 v=3.8->4
    ("P", (1, 2, 3, 4, 4), (1, 2, 3, 4, 4)),
    # E: R = 0.6, 1 - R = 0.4: x=3 v=1.8->2; x=4 v=2.2->3; x=5 v=2.6->3
    ("E", (1, 2, 2, 3, 3), (1, 2, 2, 3, 3)),
    # P+P compound R = 1-0.7*0.7 = 0.51, 1-R = 0.49: x=3 v=1.98->2; x=4 v=2.47->3; x=5 v=2.96->3
    # strongest R = max(0.3, 0.3) = 0.3: as P
    ("P+P", (1, 2, 2, 3, 3), (1, 2, 3, 4, 4)),
    # E+P compound R = 1-0.4*0.7 = 0.72, 1-R = 0.28: x=3 v=1.56->2; x=4 v=1.84->2; x=5 v=2.12->3
    # strongest R = 0.6: as E
    ("E+P", (1, 2, 2, 2, 3), (1, 2, 2, 3, 3)),
    # E+E compound R = 1-0.4*0.4 = 0.84, 1-R = 0.16: x=3 v=1.32->2; x=4 v=1.48->2; x=5 v=1.64->2
    # strongest R = 0.6: as E
    ("E+E", (1, 2, 2, 2, 2), (1, 2, 2, 3, 3)),
    # E+E+E compound R = 1-0.4^3 = 0.936, 1-R = 0.064: x=3 v=1.128->2; x=4 v=1.192->2;
    # x=5 v=1.256->2; strongest R = 0.6: as E
    ("E+E+E", (1, 2, 2, 2, 2), (1, 2, 2, 3, 3)),
]


def table_controls(row: str) -> dict[str, Control]:
    letters = [] if row == "none" else row.split("+")
    made: list[Control] = []
    seen: Counter[str] = Counter()
    for number, letter in enumerate(letters, start=1):
        variants = LETTER_FIELDS[letter]
        fields = variants[seen[letter] % len(variants)]
        seen[letter] += 1
        made.append(control(f"C-{number:03d}", reduces="likelihood", status="active", **fields))
    return by_id(*made)


TABLE_PARAMS = [
    pytest.param(row, rule, x, expected[x - 1], id=f"{row}-{rule}-x{x}")
    for row, compound, strongest in RESIDUAL_TABLE
    for rule, expected in (("compound", compound), ("strongest", strongest))
    for x in range(1, 6)
]


@pytest.mark.parametrize(("row", "rule", "x", "expected"), TABLE_PARAMS)
def test_residual_matches_reference_table_by_inherent(
    row: str, rule: str, x: int, expected: int
) -> None:
    controls = table_controls(row)
    config = make_config(combine_rule=rule)
    matrix = build_matrix(config.scoring)
    the_risk = risk(x, 1, list(controls))
    tier = compute_tier(the_risk, controls, "residual", config, matrix)
    assert tier.cell.likelihood == expected
    assert tier.cell.impact == 1
    # score_risk agrees, and with nothing planned the projected tier is the residual one.
    scored = score_risk(the_risk, controls, config, matrix)
    assert scored.residual.likelihood == expected
    assert scored.projected.cell.likelihood == expected


@pytest.mark.parametrize(
    ("row", "compound_r", "strongest_r"),
    [
        ("none", 0.0, 0.0),
        ("P", 0.3, 0.3),
        ("E", 0.6, 0.6),
        ("P+P", 0.51, 0.3),  # 1 - 0.7 * 0.7
        ("E+P", 0.72, 0.6),  # 1 - 0.4 * 0.7
        ("E+E", 0.84, 0.6),  # 1 - 0.4 * 0.4
        ("E+E+E", 0.936, 0.6),  # 1 - 0.4 ** 3
    ],
)
def test_reduction_matches_reference_table_by_row(
    row: str, compound_r: float, strongest_r: float
) -> None:
    controls = table_controls(row)
    for rule, expected in (("compound", compound_r), ("strongest", strongest_r)):
        config = make_config(combine_rule=rule)
        tier = compute_tier(
            risk(5, 1, list(controls)), controls, "residual", config, build_matrix(config.scoring)
        )
        assert tier.steps[0].reduction == pytest.approx(expected, abs=1e-12)


# === 3. the four worked examples (residual-scoring.md section 4) ===============================
# Ids: C-A = C-101, C-B = C-102, C-C = C-103, C-D = C-104, C-E = C-105, C-F = C-106.

C_A = control("C-101", reduces="likelihood", tests=[operating("2026-09-15", "pass")])


@pytest.mark.parametrize(
    ("method", "inherent_level", "residual_level", "next_review"),
    [
        # inherent L5 I4 = 20 critical; residual L3 I4 = 12 high -> +90 d
        (FIVE, "critical", "high", PLUS_90),
        # NIST VH x H = high; residual M x H = moderate -> +180 d
        (NIST, "high", "moderate", PLUS_180),
    ],
)
def test_example_1_one_effective_likelihood_control(
    method: str, inherent_level: str, residual_level: str, next_review: datetime.date
) -> None:
    scored = score(risk(5, 4, ["C-101"]), by_id(C_A), make_config(method))
    assert scored.inherent == Cell(5, 4, 20, inherent_level)
    # L: R = 0.6; v = 1 + 4 * 0.4 = 2.6 -> 3.  I: R = 0; v = 1 + 3 * 1 = 4 -> 4.
    likelihood, impact = scored.computed.steps
    assert likelihood.credits == (0.6,)
    assert likelihood.reduction == pytest.approx(0.6)
    assert likelihood.value == pytest.approx(2.6)
    assert likelihood.result == 3
    assert impact.credits == ()
    assert impact.reduction == 0.0
    assert impact.value == 4.0
    assert impact.result == 4
    assert scored.residual == Cell(3, 4, 12, residual_level)  # 3 x 4 = 12
    assert scored.residual_source == "computed"
    assert scored.next_review == next_review


C_B = control("C-102", reduces="likelihood")
C_C = control("C-103", reduces="likelihood", operating="partially-effective")


@pytest.mark.parametrize(
    ("method", "rule", "residual", "next_review"),
    [
        # compound: R = 1 - 0.4 * 0.7 = 0.72; v = 1 + 3 * 0.28 = 1.84 -> 2; L2 I4 = 8 medium
        (FIVE, "compound", Cell(2, 4, 8, "medium"), PLUS_180),
        # NIST L x H = low -> +365 d
        (NIST, "compound", Cell(2, 4, 8, "low"), PLUS_365),
        # strongest: R = max(0.6, 0.3) = 0.6; v = 1 + 3 * 0.4 = 2.2 -> 3; L3 I4 = 12 high
        (FIVE, "strongest", Cell(3, 4, 12, "high"), PLUS_90),
        # NIST M x H = moderate -> +180 d
        (NIST, "strongest", Cell(3, 4, 12, "moderate"), PLUS_180),
    ],
)
def test_example_2_effective_and_partial_likelihood_controls(
    method: str, rule: str, residual: Cell, next_review: datetime.date
) -> None:
    config = make_config(method, combine_rule=rule)
    scored = score(risk(4, 4, ["C-102", "C-103"]), by_id(C_B, C_C), config)
    # inherent L4 I4 = 16: high (5x5), H x H = high (NIST)
    assert scored.inherent == Cell(4, 4, 16, "high")
    assert [item.credit for item in scored.computed.controls] == [0.6, 0.3]
    assert scored.residual == residual
    assert scored.next_review == next_review


@pytest.mark.parametrize(
    ("method", "status", "residual", "next_review"),
    [
        # degraded: credit min(0.6, 0.3) = 0.3; I: v = 1 + 4 * 0.7 = 3.8 -> 4; L3 I4 = 12 high
        (FIVE, "degraded", Cell(3, 4, 12, "high"), PLUS_90),
        (NIST, "degraded", Cell(3, 4, 12, "moderate"), PLUS_180),  # M x H = moderate
        # had C-D been active: R = 0.6, v = 1 + 4 * 0.4 = 2.6 -> 3; L3 I3 = 9 medium
        (FIVE, "active", Cell(3, 3, 9, "medium"), PLUS_180),
        (NIST, "active", Cell(3, 3, 9, "moderate"), PLUS_180),  # M x M = moderate
    ],
)
def test_example_3_degraded_impact_control(
    method: str, status: str, residual: Cell, next_review: datetime.date
) -> None:
    c_d = control("C-104", reduces="impact", status=status)
    scored = score(risk(3, 5, ["C-104"]), by_id(c_d), make_config(method))
    # inherent L3 I5 = 15: high (5x5), M x VH = high (NIST)
    assert scored.inherent == Cell(3, 5, 15, "high")
    assert scored.computed.controls[0].credit == (0.3 if status == "degraded" else 0.6)
    assert scored.residual == residual
    assert scored.next_review == next_review


def example_4_controls(
    c_e_status: str = "active",
    c_e_operating: str = "not-tested",
    c_f_tests: list[dict[str, Any]] | None = None,
) -> dict[str, Control]:
    c_e = control("C-105", reduces="likelihood", status=c_e_status, operating=c_e_operating)
    c_f = control(
        "C-106",
        reduces="both",
        design="partially-effective",
        operating="effective",
        tests=c_f_tests or [],
    )
    return by_id(c_e, c_f)


@pytest.mark.parametrize(
    ("method", "inherent_level", "residual_level"),
    [
        # inherent L4 I5 = 20 critical (NIST H x VH = very-high); residual L4 I4 = 16 high
        # (NIST H x H = high)
        (FIVE, "critical", "high"),
        (NIST, "very-high", "high"),
    ],
)
def test_example_4_untested_beside_partial_both_control(
    method: str, inherent_level: str, residual_level: str
) -> None:
    scored = score(risk(4, 5, ["C-105", "C-106"]), example_4_controls(), make_config(method))
    assert scored.inherent == Cell(4, 5, 20, inherent_level)
    # C-E: grade min(effective, not-tested) = not-tested -> 0; C-F: min(P, E) = P -> 0.3 on both.
    assert [(c.control, c.credit) for c in scored.computed.controls] == [
        ("C-105", 0.0),
        ("C-106", 0.3),
    ]
    likelihood, impact = scored.computed.steps
    # L: R = 1 - (1 - 0)(1 - 0.3) = 0.3; v = 1 + 3 * 0.7 = 3.1 -> 4
    assert likelihood.value == pytest.approx(3.1)
    assert likelihood.result == 4
    # I: R = 0.3; v = 1 + 4 * 0.7 = 3.8 -> 4
    assert impact.value == pytest.approx(3.8)
    assert impact.result == 4
    assert scored.residual == Cell(4, 4, 16, residual_level)
    assert scored.next_review == PLUS_90  # high -> 90 d in both presets


@pytest.mark.parametrize(
    ("method", "residual", "next_review"),
    [
        # L: R = 1 - 0.4 * 0.7 = 0.72, v = 1 + 3 * 0.28 = 1.84 -> 2; I stays 4: L2 I4 = 8 medium
        (FIVE, Cell(2, 4, 8, "medium"), PLUS_180),
        (NIST, Cell(2, 4, 8, "low"), PLUS_365),  # L x H = low
    ],
)
def test_example_4_after_c_e_tested_effective(
    method: str, residual: Cell, next_review: datetime.date
) -> None:
    controls = example_4_controls(c_e_operating="effective")
    scored = score(risk(4, 5, ["C-105", "C-106"]), controls, make_config(method))
    assert scored.residual == residual
    assert scored.next_review == next_review


@pytest.mark.parametrize(
    ("method", "residual", "projected"),
    [
        # residual: C-E planned earns 0, so L4 I4 = 16 high as in the base example;
        # projected: C-E as effective 0.6 with C-F 0.3 -> L: R = 0.72, v = 1.84 -> 2; I: 4
        (FIVE, Cell(4, 4, 16, "high"), Cell(2, 4, 8, "medium")),
        (NIST, Cell(4, 4, 16, "high"), Cell(2, 4, 8, "low")),
    ],
)
def test_example_4_projected_tier_when_c_e_planned(
    method: str, residual: Cell, projected: Cell
) -> None:
    controls = example_4_controls(c_e_status="planned")
    scored = score(risk(4, 5, ["C-105", "C-106"]), controls, make_config(method))
    assert scored.residual == residual
    assert scored.next_review == PLUS_90  # from the residual (high), not the projected level
    assert scored.projected.cell == projected
    assert scored.projected.controls[0].credit == 0.6


@pytest.mark.parametrize(
    ("method", "level"),
    [(FIVE, "critical"), (NIST, "very-high")],  # L4 I5 = 20; NIST H x VH
)
def test_example_4_residual_is_inherent_when_c_f_latest_operating_test_failed(
    method: str, level: str
) -> None:
    controls = example_4_controls(
        c_f_tests=[operating("2026-05-01", "pass"), operating("2026-09-01", "fail")]
    )
    scored = score(risk(4, 5, ["C-105", "C-106"]), controls, make_config(method))
    # C-E 0 (not-tested) and C-F 0 (latest operating test failed): R = 0 on both -> L4 I5.
    assert scored.residual == Cell(4, 5, 20, level)
    assert scored.next_review == PLUS_30  # critical / very-high -> 30 d


# === 4. exact-integer guard (custom credits) ===================================================


def test_exact_integer_not_pushed_up_single_half_credit() -> None:
    config = make_config(credit_table={"effective": 0.5})
    controls = by_id(control("C-001"))
    tier = compute_tier(
        risk(3, 1, ["C-001"]), controls, "residual", config, build_matrix(config.scoring)
    )
    # v = 1 + (3 - 1)(1 - 0.5) = 2.0 exactly -> ceil(2.0 - 1e-9) = 2
    assert tier.steps[0].value == 2.0
    assert tier.steps[0].result == 2


def test_exact_integer_not_pushed_up_compound_half_credits() -> None:
    config = make_config(credit_table={"effective": 0.5})
    controls = by_id(control("C-001"), control("C-002"))
    tier = compute_tier(
        risk(5, 1, ["C-001", "C-002"]), controls, "residual", config, build_matrix(config.scoring)
    )
    # R = 1 - 0.5 * 0.5 = 0.75; v = 1 + 4 * 0.25 = 2.0 -> 2
    assert tier.steps[0].reduction == 0.75
    assert tier.steps[0].value == 2.0
    assert tier.steps[0].result == 2


@pytest.mark.parametrize(
    ("inherent", "reduction", "value", "result"),
    [
        (5, 0.6, 2.6, 3),  # 1 + 4 * 0.4 = 2.6 -> 3
        (3, 0.5, 2.0, 2),  # 1 + 2 * 0.5 = 2.0 -> 2
        (5, 0.75, 2.0, 2),  # 1 + 4 * 0.25 = 2.0 -> 2
        (5, 0.75 - 1e-12, 2.0 + 4e-12, 2),  # 2 + 4e-12: within the 1e-9 tolerance -> 2
        (5, 0.75 - 1e-6, 2.0 + 4e-6, 3),  # 2 + 4e-6: beyond the tolerance -> 3
        (5, 0.0, 5.0, 5),  # no reduction keeps x
        (1, 0.9, 1.0, 1),  # 1 + 0 * 0.1 = 1 -> 1
        (2, 0.95, 1.05, 2),  # 1 + 1 * 0.05 = 1.05 -> 2
    ],
)
def test_back_to_scale_matches_hand_value_by_case(
    inherent: int, reduction: float, value: float, result: int
) -> None:
    got_value, got_result = back_to_scale(inherent, reduction)
    assert got_value == pytest.approx(value, abs=1e-13)
    assert got_result == result


def test_combine_matches_formula_by_rule() -> None:
    assert combine([], "compound") == 0.0
    assert combine([], "strongest") == 0.0
    assert combine([0.6, 0.3], "compound") == pytest.approx(0.72)  # 1 - 0.4 * 0.7
    assert combine([0.6, 0.3], "strongest") == 0.6  # max
    assert combine([0.5, 0.5], "compound") == 0.75  # 1 - 0.25, exact in binary
    assert combine([0.3, 0.3], "strongest") == 0.3


# === 5. edge cases =============================================================================
# Base risk: inherent L5 I5 = 25 critical; one control C-001 reducing likelihood unless stated.
# Credit 0 -> L stays 5; credit 0.3 -> v = 1 + 4 * 0.7 = 3.8 -> 4; 0.6 -> v = 2.6 -> 3.

EDGE_CASES = [
    # (id, control fields, residual credit, residual L, projected L)
    ("not-tested", {"design": "not-tested", "operating": "not-tested"}, 0.0, 5, 5),
    ("design-not-tested", {"design": "not-tested"}, 0.0, 5, 5),
    ("operating-ineffective", {"operating": "ineffective"}, 0.0, 5, 5),
    ("partial-design", {"design": "partially-effective"}, 0.3, 4, 4),
    ("retired", {"status": "retired"}, 0.0, 5, 5),
    # degraded: min(grade credit, 0.3), in both tiers
    ("degraded-effective", {"status": "degraded"}, 0.3, 4, 4),
    ("degraded-partial", {"status": "degraded", "operating": "partially-effective"}, 0.3, 4, 4),
    ("degraded-ineffective", {"status": "degraded", "design": "ineffective"}, 0.0, 5, 5),
    # planned: none in residual; as if active and effective (0.6) in projected, whatever its rating
    ("planned", {"status": "planned"}, 0.0, 5, 3),
    (
        "planned-not-tested",
        {"status": "planned", "design": "not-tested", "operating": "not-tested"},
        0.0,
        5,
        3,
    ),
    # the latest operating test failed: 0 though rated effective
    (
        "latest-operating-failed",
        {"tests": [operating("2026-06-01", "pass"), operating("2026-09-01", "fail")]},
        0.0,
        5,
        5,
    ),
    (
        "degraded-latest-operating-failed",
        {"status": "degraded", "tests": [operating("2026-09-01", "fail")]},
        0.0,
        5,
        5,
    ),
    # a later passing test restores the credit
    (
        "later-pass-restores",
        {"tests": [operating("2026-06-01", "fail"), operating("2026-09-01", "pass")]},
        0.6,
        3,
        3,
    ),
    # "latest" is by date, not by position in the list
    (
        "latest-by-date-not-order",
        {"tests": [operating("2026-09-01", "pass"), operating("2026-06-01", "fail")]},
        0.6,
        3,
        3,
    ),
    # a failed design test does not zero it (only the operating test does)
    (
        "failed-design-test",
        {"tests": [operating("2026-06-01", "pass"), design("2026-09-01", "fail")]},
        0.6,
        3,
        3,
    ),
    ("failed-design-test-only", {"tests": [design("2026-09-01", "fail")]}, 0.6, 3, 3),
    # inconclusive is not a failure: the rating decides
    (
        "latest-operating-inconclusive",
        {"tests": [operating("2026-06-01", "pass"), operating("2026-09-01", "inconclusive")]},
        0.6,
        3,
        3,
    ),
    # no `reduces`: no credit anywhere, in either tier
    ("no-reduces", {"reduces": None}, 0.0, 5, 5),
    ("planned-no-reduces", {"reduces": None, "status": "planned"}, 0.0, 5, 5),
]


@pytest.mark.parametrize(
    ("fields", "credit", "residual_l", "projected_l"),
    [pytest.param(*case[1:], id=case[0]) for case in EDGE_CASES],
)
def test_residual_follows_credit_model_by_control_state(
    fields: dict[str, Any], credit: float, residual_l: int, projected_l: int
) -> None:
    controls = by_id(control("C-001", **fields))
    scored = score(risk(5, 5, ["C-001"]), controls)
    assert scored.computed.controls[0].credit == credit
    assert scored.residual == Cell(
        residual_l, 5, residual_l * 5, FIVE_BY_FIVE_TABLE[residual_l - 1][4][1]
    )
    assert scored.projected.cell.likelihood == projected_l
    assert scored.projected.cell.impact == 5  # nothing reduces impact


def test_residual_equals_inherent_no_controls() -> None:
    for method in PRESETS:
        for likelihood, impact in ALL_CELLS:
            scored = score(risk(likelihood, impact), {}, make_config(method))
            assert scored.residual == expected_cell(method, likelihood, impact)
            assert scored.projected.cell == expected_cell(method, likelihood, impact)
            assert scored.computed.controls == ()


def test_residual_equals_inherent_all_controls_not_tested() -> None:
    controls = by_id(
        *(
            control(f"C-00{n}", reduces=dim, design="not-tested", operating="not-tested")
            for n, dim in ((1, "likelihood"), (2, "impact"), (3, "both"))
        )
    )
    scored = score(risk(4, 5, list(controls)), controls)
    # every credit 0 -> R = 0 on both -> L4 I5 = 20 critical
    assert [c.credit for c in scored.computed.controls] == [0.0, 0.0, 0.0]
    assert scored.residual == Cell(4, 5, 20, "critical")


def test_missing_control_earns_nothing_unknown_id() -> None:
    controls = by_id(control("C-001"))
    scored = score(risk(5, 5, ["C-999", "C-001"]), controls)
    missing, present = scored.computed.controls
    assert (missing.control, missing.credit, missing.dimension) == ("C-999", 0.0, None)
    assert (present.control, present.credit, present.dimension) == ("C-001", 0.6, "likelihood")
    # only C-001 counts: L: v = 2.6 -> 3; I stays 5: L3 I5 = 15 high
    assert scored.residual == Cell(3, 5, 15, "high")
    assert scored.projected.controls[0].credit == 0.0


def test_both_counts_on_each_dimension_reduces_both() -> None:
    controls = by_id(control("C-001", reduces="both"))
    scored = score(risk(5, 5, ["C-001"]), controls)
    likelihood, impact = scored.computed.steps
    # L and I: R = 0.6, v = 1 + 4 * 0.4 = 2.6 -> 3: L3 I3 = 9 medium
    assert likelihood.credits == impact.credits == (0.6,)
    assert scored.residual == Cell(3, 3, 9, "medium")


def test_both_compounds_with_single_dimension_controls_reduces_both() -> None:
    controls = by_id(
        control("C-001", reduces="both", operating="partially-effective"),
        control("C-002", reduces="likelihood"),
        control("C-003", reduces="impact", design="partially-effective"),
    )
    scored = score(risk(5, 4, list(controls)), controls)
    likelihood, impact = scored.computed.steps
    # L: 0.3 (C-001) and 0.6 (C-002): R = 1 - 0.7 * 0.4 = 0.72, v = 1 + 4 * 0.28 = 2.12 -> 3
    assert likelihood.credits == (0.3, 0.6)
    assert likelihood.result == 3
    # I: 0.3 (C-001) and 0.3 (C-003): R = 1 - 0.7 * 0.7 = 0.51, v = 1 + 3 * 0.49 = 2.47 -> 3
    assert impact.credits == (0.3, 0.3)
    assert impact.result == 3
    assert scored.residual == Cell(3, 3, 9, "medium")


def test_impact_control_leaves_likelihood_reduces_impact() -> None:
    controls = by_id(control("C-001", reduces="impact"))
    scored = score(risk(5, 5, ["C-001"]), controls)
    # I: v = 2.6 -> 3; L stays 5: L5 I3 = 15 high
    assert scored.residual == Cell(5, 3, 15, "high")


def test_override_sets_residual_with_reason() -> None:
    controls = by_id(C_A)
    the_risk = risk(
        5,
        4,
        ["C-101"],
        residual={"likelihood": 2, "impact": 2},
        override_reason="Compensating monitoring not modelled as a control",
    )
    scored = score(the_risk, controls)
    assert scored.residual == Cell(2, 2, 4, "low")  # 2 x 2 = 4 -> low
    assert scored.residual_source == "override"
    # the computed tier is still there: Example 1, L3 I4 = 12 high
    assert scored.computed.cell == Cell(3, 4, 12, "high")
    # projected is still computed from the controls: nothing planned, so L3 I4 too
    assert scored.projected.cell == Cell(3, 4, 12, "high")
    # cadence follows the residual in force (the override): low -> 365 d
    assert scored.review_days == 365
    assert scored.next_review == PLUS_365


def test_override_projected_counts_planned_override() -> None:
    controls = by_id(control("C-001", status="planned"))
    the_risk = risk(
        5, 5, ["C-001"], residual={"likelihood": 4, "impact": 5}, override_reason="Analyst view"
    )
    scored = score(the_risk, controls)
    assert scored.residual == Cell(4, 5, 20, "critical")
    assert scored.residual_source == "override"
    assert scored.computed.cell == Cell(5, 5, 25, "critical")  # planned earns 0 now
    # projected: 0.6 on L: v = 2.6 -> 3: L3 I5 = 15 high
    assert scored.projected.cell == Cell(3, 5, 15, "high")


def test_target_cell_when_given() -> None:
    scored = score(risk(5, 5, target={"likelihood": 2, "impact": 3}), {})
    assert scored.target == Cell(2, 3, 6, "medium")  # 2 x 3 = 6 -> medium
    assert score(risk(5, 5), {}).target is None


# --- appetite ---

APPETITE_CATEGORIES = [
    {"id": "payments-fraud", "name": "Payments fraud", "appetite": "medium"},
    {"id": "account-security", "name": "Account security", "appetite": "moderate"},
]


@pytest.mark.parametrize(
    ("likelihood", "impact", "within"),
    [
        (1, 4, True),  # 4 low: rank 0 <= rank(medium) 1
        (3, 3, True),  # 9 medium: rank 1 <= 1 (the boundary is within)
        (3, 4, False),  # 12 high: rank 2 > 1
        (5, 5, False),  # 25 critical: rank 3 > 1
    ],
)
def test_appetite_within_by_residual_rank_5x5(likelihood: int, impact: int, within: bool) -> None:
    config = make_config(categories=APPETITE_CATEGORIES)
    scored = score(risk(likelihood, impact), {}, config)
    assert scored.appetite.limit == "medium"
    assert scored.appetite.within is within


@pytest.mark.parametrize(
    ("likelihood", "impact", "within"),
    [
        (2, 4, True),  # low: rank 1 <= rank(moderate) 2
        (3, 4, True),  # moderate: 2 <= 2
        (3, 5, False),  # high: 3 > 2
        (4, 5, False),  # very-high: 4 > 2
    ],
)
def test_appetite_within_by_residual_rank_nist(likelihood: int, impact: int, within: bool) -> None:
    config = make_config(NIST, categories=APPETITE_CATEGORIES)
    scored = score(risk(likelihood, impact, category="account-security"), {}, config)
    assert scored.appetite.limit == "moderate"
    assert scored.appetite.within is within


def test_appetite_uses_computed_residual_not_inherent() -> None:
    config = make_config(categories=APPETITE_CATEGORIES)
    # Example 2: inherent L4 I4 = 16 high (above medium), residual L2 I4 = 8 medium (within)
    scored = score(risk(4, 4, ["C-102", "C-103"]), by_id(C_B, C_C), config)
    assert scored.inherent.level == "high"
    assert scored.appetite.within is True


def test_appetite_uses_override_residual() -> None:
    config = make_config(categories=APPETITE_CATEGORIES)
    the_risk = risk(5, 5, residual={"likelihood": 1, "impact": 1}, override_reason="Accepted")
    scored = score(the_risk, {}, config)
    assert scored.computed.cell.level == "critical"
    assert scored.appetite.within is True  # low (the override) <= medium


def test_appetite_unknown_category_within_none() -> None:
    config = make_config(categories=APPETITE_CATEGORIES)
    scored = score(risk(5, 5, category="no-such-category"), {}, config)
    assert scored.appetite.limit is None
    assert scored.appetite.within is None


def test_appetite_not_a_level_within_none() -> None:
    # "moderate" is a NIST level, not a 5x5 one
    config = make_config(categories=APPETITE_CATEGORIES)
    scored = score(risk(1, 1, category="account-security"), {}, config)
    assert scored.appetite.limit == "moderate"
    assert scored.appetite.within is None


# --- review cadence ---


@pytest.mark.parametrize("method", PRESETS)
def test_review_days_default_preset(method: str) -> None:
    config = make_config(method)
    assert review_days(config, build_matrix(config.scoring)) == PRESET_CADENCE[method]


@pytest.mark.parametrize(
    ("method", "likelihood", "impact", "level", "days", "next_review"),
    [
        (FIVE, 1, 1, "low", 365, PLUS_365),
        (FIVE, 1, 5, "medium", 180, PLUS_180),
        (FIVE, 2, 5, "high", 90, PLUS_90),
        (FIVE, 5, 5, "critical", 30, PLUS_30),
        (NIST, 1, 1, "very-low", 365, PLUS_365),
        (NIST, 1, 4, "low", 365, PLUS_365),
        (NIST, 3, 3, "moderate", 180, PLUS_180),
        (NIST, 3, 5, "high", 90, PLUS_90),
        (NIST, 4, 5, "very-high", 30, PLUS_30),
    ],
)
def test_next_review_by_residual_level_preset(
    method: str, likelihood: int, impact: int, level: str, days: int, next_review: datetime.date
) -> None:
    scored = score(risk(likelihood, impact), {}, make_config(method))
    assert scored.residual.level == level
    assert scored.review_days == days
    assert scored.next_review == next_review


def test_next_review_none_not_reviewed() -> None:
    scored = score(risk(5, 5, reviewed=None), {})
    assert scored.next_review is None
    assert scored.review_days == 30  # the cadence is still known: critical


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        # the three highest 30, 90, 180; 365 below
        (("l1", "l2", "l3", "l4", "l5"), {"l5": 30, "l4": 90, "l3": 180, "l2": 365, "l1": 365}),
        (
            ("low", "medium", "high", "critical"),
            {"critical": 30, "high": 90, "medium": 180, "low": 365},
        ),
        (("low", "medium", "high"), {"high": 30, "medium": 90, "low": 180}),
        (("low", "high"), {"high": 30, "low": 90}),
    ],
)
def test_review_days_default_custom(levels: tuple[str, ...], expected: dict[str, int]) -> None:
    grid = [[levels[0]] * 4 + [levels[-1]] for _ in range(5)]
    config = make_config("custom", levels=levels, grid=grid)
    assert review_days(config, build_matrix(config.scoring)) == expected


def test_review_days_override_merges_preset() -> None:
    config = make_config(review={"high": 60, "critical": 14})
    assert review_days(config, build_matrix(config.scoring)) == {
        "critical": 14,
        "high": 60,
        "medium": 180,
        "low": 365,
    }
    # Example 1 residual L3 I4 high -> 60 d -> 2026-11-30
    scored = score(risk(5, 4, ["C-101"]), by_id(C_A), config)
    assert scored.review_days == 60
    assert scored.next_review == PLUS_60


def test_review_days_override_custom() -> None:
    levels = ("low", "medium", "high")
    config = make_config("custom", levels=levels, grid=MONOTONE_GRID, review={"low": 400})
    assert review_days(config, build_matrix(config.scoring)) == {
        "high": 30,
        "medium": 90,
        "low": 400,
    }


# === 6. custom grids (risk-matrices.md section 3) =============================================

CUSTOM_LEVELS = ("low", "medium", "high")
# Rows are likelihood 1..5, columns impact 1..5. Rows and columns never decrease.
MONOTONE_GRID = (
    ("low", "low", "low", "medium", "medium"),
    ("low", "low", "medium", "medium", "high"),
    ("low", "medium", "medium", "high", "high"),
    ("medium", "medium", "high", "high", "high"),
    ("medium", "high", "high", "high", "high"),
)
# MONOTONE_GRID with three cells lowered to `low`:
#   L1 I5: lower than L1 I4 (medium), impact axis only (no L0 row);
#   L3 I3: lower than both L2 I3 and L3 I2 (medium), reported once, on the likelihood axis;
#   L5 I1: lower than L4 I1 (medium), likelihood axis only (no I0 column).
NON_MONOTONE_GRID = (
    ("low", "low", "low", "medium", "low"),
    ("low", "low", "medium", "medium", "high"),
    ("low", "medium", "low", "high", "high"),
    ("medium", "medium", "high", "high", "high"),
    ("low", "high", "high", "high", "high"),
)
# Monotone, but low cells touch high ones corner to corner:
#   L1 I3 touches L2 I4; L2 I2 touches L3 I3; L3 I1 touches L4 I2. (L1 I1, L1 I2, L2 I1 do not.)
UNBETWEEN_GRID = (
    ("low", "low", "low", "medium", "high"),
    ("low", "low", "medium", "high", "high"),
    ("low", "medium", "high", "high", "high"),
    ("medium", "high", "high", "high", "high"),
    ("high", "high", "high", "high", "high"),
)


def custom_matrix(grid: Sequence[Sequence[str]], levels: Sequence[str] = CUSTOM_LEVELS) -> Matrix:
    config = make_config("custom", levels=levels, grid=grid)
    assert custom_grid_problems(config.scoring) == []
    return build_matrix(config.scoring)


def cells_named(message: str) -> list[tuple[int, int]]:
    return [(int(l_), int(i_)) for l_, i_ in re.findall(r"L(\d) I(\d)", message)]


def test_custom_cell_reads_grid_custom() -> None:
    matrix = custom_matrix(MONOTONE_GRID)
    assert matrix.levels == CUSTOM_LEVELS
    for likelihood, impact in ALL_CELLS:
        level = MONOTONE_GRID[likelihood - 1][impact - 1]
        assert matrix.cell(likelihood, impact) == Cell(
            likelihood, impact, likelihood * impact, level
        )


def test_monotone_grid_no_violations_custom() -> None:
    matrix = custom_matrix(MONOTONE_GRID)
    assert monotonicity_violations(matrix) == []
    assert betweenness_violations(matrix) == []


def test_non_monotone_grid_reports_offending_cells_custom() -> None:
    violations = monotonicity_violations(custom_matrix(NON_MONOTONE_GRID))
    assert [(l_, i_) for l_, i_, _message in violations] == [(1, 5), (3, 3), (5, 1)]
    # each message names the offending cell, then the higher neighbour it is lower than
    assert [cells_named(message) for _l, _i, message in violations] == [
        [(1, 5), (1, 4)],
        [(3, 3), (2, 3)],
        [(5, 1), (4, 1)],
    ]
    assert ["impact" in m for _l, _i, m in violations] == [True, False, False]
    assert ["likelihood" in m for _l, _i, m in violations] == [False, True, True]


def test_lower_neighbour_only_reports_cell_custom() -> None:
    # One column dip in an otherwise flat grid: L4 I2 low under L3 I2 medium.
    grid = [["medium"] * 5 for _ in range(5)]
    grid[3][1] = "low"
    violations = monotonicity_violations(custom_matrix(grid))
    # L4 I2 (low) is lower than L3 I2 (medium) below it and L4 I1 (medium) to its left: one entry.
    # L5 I2 and L4 I3 are medium above/right of a low: not violations.
    assert [(l_, i_) for l_, i_, _m in violations] == [(4, 2)]


def test_betweenness_reports_low_touching_high_custom() -> None:
    matrix = custom_matrix(UNBETWEEN_GRID)
    assert monotonicity_violations(matrix) == []
    found = betweenness_violations(matrix)
    assert [(l_, i_) for l_, i_, _m in found] == [(1, 3), (2, 2), (3, 1)]
    assert [cells_named(message) for _l, _i, message in found] == [
        [(1, 3), (2, 4)],
        [(2, 2), (3, 3)],
        [(3, 1), (4, 2)],
    ]


def test_betweenness_edge_contact_custom() -> None:
    # low at L1 I1..I4 with high right beside L1 I4 at L1 I5 (edge), and a medium band elsewhere
    grid = [
        ["low", "low", "low", "low", "high"],
        ["medium", "medium", "medium", "medium", "high"],
        ["medium", "medium", "medium", "medium", "high"],
        ["medium", "medium", "medium", "medium", "high"],
        ["high", "high", "high", "high", "high"],
    ]
    found = betweenness_violations(custom_matrix(grid))
    # L1 I4 touches L1 I5 (edge) and L2 I5 (corner); the first found in row order is L1 I5.
    assert [(l_, i_) for l_, i_, _m in found] == [(1, 4)]
    assert cells_named(found[0][2]) == [(1, 4), (1, 5)]


def _problems(**scoring: Any) -> list[tuple[tuple[str | int, ...], str]]:
    config = Config.model_validate(
        {"version": 1, "categories": CATEGORIES, "scoring": {"method": "custom", **scoring}}
    )
    return custom_grid_problems(config.scoring)


LEVEL_DICTS = [{"name": name} for name in CUSTOM_LEVELS]


def test_grid_problems_none_valid_custom() -> None:
    assert _problems(levels=LEVEL_DICTS, grid=[list(row) for row in MONOTONE_GRID]) == []


def test_grid_problems_wrong_row_count_custom() -> None:
    problems = _problems(levels=LEVEL_DICTS, grid=[list(row) for row in MONOTONE_GRID[:4]])
    assert [path for path, _m in problems] == [("scoring", "grid")]
    assert "4 rows" in problems[0][1]


def test_grid_problems_wrong_row_length_custom() -> None:
    grid = [list(row) for row in MONOTONE_GRID]
    grid[2] = grid[2][:4]
    problems = _problems(levels=LEVEL_DICTS, grid=grid)
    assert [path for path, _m in problems] == [("scoring", "grid", 2)]
    assert "row 3 has 4 cells" in problems[0][1]


def test_grid_problems_unknown_level_name_custom() -> None:
    grid = [list(row) for row in MONOTONE_GRID]
    grid[1][3] = "severe"  # L2 I4
    problems = _problems(levels=LEVEL_DICTS, grid=grid)
    assert [path for path, _m in problems] == [("scoring", "grid", 1, 3)]
    assert "'severe'" in problems[0][1]
    assert "low, medium, high" in problems[0][1]


def test_grid_problems_missing_grid_custom() -> None:
    assert [path for path, _m in _problems(levels=LEVEL_DICTS)] == [("scoring",)]


def test_grid_problems_missing_levels_custom() -> None:
    problems = _problems(grid=[list(row) for row in MONOTONE_GRID])
    # no levels, then every one of the 25 names is unknown
    assert problems[0][0] == ("scoring",)
    assert "levels" in problems[0][1]
    assert len(problems) == 1 + 25


def test_grid_problems_duplicate_levels_custom() -> None:
    levels = [*LEVEL_DICTS, {"name": "low"}]
    problems = _problems(levels=levels, grid=[list(row) for row in MONOTONE_GRID])
    assert [path for path, _m in problems] == [("scoring", "levels")]


def test_score_register_rejects_unusable_custom() -> None:
    config = make_config(
        "custom", levels=CUSTOM_LEVELS, grid=[list(row) for row in MONOTONE_GRID[:4]]
    )
    with pytest.raises(RiskctlError, match="4 rows"):
        score_register(Register(config=config))


def test_custom_matrix_scores_and_cadence_custom() -> None:
    config = make_config(
        "custom",
        levels=CUSTOM_LEVELS,
        grid=MONOTONE_GRID,
        categories=[{"id": "payments-fraud", "name": "Payments fraud", "appetite": "medium"}],
    )
    # Example 1 under the custom grid: residual L3 I4 -> MONOTONE_GRID[2][3] = high
    scored = score(risk(5, 4, ["C-101"]), by_id(C_A), config)
    assert scored.inherent == Cell(5, 4, 20, "high")
    assert scored.residual == Cell(3, 4, 12, "high")
    assert scored.review_days == 30  # highest of three levels
    assert scored.next_review == PLUS_30
    assert scored.appetite.within is False  # high (2) > medium (1)


# === credit, grade and latest test =============================================================

GRADE_CASES = [
    # (design, operating, grade(s) accepted, credit): grade = the lower; I and N tie at the bottom
    ("effective", "effective", {"effective"}, 0.6),
    ("effective", "partially-effective", {"partially-effective"}, 0.3),
    ("effective", "ineffective", {"ineffective"}, 0.0),
    ("effective", "not-tested", {"not-tested"}, 0.0),
    ("partially-effective", "effective", {"partially-effective"}, 0.3),
    ("partially-effective", "partially-effective", {"partially-effective"}, 0.3),
    ("partially-effective", "ineffective", {"ineffective"}, 0.0),
    ("partially-effective", "not-tested", {"not-tested"}, 0.0),
    ("ineffective", "effective", {"ineffective"}, 0.0),
    ("ineffective", "partially-effective", {"ineffective"}, 0.0),
    ("ineffective", "ineffective", {"ineffective"}, 0.0),
    ("ineffective", "not-tested", {"ineffective", "not-tested"}, 0.0),
    ("not-tested", "effective", {"not-tested"}, 0.0),
    ("not-tested", "partially-effective", {"not-tested"}, 0.0),
    ("not-tested", "ineffective", {"ineffective", "not-tested"}, 0.0),
    ("not-tested", "not-tested", {"not-tested"}, 0.0),
]


@pytest.mark.parametrize(("design_", "operating_", "grades", "credit"), GRADE_CASES)
def test_credit_from_lower_rating_by_combination(
    design_: str, operating_: str, grades: set[str], credit: float
) -> None:
    item = control("C-001", design=design_, operating=operating_)
    assert grade(item) in grades
    assert control_credit(item, "residual", Credits())[0] == credit
    assert control_credit(item, "projected", Credits())[0] == credit  # active: same in both


def test_credit_uses_configured_table_custom_credits() -> None:
    table = Credits.model_validate({"effective": 0.7, "partially-effective": 0.4})
    assert control_credit(control("C-001"), "residual", table)[0] == 0.7
    assert (
        control_credit(control("C-001", design="partially-effective"), "residual", table)[0] == 0.4
    )
    # degraded caps at the configured partially-effective credit, 0.4
    assert control_credit(control("C-001", status="degraded"), "residual", table)[0] == 0.4
    # planned in projected: the configured effective credit
    assert control_credit(control("C-001", status="planned"), "projected", table)[0] == 0.7


def test_latest_test_picks_latest_date_by_type() -> None:
    item = control(
        "C-001",
        tests=[
            operating("2026-09-01", "pass"),
            design("2026-10-01", "fail"),
            operating("2026-03-01", "fail"),
        ],
    )
    latest_operating = latest_test(item, "operating")
    assert latest_operating is not None
    assert latest_operating.date == datetime.date(2026, 9, 1)
    latest_design = latest_test(item, "design")
    assert latest_design is not None
    assert latest_design.result == "fail"
    assert latest_test(control("C-002"), "operating") is None


def test_latest_test_last_listed_wins_same_day_tie() -> None:
    # Not in the reference: the code documents "the last listed wins a tie".
    item = control(
        "C-001", tests=[operating("2026-09-01", "pass"), operating("2026-09-01", "fail")]
    )
    latest = latest_test(item, "operating")
    assert latest is not None
    assert latest.result == "fail"
    assert control_credit(item, "residual", Credits())[0] == 0.0


# === the "controls never bring a dimension to 1" property, at its limits ======================


def test_dimension_never_reaches_one_many_default_credits() -> None:
    ids = [f"C-{n:03d}" for n in range(1, 24)]
    controls = by_id(*(control(control_id) for control_id in ids))
    tier = compute_tier(
        risk(2, 1, ids), controls, "residual", make_config(), build_matrix(make_config().scoring)
    )
    # R = 1 - 0.4^23 = 1 - 7.04e-10; v = 1 + 1 * 7.04e-10 > 1 -> ceil = 2 (never 1)
    assert tier.steps[0].value > 1
    assert tier.steps[0].result == 2


def test_dimension_never_reaches_one_high_custom_credit() -> None:
    config = make_config(credit_table={"effective": 0.99})
    ids = [f"C-{n:03d}" for n in range(1, 6)]
    controls = by_id(*(control(control_id) for control_id in ids))
    tier = compute_tier(risk(2, 1, ids), controls, "residual", config, build_matrix(config.scoring))
    # R = 1 - 0.01^5 = 1 - 1e-10; v = 1 + 1 * 1e-10 > 1 -> ceil = 2 (never 1)
    assert tier.steps[0].result == 2


# === 7. fingerprint ============================================================================


def independent_fingerprint(document: Mapping[str, object]) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces) without `fingerprint`, 16 hex."""
    body = {key: value for key, value in document.items() if key != "fingerprint"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


#: The default method, written out by hand.
DEFAULT_METHOD: dict[str, object] = {
    "name": FIVE,
    "levels": ["low", "medium", "high", "critical"],
    "grid": [[level for _score, level in row] for row in FIVE_BY_FIVE_TABLE],
    "credits": {"effective": 0.6, "partially-effective": 0.3},
    "combine": "compound",
    "review_days": {"critical": 30, "high": 90, "medium": 180, "low": 365},
}


def document_of(config: Config) -> dict[str, object]:
    return method_document(config, build_matrix(config.scoring))


def test_method_document_matches_hand_written_default() -> None:
    expected = {**DEFAULT_METHOD, "fingerprint": independent_fingerprint(DEFAULT_METHOD)}
    assert document_of(make_config(untested_cap=DEFAULT_UNTESTED_CAP)) == expected
    assert fingerprint(DEFAULT_METHOD) == expected["fingerprint"]
    # an existing fingerprint key is not part of what is hashed
    assert fingerprint({**DEFAULT_METHOD, "fingerprint": "sha256:0"}) == expected["fingerprint"]


def test_fingerprint_matches_independent_hash_nist() -> None:
    document = document_of(make_config(NIST))
    assert document["fingerprint"] == independent_fingerprint(document)
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", str(document["fingerprint"]))


def test_fingerprint_stable_same_method() -> None:
    assert document_of(make_config())["fingerprint"] == document_of(make_config())["fingerprint"]
    # explicit defaults are the same method as omitted ones
    explicit = make_config(
        credit_table={"effective": 0.6, "partially-effective": 0.3},
        review={"critical": 30, "high": 90, "medium": 180, "low": 365},
    )
    assert document_of(explicit)["fingerprint"] == document_of(make_config())["fingerprint"]


def test_fingerprint_differs_changed_method() -> None:
    variants = {
        "default": make_config(),
        "credit-effective": make_config(credit_table={"effective": 0.5}),
        "credit-partial": make_config(credit_table={"partially-effective": 0.2}),
        "combine": make_config(combine_rule="strongest"),
        "method": make_config(NIST),
        "review-days": make_config(review={"high": 60}),
        "custom": make_config("custom", levels=CUSTOM_LEVELS, grid=MONOTONE_GRID),
    }
    prints = {name: document_of(config)["fingerprint"] for name, config in variants.items()}
    assert len(set(prints.values())) == len(prints), prints


FINGERPRINT_SCRIPT = """
from riskctl.model.config import Config
from riskctl.score.matrix import build_matrix, method_document
config = Config.model_validate(
    {"version": 1, "categories": [{"id": "a", "name": "A", "appetite": "low"}]}
)
print(method_document(config, build_matrix(config.scoring))["fingerprint"])
"""


def test_fingerprint_same_two_processes() -> None:
    runs = []
    for seed in ("1", "2"):  # different str hash salts: the fingerprint must not depend on them
        env = {**os.environ, "PYTHONHASHSEED": seed}
        runs.append(
            subprocess.Popen(
                [sys.executable, "-c", FINGERPRINT_SCRIPT],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = []
    for run in runs:
        stdout, stderr = run.communicate(timeout=60)
        assert run.returncode == 0, stderr
        outputs.append(stdout.strip())
    assert outputs[0] == outputs[1] == independent_fingerprint(DEFAULT_METHOD)


def test_score_register_scores_every_risk_in_id_order() -> None:
    config = make_config(untested_cap=DEFAULT_UNTESTED_CAP)  # the default method
    register = Register(config=config)
    tested = [design("2026-03-02", "pass"), operating("2026-09-15", "pass")]
    for entity, file in (
        (risk(3, 5, ["C-104"]).model_copy(update={"id": "R-002"}), "risks/R-002.yaml"),
        (risk(5, 4, ["C-101"]), "risks/R-001.yaml"),
        (control("C-101", reduces="likelihood", tests=tested), "controls/C-101.yaml"),
        (
            control("C-104", reduces="impact", status="degraded", tests=tested),
            "controls/C-104.yaml",
        ),
    ):
        kind = "risk" if file.startswith("risks/") else "control"
        register.add(Record(kind=kind, file=file, entity=entity))
    card = score_register(register)
    assert [item.risk.id for item in card.risks] == ["R-001", "R-002"]
    # R-001 = Example 1: L3 I4 = 12 high; R-002 = Example 3: L3 I4 = 12 high
    assert [item.residual for item in card.risks] == [Cell(3, 4, 12, "high")] * 2
    assert card.method["fingerprint"] == independent_fingerprint(DEFAULT_METHOD)
    assert card.matrix.method == FIVE


# === 8. properties =============================================================================


def exact_credit(
    item: Control, tier: str, effective: Fraction, partial: Fraction, cap: Fraction
) -> Fraction:
    """The reference's credit (section 3, steps 1-2), in exact fractions, with the project's
    cap on a rating that has no test of its type (`cap`, scoring.untested_cap)."""
    if item.status == "retired":
        return Fraction(0)
    if item.status == "planned":
        return effective if tier == "projected" else Fraction(0)
    runs = [test for test in item.tests if test.type == "operating"]
    if runs and max(runs, key=lambda test: test.date).result == "fail":  # dates are distinct
        return Fraction(0)
    rank = {"effective": 2, "partially-effective": 1, "ineffective": 0, "not-tested": 0}
    lower = min(rank[item.effectiveness.design], rank[item.effectiveness.operating])
    credit = {2: effective, 1: partial, 0: Fraction(0)}[lower]
    credit = min(credit, partial) if item.status == "degraded" else credit
    tested = {test.type for test in item.tests}
    rated = {"design": item.effectiveness.design, "operating": item.effectiveness.operating}
    if any(rank[rating] > 0 and kind not in tested for kind, rating in rated.items()):
        credit = min(credit, cap)
    return credit


def exact_tier(scenario: Scenario, tier: str) -> Cell:
    """The reference's tier (section 3, steps 1-6) with exact arithmetic and exact ceilings."""
    scoring = scenario.config.scoring
    effective = Fraction(scoring.credits.effective).limit_denominator(20)
    partial = Fraction(scoring.credits.partially_effective).limit_denominator(20)
    cap = Fraction(scoring.untested_cap).limit_denominator(20)
    earned: dict[str, list[Fraction]] = {"likelihood": [], "impact": []}
    for control_id in scenario.risk.controls:
        item = scenario.controls.get(control_id)
        if item is None or item.reduces is None:
            continue
        credit = exact_credit(item, tier, effective, partial, cap)
        for dimension in ("likelihood", "impact"):
            if item.reduces in (dimension, "both"):
                earned[dimension].append(credit)
    result = []
    for dimension in ("likelihood", "impact"):
        x = getattr(scenario.risk.inherent, dimension)
        on_dimension = earned[dimension]
        if scoring.combine == "strongest":
            reduction = max(on_dimension, default=Fraction(0))
        else:
            reduction = 1 - math.prod((1 - c for c in on_dimension), start=Fraction(1))
        value = 1 + (x - 1) * (1 - reduction)
        result.append(min(x, max(1, math.ceil(value))))
    likelihood, impact = result
    return expected_cell(scoring.method, likelihood, impact)


def scored_tiers(scenario: Scenario) -> tuple[TierResult, TierResult]:
    matrix = build_matrix(scenario.config.scoring)
    args = (scenario.risk, scenario.controls)
    return (
        compute_tier(*args, "residual", scenario.config, matrix),
        compute_tier(*args, "projected", scenario.config, matrix),
    )


def with_combine(config: Config, rule: str) -> Config:
    return make_config(
        config.scoring.method,
        combine_rule=rule,
        credit_table={
            "effective": config.scoring.credits.effective,
            "partially-effective": config.scoring.credits.partially_effective,
        },
    )


@PROPERTY_SETTINGS
@given(scenarios())
def test_tiers_match_exact_fraction_model_any_scenario(scenario: Scenario) -> None:
    residual, projected = scored_tiers(scenario)
    assert residual.cell == exact_tier(scenario, "residual")
    assert projected.cell == exact_tier(scenario, "projected")


@PROPERTY_SETTINGS
@given(scenarios(), effective_active_controls())
def test_residual_never_rises_adding_effective_active_control(
    scenario: Scenario, extra: Control
) -> None:
    before = score_risk(
        scenario.risk, scenario.controls, scenario.config, build_matrix(scenario.config.scoring)
    )
    grown = Scenario(
        Risk.model_validate(
            {**scenario.risk.model_dump(), "controls": [*scenario.risk.controls, extra.id]}
        ),
        {**scenario.controls, extra.id: extra},
        scenario.config,
    )
    after = score_risk(grown.risk, grown.controls, grown.config, build_matrix(grown.config.scoring))
    for tier_before, tier_after in (
        (before.computed.cell, after.computed.cell),
        (before.projected.cell, after.projected.cell),
    ):
        assert tier_after.likelihood <= tier_before.likelihood
        assert tier_after.impact <= tier_before.impact


@PROPERTY_SETTINGS
@given(scenarios())
def test_residual_within_one_and_inherent_any_scenario(scenario: Scenario) -> None:
    inherent = scenario.risk.inherent
    for tier in scored_tiers(scenario):
        assert 1 <= tier.cell.likelihood <= inherent.likelihood
        assert 1 <= tier.cell.impact <= inherent.impact
    residual, projected = scored_tiers(scenario)
    # planned controls only add credit: projected never above residual
    assert projected.cell.likelihood <= residual.cell.likelihood
    assert projected.cell.impact <= residual.cell.impact


@PROPERTY_SETTINGS
@given(scenarios())
def test_compound_at_most_strongest_any_scenario(scenario: Scenario) -> None:
    compound = Scenario(scenario.risk, scenario.controls, with_combine(scenario.config, "compound"))
    strongest = Scenario(
        scenario.risk, scenario.controls, with_combine(scenario.config, "strongest")
    )
    for tier_c, tier_s in zip(scored_tiers(compound), scored_tiers(strongest), strict=True):
        assert tier_c.cell.likelihood <= tier_s.cell.likelihood
        assert tier_c.cell.impact <= tier_s.cell.impact


@PROPERTY_SETTINGS
@given(scenarios())
def test_same_input_same_output_any_scenario(scenario: Scenario) -> None:
    matrix = build_matrix(scenario.config.scoring)
    first = score_risk(scenario.risk, scenario.controls, scenario.config, matrix)
    # a fresh copy of every input, and the controls mapping in reverse order
    risk_copy = Risk.model_validate(scenario.risk.model_dump())
    controls_copy = {
        key: Control.model_validate(value.model_dump())
        for key, value in reversed(scenario.controls.items())
    }
    config_copy = Config.model_validate(scenario.config.model_dump(by_alias=True))
    second = score_risk(risk_copy, controls_copy, config_copy, build_matrix(config_copy.scoring))
    assert first == second


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_scoring_a_register_scores_each_risk_as_the_model_does(
    scenario: Scenario, data: st.DataObject
) -> None:
    """`score_register` works each control's credit out once for every risk and both tiers
    (`residual.Scorer`); each risk still scores as the exact model scores it alone."""
    linked = data.draw(st.lists(st.sampled_from([*scenario.controls, "C-999"]), unique=True))
    other = Risk.model_validate({**scenario.risk.model_dump(), "id": "R-002", "controls": linked})
    register = Register(config=scenario.config)
    for item in scenario.controls.values():
        register.add(Record("control", f"controls/{item.id}.yaml", item))
    for each in (scenario.risk, other):
        register.add(Record("risk", f"risks/{each.id}.yaml", each))
    for score in score_register(register).risks:
        alone = Scenario(score.risk, scenario.controls, scenario.config)
        assert score.computed.cell == exact_tier(alone, "residual")
        assert score.projected.cell == exact_tier(alone, "projected")


@PROPERTY_SETTINGS
@given(scenarios())
def test_dimension_never_reaches_one_credits_below_one(scenario: Scenario) -> None:
    for tier in scored_tiers(scenario):
        for step in tier.steps:
            if step.inherent >= 2:
                assert step.value > 1
                assert step.result >= 2


def test_control_linked_twice_counts_once() -> None:
    config = make_config()
    tier = compute_tier(
        risk(5, 1, ["C-001", "C-001"]),
        by_id(control("C-001")),
        "residual",
        config,
        build_matrix(config.scoring),
    )
    # one effective credit: R = 0.6; v = 1 + 4 * 0.4 = 2.6 -> 3 (twice would be R = 0.84 -> 2)
    assert tier.steps[0].credits == (0.6,)
    assert tier.steps[0].result == 3
    assert [credit.control for credit in tier.controls] == ["C-001"]


# === 9. the cap on untested ratings (scoring.untested_cap, lint RK305) ==========================

DESIGN_PASS = design("2026-03-02", "pass")
OPERATING_PASS = operating("2026-09-15", "pass")


@pytest.mark.parametrize(
    ("design_", "operating_", "tests", "credit", "untested"),
    [
        ("effective", "effective", [DESIGN_PASS, OPERATING_PASS], 0.6, []),
        ("effective", "effective", [OPERATING_PASS], 0.3, ["design"]),
        ("effective", "effective", [DESIGN_PASS], 0.3, ["operating"]),
        ("effective", "effective", [], 0.3, ["design", "operating"]),
        ("partially-effective", "effective", [], 0.3, ["design", "operating"]),
        ("effective", "not-tested", [], 0.0, ["design"]),  # grade not-tested: 0 anyway
        ("ineffective", "effective", [OPERATING_PASS], 0.0, []),
        # any test of the type counts, whatever its result (a failed design test: RK302's side)
        ("effective", "effective", [design("2026-03-02", "fail"), OPERATING_PASS], 0.6, []),
    ],
)
def test_untested_rating_is_capped_at_the_default(
    design_: str, operating_: str, tests: list[dict[str, Any]], credit: float, untested: list[str]
) -> None:
    item = control("C-001", design=design_, operating=operating_, tests=tests)
    assert residual.untested_ratings(item) == untested
    earned, reason = residual.control_credit(item, "residual", Credits())
    assert earned == credit
    capped = credit == DEFAULT_UNTESTED_CAP and untested and design_ == "effective"
    assert ("(scoring.untested_cap)" in reason) == bool(capped), reason


def test_untested_cap_is_configurable_and_shown_in_the_reason() -> None:
    item = control("C-001", tests=[OPERATING_PASS])
    assert residual.control_credit(item, "residual", Credits(), untested_cap=0.0) == (
        0.0,
        "grade effective (design effective, operating effective), active; no design test on "
        "record: capped at 0 (scoring.untested_cap)",
    )
    assert residual.control_credit(item, "residual", Credits(), untested_cap=1.0) == (
        0.6,
        "grade effective (design effective, operating effective), active",
    )
    # degraded caps first (0.3), then the cap of 0.2 on the untested design rating
    degraded = control("C-001", status="degraded", tests=[OPERATING_PASS])
    assert residual.control_credit(degraded, "residual", Credits(), untested_cap=0.2)[0] == 0.2


def test_untested_cap_moves_the_residual_and_the_explanation() -> None:
    # Example 1 (L5 I4, one effective likelihood control) with only an operating test on
    # record: capped at 0.3, v = 1 + 4 x 0.7 = 3.8 -> L4; L4 I4 = 16 high instead of L3 I4.
    untested = control("C-101", reduces="likelihood", tests=[OPERATING_PASS])
    tested = control("C-101", reduces="likelihood", tests=[DESIGN_PASS, OPERATING_PASS])
    config = make_config(untested_cap=DEFAULT_UNTESTED_CAP)
    capped = score(risk(5, 4, ["C-101"]), by_id(untested), config)
    assert capped.residual == Cell(4, 4, 16, "high")
    assert capped.computed.steps[0].credits == (0.3,)
    assert score(risk(5, 4, ["C-101"]), by_id(tested), config).residual == Cell(3, 4, 12, "high")
    off = make_config(untested_cap=1.0)
    assert score(risk(5, 4, ["C-101"]), by_id(untested), off).residual == Cell(3, 4, 12, "high")


def test_untested_cap_is_in_the_method_only_when_set() -> None:
    default = make_config(untested_cap=DEFAULT_UNTESTED_CAP)
    assert "untested_cap" not in method_document(default, build_matrix(default.scoring))
    custom = make_config(untested_cap=0.0)
    document = method_document(custom, build_matrix(custom.scoring))
    assert document["untested_cap"] == 0.0
    assert (
        document["fingerprint"]
        != method_document(default, build_matrix(default.scoring))["fingerprint"]
    )


@pytest.mark.parametrize("color", ["red", "#12345", "#1234567", "url(javascript:x)", "#fff;x"])
def test_a_level_colour_is_hex_or_the_config_is_refused(color: str) -> None:
    """A custom level's colour reaches the HTML reports' SVG: `#rgb` or `#rrggbb` only."""
    with pytest.raises(ValidationError, match="pattern"):
        Level.model_validate({"name": "low", "color": color})
    assert Level.model_validate({"name": "low", "color": "#A1b2C3"}).color == "#A1b2C3"
