"""Plain data to models: schema validation, and messages that say what is expected.

Each file is validated on its own (one bad file hides nothing else); every pydantic error becomes
a `Hit` naming the key, the value found and what was expected (the allowed range or values, or a
nested object's fields), never a model's class name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from pydantic import VERSION, BaseModel, ValidationError

from riskctl.findings import DataPath, Hit, Where
from riskctl.load.parse import TooLarge, quote
from riskctl.model.common import ID_EXAMPLES, ID_PATTERNS
from riskctl.model.register import KIND_BY_FOLDER


def validator_version() -> str:
    """The validating library, for the cache's fingerprint (`load.cache`); each pydantic
    release pins its pydantic-core exactly."""
    return f"pydantic {VERSION}"


def validate(file: str, data: dict[Any, Any], model: type[BaseModel]) -> tuple[Any, list[Hit]]:
    """Validate plain data against a model: the model (or None) and a hit per schema problem.

    A file whose only problems are unknown keys still yields its model, without those keys.
    """
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        problems = error.errors()
    hits = _unique(
        [
            _schema_hit(file, data, model, problem)
            for problem in problems
            if not isinstance(problem.get("input"), TooLarge)  # the loader said it: RK004
        ]
    )
    if all(problem["type"] in ("extra_forbidden", "invalid_key") for problem in problems):
        # Only unknown keys: the rest of the entity is sound, so keep it for the cross-file
        # rules (its references still resolve, its waivers still count) minus those keys.
        unknown = [data_path(data, problem["loc"]) for problem in problems]
        pruned = _without(data, unknown)
        try:
            return model.model_validate(pruned), hits
        except ValidationError as again:
            # Removing them can: a model check that runs only once every field is valid
            # (`quant.frequency: {poison: ...}` is an unknown key, and without it no form is
            # left): those problems are the file's too, and it does not load.
            hits = _unique(
                hits
                + [
                    _schema_hit(file, pruned, model, problem)
                    for problem in again.errors()
                    if not isinstance(problem.get("input"), TooLarge)
                ]
            )
    return None, hits


def _without(data: Any, paths: list[DataPath]) -> Any:
    """A copy of `data` without the keys at `paths`."""
    if not isinstance(data, dict | list):
        return data
    here = {path[0] for path in paths if len(path) == 1}
    deeper: dict[Any, list[DataPath]] = {}
    for path in paths:
        if len(path) > 1:
            deeper.setdefault(path[0], []).append(path[1:])
    if isinstance(data, list):
        return [_without(item, deeper.get(index, [])) for index, item in enumerate(data)]
    return {
        key: _without(value, deeper.get(key, [])) for key, value in data.items() if key not in here
    }


#: Keys that moved elsewhere, by their full path: the hint says where they went.
MOVED_KEYS: dict[tuple[str, ...], str] = {
    ("quant", "currency"): "; the currency is the register's, riskctl.yaml `quant: currency:`",
}


def _schema_hit(file: str, data: Any, model: type[BaseModel], problem: Any) -> Hit:
    path = data_path(data, problem["loc"])
    kind = problem["type"]
    where_text = ".".join(str(element) for element in path)
    if kind in ("extra_forbidden", "invalid_key"):
        key = path[-1] if path else "?"
        hint = MOVED_KEYS.get(tuple(str(part) for part in path)) or _suggest(
            key, _allowed_keys(model, path[:-1], data)
        )
        return Hit(Where(file, path, at_key=True), f"unknown key {quote(key)}{hint}", "RK005")
    if kind == "missing":
        parent = ".".join(str(element) for element in path[:-1])
        within = f" in {parent}" if parent else ""
        return Hit(Where(file, path), f"missing required key {quote(path[-1])}{within}", "RK006")
    message = _expected(model, problem)
    if kind == "string_pattern_mismatch" and path == ("id",):
        kind_name = _kind_of_model(model)
        if kind_name:
            message = f"not {_article(kind_name)} {kind_name} id: expected {ID_EXAMPLES[kind_name]}"
    # A model's own check (a PERT's order, a curve's points) names the values it found; the
    # mapping it was given, quoted again, would only repeat them.
    whole = kind == "value_error" and isinstance(problem["input"], dict | list)
    found = "" if whole else f", found {quote(problem['input'])}"
    return Hit(Where(file, path), f"{where_text or 'value'}: {message}{found}", "RK007")


#: pydantic errors whose own message says what was wrong but not what is expected ("input is too
#: short", "unable to interpret input", "datetimes provided to dates should have zero time"):
#: what the register expects instead. pydantic's other messages name the type, the allowed
#: values or the bound, and stay as they are.
_EXPECTED_BY_ERROR = {
    **dict.fromkeys(
        (
            "date_type",
            "date_parsing",
            "date_from_datetime_parsing",
            "date_from_datetime_inexact",
            "datetime_type",
            "datetime_parsing",
            "datetime_from_date_parsing",
        ),
        "expected a date as YYYY-MM-DD, e.g. 2026-11-27",
    ),
    "bool_parsing": "input should be a valid boolean: true or false",
    "string_too_short": "expected text, not an empty string",
}


def _expected(model: type[BaseModel], problem: Any) -> str:
    """What the value should have been, in the register's words: the allowed values or range,
    the form of a date or id, or a nested mapping's keys; never a pydantic class name."""
    kind = problem["type"]
    context = problem.get("ctx") or {}
    if kind in ("model_type", "model_attributes_type", "dict_type", "mapping_type"):
        nested = _model_named(model, context.get("class_name"))
        return _expected_mapping(nested) if nested is not None else "expected a mapping"
    if kind == "value_error" and "error" in context:
        return str(context["error"])  # the model's message, without pydantic's "Value error, "
    if kind in _EXPECTED_BY_ERROR and (kind != "string_too_short" or context["min_length"] == 1):
        return _EXPECTED_BY_ERROR[kind]
    if kind == "too_short" and context.get("field_type") == "List":
        least = context.get("min_length", 1)
        return f"expected a list of at least {least} item{'s' if least != 1 else ''}"
    if kind == "string_pattern_mismatch":
        pattern = str(context.get("pattern", ""))
        kind_name = next((name for name, p in ID_PATTERNS.items() if p == pattern), None)
        if kind_name is not None:
            return f"expected {_article(kind_name)} {kind_name} id: {ID_EXAMPLES[kind_name]}"
        return f"expected text matching {pattern}"
    message = str(problem.get("msg") or "")
    return message[0].lower() + message[1:] if message else "invalid value"


def _expected_mapping(model: type[BaseModel]) -> str:
    """`expected a mapping with keys: a, b, c (required: a)`."""
    fields = model.model_fields.items()
    keys = [info.alias or name for name, info in fields]
    required = [info.alias or name for name, info in fields if info.is_required()]
    needed = f" (required: {', '.join(required)})" if required else ""
    return f"expected a mapping with keys: {', '.join(keys)}{needed}"


def _model_named(model: type[BaseModel], name: object) -> type[BaseModel] | None:
    """The model called `name` among `model` and the models its fields hold, at any depth."""
    seen: set[type[BaseModel]] = set()
    pending = [model]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if current.__name__ == name:
            return current
        for info in current.model_fields.values():
            pending.extend(_annotation_models(info.annotation))
    return None


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def data_path(data: Any, loc: tuple[Any, ...]) -> DataPath:
    """A pydantic error location as a path in the data, without union tags and model names."""
    path: list[str | int] = []
    current = data
    for position, element in enumerate(loc):
        is_last = position == len(loc) - 1
        if isinstance(current, dict) and element not in current and isinstance(element, str):
            # pydantic names a non-string key by its str(): find the key it means
            element = next((key for key in current if str(key) == element), element)
        is_key = isinstance(current, dict) and element in current
        is_index = isinstance(current, list) and isinstance(element, int) and element < len(current)
        if is_key or is_index:
            path.append(element)
            current = current[element]
        elif is_last and isinstance(current, dict):
            path.append(element)  # a missing key: named, and located at its mapping
        # else: a tag or model name pydantic added; not part of the data
    return tuple(path)


def _allowed_keys(model: type[BaseModel], path: DataPath, data: Any) -> list[str]:
    """Field names (aliases) of the model at `path`, for "did you mean" hints."""
    current: Any = model
    for element in path:
        if isinstance(element, int):
            continue
        annotation = _field_model(current, element)
        if annotation is None:
            return []
        current = annotation
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return []
    return [info.alias or name for name, info in current.model_fields.items()]


def _field_model(model: Any, name: str) -> type[BaseModel] | None:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    for field_name, info in model.model_fields.items():
        if (info.alias or field_name) == name:
            for candidate in _annotation_models(info.annotation):
                return candidate
    return None


def _annotation_models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in getattr(annotation, "__args__", ()):
        yield from _annotation_models(argument)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and getattr(annotation, "__metadata__", None) is not None:
        yield from _annotation_models(origin)


def _suggest(key: object, allowed: list[str]) -> str:
    if not isinstance(key, str):
        return ""
    close = difflib.get_close_matches(key, allowed, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _kind_of_model(model: type[BaseModel]) -> str | None:
    for folder_kind in KIND_BY_FOLDER.values():
        if folder_kind.model is model:
            return folder_kind.name
    return None


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[Where, str]] = set()
    unique = []
    for hit in hits:
        if (hit.where, hit.message) not in seen:
            seen.add((hit.where, hit.message))
            unique.append(hit)
    return unique
