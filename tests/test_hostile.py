"""Hostile input: riskctl reports it as findings at exact positions, and never crashes.

Every file of `tests/data/hostile/` (and, when `../shared/corpus/` is present, every case of the
YAML test suite) goes into a tiny clean register as `risks/R-999.yaml`. Linting it must give a
clean result or at least one RK0xx error at that file with line >= 1 and col >= 1: never an
exception (exit 4), never a traceback. Most cases run through the library; a handful run through
the real CLI in subprocesses, started in parallel to keep this file fast.

Decisions these tests pin:
- A file holding only comments holds no entity: RK003 at 1:1, like an empty file.
- A CRLF file lints exactly like the same file with LF line endings, and a UTF-8 byte-order mark
  changes nothing (same findings, same positions).
- UTF-16 is not read: register files are UTF-8 (RK008).
- Nesting deeper than libyaml's limit (1000) is RK001 from libyaml 0.2.6 on; with an older
  libyaml, riskctl's own limit (64 levels) reports RK004. Either is a positioned finding.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskctl.errors import RiskctlError
from riskctl.findings import Finding, LintResult, Severity
from riskctl.lint.engine import lint
from riskctl.load import Sources, parse, read_directory
from riskctl.output import FORMATTERS
from tests.gitrepo import GitRepo

HOSTILE = Path(__file__).parent / "data" / "hostile"
BUNDLED_SUITE = HOSTILE / "yaml-test-suite"
SHARED_SUITE = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "yaml-test-suite"
NO_SHARED_SUITE = (
    f"the YAML test suite is not at {SHARED_SUITE} (CI checks out ../shared beside the clone); "
    "the cases copied into tests/data/hostile/yaml-test-suite/ still run"
)

NOW = datetime.date(2026, 11, 27)
NOW_TEXT = NOW.isoformat()
TARGET = "risks/R-999.yaml"
LABEL = "register"
BOM = b"\xef\xbb\xbf"
LOADER_CODES = frozenset(f"RK00{digit}" for digit in range(1, 10))
FOLDERS = ("risks", "controls", "owners", "incidents", "kris", "launches", "acceptances")
BASE_FILES: dict[str, bytes] = {
    "riskctl.yaml": (
        b"version: 1\ncategories:\n"
        b"  - {id: payments-fraud, name: Payments fraud, appetite: high}\n"
        b"lint: {rules: {review-overdue: off}}\n"
    ),
    "owners/payments-risk.yaml": b"id: payments-risk\nname: Payments risk\n",
    "risks/R-001.yaml": (
        b"id: R-001\ntitle: Card testing\ncategory: payments-fraud\nowner: payments-risk\n"
        b"inherent: {likelihood: 3, impact: 4}\n"
    ),
}
#: A valid risk with the hostile file's name; tests splice hostile parts into it.
VALID_RISK = (
    b"id: R-999\ntitle: Card testing\ncategory: payments-fraud\nowner: payments-risk\n"
    b"inherent: {likelihood: 3, impact: 4}\n"
)
PWNED = Path("/tmp/pwned-riskctl")  # the side effect python-tag*.yaml would have if constructed

#: `error` cases of the YAML test suite that libyaml accepts (so riskctl would see well-formed
#: YAML), each with the leniency it is, as strict xfails. None today: riskctl catches the six
#: leniencies of libyaml 0.2.5 itself, as RK001 (`_Construction.check_glued_comment`,
#: `check_continuation_indent`, `check_block_leading_lines`): a `#` right after a quoted scalar
#: (SU5Z) or a block scalar indicator (X4QW); a block mapping's quoted or flow value whose
#: further lines are not indented more than its key (QB6E, DK95-01 with a tab, 9C9N); a block
#: scalar whose leading empty lines are wider than its first line (S98Z). The suite's `name-*`
#: cases repeat four of them by title. A new libyaml that differs shows up in
#: `test_shared_suite_invalid_cases_libyaml_accepts_are_exactly_the_listed_ones`.
LIBYAML_ACCEPTS_ERRORS: dict[str, str] = {}


# --- helpers ----------------------------------------------------------------------------------


def write_register(folder: Path, hostile: bytes | None = None) -> Path:
    """The minimal clean register in `folder`, with `hostile` as risks/R-999.yaml if given."""
    for name in FOLDERS:
        (folder / name).mkdir(parents=True, exist_ok=True)
    for relative, raw in BASE_FILES.items():
        (folder / relative).write_bytes(raw)
    if hostile is not None:
        (folder / TARGET).write_bytes(hostile)
    return folder


def lint_folder(folder: Path) -> LintResult:
    """Lint a register folder on disk, as `riskctl lint` does."""
    return lint(read_directory(folder), today=NOW)


def lint_bytes(raw: bytes, file: str = TARGET) -> LintResult:
    """Lint the minimal register with `raw` as `file`, in memory (no disk, fast)."""
    return lint(Sources(label=LABEL, files={**BASE_FILES, file: raw}), today=NOW)


def findings_at(result: LintResult, file: str = TARGET) -> list[Finding]:
    """The findings of one register file, whatever the register's label."""
    return [finding for finding in result.findings if finding.file.endswith(f"/{file}")]


def check_findings_or_clean(result: LintResult, must_find: bool = False) -> list[Finding]:
    """Assert the acceptance criterion for the hostile file; return its findings.

    Clean, or exit 1 with an RK0xx error at the file with a position. Nothing else in the
    register is affected, and every output format renders the result.
    """
    own = findings_at(result)
    others = [finding for finding in result.findings if not finding.file.endswith(f"/{TARGET}")]
    assert others == [], "the hostile file changed what is reported about other files"
    for finding in own:
        assert finding.line >= 1, finding
        assert finding.col >= 1, finding
    if own or must_find:
        loader = [f for f in own if f.code in LOADER_CODES and f.severity is Severity.ERROR]
        assert loader, f"expected an RK0xx error at {TARGET}, got {own}"
    for render in FORMATTERS.values():
        assert isinstance(render(result, "0.0.0-test"), str)
    return own


def placed(findings: list[Finding]) -> set[tuple[str, int, int]]:
    return {(finding.code, finding.line, finding.col) for finding in findings}


def read_index(suite: Path) -> dict[str, str]:
    """`index.txt` of a YAML test suite folder: case id -> "valid" or "error"."""
    kinds = {}
    for line in (suite / "index.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            case_id, kind, _title = line.split(" ", 2)
            kinds[case_id] = kind
    return kinds


def hostile_files() -> list[Path]:
    return sorted(HOSTILE.rglob("*.yaml"))


def case_id(path: Path) -> str:
    return path.relative_to(HOSTILE).as_posix()


BUNDLED_KINDS = read_index(BUNDLED_SUITE)


def is_error_case(path: Path) -> bool:
    return path.parent == BUNDLED_SUITE and BUNDLED_KINDS[path.stem] == "error"


def corpus_params() -> list[object]:
    return [pytest.param(path, id=case_id(path)) for path in hostile_files()]


# --- every hostile file -----------------------------------------------------------------------


def test_corpus_is_complete() -> None:
    """The corpus holds what it should, and git has not rewritten its bytes (see .gitattributes)."""
    names = {case_id(path) for path in hostile_files()}
    assert len(names) >= 45
    assert set(BUNDLED_KINDS) == {path.stem for path in BUNDLED_SUITE.glob("*.yaml")}
    assert (BUNDLED_SUITE / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert b"\r\n" in (HOSTILE / "crlf.yaml").read_bytes()
    assert b"\n" not in (HOSTILE / "crlf.yaml").read_bytes().replace(b"\r\n", b"")
    assert (HOSTILE / "bom-findings.yaml").read_bytes().startswith(BOM)
    assert b"\xe9" in (HOSTILE / "latin1.yaml").read_bytes()
    assert (HOSTILE / "utf16.yaml").read_bytes().startswith(b"\xff\xfe")
    assert "* -text" in (HOSTILE / ".gitattributes").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", corpus_params())
def test_hostile_file_gives_positioned_findings_or_a_clean_result(
    path: Path, tmp_path: Path
) -> None:
    register = write_register(tmp_path / LABEL, path.read_bytes())
    check_findings_or_clean(lint_folder(register), must_find=is_error_case(path))


#: (file, code, line, col): a finding that must be among the file's findings; col None: any.
EXACT: list[tuple[str, str, int, int | None]] = [
    ("syntax-unclosed-quote.yaml", "RK001", 5, 1),  # at the end of the stream
    ("syntax-unclosed-flow.yaml", "RK001", 4, 6),
    ("syntax-bad-indentation.yaml", "RK001", 3, 11),
    ("duplicate-key.yaml", "RK002", 6, 1),  # the second `owner:`
    ("duplicate-key-flow.yaml", "RK002", 5, 38),  # the second `likelihood:` in the flow map
    ("long-line.yaml", "RK002", 5, len("inherent: {likelihood: 3, impact: 4,") + 20_000 + 1),
    ("tabs.yaml", "RK001", 3, 1),
    ("tabs-after-spaces.yaml", "RK001", 4, 1),
    ("latin1.yaml", "RK008", 2, 11),  # the 0xe9 of "Caf\xe9"
    ("binary.yaml", "RK008", 4, 1),  # the first NUL byte
    ("utf16.yaml", "RK008", 1, None),
    ("empty.yaml", "RK003", 1, 1),
    ("comments-only.yaml", "RK003", 1, 1),
    ("list.yaml", "RK003", 1, 1),
    ("scalar.yaml", "RK003", 1, 1),
    ("multi-document.yaml", "RK003", 6, 1),  # the second document's `---`
    ("complex-key.yaml", "RK004", 6, 3),
    ("python-tag.yaml", "RK004", 1, 1),
    ("python-tag-value.yaml", "RK004", 2, 8),
    ("alias-recursive.yaml", "RK004", 2, 8),
    ("deep-100.yaml", "RK004", 2, len("title: ") + 65),  # the 65th `[`
    ("bom-findings.yaml", "RK002", 2, 1),
    ("bom-findings.yaml", "RK007", 6, 24),
    ("bom-findings.yaml", "RK005", 7, 1),
    ("crlf-findings.yaml", "RK007", 5, 24),
    ("crlf-findings.yaml", "RK005", 6, 1),
    ("crlf-findings.yaml", "RK002", 7, 1),
    ("yaml-test-suite/4EJS.yaml", "RK001", 3, 1),
    ("yaml-test-suite/JHB9.yaml", "RK003", 8, 1),
    ("yaml-test-suite/M5DY.yaml", "RK004", 1, 3),
    ("yaml-test-suite/M5DY.yaml", "RK004", 6, 3),
    ("yaml-test-suite/7FWL.yaml", "RK004", 2, 3),
]


@pytest.mark.parametrize(("name", "code", "line", "col"), EXACT)
def test_hostile_finding_at_its_exact_position(
    name: str, code: str, line: int, col: int | None
) -> None:
    own = check_findings_or_clean(lint_bytes((HOSTILE / name).read_bytes()), must_find=True)
    if col is None:
        assert (code, line) in {(finding.code, finding.line) for finding in own}, own
    else:
        assert (code, line, col) in placed(own), own


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("alias-bomb.yaml", None),
        ("deep-flow.yaml", 2),
        ("deep-flow-mapping.yaml", 2),
        ("deep-block.yaml", 3),
    ],
)
def test_alias_bomb_and_deep_nesting_are_refused(name: str, line: int | None) -> None:
    own = check_findings_or_clean(lint_bytes((HOSTILE / name).read_bytes()), must_find=True)
    assert own, name
    refused = [f for f in own if f.code in ("RK001", "RK004")]
    assert refused, own
    if line is None:  # where the expansion passes the limit: somewhere in the nine aliases
        assert all(2 <= f.line <= 10 for f in refused), refused
    else:
        assert all(f.line == line for f in refused), refused


def test_crlf_valid_file_is_clean_and_lints_like_lf() -> None:
    crlf = (HOSTILE / "crlf.yaml").read_bytes()
    assert lint_bytes(crlf).findings == ()
    assert lint_bytes(crlf.replace(b"\r\n", b"\n")).findings == ()


def test_byte_order_mark_lints_exactly_like_the_same_file_without_it(tmp_path: Path) -> None:
    with_bom = (HOSTILE / "bom-findings.yaml").read_bytes()
    register = write_register(tmp_path / LABEL, with_bom)
    findings = lint_folder(register).findings
    (register / TARGET).write_bytes(with_bom.removeprefix(BOM))
    assert lint_folder(register).findings == findings
    assert [(f.code, f.line, f.col) for f in findings] == [
        ("RK002", 2, 1),
        ("RK007", 6, 24),
        ("RK005", 7, 1),
    ]


@pytest.mark.parametrize("path", corpus_params())
def test_byte_order_mark_changes_nothing(path: Path) -> None:
    raw = path.read_bytes().removeprefix(BOM)
    assert lint_bytes(BOM + raw).findings == lint_bytes(raw).findings


NOT_LINE_BASED = {"binary.yaml", "utf16.yaml"}


def crlf_params() -> list[object]:
    params: list[object] = []
    for path in hostile_files():
        name = case_id(path)
        if name in NOT_LINE_BASED:
            continue
        params.append(pytest.param(path, id=name))
    return params


@pytest.mark.parametrize("path", crlf_params())
def test_crlf_lints_exactly_like_lf(path: Path) -> None:
    lf = path.read_bytes().replace(b"\r\n", b"\n")
    assert lint_bytes(lf.replace(b"\n", b"\r\n")).findings == lint_bytes(lf).findings


@pytest.mark.parametrize("path", corpus_params())
def test_hostile_configuration_is_an_operational_error(path: Path) -> None:
    """As riskctl.yaml, every hostile file is exit 3 with positions, never an exception."""
    sources = Sources(label=LABEL, files={**BASE_FILES, "riskctl.yaml": path.read_bytes()})
    with pytest.raises(
        RiskctlError, match=r"invalid configuration:\n  register/riskctl\.yaml:\d+:\d+: "
    ):
        lint(sources, today=NOW)


# --- generated at run time --------------------------------------------------------------------


def ten_megabyte_scalar() -> bytes:
    """A valid risk whose title is 10 MB on one line, then a duplicate key on line 6."""
    title = b"title: " + b"x" * 10_000_000 + b"\n"
    return VALID_RISK.replace(b"title: Card testing\n", title) + b"owner: fraud-ops\n"


def test_ten_megabyte_scalar(tmp_path: Path) -> None:
    register = write_register(tmp_path / LABEL, ten_megabyte_scalar())
    own = check_findings_or_clean(lint_folder(register), must_find=True)
    assert placed(own) == {("RK002", 6, 1)}


def test_deep_block_mapping_nesting_beyond_1000_levels() -> None:
    nested = b"".join(b" " * level + b"k:\n" for level in range(1200))
    own = check_findings_or_clean(lint_bytes(b"id: R-999\n" + nested), must_find=True)
    assert {f.code for f in own} & {"RK001", "RK004"}, own


def test_symlink_out_of_the_register_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_bytes(b"id: R-999\npassword: hunter2\n")
    register = write_register(tmp_path / LABEL)
    (register / TARGET).symlink_to(secret)
    sources = read_directory(register)
    assert not any(b"hunter2" in raw for raw in sources.files.values())
    own = check_findings_or_clean(lint(sources, today=NOW), must_find=True)
    assert placed(own) == {("RK008", 1, 1)}


def test_symlink_loop_is_a_finding(tmp_path: Path) -> None:
    register = write_register(tmp_path / LABEL)
    (register / "risks" / "R-998.yaml").symlink_to("R-999.yaml")
    (register / TARGET).symlink_to("R-998.yaml")
    result = lint_folder(register)
    assert {f.code for f in findings_at(result)} == {"RK008"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_named_pipe_does_not_hang_the_reader(tmp_path: Path) -> None:
    register = write_register(tmp_path / LABEL)
    fifo = register / TARGET
    os.mkfifo(fifo)
    outcome: list[object] = []
    reader = threading.Thread(target=lambda: outcome.append(read_directory(register)), daemon=True)
    reader.start()
    reader.join(timeout=0.5)
    hung = reader.is_alive()
    if hung:  # release the reader: a writer that opens and closes the pipe gives it end of file
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=5.0)
    assert not hung, "read_directory blocked on a named pipe"


def python_tag_with_marker(marker: Path) -> bytes:
    command = json.dumps(f"touch {marker}")
    return f"!!python/object/apply:os.system [{command}]\n".encode()


def test_python_object_tag_never_runs(tmp_path: Path) -> None:
    pwned_before = PWNED.exists()
    marker = tmp_path / "pwned"
    for raw in (
        python_tag_with_marker(marker),
        VALID_RISK + b"notes: " + python_tag_with_marker(marker),
        (HOSTILE / "python-tag.yaml").read_bytes(),
        (HOSTILE / "python-tag-value.yaml").read_bytes(),
    ):
        own = check_findings_or_clean(lint_bytes(raw), must_find=True)
        assert "RK004" in {f.code for f in own}
    assert not marker.exists()
    assert pwned_before or not PWNED.exists()


# --- bugs found by this corpus, fixed; and libyaml's known gaps as strict xfails --------------


def test_control_character_is_a_syntax_error_at_its_position() -> None:
    own = check_findings_or_clean(
        lint_bytes((HOSTILE / "control-character.yaml").read_bytes()), must_find=True
    )
    assert placed(own) == {("RK001", 2, len("title: Card") + 1)}
    assert all("\n" not in finding.message for finding in own)


def test_non_string_keys_are_unknown_keys_at_the_key() -> None:
    own = check_findings_or_clean(
        lint_bytes((HOSTILE / "non-string-keys.yaml").read_bytes()), must_find=True
    )
    assert placed(own) == {("RK005", 6, 1), ("RK005", 7, 1), ("RK005", 8, 1)}


@pytest.mark.parametrize("value", ["!!bool yes", "!!bool abc", "!!null abc"])
def test_explicit_core_tag_on_a_wrong_value_is_a_finding(value: str) -> None:
    parsed = parse(TARGET, f"notes: {value}\n".encode())
    assert [(hit.code, hit.where.line, hit.where.col) for hit in parsed.hits] == [("RK004", 1, 8)]


def test_comment_glued_to_a_quoted_scalar_is_a_syntax_error() -> None:
    """libyaml accepts `"Card testing"# no space`; riskctl checks it itself (yaml-test-suite
    SU5Z), at the `#`."""
    own = check_findings_or_clean(
        lint_bytes((HOSTILE / "quoted-scalar-comment.yaml").read_bytes()), must_find=True
    )
    assert placed(own) == {("RK001", 2, len('title: "Card testing"') + 1)}


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("notes: 'single'# x\n", 1, 16),
        ('notes:\n  - "item"# x\n', 2, 11),
        ('id: "R-999"# x\n', 1, 12),
        ("notes: ># x\n  folded\n", 1, 9),
        ("notes: |-# x\n  literal\n", 1, 10),
        ("notes: |2-# x\n  literal\n", 1, 11),
    ],
)
def test_comment_glued_to_a_scalar_is_a_syntax_error_at_the_hash(
    text: str, line: int, col: int
) -> None:
    parsed = parse(TARGET, text.encode())
    assert [(hit.code, hit.where.line, hit.where.col) for hit in parsed.hits] == [
        ("RK001", line, col)
    ]
    assert text.splitlines()[line - 1][col - 1] == "#"


@pytest.mark.parametrize(
    "text",
    [
        'notes: "a" # x\n',
        "notes: 'a'\t# x\n",
        'notes: ["a", "b"]\n',
        "notes: > # x\n  b\n",
        "notes: |+\n  #b\n",
        'notes: "a#b"\n',
        "notes: a# b\n",
    ],
)
def test_a_hash_that_is_no_glued_comment_is_no_finding(text: str) -> None:
    assert parse(TARGET, text.encode()).hits == ()


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ('title: "Card\ntesting"\n', 2, 1),  # QB6E
        ('title: "Card\n\ttesting"\n', 2, 1),  # DK95-01: a tab is no indentation
        ("controls: [C-001,\nC-002]\n", 2, 1),  # 9C9N
        ("inherent:\n  note: 'a\n  b'\n", 3, 3),
        ('tests:\n  - result: "a\n    b"\n', 3, 5),  # the key is at column 5
        ('notes: {a: "x\ny"}\n', 2, 1),
        ("inherent: {a: [1,\n2]}\n", 2, 1),
        ('title: "Card\r\ntesting"\r\n', 2, 1),
    ],
)
def test_value_lines_not_indented_more_than_the_key_are_a_syntax_error(
    text: str, line: int, col: int
) -> None:
    parsed = parse(TARGET, text.encode())
    assert [(hit.code, hit.where.line, hit.where.col) for hit in parsed.hits] == [
        ("RK001", line, col)
    ]
    assert "indented more than its key" in parsed.hits[0].message


@pytest.mark.parametrize(
    "text",
    [
        'title: "Card\n testing"\n',
        'title: "Card\n\n testing"\n',
        "inherent:\n  note: 'a\n   b'\n",
        "controls: [C-001,\n# a comment line\n  C-002]\n",
        "controls: [\n  C-001\n ]\n",
        "? title\n: 'a\n b'\n",
        "- k: [1,\n   2]\n",
        'tests:\n  - result: "a\n     b"\n',
        "title: |\n  a\n  b\n",
    ],
)
def test_value_lines_indented_more_than_the_key_are_no_finding(text: str) -> None:
    assert not [hit for hit in parse(TARGET, text.encode()).hits if hit.code == "RK001"]


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("notes: >\n \n  \n   \n # comment\n", 4, 2),  # S98Z
        ("notes: |-\n\n    \n  # comment\n", 3, 3),
        ("tests:\n  - result: >\n       \n     # comment\n", 3, 6),
        ("notes: |\r\n   \r\n # comment\r\n", 2, 2),
    ],
)
def test_block_scalar_leading_lines_wider_than_its_first_line_are_a_syntax_error(
    text: str, line: int, col: int
) -> None:
    parsed = parse(TARGET, text.encode())
    assert [(hit.code, hit.where.line, hit.where.col) for hit in parsed.hits] == [
        ("RK001", line, col)
    ]
    assert "empty line at the start of a block scalar" in parsed.hits[0].message


@pytest.mark.parametrize(
    "text",
    [
        "notes: >\n \n  \n   \n# comment at the key's column\n",
        "notes: |\n   \nnext: 1\n",
        "notes: |\n  \n  x\n",
        "notes: |2\n   \n  x\n",
        "notes: |\n\n  x\n   y\n",
        "? notes\n: |\n   \n # comment\n",
    ],
)
def test_block_scalar_leading_lines_no_wider_than_its_first_line_are_no_finding(
    text: str,
) -> None:
    assert parse(TARGET, text.encode()).hits == ()


def bundled_error_params() -> list[object]:
    params: list[object] = []
    for case, kind in sorted(BUNDLED_KINDS.items()):
        if kind == "error":
            marks = []
            if case in LIBYAML_ACCEPTS_ERRORS:
                reason = LIBYAML_ACCEPTS_ERRORS[case]
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            params.append(pytest.param(case, id=case, marks=marks))
    return params


@pytest.mark.parametrize("case", bundled_error_params())
def test_invalid_yaml_is_reported_by_the_parser(case: str) -> None:
    hits = parse(TARGET, (BUNDLED_SUITE / f"{case}.yaml").read_bytes()).hits
    assert hits, f"{case} is invalid YAML but parse() found nothing wrong"


# --- the real CLI, in parallel subprocesses ---------------------------------------------------


@dataclass(frozen=True)
class CliCase:
    """A register to lint with `python -m riskctl lint`, and what must come out of it."""

    setup: Callable[[Path], object]
    output_format: str
    exit_code: int


def hostile_copy(name: str) -> Callable[[Path], object]:
    return lambda register: shutil.copyfile(HOSTILE / name, register / TARGET)


def hostile_bytes(make: Callable[[Path], bytes]) -> Callable[[Path], object]:
    return lambda register: (register / TARGET).write_bytes(make(register))


def hostile_configuration(register: Path) -> None:
    shutil.copyfile(HOSTILE / "alias-bomb.yaml", register / "riskctl.yaml")


CLI_CASES: dict[str, CliCase] = {
    "alias-bomb": CliCase(hostile_copy("alias-bomb.yaml"), "json", 1),
    "deep-flow-100000-levels": CliCase(
        hostile_bytes(lambda _: b"id: R-999\ntitle: " + b"[" * 100_000 + b"]" * 100_000), "json", 1
    ),
    "python-tag": CliCase(
        hostile_bytes(lambda register: python_tag_with_marker(register.parent / "pwned")),
        "json",
        1,
    ),
    "binary": CliCase(hostile_copy("binary.yaml"), "github", 1),
    "latin1": CliCase(hostile_copy("latin1.yaml"), "sarif", 1),
    "ten-megabyte-scalar": CliCase(hostile_bytes(lambda _: ten_megabyte_scalar()), "text", 1),
    "crlf": CliCase(hostile_copy("crlf.yaml"), "json", 0),
    "hostile-configuration": CliCase(hostile_configuration, "text", 3),
}


def run_cli(folder: Path, output_format: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"}
    command = [sys.executable, "-m", "riskctl", "lint", LABEL, "--format", output_format]
    return subprocess.run(
        [*command, "--now", NOW_TEXT],
        cwd=folder,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
        env={**environment, "NO_COLOR": "1"},
        check=False,
    )


@dataclass(frozen=True)
class CliRuns:
    """The CLI cases' outcomes: case name -> (its folder, the finished process)."""

    runs: dict[str, tuple[Path, subprocess.CompletedProcess[str]]]
    pwned_before: bool


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> CliRuns:
    """Every CLI case, run at once: each in its own folder holding `register/`."""
    pwned_before = PWNED.exists()
    folders = {}
    for name, case in CLI_CASES.items():
        folder = tmp_path_factory.mktemp(name)
        case.setup(write_register(folder / LABEL))
        folders[name] = folder
    with ThreadPoolExecutor(max_workers=len(CLI_CASES)) as pool:
        futures = {
            name: pool.submit(run_cli, folders[name], case.output_format)
            for name, case in CLI_CASES.items()
        }
        runs = {name: (folders[name], future.result()) for name, future in futures.items()}
    return CliRuns(runs, pwned_before)


@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_cli_on_hostile_input(name: str, cli_runs: CliRuns) -> None:
    case = CLI_CASES[name]
    folder, completed = cli_runs.runs[name]
    assert "Traceback" not in completed.stderr
    assert completed.returncode == case.exit_code, completed.stderr
    shown = f"{LABEL}/{TARGET}"
    if case.exit_code == 3:
        assert completed.stderr.startswith("riskctl: error: invalid configuration:")
        assert f"{LABEL}/riskctl.yaml:" in completed.stderr
        return
    assert completed.stderr == ""
    if case.output_format == "json":
        findings = json.loads(completed.stdout)["findings"]
        if case.exit_code == 0:
            assert findings == []
        else:
            assert findings
            for finding in findings:
                assert finding["file"] == shown
                assert finding["line"] >= 1
                assert finding["col"] >= 1
            assert {finding["code"] for finding in findings} & LOADER_CODES
    elif case.output_format == "text":
        assert completed.stdout.startswith(f"{shown}:")
    elif case.output_format == "github":
        assert completed.stdout.startswith(f"::error file={shown},line=")
    else:
        results = json.loads(completed.stdout)["runs"][0]["results"]
        assert results
        assert {result["ruleId"] for result in results} <= LOADER_CODES
    assert not (folder / "pwned").exists()
    assert cli_runs.pwned_before or not PWNED.exists()


# --- the YAML test suite in ../shared/corpus --------------------------------------------------


@pytest.fixture(scope="module")
def shared_suite() -> dict[str, tuple[str, bytes]]:
    """Every case of the shared YAML test suite: id -> (kind, bytes)."""
    if not (SHARED_SUITE / "index.txt").is_file():
        pytest.skip(NO_SHARED_SUITE)
    return {
        case: (kind, (SHARED_SUITE / "cases" / f"{case}.yaml").read_bytes())
        for case, kind in read_index(SHARED_SUITE).items()
    }


@pytest.fixture(scope="module")
def shared_suite_register(
    shared_suite: dict[str, tuple[str, bytes]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, str]]:
    """A register holding every case as risks/R-1000.yaml, R-1001.yaml, ...: file -> case."""
    folder = tmp_path_factory.mktemp("suite")
    register = write_register(folder / LABEL)
    case_of_file = {}
    for number, (case, (_kind, raw)) in enumerate(sorted(shared_suite.items()), start=1000):
        file = f"risks/R-{number}.yaml"
        (register / file).write_bytes(raw)
        case_of_file[file] = case
    return register, case_of_file


def test_shared_suite_cases_parse_without_raising(
    shared_suite: dict[str, tuple[str, bytes]],
) -> None:
    assert len(shared_suite) >= 700
    problems = []
    for case, (kind, raw) in sorted(shared_suite.items()):
        parsed = parse(TARGET, raw)
        for hit in parsed.hits:
            line, col = hit.where.line, hit.where.col
            if hit.code not in LOADER_CODES or not (line and line >= 1 and col and col >= 1):
                problems.append(f"{case}: {hit}")
        if parsed.data is not None and not isinstance(parsed.data, dict):
            problems.append(f"{case}: data is a {type(parsed.data).__name__}")
        if kind == "error" and not parsed.hits and case not in LIBYAML_ACCEPTS_ERRORS:
            problems.append(f"{case}: invalid YAML, and parse() found nothing wrong")
    assert problems == []


def test_shared_suite_invalid_cases_libyaml_accepts_are_exactly_the_listed_ones(
    shared_suite: dict[str, tuple[str, bytes]],
) -> None:
    silent = {
        case
        for case, (kind, raw) in shared_suite.items()
        if kind == "error" and not parse(TARGET, raw).hits
    }
    assert silent == set(LIBYAML_ACCEPTS_ERRORS)


def test_shared_suite_lints_as_one_register(
    shared_suite: dict[str, tuple[str, bytes]],
    shared_suite_register: tuple[Path, dict[str, str]],
) -> None:
    register, case_of_file = shared_suite_register
    sources = read_directory(register)
    result = lint(sources, today=NOW)
    by_file: dict[str, list[Finding]] = {}
    for finding in result.findings:
        assert finding.line >= 1, finding
        assert finding.col >= 1, finding
        by_file.setdefault(finding.file.removeprefix(f"{sources.label}/"), []).append(finding)
    assert set(by_file) <= {*case_of_file, *BASE_FILES}
    problems = []
    for file, case in case_of_file.items():
        kind = shared_suite[case][0]
        own = by_file.get(file, [])
        has_loader_error = any(f.code in LOADER_CODES and f.severity is Severity.ERROR for f in own)
        if (own or kind == "error") and not has_loader_error:
            problems.append(f"{case} ({kind}) as {file}: {own}")
    assert problems == []


def test_shared_suite_byte_order_mark_and_crlf_change_nothing(
    shared_suite: dict[str, tuple[str, bytes]],
) -> None:
    problems = []
    for case, (_kind, raw) in sorted(shared_suite.items()):
        plain = lint_bytes(raw).findings
        if lint_bytes(BOM + raw).findings != plain:
            problems.append(f"{case}: a byte-order mark changes the findings")
        if b"\r" not in raw and lint_bytes(raw.replace(b"\n", b"\r\n")).findings != plain:
            problems.append(f"{case}: CRLF line endings change the findings")
    assert problems == []


def test_shared_suite_through_the_cli(shared_suite_register: tuple[Path, dict[str, str]]) -> None:
    register, case_of_file = shared_suite_register
    completed = run_cli(register.parent, "sarif")
    assert "Traceback" not in completed.stderr
    assert completed.returncode == 1, completed.stderr
    results = json.loads(completed.stdout)["runs"][0]["results"]
    assert len(results) >= len(case_of_file) // 2


# --- properties -------------------------------------------------------------------------------

#: Pieces of YAML syntax, glued at random: more parser paths than `st.text()` finds alone.
YAML_PIECES = [
    *"-?:,[]{}#&*!|>'\"%@` \n\t\r.~0123456789abcxyz",
    *("\ufeff", "\x85", "\u2028", "\x07", "\xe9", "---", "...", "!!int", "!!python/object:x"),
    *("&a", "*a", "<<", "\\u", "\\x", "%YAML 1.2", "%TAG ! tag:x,2000:", ": ", "- ", "? "),
]
YAMLISH = st.lists(st.sampled_from(YAML_PIECES), max_size=80).map("".join)


def check_parsed(raw: bytes) -> None:
    parsed = parse(TARGET, raw)
    assert parsed.data is None or isinstance(parsed.data, dict)
    for hit in parsed.hits:
        assert hit.code in LOADER_CODES
        assert hit.where.line is not None and hit.where.line >= 1
        assert hit.where.col is not None and hit.where.col >= 1


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_never_raises_on_any_text(text: str) -> None:
    check_parsed(text.encode("utf-8", errors="surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_parse_never_raises_on_any_bytes(raw: bytes) -> None:
    check_parsed(raw)


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_parse_never_raises_on_yaml_punctuation(text: str) -> None:
    check_parsed(text.encode("utf-8"))


# --- resource bombs: alias expansion by size, 50,000 keys, huge numerals ----------------------

MEGABYTE = 1_000_000


def alias_list(anchor_size: int, aliases: int) -> bytes:
    """A risk whose `notes` list repeats an anchored scalar of `anchor_size` characters."""
    anchor = b"process: &big " + b"x" * anchor_size + b"\n"
    return VALID_RISK + anchor + b"notes: [" + b", ".join([b"*big"] * aliases) + b"]\n"


def alias_values(anchor_size: int, aliases: int) -> bytes:
    """A risk with one key per alias, each the anchored scalar again (line 7 on: the aliases)."""
    anchor = b"process: &big " + b"x" * anchor_size + b"\n"
    return VALID_RISK + anchor + b"".join(b"k%d: *big\n" % index for index in range(aliases))


def alias_keys(anchor_size: int, aliases: int) -> bytes:
    """The anchored scalar used again as keys: each a duplicate key, each quoted in a message."""
    anchor = b"process: &big " + b"x" * anchor_size + b"\n"
    return VALID_RISK + anchor + b"".join(b"*big : %d\n" % index for index in range(aliases))


def nested_aliases(anchor_size: int) -> bytes:
    """Each alias under the size limit; a list that repeats the list of them passes it."""
    anchor = b"process: &big " + b"x" * anchor_size + b"\n"
    return VALID_RISK + anchor + b"notes: &pair [*big, *big]\ntags: [*pair, *pair]\n"


ALIAS_NOTES_COLUMN = len("notes: [") + 1  # the first alias; each next one is 6 columns on
#: (name, file, (line, col) of the alias that passes the limit).
ALIAS_SIZE_BOMBS: list[tuple[str, bytes, tuple[int, int]]] = [
    ("1MB-anchor-50000-aliases-in-a-list", alias_list(MEGABYTE, 50_000), (7, 9 + 6)),
    ("1MB-anchor-50000-aliases-as-values", alias_values(MEGABYTE, 50_000), (8, 5)),
    ("1MB-anchor-50000-aliases-as-keys", alias_keys(MEGABYTE, 50_000), (8, 1)),
    ("100kB-anchor-50000-aliases", alias_list(100_000, 50_000), (7, 9 + 6 * 10)),
    ("400kB-anchor-aliases-in-an-alias", nested_aliases(400_000), (8, len("tags: [") + 1)),
]


@pytest.mark.parametrize(
    ("raw", "position"),
    [pytest.param(raw, position, id=name) for name, raw, position in ALIAS_SIZE_BOMBS],
)
def test_alias_expansion_is_bounded_by_size_at_the_alias(
    raw: bytes, position: tuple[int, int]
) -> None:
    started = time.process_time()
    own = check_findings_or_clean(lint_bytes(raw), must_find=True)
    assert time.process_time() - started < 10
    assert placed(own) == {("RK004", *position)}, own
    assert "1,000,000 characters" in own[0].message


def test_aliases_under_the_size_limit_still_load() -> None:
    parsed = parse(TARGET, alias_list(1_000, 999))
    assert parsed.hits == ()
    assert parsed.data["notes"] == ["x" * 1_000] * 999


def test_alias_bomb_is_placed_at_the_alias_that_passes_the_node_limit() -> None:
    own = check_findings_or_clean(
        lint_bytes((HOSTILE / "alias-bomb.yaml").read_bytes()), must_find=True
    )
    # Nodes re-expanded: b 9 x 10 = 90, c 9 x 91 = 819, d 9 x 820 = 7,380, e 9 x 7,381 =
    # 66,429 (74,718 in all); the first `*e` adds 66,430 and passes 100,000: line 7, column 8.
    assert placed(own) == {("RK004", 7, 8)}
    assert "100,000 nodes" in own[0].message


def lint_seconds(raw: bytes, runs: int = 1) -> tuple[float, LintResult]:
    """CPU seconds (the best of `runs`: the machine is shared) to lint the register with `raw`."""
    sources = Sources(label=LABEL, files={**BASE_FILES, TARGET: raw})
    timings = []
    for _ in range(runs):
        started = time.process_time()
        result = lint(sources, today=NOW)
        timings.append(time.process_time() - started)
    return min(timings), result


def unknown_keys(count: int) -> bytes:
    return VALID_RISK + b"".join(b"zz%d: 1\n" % index for index in range(count))


def test_fifty_thousand_unknown_keys_lint_in_linear_time() -> None:
    """Each finding is located in constant time: 5x the keys is about 5x the time, not 25x
    (before, `Locator` scanned the mapping per finding: 10k keys 4 s, 50k keys 106 s)."""
    small, _ = lint_seconds(unknown_keys(10_000), runs=2)
    large, result = lint_seconds(unknown_keys(50_000))
    assert [(f.file, f.code, f.line, f.col) for f in result.findings] == [
        (f"{LABEL}/{TARGET}", "RK005", line, 1) for line in range(6, 6 + 50_000)
    ]
    assert large < 60, f"50,000 unknown keys took {large:.1f} s"
    assert large / small < 12, f"10k keys {small:.2f} s, 50k keys {large:.2f} s"


@pytest.mark.parametrize(
    ("raw", "code", "count"),
    [
        pytest.param(VALID_RISK + b"title: again\n" * 50_000, "RK002", 50_000, id="duplicate"),
        pytest.param(
            VALID_RISK + b"controls:\n" + b"  - [C-001]\n" * 50_000, "RK007", 50_000, id="list"
        ),
    ],
)
def test_fifty_thousand_findings_in_one_file_within_a_bound(
    raw: bytes, code: str, count: int
) -> None:
    seconds, result = lint_seconds(raw)
    assert [(f.file, f.code) for f in result.findings] == [(f"{LABEL}/{TARGET}", code)] * count
    first = 7 if code == "RK007" else 6  # the list's items start under `controls:`
    assert [f.line for f in result.findings] == list(range(first, first + count))
    assert seconds < 30, f"{count:,} findings took {seconds:.1f} s"


HUGE_HEX = "0x" + "f" * 1_000_000
#: (name, YAML value, column of the value on its line): every one "number too large".
HUGE_NUMERALS: list[tuple[str, str]] = [
    ("decimal-5000-digits", "1" * 5_000),
    ("decimal-4301-digits", "9" * 4_301),
    ("negative-decimal-5000-digits", "-" + "1" * 5_000),
    ("hex-million-digits", HUGE_HEX),
    ("octal-million-digits", "0o" + "7" * 1_000_000),
    ("two-to-the-63", str(2**63)),
    ("minus-two-to-the-63", str(-(2**63))),
    ("hex-65-bits", "0x1" + "0" * 16),
    ("float-1e999", "1e999"),
    ("float-minus-1e999", "-1e999"),
    ("float-2e308", "2e308"),
    ("explicit-int-tag", "!!int " + "1" * 5_000),
    ("explicit-float-tag", "!!float 1e400"),
]


def huge_numeral_files(value: str) -> dict[str, tuple[bytes, int, int]]:
    """The numeral in four places of a risk: place -> (bytes, line, col) of the scalar."""
    tag = 0  # a tagged scalar starts at its tag
    inherent = VALID_RISK.replace(
        b"inherent: {likelihood: 3, impact: 4}\n",
        b"inherent: {likelihood: " + value.encode() + b", impact: 4}\n",
    )
    return {
        "schema-integer": (inherent, 5, len("inherent: {likelihood: ") + 1 + tag),
        "unknown-key": (VALID_RISK + b"notes: " + value.encode() + b"\n", 6, 8 + tag),
        "in-a-list": (VALID_RISK + b"tags: [1, " + value.encode() + b"]\n", 6, 11 + tag),
        # an explicit key: libyaml takes at most 1,024 characters as an implicit one
        "as-a-key": (VALID_RISK + b"? " + value.encode() + b"\n: x\n", 6, 3 + tag),
    }


@pytest.mark.parametrize(
    ("value", "place"),
    [
        pytest.param(value, place, id=f"{name}-{place}")
        for name, value in HUGE_NUMERALS
        for place in ("schema-integer", "unknown-key", "in-a-list", "as-a-key")
    ],
)
def test_huge_numeral_is_a_finding_at_the_scalar(value: str, place: str) -> None:
    raw, line, col = huge_numeral_files(value)[place]
    started = time.monotonic()
    own = check_findings_or_clean(lint_bytes(raw), must_find=True)
    assert time.monotonic() - started < 10
    too_large = [f for f in own if f.message.startswith("number too large: ")]
    assert [(f.code, f.line, f.col) for f in too_large] == [("RK004", line, col)], own
    assert all(len(f.message) < 200 for f in own), own


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775807", -(2**63) + 1),
        ("0x7fffffffffffffff", 2**63 - 1),
        ("0o777777777777777777777", 2**63 - 1),
        ("000000000000000000000000000000042", 42),
        ("1.7e308", 1.7e308),
        ("-1e-999", -0.0),
    ],
)
def test_numbers_within_the_bound_are_no_finding(text: str, number: float) -> None:
    parsed = parse(TARGET, f"notes: {text}\n".encode())
    assert parsed.hits == ()
    assert parsed.data == {"notes": number}
    assert type(parsed.data["notes"]) is type(number)


@pytest.mark.parametrize(
    "value", ["!!int 1_000", "!!float infinity", "!!float 1_0", "!!int 0x", "!!int -0x1f"]
)
def test_what_python_reads_as_a_number_but_yaml_does_not_is_a_finding(value: str) -> None:
    parsed = parse(TARGET, f"notes: {value}\n".encode())
    assert [(hit.code, hit.where.line, hit.where.col) for hit in parsed.hits] == [("RK004", 1, 8)]
    assert "is not a valid" in parsed.hits[0].message


def test_huge_numeral_in_the_configuration_is_an_operational_error() -> None:
    configuration = BASE_FILES["riskctl.yaml"] + b"version_extra: " + HUGE_HEX.encode() + b"\n"
    with pytest.raises(RiskctlError, match=r"riskctl\.yaml:5:16: number too large: "):
        lint(Sources(label=LABEL, files={**BASE_FILES, "riskctl.yaml": configuration}), today=NOW)


# --- every command that reads the register, on resource bombs and huge numerals ---------------

#: Runs riskctl in a child whose address space is capped: exhausting memory fails the run
#: (MemoryError, exit 4) instead of the machine.
MEMORY_CAPPED = (
    "import resource, runpy, sys; "
    "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
    "sys.argv = ['riskctl', *sys.argv[1:]]; "
    "runpy.run_module('riskctl', run_name='__main__', alter_sys=True)"
)
COMMANDS: dict[str, tuple[str, ...]] = {
    "lint": ("lint",),
    "score": ("score",),
    "kri": ("kri", "status"),
    "due": ("due",),
    "wbr": ("report", "wbr"),
    "diff": ("diff", "HEAD"),
}
HUGE_KRI = (
    b"id: KRI-999\ntitle: Chargeback rate\nowner: payments-risk\nrisks: [R-001]\nunit: bps\n"
    b"direction: higher-is-worse\nfrequency: weekly\n"
    b"thresholds: {amber: " + HUGE_HEX.encode() + b", red: 60}\n"
    b"observations:\n  - {date: 2026-11-23, value: 1e999}\n"
)
HUGE_RISK = VALID_RISK.replace(b"likelihood: 3", b"likelihood: " + b"9" * 5_000)
#: name -> (hostile files, lint's exact (file, code, line, col) findings).
COMMAND_CASES: dict[str, tuple[dict[str, bytes], set[tuple[str, str, int, int]]]] = {
    "alias-size-bomb": (
        {TARGET: alias_list(MEGABYTE, 50_000)},
        {(TARGET, "RK004", 7, ALIAS_NOTES_COLUMN + 6)},
    ),
    "huge-numerals": (
        {TARGET: HUGE_RISK, "kris/KRI-999.yaml": HUGE_KRI},
        {
            # reported once, by the loader: the model does not report the numeral's text again
            (TARGET, "RK004", 5, len("inherent: {likelihood: ") + 1),
            ("kris/KRI-999.yaml", "RK004", 8, len("thresholds: {amber: ") + 1),
            ("kris/KRI-999.yaml", "RK004", 10, len("  - {date: 2026-11-23, value: ") + 1),
        },
    ),
}


def run_capped(folder: Path, command: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"}
    return subprocess.run(
        [sys.executable, "-c", MEMORY_CAPPED, *command, LABEL, "--now", NOW_TEXT],
        cwd=folder,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
        env={**environment, "NO_COLOR": "1"},
        check=False,
    )


def register_bytes(register: Path) -> dict[str, bytes]:
    return {
        path.relative_to(register).as_posix(): path.read_bytes()
        for path in sorted(register.rglob("*"))
        if path.is_file()
    }


@dataclass(frozen=True)
class CommandRun:
    """One command on one hostile register: its outcome, seconds taken, and the files after."""

    completed: subprocess.CompletedProcess[str]
    seconds: float
    before: dict[str, bytes]
    after: dict[str, bytes]


@pytest.fixture(scope="module")
def command_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], CommandRun]:
    """Every command on every case, in parallel: each case a git repository whose HEAD holds
    the clean register and whose working tree adds the hostile files (what `diff` compares)."""
    folders = {}
    for name, (files, _expected) in COMMAND_CASES.items():
        repository = GitRepo(tmp_path_factory.mktemp(name))
        write_register(repository.root / LABEL)
        repository.commit("a clean register", day=1)
        for relative, raw in files.items():
            (repository.root / LABEL / relative).write_bytes(raw)
        folders[name] = repository.root

    def run(name: str, command: str) -> CommandRun:
        register = folders[name] / LABEL
        before = register_bytes(register)
        started = time.monotonic()
        completed = run_capped(folders[name], COMMANDS[command])
        seconds = time.monotonic() - started
        return CommandRun(completed, seconds, before, register_bytes(register))

    pairs = [(name, command) for name in COMMAND_CASES for command in COMMANDS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda pair: run(*pair), pairs))
    return dict(zip(pairs, outcomes, strict=True))


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(COMMAND_CASES))
def test_every_command_on_resource_bombs_and_huge_numerals(
    case: str, command: str, command_runs: dict[tuple[str, str], CommandRun]
) -> None:
    """No exit 4, no traceback, bounded time and memory, nothing written; lint names each
    problem exactly, and the other commands compute without the broken files or refuse (exit 3:
    the lead's `--partial` refusal)."""
    outcome = command_runs[(case, command)]
    completed = outcome.completed
    assert "Traceback" not in completed.stderr + completed.stdout
    assert completed.returncode != 4, completed.stderr
    assert outcome.seconds < 60
    assert outcome.after == outcome.before
    if command == "lint":
        assert completed.returncode == 1, completed.stderr
        found = set()
        for line in completed.stdout.splitlines()[:-1]:
            location, _, rest = line.partition(": ")
            file, line_number, col = location.rsplit(":", 2)
            found.add((file.removeprefix(f"{LABEL}/"), rest.split()[1], int(line_number), int(col)))
        assert found == COMMAND_CASES[case][1]
    elif completed.returncode == 3:
        assert completed.stderr.startswith("riskctl: error: "), completed.stderr
    else:
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.strip(), completed.stderr


@pytest.mark.parametrize(
    "value", ["-0x" + "f" * 1_000_000, "+0o" + "7" * 5_000, "0b" + "1" * 5_000]
)
def test_signed_hex_and_binary_numerals_are_text_by_the_core_schema(value: str) -> None:
    """YAML 1.2's core schema has no sign on 0x/0o and no 0b: these are strings, so a number
    field reports a wrong type (RK007) at the value, and nothing tries to convert them."""
    raw, line, col = huge_numeral_files(value)["schema-integer"]
    started = time.monotonic()
    own = check_findings_or_clean(lint_bytes(raw), must_find=True)
    assert time.monotonic() - started < 10
    assert placed(own) == {("RK007", line, col)}
    assert "input should be a valid integer" in own[0].message
    assert parse(TARGET, f"notes: {value}\n".encode()).data == {"notes": value}
