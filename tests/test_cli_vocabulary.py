"""One vocabulary on the command line: the README's table of shared options is what every command
does, and a value that is wrong on its own is a usage error (exit 2), never exit 3 or 4.

The table is read from README.md ("### Shared options"), so the documentation and the commands
cannot drift apart: a command that uses a shared name for another kind of value, or that has a
shared option the table does not list for it, fails here.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import FROZEN_NOW, ROOT

runner = CliRunner()
CODE_SPAN = re.compile(r"`([^`]+)`")


def commands() -> dict[str, Any]:
    """Every leaf command of the app by its full name (`kri status`), walking every group."""
    found: dict[str, Any] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))
        else:
            found[" ".join(path)] = command

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = commands()


@dataclass(frozen=True)
class Row:
    names: tuple[str, ...]
    value: str
    commands: frozenset[str]


def shared_options() -> list[Row]:
    """The rows of the README's "Shared options" table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Shared options\n", 1)[1]
    lines = [line for line in section.splitlines() if line.startswith("| `")]
    rows = []
    for line in lines:
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) != 4:
            break
        names = tuple(CODE_SPAN.findall(cells[0]))
        value = CODE_SPAN.findall(cells[1])[0].replace("\\|", "|")
        listed: set[str] = set()
        for name in CODE_SPAN.findall(cells[3]):
            if name.endswith(" *"):
                group = name.removesuffix(" *")
                listed |= {each for each in COMMANDS if each.startswith(f"{group} ")}
            else:
                listed.add(name)
        rows.append(Row(names, value, frozenset(listed)))
    return rows


ROWS = shared_options()


def parameters() -> Iterator[tuple[str, Any]]:
    for name, command in sorted(COMMANDS.items()):
        for parameter in command.params:
            yield name, parameter


def _names(parameter: Any) -> tuple[str, ...]:
    if parameter.param_type_name == "argument":
        return (parameter.metavar.strip("[]"),) if parameter.metavar else ()
    return tuple(parameter.opts)


def _value_kind(parameter: Any) -> str:
    """The metavar, or `a|b|c` for a choice (an enum), as the table's value column writes it."""
    if getattr(parameter, "is_flag", False):
        return "flag"
    annotation = parameter.type_descriptor.annotation
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "|".join(member.value for member in annotation)
    return str(parameter.metavar)


def test_the_readme_table_was_found_and_lists_real_commands() -> None:
    assert [row.names[0] for row in ROWS] == [
        "PATH", "--now", "--rev", "--since", "--base", "--format", "--format", "--format",
        "--color", "--out", "--out",
        "--templates", "--owner", "--category", "--partial", "--no-cache",
    ]  # fmt: skip
    for row in ROWS:
        assert row.commands, row
        assert row.commands <= set(COMMANDS), row.commands - set(COMMANDS)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.names[0]}={row.value}")
def test_each_shared_option_has_its_value_kind_where_the_table_says(row: Row) -> None:
    """Every command the row names has the option, with the row's value kind."""
    for command in sorted(row.commands):
        matches = [p for p in COMMANDS[command].params if _names(p)[:1] == row.names[:1]]
        assert matches, f"`riskctl {command}` has no {row.names[0]}"
        parameter = matches[0]
        assert _names(parameter) == row.names, (command, _names(parameter))
        kind = _value_kind(parameter)
        if row.value.endswith("|…"):  # one of the command's own choices, including these
            assert set(row.value.removesuffix("|…").split("|")) <= set(kind.split("|")), command
        else:
            assert kind == row.value, f"`riskctl {command} {row.names[0]}` takes {kind}"


def test_no_command_uses_a_shared_name_for_another_kind_of_value() -> None:
    """Wherever a shared name appears, some row of the table lists that command and kind."""
    by_name: dict[str, list[Row]] = {}
    for row in ROWS:
        by_name.setdefault(row.names[0], []).append(row)
    for command, parameter in parameters():
        names = _names(parameter)
        if not names or names[0] not in by_name:
            continue
        owners = [row for row in by_name[names[0]] if command in row.commands]
        assert owners, f"`riskctl {command}` has {names[0]}, which the table does not list for it"


#: Commands whose --format names a file format (a spreadsheet for people to edit, a report's
#: document: the table's own rows), not a terminal output: they have no `text`.
FILE_FORMATS = {
    command for row in ROWS if row.names[0] == "--format" and "text" not in row.value.split("|")
    for command in row.commands
}  # fmt: skip


def test_the_human_format_is_text_everywhere() -> None:
    reports = {c for c in COMMANDS if c.startswith("report ") and c != "report site"}
    assert {"rcm export", *reports} == FILE_FORMATS
    for command, parameter in parameters():
        if "--format" in parameter.opts and command not in FILE_FORMATS:
            choices = _value_kind(parameter).split("|")
            assert "text" in choices, command
            assert "table" not in choices, command
            default = parameter.default
            assert getattr(default, "value", default) in ("text", "auto"), command


def test_every_option_taking_a_value_names_it() -> None:
    """No option shows typer's generic TEXT: each says what it takes (or lists its choices)."""
    for command, parameter in parameters():
        if parameter.param_type_name != "option" or parameter.is_flag:
            continue
        annotation = parameter.type_descriptor.annotation
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            continue
        assert parameter.metavar, f"`riskctl {command} {parameter.opts[0]}` has no metavar"


# --- usage errors: exit 2, never 3 ---------------------------------------------------------

USAGE_ERRORS = {
    "now-not-a-date": (["score", "register", "--now", "2026-13-01"], "is not a date"),
    "since-not-a-date": (["incidents", "register", "--since", "HEAD~1"], "is not a date"),
    # forms fromisoformat takes that are not YYYY-MM-DD: another day than meant, silently
    "now-basic-form": (["score", "register", "--now", "20260101"], "is not a date"),
    "now-week-date": (["lint", "register", "--now", "2026-W01"], "is not a date"),
    "since-week-day": (["incidents", "register", "--since", "2026-W01-3"], "is not a date"),
    "now-wide-digits": (
        ["kri", "status", "register", "--now", "\uff12\uff10\uff12\uff16-01-01"],
        "is not a date",
    ),
    "now-trailing-newline": (["diff", "--now", "2026-01-01\n"], "is not a date"),
    "format-table-is-gone": (["score", "register", "--format", "table"], "'table' is not one of"),
    "format-unknown": (["kri", "status", "register", "-f", "yaml"], "'yaml' is not one of"),
    "color-unknown": (["lint", "register", "--color", "sometimes"], "is not one of"),
    "sort-unknown": (["score", "register", "--sort", "colour"], "'colour' is not a sort field"),
    "select-unknown-prefix": (["lint", "register", "--select", "RK99"], "no rule code starts"),
    "ignore-unknown-prefix": (["lint", "register", "--ignore", "XX1"], "no rule code starts"),
    "select-one-bad-of-two": (["lint", "register", "--select", "RK0,ZZ"], "'ZZ'"),
    "fail-on-unknown-gate": (["diff", "HEAD", "HEAD", "--fail-on", "nope"], "no gate 'nope'"),
    "diff-too-many": (["diff", "v1", "feature", "main", "register"], "too many arguments"),
    # `riskctl diff "$BASE"` with BASE unset compared HEAD with the working tree: no gate fired
    "diff-empty-a": (["diff", "", "register"], "an empty revision"),
    "diff-empty-b": (["diff", "HEAD", "", "register"], "an empty revision"),
    "diff-empty-alone": (["diff", ""], "an empty revision"),
    "baseline-not-a-number": (
        ["kri", "xmr", "--csv", "x.csv", "--baseline", "six"],
        "valid integer",
    ),
    "baseline-zero": (
        ["kri", "xmr", "--csv", "x.csv", "--baseline", "0"],
        "greater than or equal to 1",
    ),
    "extra-argument": (["score", "register", "other"], "unexpected extra argument"),
    "report-since-is-gone": (["report", "wbr", "register", "--since", "HEAD"], "--since"),
    "unknown-option": (["lint", "--fast"], "No such option"),
    "explain-with-json": (
        ["score", "register", "--explain", "R-001", "-f", "json"],
        "--explain prints text; it does not combine with --format json",
    ),
    "owner-without-seed": (["premortem", "register", "--owner", "x"], "go with --seed-risks"),
    "link-without-seed": (["premortem", "register", "--link"], "go with --seed-risks"),
    "seed-without-launch": (["premortem", "register", "--seed-risks"], "needs --launch"),
    "seed-with-rev": (
        ["premortem", "register", "--seed-risks", "--launch", "LAUNCH-001", "--rev", "HEAD"],
        "it cannot read --rev",
    ),
}


@pytest.mark.parametrize(("arguments", "message"), USAGE_ERRORS.values(), ids=list(USAGE_ERRORS))
def test_a_value_wrong_on_its_own_is_a_usage_error(
    arguments: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert message in " ".join(result.stderr.split()), result.stderr
    assert "Traceback" not in result.stderr


NOT_FOUND = {
    "unknown-risk": (["score", "register", "--explain", "R-999"], "no risk 'R-999'"),
    "unknown-revision": (["lint", "register", "--rev", "no-such-rev"], "no-such-rev"),
    "unknown-base": (["report", "wbr", "register", "--base", "no-such-rev"], "no-such-rev"),
    "missing-path": (["lint", "no-such-folder"], "no-such-folder"),
    "unknown-rule": (["rules", "explain", "RK999"], "no rule 'RK999'"),
}


@pytest.mark.parametrize(("arguments", "message"), NOT_FOUND.values(), ids=list(NOT_FOUND))
def test_a_well_formed_value_not_found_is_exit_3(
    arguments: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, arguments)
    assert result.exit_code == 3, (result.exit_code, result.stderr)
    assert result.stderr.startswith("riskctl: error: ")
    assert message in result.stderr


def test_a_known_prefix_and_gate_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    lint = runner.invoke(app, ["lint", "register", "--now", FROZEN_NOW, "--select", "rk0,RK1"])
    assert lint.exit_code == 0, lint.stderr
    diff = runner.invoke(app, ["diff", "HEAD", "HEAD", "register", "--fail-on", "risk-deleted"])
    assert diff.exit_code == 0, diff.stderr


def test_the_readme_names_no_old_spelling() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--since REV" not in readme
    assert "--format table" not in readme
    for path in sorted((ROOT / "docs").glob("*.md")):
        assert "--since REV" not in path.read_text(encoding="utf-8"), path
    assert Path(ROOT / "Makefile").read_text(encoding="utf-8").count("--since") == 0
