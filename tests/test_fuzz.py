"""A property test over mutated register files: the shipped register as seeds.

Each example takes `register/`, applies one to four mutations to its entity files (byte flips,
truncation, line deletion and duplication, key renames, values swapped between files, a value's
type changed, a hostile scalar inserted, a file copied under another name) and runs the library
as the commands do: lint, load, score. Nothing may raise but `RiskctlError`, and lint and the
loaded register must agree on which files loaded:

- a file with a loader error (RK001-RK004, RK006-RK008) is not among the register's entities,
  so nothing computes on it (the commands refuse, or go on with `--partial`, from that set);
- every other entity file is, including one whose only problem is an unknown key (RK005);
- every risk that `score_register` scores comes from a loaded file.

In the default suite it runs a few seconds; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) runs thousands
of examples.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskctl.errors import RiskctlError
from riskctl.findings import Finding, Severity
from riskctl.lint.engine import lint
from riskctl.load import Sources, load, read_directory
from riskctl.model.register import CONFIG_FILE
from riskctl.score.residual import score_register

REGISTER = Path(__file__).resolve().parents[1] / "register"
NOW = datetime.date(2026, 11, 27)
LABEL = "register"
#: Loader errors that mean "this file did not load"; RK005 (only unknown keys) keeps the entity,
#: and RK009 (a file where no entity belongs) is not an entity file at all.
NOT_LOADED_CODES = frozenset({"RK001", "RK002", "RK003", "RK004", "RK006", "RK007", "RK008"})

settings.register_profile(
    "fuzz-default",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: `make fuzz` sets HYPOTHESIS_PROFILE=fuzz; the default suite stays short.
PROFILE = settings.get_profile(
    "fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "fuzz-default"
)

SEED = read_directory(REGISTER)
ENTITY_FILES = sorted(file for file in SEED.files if file != CONFIG_FILE)

#: Keys to rename to: fields of the models (so a key can move where it does not belong), near
#: misses, and keys YAML reads as other types.
KEYS = [
    *("id", "title", "owner", "category", "controls", "risks", "kris", "inherent", "target"),
    *("residual", "status", "effectiveness", "tests", "observations", "thresholds", "waivers"),
    *("expires", "approver", "treatment", "reviewed", "escalation", "actions", "whys", "date"),
    *("titel", "Owner", "1", "true", "null", "~", "'id'", "? x", "<<", "id id"),
]
#: Values a mutation may put where another value was.
TYPE_CHANGES = [
    "[]",
    "{}",
    "1",
    "-1",
    "0",
    "true",
    "null",
    "[1, 2]",
    "{a: 1}",
    '"text"',
    "2026-02-30",
]
HOSTILE_SCALARS = [
    *("0x" + "f" * 200, "9" * 5_000, "1e999", "-1e999", ".nan", ".inf", "-.inf", "1e308"),
    *("!!python/object/apply:os.system [x]", "!custom x", "!!binary aGk=", "*undefined"),
    *("&a [*a]", "&a x", "9999-12-31", "0001-01-01", "100000000", "-100000000", "2**63"),
    *("'unterminated", '"unterminated', "{", "[", "]", "}", "|", ">", "|-# glued", '"a"# glued'),
    *("\x00", "\x1b[31mred\x1b[0m", "\u202egnp.exe", "\ufeff", "\x85", "\u2028", "\t", ""),
    *("x" * 5_000, "R-001", "C-999", "KRI-001", "payments-risk", "[R-001, R-001]", "- x"),
]


@dataclass(frozen=True)
class Mutation:
    """One change to one file, described for hypothesis's report of a failing example."""

    kind: str
    file: str
    detail: str


MUTATIONS = [
    *("flip", "truncate", "delete-line", "duplicate-line", "rename-key", "swap-value"),
    *("change-type", "hostile-scalar", "copy-file"),
]
KEY_LINE = re.compile(rb"^(\s*(?:- )?)([^\s#:][^:#\n]*?):(?=\s|$)", re.MULTILINE)
VALUE_LINE = re.compile(rb"^(\s*(?:- )?[^\s#:][^:#\n]*?: )(\S.*)$", re.MULTILINE)


def with_key(line: bytes, key: bytes) -> bytes:
    """`line` with its key (if it has one) renamed to `key`."""
    return KEY_LINE.sub(lambda match: match[1] + key + b":", line)


def with_value(line: bytes, value: bytes) -> bytes:
    """`line` with its value (if it is `key: value`) replaced by `value`."""
    return VALUE_LINE.sub(lambda match: match[1] + value, line)


@st.composite
def mutated_sources(draw: st.DrawFn) -> tuple[Sources, list[Mutation]]:
    """The shipped register with one to four random mutations of its entity files."""
    files = dict(SEED.files)
    mutations = []
    for _ in range(draw(st.integers(1, 4))):
        file = draw(st.sampled_from(ENTITY_FILES))
        raw = files.get(file, b"")
        kind = draw(st.sampled_from(MUTATIONS))
        lines = raw.split(b"\n")
        line = draw(st.integers(0, max(len(lines) - 1, 0)))
        detail = f"line {line + 1}"
        if kind == "flip":
            position = draw(st.integers(0, max(len(raw) - 1, 0)))
            byte = draw(st.integers(0, 255))
            raw = raw[:position] + bytes([byte]) + raw[position + 1 :]
            detail = f"byte {position} -> {byte:#04x}"
        elif kind == "truncate":
            position = draw(st.integers(0, len(raw)))
            raw = raw[:position]
            detail = f"at byte {position}"
        elif kind == "delete-line":
            raw = b"\n".join(lines[:line] + lines[line + 1 :])
        elif kind == "duplicate-line":
            raw = b"\n".join(lines[: line + 1] + lines[line:])
        elif kind == "rename-key":
            key = draw(st.sampled_from(KEYS))
            lines[line] = with_key(lines[line], key.encode())
            raw = b"\n".join(lines)
            detail += f" key -> {key!r}"
        elif kind == "swap-value":
            other = draw(st.sampled_from(ENTITY_FILES))
            values = VALUE_LINE.findall(files.get(other, b""))
            if values:
                value = draw(st.sampled_from(values))[1]
                lines[line] = with_value(lines[line], value)
                raw = b"\n".join(lines)
                detail += f" value from {other}: {value[:40]!r}"
        elif kind in ("change-type", "hostile-scalar"):
            value = draw(
                st.sampled_from(TYPE_CHANGES if kind == "change-type" else HOSTILE_SCALARS)
            )
            lines[line] = with_value(lines[line], value.encode("utf-8"))
            raw = b"\n".join(lines)
            detail += f" value -> {value[:40]!r}"
        else:  # copy-file: the same entity twice, under a name that is not its id
            folder, _, name = file.rpartition("/")
            copy = f"{folder}/{draw(st.sampled_from(['X-001', name[:-5] + '0', 'copy']))}.yaml"
            files[copy] = raw
            detail = f"copied to {copy}"
        files[file] = raw if kind != "copy-file" else files[file]
        mutations.append(Mutation(kind, file, detail))
    return Sources(label=LABEL, files=files), mutations


def relative(finding: Finding) -> str:
    return finding.file.removeprefix(f"{LABEL}/")


def check_register(sources: Sources) -> None:
    """Lint, load and score `sources` as the commands do, and check that they agree."""
    try:
        result = lint(sources, today=NOW)
    except RiskctlError:  # an operational problem: exit 3 with a message, never a crash
        return
    loaded = load(sources)
    card = score_register(loaded.register)
    for finding in result.findings:
        assert finding.line >= 1, finding
        assert finding.col >= 1, finding
    not_loaded = {
        relative(finding)
        for finding in result.findings
        if finding.code in NOT_LOADED_CODES and finding.severity is Severity.ERROR
    }
    entity_files = {record.file for record in loaded.register.records}
    for file in loaded.register.files:
        if file in not_loaded:
            assert file not in entity_files, f"{file} has a loader error but is an entity"
        else:
            assert file in entity_files, f"{file} has no loader error but is not an entity"
    assert entity_files <= set(loaded.register.files)
    # What score, kri, diff and the reports refuse without --partial (`Loaded.failed`) is
    # exactly the entity files lint reports as not loaded, so the two always agree.
    assert {file for file in loaded.failed if file in loaded.register.files} == {
        file for file in loaded.register.files if file in not_loaded
    }
    assert not loaded.failed or result.findings, "a file did not load but lint is clean"
    loaded_risks = {id(record.entity) for record in loaded.register.records}
    for scored in card.risks:
        assert id(scored.risk) in loaded_risks, f"{scored.risk.id} scored from no loaded file"


def test_the_shipped_register_loads_every_file() -> None:
    """The seed itself: every entity file loads, and lint has no loader finding."""
    check_register(SEED)
    loaded = load(SEED)
    assert {record.file for record in loaded.register.records} == set(ENTITY_FILES)


@settings(PROFILE)
@given(mutated_sources())
def test_mutated_register_never_crashes_and_lint_agrees_on_what_loaded(
    mutated: tuple[Sources, list[Mutation]],
) -> None:
    sources, _mutations = mutated
    check_register(sources)
