"""`riskctl kri status` and `riskctl kri xmr` end to end: goldens, JSON shape, errors, --rev."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import FROZEN_NOW, ROOT, TESTS, check_golden
from tests.gitrepo import GitRepo

GOLDEN = TESTS / "golden" / "kri"
runner = CliRunner()

# xmr.md section 5, on Mondays from 2026-01-05.
WORKED = [18, 17, 19, 18, 17, 19, 18, 17, 21, 19, 26, 27, 29, 15]
WORKED_DATES = [f"2026-{month:02d}-{day:02d}" for month, day in [
    (1, 5), (1, 12), (1, 19), (1, 26), (2, 2), (2, 9), (2, 16), (2, 23), (3, 2), (3, 9),
    (3, 16), (3, 23), (3, 30), (4, 6)]]  # fmt: skip


def _status(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["kri", "status", "register", "--now", FROZEN_NOW, *args])
    return result.exit_code, result.stdout, result.stderr


def _xmr(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["kri", "xmr", *args])
    return result.exit_code, result.stdout, result.stderr


def write_series(path: Path, values: Sequence[float], dates: list[str] | None = None) -> Path:
    rows = zip(dates or WORKED_DATES, values, strict=True)
    path.write_text("date,value\n" + "".join(f"{d},{v}\n" for d, v in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(("output_format", "suffix"), [("text", "txt"), ("json", "json")])
def test_golden_status_on_the_shipped_register(
    output_format: str, suffix: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _status("--format", output_format)
    assert (code, stderr) == (0, "")
    assert "\x1b[" not in stdout
    check_golden(GOLDEN / f"register.{suffix}", stdout, update_golden)


def test_status_json_matches_the_issue_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    document = json.loads(_status("--format", "json")[1])
    assert next(iter(document)) == "version"
    assert document["version"] == 1
    assert [kri["id"] for kri in document["kris"]] == [f"KRI-00{n}" for n in range(1, 9)]
    kri = document["kris"][0]
    for field in ("id", "title", "unit", "direction", "latest", "status", "xmr", "wow", "yoy"):
        assert field in kri
    assert kri["latest"] == {"date": "2026-11-23", "value": 54.6}
    assert kri["status"] == "amber"
    assert kri["wow"] == {"change": -1.5, "unit": "bps"}
    assert kri["yoy"] == {"change": 18.9, "unit": "bps"}
    xmr = kri["xmr"]
    for field in ("centre", "unpl", "lnpl", "url", "provisional", "baseline", "signals"):
        assert field in xmr
    assert xmr["baseline"] == {"first": 20}
    assert xmr["provisional"] is False
    assert xmr["unpl"] == pytest.approx(44.728)  # unrounded: 35.74 + 2.66 x 64.2 / 19
    assert {signal["rule"] for signal in xmr["signals"]} == {"rule-1", "rule-2", "rule-3"}
    run = next(signal for signal in xmr["signals"] if signal["rule"] == "rule-3")
    assert (run["dates"][0], run["dates"][-1], len(run["dates"])) == ("2026-09-28", "2026-11-23", 9)
    stable = document["kris"][1]
    assert (stable["id"], stable["xmr"]["signals"]) == ("KRI-002", [])
    assert stable["wow"]["unit"] == "%"


def test_status_now_freezes_the_register(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(
        app, ["kri", "status", "--now", "2026-10-06", "--id", "KRI-001", "-f", "json"]
    )
    kri = json.loads(result.stdout)["kris"][0]
    assert kri["latest"] == {"date": "2026-10-05", "value": 47.9}
    assert kri["status"] == "amber"  # 45 ≤ 47.9 < 60
    assert kri["xmr"]["points"] == 53
    assert kri["wow"] == {"change": 7.3, "unit": "bps"}  # 47.9 - 40.6


def test_status_id_filter_and_unknown_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, _ = _status("--id", "KRI-002", "--id", "KRI-001")
    assert code == 0
    assert [line.split()[0] for line in stdout.splitlines()[1:3]] == ["KRI-001", "KRI-002"]
    assert stdout.splitlines()[-1].startswith("2 KRIs as of 2026-11-27;")
    code, stdout, stderr = _status("--id", "KRI-999")
    assert (code, stdout) == (3, "")
    assert stderr.startswith("riskctl: error: no KRI 'KRI-999' in the register; KRIs: KRI-001")


def test_status_of_a_missing_register_exits_3(tmp_path: Path) -> None:
    result = runner.invoke(app, ["kri", "status", str(tmp_path / "nowhere")])
    assert result.exit_code == 3
    assert result.stderr.startswith("riskctl: error: ")


def test_status_at_a_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(TESTS / "rules" / "base")
    repo.commit("base", day=0)
    kri = repo.root / "register" / "kris" / "KRI-001.yaml"
    kri.write_text(
        kri.read_text(encoding="utf-8") + "  - {date: 2026-11-24, value: 70}\n", encoding="utf-8"
    )
    monkeypatch.chdir(repo.root)
    now = ["--now", FROZEN_NOW, "-f", "json"]
    working = json.loads(runner.invoke(app, ["kri", "status", *now]).stdout)
    committed = json.loads(runner.invoke(app, ["kri", "status", *now, "--rev", "HEAD"]).stdout)
    assert working["kris"][0]["status"] == "red"  # 70 ≥ 60
    assert committed["kris"][0]["status"] == "green"  # 33 < 40
    assert committed["kris"][0]["wow"] == {"change": 2.0, "unit": "bps"}  # 33 - 31


def test_status_colour_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, _ = _status("--color", "always")
    assert code == 0
    assert "\x1b[" in stdout
    assert "KRI-001" in stdout


@pytest.mark.parametrize(
    ("args", "golden"),
    [([], "xmr-worked-example.txt"), (["--baseline", "8"], "xmr-worked-example-locked.txt")],
)
def test_xmr_golden_tables_of_the_worked_example(
    args: list[str], golden: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _xmr("--csv", "tests/golden/kri/ato-weekly.csv", *args)
    assert (code, stderr) == (0, "")
    check_golden(GOLDEN / golden, stdout, update_golden)


def test_the_worked_example_csv_is_xmr_md_section_5() -> None:
    lines = (GOLDEN / "ato-weekly.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "date,value"
    assert [line.split(",") for line in lines[1:]] == [
        [date, str(value)] for date, value in zip(WORKED_DATES, WORKED, strict=True)
    ]


def test_xmr_json_carries_unrounded_values(tmp_path: Path) -> None:
    series = write_series(tmp_path / "ato.csv", WORKED)
    code, stdout, _ = _xmr("--csv", str(series), "--baseline", "8", "--format", "json")
    assert code == 0
    document = json.loads(stdout)
    assert next(iter(document)) == "version"
    assert document["version"] == 1
    # xmr.md section 5, locked to weeks 1-8: X̄ = 143 / 8; mR̄ = 9 / 7; URL = 3.268 x 9 / 7.
    assert document["centre"] == 17.875
    assert document["url"] == pytest.approx(3.268 * 9 / 7, abs=1e-12)
    assert document["baseline"] == {"first": 8}
    assert (document["provisional"], document["points"], document["baseline_points"]) == (
        True,
        14,
        8,
    )
    assert document["signals"][0] == {
        "rule": "rule-2",
        "side": "above",
        "dates": ["2026-03-02", "2026-03-16", "2026-03-23", "2026-03-30"],  # weeks 9, 11-13
    }
    assert [s["dates"] for s in document["signals"] if s["rule"] == "rule-1"] == [
        ["2026-03-16"],
        ["2026-03-23"],
        ["2026-03-30"],
    ]


def test_xmr_floor_at_zero(tmp_path: Path) -> None:
    series = write_series(tmp_path / "counts.csv", [0, 2, 0, 2, 0, 2], WORKED_DATES[:6])
    plain = json.loads(_xmr("--csv", str(series), "-f", "json")[1])
    floored = json.loads(_xmr("--csv", str(series), "-f", "json", "--floor-at-zero")[1])
    assert plain["lnpl"] == pytest.approx(-4.32)  # 1 - 2.66 x 2
    assert floored["lnpl"] == 0.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("date,value\n2026-01-05,1\n2026-01-12,one\n", "ato.csv:3: value 'one' is not a number"),
        ("date,value\n2026-01-05,1\n05/01/2026,2\n", "ato.csv:3: '05/01/2026' is not a date"),
        ("date;value\n", "ato.csv:1: expected the header row `date,value`"),
        (
            "date,value\n2026-01-05,1\n2026-01-12,2\n",
            "ato.csv: 2 points: XmR limits need at least 6",
        ),
    ],
)
def test_xmr_bad_input_exits_3_naming_the_line(tmp_path: Path, content: str, message: str) -> None:
    series = tmp_path / "ato.csv"
    series.write_text(content, encoding="utf-8")
    code, stdout, stderr = _xmr("--csv", str(series))
    assert (code, stdout) == (3, "")
    assert stderr.startswith("riskctl: error: ")
    assert message in stderr


def test_xmr_baseline_errors(tmp_path: Path) -> None:
    series = write_series(tmp_path / "ato.csv", WORKED)
    code, _, stderr = _xmr("--csv", str(series), "--baseline", "15")
    assert code == 3
    assert "--baseline 15, but" in stderr and "has 14 points" in stderr
    code, _, stderr = _xmr("--csv", str(series), "--baseline", "5")
    assert code == 3
    assert "5 points in the baseline (first 5 points): XmR limits need at least 6" in stderr
    assert _xmr("--csv", str(series), "--baseline", "0")[0] == 2  # typer's own usage error


def test_xmr_unreadable_file_exits_3(tmp_path: Path) -> None:
    code, _, stderr = _xmr("--csv", str(tmp_path / "missing.csv"))
    assert code == 3
    assert "cannot read" in stderr
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("date,value\n2026-01-05,1\u00e9\n".encode("latin-1"))
    code, _, stderr = _xmr("--csv", str(latin1))
    assert code == 3
    assert "is not UTF-8 text" in stderr
