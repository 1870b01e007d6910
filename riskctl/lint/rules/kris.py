"""RK5xx: key risk indicators: red without action, stale, inconsistent thresholds, unwatched risks.

Bands and the latest observation come from `riskctl.kri.status`, the code behind `riskctl kri
status`, so lint and the status table never disagree. The register is frozen at today:
observations (and incidents) dated after it are ignored.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field

from riskctl.findings import Hit, Severity
from riskctl.incidents import is_unfinished
from riskctl.kri.status import band, latest_observation, observation_due, watchers
from riskctl.lint.rules import RuleContext, dated_after_today, records, rule
from riskctl.model.common import MAX_DAYS
from riskctl.model.incident import Incident
from riskctl.model.kri import Kri, Observation
from riskctl.model.register import Record
from riskctl.model.risk import Risk

#: Action statuses that still call for work.


def _kris(context: RuleContext) -> Iterator[tuple[Kri, Record]]:
    """Every valid KRI file (duplicates included) with its record, in file order."""
    for record in records(context.register, "kri"):
        if isinstance(record.entity, Kri):
            yield record.entity, record


def _index(kri: Kri, observation: Observation) -> int:
    """The position of `observation` (the object itself) in the KRI's observations."""
    return next(i for i, each in enumerate(kri.observations) if each is observation)


def _number(value: float) -> str:
    """54.6, and 60 rather than 60.0, as the register writes it."""
    return str(int(value)) if value.is_integer() else repr(value)


@rule("RK501", "kri-red-without-action", date_dependent=True)
def kri_red_without_action(context: RuleContext) -> Iterator[Hit]:
    """A KRI whose latest value is red has an open incident or an open action on its risks.

    Why: red is beyond tolerance and action is mandatory (wbr.md section 4: every red needs a
    documented action and date). The action lives in an incident: an open incident naming one
    of the KRI's risks (its `risks`, and the risks listing it under `kris`), or an action with
    status open or in-progress in any incident naming one of them. Incidents that occurred
    after today are not counted. Reported at the latest observation's value.
    Fires:   `thresholds: {amber: 40, red: 60}` and a latest value of 60 (reaching red counts),
             with every incident on its risks closed and every action done or cancelled
    Passes:  the same KRI with an open action (open or in-progress) in a closed incident on one
             of its risks, or an open incident with no action yet; a latest value of 59.9
    """
    named_by = watchers(context.register.by_id(Risk).values())
    acted_on = {  # risks with an open incident, or an open action, that occurred by today
        risk_id
        for incident in context.register.by_id(Incident).values()
        if incident.occurred <= context.today
        and (incident.status == "open" or any(is_unfinished(each) for each in incident.actions))
        for risk_id in incident.risks
    }
    for kri, record in _kris(context):
        latest = latest_observation(kri, context.today)
        if latest is None or band(latest.value, kri.thresholds, kri.direction) != "red":
            continue
        watched = set(kri.risks) | named_by.get(kri.id, set())
        if not acted_on.isdisjoint(watched):
            continue
        where = ", ".join(sorted(watched)) if watched else "it watches no risk"
        yield Hit(
            context.where(record, "observations", _index(kri, latest), "value"),
            f"{kri.id} is red ({_number(latest.value)} on {latest.date}, red at "
            f"{_number(kri.thresholds.red)}) with no open incident and no open action on its "
            f"risks ({where})",
        )


class ObservationMissingOptions(BaseModel):
    """Options of RK502 kri-observation-missing."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    grace_days: int = Field(default=7, ge=0, le=MAX_DAYS, strict=True)
    """Days allowed beyond the KRI's period before its latest observation is missing."""


@rule(
    "RK502",
    "kri-observation-missing",
    default=Severity.WARNING,
    options=ObservationMissingOptions,
    date_dependent=True,
)
def kri_observation_missing(context: RuleContext) -> Iterator[Hit]:
    """A KRI has an observation within its expected period (plus grace) before today.

    Why: a KRI that is not measured shows an old status as if it were current (wbr.md section
    4: a KRI with no observation in its expected period is stale). The period follows
    `frequency`: daily 1 day, weekly 7, monthly 31, quarterly 92; the `grace_days` option
    (default 7) allows for reporting lag. Missing when today is later than the latest
    observation's date plus period plus grace. Reported at the latest observation's date, or at
    `observations` (the top mapping without it) when there is none on or before today.
    Fires:   a weekly KRI last observed on 2026-11-12, checked on 2026-11-27 (due by 2026-11-26);
             a KRI with no observation
    Passes:  the same KRI last observed on 2026-11-13 (due by 2026-11-27, the last day)
    """
    grace = context.options("RK502", ObservationMissingOptions).grace_days
    for kri, record in _kris(context):
        expected = observation_due(kri, context.today, grace)
        period, latest, due = expected.period, expected.latest, expected.due
        if latest is None or due is None:
            yield Hit(
                context.where(record, "observations"),
                f"{kri.id} has no observation on or before {context.today}; a {kri.frequency} "
                f"KRI expects one every {period} day{'s' if period != 1 else ''}",
            )
            continue
        if context.today > due:
            yield Hit(
                context.where(record, "observations", _index(kri, latest), "date"),
                f"{kri.id} was last observed on {latest.date}, "
                f"{(context.today - latest.date).days} days ago; a {kri.frequency} KRI expects "
                f"one every {period} day{'s' if period != 1 else ''} "
                f"(+{grace} days grace: due by {due})",
            )


@rule("RK503", "kri-thresholds-inconsistent")
def kri_thresholds_inconsistent(context: RuleContext) -> Iterator[Hit]:
    """A KRI's amber threshold comes before its red one in the direction of worse.

    Why: amber is the early warning and red is beyond tolerance (wbr.md section 4); with the
    thresholds the wrong way round, or equal, the KRI jumps straight to red and amber never
    shows. higher-is-worse needs amber < red; lower-is-worse needs amber > red.
    Fires:   higher-is-worse with `{amber: 60, red: 40}` or `{amber: 60, red: 60}`;
             lower-is-worse with `{amber: 98, red: 99}`
    Passes:  higher-is-worse with `{amber: 40, red: 60}`; lower-is-worse with `{amber: 99,
             red: 98}`
    """
    for kri, record in _kris(context):
        amber, red = kri.thresholds.amber, kri.thresholds.red
        if kri.direction == "higher-is-worse" and not amber < red:
            relation = "below"
        elif kri.direction == "lower-is-worse" and not amber > red:
            relation = "above"
        else:
            continue
        yield Hit(
            context.where(record, "thresholds"),
            f"{kri.id} is {kri.direction}, so amber ({_number(amber)}) must be {relation} red "
            f"({_number(red)}): amber warns before red",
        )


@rule("RK504", "above-appetite-without-kri", default=Severity.WARNING, as_of=True)
def above_appetite_without_kri(context: RuleContext) -> Iterator[Hit]:
    """An open risk above its category's appetite is watched by a KRI.

    Why: a risk above appetite is the one most likely to move; without an indicator, nobody
    sees it getting worse before it happens. A KRI watches a risk when the risk lists it under
    `kris`, or the KRI lists the risk under `risks`; only KRIs in the register count. Closed
    risks, and risks whose appetite is unknown (RK104, RK803), are skipped. Reported at the
    risk's `kris` when it has one, else at its top mapping.
    Fires:   residual L3 I4 (high) in a category with appetite medium, no `kris`, and no KRI
             naming the risk
    Passes:  the same risk with `kris: [KRI-001]`, or only named by KRI-001's `risks`; a risk
             within appetite with no KRI
    """
    kris = context.register.by_id(Kri)
    named = {risk_id for kri in kris.values() for risk_id in kri.risks}
    for risk_id, score in sorted(context.scores.items()):
        record = context.register.record("risk", risk_id)
        risk = score.risk
        if record is None or risk.status != "open" or score.appetite.within is not False:
            continue
        if risk_id in named or any(each in kris for each in risk.kris):
            continue
        path = ("kris",) if risk.kris else ()
        yield Hit(
            context.where(record, *path),
            f"{risk_id} residual {score.residual.level} is above the {risk.category} appetite "
            f"({score.appetite.limit}) and no KRI watches it",
        )


@rule("RK505", "kri-duplicate-observation-date")
def kri_duplicate_observation_date(context: RuleContext) -> Iterator[Hit]:
    """A KRI has at most one observation per date.

    Why: a KRI is one reading per date; two readings on one date make its value that day a
    matter of file order (status, WoW/YoY and the reports take the later one in the file, and
    XmR counts both as points). Reported at the `date` of each later observation on a date
    already seen, naming the first.
    Fires:   `observations: [{date: 2026-11-23, value: 33}, {date: 2026-11-23, value: 35}]`
    Passes:  the same values on 2026-11-23 and 2026-11-24
    """
    for kri, record in _kris(context):
        if len({observation.date for observation in kri.observations}) == len(kri.observations):
            continue  # every date once: the common case, told by one set
        first_on: dict[datetime.date, int] = {}
        for index, observation in enumerate(kri.observations):
            first = first_on.setdefault(observation.date, index)
            if first != index:
                yield Hit(
                    context.where(record, "observations", index, "date"),
                    f"{kri.id} has a second observation on {observation.date} (value "
                    f"{_number(observation.value)}; observations[{first}] has value "
                    f"{_number(kri.observations[first].value)}); keep one reading per date",
                )


@rule("RK506", "kri-links-disagree")
def kri_links_disagree(context: RuleContext) -> Iterator[Hit]:
    """Where a KRI and a risk both keep links to each other, each lists the other.

    Why: a link is kept on both sides (the risk's `kris`, the KRI's `risks`) so that each file
    reads alone; when one side lists the other and the other side keeps a list that lacks the
    link, the two files disagree on what the KRI watches (lint, status and reports count the
    link from either side). Checked only against a file that keeps such a list (the key is
    present): a register that links from one side only is not flagged. Unknown ids are
    RK103's business. Reported at the entry that has no counterpart.
    Fires:   KRI-001 `risks: [R-001]` while R-001 has `kris: [KRI-002]`; R-001 `kris:
             [KRI-001]` while KRI-001 has `risks: []`
    Passes:  both sides list each other; R-001 `kris: [KRI-001]` and KRI-001 without `risks`
    """
    risks = context.register.by_id(Risk)
    kris = context.register.by_id(Kri)

    def keeps(record: Record | None, key: str) -> bool:
        return record is not None and key in (context.raw.get(record.file) or {})

    for kri, record in _kris(context):
        for index, risk_id in enumerate(kri.risks):
            risk = risks.get(risk_id)
            if (
                risk is not None
                and kri.id not in risk.kris
                and keeps(context.register.record("risk", risk_id), "kris")
            ):
                yield Hit(
                    context.where(record, "risks", index),
                    f"{kri.id} lists {risk_id} under `risks`, but {risk_id}'s `kris` "
                    f"({', '.join(risk.kris) or 'empty'}) does not list {kri.id}",
                )
    for risk_record in records(context.register, "risk"):
        linking = risk_record.entity
        if not isinstance(linking, Risk):
            continue
        for index, kri_id in enumerate(linking.kris):
            watched = kris.get(kri_id)
            if (
                watched is not None
                and linking.id not in watched.risks
                and keeps(context.register.record("kri", kri_id), "risks")
            ):
                yield Hit(
                    context.where(risk_record, "kris", index),
                    f"{linking.id} lists {kri_id} under `kris`, but {kri_id}'s `risks` "
                    f"({', '.join(watched.risks) or 'empty'}) does not list {linking.id}",
                )


@rule("RK507", "kri-observation-in-the-future", default=Severity.NOTE, date_dependent=True)
def kri_observation_in_the_future(context: RuleContext) -> Iterator[Hit]:
    """A KRI observation is not dated after today.

    Why: an observation records a value measured; one dated after today has not been measured
    yet, so `kri status`, the reviews and every other command leave it out as of `--now` until
    its day comes. A note: a forecast or a typo in the date (2027 for 2026) reads the same way,
    so check the date. Reported at the observation's `date`.
    Fires:   `observations: [{date: 2026-11-28, value: 3}]` checked on 2026-11-27
    Passes:  the same observation checked on 2026-11-28
    """
    for record, later in dated_after_today(context, "kri"):
        yield Hit(
            context.where(record, *later.path),
            f"{later.entity} {later.what} is dated {later.date}, after today ({context.today}): "
            "not counted until then",
        )
