"""Judge a change: which findings it introduced, which already existed, which it fixed.

`riskctl lint --new-since REV` lints two registers with the same `--now`, `--select` and
`--ignore`, each with its own `riskctl.yaml`: the head (the working tree, or `--rev`) and the
base, the merge base of REV and the head (what the change started from; `diff A...B` compares
the same two). `compare` then classifies each head finding:

- `unchanged`: the base has the same finding, so the change did not introduce it;
- `new`: the base has no such finding;

and lists the base's findings that the head no longer has (`absent`: fixed by the change).

A finding is known by its rule code, its file relative to the register (the file name is the
entity's id) and the data path the rule pointed at (`Finding.key`), never by its line: text that
only moves (keys reordered, lines or comments added) keeps every finding's identity. Findings
sharing a key are paired as a multiset, equal messages first, then any; a finding still unpaired
is then paired with one of the same rule, file and message at another path (an item inserted
above it in a list shifts its index, not what it is about).

**Date-driven findings do not fail.** A rule marked `date_dependent` asks about the calendar
(`--now`): its findings come and go with it (an acceptance expires, a review falls due). Both
sides are linted on the same day, so a finding the calendar alone produced is on both sides and
is `unchanged`. A *new* finding of such a rule is the change meeting the calendar, and it is
*date-driven* only when the calendar had a part in it: when the head, linted as of the merge
base's own day (its committer date; `--now` if that is earlier), does not have it. A risk added
with a review date that fell due while the pull request was open is date-driven: reported,
marked, never failing. A risk added already overdue at the base's day, an acceptance deleted
from under an accepted risk, a `reviewed` date typed as 2062: the change alone produced them,
the calendar did not, and they fail. The calendar's own findings are `riskctl due`'s and the
full lint's business.
A rule marked `as_of` (it judges the register as of today, as the scorer does, and asks
nothing of the calendar itself: RK201 an override below the computed residual) is never
date-driven: both sides are read as of the same day, so a new finding of it is the change's own
and fails.
"""

from __future__ import annotations

import datetime
import enum
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass, replace

from riskctl.errors import RiskctlError
from riskctl.findings import Finding, LintResult, Severity
from riskctl.lint.engine import lint
from riskctl.lint.rules import all_rules
from riskctl.load import ParseCache, Sources
from riskctl.model.register import CONFIG_FILE
from riskctl.source import RegisterSource, at_commit, naming_revision


class State(enum.StrEnum):
    """A finding's state relative to the base (SARIF's `baselineState` values)."""

    NEW = "new"
    UNCHANGED = "unchanged"
    ABSENT = "absent"


@dataclass(frozen=True)
class Judged:
    """A finding and its state; `date_dependent` when its rule reads the date."""

    finding: Finding
    state: State
    date_dependent: bool
    at_base_day: bool = False
    """New, and the head had it already as of the merge base's day: the calendar had no part
    in it (see the module's documentation)."""

    @property
    def is_new(self) -> bool:
        """The base has no such finding."""
        return self.state is State.NEW

    @property
    def is_date_driven(self) -> bool:
        """New, of a date-dependent rule, and absent from the head as of the base's day: the
        calendar had a part in it. Reported, never failing."""
        return self.state is State.NEW and self.date_dependent and not self.at_base_day

    @property
    def mark(self) -> str:
        """How the text formats label it: `new`, `new, date-driven`, `existing` or `fixed`."""
        if self.state is State.UNCHANGED:
            return "existing"
        if self.state is State.ABSENT:
            return "fixed"
        return "new, date-driven" if self.is_date_driven else "new"


@dataclass(frozen=True)
class Base:
    """What the head was compared with."""

    revision: str
    """REV as the user gave it (`origin/main`)."""
    commit: str
    """The merge base of REV and the head: a full commit id."""
    note: str | None = None
    """Why the comparison is not the plain one (no register at the base; the base's
    riskctl.yaml unusable), said in every format."""


@dataclass(frozen=True)
class Judgement:
    """The head's lint result with each finding judged against the base."""

    result: LintResult
    findings: tuple[Judged, ...]
    """The head's findings in the result's order."""
    fixed: tuple[Judged, ...]
    """The base's findings that the head no longer has (state `absent`), at base positions."""
    base: Base

    @property
    def new(self) -> int:
        """New findings of rules that do not read the date: the ones that can fail."""
        return sum(
            1 for each in self.findings if each.state is State.NEW and not each.is_date_driven
        )

    @property
    def existing(self) -> int:
        """Findings the base has too."""
        return sum(1 for each in self.findings if each.state is State.UNCHANGED)

    @property
    def date_driven(self) -> int:
        """New findings of date-dependent rules."""
        return sum(1 for each in self.findings if each.is_date_driven)

    def ordered(self) -> tuple[Judged, ...]:
        """New findings first, then date-driven ones, then existing ones; each in result order."""
        rank = {"new": 0, "new, date-driven": 1, "existing": 2}
        return tuple(sorted(self.findings, key=lambda each: rank[each.mark]))

    def failing(self, level: Severity) -> tuple[Judged, ...]:
        """New findings, not date-driven, at or above `level`: what makes the run fail."""
        return tuple(
            each
            for each in self.findings
            if each.state is State.NEW
            and not each.is_date_driven
            and each.finding.severity >= level
        )

    def summary(self) -> str:
        """`N new, M existing, K date-driven, F fixed since REV (merge base 0123456789ab)`."""
        return (
            f"{self.new} new, {self.existing} existing, {self.date_driven} date-driven, "
            f"{len(self.fixed)} fixed since {self.base.revision} "
            f"(merge base {self.base.commit[:12]})"
        )


def compare(
    head: LintResult,
    base_result: LintResult | None,
    base: Base,
    date_dependent: Collection[str] | None = None,
) -> Judgement:
    """Judge the head's findings against the base's (None: no register at the base, so every
    finding is new). `date_dependent` holds the codes of rules that read the date (default:
    the registry's marks)."""
    if date_dependent is None:
        date_dependent = {code for code, each in all_rules().items() if each.date_dependent}
    base_findings = base_result.findings if base_result is not None else ()
    head_paired, base_paired = _pair(head.findings, base_findings)
    findings = tuple(
        Judged(
            finding,
            State.UNCHANGED if index in head_paired else State.NEW,
            finding.code in date_dependent,
        )
        for index, finding in enumerate(head.findings)
    )
    fixed = tuple(
        Judged(finding, State.ABSENT, finding.code in date_dependent)
        for index, finding in enumerate(base_findings)
        if index not in base_paired
    )
    return Judgement(head, findings, fixed, base)


#: The keys findings are paired by, in turn: identity and message, identity alone, and then
#: rule, file and message at another path.
_PASSES: tuple[Callable[[Finding], Hashable], ...] = (
    lambda finding: (finding.key, finding.message),
    lambda finding: finding.key,
    lambda finding: (finding.code, finding.key[1], finding.message),
)


def _pair(head: Sequence[Finding], base: Sequence[Finding]) -> tuple[set[int], set[int]]:
    """Indexes of the head's and the base's findings paired with one on the other side."""
    head_paired: set[int] = set()
    base_paired: set[int] = set()
    for key_of in _PASSES:
        waiting: dict[Hashable, list[int]] = {}
        for index, finding in enumerate(base):
            if index not in base_paired:
                waiting.setdefault(key_of(finding), []).append(index)
        for index, finding in enumerate(head):
            if index in head_paired:
                continue
            candidates = waiting.get(key_of(finding))
            if candidates:
                base_paired.add(candidates.pop(0))
                head_paired.add(index)
    return head_paired, base_paired


def merge_base_source(head: RegisterSource, revision: str) -> RegisterSource:
    """The register at the merge base of `revision` and the head (its `--rev` commit, or HEAD
    for the working tree): what the change started from."""
    repository = head.git()
    head_commit = head.commit or repository.resolve("HEAD")
    base_commit = repository.merge_base(repository.resolve(revision), head_commit)
    return at_commit(head, base_commit, f"the merge base of {revision}")


def judge_change(
    head: RegisterSource,
    head_sources: Sources,
    head_result: LintResult,
    revision: str,
    today: datetime.date,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    cache: ParseCache | None = None,
) -> Judgement:
    """Lint the merge base of `revision` and the head as the head was linted, and compare.

    A base without a register (the change adds it) has no findings: every finding is new, and
    the note says so. A base whose riskctl.yaml cannot be used (the change repairs it) is linted
    with the head's riskctl.yaml, so that its other findings still count as existing rather
    than blaming the change for all of them; the note says so. Pass the `cache` the head was
    linted with, and the files the two sides share are parsed once.
    """
    base_source = merge_base_source(head, revision)
    assert base_source.commit is not None  # at_commit
    tree = base_source.commit_tree()
    folder = head.label
    if CONFIG_FILE not in tree:
        where = f"no register at {folder}" if tree else f"no {folder}"
        missing = (
            f"{revision} (merge base {base_source.commit[:12]}) has {where}: every finding is new"
        )
        return compare(head_result, None, Base(revision, base_source.commit, missing))
    base_sources = base_source.read()
    note: str | None = None
    try:
        with naming_revision(base_source):
            base_result = lint(base_sources, today, select, ignore, cache)
    except RiskctlError as error:
        problem = " ".join(line.strip() for line in str(error).splitlines()[:2])
        note = (
            f"the merge base's {CONFIG_FILE} cannot be used ({problem}); the base was linted "
            f"with the head's {CONFIG_FILE}"
        )
        replaced = _with_config_of(base_sources, head_sources)
        base_result = lint(replaced, today, select, ignore, cache)
    judgement = compare(head_result, base_result, Base(revision, base_source.commit, note))
    base_day = base_source.git().commit(base_source.commit).date.astimezone(datetime.UTC).date()
    return _without_the_calendar(judgement, head_sources, min(base_day, today), cache)


def _without_the_calendar(
    judgement: Judgement, head_sources: Sources, base_day: datetime.date, cache: ParseCache | None
) -> Judgement:
    """Mark the new findings of date-dependent rules that the head has already as of the
    merge base's day: the change produced them without the calendar's help, so they fail. Only
    those rules run again, on the files already parsed."""
    dated = sorted({each.finding.code for each in judgement.findings if each.is_date_driven})
    if not dated:
        return judgement
    then = Counter(
        finding.key for finding in lint(head_sources, base_day, dated, (), cache).findings
    )
    marked = []
    for each in judgement.findings:
        if each.is_date_driven and then[each.finding.key] > 0:
            then[each.finding.key] -= 1
            each = replace(each, at_base_day=True)
        marked.append(each)
    return replace(judgement, findings=tuple(marked))


def _with_config_of(sources: Sources, other: Sources) -> Sources:
    """`sources` with the configuration file of `other` (and no reading problem of its own)."""
    files = {**sources.files, CONFIG_FILE: other.files[CONFIG_FILE]}
    problems = tuple(hit for hit in sources.problems if hit.where.file != CONFIG_FILE)
    blob_ids = dict(sources.blob_ids or {})
    blob_ids.pop(CONFIG_FILE, None)
    return replace(sources, files=files, problems=problems, blob_ids=blob_ids or None)
