"""Ready-made values for the report templates: formatted strings and sorted rows, no logic left.

Templates do no arithmetic (a test forbids it): every number, label and row is computed here,
from the register and its scorecard.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from riskctl.errors import RiskctlError
from riskctl.kri.status import band as kri_band
from riskctl.kri.status import latest_observation
from riskctl.model.acceptance import Acceptance
from riskctl.model.control import Control
from riskctl.model.incident import Incident
from riskctl.model.kri import Kri
from riskctl.model.owner import Owner
from riskctl.model.register import Register
from riskctl.model.risk import Risk
from riskctl.report.charts import HeatCell, HeatMap, level_colors
from riskctl.score.explain import explain
from riskctl.score.matrix import Cell, Matrix
from riskctl.score.residual import ControlCredit, RiskScore, Scorecard, latest_test

LIKELIHOOD_NAMES = ("rare", "unlikely", "possible", "likely", "almost-certain")
REGISTER_HEADER = (
    "risk", "title", "category", "owner", "inherent", "residual", "projected", "target",
    "appetite", "controls", "next review",
)  # fmt: skip
RCM_HEADER = (
    "risk", "process", "control", "title", "key", "nature", "automation", "frequency", "owner",
    "status", "last test", "result", "effectiveness (design / operating)", "residual credit",
    "maps to",
)  # fmt: skip
IMPACT_NAMES = ("insignificant", "minor", "moderate", "major", "severe")


def tier_text(cell: Cell | None) -> str:
    """`L3 I4 · 12 high`, or `—` for a tier not set."""
    if cell is None:
        return "—"
    return f"L{cell.likelihood} I{cell.impact} · {cell.score} {cell.level}"


def appetite_text(score: RiskScore) -> str:
    """`above (medium)`, `within (low)` or `not judged`."""
    if score.appetite.within is None:
        return "not judged"
    return f"{'within' if score.appetite.within else '**above**'} ({score.appetite.limit})"


def review_text(score: RiskScore, today: datetime.date) -> str:
    """The next review date, flagged when overdue."""
    if score.next_review is None:
        return "never reviewed"
    overdue = " (overdue)" if score.next_review < today else ""
    return f"{score.next_review}{overdue}"


def heat_map(scores: Sequence[RiskScore], tier: str, matrix: Matrix) -> dict[str, Any]:
    """A likelihood x impact map of open risks: the chart
    (each cell its level and colour from the matrix and its risks by id) and its counts as a table,
    rows likelihood 5 to 1, columns impact 1-5."""
    ids: dict[tuple[int, int], list[str]] = {}
    for score in scores:
        cell = score.inherent if tier == "inherent" else score.residual
        ids.setdefault((cell.likelihood, cell.impact), []).append(score.risk.id)
    colors = level_colors(matrix.levels, matrix.colors)
    cells = []
    for likelihood in range(5, 0, -1):
        for impact in range(1, 6):
            level = matrix.cell(likelihood, impact).level
            cells.append(
                HeatCell(
                    likelihood,
                    impact,
                    level,
                    colors.get(level),
                    sorted(ids.get((likelihood, impact), []), key=lambda each: (len(each), each)),
                )
            )
    chart = HeatMap(f"{tier.capitalize()} risk", LIKELIHOOD_NAMES, IMPACT_NAMES, cells)
    return {"title": tier, "chart": chart, **chart.table()}


def method_line(card: Scorecard) -> str:
    """`5x5-multiplicative (sha256:…)`: the scoring method and its fingerprint, for footers."""
    return f"{card.method['name']} ({card.method['fingerprint']})"


def _open_scores(card: Scorecard) -> list[RiskScore]:
    scores = [score for score in card.risks if score.risk.status == "open"]
    scores.sort(key=lambda s: (-s.residual.score, -s.inherent.score, s.risk.id))
    return scores


def register_context(
    register: Register, card: Scorecard, today: datetime.date, source: str
) -> dict[str, Any]:
    """All open risks with their tiers, owners and controls; inherent and residual heat maps;
    the loss quantification when risks have `quant:` inputs."""
    from riskctl.report.quant import register_quant_section  # numpy: only the reports that run

    scores = _open_scores(card)
    owners = register.by_id(Owner)
    above = sum(1 for score in scores if score.appetite.within is False)
    return {
        "now": str(today),
        "source": source,
        "method": method_line(card),
        "summary": f"{len(scores)} open risks, {above} above appetite",
        "heat_maps": [
            heat_map(scores, "inherent", card.matrix),
            heat_map(scores, "residual", card.matrix),
        ],
        "risk_header": list(REGISTER_HEADER),
        "risk_rows": [
            [
                score.risk.id,
                score.risk.title,
                score.risk.category,
                owners[score.risk.owner].name if score.risk.owner in owners else score.risk.owner,
                tier_text(score.inherent),
                tier_text(score.residual)
                + (" (override)" if score.residual_source == "override" else ""),
                tier_text(score.projected.cell),
                tier_text(score.target),
                appetite_text(score),
                ", ".join(score.risk.controls) or "—",
                review_text(score, today),
            ]
            for score in scores
        ],
        "quant": register_quant_section(register, card),
    }


def _last_test(control: Control) -> tuple[str, str]:
    test = latest_test(control, "operating") or latest_test(control, "design")
    if test is None:
        return "never tested", "—"
    return f"{test.date} ({test.type})", test.result


def rcm_context(
    register: Register, card: Scorecard, today: datetime.date, source: str
) -> dict[str, Any]:
    """The Risk Control Matrix: one row per risk-control pair, with the RCM columns."""
    controls = register.by_id(Control)
    owners = register.by_id(Owner)
    rows = []
    for score in sorted(card.risks, key=lambda s: s.risk.id):
        risk = score.risk
        if risk.status != "open":
            continue
        earned = {credit.control: credit for credit in score.computed.controls}
        for control_id in dict.fromkeys(risk.controls):
            control = controls.get(control_id)
            if control is None:
                rows.append([risk.id, risk.process or "—", control_id, "(not in the register)"]
                            + ["—"] * 11)  # fmt: skip
                continue
            tested, result = _last_test(control)
            owner = owners[control.owner].name if control.owner in owners else control.owner
            credit = earned.get(control_id)
            rows.append(
                [
                    risk.id,
                    risk.process or "—",
                    control.id,
                    control.title,
                    "key" if control.key else "non-key",
                    control.nature,
                    control.automation or "—",
                    control.frequency or "—",
                    owner,
                    control.status,
                    tested,
                    result,
                    f"{control.effectiveness.design} / {control.effectiveness.operating}",
                    f"{credit.credit:g} on {credit.dimension}" if credit and credit.credit else "0",
                    ", ".join(control.maps_to) or "—",
                ]
            )
    return {
        "now": str(today),
        "source": source,
        "method": method_line(card),
        "header": list(RCM_HEADER),
        "rows": rows,
        "summary": f"{len(rows)} risk-control pairs over "
        f"{len({row[0] for row in rows})} open risks",
    }


def risk_context(
    register: Register, card: Scorecard, risk_id: str, today: datetime.date, source: str
) -> dict[str, Any]:
    """One risk on one page: tiers, controls, its loss quantification, KRIs, incidents,
    acceptances, the derivation."""
    from riskctl.report.quant import risk_quant_section  # numpy: only the reports that run

    score = next((s for s in card.risks if s.risk.id == risk_id), None)
    if score is None:
        known = ", ".join(s.risk.id for s in card.risks[:8])
        raise RiskctlError(f"no risk {risk_id!r} in the register (risks: {known}, ...)")
    risk: Risk = score.risk
    controls = register.by_id(Control)
    owners: Mapping[str, Owner] = register.by_id(Owner)
    kris = [
        kri for kri in register.by_id(Kri).values() if kri.id in risk.kris or risk.id in kri.risks
    ]
    incidents = sorted(
        (i for i in register.by_id(Incident).values() if risk.id in i.risks),
        key=lambda i: (i.occurred, i.id),
        reverse=True,
    )
    acceptances = sorted(
        (a for a in register.by_id(Acceptance).values() if a.risk == risk.id),
        key=lambda a: a.id,
    )
    earned = {credit.control: credit for credit in score.computed.controls}
    return {
        "now": str(today),
        "source": source,
        "method": method_line(card),
        "id": risk.id,
        "title": risk.title,
        "description": (risk.description or "").strip(),
        "facts": [
            ["category", risk.category],
            ["owner", owners[risk.owner].name if risk.owner in owners else risk.owner],
            ["process", risk.process or "—"],
            ["status", risk.status],
            ["treatment", risk.treatment or "—"],
            ["reviewed", str(risk.reviewed) if risk.reviewed else "never"],
            ["next review", review_text(score, today)],
            ["appetite", appetite_text(score)],
        ],
        "tiers": [
            ["inherent", tier_text(score.inherent), "the analyst's assessment"],
            [
                "residual",
                tier_text(score.residual),
                "analyst's override: " + (risk.override_reason or "").strip()
                if score.residual_source == "override"
                else "computed from the controls in place",
            ],
            ["projected", tier_text(score.projected.cell), "planned controls counted"],
            ["target", tier_text(score.target), "the analyst's goal"],
        ],
        "controls": [
            _control_row(control_id, controls, earned)
            for control_id in dict.fromkeys(risk.controls)
        ],
        "kris": [_kri_row(kri, today) for kri in sorted(kris, key=lambda k: k.id)],
        "incidents": [
            [i.id, i.kind, str(i.occurred), str(i.severity), i.status, i.title] for i in incidents
        ],
        "acceptances": [
            [a.id, str(a.decided), str(a.expires) if a.expires else "no expiry", a.approver]
            for a in acceptances
        ],
        "derivation": explain(score, card, today).rstrip("\n").replace("```", "` ` `"),
        "quant": risk_quant_section(register, card, risk.id),
    }


def _control_row(
    control_id: str, controls: Mapping[str, Control], earned: Mapping[str, ControlCredit]
) -> list[str]:
    control = controls.get(control_id)
    credit = earned.get(control_id)
    if control is None:
        return [control_id, "(not in the register)", "—", "—", "0", "—"]
    return [
        control_id,
        control.title,
        "key" if control.key else "non-key",
        control.status,
        f"{credit.credit:g}" if credit else "0",
        credit.reason if credit else "—",
    ]


def _kri_row(kri: Kri, today: datetime.date) -> list[str]:
    """A KRI's latest reading on or before today, its band, and its thresholds."""
    latest = latest_observation(kri, today)
    reading = f"{latest.value:g} on {latest.date}" if latest else "no observation"
    status = kri_band(latest.value, kri.thresholds, kri.direction) if latest else "-"
    thresholds = f"amber {kri.thresholds.amber:g}, red {kri.thresholds.red:g} ({kri.direction})"
    return [kri.id, kri.title, reading, status, thresholds]
