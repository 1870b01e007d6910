"""Loss quantification in the register, risk and WBR reports: the 1-2-5 loss axis, the curve
read off the simulation, the tolerance step, Markdown and Mermaid that parse, and no section
for a register without `quant:` inputs."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.output.amounts import amount, money, percent
from riskctl.quant.run import run_register
from riskctl.quant.simulate import Stats, statistics
from riskctl.quant.tolerance import ToleranceCheck
from riskctl.report.charts import mermaid_chart
from riskctl.report.quant import (
    exceedance,
    exceedance_chart,
    loss_levels,
    tolerance_limit,
    tolerance_summary,
    verdict,
)
from riskctl.source import read_register, register_source
from tests.conftest import FROZEN_NOW, ROOT, TESTS
from tests.test_report import _tables
from tests.test_report_reviews import _mermaid_blocks

GOLDEN = TESTS / "golden" / "report"
runner = CliRunner()


def _stats(lec: list[tuple[float, float]], p_any: float) -> Stats:
    return Stats(
        ale=1.0,
        mean=1.0,
        sd=0.0,
        p_any=p_any,
        percentiles={},
        var95=0.0,
        var99=0.0,
        tvar95=0.0,
        tvar99=0.0,
        lec=lec,
    )


def _check(loss: float, limit: float, probability: float, error: float = 0.0) -> ToleranceCheck:
    return ToleranceCheck(loss, limit, probability, error)


@pytest.mark.parametrize(
    ("low", "high", "levels"),
    [
        (1e5, 1e6, [1e5, 2e5, 5e5, 1e6]),
        (1.5e5, 3e6, [1e5, 2e5, 5e5, 1e6, 2e6, 5e6]),
        (2e3, 5e3, [2e3, 5e3]),
        (4.9e3, 5.1e3, [2e3, 5e3, 1e4]),
        (0.3, 20, [0.2, 0.5, 1, 2, 5, 10, 20]),
    ],
)
def test_loss_levels_are_1_2_5_a_decade_covering_the_span(
    low: float, high: float, levels: list[float]
) -> None:
    found = loss_levels(low, high)
    assert len(found) == len(levels)
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(found, levels, strict=True))


def test_exceedance_reads_the_curve_at_its_points_and_in_log_loss_between() -> None:
    lec = [(10 ** (5 + step / 10), 0.9 - 0.1 * step) for step in range(0, 11)]
    stats = _stats(lec, p_any=0.95)
    assert exceedance(stats, 1e5) == 0.9
    assert exceedance(stats, 10**5.3) == pytest.approx(0.6)
    # 2e5 lies between 10^5.3 and 10^5.4: log10(2) = 0.30103 -> 0.0103 of the way
    share = (math.log10(2e5) - 5.3) / 0.1
    assert exceedance(stats, 2e5) == pytest.approx(0.6 - 0.1 * share)
    assert exceedance(stats, 5e4) == 0.95  # below the curve: P(any loss)
    assert exceedance(stats, 2e6) == 0.0  # beyond its last point
    assert exceedance(_stats([], p_any=0.0), 1e6) == 0.0


def test_tolerance_is_drawn_as_the_step_it_is() -> None:
    points = [_check(1e6, 0.5, 0.4), _check(5e6, 0.05, 0.06)]
    assert [tolerance_limit(points, x) for x in (5e5, 1e6, 2e6, 5e6, 1e9)] == [
        1.0,
        0.5,
        0.5,
        0.05,
        0.05,
    ]


def test_a_tolerance_point_off_the_grid_gets_its_own_category() -> None:
    stats = _stats([(1e5, 0.9), (1e6, 0.5), (1e7, 0.0)], p_any=0.95)
    drawn = exceedance_chart("t", [("residual", stats)], [_check(3e6, 0.1, 0.2)], "EUR")
    assert drawn is not None
    written = mermaid_chart(drawn["chart"])
    labels = written["labels"]
    assert labels == ["100k", "200k", "500k", "1M", "2M", "3M", "5M", "10M"]
    tolerance = written["series"][1]
    assert tolerance["name"] == "tolerance"
    assert tolerance["points"] == ["100", "100", "100", "100", "100", "10", "10", "10"]
    assert drawn["header"] == ["annual loss above (EUR)", "residual", "tolerance"]
    assert drawn["rows"][5] == ["3,000,000", percent(exceedance(stats, 3e6)), "at most 10%"]
    assert drawn["rows"][0][2] == "no limit"


settings.register_profile("report-quant-default", max_examples=40, deadline=None)
settings.register_profile("report-quant-fuzz", max_examples=1_000, deadline=None)
#: `make fuzz` sets HYPOTHESIS_PROFILE=fuzz; the default suite stays short.
PROFILE = settings.get_profile(
    "report-quant-fuzz"
    if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
    else "report-quant-default"
)
annual_losses = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e12)), min_size=1, max_size=200
)
tolerance_points = st.lists(
    st.tuples(st.floats(min_value=1.0, max_value=1e12), st.floats(min_value=0, max_value=1)),
    max_size=4,
)


@PROFILE
@given(losses=annual_losses, points=tolerance_points)
def test_every_drawn_curve_is_a_probability_that_never_rises_with_the_loss(
    losses: list[float], points: list[tuple[float, float]]
) -> None:
    years = np.array(losses)
    stats = statistics(years, ale=float(years.mean()))
    ordered = sorted(dict(points).items())  # a curve: increasing loss, limits never rising
    checks = [
        _check(loss, min(limit for _, limit in ordered[: index + 1]), 0.0)
        for index, (loss, _) in enumerate(ordered)
    ]
    drawn = exceedance_chart("t", [("residual", stats)], checks, "USD")
    if drawn is None:
        assert not stats.lec and not checks
        return
    levels = drawn["levels"]
    assert [row[0] for row in drawn["rows"]] == [amount(level) for level in levels]
    written = mermaid_chart(drawn["chart"])
    for series in written["series"]:
        values = [float(value) for value in series["points"]]
        assert len(values) == len(levels)
        assert all(0 <= value <= 100 for value in values)
        assert values == sorted(values, reverse=True), series["name"]
    for loss, _ in ordered:  # every tolerance point is a category
        assert any(math.isclose(level, loss, rel_tol=1e-9) for level in levels)
    exact = 0
    for level, value in zip(levels, written["series"][0]["points"], strict=True):
        on_curve = [p for x, p in stats.lec if math.isclose(x, level, rel_tol=1e-9)]
        if on_curve:  # at one of the simulated curve's points (a power of ten): its exact value
            exact += 1
            assert float(value) == round(100 * on_curve[0], 2)
            assert on_curve[0] == np.count_nonzero(years > level) / len(years)
    assert exact or not stats.lec


def test_no_chart_without_a_loss_or_a_tolerance_point() -> None:
    assert exceedance_chart("t", [("inherent", _stats([], 0.0))], [], "USD") is None


def test_verdicts_and_the_tolerance_summary() -> None:
    held, breached = _check(1e6, 0.5, 0.39, 0.0015), _check(5e6, 0.05, 0.0598, 0.0007)
    marginal = _check(1e8, 0.05, 0.0498, 0.0002)
    assert [verdict(c) for c in (held, breached, marginal)] == [
        "held",
        "**breached**",
        "held (marginal)",
    ]
    assert tolerance_summary([held, breached], "USD") == (
        "1 of 2 tolerance points **breached**: more than USD 5,000,000 in 5.98% of years "
        "(at most 5% tolerated)."
    )
    assert tolerance_summary([held, marginal], "USD") == (
        "All 2 tolerance points held; 1 marginal (within 2 standard errors of the limit)."
    )
    assert tolerance_summary([], "USD").startswith("No loss-tolerance curve is set")


# --- reports on small registers ---------------------------------------------------------------

QUANT_CONFIG = """quant:
  currency: EUR
  years: 2000
  seed: 7
  tolerance:
    - {loss: 100000, probability: 0.5}
    - {loss: 3000000, probability: 0.01}
"""


def _quantified(register: Path, frequency: str = "poisson: {lambda: 2}") -> Path:
    config = register / "riskctl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + QUANT_CONFIG, encoding="utf-8")
    risk = register / "risks" / "R-001.yaml"
    risk.write_text(
        risk.read_text(encoding="utf-8")
        + f"quant:\n  frequency:\n    {frequency}\n"
        + "  magnitude:\n    lognormal: {low: 20000, high: 400000}\n",
        encoding="utf-8",
    )
    return register


def _report(*args: str) -> str:
    result = runner.invoke(app, ["report", *args, "--now", FROZEN_NOW])
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.stdout


def _h2(markdown: str) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    return [
        tokens[index + 1].content
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2"
    ]


def test_a_register_without_quant_inputs_has_no_quant_section(base_register: Path) -> None:
    register = _report("register", str(base_register))
    risk = _report("risk", "R-001", str(base_register))
    assert "Loss quantification" not in register + risk
    assert "mermaid" not in register + risk


def test_the_register_report_quantifies_under_the_configured_settings(
    base_register: Path,
) -> None:
    markdown = _report("register", str(_quantified(base_register)))
    assert _h2(markdown)[-1] == "Loss quantification"
    assert "Simulated 2,000 years with seed 7, semantics `compound-poisson`" in markdown
    result = run_register(read_register(register_source(base_register)).register)
    assert result.settings.years == 2000 and result.settings.seed == 7
    portfolio = result.portfolio
    assert portfolio is not None
    assert f"| ALE | {money(portfolio.inherent.ale, 'EUR')} | " in markdown
    assert f"| TVaR99 | {money(portfolio.inherent.tvar99, 'EUR')} | " in markdown
    for check in result.tolerance:
        row = f"| {money(check.loss, 'EUR')} | at most {percent(check.limit)} | "
        assert row + percent(check.probability) in markdown
    assert "C-001 has no `annual_cost`" in markdown
    for header, rows in _tables(markdown):
        assert rows and set(rows) == {header}
    (block,) = _mermaid_blocks(markdown)
    _check_exceedance_block(block)
    assert '"3M"' in block  # the off-grid tolerance point is a category


def test_the_same_seed_gives_the_same_report(base_register: Path) -> None:
    register = _quantified(base_register)
    assert _report("register", str(register)) == _report("register", str(register))


def test_a_risk_without_simulated_losses_says_so(base_register: Path) -> None:
    markdown = _report("risk", "R-001", str(_quantified(base_register, "poisson: {lambda: 0}")))
    assert "## Loss quantification" in markdown
    assert "No simulated year has a loss: no loss exceedance chart." in markdown
    assert "mermaid" not in markdown
    assert _h2(markdown)[_h2(markdown).index("Loss quantification") + 1] == "Key risk indicators"


def test_a_run_too_large_to_draw_exits_3_naming_the_setting(base_register: Path) -> None:
    register = _quantified(base_register, "poisson: {lambda: 1000000}")
    config = register / "riskctl.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("years: 2000", "years: 10000000"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["report", "register", str(register), "--now", FROZEN_NOW])
    assert (result.exit_code, result.stdout) == (3, "")
    assert "the report's loss quantification: this run would draw about" in result.stderr
    assert "riskctl.yaml `quant: years:`" in result.stderr


# --- the shipped register's goldens ------------------------------------------------------------

QUANT_GOLDENS = ("register", "risk-R-001", "wbr-register")


def _values(line: str) -> list[float]:
    return [float(value) for value in line[line.index("[") + 1 : -1].split(", ")]


def _check_exceedance_block(block: str) -> None:
    """A loss exceedance chart: known directives, quoted labels, one value per category, every
    line a probability in percent that never rises with the loss."""
    lines = [line.strip() for line in block.splitlines()]
    assert lines[0].startswith("%%{init: ") and lines[0].endswith("}%%")
    lines = lines[1:]
    assert lines[0] == "xychart-beta"
    keywords = [line.partition(" ")[0] for line in lines[1:]]
    assert keywords[:3] == ["title", "x-axis", "y-axis"]
    assert set(keywords[3:]) == {"line"}
    categories = re.findall(r'"([^"]*)"', lines[2])
    assert categories and lines[2] == "x-axis [" + ", ".join(f'"{c}"' for c in categories) + "]"
    for line in lines[4:]:
        assert re.fullmatch(r'line "[^"]*" \[\d+(\.\d+)?(, \d+(\.\d+)?)*\]', line), line
        values = _values(line)
        assert len(values) == len(categories)
        assert all(0 <= value <= 100 for value in values)
        assert values == sorted(values, reverse=True), f"an exceedance curve rises: {line}"


@pytest.mark.parametrize("name", QUANT_GOLDENS)
def test_the_loss_exceedance_charts_in_the_goldens_parse(name: str) -> None:
    markdown = (GOLDEN / f"{name}.md").read_text(encoding="utf-8")
    quant = markdown[markdown.index("Loss ") :]
    blocks = _mermaid_blocks(quant)
    assert len(blocks) == quant.count("```mermaid") == 1
    _check_exceedance_block(blocks[0])
    # the chart's values beside it, one row per category
    categories = len(re.findall(r'"[^"]*"', blocks[0].splitlines()[3]))
    beside = [rows for header, rows in _tables(quant) if header and len(rows) == categories]
    assert beside, "no table of the chart's values"
    assert "Between the simulated curve's 10 points a decade" in quant


def test_the_register_golden_reports_the_configured_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run_register(read_register(register_source(Path("register"))).register)
    markdown = (GOLDEN / "register.md").read_text(encoding="utf-8")
    settings = result.settings
    assert (
        f"Simulated {settings.years:,} years with seed {settings.seed}, "
        f"semantics `{settings.semantics}`" in markdown
    )
    assert result.portfolio is not None
    assert f"| ALE | {money(result.portfolio.inherent.ale, 'USD')} | " in markdown
    breached = sum(check.breached for check in result.tolerance)
    assert f"{breached} of {len(result.tolerance)} tolerance points **breached**" in markdown
    for item in result.risks:  # in the risks table, then in the quantification's
        assert markdown.count(f"| {item.quant.id} | {item.quant.title} |") == 2
