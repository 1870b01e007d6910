"""`riskctl new`: a new entity file with the next free id, every required field, and a comment on
each field saying what it means and what values it takes.

Everything about a field comes from its model, through the JSON Schema pydantic generates from it:
the order of the keys, which are required, the attribute docstring (`description`), the allowed
values of an enumeration, the form of a date or an id. The file is planned whole before
anything is written: the values (defaults, placeholders, `--set` values) are validated by the
model and the references checked against the register; the text is then parsed back with
riskctl's loader and must read as exactly those values. Only then does the command hand it to
`writes.apply_changes`.

What `new` fills in by itself:

- the id: one more than the highest number in use for the kind (file names and the `id:` lines
  of every file, broken ones included), with the register's zero-padding, at least 3 digits;
  an incident's number counts within the year of `--now` (INC-2026-045);
- a reference the register answers: the only owner, the only category, the only risk; with
  several to choose from the analyst must say which (`--set owner=...`), and with none the
  entity cannot be created yet;
- dates that mean "now" (`reviewed`, `occurred`, `decided`) from `--now`, and the model's
  defaults for status and the like, written out;
- a placeholder where only the analyst can say: text starts with `TODO:`, and a placeholder
  rating, enumeration value or date carries a `# TODO` comment on its line. Each is valid,
  so the file lints clean apart from findings that ask for the analyst's judgement.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
import stat
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskctl.errors import RiskctlError
from riskctl.findings import DataPath
from riskctl.load import Loaded, parse, validate
from riskctl.model.common import ID_EXAMPLES, ID_REGEXES
from riskctl.model.control import Control
from riskctl.model.incident import Incident
from riskctl.model.references import references
from riskctl.model.register import (
    CONFIG_FILE,
    KIND_BY_FOLDER,
    KIND_BY_NAME,
    KINDS,
    Kind,
    Register,
)
from riskctl.model.risk import Risk
from riskctl.scaffold import SCHEMA_FOLDER

#: Comment lines are wrapped at this width.
WIDTH = 100
#: How many candidates a "which owner?" message lists before it counts the rest.
LISTED = 20
#: The marker of a value only the analyst can give.
TODO = "TODO"
#: The prefix before the number of each numbered kind; incidents add a year (INC-2026-038).
ID_PREFIXES: dict[str, str] = {
    "risk": "R-",
    "control": "C-",
    "incident": "INC-",
    "kri": "KRI-",
    "launch": "LAUNCH-",
    "acceptance": "ACC-",
}
#: How long an acceptance holds when `--set expires=` does not say: a placeholder (a TODO),
#: because every acceptance needs an expiry (RK402). 90 days: within a quarter's review cycle.
ACCEPTANCE_DAYS = 90


class UsageProblem(ValueError):
    """A command line that is wrong on its own (exit 2): an unknown kind, a malformed id or
    `--set`, an unknown field."""


# --- what each kind starts with -------------------------------------------------------------------


@dataclass(frozen=True)
class Starter:
    """What a new entity of one kind holds before `--set`: placeholders (values only the analyst
    can give), defaults written out, and optional fields shown commented out."""

    placeholders: Mapping[DataPath, Any]
    """Values that are valid but stand for the analyst's answer (a TODO)."""
    defaults: Sequence[DataPath]
    """Optional fields written with the model's default (or today's date)."""
    commented: Mapping[str, str]
    """Top-level optional fields people usually fill, as a commented-out example value."""


def _starters(today: datetime.date) -> dict[str, Starter]:
    """The starter of each kind; dates are `today`."""
    now = today.isoformat()
    return {
        "risk": Starter(
            {
                ("title",): "TODO: what could go wrong, to whom, with what effect",
                ("inherent", "likelihood"): 3,
                ("inherent", "impact"): 3,
            },
            [("status",), ("reviewed",)],
            {
                "description": "...",
                "process": "...",
                "target": "{likelihood: 2, impact: 2}",
                "controls": "[C-001, C-002]",
                "treatment": "mitigate",
                "kris": "[KRI-001]",
            },
        ),
        "control": Starter(
            {("title",): "TODO: what the control does", ("nature",): "preventive"},
            [("key",), ("status",), ("effectiveness",)],
            {
                "objective": "...",
                "automation": "manual",
                "frequency": "monthly",
                "reduces": "likelihood",
                "evidence": "...",
                "tests": f"\n  - {{date: {now}, type: design, procedure: inspection, "
                "result: pass, tester: ...}",
            },
        ),
        "owner": Starter(
            {("name",): "TODO: the person's or team's name"},
            [],
            {
                "team": "...",
                "email": "name@example.com",
                "escalation": "an-owner-id",
                "github": '"@login"',
            },
        ),
        "incident": Starter(
            {("kind",): "incident", ("title",): "TODO: what happened", ("severity",): 3},
            [("occurred",), ("status",)],
            {
                "detected": now,
                "potential_severity": "4",
                "risks": "[R-001]",
                "failed_controls": "[C-001]",
                "barrier_that_held": "...",
                "summary": "...",
                "impact": "...",
            },
        ),
        "kri": Starter(
            {
                ("title",): "TODO: what is measured",
                ("direction",): "higher-is-worse",
                ("thresholds", "amber"): 1,
                ("thresholds", "red"): 2,
            },
            [("frequency",)],
            {
                "unit": "count",
                "risks": "[R-001]",
                "observations": f"\n  - {{date: {now}, value: 0}}",
            },
        ),
        "launch": Starter(
            {("title",): "TODO: what is launched", ("launch_date",): now},
            [("status",)],
            {
                "description": "...",
                "risks": "[R-001]",
                "monitoring": f"\n  - {{kri: KRI-001, until: {now}}}",
            },
        ),
        "acceptance": Starter(
            {
                ("expires",): (today + datetime.timedelta(days=ACCEPTANCE_DAYS)).isoformat(),
                ("rationale",): "TODO: why the risk is retained, and what would end it",
            },
            [("decided",)],
            {"residual_at_decision": "{likelihood: 2, impact: 3}"},  # when the risk did not load
        ),
    }


#: Fields whose default is today's date rather than the model's.
TODAY_FIELDS = frozenset({("reviewed",), ("occurred",), ("decided",)})

#: Required references `new` fills when the register has exactly one candidate: field → kind.
#: (A category comes from riskctl.yaml; the rest from the register's entities.)
CHOSEN_REFERENCES: dict[str, dict[str, str]] = {
    "risk": {"category": "category", "owner": "owner"},
    "control": {"owner": "owner"},
    "incident": {},
    "kri": {"owner": "owner"},
    "launch": {"owner": "owner"},
    "acceptance": {"risk": "risk", "approver": "owner"},
    "owner": {},
}


# --- the command line's words ---------------------------------------------------------------------


#: The kinds `riskctl new` writes: a framework catalogue is imported (`riskctl framework
#: import`), not written field by field.
NEW_KINDS: tuple[Kind, ...] = tuple(kind for kind in KINDS if kind.name != "framework")


def find_kind(name: str) -> Kind:
    """The kind named `name` (`risk`) or by its folder (`risks`); `UsageProblem` otherwise."""
    kind = KIND_BY_NAME.get(name) or KIND_BY_FOLDER.get(name)
    if kind is not None and kind not in NEW_KINDS:
        raise UsageProblem(
            f"riskctl new does not write a {kind.name}: import its catalogue with "
            "`riskctl framework import FILE` (an OSCAL catalog or a CISO Assistant library)"
        )
    if kind is None:
        names = [each.name for each in NEW_KINDS]
        folders = [each.folder for each in NEW_KINDS]
        close = difflib.get_close_matches(name.lower(), [*names, *folders], n=1)
        hint = f"; did you mean {_kind_name(close[0])!r}?" if close else ""
        raise UsageProblem(f"no kind {name!r}: use one of {', '.join(names)}{hint}")
    return kind


def _kind_name(word: str) -> str:
    return KIND_BY_FOLDER[word].name if word in KIND_BY_FOLDER else word


_ID_LIKE = re.compile(r"^[A-Za-z]+-[0-9]")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def split_arguments(kind: Kind, first: str | None, second: str | None) -> tuple[str | None, str]:
    """(ID or None, PATH) from `new KIND [ID] [PATH]`'s two optional words.

    With two words they are ID and PATH. One word is the register folder when it is one (it
    holds a `riskctl.yaml`); else it is the ID for an owner (whose id is a name the analyst
    chooses) and for a word that starts like the kind's ids (`R-`) or like any id (`XY-1`) and
    names no existing path; otherwise it is the register folder.
    """
    if second is not None:
        return first, second
    if first is None:
        return None, "register"
    prefix = ID_PREFIXES.get(kind.name)
    is_id = not os.path.isfile(os.path.join(first, CONFIG_FILE)) and (
        kind.name == "owner"
        or (prefix is not None and first.upper().startswith(prefix))
        or (_ID_LIKE.match(first) is not None and not os.path.lexists(first))
    )
    return (first, "register") if is_id else (None, first)


@dataclass(frozen=True)
class Setting:
    """One `--set FIELD=VALUE`: the field's path and the value's text as given."""

    path: tuple[str, ...]
    text: str


def parse_setting(argument: str) -> Setting:
    """`effectiveness.design=effective` → Setting(("effectiveness", "design"), "effective")."""
    field, equals, text = argument.partition("=")
    if not equals:
        raise UsageProblem(f"--set {argument!r}: expected FIELD=VALUE, e.g. --set title='...'")
    path = tuple(part.strip() for part in field.split("."))
    if not all(path):
        raise UsageProblem(f"--set {argument!r}: a field name is empty (use a.b=value)")
    if _has_surrogates(argument):
        raise UsageProblem(f"--set {field!r}: the value is not valid UTF-8 text")
    return Setting(path, text)


def _has_surrogates(text: str) -> bool:
    """Bytes the command line could not decode (surrogate escapes) cannot go into a file."""
    return any("\ud800" <= char <= "\udfff" for char in text)


# --- the model's fields, through its JSON Schema --------------------------------------------------


class Schema:
    """A kind's JSON Schema with `$ref`s and optional (`anyOf` with null) fields resolved."""

    def __init__(self, kind: Kind) -> None:
        self.root: dict[str, Any] = kind.model.model_json_schema(by_alias=True)
        self.definitions: dict[str, Any] = self.root.get("$defs", {})

    def resolve(self, node: Mapping[str, Any]) -> dict[str, Any]:
        """The node itself: a `$ref` followed, an optional field's null alternative dropped,
        a union of mappings merged (for paths; the model judges the values)."""
        merged: dict[str, Any] = {
            key: value for key, value in node.items() if key not in ("$ref", "anyOf", "oneOf")
        }
        if "$ref" in node:
            target = self.definitions[node["$ref"].rsplit("/", 1)[-1]]
            merged = {**self.resolve(target), **merged}
        for union in ("anyOf", "oneOf"):
            options = [
                self.resolve(option)
                for option in node.get(union, ())
                if option.get("type") != "null"
            ]
            if len(options) == 1:
                merged = {**options[0], **merged}
            elif options and all(option.get("type") == "object" for option in options):
                properties: dict[str, Any] = {}
                for option in options:
                    properties.update(option.get("properties", {}))
                merged = {**merged, "type": "object", "properties": properties}
        return merged

    def fields(self, path: Sequence[str] = ()) -> dict[str, Any]:
        """The properties of the mapping at `path` (the entity at `()`), in model order."""
        node = self.resolve(self.root)
        for name in path:
            node = self.resolve(node["properties"][name])
        return dict(node.get("properties", {}))

    def node(self, path: Sequence[str]) -> dict[str, Any]:
        """The resolved schema of the field at `path`."""
        return self.resolve(self.fields(path[:-1])[path[-1]])


def _check_path(schema: Schema, path: tuple[str, ...], argument: str) -> dict[str, Any]:
    """The field's schema; `UsageProblem` for an unknown field (with a did-you-mean) or a path
    into something that is not a mapping."""
    if path[0] == "id":
        raise UsageProblem("--set id: give the id as the ID argument (riskctl new KIND ID)")
    node: dict[str, Any] = {}
    for depth, name in enumerate(path):
        properties = schema.fields(path[:depth])
        if name not in properties:
            where = ".".join(path[:depth])
            close = difflib.get_close_matches(name, list(properties), n=1)
            hint = f"; did you mean {'.'.join((*path[:depth], close[0]))!r}?" if close else ""
            within = f" in {where}" if where else ""
            raise UsageProblem(f"--set {argument!r}: unknown field {name!r}{within}{hint}")
        node = schema.resolve(properties[name])
        if depth < len(path) - 1 and node.get("type") != "object":
            raise UsageProblem(
                f"--set {argument!r}: {'.'.join(path[: depth + 1])} is not a mapping; set it whole"
            )
    return node


def typed_value(node: Mapping[str, Any], setting: Setting) -> Any:
    """The `--set` value as the field takes it: text stays text (even `2026` or `true`); a
    number, a boolean, a list or a mapping is read as YAML (`[a, b]`, `{k: v}`; a list also as
    `a,b`). The model judges the result; a value YAML cannot read is a `UsageProblem`."""
    kind = node.get("type")
    text = setting.text
    field = ".".join(setting.path)
    if kind == "string":  # enumerations, ids, references and dates too: the model parses them
        if node.get("format") == "date" and not _DATE.match(text):
            # as --now: the model would also take 2026-01-01T00:00, or a week date elsewhere
            raise UsageProblem(f"--set {field}={text!r}: a date is YYYY-MM-DD, e.g. 2026-11-27")
        return text
    if kind == "array":
        stripped = text.strip()
        if stripped.startswith("["):
            return _read_yaml(stripped, field)
        items = [item.strip() for item in text.split(",")] if stripped else []
        item_node = node.get("items", {})
        return [
            _read_yaml(item, field) if item_node.get("type") != "string" else item for item in items
        ]
    if kind == "object":
        stripped = text.strip()
        if not stripped.startswith("{"):
            raise UsageProblem(
                f"--set {field}: a mapping; set its keys ({field}.KEY=VALUE) or give it whole "
                f"in YAML flow style ({field}={{key: value, ...}})"
            )
        return _read_yaml(stripped, field)
    return _read_yaml(text.strip(), field)


def _read_yaml(text: str, field: str) -> Any:
    """One YAML value (a scalar or a flow collection), read by riskctl's loader."""
    if "\n" in text or "\r" in text:
        raise UsageProblem(f"--set {field}: a value on one line, please")
    parsed = parse("--set", f"value: {text}\n".encode())
    if parsed.data is None or parsed.hits or list(parsed.data) != ["value"]:
        problem = parsed.hits[0].message if parsed.hits else "not one value"
        raise UsageProblem(f"--set {field}={text!r}: not a YAML value: {problem}")
    return parsed.data["value"]


# --- the id ---------------------------------------------------------------------------------------

_ID_LINE = re.compile(r"^id:[ \t]*[\"']?([^\"'\s#]+)", re.MULTILINE)


def ids_in_use(loaded: Loaded, kind: Kind) -> set[str]:
    """Every id of `kind` the register uses or reserves: each file's name in the kind's folder
    and below it (read or not: a symlink or an unreadable file still holds its name) and each
    file's `id:`, valid, invalid, or in a file that does not parse."""
    used = set(loaded.register.known_ids.get(kind.name, ()))
    sources = loaded.sources
    names = [*sources.files, *(hit.where.file for hit in sources.problems)]
    for name in names:
        folder, _, file = name.rpartition("/")
        if folder != kind.folder and not folder.startswith(f"{kind.folder}/"):
            continue  # (a file in a subfolder, risks/archive/R-099.yaml, still holds its id)
        used.add(file.rsplit(".", 1)[0] if "." in file else file)
        content = sources.files.get(name)
        if content is not None:
            match = _ID_LINE.search(content.decode("utf-8", "replace"))
            if match:
                used.add(match[1])
    return used


def next_id(kind: Kind, used: set[str], today: datetime.date) -> str:
    """One more than the highest number in use, at the register's zero-padding (3 at least);
    for an incident, within the year of `today`."""
    prefix = ID_PREFIXES[kind.name]
    if kind.name == "incident":
        pattern = re.compile(rf"^{re.escape(prefix)}([0-9]{{4}})-([0-9]+)$")
        found = [(match[1], match[2]) for each in used if (match := pattern.match(each))]
        widths = [len(number) for _, number in found]
        this_year = [number for year, number in found if year == f"{today.year:04d}"]
        highest = max(this_year, key=int, default="0")
        width = max([3, len(highest) if this_year else max(widths, default=3)])
        return f"{prefix}{today.year:04d}-{int(highest) + 1:0{width}d}"
    pattern = re.compile(rf"^{re.escape(prefix)}([0-9]+)$")
    numbers = [match[1] for each in used if (match := pattern.match(each))]
    highest = max(numbers, key=int, default="0")
    width = max(3, len(highest))
    return f"{prefix}{int(highest) + 1:0{width}d}"


def check_id(kind: Kind, entity_id: str) -> None:
    """`UsageProblem` for an id that does not have the kind's form."""
    if not ID_REGEXES[kind.name].match(entity_id):
        raise UsageProblem(
            f"{entity_id!r} is not {_article(kind.name)} id: {ID_EXAMPLES[kind.name]}"
        )


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


# --- planning the file ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewFile:
    """The file to create: where, its text, its id, and how many placeholders it still holds."""

    path: Path
    entity_id: str
    text: str
    todos: int


def plan_new(
    loaded: Loaded,
    folder: Path,
    kind: Kind,
    entity_id: str | None,
    settings: Sequence[Setting],
    today: datetime.date,
) -> NewFile:
    """Plan a new entity file of `kind` in the register at `folder`; nothing is written.

    Raises `UsageProblem` for a malformed id or `--set`, and `RiskctlError` (naming the field or
    the path and why) for an id in use, a value the model refuses, a reference the register does
    not have, or a kind folder that is a file or a symbolic link.
    """
    schema = Schema(kind)
    values = [(setting, _check_path(schema, setting.path, _shown(setting))) for setting in settings]
    typed = [(setting.path, typed_value(node, setting)) for setting, node in values]
    if entity_id is not None:
        check_id(kind, entity_id)
    elif kind.name == "owner":
        raise UsageProblem(
            "an owner's id is the name you give it, a kebab-case slug: "
            "riskctl new owner payments-risk [PATH]"
        )
    kind_folder = folder / kind.folder
    _check_kind_folder(kind_folder)
    used = ids_in_use(loaded, kind)
    if entity_id is None:
        entity_id = next_id(kind, used, today)
        while os.path.lexists(kind_folder / f"{entity_id}.yaml"):  # written since it was read
            used.add(entity_id)
            entity_id = next_id(kind, used, today)
    target = kind_folder / f"{entity_id}.yaml"
    if entity_id in used or os.path.lexists(target):
        raise RiskctlError(
            f"{kind.name} {entity_id} is already in the register ({target.as_posix()}); "
            "nothing written"
        )
    starter = _starters(today)[kind.name]
    data, todo_paths = _starting_data(schema, starter, entity_id, today)
    given: set[tuple[str, ...]] = set()
    for path, value in typed:
        _put(data, path, value)
        given.add(path)
    todo_paths = {
        path for path in todo_paths if not any(path[: len(each)] == each for each in given)
    }
    _choose_references(loaded.register, kind, data, given)
    if kind.name == "kri":
        _orient_thresholds(data, todo_paths)
    if kind.name == "acceptance" and "residual_at_decision" not in data:
        _record_residual(loaded.register, data)
    file = f"{kind.folder}/{entity_id}.yaml"
    entity = _validated(file, data, kind)
    _check_references(loaded.register, kind, entity)
    commented = {key: example for key, example in starter.commented.items() if key not in data}
    header = schema_line(folder, kind)
    text = render(schema, data, commented, todo_paths, header, loaded.register, kind)
    _check_reads_back(file, text, data, kind)
    return NewFile(target, entity_id, text, len(todo_paths))


def _shown(setting: Setting) -> str:
    return f"{'.'.join(setting.path)}={setting.text}"


def _check_kind_folder(kind_folder: Path) -> None:
    """`RiskctlError` when the kind's folder is a link or not a folder; a missing one is fine
    (`writes.apply_changes` makes it)."""
    try:
        status = kind_folder.lstat()
    except FileNotFoundError:
        return
    except OSError as error:
        raise RiskctlError(f"{kind_folder}: cannot use it: {error.strerror}") from None
    if kind_folder.is_symlink():
        raise RiskctlError(
            f"{kind_folder}: a symbolic link (to {os.readlink(kind_folder)}); riskctl does not "
            "write through links, and does not read a linked folder either; nothing written"
        )
    if not stat.S_ISDIR(status.st_mode):
        raise RiskctlError(f"{kind_folder}: not a folder; nothing written")


def _starting_data(
    schema: Schema, starter: Starter, entity_id: str, today: datetime.date
) -> tuple[dict[str, Any], set[DataPath]]:
    """The data before `--set`: the id, placeholders, defaults; and the placeholders' paths."""
    data: dict[str, Any] = {"id": entity_id}
    for path, value in starter.placeholders.items():
        _put(data, tuple(str(each) for each in path), value)
    for path in starter.defaults:
        name = str(path[0])
        if path in TODAY_FIELDS:
            data[name] = today.isoformat()
        else:
            data[name] = schema.fields()[name]["default"]
    return data, set(starter.placeholders)


def _orient_thresholds(data: dict[str, Any], todos: set[DataPath]) -> None:
    """Placeholder thresholds run the way `direction` says is worse (RK503): amber 1 and red 2
    when higher is worse, the other way round when lower is."""
    placeholders = {("thresholds", "amber"), ("thresholds", "red")}
    if placeholders <= todos and data.get("direction") == "lower-is-worse":
        data["thresholds"] = {"amber": 2, "red": 1}


def _record_residual(register: Register, data: dict[str, Any]) -> None:
    """An acceptance records the residual its approver saw: the risk's residual now (its
    override, else the computed one), so that RK404 fires when it changes, not at once."""
    from riskctl.score.residual import latest_failures, score_risk, usable_matrix

    risk = register.by_id(Risk).get(str(data.get("risk")))
    if risk is None:
        return
    try:
        matrix = usable_matrix(register.config)
    except RiskctlError:  # a broken custom method: nothing to record; lint says why
        return
    failures = latest_failures(register.by_id(Incident).values())
    score = score_risk(risk, register.by_id(Control), register.config, matrix, failures)
    residual = score.residual
    data["residual_at_decision"] = {"likelihood": residual.likelihood, "impact": residual.impact}


def _is_todo_text(value: object) -> bool:
    return isinstance(value, str) and value.startswith(f"{TODO}:")


def _put(data: dict[str, Any], path: Sequence[str | int], value: Any) -> None:
    """Set `value` at `path` in nested dicts, creating (or replacing non-mapping) parents."""
    target = data
    for name in path[:-1]:
        if not isinstance(target.get(str(name)), dict):
            target[str(name)] = {}
        target = target[str(name)]
    target[str(path[-1])] = value


def _choose_references(
    register: Register, kind: Kind, data: dict[str, Any], given: set[tuple[str, ...]]
) -> None:
    """Fill each required reference the register answers alone; ask for the others."""
    for field, target in CHOSEN_REFERENCES[kind.name].items():
        if (field,) in given or field in data:
            continue
        if target == "category":
            candidates = [category.id for category in register.config.categories]
            where = "riskctl.yaml defines"
        else:
            candidates = sorted(register.known_ids.get(target, ()))
            where = "the register has"
        if len(candidates) == 1:
            data[field] = candidates[0]
            continue
        if not candidates:
            folder = KIND_BY_NAME[target].folder
            raise RiskctlError(
                f"{kind.name} needs {_article(target)} ({field}), and the register has none "
                f"yet: create one first (riskctl new {target} ...; it goes in {folder}/)"
            )
        more = len(candidates) - LISTED
        shown = ", ".join(candidates[:LISTED]) + (f" and {more} more" if more > 0 else "")
        raise UsageProblem(
            f"which {target}? {where} {len(candidates)}: {shown}; say which with --set {field}=ID"
        )


def _validated(file: str, data: dict[str, Any], kind: Kind) -> Any:
    """The entity the data makes; `RiskctlError` with each problem (field and why) otherwise."""
    entity, hits = validate(file, data, kind.model)
    if entity is None or hits:
        problems = "; ".join(_located(hit.where.path, hit.message) for hit in hits)
        raise RiskctlError(f"cannot create {kind.name} {data['id']}: {problems}; nothing written")
    return entity


def _located(path: DataPath, message: str) -> str:
    """The message, prefixed with where it applies unless it already says."""
    where = ".".join(str(element) for element in path)
    if not where or message.startswith(f"{where}:") or message.startswith("missing required"):
        return message
    if message.startswith("unknown key"):
        parent = ".".join(str(element) for element in path[:-1])
        return f"{parent}: {message}" if parent else message
    return f"{where}: {message}"


def _check_references(register: Register, kind: Kind, entity: Any) -> None:
    """`RiskctlError` for a reference (or a risk's category) the register does not have."""
    problems = []
    for reference in references(entity):
        if not register.has(reference.kind, reference.target):
            field = ".".join(str(element) for element in reference.path)
            known = sorted(register.known_ids.get(reference.kind, ()))
            problems.append(
                f"{field}: no {reference.kind} {reference.target!r} in the register"
                + _did_you_mean(reference.target, known)
            )
    if kind.name == "risk":
        categories = [category.id for category in register.config.categories]
        if entity.category not in categories:
            problems.append(
                f"category: riskctl.yaml defines no category {entity.category!r} (categories: "
                f"{', '.join(categories)})"
            )
    if problems:
        raise RiskctlError(
            f"cannot create {kind.name} {entity.id}: {'; '.join(problems)}; nothing written"
        )


def _did_you_mean(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def schema_line(folder: Path, kind: Kind) -> str | None:
    """The `# yaml-language-server: $schema=` line: the register's own `.schemas/` (made by
    `riskctl init`), else the `schemas/` folder of the repository holding the register, else
    none."""
    name = f"{kind.name}.schema.json"
    if (folder / SCHEMA_FOLDER / name).is_file():
        return f"# yaml-language-server: $schema=../{SCHEMA_FOLDER}/{name}"
    try:
        start = folder.resolve()
    except (OSError, RuntimeError):
        return None
    for ancestor in start.parents:
        candidate = ancestor / "schemas" / name
        if candidate.is_file():
            relative = os.path.relpath(candidate, start / kind.folder)
            return f"# yaml-language-server: $schema={Path(relative).as_posix()}"
        if (ancestor / ".git").exists():
            break  # the repository's root: a schemas/ above it is another project's
    return None


def _check_reads_back(file: str, text: str, data: dict[str, Any], kind: Kind) -> None:
    """The text must read, with riskctl's loader, as exactly `data`, and validate cleanly."""
    parsed = parse(file, text.encode("utf-8"))
    if parsed.hits or parsed.data != data:
        raise RiskctlError(
            f"{file}: riskctl could not write these values so that they read back the same; "
            "nothing written (a bug: please report it)"
        )
    _validated(file, parsed.data, kind)


# --- the text -------------------------------------------------------------------------------------


def render(
    schema: Schema,
    data: Mapping[str, Any],
    commented: Mapping[str, str],
    todos: set[DataPath],
    header: str | None,
    register: Register,
    kind: Kind,
) -> str:
    """The file: the schema line, then each field in model order with its comment above it;
    optional fields people usually fill follow, commented out, where they belong."""
    lines = [header] if header else []
    for name, field in schema.fields().items():
        if name in data:
            comment = _comment_text(schema, (name,), field, register, kind)
            lines += _comment_lines(comment, "")
            lines += _field_lines(schema, (name,), data[name], todos, register, kind, "")
        elif name in commented:
            comment = _comment_text(schema, (name,), field, register, kind)
            lines += _comment_lines(comment, "")
            example = commented[name]
            first, *rest = example.split("\n")
            lines.append(f"# {name}:{' ' if first else ''}{first}".rstrip())
            lines += [f"# {line}" for line in rest]
    return "\n".join(lines) + "\n"


def _field_lines(
    schema: Schema,
    path: tuple[str, ...],
    value: Any,
    todos: set[DataPath],
    register: Register,
    kind: Kind,
    indent: str,
) -> list[str]:
    """`key: value` lines of one field; a mapping in block style with a comment per key."""
    name = path[-1]
    marker = f"  # {TODO}" if path in todos and not _is_todo_text(value) else ""
    if isinstance(value, dict) and value:
        lines = [f"{indent}{_key(name)}:"]
        fields = schema.fields(path)
        for key in _ordered(value, fields):
            child = (*path, key)
            field = fields.get(key)
            if field is not None:
                comment = _comment_text(schema, child, field, register, kind)
                lines += _comment_lines(comment, indent + "  ")
            lines += _field_lines(schema, child, value[key], todos, register, kind, indent + "  ")
        return lines
    if isinstance(value, list) and value and any(isinstance(item, dict | list) for item in value):
        items = schema.node(path).get("items", {})
        return [
            f"{indent}{_key(name)}:",
            *(f"{indent}  - {flow(schema, items, item, True)}" for item in value),
        ]
    return [f"{indent}{_key(name)}: {flow(schema, schema.node(path), value)}{marker}"]


def _ordered(value: Mapping[str, Any], fields: Mapping[str, Any]) -> list[str]:
    """Keys in the model's order, any others (the model refused them already) after."""
    known = [key for key in fields if key in value]
    return known + [key for key in value if key not in fields]


def _comment_text(
    schema: Schema, path: tuple[str, ...], field: Mapping[str, Any], register: Register, kind: Kind
) -> str:
    """What the field means (its docstring) and what values it takes."""
    node = schema.resolve(field)
    description = " ".join(str(field.get("description") or node.get("description") or "").split())
    hint = _values_hint(node, description)
    if path == ("category",) and kind.name == "risk":
        hint = " | ".join(category.id for category in register.config.categories)
    if not hint:
        return description
    if not description:
        return hint
    if description.endswith("."):
        return f"{description[:-1]}: {hint}."
    return f"{description} {hint}"


def _values_hint(node: Mapping[str, Any], description: str) -> str:
    """The values a field takes, when its description does not already say."""
    if "enum" in node:
        return " | ".join(str(each) for each in node["enum"])
    kind = node.get("type")
    if node.get("format") == "date":
        return "a date, YYYY-MM-DD"
    if kind == "boolean":
        return "true | false"
    if kind == "integer" and "minimum" in node and "maximum" in node:
        if description[:1].isdigit():
            return ""
        return f"a whole number from {node['minimum']:g} to {node['maximum']:g}"
    return ""


def _comment_lines(text: str, indent: str) -> list[str]:
    """Comment lines wrapped at `WIDTH` columns."""
    if not text:
        return []
    glue = "\x00"  # keeps `a | b` on one line: a list of values is never split at a bar
    lines = textwrap.wrap(
        text.replace(" | ", f"{glue}|{glue}"),
        width=WIDTH,
        initial_indent=f"{indent}# ",
        subsequent_indent=f"{indent}# ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(glue, " ") for line in lines]


# --- YAML scalars and flow collections ------------------------------------------------------------

#: Plain scalars other YAML readers (YAML 1.1: PyYAML, many editors) would read as something
#: other than text: booleans, nulls, numbers, dates and times, sexagesimals, merge keys.
_AMBIGUOUS = re.compile(
    r"^(?:[yYnN]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|~|null|Null|NULL|=|<<|[-+.]?[0-9][0-9_:.eE+-]*(?:[ Tt][0-9:.+Z -]*)?|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN))$"
)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


def flow(schema: Schema, node: Mapping[str, Any], value: Any, in_flow: bool = False) -> str:
    """`value` as YAML in flow style: a plain or double-quoted scalar, `[...]`, `{...}`. The
    field's schema `node` tells a date (written plain, as the register writes dates) from text
    that only looks like one (quoted, so that no YAML reader takes it for a date)."""
    node = schema.resolve(node)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        items = node.get("items", {})
        return "[" + ", ".join(flow(schema, items, item, True) for item in value) + "]"
    if isinstance(value, dict):
        properties = node.get("properties", {})
        pairs = (
            f"{_key(str(key))}: {flow(schema, properties.get(key, {}), item, True)}"
            for key, item in value.items()
        )
        return "{" + ", ".join(pairs) + "}"
    text = str(value)
    if node.get("format") == "date" and _DATE.match(text):
        return text
    return text if _is_plain(text, in_flow) else quoted(text)


def _key(name: str) -> str:
    return name if _is_plain(name, in_flow=True) else quoted(name)


def _is_plain(text: str, in_flow: bool) -> bool:
    if not text or text != text.strip() or text[0] in _INDICATORS:
        return False
    if not all(char.isprintable() for char in text) or _AMBIGUOUS.match(text):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if in_flow and any(char in text for char in ",[]{}"):
        return False
    document = f"value: [{text}]\n" if in_flow else f"value: {text}\n"
    parsed = parse("value", document.encode("utf-8"))
    expected = [text] if in_flow else text
    return not parsed.hits and parsed.data == {"value": expected}


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def quoted(text: str) -> str:
    """A double-quoted YAML scalar; what is not printable is escaped (`\\n`, `\\x1b`, `\\u2028`)."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == " " or char.isprintable():
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'
