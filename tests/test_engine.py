"""The engine: rule selection, configured severities, waivers."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from riskctl.findings import Severity
from riskctl.lint.engine import is_selected, lint
from riskctl.load import read_directory

NOW = datetime.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("code", "select", "ignore", "expected"),
    [
        ("RK103", (), (), True),
        ("RK103", ("RK1",), (), True),
        ("RK103", ("RK0",), (), False),
        ("RK103", (), ("RK1",), False),
        ("RK103", ("RK1",), ("RK10",), False),  # the longer ignore wins
        ("RK103", ("RK103",), ("RK10",), True),  # the longer select wins
        ("RK103", ("RK10",), ("RK10",), True),  # a tie goes to select
        ("RK103", ("RK0", "RK1"), ("RK2",), True),
        ("RK801", ("RK0", "RK1"), (), False),
        ("RK103", ("R",), ("RK",), False),
    ],
)
def test_is_selected_longest_prefix_wins(
    code: str, select: tuple[str, ...], ignore: tuple[str, ...], expected: bool
) -> None:
    assert is_selected(code, select, ignore) is expected


def _break_escalation(register: Path) -> None:
    (register / "owners" / "head-of-risk.yaml").write_text(
        "id: head-of-risk\nname: Head of Risk\nescalation: head-of-risk\n", encoding="utf-8"
    )


def test_configured_severity_and_off(base_register: Path) -> None:
    _break_escalation(base_register)
    config = base_register / "riskctl.yaml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original + "lint:\n  rules: {escalation-cycle: warning}\n", encoding="utf-8")
    result = lint(read_directory(base_register), today=NOW)
    assert [(f.code, f.severity) for f in result.findings] == [("RK105", Severity.WARNING)]
    config.write_text(original + "lint:\n  rules: {RK105: off}\n", encoding="utf-8")
    assert lint(read_directory(base_register), today=NOW).findings == ()


def test_select_never_hides_loader_findings(base_register: Path) -> None:
    (base_register / "risks" / "R-002.yaml").write_text("id: R-002\ntitle: [\n", encoding="utf-8")
    _break_escalation(base_register)
    result = lint(read_directory(base_register), today=NOW, select=("RK8",))
    assert [f.code for f in result.findings] == ["RK001"]


@pytest.mark.parametrize(
    ("waiver", "now", "codes"),
    [
        ("{rule: RK105, reason: Board level, expires: 2026-12-31}", NOW, []),
        ("{rule: escalation-cycle, reason: Board level}", NOW, []),
        ("{rule: RK105, reason: Board level, expires: 2026-11-01}", NOW, ["RK010", "RK105"]),
        ("{rule: RK105}", NOW, ["RK011", "RK105"]),
        ("{rule: RK104, reason: Another rule}", NOW, ["RK105"]),
    ],
)
def test_waivers(base_register: Path, waiver: str, now: datetime.date, codes: list[str]) -> None:
    (base_register / "owners" / "head-of-risk.yaml").write_text(
        f"id: head-of-risk\nname: Head of Risk\nescalation: head-of-risk\nwaivers: [{waiver}]\n",
        encoding="utf-8",
    )
    result = lint(read_directory(base_register), today=now)
    assert sorted(f.code for f in result.findings) == codes


def test_findings_are_sorted_by_file_line_col_code(base_register: Path) -> None:
    (base_register / "risks" / "R-001.yaml").write_text(
        "id: R-001\ntitle: T\ncategory: nope\nowner: nobody\n"
        "inherent: {likelihood: 4, impact: 4}\ncontrols: [C-404]\nreviewed: 2026-10-01\n",
        encoding="utf-8",
    )
    result = lint(read_directory(base_register), today=NOW)
    keys = [(f.file, f.line, f.col, f.code) for f in result.findings]
    assert keys == sorted(keys)
    assert [f.code for f in result.findings] == ["RK104", "RK103", "RK103"]
