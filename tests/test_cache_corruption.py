"""A damaged, foreign or hostile cache never changes an answer (issue 16: "never a wrong answer").

A cache is filled by real runs (lint twice with different options, score, and a second pack
from an edit that is then undone); then every file in it is damaged one way at a time, and lint,
lint with other options and `score -f json` must give exactly what they give without a cache:
same exit code, same bytes, no traceback. Where a check of the cache's header could be left out
without a crash (a file of another format or fingerprint, a result under another key), the
damaged file holds a *different, valid* answer, so that a missing check shows as a wrong answer.

Tests run as root here, where chmod does not stop reading or writing: the permission cases
that need it skip as root, and the same failures are also made by making the system calls fail.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import hashlib
import io
import os
import pickle
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from riskctl.findings import LintResult
from riskctl.load import cache
from tests.conftest import FROZEN_NOW
from tests.test_cache import (
    Run,
    cache_files,
    lint_args,
    packs,
    results,
    riskctl,
    warned_register,
)

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
AS_ROOT = "runs as root, where permissions do not stop reading or writing"


class Hung(BaseException):
    """A run that took far too long (a BaseException: nothing in riskctl may catch it)."""


@contextlib.contextmanager
def watchdog(seconds: int = 30) -> Iterator[None]:
    """Fail, rather than hang, when a run blocks (on a FIFO, reading /dev/zero)."""

    def expire(_signal: int, _frame: object) -> None:
        raise Hung(f"a run took more than {seconds} s: blocked on a cache file?")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return warned_register(tmp_path / "register")


def commands(register: Path) -> list[list[str]]:
    return [
        lint_args(register),
        lint_args(register, "--ignore", "RK106"),
        ["score", "-f", "json", str(register), "--now", FROZEN_NOW],
    ]


def runs(register: Path, cache_dir: Path | None, **environment: str | None) -> list[Run]:
    with watchdog():
        return [riskctl(args, cache_dir, **environment) for args in commands(register)]


@pytest.fixture
def filled(register: Path, tmp_path: Path) -> tuple[Path, Path, list[Run]]:
    """(register, cache root, the uncached answers): a cache with two packs and four results,
    every command of `commands` answered from it as it stands."""
    root = tmp_path / "cache"
    uncached = runs(register, None)
    assert len({run.stdout for run in uncached}) == 3
    risk = register / "risks/R-001.yaml"
    original = risk.read_bytes()
    risk.write_bytes(original + b"# an edit, undone below\n")
    riskctl(lint_args(register), root)
    risk.write_bytes(original)
    assert runs(register, root) == uncached
    assert (len(packs(root)), len(results(root))) == (2, 4)
    return register, root, uncached


# --- ways to damage one file ----------------------------------------------------------------

HEADER = cache._HEADER
FIELDS = {  # offset of each header field
    "magic": 0,
    "format": len(cache.MAGIC),
    "fingerprint": len(cache.MAGIC) + 2,
    "length": len(cache.MAGIC) + 2 + 32,
    "digest": len(cache.MAGIC) + 2 + 32 + 8,
}


def flipped(blob: bytes, position: int) -> bytes:
    position %= len(blob)
    return blob[:position] + bytes([blob[position] ^ 0x55]) + blob[position + 1 :]


def payload_of(blob: bytes) -> Any:
    return pickle.loads(blob[HEADER.size :])


def forged(value: Any) -> Any:
    """A different answer of the same shape: what a wrong entry would make riskctl say."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], LintResult):
        return (value[0], dataclasses.replace(value[1], findings=(), files=value[1].files + 1000))
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1][0], str):
        key, (_text, *rest) = value  # score: (text, failed, not counted)
        return (key, ("FORGED\n", *rest))
    if isinstance(value, dict):
        return {key: (_retitled(data), hits) for key, (data, hits) in value.items()}
    raise AssertionError(f"not a cache value: {type(value)}")


def _retitled(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: "FORGED" if key in ("title", "name") else each for key, each in data.items()}
    return data


def encoded(value: Any, *, fingerprint: bytes | None = None, version: int | None = None) -> bytes:
    """A whole cache file for `value`, with a header that is right but for the given field."""
    payload = pickle.dumps(value, protocol=5)
    return (
        HEADER.pack(
            cache.MAGIC,
            cache.FORMAT if version is None else version,
            cache.fingerprint() if fingerprint is None else fingerprint,
            len(payload),
            hashlib.sha256(payload).digest(),
        )
        + payload
    )


def is_cache_file(path: Path) -> bool:
    return path.name != "CACHEDIR.TAG"


#: Damages one file, given every file's bytes as they were before any was damaged.
Damage = Callable[[Path, dict[Path, bytes]], None]


def rewrite(change: Callable[[bytes], bytes]) -> Damage:
    def damage(path: Path, _before: dict[Path, bytes]) -> None:
        path.write_bytes(change(path.read_bytes()))

    return damage


def rewrite_cache_file(change: Callable[[bytes], bytes]) -> Damage:
    def damage(path: Path, _before: dict[Path, bytes]) -> None:
        if is_cache_file(path):
            path.write_bytes(change(path.read_bytes()))

    return damage


def rotate(how: str) -> Damage:
    """Give each pack (or result) the place of the next one in its folder: its bytes, or a
    link to it. Each then holds a whole, valid file, of another key."""

    def damage(path: Path, before: dict[Path, bytes]) -> None:
        siblings = sorted(each for each in before if each.parent == path.parent)
        if len(siblings) < 2:
            return
        following = siblings[(siblings.index(path) + 1) % len(siblings)]
        if how == "bytes":
            path.write_bytes(before[following])
        else:
            path.unlink()
            path.symlink_to(following)

    return damage


def replace_with(make: Callable[[Path], None]) -> Damage:
    def damage(path: Path, _before: dict[Path, bytes]) -> None:
        path.unlink()
        make(path)

    return damage


DAMAGES: dict[str, Damage] = {
    "empty": rewrite(lambda blob: b""),
    "half": rewrite(lambda blob: blob[: len(blob) // 2]),
    "header only": rewrite(lambda blob: blob[: HEADER.size]),
    "header less one byte": rewrite(lambda blob: blob[: HEADER.size - 1]),
    "last byte cut": rewrite(lambda blob: blob[:-1]),
    **{
        f"byte flipped in the {field}": rewrite(functools.partial(flipped, position=at + 1))
        for field, at in FIELDS.items()
    },
    "byte flipped at the payload's start": rewrite(lambda blob: flipped(blob, HEADER.size)),
    "byte flipped in the payload": rewrite(
        lambda blob: flipped(blob, (HEADER.size + len(blob)) // 2)
    ),
    "byte flipped at the end": rewrite(lambda blob: flipped(blob, -1)),
    "bytes appended": rewrite(lambda blob: blob + b"\0junk"),
    "a second copy appended": rewrite(lambda blob: blob + blob),
    "random bytes": rewrite(lambda blob: hashlib.sha256(blob).digest() * 40),
    "another fingerprint, another answer": rewrite_cache_file(
        lambda blob: encoded(forged(payload_of(blob)), fingerprint=b"\x01" * 32)
    ),
    "another format, another answer": rewrite_cache_file(
        lambda blob: encoded(forged(payload_of(blob)), version=cache.FORMAT + 1)
    ),
    "a payload that is not a pickle": rewrite_cache_file(
        lambda blob: (
            encoded(None)[: HEADER.size - 40]
            + len(b"not a pickle").to_bytes(8, "big")
            + hashlib.sha256(b"not a pickle").digest()
            + b"not a pickle"
        )
    ),
    "a pickle of the wrong shape": rewrite_cache_file(lambda blob: encoded(["a", "list"])),
    "packs and results swapped": rotate("bytes"),
    "replaced by a link to another": rotate("link"),
    "replaced by a folder": replace_with(lambda path: path.mkdir()),
    "replaced by a link to /dev/zero": replace_with(lambda path: path.symlink_to("/dev/zero")),
    "replaced by a dangling link": replace_with(lambda path: path.symlink_to(path.with_name("x"))),
    "replaced by a FIFO": replace_with(lambda path: os.mkfifo(path)),
}


@pytest.mark.parametrize("how", DAMAGES)
def test_every_cache_file_damaged_gives_the_uncached_answer(
    filled: tuple[Path, Path, list[Run]], how: str
) -> None:
    register, root, uncached = filled
    before = {path: path.read_bytes() for path in cache_files(root)}
    assert len(before) == 7  # CACHEDIR.TAG, two packs, four results
    for path in before:
        DAMAGES[how](path, before)
    assert runs(register, root) == uncached
    # the cache is usable again: a second round is answered from what the first wrote
    assert runs(register, root) == uncached


def test_a_swapped_result_would_be_a_wrong_answer(filled: tuple[Path, Path, list[Run]]) -> None:
    """The swap above is a real test: every result is a valid entry of its own key, and the
    answers of `commands` differ, so one given for another would show."""
    _register, root, uncached = filled
    values = [cache._decode(path.read_bytes()) for path in results(root)]
    assert len({repr(key) for key, _value in values}) == 4
    assert len({run.stdout for run in uncached}) == 3


# --- the cache folder itself ----------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, tuple[str, bytes, int]]:
    """Everything under `root` with its kind, bytes and modification time."""
    found = {}
    for path in sorted(root.rglob("*")):
        status = path.lstat()
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[name] = ("link", os.readlink(path).encode(), status.st_mtime_ns)
        elif path.is_dir():
            found[name] = ("folder", b"", status.st_mtime_ns)
        else:
            found[name] = ("file", path.read_bytes(), status.st_mtime_ns)
    return found


def test_a_cache_root_that_is_a_link_is_not_used(register: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    link = tmp_path / "cache"
    link.symlink_to(target)
    uncached = runs(register, None)
    assert runs(register, link) == uncached
    assert list(target.iterdir()) == []


@pytest.mark.parametrize("mode", [0o777, 0o757, 0o775, 0o1777])
def test_a_cache_root_others_can_write_is_not_used(
    filled: tuple[Path, Path, list[Run]], mode: int
) -> None:
    register, root, uncached = filled
    root.chmod(mode)
    before = _snapshot(root)
    assert runs(register, root) == uncached
    assert _snapshot(root) == before  # not read either: reading touches a file's time


@pytest.mark.parametrize("folder", ["fingerprint", "packs", "register's packs", "results"])
@pytest.mark.parametrize("how", ["link", "writable by others"])
def test_a_cache_subfolder_that_is_a_link_or_writable_by_others_is_not_used(
    filled: tuple[Path, Path, list[Run]], tmp_path: Path, folder: str, how: str
) -> None:
    register, root, uncached = filled
    (fingerprint,) = root.glob("*/")
    where = {
        "fingerprint": fingerprint,
        "packs": fingerprint / "packs",
        "register's packs": packs(root)[0].parent,
        "results": fingerprint / "results",
    }[folder]
    if how == "link":
        moved = tmp_path / "moved"
        where.rename(moved)
        where.symlink_to(moved)
    else:
        where.chmod(0o777)
    before = _snapshot(root)
    moved_before = _snapshot(tmp_path / "moved") if how == "link" else {}
    assert runs(register, root) == uncached
    assert _snapshot(root) == before
    if how == "link":
        assert _snapshot(tmp_path / "moved") == moved_before


def test_a_cache_root_owned_by_another_user_is_not_used(
    filled: tuple[Path, Path, list[Run]],
) -> None:
    register, root, uncached = filled
    if not IS_ROOT:
        pytest.skip("only root can give a folder to another user")
    os.chown(root, 65534, 65534)
    before = _snapshot(root)
    assert runs(register, root) == uncached
    assert _snapshot(root) == before


@pytest.mark.skipif(IS_ROOT, reason=AS_ROOT)
def test_a_read_only_cache_root_runs_uncached(filled: tuple[Path, Path, list[Run]]) -> None:
    register, root, _uncached = filled
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(0o500)
    risk = register / "risks/R-001.yaml"
    risk.write_bytes(risk.read_bytes() + b"# changed: a pack and a result that cannot be kept\n")
    assert runs(register, root) == runs(register, None)


@pytest.mark.skipif(IS_ROOT, reason=AS_ROOT)
def test_unreadable_cache_files_are_misses(filled: tuple[Path, Path, list[Run]]) -> None:
    register, root, uncached = filled
    for path in cache_files(root):
        path.chmod(0)
    assert runs(register, root) == uncached


def _failing_in(root: Path, flags: int) -> Callable[..., int]:
    """os.open that fails with EACCES for paths under `root` opened with any of `flags`."""
    real_open = os.open

    def failing_open(path: Any, mode: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path).startswith(str(root)) and (mode & flags or flags == 0):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, mode, *args, **kwargs)

    return failing_open


def test_a_cache_that_cannot_be_written_runs_uncached(
    filled: tuple[Path, Path, list[Run]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a read-only cache folder does, as root too: every write fails (EACCES)."""
    register, root, _uncached = filled
    risk = register / "risks/R-001.yaml"
    risk.write_bytes(risk.read_bytes() + b"# changed: a pack and a result that cannot be kept\n")
    expected = runs(register, None)
    before = _snapshot(root)
    monkeypatch.setattr(os, "open", _failing_in(root, os.O_CREAT | os.O_WRONLY))
    assert runs(register, root) == expected
    assert {name for name, (kind, _, _) in _snapshot(root).items()} == set(before)


def test_cache_files_that_cannot_be_read_are_misses(
    filled: tuple[Path, Path, list[Run]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What chmod 000 does to a user who is not root: opening any cache file fails."""
    register, root, uncached = filled
    monkeypatch.setattr(os, "open", _failing_in(root, 0))
    assert runs(register, root) == uncached


def test_a_cache_root_under_a_file_runs_uncached(register: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"not a folder")
    assert runs(register, blocker / "cache") == runs(register, None)
    assert blocker.read_bytes() == b"not a folder"


# --- forgeries ------------------------------------------------------------------------------


def test_a_hand_edited_pack_with_its_checksum_recomputed_is_believed(
    filled: tuple[Path, Path, list[Run]],
) -> None:
    """What the cache does NOT protect against: someone who can write the cache folder can
    make riskctl read what they like, as they could by editing the register. This is why the
    folder must be the user's own, private, and not writable by others (tested above); the
    header's SHA-256 catches damage, not forgery. Pinned so that a change here is a decision."""
    register, root, uncached = filled
    for path in results(root):
        value = cache._decode(path.read_bytes())
        path.write_bytes(cache._encode(forged(value)))
    assert riskctl(commands(register)[2], root).stdout == "FORGED\n"
    for path in results(root):
        path.unlink()
    for path in packs(root):
        value = cache._decode(path.read_bytes())
        path.write_bytes(cache._encode(forged(value)))
    score = riskctl(commands(register)[2], root)
    assert '"title": "FORGED"' in score.stdout
    assert score.stdout != uncached[2].stdout


class _Call:
    """Pickles as a call of `function` with `arguments`: what a malicious pickle does."""

    def __init__(self, function: Callable[..., Any], *arguments: Any) -> None:
        self.function, self.arguments = function, arguments

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.function, self.arguments)


def _raw_global(module: str, name: str) -> bytes:
    """A protocol-0 pickle that is just the global `module.name` (and then calls it)."""
    return f"c{module}\n{name}\n(tR.".encode()


def hostile_payloads(marker: Path) -> dict[str, bytes]:
    command = f"touch {marker}"
    return {
        "os.system": pickle.dumps(_Call(os.system, command), protocol=5),
        "builtins.eval": pickle.dumps(
            _Call(eval, f"__import__('os').system({command!r})"), protocol=5
        ),
        "builtins.exec": pickle.dumps(
            _Call(exec, f"open({str(marker)!r}, 'w').close()"), protocol=5
        ),
        "subprocess.call": pickle.dumps(
            _Call(__import__("subprocess").call, ["touch", str(marker)]), protocol=2
        ),
        "a riskctl function": _raw_global("riskctl.load.cache", "configure"),
        "a module that runs riskctl when imported": _raw_global("riskctl.__main__", "main"),
        "a riskctl module that does not exist": _raw_global("riskctl.nothing", "Here"),
        "a dotted name": _raw_global("riskctl.findings", "Hit.__init__"),
        "a riskctl dataclass's module global": _raw_global("riskctl.load.cache", "os"),
        "io.FileIO": pickle.dumps(_Call(io.FileIO, str(marker), "w"), protocol=5),
    }


@pytest.mark.parametrize("name", sorted(hostile_payloads(Path("/x"))))
def test_a_pickle_that_names_code_runs_nothing(
    filled: tuple[Path, Path, list[Run]], tmp_path: Path, name: str
) -> None:
    """A cache file with a valid header around a pickle that would run code: refused by the
    unpickler (nothing runs, the marker file is never made), and the entry is a miss."""
    register, root, uncached = filled
    marker = tmp_path / "pwned"
    payload = hostile_payloads(marker)[name]
    header = HEADER.pack(
        cache.MAGIC,
        cache.FORMAT,
        cache.fingerprint(),
        len(payload),
        hashlib.sha256(payload).digest(),
    )
    for path in [*packs(root), *results(root)]:
        path.write_bytes(header + payload)
    with pytest.raises(ValueError, match="cannot unpickle"):
        cache._decode(header + payload)
    assert not marker.exists()
    assert runs(register, root) == uncached
    assert not marker.exists()
