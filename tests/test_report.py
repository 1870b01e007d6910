"""Reports: goldens on the shipped register, Markdown that parses, a sandbox that holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import nodes
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.output.markdown import markdown_cell
from riskctl.report.render import parse_template, template_names
from tests.conftest import FROZEN_NOW, ROOT, TESTS, check_golden

GOLDEN = TESTS / "golden" / "report"
REPORTS = {
    "register": ["report", "register"],
    "rcm": ["report", "rcm"],
    "risk-R-001": ["report", "risk", "R-001"],
    "risk-R-028": ["report", "risk", "R-028"],
}
runner = CliRunner()


def _report(args: list[str], *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "register", "--now", FROZEN_NOW, *extra])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_golden_reports_on_the_shipped_register(
    name: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _report(REPORTS[name])
    assert (code, stderr) == (0, "")
    check_golden(GOLDEN / f"{name}.md", stdout, update_golden)


def _tables(markdown: str) -> list[tuple[int, list[int]]]:
    """(header columns, [columns of each body row]) for every table, as a parser sees it."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    tables = []
    header = 0
    rows: list[int] = []
    cells = 0
    section = ""
    for token in tokens:
        if token.type == "table_open":
            header, rows = 0, []
        elif token.type in ("thead_open", "tbody_open"):
            section = token.type
        elif token.type == "tr_open":
            cells = 0
        elif token.type in ("th_open", "td_open"):
            cells += 1
        elif token.type == "tr_close":
            if section == "thead_open":
                header = cells
            else:
                rows.append(cells)
        elif token.type == "table_close":
            tables.append((header, rows))
    return tables


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_reports_parse_as_intended(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    markdown = _report(REPORTS[name])[1]
    tables = _tables(markdown)
    assert tables, "every report has at least one table"
    for header, rows in tables:
        assert rows, "a table with a header and no rows"
        assert set(rows) == {header}, "a row with a different number of cells than the header"
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    assert next(t.tag for t in tokens if t.type == "heading_open") == "h1"


def test_hostile_title_never_breaks_a_table(base_register: Path) -> None:
    risk = base_register / "risks" / "R-001.yaml"
    text = risk.read_text(encoding="utf-8").replace(
        "title: Card testing through gift-coin purchases",
        'title: "Pipes | and <script>alert(1)</script>\\nnew line"',
    )
    risk.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["report", "register", str(base_register), "--now", FROZEN_NOW])
    assert result.exit_code == 0, result.stderr
    assert "<script>" not in result.stdout
    tables = _tables(result.stdout)
    assert all(set(rows) == {header} for header, rows in tables)
    rendered = MarkdownIt("commonmark").enable("table").render(result.stdout)
    assert "<script>" not in rendered
    assert "Pipes | and &lt;script&gt;" in rendered


def test_markdown_cell_escapes() -> None:
    assert markdown_cell("a|b") == "a\\|b"
    assert markdown_cell("x\r\ny\nz") == "x<br>y<br>z"
    assert markdown_cell("<b>") == "&lt;b&gt;"
    assert markdown_cell("back\\slash") == "back\\\\slash"


ARITHMETIC = (nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow)


@pytest.mark.parametrize("name", template_names())
def test_templates_do_no_arithmetic(name: str) -> None:
    tree = parse_template(name)
    assert not list(tree.find_all(ARITHMETIC)), f"{name} computes: move it to report/context.py"


def test_a_template_in_templates_dir_replaces_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "rcm.md.j2").write_text("RCM of {{ summary }}\n", encoding="utf-8")
    code, stdout, _ = _report(["report", "rcm"], "--templates", str(tmp_path))
    assert code == 0
    assert stdout.startswith("RCM of ") and "risk-control pairs" in stdout


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ no_such_value }}\n", "rcm.md.j2 (line 1): 'no_such_value' is undefined"),
        ("line one\n{% if %}\n", "rcm.md.j2:2: Expected an expression"),
        ("{{ ''.__class__.__mro__ }}\n", "rcm.md.j2"),
        ("{{ rows.append(1) }}\n", "rcm.md.j2"),
    ],
)
def test_template_errors_exit_3_naming_the_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: str, message: str
) -> None:
    monkeypatch.chdir(ROOT)
    (tmp_path / "rcm.md.j2").write_text(template, encoding="utf-8")
    code, stdout, stderr = _report(["report", "rcm"], "--templates", str(tmp_path))
    assert (code, stdout) == (3, "")
    assert message in stderr


def test_out_writes_atomically_and_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    target = tmp_path / "reports" / "register.md"
    target.parent.mkdir()  # --out creates no folder (tests/test_out.py)
    code, stdout, _ = _report(["report", "register"], "--out", str(target))
    assert (code, stdout) == (0, f"wrote {target}\n")
    assert target.read_text(encoding="utf-8").startswith("# Risk register")
    assert [p.name for p in target.parent.iterdir()] == ["register.md"]


def test_unknown_risk_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, _, stderr = _report(["report", "risk", "R-999"])
    assert code == 3
    assert "no risk 'R-999'" in stderr
