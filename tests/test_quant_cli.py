"""`riskctl quant` end to end: goldens for every format, options and their errors, tolerance
exits, reproducibility across processes, the progress bar on a terminal only."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.model.config import MAX_SEED, MAX_YEARS
from riskctl.output.amounts import percent
from riskctl.quant.run import MAX_EVENTS
from tests.conftest import BASE_REGISTER, ROOT, SHIPPED_REGISTER, TESTS, check_golden
from tests.gitrepo import GitRepo

GOLDEN = TESTS / "golden" / "quant"
SUFFIX = {"text": "txt", "json": "json", "csv": "csv", "markdown": "md"}
#: Small enough to keep the suite fast, large enough for every statistic to be stable in shape.
YEARS = "20000"
SEED = "20260910"
STATS = {
    "ale", "mean", "sd", "p_any", "p50", "p90", "p95", "p99", "p999", "var95", "var99",
    "tvar95", "tvar99", "lec",
}  # fmt: skip
QUANTIFIED = ["R-001", "R-003", "R-004", "R-006", "R-009", "R-010", "R-013", "R-020"]
runner = CliRunner()

#: A quant block for the tiny base register's R-001 (no `quant:` in its riskctl.yaml).
BASE_QUANT = """quant:
  frequency:
    poisson: {lambda: 3}
  magnitude:
    lognormal: {low: 10000, high: 200000}
"""


def _quant(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["quant", *args])
    return result.exit_code, result.stdout, result.stderr


def _shipped(*args: str) -> tuple[int, str, str]:
    return _quant("register", "--years", YEARS, "--seed", SEED, *args)


def _strict_json(text: str) -> dict[str, object]:
    """Parse JSON refusing NaN and Infinity (which `json.loads` takes by default)."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"non-finite JSON number {constant}")

    document = json.loads(text, parse_constant=refuse)
    assert isinstance(document, dict)
    return document


def _quantified_base(tmp_path: Path, quant: str = BASE_QUANT, config: str = "") -> Path:
    """The base register (no `quant:` settings) with quant inputs on R-001."""
    register = tmp_path / "register"
    shutil.copytree(BASE_REGISTER, register)
    risk = register / "risks" / "R-001.yaml"
    risk.write_text(risk.read_text(encoding="utf-8") + quant, encoding="utf-8")
    if config:
        settings = register / "riskctl.yaml"
        settings.write_text(settings.read_text(encoding="utf-8") + config, encoding="utf-8")
    return register


# --- goldens ---------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", sorted(SUFFIX))
def test_golden_formats_on_the_shipped_register(
    output_format: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _shipped("--format", output_format)
    assert (code, stderr) == (0, "")
    assert "\x1b[" not in stdout
    assert "compound-poisson" in stdout  # every output states the semantics
    check_golden(GOLDEN / f"register.{SUFFIX[output_format]}", stdout, update_golden)


def test_golden_one_risk_json(monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _shipped("--risk", "R-006", "--format", "json")
    assert (code, stderr) == (0, "")
    check_golden(GOLDEN / "R-006.json", stdout, update_golden)


# --- the formats -----------------------------------------------------------------------------


def test_json_is_the_issue_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    document = _strict_json(_shipped("--format", "json")[1])
    assert list(document)[:5] == ["version", "semantics", "years", "seed", "currency"]
    assert (document["version"], document["semantics"]) == (1, "compound-poisson")
    assert (document["years"], document["seed"], document["currency"]) == (20000, 20260910, "USD")
    risks = document["risks"]
    assert isinstance(risks, list)
    assert [risk["id"] for risk in risks] == QUANTIFIED
    for risk in risks:
        assert set(risk["inherent"]) == STATS == set(risk["residual"])
        assert risk["residual"]["ale"] <= risk["inherent"]["ale"]
    portfolio = document["portfolio"]
    assert isinstance(portfolio, dict)
    assert portfolio["inherent"]["ale"] == pytest.approx(sum(r["inherent"]["ale"] for r in risks))
    tolerance = document["tolerance"]
    assert isinstance(tolerance, list)
    assert [point["loss"] for point in tolerance] == [1e6, 5e6, 2e7, 5e7]
    assert {"breached", "marginal", "probability", "standard_error", "limit"} <= set(tolerance[0])


def test_csv_has_a_row_per_risk_and_tier_and_the_portfolio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, _ = _shipped("--format", "csv")
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert code == 0
    assert [(row["scope"], row["id"], row["tier"]) for row in rows] == [
        *(("risk", risk, tier) for risk in QUANTIFIED for tier in ("inherent", "residual")),
        ("portfolio", "", "inherent"),
        ("portfolio", "", "residual"),
    ]
    assert "lec" not in rows[0]
    assert STATS - {"lec"} <= set(rows[0])
    document = _strict_json(_shipped("--format", "json")[1])
    first = document["risks"][0]  # type: ignore[index]
    for key in STATS - {"lec"}:  # raw numbers, the JSON's to the last digit
        assert float(rows[1][key]) == first["residual"][key], key
    assert {row["semantics"] for row in rows} == {"compound-poisson"}


def test_text_shows_each_section_and_the_tolerance_verdicts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, _ = _shipped()
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0] == (
        "Loss quantification: compound-poisson semantics, 20,000 simulated years, "
        "seed 20260910, amounts in USD"
    )
    assert "Portfolio of 8 risks (per-year sums):" in lines
    assert "Loss exceedance, P(annual loss > x):" in lines
    verdicts = [line.split()[4] for line in lines if re.match(r"^ *[0-9,]+ +[0-9.]+% ", line)]
    document = _strict_json(_shipped("--format", "json")[1])
    expected = ["breached" if p["breached"] else "held" for p in document["tolerance"]]  # type: ignore[attr-defined]
    assert verdicts == expected
    assert "1 of 4 tolerance points breached." in lines


def test_semantics_option_overrides_the_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, _ = _shipped("--semantics", "fair-product", "--format", "json")
    document = _strict_json(stdout)
    assert (code, document["semantics"]) == (0, "fair-product")
    for name in ("text", "markdown", "csv"):
        assert "fair-product" in _shipped("--semantics", "fair-product", "-f", name)[1], name


def test_color_marks_the_verdicts_and_never_is_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    coloured = _shipped("--color", "always")[1]
    plain = _shipped("--color", "never")[1]
    assert "\x1b[" in coloured and "\x1b[" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_register_text_is_escaped_in_every_format(tmp_path: Path) -> None:
    register = _quantified_base(tmp_path)
    risk = register / "risks" / "R-001.yaml"
    hostile = '"=HYPERLINK(1) | *bold* \\e[31m red \\u202e"'
    text = risk.read_text(encoding="utf-8")
    risk.write_text(
        re.sub(r"^title: .*$", lambda _: f"title: {hostile}", text, flags=re.MULTILINE),
        encoding="utf-8",
    )
    outputs = {name: _quant(str(register), "--years", "500", "-f", name) for name in sorted(SUFFIX)}
    for name, (code, stdout, stderr) in outputs.items():
        assert code == 0, (name, stderr)
        assert "\x1b" not in stdout and "\u202e" not in stdout, name
    assert "\\x1b[31m" in outputs["text"][1]
    assert "=HYPERLINK(1) \\| *bold* \\\\x1b\\[31m" in outputs["markdown"][1]  # the table holds
    rows = list(csv.DictReader(io.StringIO(outputs["csv"][1])))
    assert rows[0]["title"].startswith("'=HYPERLINK")
    assert _strict_json(outputs["json"][1])["risks"][0]["title"].startswith("=HYPERLINK")  # type: ignore[index]


# --- options: usage errors (exit 2) and not-found (exit 3) ----------------------------------

USAGE = {
    "years-zero": (["--years", "0"], "--years"),
    "years-negative": (["--years", "-1"], "--years"),
    "years-too-many": (["--years", str(10**8)], f"{MAX_YEARS:,}"),
    "years-not-a-number": (["--years", "abc"], "--years"),
    "seed-negative": (["--seed", "-1"], "--seed"),
    "seed-too-large": (["--seed", str(2**64)], str(MAX_SEED)),
    "semantics-unknown": (["--semantics", "product"], "is not one of"),
    "format-unknown": (["--format", "yaml"], "is not one of"),
    "extra-argument": (["register", "other"], "unexpected extra argument"),
}


@pytest.mark.parametrize(("arguments", "message"), USAGE.values(), ids=list(USAGE))
def test_a_bad_option_value_is_a_usage_error(
    arguments: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _quant(*arguments)
    assert (code, stdout) == (2, ""), stderr
    assert message in " ".join(stderr.split())
    assert "Traceback" not in stderr


def test_the_bounds_themselves_are_accepted(tmp_path: Path) -> None:
    register = _quantified_base(tmp_path)
    code, stdout, stderr = _quant(
        str(register), "--years", "1", "--seed", str(MAX_SEED), "-f", "json"
    )
    assert code == 0, stderr
    document = _strict_json(stdout)
    assert (document["years"], document["seed"]) == (1, MAX_SEED)


NOT_FOUND = {
    "unknown-risk": (["--risk", "R-999"], "no risk 'R-999' in the register; did you mean"),
    "risk-without-inputs": (["--risk", "R-002"], "risk R-002 has no `quant:` inputs"),
    "one-bad-of-two": (["--risk", "R-006", "--risk", "R-998"], "no risk 'R-998'"),
    "missing-path": (["no-such-folder"], "no-such-folder"),
    "unknown-revision": (["--rev", "no-such-rev"], "no-such-rev"),
}


@pytest.mark.parametrize(("arguments", "message"), NOT_FOUND.values(), ids=list(NOT_FOUND))
def test_a_value_the_register_lacks_is_exit_3(
    arguments: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _quant(*arguments, "--years", "10")
    assert (code, stdout) == (3, ""), stderr
    assert stderr.startswith("riskctl: error: ")
    assert message in stderr


def test_a_run_too_large_is_refused_before_drawing(tmp_path: Path) -> None:
    quant = BASE_QUANT.replace("lambda: 3", "lambda: 1000000")
    register = _quantified_base(tmp_path, quant)
    years = MAX_EVENTS // 1_000_000  # 2 tiers x 10^6 events x years: twice the most allowed
    code, stdout, stderr = _quant(str(register), "--years", str(years))
    assert (code, stdout) == (3, "")
    assert "event losses" in stderr and "use fewer years" in stderr


def test_risk_repeats_and_the_portfolio_is_theirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, _ = _shipped(
        "--risk", "R-013", "--risk", "R-001", "--risk", "R-013", "-f", "json"
    )
    document = _strict_json(stdout)
    risks = document["risks"]
    assert isinstance(risks, list) and isinstance(document["portfolio"], dict)
    assert (code, [risk["id"] for risk in risks]) == (0, ["R-001", "R-013"])
    ale = document["portfolio"]["inherent"]["ale"]
    assert ale == pytest.approx(sum(risk["inherent"]["ale"] for risk in risks))


# --- configuration, partial registers, revisions ----------------------------------------------


def test_no_quant_settings_means_the_defaults(tmp_path: Path) -> None:
    """riskctl.yaml without `quant:`: 100,000 years, seed 0, compound-poisson, USD, no curve."""
    register = _quantified_base(tmp_path)
    code, stdout, stderr = _quant(str(register), "-f", "json")
    document = _strict_json(stdout)
    assert (code, stderr) == (0, "")
    assert [document[key] for key in ("years", "seed", "semantics", "currency", "tolerance")] == [
        100_000, 0, "compound-poisson", "USD", [],
    ]  # fmt: skip
    code, stdout, stderr = _quant(str(register), "--years", "100", "--fail-on-tolerance")
    assert code == 0
    assert "No loss-tolerance curve in riskctl.yaml" in stdout
    assert "no loss-tolerance curve" in stderr


def test_a_register_with_nothing_to_quantify(tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(BASE_REGISTER, register)
    code, stdout, stderr = _quant(str(register))
    assert (code, stderr) == (0, "")
    assert "No open risk has `quant:` inputs: nothing to simulate." in stdout
    assert "compound-poisson" in stdout
    document = _strict_json(_quant(str(register), "-f", "json")[1])
    assert (document["risks"], document["portfolio"], document["tolerance"]) == ([], None, [])
    code, stdout, _ = _quant(str(register), "-f", "csv")
    assert code == 0
    assert stdout.splitlines() == [stdout.splitlines()[0]]  # the header alone
    assert stdout.startswith("scope,id,title,tier,ale,")
    assert _quant(str(register), "-f", "markdown")[0] == 0
    assert _quant(str(register), "--fail-on-tolerance")[0] == 0


def test_fail_on_tolerance_exits_1_and_names_the_breach(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _shipped("--fail-on-tolerance", "-f", "json")
    assert code == 1
    assert _strict_json(stdout)["tolerance"]  # the document is still written, whole
    assert stderr.startswith("riskctl: tolerance breached: P(annual loss > USD 5,000,000) = ")
    assert len(stderr.splitlines()) == 1
    code, _, stderr = _shipped("-f", "json")
    assert (code, stderr) == (0, "")  # a breach without the flag: reported, exit 0


def test_a_curve_that_holds_exits_0(tmp_path: Path) -> None:
    curve = "quant:\n  tolerance:\n    - {loss: 100000000, probability: 0.01}\n"
    register = _quantified_base(tmp_path, config=curve)
    code, stdout, stderr = _quant(str(register), "--years", "2000", "--fail-on-tolerance")
    assert (code, stderr) == (0, "")
    assert "0 of 1 tolerance point breached." in stdout


def test_partial_register_names_what_was_left_out(tmp_path: Path) -> None:
    register = _quantified_base(tmp_path)
    (register / "risks" / "R-002.yaml").write_text("id: R-002\nx: [\n", encoding="utf-8")
    code, stdout, stderr = _quant(str(register), "--years", "100")
    assert (code, stdout) == (3, "")
    assert "R-002.yaml" in stderr
    code, stdout, stderr = _quant(str(register), "--years", "100", "--partial", "-f", "json")
    document = _strict_json(stdout)
    assert code == 0, stderr
    assert [entry["file"] for entry in document["left_out"]] == [  # type: ignore[attr-defined]
        f"{register}/risks/R-002.yaml"
    ]
    assert [risk["id"] for risk in document["risks"]] == ["R-001"]  # type: ignore[attr-defined]
    code, stdout, _ = _quant(str(register), "--years", "100", "--partial")
    assert code == 0 and stdout.startswith("partial: 1 file(s) did not load")


def test_rev_reads_the_register_from_git(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(_quantified_base(tmp_path / "work"))
    repo.commit("a quantified register", day=1)
    folder = str(repo.root / "register")
    committed = _quant(folder, "--years", "1000", "-f", "json")
    risk = repo.root / "register" / "risks" / "R-001.yaml"
    risk.write_text(risk.read_text(encoding="utf-8").replace("lambda: 3", "lambda: 5"), "utf-8")
    changed = _quant(folder, "--years", "1000", "-f", "json")
    at_head = _quant(folder, "--years", "1000", "-f", "json", "--rev", "HEAD")
    assert committed[0] == changed[0] == at_head[0] == 0
    assert at_head[1] == committed[1] != changed[1]


# --- reproducibility --------------------------------------------------------------------------


def _process(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "riskctl", "quant", *args],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )


def test_the_same_seed_gives_the_same_bytes_in_two_processes() -> None:
    arguments = ("register", "--years", "5000", "--seed", "7", "-f", "json")
    first, second = _process(*arguments), _process(*arguments)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert first.stderr == second.stderr == b""  # a pipe: no progress bar
    other = _process("register", "--years", "5000", "--seed", "8", "-f", "json")
    assert other.stdout != first.stdout


def test_removing_a_risk_leaves_the_others_numbers_alone(tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(SHIPPED_REGISTER, register)
    risk = register / "risks" / "R-020.yaml"
    text = risk.read_text(encoding="utf-8")
    risk.write_text(text[: text.index("\nquant:") + 1], encoding="utf-8")
    arguments = ("--years", "3000", "--seed", "11", "-f", "json")
    whole = _strict_json(_quant(str(SHIPPED_REGISTER), *arguments)[1])
    fewer = _strict_json(_quant(str(register), *arguments)[1])
    before = {risk["id"]: risk for risk in whole["risks"]}  # type: ignore[attr-defined]
    after = {risk["id"]: risk for risk in fewer["risks"]}  # type: ignore[attr-defined]
    assert set(before) - set(after) == {"R-020"}
    for risk_id, entry in after.items():
        assert entry == before[risk_id], risk_id
    assert fewer["portfolio"] != whole["portfolio"]


# --- the progress bar -------------------------------------------------------------------------


def _read_all(descriptor: int) -> bytes:
    chunks = []
    while True:
        ready, _, _ = select.select([descriptor], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(descriptor, 65536)
        except OSError:  # the other end closed (Linux reports EIO)
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_progress_bar_on_a_terminal_ends_cleanly() -> None:
    main, terminal = pty.openpty()
    try:
        completed = subprocess.Popen(
            [sys.executable, "-m", "riskctl", "quant", "register", "--years", "2000", "-f", "json"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=terminal,
        )
        os.close(terminal)
        shown = _read_all(main)
        stdout, _ = completed.communicate(timeout=60)
    finally:
        os.close(main)
    assert completed.returncode == 0
    _strict_json(stdout.decode("utf-8"))  # stdout untouched by the bar
    text = shown.decode("utf-8")
    assert "simulating 2,000 years [" in text
    assert "] 16/16" in text  # every tier of the 8 risks reported
    assert "\n" not in text.replace("\r\n", "")  # one line, redrawn
    erased = text.rsplit("\r", 2)
    assert text.endswith("\r") and erased[-2].strip() == ""  # the line blanked at the end


def test_no_progress_bar_on_a_pipe() -> None:
    completed = _process("register", "--years", "2000")
    assert completed.returncode == 0
    assert completed.stderr == b""


def test_a_risk_that_never_loses_reads_in_every_format(tmp_path: Path) -> None:
    """Zero events a year and one simulated year: no curve, sd of one year; never exit 4."""
    quant = BASE_QUANT.replace("lambda: 3", "lambda: 0").replace(
        "lognormal: {low: 10000, high: 200000}", "pert: {low: 0, mode: 0, high: 1}"
    )
    register = _quantified_base(tmp_path, quant)
    for years in ("1", "3"):
        for name in sorted(SUFFIX):
            code, stdout, stderr = _quant(str(register), "--years", years, "-f", name)
            assert (code, stderr) == (0, ""), (years, name)
            if name == "json":
                document = _strict_json(stdout)
                assert document["portfolio"]["residual"]["lec"] == []  # type: ignore[index]
            elif name in ("text", "markdown"):
                assert "No simulated year had a loss, inherent or residual." in stdout


def test_the_exceedance_table_reads_the_curve_at_each_decade(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    document = _strict_json(_shipped("-f", "json")[1])
    portfolio = document["portfolio"]
    assert isinstance(portfolio, dict)
    text = _shipped()[1]
    table = text.split("Loss exceedance, P(annual loss > x):\n", 1)[1].split("\n\n", 1)[0]
    rows = [line.split() for line in table.splitlines()[1:]]
    assert [row[0] for row in rows] == ["100k", "1M", "10M", "100M", "1B"]
    curves = {tier: dict(map(tuple, portfolio[tier]["lec"])) for tier in ("inherent", "residual")}
    for row, exponent in zip(rows, range(5, 10), strict=True):
        for cell, tier in zip(row[1:], ("inherent", "residual"), strict=True):
            curve = curves[tier]
            if 10.0**exponent in curve:
                assert cell == percent(curve[10.0**exponent]), (row, tier)
            elif 10.0**exponent > max(curve):
                assert cell == "0%"
            else:  # below the grid: bounded by its first point
                first = percent(next(iter(curve.values())))
                assert cell == (first if first == "100%" else f"≥ {first}"), (row, tier)
