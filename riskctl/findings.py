"""The vocabulary of lint results: severities, places in the register, hits and findings."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

#: A path into one file's data: mapping keys and sequence indexes, outermost first.
DataPath = tuple[str | int, ...]


class Severity(enum.IntEnum):
    """How much a finding matters; ordered so that `max()` and `>=` work."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lower-case name used in every output format."""
        return self.name.lower()


@dataclass(frozen=True)
class Where:
    """A place in the register: a file (relative to the register) and a path into its data.

    `at_key` points at the key of the last path element instead of its value (used for unknown
    keys and for a duplicate key). A `line`/`col` pair, 1-based, is set when the position is
    already known (a YAML syntax error), and then the path is not consulted.
    """

    file: str
    path: DataPath = ()
    at_key: bool = False
    line: int | None = None
    col: int | None = None


@dataclass(frozen=True)
class Hit:
    """What a rule yields: where and what. The engine adds code, name, severity and position."""

    where: Where
    message: str
    code: str = ""
    """Set only by the loader, whose RK0xx problems are found while parsing, not by a rule."""


def first_problem(hits: Sequence[Hit], *, count_others: bool = False) -> str:
    """A file's first problem in one line (`line 3: ... [RK001]`), optionally with a count of
    the others: how a file that did not load is named in a note or an error."""
    if not hits:
        return "unknown problem"
    hit = hits[0]
    where = f"line {hit.where.line}: " if hit.where.line is not None else ""
    code = f" [{hit.code}]" if hit.code else ""
    more = f" (and {len(hits) - 1} more)" if count_others and len(hits) > 1 else ""
    return f"{where}{hit.message}{code}{more}"


@dataclass(frozen=True, order=True)
class Finding:
    """One reported problem at an exact 1-based position. Field order is sort order.

    `path` and `register_file` say which finding it is, apart from where it is printed: they
    take no part in ordering or equality, so outputs and sorting are as without them.
    """

    file: str
    line: int
    col: int
    code: str
    name: str
    severity: Severity
    message: str
    path: DataPath = field(default=(), compare=False)
    """The data path the rule pointed at; empty for a loader problem known only by its line."""
    register_file: str = field(default="", compare=False)
    """The file relative to the register folder (`risks/R-001.yaml`), whatever the label."""

    @property
    def key(self) -> tuple[str, str, DataPath]:
        """The finding's identity across revisions: rule code, file (the file name is the
        entity's id) and data path; never the line, so text that only moves keeps its key."""
        return (self.code, self.register_file or self.file, self.path)


@dataclass(frozen=True)
class LintResult:
    """Everything a formatter needs: sorted findings and what was checked."""

    findings: tuple[Finding, ...]
    files: int

    @property
    def errors(self) -> int:
        """How many findings are errors."""
        return sum(1 for finding in self.findings if finding.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        """How many findings are warnings."""
        return sum(1 for finding in self.findings if finding.severity is Severity.WARNING)
