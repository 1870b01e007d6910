"""Field edits spliced into YAML text: only the edited value's bytes change, in its own style."""

from __future__ import annotations

import datetime
import difflib
from pathlib import Path
from typing import Any

import pytest

from riskctl.errors import RiskctlError
from riskctl.load import parse
from riskctl.load.splice import apply_edits, loader_value

STYLES = Path(__file__).parent / "data" / "rcm" / "styles"
CONTROL = (STYLES / "controls" / "C-001.yaml").read_text(encoding="utf-8")
RISK = (STYLES / "risks" / "R-001.yaml").read_text(encoding="utf-8")


def _edit(text: str, *edits: tuple[tuple[str, ...], Any]) -> str:
    return apply_edits("x.yaml", text, list(edits), lambda index: f"RCM!A{index + 2}")


def _changed(before: str, after: str) -> list[str]:
    """The diff's changed lines, without headers and context."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in lines if line[:1] in "+-" and line[:3] not in ("---", "+++")]


def _data(text: str) -> Any:
    parsed = parse("x.yaml", text.encode("utf-8"))
    assert parsed.hits == ()
    return parsed.data


EDITS = {
    "plain-keeps-its-trailing-comment": (
        (("key",), False),
        ["-key: true  # relied on", "+key: false  # relied on"],
    ),
    "double-quoted-stays-double-quoted": (
        (("title",), "Velocity limits: per card"),
        ['-title: "Purchase velocity limits"', '+title: "Velocity limits: per card"'],
    ),
    "single-quoted-stays-single-quoted": (
        (("owner",), "fraud-ops"),
        ["-owner: 'payments-risk'", "+owner: 'fraud-ops'"],
    ),
    "plain-that-would-not-read-back-gets-quotes": (
        (("frequency",), "daily"),
        ["-frequency: continuous", "+frequency: daily"],
    ),
    "flow-mapping-value": (
        (("effectiveness", "operating"), "ineffective"),
        [
            "-effectiveness: {design: effective, operating: effective}",
            "+effectiveness: {design: effective, operating: ineffective}",
        ],
    ),
    "literal-block-keeps-its-lines": (
        (("objective",), "Stop card testing:\nmany purchases from one card.\n"),
        ["-  many small purchases from one card.", "+  many purchases from one card."],
    ),
    "folded-block-rewritten-as-one-line": (
        (("evidence",), "Rule-hit log per route."),
        [
            "-  Rule-hit log per route,",
            "-  reconciled quarterly.",
            "+  Rule-hit log per route.",
        ],
    ),
    "block-list": (
        (("assertions",), ["completeness", "existence", "accuracy"]),
        ["+  - existence"],
    ),
    "added-key-at-the-end-of-its-mapping": (
        (("annual_cost",), 1200),
        ["+annual_cost: 1200"],
    ),
    "cleared-optional-field-loses-its-line": (
        (("reduces",), None),
        ["-reduces: likelihood"],
    ),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_changes_only_its_value(name: str) -> None:
    (path, value), expected = EDITS[name]
    after = _edit(CONTROL, (path, value))
    assert _changed(CONTROL, after) == expected
    wanted = _data(CONTROL)
    target = wanted
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = loader_value(value)
    assert _data(after) == wanted


def test_edits_in_nested_block_flow_list_and_date_of_a_risk() -> None:
    after = _edit(
        RISK,
        (("inherent", "likelihood"), 3),
        (("controls",), ["C-002"]),
        (("kris",), ["KRI-001", "KRI-002"]),
        (("reviewed",), datetime.date(2026, 11, 16)),
        (("title",), "Card testing\n"),
    )
    assert _changed(RISK, after) == [
        "-  Card testing through",
        "-  gift-coin purchases",
        "+  Card testing",
        "-  likelihood: 4   # often",
        "+  likelihood: 3   # often",
        "-controls: [C-001, C-002]",
        "+controls: [C-002]",
        "+  - KRI-002",
        "-reviewed: 2026-10-01",
        "+reviewed: 2026-11-16",
    ]


def test_a_text_that_reads_as_another_type_is_quoted() -> None:
    after = _edit(CONTROL, (("frequency",), "daily"), (("nature",), "true"))
    assert "nature: 'true'\n" in after
    assert _data(after)["nature"] == "true"


def test_a_missing_nested_mapping_is_added_as_one_flow_line() -> None:
    after = _edit(RISK, (("residual", "likelihood"), 2), (("residual", "impact"), 3))
    assert _changed(RISK, after) == ["+residual: {likelihood: 2, impact: 3}"]


def test_clearing_a_key_with_a_comment_on_its_line_is_refused() -> None:
    with pytest.raises(RiskctlError, match=r"RCM!A2: cannot write the removal of key"):
        _edit(CONTROL, (("key",), None))


def test_clearing_a_field_of_a_flow_mapping_is_refused() -> None:
    with pytest.raises(RiskctlError, match="without changing other lines"):
        _edit(CONTROL, (("effectiveness", "design"), None))


def test_emptying_a_block_list_at_the_key_column_is_refused() -> None:
    text = "id: C-001\nassertions:\n- completeness\ntitle: x\n"
    with pytest.raises(RiskctlError, match="assertions"):
        _edit(text, (("assertions",), []))


def test_a_comment_inside_a_block_list_is_never_dropped() -> None:
    text = "id: C-001\nassertions:\n  - completeness  # why\n  - accuracy\n"
    with pytest.raises(RiskctlError, match="edit the file by hand"):
        _edit(text, (("assertions",), ["accuracy"]))


def test_a_file_with_crlf_line_ends_keeps_them() -> None:
    text = RISK.replace("\n", "\r\n")
    after = _edit(text, (("inherent", "likelihood"), 3), (("target", "impact"), 2))
    expected = text.replace("likelihood: 4   # often", "likelihood: 3   # often")
    expected += "target: {impact: 2}\r\n"  # added at the end of the file's mapping, with CRLF
    assert after == expected


def test_an_edit_through_an_alias_would_change_the_anchor_too_and_is_refused() -> None:
    text = "id: R-002\ntitle: &t Anchored title\nprocess: *t\n"
    with pytest.raises(RiskctlError, match="RCM!A2: cannot write process: New process"):
        _edit(text, (("process",), "New process"))
    with pytest.raises(RiskctlError, match="RCM!A2: cannot write title: New"):
        _edit(text, (("title",), "New"))  # the anchor's value is the alias's too
