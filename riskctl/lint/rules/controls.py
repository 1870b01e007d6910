"""RK3xx: controls and their testing (rcm.md: the Risk Control Matrix, PCAOB AS 2201)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from riskctl.findings import Hit, Severity
from riskctl.lint.rules import RuleContext, dated_after_today, records, rule
from riskctl.model.common import MAX_COUNT, DayCount
from riskctl.model.control import Control, Frequency
from riskctl.model.register import Record
from riskctl.model.risk import Risk
from riskctl.score.residual import (
    DEFAULT_TEST_WINDOW_DAYS,
    is_key_in_operation,
    latest_test,
    operating_test_due,
    untested_ratings,
)

SampleSize = Annotated[int, Field(ge=1, le=MAX_COUNT, strict=True)]
#: A control without `frequency` is tested at least annually.
DEFAULT_WINDOW_DAYS = DEFAULT_TEST_WINDOW_DAYS


def _controls(context: RuleContext, *, as_of: bool = False) -> Iterator[tuple[Control, Record]]:
    """Every valid control file (duplicates included) with its record, in file order; `as_of`:
    as it stood on today (`riskctl.asof`: tests dated after today left out, as the scorer
    leaves them out)."""
    for record in records(context.as_of.register if as_of else context.register, "control"):
        if isinstance(record.entity, Control):
            yield record.entity, record


def _every_frequency(days: int) -> dict[Frequency, int]:
    return dict.fromkeys(get_args(Frequency), days)


class TestWindowOptions(BaseModel):
    """Options of RK301 key-control-untested."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    window_days: dict[Frequency, DayCount] = Field(
        default_factory=lambda: _every_frequency(DEFAULT_WINDOW_DAYS)
    )
    """Days an operating test stays current, by the control's frequency (365 when unset)."""


@rule("RK301", "key-control-untested", options=TestWindowOptions, date_dependent=True)
def key_control_untested(context: RuleContext) -> Iterator[Hit]:
    """A key control in operation has an operating test within its testing window.

    Why: a key control is relied on to address the risk, so its operation must be evidenced
    every test cycle: PCAOB AS 2201 tests operating effectiveness each year. Without a recent
    test, its effectiveness rating is an opinion.
    Checks key controls with status active or degraded. Any operating test dated within the
    window before today counts, whatever its result (a failed one is RK302's business).
    Options: `window_days`, days by frequency (default 365 for every frequency; a frequency
    left out, or a control without frequency, uses 365), e.g. `{quarterly: 100}`.
    Reported at `tests` when the control has tests, else at `key`.
    Fires:   `key: true`, latest operating test 2025-11-26, checked on 2026-11-27
    Passes:  an operating test on 2025-11-27 (365 days before); a non-key or planned control
    """
    options = context.options("RK301", TestWindowOptions)
    for control, record in _controls(context):
        if not is_key_in_operation(control):
            continue
        expected = operating_test_due(control, options.window_days, context.today)
        window, latest = expected.window, expected.latest
        if expected.due is not None and context.today <= expected.due:
            continue
        last = f"last on {latest.date}" if latest is not None else "never tested"
        yield Hit(
            context.where(record, "tests" if control.tests else "key"),
            f"{control.id} is a key control with no operating test in the {window} days "
            f"before {context.today} ({last})",
        )


@rule("RK302", "effective-despite-failed-test", as_of=True)
def effective_despite_failed_test(context: RuleContext) -> Iterator[Hit]:
    """A control rated operating-effective has not failed its latest operating test.

    Why: the rating earns residual credit that the evidence does not support (the credit model
    gives a control whose latest operating test failed no credit at all, so the rating also
    misleads whoever reads the file). Retired controls are skipped. The latest test is the
    latest dated on or before today: one dated later has not happened yet (RK306).
    Fires:   `operating: effective` (or `partially-effective`), and the latest operating test
             has `result: fail`
    Passes:  `operating: ineffective`; or a later operating test that passed
    """
    for control, record in _controls(context, as_of=True):
        operating = control.effectiveness.operating
        latest = latest_test(control, "operating")
        if (
            control.status != "retired"
            and operating in ("effective", "partially-effective")
            and latest is not None
            and latest.result == "fail"
        ):
            yield Hit(
                context.where(record, "effectiveness", "operating"),
                f"{control.id} is rated operating {operating} but failed its latest operating "
                f"test on {latest.date}",
            )


SampleRow = Literal[
    "continuous",
    "multiple-daily",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "annual",
    "event-driven",
    "automated",
]
#: Minimum sample per operating test by frequency, and `automated` for any automated control
#: (rcm.md section 6; a practitioner convention). Continuous and event-driven have no row.
DEFAULT_MINIMUM: dict[SampleRow, int] = {
    "annual": 1,
    "quarterly": 2,
    "monthly": 2,
    "weekly": 5,
    "daily": 20,
    "multiple-daily": 25,
    "automated": 1,
}


class SampleSizeOptions(BaseModel):
    """Options of RK303 sample-size-below-convention."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    minimum: dict[SampleRow, SampleSize] = Field(default_factory=lambda: dict(DEFAULT_MINIMUM))
    """Minimum sample by frequency, plus `automated`; merged over the default table."""


@rule("RK303", "sample-size-below-convention", options=SampleSizeOptions)
def sample_size_below_convention(context: RuleContext) -> Iterator[Hit]:
    """An operating test inspects at least the conventional sample for the control's frequency.

    Why: a sample smaller than the convention cannot show that the control operated throughout
    the period. No primary source fixes the sizes: rcm.md section 6 records the practitioner
    convention riskctl ships as a default (annual 1, quarterly 2, monthly 2, weekly 5, daily 20,
    multiple-daily 25; an automated control 1, a "test of one", whatever its frequency).
    Continuous and event-driven controls have no row and are not checked unless configured.
    Options: `minimum`, by frequency plus `automated`, e.g. `{daily: 25, event-driven: 10}`;
    the entries given replace those rows of the default table, the others keep their default.
    Every operating test is checked (each is evidence), not only the latest; a test without
    `sample_size` is not. Retired controls are skipped.
    Fires:   a manual daily control with an operating test of `sample_size: 10`
    Passes:  `sample_size: 20`; `sample_size: 1` on an automated daily control
    """
    configured = context.options("RK303", SampleSizeOptions).minimum
    table = {**DEFAULT_MINIMUM, **configured}
    for control, record in _controls(context):
        if control.status == "retired":
            continue
        row: SampleRow | None = (
            "automated" if control.automation == "automated" else control.frequency
        )
        minimum = table.get(row) if row is not None else None
        if minimum is None:
            continue
        for index, test in enumerate(control.tests):
            if (
                test.type == "operating"
                and test.sample_size is not None
                and test.sample_size < minimum
            ):
                yield Hit(
                    context.where(record, "tests", index, "sample_size"),
                    f"{control.id} operating test on {test.date} sampled {test.sample_size}; "
                    f"the convention for {row} controls is at least {minimum}",
                )


@rule("RK304", "credited-control-without-reduces", default=Severity.WARNING)
def credited_control_without_reduces(context: RuleContext) -> Iterator[Hit]:
    """A control that an open risk relies on says which dimension it reduces.

    Why: the credit model applies a control's credit to the dimension named by `reduces`
    (likelihood, impact or both); without it the control earns nothing, in the residual or
    the projected tier, however effective it is.
    Checks active, degraded and planned controls linked from at least one open risk; reported
    at the control's top mapping.
    Fires:   C-002, planned, linked from open R-001, without `reduces:`
    Passes:  `reduces: impact`; or the same control linked only from a closed risk
    """
    linked: dict[str, set[str]] = {}
    for risk in context.register.by_id(Risk).values():
        if risk.status == "open":
            for control_id in risk.controls:
                linked.setdefault(control_id, set()).add(risk.id)
    for control, record in _controls(context):
        risks = linked.get(control.id)
        if risks and control.reduces is None and control.status != "retired":
            yield Hit(
                context.where(record),
                f"{control.id} ({control.status}) is linked from {', '.join(sorted(risks))} but "
                "has no `reduces:` (likelihood, impact or both), so it earns no credit",
            )


@rule("RK305", "effective-control-untested", as_of=True)
def effective_control_untested(context: RuleContext) -> Iterator[Hit]:
    """A control rated effective or partially-effective has a test of that type on record.

    Why: design and operating effectiveness are each concluded from a test (PCAOB AS 2201;
    rcm.md): a rating with no design (or operating) test in `tests` is an opinion, yet it earns
    residual credit. The scorer caps such a control's credit at `scoring.untested_cap` in
    riskctl.yaml (default 0.3, the partially-effective credit; see `riskctl score --explain`).
    Any test of the type dated on or before today counts, whatever its result (RK301 and RK302
    judge those); one dated later has not happened yet (RK306). Retired controls are skipped.
    Reported at the rating: `effectiveness.design` or `effectiveness.operating`.
    Fires:   `effectiveness: {design: effective, operating: effective}` with only an operating
             test (at `design`); `operating: partially-effective` and no tests at all
    Passes:  a design and an operating test on record; `design: not-tested` with no design
             test; a retired control rated effective without tests
    """
    for control, record in _controls(context, as_of=True):
        if control.status == "retired":
            continue
        for kind in untested_ratings(control):
            rating = getattr(control.effectiveness, kind)
            yield Hit(
                context.where(record, "effectiveness", kind),
                f"{control.id} is rated {kind} {rating} but has no {kind} test on record; "
                f"record the test in `tests`, or rate it not-tested (until then it earns at "
                f"most {context.config.scoring.untested_cap:g} credit)",
            )


@rule("RK306", "control-test-in-the-future", default=Severity.NOTE, date_dependent=True)
def control_test_in_the_future(context: RuleContext) -> Iterator[Hit]:
    """A control test is not dated after today.

    Why: a test records evidence gathered; a test dated after today (a planned test entered
    early, or a typo such as 9999-12-01) has not happened yet, so every command that computes
    leaves it out as of `--now` (`riskctl score --explain` says so) until its day comes. A note,
    since a planned test may be entered early: check the date is the day it will take place.
    Reported at the test's `date`, for every control but retired ones.
    Fires:   `tests: [{date: 2026-11-28, type: operating, result: pass}]` checked on 2026-11-27
    Passes:  the same test checked on 2026-11-28
    """
    for record, later in dated_after_today(context, "control"):
        control = record.entity
        if isinstance(control, Control) and control.status != "retired":
            yield Hit(
                context.where(record, *later.path),
                f"{control.id} {later.what} is dated {later.date}, after today "
                f"({context.today}): not counted until then; record the date the test took place",
            )
