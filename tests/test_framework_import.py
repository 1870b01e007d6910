"""`riskctl framework import|list|show`: OSCAL and CISO Assistant files to catalogue files.

The inputs in tests/data/frameworks/ are written for the tests in each format's published shape
(an OSCAL 1.x catalog in JSON and the same in YAML; a CISO Assistant library); the catalogue
files they give are goldens. Hostile inputs are exit 3 naming where, nothing written.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from riskctl import load
from riskctl.cli import app
from riskctl.errors import RiskctlError
from riskctl.framework.importing import read_catalogue
from riskctl.framework.oscal import clean_title
from riskctl.framework.write import catalogue_bytes, catalogue_text, quoted
from riskctl.model.framework import REQUIREMENT_ID, Framework, Requirement
from tests.conftest import BASE_REGISTER, TESTS, check_golden
from tests.gitrepo import GitRepo

DATA = TESTS / "data" / "frameworks"
GOLDEN = TESTS / "golden" / "framework"
runner = CliRunner()

settings.register_profile(
    "framework-default",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "framework-fuzz",
    max_examples=2_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
#: `make fuzz` sets HYPOTHESIS_PROFILE=fuzz; the default suite stays short.
PROFILE = settings.get_profile(
    "framework-fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "framework-default"
)


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["framework", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the tiny base register as ./register."""
    shutil.copytree(BASE_REGISTER, tmp_path / "register")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "register"


def _files(register: Path) -> dict[str, bytes]:
    return {
        path.relative_to(register).as_posix(): path.read_bytes()
        for path in sorted(register.rglob("*"))
        if path.is_file()
    }


# --- the two formats, to goldens ------------------------------------------------------------


def test_oscal_json_catalog_to_golden(register: Path, update_golden: bool) -> None:
    code, stdout, stderr = _run("import", str(DATA / "catalog.json"), "--id", "example-catalog")
    assert (code, stderr) == (0, "")
    assert stdout.splitlines()[1:] == [
        "read OSCAL catalog: 3 groups, 5 controls, 3 control enhancements; 11 requirements in all",
        "2 withdrawn controls left out",
    ]
    written = (register / "frameworks" / "example-catalog.yaml").read_text(encoding="utf-8")
    check_golden(GOLDEN / "example-catalog.yaml", written, update_golden)


def test_the_yaml_form_of_the_catalog_gives_the_same_file(register: Path) -> None:
    assert _run("import", str(DATA / "catalog.json"), "--id", "example-catalog")[0] == 0
    from_json = (register / "frameworks" / "example-catalog.yaml").read_bytes()
    code, _, stderr = _run("import", str(DATA / "catalog.yaml"), "--id", "example-catalog",
                           "--replace")  # fmt: skip
    assert (code, stderr) == (0, "")
    assert (register / "frameworks" / "example-catalog.yaml").read_bytes() == from_json


def test_oscal_ids_titles_and_parents() -> None:
    imported = read_catalogue((DATA / "catalog.json").read_bytes(), "catalog.json")
    by_id = {each.id: each for each in imported.requirements}
    # several label props: the one without a class; no label: the OSCAL id
    assert "AC-2" in by_id and "AC-02" not in by_id and "AC-2(1)" in by_id
    assert by_id["s1.1.2"].parent == "1.1"  # no label; parent is the group's label
    assert by_id["s1"].assessable is False and by_id["1.1"].parent == "s1"  # nested group
    # a label in another namespace is an extension: the OSCAL one wins
    assert "EXT-1.1" not in by_id
    # withdrawn: AC-2(2) and AC-3 left out; AC-3's live enhancement moves up to the family
    assert "AC-2(2)" not in by_id and "AC-3" not in by_id
    assert by_id["AC-3(1)"].parent == "AC"
    assert imported.withdrawn == 2
    assert by_id["AC-2(3)"].title == "Disable Accounts After [ac-2.3_prm_1]"
    assert by_id["1.1.1"].title == "Information security roles and responsibilities"
    assert imported.name == "Example Control Catalog for riskctl Tests"
    assert imported.licence == "Public domain: written for riskctl's tests"
    assert imported.default_id == "example-control-catalog-for-riskctl-tests"
    assert "published 2026-03-01" in imported.source


def test_ciso_assistant_library_to_golden(register: Path, update_golden: bool) -> None:
    code, stdout, stderr = _run("import", str(DATA / "ciso-library.yaml"))
    assert (code, stderr) == (0, "")
    # the default id: the framework urn's last segment, lower-cased, `_` as `-`
    target = register / "frameworks" / "test-standard-2026.yaml"
    assert stdout.splitlines() == [
        "wrote register/frameworks/test-standard-2026.yaml: Test Standard 2026, version 3",
        "read CISO Assistant library: 3 groupings, 4 assessable requirements; 7 requirements "
        "in all",
    ]
    check_golden(GOLDEN / "test-standard-2026.yaml", target.read_text(encoding="utf-8"),
                 update_golden)  # fmt: skip


def test_ciso_ids_and_titles() -> None:
    imported = read_catalogue((DATA / "ciso-library.yaml").read_bytes(), "ciso-library.yaml")
    by_id = {each.id: each for each in imported.requirements}
    assert by_id["4.1:1"].parent == "4.1"  # no ref_id: the urn's own part
    assert by_id["4.1:1"].title.startswith("A sub-point with no ref_id and no name: its title")
    assert by_id["A.5.1"].title == "A.5.1"  # no name, no description: the id
    assert by_id["true"].parent == "Annex A"
    assert imported.licence == "Copyright 2026 Example Standards Body: for testing only"


def test_every_imported_file_lints_clean(register: Path) -> None:
    for name, framework_id in (("catalog.json", "a"), ("ciso-library.yaml", "b")):
        assert _run("import", str(DATA / name), "--id", framework_id)[0] == 0
    result = runner.invoke(app, ["lint", "register", "--now", "2026-11-27", "--select", "RK0,RK9"])
    assert result.exit_code == 0, result.stdout


# --- determinism, --replace, the id ---------------------------------------------------------


def test_the_same_input_gives_the_same_bytes(register: Path) -> None:
    target = register / "frameworks" / "test-standard-2026.yaml"
    assert _run("import", str(DATA / "ciso-library.yaml"))[0] == 0
    first = target.read_bytes()
    code, stdout, _ = _run("import", str(DATA / "ciso-library.yaml"), "--replace")
    assert code == 0 and stdout.startswith("unchanged register/frameworks/")
    assert target.read_bytes() == first


def test_an_existing_catalogue_is_kept_without_replace(register: Path) -> None:
    target = register / "frameworks" / "test-standard-2026.yaml"
    target.parent.mkdir()
    target.write_text("# mine\n", encoding="utf-8")
    before = _files(register)
    code, stdout, stderr = _run("import", str(DATA / "ciso-library.yaml"))
    assert (code, stdout) == (3, "")
    assert "already in the register; give --replace" in stderr
    assert _files(register) == before
    code, stdout, _ = _run("import", str(DATA / "ciso-library.yaml"), "--replace")
    assert code == 0 and stdout.startswith("replaced register/frameworks/test-standard-2026.yaml")
    assert target.read_bytes() != b"# mine\n"


def test_a_bad_id_is_a_usage_error(register: Path) -> None:
    code, _, stderr = _run("import", str(DATA / "catalog.json"), "--id", "NIST 800-53")
    assert code == 2 and "not a framework id" in stderr


def test_a_title_with_no_usable_id_needs_id(register: Path, tmp_path: Path) -> None:
    catalog = json.loads((DATA / "catalog.json").read_text(encoding="utf-8"))
    catalog["catalog"]["metadata"]["title"] = "Каталог"
    file = tmp_path / "cyrillic.json"
    file.write_text(json.dumps(catalog), encoding="utf-8")
    code, _, stderr = _run("import", str(file))
    assert code == 3 and "give one with --id" in stderr
    assert _run("import", str(file), "--id", "catalogue")[0] == 0


def test_not_a_register_folder(tmp_path: Path) -> None:
    code, _, stderr = _run("import", str(DATA / "catalog.json"), str(tmp_path))
    assert code == 3 and "not a register folder" in stderr


# --- hostile input: exit 3 naming where, nothing written --------------------------------------


def _oscal(**changes: object) -> dict[str, object]:
    catalog: dict[str, object] = json.loads((DATA / "catalog.json").read_text(encoding="utf-8"))
    catalog["catalog"].update(changes)  # type: ignore[attr-defined]
    return catalog


HOSTILE_JSON: dict[str, tuple[object, str]] = {
    "groups-not-a-list": (_oscal(groups={"a": 1}), "at /catalog/groups: groups: expected a list"),
    "title-a-number": (
        _oscal(controls=[{"id": "x", "title": 5}]),
        "at /catalog/controls/0/title: title: expected text, found a number",
    ),
    "control-without-id": (
        _oscal(controls=[{"title": "t"}]),
        "at /catalog/controls/0/id: a control's id: expected text, found nothing",
    ),
    "duplicate-label": (
        _oscal(
            controls=[{"id": "top-2", "title": "t", "props": [{"name": "label", "value": "AC-1"}]}]
        ),
        "at /catalog/controls/0: requirement id 'AC-1' appears twice (first at "
        "/catalog/groups/0/controls/0)",
    ),
    "label-with-a-control-character": (
        _oscal(
            controls=[{"id": "x", "title": "t", "props": [{"name": "label", "value": "A\x1bB"}]}]
        ),
        "at /catalog/controls/0/props: 'A\\x1bB' cannot be a requirement id",
    ),
    "no-catalog-metadata": (
        _oscal(metadata=[]),
        "at /catalog/metadata: metadata: expected a mapping",
    ),
    "nothing-in-it": (_oscal(groups=[], controls=[]), "no requirements found"),
    "neither-format": (
        {"catalogue": {}},
        "not a catalogue riskctl reads: expected an OSCAL catalog",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_JSON))
def test_hostile_json_is_exit_3_naming_where(register: Path, tmp_path: Path, case: str) -> None:
    data, message = HOSTILE_JSON[case]
    file = tmp_path / "catalog.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    before = _files(register)
    code, stdout, stderr = _run("import", str(file), "--id", "x")
    assert (code, stdout) == (3, ""), stderr
    assert message in stderr
    assert _files(register) == before


CISO_HEAD = """\
objects:
  framework:
    urn: urn:x:risk:framework:x
    name: X
    requirement_nodes:
"""

HOSTILE_BYTES: dict[str, tuple[bytes, str]] = {
    "deep-json": (b'{"catalog": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "catalog.json: "),
    "bad-json": (b'{"catalog": {', "catalog.json:1:14: not valid JSON"),
    "not-utf8-json": (b'{"catalog": "\xff"}', "not UTF-8 text (byte 14"),
    "huge-int-json": (b'{"catalog": ' + b"9" * 5000 + b"}", "not usable JSON"),
    "not-utf8-yaml": (b"catalog: \xff\n", "catalog.json"),
    "deep-yaml": (b"catalog: " + b"[" * 200 + b"]" * 200 + b"\n", "nesting deeper than"),
    "yaml-duplicate-key": (b"catalog: {}\ncatalog: {}\n", "catalog.json:2"),
    "ciso-unknown-parent": (
        (CISO_HEAD + "      - {urn: 'u:a', ref_id: A, parent_urn: 'u:z'}\n").encode(),
        "catalog.json:6: parent 'u:z' is not in the file",
    ),
    "ciso-parent-cycle": (
        (
            CISO_HEAD + "      - {urn: 'u:a', ref_id: A, parent_urn: 'u:b'}\n"
            "      - {urn: 'u:b', ref_id: B, parent_urn: 'u:a'}\n"
        ).encode(),
        "catalog.json:6: 'A' is not under any top-level requirement: following its parents runs "
        "into a cycle",
    ),
    "ciso-self-parent": (
        (CISO_HEAD + "      - {urn: 'u:a', ref_id: A, parent_urn: 'u:a'}\n").encode(),
        "runs into a cycle",
    ),
    "ciso-duplicate-ref-id": (
        (CISO_HEAD + "      - {urn: 'u:a', ref_id: A}\n      - {urn: 'u:b', ref_id: A}\n").encode(),
        "catalog.json:7: requirement id 'A' appears twice (first at line 6)",
    ),
    "ciso-duplicate-urn": (
        (CISO_HEAD + "      - {urn: 'u:a', ref_id: A}\n      - {urn: 'u:a', ref_id: B}\n").encode(),
        "catalog.json:7: 'u:a' appears twice",
    ),
    "ciso-nodes-not-a-list": (
        CISO_HEAD.encode() + b"      x: 1\n",
        "expected a list, found a mapping",
    ),
    "ciso-assessable-text": (
        (CISO_HEAD + "      - {urn: 'u:a', ref_id: A, assessable: 'yes'}\n").encode(),
        "catalog.json:6: assessable: expected true or false",
    ),
    "ciso-ref-id-a-list": (
        (CISO_HEAD + "      - {urn: 'u:a', ref_id: [A]}\n").encode(),
        "catalog.json:6: ref_id: expected text, found a list",
    ),
    "ciso-no-name-no-urn-no-nodes": (
        b"objects:\n  framework: {urn: '', name: ' ', requirement_nodes: []}\n",
        "no requirements found",
    ),
    "ciso-framework-not-a-mapping": (
        b"objects:\n  framework: [1]\n",
        "expected a mapping, found a list",
    ),
    "empty": (b"", "empty file"),
    "utf16": ("\ufeffcatalog: {}".encode("utf-16-le"), "UTF-16"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_BYTES))
def test_hostile_bytes_are_exit_3_naming_where(register: Path, tmp_path: Path, case: str) -> None:
    data, message = HOSTILE_BYTES[case]
    file = tmp_path / "catalog.json"
    file.write_bytes(data)
    before = _files(register)
    code, stdout, stderr = _run("import", str(file), "--id", "x")
    assert (code, stdout) == (3, ""), stderr
    assert message in stderr, stderr
    assert "Traceback" not in stderr
    assert _files(register) == before


def test_a_folder_or_a_fifo_as_file_is_exit_3(register: Path, tmp_path: Path) -> None:
    code, _, stderr = _run("import", str(tmp_path), "--id", "x")
    assert code == 3 and "a folder, not a regular file" in stderr
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, stderr = _run("import", str(fifo), "--id", "x")
    assert code == 3 and "a FIFO (named pipe), not a regular file" in stderr
    code, _, stderr = _run("import", "/dev/zero", "--id", "x")
    assert code == 3 and "a character device" in stderr


def test_a_symlink_as_file_reads_its_target(register: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(DATA / "catalog.json")
    assert _run("import", str(link), "--id", "x")[0] == 0
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere")
    code, _, stderr = _run("import", str(dangling), "--id", "y")
    assert code == 3 and "cannot read it" in stderr


# --- the emitter: every file it writes reads back as the model ---------------------------------

ids = st.from_regex(REQUIREMENT_ID, fullmatch=True).filter(lambda text: len(text) < 40)
titles = st.text(min_size=1, max_size=60)


@PROFILE
@given(st.lists(st.tuples(ids, titles, st.booleans()), min_size=1, max_size=8), titles)
def test_every_file_written_reads_back_as_the_model(
    rows: list[tuple[str, str, bool]], name: str
) -> None:
    requirements = []
    for index, (requirement_id, title, assessable) in enumerate(rows):
        parent = rows[index - 1][0] if index else None
        requirements.append(
            Requirement(id=requirement_id, title=title, parent=parent, assessable=assessable)
        )
    framework = Framework(
        id="random",
        name=name,
        version='1: "x" #',
        source=name,
        licence="l",
        requirements=requirements,
    )
    raw = catalogue_bytes(framework, [name, "second: line"], "frameworks/random.yaml")
    assert load.load_file("frameworks/random.yaml", raw, Framework).entity == framework
    assert raw == catalogue_text(framework, [name, "second: line"]).encode("utf-8")


def test_quoting_escapes_what_yaml_does_not_allow_raw() -> None:
    assert quoted('a "b" \\ \x1b \x85 \u2028 \ufeff é') == (
        '"a \\"b\\" \\\\ \\u001b \\u0085 \\u2028 \\ufeff é"'
    )


def test_oscal_markup_is_kept_readable() -> None:
    assert clean_title("Use **strong** and *emphasis*, not 2 * 3 * 4") == (
        "Use strong and emphasis, not 2 * 3 * 4"
    )
    assert clean_title('Set <insert type="param" id-ref="ac-1_prm_1"/> days') == (
        "Set [ac-1_prm_1] days"
    )
    assert (
        clean_title("See [the guide](https://example.com) and `code`") == "See the guide and code"
    )


def test_a_requirement_id_error_is_a_riskctl_error() -> None:
    with pytest.raises(RiskctlError, match="cannot be a requirement id"):
        read_catalogue(
            (CISO_HEAD + "      - {urn: 'u:a', ref_id: '  '}\n      - {urn: ''}\n").encode(),
            "x.yaml",
        )


# --- list and show ----------------------------------------------------------------------------


def test_list_shows_shipped_and_register_catalogues(register: Path) -> None:
    assert _run("import", str(DATA / "ciso-library.yaml"), "--id", "nist-csf-2.0")[0] == 0
    assert _run("import", str(DATA / "catalog.json"), "--id", "example")[0] == 0
    code, stdout, stderr = _run("list", "--format", "json")
    assert (code, stderr) == (0, "")
    rows = {row["id"]: row for row in json.loads(stdout)["frameworks"]}
    assert rows["example"] == {
        "id": "example",
        "name": "Example Control Catalog for riskctl Tests",
        "version": "1.2",
        "requirements": 8,
        "groupings": 3,
        "origin": "frameworks/example.yaml",
        "replaces_shipped": False,
    }
    assert rows["nist-csf-2.0"]["replaces_shipped"] is True
    code, stdout, _ = _run("list")
    assert code == 0
    assert "frameworks/nist-csf-2.0.yaml (replaces the shipped one)" in stdout


def test_list_without_register_catalogues_names_the_shipped_one(register: Path) -> None:
    code, stdout, _ = _run("list")
    assert code == 0
    assert stdout.splitlines()[1].split() == [
        "nist-csf-2.0", "NIST", "Cybersecurity", "Framework", "(CSF)", "2.0", "2.0", "106", "28",
        "shipped",
    ]  # fmt: skip


def test_show_prints_the_tree(register: Path) -> None:
    assert _run("import", str(DATA / "catalog.json"), "--id", "example")[0] == 0
    code, stdout, _ = _run("show", "example")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0] == (
        "example: Example Control Catalog for riskctl Tests, version 1.2 (frameworks/example.yaml)"
    )
    assert lines[4:8] == [
        "AC  Access Control  [grouping]",
        "  AC-1  Policy and Procedures",
        "  AC-2  Account Management",
        "    AC-2(1)  Automated System Account Management",
    ]
    code, stdout, _ = _run("show", "example", "--format", "json")
    document = json.loads(stdout)
    assert [(each["id"], each["depth"]) for each in document["requirements"][:4]] == [
        ("AC", 0), ("AC-1", 1), ("AC-2", 1), ("AC-2(1)", 2)
    ]  # fmt: skip


def test_show_an_unknown_id_is_exit_3_with_a_suggestion(register: Path) -> None:
    code, _, stderr = _run("show", "nist-csf-20")
    assert code == 3 and "did you mean nist-csf-2.0?" in stderr


def test_show_escapes_control_characters(register: Path) -> None:
    target = register / "frameworks" / "evil.yaml"
    target.parent.mkdir()
    target.write_text(
        'id: evil\nname: "E\\x1b[31m"\nversion: "1"\nsource: s\nlicence: l\n'
        'requirements:\n  - {id: A, title: "T\\x1b]0;x\\x07"}\n',
        encoding="utf-8",
    )
    code, stdout, _ = _run("show", "evil")
    assert code == 0 and "\x1b" not in stdout and "\\x1b" in stdout


def test_list_names_a_register_catalogue_that_did_not_load(register: Path) -> None:
    target = register / "frameworks" / "broken.yaml"
    target.parent.mkdir()
    target.write_text("id: broken\nname: Broken\n", encoding="utf-8")
    code, _, stderr = _run("list")
    assert code == 3 and "did not load" in stderr
    code, stdout, stderr = _run("list", "--partial")
    assert code == 0 and stdout.startswith("partial: 1 file(s) did not load")
    assert "broken        (did not load: see riskctl lint)" in stdout
    code, stdout, _ = _run("list", "--partial", "--format", "json")
    rows = {row["id"]: row for row in json.loads(stdout)["frameworks"]}
    assert rows["broken"]["name"] is None


# --- any input: a catalogue or a RiskctlError, never another exception ------------------------

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*path, index))
    return found


def _replaced(document: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


@PROFILE
@given(st.data())
def test_any_damage_to_an_input_is_a_riskctl_error_or_a_catalogue(data: st.DataObject) -> None:
    import yaml

    name = data.draw(st.sampled_from(["catalog.json", "ciso-library.yaml"]))
    if name.endswith(".json"):
        document = json.loads((DATA / name).read_text(encoding="utf-8"))
    else:
        document = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
        document["publication_date"] = str(document["publication_date"])
    path = data.draw(st.sampled_from(_paths(document)))
    damaged = _replaced(document, path, data.draw(_values))
    raw = (
        json.dumps(damaged).encode("utf-8")
        if name.endswith(".json")
        else yaml.safe_dump(damaged, allow_unicode=True).encode("utf-8")
    )
    try:
        imported = read_catalogue(raw, name)
    except RiskctlError:
        return
    framework = imported.framework(imported.default_id or "x")
    catalogue_bytes(framework, ["h"], "frameworks/x.yaml")


def _chain(count: int) -> str:
    return CISO_HEAD + "".join(
        f"      - {{urn: 'u:{index}', ref_id: R{index}"
        + (f", parent_urn: 'u:{index - 1}'" if index else "")
        + "}\n"
        for index in range(count)
    )


def test_a_chain_of_64_parents_imports_lints_and_shows(register: Path, tmp_path: Path) -> None:
    file = tmp_path / "deep.yaml"
    file.write_text(_chain(64), encoding="utf-8")
    code, stdout, _ = _run("import", str(file), "--id", "deep")
    assert code == 0 and "64 requirements in all" in stdout
    result = runner.invoke(app, ["lint", "register", "--now", "2026-11-27", "--select", "RK9"])
    assert result.exit_code == 0, result.stdout
    code, stdout, _ = _run("show", "deep")
    assert code == 0
    assert stdout.splitlines()[-1] == f"{'  ' * 12}[depth 63] R63  R63"


def test_a_chain_deeper_than_64_is_refused_and_nothing_written(
    register: Path, tmp_path: Path
) -> None:
    """What lists each requirement with the groupings above it would grow with the square of
    the depth: a catalogue nests at most 64 levels (a written one is RK007)."""
    file = tmp_path / "deep.yaml"
    file.write_text(_chain(3_000), encoding="utf-8")
    before = _files(register)
    code, stdout, stderr = _run("import", str(file), "--id", "deep")
    assert (code, stdout) == (3, "")
    assert "'R64' is on level 65 of parents: a catalogue nests at most 64 levels" in stderr
    assert _files(register) == before


def test_list_and_show_read_the_register_at_a_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import is one file: committed, `--rev` sees it; at the commit before, it is not there."""
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    before = repo.commit("base", day=1)
    monkeypatch.chdir(repo.root)
    assert _run("import", str(DATA / "catalog.json"), "--id", "example")[0] == 0
    repo.commit("import the example catalogue", day=2)
    (repo.root / "register" / "frameworks" / "example.yaml").unlink()  # the work tree differs
    code, stdout, _ = _run("show", "example", "--rev", "HEAD", "--format", "json")
    assert code == 0 and json.loads(stdout)["origin"] == "frameworks/example.yaml"
    code, _, stderr = _run("show", "example", "--rev", before)
    assert code == 3 and "no framework 'example'" in stderr
    code, stdout, _ = _run("list", "--rev", "HEAD")
    assert code == 0 and "frameworks/example.yaml" in stdout


def test_a_file_over_the_limit_is_refused_unread(
    register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("riskctl.framework.importing.IMPORT_LIMIT", 1_000)
    code, _, stderr = _run("import", str(DATA / "catalog.json"), "--id", "x")
    assert code == 3 and "larger than 1,000 bytes, the most riskctl reads" in stderr
    assert not (register / "frameworks").exists()


def test_a_framework_with_neither_name_nor_urn_gets_a_name(register: Path, tmp_path: Path) -> None:
    file = tmp_path / "nameless.yaml"
    file.write_text(
        "objects:\n  framework:\n    urn: ''\n    name: ''\n    requirement_nodes:\n"
        "      - {urn: 'u:a', ref_id: A}\n",
        encoding="utf-8",
    )
    code, _, stderr = _run("import", str(file))
    assert code == 3 and "give one with --id" in stderr
    code, stdout, _ = _run("import", str(file), "--id", "nameless")
    assert code == 0 and "Untitled CISO Assistant framework" in stdout


def test_a_yaml_file_in_flow_style_is_read_as_yaml() -> None:
    """`{catalog: {...}}` is a YAML flow mapping, not JSON: a `.yaml` file is read as YAML."""
    text = (
        "{catalog: {uuid: 0b2d8e6c-4c1f-4a6e-9d1e-1f2a3b4c5d6e, metadata: {title: Flow,"
        " version: '1', last-modified: '2026-01-01T00:00:00Z', oscal-version: 1.1.2},"
        " controls: [{id: x-1, title: One, props: [{name: label, value: X-1}]}]}}\n"
    )
    imported = read_catalogue(text.encode(), "flow.yaml")
    assert [each.id for each in imported.requirements] == ["X-1"]
