"""Every PATH argument on hostile paths: exit 3 naming it, never a hang, never exit 4.

A file instead of a folder, a device, a FIFO, /proc, a dangling symbolic link, and names holding
a newline or an escape sequence, given to every command that reads a register folder.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import FROZEN_NOW

runner = CliRunner()
SECONDS = 30.0

#: command words before PATH, and options after it
COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    "lint": (["lint"], ["--now", FROZEN_NOW]),
    "score": (["score"], ["--now", FROZEN_NOW]),
    "premortem": (["premortem"], ["--now", FROZEN_NOW]),
    "seed-risks": (["premortem"], ["--launch", "LAUNCH-001", "--seed-risks"]),
    "incidents": (["incidents"], ["--now", FROZEN_NOW]),
    "kri-status": (["kri", "status"], ["--now", FROZEN_NOW]),
    "report-register": (["report", "register"], ["--now", FROZEN_NOW]),
    "report-risk": (["report", "risk", "R-001"], ["--now", FROZEN_NOW]),
    "report-wbr": (["report", "wbr"], ["--now", FROZEN_NOW]),
    "log": (["log", "R-001"], []),
    "diff": (["diff", "HEAD", "HEAD"], ["--now", FROZEN_NOW]),
}


def _device(folder: Path) -> Path:
    node = folder / "device"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        return Path("/dev/null")  # read only: nothing here writes to a PATH argument
    return node


#: kind -> make the path in a folder
PATHS: dict[str, Callable[[Path], Path]] = {
    "file": lambda tmp: _touch(tmp / "register.yaml"),
    "device": _device,
    "fifo": lambda tmp: _fifo(tmp / "pipe"),
    "proc": lambda tmp: Path("/proc/self"),
    "dangling-link": lambda tmp: _link(tmp / "register", "nowhere"),
    "newline-name": lambda tmp: tmp / "reg\nister",
    "escape-name": lambda tmp: tmp / "reg\x1b[2Jister",
    # longer than any file system's name limit: stat raises ENAMETOOLONG, not "not found"
    "name-too-long": lambda tmp: tmp / ("r" * 300),
}


def _touch(path: Path) -> Path:
    path.write_text("version: 1\n", encoding="utf-8")
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _link(path: Path, target: str) -> Path:
    path.symlink_to(target)
    return path


@pytest.mark.parametrize("kind", PATHS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_hostile_path_is_exit_3_naming_it(tmp_path: Path, command: str, kind: str) -> None:
    if kind == "proc" and not Path("/proc/self").is_dir():
        pytest.skip("no /proc on this system")
    folder = tmp_path / "work"
    folder.mkdir()
    path = PATHS[kind](folder)
    before = sorted(entry.name for entry in folder.iterdir())
    words, options = COMMANDS[command]
    started = time.monotonic()
    result = runner.invoke(app, [*words, str(path), *options])
    assert time.monotonic() - started < SECONDS
    assert (result.exit_code, result.stdout) == (3, ""), (result.exit_code, result.stderr)
    assert result.stderr.startswith("riskctl: error: ")
    assert "Traceback" not in result.stderr
    # named: the path itself, or (for git reads) the folder it is in; shown raw or escaped
    printable = str(path).split("\n")[0].split("\x1b")[0]
    assert printable in result.stderr or str(folder) in result.stderr, result.stderr
    assert sorted(entry.name for entry in folder.iterdir()) == before


def test_diff_with_three_arguments_takes_the_third_as_the_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", "HEAD", "HEAD", str(tmp_path / "missing")])
    assert result.exit_code == 3
    assert str(tmp_path) in result.stderr
    four = runner.invoke(app, ["diff", "a", "b", "c", str(tmp_path)])
    assert four.exit_code == 2
    assert "too many arguments" in four.stderr
    # one argument too long to look up as a folder is a revision, refused as one
    long = runner.invoke(app, ["diff", str(tmp_path / ("r" * 300))])
    assert (long.exit_code, long.stdout) == (3, "")
    assert long.stderr.startswith("riskctl: error: not a revision: ")
