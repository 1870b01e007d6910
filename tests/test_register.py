"""`Register`'s indexes (riskctl/model/register.py): by kind, by kind and id, known ids."""

from __future__ import annotations

import datetime

from riskctl.asof import as_of
from riskctl.model.config import Config
from riskctl.model.control import Control
from riskctl.model.incident import Incident
from riskctl.model.owner import Owner
from riskctl.model.register import Record, Register

CONFIG = Config.model_validate(
    {"version": 1, "categories": [{"id": "fraud", "name": "Fraud", "appetite": "medium"}]}
)


def control(control_id: str) -> Control:
    return Control.model_validate(
        {"id": control_id, "title": "t", "owner": "o", "nature": "preventive"}
    )


def incident(incident_id: str, occurred: datetime.date) -> Incident:
    return Incident.model_validate(
        {"id": incident_id, "kind": "incident", "title": "t", "severity": 2, "occurred": occurred}
    )


def test_records_of_a_kind_keep_file_order_and_duplicates_and_nothing_else() -> None:
    first = Record("control", "controls/C-002.yaml", control("C-002"))
    owner = Record("owner", "owners/o.yaml", Owner.model_validate({"id": "o", "name": "O"}))
    copied = Record("control", "controls/C-003.yaml", control("C-002"))  # id: C-002 again
    other = Record("control", "controls/C-001.yaml", control("C-001"))
    register = Register(config=CONFIG)
    for record in (first, owner, copied, other):
        register.add(record)
    assert list(register.records_of("control")) == [first, copied, other]
    assert list(register.records_of("owner")) == [owner]
    assert list(register.records_of("risk")) == []
    assert dict(register.of_kind("control")) == {"C-002": first, "C-001": other}


def test_the_register_as_of_a_day_indexes_only_what_it_kept() -> None:
    day = datetime.date(2026, 11, 20)
    kept = Record("incident", "incidents/INC-2026-001.yaml", incident("INC-2026-001", day))
    later = incident("INC-2026-002", datetime.date(2026, 11, 21))
    register = Register(config=CONFIG)
    register.add(kept)
    register.add(Record("incident", "incidents/INC-2026-002.yaml", later))
    past = as_of(register, day).register
    assert list(past.records_of("incident")) == [kept]
    assert past.has("incident", "INC-2026-002")  # left out, still known
    assert len(register.records_of("incident")) == 2  # the original is untouched
