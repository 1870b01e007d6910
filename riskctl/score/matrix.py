"""Risk matrices: the level vocabulary of each scoring method.

Presets (see ../shared/reference/risk-matrices.md):
- `5x5-multiplicative`: score = L x I; levels low (1-4), medium (5-9), high (10-16),
  critical (20-25) — the usual banding of the 5x5 convention.
- `nist-800-30`: NIST SP 800-30 Rev. 1, Appendix I, Table I-2; levels very-low, low, moderate,
  high, very-high.
"""

from __future__ import annotations

from riskctl.model.config import Scoring

PRESET_LEVELS: dict[str, tuple[str, ...]] = {
    "5x5-multiplicative": ("low", "medium", "high", "critical"),
    "nist-800-30": ("very-low", "low", "moderate", "high", "very-high"),
}


def level_names(scoring: Scoring) -> tuple[str, ...]:
    """The levels of the configured method, lowest first."""
    if scoring.method == "custom":
        return tuple(level.name for level in scoring.levels or ())
    return PRESET_LEVELS[scoring.method]
