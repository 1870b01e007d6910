"""`kri xmr --csv FILE` on hostile files: exit 3 naming the file, in bounded time and memory."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.cli.kri import CSV_LIMIT

runner = CliRunner()
SECONDS = 30.0
HEADER = b"date,value\n"


def _sparse(path: Path, size: int) -> None:
    """A file of `size` bytes that takes no disk space (a hole)."""
    with path.open("wb") as stream:
        stream.truncate(size)


#: case -> (make the file in a folder and return its path, expected message after "error: ")
CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "oversized-field": (
        lambda tmp: _write(tmp / "s.csv", HEADER + b"2026-01-05," + b"1" * 200_000 + b"\n"),
        "{path}:2: not a CSV row: field larger than field limit (131072)",
    ),
    "huge-file": (
        lambda tmp: _make(tmp / "s.csv", lambda path: _sparse(path, 4 * 1024**3)),
        "--csv {path}: larger than 16,777,216 bytes, the most riskctl reads",
    ),
    "just-too-big": (
        lambda tmp: _write(tmp / "s.csv", HEADER + b"\n" * (CSV_LIMIT - len(HEADER) + 1)),
        "--csv {path}: larger than 16,777,216 bytes, the most riskctl reads",
    ),
    "dev-zero": (lambda tmp: Path("/dev/zero"), "--csv {path}: a character device"),
    "dev-urandom": (lambda tmp: Path("/dev/urandom"), "--csv {path}: a character device"),
    "fifo": (
        lambda tmp: _make(tmp / "pipe", os.mkfifo),
        "--csv {path}: a FIFO (named pipe), not a regular file",
    ),
    "folder": (lambda tmp: tmp, "--csv {path}: a folder, not a regular file"),
    "dangling-link": (
        lambda tmp: _make(tmp / "link.csv", lambda path: path.symlink_to("nowhere.csv")),
        "--csv {path}: cannot read it: No such file or directory",
    ),
    "missing": (
        lambda tmp: tmp / "missing.csv",
        "--csv {path}: cannot read it: No such file or directory",
    ),
    "not-utf8": (lambda tmp: _write(tmp / "s.csv", b"date,value\n\xff\n"), "{path} is not UTF-8"),
    "nul-byte": (
        lambda tmp: _write(tmp / "s.csv", HEADER + b"2026-01-05,1\x00\n"),
        "{path}:2: value '1\\x00' is not a number",
    ),
    "proc-file": (
        lambda tmp: Path("/proc/self/status"),
        "{path}:1: expected the header row `date,value`, found 'Name:",
    ),
    "name-with-newline": (
        lambda tmp: tmp / "bad\nname.csv",
        "--csv {path.parent}/bad",  # then the newline, shown raw or escaped
    ),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _make(path: Path, create: Callable[[Path], object]) -> Path:
    create(path)
    return path


@pytest.mark.parametrize(("make", "expected"), CASES.values(), ids=list(CASES))
def test_xmr_refuses_a_hostile_csv_with_exit_3(
    tmp_path: Path, make: Callable[[Path], Path], expected: str
) -> None:
    path = make(tmp_path)
    if not (path.exists() or path.is_symlink()) and path.parent != tmp_path:
        pytest.skip(f"{path} is not on this system")
    before = sorted(entry.name for entry in tmp_path.iterdir())
    started = time.monotonic()
    result = runner.invoke(app, ["kri", "xmr", "--csv", str(path)])
    assert time.monotonic() - started < SECONDS
    assert (result.exit_code, result.stdout) == (3, ""), result.stderr
    assert result.stderr.startswith("riskctl: error: " + expected.format(path=path)), result.stderr
    assert sorted(entry.name for entry in tmp_path.iterdir()) == before
