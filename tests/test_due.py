"""`riskctl due` (riskctl/due.py) on hand-built registers: each kind's edge, escalation, the owner
filter, as-of, and agreement with the lint rule that dates each kind."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskctl.due import KINDS, RULE_OF_KIND, DueReport, Kind, due
from riskctl.errors import RiskctlError
from riskctl.findings import DataPath
from riskctl.lint.rules import RuleContext, all_rules
from riskctl.model.acceptance import Acceptance
from riskctl.model.common import Entity
from riskctl.model.config import Config
from riskctl.model.control import Control
from riskctl.model.incident import Incident
from riskctl.model.kri import Kri
from riskctl.model.launch import Launch
from riskctl.model.owner import Owner
from riskctl.model.register import Record, Register
from riskctl.model.risk import Risk
from riskctl.output.due import render_json, render_markdown, render_text

DAY = datetime.date(2026, 11, 27)
MODELS: dict[str, type[Entity]] = {
    "risk": Risk, "control": Control, "owner": Owner, "incident": Incident, "kri": Kri,
    "launch": Launch, "acceptance": Acceptance,
}  # fmt: skip
FOLDERS = {
    "risk": "risks", "control": "controls", "owner": "owners", "incident": "incidents",
    "kri": "kris", "launch": "launches", "acceptance": "acceptances",
}  # fmt: skip


def days(number: int) -> datetime.date:
    return DAY + datetime.timedelta(days=number)


def config(**extra: Any) -> Config:
    categories = [{"id": "fraud", "name": "Fraud", "appetite": "medium"}]
    return Config.model_validate({"version": 1, "categories": categories, **extra})


OWNERS = [
    ("owner", {"id": "alice", "name": "Alice", "escalation": "bob"}),
    ("owner", {"id": "bob", "name": "Bob", "escalation": "carol"}),
    ("owner", {"id": "carol", "name": "Carol"}),
]
RISK = {
    "id": "R-001", "title": "Card fraud", "category": "fraud", "owner": "alice",
    "inherent": {"likelihood": 2, "impact": 2},  # low, no controls: a review every 365 days
}  # fmt: skip


def build(*entities: tuple[str, dict[str, Any]], settings: Config | None = None) -> Register:
    register = Register(config=settings or config())
    for kind, data in [*OWNERS, *entities]:
        entity = MODELS[kind].model_validate(data)
        register.add(Record(kind, f"{FOLDERS[kind]}/{data['id']}.yaml", entity))
    return register


#: One entity per kind whose due date is DAY (and the risk the acceptance needs).
DUE_ON_DAY: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "review": [("risk", {**RISK, "reviewed": days(-365)})],
    "acceptance": [
        ("risk", {**RISK, "reviewed": DAY}),
        ("acceptance", {
            "id": "ACC-001", "risk": "R-001", "approver": "bob", "decided": days(-100),
            "expires": DAY, "rationale": "r",
        }),
    ],
    "action": [("incident", {
        "id": "INC-2026-001", "kind": "incident", "title": "Chargebacks spiked", "severity": 3,
        "occurred": days(-30), "owner": "bob",
        "actions": [
            {"id": "A1", "description": "done already", "due": days(-5), "status": "done"},
            {"id": "A2", "description": "Rebuild rules", "owner": "alice", "due": DAY},
        ],
    })],
    "premortem": [("launch", {
        "id": "LAUNCH-001", "title": "Brazil", "owner": "alice", "launch_date": DAY,
        "failure_modes": [
            {"id": "FM-01", "description": "d", "severity": 9, "occurrence": 8, "detection": 3},
            {"id": "FM-02", "description": "d", "severity": 9, "occurrence": 8, "detection": 3,
             "justification": "j"},
        ],
    })],
    "observation": [("kri", {
        "id": "KRI-001", "title": "Chargeback rate", "owner": "alice",
        "direction": "higher-is-worse", "thresholds": {"amber": 1, "red": 2},
        "observations": [{"date": days(-21), "value": 1}, {"date": days(-14), "value": 1}],
    })],
    "control-test": [("control", {
        "id": "C-001", "title": "Velocity limits", "owner": "alice", "nature": "preventive",
        "key": True,
        "tests": [{"date": days(-365), "type": "operating", "sample_size": 25, "result": "pass"}],
    })],
    "monitoring": [("launch", {
        "id": "LAUNCH-001", "title": "Brazil", "owner": "alice", "launch_date": days(-90),
        "status": "launched",
        "monitoring": [
            {"kri": "KRI-001", "until": DAY},
            {"kri": "KRI-002", "until": days(-10), "reviewed": days(-10)},
        ],
    })],
}  # fmt: skip


def lint_places(register: Register, code: str, today: datetime.date) -> set[tuple[str, DataPath]]:
    """Where one lint rule fires on the register: (file, path) of each hit."""
    rules = all_rules()
    context = RuleContext(register=register, raw={}, load_hits=(), today=today, rules=rules)
    return {(hit.where.file, hit.where.path) for hit in rules[code].check(context)}


def overdue_places(report: DueReport, kind: str) -> set[tuple[str, DataPath]]:
    return {
        (item.file, item.path)
        for item in report.items
        if item.kind == kind and item.status == "overdue"
    }


def test_every_kind_has_a_case() -> None:
    assert set(DUE_ON_DAY) == set(KINDS) == set(RULE_OF_KIND)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("offset", "status", "left"),
    [(-1, "upcoming", 1), (0, "due-today", 0), (1, "overdue", -1)],
    ids=["the-day-before", "on-the-day", "the-day-after"],
)
def test_due_today_is_not_overdue_the_day_after_is(
    kind: str, offset: int, status: str, left: int
) -> None:
    register = build(*DUE_ON_DAY[kind])
    report = due(register, days(offset), within=14)
    (item,) = [item for item in report.items if item.kind == kind]
    assert (item.due, item.status, item.days) == (DAY, status, left)
    # lint fires on the same place exactly when the item is overdue; RK701 whatever the date
    # (an H mode with no decision is an error at once; `due` dates it at the launch)
    expected = {(item.file, item.path)} if kind == "premortem" else overdue_places(report, kind)
    assert lint_places(register, RULE_OF_KIND[item.kind], days(offset)) == expected


def test_items_say_what_and_whose() -> None:
    register = build(*DUE_ON_DAY["action"], *DUE_ON_DAY["premortem"], *DUE_ON_DAY["acceptance"])
    report = due(register, DAY)
    found = {(item.kind, item.entity, item.subject, item.owner): item for item in report.items}
    action = found["action", "INC-2026-001", "A2", "alice"]  # the action's own owner first
    assert (action.file, action.path) == ("incidents/INC-2026-001.yaml", ("actions", 1, "due"))
    assert action.title == "Rebuild rules"
    assert action.what == "incident action A2 (open)"
    premortem = found["premortem", "LAUNCH-001", "FM-01", "alice"]  # FM-02 is justified
    assert premortem.what == (
        "pre-mortem: FM-01 has action priority H (S 9, O 8, D 3); add actions or a "
        "justification before the launch (planned)"
    )
    acceptance = found["acceptance", "ACC-001", "", "alice"]  # the risk's owner renews it
    assert acceptance.what == (
        "acceptance of R-001 expires: renew or close it (approver bob; in its 30-day notice period)"
    )
    assert len(report.items) == 3


def test_never_done_is_overdue_without_a_date_and_lint_agrees() -> None:
    never = build(
        ("risk", RISK),
        ("kri", {**DUE_ON_DAY["observation"][0][1], "observations": []}),
        ("control", {**DUE_ON_DAY["control-test"][0][1], "tests": []}),
    )
    report = due(never, DAY, within=0)
    assert sorted((item.kind, item.due, item.days, item.status) for item in report.items) == [
        ("control-test", None, None, "overdue"),
        ("observation", None, None, "overdue"),
        ("review", None, None, "overdue"),
    ]
    for kind in ("review", "observation", "control-test"):
        assert lint_places(never, RULE_OF_KIND[kind], DAY) == overdue_places(report, kind)


def test_within_limits_upcoming_items_only() -> None:
    register = build(*DUE_ON_DAY["review"], *DUE_ON_DAY["observation"])
    assert [item.kind for item in due(register, days(-14), within=14).items] == [
        "review",
        "observation",
    ]
    assert [item.kind for item in due(register, days(-15), within=14).items] == ["observation"]
    assert due(register, days(-1), within=0).items == ()
    assert [item.status for item in due(register, DAY, within=0).items] == [
        "due-today",
        "due-today",
    ]


def test_escalation_after_the_threshold_names_the_owners_escalation() -> None:
    register = build(*DUE_ON_DAY["review"])
    (on_threshold,) = due(register, days(14)).items  # 14 days overdue: not more than 14
    (past_threshold,) = due(register, days(15)).items
    assert (on_threshold.days, on_threshold.escalate_to) == (-14, None)
    assert (past_threshold.days, past_threshold.escalate_to) == (-15, "bob")
    at_once = build(*DUE_ON_DAY["review"], settings=config(due={"escalate_after_days": 0}))
    assert due(at_once, DAY).items[0].escalate_to is None  # due today is not overdue
    assert due(at_once, days(1)).items[0].escalate_to == "bob"
    (group,) = due(register, days(15)).groups
    assert (group.owner, group.name, group.escalation, group.escalation_name) == (
        "alice",
        "Alice",
        "bob",
        "Bob",
    )


def test_the_top_of_the_chain_and_unknown_owners_escalate_to_no_one() -> None:
    register = build(
        ("risk", {**RISK, "id": "R-002", "owner": "carol"}),
        ("risk", {**RISK, "id": "R-003", "owner": "nobody"}),
    )
    report = due(register, DAY)
    assert [(group.owner, group.name) for group in report.groups] == [
        ("carol", "Carol"),
        ("nobody", None),
    ]
    assert [item.escalate_to for item in report.items] == [None, None]


def test_owner_filter_keeps_their_items_and_those_escalated_to_them() -> None:
    register = build(
        ("risk", {**RISK, "reviewed": days(-400)}),  # alice's, overdue 35 days: to bob
        ("risk", {**RISK, "id": "R-002", "reviewed": days(-370)}),  # alice's, 5 days: stays
        ("risk", {**RISK, "id": "R-003", "owner": "bob", "reviewed": days(-360)}),
    )
    bob = due(register, DAY, owner="bob")
    assert [(item.entity, item.owner, item.escalate_to) for item in bob.items] == [
        ("R-001", "alice", "bob"),
        ("R-003", "bob", None),
    ]
    assert bob.owner == "bob"
    alice = due(register, DAY, owner="alice")
    assert [item.entity for item in alice.items] == ["R-001", "R-002"]
    assert due(register, DAY, owner="carol").items == ()  # escalation goes one level up
    assert "escalated from alice to bob" in render_text(bob)


def test_an_unknown_owner_is_an_error_with_the_nearest_ids() -> None:
    with pytest.raises(RiskctlError, match=r"no owner 'alcie' in the register; did you mean alice"):
        due(build(), DAY, owner="alcie")


def test_an_owner_named_by_items_but_missing_from_the_register_can_be_asked_for() -> None:
    """A risk names `nobody`, whose owner file is missing (RK103): the digest lists the item
    under `nobody`, so `--owner nobody` shows it rather than refusing."""
    register = build(("risk", {**RISK, "id": "R-003", "owner": "nobody"}))
    assert [item.entity for item in due(register, DAY, owner="nobody").items] == ["R-003"]


def test_records_dated_after_today_do_not_count() -> None:
    control = DUE_ON_DAY["control-test"][0][1]
    later_test = {"date": days(5), "type": "operating", "sample_size": 25, "result": "pass"}
    incident = DUE_ON_DAY["action"][0][1]
    actions = [{**incident["actions"][1], "status": "done", "completed": days(3)}]
    register = build(
        ("control", {**control, "tests": [*control["tests"], later_test]}),
        ("incident", {**incident, "actions": actions}),
    )
    report = due(register, days(1))
    assert sorted((item.kind, item.status) for item in report.items) == [
        ("action", "overdue"),  # done only on DAY + 3
        ("control-test", "overdue"),  # the test of DAY + 5 had not happened yet
    ]
    assert [(each.entity, each.what) for each in report.left_out] == [
        ("C-001", "operating test"),
        ("INC-2026-001", "action A2 completion"),
    ]
    assert "not counted: 2 records dated after 2026-11-28" in render_text(report)
    assert due(register, days(5)).items == ()  # by then both had happened


def test_a_rule_turned_off_or_waived_takes_its_items_off_the_calendar() -> None:
    off = config(lint={"rules": {"review-overdue": "off"}})
    assert due(build(*DUE_ON_DAY["review"], settings=off), days(1)).items == ()
    waived = {**DUE_ON_DAY["review"][0][1], "waivers": [{"rule": "RK208", "reason": "merger"}]}
    assert due(build(("risk", waived)), days(1)).items == ()
    expired = {**waived, "waivers": [{"rule": "RK208", "reason": "m", "expires": DAY}]}
    assert [item.status for item in due(build(("risk", expired)), days(1)).items] == ["overdue"]


def test_closed_risks_cancelled_launches_and_finished_actions_are_not_due() -> None:
    incident = DUE_ON_DAY["action"][0][1]
    register = build(
        ("risk", {**RISK, "status": "closed"}),
        ("launch", {**DUE_ON_DAY["premortem"][0][1], "status": "cancelled"}),
        ("incident", {**incident, "actions": [{**incident["actions"][1], "status": "cancelled"}]}),
        ("control", {**DUE_ON_DAY["control-test"][0][1], "status": "planned"}),
    )
    assert due(register, days(30)).items == ()


def test_json_document_shape() -> None:
    register = build(*DUE_ON_DAY["review"], *DUE_ON_DAY["action"])
    document = json.loads(render_json(due(register, days(20), within=3), "register"))
    assert document["version"] == 1
    assert (document["now"], document["within"], document["owner"]) == ("2026-12-17", 3, None)
    assert document["totals"] == {"overdue": 2, "due_today": 0, "upcoming": 0}
    (group,) = document["owners"]
    assert (group["owner"], group["escalation"], group["escalation_name"]) == (
        "alice",
        "bob",
        "Bob",
    )
    assert group["items"][0] == {
        "kind": "review", "id": "R-001", "subject": None, "file": "register/risks/R-001.yaml",
        "title": "Card fraud",
        "what": "risk review (every 365 days at residual low; last 2025-11-27)",
        "due": "2026-11-27", "days": -20, "status": "overdue", "owner": "alice",
        "escalate_to": "bob",
    }  # fmt: skip
    assert document["not_counted"] == []


HOSTILE = (
    "@everyone see #12 and GH-7: [click](https://evil.example) <img src=x onerror=alert(1)> "
    "`code` | cell\n# heading\n- [x] done\x1b[31m"
)


def test_markdown_lets_no_register_text_become_markup_or_a_ping() -> None:
    risk = {**RISK, "title": HOSTILE, "reviewed": days(-400)}
    owners = [("owner", {"id": "mallory", "name": "@org/admins <b>x</b>"})]
    register = build(("risk", {**risk, "owner": "mallory"}), *owners)
    markdown = render_markdown(due(register, DAY))
    assert "@everyone" not in markdown and "@org" not in markdown
    assert "\\@&#8203;everyone" in markdown
    assert "#&#8203;12" in markdown and "GH-&#8203;7" in markdown
    assert "<img" not in markdown and "<b>" not in markdown
    assert re.search(r"(?<!\\)\]\(", markdown) is None and "https://" not in markdown
    assert "\\[click\\]" in markdown and "\\`code\\`" in markdown and "\\|" in markdown
    assert "\x1b" not in markdown and "\\x1b" in markdown
    lines = markdown.splitlines()
    assert not any(line.startswith(("# heading", "- [x]")) for line in lines)
    assert sum(line.startswith("- [ ] ") for line in lines) == 1  # one item, one checkbox


def test_text_shows_control_characters_escaped() -> None:
    risk = {**RISK, "title": "Fraud\x1b[2J\u202ecleared", "reviewed": days(-400)}
    text = render_text(due(build(("risk", risk)), DAY))
    assert "\x1b" not in text and "\u202e" not in text
    assert "Fraud\\x1b[2J\\u202ecleared" in text
    assert "nothing due" in render_text(due(build(), DAY))


@given(
    kind=st.sampled_from([kind for kind in KINDS if kind != "premortem"]),
    offset=st.integers(min_value=-800, max_value=800),
    grace=st.integers(min_value=0, max_value=40),
    window=st.integers(min_value=1, max_value=800),
    notice=st.integers(min_value=0, max_value=60),
)
def test_due_and_lint_agree_at_any_date_under_any_options(
    kind: Kind, offset: int, grace: int, window: int, notice: int
) -> None:
    """Rule options are read as lint reads them, and an item is overdue exactly when its rule
    fires, whatever the day."""
    rules = {
        "RK502": {"grace_days": grace},
        "key-control-untested": {"window_days": {"monthly": window}},
        "RK403": {"notice_days": notice},
    }
    entities = [
        (entity_kind, {**data, "frequency": "monthly"} if entity_kind == "control" else data)
        for entity_kind, data in DUE_ON_DAY[kind]
    ]
    register = build(*entities, settings=config(lint={"rules": rules}))
    today = days(offset)
    report = due(register, today, within=3650)
    assert lint_places(register, RULE_OF_KIND[kind], today) == overdue_places(report, kind)
    for item in report.items:  # before its first record, a KRI or control has none: overdue
        days_left = -1 if item.days is None else item.days
        assert item.status == ("overdue" if days_left < 0 else "due-today" if days_left == 0
                               else "upcoming")  # fmt: skip
    if kind == "acceptance":
        in_notice = [item for item in report.items if "notice" in item.what]
        assert bool(in_notice) == (0 <= -offset <= notice)


def test_items_nobody_owns_come_last_under_no_owner() -> None:
    incident = DUE_ON_DAY["action"][0][1]
    unowned = {**incident, "owner": None, "actions": [{**incident["actions"][1], "owner": None}]}
    register = build(("incident", unowned), *DUE_ON_DAY["review"])
    report = due(register, days(20))
    assert [(group.owner, [item.kind for item in group.items]) for group in report.groups] == [
        ("alice", ["review"]),
        (None, ["action"]),
    ]
    assert report.items[1].escalate_to is None  # nobody to escalate from
    assert "\n(no owner): 1 overdue\n" in render_text(report)
    assert "\n### (no owner): 1 overdue\n" in render_markdown(report)


def test_an_unusable_scoring_method_is_an_error_not_a_silent_gap() -> None:
    broken = config(scoring={"method": "custom"})  # no levels, no grid: lint's RK805
    with pytest.raises(RiskctlError, match="the custom scoring method cannot be used"):
        due(build(*DUE_ON_DAY["review"], settings=broken), DAY)


def test_an_observation_is_placed_where_the_file_has_it_when_later_ones_come_first() -> None:
    kri = DUE_ON_DAY["observation"][0][1]
    later_first = [{"date": days(30), "value": 1}, *kri["observations"]]
    register = build(("kri", {**kri, "observations": later_first}))
    (item,) = due(register, days(1)).items
    assert (item.status, item.path) == ("overdue", ("observations", 2, "date"))
    assert lint_places(register, "RK502", days(1)) == {(item.file, item.path)}
