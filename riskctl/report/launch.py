"""One launch on one page: ready values for launch.md.j2.

The launch, its failure modes ranked as `riskctl premortem` ranks them (action priority, then
RPN), the risks it links with their residuals and treatment, and its monitoring KRIs' status.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from riskctl.model.control import Control
from riskctl.model.owner import Owner
from riskctl.model.register import Register
from riskctl.premortem import RatedMode, find_launch, review_launch, table_in_force
from riskctl.report.context import appetite_text, tier_text
from riskctl.report.periods import weeks_to
from riskctl.report.review import (
    WATCH_HEADER,
    WEEKS,
    is_in_monitoring,
    treatment_status,
    watch_rows,
)
from riskctl.score.residual import Scorecard
from riskctl.score.treatment import acceptances_by_risk

MODE_HEADER = ["rank", "mode", "AP", "RPN", "S", "O", "D", "failure mode", "response", "risk"]
RISK_HEADER = ["risk", "title", "residual", "appetite", "plan", "failure modes"]


def _response(rated: RatedMode) -> str:
    """The actions (one a line), the justification, or `none` (flagged when AP asks for one)."""
    mode = rated.mode
    actions = [action.strip() for action in mode.actions if action.strip()]
    if actions:
        return "\n".join(f"• {' '.join(action.split())}" for action in actions)
    justification = " ".join((mode.justification or "").split())
    if justification:
        return f"justified: {justification}"
    return "**none**" if rated.ap in ("H", "M") else "none"


def launch_context(
    register: Register, card: Scorecard, launch_id: str, today: datetime.date, source: str
) -> dict[str, Any]:
    """The launch, its ranked failure modes, its linked risks, its monitoring KRIs."""
    launch = find_launch(register, launch_id)
    table = table_in_force(register.config)
    reviewed = review_launch(launch, table.table, today)
    owners = register.by_id(Owner)
    owner = owners[launch.owner].name if launch.owner in owners else launch.owner
    priorities = Counter(rated.ap for rated in reviewed.failure_modes)
    mode_rows = [
        [
            str(rank),
            rated.mode.id,
            rated.ap,
            str(rated.rpn),
            str(rated.mode.severity),
            str(rated.mode.occurrence),
            str(rated.mode.detection),
            " ".join(rated.mode.description.split()),
            _response(rated),
            rated.mode.risk or "—",
        ]
        for rank, rated in enumerate(reviewed.failure_modes, start=1)
    ]
    modes_by_risk: dict[str, list[str]] = {}
    for rated in reviewed.failure_modes:
        if rated.mode.risk is not None:
            modes_by_risk.setdefault(rated.mode.risk, []).append(rated.mode.id)
    linked = list(dict.fromkeys([*launch.risks, *modes_by_risk]))
    scores = {score.risk.id: score for score in card.risks}
    controls = register.by_id(Control)
    acceptances = acceptances_by_risk(register)
    known = []
    missing = []
    for risk_id in linked:
        score = scores.get(risk_id)
        modes = ", ".join(modes_by_risk.get(risk_id, [])) or "—"
        if score is None:
            missing.append([risk_id, "(not in the register)", "—", "—", "—", modes])
            continue
        _, plan = treatment_status(score.risk, controls, acceptances.get(risk_id, []), today)
        if score.appetite.within is not False:
            plan = f"{plan} (within appetite)" if not plan.startswith("**no plan**") else "—"
        known.append(
            (
                -score.residual.score,
                risk_id,
                [
                    risk_id,
                    score.risk.title,
                    tier_text(score.residual)
                    + (f" ({score.risk.status})" if score.risk.status != "open" else ""),
                    appetite_text(score),
                    plan,
                    modes,
                ],
            )
        )
    known.sort(key=lambda row: row[:2])
    first = weeks_to(today, WEEKS)[0].first
    window = f"{WEEKS} weeks"
    in_monitoring = is_in_monitoring(launch, today)
    return {
        "now": str(today),
        "source": source,
        "method": f"{card.method['name']} ({card.method['fingerprint']})",
        "id": launch.id,
        "title": launch.title,
        "description": " ".join((launch.description or "").split()),
        "facts": [
            ["owner", owner],
            ["status", launch.status],
            ["launch date", str(launch.launch_date)],
            ["in monitoring", "yes" if in_monitoring else "no"],
            [
                "failure modes",
                f"{len(reviewed.failure_modes)}: "
                + ", ".join(f"{priorities[ap]} {ap}" for ap in ("H", "M", "L")),
            ],
            ["action priority table", f"{table.origin} ({table.table.status or 'no status'})"],
        ],
        "mode_header": MODE_HEADER,
        "modes": mode_rows,
        "risk_header": RISK_HEADER,
        "risks": [row for *_, row in known] + missing,
        "watch_header": [*WATCH_HEADER, f"XmR, {window}"],
        "watches": watch_rows(register, launch, today, first, window),
    }
