"""`riskctl.incidents`: counts per risk and per root-cause category, the window, the formats.

Expected counts are written out by hand from the incidents listed in each test (and, for the
shipped register, from the eleven files in register/incidents/).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from riskctl.incidents import (
    Counts,
    Group,
    IncidentSummary,
    in_window,
    root_cause_category,
    summarise,
)
from riskctl.load import load, read_directory
from riskctl.model.config import Config
from riskctl.model.incident import Incident
from riskctl.model.register import Record, Register
from riskctl.output.incidents import ratio_text, render_json, render_table
from tests.conftest import SHIPPED_REGISTER
from tests.strategies import CATEGORIES

NOW = datetime.date(2026, 11, 27)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def incident(
    incident_id: str,
    occurred: str,
    kind: str = "incident",
    risks: tuple[str, ...] = (),
    category: str | None = None,
    **extra: Any,
) -> Incident:
    data: dict[str, Any] = {
        "id": incident_id,
        "kind": kind,
        "title": f"Incident {incident_id}",
        "occurred": day(occurred),
        "severity": 2,
        "risks": list(risks),
        **extra,
    }
    if category is not None:
        data["root_cause"] = {"category": category}
    return Incident.model_validate(data)


def register_of(*incidents: Incident) -> Register:
    register = Register(config=Config.model_validate({"version": 1, "categories": CATEGORIES}))
    for each in incidents:
        register.add(Record(kind="incident", file=f"incidents/{each.id}.yaml", entity=each))
    return register


def rows(groups: tuple[Group, ...]) -> list[tuple[str, int, int]]:
    return [(group.key, group.counts.incidents, group.counts.near_misses) for group in groups]


# --- counts and ratio --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("incidents", "near_misses", "ratio"),
    [(4, 2, 0.5), (2, 5, 2.5), (3, 0, 0.0), (0, 3, None), (0, 0, None)],
)
def test_ratio_is_near_misses_over_incidents_by_counts(
    incidents: int, near_misses: int, ratio: float | None
) -> None:
    assert Counts(incidents, near_misses).ratio == ratio


@pytest.mark.parametrize(
    ("counts", "text"), [(Counts(6, 5), "0.83"), (Counts(1, 2), "2.00"), (Counts(0, 1), "-")]
)
def test_ratio_text_two_decimals_or_dash(counts: Counts, text: str) -> None:
    assert ratio_text(counts) == text


# --- the window --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("occurred", "since", "counted"),
    [
        ("2026-11-27", None, True),  # on --now
        ("2026-11-28", None, False),  # after --now
        ("2025-01-01", None, True),  # no --since: everything before
        ("2026-06-01", "2026-06-01", True),  # on --since
        ("2026-05-31", "2026-06-01", False),  # the day before --since
    ],
)
def test_in_window_inclusive_both_ends(occurred: str, since: str | None, counted: bool) -> None:
    item = incident("INC-2026-001", occurred)
    assert in_window(item, NOW, day(since) if since else None) is counted


# --- root-cause category -----------------------------------------------------------------------


def test_root_cause_category_unknown_without_root_cause_or_category() -> None:
    assert root_cause_category(incident("INC-2026-001", "2026-01-01")) == "unknown"
    assert root_cause_category(incident("INC-2026-002", "2026-01-01", category="  ")) == "unknown"
    without_category = incident(
        "INC-2026-003", "2026-01-01", root_cause={"whys": [{"why": "Why? Because."}]}
    )
    assert root_cause_category(without_category) == "unknown"
    assert root_cause_category(incident("INC-2026-004", "2026-01-01", category="process")) == (
        "process"
    )


# --- summarise ---------------------------------------------------------------------------------

#: Seven incidents: five in the window from 2026-06-01 to 2026-11-27, one before, one after.
WINDOW_CASE = (
    incident("INC-2026-001", "2026-05-31", risks=("R-001",), category="process"),  # before
    incident("INC-2026-002", "2026-06-01", risks=("R-001", "R-002"), category="process"),
    incident("INC-2026-003", "2026-07-15", "near-miss", risks=("R-002",), category="technology"),
    incident("INC-2026-004", "2026-08-01", "near-miss", risks=("R-002", "R-002")),  # named twice
    incident("INC-2026-005", "2026-09-09", "near-miss", category="technology"),  # no risk
    incident("INC-2026-006", "2026-11-27", risks=("R-003",), category="technology"),
    incident("INC-2026-007", "2026-11-28", risks=("R-003",), category="process"),  # after
)


def test_summarise_counts_the_window_per_risk_and_category() -> None:
    summary = summarise(register_of(*WINDOW_CASE), NOW, day("2026-06-01"))
    # In the window: 002 and 006 are incidents; 003, 004 and 005 near-misses.
    assert (summary.since, summary.now) == (day("2026-06-01"), NOW)
    assert summary.totals == Counts(2, 3)
    # incident 002, near-misses 003 and 004 (named twice, counted once) -> total 3.
    # incident 002 (001 is before the window) -> 1, one incident.
    # incident 006 (007 is after --now) -> 1, one incident; R-001 before R-003 by id.
    assert rows(summary.by_risk) == [("R-002", 1, 2), ("R-001", 1, 0), ("R-003", 1, 0)]
    assert [group.counts.ratio for group in summary.by_risk] == [2.0, 0.0, 0.0]
    # technology: 003, 005 (near-misses) and 006 (incident) -> 3; process: 002 -> 1;
    # unknown: 004 (no root cause) -> 1, after process because it has no incident.
    assert rows(summary.by_root_cause) == [
        ("technology", 1, 2),
        ("process", 1, 0),
        ("unknown", 0, 1),
    ]


def test_summarise_without_since_counts_everything_up_to_now() -> None:
    summary = summarise(register_of(*WINDOW_CASE), NOW)
    assert summary.since is None
    assert summary.totals == Counts(3, 3)  # 001 joins; 007 is still after --now
    assert rows(summary.by_risk)[:2] == [("R-002", 1, 2), ("R-001", 2, 0)]


def test_summarise_sorts_ties_by_incidents_then_id() -> None:
    summary = summarise(
        register_of(
            incident("INC-2026-001", "2026-01-01", "near-miss", risks=("R-001",)),
            incident("INC-2026-002", "2026-01-02", risks=("R-009",)),
            incident("INC-2026-003", "2026-01-03", risks=("R-005",)),
        ),
        NOW,
    )
    assert [group.key for group in summary.by_risk] == ["R-005", "R-009", "R-001"]


def test_summarise_empty_register_has_null_ratio() -> None:
    summary = summarise(register_of(), NOW)
    assert summary == IncidentSummary(None, NOW, Counts(0, 0), (), ())
    assert summary.totals.ratio is None


@pytest.fixture(scope="module")
def shipped() -> Register:
    return load(read_directory(Path(SHIPPED_REGISTER))).register


def test_summarise_shipped_register(shipped: Register) -> None:
    # Incidents: 003, 011, 014, 023, 027, 038; near-misses: 007, 019, 031, 041, 044.
    summary = summarise(shipped, NOW)
    assert summary.totals == Counts(6, 5)
    assert rows(summary.by_risk) == [
        ("R-001", 2, 0),  # 023, 038
        ("R-004", 1, 0),  # 003
        ("R-009", 1, 0),  # 023
        ("R-010", 1, 0),  # 027
        ("R-015", 1, 0),  # 014
        ("R-016", 1, 0),  # 014
        ("R-020", 1, 0),  # 011
        ("R-022", 1, 0),  # 003
        ("R-003", 0, 1),  # 041
        ("R-007", 0, 1),  # 007
        ("R-013", 0, 1),  # 044
        ("R-014", 0, 1),  # 031
        ("R-019", 0, 1),  # 019
    ]
    assert rows(summary.by_root_cause) == [
        ("process", 4, 1),  # 003, 014, 023, 038; 019
        ("technology", 2, 1),  # 011, 027; 044
        ("third-party", 0, 2),  # 007, 031
        ("monitoring", 0, 1),  # 041
    ]


def test_summarise_shipped_register_since_june(shipped: Register) -> None:
    # From 2026-06-01: incidents 027 (07-20), 038 (10-12); near-misses 031, 041, 044.
    summary = summarise(shipped, NOW, day("2026-06-01"))
    assert summary.totals == Counts(2, 3)
    assert summary.totals.ratio == 1.5


# --- formats -----------------------------------------------------------------------------------


def test_json_document_shape_and_order() -> None:
    summary = summarise(register_of(*WINDOW_CASE), NOW, day("2026-06-01"))
    document = json.loads(render_json(summary))
    assert list(document) == ["version", "since", "now", "totals", "by_risk", "by_root_cause"]
    assert document["version"] == 1
    assert (document["since"], document["now"]) == ("2026-06-01", "2026-11-27")
    assert document["totals"] == {"incidents": 2, "near_misses": 3, "ratio": 1.5}
    assert document["by_risk"][0] == {
        "risk": "R-002",
        "incidents": 1,
        "near_misses": 2,
        "ratio": 2.0,
    }
    assert list(document["by_root_cause"][0]) == ["category", "incidents", "near_misses"]


def test_json_null_since_and_ratio() -> None:
    summary = summarise(register_of(incident("INC-2026-001", "2026-01-01", "near-miss")), NOW)
    document = json.loads(render_json(summary))
    assert document["since"] is None
    assert document["totals"] == {"incidents": 0, "near_misses": 1, "ratio": None}
    assert document["by_root_cause"] == [{"category": "unknown", "incidents": 0, "near_misses": 1}]


def test_table_text_exact() -> None:
    summary = summarise(register_of(*WINDOW_CASE), NOW, day("2026-06-01"))
    assert render_table(summary) == (
        "Occurred from 2026-06-01 to 2026-11-27: 2 incidents, 3 near-misses; "
        "near-miss-to-incident ratio 1.50\n"
        "\n"
        "risk   incidents  near-misses  ratio\n"
        "R-002          1            2   2.00\n"
        "R-001          1            0   0.00\n"
        "R-003          1            0   0.00\n"
        "\n"
        "root cause  incidents  near-misses\n"
        "technology          1            2\n"
        "process             1            0\n"
        "unknown             0            1\n"
        "\n"
        "ratio = near-misses ÷ incidents (- without incidents); "
        "no root-cause category counts as unknown\n"
    )


def test_table_empty_register_says_none() -> None:
    text = render_table(summarise(register_of(), NOW))
    assert text.splitlines()[:5] == [
        "Occurred up to 2026-11-27: 0 incidents, 0 near-misses; near-miss-to-incident ratio -",
        "",
        "(none)",
        "",
        "(none)",
    ]
    one = render_table(summarise(register_of(incident("INC-2026-001", "2026-01-01")), NOW))
    assert one.splitlines()[0] == (
        "Occurred up to 2026-11-27: 1 incident, 0 near-misses; near-miss-to-incident ratio 0.00"
    )
