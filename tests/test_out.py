"""Files riskctl writes (`--out`) and user-named files it reads (`--csv`): never a surprise.

Decisions these tests pin (riskctl/fileio.py):
- `--out FILE` replaces a regular file atomically (a new inode: a hard link to the old file keeps
  the old text) with the umask's permissions; `--out -` is stdout.
- A folder, FIFO, device or symbolic link (dangling or not) as `--out` is refused with exit 3
  naming it, before any work; nothing is written through a link. A missing parent folder is
  refused, never created; /proc is refused.
- `schema export --out DIR` creates only DIR itself, refuses a DIR that is a file or a link, and
  a schema file in it that is a link.
- An input file is read only when it is a regular file, and at most a limit of bytes.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.errors import RiskctlError
from riskctl.fileio import prepare_folder, read_limited, write_file
from tests.conftest import FROZEN_NOW, SHIPPED_REGISTER

runner = CliRunner()


@pytest.fixture
def umask_027() -> Iterator[None]:
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


def _device(folder: Path) -> Path:
    """A character device node like /dev/null, in the test's own folder (needs root)."""
    node = folder / "null-device"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root; /dev itself is never a test target")
    return node


def _refused(path: Path, *needles: str) -> str:
    with pytest.raises(RiskctlError) as caught:
        write_file(path, "new text\n")
    message = str(caught.value)
    assert message.startswith(f"--out {path}: "), message
    for needle in needles:
        assert needle in message, message
    return message


def _listing(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


def test_write_file_replaces_a_regular_file_atomically_with_the_umask_mode(
    tmp_path: Path, umask_027: None
) -> None:
    target = tmp_path / "report.md"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    keeper = tmp_path / "keeper"
    os.link(target, keeper)
    write_file(target, "new ü\n")
    assert target.read_bytes() == "new ü\n".encode()
    assert keeper.read_text(encoding="utf-8") == "old\n"  # replaced, not rewritten in place
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _listing(tmp_path) == ["keeper", "report.md"]  # no temporary file left behind


def test_write_file_creates_a_new_file_with_the_umask_mode_not_0600(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_file(tmp_path / "new.md", "text\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644
    assert _listing(tmp_path) == ["new.md"]


def test_write_file_refuses_a_folder(tmp_path: Path) -> None:
    _refused(tmp_path, "a folder, not a regular file", "--out -")
    assert _listing(tmp_path) == []


def test_write_file_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _refused(fifo, "a FIFO (named pipe)")
    assert _listing(tmp_path) == ["pipe"]


def test_write_file_refuses_a_device(tmp_path: Path) -> None:
    device = _device(tmp_path)
    _refused(device, "a character device")
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert _listing(tmp_path) == ["null-device"]


def test_write_file_refuses_a_symlink_and_leaves_link_and_target_alone(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("real\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to("real.md")
    _refused(link, "a symbolic link (to real.md)", "does not write through links")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "real\n"
    assert _listing(tmp_path) == ["link.md", "real.md"]


def test_write_file_refuses_a_dangling_symlink_and_creates_nothing(tmp_path: Path) -> None:
    link = tmp_path / "dangling.md"
    link.symlink_to("nowhere.md")
    _refused(link, "a symbolic link (to nowhere.md)")
    assert _listing(tmp_path) == ["dangling.md"]


def test_write_file_refuses_a_missing_folder_and_does_not_create_it(tmp_path: Path) -> None:
    _refused(tmp_path / "build" / "wbr.md", f"the folder {tmp_path / 'build'} does not exist")
    assert _listing(tmp_path) == []


def test_write_file_refuses_a_path_through_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    _refused(tmp_path / "file" / "wbr.md", "Not a directory")
    assert (tmp_path / "file").read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc on this system")
@pytest.mark.parametrize("target", ["/proc/self/status", "/proc/self/new.md", "/proc"])
def test_write_file_refuses_proc(target: str) -> None:
    before = Path("/proc/self/status").is_file()
    with pytest.raises(RiskctlError, match=f"^--out {target}: "):
        write_file(Path(target), "x")
    assert Path("/proc/self/status").is_file() == before


def test_prepare_folder_creates_only_the_last_folder(tmp_path: Path) -> None:
    prepare_folder(tmp_path / "schemas")
    assert (tmp_path / "schemas").is_dir()
    with pytest.raises(RiskctlError, match="does not exist"):
        prepare_folder(tmp_path / "a" / "b")
    assert _listing(tmp_path) == ["schemas"]


def test_prepare_folder_refuses_a_file_and_a_link(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(RiskctlError, match="file: a regular file, not a folder"):
        prepare_folder(tmp_path / "file")
    (tmp_path / "link").symlink_to("file")
    with pytest.raises(RiskctlError, match="a symbolic link"):
        prepare_folder(tmp_path / "link")


def test_read_limited_reads_a_regular_file_and_follows_a_link(tmp_path: Path) -> None:
    (tmp_path / "series.csv").write_bytes(b"date,value\n")
    (tmp_path / "link.csv").symlink_to("series.csv")
    assert read_limited(tmp_path / "series.csv", 100, "--csv") == b"date,value\n"
    assert read_limited(tmp_path / "link.csv", 100, "--csv") == b"date,value\n"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("folder", "a folder, not a regular file"),
        ("pipe", "a FIFO (named pipe), not a regular file"),
        ("big.csv", "larger than 10 bytes, the most riskctl reads"),
        ("dangling.csv", "cannot read it: No such file or directory"),
        ("missing.csv", "cannot read it: No such file or directory"),
    ],
)
def test_read_limited_refuses_what_is_not_a_small_regular_file(
    tmp_path: Path, name: str, expected: str
) -> None:
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "pipe")  # no writer: a blocking open would hang
    (tmp_path / "big.csv").write_bytes(b"x" * 11)
    (tmp_path / "dangling.csv").symlink_to("nowhere")
    with pytest.raises(RiskctlError) as caught:
        read_limited(tmp_path / name, 10, "--csv")
    assert str(caught.value) == f"--csv {tmp_path / name}: {expected}"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_read_limited_refuses_an_endless_device(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    with pytest.raises(RiskctlError, match=f"^--csv {device}: a character device"):
        read_limited(Path(device), 10, "--csv")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc on this system")
def test_read_limited_counts_what_a_size_zero_proc_file_gives() -> None:
    with pytest.raises(RiskctlError, match="larger than 10 bytes"):
        read_limited(Path("/proc/self/status"), 10, "--csv")


# --- through the CLI -------------------------------------------------------------------------


def _report(out: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["report", "register", str(SHIPPED_REGISTER), "--now", FROZEN_NOW, "--out", out]
    )
    return result.exit_code, result.stdout, result.stderr


def test_report_out_writes_the_file_and_dash_is_stdout(tmp_path: Path) -> None:
    code, stdout, stderr = _report("-")
    assert (code, stderr) == (0, "")
    assert stdout.startswith("# ")
    target = tmp_path / "register.md"
    assert _report(str(target)) == (0, f"wrote {target}\n", "")
    assert target.read_text(encoding="utf-8") == stdout
    assert _listing(tmp_path) == ["register.md"]


def test_report_out_names_a_control_character_escaped(tmp_path: Path) -> None:
    target = tmp_path / "bad\nname\x1b[31m.md"
    code, stdout, _ = _report(str(target))
    assert (code, stdout) == (0, f"wrote {tmp_path}/bad\\nname\\x1b[31m.md\n")
    assert target.is_file()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".", "a folder, not a regular file"),
        ("pipe", "a FIFO (named pipe), not a regular file"),
        ("link.md", "a symbolic link (to real.md)"),
        ("build/wbr.md", "does not exist (riskctl does not create it)"),
    ],
)
def test_report_out_refused_is_exit_3_naming_it(tmp_path: Path, name: str, expected: str) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "real.md").write_text("real\n", encoding="utf-8")
    (tmp_path / "link.md").symlink_to("real.md")
    target = tmp_path / name
    code, stdout, stderr = _report(str(target))
    assert (code, stdout) == (3, "")
    assert stderr.startswith(f"riskctl: error: --out {target}: ")
    assert expected in stderr
    assert "Traceback" not in stderr
    assert _listing(tmp_path) == ["link.md", "pipe", "real.md"]
    assert (tmp_path / "real.md").read_text(encoding="utf-8") == "real\n"


@pytest.mark.parametrize("name", ["reports/", "existing/"])
def test_report_out_ending_in_a_slash_is_a_usage_error_and_writes_nothing(
    tmp_path: Path, name: str
) -> None:
    """pathlib drops a trailing `/`: `--out reports/` wrote a file named `reports`."""
    (tmp_path / "existing").mkdir()
    code, stdout, stderr = _report(f"{tmp_path}/{name}")
    assert (code, stdout) == (2, "")
    assert "ends in '/', so it names a folder; give a file name" in stderr
    assert "Traceback" not in stderr
    assert _listing(tmp_path) == ["existing"]
    assert list((tmp_path / "existing").iterdir()) == []


def test_schema_export_out_writes_a_new_folder_and_refuses_a_file(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    result = runner.invoke(app, ["schema", "export", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{out}: wrote ")
    assert all(stat.S_ISREG(entry.lstat().st_mode) for entry in out.iterdir())
    again = runner.invoke(app, ["schema", "export", "--out", str(out), "--check"])
    assert (again.exit_code, again.stdout) == (0, f"{out}: up to date\n")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    refused = runner.invoke(app, ["schema", "export", "--out", str(tmp_path / "file")])
    assert (refused.exit_code, refused.stdout) == (3, "")
    assert (
        refused.stderr
        == f"riskctl: error: --out {tmp_path / 'file'}: a regular file, not a folder\n"
    )
    deep = runner.invoke(app, ["schema", "export", "--out", str(tmp_path / "a" / "b")])
    assert deep.exit_code == 3
    assert "does not exist" in deep.stderr
    assert _listing(tmp_path) == ["file", "schemas"]


def test_schema_export_refuses_a_link_inside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    out.mkdir()
    (tmp_path / "elsewhere.json").write_text("{}", encoding="utf-8")
    (out / "risk.schema.json").symlink_to(tmp_path / "elsewhere.json")
    result = runner.invoke(app, ["schema", "export", "--out", str(out)])
    assert result.exit_code == 3
    assert "risk.schema.json: a symbolic link" in result.stderr
    assert (tmp_path / "elsewhere.json").read_text(encoding="utf-8") == "{}"


@pytest.mark.parametrize("check", [False, True], ids=["export", "check"])
def test_schema_export_out_with_a_name_too_long_is_exit_3(tmp_path: Path, check: bool) -> None:
    out = tmp_path / ("s" * 300)
    started = time.monotonic()
    result = runner.invoke(app, ["schema", "export", "--out", str(out), *(["--check"] * check)])
    assert time.monotonic() - started < 30
    assert (result.exit_code, result.stdout) == (3, ""), result.stderr
    assert result.stderr == f"riskctl: error: --out {out}: cannot use it: File name too long\n"
    assert _listing(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_standard_output_that_cannot_be_written_is_exit_3_not_4() -> None:
    """`riskctl score > file` on a full disk, or with standard output closed (`>&-`): an
    operational problem the user can fix, not an internal error with a traceback."""
    commands = [
        ["score", str(SHIPPED_REGISTER)],
        ["score", str(SHIPPED_REGISTER), "--color", "always"],
        ["report", "rcm", str(SHIPPED_REGISTER)],
    ]
    cases = [(command, closed) for command in commands for closed in (False, True)]
    with open("/dev/full", "w", encoding="utf-8") as full:
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "riskctl", *command, "--now", FROZEN_NOW],
                stdout=full,
                stderr=subprocess.PIPE,
                preexec_fn=(lambda: os.close(1)) if closed else None,
            )
            for command, closed in cases
        ]
        outputs = [process.communicate(timeout=60)[1].decode() for process in processes]
    for (command, closed), process, stderr in zip(cases, processes, outputs, strict=True):
        expected = (
            "riskctl: error: standard output is closed; redirect it (> FILE)\n"
            if closed
            else "riskctl: error: cannot write to standard output: No space left on device\n"
        )
        assert (process.returncode, stderr) == (3, expected), (command, closed)


@pytest.mark.parametrize("target", ["register/risks/R-001.yaml", "register/wbr.md", "register"])
def test_out_inside_the_register_being_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    """`--out register/risks/R-001.yaml` replaced a risk with Markdown, exit 0."""
    import shutil

    from tests.conftest import BASE_REGISTER

    shutil.copytree(BASE_REGISTER, tmp_path / "register")
    monkeypatch.chdir(tmp_path)
    before = {p: p.read_bytes() for p in (tmp_path / "register").rglob("*") if p.is_file()}
    result = CliRunner().invoke(
        app, ["report", "register", "register", "--now", "2026-11-27", "--out", target]
    )
    assert result.exit_code == 3, result.stdout
    assert "inside the register folder" in result.stderr or "a folder" in result.stderr
    after = {p: p.read_bytes() for p in (tmp_path / "register").rglob("*") if p.is_file()}
    assert after == before
