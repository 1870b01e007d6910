"""The register as sheets, and sheets read back as field edits.

`build_sheets` turns a register into the "RCM" sheet (one row per risk-control pair of the open
risks, with the RCM columns of rcm.md) and one sheet per kind (one row per entity, a column per
scalar field: nested models as dotted columns, lists of scalars as one comma-separated column;
lists of objects such as `tests` and `observations` are not in the sheets and never touched).

`read_edits` reads sheets back (as a codec gives them, cells as the file holds them) against
the sheets of the register as it is now. A cell is read by its column's type as a person meant
it: a cell that under any plausible reading equals the current value is no edit, whatever a
spreadsheet application did to its type or format on save (see `read_cell`). What remains is a
list of `FieldEdit`s, each naming the cell it came from; every problem is a `CellError` naming
the sheet, row and column as a person sees them (`Controls!F12 (frequency)`).
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from riskctl.model.common import Entity
from riskctl.model.control import Control
from riskctl.model.register import KIND_BY_NAME, Register
from riskctl.model.risk import Risk
from riskctl.rcm.sheets import CellValue, Column, ColumnType, RawSheet, Sheet
from riskctl.score.residual import Scorecard, latest_test, score_register
from riskctl.textsafe import csv_cell

RCM_SHEET = "RCM"

#: The sheet of each kind, in the order the workbook has them (after the RCM).
KIND_SHEETS: tuple[tuple[str, str], ...] = (
    ("Risks", "risk"),
    ("Controls", "control"),
    ("Owners", "owner"),
    ("KRIs", "kri"),
    ("Incidents", "incident"),
    ("Launches", "launch"),
    ("Acceptances", "acceptance"),
)
SHEET_KIND: dict[str, str] = dict(KIND_SHEETS)

#: What an exported cell holds for "no value" in a derived column, and what import also reads
#: as no value in any column (a person may copy it from the RCM report).
NONE_MARK = "—"

#: Cell texts read as booleans, compared case-insensitively: what spreadsheet applications
#: write (`TRUE`, `1`) and what people type (`yes`). `on`/`off` and `y`/`n` are not booleans.
TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})


@dataclass(frozen=True)
class FieldSpec:
    """A field a column shows: its path in the entity's data and what values it takes."""

    path: tuple[str, ...]
    type: ColumnType
    choices: tuple[str, ...] = ()
    optional: bool = False
    """None is a valid value (the key may be absent)."""
    default: Any = None
    """The value when the key is absent, for a field that is not required."""
    required: bool = True
    parent_optional: tuple[str, ...] | None = None
    """The path of the optional nested model the field sits in (`residual`), if any."""


@dataclass(frozen=True)
class FieldEdit:
    """One field of one entity to change, and the cell that asks for it."""

    kind: str
    id: str
    path: tuple[str, ...]
    old: Any
    new: Any
    cell: str
    """`RCM!J7 (residual L)`: where the edit came from."""
    spec: FieldSpec

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


class CellError(Exception):
    """A cell that cannot be imported, with its place."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Edits:
    """What a file asks for: the field edits, the problems, and rows it left out."""

    edits: list[FieldEdit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)
    """Rows of the register a sheet does not have, by sheet: left alone."""


# --- columns --------------------------------------------------------------------------------------


def _strip_annotated(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _without_none(annotation: Any) -> tuple[Any, bool]:
    """The annotation without `| None`, and whether None was allowed."""
    annotation = _strip_annotated(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [_strip_annotated(a) for a in typing.get_args(annotation)]
        kept = [a for a in members if a is not type(None)]
        if len(kept) == 1:
            return kept[0], len(kept) < len(members)
        return annotation, len(kept) < len(members)
    return annotation, False


def _scalar_type(annotation: Any) -> tuple[ColumnType, tuple[str, ...]] | None:
    if typing.get_origin(annotation) is typing.Literal:
        return "choice", tuple(str(choice) for choice in typing.get_args(annotation))
    if annotation is bool:
        return "boolean", ()
    if annotation is int:
        return "integer", ()
    if annotation is float:
        return "number", ()
    if annotation is datetime.date:
        return "date", ()
    if annotation is str:
        return "text", ()
    return None


def field_specs(model: Any, prefix: tuple[str, ...] = (), within: Any = None) -> list[FieldSpec]:
    """The scalar fields of a model as sheet columns, in declaration order.

    Nested models give dotted paths; lists of scalars one `list` column; lists of objects and
    unions of models (a KRI's baseline) are left out: they are not edited in a sheet.
    """
    specs: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key == "waivers":
            continue
        annotation, optional = _without_none(info.annotation)
        required = info.is_required()
        default = None if required else info.get_default(call_default_factory=True)
        path = (*prefix, key)
        if hasattr(annotation, "model_fields"):
            specs += field_specs(annotation, path, path if optional else within)
            continue
        scalar = _scalar_type(annotation)
        if scalar is not None:
            specs.append(FieldSpec(path, scalar[0], scalar[1], optional, default, required, within))
            continue
        if typing.get_origin(annotation) is list:
            item = _strip_annotated(typing.get_args(annotation)[0])
            if item is str:
                specs.append(FieldSpec(path, "list", (), False, default, required, within))
    return specs


def _kind_specs(kind: str) -> list[FieldSpec]:
    return field_specs(KIND_BY_NAME[kind].model)


@dataclass(frozen=True)
class _RcmColumn:
    column: Column
    kind: str  # "risk", "control" or "" (derived)
    spec: FieldSpec | None


def _rcm_columns(levels: tuple[str, ...]) -> list[_RcmColumn]:
    risk = {spec.path: spec for spec in _kind_specs("risk")}
    control = {spec.path: spec for spec in _kind_specs("control")}

    def of(header: str, kind: str, path: tuple[str, ...], width: int = 14) -> _RcmColumn:
        spec = (risk if kind == "risk" else control)[path]
        editable = path != ("id",)
        column = Column(header, ".".join(path), spec.type, spec.choices, editable, width=width)
        return _RcmColumn(column, kind, spec)

    def derived(header: str, kind: ColumnType, choices: tuple[str, ...] = ()) -> _RcmColumn:
        level = header.endswith("level")
        column = Column(header, "", kind, choices, editable=False, level=level, width=12)
        return _RcmColumn(column, "", None)

    return [
        of("process", "risk", ("process",), 24),
        of("risk", "risk", ("id",), 9),
        of("risk title", "risk", ("title",), 40),
        of("inherent L", "risk", ("inherent", "likelihood"), 10),
        of("inherent I", "risk", ("inherent", "impact"), 10),
        derived("inherent level", "choice", levels),
        of("control", "control", ("id",), 9),
        of("control title", "control", ("title",), 40),
        of("key", "control", ("key",), 7),
        of("nature", "control", ("nature",), 12),
        of("automation", "control", ("automation",), 18),
        of("frequency", "control", ("frequency",), 14),
        of("design", "control", ("effectiveness", "design"), 18),
        of("operating", "control", ("effectiveness", "operating"), 18),
        of("maps to", "control", ("maps_to",), 30),
        derived("last test", "date"),
        derived("last test type", "choice", ("design", "operating")),
        derived("last test result", "choice", ("pass", "fail", "inconclusive")),
        derived("residual L", "integer"),
        derived("residual I", "integer"),
        derived("residual level", "choice", levels),
    ]


# --- building the sheets --------------------------------------------------------------------------


def _data(entity: Entity) -> dict[str, Any]:
    return entity.model_dump(by_alias=True)


def value_at(data: Mapping[str, Any] | None, path: Sequence[str]) -> Any:
    """The value at a dotted path of an entity's data, None where a part is missing."""
    current: Any = data
    for key in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def export_value(spec: FieldSpec, value: Any) -> CellValue:
    """A field's value as a cell: lists comma-separated, whole numbers as integers."""
    if value is None:
        return None
    if spec.type == "list":
        return ", ".join(str(item) for item in value)
    if spec.type == "text" and isinstance(value, str):
        return value.rstrip("\n")  # a block scalar's final line break is no part of a cell
    if spec.type == "number" and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str | int | float | bool | datetime.date):
        return value
    return str(value)


def _entity_sheet(register: Register, name: str, kind: str) -> Sheet:
    specs = _kind_specs(kind)
    columns = tuple(
        Column(
            ".".join(spec.path),
            ".".join(spec.path),
            spec.type,
            spec.choices,
            editable=spec.path != ("id",),
            width=_width(spec),
        )
        for spec in specs
    )
    rows: list[list[CellValue]] = []
    for _, record in sorted(register.of_kind(kind).items()):
        data = _data(record.entity)
        rows.append([export_value(spec, value_at(data, spec.path)) for spec in specs])
    return Sheet(name, columns, rows)


def _width(spec: FieldSpec) -> int:
    if spec.type == "text" and spec.path[-1] in ("title", "description", "summary", "rationale"):
        return 40
    return 24 if spec.type in ("text", "list") else 14


def rcm_rows(register: Register, card: Scorecard) -> list[tuple[Risk, Control]]:
    """The risk-control pairs of the RCM: open risks by id, each control once, in its order;
    a control the register does not have is left out (lint reports it)."""
    controls = register.by_id(Control)
    pairs: list[tuple[Risk, Control]] = []
    for score in sorted(card.risks, key=lambda s: s.risk.id):
        risk = score.risk
        if risk.status == "open":
            known = [c for c in dict.fromkeys(risk.controls) if c in controls]
            pairs += [(risk, controls[control_id]) for control_id in known]
    return pairs


def _rcm_sheet(register: Register, card: Scorecard) -> Sheet:
    layout = _rcm_columns(card.matrix.levels)
    scores = {score.risk.id: score for score in card.risks}
    rows: list[list[CellValue]] = []
    for risk, control in rcm_rows(register, card):
        score = scores[risk.id]
        test = latest_test(control, "operating") or latest_test(control, "design")
        derived: dict[str, CellValue] = {
            "inherent level": score.inherent.level,
            "last test": test.date if test else None,
            "last test type": test.type if test else None,
            "last test result": test.result if test else None,
            "residual L": score.residual.likelihood,
            "residual I": score.residual.impact,
            "residual level": score.residual.level,
        }
        data = {"risk": _data(risk), "control": _data(control)}
        row: list[CellValue] = []
        for each in layout:
            if each.spec is None:
                row.append(derived[each.column.header])
            else:
                row.append(export_value(each.spec, value_at(data[each.kind], each.spec.path)))
        rows.append(row)
    return Sheet(RCM_SHEET, tuple(each.column for each in layout), rows)


def build_sheets(register: Register, card: Scorecard | None = None) -> list[Sheet]:
    """The RCM sheet, then one sheet per kind."""
    card = card or score_register(register)
    return [_rcm_sheet(register, card)] + [
        _entity_sheet(register, name, kind) for name, kind in KIND_SHEETS
    ]


# --- reading cells --------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """`A` for 0, `Z` for 25, `AA` for 26: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _is_empty(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", NONE_MARK))


def _text_of(value: CellValue) -> str:
    """A cell as text, as a CSV would hold it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


#: What `textsafe.csv_cell` put before a text that starts like a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _unescape_text(text: str) -> str:
    """A text cell as riskctl wrote it: the `'` before a formula-like start removed."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS):
        return text[1:]
    return text


def _readings(
    spec_type: ColumnType, value: CellValue, choices: tuple[str, ...], escaped: bool = True
) -> list[Any]:
    """Every plausible typed reading of a non-empty cell (empty: none fits)."""
    if spec_type == "text":
        if isinstance(value, float | int) and not isinstance(value, bool):
            return [_text_of(value)]
        text = _text_of(value).replace("\r\n", "\n")  # a cell's lines as Windows saved them
        return [(_unescape_text(text) if escaped else text).rstrip()]
    if spec_type == "list":
        return [[item.strip() for item in _text_of(value).split(",") if item.strip()]]
    if spec_type == "choice":
        text = _text_of(value).strip()
        return [choice for choice in choices if choice.lower() == text.lower()]
    if spec_type == "boolean":
        if isinstance(value, bool):
            return [value]
        if isinstance(value, int | float) and value in (0, 1):
            return [bool(value)]
        text = _text_of(value).strip().lower()
        return [True] if text in TRUE_WORDS else [False] if text in FALSE_WORDS else []
    if spec_type in ("integer", "number"):
        whole = spec_type == "integer"
        text = _text_of(value).strip() if isinstance(value, str) else ""
        comma = _DECIMAL_COMMA.fullmatch(text)
        if comma is None:
            return _number_readings(value, whole)
        # a spreadsheet in a decimal-comma locale (de, fr, ...): `0,5`, `1.234,5`; `1,000`
        # may also be a thousand written the en-US way
        readings = _number_readings(text.replace(".", "").replace(",", "."), whole)
        if re.fullmatch(r"[-+]?[0-9]{1,3},[0-9]{3}", text):
            readings += _number_readings(text.replace(",", ""), whole)
        return list(dict.fromkeys(readings))
    return sorted(_date_readings(value))


#: A number with a decimal comma, with or without `.` between groups of thousands.
_DECIMAL_COMMA = re.compile(r"[-+]?(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+),[0-9]+")


def _number_readings(value: CellValue, whole: bool) -> list[Any]:
    if isinstance(value, bool | datetime.date):
        return []
    number: float | int
    if isinstance(value, int | float):
        number = value
    else:
        text = _text_of(value).strip()
        if not re.fullmatch(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", text):
            return []
        number = float(text)
        if re.fullmatch(r"[-+]?[0-9]+", text) and len(text) < 19:
            number = int(text)
    if isinstance(number, float) and not math.isfinite(number):
        return []
    if whole:
        if isinstance(number, float):
            if not number.is_integer() or abs(number) > 2**53:
                return []
            number = int(number)
        return [number]
    if isinstance(number, float) and number.is_integer() and abs(number) <= 2**53:
        number = int(number)
    return [number]


_SLASHED = re.compile(r"([0-9]{1,2})([/.])([0-9]{1,2})\2([0-9]{2}|[0-9]{4})")


def _date_readings(value: CellValue) -> set[datetime.date]:
    """A date cell, ISO text, or the locale forms spreadsheets export CSV with: `11/16/26`,
    `11/16/2026` (en-US, month first), `16/11/2026` (en-GB), `16.11.2026` (de); a two-digit
    year is in 2000-2099."""
    if isinstance(value, datetime.datetime):
        return {value.date()} if value.time() == datetime.time() else set()
    if isinstance(value, datetime.date):
        return {value}
    if not isinstance(value, str):
        return set()
    text = value.strip()
    iso = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]00:00(?::00)?)?", text)
    if iso:
        return _valid_dates([(int(iso[1]), int(iso[2]), int(iso[3]))])
    slashed = _SLASHED.fullmatch(text)
    if not slashed:
        return set()
    first, second, year = int(slashed[1]), int(slashed[3]), int(slashed[4])
    year = year + 2000 if len(slashed[4]) == 2 else year
    if slashed[2] == ".":
        return _valid_dates([(year, second, first)])
    return _valid_dates([(year, first, second), (year, second, first)])


def _valid_dates(candidates: Iterable[tuple[int, int, int]]) -> set[datetime.date]:
    found = set()
    for year, month, day in candidates:
        try:
            found.add(datetime.date(year, month, day))
        except ValueError:
            continue
    return found


_TYPE_WORDS: dict[str, str] = {
    "text": "text",
    "list": "a comma-separated list",
    "choice": "one of",
    "boolean": "a boolean (TRUE/FALSE, true/false, yes/no, 1/0)",
    "integer": "a whole number",
    "number": "a number",
    "date": "a date (YYYY-MM-DD)",
}


def _same(current: Any, reading: Any) -> bool:
    if isinstance(current, str) and isinstance(reading, str):
        return current.rstrip() == reading.rstrip()
    if isinstance(current, bool) or isinstance(reading, bool):
        return current is reading
    if isinstance(current, float) or isinstance(reading, float):
        # a spreadsheet shows (and saves as CSV) 15 significant digits: 0.30000000000000004
        # comes back as 0.3, which means the same number
        numbers = isinstance(current, int | float) and isinstance(reading, int | float)
        return numbers and math.isclose(current, reading, rel_tol=1e-14)
    return bool(current == reading)


def read_cell(
    column: Column,
    value: CellValue,
    current: CellValue,
    spec: FieldSpec | None,
    *,
    escaped: bool = True,
) -> tuple[bool, Any]:
    """(changed, new value) of a cell whose register value is `current` (as exported).

    Unchanged when the cell is the exported cell, or any plausible reading of it equals the
    current value. Raises `CellError` (without the place) when the cell cannot be read.
    `escaped`: the cell comes from a CSV, where riskctl writes a `'` before text that starts
    like a formula, and text starting like a formula without it is refused (a spreadsheet
    would run it); an xlsx text cell is text as it is.
    """
    if value == current and type(value) is type(current):
        return False, None
    if _text_of(value).rstrip() == _text_of(current).rstrip():
        return False, None
    if escaped and isinstance(current, str) and _text_of(value).rstrip() == _csv_form(current):
        return False, None  # control characters riskctl showed escaped in the CSV
    if _is_empty(value):
        if _is_empty(current) or (column.type == "list" and current == ""):
            return False, None
        return True, [] if column.type == "list" else None
    readings = _readings(column.type, value, column.choices, escaped)
    typed_current = _current_typed(column, current)
    if any(_same(typed_current, reading) for reading in readings):
        return False, None
    shown = _quote(value)
    if not readings:
        if column.type == "choice":
            raise CellError(f"{shown} is not one of {', '.join(column.choices)}")
        raise CellError(f"{shown} is not {_TYPE_WORDS[column.type]}")
    if len(readings) > 1:
        choices = " or ".join(str(reading) for reading in readings)
        if column.type in ("integer", "number"):
            raise CellError(
                f"{shown} is an ambiguous number ({choices}): write it with no thousands "
                "separator and `.` as the decimal point"
            )
        raise CellError(f"{shown} is an ambiguous date ({choices}): write it as YYYY-MM-DD")
    new = readings[0]
    is_number = bool(re.fullmatch(r"[-+][0-9][0-9.,]*", _text_of(value).strip()))
    if (
        escaped
        and column.type == "text"
        and isinstance(value, str)
        and value.startswith(_FORMULA_STARTS)
        and not is_number
    ):
        raise CellError(
            f"{shown} starts like a formula, which a spreadsheet would run: "
            f"write it as '{_text_of(value)} (a leading ') to mean that text"
        )
    too_big = spec is not None and spec.type == "number" and isinstance(new, float | int)
    if too_big and abs(new) > 1e15:
        raise CellError(f"{shown} is larger than 10^15, the largest register number")
    return True, new


def _csv_form(text: str) -> str:
    """A text as `rcm export` writes it into a CSV cell (`textsafe.csv_cell`)."""
    return str(csv_cell(text)).rstrip()


def _current_typed(column: Column, current: CellValue) -> Any:
    if current is None:
        return None
    if column.type == "list":
        return [item.strip() for item in str(current).split(",") if item.strip()]
    return current


def _quote(value: CellValue) -> str:
    text = _text_of(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return repr(text)


# --- reading sheets back --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """How one sheet maps to the register: columns with their entity kind and field."""

    sheet: Sheet
    kinds: tuple[str, ...]
    specs: tuple[FieldSpec | None, ...]
    identity: tuple[int, ...]
    """Indexes of the columns that identify a row (the id; risk and control in the RCM)."""


def _layouts(sheets: Sequence[Sheet], levels: tuple[str, ...]) -> dict[str, _Layout]:
    layouts = {}
    for sheet in sheets:
        if sheet.name == RCM_SHEET:
            rcm = _rcm_columns(levels)
            kinds = tuple(each.kind for each in rcm)
            specs = tuple(each.spec for each in rcm)
            headers = [column.header for column in sheet.columns]
            identity: tuple[int, ...] = (headers.index("risk"), headers.index("control"))
        else:
            kind = SHEET_KIND[sheet.name]
            specs_of_kind = _kind_specs(kind)
            kinds = tuple(kind for _ in specs_of_kind)
            specs = tuple(specs_of_kind)
            identity = (0,)
        layouts[sheet.name] = _Layout(sheet, kinds, specs, identity)
    return layouts


def _identity_of(layout: _Layout, row: Sequence[CellValue]) -> tuple[str, ...]:
    return tuple(_text_of(row[index]).strip() for index in layout.identity)


def read_edits(
    register: Register,
    raw_sheets: Sequence[RawSheet],
    sheets: Sequence[Sheet],
    *,
    escaped: bool = True,
) -> Edits:
    """The field edits `raw_sheets` ask for, against `sheets` (the register as exported now).

    Problems are collected, each naming its cell, so one run reports them all. `escaped`: the
    sheets come from a CSV (see `read_cell`).
    """
    card_levels = _levels_of(sheets)
    layouts = _layouts(sheets, card_levels)
    result = Edits()
    asked: dict[tuple[str, str, tuple[str, ...]], FieldEdit] = {}
    seen_sheets: set[str] = set()
    for raw in raw_sheets:
        layout = layouts.get(raw.name)
        if layout is None:
            known = ", ".join(layouts)
            hint = _did_you_mean(raw.name, list(layouts))
            result.errors.append(
                f"{raw.name}: not a sheet riskctl exports ({known}){hint or '; remove it'}"
            )
            continue
        if raw.name in seen_sheets:
            result.errors.append(f"{raw.name}: the sheet appears twice")
            continue
        seen_sheets.add(raw.name)
        _read_sheet(register, raw, layout, result, asked, escaped)
    order = {
        (kind, spec.path): index
        for _, kind in KIND_SHEETS
        for index, spec in enumerate(_kind_specs(kind))
    }
    # by entity, then fields in the model's order (so added keys land in the schema's order)
    result.edits = sorted(asked.values(), key=lambda e: (e.kind, e.id, order[e.kind, e.path]))
    return result


def sheet_for_header(sheets: Sequence[Sheet], header: Sequence[str]) -> str:
    """Which sheet a CSV holds, by its header row: the sheet with the most of its headers (the
    RCM on a tie). `rcm export` writes the RCM; a kind's sheet saved as CSV from the workbook
    imports too."""
    names = {str(cell).strip() for cell in header}
    best = max(
        sheets,
        key=lambda sheet: (
            len(names & {column.header for column in sheet.columns}),
            sheet.name == RCM_SHEET,
        ),
    )
    return best.name


def _levels_of(sheets: Sequence[Sheet]) -> tuple[str, ...]:
    for sheet in sheets:
        for column in sheet.columns:
            if column.level:
                return column.choices
    return ()


def _read_sheet(
    register: Register,
    raw: RawSheet,
    layout: _Layout,
    result: Edits,
    asked: dict[tuple[str, str, tuple[str, ...]], FieldEdit],
    escaped: bool,
) -> None:
    sheet = layout.sheet
    by_header = {column.header: index for index, column in enumerate(sheet.columns)}
    positions: dict[int, int] = {}  # the sheet's column index -> the file's column index
    for file_index, header in enumerate(raw.header):
        name = (header or "").strip() if isinstance(header, str) else _text_of(header).strip()
        if not name:
            if any(not _is_empty(row[file_index]) for row in raw.rows if file_index < len(row)):
                result.errors.append(
                    f"{raw.name}!{column_letter(file_index)}{raw.first_row - 1}: a column "
                    "without a header; riskctl reads columns by their header"
                )
            continue
        if name not in by_header:
            result.errors.append(
                f"{raw.name}!{column_letter(file_index)}{raw.first_row - 1}: unknown column "
                f"{name!r}{_did_you_mean(name, list(by_header), len(result.errors))}; the "
                f"{raw.name} sheet has {', '.join(by_header)}"
            )
            continue
        if by_header[name] in positions:
            result.errors.append(
                f"{raw.name}!{column_letter(file_index)}{raw.first_row - 1}: the column "
                f"{name!r} appears twice"
            )
            continue
        positions[by_header[name]] = file_index
    missing_identity = [
        sheet.columns[index].header for index in layout.identity if index not in positions
    ]
    if missing_identity:
        result.errors.append(
            f"{raw.name}: no {' or '.join(repr(h) for h in missing_identity)} column; "
            "riskctl finds each row's entity by it"
        )
        return
    current_rows = {_identity_of(layout, row): row for row in sheet.rows}
    found: dict[tuple[str, ...], int] = {}
    for offset, cells in enumerate(raw.rows):
        number = raw.first_row + offset
        row = [cells[positions[i]] if positions[i] < len(cells) else None for i in positions]
        by_column = dict(zip(positions, row, strict=True))
        if all(_is_empty(cell) for cell in cells):
            continue
        identity = tuple(_text_of(by_column[index]).strip() for index in layout.identity)
        place = f"{raw.name}!{column_letter(positions[layout.identity[0]])}{number}"
        if not all(identity):
            what = "an id" if len(identity) == 1 else "its risk and control"
            result.errors.append(
                f"{place}: a row without {what}: import edits existing entities; "
                "`riskctl new` creates them"
            )
            continue
        current = current_rows.get(identity)
        if current is None:
            what = " / ".join(identity)
            how = (
                "existing pairs (link a control in its risk's `controls`, in the Risks sheet "
                "or the risk's file)"
                if len(identity) > 1
                else "existing entities (`riskctl new` creates them)"
            )
            result.errors.append(
                f"{place}: {what} is not a row of the register's {raw.name} sheet: import edits "
                f"{how}"
            )
            continue
        if identity in found:
            result.errors.append(
                f"{place}: {' / '.join(identity)} appears again (first in row {found[identity]})"
            )
            continue
        found[identity] = number
        for index, file_index in positions.items():
            column = sheet.columns[index]
            spec = layout.specs[index]
            where = f"{raw.name}!{column_letter(file_index)}{number} ({column.header})"
            try:
                changed, new = read_cell(
                    column, by_column[index], current[index], spec, escaped=escaped
                )
            except CellError as error:
                result.errors.append(f"{where}: {error.message}")
                continue
            if not changed:
                continue
            if not column.editable or spec is None:
                result.errors.append(
                    f"{where}: {_quote(by_column[index])} differs from the register's "
                    f"{_quote(current[index])}, but this column is "
                    f"{'an id' if spec is not None else 'computed by riskctl'} and is not "
                    "imported; edit the fields it comes from"
                )
                continue
            kind = layout.kinds[index]
            entity_id = identity[0] if kind == "risk" or len(identity) == 1 else identity[1]
            problem = _field_problem(spec, new)
            if problem:
                result.errors.append(f"{where}: {problem}")
                continue
            record = register.record(kind, entity_id)
            assert record is not None  # the row is in the register's sheet
            old = value_at(_data(record.entity), spec.path)
            if isinstance(old, str) and old.endswith("\n") and isinstance(new, str):
                new = new.rstrip("\n") + "\n"  # a block scalar keeps its final line break
            edit = FieldEdit(kind, entity_id, spec.path, old, new, where, spec)
            key = (kind, entity_id, spec.path)
            earlier = asked.get(key)
            if earlier is not None and not _same(earlier.new, new):
                result.errors.append(
                    f"{where}: {entity_id} {edit.dotted} is {_quote(_cell_of(spec, new))} here "
                    f"but {_quote(_cell_of(spec, earlier.new))} in {earlier.cell}: edit it in "
                    "one place"
                )
                continue
            asked.setdefault(key, edit)
    result.missing[raw.name] = len(set(current_rows) - set(found))


def _cell_of(spec: FieldSpec, value: Any) -> CellValue:
    return export_value(spec, value)


def _field_problem(spec: FieldSpec, new: Any) -> str | None:
    """Why the field cannot take `new` (None when it can): emptied required fields."""
    if new is None or new == []:
        if spec.type == "list":
            return None
        if spec.required:  # under an optional model (`residual`) all of it may be cleared
            return None if spec.parent_optional else "cannot be empty: the field is required"
        if not spec.optional:  # a default other than None: an empty cell would silently mean it
            return f"cannot be empty: without a value it means {spec.default!r}; write that"
    return None


#: How many errors get a did-you-mean: a file of 200,000 stray columns must not take minutes.
HINTED_ERRORS = 50


def _did_you_mean(name: str, known: list[str], errors: int = 0) -> str:
    """`; did you mean 'X'?` for a header or sheet name a typo or a case change away from a
    known one (`frequncy`, `controls`), else nothing; nothing after `errors` reach
    `HINTED_ERRORS` (the message lists only the first few)."""
    if errors >= HINTED_ERRORS:
        return ""
    by_folded = {each.casefold(): each for each in known}
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.75)
    return f"; did you mean {by_folded[close[0]]!r}?" if close else ""
