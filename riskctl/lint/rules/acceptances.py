"""RK4xx: acceptances, time-limited decisions to retain a risk as assessed (rcm.md section 7).

Every acceptance file is checked, whatever the state of its risk: the file is the record of the
decision. `acceptance_problem` says whether an acceptance is valid today; the scoring rules
(RK205, RK206) use it to decide whether a risk's `accept` treatment is backed.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field

from riskctl.findings import Hit, Severity
from riskctl.lint.rules import RuleContext, dated_after_today, records, rule
from riskctl.model.acceptance import Acceptance
from riskctl.model.common import MAX_DAYS
from riskctl.model.register import Record
from riskctl.score.treatment import is_expired, is_in_renewal_notice


def _acceptances(context: RuleContext) -> Iterator[tuple[Acceptance, Record]]:
    """Every valid acceptance file (duplicates included) with its record, in file order."""
    for record in records(context.register, "acceptance"):
        if isinstance(record.entity, Acceptance):
            yield record.entity, record


@rule("RK401", "acceptance-expired", date_dependent=True)
def acceptance_expired(context: RuleContext) -> Iterator[Hit]:
    """An acceptance has not expired.

    Why: an acceptance holds until its expiry; afterwards the risk is retained without anyone's
    approval, and must be re-approved (a new decision) or treated.
    Fires:   `expires: 2026-11-26` checked on 2026-11-27
    Passes:  `expires: 2026-11-27` checked on 2026-11-27 (the last day it holds)
    """
    for acceptance, record in _acceptances(context):
        if is_expired(acceptance, context.today):
            yield Hit(
                context.where(record, "expires"),
                f"{acceptance.id} of {acceptance.risk} expired on {acceptance.expires}; "
                "renew it with a new decision or treat the risk",
            )


@rule("RK402", "acceptance-without-expiry")
def acceptance_without_expiry(context: RuleContext) -> Iterator[Hit]:
    """An acceptance has an expiry date.

    Why: every acceptance is time-limited (rcm.md section 7, ISO/IEC 27001 6.1.3 f; CISO
    Assistant and Eramba expire them); an open-ended one is never looked at again. It does not
    count as a valid acceptance for RK205 and RK206 either.
    Fires:   an acceptance without `expires:` (reported at its top mapping)
    Passes:  `expires: 2027-03-31`
    """
    for acceptance, record in _acceptances(context):
        if acceptance.expires is None:
            yield Hit(
                context.where(record),
                f"{acceptance.id} of {acceptance.risk} has no expiry; "
                "every acceptance must say when it ends (`expires:`)",
            )


class ExpiringSoonOptions(BaseModel):
    """Options of RK403 acceptance-expiring-soon."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    notice_days: int = Field(default=30, ge=0, le=MAX_DAYS, strict=True)
    """Warn when an acceptance expires within this many days of today."""


@rule(
    "RK403",
    "acceptance-expiring-soon",
    default=Severity.NOTE,
    options=ExpiringSoonOptions,
    date_dependent=True,
)
def acceptance_expiring_soon(context: RuleContext) -> Iterator[Hit]:
    """An acceptance is not about to expire.

    Why: renewing an acceptance needs a new decision by the approver; a notice period leaves
    time to re-assess the risk before the acceptance lapses (rcm.md section 7: warn, for
    example, within 30 days). A note by default: a reminder, not a defect, so `--strict` CI
    does not fail for a month before every expiry (RK401 fails once it has expired).
    Options: `notice_days` (default 30).
    Fires:   today <= `expires` <= today + notice_days, e.g. `expires: 2026-12-27` (or
             `2026-11-27`) checked on 2026-11-27
    Passes:  `expires: 2026-12-28` checked on 2026-11-27 (31 days ahead); an expired acceptance
             (that is RK401)
    """
    notice = context.options("RK403", ExpiringSoonOptions).notice_days
    for acceptance, record in _acceptances(context):
        if acceptance.expires is not None and is_in_renewal_notice(
            acceptance, context.today, notice
        ):
            days = (acceptance.expires - context.today).days
            yield Hit(
                context.where(record, "expires"),
                f"{acceptance.id} of {acceptance.risk} expires on {acceptance.expires}, "
                f"in {days} days (notice: {notice} days); renew or close it before then",
            )


@rule("RK404", "acceptance-residual-changed", as_of=True)
def acceptance_residual_changed(context: RuleContext) -> Iterator[Hit]:
    """An acceptance's `residual_at_decision` is still the risk's residual.

    Why: the approver accepted the risk as it was assessed then; once the residual likelihood or
    impact changes (up or down), the decision covers a different risk and needs re-approval
    (rcm.md section 7, material change).
    Compares likelihood and impact with the risk's residual (its override, if any, else the
    computed one). Checked only when the acceptance records `residual_at_decision` and its risk
    exists and is scored (a usable scoring method).
    Fires:   `residual_at_decision: {likelihood: 2, impact: 3}` while the risk's residual is L3 I4
    Passes:  `residual_at_decision: {likelihood: 3, impact: 4}` with residual L3 I4; no
             `residual_at_decision`
    """
    for acceptance, record in _acceptances(context):
        decision = acceptance.residual_at_decision
        score = context.scores.get(acceptance.risk)
        if decision is None or score is None:
            continue
        now = score.residual
        if (decision.likelihood, decision.impact) != (now.likelihood, now.impact):
            yield Hit(
                context.where(record, "residual_at_decision"),
                f"{acceptance.id} was decided at residual L{decision.likelihood} "
                f"I{decision.impact}, but {acceptance.risk}'s residual is now L{now.likelihood} "
                f"I{now.impact} ({now.score} {now.level}); a material change needs re-approval",
            )


@rule("RK405", "acceptance-decided-in-the-future", default=Severity.NOTE, date_dependent=True)
def acceptance_decided_in_the_future(context: RuleContext) -> Iterator[Hit]:
    """An acceptance is not decided after today.

    Why: `decided` is the day the approver took the decision; before it there is no decision,
    so every command that computes leaves the acceptance out as of `--now` (the risk has no
    treatment plan from it) until that day. A note: an acceptance drafted ahead of its
    decision meeting is fine, a typo in the date is not. Reported at `decided`.
    Fires:   `decided: 2026-11-28` checked on 2026-11-27
    Passes:  the same acceptance checked on 2026-11-28
    """
    for record, later in dated_after_today(context, "acceptance"):
        yield Hit(
            context.where(record, *later.path),
            f"{later.entity} is decided {later.date}, after today ({context.today}): not "
            "counted until then",
        )
