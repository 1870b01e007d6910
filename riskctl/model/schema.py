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
        schema = model.model_json_schema(by_alias=True)
        document = {"$schema": SCHEMA_DIALECT, **schema}
        schemas[f"{name}.schema.json"] = json.dumps(document, indent=2, sort_keys=True) + "\n"
    return dict(sorted(schemas.items()))
