"""The committed JSON Schemas match the models, and shipped files name their schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from riskctl.load import parse
from riskctl.model.register import KIND_BY_FOLDER
from riskctl.model.schema import json_schemas
from tests.conftest import ROOT, SHIPPED_REGISTER

SCHEMAS = ROOT / "schemas"


def test_committed_schemas_match_the_models() -> None:
    exported = json_schemas()
    committed = {path.name: path.read_text(encoding="utf-8") for path in SCHEMAS.glob("*.json")}
    assert committed == exported, "run `make schemas` (riskctl schema export) and commit schemas/"


def _shipped_files() -> list[Path]:
    return sorted(SHIPPED_REGISTER.rglob("*.yaml")) if SHIPPED_REGISTER.is_dir() else []


@pytest.mark.parametrize("path", _shipped_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shipped_file_names_its_schema_and_validates(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    relative = path.relative_to(SHIPPED_REGISTER)
    kind = KIND_BY_FOLDER[relative.parts[0]].name if len(relative.parts) > 1 else "riskctl"
    expected_schema = Path("../" * (len(relative.parts) - 1) + f"../schemas/{kind}.schema.json")
    assert first_line == f"# yaml-language-server: $schema={expected_schema.as_posix()}"
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    data = parse(path.name, path.read_bytes()).data  # as an editor sees it: dates are strings
    validator = jsonschema.Draft202012Validator(schema)
    assert [error.message for error in validator.iter_errors(data)] == []


def test_number_bounds_are_json_schema_keywords() -> None:
    """pydantic leaves `ge`/`gt`/`le`/`lt` in a schema when the bound follows a validator
    (every register number has one); editors read only JSON Schema's own keywords."""
    exported = json_schemas()
    for name, text in exported.items():
        assert not re.search(r'"(ge|gt|le|lt)": ', text), name
    validator = jsonschema.Draft202012Validator(json.loads(exported["risk.schema.json"]))
    base: dict[str, object] = {"id": "R-001", "title": "t", "category": "c", "owner": "o"}
    base["inherent"] = {"likelihood": 1, "impact": 1}

    def errors(quant: dict[str, object]) -> list[str]:
        return [error.message for error in validator.iter_errors({**base, "quant": quant})]

    magnitude = {"lognormal": {"low": 1, "high": 10}}
    assert errors({"frequency": {"poisson": {"lambda": 0}}, "magnitude": magnitude}) == []
    assert errors({"frequency": {"poisson": {"lambda": -1}}, "magnitude": magnitude}) != []
    assert errors({"frequency": {"poisson": {"lambda": 2e6}}, "magnitude": magnitude}) != []
    level = {"lognormal": {"low": 1, "high": 10, "level": 1}}
    assert errors({"frequency": {"poisson": {"lambda": 1}}, "magnitude": level}) != []


def test_the_schema_takes_exactly_one_form_of_each_loss_input_and_only_lambda() -> None:
    """The model's "exactly one of" is JSON Schema's `oneOf`, and `lambda_` (the Python name)
    is an unknown key in files, as in the model."""
    from riskctl.model.quant import Poisson

    validator = jsonschema.Draft202012Validator(json.loads(json_schemas()["risk.schema.json"]))
    base: dict[str, object] = {"id": "R-001", "title": "t", "category": "c", "owner": "o"}
    base["inherent"] = {"likelihood": 1, "impact": 1}

    def valid(quant: dict[str, object]) -> bool:
        return validator.is_valid({**base, "quant": quant})

    poisson = {"poisson": {"lambda": 1}}
    pert = {"pert": {"low": 1, "mode": 2, "high": 3}}
    lognormal = {"lognormal": {"low": 1, "high": 10}}
    assert valid({"frequency": poisson, "magnitude": lognormal})
    assert not valid({"frequency": {**poisson, **pert}, "magnitude": lognormal})
    assert not valid({"frequency": {}, "magnitude": lognormal})
    assert not valid({"frequency": poisson, "magnitude": {**lognormal, **pert}})
    assert not valid({"frequency": {"poisson": {"lambda_": 1}}, "magnitude": lognormal})
    secondary = {**lognormal, "secondary": {"probability": 0.5, **lognormal, **pert}}
    assert not valid({"frequency": poisson, "magnitude": secondary})
    with pytest.raises(ValueError, match="lambda"):
        Poisson.model_validate({"lambda_": 1})
