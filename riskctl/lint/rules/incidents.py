"""RK6xx: incidents, near-misses and their root-cause analysis (rca.md).

RK601-RK605 judge the quality of an RCA and its follow-up; RK606 is the feedback loop into the
register (rca.md section 7): a risk that relies on a control named as failed by an incident
needs a review after that incident. Its sibling, in the scorer, stops crediting such a control
until it passes an operating test again (`riskctl.score.residual.failure_outweighs_tests`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from riskctl.findings import Hit, Severity
from riskctl.incidents import is_overdue, is_unfinished
from riskctl.lint.rules import RuleContext, dated_after_today, records, rule
from riskctl.model.control import Control
from riskctl.model.incident import Action, Incident
from riskctl.model.register import Record
from riskctl.model.risk import Risk
from riskctl.score.residual import control_credit

#: Action statuses that still call for work.

#: Phrases that mark a chain stopped at the person instead of the system (rca.md section 2).
DEFAULT_HUMAN_ERROR_PHRASES = (
    "human error",
    "operator error",
    "user error",
    "mistake",
    "carelessness",
    "did not follow procedure",
    "training issue",
)


def _incidents(context: RuleContext, *, as_of: bool = False) -> Iterator[tuple[Incident, Record]]:
    """Every valid incident file (duplicates included) with its record, in file order; `as_of`:
    as it stood on today (`riskctl.asof`: an action completed after today still in progress),
    as `riskctl due` sees it, so the two never disagree."""
    for record in records(context.as_of.register if as_of else context.register, "incident"):
        if isinstance(record.entity, Incident):
            yield record.entity, record


def _and_list(items: list[str]) -> str:
    """`4`, `4 and 5`, `2, 4 and 5`."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _kind(incident: Incident) -> str:
    return "near-miss" if incident.kind == "near-miss" else "incident"


@rule("RK601", "closed-without-verified-root-cause")
def closed_without_verified_root_cause(context: RuleContext) -> Iterator[Hit]:
    """A closed incident or near-miss has a root cause whose every why is verified.

    Why: closing an incident ends its investigation; a root cause is verified only when every
    step of its five-whys chain is (rca.md section 1: each link is backed by evidence that
    someone confirmed). An unverified chain is a hypothesis, and the actions built on it may fix
    the wrong thing. Open incidents are skipped: their RCA may still be under way.
    Reported at the top mapping when there is no `root_cause`, at `root_cause: whys` (or
    `root_cause`) when the chain is empty, else at the first unverified why's `verified` (or
    the why itself when it has no `verified:`, which means false).
    Fires:   `status: closed` with no `root_cause`; with `whys: []`; with a why that says
             `verified: false` or leaves it out
    Passes:  `status: closed` and every why `verified: true`; `status: open` with unverified
             whys
    """
    for incident, record in _incidents(context):
        if incident.status != "closed":
            continue
        kind = _kind(incident)
        root_cause = incident.root_cause
        if root_cause is None:
            yield Hit(
                context.where(record),
                f"{incident.id} is a closed {kind} without a root cause (`root_cause:`)",
            )
        elif not root_cause.whys:
            yield Hit(
                context.where(record, "root_cause", "whys"),
                f"{incident.id} is a closed {kind} whose root cause has no whys",
            )
        else:
            unverified = [index for index, why in enumerate(root_cause.whys) if not why.verified]
            if unverified:
                numbers = _and_list([str(index + 1) for index in unverified])
                plural = "s" if len(unverified) > 1 else ""
                yield Hit(
                    context.where(record, "root_cause", "whys", unverified[0], "verified"),
                    f"{incident.id} is a closed {kind} but why{plural} {numbers} of "
                    f"{len(root_cause.whys)} {'are' if plural else 'is'} not verified",
                )


Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class HumanErrorOptions(BaseModel):
    """Options of RK602 root-cause-is-human-error."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    phrases: list[Phrase] = Field(default_factory=lambda: list(DEFAULT_HUMAN_ERROR_PHRASES))
    """Phrases that end a chain at the person; replaces the default list."""


def phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any phrase as whole words, spaces flexible."""
    alternatives = sorted(
        {r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases if phrase},
        key=lambda alternative: (-len(alternative), alternative),
    )
    if not alternatives:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)


def answer_of(why: str) -> str:
    """The answer part of a why: the text after its last question mark (all of it if none)."""
    return why.rpartition("?")[2] if "?" in why else why


@rule("RK602", "root-cause-is-human-error", default=Severity.WARNING, options=HumanErrorOptions)
def root_cause_is_human_error(context: RuleContext) -> Iterator[Hit]:
    """A five-whys chain does not end in human error.

    Why: "human error" marks where latent conditions surfaced, not why they existed (Reason's
    Swiss-cheese model; Dekker). It is not actionable ("be more careful" changes no system) and
    blame teaches people to hide near-misses (rca.md section 2). Ask the next why: why could the
    slip happen, or go unnoticed?
    Checks the answer of the last why of every incident and near-miss, open or closed: the text
    after its last question mark (all of it when there is none), so a question that restates
    the slip ("Why could one analyst's mistake release a payout?") does not fire. Phrases match
    case-insensitively as whole words, any run of spaces between them.
    Options: `phrases`, a list that replaces the default: human error, operator error, user
    error, mistake, carelessness, did not follow procedure, training issue (rca.md section 2).
    Fires:   a last why "Why was the payout released? Operator error."
    Passes:  "Why could one analyst's mistake release a payout? The tool needs no second
             approver."; "mistaken" in the answer (not the whole word)
    """
    pattern = phrase_pattern(context.options("RK602", HumanErrorOptions).phrases)
    if pattern is None:
        return
    for incident, record in _incidents(context):
        whys = incident.root_cause.whys if incident.root_cause else []
        if not whys:
            continue
        found = pattern.search(answer_of(whys[-1].why))
        if found:
            phrase = " ".join(found.group(0).split())
            yield Hit(
                context.where(record, "root_cause", "whys", len(whys) - 1, "why"),
                f"{incident.id} root cause ends in {phrase!r}: ask why the system let it happen "
                "or go unnoticed",
            )


def _actions(incident: Incident) -> Iterator[tuple[int, Action]]:
    """The incident's unfinished actions (open or in-progress) with their index."""
    for index, action in enumerate(incident.actions):
        if is_unfinished(action):
            yield index, action


@rule("RK603", "closed-with-open-actions")
def closed_with_open_actions(context: RuleContext) -> Iterator[Hit]:
    """A closed incident or near-miss has no open or in-progress action.

    Why: an incident is closed when its follow-up is done; closing it with actions still open
    hides them from everyone who reads only open incidents, and the fixes stall (SRE
    postmortem practice, rca.md sections 4 and 5). Finish, cancel or move the actions first.
    Reported at each unfinished action's `status` (or the action itself when it has no
    `status:`, which means open).
    Fires:   `status: closed` with an action `status: in-progress`, or with no `status:`
    Passes:  `status: closed` with every action done or cancelled; `status: open` with open
             actions
    """
    for incident, record in _incidents(context):
        if incident.status != "closed":
            continue
        for index, action in _actions(incident):
            yield Hit(
                context.where(record, "actions", index, "status"),
                f"{incident.id} is closed but its action {action.id} is {action.status}",
            )


@rule("RK604", "action-overdue", default=Severity.WARNING, date_dependent=True)
def action_overdue(context: RuleContext) -> Iterator[Hit]:
    """An open or in-progress action is not past its due date.

    Why: an action item is a commitment with one owner and a due date (rca.md section 5); one
    past due is a fix that has not happened, so the failure can recur. Finish it, or agree a new
    date and record it. Checks every incident and near-miss, open or closed; an action without
    `due` is not checked. An action marked done with a `completed` day after today was still
    in progress on that day, as every command counts it (`riskctl.asof`).
    Fires:   `due: 2026-11-26`, `status: open`, checked on 2026-11-27
    Passes:  `due: 2026-11-27` (due today); `due: 2026-11-01`, `status: done`
    """
    for incident, record in _incidents(context, as_of=True):
        for index, action in _actions(incident):
            if is_overdue(action, context.today):
                assert action.due is not None
                late = (context.today - action.due).days
                yield Hit(
                    context.where(record, "actions", index, "due"),
                    f"{incident.id} action {action.id} ({action.status}, owner "
                    f"{action.owner or 'none'}) was due {action.due}, {late} "
                    f"day{'s' if late != 1 else ''} before {context.today}",
                )


@rule("RK605", "near-miss-without-barrier", default=Severity.WARNING)
def near_miss_without_barrier(context: RuleContext) -> Iterator[Hit]:
    """A near-miss records the barrier that held.

    Why: in the Swiss-cheese view a near-miss is an incident whose last layer held (rca.md
    section 6); that barrier is what the register learns from: evidence that a control operates,
    and the one thing between the organisation and the `potential_severity`.
    Reported at the top mapping when `barrier_that_held` is missing, else at its blank value.
    Fires:   `kind: near-miss` without `barrier_that_held`, or with a blank one
    Passes:  `barrier_that_held: Purchase velocity limits (C-001)`; `kind: incident` without it
    """
    for incident, record in _incidents(context):
        if incident.kind != "near-miss":
            continue
        if incident.barrier_that_held is None:
            yield Hit(
                context.where(record),
                f"{incident.id} is a near-miss without `barrier_that_held`: what stopped it?",
            )
        elif not incident.barrier_that_held.strip():
            yield Hit(
                context.where(record, "barrier_that_held"),
                f"{incident.id} is a near-miss with a blank `barrier_that_held`: what stopped it?",
            )


def _relied_on(control: Control, context: RuleContext) -> bool:
    """Whether a risk linking the control gets residual credit from it, incidents aside."""
    scoring = context.config.scoring
    credit, _reason = control_credit(
        control, "residual", scoring.credits, untested_cap=scoring.untested_cap
    )
    return credit > 0 and control.reduces is not None


@rule("RK606", "reassess-after-incident", default=Severity.WARNING)
def reassess_after_incident(context: RuleContext) -> Iterator[Hit]:
    """A risk is reviewed after every incident that names a control it relies on as failed.

    Why: the risk's assessment credits the control; an incident or near-miss listing it in
    `failed_controls` is evidence against that credit, so the risk must be re-assessed (rca.md
    section 7). The finding stays until the risk's `reviewed` date is after the incident's
    `occurred` date. The scorer, for its part, stops crediting the control until it passes an
    operating test dated on or after the failure (see `riskctl score --explain`).
    A risk relies on a control when it links it and the control earns residual credit by its
    status and ratings (active or degraded, rated partially-effective or better, its latest
    operating test not failed, `reduces` set), whatever the incidents. One finding per risk and
    incident, naming the controls; reported at the risk's `reviewed`, or at its top mapping
    when it was never reviewed. Closed risks are skipped.
    Fires:   R-001 linking effective C-001, `reviewed: 2026-10-01`, and an incident of
             2026-10-01 listing C-001 in `failed_controls`
    Passes:  `reviewed: 2026-10-02`; or the failed control is planned, retired or ineffective
    """
    controls = context.register.by_id(Control)
    named_failed = {
        control_id
        for incident in context.register.by_id(Incident).values()
        for control_id in incident.failed_controls
    }
    relied_on = {  # each failed control judged once, however many incidents name it
        control_id
        for control_id in named_failed
        if control_id in controls and _relied_on(controls[control_id], context)
    }
    failing: dict[str, list[Incident]] = {}  # control id -> incidents naming it, oldest first
    for incident in sorted(
        (each for each in context.register.by_id(Incident).values() if each.failed_controls),
        key=lambda incident: (incident.occurred, incident.id),
    ):
        for control_id in dict.fromkeys(incident.failed_controls):
            if control_id in relied_on:
                failing.setdefault(control_id, []).append(incident)
    for risk_id, risk in sorted(context.register.by_id(Risk).items()):
        if risk.status != "open" or failing.keys().isdisjoint(risk.controls):
            continue
        record = context.register.record("risk", risk_id)
        if record is None:
            continue
        named: dict[str, tuple[Incident, list[str]]] = {}
        for control_id in sorted(set(risk.controls) & failing.keys()):
            for incident in failing[control_id]:
                if risk.reviewed is None or risk.reviewed <= incident.occurred:
                    named.setdefault(incident.id, (incident, []))[1].append(control_id)
        for incident, failed in sorted(
            named.values(), key=lambda pair: (pair[0].occurred, pair[0].id)
        ):
            yield Hit(
                context.where(record, "reviewed") if risk.reviewed else context.where(record),
                f"{risk.id} relies on {_and_list(failed)}, which failed in {incident.id} "
                f"({incident.occurred}); re-assess the risk: "
                + (
                    f"last reviewed {risk.reviewed}, not after the incident"
                    if risk.reviewed
                    else "never reviewed"
                ),
            )


@rule("RK607", "incident-dated-in-the-future", default=Severity.NOTE, date_dependent=True)
def incident_dated_in_the_future(context: RuleContext) -> Iterator[Hit]:
    """An incident's dates (occurred, resolved, an action's completed) are not after today.

    Why: each date records something that happened; one after today has not happened yet, so
    every command that computes reads the incident as it stood on `--now`: not occurred yet (left
    out, with its actions), not resolved yet (open), or an action not completed yet (in
    progress). A note: check the date. Reported at the date.
    Fires:   `occurred: 2026-11-28`, `resolved: 2026-11-28`, or an action `completed:
             2026-11-28`, checked on 2026-11-27
    Passes:  the same incident checked on 2026-11-28
    """
    for record, later in dated_after_today(context, "incident"):
        what = "occurred" if later.path == ("occurred",) else f"{later.what} is dated"
        yield Hit(
            context.where(record, *later.path),
            f"{later.entity} {what} {later.date}, after today ({context.today}): not counted "
            "until then",
        )


@rule("RK608", "action-completed-but-unfinished")
def action_completed_but_unfinished(context: RuleContext) -> Iterator[Hit]:
    """An action with a `completed` day is done or cancelled.

    Why: `completed` is the day an action was finished (done) or dropped (cancelled); on an
    open or in-progress action it contradicts the status, and a reader cannot tell whether the
    fix happened. Set the status to done (or cancelled), or remove `completed`. Reported at
    `completed`.
    Fires:   an action `{status: in-progress, completed: 2026-11-20}`; one with no `status:`
             (open) and `completed:`
    Passes:  `{status: done, completed: 2026-11-20}`; `{status: open}` with no `completed`
    """
    for incident, record in _incidents(context):
        for index, action in enumerate(incident.actions):
            if action.completed is not None and is_unfinished(action):
                yield Hit(
                    context.where(record, "actions", index, "completed"),
                    f"{incident.id} action {action.id} is {action.status} but has completed: "
                    f"{action.completed}; mark it done or cancelled, or remove completed",
                )
