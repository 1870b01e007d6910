"""Runs at once share one cache safely (issue 16: "a test runs two lints at once on a changing
register").

Two `riskctl lint` processes start together on one register and one cache folder while this
process rewrites the register's files under them (new valid content, broken YAML, invalid
values, a file deleted, a file added), for several rounds. No run may crash (exit 0 or 1, no
traceback); after each round, a lint with the cache gives what a lint without one gives; when
they are done no temporary file is left and every cache file is whole.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from riskctl.load import cache
from tests.conftest import FROZEN_NOW
from tests.test_cache import (
    RISKCTL,
    assert_same_as_uncached,
    cache_files,
    lint_args,
    packs,
    results,
    warned_register,
)

ROUNDS = 3
#: Writes between two looks at whether the linting processes are done: bounds the loop.
MAX_WRITES = 400


def _environment(root: Path) -> dict[str, str]:
    environment = {**os.environ, "RISKCTL_CACHE_DIR": str(root)}
    environment.pop("RISKCTL_NO_CACHE", None)
    return environment


def _contents(register: Path) -> list[tuple[str, bytes | None]]:
    """What the writer puts where: (file, bytes), None to delete the file."""
    risk = (register / "risks/R-001.yaml").read_bytes()
    control = (register / "controls/C-001.yaml").read_bytes()
    return [
        ("risks/R-001.yaml", risk.replace(b"Card testing", b"Card testing, again")),
        ("controls/C-001.yaml", b"id: C-001\ntitle: [unclosed\n"),
        ("risks/R-001.yaml", risk),
        ("controls/C-001.yaml", control.replace(b"id: C-001", b"id: C-001\nkey: maybe")),
        ("risks/R-002.yaml", risk.replace(b"R-001", b"R-002")),
        ("controls/C-001.yaml", control),
        ("risks/R-001.yaml", risk + b"inherent: {likelihood: 9, impact: 4}\n"),
        ("risks/R-002.yaml", None),
        ("risks/R-001.yaml", b""),
        ("risks/R-001.yaml", risk),
    ]


def _start(register: Path, root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*RISKCTL, *lint_args(register)],
        env=_environment(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_lints_at_once_on_a_changing_register(tmp_path: Path) -> None:
    register = warned_register(tmp_path / "register")
    root = tmp_path / "cache"
    writes = itertools.cycle(_contents(register))
    written = 0
    for _round in range(ROUNDS):
        running = [_start(register, root), _start(register, root)]
        for _ in range(MAX_WRITES):
            file, content = next(writes)
            target = register / file
            if content is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(content)
            written += 1
            try:
                running[0].wait(timeout=0.002)
                running[1].wait(timeout=0.002)
            except subprocess.TimeoutExpired:
                continue
            break
        for process in running:
            stdout, stderr = process.communicate(timeout=60)
            assert process.returncode in (0, 1), stderr
            assert "Traceback" not in stderr, stderr
            assert re.fullmatch(r"\d+ files checked: .*", stdout.splitlines()[-1]), stdout
        assert_same_as_uncached(lint_args(register), root)
        assert_same_as_uncached(["score", "-f", "json", str(register), "--now", FROZEN_NOW], root)
    assert written > ROUNDS  # the register did change while they ran
    leftovers = [path for path in cache_files(root) if path.name.startswith(".tmp-")]
    assert leftovers == []
    for path in [*packs(root), *results(root)]:
        cache._decode(path.read_bytes())  # whole and this code's: raises otherwise


PROBE = textwrap.dedent(
    """
    import pickle, sys
    from riskctl.load import cache

    refused = []
    read_packs = []
    find_class = cache._Unpickler.find_class
    original_read_packs = cache.Store._read_packs

    def recording(self, module, name):
        try:
            return find_class(self, module, name)
        except pickle.UnpicklingError:
            refused.append(f"{module}.{name}")
            raise

    def reading(self):
        read_packs.append(1)
        return original_read_packs(self)

    cache._Unpickler.find_class = recording
    cache.Store._read_packs = reading
    from riskctl.cli import main

    sys.argv = ["riskctl", *sys.argv[1:]]
    try:
        main()
    finally:
        sys.stderr.write(f"PROBE refused={refused} read_packs={len(read_packs)}\\n")
    """
)


@pytest.mark.parametrize(
    ("args", "pack_reads"),
    [(["lint"], 0), (["score", "-f", "csv"], 0), (["report", "wbr"], 1)],
    ids=["lint", "score", "report wbr"],
)
def test_a_fresh_process_finds_every_class_of_a_kept_result(
    tmp_path: Path, args: list[str], pack_reads: int
) -> None:
    """In a new process the unpickler takes a class only from a module already imported: a
    command must have imported every class of its result before it reads the cache, or the
    cache is silently never used. (lint and score keep whole results; a report reads the
    packs.)"""
    register = warned_register(tmp_path / "register")
    root = tmp_path / "cache"
    command = [*args, str(register), "--now", FROZEN_NOW]
    outputs = []
    for _ in range(2):
        completed = subprocess.run(
            [RISKCTL[0], "-c", PROBE, *command],
            env=_environment(root),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        outputs.append((completed.returncode, completed.stdout))
        probe = completed.stderr.splitlines()[-1]
    assert outputs[0] == outputs[1]
    assert probe == f"PROBE refused=[] read_packs={pack_reads}"
