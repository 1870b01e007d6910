"""What the weekly and monthly business reviews share: their inputs and their common sections.

Pure functions over what `report/inputs.py` read: the reviewed register and its scores, the
comparison with the last review (the semantic diff since a `wbr-*`/`mbr-*` tag or `--base`) and,
for the MBR, the register at each of the last month-ends. `report/wbr.py` (wbr.md.j2) and
`report/mbr.py` (mbr.md.j2) build each review's context from these sections; the templates share
`_review.md.j2`. Sections follow the questions of the meeting, exceptions first (wbr.md
section 3): what changed since the last review; KRIs (exceptions in full with charts, routine
ones one line each); risks above appetite and their treatment; what falls due (acceptances,
actions, reviews); launches in monitoring. Every section is always there: an empty one says
"Nothing to report."

Conventions where the references leave a choice (the README repeats them):
- KRI exceptions (wbr.md section 4): a red or amber band (the latest observation), or an XmR
  signal with a point in the review window: the 6 ISO weeks up to `--now` for the WBR, the month
  up to `--now` (from the same day a month earlier, exclusive) for the MBR.
- Period values are each period's last observation (`report/periods.py`); the WBR's deltas are
  `kri status`'s (7 and 364 days earlier), the MBR's compare monthly values.
- Acceptances "expiring" hold on `--now` and expire within 30 days (RK403's default notice);
  an expired acceptance of an open risk with no valid one left is listed too (most urgent).
- Overdue actions and reviews are exactly what RK604 and RK208 report.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from riskctl.asof import LeftOut
from riskctl.diff import EFFECTIVENESS_RANK, EntityChange, RegisterDiff
from riskctl.incidents import is_overdue
from riskctl.kri.status import (
    Delta,
    KriStatus,
    kri_status,
    observations_until,
    watched_risks,
)
from riskctl.kri.xmr import Signal, XmrAnalysis, describe_baseline
from riskctl.model.acceptance import Acceptance
from riskctl.model.control import Control
from riskctl.model.days import add_days
from riskctl.model.incident import Incident
from riskctl.model.kri import Kri, Observation
from riskctl.model.launch import Launch
from riskctl.model.owner import Owner
from riskctl.model.register import Register
from riskctl.model.risk import Risk
from riskctl.output.kri import delta_text, display_decimals, value_text
from riskctl.premortem import is_lapsed
from riskctl.report.charts import Band, LineChart, Series, listed, plain_number
from riskctl.report.context import appetite_text, method_line, tier_text
from riskctl.report.periods import (
    Period,
    last_observation,
    last_value,
    shift_months,
)
from riskctl.score.residual import RiskScore, Scorecard
from riskctl.score.treatment import (
    acceptance_problem,
    acceptances_by_risk,
    has_valid_acceptance,
    planned_controls,
)

Kind = Literal["wbr", "mbr"]
#: RK403's default notice period: acceptances expiring within this many days are listed.
NOTICE_DAYS = 30
#: The WBR's 6-12 chart (wbr.md section 1): 6 weeks, then 12 months; the MBR's 13 months.
WEEKS, MONTHS, MBR_MONTHS = 6, 12, 13
#: Months of the residual trend: 12 month-ends from git history, then `--now`.
TREND_MONTH_ENDS = 12
NOTHING = "Nothing to report."
TITLE_IN_CHART = 40

#: wbr.md section 4, the evaluation order: threshold band first, then the XmR signal.
READINGS: dict[tuple[str, bool], str] = {
    ("red", True): "act now: out of tolerance, and something changed",
    ("red", False): "stable but not capable: change the process, don't chase weeks",
    ("amber", True): "investigate the cause now",
    ("amber", False): "watch; check the calibration",
    ("green", True): "investigate the drift before it reaches amber",
    ("green", False): "routine",
}
UNIT_TITLES = {"bps": "bps", "pct": "percent", "ratio": "ratio", "count": "count"}
BAND_ORDER = {"red": 0, "amber": 1, "green": 2, None: 3}


@dataclass(frozen=True)
class Comparison:
    """The semantic diff since the last review, and both sides' (partial) registers."""

    since: str
    """The baseline as named: the tag, or `--base` as given."""
    by_tag: bool
    since_commit: str
    since_date: datetime.date
    """The baseline commit's date (UTC)."""
    new_ref: str
    """The reviewed side: a full commit id, or `worktree`."""
    diff: RegisterDiff
    old: Register
    new: Register


@dataclass(frozen=True)
class MonthEnd:
    """The register's scores as of one month-end (or `--now`), or why there are none."""

    day: datetime.date
    is_now: bool
    card: Scorecard | None
    commit: str | None
    note: str | None


@dataclass(frozen=True)
class Review:
    """Everything a review reads, loaded: the input of `wbr_context` and `mbr_context`."""

    kind: Kind
    register: Register
    card: Scorecard
    source: str
    reviewed: str
    """What is reviewed: `the working tree` or the revision as given."""
    comparison: Comparison | None
    no_comparison: str | None
    """Why there is no comparison (a sentence without its full stop), when there is none."""
    month_ends: tuple[MonthEnd, ...] = field(default_factory=tuple)
    left_out: dict[str, str] = field(default_factory=dict)
    """Files of the reviewed register that did not load (a `--partial` read), with why."""
    not_counted: tuple[LeftOut, ...] = ()
    """Records of the reviewed register dated after `--now`, left out (`riskctl.asof`)."""


# --- small texts ----------------------------------------------------------------------------


def _owner(register: Register, owner_id: str | None) -> str:
    owners: Mapping[str, Owner] = register.by_id(Owner)
    if owner_id is None:
        return "—"
    return owners[owner_id].name if owner_id in owners else owner_id


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _days(count: int) -> str:
    return _plural(count, "day")


#: A parenthesis that ends a KRI's title: its unit ("(bps of settled card purchases)"), which
#: the chart's y axis names already.
_TRAILING_PARENTHESIS = re.compile(r"\s*\([^()]*\)$")


def _cut(text: str, width: int) -> str:
    """`text` on one line in at most `width` characters, without a parenthesis that ends it;
    when longer, cut at the last space that leaves room for "…" (within a word only when the
    first word alone is too long), so no word is cut in half."""
    flat = " ".join(text.split())
    flat = _TRAILING_PARENTHESIS.sub("", flat) or flat
    if len(flat) <= width:
        return flat
    space = flat.rfind(" ", 0, width)
    head = flat[:space] if space > 0 else flat[: width - 1]
    return head.rstrip(" ,;:-(") + "…"


def change_text(change: Delta | None, direction: str) -> str:
    """`-1.5 bps (better)`: the arithmetic sign, and whether that is good by `direction`."""
    shown = delta_text(change)
    if change is None or shown == "n/a":
        return shown
    if round(change.change, 1) == 0:  # judged as shown: `+0.0 bps` reads as no change
        return f"{shown} (no change)"
    is_worse = (change.change > 0) == (direction == "higher-is-worse")
    return f"{shown} ({'worse' if is_worse else 'better'})"


def signal_text(signal: Signal) -> str:
    """`rule-1 above on 2026-11-23`; `rule-3 below, 2026-10-05 to 2026-11-23 (8 points)`."""
    if len(signal.dates) == 1:
        return f"{signal.rule} {signal.side} on {signal.dates[0]}"
    return (
        f"{signal.rule} {signal.side}, {signal.dates[0]} to {signal.dates[-1]} "
        f"({len(signal.dates)} points)"
    )


def signals_text(signals: Sequence[Signal], separator: str = "\n") -> str:
    """One line per signal; one-point signals of one rule and side share a line, dates listed."""
    singles: dict[tuple[str, str], list[datetime.date]] = {}
    lines: list[tuple[datetime.date, str]] = []
    for signal in signals:
        if len(signal.dates) == 1:
            singles.setdefault((signal.rule, signal.side), []).append(signal.dates[0])
        else:
            lines.append((signal.dates[0], signal_text(signal)))
    for (rule, side), dates in singles.items():
        listed = ", ".join(str(date) for date in dates)
        lines.append((dates[0], f"{rule} {side} on {listed}"))
    return separator.join(text for _, text in sorted(lines)) or "none"


def signals_since(analysis: XmrAnalysis, first: datetime.date) -> list[Signal]:
    """Signals with a point on or after `first`."""
    return [signal for signal in analysis.signals if signal.dates[-1] >= first]


def xmr_window_text(analysis: XmrAnalysis, first: datetime.date, window: str) -> str:
    """The XmR column of a routine row: `none`, `none in 6 weeks (last 2026-04-27)`, ..."""
    if analysis.limits is None:
        return f"no limits ({_plural(analysis.baseline_points, 'point')}; XmR needs 6)"
    recent = signals_since(analysis, first)
    if recent:
        return signals_text(recent, "; ")
    if analysis.signals:
        last = max(signal.dates[-1] for signal in analysis.signals)
        return f"none in {window} (last {last})"
    return "none"


def limits_text(analysis: XmrAnalysis, values: Sequence[float]) -> str:
    """`centre 36.12, limits 29.95 to 42.29 (first 20 points, provisional)` or why none."""
    limits = analysis.limits
    if limits is None:
        return f"no limits ({_plural(analysis.baseline_points, 'point')}; XmR needs 6)"
    decimals = display_decimals(values)
    where = describe_baseline(analysis.baseline)
    provisional = ", provisional" if analysis.provisional else ""
    return (
        f"centre {limits.centre:.{decimals}f}, natural process limits {limits.lnpl:.{decimals}f} "
        f"to {limits.unpl:.{decimals}f} ({where}{provisional})"
    )


def latest_text(status: KriStatus) -> str:
    """`54.6 bps on 2026-11-23` or `no observation`."""
    if status.latest is None:
        return "no observation"
    return f"{value_text(status.latest.value, status.kri.unit)} on {status.latest.date}"


def band_text(status: KriStatus) -> str:
    """`amber (amber 45, red 60, higher is worse)`."""
    kri = status.kri
    thresholds = (
        f"amber {value_text(kri.thresholds.amber, None)}, red "
        f"{value_text(kri.thresholds.red, None)}, {kri.direction.replace('-', ' ')}"
    )
    return f"{status.band or 'no observation'} ({thresholds})"


def is_improvement(signal: Signal, direction: str) -> bool:
    """A signal on the better side of the centre line (below it when higher is worse).

    A moving range above its limit says the process jumped, in either direction: never an
    improvement.
    """
    better = "below" if direction == "higher-is-worse" else "above"
    return signal.rule != "moving-range" and signal.side == better


def reading(status: KriStatus, recent: Sequence[Signal]) -> str:
    """What wbr.md section 4 asks of the owner, from the band and the signals in the window.

    Signals only on the better side read as an improvement to explain (and, once confirmed,
    a reason to re-base the limits), not as a drift to chase.
    """
    if status.band is None:
        return "no observation"
    direction = status.kri.direction
    worse = [signal for signal in recent if not is_improvement(signal, direction)]
    text = READINGS[status.band, bool(worse)]
    if recent and not worse:
        side = "below" if direction == "higher-is-worse" else "above"
        improvement = (
            f"the signals are on the better side ({side} the centre line): confirm the cause, "
            "then re-base the limits"
        )
        text = improvement if status.band == "green" else f"{text}; {improvement}"
    return text


# --- section 1: what changed since the last review ------------------------------------------


def _control_failures(old: Control | None, new: Control) -> list[str]:
    """What went wrong with a control between the two sides: effectiveness, status, tests."""
    found = []
    if old is not None:
        for aspect in ("design", "operating"):
            before = getattr(old.effectiveness, aspect)
            after = getattr(new.effectiveness, aspect)
            if EFFECTIVENESS_RANK[after] < EFFECTIVENESS_RANK[before]:
                found.append(f"{aspect} effectiveness {before} → {after}")
        if new.status == "degraded" and old.status != "degraded":
            found.append(f"status {old.status} → degraded")
    known = Counter(
        (test.date, test.type) for test in (old.tests if old else []) if test.result == "fail"
    )
    for test in sorted(new.tests, key=lambda each: (each.date, each.type)):
        if test.result != "fail":
            continue
        if known[test.date, test.type]:
            known[test.date, test.type] -= 1
        else:
            found.append(f"failed {test.type} test on {test.date}")
    return found


#: Section 1's parts: key, title, header.
CHANGE_PARTS = (
    ("moved", "Risks whose residual level moved",
     ["risk", "title", "residual before", "residual now", "level", "appetite"]),
    ("new", "New risks", ["risk", "title", "category", "owner", "residual", "appetite"]),
    ("closed", "Closed risks", ["risk", "title", "change", "residual"]),
    ("controls", "Control failures", ["control", "title", "what failed", "moves the residual of"]),
    ("incidents", "New incidents and near-misses",
     ["incident", "kind", "occurred", "severity", "title", "risks", "failed"]),
)  # fmt: skip
APPETITE_NAMES = {True: "within", False: "above", None: "not judged"}


def _moved_row(change: EntityChange, title: str) -> list[str]:
    before, after = change.scores["residual"]
    appetite = "—"
    if change.appetite is not None:
        appetite = " → ".join(APPETITE_NAMES[within] for within in change.appetite)
    arrow = "⬆️ up" if change.level_move > 0 else "⬇️ down"
    return [change.id, title, tier_text(before), tier_text(after), arrow, appetite]


def _change_row(
    change: EntityChange,
    comparison: Comparison,
    register: Register,
    scores: Mapping[str, RiskScore],
) -> tuple[str, list[str]] | None:
    """The part a change belongs to and its row, or None for a change no part lists.

    A risk closed or deleted is listed as such even if its level moved too.
    """
    old, new = comparison.old, comparison.new
    score = scores.get(change.id)
    residual = tier_text(score.residual) if score else "—"
    if change.kind == "risk":
        risk = new.by_id(Risk).get(change.id) or old.by_id(Risk).get(change.id)
        title = risk.title if risk else "—"
        status = next((item for item in change.fields if item.path == "status"), None)
        if change.change == "removed":
            return "closed", [change.id, title, "deleted (close it instead)", "—"]
        if status is not None and (status.old, status.new) == ("open", "closed"):
            return "closed", [change.id, title, "closed", residual]
        if change.level_move:
            return "moved", _moved_row(change, title)
        if change.change == "added" and risk is not None:
            appetite = appetite_text(score) if score else "—"
            owner = _owner(register, risk.owner)
            return "new", [risk.id, risk.title, risk.category, owner, residual, appetite]
    elif change.kind == "control" and (control := new.by_id(Control).get(change.id)):
        failures = _control_failures(old.by_id(Control).get(change.id), control)
        if failures:
            moves = ", ".join(change.moves) or "—"
            return "controls", [control.id, control.title, "\n".join(failures), moves]
    elif change.kind == "incident" and change.change == "added":
        incident = new.by_id(Incident).get(change.id)
        if incident is not None:
            return "incidents", _incident_row(incident)
    return None


def changes_section(review: Review, today: datetime.date) -> dict[str, Any]:
    """Section 1: risks whose level moved, new and closed risks, control failures, incidents."""
    comparison = review.comparison
    if comparison is None:
        intro = no_comparison_text(review.no_comparison or "No last review", review.kind, today)
        return {"available": False, "intro": intro, "parts": []}
    rows: dict[str, list[list[str]]] = {key: [] for key, _, _ in CHANGE_PARTS}
    scores = {score.risk.id: score for score in review.card.risks}
    others = 0
    for change in comparison.diff.changes:
        found = _change_row(change, comparison, review.register, scores)
        if found is None:
            others += 1
        else:
            rows[found[0]].append(found[1])
    rows["moved"].sort(key=lambda row: (not row[4].endswith("up"), row[0]))  # up first
    rows["incidents"].sort(key=lambda row: (row[2], row[0]))  # by date occurred
    baseline = f"commit {comparison.since_commit[:12]} of {comparison.since_date}"
    start = (
        f"the last review, tag {comparison.since} ({baseline})"
        if comparison.by_tag
        else f"{comparison.since} (--base; {baseline})"
    )
    is_worktree = comparison.new_ref == "worktree"
    target = (
        "the working tree"
        if is_worktree
        else f"{review.reviewed} (commit {comparison.new_ref[:12]})"
    )
    command = f"riskctl diff {comparison.since_commit[:12]}" + (
        "" if is_worktree else f" {comparison.new_ref[:12]}"
    )
    return {
        "available": True,
        "intro": f"From {start} to {target}.",
        "others": f"{_plural(others, 'other change')}: `{command}` lists every change."
        if others
        else "",
        "counts": {key: len(found) for key, found in rows.items()},
        "parts": [
            {"title": title, "header": header, "rows": rows[key]}
            for key, title, header in CHANGE_PARTS
        ],
    }


def _incident_row(incident: Incident) -> list[str]:
    severity = str(incident.severity)
    if incident.kind == "near-miss" and incident.potential_severity is not None:
        severity += f" (could have been {incident.potential_severity})"
    return [
        incident.id,
        incident.kind,
        str(incident.occurred),
        severity,
        incident.title,
        ", ".join(incident.risks) or "—",
        ", ".join(incident.failed_controls) or "—",
    ]


def no_comparison_text(reason: str, kind: Kind, today: datetime.date) -> str:
    """The section text without a last review, with the tag convention."""
    return (
        f"{reason}, so there is no last review to compare with. After each review, tag the "
        f"reviewed commit, and the next report starts from it: `git tag {kind}-{today}` "
        f"(or give `--base REV`)."
    )


# --- section 2: KRIs ------------------------------------------------------------------------


@dataclass(frozen=True)
class KriView:
    """A KRI at `--now`: its status, its observations so far, and its signals in the window."""

    kri: Kri
    status: KriStatus
    observations: list[Observation]
    recent: list[Signal]

    @property
    def is_exception(self) -> bool:
        """Red or amber, or an XmR signal in the window."""
        return self.status.band in ("red", "amber") or bool(self.recent)


def kri_views(register: Register, today: datetime.date, first: datetime.date) -> list[KriView]:
    """Every KRI's view, in id order; `first` is the first day of the signal window."""
    views = []
    for kri in sorted(register.by_id(Kri).values(), key=lambda each: each.id):
        status = kri_status(kri, today)
        views.append(
            KriView(kri, status, observations_until(kri, today), signals_since(status.xmr, first))
        )
    return views


def _kri_chart(
    view: KriView,
    periods: Sequence[Period],
    span: str,
    prior_of: Callable[[Period], Period] | None,
) -> dict[str, Any]:
    """A 6-week or 12/13-month run chart of one KRI: this period's value (a gap where a period
    has none; a point in an XmR signal marked with its rule), a year earlier where it has a
    value, the amber and red thresholds, the XmR centre line and the natural process limits as
    a band (Wheeler, *Understanding Variation*, ch. 5; wbr.md section 1, the 6-12 chart)."""
    kri = view.kri
    latest = [last_observation(view.observations, period) for period in periods]
    if not any(latest):
        return {"chart": None, "caption": f"No observation in the {span}: no chart."}
    count = len(periods)
    signals = view.status.xmr.signals
    marks = [
        "; ".join(signal_text(signal) for signal in signals if each.date in signal.dates) or None
        if each is not None
        else None
        for each in latest
    ]
    series = [
        Series(
            "this period",
            [None if each is None else each.value for each in latest],
            "this",
            marks=marks if any(marks) else (),
        )
    ]
    notes = []
    if prior_of is not None:
        prior = [last_value(view.observations, prior_of(period)) for period in periods]
        gaps = [
            period.label
            for period, value, now in zip(periods, prior, latest, strict=True)
            if value is None and now is not None
        ]
        if gaps:
            notes.append(f"A year earlier: no observation a year before {listed(gaps)}.")
        if any(value is not None for value in prior):
            series.append(Series("a year earlier", prior, "prior"))
    thresholds = kri.thresholds
    series.append(
        Series(f"amber {plain_number(thresholds.amber)}", [thresholds.amber] * count, "amber")
    )
    series.append(Series(f"red {plain_number(thresholds.red)}", [thresholds.red] * count, "red"))
    limits = view.status.xmr.limits
    band = None
    if limits is not None:
        decimals = display_decimals([each.value for each in view.observations])
        centre = plain_number(limits.centre, decimals)
        series.append(Series(f"XmR centre {centre}", [limits.centre] * count, "centre", decimals))
        low, high = (plain_number(value, decimals) for value in (limits.lnpl, limits.unpl))
        band = Band(f"XmR limits {low} to {high}", limits.lnpl, limits.unpl)
    drawn = LineChart(
        title=f"{kri.id} {_cut(kri.title, TITLE_IN_CHART)}, {span}",
        labels=[period.label for period in periods],
        y_title=UNIT_TITLES.get(kri.unit or "", kri.unit or "value"),
        series=series,
        x_title="period",
        band=band,
        notes=notes,
    )
    return {"chart": drawn, "caption": ""}


def _exception_facts(view: KriView, register: Register, rows: list[list[str]]) -> list[list[str]]:
    kri, status = view.kri, view.status
    return [
        ["latest", latest_text(status)],
        ["status", band_text(status)],
        ["reading", reading(status, view.recent)],
        *rows,
        ["XmR", limits_text(status.xmr, [each.value for each in view.observations])],
        ["owner", _owner(register, kri.owner)],
        ["watches", ", ".join(sorted(watched_risks(kri, register.by_id(Risk).values()))) or "—"],
    ]


def _exception_order(view: KriView) -> tuple[int, str]:
    return BAND_ORDER[view.status.band], view.kri.id


def _kri_summary(exceptions: int, count: int, window: str) -> str:
    if not count:
        return "The register has no KRIs."
    verb = "is an exception" if exceptions == 1 else "are exceptions"
    return f"{exceptions} of {_plural(count, 'KRI')} {verb}: red, amber, or an XmR signal {window}"


def month_start(today: datetime.date) -> datetime.date:
    """The first day of the MBR's month: the day after the same day a month earlier."""
    return add_days(shift_months(today, -1), 1)


# --- section 3: risks above appetite ---------------------------------------------------------


def treatment_status(
    risk: Risk,
    controls: Mapping[str, Control],
    acceptances: Sequence[Acceptance],
    today: datetime.date,
) -> tuple[bool, str]:
    """(has a plan, `accepted until X (ACC-n); planned controls C-1` or `no plan: ...`)."""
    parts = []
    valid = [each for each in acceptances if acceptance_problem(each, today) is None]
    if valid:
        latest = max(valid, key=lambda each: (each.expires or today, each.id))
        parts.append(f"accepted until {latest.expires} ({latest.id})")
    planned = planned_controls(risk, controls)
    if planned:
        parts.append(f"planned controls: {', '.join(planned)}")
    if parts:
        return True, "; ".join(parts)
    problems = [problem for each in acceptances if (problem := acceptance_problem(each, today))]
    return False, "**no plan**" + (f" ({'; '.join(problems)})" if problems else "")


def above_appetite_section(
    register: Register, card: Scorecard, today: datetime.date
) -> dict[str, Any]:
    """Section 3: open risks above their category's appetite, those without a plan first."""
    controls = register.by_id(Control)
    acceptances = acceptances_by_risk(register)
    rows = []
    for score in card.risks:
        risk = score.risk
        if risk.status != "open" or score.appetite.within is not False:
            continue
        has_plan, plan = treatment_status(risk, controls, acceptances.get(risk.id, []), today)
        rows.append(
            (
                has_plan,
                -score.residual.score,
                risk.id,
                [
                    risk.id,
                    risk.title,
                    _owner(register, risk.owner),
                    tier_text(score.residual),
                    score.appetite.limit or "—",
                    risk.treatment or "—",
                    plan,
                ],
            )
        )
    rows.sort(key=lambda row: row[:3])
    without = sum(1 for row in rows if not row[0])
    return {
        "header": ["risk", "title", "owner", "residual", "appetite", "treatment", "plan"],
        "rows": [row[3] for row in rows],
        "count": len(rows),
        "without_plan": without,
    }


# --- section 4: what falls due ---------------------------------------------------------------


def expiring_acceptances(
    register: Register, card: Scorecard, today: datetime.date
) -> list[list[str]]:
    """Acceptances of open risks that expire within 30 days, soonest first; and expired ones
    of open risks left with no valid acceptance (the most urgent, first of all)."""
    horizon = add_days(today, NOTICE_DAYS)
    open_risks = {score.risk.id for score in card.risks if score.risk.status == "open"}
    found = []
    for risk_id, acceptances in acceptances_by_risk(register).items():
        if risk_id not in open_risks:
            continue
        has_valid = has_valid_acceptance(acceptances, today)
        for acceptance in acceptances:
            expires = acceptance.expires
            if expires is None or acceptance.decided > today or expires > horizon:
                continue
            if expires >= today:
                when = f"in {_days((expires - today).days)}"
            elif has_valid:
                continue  # superseded by a valid acceptance of the same risk
            else:
                when = f"**expired** {_days((today - expires).days)} ago"
            approver = _owner(register, acceptance.approver)
            row = [acceptance.id, risk_id, approver, str(expires), when]
            found.append((expires, acceptance.id, row))
    return [row for *_, row in sorted(found)]


def overdue_actions(register: Register, today: datetime.date) -> list[list[str]]:
    """Open and in-progress incident actions past their due date (RK604), most overdue first."""
    found = [
        (
            action.due,
            incident.id,
            action.id,
            [
                incident.id,
                action.id,
                action.description,
                _owner(register, action.owner),
                str(action.due),
                _days((today - action.due).days),
                action.status,
            ],
        )
        for incident in register.by_id(Incident).values()
        for action in incident.actions
        if is_overdue(action, today) and action.due is not None
    ]
    return [row for *_, row in sorted(found)]


def overdue_reviews(register: Register, card: Scorecard, today: datetime.date) -> list[list[str]]:
    """Open risks never reviewed, or past their next review (RK208), most overdue first."""
    found = []
    for score in card.risks:
        risk = score.risk
        due = score.next_review
        if risk.status != "open" or (due is not None and due >= today):
            continue
        reviewed, due_text, late = "never", "—", "never reviewed"
        if risk.reviewed is not None and due is not None:
            reviewed, due_text, late = str(risk.reviewed), str(due), _days((today - due).days)
        owner = _owner(register, risk.owner)
        row = [risk.id, risk.title, owner, tier_text(score.residual), reviewed, due_text, late]
        found.append((due or datetime.date.min, risk.id, row))
    return [row for *_, row in sorted(found)]


def deadlines_section(register: Register, card: Scorecard, today: datetime.date) -> dict[str, Any]:
    """Section 4: acceptances expiring within 30 days, overdue actions, overdue reviews."""
    parts = [
        {
            "title": f"Acceptances expiring within {NOTICE_DAYS} days",
            "header": ["acceptance", "risk", "approver", "expires", "when"],
            "rows": expiring_acceptances(register, card, today),
        },
        {
            "title": "Overdue actions",
            "header": ["incident", "action", "description", "owner", "due", "late", "status"],
            "rows": overdue_actions(register, today),
        },
        {
            "title": "Overdue reviews",
            "header": ["risk", "title", "owner", "residual", "reviewed", "due", "overdue"],
            "rows": overdue_reviews(register, card, today),
        },
    ]
    return {"parts": parts, "counts": [len(part["rows"]) for part in parts]}


# --- section 5: launches in monitoring -------------------------------------------------------


def watch_rows(
    register: Register, launch: Launch, today: datetime.date, first: datetime.date, window: str
) -> list[list[str]]:
    """One row per monitoring entry of a launch: the window and the KRI's status."""
    kris = register.by_id(Kri)
    rows = []
    for entry in launch.monitoring:
        span = f"until {entry.until}"
        if entry.reviewed is not None:
            span += f", reviewed {entry.reviewed}"
        if is_lapsed(entry, today):
            span += " (**lapsed**: not reviewed after it ended)"
        elif entry.until < today:
            span += " (ended)"
        kri = kris.get(entry.kri)
        if kri is None:
            rows.append([entry.kri, "(not in the register)", span, "—", "—", "—", "—", "—"])
            continue
        status = kri_status(kri, today)
        rows.append(
            [
                kri.id,
                kri.title,
                span,
                latest_text(status),
                status.band or "—",
                change_text(status.wow, kri.direction),
                change_text(status.yoy, kri.direction),
                xmr_window_text(status.xmr, first, window),
            ]
        )
    return rows


WATCH_HEADER = ["KRI", "title", "monitoring", "latest", "status", "WoW", "YoY"]


def is_in_monitoring(launch: Launch, today: datetime.date) -> bool:
    """Launched, with a monitoring window (launch date to `until`) that holds `today`."""
    return launch.status == "launched" and any(
        launch.launch_date <= today <= entry.until for entry in launch.monitoring
    )


def launches_section(
    register: Register, today: datetime.date, first: datetime.date, window: str
) -> dict[str, Any]:
    """Section 5: launches in monitoring, each with its KRIs' status."""
    launches = []
    for launch in sorted(register.by_id(Launch).values(), key=lambda each: each.id):
        if not is_in_monitoring(launch, today):
            continue
        launches.append(
            {
                "id": launch.id,
                "title": launch.title,
                "line": f"Launched {launch.launch_date}; owner {_owner(register, launch.owner)}.",
                "header": [*WATCH_HEADER, f"XmR, {window}"],
                "rows": watch_rows(register, launch, today, first, window),
            }
        )
    return {"launches": launches}


# --- the MBR's own sections -----------------------------------------------------------------


def _glance(
    changes: dict[str, Any],
    kris: dict[str, Any],
    above: dict[str, Any],
    deadlines: dict[str, Any],
    launches: dict[str, Any],
) -> list[list[str]]:
    """The "at a glance" rows: one per section, in the report's order."""
    changed = "no last review to compare with"
    if changes["available"]:
        counts = changes["counts"]
        words = {
            "moved": ("level move", None),
            "new": ("new risk", None),
            "closed": ("closed risk", None),
            "controls": ("control failure", None),
            "incidents": ("new incident or near-miss", "new incidents and near-misses"),
        }
        found = [_plural(counts[key], *words[key]) for key in words if counts[key]]
        changed = ", ".join(found) or "nothing to report"
    acceptances, actions, reviews = deadlines["counts"]
    return [
        ["what changed", changed],
        [
            "KRIs",
            f"{_plural(len(kris['exceptions']), 'exception')}, {len(kris['routine'])} routine",
        ],
        [
            "above appetite",
            f"{_plural(above['count'], 'open risk')}, {above['without_plan']} without a plan"
            if above["count"]
            else "none",
        ],
        [
            "falls due",
            f"{_plural(acceptances, 'acceptance')} expiring, {_plural(actions, 'overdue action')}, "
            f"{_plural(reviews, 'overdue review')}",
        ],
        ["launches in monitoring", str(len(launches["launches"]))],
    ]


def _common(
    review: Review, today: datetime.date, window_first: datetime.date, window: str
) -> dict[str, Any]:
    register, card = review.register, review.card
    open_count = sum(1 for score in card.risks if score.risk.status == "open")
    return {
        "now": str(today),
        "source": review.source,
        "method": method_line(card),
        "subject": review.source
        + (" (the working tree)" if review.reviewed == "the working tree" else ""),
        "open_risks": _plural(open_count, "open risk"),
        "changes": changes_section(review, today),
        "above": above_appetite_section(register, card, today),
        "deadlines": deadlines_section(register, card, today),
        "launches": launches_section(register, today, window_first, window),
        "nothing": NOTHING,
    }
