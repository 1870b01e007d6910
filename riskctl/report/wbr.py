"""The weekly business review: the context of wbr.md.j2.

Exceptions first (wbr.md section 3), over the 6 ISO weeks up to `--now`; the sections it shares
with the MBR are in `report/review.py`.
"""

from __future__ import annotations

import datetime
from typing import Any

from riskctl.model.register import Register
from riskctl.report.periods import (
    months_to,
    weeks_to,
    year_before_month,
    year_before_week,
)
from riskctl.report.review import (
    MONTHS,
    WEEKS,
    Review,
    _common,
    _exception_facts,
    _exception_order,
    _glance,
    _kri_chart,
    _kri_summary,
    change_text,
    kri_views,
    latest_text,
    signals_text,
    xmr_window_text,
)


def wbr_kri_section(register: Register, today: datetime.date) -> dict[str, Any]:
    """KRIs for the WBR: exceptions with a 6-week and a 12-month chart; routine ones folded."""
    weeks, months = weeks_to(today, WEEKS), months_to(today, MONTHS)
    first = weeks[0].first
    views = kri_views(register, today, first)
    window = f"{WEEKS} weeks"
    exceptions = []
    for view in sorted((v for v in views if v.is_exception), key=_exception_order):
        direction = view.kri.direction
        signals = signals_text(view.recent)
        facts = _exception_facts(
            view,
            register,
            [
                ["week over week", change_text(view.status.wow, direction)],
                ["year over year", change_text(view.status.yoy, direction)],
                [f"signals in the {window}", signals],
            ],
        )
        exceptions.append(
            {
                "id": view.kri.id,
                "title": view.kri.title,
                "facts": facts,
                "charts": [
                    _kri_chart(view, weeks, f"{WEEKS} weeks to {today}", year_before_week),
                    _kri_chart(view, months, f"{MONTHS} months to {today}", year_before_month),
                ],
            }
        )
    routine = [
        [
            view.kri.id,
            view.kri.title,
            latest_text(view.status),
            view.status.band or "—",
            change_text(view.status.wow, view.kri.direction),
            change_text(view.status.yoy, view.kri.direction),
            xmr_window_text(view.status.xmr, first, window),
        ]
        for view in views
        if not view.is_exception
    ]
    return {
        "summary": _kri_summary(
            len(exceptions),
            len(views),
            f"in the {window} from {first} (weeks are ISO weeks, Monday to Sunday, the last "
            f"one to {today}).",
        ),
        "count": len(views),
        "exceptions": exceptions,
        "routine_header": ["KRI", "title", "latest", "status", "WoW", "YoY", f"XmR, {window}"],
        "routine": routine,
    }


def wbr_context(review: Review, today: datetime.date) -> dict[str, Any]:
    """The weekly business review of the register, exceptions first; the loss exposure last
    when risks have `quant:` inputs."""
    from riskctl.report.quant import wbr_quant_section  # numpy: not for the MBR

    kris = wbr_kri_section(review.register, today)
    first = weeks_to(today, WEEKS)[0].first
    context = _common(review, today, first, f"{WEEKS} weeks")
    context["kris"] = kris
    context["glance"] = _glance(
        context["changes"], kris, context["above"], context["deadlines"], context["launches"]
    )
    context["quant"] = wbr_quant_section(review.register, review.card)
    if context["quant"] is not None:
        context["glance"].append(["loss tolerance", context["quant"]["glance"]])
    return context
