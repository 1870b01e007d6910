"""`riskctl.kri.ingest`: the CSV reader, the text edits of KRI files, and all-or-nothing writes.

Goldens in tests/golden/kri_ingest/ hold each KRI file of tests/data/ingest/kris/ after
tests/data/ingest/styles.csv (an appended, a middle and a backfilled date) went into it.
"""

from __future__ import annotations

import datetime
import difflib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskctl.errors import RiskctlError
from riskctl.kri.ingest import (
    CsvRows,
    IngestPlan,
    Row,
    apply_plan,
    plan_ingest,
    read_csv,
)
from riskctl.load import Sources, load, load_file
from riskctl.model.kri import Kri
from riskctl.source import read_register, register_source
from tests.conftest import BASE_REGISTER, TESTS, check_golden

DATA = TESTS / "data" / "ingest"
GOLDEN = TESTS / "golden" / "kri_ingest"
STYLES = sorted(path.name for path in (DATA / "kris").glob("*.yaml"))
STYLES_CSV = (DATA / "styles.csv").read_bytes()

#: `make fuzz` sets HYPOTHESIS_PROFILE=fuzz; the default suite stays short.
EXAMPLES = 1_000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 40


def make_register(root: Path, kris: dict[str, bytes]) -> Path:
    """A copy of the tiny base register with these KRI files (by id) in kris/."""
    register = root / "register"
    shutil.copytree(BASE_REGISTER, register)
    for kri_id, content in kris.items():
        (register / "kris" / f"{kri_id}.yaml").write_bytes(content)
    return register


def ingest(
    register: Path, csv: bytes | str, *, kri: str | None = None, replace: bool = False
) -> IngestPlan:
    """Run an ingest as the command does: read, plan, write."""
    data = csv.encode("utf-8") if isinstance(csv, str) else csv
    rows = read_csv(data, "w.csv", kri)
    source = register_source(register, None)
    loaded = read_register(source, partial=True)
    plan = plan_ingest(loaded, source.folder, rows, "w.csv", replace=replace)
    apply_plan(source.folder, plan)
    return plan


def snapshot(register: Path) -> dict[str, bytes]:
    return {
        path.relative_to(register).as_posix(): path.read_bytes()
        for path in sorted(register.rglob("*"))
        if path.is_file()
    }


def observations(path: Path) -> list[tuple[datetime.date, float]]:
    loaded = load_file(path.name, path.read_bytes(), Kri)
    assert loaded.hits == ()
    assert isinstance(loaded.entity, Kri)
    return [(each.date, each.value) for each in loaded.entity.observations]


def only_lines_inserted(before: str, after: str) -> bool:
    matcher = difflib.SequenceMatcher(
        a=before.splitlines(keepends=True), b=after.splitlines(keepends=True), autojunk=False
    )
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


D = datetime.date
STYLED_NEW = [(D(2026, 11, 9), 30.5), (D(2026, 11, 20), 35.0), (D(2026, 11, 30), 41.2)]


# --- the edited YAML --------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_golden_each_style_of_kri_file(style: str, tmp_path: Path, update_golden: bool) -> None:
    before = (DATA / "kris" / style).read_bytes()
    register = make_register(tmp_path, {"KRI-001": before})
    others = {k: v for k, v in snapshot(register).items() if k != "kris/KRI-001.yaml"}
    plan = ingest(register, STYLES_CSV, kri="KRI-001")
    target = register / "kris" / "KRI-001.yaml"
    after = target.read_text(encoding="utf-8")
    check_golden(GOLDEN / style, after, update_golden)
    assert {k: v for k, v in snapshot(register).items() if k != "kris/KRI-001.yaml"} == others
    old = observations(DATA / "kris" / style)
    if style == "unsorted.yaml":
        assert plan.edits[0].was_unsorted
        assert observations(target) == [*old, *STYLED_NEW]
    else:
        assert not plan.edits[0].was_unsorted
        assert observations(target) == sorted([*old, *STYLED_NEW])
    if style not in ("empty.yaml", "flow-list.yaml"):  # these rewrite the `[...]` line
        assert only_lines_inserted(before.decode("utf-8"), after), style
    assert [(change.date, change.text) for change in plan.edits[0].changes] == [
        (D(2026, 11, 9), "30.5"),
        (D(2026, 11, 20), "35"),
        (D(2026, 11, 30), "41.20"),
    ]


def test_the_value_is_written_as_the_csv_spells_it(tmp_path: Path) -> None:
    after = (GOLDEN / "flow.yaml").read_text(encoding="utf-8")
    assert "  - {date: 2026-11-30, value: 41.20}\n" in after
    assert "  - {date: 2026-11-09, value: 30.5}\n  - {date: 2026-11-16, value: 31}\n" in after


@pytest.mark.parametrize(
    ("name", "transform"),
    [
        ("crlf", lambda text: text.replace(b"\n", b"\r\n")),
        ("bom", lambda text: b"\xef\xbb\xbf" + text),
        ("bom-crlf", lambda text: b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n")),
    ],
)
def test_crlf_and_bom_files_keep_their_line_ends_and_bom(
    name: str, transform: object, tmp_path: Path
) -> None:
    assert callable(transform)
    for style in ("flow.yaml", "block.yaml", "comments.yaml", "empty.yaml", "missing.yaml"):
        folder = tmp_path / name / style
        register = make_register(
            folder, {"KRI-001": transform((DATA / "kris" / style).read_bytes())}
        )
        ingest(register, STYLES_CSV, kri="KRI-001")
        after = (register / "kris" / "KRI-001.yaml").read_bytes()
        assert after == transform((GOLDEN / style).read_bytes()), (name, style)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize(
    ("empty", "filled"),
    [
        ("observations:\n  []\n", "observations:\n  - {date: 2026-11-30, value: 1}\n"),
        (
            "observations:  # none yet\n  [ ]  # really\n",
            "observations:  # none yet  # really\n  - {date: 2026-11-30, value: 1}\n",
        ),
        ("observations: []", "observations:\n  - {date: 2026-11-30, value: 1}"),
    ],
)
def test_an_empty_flow_list_becomes_a_block_list(
    empty: str, filled: str, newline: str, tmp_path: Path
) -> None:
    head = (DATA / "kris" / "missing.yaml").read_text().split("# observations")[0]
    text = (head + empty + "waivers: []\n") if empty.endswith("\n") else head + empty
    register = make_register(tmp_path, {"KRI-001": text.replace("\n", newline).encode()})
    ingest(register, "2026-11-30,1\n", kri="KRI-001")
    after = (register / "kris" / "KRI-001.yaml").read_bytes().decode()
    expected = (head + filled + "waivers: []\n") if empty.endswith("\n") else head + filled
    assert after == expected.replace("\n", newline)


@pytest.mark.parametrize("style", ["flow.yaml", "block.yaml", "missing.yaml", "flow-list.yaml"])
def test_a_file_without_a_final_newline_keeps_it_so(style: str, tmp_path: Path) -> None:
    before = (DATA / "kris" / style).read_bytes().removesuffix(b"\n")
    register = make_register(tmp_path, {"KRI-001": before})
    ingest(register, STYLES_CSV, kri="KRI-001")
    after = (register / "kris" / "KRI-001.yaml").read_bytes()
    assert after == (GOLDEN / style).read_bytes().removesuffix(b"\n")


def test_the_shipped_register_gets_one_line_per_observation(tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(TESTS.parent / "register", register)
    before = snapshot(register)
    plan = ingest(
        register,
        "date,kri,value\n2026-11-30,KRI-001,41.2\n2026-11-30,KRI-004,3.9\n2026-11-30,KRI-007,48\n",
    )
    assert (plan.added, plan.replaced, len(plan.edits)) == (3, 0, 3)
    after = snapshot(register)
    changed = {path for path in after if after[path] != before[path]}
    assert changed == {"kris/KRI-001.yaml", "kris/KRI-004.yaml", "kris/KRI-007.yaml"}
    assert after["kris/KRI-001.yaml"] == (
        before["kris/KRI-001.yaml"] + b"  - {date: 2026-11-30, value: 41.2}\n"
    )


# --- --replace --------------------------------------------------------------------------------


def test_replace_changes_only_the_value_and_keeps_the_comment(tmp_path: Path) -> None:
    flow = (DATA / "kris" / "comments.yaml").read_bytes()
    block = (DATA / "kris" / "block-comments.yaml").read_bytes()
    register = make_register(
        tmp_path, {"KRI-001": flow, "KRI-002": block.replace(b"KRI-001", b"KRI-002")}
    )
    csv = "date,kri,value\n2026-11-16,KRI-001,29.5\n2026-11-16,KRI-002,29.5\n"
    with pytest.raises(RiskctlError, match=r"w\.csv:2: KRI-001 already has 31 on 2026-11-16"):
        ingest(register, csv)
    plan = ingest(register, csv, replace=True)
    assert (plan.added, plan.replaced) == (0, 2)
    assert [change.old for edit in plan.edits for change in edit.changes] == ["31", "31"]
    assert (register / "kris" / "KRI-001.yaml").read_bytes() == flow.replace(
        b"  - {date: 2026-11-16, value: 31}  # a holiday week",
        b"  - {date: 2026-11-16, value: 29.5}  # a holiday week",
    )
    assert (register / "kris" / "KRI-002.yaml").read_bytes() == block.replace(
        b"KRI-001", b"KRI-002"
    ).replace(b"    value: 31  # a holiday week", b"    value: 29.5  # a holiday week")


def test_replace_by_the_same_number_changes_no_byte(tmp_path: Path) -> None:
    before = (DATA / "kris" / "block.yaml").read_bytes()
    register = make_register(tmp_path, {"KRI-001": before})
    plan = ingest(register, "2026-11-23,33\n", kri="KRI-001", replace=True)
    assert (plan.added, plan.replaced) == (0, 0)
    assert plan.edits[0].changes[0].old == "33.0"
    assert (register / "kris" / "KRI-001.yaml").read_bytes() == before


def test_replace_and_add_in_one_file(tmp_path: Path) -> None:
    register = make_register(tmp_path, {"KRI-001": (DATA / "kris" / "flow.yaml").read_bytes()})
    ingest(register, "2026-11-23,34\n2026-11-30,35\n2026-11-16,30\n", kri="KRI-001", replace=True)
    assert observations(register / "kris" / "KRI-001.yaml") == [
        (D(2026, 11, 16), 30.0),
        (D(2026, 11, 23), 34.0),
        (D(2026, 11, 30), 35.0),
    ]


# --- all or nothing ---------------------------------------------------------------------------


def three_kris(tmp_path: Path) -> Path:
    flow = (DATA / "kris" / "flow.yaml").read_bytes()
    return make_register(
        tmp_path,
        {kri: flow.replace(b"KRI-001", kri.encode()) for kri in ("KRI-001", "KRI-002", "KRI-003")},
    )


@pytest.mark.parametrize(
    ("last_row", "message"),
    [
        ("2026-11-30,KRI-003,abc", r"w\.csv:4: value 'abc' is not a number; nothing written"),
        ("2026-11-23,KRI-003,12", r"w\.csv:4: KRI-003 already has 33 on 2026-11-23"),
        ("2026-11-30,KRI-009,12", r"w\.csv:4: no KRI 'KRI-009' in .*register; did you mean"),
        ("2026-11-30,KRI-001,12", r"w\.csv:4: KRI-001 2026-11-30 again \(first on line 2\)"),
    ],
)
def test_a_bad_last_row_of_three_kris_changes_no_file(
    last_row: str, message: str, tmp_path: Path
) -> None:
    register = three_kris(tmp_path)
    before = snapshot(register)
    csv = f"date,kri,value\n2026-11-30,KRI-001,1\n2026-11-30,KRI-002,2\n{last_row}\n"
    with pytest.raises(RiskctlError, match=message):
        ingest(register, csv)
    assert snapshot(register) == before


def test_a_kri_file_changed_during_the_run_is_refused_and_nothing_written(
    tmp_path: Path,
) -> None:
    register = three_kris(tmp_path)
    rows = read_csv(b"2026-11-30,KRI-001,1\n2026-11-30,KRI-002,2\n", "w.csv", None)
    source = register_source(register, None)
    plan = plan_ingest(
        read_register(source, partial=True), source.folder, rows, "w.csv", replace=False
    )
    edited = register / "kris" / "KRI-002.yaml"
    edited.write_bytes(edited.read_bytes() + b"# a comment typed meanwhile\n")
    before = snapshot(register)
    with pytest.raises(RiskctlError, match=r"KRI-002\.yaml: changed since riskctl read it"):
        apply_plan(source.folder, plan)
    assert snapshot(register) == before


def test_two_ingests_planned_from_the_same_bytes_never_both_write(tmp_path: Path) -> None:
    """The second writer is refused by name: no update is lost, no file half-written."""
    register = three_kris(tmp_path)
    source = register_source(register, None)
    plans = [
        plan_ingest(
            read_register(source, partial=True),
            source.folder,
            read_csv(csv, "w.csv", None),
            "w.csv",
            replace=False,
        )
        for csv in (b"2026-11-30,KRI-001,1\n2026-11-30,KRI-002,2\n", b"2026-12-07,KRI-002,3\n")
    ]
    apply_plan(source.folder, plans[0])
    after_first = snapshot(register)
    with pytest.raises(RiskctlError, match=r"KRI-002\.yaml: changed since riskctl read it"):
        apply_plan(source.folder, plans[1])
    assert snapshot(register) == after_first
    ingest(register, b"2026-12-07,KRI-002,3\n")  # run again, it reads the new bytes
    assert observations(register / "kris" / "KRI-002.yaml")[-2:] == [
        (D(2026, 11, 30), 2.0),
        (D(2026, 12, 7), 3.0),
    ]


def test_a_kri_file_that_does_not_load_is_named_and_not_written(tmp_path: Path) -> None:
    register = three_kris(tmp_path)
    (register / "kris" / "KRI-002.yaml").write_text("id: KRI-002\ntitle: [unclosed\n")
    (register / "kris" / "KRI-003.yaml").write_text(
        (DATA / "kris" / "flow.yaml").read_text().replace("KRI-001", "KRI-003") + "colour: red\n"
    )
    before = snapshot(register)
    with pytest.raises(RiskctlError) as raised:
        ingest(register, "2026-11-30,KRI-001,1\n2026-11-30,KRI-002,2\n2026-11-30,KRI-003,3\n")
    message = str(raised.value)
    assert "w.csv: 2 problems; nothing written" in message
    assert "w.csv:2: " in message and "register/kris/KRI-002.yaml does not load" in message
    assert "w.csv:3: " in message and "register/kris/KRI-003.yaml has 1 load problem" in message
    assert "unknown key 'colour'" in message
    assert snapshot(register) == before


def test_an_unrelated_broken_file_does_not_block_the_ingest(tmp_path: Path) -> None:
    register = three_kris(tmp_path)
    (register / "risks" / "R-001.yaml").write_text("id: [\n")
    ingest(register, "2026-11-30,KRI-001,1\n")
    assert observations(register / "kris" / "KRI-001.yaml")[-1] == (D(2026, 11, 30), 1.0)


def test_a_kri_with_two_files_is_refused(tmp_path: Path) -> None:
    register = three_kris(tmp_path)
    flow = (DATA / "kris" / "flow.yaml").read_bytes()
    (register / "kris" / "KRI-004.yaml").write_bytes(flow)  # id: KRI-001 again
    with pytest.raises(RiskctlError, match="KRI-001 is the id of 2 files"):
        ingest(register, "2026-11-30,KRI-001,1\n")


def test_a_date_twice_in_the_file_is_refused_even_with_replace(tmp_path: Path) -> None:
    twice = (DATA / "kris" / "flow.yaml").read_bytes() + b"  - {date: 2026-11-23, value: 34}\n"
    register = make_register(tmp_path, {"KRI-001": twice})
    with pytest.raises(RiskctlError, match="already has 2 observations on 2026-11-23"):
        ingest(register, "2026-11-23,35\n", kri="KRI-001", replace=True)


# --- the CSV ----------------------------------------------------------------------------------


def rows_of(csv: str | bytes, kri: str | None = None) -> list[tuple[int, str, str, str]]:
    data = csv.encode("utf-8") if isinstance(csv, str) else csv
    return [
        (row.line, row.kri, row.date.isoformat(), row.text)
        for row in read_csv(data, "w.csv", kri).rows
    ]


ACCEPTED = {
    "no-header": ("2026-11-30,41.2\n", [(1, "KRI-001", "2026-11-30", "41.2")]),
    "header-any-case": ("Date,VALUE\n2026-11-30,41.2\n", [(2, "KRI-001", "2026-11-30", "41.2")]),
    "header-order": (
        "value,date,kri\n41.2,2026-11-30,KRI-001\n",
        [(2, "KRI-001", "2026-11-30", "41.2")],
    ),
    "bom-crlf": (
        b"\xef\xbb\xbfdate,value\r\n2026-11-30,41.2\r\n",
        [(2, "KRI-001", "2026-11-30", "41.2")],
    ),
    "semicolon": (
        "date;kri;value\n2026-11-30;KRI-001;41.2\n",
        [(2, "KRI-001", "2026-11-30", "41.2")],
    ),
    "tab": ("date\tvalue\n2026-11-30\t-0.5\n", [(2, "KRI-001", "2026-11-30", "-0.5")]),
    "quoted": ('"date","value"\n"2026-11-30"," 41.20 "\n', [(2, "KRI-001", "2026-11-30", "41.20")]),
    "midnight-datetimes": (
        "2026-11-30T00:00:00,1\n2026-12-07 00:00:00,2\n"
        "2026-12-14 00:00,3\n2026-12-21T00:00:00.000,4\n",
        [
            (1, "KRI-001", "2026-11-30", "1"),
            (2, "KRI-001", "2026-12-07", "2"),
            (3, "KRI-001", "2026-12-14", "3"),
            (4, "KRI-001", "2026-12-21", "4"),
        ],
    ),
    "numbers": (
        "2026-01-01,.5\n2026-01-02,5.\n2026-01-03,+7\n2026-01-04,1.5E-05\n2026-01-05,1000000000000000\n"
        "2026-01-06,-007.50\n2026-01-07,00.5\n2026-01-08,-0\n2026-01-09,+000\n",
        [
            (1, "KRI-001", "2026-01-01", ".5"),
            (2, "KRI-001", "2026-01-02", "5."),
            (3, "KRI-001", "2026-01-03", "7"),
            (4, "KRI-001", "2026-01-04", "1.5E-05"),
            (5, "KRI-001", "2026-01-05", "1000000000000000"),
            (6, "KRI-001", "2026-01-06", "-7.50"),
            (7, "KRI-001", "2026-01-07", "0.5"),
            (8, "KRI-001", "2026-01-08", "-0"),
            (9, "KRI-001", "2026-01-09", "0"),
        ],
    ),
    "blank-lines-and-trailing-empty-cells": (
        "\ndate,value,\n\n2026-11-30,41.2,,\n,,\n",
        [(4, "KRI-001", "2026-11-30", "41.2")],
    ),
}


@pytest.mark.parametrize(("csv", "expected"), ACCEPTED.values(), ids=list(ACCEPTED))
def test_accepted_csv_forms(csv: str | bytes, expected: list[tuple[int, str, str, str]]) -> None:
    assert rows_of(csv, "KRI-001") == expected


def test_kri_filters_a_file_with_a_kri_column() -> None:
    csv = "date,kri,value\n2026-11-30,KRI-001,1\n2026-11-30,KRI-002,2\n2026-12-07,KRI-001,3\n"
    result = read_csv(csv.encode(), "w.csv", "KRI-001")
    assert [(row.line, row.kri) for row in result.rows] == [(2, "KRI-001"), (4, "KRI-001")]
    assert result.skipped == 1
    with pytest.raises(RiskctlError, match=r"^w\.csv: no observations for KRI-003; nothing"):
        read_csv(csv.encode(), "w.csv", "KRI-003")


REFUSED = {
    "not-a-number": ("2026-11-30,abc", r"w\.csv:1: value 'abc' is not a number"),
    "empty-value": ("2026-11-30, ", r"w\.csv:1: empty value"),
    "nan": ("2026-11-30,NaN", r"value 'NaN' is not a finite number"),
    "inf": ("2026-11-30,-inf", r"value '-inf' is not a finite number"),
    "infinity-word": ("2026-11-30,Infinity", r"value 'Infinity' is not a finite number"),
    "underscore": ("2026-11-30,1_000", r"value '1_000' is not a number"),
    "thousands": ('2026-11-30,"1,234.5"', r"value '1,234.5' has a thousands separator"),
    "decimal-comma": ("2026-11-30;41,2", r"value '41,2' has a thousands separator or a decimal"),
    "swiss-thousands": ("2026-11-30,1'234", r"value \"1'234\" has a thousands separator"),
    "arabic-digits": ("2026-11-30,\u0661\u0662", r"is not a number: use the digits 0-9"),
    "fullwidth-digits": ("2026-11-30,\uff11", r"is not a number: use the digits 0-9"),
    "percent": ("2026-11-30,41.2%", r"drop the %"),
    "too-large": ("2026-11-30,1e16", r"value '1e16' is out of range"),
    "huge": ("2026-11-30,1e999", r"value '1e999' is out of range"),
    "us-date": ("11/30/2026,41.2", r"date '11/30/2026' is ambiguous or not ISO"),
    "dotted-date": ("30.11.2026,41.2", r"date '30.11.2026' is ambiguous or not ISO"),
    "no-such-day": ("2026-02-30,41.2", r"date '2026-02-30' does not exist"),
    "time-of-day": ("2026-11-30 13:00:00,41.2", r"has a time of day"),
    "empty-date": (",41.2", r"w\.csv:1: empty date"),
    "compact-date": ("20261130,41.2", r"w\.csv:1: date '20261130' is not a date: use YYYY-MM-DD"),
    "columns": ("2026-11-30,41.2\n2026-12-07,41.2,x", r"w\.csv:2: expected 2 columns"),
    "empty-value-in-the-middle": ("2026-11-30,KRI-001,,", r"w\.csv:1: empty value"),
    "bad-kri-cell": ("2026-11-30,kri 1,4", r"kri 'kri 1' is not a KRI id"),
    "empty-kri-cell": ("2026-11-30,,4", r"w\.csv:1: empty kri cell"),
    "unclosed-quote": ('2026-11-30,"4', r"w\.csv:1: not CSV"),
    "not-utf8": (b"2026-11-30,4\n2026-12-07,\xe9", r"w\.csv:2: not UTF-8"),
    "nul": (b"2026-11-30,4\x00", r"w\.csv:1: a NUL byte"),
    "empty": ("\n\n", r"w\.csv: no rows"),
    "header-only": ("date,kri,value\n", r"w\.csv: no observations"),
    "junk-header": ("Datum,Wert\n2026-11-30,4", r"w\.csv:1: expected a header row"),
    "four-columns": ("a,b,c,d", r"w\.csv:1: expected 2 columns \(date,value\) or 3"),
}


@pytest.mark.parametrize(("csv", "message"), REFUSED.values(), ids=list(REFUSED))
def test_refused_csv_rows_name_the_line(csv: str | bytes, message: str) -> None:
    data = csv.encode("utf-8") if isinstance(csv, str) else csv
    with pytest.raises(RiskctlError, match=message):
        read_csv(data, "w.csv", "KRI-001" if b"KRI-" not in data else None)


def test_every_bad_row_is_named_up_to_a_limit() -> None:
    csv = "date,value\n" + "".join(f"2026-01-{day:02d},x{day}\n" for day in range(1, 26))
    with pytest.raises(RiskctlError) as raised:
        read_csv(csv.encode(), "w.csv", "KRI-001")
    lines = str(raised.value).splitlines()
    assert lines[0] == "w.csv: 25 bad rows; nothing written:"
    assert lines[1] == "  w.csv:2: value 'x1' is not a number"
    assert lines[20] == "  w.csv:21: value 'x20' is not a number"
    assert lines[21:] == ["  ... and 5 more"]


def test_a_date_value_file_needs_kri() -> None:
    with pytest.raises(RiskctlError, match="has no kri column: name the KRI with --kri ID"):
        read_csv(b"2026-11-30,1\n", "w.csv", None)


# --- properties -------------------------------------------------------------------------------

BASE_SOURCES = {
    path.relative_to(BASE_REGISTER).as_posix(): path.read_bytes()
    for path in BASE_REGISTER.rglob("*.yaml")
}
EXISTING = [D(2026, 11, 16), D(2026, 11, 23)]
OLD = {style: observations(DATA / "kris" / style) for style in STYLES}

values = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.decimals(
        min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=3
    ).map(str),
    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False).map(repr),
    st.sampled_from([".5", "5.", "+7", "-.5", "+.25", "1.5E-05", "007", "-0", "1.e5", "0e0"]),
)
new_dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)).filter(
    lambda date: date not in EXISTING
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    style=st.sampled_from(STYLES),
    rows=st.lists(st.tuples(new_dates, values), min_size=1, max_size=8, unique_by=lambda r: r[0]),
)
def test_random_valid_csvs_read_back_as_old_plus_new(
    style: str, rows: list[tuple[datetime.date, str]]
) -> None:
    csv = "".join(f"{date},{value}\n" for date, value in rows).encode()
    files = {**BASE_SOURCES, "kris/KRI-001.yaml": (DATA / "kris" / style).read_bytes()}
    loaded = load(Sources("register", files))
    plan = plan_ingest(
        loaded, Path("register"), read_csv(csv, "w.csv", "KRI-001"), "w.csv", replace=False
    )
    after = load_file("KRI-001.yaml", plan.edits[0].change.after, Kri)
    assert isinstance(after.entity, Kri)
    assert after.hits == ()
    got = [(each.date, each.value) for each in after.entity.observations]
    old = OLD[style]
    new = [(date, float(value)) for date, value in rows]
    if style == "unsorted.yaml":
        assert got == old + sorted(new)
    else:
        assert got == sorted(old + new)


bad_cells = st.sampled_from(
    ["abc", "", "NaN", "1_000", "1,5", "\u0661", "11/30/2026", "2026-02-30", "1e99", "41%"]
)


@settings(
    max_examples=EXAMPLES // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(st.tuples(new_dates, values), min_size=1, max_size=6, unique_by=lambda r: r[0]),
    bad=bad_cells,
    where=st.integers(min_value=0, max_value=6),
    bad_in_date=st.booleans(),
)
def test_random_invalid_rows_never_half_write(
    rows: list[tuple[datetime.date, str]],
    bad: str,
    where: int,
    bad_in_date: bool,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    register = three_kris(tmp_path_factory.mktemp("half"))
    before = snapshot(register)
    lines = [f"{date},KRI-00{1 + index % 3},{value}" for index, (date, value) in enumerate(rows)]
    bad_row = f'"{bad}",KRI-001,1' if bad_in_date else f'2031-01-01,KRI-002,"{bad}"'
    lines.insert(min(where, len(lines)), bad_row)
    with pytest.raises(RiskctlError):
        ingest(register, "\n".join(lines) + "\n")
    assert snapshot(register) == before


def test_rows_are_frozen_values() -> None:
    result = read_csv(b"2026-11-30,41.20\n", "w.csv", "KRI-001")
    assert result == CsvRows((Row(1, "KRI-001", D(2026, 11, 30), "41.20", 41.2),), 0, False)


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.text('0123456789-.,;\t"\r\n KRIdatevlu:%', max_size=200).map(str.encode),
    )
)
def test_any_csv_bytes_give_rows_or_a_riskctl_error(data: bytes) -> None:
    try:
        result = read_csv(data, "w.csv", "KRI-001")
    except RiskctlError as error:
        assert str(error).startswith("w.csv")
        return
    for row in result.rows:
        assert abs(row.value) <= 1e15
        assert row.value == float(row.text)


ITEM_STYLES = st.sampled_from(
    [
        "{{date: {date}, value: {value}}}",
        "{{ date: {date}, value: {value} }}",
        "{{value: {value}, date: '{date}'}}",
        "date: {date}\n{pad}value: {value}",
        "value: {value}  # note\n{pad}date: {date}",
    ]
)


@st.composite
def kri_files(draw: st.DrawFn) -> tuple[str, list[tuple[datetime.date, float]]]:
    """A KRI file with observations in random styles, comments and layout; its observations."""
    dates = draw(
        st.lists(
            st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)),
            max_size=5,
            unique=True,
        )
    )
    if draw(st.booleans()):
        dates.sort()
    indent = draw(st.sampled_from(["", "  ", "    "]))
    lines = [
        "# yaml-language-server: $schema=../../schemas/kri.schema.json",
        "id: KRI-001",
        "title: Chargeback rate  # bps",
        "owner: payments-risk",
        "direction: higher-is-worse",
        "thresholds: {amber: 40, red: 60}",
    ]
    observations = []
    if dates:
        lines.append("observations:" + draw(st.sampled_from(["", "  # weekly"])))
        for date in dates:
            value = draw(st.integers(min_value=0, max_value=100))
            if draw(st.booleans()):
                lines.append(f"{indent}# about {date}")
            item = draw(ITEM_STYLES).format(date=date, value=value, pad=indent + "  ")
            lines.append(f"{indent}- {item}")
            observations.append((date, float(value)))
        if draw(st.booleans()):
            lines.append(f"{indent}# the end of the list")
    else:
        lines.append(draw(st.sampled_from(["observations: []", "observations: [ ]  # none", ""])))
    lines.append(draw(st.sampled_from(["", "unit: bps", "# a last comment"])))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(line for line in lines if line)
    return text + (newline if draw(st.booleans()) else ""), observations


@settings(max_examples=EXAMPLES * 3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    file=kri_files(),
    rows=st.lists(
        st.tuples(st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)), values),
        min_size=1,
        max_size=5,
        unique_by=lambda row: row[0],
    ),
)
def test_random_kri_files_keep_every_old_line_and_read_back_as_old_plus_new(
    file: tuple[str, list[tuple[datetime.date, float]]], rows: list[tuple[datetime.date, str]]
) -> None:
    text, old = file
    rows = [row for row in rows if row[0] not in {date for date, _ in old}]
    if not rows:
        return
    csv = "".join(f"{date},{value}\n" for date, value in rows).encode()
    loaded = load(Sources("register", {**BASE_SOURCES, "kris/KRI-001.yaml": text.encode()}))
    assert "kris/KRI-001.yaml" not in loaded.failed
    plan = plan_ingest(
        loaded, Path("register"), read_csv(csv, "w.csv", "KRI-001"), "w.csv", replace=False
    )
    after = plan.edits[0].change.after.decode("utf-8")
    entity = load_file("KRI-001.yaml", after.encode(), Kri).entity
    assert isinstance(entity, Kri)
    got = [(each.date, each.value) for each in entity.observations]
    new = sorted((date, float(value)) for date, value in rows)
    is_sorted = old == sorted(old)
    assert got == (sorted(old + new) if is_sorted else old + new)
    assert plan.edits[0].was_unsorted is (not is_sorted)
    assert sorted(plan.edits[0].new_points()) == [date for date, _ in new]
    if "[" not in text.split("observations:")[-1].split("\n")[0]:
        end = "" if text.endswith("\n") else ("\r\n" if "\r\n" in text else "\n")
        assert after.endswith("\n") is text.endswith("\n")
        assert only_lines_inserted(text + end, after + end)
