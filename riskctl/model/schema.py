"""JSON Schemas of the register's files, generated from the models, for editors and CI."""

from __future__ import annotations

import json
from typing import Any

from riskctl.model.config import Config
from riskctl.model.register import KINDS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schemas() -> dict[str, str]:
    """File name → JSON Schema text, one per kind (`risk.schema.json`) and `riskctl.schema.json`."""
    schemas: dict[str, str] = {}
    models: list[tuple[str, Any]] = [(kind.name, kind.model) for kind in KINDS]
    models.append(("riskctl", Config))
    for name, model in models:
        schema = _json_bounds(model.model_json_schema(by_alias=True))
        document = {"$schema": SCHEMA_DIALECT, **schema}
        schemas[f"{name}.schema.json"] = json.dumps(document, indent=2, sort_keys=True) + "\n"
    return dict(sorted(schemas.items()))


#: pydantic's constraint names, as it leaves them in a schema when a constraint follows a
#: validator (`Annotated[Number, Field(ge=0)]`): (the side, whether the bound is exclusive).
_BOUNDS = {"ge": (0, False), "gt": (0, True), "le": (1, False), "lt": (1, True)}
#: JSON Schema's own keywords for the same: [lower, upper] x [inclusive, exclusive].
_KEYWORDS = (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum"))


def _json_bounds(node: Any) -> Any:
    """`node` with pydantic's `ge`/`gt`/`le`/`lt` on a number as JSON Schema's own bounds, which
    editors and validators read: `{ge: 0, minimum: -1e15}` becomes `{minimum: 0}`."""
    if isinstance(node, list):
        return [_json_bounds(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _json_bounds(value) for key, value in node.items()}
    if result.get("type") not in ("number", "integer"):
        return result
    for side, (inclusive, exclusive) in enumerate(_KEYWORDS):
        bounds = [(result.pop(inclusive), False)] if inclusive in result else []
        bounds += [(result.pop(exclusive), True)] if exclusive in result else []
        bounds += [
            (result.pop(name), is_exclusive)
            for name, (bound_side, is_exclusive) in _BOUNDS.items()
            if bound_side == side and name in result
        ]
        if bounds:
            # the tightest: the largest lower bound, the smallest upper; exclusive on a tie
            key = (lambda b: (b[0], b[1])) if side == 0 else (lambda b: (-b[0], b[1]))
            value, is_exclusive = max(bounds, key=key)
            result[exclusive if is_exclusive else inclusive] = value
    return result
