"""Treatment plans: whether an acceptance holds today, and whether a risk has a plan at all.

Shared by the lint rules (RK205, RK206, RK4xx) and the diff's `above-appetite` gate.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from riskctl.model.acceptance import Acceptance
from riskctl.model.control import Control
from riskctl.model.days import add_days
from riskctl.model.register import Register
from riskctl.model.risk import Risk


def acceptance_problem(acceptance: Acceptance, today: datetime.date) -> str | None:
    """Why an acceptance does not hold today, or None when it does.

    Valid: decided on or before today, and an expiry on or after today. An acceptance without an
    expiry is not valid: every acceptance expires (rcm.md section 7).
    """
    if acceptance.decided > today:
        return f"{acceptance.id} is decided only on {acceptance.decided}"
    if acceptance.expires is None:
        return f"{acceptance.id} has no expiry"
    if is_expired(acceptance, today):
        return f"{acceptance.id} expired on {acceptance.expires}"
    return None


def is_expired(acceptance: Acceptance, today: datetime.date) -> bool:
    """Whether the acceptance's last day (`expires`) is before today: lint RK401, `riskctl due`."""
    return acceptance.expires is not None and acceptance.expires < today


def is_in_renewal_notice(acceptance: Acceptance, today: datetime.date, notice_days: int) -> bool:
    """Whether the acceptance expires today or within `notice_days` after it (lint RK403's
    notice period, `notice_days` read from its options; `riskctl due` shows it)."""
    return acceptance.expires is not None and (
        today <= acceptance.expires <= add_days(today, notice_days)
    )


def acceptances_by_risk(register: Register) -> dict[str, list[Acceptance]]:
    """Acceptances grouped by the risk they name, each group in id order."""
    grouped: dict[str, list[Acceptance]] = {}
    for acceptance in sorted(register.by_id(Acceptance).values(), key=lambda each: each.id):
        grouped.setdefault(acceptance.risk, []).append(acceptance)
    return grouped


def has_valid_acceptance(acceptances: Iterable[Acceptance], today: datetime.date) -> bool:
    """Whether one of these acceptances holds today (`acceptance_problem` is None)."""
    return any(acceptance_problem(each, today) is None for each in acceptances)


def has_treatment_plan(
    risk: Risk,
    controls: Mapping[str, Control],
    acceptances: Iterable[Acceptance],
    today: datetime.date,
) -> bool:
    """A valid acceptance of the risk, or a linked control with `status: planned`."""
    return has_valid_acceptance(acceptances, today) or bool(planned_controls(risk, controls))


def planned_controls(risk: Risk, controls: Mapping[str, Control]) -> list[str]:
    """Ids of the risk's linked controls with `status: planned`, in the risk's order, once each."""
    return [
        each
        for each in dict.fromkeys(risk.controls)
        if each in controls and controls[each].status == "planned"
    ]
