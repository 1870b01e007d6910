"""`riskctl due`: everything that falls due, or is overdue, as of a day, by owner.

Seven kinds of item, each dated by the same function lint uses, so that `due` and lint never
disagree (an item is overdue exactly when its lint rule fires on that day):

| kind           | due date                                                  | lint  |
|----------------|-----------------------------------------------------------|-------|
| `review`       | an open risk's next review, `RiskScore.next_review`       | RK208 |
| `acceptance`   | an acceptance's `expires` (its last day)                  | RK401 |
| `action`       | an open or in-progress incident action's `due`            | RK604 |
| `premortem`    | a launch's `launch_date`, for a failure mode of action    | RK701 |
|                | priority H with neither an action nor a justification     |       |
| `observation`  | a KRI's next observation: latest + period + grace         | RK502 |
| `control-test` | a key control's next operating test: latest + window      | RK301 |
| `monitoring`   | a launch monitoring window's `until`, not yet reviewed    | RK703 |

Rule options (RK301 `window_days`, RK403 `notice_days`, RK502 `grace_days`) are read the way
lint reads them. Something never done (a risk never reviewed, a KRI never observed, a key
control never tested) has no due date and is overdue. A pre-mortem item is the AIAG-VDA rule
that an H failure mode gets an action or a justification; lint reports it whatever the date
(RK701, an error), `due` puts it on the calendar at the launch date, when it is too late.

As in lint, a rule turned off in riskctl.yaml (`lint: rules: {RK502: off}`) takes its kind off
the calendar, and a waiver of the rule on an entity (with a reason, not expired) takes that
entity's item off.

Status: `overdue` after the due date, `due-today` on it, `upcoming` before it; upcoming items
are listed within `within` days. An item overdue by more than `due: escalate_after_days`
(riskctl.yaml, default 14; an undated overdue item always) names the owner's `escalation`.

The register is taken as of `today` (`riskctl.asof.as_of`): a record dated after it had not
happened yet, so a control test, an observation, an action's completion or a monitoring review
dated later does not count. Lint checks the files as written; on a register with no record
dated after `today`, the two agree item for item.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from riskctl.asof import AsOf, LeftOut, as_of
from riskctl.errors import RiskctlError
from riskctl.findings import DataPath, Hit, Where
from riskctl.incidents import is_unfinished
from riskctl.kri.status import observation_due
from riskctl.lint.engine import is_waived, severities
from riskctl.lint.rules import RuleContext, all_rules
from riskctl.lint.rules.acceptances import ExpiringSoonOptions
from riskctl.lint.rules.controls import TestWindowOptions
from riskctl.lint.rules.kris import ObservationMissingOptions
from riskctl.model.acceptance import Acceptance
from riskctl.model.control import Control
from riskctl.model.incident import Incident
from riskctl.model.kri import Kri
from riskctl.model.launch import Launch
from riskctl.model.owner import Owner
from riskctl.model.register import Register
from riskctl.model.risk import Risk
from riskctl.premortem import is_review_pending, needs_response, rate, table_in_force
from riskctl.score.residual import is_key_in_operation, operating_test_due, score_register
from riskctl.score.treatment import is_in_renewal_notice

Kind = Literal[
    "review", "acceptance", "action", "premortem", "observation", "control-test", "monitoring"
]
#: Every kind, in the order items of one day are listed.
KINDS: tuple[Kind, ...] = (
    "review",
    "acceptance",
    "action",
    "premortem",
    "observation",
    "control-test",
    "monitoring",
)
Status = Literal["overdue", "due-today", "upcoming"]
STATUSES: tuple[Status, ...] = ("overdue", "due-today", "upcoming")
#: The lint rule that reports each kind overdue: turned off in riskctl.yaml, or waived on an
#: entity (a waiver with a reason, not expired), it takes the kind or the item off the calendar.
RULE_OF_KIND: dict[Kind, str] = {
    "review": "RK208",
    "acceptance": "RK401",
    "action": "RK604",
    "premortem": "RK701",
    "observation": "RK502",
    "control-test": "RK301",
    "monitoring": "RK703",
}
#: `--within` by default: two weeks ahead.
DEFAULT_WITHIN_DAYS = 14


@dataclass(frozen=True)
class DueItem:
    """One thing that falls due: what, where, when, whose."""

    kind: Kind
    entity: str
    """The entity's id: R-001, ACC-002, INC-2026-038, LAUNCH-001, KRI-003, C-012."""
    subject: str
    """The part of the entity: an action's id, a failure mode's id, the KRI a launch monitors;
    empty for the entity itself."""
    file: str
    """The entity's file, relative to the register."""
    path: DataPath
    """Where the due date (or what is missing) is in the file."""
    title: str
    """Register text naming it: the risk's, action's, KRI's, control's or launch's title."""
    what: str
    """What is due, in riskctl's words."""
    due: datetime.date | None
    """The due date; None for something never done (overdue)."""
    days: int | None
    """Days from today to the due date: negative when overdue; None without a due date."""
    status: Status
    owner: str | None
    """Who acts: the entity's owner (an incident action's own `owner` first; an acceptance's
    risk's owner, who prepares the renewal, else its approver)."""
    escalate_to: str | None
    """The owner's `escalation`, when the item is overdue by more than the threshold."""

    @property
    def is_escalated(self) -> bool:
        """Whether the item names the owner's escalation."""
        return self.escalate_to is not None

    def sort_key(self) -> tuple[int, datetime.date, int, str, str]:
        """Overdue first (never done before any date), then by date, kind, id."""
        return (
            0 if self.due is None else 1,
            self.due or datetime.date.min,
            KINDS.index(self.kind),
            self.entity,
            self.subject,
        )


@dataclass(frozen=True)
class OwnerGroup:
    """One owner's items, with whom they escalate to."""

    owner: str | None
    """The owner id; None for items nobody owns."""
    name: str | None
    """The owner's name; None when the owner is not in the register."""
    escalation: str | None
    escalation_name: str | None
    items: tuple[DueItem, ...]


@dataclass(frozen=True)
class DueReport:
    """Everything due as of a day, by owner."""

    today: datetime.date
    within: int
    escalate_after_days: int
    owner: str | None
    """`--owner`: the owner asked about (their items and those escalated to them)."""
    groups: tuple[OwnerGroup, ...]
    left_out: tuple[LeftOut, ...]
    """Records dated after `today`, not counted."""

    @property
    def items(self) -> tuple[DueItem, ...]:
        """Every item, group by group."""
        return tuple(item for group in self.groups for item in group.items)

    def count(self, status: Status) -> int:
        """How many items have this status."""
        return sum(1 for item in self.items if item.status == status)

    @property
    def has_overdue(self) -> bool:
        """Whether anything is overdue (`--fail-overdue`)."""
        return self.count("overdue") > 0


def due(
    register: Register,
    today: datetime.date,
    within: int = DEFAULT_WITHIN_DAYS,
    owner: str | None = None,
    past: AsOf | None = None,
) -> DueReport:
    """What falls due within `within` days of `today`, or is overdue, grouped by owner.

    `owner` keeps that owner's items and the items escalated to them; an owner that neither the
    register has nor any item names (a risk may name an owner whose file is missing: its items
    are listed under it) is a `RiskctlError` (with the nearest ids). A scoring method that
    cannot be used is a `RiskctlError` too: review dates come from it. `past` is `register` as
    of `today` when the caller read it so (`cli._common.load_as_of`); computed otherwise.
    """
    owners = register.by_id(Owner)
    if past is None:
        past = as_of(register, today)
    found = list(_items(past.register, today, register))
    if owner is not None and owner not in owners and all(item.owner != owner for item in found):
        close = difflib.get_close_matches(owner, list(owners), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        known = ", ".join(sorted(owners)) or "none"
        raise RiskctlError(f"no owner {owner!r} in the register{hint} (owners: {known})")
    threshold = register.config.due.escalate_after_days
    rules = all_rules()
    levels = severities(register.config, rules)
    entity_of_file = {record.file: record.entity for record in past.register.records}
    items = []
    for item in found:
        if item.status == "upcoming" and item.days is not None and item.days > within:
            continue
        rule = rules[RULE_OF_KIND[item.kind]]
        hit = Hit(Where(item.file, item.path), item.what)
        if levels[rule.code] is None or is_waived(hit, rule, entity_of_file, today):
            continue  # as lint: a rule turned off, or waived on the entity, reports nothing
        escalate_to = _escalation(item, owners, threshold)
        if owner is not None and owner not in (item.owner, escalate_to):
            continue
        items.append(_with_escalation(item, escalate_to))
    return DueReport(
        today=today,
        within=within,
        escalate_after_days=threshold,
        owner=owner,
        groups=_groups(items, owners),
        left_out=past.left_out,
    )


def _escalation(item: DueItem, owners: Mapping[str, Owner], threshold: int) -> str | None:
    """The owner's escalation, for an item overdue by more than `threshold` days (or undated)."""
    if item.status != "overdue" or item.owner is None:
        return None
    if item.days is not None and -item.days <= threshold:
        return None
    found = owners.get(item.owner)
    return found.escalation if found is not None else None


def _with_escalation(item: DueItem, escalate_to: str | None) -> DueItem:
    return item if escalate_to is None else dataclasses.replace(item, escalate_to=escalate_to)


def _groups(items: list[DueItem], owners: Mapping[str, Owner]) -> tuple[OwnerGroup, ...]:
    """Items by owner: owners in id order, items nobody owns last; each group's items sorted."""
    by_owner: dict[str | None, list[DueItem]] = {}
    for item in items:
        by_owner.setdefault(item.owner, []).append(item)
    groups = []
    for owner_id in sorted(by_owner, key=lambda each: (each is None, each or "")):
        found = owners.get(owner_id) if owner_id is not None else None
        escalation = found.escalation if found is not None else None
        above = owners.get(escalation) if escalation is not None else None
        groups.append(
            OwnerGroup(
                owner=owner_id,
                name=found.name if found is not None else None,
                escalation=escalation,
                escalation_name=above.name if above is not None else None,
                items=tuple(sorted(by_owner[owner_id], key=DueItem.sort_key)),
            )
        )
    return tuple(groups)


def _status(due_date: datetime.date | None, today: datetime.date) -> tuple[int | None, Status]:
    if due_date is None:
        return None, "overdue"
    days = (due_date - today).days
    return days, "overdue" if days < 0 else "due-today" if days == 0 else "upcoming"


def _item(
    kind: Kind,
    entity: str,
    subject: str,
    file: str,
    path: DataPath,
    title: str,
    what: str,
    due_date: datetime.date | None,
    owner: str | None,
    today: datetime.date,
) -> DueItem:
    days, status = _status(due_date, today)
    return DueItem(
        kind, entity, subject, file, path, title, what, due_date, days, status, owner, None
    )


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _items(register: Register, today: datetime.date, written: Register) -> Iterator[DueItem]:
    """Every dated thing of the register as of `today`, whatever its date; `written` is the
    register as its files are, for positions (lint reports there)."""
    context = RuleContext(register=register, raw={}, load_hits=(), today=today, rules=all_rules())
    yield from _reviews(register, today)
    yield from _acceptances(register, today, context)
    yield from _actions(register, today)
    yield from _premortems(register, today)
    yield from _observations(register, today, context, written)
    yield from _control_tests(register, today, context, written)
    yield from _monitoring(register, today)


def _reviews(register: Register, today: datetime.date) -> Iterator[DueItem]:
    """RK208: an open risk's next review; never reviewed is overdue."""
    for score in score_register(register).risks:
        risk = score.risk
        record = register.record("risk", risk.id)
        if record is None or risk.status != "open":
            continue
        cadence = f"every {_plural(score.review_days, 'day')} at residual {score.residual.level}"
        path: DataPath
        if risk.reviewed is None:
            what, path = f"risk review: never reviewed ({cadence})", ()
        else:
            what, path = f"risk review ({cadence}; last {risk.reviewed})", ("reviewed",)
        yield _item(
            "review", risk.id, "", record.file, path, risk.title, what, score.next_review,
            risk.owner, today,
        )  # fmt: skip


def _acceptances(
    register: Register, today: datetime.date, context: RuleContext
) -> Iterator[DueItem]:
    """RK401 and RK403: an acceptance's last day; after it, expired and overdue."""
    notice = context.options("RK403", ExpiringSoonOptions).notice_days
    risks = register.by_id(Risk)
    for record in register.records:
        acceptance = record.entity
        if not isinstance(acceptance, Acceptance) or acceptance.expires is None:
            continue  # no expiry is RK402's finding, not a date
        risk = risks.get(acceptance.risk)
        in_notice = is_in_renewal_notice(acceptance, today, notice)
        what = (
            f"acceptance of {acceptance.risk} "
            + ("expired: renew it with a new decision or treat the risk"
               if acceptance.expires < today else "expires: renew or close it")
            + f" (approver {acceptance.approver}"
            + (f"; in its {notice}-day notice period" if in_notice else "")
            + ")"
        )  # fmt: skip
        yield _item(
            "acceptance", acceptance.id, "", record.file, ("expires",),
            risk.title if risk is not None else "", what, acceptance.expires,
            risk.owner if risk is not None else acceptance.approver, today,
        )  # fmt: skip


def _actions(register: Register, today: datetime.date) -> Iterator[DueItem]:
    """RK604: an open or in-progress action with a due date."""
    for record in register.records:
        incident = record.entity
        if not isinstance(incident, Incident):
            continue
        for index, action in enumerate(incident.actions):
            if not is_unfinished(action) or action.due is None:
                continue
            yield _item(
                "action", incident.id, action.id, record.file, ("actions", index, "due"),
                action.description, f"{incident.kind} action {action.id} ({action.status})",
                action.due, action.owner or incident.owner, today,
            )  # fmt: skip


def _launches(register: Register) -> Iterator[tuple[Launch, str]]:
    """Every launch that is not cancelled (as lint's RK7xx rules), with its file."""
    for record in register.records:
        if isinstance(record.entity, Launch) and record.entity.status != "cancelled":
            yield record.entity, record.file


def _premortems(register: Register, today: datetime.date) -> Iterator[DueItem]:
    """RK701: an H failure mode with no action and no justification is due by the launch."""
    table = table_in_force(register.config).table
    for launch, file in _launches(register):
        for index, mode in enumerate(launch.failure_modes):
            if not needs_response(rate(mode, index, table)):
                continue
            what = (
                f"pre-mortem: {mode.id} has action priority H (S {mode.severity}, "
                f"O {mode.occurrence}, D {mode.detection}); add actions or a justification "
                f"before the launch ({launch.status})"
            )
            yield _item(
                "premortem", launch.id, mode.id, file, ("failure_modes", index), launch.title,
                what, launch.launch_date, launch.owner, today,
            )  # fmt: skip


def _observations(
    register: Register, today: datetime.date, context: RuleContext, written: Register
) -> Iterator[DueItem]:
    """RK502: a KRI's next observation, latest + period + grace; none at all is overdue.

    Placed at the latest observation's date in the file (`written`: observations dated after
    today may come before it there), as RK502 places it.
    """
    grace = context.options("RK502", ObservationMissingOptions).grace_days
    in_file = {record.file: record.entity for record in written.records}
    for record in register.records:
        kri = record.entity
        if not isinstance(kri, Kri):
            continue
        expected = observation_due(kri, today, grace)
        path: DataPath
        cadence = f"{kri.frequency}: every {_plural(expected.period, 'day')} + {grace} grace"
        if expected.latest is None:
            what, path = f"KRI observation: none yet ({cadence})", ("observations",)
        else:
            what = f"next KRI observation ({cadence}; last {expected.latest.date})"
            as_written = in_file[record.file]
            assert isinstance(as_written, Kri)  # as_of keeps the observation objects it keeps
            index = next(
                i for i, each in enumerate(as_written.observations) if each is expected.latest
            )
            path = ("observations", index, "date")
        yield _item(
            "observation", kri.id, "", record.file, path, kri.title, what, expected.due,
            kri.owner, today,
        )  # fmt: skip


def _control_tests(
    register: Register, today: datetime.date, context: RuleContext, written: Register
) -> Iterator[DueItem]:
    """RK301: a key control's next operating test, latest + window; never tested is overdue.

    Placed at `tests` when the file has tests (even if all are dated after today), else at
    `key`, as RK301 places it.
    """
    windows = context.options("RK301", TestWindowOptions).window_days
    with_tests = {
        record.file
        for record in written.records
        if isinstance(record.entity, Control) and record.entity.tests
    }
    for record in register.records:
        control = record.entity
        if not isinstance(control, Control) or not is_key_in_operation(control):
            continue
        expected = operating_test_due(control, windows, today)
        window = f"every {_plural(expected.window, 'day')}"
        if expected.latest is None:
            what = f"key control operating test: never tested ({window})"
        else:
            what = f"key control operating test ({window}; last {expected.latest.date})"
        yield _item(
            "control-test", control.id, "", record.file,
            ("tests" if record.file in with_tests else "key",),
            control.title, what, expected.due, control.owner, today,
        )  # fmt: skip


def _monitoring(register: Register, today: datetime.date) -> Iterator[DueItem]:
    """RK703: a monitoring window not yet reviewed is due on its last day."""
    for launch, file in _launches(register):
        for index, entry in enumerate(launch.monitoring):
            if not is_review_pending(entry):
                continue
            reviewed = f"; last reviewed {entry.reviewed}" if entry.reviewed else ""
            what = (
                f"monitoring of {entry.kri} ends: review it (re-rate O and D, then close or "
                f"convert the failure modes{reviewed})"
            )
            yield _item(
                "monitoring", launch.id, entry.kri, file, ("monitoring", index, "until"),
                launch.title, what, entry.until, launch.owner, today,
            )  # fmt: skip
