"""Output formats: golden files for every format, SARIF validity, GitHub escaping."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest

from riskctl.findings import Finding, LintResult, Severity
from riskctl.lint.engine import lint
from riskctl.load import read_directory
from riskctl.output import FORMATTERS, github
from tests.conftest import FROZEN_NOW, ROOT, TESTS, check_golden

GOLDEN = TESTS / "golden" / "lint"
REGISTERS = {"broken": TESTS / "data" / "registers" / "broken", "register": ROOT / "register"}
SUFFIX = {"text": "txt", "json": "json", "github": "github", "sarif": "sarif"}
TEST_VERSION = "0.0.0-test"


def _lint(name: str, monkeypatch: pytest.MonkeyPatch) -> LintResult:
    folder = REGISTERS[name]
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    monkeypatch.chdir(folder.parent)  # findings name files relative to the current directory
    return lint(read_directory(Path(folder.name)), today=datetime.date.fromisoformat(FROZEN_NOW))


@pytest.mark.parametrize("output_format", sorted(FORMATTERS))
@pytest.mark.parametrize("name", sorted(REGISTERS))
def test_golden(
    name: str, output_format: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    rendered = FORMATTERS[output_format](_lint(name, monkeypatch), TEST_VERSION)
    check_golden(GOLDEN / f"{name}.{SUFFIX[output_format]}", rendered, update_golden)
    assert "\x1b[" not in rendered


@pytest.mark.parametrize("name", sorted(REGISTERS))
def test_sarif_is_valid_against_the_official_schema(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(FORMATTERS["sarif"](_lint(name, monkeypatch), TEST_VERSION))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [
        f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(log)
    ]
    assert errors == []
    run = log["runs"][0]
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_json_document_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    document = json.loads(FORMATTERS["json"](_lint("broken", monkeypatch), TEST_VERSION))
    assert document["version"] == 1
    assert set(document["summary"]) == {"files", "errors", "warnings", "notes"}
    first = document["findings"][0]
    assert set(first) == {"file", "line", "col", "code", "name", "severity", "message"}
    keys = [(f["file"], f["line"], f["col"], f["code"]) for f in document["findings"]]
    assert keys == sorted(keys)


def test_github_escapes_messages_and_properties() -> None:
    finding = Finding(
        "reg/risks/R,1:x.yaml",
        3,
        7,
        "RK103",
        "unknown-reference",
        Severity.WARNING,
        "50% of\r\nlines: a, b",
    )
    rendered = github.render(LintResult(findings=(finding,), files=1), TEST_VERSION)
    assert rendered == (
        "::warning file=reg/risks/R%2C1%3Ax.yaml,line=3,col=7,"
        "title=RK103 unknown-reference::50%25 of%0D%0Alines: a, b\n"
    )


def test_text_summary_counts() -> None:
    error = Finding("f", 1, 1, "RK001", "yaml-syntax-error", Severity.ERROR, "m")
    warning = Finding("f", 2, 1, "RK009", "unexpected-file", Severity.WARNING, "m")
    text = FORMATTERS["text"](LintResult(findings=(error, warning, error), files=1), TEST_VERSION)
    assert text.splitlines()[-1] == "1 file checked: 2 errors, 1 warning"
    assert (
        FORMATTERS["text"](LintResult(findings=(), files=3), "x")
        == "3 files checked: no problems\n"
    )
