"""`riskctl score` end to end: goldens for every format and the explanation, errors, options."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import FROZEN_NOW, ROOT, TESTS, check_golden

GOLDEN = TESTS / "golden" / "score"
SUFFIX = {"text": "txt", "json": "json", "csv": "csv", "markdown": "md"}
runner = CliRunner()


def _score(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["score", "register", "--now", FROZEN_NOW, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("output_format", sorted(SUFFIX))
def test_golden_formats_on_the_shipped_register(
    output_format: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _score("--format", output_format)
    assert (code, stderr) == (0, "")
    assert "\x1b[" not in stdout
    check_golden(GOLDEN / f"register.{SUFFIX[output_format]}", stdout, update_golden)


@pytest.mark.parametrize("risk_id", ["R-001", "R-013"])
def test_golden_explanations(
    risk_id: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, _ = _score("--explain", risk_id)
    assert code == 0
    check_golden(GOLDEN / f"explain-{risk_id}.txt", stdout, update_golden)


def test_json_document_matches_the_issue_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    document = json.loads(_score("--format", "json")[1])
    assert list(document)[:2] == ["version", "method"]
    assert document["version"] == 1
    assert {"name", "fingerprint"} <= set(document["method"])
    risk = document["risks"][0]
    for field in ("id", "title", "category", "owner", "inherent", "residual", "projected",
                  "target", "appetite", "next_review", "credited_controls"):  # fmt: skip
        assert field in risk
    assert set(risk["inherent"]) == {"likelihood", "impact", "score", "level"}
    assert risk["residual"]["source"] in ("computed", "override")
    assert set(risk["appetite"]) == {"limit", "within"}
    scores = [(r["residual"]["score"], r["inherent"]["score"]) for r in document["risks"]]
    assert scores == sorted(scores, reverse=True)


def test_csv_has_a_row_per_open_risk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    rows = list(csv.DictReader(io.StringIO(_score("--format", "csv")[1])))
    assert len(rows) == 30  # 31 risks, R-031 is closed
    assert len(list(csv.DictReader(io.StringIO(_score("-f", "csv", "--include-closed")[1])))) == 31


def test_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    above = json.loads(_score("-f", "json", "--above-appetite")[1])["risks"]
    assert sorted(r["id"] for r in above) == ["R-001", "R-006", "R-007", "R-009", "R-013", "R-019"]
    assert all(r["appetite"]["within"] is False for r in above)
    fraud = json.loads(_score("-f", "json", "--category", "payments-fraud")[1])["risks"]
    assert {r["category"] for r in fraud} == {"payments-fraud"}
    owned = json.loads(_score("-f", "json", "--owner", "privacy-office")[1])["risks"]
    assert {r["owner"] for r in owned} == {"privacy-office"}
    by_id = json.loads(_score("-f", "json", "--sort", "id")[1])["risks"]
    assert [r["id"] for r in by_id] == sorted(r["id"] for r in by_id)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--explain", "R-999"], "no risk 'R-999' in the register"),
        (["--category", "payment-fraud"], "no category 'payment-fraud'; categories: "),
        (["--owner", "nobody"], "no owner 'nobody'; owners: "),
    ],
)
def test_unknown_names_exit_3(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _score(*args)
    assert code == 3
    assert stdout == ""
    assert stderr.startswith(f"riskctl: error: {message}")


def test_unusable_custom_matrix_exits_3(base_register: Path) -> None:
    config = base_register / "riskctl.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "scoring: {method: custom}\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["score", str(base_register)])
    assert result.exit_code == 3
    assert "custom scoring method cannot be used" in result.stderr


def test_colour_table_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    coloured = _score("--color", "always")[1]
    assert "\x1b[" in coloured
    assert "R-001" in coloured
