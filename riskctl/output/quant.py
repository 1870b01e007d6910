"""Formats of `riskctl quant`: text, json, csv and markdown, all from one `QuantResult`.

Every format states the semantics label (`compound-poisson` or `fair-product`), the simulated
years, the seed and the currency, so no number is read without how it was made. Text and
Markdown write amounts and probabilities with `riskctl.output.amounts`; JSON and CSV keep the
raw numbers (a non-finite value is `null` in JSON, an empty cell in CSV).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Sequence

from riskctl.output.amounts import amount, compact, money, percent, ratio
from riskctl.output.markdown import markdown_cell, markdown_table
from riskctl.quant.run import QuantResult, RiskResult, document, stats_document
from riskctl.quant.simulate import Stats
from riskctl.quant.tolerance import ToleranceCheck
from riskctl.textsafe import csv_cell, cut, display_width, json_safe, pad, visible

TITLE_WIDTH = 40

# --- shared pieces -------------------------------------------------------------------------------


def settings_line(result: QuantResult) -> str:
    """`compound-poisson semantics, 20,000 simulated years, seed 20260910, amounts in USD`."""
    settings = result.settings
    return (
        f"{settings.semantics} semantics, {settings.years:,} simulated "
        f"year{'s' if settings.years != 1 else ''}, seed {settings.seed}, "
        f"amounts in {visible(result.currency)}"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


RISK_HEADER = [
    "risk", "title", "ALE inherent", "ALE residual", "mean residual", "p95 residual",
    "p99 residual", "P(any) residual", "ROSI",
]  # fmt: skip


def risk_rows(risks: Sequence[RiskResult]) -> list[list[str]]:
    """One row per risk: exact ALE both tiers, then the simulated residual statistics."""
    return [
        [
            item.quant.id,
            visible(item.quant.title),
            amount(item.inherent.ale),
            amount(item.residual.ale),
            amount(item.residual.mean),
            amount(item.residual.percentiles[0.95]),
            amount(item.residual.percentiles[0.99]),
            percent(item.residual.p_any),
            ratio(item.quant.rosi),
        ]
        for item in risks
    ]


#: The portfolio's statistics, by label, as read from a tier's `Stats`.
PORTFOLIO_LINES: tuple[tuple[str, Callable[[Stats], str]], ...] = (
    ("ALE (exact)", lambda stats: amount(stats.ale)),
    ("mean (simulated)", lambda stats: amount(stats.mean)),
    ("standard deviation", lambda stats: amount(stats.sd)),
    ("P(any loss)", lambda stats: percent(stats.p_any)),
    ("p50", lambda stats: amount(stats.percentiles[0.5])),
    ("p90", lambda stats: amount(stats.percentiles[0.9])),
    ("p95", lambda stats: amount(stats.percentiles[0.95])),
    ("p99", lambda stats: amount(stats.percentiles[0.99])),
    ("p99.9", lambda stats: amount(stats.percentiles[0.999])),
    ("VaR 95%", lambda stats: amount(stats.var95)),
    ("VaR 99%", lambda stats: amount(stats.var99)),
    ("TVaR 95%", lambda stats: amount(stats.tvar95)),
    ("TVaR 99%", lambda stats: amount(stats.tvar99)),
)


def portfolio_rows(result: QuantResult) -> list[list[str]]:
    """`[label, inherent, residual]` per statistic of the portfolio."""
    portfolio = result.portfolio
    assert portfolio is not None
    return [
        [label, read(portfolio.inherent), read(portfolio.residual)]
        for label, read in PORTFOLIO_LINES
    ]


def spend_line(result: QuantResult) -> str:
    """What the credited controls cost a year and what they return, or why that is unknown."""
    portfolio = result.portfolio
    assert portfolio is not None
    if portfolio.control_cost is None:
        return (
            "Return on control spend: - (a credited control has no annual_cost, "
            "or no control is credited)"
        )
    return (
        f"Credited controls cost {money(portfolio.control_cost, visible(result.currency))} "
        f"a year; return on control spend {ratio(portfolio.rosi)}"
    )


def _decade(x: float) -> int | None:
    """The exponent of `x` when it is a power of ten (a decade point of the grid), else None."""
    if not x > 0 or not math.isfinite(x):
        return None
    exponent = round(math.log10(x))
    return exponent if math.isclose(x, 10.0**exponent, rel_tol=1e-9) else None


def _exceedance_at_decades(stats: Stats) -> dict[int, float]:
    return {exponent: p for x, p in stats.lec if (exponent := _decade(x)) is not None}


def _exceedance(stats: Stats, points: dict[int, float], exponent: int) -> str:
    """P(annual loss > 10^exponent), read off the curve's grid. Above its last point (which
    lies above the largest simulated year) it is 0; below its first point the curve only
    bounds it from below (it cannot fall as the loss falls): `≥ p`, or `100%` when p already
    reads 100% (then so does every larger probability)."""
    if exponent in points:
        return percent(points[exponent])
    if not stats.lec or exponent > max(points, default=exponent - 1):
        return percent(0.0)
    first = percent(stats.lec[0][1])
    return first if first == "100%" else f"≥ {first}"


def exceedance_rows(result: QuantResult) -> list[list[str]]:
    """`[loss, P(inherent > loss), P(residual > loss)]` at every decade on either curve."""
    portfolio = result.portfolio
    assert portfolio is not None
    inherent = _exceedance_at_decades(portfolio.inherent)
    residual = _exceedance_at_decades(portfolio.residual)
    return [
        [
            compact(10.0**exponent),
            _exceedance(portfolio.inherent, inherent, exponent),
            _exceedance(portfolio.residual, residual, exponent),
        ]
        for exponent in sorted(set(inherent) | set(residual))
    ]


TOLERANCE_HEADER = ["loss above", "at most", "simulated", "SE", "verdict", "marginal"]


def tolerance_rows(checks: Sequence[ToleranceCheck]) -> list[list[str]]:
    """One row per tolerance point of the residual portfolio curve."""
    return [
        [
            amount(check.loss),
            percent(check.limit),
            percent(check.probability),
            percent(check.standard_error),
            "breached" if check.breached else "held",
            "marginal" if check.marginal else "",
        ]
        for check in checks
    ]


def breach_lines(result: QuantResult) -> list[str]:
    """One line per breached tolerance point (for stderr and the text summary)."""
    currency = visible(result.currency)
    return [
        f"P(annual loss > {money(check.loss, currency)}) = {percent(check.probability)}, "
        f"above the tolerated {percent(check.limit)}"
        + (" (marginal: more years could change it)" if check.marginal else "")
        for check in result.tolerance
        if check.breached
    ]


def tolerance_summary(result: QuantResult) -> str:
    """`1 of 4 tolerance points breached.` or why none was checked."""
    if not result.tolerance:
        return "No loss-tolerance curve in riskctl.yaml (quant: tolerance:): nothing checked."
    breached = sum(check.breached for check in result.tolerance)
    return f"{breached} of {_count(len(result.tolerance), 'tolerance point')} breached."


ALE_NOTE = "ALE = E[events a year] times E[loss per event], exact; every other number is simulated."
NO_LOSS = "No simulated year had a loss, inherent or residual."
NOTHING = "No open risk has `quant:` inputs: nothing to simulate."

# --- text ----------------------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]], right: frozenset[int]) -> list[str]:
    """A fixed-width table measured in terminal cells; columns in `right` right-aligned."""
    widths = [
        max(display_width(line[index]) for line in [header, *rows]) for index in range(len(header))
    ]
    return [
        "  ".join(
            pad(cell, width, right=index in right)
            for index, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in [header, *rows]
    ]


def render_text(result: QuantResult) -> str:
    """The human format: settings, risks, portfolio, loss exceedance, tolerance."""
    head = f"Loss quantification: {settings_line(result)}"
    if result.portfolio is None:
        return f"{head}\n{NOTHING}\n"
    risks = [[row[0], cut(row[1], TITLE_WIDTH), *row[2:]] for row in risk_rows(result.risks)]
    numbers = frozenset(range(2, len(RISK_HEADER)))
    lines = [head, "", *table(RISK_HEADER, risks, numbers), ""]
    lines.append(f"Portfolio of {_count(len(result.risks), 'risk')} (per-year sums):")
    lines += table(["", "inherent", "residual"], portfolio_rows(result), frozenset({1, 2}))
    lines += [spend_line(result), ""]
    lines.append("Loss exceedance, P(annual loss > x):")
    exceedance = exceedance_rows(result)
    if exceedance:
        lines += table(["x", "inherent", "residual"], exceedance, frozenset({0, 1, 2}))
    else:
        lines.append(NO_LOSS)
    lines.append("")
    if result.tolerance:
        lines.append("Loss tolerance, against the residual portfolio:")
        lines += table(TOLERANCE_HEADER, tolerance_rows(result.tolerance), frozenset({0, 1, 2, 3}))
    lines.append(tolerance_summary(result))
    lines.append(ALE_NOTE)
    return "\n".join(lines) + "\n"


# --- markdown ------------------------------------------------------------------------------------


def render_markdown(result: QuantResult) -> str:
    """GitHub-flavoured Markdown: the same sections as the text format, every cell escaped."""
    head = f"**Loss quantification:** {markdown_cell(settings_line(result))}.\n\n"
    if result.portfolio is None:
        return head + markdown_cell(NOTHING) + "\n"
    parts = [
        head,
        markdown_table(RISK_HEADER, risk_rows(result.risks)),
        f"\nPortfolio of {_count(len(result.risks), 'risk')} (per-year sums):\n\n",
        markdown_table(["statistic", "inherent", "residual"], portfolio_rows(result)),
        f"\n{markdown_cell(spend_line(result))}\n\n",
        "Loss exceedance, P(annual loss > x):\n\n",
        markdown_table(["x", "inherent", "residual"], exceedance)
        if (exceedance := exceedance_rows(result))
        else NO_LOSS + "\n",
        "\n",
    ]
    if result.tolerance:
        parts += [
            "Loss tolerance, against the residual portfolio:\n\n",
            markdown_table(TOLERANCE_HEADER, tolerance_rows(result.tolerance)),
            "\n",
        ]
    parts.append(markdown_cell(tolerance_summary(result)) + "\n\n" + markdown_cell(ALE_NOTE) + "\n")
    return "".join(parts)


# --- json and csv --------------------------------------------------------------------------------


def render_json(result: QuantResult) -> str:
    """`run.document`: version 1, in a stable order; non-finite values are already null."""
    text = json.dumps(document(result), indent=2, ensure_ascii=False, allow_nan=False)
    return json_safe(text) + "\n"


STAT_COLUMNS = [
    "ale", "mean", "sd", "p_any", "p50", "p90", "p95", "p99", "p999",
    "var95", "var99", "tvar95", "tvar99",
]  # fmt: skip
CSV_HEADER = [
    "scope", "id", "title", "tier", *STAT_COLUMNS, "semantics", "years", "seed", "currency",
]  # fmt: skip


def _stat_cells(stats: Stats) -> list[object]:
    values = stats_document(stats)
    return ["" if values[name] is None else values[name] for name in STAT_COLUMNS]


def render_csv(result: QuantResult) -> str:
    """One row per risk and tier, then the portfolio's two rows; columns are the JSON's STATS
    (without the curve) and the run's settings, so every row says how it was made."""
    settings = result.settings
    tail = [settings.semantics, settings.years, settings.seed, result.currency]
    rows: list[list[object]] = []
    for item in result.risks:
        for tier, stats in (("inherent", item.inherent), ("residual", item.residual)):
            rows.append(["risk", item.quant.id, item.quant.title, tier, *_stat_cells(stats), *tail])
    if result.portfolio is not None:
        for tier, stats in (
            ("inherent", result.portfolio.inherent),
            ("residual", result.portfolio.residual),
        ):
            rows.append(["portfolio", "", "", tier, *_stat_cells(stats), *tail])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


QUANT_FORMATS: dict[str, Callable[[QuantResult], str]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
}
