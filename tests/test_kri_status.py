"""KRI status: threshold bands, period deltas, the date freeze, and the shipped register.

Expected numbers come from ../shared/reference/wbr.md (sections 2 and 4, with the wbr-app
reference numbers) or are computed by hand in a comment beside them.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from riskctl.errors import RiskctlError
from riskctl.kri.status import (
    Delta,
    band,
    delta,
    kri_status,
    latest_observation,
    observations_until,
    register_status,
    watched_risks,
    watchers,
)
from riskctl.kri.xmr import DateSpan, FirstPoints
from riskctl.load import load, read_directory
from riskctl.model.kri import Kri, Thresholds
from riskctl.model.risk import Risk
from tests.conftest import SHIPPED_REGISTER

TODAY = datetime.date(2026, 11, 27)


def make_kri(observations: Sequence[tuple[str, float]], **fields: Any) -> Kri:
    data: dict[str, Any] = {
        "id": "KRI-001",
        "title": "Chargeback rate",
        "owner": "payments-risk",
        "direction": "higher-is-worse",
        "thresholds": {"amber": 40, "red": 60},
        "observations": [{"date": date, "value": value} for date, value in observations],
    }
    data.update(fields)
    return Kri.model_validate(data)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(39.9, "green"), (40, "amber"), (59.9, "amber"), (60, "red"), (75, "red")],
)
def test_band_higher_is_worse_reaching_a_threshold_crosses_it(value: float, expected: str) -> None:
    assert band(value, Thresholds(amber=40, red=60), "higher-is-worse") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(99.5, "green"), (99, "amber"), (98.1, "amber"), (98, "red"), (97, "red")],
)
def test_band_lower_is_worse_is_mirrored(value: float, expected: str) -> None:
    assert band(value, Thresholds(amber=99, red=98), "lower-is-worse") == expected


def test_band_with_inconsistent_thresholds_checks_red_first() -> None:
    # amber 60 > red 40 (RK503): 50 has reached red.
    assert band(50, Thresholds(amber=60, red=40), "higher-is-worse") == "red"


@pytest.mark.parametrize(
    ("current", "previous", "unit", "expected"),
    [
        # pct stores percent numbers: (1.35 - 1.20) x 100 = +15 bps, exactly.
        (1.35, 1.20, "pct", Delta(15.0, "bps")),
        # wbr.md: 1.5 → 2.0 (percent numbers) = +50 bps.
        (2.0, 1.5, "pct", Delta(50.0, "bps")),
        # ratio stores fractions: wbr.md 0.015 → 0.020 = +50 bps, not +33 %.
        (0.020, 0.015, "ratio", Delta(50.0, "bps")),
        # bps: CY - PY; wbr.md 120 → 95 = -25 bps.
        (95, 120, "bps", Delta(-25.0, "bps")),
        # 2.96 - 2.94 = 0.02 pct = +2 bps (not 1.9999999999999574).
        (2.96, 2.94, "pct", Delta(2.0, "bps")),
        # a rate delta needs both values only: from 0 is fine.
        (0.5, 0.0, "pct", Delta(50.0, "bps")),
    ],
)
def test_rates_move_in_basis_points(
    current: float, previous: float, unit: str, expected: Delta
) -> None:
    assert delta(current, previous, unit) == expected


def test_volumes_move_in_percent_wbr_reference_numbers() -> None:
    # wbr.md section 2, wbr-app scenario_1: WOW 470,759,324 / 460,207,741 - 1 = +2.29278694 %;
    # YOY (week) 470,759,324 / 383,306,638 - 1 = +22.81533303 %.
    wow = delta(470_759_324, 460_207_741, "count")
    yoy = delta(470_759_324, 383_306_638, "currency")
    assert wow is not None and yoy is not None
    assert (wow.unit, yoy.unit) == ("%", "%")
    assert wow.change == pytest.approx(2.29278694, abs=1e-8)
    assert yoy.change == pytest.approx(22.81533303, abs=1e-8)


def test_volume_delta_from_zero_is_null_and_no_unit_means_percent() -> None:
    assert delta(5, 0, "count") is None
    assert delta(7.3, 7.6, None) == Delta(pytest.approx(-3.9473684, abs=1e-7), "%")  # type: ignore[arg-type]
    # duration 10 → 12: 12 / 10 - 1 = +20 %.
    assert delta(12, 10, "duration") == Delta(pytest.approx(20.0), "%")  # type: ignore[arg-type]


def test_wow_and_yoy_need_an_observation_exactly_7_and_364_days_earlier() -> None:
    kri = make_kri([("2025-11-24", 30), ("2026-11-16", 45), ("2026-11-23", 54)], unit="bps")
    status = kri_status(kri, TODAY)
    assert status.wow == Delta(9.0, "bps")  # 54 - 45, 2026-11-16 = 2026-11-23 - 7 days
    assert status.yoy == Delta(24.0, "bps")  # 54 - 30, 2025-11-24 = 2026-11-23 - 364 days
    gaps = make_kri([("2025-11-23", 30), ("2026-11-15", 45), ("2026-11-23", 54)], unit="bps")
    missing = kri_status(gaps, TODAY)
    assert (missing.wow, missing.yoy) == (None, None)  # 8 and 365 days earlier: no match


def test_observations_after_now_are_ignored_everywhere() -> None:
    values = [("2026-10-05", 10), ("2026-10-12", 12), ("2026-10-19", 10), ("2026-10-26", 12),
              ("2026-11-02", 10), ("2026-11-09", 12), ("2026-11-16", 10), ("2026-11-23", 59),
              ("2026-11-30", 90), ("2026-12-07", 91)]  # fmt: skip
    status = kri_status(make_kri(values, unit="count"), TODAY)
    assert status.latest is not None
    assert (status.latest.date, status.latest.value) == (datetime.date(2026, 11, 23), 59)
    assert status.band == "amber"
    assert status.wow == Delta(pytest.approx(490.0), "%")  # type: ignore[arg-type]  # 59/10 - 1
    assert status.xmr.points == 8  # the two December points are not there yet
    # Seven points 10, 12, 10, 12, 10, 12, 10 and 59: X̄ = 135 / 8 = 16.875; moving ranges
    # 2 x 6 and 49, mR̄ = 61 / 7 = 8.714; UNPL = 16.875 + 23.18 = 40.055; 59 is above it.
    assert status.xmr.limits is not None
    assert status.xmr.limits.centre == 16.875
    assert [(s.rule, s.dates) for s in status.xmr.signals if s.rule == "rule-1"] == [
        ("rule-1", (datetime.date(2026, 11, 23),))
    ]
    assert latest_observation(make_kri(values), datetime.date(2026, 10, 4)) is None


def test_observations_out_of_order_are_sorted_by_date() -> None:
    kri = make_kri([("2026-11-23", 50), ("2026-11-16", 45)], unit="bps")
    status = kri_status(kri, TODAY)
    assert status.latest is not None and status.latest.value == 50
    assert status.wow == Delta(5.0, "bps")


def test_latest_observation_is_the_latest_date_and_the_last_in_the_file_on_a_tie() -> None:
    kri = make_kri([("2026-11-23", 50), ("2026-11-16", 45), ("2026-11-23", 52), ("2026-11-30", 99)])
    assert latest_observation(kri, TODAY) is kri.observations[2]  # 11-30 is after TODAY


@given(st.lists(st.tuples(st.integers(min_value=-3, max_value=3), st.integers(0, 9)), max_size=8))
def test_latest_observation_is_the_last_of_the_observations_until_the_day(
    drawn: list[tuple[int, int]],
) -> None:
    days = [
        ((TODAY + datetime.timedelta(days=offset)).isoformat(), value) for offset, value in drawn
    ]
    kri = make_kri(days)
    known = observations_until(kri, TODAY)
    assert latest_observation(kri, TODAY) is (known[-1] if known else None)


def test_watchers_are_the_risks_naming_each_kri_as_watched_risks_finds_them() -> None:
    def risk(risk_id: str, kris: list[str]) -> Risk:
        return Risk.model_validate(
            {"id": risk_id, "title": "t", "category": "c", "owner": "o", "kris": kris,
             "inherent": {"likelihood": 3, "impact": 3}}
        )  # fmt: skip

    risks = [risk("R-001", ["KRI-001"]), risk("R-002", ["KRI-001", "KRI-002"]), risk("R-003", [])]
    named = watchers(risks)
    assert named == {"KRI-001": {"R-001", "R-002"}, "KRI-002": {"R-002"}}
    kri = make_kri([], risks=["R-003"])  # KRI-001
    assert watched_risks(kri, risks) == {"R-001", "R-002", "R-003"}
    assert set(kri.risks) | named[kri.id] == watched_risks(kri, risks)


def test_no_observation_gives_no_status() -> None:
    status = kri_status(make_kri([]), TODAY)
    assert (status.latest, status.band, status.wow, status.yoy) == (None, None, None, None)
    assert status.xmr.limits is None
    assert status.xmr.note == "0 points: XmR limits need at least 6"


def test_five_observations_give_a_note_and_no_limits() -> None:
    kri = make_kri([(f"2026-11-{day:02d}", 30) for day in (2, 9, 16, 23, 26)])
    status = kri_status(kri, TODAY)
    assert status.band == "green"
    assert status.xmr.limits is None
    assert status.xmr.note == "5 points: XmR limits need at least 6"


def test_counts_and_rates_floor_the_lower_limit() -> None:
    # 0, 2, 0, 2, 0, 2: X̄ = 1, mR̄ = 2, LNPL 1 - 5.32 = -4.32: floored for count, pct, bps and
    # ratio, not for duration, currency or no unit.
    dates = ["2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02", "2026-11-09"]
    values = list(zip(dates, [0.0, 2.0, 0.0, 2.0, 0.0, 2.0], strict=True))
    for floored in ("count", "pct", "bps", "ratio"):
        limits = kri_status(make_kri(values, unit=floored), TODAY).xmr.limits
        assert limits is not None and limits.lnpl == 0.0, floored
    for unit in ("duration", "currency", None):
        limits = kri_status(make_kri(values, unit=unit), TODAY).xmr.limits
        assert limits is not None and limits.lnpl == pytest.approx(-4.32), unit


def test_the_kris_baseline_becomes_the_xmr_baseline() -> None:
    first = kri_status(make_kri([("2026-11-23", 1)], baseline={"first": 20}), TODAY)
    assert first.xmr.baseline == FirstPoints(20)
    dated = make_kri([("2026-11-23", 1)], baseline={"from": "2026-06-15", "to": "2026-10-26"})
    assert kri_status(dated, TODAY).xmr.baseline == DateSpan(
        datetime.date(2026, 6, 15), datetime.date(2026, 10, 26)
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 1e308, -1e16])
def test_a_value_that_is_not_a_finite_number_within_bounds_is_refused(value: float) -> None:
    with pytest.raises(ValidationError, match=r"expected a finite number from -10\^15 to 10\^15"):
        make_kri([("2026-11-23", value)])


def test_a_volume_change_too_large_for_a_float_has_no_value() -> None:
    status = kri_status(make_kri([("2026-11-16", 1e-300), ("2026-11-23", 1e15)]), TODAY)
    assert status.latest is not None and status.latest.value == 1e15
    assert status.wow is None


def test_no_week_before_the_first_days_of_the_calendar() -> None:
    status = kri_status(make_kri([("0001-01-01", 30), ("0001-01-05", 31)]), TODAY)
    assert status.latest is not None and status.latest.value == 31
    assert (status.wow, status.yoy) == (None, None)


# The shipped register, frozen at 2026-11-27.


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    register = load(read_directory(SHIPPED_REGISTER)).register
    return {status.kri.id: status for status in register_status(register, TODAY)}


def test_shipped_kri_001_shift_against_its_locked_baseline(shipped: dict[str, Any]) -> None:
    status = shipped["KRI-001"]
    limits = status.xmr.limits
    # Baseline: the first 20 weeks. Σx = 183.0 + 180.5 + 177.1 + 174.2 = 714.8, X̄ = 35.74;
    # ΣmR = 64.2 over 19 ranges, mR̄ = 3.37895; UNPL = 35.74 + 2.66 x 3.37895 = 44.728;
    # LNPL = 26.752; URL = 3.268 x 3.37895 = 11.0424; upper mid-line 35.74 + 4.494 = 40.234.
    assert limits.centre == pytest.approx(35.74)
    assert limits.mean_moving_range == pytest.approx(64.2 / 19)
    assert (limits.unpl, limits.lnpl, limits.url) == pytest.approx((44.728, 26.752, 11.0424))
    assert status.xmr.provisional is False
    assert (status.xmr.points, status.xmr.baseline_points) == (60, 20)
    shift = [datetime.date(2026, 9, 28) + datetime.timedelta(days=7 * i) for i in range(9)]
    by_rule: dict[str, list[tuple[datetime.date, ...]]] = {}
    for signal in status.xmr.signals:
        assert signal.side == "above"
        by_rule.setdefault(signal.rule, []).append(signal.dates)
    # 2026-09-28 (40.6) is below 44.728; every week from 2026-10-05 (47.9) to 2026-11-23 (54.6)
    # is above it. From 2026-09-28, nine weeks sit above 35.74 (2026-09-21's 35.4 is below) and
    # above the mid-line 40.234. No moving range exceeds 11.04 (the largest, 47.9 - 40.6 = 7.3).
    assert by_rule == {
        "rule-1": [(date,) for date in shift[1:]],
        "rule-2": [tuple(shift)],
        "rule-3": [tuple(shift)],
    }
    assert status.band == "amber"  # 54.6: 45 ≤ 54.6 < 60
    assert status.wow == Delta(-1.5, "bps")  # 54.6 - 56.1
    assert status.yoy == Delta(18.9, "bps")  # 54.6 - 35.7 (2025-11-24)


def test_shipped_kri_002_is_stable(shipped: dict[str, Any]) -> None:
    status = shipped["KRI-002"]
    assert status.xmr.signals == ()
    assert status.xmr.provisional is False
    assert status.band == "green"  # 7.3 < 10
    # duration: 7.3 / 7.6 - 1 = -3.947 %; YoY 7.3 / 7.4 - 1 = -1.351 %.
    assert status.wow.change == pytest.approx(-3.9473684, abs=1e-6)
    assert status.yoy.change == pytest.approx(-1.3513514, abs=1e-6)


def test_shipped_pct_kri_moves_in_bps(shipped: dict[str, Any]) -> None:
    status = shipped["KRI-004"]
    assert status.wow == Delta(2.0, "bps")  # 2.96 - 2.94 = 0.02 pct
    assert status.yoy == Delta(45.0, "bps")  # 2.96 - 2.51 (2025-11-24)


def test_shipped_date_baseline(shipped: dict[str, Any]) -> None:
    xmr = shipped["KRI-008"].xmr
    # 2026-06-15 to 2026-10-26: 20 weekly points; the 36 weeks before are not judged.
    assert (xmr.baseline_points, xmr.points) == (20, 24)
    assert xmr.limits.centre == pytest.approx(6.0)  # Σ = 120 over 20 weeks
    assert xmr.signals == ()


def test_register_status_selects_ids_and_refuses_unknown_ones() -> None:
    register = load(read_directory(SHIPPED_REGISTER)).register
    chosen = register_status(register, TODAY, ["KRI-003", "KRI-001", "KRI-003"])
    assert [status.kri.id for status in chosen] == ["KRI-001", "KRI-003"]
    with pytest.raises(RiskctlError, match=r"no KRI 'KRI-999' in the register; KRIs: KRI-001, "):
        register_status(register, TODAY, ["KRI-999"])
