"""Loss quantification in the reports: the ready values of the register report's "Loss
quantification" section, a risk page's own figures and the WBR's short section.

Each report runs the simulation once, through `riskctl.quant.run.run_register` under
riskctl.yaml's `quant:` settings (no override: a report shows what `riskctl quant` shows by
default), and labels its semantics, years and seed. A register (or a risk) without `quant:`
inputs gets no section: the builders return None and the templates leave it out.

The loss exceedance chart (`../shared/reference/quantification.md` §5): loss levels 1-2-5 a
decade (`compact` amounts) on a log x axis (the SVG draws it to scale; Mermaid's `xychart-beta`
has no log axis and draws them as evenly spaced categories); y is P(annual loss > x) in
percent. The simulated curve has 10 points a decade; a 1-2-5 level
that is not one of them is read off it linearly in log loss between its neighbours (the caption
says so; the tolerance table has the exact values at the tolerance points). The tolerance curve
(points "P(L > x_j) <= p_j") is drawn as the step it is: each point's limit from its loss up to
the next point's, 100 % (no limit) below the first.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Any

from riskctl.errors import RiskctlError
from riskctl.model.register import Register
from riskctl.model.risk import Risk
from riskctl.output.amounts import amount, compact, money, percent, ratio
from riskctl.quant.run import QuantResult, RiskResult, run_register
from riskctl.quant.simulate import Stats
from riskctl.quant.tolerance import ToleranceCheck
from riskctl.report.charts import LineChart, Series
from riskctl.score.residual import Scorecard

#: Loss levels per decade on the chart's x axis.
MANTISSAS = (1, 2, 5)
#: Curve points and tolerance points closer than this (relative) are the same loss level.
SAME_LEVEL = 1e-9

SEMANTICS_TEXT = {
    "compound-poisson": "each simulated year sums the losses of its events, so years without "
    "a loss exist",
    "fair-product": "pyfair's loss event frequency times one loss magnitude a year",
}


def quantify_for_report(
    register: Register, card: Scorecard, risk_ids: Sequence[str] = ()
) -> QuantResult | None:
    """The register's quantification (or the named risks'), None when no risk has inputs.

    Raises RiskctlError, naming riskctl.yaml's settings, for a run too large to draw (a report
    has no `--years`: it shows what the register's settings give).
    """
    try:
        result = run_register(register, risk_ids=risk_ids, card=card)
    except RiskctlError as error:
        raise RiskctlError(
            f"the report's loss quantification: {error} (the report simulates the years set "
            "in riskctl.yaml `quant: years:`)"
        ) from None
    return result if result.risks else None


def settings_text(result: QuantResult) -> str:
    """How the numbers were made, for the line above the figures."""
    settings = result.settings
    return (
        f"Simulated {settings.years:,} years with seed {settings.seed}, semantics "
        f"`{settings.semantics}` ({SEMANTICS_TEXT[settings.semantics]}); amounts in "
        f"{result.currency}. ALE is exact (expected events a year times expected loss per "
        "event); percentiles and TVaR (the mean of the worst years beyond the percentile) are "
        "simulated."
    )


def reduction(inherent: float, residual: float) -> str:
    """How much of the inherent ALE the controls take off: `72%`; `-` without an inherent ALE."""
    if not inherent > 0:
        return "-"
    return percent(1 - residual / inherent)


# --- loss exceedance chart ------------------------------------------------------------------------


def loss_levels(low: float, high: float) -> list[float]:
    """1-2-5 levels a decade from the largest one at or below `low` to the smallest one at or
    above `high` (both positive)."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    levels = [
        mantissa * 10.0**decade for decade in range(first, last + 1) for mantissa in MANTISSAS
    ]
    start = max(index for index, level in enumerate(levels) if level <= low * (1 + SAME_LEVEL))
    end = min(index for index, level in enumerate(levels) if level >= high * (1 - SAME_LEVEL))
    return levels[start : end + 1]


def exceedance(stats: Stats, loss: float) -> float:
    """P(annual loss > `loss`) read off the simulated curve: its own value at one of its points;
    between two, linear in log loss; P(any loss) below its first point, 0 beyond its last."""
    curve = stats.lec
    if not curve:
        return 0.0
    losses = [x for x, _ in curve]
    index = bisect.bisect_left(losses, loss * (1 - SAME_LEVEL))
    if index < len(losses) and losses[index] <= loss * (1 + SAME_LEVEL):
        return curve[index][1]
    if index == 0:
        return stats.p_any
    if index == len(losses):
        return 0.0
    (x0, p0), (x1, p1) = curve[index - 1], curve[index]
    share = (math.log10(loss) - math.log10(x0)) / (math.log10(x1) - math.log10(x0))
    return p0 + share * (p1 - p0)


def _span(curves: Sequence[Stats], points: Sequence[ToleranceCheck]) -> tuple[float, float] | None:
    """The losses the chart covers: from the lowest curve start (or tolerance point) to the
    first level no curve exceeds (or the highest tolerance point)."""
    starts = [stats.lec[0][0] for stats in curves if stats.lec]
    ends = [
        next((x for x, p in stats.lec if p == 0), stats.lec[-1][0]) for stats in curves if stats.lec
    ]
    starts += [point.loss for point in points if point.loss > 0]
    ends += [point.loss for point in points if point.loss > 0]
    if not starts or not ends:
        return None
    return min(starts), max(ends)


def tolerance_limit(points: Sequence[ToleranceCheck], loss: float) -> float:
    """The tolerance step at `loss`: the limit of the last point at or below it, 1 below the
    first (no limit)."""
    limit = 1.0
    for point in points:
        if point.loss <= loss * (1 + SAME_LEVEL):
            limit = point.limit
    return limit


def exceedance_chart(
    title: str,
    curves: Sequence[tuple[str, Stats]],
    points: Sequence[ToleranceCheck],
    currency: str,
) -> dict[str, Any] | None:
    """The chart, its caption and its data as a table; None when no year has a loss and no
    tolerance point is set."""
    span = _span([stats for _, stats in curves], points)
    if span is None:
        return None
    levels = loss_levels(*span)
    for point in points:
        if point.loss > 0 and not any(
            abs(level - point.loss) <= SAME_LEVEL * point.loss for level in levels
        ):
            levels.append(point.loss)
    levels.sort()
    series = [
        Series(
            name,
            [100 * exceedance(stats, level) for level in levels],
            "this" if name == "residual" else "prior",
            2,
        )
        for name, stats in curves
    ]
    header = [f"annual loss above ({currency})", *(name for name, _ in curves)]
    if points:
        steps = [tolerance_limit(points, level) for level in levels]
        series.append(
            Series("tolerance", [100 * step for step in steps], "tolerance", 4, step=True)
        )
        header.append("tolerance")
    rows = []
    for index, level in enumerate(levels):
        row = [
            amount(level),
            *(percent((each.values[index] or 0.0) / 100) for each in series[: len(curves)]),
        ]
        if points:
            limit = tolerance_limit(points, level)
            row.append(f"at most {percent(limit)}" if limit < 1 else "no limit")
        rows.append(row)
    notes = [
        "Between the simulated curve's 10 points a decade a level is read linearly in log loss."
    ]
    if points:
        notes.append(
            "The tolerance is a step: each point's limit holds from its loss up to the next "
            "point's (100% below the first point, where the curve sets no limit); it is checked "
            "at the points themselves."
        )
    return {
        "chart": LineChart(
            title=title,
            labels=[compact(level) for level in levels],
            y_title="chance of a larger annual loss (percent)",
            series=series,
            x_title=f"annual loss ({currency}, log scale)",
            x_values=levels,
            x_log=True,
            y_percent=True,
            notes=notes,
        ),
        "levels": levels,
        "header": header,
        "rows": rows,
    }


# --- tolerance ------------------------------------------------------------------------------------


def verdict(check: ToleranceCheck) -> str:
    """`held`, `**breached**`, and `(marginal)` when within two standard errors of the limit."""
    word = "**breached**" if check.breached else "held"
    return f"{word} (marginal)" if check.marginal else word


def tolerance_rows(checks: Sequence[ToleranceCheck], currency: str) -> list[list[str]]:
    """One row per tolerance point: loss, limit, simulated residual exceedance, 2 SE, verdict."""
    return [
        [
            money(check.loss, currency),
            f"at most {percent(check.limit)}",
            percent(check.probability),
            f"± {percent(2 * check.standard_error)}",
            verdict(check),
        ]
        for check in checks
    ]


TOLERANCE_HEADER = ["annual loss above", "tolerated", "simulated (residual)", "± 2 SE", "verdict"]


def tolerance_summary(checks: Sequence[ToleranceCheck], currency: str) -> str:
    """`1 of 4 tolerance points breached: ...`, or that all are held, or that none is set."""
    if not checks:
        return "No loss-tolerance curve is set (riskctl.yaml `quant: tolerance:`)."
    breached = [check for check in checks if check.breached]
    marginal = sum(1 for check in checks if check.marginal)
    margin = f"; {marginal} marginal (within 2 standard errors of the limit)" if marginal else ""
    if not breached:
        return f"All {len(checks)} tolerance points held{margin}."
    worst = [
        f"more than {money(check.loss, currency)} in {percent(check.probability)} of years "
        f"(at most {percent(check.limit)} tolerated)"
        for check in breached
    ]
    return (
        f"{len(breached)} of {len(checks)} tolerance points **breached**: "
        + "; ".join(worst)
        + margin
        + "."
    )


def tolerance_glance(checks: Sequence[ToleranceCheck]) -> str:
    """The WBR's at-a-glance cell: `1 of 4 points breached`, `4 points held`, `no curve set`."""
    if not checks:
        return "no tolerance curve set"
    breached = sum(1 for check in checks if check.breached)
    if breached:
        return f"{breached} of {len(checks)} points breached"
    return f"all {len(checks)} points held"


# --- the sections -------------------------------------------------------------------------------

RISK_HEADER = [
    "risk",
    "title",
    "ALE inherent",
    "ALE residual",
    "reduction",
    "residual inputs",
    "control cost a year",
    "ROSI",
]


def inputs_text(item: RiskResult) -> str:
    """Where the residual's frequency and magnitude come from: `credited` or `explicit`."""
    quant = item.quant
    if quant.frequency_source == quant.magnitude_source:
        return quant.frequency_source
    return f"frequency {quant.frequency_source}, magnitude {quant.magnitude_source}"


def _stats_rows(
    inherent: Stats, residual: Stats, currency: str, *, with_mean: bool
) -> list[list[str]]:
    rows = [["ALE", money(inherent.ale, currency), money(residual.ale, currency)]]
    if with_mean:
        rows.append(
            ["simulated mean", money(inherent.mean, currency), money(residual.mean, currency)]
        )
    rows += [
        ["P(any loss in a year)", percent(inherent.p_any), percent(residual.p_any)],
        ["p95 (VaR95)", money(inherent.var95, currency), money(residual.var95, currency)],
        ["p99 (VaR99)", money(inherent.var99, currency), money(residual.var99, currency)],
        ["TVaR99", money(inherent.tvar99, currency), money(residual.tvar99, currency)],
    ]
    return rows


def cost_text(
    cost: float | None, rosi: float | None, uncosted: Sequence[str], currency: str
) -> str:
    """The credited controls' annual cost and the return on that spend, or why there is none."""
    if uncosted:
        return (
            f"No return on control spend: {', '.join(uncosted)} "
            f"{'has' if len(uncosted) == 1 else 'have'} no `annual_cost`."
        )
    if cost is None:
        return "No control earns credit: no return on control spend."
    if rosi is None:
        return f"The credited controls cost {money(cost, currency)} a year."
    return (
        f"The credited controls cost {money(cost, currency)} a year; return on that spend "
        f"(ALE taken off, less the cost, over the cost) {ratio(rosi)}."
    )


def register_quant_section(register: Register, card: Scorecard) -> dict[str, Any] | None:
    """The register report's "Loss quantification": per risk, the portfolio, the tolerance
    points and the loss exceedance chart; None when no open risk has `quant:` inputs."""
    result = quantify_for_report(register, card)
    if result is None or result.portfolio is None:
        return None
    currency = result.currency
    portfolio = result.portfolio
    ordered = sorted(result.risks, key=lambda item: (-item.residual.ale, item.quant.id))
    uncosted = sorted(
        {control for item in result.risks for control in item.quant.uncosted_controls}
    )
    return {
        "settings": settings_text(result),
        "risk_header": RISK_HEADER,
        "risk_rows": [
            [
                item.quant.id,
                item.quant.title,
                amount(item.inherent.ale),
                amount(item.residual.ale),
                reduction(item.inherent.ale, item.residual.ale),
                inputs_text(item),
                amount(item.quant.control_cost),
                ratio(item.quant.rosi),
            ]
            for item in ordered
        ],
        "risk_note": f"Amounts in {currency} a year, highest residual ALE first. Residual inputs: "
        "`credited` scales the inherent inputs by the controls' credits (as `riskctl score` "
        "does), `explicit` is the risk's own `quant.residual`. ROSI is the return on control "
        "spend: (inherent ALE - residual ALE - control cost) / control cost.",
        "portfolio_header": ["portfolio", "inherent", "residual"],
        "portfolio_rows": _stats_rows(
            portfolio.inherent, portfolio.residual, currency, with_mean=False
        ),
        "portfolio_note": f"The sum of the {len(result.risks)} risks' simulated years; "
        f"the controls take {reduction(portfolio.inherent.ale, portfolio.residual.ale)} off the "
        "ALE. " + cost_text(portfolio.control_cost, portfolio.rosi, uncosted, currency),
        "tolerance_summary": tolerance_summary(result.tolerance, currency),
        "tolerance_header": TOLERANCE_HEADER,
        "tolerance_rows": tolerance_rows(result.tolerance, currency),
        "curve": exceedance_chart(
            f"Portfolio loss exceedance ({currency}, log scale)",
            [("inherent", portfolio.inherent), ("residual", portfolio.residual)],
            result.tolerance,
            currency,
        ),
    }


def risk_quant_section(register: Register, card: Scorecard, risk_id: str) -> dict[str, Any] | None:
    """One risk's own figures, inherent against residual, and its loss exceedance chart; None
    when the risk has no `quant:` inputs."""
    risk = register.by_id(Risk).get(risk_id)
    if risk is None or risk.quant is None:
        return None
    result = quantify_for_report(register, card, [risk_id])
    if result is None:
        return None
    item = result.risks[0]
    quant = item.quant
    currency = result.currency
    sources = []
    if quant.frequency_source == "credited":
        sources.append(
            f"frequency credited (the controls take {percent(quant.likelihood_reduction)} off)"
        )
    else:
        sources.append("frequency explicit (`quant.residual.frequency`)")
    if quant.magnitude_source == "credited":
        sources.append(
            f"magnitude credited (the controls take {percent(quant.impact_reduction)} off)"
        )
    else:
        sources.append("magnitude explicit (`quant.residual.magnitude`)")
    return {
        "settings": settings_text(result),
        "header": ["", "inherent", "residual"],
        "rows": _stats_rows(item.inherent, item.residual, currency, with_mean=True),
        "inputs": "Residual inputs: " + "; ".join(sources) + ".",
        "cost": cost_text(quant.control_cost, quant.rosi, quant.uncosted_controls, currency)
        + (f" Credited: {', '.join(quant.credited_controls)}." if quant.credited_controls else ""),
        "curve": exceedance_chart(
            f"{quant.id} loss exceedance ({currency}, log scale)",
            [("inherent", item.inherent), ("residual", item.residual)],
            (),
            currency,
        ),
    }


def wbr_quant_section(register: Register, card: Scorecard) -> dict[str, Any] | None:
    """The WBR's short section: the residual portfolio ALE, the tolerance and the chart."""
    result = quantify_for_report(register, card)
    if result is None or result.portfolio is None:
        return None
    portfolio = result.portfolio
    currency = result.currency
    return {
        "headline": f"Residual ALE {money(portfolio.residual.ale, currency)} a year over "
        f"{len(result.risks)} quantified risks "
        f"(inherent {money(portfolio.inherent.ale, currency)}; "
        f"the controls take {reduction(portfolio.inherent.ale, portfolio.residual.ale)} off). "
        f"One year in a hundred loses more than {money(portfolio.residual.var99, currency)}.",
        "tolerance": tolerance_summary(result.tolerance, currency),
        "glance": tolerance_glance(result.tolerance),
        "settings": f"{result.settings.years:,} simulated years, seed {result.settings.seed}, "
        f"`{result.settings.semantics}`; `riskctl report register` has the figures per risk.",
        "curve": exceedance_chart(
            f"Portfolio loss exceedance ({currency}, log scale)",
            [("inherent", portfolio.inherent), ("residual", portfolio.residual)],
            result.tolerance,
            currency,
        ),
    }
