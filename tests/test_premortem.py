"""The pre-mortem core: RPN, the AIAG-VDA action priority table, ranking, drafts, link-back."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from riskctl.errors import RiskctlError
from riskctl.load import add_keys, load, load_config, parse, read_directory, validate
from riskctl.model.config import ActionPriorityTable
from riskctl.model.launch import FailureMode, Launch, Monitoring
from riskctl.model.risk import Risk
from riskctl.premortem import (
    CONFIG_ORIGIN,
    SHIPPED_ORIGIN,
    _folded,
    _scalar,
    action_priority,
    draft_rating,
    find_launch,
    is_lapsed,
    next_risk_numbers,
    plan_drafts,
    premortem,
    rank_key,
    rate,
    review_launch,
    rpn,
    shipped_table,
    table_in_force,
)
from riskctl.textsafe import is_visible
from tests.conftest import FROZEN_NOW, ROOT, SHIPPED_REGISTER
from tests.zipped import package_data, run_from_zip

NOW = datetime.date.fromisoformat(FROZEN_NOW)
PACKAGE = ROOT / "riskctl"


def _ap(severity: int, occurrence: int, detection: int) -> str:
    return action_priority(shipped_table(), severity, occurrence, detection)


# --- RPN and action priority ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [((1, 1, 1), 1), ((10, 10, 10), 1000), ((6, 6, 6), 216), ((9, 8, 3), 216), ((8, 6, 6), 288)],
)
def test_rpn_is_the_product(ratings: tuple[int, int, int], expected: int) -> None:
    assert rpn(*ratings) == expected


#: (S, O, D) → AP read by hand from fmea-premortem.md Table A, on both sides of every band edge.
BAND_EDGES = [
    # S 8 | 9 (O 4-5, D 2-4: M in the S 7-8 row, H in the S 9-10 row)
    ((8, 4, 3), "M"), ((9, 4, 3), "H"),
    # S 6 | 7 (O 4-5, D 7-10: M, then H)
    ((6, 5, 7), "M"), ((7, 5, 7), "H"),
    # S 3 | 4 (O 8-10, D 2-4: L, then M)
    ((3, 9, 4), "L"), ((4, 9, 4), "M"),
    # S 1 | 2 (O 8-10, D 7-10: L, then M)
    ((1, 10, 10), "L"), ((2, 10, 10), "M"),
    # O 7 | 8 (S 4-6, D 5-6: M in the O 6-7 row, H in the O 8-10 row; S 2-3: L, then M)
    ((5, 7, 5), "M"), ((5, 8, 5), "H"), ((3, 7, 7), "L"), ((3, 8, 7), "M"),
    # O 5 | 6 (S 4-6, D 5-6: L, then M)
    ((4, 5, 5), "L"), ((4, 6, 5), "M"),
    # O 3 | 4 (S 9-10, D 2-4: L, then H)
    ((9, 3, 3), "L"), ((9, 4, 3), "H"),
    # O 1 | 2 (S 9-10, D 7-10: L, then H)
    ((9, 1, 10), "L"), ((9, 2, 10), "H"),
    # D 4 | 5 (S 9-10 O 2-3: L, then M; S 4-6 O 8-10: M, then H)
    ((9, 2, 4), "L"), ((9, 2, 5), "M"), ((4, 8, 4), "M"), ((4, 8, 5), "H"),
    # D 6 | 7 (S 9-10 O 2-3: M, then H; S 4-6 O 4-5: L, then M)
    ((9, 2, 6), "M"), ((9, 2, 7), "H"), ((6, 4, 6), "L"), ((6, 4, 7), "M"),
    # D 1 | 2 (S 9-10 O 4-5: M, then H; S 7-8 O 6-7: M, then H)
    ((9, 4, 1), "M"), ((9, 4, 2), "H"), ((8, 7, 1), "M"), ((8, 7, 2), "H"),
]  # fmt: skip

#: fmea-premortem.md's spot checks, and its RPN ties (section 1: both 216, both 100).
SPOT_CHECKS = [
    ((10, 1, 10), "L"), ((9, 4, 1), "M"), ((9, 2, 5), "M"), ((8, 5, 2), "M"), ((8, 3, 7), "M"),
    ((6, 8, 3), "M"), ((6, 6, 1), "L"), ((5, 4, 7), "M"), ((3, 9, 7), "M"), ((3, 9, 4), "L"),
    ((9, 8, 3), "H"), ((6, 6, 6), "M"), ((10, 10, 1), "H"),
]  # fmt: skip


@pytest.mark.parametrize(("ratings", "expected"), BAND_EDGES + SPOT_CHECKS, ids=str)
def test_action_priority_by_hand(ratings: tuple[int, int, int], expected: str) -> None:
    assert _ap(*ratings) == expected


@pytest.mark.parametrize(
    ("first", "second"),
    [(((6, 6, 6), "M"), ((9, 8, 3), "H")), (((10, 10, 1), "H"), ((10, 1, 10), "L"))],
)
def test_equal_rpn_different_priority(
    first: tuple[tuple[int, int, int], str], second: tuple[tuple[int, int, int], str]
) -> None:
    assert rpn(*first[0]) == rpn(*second[0])
    assert (_ap(*first[0]), _ap(*second[0])) == (first[1], second[1])


def test_checksums_over_all_combinations() -> None:
    counts = Counter(_ap(s, o, d) for s in range(1, 11) for o in range(1, 11) for d in range(1, 11))
    assert counts == {"H": 318, "M": 214, "L": 468}  # fmea-premortem.md, Table A


def test_shipped_table_says_it_is_unverified() -> None:
    table = shipped_table()
    assert table.status == "transcribed — verify"
    assert table.detection_bands == ((7, 10), (5, 6), (2, 4), (1, 1))
    assert len(table.rows) == 18  # Table A's rows, one for one
    assert all(row.provenance for row in table.rows)
    assert sum("verify" in (row.provenance or "") for row in table.rows) == 8


def test_the_data_file_ships_with_the_package() -> None:
    """pyproject's package data names the table, so a wheel carries it."""
    assert "data/action-priority.yaml" in package_data()  # globbed as setuptools does


def test_the_table_loads_from_an_installed_package(tmp_path: Path) -> None:
    """Only the package's own files, zipped like a wheel and imported from the zip, with no
    source tree in sight: `importlib.resources` finds the table, `__file__` paths could not."""
    probe = (
        "import riskctl.premortem as p\n"
        "t = p.shipped_table()\n"
        "print(t.status, len(t.rows), p.action_priority(t, 9, 8, 3))\n"
    )
    result = run_from_zip(tmp_path, probe)
    assert (result.returncode, result.stdout) == (0, "transcribed — verify 18 H\n"), result.stderr


# --- the override in riskctl.yaml -------------------------------------------------------------

ALL_HIGH = """
premortem:
  action_priority:
    source: our verified copy
    detection_bands: [[1, 10]]
    rows:
      - {severity: [1, 10], occurrence: [1, 10], ap: [H]}
"""


def _with_config(register: Path, extra: str) -> Path:
    config = register / "riskctl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return register


def test_override_replaces_the_shipped_table(base_register: Path) -> None:
    register = load(read_directory(_with_config(base_register, ALL_HIGH))).register
    in_force = table_in_force(register.config)
    assert in_force.origin == CONFIG_ORIGIN
    assert action_priority(in_force.table, 1, 1, 1) == "H"
    result = premortem(register, NOW)
    assert [rated.ap for review in result.launches for rated in review.failure_modes] == ["H"]


def test_without_override_the_shipped_table_is_in_force(base_register: Path) -> None:
    register = load(read_directory(base_register)).register
    assert table_in_force(register.config) == (shipped_table(), SHIPPED_ORIGIN)


def test_the_shipped_file_is_a_valid_override(base_register: Path) -> None:
    """The same shape: the data file, indented under `premortem: action_priority:`, loads."""
    shipped = (PACKAGE / "data" / "action-priority.yaml").read_text(encoding="utf-8")
    body = "".join(f"    {line}\n" if line else "\n" for line in shipped.splitlines())
    register = _with_config(base_register, "premortem:\n  action_priority:\n" + body)
    config, _ = load_config(read_directory(register))
    assert config.premortem.action_priority == shipped_table()


BROKEN = {
    "uncovered-pairs": (
        "detection_bands: [[1, 10]]\nrows: [{severity: [2, 10], occurrence: [1, 10], ap: [L]}]",
        "no row covers S 1 O 1, S 1 O 2, S 1 O 3, S 1 O 4 and 6 more",
    ),
    "overlapping-rows": (
        "detection_bands: [[1, 10]]\n"
        "rows: [{severity: [1, 10], occurrence: [1, 10], ap: [L]},"
        " {severity: [9, 9], occurrence: [4, 4], ap: [H]}]",
        "more than one row covers S 9 O 4",
    ),
    "detection-gap": (
        "detection_bands: [[6, 10], [1, 4]]\n"
        "rows: [{severity: [1, 10], occurrence: [1, 10], ap: [L, L]}]",
        "no detection band covers D 5",
    ),
    "too-few-priorities": (
        "detection_bands: [[1, 5], [6, 10]]\n"
        "rows: [{severity: [1, 10], occurrence: [1, 10], ap: [L]}]",
        "rows[0].ap has 1 priorities for 2 detection bands",
    ),
    "backwards-band": (
        "detection_bands: [[10, 1]]\nrows: [{severity: [1, 10], occurrence: [1, 10], ap: [L]}]",
        "detection_bands[0] [10, 1] runs backwards",
    ),
    "not-a-priority": (
        "detection_bands: [[1, 10]]\nrows: [{severity: [1, 10], occurrence: [1, 10], ap: [X]}]",
        "premortem.action_priority.rows.0.ap.0: input should be 'H', 'M' or 'L'",
    ),
}


@pytest.mark.parametrize(("table", "message"), BROKEN.values(), ids=list(BROKEN))
def test_broken_override_is_an_operational_error_naming_it(
    base_register: Path, table: str, message: str
) -> None:
    body = "".join(f"    {line}\n" for line in table.splitlines())
    register = _with_config(base_register, "premortem:\n  action_priority:\n" + body)
    with pytest.raises(RiskctlError) as raised:
        load_config(read_directory(register))
    assert "invalid configuration" in str(raised.value)
    assert message in str(raised.value)
    assert "riskctl.yaml:" in str(raised.value)


def test_table_model_rejects_uncovered_combinations_directly() -> None:
    with pytest.raises(ValidationError, match="no row covers S 10 O 10"):
        ActionPriorityTable.model_validate(
            {
                "detection_bands": [[1, 10]],
                "rows": [
                    {"severity": [1, 9], "occurrence": [1, 10], "ap": ["L"]},
                    {"severity": [10, 10], "occurrence": [1, 9], "ap": ["L"]},
                ],
            }
        )


# --- ranking and monitoring -------------------------------------------------------------------


def _mode(mode_id: str, s: int, o: int, d: int, **extra: Any) -> FailureMode:
    return FailureMode(id=mode_id, description="x", severity=s, occurrence=o, detection=d, **extra)


def _launch(*modes: FailureMode, **extra: Any) -> Launch:
    return Launch(
        id="LAUNCH-001",
        title="t",
        owner="o",
        launch_date=datetime.date(2027, 1, 15),
        failure_modes=list(modes),
        **extra,
    )


def test_rank_by_priority_before_rpn() -> None:
    review = review_launch(
        _launch(
            _mode("FM-A", 6, 6, 6),  # 216 M
            _mode("FM-B", 10, 1, 10),  # 100 L
            _mode("FM-C", 9, 8, 3),  # 216 H
            _mode("FM-D", 9, 4, 2),  # 72 H
            _mode("FM-E", 8, 6, 6),  # 288 H
            _mode("FM-F", 4, 9, 6),  # 216 H: ties FM-C on AP and RPN, lower S
        ),
        shipped_table(),
        NOW,
    )
    ranked = [(rated.mode.id, rated.ap, rated.rpn) for rated in review.failure_modes]
    assert ranked == [
        ("FM-E", "H", 288),
        ("FM-C", "H", 216),
        ("FM-F", "H", 216),
        ("FM-D", "H", 72),
        ("FM-A", "M", 216),
        ("FM-B", "L", 100),
    ]
    assert [rated.index for rated in review.failure_modes] == [4, 2, 5, 3, 0, 1]


def test_rank_key_ties_fall_back_to_occurrence_then_id() -> None:
    table = shipped_table()
    a, b, c = (
        rate(_mode("FM-2", 7, 6, 5), 0, table),
        rate(_mode("FM-1", 7, 6, 5), 1, table),
        rate(_mode("FM-0", 7, 5, 6), 2, table),
    )
    assert (a.ap, b.ap, c.ap, a.rpn, c.rpn) == ("H", "H", "M", 210, 210)
    assert sorted([c, a, b], key=rank_key) == [b, a, c]


@pytest.mark.parametrize(
    ("until", "reviewed", "lapsed"),
    [
        ("2026-11-26", None, True),
        ("2026-11-26", "2026-11-25", True),
        ("2026-11-26", "2026-11-26", False),
        ("2026-11-26", "2026-11-27", False),
        ("2026-11-27", None, False),  # ends today: not yet lapsed
        ("2027-01-04", "2026-11-16", False),
    ],
)
def test_is_lapsed(until: str, reviewed: str | None, lapsed: bool) -> None:
    entry = Monitoring(
        kri="KRI-001",
        until=datetime.date.fromisoformat(until),
        reviewed=datetime.date.fromisoformat(reviewed) if reviewed else None,
    )
    assert is_lapsed(entry, NOW) is lapsed


def test_unknown_launch_names_the_known_ones() -> None:
    register = load(read_directory(SHIPPED_REGISTER)).register
    with pytest.raises(RiskctlError, match=r"no launch 'LAUNCH-009' .* LAUNCH-001, LAUNCH-002$"):
        premortem(register, NOW, "LAUNCH-009")


def test_a_launch_that_does_not_load_is_named(base_register: Path) -> None:
    (base_register / "launches" / "LAUNCH-002.yaml").write_text("id: LAUNCH-002\n")
    register = load(read_directory(base_register)).register
    with pytest.raises(RiskctlError, match=r"^LAUNCH-002 does not load; `riskctl lint` shows why$"):
        premortem(register, NOW, "LAUNCH-002")
    assert [review.launch.id for review in premortem(register, NOW).launches] == ["LAUNCH-001"]


def test_shipped_register_priorities() -> None:
    register = load(read_directory(SHIPPED_REGISTER)).register
    result = premortem(register, NOW)
    assert [
        [(rated.mode.id, rated.ap, rated.rpn) for rated in review.failure_modes]
        for review in result.launches
    ] == [
        [
            ("FM-01", "H", 288), ("FM-02", "H", 250), ("FM-04", "H", 108), ("FM-03", "M", 140),
            ("FM-05", "L", 100), ("FM-07", "L", 54), ("FM-06", "L", 36),
        ],
        [
            ("FM-01", "H", 210), ("FM-02", "M", 210), ("FM-04", "M", 180), ("FM-03", "L", 150),
            ("FM-05", "L", 64),
        ],
    ]  # fmt: skip


# --- drafts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "expected"),
    [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (8, 4), (9, 5), (10, 5)],
)
def test_draft_rating_halves_and_rounds_up(rating: int, expected: int) -> None:
    assert draft_rating(severity=rating, occurrence=rating) == (expected, expected)


def test_draft_rating_is_likelihood_from_o_and_impact_from_s() -> None:
    assert draft_rating(severity=9, occurrence=2) == (1, 5)


def test_next_risk_numbers_follow_the_highest_id_valid_or_not(base_register: Path) -> None:
    (base_register / "risks" / "R-041.yaml").write_text("id: R-041\ntitle: [broken\n")
    (base_register / "risks" / "R-007.yaml").write_text("id: R-007\n")  # invalid: no title
    register = load(read_directory(base_register)).register
    assert next_risk_numbers(register, 2) == ["R-042", "R-043"]


def test_next_risk_numbers_past_999(base_register: Path) -> None:
    (base_register / "risks" / "R-999.yaml").write_text("id: R-999\n")
    register = load(read_directory(base_register)).register
    assert next_risk_numbers(register, 1) == ["R-1000"]


SEEDABLE = """id: LAUNCH-001
title: Gift coins in Brazil
owner: payments-risk
launch_date: 2027-01-15
risks: [R-001]
failure_modes:
  - id: FM1
    description: Card testing from new BIN ranges
    severity: 7
    occurrence: 5
    detection: 4
    risk: R-001
    actions: [Add BR BIN ranges to velocity rules]
  - id: FM2
    description: >-
      Pix refunds (MED) reverse coin purchases after the creator is paid. It happens on day one.
    severity: 9
    occurrence: 5
    detection: 6
    prevention_controls: [C-001]
    actions: [Hold Pix-funded gifts]
  - id: FM3
    description: "A typo: the price page shows #1 coins"
    severity: 2
    occurrence: 3
    detection: 2
monitoring:
  - {kri: KRI-001, until: 2027-03-31}
"""


@pytest.fixture
def seedable(base_register: Path) -> Path:
    (base_register / "launches" / "LAUNCH-001.yaml").write_text(SEEDABLE, encoding="utf-8")
    return base_register


def test_plan_drafts_for_modes_without_a_risk(seedable: Path) -> None:
    register = load(read_directory(seedable)).register
    line = "# yaml-language-server: $schema=../../schemas/risk.schema.json"
    plan = plan_drafts(register, "LAUNCH-001", NOW, schema_line=line)
    assert [(d.risk_id, d.file, d.mode_id, d.mode_index) for d in plan.drafts] == [
        ("R-002", "risks/R-002.yaml", "FM2", 1),
        ("R-003", "risks/R-003.yaml", "FM3", 2),
    ]
    first = parse("risks/R-002.yaml", plan.drafts[0].text.encode())
    risk, hits = validate("risks/R-002.yaml", first.data, Risk)
    assert (first.hits, hits) == ((), [])
    assert risk.model_dump(exclude_defaults=True) == {
        "id": "R-002",
        "title": "Pix refunds (MED) reverse coin purchases after the creator is paid",
        "description": (
            "Pix refunds (MED) reverse coin purchases after the creator is paid. It happens on "
            "day one. (From the pre-mortem of LAUNCH-001, failure mode FM2: S 9, O 5, D 6: "
            "RPN 270, action priority H.)"
        ),
        "category": "payments-fraud",  # R-001's, the only risk the launch links
        "owner": "payments-risk",  # the launch's
        "inherent": {"likelihood": 3, "impact": 5},  # ceil(5/2), ceil(9/2)
        "tags": ["draft", "seeded-from:LAUNCH-001/FM2"],
    }
    text = plan.drafts[0].text
    assert text.startswith(
        "# yaml-language-server: $schema=../../schemas/risk.schema.json\n# DRAFT"
    )
    assert "likelihood = ceil(O / 2) = ceil(5 / 2) = 3" in text
    assert "(the failure mode lists prevention\n#     C-001)" in text
    third = validate("x", parse("x", plan.drafts[1].text.encode()).data, Risk)[0]
    assert third.title == "A typo: the price page shows #1 coins"


@pytest.mark.parametrize(
    "title",
    [
        "Gift coins\x1b[2J in Brazil",  # a control character: YAML refuses it even in a comment
        "Gift coins\x85id: R-999",  # NEL ends a YAML comment: the rest would be a key
        "Gift coins\u2028owner: nobody\u2029x",  # so do the line and paragraph separators
        "Gift \u202ecoins\ufeff in Brazil",  # bidi override and a byte order mark
    ],
    ids=["escape", "nel", "line-separator", "bidi-bom"],
)
def test_a_hostile_launch_title_stays_inside_the_drafts_comment(seedable: Path, title: str) -> None:
    """The launch's title is quoted in the draft's header comment: it must not make the draft
    unreadable (RK001) nor add a key to it."""
    launch = seedable / "launches" / "LAUNCH-001.yaml"
    launch.write_text(SEEDABLE.replace("Gift coins in Brazil", json.dumps(title)), encoding="utf-8")
    loaded = load(read_directory(seedable))
    assert find_launch(loaded.register, "LAUNCH-001").title == title
    plan = plan_drafts(loaded.register, "LAUNCH-001", NOW)
    for draft in plan.drafts:
        parsed = parse(draft.file, draft.text.encode())
        risk, hits = validate(draft.file, parsed.data, Risk)
        assert (parsed.hits, hits) == ((), []), draft.text
        assert risk.id == draft.risk_id
        assert risk.owner == "payments-risk"
        assert is_visible(draft.text, keep_newlines=True), draft.text


def test_plan_drafts_owner_and_category_given(seedable: Path) -> None:
    register = load(read_directory(seedable)).register
    plan = plan_drafts(
        register, "LAUNCH-001", NOW, owner="head-of-risk", category="account-security"
    )
    risk = validate("x", parse("x", plan.drafts[0].text.encode()).data, Risk)[0]
    assert (risk.owner, risk.category) == ("head-of-risk", "account-security")


@pytest.mark.parametrize(
    ("change", "arguments", "message"),
    [
        (
            None,
            {"category": "nope"},
            "no category 'nope' in riskctl.yaml; categories: payments-fraud",
        ),
        (None, {"owner": "nobody"}, "no owner 'nobody'; owners: head-of-risk, payments-risk"),
        (("risks: [R-001]\n", ""), {}, None),  # FM1 still links R-001: its category
        (
            ("owner: payments-risk\n", "owner: gone\n"),
            {},
            "LAUNCH-001's owner 'gone' is not in the register; give --owner",
        ),
        (
            ("    risk: R-001\n", ""),
            {"category": None},
            None,
        ),
    ],
)
def test_plan_drafts_refusals(
    seedable: Path,
    change: tuple[str, str] | None,
    arguments: dict[str, str | None],
    message: str | None,
) -> None:
    if change:
        path = seedable / "launches" / "LAUNCH-001.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(*change, 1), encoding="utf-8")
    register = load(read_directory(seedable)).register
    if message is None:
        assert plan_drafts(register, "LAUNCH-001", NOW, **arguments).drafts
        return
    with pytest.raises(RiskctlError) as raised:
        plan_drafts(register, "LAUNCH-001", NOW, **arguments)
    assert str(raised.value).startswith(message)


def test_category_needed_when_no_risk_is_linked(seedable: Path) -> None:
    path = seedable / "launches" / "LAUNCH-001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("risks: [R-001]\n", "").replace("    risk: R-001\n", ""))
    register = load(read_directory(seedable)).register
    with pytest.raises(
        RiskctlError, match="LAUNCH-001 links no risk to take a category from; give --category"
    ):
        plan_drafts(register, "LAUNCH-001", NOW)


def test_category_ambiguous_across_linked_risks() -> None:
    register = load(read_directory(SHIPPED_REGISTER)).register
    with pytest.raises(RiskctlError) as raised:
        plan_drafts(register, "LAUNCH-002", NOW)
    assert str(raised.value) == (
        "the risks LAUNCH-002 links are in more than one category (child-safety: R-013; "
        "creator-monetisation: R-009; financial-crime: R-006; payments-fraud: R-028); choose "
        "one with --category"
    )


def test_a_mode_with_a_seeded_draft_is_skipped(seedable: Path) -> None:
    register = load(read_directory(seedable)).register
    draft = plan_drafts(register, "LAUNCH-001", NOW).drafts[0]
    (seedable / draft.file).write_text(draft.text, encoding="utf-8")
    again = plan_drafts(load(read_directory(seedable)).register, "LAUNCH-001", NOW)
    assert [d.mode_id for d in again.drafts] == ["FM3"]
    assert [d.risk_id for d in again.drafts] == ["R-003"]
    assert again.skipped == (
        "LAUNCH-001 FM2: R-002 is its draft already; link it with `risk: R-002`",
    )


texts = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]),
    min_size=1,
    max_size=200,
)


@given(value=texts)
def test_scalar_reads_back_unchanged(value: str) -> None:
    parsed = parse("x", f"key: {_scalar(value)}\n".encode())
    assert (parsed.hits, parsed.data) == ((), {"key": value})


@given(value=texts)
def test_folded_reads_back_unchanged(value: str) -> None:
    parsed = parse("x", ("\n".join(_folded("key", value)) + "\n").encode())
    assert (parsed.hits, parsed.data) == ((), {"key": value})


# --- link-back with ruamel.yaml ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["LAUNCH-001.yaml", "LAUNCH-002.yaml"])
def test_add_keys_keeps_every_other_byte_of_the_shipped_launches(name: str) -> None:
    text = (SHIPPED_REGISTER / "launches" / name).read_text(encoding="utf-8")
    modes = len(
        load(read_directory(SHIPPED_REGISTER)).register.by_id(Launch)[name[:-5]].failure_modes
    )
    additions: dict[tuple[str | int, ...], tuple[str, str]] = {
        ("failure_modes", index): ("link", f"R-{900 + index}") for index in range(modes)
    }
    edited = add_keys(name, text, additions)
    old_lines, new_lines = text.splitlines(keepends=True), edited.splitlines(keepends=True)
    inserted = [line for line in new_lines if line.lstrip().startswith("link: R-9")]
    assert len(inserted) == modes
    assert [line for line in new_lines if line not in inserted] == old_lines
    for index in range(modes):  # each at the end of its own failure mode
        data = parse(name, edited.encode()).data
        assert list(data["failure_modes"][index])[-1] == "link"
        assert data["failure_modes"][index]["link"] == f"R-{900 + index}"


def test_add_keys_keeps_comments_and_quoting() -> None:
    text = (
        "# top comment\n"
        "failure_modes:\n"
        "- id: 'FM1'   # quoted on purpose\n"
        "  severity: 3\n"
        "  # a comment at the end of the mode\n"
        "- id: FM2\n"
        "  description: |\n"
        "    literal\n"
        "      block\n"
        "# the end\n"
    )
    edited = add_keys(
        "x",
        text,
        {("failure_modes", 0): ("risk", "R-001"), ("failure_modes", 1): ("risk", "R-002")},
    )
    assert edited == (
        "# top comment\n"
        "failure_modes:\n"
        "- id: 'FM1'   # quoted on purpose\n"
        "  severity: 3\n"
        "  # a comment at the end of the mode\n"
        "  risk: R-001\n"
        "- id: FM2\n"
        "  description: |\n"
        "    literal\n"
        "      block\n"
        "# the end\n"  # a comment after a mode's last value stays before the added key
        "  risk: R-002\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "failure_modes:\n- {id: FM1, severity: 3}\n",
            "without rewriting other lines; add them by hand",
        ),
        ("failure_modes:\n- id: FM1\n  risk: null\n", "cannot add 'risk' at failure_modes.0"),
        ("failure_modes: [\n", "cannot edit"),
    ],
)
def test_add_keys_refuses_rather_than_reformat(text: str, message: str) -> None:
    with pytest.raises(RiskctlError, match=message):
        add_keys("x", text, {("failure_modes", 0): ("risk", "R-001")})
