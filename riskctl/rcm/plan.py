"""An RCM import as a whole: sheets read back, edits made in memory, everything validated.

`plan_import` turns the raw sheets of a file into the new text of every register file an edit
touches, and checks before anything is written that each changed entity still validates and
that no reference now points nowhere (`riskctl lint`'s identity rules, RK1xx, compared before
and after). Any problem is one `RiskctlError` listing every cell at fault; the caller then
writes nothing. The caller applies `ImportPlan.changes` with one `writes.apply_changes`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from riskctl.errors import RiskctlError
from riskctl.lint.engine import lint
from riskctl.load import Loaded, Sources, load_file
from riskctl.load.splice import apply_edits
from riskctl.model.register import KIND_BY_NAME
from riskctl.rcm.sheets import RawSheet, Sheet
from riskctl.rcm.table import FieldEdit, build_sheets, read_edits
from riskctl.writes import FileChange

#: How many problems an error lists before it counts the rest.
SHOWN_PROBLEMS = 30


@dataclass
class ImportPlan:
    """What an import would do: the field edits, the files' new bytes, rows left alone."""

    edits: list[FieldEdit]
    changes: list[FileChange]
    sources: Sources
    """The register's files with the edits made (for the dry run's diff)."""
    missing: dict[str, int] = field(default_factory=dict)


def problems_error(name: str, problems: Sequence[str]) -> RiskctlError:
    shown = list(problems[:SHOWN_PROBLEMS])
    if len(problems) > SHOWN_PROBLEMS:
        shown.append(f"... and {len(problems) - SHOWN_PROBLEMS} more")
    count = len(problems)
    return RiskctlError(
        f"{name}: {count} problem{'s' if count != 1 else ''}; nothing written:\n  "
        + "\n  ".join(shown)
    )


def plan_import(
    loaded: Loaded,
    folder: Path,
    raw_sheets: Sequence[RawSheet],
    name: str,
    today: datetime.date,
    sheets: Sequence[Sheet] | None = None,
    *,
    escaped: bool = True,
) -> ImportPlan:
    """The changes `raw_sheets` ask of the register `loaded` (read from `folder`); `escaped`
    when they come from a CSV (see `table.read_cell`)."""
    register = loaded.register
    sheets = sheets if sheets is not None else build_sheets(register)
    asked = read_edits(register, raw_sheets, sheets, escaped=escaped)
    if asked.errors:
        raise problems_error(name, asked.errors)
    by_entity: dict[tuple[str, str], list[FieldEdit]] = {}
    for edit in asked.edits:
        by_entity.setdefault((edit.kind, edit.id), []).append(edit)
    files = dict(loaded.sources.files)
    changes: list[FileChange] = []
    problems: list[str] = []
    for (kind, entity_id), edits in sorted(by_entity.items()):
        record = register.record(kind, entity_id)
        assert record is not None
        before = files[record.file]
        bom = b"\xef\xbb\xbf" if before.startswith(b"\xef\xbb\xbf") else b""
        text = before[len(bom) :].decode("utf-8")
        try:
            edited = apply_edits(
                f"{loaded.sources.label}/{record.file}",
                text,
                [(edit.path, edit.new) for edit in edits],
                _cells_of(edits),
            )
        except RiskctlError as error:
            problems.append(str(error))
            continue
        after = bom + edited.encode("utf-8")
        checked = load_file(record.file, after, KIND_BY_NAME[kind].model)
        if checked.entity is None or checked.hits:
            cells = ", ".join(edit.cell for edit in edits)
            reasons = "; ".join(hit.message for hit in checked.hits) or "does not validate"
            problems.append(f"{cells}: {entity_id} would not validate: {reasons}")
            continue
        files[record.file] = after
        changes.append(FileChange(folder / record.file, before, after))
    if problems:
        raise problems_error(name, problems)
    edited_sources = Sources(loaded.sources.label, files)
    if changes:
        problems += _new_reference_problems(loaded.sources, edited_sources, asked.edits, today)
    if problems:
        raise problems_error(name, problems)
    return ImportPlan(asked.edits, changes, edited_sources, asked.missing)


def _cells_of(edits: Sequence[FieldEdit]) -> Callable[[int], str]:
    return lambda index: edits[index].cell


def _new_reference_problems(
    old: Sources, new: Sources, edits: Sequence[FieldEdit], today: datetime.date
) -> list[str]:
    """Identity findings (RK1xx) the edits bring: a reference to nothing, an unknown category."""
    before = {(f.file, f.code, f.message) for f in lint(old, today, select=("RK1",)).findings}
    problems = []
    for finding in lint(new, today, select=("RK1",)).findings:
        if (finding.file, finding.code, finding.message) in before:
            continue
        cells = [edit.cell for edit in edits if finding.message.startswith(f"{edit.id} ")]
        place = ", ".join(cells) or f"{finding.file}:{finding.line}"
        problems.append(f"{place}: {finding.message} [{finding.code}]")
    return problems
