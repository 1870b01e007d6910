"""`riskctl new` on the command line: the path alone on stdout, exit codes, nothing written on
any refusal, and the README's example as it really runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.load import load, read_directory
from tests.conftest import FROZEN_NOW, ROOT

runner = CliRunner()


def _new(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["new", *arguments, "--now", FROZEN_NOW])
    return result.exit_code, result.stdout, result.stderr


def _tree(folder: Path) -> dict[str, bytes | str]:
    return {
        path.relative_to(folder).as_posix(): (
            f"-> {path.readlink()}"
            if path.is_symlink()
            else path.read_bytes()
            if path.is_file()
            else "<dir>"
        )
        for path in sorted(folder.rglob("*"))
    }


@pytest.fixture
def register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`riskctl init register` with one owner, in the current folder."""
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert _new("owner", "payments-risk", "--set", "name=Ana")[0] == 0
    return tmp_path / "register"


def test_new_prints_the_path_alone_and_a_hint_on_stderr(register: Path) -> None:
    code, stdout, stderr = _new("control")
    assert (code, stdout) == (0, "register/controls/C-001.yaml\n")
    assert stderr == "next: replace the 2 TODOs, then riskctl lint register\n"
    assert (register / "controls" / "C-001.yaml").is_file()
    code, stdout, stderr = _new("control", "C-010", "register", "--set", "title=Second")
    assert (code, stdout) == (0, "register/controls/C-010.yaml\n")
    assert stderr == "next: replace the 1 TODO, then riskctl lint register\n"
    assert _new("controls")[1] == "register/controls/C-011.yaml\n"  # the folder name works too
    loaded = load(read_directory(register))
    assert loaded.hits == [] and sorted(loaded.register.known_ids["control"]) == [
        "C-001",
        "C-010",
        "C-011",
    ]


def test_new_creates_a_missing_kind_folder(register: Path) -> None:
    (register / "launches" / ".gitkeep").unlink()
    (register / "launches").rmdir()
    assert _new("launch")[:2] == (0, "register/launches/LAUNCH-001.yaml\n")


def _symlinked_folder(register: Path) -> None:
    target = register.parent / "elsewhere"
    target.mkdir()
    for entry in (register / "controls").iterdir():
        entry.unlink()
    (register / "controls").rmdir()
    (register / "controls").symlink_to(target)


def _folder_is_a_file(register: Path) -> None:
    for entry in (register / "controls").iterdir():
        entry.unlink()
    (register / "controls").rmdir()
    (register / "controls").write_text("not a folder\n")


REFUSALS = {
    "unknown-kind": (["riks"], None, 2, "no kind 'riks'"),
    "malformed-id": (["control", "C-12"], None, 2, "'C-12' is not a control id"),
    # Python's `$` also matches before a final newline: the id patterns must not
    "id-with-a-newline": (["control", "C-012\n"], None, 2, "'C-012\\n' is not a control id"),
    "owner-without-id": (["owner"], None, 2, "an owner's id is the name you give it"),
    "unknown-field": (["control", "--set", "natur=detective"], None, 2, "did you mean 'nature'"),
    "malformed-set": (["control", "--set", "nature"], None, 2, "expected FIELD=VALUE"),
    "too-many-arguments": (["control", "C-001", "register", "x"], None, 2, "extra argument"),
    "id-in-use": (["owner", "payments-risk"], None, 3, "owner payments-risk is already in"),
    "bad-enum": (["control", "--set", "nature=preventative"], None, 3, "nature: input should be"),
    "wrong-type": (["control", "--set", "key=1"], None, 3, "key: input should be a valid boolean"),
    "missing-owner": (["control", "--set", "owner=nobody"], None, 3, "no owner 'nobody'"),
    "symlinked-folder": (["control"], _symlinked_folder, 3, "a symbolic link"),
    "folder-is-a-file": (["control"], _folder_is_a_file, 3, "controls: not a folder"),
    "no-register": (["control", "C-001", "missing"], None, 3, "missing: no such register folder"),
    "broken-config": (["control"], "broken", 3, "invalid configuration"),
}


@pytest.mark.parametrize(
    ("arguments", "prepare", "exit_code", "message"), REFUSALS.values(), ids=list(REFUSALS)
)
def test_a_refusal_writes_nothing(
    arguments: list[str], prepare: object, exit_code: int, message: str, register: Path
) -> None:
    if callable(prepare):
        prepare(register)
    elif prepare == "broken":
        (register / "riskctl.yaml").write_text("version: 1\ncategories: []\n")
    before = _tree(register.parent)
    code, stdout, stderr = _new(*arguments)
    assert (code, stdout) == (exit_code, ""), stderr
    assert message in " ".join(stderr.split()), stderr
    assert "Traceback" not in stderr
    if exit_code == 3:
        assert stderr.startswith("riskctl: error: ")
    assert _tree(register.parent) == before


def test_a_register_that_does_not_load_cleanly_can_still_be_added_to(register: Path) -> None:
    (register / "controls" / "C-004.yaml").write_text("id: C-004\ntitle: [broken\n")
    assert _new("control")[:2] == (0, "register/controls/C-005.yaml\n")


README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("### `riskctl new KIND [ID] [PATH]`\n", 1)[1].split("\n### ", 1)[0]


def test_the_readme_example_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    session = re.search(r"```text\n(.*?)```", SECTION, re.DOTALL)
    assert session is not None
    lines = session[1].splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("$ riskctl "):
            continue
        shown = []
        for following in lines[index + 1 :]:
            if following.startswith("$ "):
                break
            shown.append(following)
        result = runner.invoke(app, shlex.split(line)[2:])
        assert result.exit_code == 0, result.stderr
        if shown:
            assert result.stdout.splitlines() == shown
    file = re.search(r"^`(risk-register/risks/R-001\.yaml)`", SECTION, re.MULTILINE)
    content = re.search(r"```yaml\n(.*?)```", SECTION, re.DOTALL)
    assert file is not None and content is not None
    real = (tmp_path / file[1]).read_text(encoding="utf-8").splitlines()
    shown = content[1].splitlines()
    # "shortened": every shown line is real, in the real order
    positions = [real.index(line) for line in shown]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert shown[0] == real[0]


def test_register_text_in_a_usage_message_is_shown_escaped(register: Path) -> None:
    """An id read from a broken file reaches the "which owner?" message: escaped, not run."""
    (register / "owners" / "x.yaml").write_text('id: "evil\\e[2J\\u202e"\nname: X\n')
    code, stdout, stderr = _new("control")
    assert (code, stdout) == (2, "")
    assert "which owner? the register has 2:" in " ".join(stderr.split())
    assert "\x1b" not in stderr and "\u202e" not in stderr
    assert "evil\\x1b[2J\\u202e" in stderr
