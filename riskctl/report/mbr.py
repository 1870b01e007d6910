"""The monthly business review: the context of mbr.md.j2.

The WBR's questions over the month up to `--now`, KRIs as monthly values with 13-month charts,
the month's incidents by root cause, and the trend of residual levels at each month-end; the
sections it shares with the WBR are in `report/review.py`.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from typing import Any

from riskctl.incidents import root_cause_category, summarise
from riskctl.kri.status import (
    delta,
)
from riskctl.model.incident import Incident
from riskctl.model.register import Register
from riskctl.output.kri import value_text
from riskctl.report.charts import LineChart, Series, level_colors
from riskctl.report.periods import (
    Period,
    last_value,
    months_to,
    year_before_month,
)
from riskctl.report.review import (
    MBR_MONTHS,
    KriView,
    Review,
    _common,
    _exception_facts,
    _exception_order,
    _glance,
    _kri_chart,
    _kri_summary,
    _plural,
    change_text,
    kri_views,
    month_start,
    signals_text,
    xmr_window_text,
)


def _monthly(view: KriView, months: Sequence[Period]) -> tuple[str, str, str]:
    """The KRI's value this month, month over month and year over year, as texts."""
    this_month, last_month = months[-1], months[-2]
    value = last_value(view.observations, this_month)
    changes = []
    for earlier in (last_month, year_before_month(this_month)):
        previous = last_value(view.observations, earlier)
        change = None
        if value is not None and previous is not None:
            change = delta(value, previous, view.kri.unit)
        changes.append(change_text(change, view.kri.direction))
    shown = "no observation" if value is None else value_text(value, view.kri.unit)
    return shown, changes[0], changes[1]


def mbr_kri_section(register: Register, today: datetime.date) -> dict[str, Any]:
    """KRIs for the MBR: monthly values, exceptions with a 13-month chart; routine ones folded."""
    months = months_to(today, MBR_MONTHS)
    this_month = months[-1]
    first = month_start(today)
    views = kri_views(register, today, first)
    exceptions = []
    for view in sorted((v for v in views if v.is_exception), key=_exception_order):
        value, month_over_month, year_over_year = _monthly(view, months)
        facts = _exception_facts(
            view,
            register,
            [
                [f"{this_month.label} (to {this_month.last})", value],
                ["month over month", month_over_month],
                ["year over year", year_over_year],
                ["signals in the month", signals_text(view.recent)],
            ],
        )
        exceptions.append(
            {
                "id": view.kri.id,
                "title": view.kri.title,
                "facts": facts,
                "charts": [_kri_chart(view, months, f"{MBR_MONTHS} months to {today}", None)],
            }
        )
    routine = []
    for view in views:
        if not view.is_exception:
            value, month_over_month, year_over_year = _monthly(view, months)
            band = view.status.band or "—"
            signals = xmr_window_text(view.status.xmr, first, "the month")
            routine.append(
                [
                    view.kri.id,
                    view.kri.title,
                    value,
                    band,
                    month_over_month,
                    year_over_year,
                    signals,
                ]
            )
    return {
        "summary": _kri_summary(
            len(exceptions),
            len(views),
            f"in the month from {first} to {today}. Monthly values are each month's last "
            f"observation; {this_month.label} is to {this_month.last}.",
        ),
        "count": len(views),
        "exceptions": exceptions,
        "routine_header": [
            "KRI",
            "title",
            this_month.label,
            "status",
            "MoM",
            "YoY",
            "XmR, the month",
        ],
        "routine": routine,
    }


def incidents_section(register: Register, today: datetime.date) -> dict[str, Any]:
    """The month's incidents and near-misses, counted by root-cause category, then listed."""
    first = month_start(today)
    summary = summarise(register, today, first)
    rows = [
        [
            group.key,
            str(group.counts.incidents),
            str(group.counts.near_misses),
            str(group.counts.total),
        ]
        for group in summary.by_root_cause
    ]
    listed = sorted(
        (each for each in register.by_id(Incident).values() if first <= each.occurred <= today),
        key=lambda each: (each.occurred, each.id),
    )
    return {
        "intro": f"Occurred from {first} to {today}.",
        "header": ["root cause", "incidents", "near-misses", "total"],
        "rows": rows,
        "list_header": ["incident", "kind", "occurred", "severity", "root cause", "title", "risks"],
        "list": [
            [
                each.id,
                each.kind,
                str(each.occurred),
                str(each.severity),
                root_cause_category(each),
                each.title,
                ", ".join(each.risks) or "—",
            ]
            for each in listed
        ],
        "count": summary.totals.total,
        "split": f"{_plural(summary.totals.incidents, 'incident')}, "
        f"{_plural(summary.totals.near_misses, 'near-miss', 'near-misses')}",
    }


def trend_section(review: Review, today: datetime.date) -> dict[str, Any]:
    """Open risks per residual level at each month-end (and `--now`): a table and a chart."""
    levels = list(review.card.matrix.levels)
    for point in review.month_ends:
        if point.card is not None:
            levels += [level for level in point.card.matrix.levels if level not in levels]
    rows = []
    series: dict[str, list[float | None]] = {level: [] for level in levels}
    labels = []
    for point in review.month_ends:
        label = f"{point.day} (now)" if point.is_now else str(point.day)
        labels.append(f"{point.day:%Y-%m}")
        if point.card is None:
            rows.append([label, "no data", *([""] * len(levels)), "", point.note or ""])
            for level in levels:
                series[level].append(None)
            continue
        open_scores = [score for score in point.card.risks if score.risk.status == "open"]
        counts = Counter(score.residual.level for score in open_scores)
        above = sum(1 for score in open_scores if score.appetite.within is False)
        where = "the reviewed register" if point.is_now else f"commit {(point.commit or '')[:12]}"
        rows.append(
            [
                label,
                str(len(open_scores)),
                *(str(counts.get(level, 0)) for level in levels),
                str(above),
                where,
            ]
        )
        for level in levels:
            series[level].append(counts.get(level, 0))
    drawn = None
    caption = "No chart: fewer than two points have data."
    with_data = sum(1 for point in review.month_ends if point.card is not None)
    if with_data >= 2:
        colors: dict[str, str] = {}
        for card in [review.card, *(point.card for point in review.month_ends if point.card)]:
            for level, color in level_colors(card.matrix.levels, card.matrix.colors).items():
                colors.setdefault(level, color)
        drawn = LineChart(
            title=f"Open risks per residual level, month-ends to {today}",
            labels=labels,
            y_title="open risks",
            series=[
                Series(level, series[level], "level", color=colors.get(level)) for level in levels
            ],
            x_title="month-end",
            stacked=True,
        )
        caption = ""
    return {
        "header": ["month-end", "open risks", *levels, "above appetite", "register as of"],
        "rows": rows,
        "chart": drawn,
        "caption": caption,
    }


# --- the reports ----------------------------------------------------------------------------


def mbr_context(review: Review, today: datetime.date) -> dict[str, Any]:
    """The monthly business review: the WBR's questions over a month, plus incidents by root
    cause and the 13-month trend of residual levels."""
    kris = mbr_kri_section(review.register, today)
    context = _common(review, today, month_start(today), "the month")
    context["kris"] = kris
    context["incidents"] = incidents_section(review.register, today)
    context["trend"] = trend_section(review, today)
    context["glance"] = _glance(
        context["changes"], kris, context["above"], context["deadlines"], context["launches"]
    )
    incidents = context["incidents"]
    counted = f"{incidents['count']}" + (f" ({incidents['split']})" if incidents["count"] else "")
    context["glance"].insert(2, ["incidents this month", counted])
    return context
