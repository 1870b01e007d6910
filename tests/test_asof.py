"""`as_of`: the register as it stood on a day (riskctl/asof.py), built by hand."""

from __future__ import annotations

import datetime
from typing import Any

from riskctl.asof import as_of
from riskctl.model.acceptance import Acceptance
from riskctl.model.common import Entity
from riskctl.model.config import Config
from riskctl.model.control import Control
from riskctl.model.incident import Incident
from riskctl.model.kri import Kri
from riskctl.model.launch import Launch
from riskctl.model.register import Record, Register
from riskctl.model.risk import Risk

DAY = datetime.date(2026, 11, 20)
CONFIG = Config.model_validate(
    {"version": 1, "categories": [{"id": "fraud", "name": "Fraud", "appetite": "medium"}]}
)


def register(*entities: tuple[str, str, dict[str, Any]]) -> Register:
    models: dict[str, type[Entity]] = {"control": Control, "incident": Incident, "kri": Kri}
    models |= {"acceptance": Acceptance, "launch": Launch, "risk": Risk}
    result = Register(config=CONFIG)
    for kind, file, data in entities:
        result.add(Record(kind, file, models[kind].model_validate(data)))
    return result


def test_records_dated_after_the_day_are_left_out_and_listed_with_their_positions() -> None:
    control = {
        "id": "C-001", "title": "t", "owner": "o", "nature": "preventive",
        "tests": [
            {"date": datetime.date(2026, 11, 1), "type": "operating", "result": "pass"},
            {"date": datetime.date(2026, 11, 24), "type": "operating", "result": "fail"},
        ],
    }  # fmt: skip
    later_incident = {
        "id": "INC-2026-002", "kind": "incident", "title": "t", "severity": 3,
        "occurred": datetime.date(2026, 11, 21),
    }  # fmt: skip
    resolved_later = {
        "id": "INC-2026-001", "kind": "near-miss", "title": "t", "severity": 2,
        "status": "closed", "occurred": datetime.date(2026, 11, 2),
        "resolved": datetime.date(2026, 11, 25),
        "actions": [
            {"id": "A1", "description": "d", "status": "done",
             "completed": datetime.date(2026, 11, 22)},
            {"id": "A2", "description": "d", "status": "done",
             "completed": datetime.date(2026, 11, 20)},
        ],
    }  # fmt: skip
    kri = {
        "id": "KRI-001", "title": "t", "owner": "o", "direction": "higher-is-worse",
        "thresholds": {"amber": 1, "red": 2},
        "observations": [
            {"date": datetime.date(2026, 11, 20), "value": 1},
            {"date": datetime.date(2026, 11, 27), "value": 3},
        ],
    }  # fmt: skip
    acceptance = {
        "id": "ACC-001", "risk": "R-001", "approver": "o", "rationale": "r",
        "decided": datetime.date(2026, 12, 1),
    }  # fmt: skip
    launch = {
        "id": "LAUNCH-001", "title": "t", "owner": "o",
        "launch_date": datetime.date(2026, 11, 1),
        "monitoring": [
            {"kri": "KRI-001", "until": datetime.date(2026, 11, 15),
             "reviewed": datetime.date(2026, 11, 21)},
        ],
    }  # fmt: skip
    original = register(
        ("control", "controls/C-001.yaml", control),
        ("incident", "incidents/INC-2026-001.yaml", resolved_later),
        ("incident", "incidents/INC-2026-002.yaml", later_incident),
        ("kri", "kris/KRI-001.yaml", kri),
        ("acceptance", "acceptances/ACC-001.yaml", acceptance),
        ("launch", "launches/LAUNCH-001.yaml", launch),
    )
    view = as_of(original, DAY)
    found = {(each.entity, each.what, str(each.date), each.path) for each in view.left_out}
    assert found == {
        ("C-001", "operating test", "2026-11-24", ("tests", 1, "date")),
        ("INC-2026-001", "resolution", "2026-11-25", ("resolved",)),
        ("INC-2026-001", "action A1 completion", "2026-11-22", ("actions", 0, "completed")),
        ("INC-2026-002", "incident", "2026-11-21", ("occurred",)),
        ("KRI-001", "observation", "2026-11-27", ("observations", 1, "date")),
        ("ACC-001", "acceptance", "2026-12-01", ("decided",)),
        ("LAUNCH-001", "monitoring review of KRI-001", "2026-11-21", ("monitoring", 0, "reviewed")),
    }
    kept = view.register
    assert [test.result for test in kept.by_id(Control)["C-001"].tests] == ["pass"]
    assert "INC-2026-002" not in kept.by_id(Incident)
    assert kept.has("incident", "INC-2026-002")  # a reference to it is not unknown
    assert "ACC-001" not in kept.by_id(Acceptance) and kept.has("acceptance", "ACC-001")
    incident = kept.by_id(Incident)["INC-2026-001"]
    assert (incident.status, incident.resolved) == ("open", None)
    assert [(a.status, a.completed) for a in incident.actions] == [
        ("in-progress", None),
        ("done", datetime.date(2026, 11, 20)),  # completed on the day: counts
    ]
    assert [o.value for o in kept.by_id(Kri)["KRI-001"].observations] == [1]
    assert kept.by_id(Launch)["LAUNCH-001"].monitoring[0].reviewed is None
    # the original is untouched
    assert len(original.by_id(Control)["C-001"].tests) == 2
    assert original.by_id(Incident)["INC-2026-001"].status == "closed"
    assert view.left_out_of("C-001")[0].describe(DAY) == (
        "C-001 operating test dated 2026-11-24 (after 2026-11-20): not counted"
    )


def test_a_register_with_nothing_later_is_shared_entity_for_entity() -> None:
    risk = {
        "id": "R-001", "title": "t", "category": "fraud", "owner": "o",
        "inherent": {"likelihood": 3, "impact": 3},
    }  # fmt: skip
    original = register(("risk", "risks/R-001.yaml", risk))
    view = as_of(original, DAY)
    assert view.left_out == ()
    assert view.register.records[0] is original.records[0]
