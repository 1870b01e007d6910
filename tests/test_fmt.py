"""`riskctl fmt`'s core: canonical key order and layout, byte for byte; the fast check never
says "canonical" for a file ruamel.yaml would change; formatting never changes data."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskctl import fmt
from riskctl.load.parse import parse, parse_tree
from riskctl.model.control import Control
from riskctl.model.incident import Incident
from riskctl.model.kri import Kri
from tests.conftest import SHIPPED_REGISTER, TESTS, check_golden

GOLDEN = TESTS / "golden" / "fmt"
CONTROL = fmt.model_shape(Control)
EXAMPLES = 1000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 60


def formatted(text: str, file: str = "controls/C-001.yaml") -> str:
    """The formatted text of a file (schema validation on: it must be a valid entity)."""
    outcome = fmt.format_bytes(file, text.encode("utf-8"), fmt.shape_for(file))
    assert outcome.problem is None, outcome.problem
    assert outcome.after is not None
    return outcome.after.decode("utf-8")


# --- the schema's order -------------------------------------------------------------------------


def test_shape_follows_the_model_field_order_at_every_level() -> None:
    assert list(CONTROL.order)[:4] == ["id", "waivers", "title", "objective"]
    effectiveness = CONTROL.child("effectiveness")
    assert effectiveness is not None
    assert list(effectiveness.order) == ["design", "operating"]
    tests = CONTROL.child("tests")
    assert tests is not None and tests.item() is not None
    assert list(tests.item().order)[:3] == ["date", "type", "procedure"]  # type: ignore[union-attr]
    observations = fmt.model_shape(Kri).child("observations")
    assert observations is not None
    assert list(observations.item().order) == ["date", "value"]  # type: ignore[union-attr]


def test_shape_of_the_kri_baseline_union_has_both_forms_keys_by_alias() -> None:
    baseline = fmt.model_shape(Kri).child("baseline")
    assert baseline is not None
    assert list(baseline.order) == ["first", "from", "to"]


def test_shape_of_config_dict_values_and_nested_lists() -> None:
    config = fmt.shape_for("riskctl.yaml")
    assert config is not None
    lint = config.child("lint")
    assert lint is not None
    rules = lint.child("rules")  # rule names are free keys; a rule's settings are a model
    assert rules is not None and rules.kind == "dict"
    assert rules.child("review-overdue") == rules.child("RK301") == rules.each
    assert rules.each is not None and next(iter(rules.each.order)) == "severity"
    categories = config.child("categories")
    assert categories is not None
    assert list(categories.item().order) == ["id", "name", "appetite"]  # type: ignore[union-attr]


def test_canonical_order_puts_unknown_keys_after_the_known_ones_in_their_order() -> None:
    keys = ["zeta", "title", "alpha", "id"]
    assert [keys[i] for i in fmt.canonical_order(keys, CONTROL)] == ["id", "title", "zeta", "alpha"]


def test_shape_for_files_outside_the_kinds_is_none() -> None:
    assert fmt.shape_for("README.md") is None
    assert fmt.shape_for("risks/notes.txt") is None
    assert fmt.shape_for("elsewhere/R-001.yaml") is None
    assert fmt.shape_for("incidents/INC-2026-001.yaml") == fmt.model_shape(Incident)


# --- the shipped register ---------------------------------------------------------------------


def test_shipped_register_is_canonical_and_fast_and_unchanged_byte_for_byte() -> None:
    plan = fmt.plan(SHIPPED_REGISTER)
    assert len(plan.outcomes) == len(list(SHIPPED_REGISTER.rglob("*.yaml")))
    assert plan.skipped == []
    for outcome in plan.outcomes:
        assert outcome.after == (SHIPPED_REGISTER / outcome.file).read_bytes(), outcome.file
        assert outcome.fast, f"{outcome.file}: canonical, but the fast check did not show it"


def test_ruamel_leaves_every_shipped_file_as_it_is() -> None:
    """The slow path agrees with the fast one on the shipped register: the layout the fast
    check accepts is ruamel.yaml's, byte for byte."""
    for path in sorted(SHIPPED_REGISTER.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        file = path.relative_to(SHIPPED_REGISTER).as_posix()
        parsed, root = parse_tree(file, text.encode("utf-8"))
        shape = fmt.shape_for(file)
        assert fmt.format_text(file, text, root, shape, parsed.data) == text, file


# --- goldens: input → output, then a second run changes nothing ----------------------------------

#: Outputs the fast check recognises; the others hold what it leaves to ruamel.yaml (an alias,
#: `|+`, an escape in a double-quoted scalar).
FAST_GOLDEN_CASES = {"control-misordered", "kri-observations", "risk-quant", "risk-quant-forms"}
GOLDEN_CASES = sorted(path.name.removesuffix(".in.yaml") for path in GOLDEN.glob("*.in.yaml"))


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_golden(case: str, update_golden: bool) -> None:
    raw = (GOLDEN / f"{case}.in.yaml").read_bytes()
    files = {"kri": "kris/KRI-001.yaml", "risk": "risks/R-001.yaml"}
    file = files.get(case.partition("-")[0], "controls/C-001.yaml")
    outcome = fmt.format_bytes(file, raw, fmt.shape_for(file))
    assert outcome.problem is None, outcome.problem
    assert outcome.after is not None
    check_golden(GOLDEN / f"{case}.out.yaml", outcome.after.decode("utf-8"), update_golden)
    assert fmt.same_data(parse(file, raw).data, parse(file, outcome.after).data)
    again = fmt.format_bytes(file, outcome.after, fmt.shape_for(file))
    assert again.after == outcome.after, "a second run changed the file"
    if case in FAST_GOLDEN_CASES:
        assert again.fast, "the fast check does not recognise fmt's own output"


def test_golden_cases_exist() -> None:
    assert len(GOLDEN_CASES) >= 5


def test_a_comment_moves_with_the_key_below_it() -> None:
    text = "id: C-001\nowner: x\n# why the title\ntitle: T\nnature: preventive\n# trailing remark\n"
    assert formatted(text) == (
        "id: C-001\n# why the title\ntitle: T\nowner: x\nnature: preventive\n# trailing remark\n"
    )


def test_a_deeper_comment_after_a_list_stays_with_the_list() -> None:
    text = (
        "id: C-001\ntitle: T\nowner: x\nnature: preventive\nassertions:\n  - a\n"
        "  # about the assertions\nkey: true\n"
    )
    out = formatted(text)
    assert out == (
        "id: C-001\ntitle: T\nowner: x\nkey: true\nnature: preventive\nassertions:\n  - a\n"
        "  # about the assertions\n"
    )


def test_a_sequence_item_keeps_its_dash_when_its_first_key_moves() -> None:
    text = (
        "id: C-001\ntitle: T\nowner: x\nnature: preventive\ntests:\n"
        "  - result: pass  # ok\n    type: design\n    date: 2026-01-01\n"
    )
    assert formatted(text).endswith(
        "tests:\n  - date: 2026-01-01\n    type: design\n    result: pass  # ok\n"
    )


def test_unknown_keys_are_kept_after_the_known_ones() -> None:
    text = "zeta: 1\nid: C-001\nalpha: 2\ntitle: T\nowner: x\nnature: preventive\n"
    outcome = fmt.format_bytes("controls/C-001.yaml", text.encode(), CONTROL)
    assert outcome.problem is None
    assert (
        outcome.after == b"id: C-001\ntitle: T\nowner: x\nnature: preventive\nzeta: 1\nalpha: 2\n"
    )


def test_crlf_is_kept_and_a_bom_too() -> None:
    text = "\ufefftitle: T\r\nid: C-001\r\nowner: x\r\nnature: preventive\r\n"
    out = fmt.format_bytes("controls/C-001.yaml", text.encode(), CONTROL).after
    assert out == "\ufeffid: C-001\r\ntitle: T\r\nowner: x\r\nnature: preventive\r\n".encode()


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"id: C-001\r\ntitle: T\nowner: x\nnature: preventive\n", "mixed line endings"),
        (b"id: [C-001\n", "YAML syntax error"),
        (b"id: C-001\nid: C-002\n", "duplicate key"),
        (b"id: C-001\ntitle: T\nowner: x\nnature: sometimes\n", "nature: input should be"),
        (b"- a\n", "expected a mapping"),
        (b"", "empty file"),
        (b"\xff\xfe", "UTF-16"),
    ],
)
def test_files_fmt_cannot_format_safely_are_left_alone_and_say_why(
    raw: bytes, problem: str
) -> None:
    outcome = fmt.format_bytes("controls/C-001.yaml", raw, CONTROL)
    assert outcome.after is None
    assert outcome.problem is not None and problem in outcome.problem


def test_a_multi_line_flow_mapping_out_of_order_is_refused_not_rewritten() -> None:
    text = (
        "id: C-001\ntitle: T\nowner: x\nnature: preventive\n"
        "effectiveness: {operating: effective,\n  design: effective}\n"
    )
    outcome = fmt.format_bytes("controls/C-001.yaml", text.encode(), CONTROL)
    assert outcome.after is None
    assert outcome.problem is not None and "flow collection over several lines" in outcome.problem


def test_same_data_is_strict_about_types_and_nan() -> None:
    assert not fmt.same_data({"a": 1}, {"a": 1.0})
    assert not fmt.same_data({"a": 1}, {"a": True})
    assert not fmt.same_data([1, 2], [2, 1])
    assert fmt.same_data({"a": float("nan"), "b": [1]}, {"b": [1], "a": float("nan")})
    assert not fmt.same_data({1: "x"}, {1.0: "x"})


def test_comments_ignores_hashes_inside_scalars() -> None:
    text = "a: 'x # y'  # one\nb: |\n  # not a comment\n# two\nc: d#e\n"
    _, root = parse_tree("f.yaml", text.encode())
    assert fmt.comments(text, root) == ["# one", "# two"]


# --- properties ---------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        "alpha",
        "beta gamma",
        "it's",
        "x: y",
        "# hash",
        "yes",
        "no",
        "12",
        "1.5",
        "true",
        "null",
        "2026-01-01",
        "-dash",
        "a  b",
        "café",
        "C-001",
        "",
    ]
)


@st.composite
def scalars(draw: st.DrawFn, indent: int, allow_block: bool = True, simple: bool = False) -> str:
    """A scalar as YAML source, in a random style (valid YAML, one line unless a block).
    `simple`: only the styles of a typical register file."""
    kinds = ["plain", "single", "double", "int", "float", "bool", "null", "date", "block", "multi"]
    if simple:
        kinds = ["plain", "single", "date", "block"]
    kind = draw(st.sampled_from(kinds))
    word = draw(_WORDS)
    if kind == "plain":
        return draw(st.sampled_from(["alpha", "beta gamma", "C-001", "x-y_z", "café au lait"]))
    if kind == "single":
        word = "it's" if simple else word
        return "'" + word.replace("'", "''") + "'"
    if kind == "double":
        escaped = word.replace("\\", "\\\\").replace('"', '\\"')
        return '"' + draw(st.sampled_from([escaped, escaped + "\\t", "\\u00e9" + escaped])) + '"'
    if kind == "int":
        return draw(st.sampled_from(["0", "7", "-3", "+4", "0o17", "0x1F", "1000000"]))
    if kind == "float":
        return draw(st.sampled_from(["1.5", "-0.25", "1e3", ".5", "3.14159265358979323", "2.50"]))
    if kind == "bool":
        return draw(st.sampled_from(["true", "false", "True", "FALSE"]))
    if kind == "null":
        return draw(st.sampled_from(["~", "null", "Null"]))
    if kind == "date":
        return "2026-11-27"
    pad = " " * (indent + draw(st.sampled_from([2, 2, 4])))
    if kind == "block" and allow_block:
        header = draw(
            st.sampled_from(["|", "|-", ">-"] if simple else ["|", "|-", "|+", ">", ">-", ">+"])
        )
        choices = (
            ["one", "two # not a comment"]
            if simple
            else ["one", "two # not a comment", "", "  more"]
        )
        lines = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=4))
        pad = " " * (indent + 2) if simple else pad
        if not lines[0].strip():
            lines[0] = "first"
        body = "".join(f"{pad}{line}\n" if line else "\n" for line in lines)
        return f"{header}\n{body}".rstrip("\n")
    if kind == "multi" and allow_block:
        return f"first line\n{pad}second line"
    return "alpha"


@st.composite
def flows(draw: st.DrawFn, keys: list[str], simple: bool = False) -> str:
    chosen = draw(st.permutations(keys))
    sep = draw(st.sampled_from([", ", ",  ", ","]))
    values = [draw(scalars(0, allow_block=False, simple=simple)) for _ in chosen]
    if draw(st.booleans()):
        return "[" + sep.join(values) + "]"
    inner = draw(st.sampled_from(["", " "]))
    return (
        "{"
        + inner
        + sep.join(f"{k}: {v}" for k, v in zip(chosen, values, strict=True))
        + inner
        + "}"
    )


@st.composite
def documents(draw: st.DrawFn, simple: bool = False) -> str:
    """A control-like document: keys in any order, nested mappings and lists, comments, blank
    lines, every scalar style, several indentations."""
    mapping_indent = draw(st.sampled_from([2, 2, 4]))
    dash_offset = draw(st.sampled_from([2, 2, 0]))
    colon_space = draw(st.sampled_from([" ", " ", "  "]))
    comment = st.sampled_from(["", "", "", "  # note", " #n", "   # far"])
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# yaml-language-server: $schema=../../schemas/control.schema.json")
    if draw(st.booleans()):
        lines.append("---")
    keys = [
        "id",
        "title",
        "owner",
        "nature",
        "key",
        "effectiveness",
        "tests",
        "assertions",
        "evidence",
        "zz_unknown",
    ]
    for key in draw(st.permutations(keys)):
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "# above " + key, "  # indented above"])))
        if key == "effectiveness":
            if draw(st.booleans()):
                flow = draw(flows(["operating", "design"], simple))
                lines.append(f"{key}:{colon_space}{flow}{draw(comment)}")
            else:
                lines.append(f"{key}:{draw(comment)}")
                lines.extend(
                    f"{' ' * mapping_indent}{sub}:{colon_space}effective{draw(comment)}"
                    for sub in draw(st.permutations(["operating", "design"]))
                )
        elif key == "tests":
            lines.append(f"{key}:")
            for _ in range(draw(st.integers(1, 2))):
                entries = draw(st.permutations(["result", "type", "date", "tester"]))
                dash = " " * dash_offset + "- "
                for index, entry in enumerate(entries):
                    lead = dash if index == 0 else " " * len(dash)
                    value = draw(scalars(len(dash), allow_block=False, simple=simple))
                    lines.append(f"{lead}{entry}:{colon_space}{value}{draw(comment)}")
                if draw(st.integers(0, 3)) == 0:
                    lines.append(" " * len(dash) + "# inside an item")
        elif key == "assertions":
            if draw(st.booleans()):
                lines.append(f"{key}:{colon_space}{draw(flows(['a', 'b'], simple))}")
            else:
                lines.append(f"{key}:")
                for _ in range(draw(st.integers(1, 3))):
                    value = draw(scalars(dash_offset + 2, allow_block=False, simple=simple))
                    lines.append(f"{' ' * dash_offset}- {value}{draw(comment)}")
        else:
            value = draw(scalars(0, simple=simple))
            tail = draw(comment) if "\n" not in value else ""
            lines.append(f"{key}:{colon_space}{value}{tail}")
    text = "\n".join(lines)
    # (a comment's trailing spaces are the comment's: ruamel.yaml keeps them, so fmt does)
    # (without a final newline a last `|` scalar's value has no line break; every canonical
    # form ends in one, so fmt refuses such a file: no typical file ends so)
    endings = ["\n", "\n\n"] if simple else ["\n", "\n", "", "\n\n", "  \n"]
    ending = draw(st.sampled_from(endings))
    return text + ending


PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "fuzz",
)


def _format(text: str) -> fmt.Outcome:
    return fmt.format_bytes("controls/C-001.yaml", text.encode("utf-8"), CONTROL, schema=False)


@PROPERTY_SETTINGS
@given(documents())
def test_fmt_never_changes_parsed_data_and_a_second_run_changes_nothing(text: str) -> None:
    before = parse("f.yaml", text.encode("utf-8"))
    outcome = _format(text)
    if before.data is None or before.hits:
        assert outcome.after is None  # fmt does not fix data
        return
    if outcome.after is None:
        return  # refused, with a reason: never written
    after = parse("f.yaml", outcome.after)
    assert after.hits == ()
    assert fmt.same_data(before.data, after.data)
    again = _format(outcome.after.decode("utf-8"))
    assert again.after == outcome.after


@PROPERTY_SETTINGS
@given(documents())
def test_the_fast_check_never_says_canonical_when_ruamel_would_change_the_file(text: str) -> None:
    parsed, root = parse_tree("f.yaml", text.encode("utf-8"))
    if parsed.data is None or parsed.hits:
        return
    if fmt.is_canonical(text, root, CONTROL):
        assert fmt.format_text("f.yaml", text, root, CONTROL, parsed.data) == text


@PROPERTY_SETTINGS
@given(documents(simple=True))
def test_the_fast_check_recognises_fmts_output_for_typical_files(text: str) -> None:
    """Typical files (plain and quoted scalars, block scalars, comments, flow and block
    collections) need ruamel.yaml only once: fmt's output is shown canonical from libyaml."""
    outcome = _format(text)
    assert outcome.problem is None, outcome.problem
    assert outcome.after is not None
    out = outcome.after.decode("utf-8")
    _, root = parse_tree("f.yaml", outcome.after)
    assert fmt.is_canonical(out, root, CONTROL), out


def test_the_fast_check_is_fast_on_plain_files() -> None:
    """The common layouts are recognised: no file of a typical register needs ruamel.yaml."""
    text = (
        "# yaml-language-server: $schema=../../schemas/control.schema.json\n"
        "id: C-001\ntitle: 'It''s a title'\nobjective: >-\n  Folded\n  text.\nowner: x  # eol\n"
        "key: true\nnature: preventive\n# before\neffectiveness: {design: effective}\n"
        'assertions: [a, "b"]\nannual_cost: 1.5\ntests:\n  - date: 2026-01-01\n'
        "    type: design\n    sample_size: 3\n    result: pass\n"
    )
    _, root = parse_tree("f.yaml", text.encode())
    assert fmt.is_canonical(text, root, CONTROL)
    for noncanonical in (
        text.replace("key: true\nnature", "nature: preventive\nkey: true\nxx"),
        text.replace("owner: x", "owner:  x"),
        text.replace("  - date", "- date")
        .replace("    type", "  type")
        .replace("    sample", "  sample")
        .replace("    result", "  result"),
        text.replace("{design: effective}", "{ design: effective }"),
        text + "\n",
        text.replace("\n", " \n", 1),
        text.replace("title: 'It''s a title'", "title: It is\n  wrapped"),
    ):
        parsed, root = parse_tree("f.yaml", noncanonical.encode())
        if parsed.data is not None:
            assert not fmt.is_canonical(noncanonical, root, CONTROL), noncanonical


@st.composite
def near_canonical(draw: st.DrawFn) -> str:
    """fmt's output with one small change: the texts the fast check is most likely to misjudge."""
    text = draw(documents())
    outcome = _format(text)
    out = (outcome.after or text.encode("utf-8")).decode("utf-8")
    lines = out.split("\n")
    where = draw(st.integers(0, max(len(lines) - 2, 0)))
    line = lines[where]
    column = draw(st.integers(0, len(line)))
    change = draw(st.sampled_from(["space", "delete", "duplicate", "swap", "comment", "dedent"]))
    if change == "space":
        lines[where] = line[:column] + " " + line[column:]
    elif change == "delete" and line:
        lines[where] = line[: max(column - 1, 0)] + line[column:]
    elif change == "duplicate":
        lines.insert(where, line)
    elif change == "swap" and where + 1 < len(lines) - 1:
        lines[where], lines[where + 1] = lines[where + 1], lines[where]
    elif change == "comment":
        lines.insert(where, " " * draw(st.integers(0, 6)) + "# inserted")
    elif change == "dedent":
        lines[where] = line.removeprefix("  ")
    return "\n".join(lines)


@PROPERTY_SETTINGS
@given(near_canonical())
def test_the_fast_check_never_lies_on_near_canonical_text(text: str) -> None:
    parsed, root = parse_tree("f.yaml", text.encode("utf-8"))
    if parsed.data is None or parsed.hits:
        return
    if fmt.is_canonical(text, root, CONTROL):
        assert fmt.format_text("f.yaml", text, root, CONTROL, parsed.data) == text


def test_an_anchor_no_alias_uses_is_refused_not_dropped() -> None:
    text = (
        "title: T\nid: C-001\nowner: x\nnature: preventive\ntests: &unused\n"
        "  - date: 2026-01-01\n    type: design\n    result: pass\n"
    )
    outcome = fmt.format_bytes("controls/C-001.yaml", text.encode(), CONTROL)
    assert outcome.after is None
    assert outcome.problem == (
        "formatting would drop the anchor &unused, which no alias uses; remove it by hand "
        "(it names nothing)"
    )


def test_a_flow_mapping_with_an_anchor_out_of_order_is_refused() -> None:
    text = (
        "id: C-001\ntitle: T\nowner: x\nnature: preventive\n"
        "effectiveness: &e {operating: effective, design: effective}\n"
    )
    outcome = fmt.format_bytes("controls/C-001.yaml", text.encode(), CONTROL)
    assert outcome.after is None
    assert outcome.problem == (
        "line 5: cannot put the keys in schema order: a flow collection with an anchor or a tag; "
        "reorder it by hand"
    )


def test_a_last_block_scalar_without_a_final_newline_is_refused_its_value_would_change() -> None:
    text = "title: T\nid: C-001\nowner: x\nnature: preventive\nevidence: |\n  log"
    outcome = fmt.format_bytes("controls/C-001.yaml", text.encode(), CONTROL)
    assert outcome.after is None
    assert outcome.problem == "formatting would change the data; left as it is"


def test_a_deeper_comment_after_the_last_entry_moves_with_it_not_into_a_block_scalar() -> None:
    text = (
        "id: C-001\ntitle: T\nowner: x\nnature: preventive\nzz_note: |\n  kept\n"
        "tests:\n  - date: 2026-01-01\n    type: design\n    result: pass\n    # after the test\n"
    )
    assert formatted(text.replace("zz_note: |\n  kept\n", "")) == text.replace(
        "zz_note: |\n  kept\n", ""
    )
    outcome = fmt.format_bytes("controls/C-001.yaml", text.encode(), CONTROL)
    assert outcome.after == (
        b"id: C-001\ntitle: T\nowner: x\nnature: preventive\n"
        b"tests:\n  - date: 2026-01-01\n    type: design\n    result: pass\n    # after the test\n"
        b"zz_note: |\n  kept\n"
    )


def test_a_one_key_flow_mapping_in_a_flow_list_is_refused_ruamel_would_drop_its_braces() -> None:
    text = "title: T\nid: C-001\nowner: x\nnature: preventive\nzz_list: [{a: 1}]\n"
    outcome = fmt.format_bytes("controls/C-001.yaml", text.encode(), CONTROL)
    assert outcome.after is None
    assert outcome.problem is not None and "`[{a: 1}]`, as `[a: 1]`" in outcome.problem
