"""Every rule's case file: cases that fire at exact positions, and near misses that pass."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskctl.lint.engine import lint
from riskctl.load import read_directory
from tests.conftest import BASE_REGISTER, FROZEN_NOW

CASES = Path(__file__).parent / "cases"


def _cases() -> list[Any]:
    params = []
    for case_file in sorted(CASES.glob("RK*.yaml")):
        spec = yaml.safe_load(case_file.read_text(encoding="utf-8"))
        for outcome in ("fires", "passes"):
            for name, case in (spec.get(outcome) or {}).items():
                params.append(
                    pytest.param(spec["rule"], outcome, case, id=f"{spec['rule']}-{outcome}-{name}")
                )
    return params


def build_register(
    tmp_path: Path, files: dict[str, str | None], latin1: dict[str, str] | None = None
) -> Path:
    """The base register with `files` written over it (None deletes a file).

    `latin1` files are written in Latin-1, for cases about encodings.
    """
    register = tmp_path / "register"
    shutil.copytree(BASE_REGISTER, register)
    for relative, content in files.items():
        target = register / relative
        if content is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
    for relative, content in (latin1 or {}).items():
        (register / relative).write_text(content, encoding="latin-1")
    return register


@pytest.mark.parametrize(("code", "outcome", "case"), _cases())
def test_rule_case(tmp_path: Path, code: str, outcome: str, case: dict[str, Any]) -> None:
    register = build_register(tmp_path, case.get("files") or {}, case.get("latin1"))
    today = datetime.date.fromisoformat(str(case.get("now", FROZEN_NOW)))
    sources = read_directory(register)
    result = lint(sources, today=today)
    found = sorted(
        f"{finding.file.removeprefix(sources.label + '/')}:{finding.line}:{finding.col}"
        for finding in result.findings
        if finding.code == code
    )
    expected = sorted(case.get("expect") or []) if outcome == "fires" else []
    if outcome == "fires":
        assert expected, "a firing case must list the positions it expects"
    assert found == expected, [f.message for f in result.findings if f.code == code]
