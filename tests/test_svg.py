"""Inline SVG charts: positions read back from the drawing, gaps, signals, steps, the band, the
heat map, hostile text, goldens, and output that grows linearly.

The coordinate tests never call the module's own mapping: they parse the SVG, read the y axis's
tick labels and their positions (and the x labels and theirs), and check that every drawn point
sits where its value puts it on that axis.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskctl.report.charts import Band, HeatCell, HeatMap, LineChart, Series
from riskctl.report.svg import contrast_ratio, nice_ticks, svg, tick_labels, y_ticks
from riskctl.score.matrix import PRESET_COLORS
from tests.conftest import TESTS, check_golden

SVG = "{http://www.w3.org/2000/svg}"
GOLDEN = TESTS / "golden" / "svg"
#: Coordinates are written to 2 decimals: a position read back is within half a hundredth.
ROUNDING = 0.005 + 1e-9


# --- reading a drawing back -------------------------------------------------------------------


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    """Elements whose class list holds `name`, in document order."""
    return [each for each in root.iter() if name in (each.get("class") or "").split()]


#: The tick labels' multiplication sign (U+00D7), as in 1.5 times 10 to the 300th.
TIMES = "\N{MULTIPLICATION SIGN}"
_FROM_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def label_value(label: str) -> float:
    """A tick label's number: `12.5`, or 1.5 times 10 to a superscript power."""
    if f"{TIMES}10" in label:
        mantissa, exponent = label.split(f"{TIMES}10")
        return float(f"{mantissa}e{exponent.translate(_FROM_SUPERSCRIPT)}")
    return float(label)


def linear_fit(pairs: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """(a, b) of position = a + b * value through the first and last pair; every pair on it."""
    (v0, p0), (v1, p1) = pairs[0], pairs[-1]
    slope = (p1 - p0) / (v1 - v0)
    for value, position in pairs:
        assert position == pytest.approx(p0 + slope * (value - v0), abs=2 * ROUNDING)
    return p0 - slope * v0, slope


def y_axis(root: ET.Element) -> tuple[float, float, list[float]]:
    """(a, b) of y = a + b * value from the tick labels, and the tick values, bottom first."""
    (group,) = with_class(root, "rk-ticks-y")
    ticks = [(label_value(text.text or ""), float(text.get("y", ""))) for text in group]
    assert [y for _, y in ticks] == sorted((y for _, y in ticks), reverse=True)
    a, b = linear_fit(ticks)
    return a, b, [value for value, _ in ticks]


def x_axis(root: ET.Element, chart: LineChart) -> tuple[float, float]:
    """(a, b) of x = a + b * t from the x labels, t being a category's index, or its x value
    (log10 with `x_log`)."""
    (group,) = with_class(root, "rk-ticks-x")
    pairs = []
    for text in group:
        index = list(chart.labels).index(text.text or "")
        pairs.append((_t(chart, index), float(text.get("x", ""))))
    assert len(pairs) >= 2
    return linear_fit(pairs)


def _t(chart: LineChart, index: int) -> float:
    if chart.x_values is None:
        return float(index)
    value = chart.x_values[index]
    return math.log10(value) if chart.x_log else value


def points(group: ET.Element) -> list[tuple[float, float]]:
    """Every drawn point of a series group: polyline vertices and dots (not signal rings)."""
    drawn = []
    for line in group.iter(f"{SVG}polyline"):
        for pair in (line.get("points") or "").split():
            x, y = pair.split(",")
            drawn.append((float(x), float(y)))
    drawn.extend(
        (float(dot.get("cx", "")), float(dot.get("cy", "")))
        for dot in group.iter(f"{SVG}circle")
        if dot.get("class") != "rk-signal"
    )
    return drawn


def series_group(root: ET.Element, role: str) -> ET.Element:
    (group,) = [each for each in with_class(root, f"rk-{role}") if "rk-s" in each.get("class", "")]
    return group


def check_positions(chart: LineChart, text: str) -> int:
    """Every point of every series sits at its category (or x value) and value; the count."""
    root = parse(text)
    ya, yb, ticks = y_axis(root)
    xa, xb = x_axis(root, chart)
    checked = 0
    value_tolerance = abs(ROUNDING / yb) * 2
    for series in chart.series:
        group = series_group(root, series.role)
        for x, y in points(group):
            candidates = [
                index
                for index in range(len(chart.labels))
                if abs(xa + xb * _t(chart, index) - x) <= 2 * ROUNDING
            ]
            assert candidates, f"{series.name}: no category at x={x}"
            drawn_value = (y - ya) / yb
            expected = {series.values[index] for index in candidates}
            if series.step:  # a step's corner holds the previous category's value
                expected |= {series.values[index - 1] for index in candidates if index > 0}
            assert any(
                value is not None and abs(value - drawn_value) <= value_tolerance
                for value in expected
            ), f"{series.name}: y={y} reads {drawn_value}, expected one of {expected}"
            assert ticks[0] - value_tolerance <= drawn_value <= ticks[-1] + value_tolerance
            checked += 1
    return checked


# --- charts -----------------------------------------------------------------------------------


def kri_chart(**changes: object) -> LineChart:
    """A 13-month KRI run chart with gaps, a year earlier, thresholds, a centre and limits."""
    labels = [f"2025-{month:02d}" for month in range(11, 13)] + [
        f"2026-{month:02d}" for month in range(1, 12)
    ]
    this = [12.0, 14.0, 13.0, None, 15.0, 17.0, 16.0, 18.0, 22.5, 19.0, 17.0, None, 16.0]
    marks: list[str | None] = [None] * 13
    marks[8] = "rule 1: beyond the natural process limits"
    fields: dict[str, object] = {
        "title": "KRI-004 Mean time to patch critical vulnerabilities, 13 months to 2026-11-27",
        "labels": labels,
        "y_title": "days",
        "series": [
            Series("this period", this, "this", marks=marks),
            Series(
                "a year earlier",
                [10.0, 11.0, None, 12, 12, 13, 13, 14, 13, None, 14, 15, 15],
                "prior",
            ),
            Series("amber 18", [18.0] * 13, "amber"),
            Series("red 21", [21.0] * 13, "red"),
            Series("XmR centre 15.8", [15.75] * 13, "centre", decimals=1),
        ],
        "band": Band("XmR natural process limits", 10.2, 21.4),
    }
    fields.update(changes)
    return LineChart(**fields)  # type: ignore[arg-type]


def exceedance_chart() -> LineChart:
    """A loss exceedance curve on a log loss axis, inherent beside it, the tolerance a step."""
    losses = [1000.0 * 10 ** (step / 2) for step in range(11)]
    return LineChart(
        title="Loss exceedance, all risks",
        labels=[f"{loss:.0f}" for loss in losses],
        y_title="chance of a larger annual loss (percent)",
        x_title="annual loss (EUR)",
        x_values=losses,
        x_log=True,
        y_percent=True,
        series=[
            Series("residual", [round(100 * math.exp(-x / 2e5), 2) for x in losses], "this"),
            Series("inherent", [round(100 * math.exp(-x / 1e6), 2) for x in losses], "prior"),
            Series("tolerance", [50, 50, 50, 50, 10, 10, 1, 1, 1, 1, 1], "tolerance", step=True),
        ],
    )


def heat_map(risks_at: Mapping[tuple[int, int], Sequence[str]] | None = None) -> HeatMap:
    """A 5x5 on the NIST-like preset levels, with risks where `risks_at` says."""
    grid = [
        ["very-low", "very-low", "low", "low", "moderate"],
        ["very-low", "low", "low", "moderate", "high"],
        ["low", "low", "moderate", "high", "high"],
        ["low", "moderate", "high", "high", "very-high"],
        ["moderate", "high", "high", "very-high", "very-high"],
    ]
    risks_at = risks_at or {}
    cells = [
        HeatCell(
            likelihood,
            impact,
            grid[likelihood - 1][impact - 1],
            PRESET_COLORS[grid[likelihood - 1][impact - 1]],
            tuple(risks_at.get((likelihood, impact), ())),
        )
        for likelihood in range(5, 0, -1)
        for impact in range(1, 6)
    ]
    return HeatMap(
        "Residual risk, 2026-11-27",
        ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
        ["Negligible", "Minor", "Moderate", "Major", "Catastrophic"],
        cells,
    )


SOME_RISKS = {
    (5, 2): ["R-001", "R-002", "R-003", "R-004", "R-005", "R-006", "R-007"],
    (5, 4): ["R-008", "R-009"],
    (4, 1): ["R-010"],
    (2, 5): ["R-011", "R-012", "R-013", "R-014"],
    (1, 1): ["R-015", "R-016", "R-017"],
}


# --- coordinates ------------------------------------------------------------------------------


def test_every_point_of_a_kri_chart_sits_at_its_value_on_the_drawn_axis() -> None:
    chart = kri_chart()
    drawn = svg(chart)
    # this period: 10 vertices in two runs, 11 dots (the lone value in 2026-11 too); a year
    # earlier: 11 vertices in three runs; thresholds and centre: 13 each
    assert check_positions(chart, drawn) == 10 + 11 + 11 + 3 * 13


def test_the_loss_exceedance_curve_is_placed_on_a_log_loss_axis() -> None:
    chart = exceedance_chart()
    root = parse(svg(chart))
    _, xb = x_axis(root, chart)
    # the x labels sit at log10 of their losses: one decade is the same distance everywhere
    assert xb > 0
    assert check_positions(chart, svg(chart)) == 11 + 11 + 11 + (11 + 10)
    _, _, ticks = y_axis(root)
    assert (ticks[0], ticks[-1]) == (0, 100)


def test_a_step_series_goes_across_to_the_next_category_then_up_or_down() -> None:
    chart = exceedance_chart()
    root = parse(svg(chart))
    ya, yb, _ = y_axis(root)
    xa, xb = x_axis(root, chart)
    (line,) = series_group(root, "tolerance").iter(f"{SVG}polyline")
    tolerance = chart.series[2].values
    expected = []
    for index, value in enumerate(tolerance):
        x = xa + xb * _t(chart, index)
        if index:
            expected.append((x, ya + yb * (tolerance[index - 1] or 0)))
        expected.append((x, ya + yb * (value or 0)))
    drawn = [
        float(number) for pair in (line.get("points") or "").split() for number in pair.split(",")
    ]
    assert drawn == pytest.approx(
        [number for pair in expected for number in pair], abs=2 * ROUNDING
    )


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)),
        min_size=2,
        max_size=40,
    ),
    percent=st.booleans(),
)
def test_any_values_are_drawn_at_their_place_on_the_axis(
    values: list[float | None], percent: bool
) -> None:
    chart = LineChart(
        title="any",
        labels=[f"p{index}" for index in range(len(values))],
        y_title="value",
        series=[Series("this period", values, "this")],
        y_percent=percent,
    )
    check_positions(chart, svg(chart))


def test_extreme_and_tiny_values_keep_their_place_with_powers_of_ten_on_the_axis() -> None:
    chart = kri_chart(
        labels=["a", "b", "c"],
        series=[Series("this period", [1e-300, 3e299, 1e300], "this")],
        band=None,
    )
    drawn = svg(chart)
    labels = [text.text for text in with_class(parse(drawn), "rk-ticks-y")[0]]
    # Heckbert: range 1e300 -> nice 1e300, / 4 = 2.5e299 -> step 2e299
    assert labels == [
        "0",
        f"2{TIMES}10²⁹⁹",
        f"4{TIMES}10²⁹⁹",
        f"6{TIMES}10²⁹⁹",
        f"8{TIMES}10²⁹⁹",
        f"1{TIMES}10³⁰⁰",
    ]
    assert check_positions(chart, drawn) == 3 + 3  # vertices and dots


# --- the axis ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        # Heckbert's loose labelling, by hand: range 22 -> nice 50, 50/4 = 12.5 -> step 10
        (0, 22, [0, 10, 20, 30]),
        # 0.25 -> 0.5, 0.125 -> 0.1; 0.1 and 0.4 are exact decimals, not 0.30000000000000004
        (0.1, 0.35, [0.1, 0.2, 0.3, 0.4]),
        # 10 -> 10, 2.5 -> 2
        (-3, 7, [-4, -2, 0, 2, 4, 6, 8]),
        (99.1, 99.9, [99, 99.2, 99.4, 99.6, 99.8, 100]),
        # equal ends: half the value each side; 0 to 1 for 0
        (4, 4, [2, 3, 4, 5, 6]),
        (0, 0, [0, 0.2, 0.4, 0.6, 0.8, 1]),
    ],
)
def test_nice_ticks_are_heckberts(low: float, high: float, ticks: list[float]) -> None:
    assert nice_ticks(low, high) == ticks


def test_tick_labels_are_plain_decimals_until_they_would_be_long() -> None:
    assert tick_labels([0.1, 0.2, 0.3]) == ["0.1", "0.2", "0.3"]
    assert tick_labels([0, 5e299, 1e300, 1.5e300]) == [
        "0",
        f"5{TIMES}10²⁹⁹",
        f"1{TIMES}10³⁰⁰",
        f"1.5{TIMES}10³⁰⁰",
    ]
    assert tick_labels([2.5e-12, 5e-12]) == [f"2.5{TIMES}10⁻¹²", f"5{TIMES}10⁻¹²"]


@pytest.mark.parametrize(
    ("values", "percent", "first", "last"),
    [
        ([3.0, 97.0], True, 0, 100),  # a percentage: 0 to 100 at most
        ([3.0, 100.0], True, 0, 100),
        ([5.0, 12.0], False, 0, 15),  # a count read from 0
        ([99.1, 99.9], False, 99, 100),  # availability: not flattened against 0
        ([-12.0, -5.0], False, -15, 0),
    ],
)
def test_the_y_axis_covers_the_values_and_starts_at_zero_when_it_reads_better(
    values: list[float], percent: bool, first: float, last: float
) -> None:
    chart = LineChart("t", ["a", "b"], "y", [Series("s", values, "this")], y_percent=percent)
    ticks = y_ticks(chart)
    assert (ticks[0], ticks[-1]) == (first, last)


def test_the_axis_covers_thresholds_and_the_band_so_nothing_leaves_the_plot() -> None:
    chart = kri_chart(
        series=[Series("this period", [5.0] * 13, "this"), Series("red 40", [40.0] * 13, "red")],
        band=Band("limits", -3.0, 25.0),
    )
    _, _, ticks = y_axis(parse(svg(chart)))
    assert ticks[0] <= -3 and ticks[-1] >= 40


# --- gaps, dots, signals, the band, the legend --------------------------------------------------


def one_series(values: list[float | None], role: str = "this", **fields: object) -> LineChart:
    return LineChart(
        "gaps",
        [f"w{index}" for index in range(len(values))],
        "count",
        [Series("s", values, role, **fields)],  # type: ignore[arg-type]
    )


def test_a_gap_splits_a_series_into_runs_and_a_lone_value_is_still_drawn() -> None:
    for role, dots in (("prior", 1), ("this", 3)):
        chart = one_series([1.0, None, 3.0, 4.0], role)
        group = series_group(parse(svg(chart)), role)
        lines = list(group.iter(f"{SVG}polyline"))
        assert [len((line.get("points") or "").split()) for line in lines] == [2]
        assert len(list(group.iter(f"{SVG}circle"))) == dots
        check_positions(chart, svg(chart))


def test_dots_have_the_label_and_value_as_their_tooltip() -> None:
    chart = one_series([1.0, 2.5, None, 4.0], decimals=1)
    titles = [dot.findtext(f"{SVG}title") for dot in series_group(parse(svg(chart)), "this")]
    assert [title for title in titles if title] == ["w0: 1", "w1: 2.5", "w3: 4"]


def test_a_signal_is_a_ring_whose_tooltip_names_its_rule() -> None:
    chart = kri_chart()
    rings = with_class(parse(svg(chart)), "rk-signal")
    assert [ring.findtext(f"{SVG}title") for ring in rings] == [
        "2026-07: 22.5 (rule 1: beyond the natural process limits)"
    ]
    check_positions(chart, svg(chart))  # the ring is on the point it marks
    root = parse(svg(chart))
    ya, yb, _ = y_axis(root)
    xa, xb = x_axis(root, chart)
    assert float(rings[0].get("cx", "")) == pytest.approx(xa + xb * 8, abs=2 * ROUNDING)
    assert float(rings[0].get("cy", "")) == pytest.approx(ya + yb * 22.5, abs=2 * ROUNDING)


def test_the_band_spans_its_low_to_its_high_on_the_axis() -> None:
    root = parse(svg(kri_chart()))
    ya, yb, _ = y_axis(root)
    (band,) = [each for each in with_class(root, "rk-band") if each.find(f"{SVG}title") is not None]
    top, height = float(band.get("y", "")), float(band.get("height", ""))
    assert top == pytest.approx(ya + yb * 21.4, abs=2 * ROUNDING)
    assert top + height == pytest.approx(ya + yb * 10.2, abs=3 * ROUNDING)
    assert band.findtext(f"{SVG}title") == "XmR natural process limits: 10.2 to 21.4"


def test_the_legend_tells_prior_thresholds_and_centre_apart_without_colour() -> None:
    root = parse(svg(kri_chart()))
    (legend,) = with_class(root, "rk-legend")
    names = [text.text for text in legend.iter(f"{SVG}text")]
    assert names == [
        "this period",
        "a year earlier",
        "amber 18",
        "red 21",
        "XmR centre 15.8",
        "XmR natural process limits",
    ]
    dashes = {
        role: legend.find(f".//*[@class='rk-key rk-{role}']/{SVG}line").get("stroke-dasharray")  # type: ignore[union-attr]
        for role in ("this", "prior", "amber", "red", "centre")
    }
    assert dashes["this"] is None
    assert len({dashes[role] for role in ("prior", "amber", "red", "centre")}) == 4
    assert None not in [dashes[role] for role in ("prior", "amber", "red", "centre")]
    assert len(with_class(legend, "rk-band")) == 1


def test_the_svg_is_accessible_inline_markup_without_styles_scripts_or_ids() -> None:
    for figure in (kri_chart(), exceedance_chart(), heat_map(SOME_RISKS)):
        root = parse(svg(figure))
        assert root.get("class") == "rk-chart" and root.get("role") == "img"
        assert root.get("width") == "100%" and root.get("height") is None
        assert [child.tag for child in root[:2]] == [f"{SVG}title", f"{SVG}desc"]
        assert root[0].text == figure.title and root[1].text == figure.description
        tags = {each.tag.removeprefix(SVG) for each in root.iter()}
        assert tags <= {"svg", "title", "desc", "g", "text", "line", "polyline", "circle", "rect"}
        attributes = {name for each in root.iter() for name in each.attrib}
        assert not {"style", "id", "href"} & attributes
        assert not [name for name in attributes if name.startswith("on")]


def test_each_series_is_a_group_with_its_role_and_colour() -> None:
    root = parse(svg(kri_chart()))
    groups = {each.get("class"): each.get("stroke") for each in with_class(root, "rk-s")}
    assert groups == {
        "rk-s rk-this": "#1d4ed8",
        "rk-s rk-prior": "#8b95a5",
        "rk-s rk-amber": "#d97706",
        "rk-s rk-red": "#dc2626",
        "rk-s rk-centre": "#6b7280",
    }


def test_a_level_series_is_drawn_in_the_level_colour() -> None:
    chart = one_series([1.0, 2.0], "level", color="#C62828")
    assert series_group(parse(svg(chart)), "level").get("stroke") == "#c62828"


def test_x_labels_are_thinned_so_they_do_not_overlap() -> None:
    chart = one_series([float(index) for index in range(200)])
    root = parse(svg(chart))
    (group,) = with_class(root, "rk-ticks-x")
    xs = [float(text.get("x", "")) for text in group]
    assert 3 <= len(xs) < 20
    widths = [len(text.text or "") * 12 * 0.6 for text in group]
    for (x, width), (next_x, next_width) in itertools.pairwise(zip(xs, widths, strict=True)):
        assert next_x - next_width / 2 > x + width / 2
    check_positions(chart, svg(chart))
    # the latest period is the one a reader looks for: its label is always drawn
    assert [text.text for text in group][-1] == chart.labels[-1]


def test_dense_points_get_no_dots_but_keep_their_lines_and_signals() -> None:
    marks: list[str | None] = [None] * 1000
    marks[500] = "rule 2"
    chart = one_series([float(index % 7) for index in range(1000)], marks=marks)
    group = series_group(parse(svg(chart)), "this")
    assert len(list(group.iter(f"{SVG}circle"))) == 1  # the signal ring alone
    check_positions(chart, svg(chart))


# --- degenerate input -------------------------------------------------------------------------


def test_no_values_draw_the_axes_and_say_no_data() -> None:
    for chart in (one_series([None, None]), one_series([])):
        root = parse(svg(chart))
        assert "no data" in [text.text for text in root.iter(f"{SVG}text")]
        assert not list(series_group(root, "this").iter(f"{SVG}polyline"))


def test_one_point_and_all_equal_values_get_an_axis_around_them() -> None:
    root = parse(svg(one_series([7.0])))
    _, _, ticks = y_axis(root)
    assert ticks[0] < 7 < ticks[-1]
    (dot,) = series_group(root, "this").iter(f"{SVG}circle")
    assert dot.findtext(f"{SVG}title") == "w0: 7"
    chart = one_series([-5.0, -5.0, -5.0])
    check_positions(chart, svg(chart))


def test_what_no_axis_can_hold_is_a_value_error_saying_why() -> None:
    log_zero = LineChart(
        "t",
        ["none", "some"],
        "y",
        [Series("s", [1.0, 2.0], "this")],
        x_values=[0.0, 10.0],
        x_log=True,
    )
    with pytest.raises(ValueError, match="x value 0 at 'none' cannot go on a log axis"):
        svg(log_zero)
    with pytest.raises(ValueError, match="too large for an axis"):
        svg(one_series([1.7e308]))
    with pytest.raises(ValueError, match="must be finite"):  # LineChart refuses it already
        LineChart("t", ["a"], "y", [Series("s", [1.0], "this")], x_values=[math.inf])


# --- the heat map -----------------------------------------------------------------------------


def cells_by_position(root: ET.Element) -> dict[tuple[float, float], ET.Element]:
    cells = {}
    for cell in with_class(root, "rk-cell"):
        rect = cell.find(f"{SVG}rect")
        assert rect is not None
        cells[(float(rect.get("x", "")), float(rect.get("y", "")))] = cell
    return cells


def test_the_heat_map_has_25_cells_likelihood_5_on_top_with_counts_and_ids() -> None:
    figure = heat_map(SOME_RISKS)
    cells = cells_by_position(parse(svg(figure)))
    assert len(cells) == 25
    xs = sorted({x for x, _ in cells})
    ys = sorted({y for _, y in cells})
    assert len(xs) == len(ys) == 5
    for (x, y), cell in cells.items():
        likelihood, impact = 5 - ys.index(y), xs.index(x) + 1
        expected = figure.cell(likelihood, impact)
        rect = cell.find(f"{SVG}rect")
        assert rect is not None and rect.get("fill") == expected.ink
        texts = [text.text or "" for text in cell.iter(f"{SVG}text")]
        title = cell.findtext(f"{SVG}title") or ""
        assert title.startswith(f"likelihood {likelihood} ")
        assert f"impact {impact} " in title
        if not expected.risks:
            assert texts == []
            continue
        assert texts[0] == str(len(expected.risks))
        shown = " ".join(texts[1:]).split()
        more = [word for word in shown if word.startswith("+")]
        ids = [word for word in shown if not word.startswith("+")]
        assert ids == list(expected.risks[: len(ids)])
        assert len(ids) + sum(int(word[1:]) for word in more) == len(expected.risks)
        noun = "risk" if len(expected.risks) == 1 else "risks"
        assert title.endswith(
            f": {len(expected.risks)} {expected.level} {noun}: {', '.join(expected.risks)}"
        )


def test_a_crowded_cell_lists_what_fits_then_plus_n() -> None:
    risks = [f"R-{number:03d}" for number in range(1, 8)]
    cells = cells_by_position(parse(svg(heat_map({(5, 2): risks}))))
    crowded = [cell for cell in cells.values() if cell.findtext(f"{SVG}text") == "7"]
    (cell,) = crowded
    lines = [text.text for text in cell.iter(f"{SVG}text")][1:]
    # three lines of 7 character cells: an id on each, then "+5" where "R-003 +4" does not fit
    assert lines == ["R-001", "R-002", "+5"]


def _luminance(color: str) -> float:
    # WCAG 2.1 relative luminance, written out again here: sRGB to linear, then weighted.
    red, green, blue = (int(color[index : index + 2], 16) / 255 for index in (1, 3, 5))
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_contrast_ratio_matches_published_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    # WebAIM's contrast checker: #767676 on white is 4.54:1, #777777 4.48:1
    assert contrast_ratio("#767676", "#fff") == pytest.approx(4.54, abs=0.005)
    assert contrast_ratio("#ffffff", "#777777") == pytest.approx(4.48, abs=0.005)


@pytest.mark.parametrize("level", sorted(PRESET_COLORS))
def test_the_text_on_every_preset_level_colour_has_at_least_4_5_to_1(level: str) -> None:
    color = PRESET_COLORS[level]
    cells = [
        HeatCell(likelihood, impact, level, color, ("R-001",))
        for likelihood in range(5, 0, -1)
        for impact in range(1, 6)
    ]
    root = parse(svg(HeatMap("t", ["l"] * 5, ["i"] * 5, cells)))
    for cell in with_class(root, "rk-cell"):
        for text in cell.iter(f"{SVG}text"):
            ink = text.get("fill", "")
            lighter, darker = sorted((_luminance(ink), _luminance(color)), reverse=True)
            assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (level, ink)


# --- hostile text -----------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> & \"quoted\" 'single' ]]> <!-- x --> &amp;"


def test_hostile_text_is_escaped_and_round_trips_as_text() -> None:
    chart = kri_chart(
        title=HOSTILE,
        labels=[f"{HOSTILE}{index}" for index in range(13)],
        y_title=HOSTILE,
        x_title=HOSTILE,
        band=Band(HOSTILE, 10.0, 20.0),
    )
    chart = LineChart(
        chart.title,
        chart.labels,
        chart.y_title,
        [Series(HOSTILE, each.values, each.role, marks=each.marks) for each in chart.series],
        chart.x_title,
        chart.band,
    )
    root = parse(svg(chart))
    assert root.findtext(f"{SVG}title") == HOSTILE
    assert {each.tag.removeprefix(SVG) for each in root.iter()} <= {
        "svg",
        "title",
        "desc",
        "g",
        "text",
        "line",
        "polyline",
        "circle",
        "rect",
    }
    tooltips = [each.text or "" for each in root.iter(f"{SVG}title")]
    assert any(tip.startswith(f"{HOSTILE}0: 12") for tip in tooltips)
    figure = heat_map({(3, 3): [HOSTILE]})
    root = parse(svg(figure))
    (cell,) = [each for each in with_class(root, "rk-cell") if each.find(f"{SVG}text") is not None]
    assert (cell.findtext(f"{SVG}title") or "").endswith(f": 1 moderate risk: {HOSTILE}")


def test_what_xml_cannot_hold_is_removed_and_bidi_overrides_are_shown() -> None:
    title = "a\x00b\x1bc\ud800d\ufffee\uffff f\u202eg\u2066h\x85i\tj\r\nk"
    chart = LineChart(title, ["x", "y"], "y", [Series(title, [1.0, 2.0], "this")])
    text = svg(chart)
    root = parse(text)  # would raise on a NUL, an ESC or U+FFFE
    assert root.findtext(f"{SVG}title") == "abcde f\\u202eg\\u2066h\\x85i j\nk"
    assert "\u202e" not in text and "\u2066" not in text


def test_a_heat_map_with_hostile_names_and_ids_parses() -> None:
    cells = [
        HeatCell(likelihood, impact, "lvl\u202e", "not a colour", (f"R-1\x00{impact}", HOSTILE))
        for likelihood in range(5, 0, -1)
        for impact in range(1, 6)
    ]
    figure = HeatMap(HOSTILE, [HOSTILE] * 5, ["\x1b[31m"] * 5, cells)
    root = parse(svg(figure))
    assert root.findtext(f"{SVG}title") == HOSTILE
    rects = [each.find(f"{SVG}rect") for each in with_class(root, "rk-cell")]
    assert {rect.get("fill") for rect in rects if rect is not None} == {"#6b7280"}


# --- goldens, determinism, time ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "figure"),
    [
        ("kri-run-chart", kri_chart()),
        ("loss-exceedance", exceedance_chart()),
        ("heat-map", heat_map(SOME_RISKS)),
    ],
)
def test_golden(name: str, figure: LineChart | HeatMap, update_golden: bool) -> None:
    drawn = svg(figure)
    assert svg(figure) == drawn
    check_golden(GOLDEN / f"{name}.svg", drawn + "\n", update_golden)


def test_ten_thousand_categories_and_a_megabyte_title_draw_in_linear_time() -> None:
    def chart(count: int) -> LineChart:
        marks = [("rule 1" if index % 101 == 0 else None) for index in range(count)]
        return LineChart(
            title="é漢" * 500_000,  # not ASCII: its width is counted character by character
            labels=[f"2026-{index}" for index in range(count)],
            y_title="value",
            series=[
                Series(
                    "this",
                    [None if index % 13 == 0 else float(index % 97) for index in range(count)],
                    "this",
                    marks=marks,
                ),
                Series("prior", [float(index % 89) for index in range(count)], "prior"),
                Series("red", [90.0] * count, "red"),
            ],
            band=Band("limits", 10.0, 60.0),
        )

    big = svg(chart(10_000))  # the time is make bench's to measure (bench/run.py)
    parse(big)
    small = svg(chart(1_000))
    # the title is written twice (title, cut heading): the rest grows with the categories
    assert len(big) - 1_000_000 < 12 * (len(small) - 1_000_000)


def test_a_heat_map_cell_with_ten_thousand_risks_lists_them_all_in_its_tooltip() -> None:
    risks = [f"R-{number:05d}" for number in range(10_000)]
    drawn = svg(heat_map({(3, 3): risks}))
    (cell,) = [
        each for each in with_class(parse(drawn), "rk-cell") if each.find(f"{SVG}text") is not None
    ]
    assert (cell.findtext(f"{SVG}title") or "").endswith(
        f"10000 moderate risks: {', '.join(risks)}"
    )
    assert [text.text for text in cell.iter(f"{SVG}text")] == [
        "10000",
        "R-00000",
        "R-00001",
        "+9998",
    ]


def test_a_long_level_name_is_not_repeated_per_risk_or_per_cell() -> None:
    level = "v" * 1_000_000
    cells = [
        HeatCell(likelihood, impact, level, None, tuple(f"R-{n:04d}" for n in range(400)))
        for likelihood in range(5, 0, -1)
        for impact in range(1, 6)
    ]
    drawn = svg(HeatMap("t", ["l" * 1_000_000] * 5, ["i" * 1_000_000] * 5, cells))
    # the description names each cell's level once (25 MB); the drawing adds little to it
    assert len(drawn) < 26 * 1_000_000 + 25 * 400 * 8 + 100_000


def test_svg_refuses_what_is_not_a_chart() -> None:
    with pytest.raises(TypeError, match="not a chart: str"):
        svg("chart")  # type: ignore[arg-type]


# --- stacked bars, counts, axis names ---------------------------------------------------------


def level_trend(**changes: object) -> LineChart:
    """Open risks per level at 6 month-ends, the first without data (as the MBR's trend)."""
    fields: dict[str, object] = {
        "title": "Open risks per residual level, month-ends to 2026-11-27",
        "labels": ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"],
        "y_title": "open risks",
        "series": [
            Series("low", [None, 0, 1, 1, 1, 0], "level", color="#7cb342"),
            Series("medium", [None, 2, 2, 2, 2, 1], "level", color="#fbc02d"),
            Series("high", [None, 0, 0, 0, 0, 2], "level", color="#f57c00"),
            Series("critical", [None, 0, 0, 0, 0, 0], "level", color="#c62828"),
        ],
        "x_title": "month-end",
        "stacked": True,
    }
    fields.update(changes)
    return LineChart(**fields)  # type: ignore[arg-type]


def test_a_stacked_chart_draws_each_level_as_a_box_on_the_one_below() -> None:
    """Every value > 0 is one box, from the running total of the levels below it to that plus
    the value, read back on the drawn axis; at its category's x; none for a 0 or a gap."""
    chart = level_trend()
    root = parse(svg(chart))
    ya, yb, ticks = y_axis(root)
    xa, xb = x_axis(root, chart)
    assert ticks == [0, 1, 2, 3]  # the totals are 2, 3, 3, 3, 3: whole ticks up to 3
    below = [0.0] * len(chart.labels)
    groups = with_class(root, "rk-s")
    assert len(groups) == len(chart.series)
    for series, group in zip(chart.series, groups, strict=True):
        assert group.get("fill") == series.ink
        drawn = {}
        for box in group.iter(f"{SVG}rect"):
            x = float(box.get("x", "")) + float(box.get("width", "")) / 2
            index = round((x - xa) / xb)
            assert xa + xb * index == pytest.approx(x, abs=2 * ROUNDING)
            top, height = float(box.get("y", "")), float(box.get("height", ""))
            drawn[index] = ((top + height - ya) / yb, (top - ya) / yb)
        expected = {
            index: (below[index], below[index] + value)
            for index, value in enumerate(series.values)
            if value
        }
        assert drawn.keys() == expected.keys(), series.name
        for index, (low, high) in expected.items():
            assert drawn[index] == pytest.approx((low, high), abs=4 * abs(ROUNDING / yb))
        below = [total + (value or 0) for total, value in zip(below, series.values, strict=True)]
    assert not list(root.iter(f"{SVG}polyline"))


def test_a_stacked_chart_keys_are_boxes_and_its_parts_say_what_they_count() -> None:
    root = parse(svg(level_trend()))
    (legend,) = with_class(root, "rk-legend")
    assert [text.text for text in legend.iter(f"{SVG}text")] == [
        "low",
        "medium",
        "high",
        "critical",
    ]
    assert len(list(legend.iter(f"{SVG}rect"))) == 4
    assert not list(legend.iter(f"{SVG}line"))
    titles = [each.text for each in root.iter(f"{SVG}title")]
    assert "2026-11: 2 high" in titles
    assert "2026-11: 1 medium" in titles


def test_a_count_axis_has_whole_ticks() -> None:
    """All values whole: no 0.5 between 0 and 2 (Heckbert's step for 0-2 is 0.5)."""
    assert nice_ticks(0, 2) == [0, 0.5, 1, 1.5, 2]
    counts = LineChart("n", ["a", "b"], "risks", [Series("low", [0, 2], "level")])
    assert y_ticks(counts) == [0, 1, 2]
    one = LineChart("n", ["a", "b"], "risks", [Series("low", [3, 3], "level")])
    assert all(tick == int(tick) for tick in y_ticks(one)) and 3 in y_ticks(one)
    zero = LineChart("n", ["a", "b"], "risks", [Series("low", [0, 0], "level")])
    assert y_ticks(zero) == [0, 1]
    # a value with a fraction keeps the nice steps
    rates = LineChart("n", ["a", "b"], "bps", [Series("x", [0, 1.5], "this")])
    assert 0.5 in y_ticks(rates)


def test_axis_names_break_at_a_hyphen_or_are_hyphenated_not_cut() -> None:
    names = ["insignificant", "minor", "moderate", "major", "severe"]
    drawn = heat_map()
    drawn = HeatMap(
        drawn.title,
        ["rare", "unlikely", "possible", "likely", "almost-certain"],
        names,
        drawn.cells,
    )
    root = parse(svg(drawn))
    texts = [
        text.text or ""
        for group in with_class(root, "rk-ticks-y") + with_class(root, "rk-ticks-x")
        for text in group
    ]
    assert "…" not in "".join(texts)
    assert texts[:2] == ["5 almost-", "certain"]
    first, second = (each for each in texts if each.startswith("insig") or each.endswith("ficant"))
    assert first.endswith("-") and first[:-1] + second == "insignificant"


def test_x_labels_leave_room_for_wide_letters() -> None:
    """Each drawn x label's box, at 0.72 em a character (DejaVu Sans capitals and digits reach
    0.86 em), keeps at least the font size from the next one's."""
    chart = exceedance_chart()
    root = parse(svg(chart))
    (group,) = with_class(root, "rk-ticks-x")
    size = float(group.get("font-size", ""))
    boxes = [(float(text.get("x", "")), len(text.text or "") * size * 0.72 / 2) for text in group]
    for (x0, half0), (x1, half1) in itertools.pairwise(boxes):
        assert x1 - half1 - (x0 + half0) >= size - 2 * ROUNDING
