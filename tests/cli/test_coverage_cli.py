"""`riskctl coverage` and `riskctl report soa` end to end, on a small register of their own
(tests/data/registers/soa: the ACME Security Baseline, a catalogue in its frameworks/, with one
requirement of each status, a mapping to an unknown requirement and one to a grouping, and an
operating test dated after the day)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.output.coverage import CSV_HEADER, WIDTH
from tests.conftest import FROZEN_NOW, ROOT, TESTS, check_golden
from tests.gitrepo import GitRepo
from tests.test_report import _tables

GOLDEN = TESTS / "golden" / "coverage"
REGISTER = "tests/data/registers/soa"
runner = CliRunner()

NOTES = (
    "riskctl: note: 2 mapping(s) to acme-sec-1 name no requirement of it and are not counted "
    "(C-003 OPS.9-01, C-003 GOV.1); `riskctl lint` reports them (RK905, RK906)\n"
    "riskctl: note: 1 record dated after 2026-11-27 not counted (as of --now): C-001 operating "
    "test (2026-12-10)\n"
)


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["coverage", "acme-sec-1", REGISTER], "acme-sec-1.txt"),
        (["coverage", "acme-sec-1", REGISTER, "-f", "json"], "acme-sec-1.json"),
        (["coverage", "acme-sec-1", REGISTER, "-f", "csv"], "acme-sec-1.csv"),
        (["coverage", "acme-sec-1", REGISTER, "-f", "markdown"], "acme-sec-1.md"),
        (["report", "soa", "acme-sec-1", REGISTER], "acme-sec-1.md"),
    ],
    ids=["text", "json", "csv", "markdown", "report-soa"],
)
def test_goldens(
    args: list[str], name: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _run(*args, "--now", FROZEN_NOW)
    assert (code, stderr) == (0, NOTES)
    assert "\x1b[" not in stdout
    check_golden(GOLDEN / name, stdout, update_golden)


def test_the_text_fits_100_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    stdout = _run("coverage", "acme-sec-1", REGISTER, "--now", FROZEN_NOW)[1]
    assert max(len(line) for line in stdout.splitlines()) <= WIDTH
    stdout = _run("coverage", "nist-csf-2.0", REGISTER, "--now", FROZEN_NOW)[1]
    assert max(len(line) for line in stdout.splitlines()) <= WIDTH


def test_json_document_and_not_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    document = json.loads(
        _run("coverage", "acme-sec-1", REGISTER, "-f", "json", "--now", FROZEN_NOW)[1]
    )
    assert list(document) == [
        "version",
        "framework",
        "as_of",
        "declared",
        "totals",
        "groups",
        "requirements",
        "unknown_mappings",
        "unknown_not_applicable",
        "not_counted",
    ]
    assert document["totals"] == {
        "requirements": 6,
        "covered": 1,
        "partial": 3,
        "gap": 1,
        "not-applicable": 1,
    }
    assert document["not_counted"] == [
        {
            "file": "controls/C-001.yaml",
            "entity": "C-001",
            "what": "operating test",
            "date": "2026-12-10",
        }
    ]
    # on 2026-12-10 the failed test counts: OPS.1-01 is no longer covered
    later = json.loads(
        _run("coverage", "acme-sec-1", REGISTER, "-f", "json", "--now", "2026-12-10")[1]
    )
    assert "not_counted" not in later
    assert later["totals"]["covered"] == 0
    row = next(each for each in later["requirements"] if each["id"] == "OPS.1-01")
    assert row["controls"][0]["reason"] == "latest operating test (2026-12-10) failed"


def test_csv_has_a_row_per_requirement_and_control(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    stdout = _run("coverage", "acme-sec-1", REGISTER, "-f", "csv", "--now", FROZEN_NOW)[1]
    rows = list(csv.reader(io.StringIO(stdout)))
    assert tuple(rows[0]) == CSV_HEADER
    assert [(row[1], row[7]) for row in rows[1:]] == [
        ("GOV.1-01", ""),
        ("GOV.1-02", "C-004"),
        ("OPS.1-01", "C-001"),
        ("OPS.1-02", "C-002"),
        ("OPS.1-02", "C-003"),
        ("OPS.1-03", "C-004"),
        ("OPS.2-01", ""),
    ]


def test_markdown_tables_parse_and_match_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    markdown = _run("coverage", "acme-sec-1", REGISTER, "-f", "markdown", "--now", FROZEN_NOW)[1]
    tables = _tables(markdown)
    assert len(tables) == 4  # totals and one per category
    for header, rows in tables:
        assert rows
        assert set(rows) == {header}
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "Refund review | manual sample" in rendered  # the `|` escaped, not a new cell
    assert markdown == _run("report", "soa", "acme-sec-1", REGISTER, "--now", FROZEN_NOW)[1]


def test_hostile_register_text_stays_text(tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(ROOT / REGISTER, register)
    control = register / "controls" / "C-001.yaml"
    control.write_text(
        control.read_text(encoding="utf-8").replace(
            "title: Purchase velocity limits",
            'title: "=HYPERLINK(1) <script>x</script> \\e[31m @team #12 |"',
        ),
        encoding="utf-8",
    )
    now = ("--now", FROZEN_NOW)
    text = _run("coverage", "acme-sec-1", str(register), "-f", "text", *now)[1]
    assert "\x1b" not in text
    markdown = _run("coverage", "acme-sec-1", str(register), "-f", "markdown", *now)[1]
    assert "<script>" not in markdown
    assert "@team" not in markdown
    assert all(set(rows) == {header} for header, rows in _tables(markdown))
    rows = list(
        csv.reader(io.StringIO(_run("coverage", "acme-sec-1", str(register), "-f", "csv", *now)[1]))
    )
    assert [row[8] for row in rows if row[7] == "C-001"] == [
        "'=HYPERLINK(1) <script>x</script> \\x1b[31m @team #12 |"
    ]


def test_colour_marks_the_statuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, _ = _run(
        "coverage", "acme-sec-1", REGISTER, "--color", "always", "--now", FROZEN_NOW
    )
    assert code == 0
    assert "\x1b[" in stdout
    plain = _run("coverage", "acme-sec-1", REGISTER, "--now", FROZEN_NOW)[1]
    assert "\x1b[" not in plain


@pytest.mark.parametrize(("fail_on", "code"), [("gap", 1), ("partial", 1)])
def test_fail_on(fail_on: str, code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert (
        _run("coverage", "acme-sec-1", REGISTER, "--fail-on", fail_on, "--now", FROZEN_NOW)[0]
        == code
    )


def test_fail_on_passes_when_nothing_is_at_or_below_it(tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(ROOT / REGISTER, register)
    config = register / "riskctl.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "        - {requirement: OPS.2-01",
            "        - {requirement: GOV.1-01, justification: x}\n        - {requirement: OPS.2-01",
        ),
        encoding="utf-8",
    )
    args = ("coverage", "acme-sec-1", str(register), "--now", FROZEN_NOW)
    assert _run(*args, "--fail-on", "gap")[0] == 0  # no gap left: only partial ones
    assert _run(*args, "--fail-on", "partial")[0] == 1
    assert _run(*args, "--fail-on", "covered")[0] == 2


def test_unknown_framework_exits_3_with_did_you_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for args in (["coverage", "acme-sec"], ["report", "soa", "acme-sec"]):
        code, stdout, stderr = _run(*args, REGISTER, "--now", FROZEN_NOW)
        assert (code, stdout) == (3, "")
        assert "did you mean acme-sec-1?" in stderr
        assert "known: acme-sec-1, nist-csf-2.0" in stderr


def test_an_undeclared_framework_is_computed_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _run(
        "coverage", "nist-csf-2.0", REGISTER, "-f", "json", "--now", FROZEN_NOW
    )
    assert code == 0
    assert stderr.startswith(
        "riskctl: note: nist-csf-2.0 is not declared in riskctl.yaml frameworks.in_scope: every "
        "requirement is counted as applicable\n"
    )
    document = json.loads(stdout)
    assert not document["declared"]
    assert document["framework"]["shipped"]
    assert document["totals"]["requirements"] == 106
    assert document["totals"]["not-applicable"] == 0
    # C-001 maps DE.CM-09 and meets it
    assert document["totals"]["covered"] == 1


def test_out_writes_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "soa.csv"
    code, stdout, _ = _run(
        "coverage", "acme-sec-1", REGISTER, "-f", "csv", "--out", str(out), "--now", FROZEN_NOW
    )
    assert code == 0
    assert stdout.startswith("wrote ")
    assert out.read_text(encoding="utf-8") == (GOLDEN / "acme-sec-1.csv").read_text(
        encoding="utf-8"
    )
    inside = ROOT / REGISTER / "soa.md"
    code, _, stderr = _run("report", "soa", "acme-sec-1", REGISTER, "--out", str(inside))
    assert code == 3
    assert "inside the register folder" in stderr
    assert not inside.exists()


def test_partial_read_names_what_was_left_out(tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(ROOT / REGISTER, register)
    (register / "controls" / "C-004.yaml").write_text("id: [\n", encoding="utf-8")
    args = ("coverage", "acme-sec-1", str(register), "--now", FROZEN_NOW)
    assert _run(*args)[0] == 3
    code, stdout, _ = _run(*args, "--partial", "-f", "json")
    assert code == 0
    document = json.loads(stdout)
    assert [each["file"].rpartition("register/")[2] for each in document["left_out"]] == [
        "controls/C-004.yaml"
    ]
    assert document["totals"]["partial"] == 1  # OPS.1-03 and GOV.1-02: now gaps
    text = _run(*args, "--partial")[1]
    assert text.startswith("partial: 1 file(s) did not load")


def test_rev_reads_the_mappings_at_a_commit(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path)
    repo.copy_register(ROOT / REGISTER)
    repo.commit("register", day=1)
    control = tmp_path / "register" / "controls" / "C-002.yaml"
    control.write_text(
        control.read_text(encoding="utf-8").replace("status: planned", "status: active"),
        encoding="utf-8",
    )
    now = ("--now", FROZEN_NOW, "-f", "json")
    folder = str(tmp_path / "register")
    worktree = json.loads(_run("coverage", "acme-sec-1", folder, *now)[1])
    committed = json.loads(_run("coverage", "acme-sec-1", folder, *now, "--rev", "HEAD")[1])
    row = {each["id"]: each for each in committed["requirements"]}["OPS.1-02"]
    assert [each["status"] for each in row["controls"]] == ["planned", "degraded"]
    row = {each["id"]: each for each in worktree["requirements"]}["OPS.1-02"]
    assert [each["status"] for each in row["controls"]] == ["active", "degraded"]
    markdown = _run("report", "soa", "acme-sec-1", folder, "--rev", "HEAD", "--now", FROZEN_NOW)
    assert markdown[0] == 0
    assert (
        "C-002 Daily chargeback review | non-key | detective | not-tested / not-tested"
        in (markdown[1])
    )


def test_colour_with_a_partial_read_keeps_the_note_on_top(tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(ROOT / REGISTER, register)
    (register / "controls" / "C-004.yaml").write_text("id: [\n", encoding="utf-8")
    code, stdout, _ = _run(
        "coverage",
        "acme-sec-1",
        str(register),
        "--partial",
        "--color",
        "always",
        "--now",
        FROZEN_NOW,
    )
    assert code == 0
    assert stdout.startswith("partial: 1 file(s) did not load")
    assert "Statement of Applicability" in stdout


def test_a_catalogue_that_did_not_load_is_named(tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(ROOT / REGISTER, register)
    (register / "frameworks" / "acme-sec-1.yaml").write_text("id: [\n", encoding="utf-8")
    code, stdout, stderr = _run(
        "coverage", "acme-sec-1", str(register), "--partial", "--now", FROZEN_NOW
    )
    assert (code, stdout) == (3, "")
    assert stderr.endswith(
        "riskctl: error: framework 'acme-sec-1': its catalogue in the register's frameworks/ "
        "did not load; `riskctl lint` shows why\n"
    )


def test_a_broken_register_catalogue_never_falls_back_to_the_shipped_one(tmp_path: Path) -> None:
    """The register's nist-csf-2.0.yaml replaces the shipped catalogue: when it does not load
    (--partial), coverage refuses instead of quietly judging against the shipped one."""
    register = tmp_path / "register"
    shutil.copytree(ROOT / REGISTER, register)
    (register / "frameworks" / "nist-csf-2.0.yaml").write_text("id: [\n", encoding="utf-8")
    code, stdout, stderr = _run(
        "coverage", "nist-csf-2.0", str(register), "--partial", "--now", FROZEN_NOW
    )
    assert (code, stdout) == (3, "")
    assert "framework 'nist-csf-2.0': its catalogue in the register's frameworks/ did not" in (
        stderr
    )


def test_a_catalogue_nesting_more_than_64_levels_does_not_load(tmp_path: Path) -> None:
    """Each requirement is listed with the groupings above it: a catalogue written by hand
    with groupings nested thousands deep would make the SoA grow with the square of the depth
    (a 5,000-level one took 15 s), so a catalogue nests at most 64 levels, as import reads."""
    register = tmp_path / "register"
    shutil.copytree(ROOT / REGISTER, register)
    lines = ["id: deep", "name: Deep", "version: '1'", "source: test", "licence: test"]
    lines.append("requirements:")
    for level in range(65):
        parent = f", parent: G{level - 1}" if level else ""
        lines.append(f"  - {{id: G{level}, title: g, assessable: false{parent}}}")
    (register / "frameworks" / "deep.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["lint", str(register), "--now", FROZEN_NOW, "--select", "RK007"])
    assert "deep.yaml:7:3: error: RK007 requirements: more than 64 levels through `parent` " in (
        result.stdout
    )
    assert "(G64 is on level 65): riskctl reads at most 64" in result.stdout
    code, stdout, stderr = _run("coverage", "deep", str(register), "--now", FROZEN_NOW)
    assert (code, stdout) == (3, "")
    assert "did not load" in stderr
