"""Risk matrices: levels, the level of each cell, review cadence, and the method's fingerprint.

Presets (../shared/reference/risk-matrices.md, section 5, the project defaults):
- `5x5-multiplicative`: score = L x I; levels low (1-4), medium (5-9), high (10-16),
  critical (20-25), the usual banding of the 5x5 convention (only 14 products occur, so these
  bands cover every cell).
- `nist-800-30`: NIST SP 800-30 Rev. 1, Appendix I, Table I-2 "level of risk (combination of
  likelihood and impact)"; levels very-low, low, moderate, high, very-high. Not a function of
  L x I; the score is still L x I, used only for ordering.
- `custom`: levels (lowest first) and `grid[likelihood-1][impact-1]` from riskctl.yaml.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import NamedTuple

from riskctl.model.config import DEFAULT_UNTESTED_CAP, Config, Scoring

PRESET_LEVELS: dict[str, tuple[str, ...]] = {
    "5x5-multiplicative": ("low", "medium", "high", "critical"),
    "nist-800-30": ("very-low", "low", "moderate", "high", "very-high"),
}

#: Default colours per preset level (for reports and terminals).
PRESET_COLORS: dict[str, str] = {
    "very-low": "#2e7d32",
    "low": "#7cb342",
    "moderate": "#fbc02d",
    "medium": "#fbc02d",
    "high": "#f57c00",
    "very-high": "#c62828",
    "critical": "#c62828",
}

# NIST SP 800-30 Rev. 1, Table I-2; row n is likelihood n (1 = very-low), column m impact m.
_NIST_GRID: tuple[tuple[str, ...], ...] = (
    ("very-low", "very-low", "very-low", "low", "low"),
    ("very-low", "low", "low", "low", "moderate"),
    ("very-low", "low", "moderate", "moderate", "high"),
    ("very-low", "low", "moderate", "high", "very-high"),
    ("very-low", "low", "moderate", "high", "very-high"),
)


def _five_by_five_level(score: int) -> str:
    """Bands of the 5x5 multiplicative preset: low 1-4, medium 5-9, high 10-16, critical 20-25."""
    if score <= 4:
        return "low"
    if score <= 9:
        return "medium"
    if score <= 16:
        return "high"
    return "critical"


_FIVE_BY_FIVE_GRID = tuple(
    tuple(_five_by_five_level(likelihood * impact) for impact in range(1, 6))
    for likelihood in range(1, 6)
)

#: Review cadence in days by residual level (riskctl defaults, risk-matrices.md section 5).
PRESET_REVIEW_DAYS: dict[str, dict[str, int]] = {
    "5x5-multiplicative": {"critical": 30, "high": 90, "medium": 180, "low": 365},
    "nist-800-30": {"very-high": 30, "high": 90, "moderate": 180, "low": 365, "very-low": 365},
}
#: A custom matrix without `review_days`: 30, 90 and 180 days for its three highest levels,
#: 365 for the rest (the presets' pattern, counted from the top).
CUSTOM_REVIEW_DAYS_FROM_TOP = (30, 90, 180)
DEFAULT_REVIEW_DAYS = 365


class Cell(NamedTuple):
    """A rated point: likelihood and impact 1-5, the score L x I and the level."""

    likelihood: int
    impact: int
    score: int
    level: str


@dataclass(frozen=True)
class Matrix:
    """A scoring method: its levels (lowest first) and the level of every cell."""

    method: str
    levels: tuple[str, ...]
    grid: tuple[tuple[str, ...], ...]
    colors: tuple[str | None, ...]

    def cell(self, likelihood: int, impact: int) -> Cell:
        """The score and level of a likelihood and impact (each 1-5)."""
        return Cell(likelihood, impact, likelihood * impact, self.grid[likelihood - 1][impact - 1])

    def rank(self, level: str) -> int:
        """The position of a level, 0 for the lowest."""
        return self.levels.index(level)


def level_names(scoring: Scoring) -> tuple[str, ...]:
    """The levels of the configured method, lowest first."""
    if scoring.method == "custom":
        return tuple(level.name for level in scoring.levels or ())
    return PRESET_LEVELS[scoring.method]


def custom_grid_problems(scoring: Scoring) -> list[tuple[tuple[str | int, ...], str]]:
    """Why a custom method cannot be used: (path in riskctl.yaml, message) pairs."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    levels = level_names(scoring)
    if not levels:
        problems.append((("scoring",), "method custom needs `levels` (lowest first)"))
    if len(set(levels)) != len(levels):
        problems.append((("scoring", "levels"), "level names must be unique"))
    grid = scoring.grid
    if grid is None:
        problems.append((("scoring",), "method custom needs `grid` (5 rows of 5 level names)"))
        return problems
    if len(grid) != 5:
        problems.append((("scoring", "grid"), f"grid has {len(grid)} rows; it needs 5"))
    for row_index, row in enumerate(grid):
        if len(row) != 5:
            problems.append(
                (
                    ("scoring", "grid", row_index),
                    f"grid row {row_index + 1} has {len(row)} cells; it needs 5",
                )
            )
        for column_index, name in enumerate(row):
            if name not in levels:
                problems.append(
                    (
                        ("scoring", "grid", row_index, column_index),
                        f"{name!r} is not one of the levels ({', '.join(levels)})",
                    )
                )
    return problems


def build_matrix(scoring: Scoring) -> Matrix:
    """The matrix of the configured method. A custom one must have no `custom_grid_problems`."""
    if scoring.method == "5x5-multiplicative":
        levels = PRESET_LEVELS[scoring.method]
        return Matrix(scoring.method, levels, _FIVE_BY_FIVE_GRID, _preset_colors(levels))
    if scoring.method == "nist-800-30":
        levels = PRESET_LEVELS[scoring.method]
        return Matrix(scoring.method, levels, _NIST_GRID, _preset_colors(levels))
    assert scoring.levels is not None and scoring.grid is not None
    return Matrix(
        "custom",
        tuple(level.name for level in scoring.levels),
        tuple(tuple(row) for row in scoring.grid),
        tuple(level.color for level in scoring.levels),
    )


def _preset_colors(levels: tuple[str, ...]) -> tuple[str | None, ...]:
    return tuple(PRESET_COLORS.get(level) for level in levels)


def monotonicity_violations(matrix: Matrix) -> list[tuple[int, int, str]]:
    """Cells whose level is lower than their lower-likelihood or lower-impact neighbour.

    A grid is monotone when raising likelihood or impact never lowers the level; checking each
    cell against its left and lower neighbours suffices (risk-matrices.md section 3). Returns
    (likelihood, impact, message) per offending cell, 1-based.
    """
    violations = []
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            here = matrix.rank(matrix.grid[likelihood - 1][impact - 1])
            for other_l, other_i, axis in (
                (likelihood - 1, impact, "likelihood"),
                (likelihood, impact - 1, "impact"),
            ):
                if other_l >= 1 and other_i >= 1:
                    neighbour = matrix.grid[other_l - 1][other_i - 1]
                    if matrix.rank(neighbour) > here:
                        violations.append(
                            (
                                likelihood,
                                impact,
                                f"L{likelihood} I{impact} is "
                                f"{matrix.grid[likelihood - 1][impact - 1]}, lower than "
                                f"{neighbour} at L{other_l} I{other_i}: raising {axis} "
                                "must never lower the level",
                            )
                        )
                        break
    return violations


def betweenness_violations(matrix: Matrix) -> list[tuple[int, int, str]]:
    """Lowest-level cells that touch a highest-level cell, edge or corner (Cox 2008).

    Cox's betweenness: going from a lowest-level cell to a highest-level cell always crosses an
    intermediate level. Returns (likelihood, impact, message) per offending lowest cell.
    """
    if len(matrix.levels) < 3:
        return []
    lowest, highest = matrix.levels[0], matrix.levels[-1]
    found = []
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            if matrix.grid[likelihood - 1][impact - 1] != lowest:
                continue
            touching = next(
                (
                    (other_l, other_i)
                    for other_l in range(max(1, likelihood - 1), min(5, likelihood + 1) + 1)
                    for other_i in range(max(1, impact - 1), min(5, impact + 1) + 1)
                    if matrix.grid[other_l - 1][other_i - 1] == highest
                ),
                None,
            )
            if touching is not None:
                found.append(
                    (
                        likelihood,
                        impact,
                        f"L{likelihood} I{impact} ({lowest}) touches L{touching[0]} "
                        f"I{touching[1]} ({highest}) with no level between",
                    )
                )
    return found


def review_days(config: Config, matrix: Matrix) -> dict[str, int]:
    """Days between reviews for each level: riskctl.yaml's `review_days` over the defaults."""
    if matrix.method in PRESET_REVIEW_DAYS:
        defaults = dict(PRESET_REVIEW_DAYS[matrix.method])
    else:
        defaults = {}
        for offset, level in enumerate(reversed(matrix.levels)):
            days = CUSTOM_REVIEW_DAYS_FROM_TOP
            defaults[level] = days[offset] if offset < len(days) else DEFAULT_REVIEW_DAYS
    defaults.update(config.review_days or {})
    return defaults


def method_document(config: Config, matrix: Matrix) -> dict[str, object]:
    """The effective scoring configuration, as printed in JSON output with its fingerprint."""
    scoring = config.scoring
    document: dict[str, object] = {
        "name": matrix.method,
        "levels": list(matrix.levels),
        "grid": [list(row) for row in matrix.grid],
        "credits": {
            "effective": scoring.credits.effective,
            "partially-effective": scoring.credits.partially_effective,
        },
        "combine": scoring.combine,
        "review_days": review_days(config, matrix),
    }
    if scoring.untested_cap != DEFAULT_UNTESTED_CAP:  # at its default, fingerprints stay as before
        document["untested_cap"] = scoring.untested_cap
    document["fingerprint"] = fingerprint(document)
    return document


def fingerprint(document: dict[str, object]) -> str:
    """A stable hash of the effective method: sha256 of its canonical JSON, first 16 hex digits.

    Canonical: keys sorted, no whitespace, so the same method always hashes the same, across
    processes and machines (never Python's salted `hash()`).
    """
    canonical = json.dumps(
        {key: value for key, value in document.items() if key != "fingerprint"},
        sort_keys=True,
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
