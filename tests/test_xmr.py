"""The XmR core: limits, Wheeler's rules, baselines, small samples, the CSV reader.

Expected numbers come from ../shared/reference/xmr.md (the worked example of section 5 and the
xmrit cross-check vector of section 6, with their published values) or are computed by hand in
a comment beside them; none is obtained by calling the code under test, except where a test
needs a point exactly on a limit (strictness).

Most hand-made series start with the baseline B = 12, 10, 12, 10, 12, 10:
  X̄ = 66 / 6 = 11; moving ranges 2, 2, 2, 2, 2, so mR̄ = 10 / 5 = 2;
  UNPL = 11 + 2.66 x 2 = 16.32; LNPL = 11 - 5.32 = 5.68; URL = 3.268 x 2 = 6.536;
  mid-lines 11 ± 1.33 x 2 = 13.66 / 8.34.
B alternates sides and ends below the centre line, so no run starts inside it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import pytest

from riskctl.errors import RiskctlError
from riskctl.kri.xmr import (
    DateSpan,
    FirstPoints,
    Signal,
    XmrAnalysis,
    analyse,
    compute_limits,
    parse_series_csv,
)

B = [12.0, 10.0, 12.0, 10.0, 12.0, 10.0]
START = datetime.date(2026, 1, 5)


def weeks(count: int) -> list[datetime.date]:
    """Weekly dates from 2026-01-05 (week 1)."""
    return [START + datetime.timedelta(days=7 * index) for index in range(count)]


def week(number: int) -> datetime.date:
    """The date of week `number`, 1-based."""
    return START + datetime.timedelta(days=7 * (number - 1))


def run(values: Sequence[float], baseline: FirstPoints | DateSpan | None = None) -> XmrAnalysis:
    return analyse(weeks(len(values)), list(values), baseline)


def found(analysis: XmrAnalysis) -> list[tuple[str, str, list[int]]]:
    """Signals as (rule, side, week numbers), in the analysis's order."""
    number = {date: index + 1 for index, date in enumerate(weeks(400))}
    return [(s.rule, s.side, [number[d] for d in s.dates]) for s in analysis.signals]


# xmr.md section 5: weekly account-takeover reports.
WORKED = [18, 17, 19, 18, 17, 19, 18, 17, 21, 19, 26, 27, 29, 15]


def test_worked_example_limits_from_all_points() -> None:
    analysis = run(WORKED)
    limits = analysis.limits
    assert limits is not None
    assert limits.centre == pytest.approx(20)  # 280 / 14
    assert limits.mean_moving_range == pytest.approx(3)  # 39 / 13
    assert limits.unpl == pytest.approx(27.98)  # 20 + 7.98
    assert limits.lnpl == pytest.approx(12.02)  # 20 - 7.98, above 0: no floor
    assert limits.url == pytest.approx(9.804)  # 3.268 x 3
    assert limits.upper_midline == pytest.approx(23.99)  # 20 + 3.99
    assert limits.lower_midline == pytest.approx(16.01)  # 20 - 3.99
    assert analysis.provisional is True  # 14 < 20
    assert (analysis.points, analysis.baseline_points, analysis.note) == (14, 14, None)


def test_worked_example_signals_from_all_points() -> None:
    # xmr.md section 5: rule 1 week 13 (29 > 27.98); mR week 14 (|15 - 29| = 14 > 9.804);
    # rule 2 weeks 11, 12, 13 (windows 10-13 and 11-14 merged; low side only week 14);
    # rule 3 weeks 1-8 (all < 20). Sorted by first date, then rule.
    assert found(run(WORKED)) == [
        ("rule-3", "below", [1, 2, 3, 4, 5, 6, 7, 8]),
        ("rule-2", "above", [11, 12, 13]),
        ("rule-1", "above", [13]),
        ("moving-range", "above", [14]),
    ]


def test_worked_example_locked_to_the_first_eight_weeks() -> None:
    analysis = run(WORKED, FirstPoints(8))
    limits = analysis.limits
    assert limits is not None
    assert limits.centre == pytest.approx(17.875)  # 143 / 8
    assert limits.mean_moving_range == pytest.approx(9 / 7)  # 1.2857
    assert limits.unpl == pytest.approx(21.295, abs=5e-4)
    assert limits.lnpl == pytest.approx(14.455, abs=5e-4)
    assert limits.url == pytest.approx(4.2017, abs=5e-5)
    assert limits.upper_midline == pytest.approx(19.585, abs=5e-4)
    assert limits.lower_midline == pytest.approx(16.165, abs=5e-4)
    assert (analysis.provisional, analysis.points, analysis.baseline_points) == (True, 14, 8)
    # Rule 1 weeks 11, 12, 13; rule 2 weeks 9, 11, 12, 13 (windows 9-12, 10-13, 11-14 merged);
    # mR above URL weeks 11 (7) and 14 (14); no run of 8.
    assert found(analysis) == [
        ("rule-2", "above", [9, 11, 12, 13]),
        ("rule-1", "above", [11]),
        ("moving-range", "above", [11]),
        ("rule-1", "above", [12]),
        ("rule-1", "above", [13]),
        ("moving-range", "above", [14]),
    ]


# xmr.md section 6: the vector run through xmrit's own functions.
CROSS_CHECK = [98, 102, 99, 101, 97, 103, 100, 96, 94, 95, 97, 93, 96, 95, 104, 112, 113, 104,
               111, 94]  # fmt: skip


def test_cross_check_vector_all_points() -> None:
    analysis = run(CROSS_CHECK)
    limits = analysis.limits
    assert limits is not None
    assert limits.centre == pytest.approx(100.2)
    assert limits.mean_moving_range == pytest.approx(90 / 19)
    assert (limits.unpl, limits.lnpl, limits.url) == pytest.approx((112.80, 87.60, 15.48), abs=5e-3)
    assert (limits.upper_midline, limits.lower_midline) == pytest.approx((106.50, 93.90), abs=5e-3)
    assert analysis.provisional is False  # exactly 20 points
    # xmrit statuses [0,0,0,0,0,0,1,1,1,1,1,1,1,1,0,2,3,2,2,0]: rule 3 weeks 7-14; window
    # 16-19 (112, 113, 104, 111) has three beyond 106.50; week 17 (113) above 112.80; mR week 20.
    assert found(analysis) == [
        ("rule-3", "below", [7, 8, 9, 10, 11, 12, 13, 14]),
        ("rule-2", "above", [16, 17, 19]),
        ("rule-1", "above", [17]),
        ("moving-range", "above", [20]),
    ]


def test_cross_check_vector_locked_to_weeks_1_to_12() -> None:
    analysis = run(CROSS_CHECK, FirstPoints(12))
    limits = analysis.limits
    assert limits is not None
    assert (limits.centre, limits.mean_moving_range) == pytest.approx((97.92, 3.18), abs=5e-3)
    assert (limits.unpl, limits.lnpl, limits.url) == pytest.approx((106.38, 89.45, 10.40), abs=5e-3)
    assert (limits.upper_midline, limits.lower_midline) == pytest.approx((102.15, 93.68), abs=5e-3)
    # xmrit statuses [0 x13, 2,2,3,3,2,3,2]: rule 1 weeks 16, 17, 19; rule 2 from window 14-17 on;
    # mR week 20 (|94 - 111| = 17 > 10.40).
    assert found(analysis) == [
        ("rule-2", "above", [15, 16, 17, 18, 19]),
        ("rule-1", "above", [16]),
        ("rule-1", "above", [17]),
        ("rule-1", "above", [19]),
        ("moving-range", "above", [20]),
    ]


def test_hand_computed_limits_of_the_base_series() -> None:
    limits = compute_limits(B)
    assert limits.centre == 11
    assert limits.mean_moving_range == 2
    assert limits.unpl == pytest.approx(16.32)
    assert limits.lnpl == pytest.approx(5.68)
    assert limits.url == pytest.approx(6.536)
    assert (limits.upper_midline, limits.lower_midline) == pytest.approx((13.66, 8.34))


def test_floor_at_zero_for_counts() -> None:
    # 0, 2, 0, 2, 0, 2: X̄ = 1, mR̄ = 2; UNPL = 1 + 5.32 = 6.32; LNPL = 1 - 5.32 = -4.32 → 0;
    # lower mid-line max(0, 1 - 2.66) = 0; URL 6.536.
    counts = [0.0, 2.0, 0.0, 2.0, 0.0, 2.0]
    floored = compute_limits(counts, floor_at_zero=True)
    assert (floored.lnpl, floored.lower_midline) == (0.0, 0.0)
    assert floored.unpl == pytest.approx(6.32)
    assert floored.url == pytest.approx(6.536)
    plain = compute_limits(counts)
    assert (plain.lnpl, plain.lower_midline) == pytest.approx((-4.32, -1.66))
    # Three zeros in a row after the baseline: on the floored limit and mid-line, never below.
    analysis = analyse(weeks(9), [*counts, 0.0, 0.0, 0.0], FirstPoints(6), floor_at_zero=True)
    assert analysis.signals == ()


def test_floor_leaves_a_positive_lower_limit_alone() -> None:
    # B: LNPL 5.68 and lower mid-line 8.34 are above 0 already.
    limits = compute_limits(B, floor_at_zero=True)
    assert (limits.lnpl, limits.lower_midline) == pytest.approx((5.68, 8.34))


def test_exactly_six_points_give_provisional_limits() -> None:
    analysis = run(B)
    assert analysis.limits is not None
    assert analysis.provisional is True
    assert analysis.signals == ()


def test_five_points_give_no_limits_and_a_note() -> None:
    analysis = run(B[:5])
    assert analysis.limits is None
    assert analysis.provisional is None
    assert analysis.signals == ()
    assert analysis.note == "5 points: XmR limits need at least 6"


def test_nineteen_points_are_provisional_twenty_are_not() -> None:
    alternating = [12.0 if index % 2 == 0 else 10.0 for index in range(20)]
    assert run(alternating[:19]).provisional is True
    assert run(alternating).provisional is False


def test_a_short_first_n_baseline_says_so() -> None:
    analysis = run([*B, 11.5], FirstPoints(20))
    assert analysis.baseline_points == 7  # every point so far
    assert analysis.provisional is True
    assert analysis.note == "the baseline has 7 of its 20 points so far"


def test_baseline_by_dates_locks_limits_and_leaves_earlier_points_unjudged() -> None:
    # Weeks 1-2 (100, 0) are an earlier process; weeks 3-8 are B; weeks 9-10 later points.
    values = [100.0, 0.0, *B, 17.0, 11.5]
    analysis = run(values, DateSpan(week(3), week(8)))
    assert analysis.limits is not None
    assert analysis.limits.centre == 11  # from B only
    assert analysis.limits.unpl == pytest.approx(16.32)
    assert (analysis.points, analysis.baseline_points) == (8, 6)
    assert analysis.baseline_dates == (week(3), week(8))
    # Week 9: 17 > 16.32 (rule 1); its moving range |17 - 10| = 7 > 6.536. Week 10:
    # |11.5 - 17| = 5.5. Weeks 1 and 2 would be far outside, but are not judged, and the
    # moving range from week 2 into the baseline (|12 - 0|) is not either.
    assert found(analysis) == [("rule-1", "above", [9]), ("moving-range", "above", [9])]


def test_baseline_by_dates_with_too_few_points() -> None:
    analysis = run(B, DateSpan(week(2), week(4)))
    assert analysis.limits is None
    assert (
        analysis.note
        == "3 points in the baseline (2026-01-12 to 2026-01-26): XmR limits need at least 6"
    )


def test_rule_1_is_strict() -> None:
    limits = compute_limits(B)
    on_the_limit = run([*B, limits.unpl, 11.0, limits.lnpl], FirstPoints(6))
    assert [s for s in on_the_limit.signals if s.rule == "rule-1"] == []
    beyond = run([*B, limits.unpl + 0.01, 11.0, limits.lnpl - 0.01], FirstPoints(6))
    assert found(beyond)[0] == ("rule-1", "above", [7])
    assert ("rule-1", "below", [9]) in found(beyond)


def test_a_run_of_exactly_eight_is_a_signal() -> None:
    # B ends below 11; eight points of 11.5 (above 11, below the mid-line 13.66; moving ranges
    # 1.5 and 0) make one run, weeks 7-14.
    assert found(run([*B, *[11.5] * 8], FirstPoints(6))) == [
        ("rule-3", "above", [7, 8, 9, 10, 11, 12, 13, 14])
    ]


def test_a_run_of_seven_is_not() -> None:
    assert run([*B, *[11.5] * 7, 10.5], FirstPoints(6)).signals == ()


def test_a_longer_run_is_one_signal() -> None:
    assert found(run([*B, *[10.5] * 10], FirstPoints(6))) == [
        ("rule-3", "below", [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])  # week 6 (10) is below too
    ]


def test_a_point_on_the_centre_line_ends_a_run() -> None:
    # 4 above, one exactly on 11, 4 above: two runs of 4.
    assert run([*B, *[11.5] * 4, 11.0, *[11.5] * 4], FirstPoints(6)).signals == ()


def test_rule_2_three_of_four_on_the_same_side() -> None:
    # 14, 14, 11.5, 14: three beyond 13.66 (14 < 16.32: no rule 1; moving ranges ≤ 4).
    assert found(run([*B, 14.0, 14.0, 11.5, 14.0], FirstPoints(6))) == [
        ("rule-2", "above", [7, 8, 10])
    ]


def test_rule_2_mixed_sides_is_not_a_signal() -> None:
    # 14, 8, 14, 8: two beyond 13.66 and two beyond 8.34 (below it): neither side has three.
    # Moving ranges 4, 6, 6, 6 ≤ 6.536.
    assert run([*B, 14.0, 8.0, 14.0, 8.0], FirstPoints(6)).signals == ()


def test_rule_2_low_side() -> None:
    # 8, 8, 10, 8: three below 8.34 (8 > 5.68: no rule 1).
    assert found(run([*B, 8.0, 8.0, 10.0, 8.0], FirstPoints(6))) == [
        ("rule-2", "below", [7, 8, 10])
    ]


def test_rule_2_overlapping_windows_merge_and_separate_ones_do_not() -> None:
    # Windows of 14, 14, 11.5, 14, 14: weeks 7-10 and 8-11 both qualify and overlap: one signal.
    assert found(run([*B, 14.0, 14.0, 11.5, 14.0, 14.0], FirstPoints(6))) == [
        ("rule-2", "above", [7, 8, 10, 11])
    ]
    # 14, 14, 14, 10.5, 10.5, 14, 14, 14: windows 7-10 and 11-14 qualify and touch without
    # overlapping (weeks 8-11, 9-12 and 10-13 have two beyond each): two signals.
    values = [*B, 14.0, 14.0, 14.0, 10.5, 10.5, 14.0, 14.0, 14.0]
    assert found(run(values, FirstPoints(6))) == [
        ("rule-2", "above", [7, 8, 9]),
        ("rule-2", "above", [12, 13, 14]),
    ]


def test_moving_range_goes_to_the_later_point() -> None:
    # 10 (week 6) → 16.9 (week 7): mR 6.9 > 6.536, at week 7; 16.9 > 16.32 is rule 1 too.
    # 16.9 → 10.5 (week 8): mR 6.4 ≤ 6.536.
    assert found(run([*B, 16.9, 10.5], FirstPoints(6))) == [
        ("rule-1", "above", [7]),
        ("moving-range", "above", [7]),
    ]


def test_signal_dates_are_the_series_dates() -> None:
    analysis = analyse(weeks(10), [*B, 14.0, 14.0, 11.5, 14.0], FirstPoints(6))
    assert analysis.signals == (Signal("rule-2", "above", (week(7), week(8), week(10))),)


def test_mismatched_lengths_are_a_bug() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        analyse(weeks(3), [1.0, 2.0])


def test_huge_values_do_not_crash() -> None:
    analysis = run([1e308, -1e308, 1e308, -1e308, 1e308, -1e308])
    assert analysis.limits is not None


# The CSV reader.


def test_csv_reads_dates_and_values() -> None:
    text = "\ufeffdate,value\r\n2026-01-05,1.5\r\n\r\n2026-01-12, 2\r\n"
    assert parse_series_csv(text, "s.csv") == ([week(1), week(2)], [1.5, 2.0])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "s.csv: empty file; expected the header row `date,value`"),
        ("when,value\n", "s.csv:1: expected the header row `date,value`, found 'when,value'"),
        ("date,value\n2026-01-05,1\n2026-01-12\n", "s.csv:3: expected 2 columns"),
        ("date,value\n2026-01-05,1,2\n", "s.csv:2: expected 2 columns (date,value), found 3"),
        ("date,value\n2026-1-5,1\n", "s.csv:2: '2026-1-5' is not a date: use YYYY-MM-DD"),
        ("date,value\n2026-02-30,1\n", "s.csv:2: '2026-02-30' is not a date"),
        ("date,value\n2026-01-05,1\n\n2026-01-12,x\n", "s.csv:4: value 'x' is not a number"),
        ("date,value\n2026-01-05,nan\n", "s.csv:2: value 'nan' is not a finite number"),
        ("date,value\n2026-01-05,-inf\n", "s.csv:2: value '-inf' is not a finite number"),
        ("date,value\n2026-01-05,1e308\n", "s.csv:2: value '1e308' is out of range"),
        ("date,value\n2026-01-05,1_000\n", "s.csv:2: value '1_000' is not a number"),
        ("date,value\n2026-01-05,\u0661\u0662\n", "s.csv:2: value '\u0661\u0662' is not a"),
        (
            "date,value\n2026-01-12,1\n2026-01-05,2\n",
            "s.csv:3: date 2026-01-05 is not after 2026-01-12 on line 2",
        ),
        ("date,value\n2026-01-05,1\n2026-01-05,2\n", "s.csv:3: date 2026-01-05 is not after"),
    ],
)
def test_csv_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(RiskctlError) as caught:
        parse_series_csv(text, "s.csv")
    assert str(caught.value).startswith(message)
