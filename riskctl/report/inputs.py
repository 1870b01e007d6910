"""Read what a review needs: the register, the comparison with the last review, month-ends.

The one place the reports touch files and git, through `load` and `gitio`; everything after is
pure (`report/reviews.py`). One `ParseCache` is shared by every read, so a file that is the same
at several commits (or in the working tree) is parsed once.

The last review is `--since` when given (an error is the user's to fix: exit 3), else the most
recent `wbr-*` (or `mbr-*`) tag reachable from the reviewed revision (`--rev`, else `HEAD`).
Without such a tag, or outside a git repository, the review says so instead of failing.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from riskctl.diff import diff_registers
from riskctl.errors import RiskctlError
from riskctl.gitio import (
    Repository,
    check_revision,
    read_diff_sides,
    shallow_hint,
    sources_at,
    sources_at_moments,
)
from riskctl.load import ParseCache, Sources, load, read_directory
from riskctl.report.periods import month_ends_before
from riskctl.report.reviews import TREND_MONTH_ENDS, Comparison, Kind, MonthEnd, Review
from riskctl.score.residual import score_register


def read_review(
    path: Path,
    revision: str | None,
    since: str | None,
    kind: Kind,
    today: datetime.date,
) -> Review:
    """Load the register (at `revision`, or the working tree), compare it with the last review,
    and, for the MBR, read the register at each of the last 12 month-ends."""
    cache: ParseCache = {}
    sources = sources_at(path, revision) if revision is not None else read_directory(path)
    register = load(sources, cache).register
    card = score_register(register)
    comparison, no_comparison = _compare(path, revision, since, kind, today, cache)
    month_ends: tuple[MonthEnd, ...] = ()
    if kind == "mbr":
        month_ends = (
            *_month_ends(path, revision, today, cache),
            MonthEnd(today, True, card, None, None),
        )
    return Review(
        kind=kind,
        register=register,
        card=card,
        source=path.as_posix() + (f" at {revision}" if revision else ""),
        reviewed="the working tree" if revision is None else revision,
        comparison=comparison,
        no_comparison=no_comparison,
        month_ends=month_ends,
    )


def _compare(
    path: Path,
    revision: str | None,
    since: str | None,
    kind: Kind,
    today: datetime.date,
    cache: ParseCache,
) -> tuple[Comparison | None, str | None]:
    """The comparison with the last review, or why there is none."""
    reviewed = revision or "HEAD"
    if since is not None:
        check_revision(since)
        return _comparison(path, since, since, False, revision, today, cache), None
    try:
        repository = Repository(path if path.exists() else path.parent)
        tag = repository.latest_tag(f"{kind}-*", repository.resolve(reviewed))
    except RiskctlError as error:
        return None, f"No `{kind}-*` tag could be looked up ({error})"
    if tag is None:
        cut_off = f" in this clone: {shallow_hint()}" if repository.is_shallow() else ""
        return None, f"No `{kind}-*` tag is reachable from {reviewed}{cut_off}"
    try:
        return _comparison(path, tag.commit, tag.name, True, revision, today, cache), None
    except RiskctlError as error:
        return None, f"The changes since the tag {tag.name} could not be read ({error})"


def _comparison(
    path: Path,
    first: str,
    named: str,
    by_tag: bool,
    revision: str | None,
    today: datetime.date,
    cache: ParseCache,
) -> Comparison:
    sides = read_diff_sides(path, first, revision)
    old = load(sides.old, cache).register
    new = load(sides.new, cache).register
    diff = diff_registers(old, new, today, sides.old_ref, sides.new_ref)
    repository = Repository(path if path.exists() else path.parent)
    since_date = repository.commit(sides.old_ref).date.astimezone(datetime.UTC).date()
    return Comparison(
        since=named,
        by_tag=by_tag,
        since_commit=sides.old_ref,
        since_date=since_date,
        new_ref=sides.new_ref,
        diff=diff,
        old=old,
        new=new,
    )


def _month_ends(
    path: Path, revision: str | None, today: datetime.date, cache: ParseCache
) -> list[MonthEnd]:
    """The register's scores at each of the last 12 month-ends before `today`'s month.

    Each month-end reads the last commit of the first-parent history of the reviewed revision
    (`HEAD` for the working tree) dated on or before 23:59:59 UTC that day. A month-end before
    the first commit, or outside a git repository, has no data.
    """
    days = month_ends_before(today, TREND_MONTH_ENDS)
    moments = [
        datetime.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=datetime.UTC)
        for day in days
    ]
    try:
        found = sources_at_moments(path, revision or "HEAD", moments)
    except RiskctlError as error:
        return [MonthEnd(day, False, None, None, str(error)) for day in days]
    cut_off = None  # in a shallow clone, "before the first commit" may only be the clone's
    is_missing = any(at.commit is None for at in found)
    if is_missing and Repository(path if path.exists() else path.parent).is_shallow():
        cut_off = f"not in this clone: {shallow_hint()}"
    points = []
    for day, at in zip(days, found, strict=True):
        commit = at.commit.id if at.commit else None
        if at.sources is None:
            problem = cut_off if commit is None and cut_off else at.problem
            points.append(MonthEnd(day, False, None, commit, problem))
            continue
        points.append(_scored(day, at.sources, commit, cache))
    return points


def _scored(
    day: datetime.date, sources: Sources, commit: str | None, cache: ParseCache
) -> MonthEnd:
    try:
        card = score_register(load(sources, cache).register)
    except RiskctlError as error:
        first = str(error).splitlines()[0]
        return MonthEnd(day, False, None, commit, f"unreadable: {first}")
    return MonthEnd(day, False, card, commit, None)
