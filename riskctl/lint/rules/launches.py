"""RK7xx: launches, their pre-mortems (FMEA failure modes) and post-launch monitoring.

Action priorities come from `riskctl.premortem` with the table in force (riskctl.yaml's
`premortem.action_priority`, else the AIAG-VDA table shipped with riskctl). Cancelled launches
are skipped: nothing ships, so nothing needs an action or a monitoring review.
"""

from __future__ import annotations

from collections.abc import Iterator

from riskctl.findings import Hit, Severity
from riskctl.lint.rules import RuleContext, dated_after_today, records, rule
from riskctl.model.launch import Launch
from riskctl.model.register import Record
from riskctl.premortem import is_lapsed, needs_response, rate, table_in_force


def _launches(context: RuleContext, *, as_of: bool = False) -> Iterator[tuple[Launch, Record]]:
    """Every valid launch file (duplicates included) that is not cancelled, in file order;
    `as_of`: as it stood on today (`riskctl.asof`: a review dated after today not yet made)."""
    for record in records(context.as_of.register if as_of else context.register, "launch"):
        if isinstance(record.entity, Launch) and record.entity.status != "cancelled":
            yield record.entity, record


@rule("RK701", "high-priority-mode-without-action")
def high_priority_mode_without_action(context: RuleContext) -> Iterator[Hit]:
    """A failure mode with action priority H lists an action or a justification.

    Why: for AP H the AIAG-VDA handbook says the team *must* identify an action to improve
    prevention or detection, or justify why not (fmea-premortem.md section 2); an H with
    neither is a known way to fail with no decision about it. Blank text counts as none.
    Reported at the failure mode's mapping. Cancelled launches are skipped.
    Fires:   `{severity: 9, occurrence: 8, detection: 3}` (AP H) with no `actions` and no
             `justification`
    Passes:  the same mode with `actions: [...]` or a `justification`; `{severity: 6,
             occurrence: 6, detection: 6}` (AP M, the same RPN 216) with neither
    """
    table = table_in_force(context.config).table
    for launch, record in _launches(context):
        for index, mode in enumerate(launch.failure_modes):
            rated = rate(mode, index, table)
            if needs_response(rated):
                yield Hit(
                    context.where(record, "failure_modes", index),
                    f"{launch.id} {mode.id} has action priority H (S {mode.severity}, "
                    f"O {mode.occurrence}, D {mode.detection}) but no action and no "
                    "justification; add `actions` or say why none is taken",
                )


@rule("RK702", "launched-without-monitoring")
def launched_without_monitoring(context: RuleContext) -> Iterator[Hit]:
    """A launch with status launched watches at least one KRI, and every KRI it names exists.

    Why: after launch, the KRIs in `monitoring` are how the team sees a failure mode happen;
    thresholds are set before launch (fmea-premortem.md section 4). A live launch with no
    monitoring, or with a KRI that is not in the register, is watched by nobody.
    Reported at `status` when `monitoring` is missing, at `monitoring` when it is empty, and at
    the entry's `kri` when that KRI does not exist (RK103 reports the reference too).
    Fires:   `status: launched` with no `monitoring`, `monitoring: []`, or
             `monitoring: [{kri: KRI-404, until: 2027-03-31}]` without `kris/KRI-404.yaml`
    Passes:  `status: launched` with `monitoring: [{kri: KRI-001, until: 2027-03-31}]`;
             `status: planned` with no `monitoring`
    """
    for launch, record in _launches(context):
        if launch.status != "launched":
            continue
        if not launch.monitoring:
            has_key = "monitoring" in (context.raw.get(record.file) or {})
            yield Hit(
                context.where(record, "monitoring" if has_key else "status"),
                f"{launch.id} is launched but monitors no KRI; list the KRIs that would show its "
                "failure modes under `monitoring`",
            )
        for index, entry in enumerate(launch.monitoring):
            if not context.register.has("kri", entry.kri):
                yield Hit(
                    context.where(record, "monitoring", index, "kri"),
                    f"{launch.id} is launched and monitors {entry.kri!r}, which is not in the "
                    "register",
                )


@rule("RK703", "monitoring-window-lapsed", Severity.WARNING, date_dependent=True)
def monitoring_window_lapsed(context: RuleContext) -> Iterator[Hit]:
    """A monitoring window that has ended was reviewed on or after its last day.

    Why: at window end the team re-rates O and D on the evidence, then closes the failure mode
    or turns it into a standing risk (fmea-premortem.md section 4); a window that ran out
    without that review leaves the launch's ratings as guesses. A window lapses the day after
    `until`; `reviewed` on or after `until` counts. Reported at the entry's `until`. Cancelled
    launches are skipped. A `reviewed` day after today is a review not yet made on that day
    (`riskctl.asof`).
    Fires:   `{kri: KRI-001, until: 2026-11-26}` checked on 2026-11-27, with no `reviewed` or
             `reviewed: 2026-11-25`
    Passes:  the same entry with `reviewed: 2026-11-26`; checked on 2026-11-26
    """
    for launch, record in _launches(context, as_of=True):
        for index, entry in enumerate(launch.monitoring):
            if is_lapsed(entry, context.today):
                reviewed = f"last reviewed {entry.reviewed}" if entry.reviewed else "never reviewed"
                yield Hit(
                    context.where(record, "monitoring", index, "until"),
                    f"{launch.id} monitoring of {entry.kri} ended {entry.until} and was "
                    f"{reviewed}; review it: re-rate O and D, then close or convert the "
                    "failure modes",
                )


@rule("RK704", "duplicate-failure-mode-id")
def duplicate_failure_mode_id(context: RuleContext) -> Iterator[Hit]:
    """The failure modes of a launch have distinct ids.

    Why: a failure mode is named by its id in reviews, actions and the pre-mortem's ranking
    (`riskctl premortem`); two modes with one id make "FM1 is done" ambiguous. Ids are compared
    exactly. Reported at the `id` of each later mode with an id already used, naming the
    first. Cancelled launches are checked too: their modes are still read.
    Fires:   `failure_modes: [{id: FM1, ...}, {id: FM1, ...}]`
    Passes:  `FM1` and `FM2`; `FM1` in two different launches
    """
    for record in records(context.register, "launch"):
        launch = record.entity
        if not isinstance(launch, Launch):
            continue
        first_at: dict[str, int] = {}
        for index, mode in enumerate(launch.failure_modes):
            first = first_at.setdefault(mode.id, index)
            if first != index:
                yield Hit(
                    context.where(record, "failure_modes", index, "id"),
                    f"{launch.id} has two failure modes with id {mode.id!r} "
                    f"(failure_modes[{first}] and [{index}]); give each its own id",
                )


@rule("RK705", "failure-mode-risk-not-in-launch")
def failure_mode_risk_not_in_launch(context: RuleContext) -> Iterator[Hit]:
    """A failure mode's `risk` is one of its launch's `risks`.

    Why: the launch's `risks` say which register risks it touches (the launch report and the
    reviews read them); a failure mode tied to a risk the launch does not list means the two
    disagree about what the launch puts at risk. The other way round is allowed: a launch may
    list a risk that no failure mode rates yet. Cancelled launches are skipped. Reported at the
    mode's `risk`.
    Fires:   `risks: [R-001]` and a failure mode with `risk: R-002`; `risks` left out and a
             mode with `risk: R-001`
    Passes:  `risks: [R-001, R-002]` and modes with `risk: R-001` or no `risk`
    """
    for launch, record in _launches(context):
        listed = set(launch.risks)
        for index, mode in enumerate(launch.failure_modes):
            if mode.risk is not None and mode.risk not in listed:
                yield Hit(
                    context.where(record, "failure_modes", index, "risk"),
                    f"{launch.id} {mode.id} is tied to {mode.risk}, which the launch's `risks` "
                    f"({', '.join(launch.risks) or 'none'}) do not list; add it there, or fix "
                    "the mode's risk",
                )


@rule("RK706", "monitoring-reviewed-in-the-future", default=Severity.NOTE, date_dependent=True)
def monitoring_reviewed_in_the_future(context: RuleContext) -> Iterator[Hit]:
    """A monitoring window's review is not dated after today.

    Why: `reviewed` records the day the window's evidence was reviewed; one after today has
    not happened yet, so every command leaves the review out as of `--now` (the window is not
    yet reviewed) until that day. A note: check the date. Reported at `reviewed`.
    Fires:   `{kri: KRI-001, until: 2026-11-20, reviewed: 2026-11-28}` checked on 2026-11-27
    Passes:  the same entry checked on 2026-11-28
    """
    for record, later in dated_after_today(context, "launch"):
        yield Hit(
            context.where(record, *later.path),
            f"{later.entity} {later.what} is dated {later.date}, after today "
            f"({context.today}): not counted until then",
        )
