"""Read what a review needs: the register, the comparison with the last review, month-ends.

The one place the reports read a register beyond the reviewed one, always through the
command's `RegisterSource` (`riskctl.source`), `diff_reads` and `load`; everything after is
pure (`report/review.py`, `wbr.py`, `mbr.py`). One `ParseCache` is shared by every read, so
a file that is the same at several commits (or in the working tree) is parsed once.

The last review is `--base` when given (an error is the user's to fix: exit 3), else the most
recent `wbr-*` (or `mbr-*`) tag reachable from the reviewed revision (`--rev`, else `HEAD`).
Without such a tag, or outside a git repository, the review says so instead of failing.
"""

from __future__ import annotations

import datetime

from riskctl.asof import as_of, read_as_of
from riskctl.diff import diff_registers
from riskctl.diff_reads import read_diff_sides
from riskctl.errors import RiskctlError
from riskctl.gitio import GIT_FAILURE, check_revision, shallow_hint
from riskctl.load import ParseCache, load
from riskctl.quant.inputs import refuse_unknown_input_keys
from riskctl.report.periods import month_ends_before
from riskctl.report.review import TREND_MONTH_ENDS, Comparison, Kind, MonthEnd, Review
from riskctl.score.residual import score_register
from riskctl.source import (
    RegisterSource,
    at_commit,
    load_source,
    sources_at_moments,
)


def read_review(
    source: RegisterSource,
    base: str | None,
    kind: Kind,
    today: datetime.date,
    *,
    partial: bool = False,
    cache: ParseCache | None = None,
) -> Review:
    """Load the register (refused when a file did not load, unless `partial`), compare it with
    the last review, and, for the MBR, read the register at each of the last 12 month-ends;
    every read through `cache` (a new one unless given: `report site` shares one)."""
    if cache is None:
        cache = {}
    read = read_as_of(source, today, cache, partial=partial)
    loaded = read.loaded
    if kind == "wbr":  # the WBR runs the loss simulation (report/quant.py)
        refuse_unknown_input_keys(loaded.hits, source.label, loaded.failed)
    register = read.register  # as of --now: what every section computes on
    card = score_register(register)
    comparison, no_comparison = _compare(source, base, kind, today, cache)
    month_ends: tuple[MonthEnd, ...] = ()
    if kind == "mbr":
        month_ends = (
            *_month_ends(source, today, cache),
            MonthEnd(today, True, card, None, None),
        )
    return Review(
        kind=kind,
        register=register,
        card=card,
        source=source.folder.as_posix() + (f" at {source.revision}" if source.commit else ""),
        reviewed="the working tree" if source.commit is None else source.revision or "HEAD",
        comparison=comparison,
        no_comparison=no_comparison,
        month_ends=month_ends,
        left_out=dict(loaded.failed),
        not_counted=read.left_out,
    )


def _compare(
    source: RegisterSource,
    base: str | None,
    kind: Kind,
    today: datetime.date,
    cache: ParseCache,
) -> tuple[Comparison | None, str | None]:
    """The comparison with the last review, or why there is none."""
    reviewed = source.revision or "HEAD"
    if base is not None:
        check_revision(base)
        baseline = at_commit(source, source.git().resolve(base), base)
        return _comparison(source, baseline, base, False, today, cache), None
    repository = source.repository
    if repository is None:
        where = GIT_FAILURE or f"{source.folder}: not inside a git repository"
        return None, f"No `{kind}-*` tag could be looked up ({where})"
    try:
        tag = repository.latest_tag(f"{kind}-*", source.commit or repository.resolve("HEAD"))
    except RiskctlError as error:
        return None, f"No `{kind}-*` tag could be looked up ({error})"
    if tag is None:
        cut_off = f" in this clone: {shallow_hint()}" if repository.is_shallow() else ""
        return None, f"No `{kind}-*` tag is reachable from {reviewed}{cut_off}"
    try:
        baseline = at_commit(source, tag.commit, tag.name)
        return _comparison(source, baseline, tag.name, True, today, cache), None
    except RiskctlError as error:
        return None, f"The changes since the tag {tag.name} could not be read ({error})"


def _comparison(
    source: RegisterSource,
    baseline: RegisterSource,
    named: str,
    by_tag: bool,
    today: datetime.date,
    cache: ParseCache,
) -> Comparison:
    assert baseline.commit is not None  # at_commit
    since_date = baseline.git().commit(baseline.commit).date.astimezone(datetime.UTC).date()
    # The last review saw its register as of its own day (its commit's), not --now's: a test
    # entered early for a later day counted from that day on, so it is a change since then.
    # What changed is then what came to count, in any file, changed or not: read them all
    # (`diff_reads` reads only what a comparison of one day needs).
    base_day = min(since_date, today)
    sides = read_diff_sides(baseline, source, complete=base_day < today)
    cache.update(sides.cache)
    old_loaded = load_source(sides.old_source, sides.old, cache)
    new_loaded = load_source(sides.new_source, sides.new, cache)
    # A record dated after --now has not come to count yet: not a change.
    old = as_of(old_loaded.register, base_day).register
    new = as_of(new_loaded.register, today).register
    diff = diff_registers(
        old,
        new,
        today,
        sides.old_ref,
        sides.new_ref,
        old_loaded.failed,
        new_loaded.failed,
        old_today=base_day,
    )
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


def _month_ends(source: RegisterSource, today: datetime.date, cache: ParseCache) -> list[MonthEnd]:
    """The register's scores at each of the last 12 month-ends before `today`'s month.

    Each month-end reads the last commit of the first-parent history of the reviewed revision
    (`HEAD` for the working tree) dated on or before 23:59:59 UTC that day, as of that day
    (`riskctl.asof`: a record entered early for a later day does not count yet). A month-end before
    the first commit, or outside a git repository, has no data; nor has one at which a register
    file did not load (its scores would silently leave the file out).
    """
    days = month_ends_before(today, TREND_MONTH_ENDS)
    moments = [
        datetime.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=datetime.UTC)
        for day in days
    ]
    try:
        found = sources_at_moments(source, moments)
    except RiskctlError as error:
        return [MonthEnd(day, False, None, None, str(error)) for day in days]
    cut_off = None  # in a shallow clone, "before the first commit" may only be the clone's
    is_missing = any(at.commit is None for at in found)
    if is_missing and source.git().is_shallow():
        cut_off = f"not in this clone: {shallow_hint()}"
    points = []
    for day, at in zip(days, found, strict=True):
        commit = at.commit.id if at.commit else None
        if at.sources is None:
            problem = cut_off if commit is None and cut_off else at.problem
            points.append(MonthEnd(day, False, None, commit, problem))
            continue
        try:
            loaded = load(at.sources, cache)
            card = score_register(as_of(loaded.register, day).register)
        except RiskctlError as error:
            first = str(error).splitlines()[0]
            points.append(MonthEnd(day, False, None, commit, f"unreadable: {first}"))
            continue
        if loaded.failed:
            count = len(loaded.failed)
            note = f"unreadable: {count} file(s) did not load at this commit"
            points.append(MonthEnd(day, False, None, commit, note))
            continue
        points.append(MonthEnd(day, False, card, commit, None))
    return points
