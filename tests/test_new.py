"""`riskctl new`'s core: the next free id, the text of a new entity, `--set` values, refusals.

Library-level: `plan_new` computes the file without writing it, so most tests need no copy of a
register. Goldens (tests/golden/new/) pin the text of each kind on the shipped register.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskctl.errors import RiskctlError
from riskctl.lint.engine import lint
from riskctl.load import Loaded, load, parse, read_directory, validate
from riskctl.model.register import KIND_BY_NAME, Kind
from riskctl.newentity import (
    ID_PREFIXES,
    NewFile,
    Schema,
    UsageProblem,
    find_kind,
    flow,
    ids_in_use,
    next_id,
    parse_setting,
    plan_new,
    quoted,
    split_arguments,
)
from riskctl.newentity import NEW_KINDS as KINDS
from riskctl.scaffold import init_register
from riskctl.writes import FileChange, apply_changes
from tests.conftest import FROZEN_NOW, SHIPPED_REGISTER, check_golden

GOLDEN = Path(__file__).parent / "golden" / "new"
TODAY = datetime.date.fromisoformat(FROZEN_NOW)
#: What each kind needs on the shipped register, which has many owners, categories and risks.
SHIPPED_SETTINGS: dict[str, list[str]] = {
    "risk": ["owner=payments-risk", "category=payments-fraud"],
    "control": ["owner=payments-platform"],
    "owner": [],
    "incident": [],
    "kri": ["owner=payments-risk"],
    "launch": ["owner=payments-risk"],
    "acceptance": ["risk=R-001", "approver=head-of-risk"],
}


def _plan(
    loaded: Loaded,
    folder: Path,
    kind: str,
    *settings: str,
    entity_id: str | None = None,
    today: datetime.date = TODAY,
) -> NewFile:
    parsed = [parse_setting(each) for each in settings]
    return plan_new(loaded, folder, KIND_BY_NAME[kind], entity_id, parsed, today)


def _data(new: NewFile) -> dict[str, Any]:
    parsed = parse(new.path.name, new.text.encode())
    assert parsed.hits == ()
    assert isinstance(parsed.data, dict)
    return parsed.data


@pytest.fixture(scope="module")
def shipped() -> Loaded:
    return load(read_directory(SHIPPED_REGISTER))


def _fresh(tmp_path: Path) -> Path:
    """A register from `riskctl init` with one owner, created by `new` itself."""
    folder = tmp_path / "register"
    init_register(folder)
    _write(folder, "owner", "name=Ana Lindqvist", entity_id="payments-risk")
    return folder


def _write(folder: Path, kind: str, *settings: str, entity_id: str | None = None) -> NewFile:
    new = _plan(load(read_directory(folder)), folder, kind, *settings, entity_id=entity_id)
    apply_changes(folder, [FileChange(new.path, None, new.text.encode())])
    return new


def _findings(folder: Path) -> set[tuple[str, str, int]]:
    """(code, file in the register, line) of every lint finding."""
    return {
        (finding.code, Path(finding.file).relative_to(folder).as_posix(), finding.line)
        for finding in lint(read_directory(folder), today=TODAY).findings
    }


# --- goldens and lint -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [kind.name for kind in KINDS])
def test_new_on_the_shipped_register_matches_its_golden(
    kind: str, shipped: Loaded, update_golden: bool
) -> None:
    entity_id = "new-owner" if kind == "owner" else None
    new = _plan(shipped, SHIPPED_REGISTER, kind, *SHIPPED_SETTINGS[kind], entity_id=entity_id)
    check_golden(GOLDEN / "shipped" / f"{kind}.yaml", new.text, update_golden)
    first = new.text.splitlines()[0]
    assert first == f"# yaml-language-server: $schema=../../schemas/{kind}.schema.json"
    assert (new.path.parent / first.split("$schema=")[1]).resolve().is_file()


def test_new_on_a_fresh_register_matches_the_goldens_and_lints_clean_but_for_judgement(
    tmp_path: Path, update_golden: bool
) -> None:
    folder = _fresh(tmp_path)
    owner = (folder / "owners" / "payments-risk.yaml").read_text(encoding="utf-8")
    check_golden(GOLDEN / "fresh" / "owner.yaml", owner, update_golden)
    for kind in ("risk", "control", "incident", "kri", "launch", "acceptance"):
        settings = ["category=payments-fraud"] if kind == "risk" else []
        new = _write(folder, kind, *settings)
        assert new.path == folder / KIND_BY_NAME[kind].folder / f"{new.entity_id}.yaml"
        check_golden(GOLDEN / "fresh" / f"{kind}.yaml", new.text, update_golden)
        assert new.text.startswith(f"# yaml-language-server: $schema=../.schemas/{kind}.schema")
    # the only finding asks for the analyst's input: a KRI's first observation
    assert _findings(folder) == {("RK502", "kris/KRI-001.yaml", 3)}


def test_a_risk_above_appetite_gets_only_the_judgement_findings(tmp_path: Path) -> None:
    """data-protection's appetite is low; the placeholder rating (L3 I3, medium) is above it:
    lint asks for a treatment plan and a KRI, both the analyst's choice."""
    folder = _fresh(tmp_path)
    _write(folder, "risk", "category=data-protection")
    assert _findings(folder) == {("RK206", "risks/R-001.yaml", 3), ("RK504", "risks/R-001.yaml", 3)}


def test_choices_made_with_set_leave_only_findings_that_ask_for_more_judgement(
    tmp_path: Path,
) -> None:
    """A key control not tested yet (RK301) nor said what it reduces (RK304); a near-miss
    without its barrier (RK605); a launched launch without a KRI to watch (RK702); a critical
    risk without a plan or a KRI (RK206, RK504): each asks for the analyst's next step."""
    folder = _fresh(tmp_path)
    _write(folder, "control", "key=true")
    _write(
        folder,
        "risk",
        "category=payments-fraud",
        "controls=C-001",
        "treatment=mitigate",
        "inherent={likelihood: 5, impact: 5}",
    )
    _write(folder, "incident", "kind=near-miss", "risks=R-001", "failed_controls=C-001")
    _write(folder, "launch", "status=launched")
    codes = sorted((code, file) for code, file, _line in _findings(folder))
    assert codes == [
        ("RK206", "risks/R-001.yaml"),
        ("RK301", "controls/C-001.yaml"),
        ("RK304", "controls/C-001.yaml"),
        ("RK504", "risks/R-001.yaml"),
        ("RK605", "incidents/INC-2026-001.yaml"),
        ("RK702", "launches/LAUNCH-001.yaml"),
    ]


def test_every_new_file_on_the_shipped_register_lints_clean_but_for_judgement(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "register"
    shutil.copytree(SHIPPED_REGISTER, folder)
    before = _findings(folder)
    for kind in KINDS:
        entity_id = "new-owner" if kind.name == "owner" else None
        _write(folder, kind.name, *SHIPPED_SETTINGS[kind.name], entity_id=entity_id)
    # (outside this repository, the copy's files have no schema line: the finding is on line 2)
    assert _findings(folder) - before == {("RK502", "kris/KRI-009.yaml", 2)}


# --- the next id ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "used", "expected"),
    [
        ("risk", set(), "R-001"),
        ("risk", {"R-001", "R-029", "R-007"}, "R-030"),
        ("risk", {"R-0009"}, "R-0010"),  # the register's padding is kept
        ("risk", {"R-999"}, "R-1000"),
        ("risk", {"R-17", "R-002"}, "R-018"),  # a malformed name still holds its number
        ("control", {"C-001", "R-500"}, "C-002"),
        ("incident", {"INC-2026-044", "INC-2025-090"}, "INC-2026-045"),
        ("incident", {"INC-2025-090"}, "INC-2026-001"),  # numbered within the year of --now
        ("incident", {"INC-2025-0090"}, "INC-2026-0001"),
        ("kri", {"KRI-008"}, "KRI-009"),
        ("launch", {"LAUNCH-001"}, "LAUNCH-002"),
        ("acceptance", {"ACC-003"}, "ACC-004"),
    ],
)
def test_next_id(kind: str, used: set[str], expected: str) -> None:
    assert next_id(KIND_BY_NAME[kind], used, TODAY) == expected


def test_every_next_id_has_its_kinds_form() -> None:
    from riskctl.model.common import ID_REGEXES

    for name in ID_PREFIXES:
        assert ID_REGEXES[name].match(next_id(KIND_BY_NAME[name], set(), TODAY)), name


def test_ids_in_use_read_broken_files_and_file_names(tmp_path: Path) -> None:
    folder = _fresh(tmp_path)
    risks = folder / "risks"
    (risks / "R-040.yaml").write_text("id: R-041\ntitle: [unclosed\n")  # not YAML at all
    (risks / "R-050.yaml").write_text("id: R-050\ntitle: 5\n")  # invalid
    (risks / "notes.txt").write_text("R-900 is only mentioned\n")
    (risks / "R-060.yaml").symlink_to(tmp_path / "elsewhere.yaml")  # RK008, never read
    (risks / "archive").mkdir()
    (risks / "archive" / "R-070.yaml").write_text("id: R-070\n")  # RK009, but its id is taken
    (folder / "controls" / "C-100.yaml").write_text("id: R-100\n")  # another kind's folder
    loaded = load(read_directory(folder))
    used = ids_in_use(loaded, KIND_BY_NAME["risk"])
    assert {"R-040", "R-041", "R-050", "R-060", "R-070", "notes"} <= used
    assert "R-900" not in used and "R-100" not in used
    assert _plan(loaded, folder, "risk", "category=payments-fraud").entity_id == "R-071"


def test_two_writers_of_the_same_new_id_cannot_both_win(tmp_path: Path) -> None:
    folder = _fresh(tmp_path)
    loaded = load(read_directory(folder))
    first, second = (_plan(loaded, folder, "control", f"title=writer {n}") for n in (1, 2))
    assert first.path == second.path
    apply_changes(folder, [FileChange(first.path, None, first.text.encode())])
    with pytest.raises(RiskctlError, match="appeared since riskctl read it; nothing written"):
        apply_changes(folder, [FileChange(second.path, None, second.text.encode())])
    assert first.path.read_text(encoding="utf-8") == first.text


def test_an_id_in_use_or_a_file_that_exists_is_refused(tmp_path: Path) -> None:
    folder = _fresh(tmp_path)
    (folder / "risks" / "R-007.yaml").write_text("id: R-008\n")
    loaded = load(read_directory(folder))
    for taken in ("R-007", "R-008"):
        with pytest.raises(RiskctlError, match=f"risk {taken} is already in the register"):
            _plan(loaded, folder, "risk", "category=payments-fraud", entity_id=taken)
    with pytest.raises(UsageProblem, match="'R-7' is not a risk id: R- and 3 or more digits"):
        _plan(loaded, folder, "risk", entity_id="R-7")


# --- --set ----------------------------------------------------------------------------------------


def test_set_values_of_every_type(tmp_path: Path) -> None:
    folder = _fresh(tmp_path)
    for kind in ("control", "control", "kri", "kri"):
        _write(folder, kind)
    loaded = load(read_directory(folder))
    risk = _data(
        _plan(
            loaded,
            folder,
            "risk",
            "category=payments-fraud",
            "title=2026",  # a text field keeps a number-like value as text
            "inherent.likelihood=4",  # int, nested
            "controls=C-001, C-002",  # list, commas
            "kris=[KRI-001, KRI-002]",  # list, YAML flow
            "treatment=accept",  # enum
            "reviewed=2026-11-02",  # date
            "target={likelihood: 2, impact: 1}",  # mapping, flow
            "tags=",  # an empty list
        )
    )
    assert risk["title"] == "2026"
    assert risk["inherent"] == {"likelihood": 4, "impact": 3}
    assert (risk["controls"], risk["kris"]) == (["C-001", "C-002"], ["KRI-001", "KRI-002"])
    assert (risk["treatment"], risk["reviewed"]) == ("accept", "2026-11-02")
    assert risk["target"] == {"likelihood": 2, "impact": 1}
    assert risk["tags"] == []
    control = _data(
        _plan(loaded, folder, "control", "key=true", "effectiveness.design=effective", "title=no")
    )
    assert control["key"] is True
    assert control["effectiveness"] == {"design": "effective", "operating": "not-tested"}
    assert control["title"] == "no"
    kri = _data(_plan(loaded, folder, "kri", "thresholds.amber=0.5", "thresholds.red=1e3"))
    assert kri["thresholds"] == {"amber": 0.5, "red": 1000.0}


def test_a_set_value_replaces_the_placeholder_and_keeps_the_comment(tmp_path: Path) -> None:
    folder = _fresh(tmp_path)
    loaded = load(read_directory(folder))
    plain = _plan(loaded, folder, "incident")
    assert "severity: 3  # TODO\n" in plain.text
    assert plain.todos == 3
    given = _plan(loaded, folder, "incident", "severity=4", "kind=near-miss")
    assert "severity: 4\n" in given.text and "kind: near-miss\n" in given.text
    assert given.todos == 1  # the title
    assert "# 1-5, 5 the worst: what happened.\nseverity: 4\n" in given.text
    # an optional field shown commented out becomes a live one
    assert "# detected: 2026-11-27\n" in plain.text
    assert (
        "\ndetected: 2026-11-20\n" in _plan(loaded, folder, "incident", "detected=2026-11-20").text
    )


def test_lower_is_worse_turns_the_placeholder_thresholds_round(tmp_path: Path) -> None:
    folder = _fresh(tmp_path)
    new = _plan(load(read_directory(folder)), folder, "kri", "direction=lower-is-worse")
    assert _data(new)["thresholds"] == {"amber": 2, "red": 1}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["titel=x"], "unknown field 'titel'; did you mean 'title'?"),
        (["inherent.likelyhood=4"], "unknown field 'likelyhood' in inherent; did you mean"),
        (["title.x=1"], "title is not a mapping"),
        (["title"], "expected FIELD=VALUE"),
        (["=x"], "a field name is empty"),
        (["id=R-009"], "give the id as the ID argument"),
        (["inherent=4"], "a mapping; set its keys"),
        (["controls=[C-001"], "not a YAML value"),
        (["title=bad\udcff"], "not valid UTF-8"),
        (["reviewed=2026-01-01T00:00:00"], "a date is YYYY-MM-DD"),
        (["reviewed=20260101"], "a date is YYYY-MM-DD"),
    ],
)
def test_a_malformed_set_is_a_usage_problem(
    settings: list[str], message: str, tmp_path: Path
) -> None:
    folder = _fresh(tmp_path)
    with pytest.raises(UsageProblem, match=re.escape(message)):
        _plan(load(read_directory(folder)), folder, "risk", "category=payments-fraud", *settings)


@pytest.mark.parametrize(
    ("kind", "settings", "message"),
    [
        ("control", ["nature=preventative"], "nature: input should be 'preventive', 'detective'"),
        ("control", ["key=yes"], "key: input should be a valid boolean, found 'yes'"),
        ("risk", ["inherent.likelihood=7"], "inherent.likelihood: input should be less than or"),
        ("risk", ["inherent.likelihood=high"], "inherent.likelihood: input should be a valid int"),
        ("risk", ["reviewed=2026-13-01"], "reviewed: expected a date as YYYY-MM-DD"),
        ("risk", ["target={likelihood: 2}"], "missing required key 'impact' in target"),
        ("risk", ["owner=nobody"], "owner: no owner 'nobody' in the register"),
        ("risk", ["category=fraud"], "riskctl.yaml defines no category 'fraud'"),
        ("risk", ["controls=C-404"], "controls.0: no control 'C-404' in the register"),
        ("control", ["tests=[{date: 2026-01-01, type: design, resul: pass}]"], "did you mean"),
    ],
)
def test_a_value_the_model_or_the_register_refuses_is_an_error(
    kind: str, settings: list[str], message: str, tmp_path: Path
) -> None:
    folder = _fresh(tmp_path)
    if kind == "risk" and not any(each.startswith("category=") for each in settings):
        settings = ["category=payments-fraud", *settings]
    with pytest.raises(RiskctlError, match=re.escape(message)):
        _plan(load(read_directory(folder)), folder, kind, *settings)


def test_references_the_register_cannot_answer_alone(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    init_register(folder)
    empty = load(read_directory(folder))
    with pytest.raises(RiskctlError, match=r"risk needs an owner \(owner\), and the register has"):
        _plan(empty, folder, "risk", "category=payments-fraud")
    _write(folder, "owner", "name=A", entity_id="a-team")
    _write(folder, "owner", "name=B", entity_id="b-team")
    two = load(read_directory(folder))
    with pytest.raises(
        UsageProblem, match=re.escape("which owner? the register has 2: a-team, b-team")
    ):
        _plan(two, folder, "control")
    with pytest.raises(UsageProblem, match=re.escape("which category? riskctl.yaml defines 3")):
        _plan(two, folder, "risk", "owner=a-team")
    with pytest.raises(UsageProblem, match="an owner's id is the name you give it"):
        _plan(two, folder, "owner")


@pytest.mark.parametrize(("layout", "line"), [("init", "../.schemas/"), ("bare", None)])
def test_the_schema_line_follows_where_the_schemas_are(
    layout: str, line: str | None, tmp_path: Path
) -> None:
    folder = _fresh(tmp_path)
    if layout == "bare":
        shutil.rmtree(folder / ".schemas")
    new = _plan(load(read_directory(folder)), folder, "launch")
    first = new.text.splitlines()[0]
    if line is None:
        assert not first.startswith("# yaml-language-server")
    else:
        assert first == f"# yaml-language-server: $schema={line}launch.schema.json"


# --- arguments and kinds --------------------------------------------------------------------------


def test_kinds_by_name_or_folder() -> None:
    assert find_kind("risk") is find_kind("risks") is KIND_BY_NAME["risk"]
    with pytest.raises(UsageProblem, match=r"no kind 'riks'.*did you mean 'risk'"):
        find_kind("riks")


@pytest.mark.parametrize(
    ("kind", "first", "second", "expected"),
    [
        ("risk", None, None, (None, "register")),
        ("risk", "R-005", None, ("R-005", "register")),
        ("risk", "r-5", None, ("r-5", "register")),  # malformed, refused as an id later
        ("risk", "my-register", None, (None, "my-register")),
        ("risk", "R-005", "reg", ("R-005", "reg")),
        ("owner", "payments-risk", None, ("payments-risk", "register")),
        ("control", "XY-12", None, ("XY-12", "register")),
    ],
)
def test_split_arguments(
    kind: str, first: str | None, second: str | None, expected: tuple[str | None, str]
) -> None:
    assert split_arguments(KIND_BY_NAME[kind], first, second) == expected


def test_a_single_word_that_is_a_register_is_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    init_register(tmp_path / "R-team")
    assert split_arguments(KIND_BY_NAME["owner"], "R-team", None) == (None, "R-team")
    assert split_arguments(KIND_BY_NAME["risk"], "R-team", None) == (None, "R-team")


# --- YAML text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "plain words",
        "yes",
        "2026-01-01",
        "12:30",
        "0x1F",
        "- dash",
        "a: b",
        "a #b",
        "trailing ",
        "multi\nline",
        "tab\there",
        "esc\x1b[31m",
        "line\u2028separator",
        "nel\x85",
        "bom\ufeff",
        "emoji 😀",
        'quote " and \\ backslash',
        "",
        "null",
        "~",
    ],
)
def test_any_text_reads_back_as_itself(text: str) -> None:
    schema = Schema(KIND_BY_NAME["risk"])
    title = schema.fields()["title"]
    for document, expected in (
        (f"title: {flow(schema, title, text)}\n", {"title": text}),
        (f"tags: {flow(schema, schema.fields()['tags'], [text, text])}\n", {"tags": [text, text]}),
    ):
        parsed = parse("x", document.encode("utf-8"))
        assert parsed.hits == () and parsed.data == expected, document
    assert quoted("a\x00b") == '"a\\0b"'


def walk_fields(schema: Schema, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every settable field path of a kind, mappings descended."""
    for name, field in schema.fields(path).items():
        child = (*path, name)
        yield child
        if schema.resolve(field).get("type") == "object" and schema.fields(child):
            yield from walk_fields(schema, child)


def test_every_field_of_every_kind_is_described() -> None:
    for kind in KINDS:
        schema = Schema(kind)
        for path in walk_fields(schema):
            field = schema.fields(path[:-1])[path[-1]]
            assert field.get("description"), (kind.name, path)


# --- the property ---------------------------------------------------------------------------------

PROFILE = settings(
    max_examples=1_000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
texts = st.text(st.characters(codec="utf-8"), max_size=12)
#: Values a user may well type for each field of a risk, right or wrong.
RISK_VALUES: dict[str, st.SearchStrategy[str]] = {
    "title": texts,
    "description": texts,
    "category": st.sampled_from(["payments-fraud", "data-protection", "nope"]),
    "owner": st.sampled_from(["payments-risk", "someone"]),
    "process": texts,
    "status": st.sampled_from(["open", "closed", "Open", ""]),
    "inherent.likelihood": st.sampled_from(["1", "5", "0", "6", "3.0", "x", "true"]),
    "inherent.impact": st.integers(-1, 7).map(str),
    "target": st.sampled_from(["{likelihood: 1, impact: 1}", "{likelihood: 1}", "{}"]),
    "residual": st.sampled_from(["{likelihood: 3, impact: 3}", "{impact: 2}"]),
    "override_reason": texts,
    "controls": st.sampled_from(["", "C-001", "C-001,C-001", "[C-001]", "[x]", "[1, 2]"]),
    "treatment": st.sampled_from(["mitigate", "accept", "transfer", "avoid", "none"]),
    "reviewed": st.sampled_from(["2026-01-01", "2026-02-30", "today", "2026-1-1"]),
    "kris": st.sampled_from(["", "KRI-001", "[KRI-001, KRI-002]"]),
    "tags": st.lists(texts.filter(lambda t: "," not in t), max_size=3).map(",".join),
}


@PROFILE
@given(chosen=st.dictionaries(st.sampled_from(sorted(RISK_VALUES)), st.just(0), max_size=8),
       data=st.data())  # fmt: skip
def test_any_set_either_writes_a_valid_file_or_refuses_writing_nothing(
    chosen: dict[str, int], data: st.DataObject, tmp_path: Path
) -> None:
    folder = tmp_path / "register"
    if not folder.exists():
        folder = _fresh(tmp_path)
        _write(folder, "control", "title=A control")
    values = {field: data.draw(RISK_VALUES[field], label=field) for field in chosen}
    arguments = [f"{field}={value}" for field, value in values.items()]
    if "category" not in values:
        arguments.append("category=payments-fraud")
    before = sorted(path.name for path in (folder / "risks").iterdir())
    loaded = load(read_directory(folder))
    try:
        new = _plan(loaded, folder, "risk", *arguments)
    except (RiskctlError, UsageProblem):
        assert sorted(path.name for path in (folder / "risks").iterdir()) == before
        return
    apply_changes(folder, [FileChange(new.path, None, new.text.encode())])
    try:
        written = new.path.read_bytes()
        parsed = parse(new.path.name, written)
        assert parsed.hits == () and parsed.data is not None
        entity, hits = validate(new.path.name, parsed.data, KIND_BY_NAME["risk"].model)
        assert hits == [] and entity is not None
        for field, value in values.items():
            if RISK_VALUES[field] is texts:
                assert parsed.data[field] == value
    finally:
        new.path.unlink()


def _values_for(node: dict[str, Any]) -> st.SearchStrategy[str] | None:
    """What a user might type for a field of this schema, right or wrong; None: not a leaf."""
    if "enum" in node:
        return st.sampled_from([*map(str, node["enum"]), "bogus", ""])
    if node.get("format") == "date":
        return st.one_of(st.dates().map(datetime.date.isoformat), st.just("2026-02-30"))
    kind = node.get("type")
    if kind == "integer":
        return st.integers(-2, 12).map(str)
    if kind == "number":
        return st.one_of(st.floats(allow_nan=True).map(repr), st.integers().map(str))
    if kind == "boolean":
        return st.sampled_from(["true", "false", "yes", "1"])
    if kind == "string":
        return texts
    if kind == "array" and node.get("items", {}).get("type") == "string":
        return st.lists(st.sampled_from(["R-001", "C-001", "x", " "]), max_size=3).map(",".join)
    return None


def _leaves(kind: Kind) -> dict[tuple[str, ...], st.SearchStrategy[str]]:
    """A value strategy for each leaf field of `kind` but its id (one JSON Schema per kind: at
    collection, a schema per field took a second in every test process)."""
    schema = Schema(kind)
    return {
        path: strategy
        for path in walk_fields(schema)
        if path != ("id",) and (strategy := _values_for(schema.node(path))) is not None
    }


LEAVES = {kind.name: _leaves(kind) for kind in KINDS}


@PROFILE
@given(kind=st.sampled_from(sorted(LEAVES)), data=st.data())
def test_any_kind_with_any_set_values_validates_or_is_refused(
    kind: str, data: st.DataObject, tmp_path: Path
) -> None:
    folder = tmp_path / "register"
    if not folder.exists():
        folder = _fresh(tmp_path)
        _write(folder, "risk", "category=payments-fraud")
        _write(folder, "control")
    fields = data.draw(st.lists(st.sampled_from(sorted(LEAVES[kind])), max_size=6, unique=True))
    arguments = [".".join(path) + "=" + data.draw(LEAVES[kind][path]) for path in fields]
    entity_id = "some-owner" if kind == "owner" else None
    before = sorted(str(path) for path in folder.rglob("*"))
    try:
        new = _plan(load(read_directory(folder)), folder, kind, *arguments, entity_id=entity_id)
    except (RiskctlError, UsageProblem):
        assert sorted(str(path) for path in folder.rglob("*")) == before
        return
    apply_changes(folder, [FileChange(new.path, None, new.text.encode())])
    try:
        parsed = parse(new.path.name, new.path.read_bytes())
        assert parsed.hits == () and parsed.data is not None
        entity, hits = validate(new.path.name, parsed.data, KIND_BY_NAME[kind].model)
        assert hits == [] and entity is not None
    finally:
        new.path.unlink()
