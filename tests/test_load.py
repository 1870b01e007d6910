"""The loader: YAML 1.2 values, exact positions, never raising on bad input."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest

from riskctl.errors import RiskctlError
from riskctl.findings import Where
from riskctl.lint.engine import lint
from riskctl.load import Locator, Sources, data_path, load_config, parse, read_directory

NOW = datetime.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: no", {"a": "no"}),
        ("a: yes", {"a": "yes"}),
        ("a: on", {"a": "on"}),
        ("a: true", {"a": True}),
        ("a: False", {"a": False}),
        ("a: ~", {"a": None}),
        ("a:", {"a": None}),
        ("a: null", {"a": None}),
        ("a: 012", {"a": 12}),
        ("a: 0o17", {"a": 15}),
        ("a: 0x1F", {"a": 31}),
        ("a: -3", {"a": -3}),
        ("a: 1.5e3", {"a": 1500.0}),
        ("a: .5", {"a": 0.5}),
        ("a: 1_000", {"a": "1_000"}),
        ("a: 2026-10-01", {"a": "2026-10-01"}),
        ("a: '3'", {"a": "3"}),
        ("a: !!str 3", {"a": "3"}),
        ("a: !!int '3'", {"a": 3}),
        ("a: [1, b, {c: d}]", {"a": [1, "b", {"c": "d"}]}),
        ("a: &x 1\nb: *x", {"a": 1, "b": 1}),
    ],
)
def test_parse_applies_the_yaml_1_2_core_schema(text: str, expected: object) -> None:
    parsed = parse("f.yaml", text.encode())
    assert parsed.hits == ()
    assert parsed.data == expected


def test_parse_infinities_and_nan() -> None:
    data = parse("f.yaml", b"a: .inf\nb: -.Inf\nc: .NaN\n").data
    assert data["a"] == float("inf")
    assert data["b"] == float("-inf")
    assert data["c"] != data["c"]


def _locate(text: str, path: tuple[str | int, ...], at_key: bool = False) -> tuple[int, int]:
    sources = Sources(label="register", files={"f.yaml": text.encode()})
    return Locator(sources).locate(Where("f.yaml", path, at_key=at_key))


BLOCK = """\
id: R-001
inherent:
  likelihood: 4
  impact: 3
controls:
  - C-001
  - C-002
"""
FLOW = "id: R-001\ninherent: {likelihood: 4, impact: 3}\ncontrols: [C-001, C-002]\n"
NESTED = """\
tests:
  - date: 2026-09-01
    result: pass
  - {date: 2026-10-01, result: fail}
"""


@pytest.mark.parametrize(
    ("text", "path", "at_key", "expected"),
    [
        (BLOCK, ("id",), False, (1, 5)),
        (BLOCK, ("id",), True, (1, 1)),
        (BLOCK, ("inherent", "impact"), False, (4, 11)),
        (BLOCK, ("inherent", "impact"), True, (4, 3)),
        (BLOCK, ("controls", 1), False, (7, 5)),
        (BLOCK, ("inherent", "missing"), False, (3, 3)),  # a missing key: at its mapping
        (BLOCK, ("nothing", "deeper"), False, (1, 1)),
        (BLOCK, ("controls", 9), False, (6, 3)),
        (FLOW, ("inherent", "impact"), False, (2, 35)),
        (FLOW, ("inherent",), False, (2, 11)),
        (FLOW, ("controls", 1), False, (3, 19)),
        (NESTED, ("tests", 0, "result"), False, (3, 13)),
        (NESTED, ("tests", 1, "result"), True, (4, 24)),
        (NESTED, ("tests", 1), False, (4, 5)),
    ],
)
def test_locate_block_flow_and_nested(
    text: str, path: tuple[str | int, ...], at_key: bool, expected: tuple[int, int]
) -> None:
    assert _locate(text, path, at_key) == expected


def test_locate_counts_columns_in_characters_not_bytes() -> None:
    assert _locate("title: Müller — über\nowner: x\n", ("owner",)) == (2, 8)
    assert _locate("name: 'José'\nx: [é, ü]\n", ("x", 1)) == (2, 8)


def test_data_path_drops_union_tags_and_keeps_a_missing_key() -> None:
    data = {"baseline": {"first": 0}, "inherent": {"likelihood": 4}}
    assert data_path(data, ("baseline", "first-points", "first")) == ("baseline", "first")
    assert data_path(data, ("inherent", "impact")) == ("inherent", "impact")
    assert data_path(data, ("inherent", "likelihood", "extra")) == ("inherent", "likelihood")


def test_byte_order_mark_lints_exactly_like_the_same_file_without(base_register: Path) -> None:
    broken = "id: C-002\ntitel: Review\nowner: payments-risk\nnature: sometimes\n"
    target = base_register / "controls" / "C-002.yaml"
    target.write_bytes(broken.encode())
    plain = lint(read_directory(base_register), today=NOW).findings
    target.write_bytes(b"\xef\xbb\xbf" + broken.encode())
    with_bom = lint(read_directory(base_register), today=NOW).findings
    assert plain == with_bom
    assert [(f.code, f.line, f.col) for f in plain] == [
        ("RK006", 1, 1),
        ("RK005", 2, 1),
        ("RK007", 4, 9),
    ]


def test_crlf_file_lints_like_lf(base_register: Path) -> None:
    broken = "id: C-002\ntitle: Review\nowner: nobody\nnature: detective\nreduces: impact\n"
    target = base_register / "controls" / "C-002.yaml"
    target.write_bytes(broken.encode())
    lf = lint(read_directory(base_register), today=NOW).findings
    target.write_bytes(broken.replace("\n", "\r\n").encode())
    assert lint(read_directory(base_register), today=NOW).findings == lf
    assert [(f.code, f.line, f.col) for f in lf] == [("RK103", 3, 8)]


def test_schema_messages_name_the_field_and_the_value() -> None:
    from riskctl.load import validate
    from riskctl.model.risk import Risk

    data = parse(
        "risks/R-17.yaml",
        b"id: R-17\ntitle: T\ncategory: c\nowner: o\ninherent: {likelihood: 0, impact: 3}\n",
    ).data
    model, hits = validate("risks/R-17.yaml", data, Risk)
    assert model is None
    assert [(hit.code, hit.message) for hit in hits] == [
        ("RK007", "id: not a risk id: expected R- and 3 or more digits, e.g. R-007, found 'R-17'"),
        ("RK007", "inherent.likelihood: input should be greater than or equal to 1, found 0"),
    ]


def test_missing_register_folder_is_an_operational_error(tmp_path: Path) -> None:
    with pytest.raises(RiskctlError, match="no such register folder"):
        read_directory(tmp_path / "absent")


def test_folder_without_configuration_is_not_a_register(tmp_path: Path) -> None:
    with pytest.raises(RiskctlError, match=r"not a register: no riskctl\.yaml"):
        read_directory(tmp_path)


def test_broken_configuration_names_each_problem_with_its_position(tmp_path: Path) -> None:
    (tmp_path / "riskctl.yaml").write_text(
        "version: 2\ncategories:\n  - {id: x, name: X, apetite: low}\n", encoding="utf-8"
    )
    with pytest.raises(RiskctlError) as raised:
        load_config(read_directory(tmp_path))
    message = str(raised.value)
    label = read_directory(tmp_path).label
    assert f"{label}/riskctl.yaml:1:10: version: input should be 1, found 2 [RK007]" in message
    assert (
        f"{label}/riskctl.yaml:3:5: missing required key 'appetite' in categories.0 [RK006]"
        in message
    )
    assert (
        f"{label}/riskctl.yaml:3:22: unknown key 'apetite'; did you mean 'appetite'? [RK005]"
        in message
    )


def test_a_folder_that_cannot_be_listed_is_a_finding_not_a_silent_skip(
    base_register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    real_scandir = os.scandir

    def refusing(folder: object = ".") -> object:
        if str(folder) == str(base_register / "kris") or str(folder) == str(base_register):
            if str(folder) == str(base_register) and not refuse_root:
                return real_scandir(folder)  # type: ignore[call-overload]
            raise PermissionError(13, "Permission denied", str(folder))
        return real_scandir(folder)  # type: ignore[call-overload]

    refuse_root = False
    monkeypatch.setattr(os, "scandir", refusing)
    sources = read_directory(base_register)
    assert not any(name.startswith("kris/") for name in sources.files)
    assert [(hit.where.file, hit.code, hit.message) for hit in sources.problems] == [
        ("kris", "RK008", "cannot list the folder: Permission denied")
    ]
    refuse_root = True
    with pytest.raises(RiskctlError, match="cannot read the register folder: Permission denied"):
        read_directory(base_register)


def test_locate_follows_aliases_without_expanding_them() -> None:
    """A path through aliases walks the node tree as composed (each anchored node once): a
    billion-laughs file is located in an instant, at the anchored node."""
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    text = "\n".join(levels) + "\n"
    started = time.process_time()
    assert _locate(text, ("i", 8, 8, 8, 8, 8, 8, 8, 8, 8)) == (1, 32)  # the last x of `a`
    assert _locate(text, ("i", 8, 8, 3)) == (6, 4)  # `f`'s list (at its anchor), via `*h`, `*g`
    assert _locate(text, ("i", 8, 8, 99)) == (7, 4)  # no such item: `g`'s list
    assert time.process_time() - started < 1


def test_locate_a_mapping_with_typed_keys() -> None:
    """Keys are told apart by type, as in construction: 1, true and '1' are looked up as the
    data holds them; a duplicate key is located at its first occurrence."""
    text = "'1': s\n1: i\ntrue: b\n1.5: f\nnull: n\nx: 1\nx: 2\n"
    assert _locate(text, ("1",)) == (1, 6)
    assert _locate(text, (1,)) == (2, 4)
    assert _locate(text, (True,)) == (3, 7)
    assert _locate(text, ("x",)) == (6, 4)
    assert _locate(text, ("x",), at_key=True) == (6, 1)
    assert _locate(text, (2,)) == (1, 1)  # no such key: the mapping


def test_parse_keeps_numbers_within_bounds_and_refuses_the_rest() -> None:
    parsed = parse("f.yaml", b"a: 9223372036854775807\nb: 9223372036854775808\nc: 1e400\n")
    assert parsed.data == {"a": 2**63 - 1, "b": "9223372036854775808", "c": "1e400"}
    assert [(hit.code, hit.where.line, hit.where.col) for hit in parsed.hits] == [
        ("RK004", 2, 4),
        ("RK004", 3, 4),
    ]
    assert all(hit.message.startswith("number too large: ") for hit in parsed.hits)


@pytest.mark.parametrize(
    ("value", "hinted"),
    [("@alice", True), ("`x`", True), ("%x", False), ("\t@x", True), ("ok", None)],
)
def test_an_unquoted_at_or_backtick_says_to_quote_it(value: str, hinted: bool | None) -> None:
    """`github: @alice` is the usual case: YAML reserves `@` and the backtick at a value's
    start; the message says to quote it, and only then (a `%` or a tab gets no such hint)."""
    parsed = parse("owners/ana.yaml", f"id: ana\nname: Ana\ngithub: {value}\n".encode())
    if hinted is None:
        assert parsed.hits == ()
        return
    (hit,) = parsed.hits
    assert hit.code == "RK001" and (hit.where.line, hit.where.col) == (3, 9 + value.count("\t"))
    assert ('must be quoted: "@alice"' in hit.message) is hinted


def test_a_reference_to_a_file_that_is_not_yaml_is_not_unknown_too(tmp_path: Path) -> None:
    """The broken file has its own RK001; its file name is its id, so a risk naming it as owner
    does not get RK103 as well (as for a file that parses but does not validate)."""
    from riskctl.scaffold import init_register

    register = tmp_path / "register"
    init_register(register)
    (register / "owners/ana.yaml").write_text("id: ana\nname: Ana\ngithub: @ana\n")
    (register / "risks/R-001.yaml").write_text(
        "id: R-001\ntitle: t\ncategory: payments-fraud\nowner: ana\n"
        "inherent: {likelihood: 2, impact: 2}\nreviewed: 2026-11-01\n"
    )
    codes = [
        each.code for each in lint(read_directory(register), datetime.date(2026, 11, 27)).findings
    ]
    assert codes == ["RK001"]
