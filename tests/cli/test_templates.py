"""User templates (`report --templates DIR`): every error and every bomb is exit 3 naming the
template and line, in bounded time, output and memory (limits in riskctl/report/render.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.errors import RiskctlError
from riskctl.report import render as render_module
from riskctl.report.render import render
from tests.conftest import FROZEN_NOW, SHIPPED_REGISTER

runner = CliRunner()
#: Generous: the limits stop every case below in about two seconds on a shared CI machine.
SECONDS = 30.0
NAME = "register.md.j2"

#: case -> (template text, the message after "template register.md.j2")
ERRORS: dict[str, tuple[str, str]] = {
    "zero-division": ("ok\n{{ 1 // 0 }}\n", " (line 2): ZeroDivisionError: integer division"),
    "overflow": ("{{ 10.0 ** 400 }}", " (line 1): OverflowError: "),
    "macro-recursion": (
        "{% macro loop() %}{{ loop() }}{% endmacro %}\n{{ loop() }}",
        " (line 1): recursion too deep (a macro that calls itself, or a template that includes",
    ),
    "self-include": (
        "{% include 'register.md.j2' %}",
        " (line 1): recursion too deep (a macro that calls itself, or a template that includes",
    ),
    "bad-filter-argument-type": (
        "{{ 'x'|round('a') }}",
        " (line 1): TypeError: type str doesn't define __round__ method",
    ),
    "bad-filter-argument-value": (
        "{{ range(1, 2, 0) }}",
        " (line 1): ValueError: range() arg 3 must not be zero",
    ),
    "bad-format": ("\n\n{{ '{:q}'.format(1) }}", " (line 3): ValueError: Unknown format code"),
    "undefined-name": ("{{ no_such_name }}", " (line 1): 'no_such_name' is undefined"),
    "sandbox-security": (
        "{{ ''.__class__.__mro__ }}",
        " (line 1): access to attribute '__class__' of 'str' object is unsafe.",
    ),
    "missing-include": ("{% include 'nowhere.md.j2' %}", "template nowhere.md.j2 not found"),
    "syntax-error": ("{% for %}", "/templates/register.md.j2:1: Expected an expression"),
    "time-nested-ranges": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        " (line 1): ran more than 5,000,000 template lines",
    ),
    "time-ranges-set-once": (
        "{% set r = range(100000) %}{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}",
        " (line 1): ran more than 5,000,000 template lines",
    ),
    "output-string-repetition": (
        "{{ 'x' * 10**9 }}",
        " (line 1): a repetition 1 x 1,000,000,000 is longer than 33,554,432",
    ),
    "output-list-repetition": (
        "{{ ([1] * 1000000) * 1000 }}",
        " (line 1): a repetition 1,000,000 x 1,000 is longer than",
    ),
    "output-loop": (
        "{% set line = 'x' * 10000 %}{% for i in range(100000) %}{% for j in range(100000) %}"
        "{{ line }}{% endfor %}{% endfor %}",
        ": the output is longer than 33,554,432 characters",
    ),
    "integer-power": ("{{ 10 ** (10 ** 8) }}", " (line 1): a number of more than 100,000 bits"),
    "integer-squaring": (
        "{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}"
        "{% endfor %}{{ ns.x }}",
        " (line 1): a number of more than 100,000 bits",
    ),
    "memory-format-width": ("{{ '%999999999s'|format('x') }}", " (line 1): needs more than 512"),
    "memory-concat-doubling": (
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s|length }}",
        " (line 1): needs more than 512 MiB of memory",
    ),
}


def _folder(tmp_path: Path, text: str | bytes, name: str = NAME) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    data = text.encode() if isinstance(text, str) else text
    (folder / name).write_bytes(data)
    return folder


def _render_error(folder: Path) -> str:
    started = time.monotonic()
    with pytest.raises(RiskctlError) as caught:
        render(NAME, {}, folder)
    assert time.monotonic() - started < SECONDS
    return str(caught.value)


@pytest.mark.parametrize(("text", "expected"), ERRORS.values(), ids=list(ERRORS))
def test_a_template_error_names_the_template_and_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    message = _render_error(_folder(tmp_path, text))
    if expected.startswith("template "):
        assert message.startswith(expected), message
    elif expected.startswith("/"):
        assert message == f"template {tmp_path}{expected}, got 'end of statement block'"
    else:
        assert message.startswith(f"template {NAME}{expected}"), message


def test_an_error_in_an_included_template_names_that_template(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "a\nb\n{{ 1 // 0 }}\n", "_part.md.j2")
    _folder(tmp_path, "{% include '_part.md.j2' %}")
    message = _render_error(folder)
    assert message.startswith(f"template {NAME} (_part.md.j2 line 3): ZeroDivisionError"), message


def test_a_template_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    folder = _folder(tmp_path, b"# Report \xff\xfe\n")
    assert _render_error(folder) == (
        f"template {folder / NAME}: not UTF-8 text (byte 9 cannot be decoded)"
    )


def test_a_template_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    os.mkfifo(folder / NAME)
    assert _render_error(folder) == (
        f"template {folder / NAME}: a FIFO (named pipe), not a regular file"
    )


def test_a_template_link_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not publish\n", encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / NAME).symlink_to(secret)
    assert _render_error(folder) == (
        f"template {folder / NAME}: a symbolic link; templates must be files in the folder"
    )


def test_a_huge_template_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "x" * (render_module.MAX_TEMPLATE_BYTES + 1))
    assert _render_error(folder) == f"template {folder / NAME}: larger than 1,048,576 bytes"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: tmp / "missing", "does not exist"),
        (lambda tmp: tmp / "file.j2", "is not a folder"),
        (lambda tmp: tmp / "dangling", "does not exist"),
        (lambda tmp: tmp / ("t" * 300), "cannot use it: File name too long"),
    ],
    ids=["missing", "a-file", "dangling-link", "name-too-long"],
)
def test_templates_dir_that_is_not_a_folder(
    tmp_path: Path, make: Callable[[Path], Path], expected: str
) -> None:
    (tmp_path / "file.j2").write_text("x", encoding="utf-8")
    (tmp_path / "dangling").symlink_to("nowhere")
    folder = make(tmp_path)
    with pytest.raises(RiskctlError) as caught:
        render(NAME, {}, folder)
    assert str(caught.value) == f"--templates {folder}: {expected}"


@pytest.mark.parametrize(
    "text",
    ["{{ lipsum(1000000) }}", "{{ ('x ' * 10000000)|wordwrap(1)|length }}"],
    ids=["lipsum", "wordwrap"],
)
def test_a_helper_that_loops_where_no_template_line_runs_stops_on_time(
    tmp_path: Path, text: str
) -> None:
    """jinja2's helpers loop in Python, where the template-line limit does not see them:
    lipsum(10**6) ran for minutes. The render's clock stops them (here after one second)."""
    started = time.monotonic()
    with pytest.raises(RiskctlError) as caught:
        render(NAME, {}, _folder(tmp_path, text), seconds=1.0)
    assert time.monotonic() - started < 5.0
    assert str(caught.value) == (
        f"template {NAME} (line 1): took more than 1 seconds to render (a limit of riskctl's "
        "rendering)"
    )


def test_the_render_clock_gives_back_a_timer_already_running(tmp_path: Path) -> None:
    """A test runner's timeout (SIGALRM) running when a report renders is still running after."""
    import signal

    def outer(_signal: int, _frame: object) -> None:
        raise AssertionError("the outer timer fired")

    previous = signal.signal(signal.SIGALRM, outer)
    signal.setitimer(signal.ITIMER_REAL, 100.0)
    try:
        assert render(NAME, {}, _folder(tmp_path, "{{ 6 * 7 }}")) == "42"
        assert signal.getsignal(signal.SIGALRM) is outer
        assert 90.0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 100.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_the_limits_leave_no_trace_function_and_no_memory_cap(tmp_path: Path) -> None:
    import resource
    import signal
    import sys

    before = resource.getrlimit(resource.RLIMIT_AS)
    handler = signal.getsignal(signal.SIGALRM)
    _render_error(_folder(tmp_path, ERRORS["memory-format-width"][0]))
    _render_error(_folder(tmp_path, ERRORS["time-nested-ranges"][0]))
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert sys.gettrace() is None
    assert signal.getsignal(signal.SIGALRM) is handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert render(NAME, {}, _folder(tmp_path, "{{ 6 * 7 }} {{ 'ab' * 2 }}")) == "42 abab"


# --- through the CLI: exit 3, nothing written -------------------------------------------------

CLI_CASES = ["zero-division", "macro-recursion", "time-nested-ranges", "output-string-repetition"]


@pytest.mark.parametrize("case", CLI_CASES)
def test_report_with_a_bad_template_exits_3_and_writes_nothing(tmp_path: Path, case: str) -> None:
    folder = _folder(tmp_path, ERRORS[case][0])
    out = tmp_path / "report.md"
    out.write_text("the last good report\n", encoding="utf-8")
    started = time.monotonic()
    result = runner.invoke(
        app,
        [
            "report",
            "register",
            str(SHIPPED_REGISTER),
            "--now",
            FROZEN_NOW,
            "--templates",
            str(folder),
            "--out",
            str(out),
        ],
    )
    assert time.monotonic() - started < SECONDS
    assert (result.exit_code, result.stdout) == (3, ""), result.stderr
    assert result.stderr.startswith(f"riskctl: error: template {NAME}")
    assert ERRORS[case][1].strip() in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "the last good report\n"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["report.md", "templates"]
