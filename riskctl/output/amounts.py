"""Amounts and probabilities of loss quantification, written the same way in every output
(`riskctl quant`, `riskctl diff`, the reports)."""

from __future__ import annotations

import math


def amount(value: float | None) -> str:
    """A whole amount with thousands separators (`1,385,696`); `-` when there is none."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:,.0f}"


def money(value: float | None, currency: str) -> str:
    """An amount with its currency code: `USD 1,385,696`."""
    return "-" if value is None or not math.isfinite(value) else f"{currency} {amount(value)}"


_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def compact(value: float | None) -> str:
    """A short amount for chart axes and tight columns: `950`, `40k`, `1.39M`, `2.6B`
    (three significant figures)."""
    if value is None or not math.isfinite(value):
        return "-"
    rounded = float(f"{value:.3g}")  # first, so 999,500 is 1M and not "1e+03k"
    for scale, suffix in _SUFFIXES:
        if abs(rounded) >= scale:
            scaled = rounded / scale  # past 999T, whole trillions: "1,000T", not "1e+03T"
            return f"{scaled:,.0f}{suffix}" if abs(scaled) >= 1000 else f"{scaled:.3g}{suffix}"
    return f"{rounded:.3g}"


def percent(probability: float | None) -> str:
    """A probability as a percentage to two decimals at most: `5.93%`, `0.01%`, `0%`, `100%`;
    below 0.005 % but above 0, `<0.01%`."""
    if probability is None or not math.isfinite(probability):
        return "-"
    if 0 < probability < 0.00005:
        return "<0.01%"
    text = f"{probability * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def ratio(value: float | None) -> str:
    """A return on control spend as a multiple: `7.07x`, `-0.35x`; `-` when there is none."""
    return "-" if value is None or not math.isfinite(value) else f"{value:.2f}x"
