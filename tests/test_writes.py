"""riskctl.writes: all-or-nothing writes across files, a lock, and no lost update."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from riskctl.errors import RiskctlError
from riskctl.writes import FileChange, apply_changes, current_bytes, register_lock


def _files(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_bytes(b"id: A\n")
    second.write_bytes(b"id: B\n")
    return first, second


def test_applies_every_change_and_skips_no_change(tmp_path: Path) -> None:
    first, second = _files(tmp_path)
    new = tmp_path / "c.yaml"
    changed = apply_changes(
        tmp_path,
        [
            FileChange(first, b"id: A\n", b"id: A\n# edited\n"),
            FileChange(second, b"id: B\n", b"id: B\n"),
            FileChange(new, None, b"id: C\n"),
        ],
    )
    assert changed == [first, new]
    assert first.read_bytes() == b"id: A\n# edited\n"
    assert new.read_bytes() == b"id: C\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.yaml", "b.yaml", "c.yaml"]


def test_keeps_the_mode_of_a_replaced_file(tmp_path: Path) -> None:
    first, _ = _files(tmp_path)
    first.chmod(0o640)
    apply_changes(tmp_path, [FileChange(first, b"id: A\n", b"id: A2\n")])
    assert first.stat().st_mode & 0o777 == 0o640


def test_a_file_changed_since_read_refuses_everything(tmp_path: Path) -> None:
    first, second = _files(tmp_path)
    second.write_bytes(b"id: B\n# someone else\n")
    with pytest.raises(RiskctlError, match=r"b\.yaml: changed since riskctl read it"):
        apply_changes(
            tmp_path,
            [
                FileChange(first, b"id: A\n", b"id: A2\n"),
                FileChange(second, b"id: B\n", b"id: B2\n"),
            ],
        )
    assert first.read_bytes() == b"id: A\n"
    assert second.read_bytes() == b"id: B\n# someone else\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


def test_a_new_file_that_appeared_is_refused(tmp_path: Path) -> None:
    first, _ = _files(tmp_path)
    with pytest.raises(RiskctlError, match="appeared since"):
        apply_changes(tmp_path, [FileChange(first, None, b"id: X\n")])
    assert first.read_bytes() == b"id: A\n"


def test_a_symbolic_link_is_never_written_through(tmp_path: Path) -> None:
    first, _ = _files(tmp_path)
    link = tmp_path / "link.yaml"
    link.symlink_to(first)
    with pytest.raises(RiskctlError, match="symbolic link"):
        apply_changes(tmp_path, [FileChange(link, b"id: A\n", b"id: Z\n")])
    assert first.read_bytes() == b"id: A\n"
    with pytest.raises(RiskctlError, match="symbolic link"):
        current_bytes(link)


def test_a_failed_rename_puts_back_what_was_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: the second rename fails; the first file is restored, no temp is left."""
    first, second = _files(tmp_path)
    real_replace = os.replace
    calls = {"count": 0}

    def failing_replace(source: str, target: Path) -> None:
        calls["count"] += 1
        if calls["count"] == 2:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(RiskctlError, match=r"b\.yaml: cannot write: No space left on device"):
        apply_changes(
            tmp_path,
            [
                FileChange(first, b"id: A\n", b"id: A2\n"),
                FileChange(second, b"id: B\n", b"id: B2\n"),
            ],
        )
    assert first.read_bytes() == b"id: A\n"
    assert second.read_bytes() == b"id: B\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


def test_a_held_lock_makes_a_second_writer_wait_then_refuse(tmp_path: Path) -> None:
    first, _ = _files(tmp_path)
    with register_lock(tmp_path), pytest.raises(RiskctlError, match="another riskctl"):
        apply_changes(tmp_path, [FileChange(first, b"id: A\n", b"id: A2\n")], wait=0.2)
    assert first.read_bytes() == b"id: A\n"


def _writer(folder: str, index: int, results: multiprocessing.Queue[str]) -> None:
    root = Path(folder)
    changes = [
        FileChange(root / f"f{number}.yaml", b"v: 0\n", f"v: {index}\n".encode())
        for number in range(20)
    ]
    try:
        apply_changes(root, changes, wait=30)
        results.put(f"ok {index}")
    except RiskctlError as error:
        results.put(f"refused {index}: {error}")


def test_concurrent_writers_never_mix_or_lose_an_update(tmp_path: Path) -> None:
    """Writers that all read `v: 0`: exactly one lands, whole; the others are refused."""
    for number in range(20):
        (tmp_path / f"f{number}.yaml").write_bytes(b"v: 0\n")
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[str] = context.Queue()
    writers = [context.Process(target=_writer, args=(str(tmp_path), i, results)) for i in (1, 2, 3)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(60)
    outcomes = sorted(results.get(timeout=5) for _ in writers)
    winners = [outcome for outcome in outcomes if outcome.startswith("ok")]
    assert len(winners) == 1, outcomes
    index = winners[0].split()[1]
    contents = {(tmp_path / f"f{number}.yaml").read_text() for number in range(20)}
    assert contents == {f"v: {index}\n"}
    assert len(list(tmp_path.iterdir())) == 20


def test_a_missing_kind_folder_is_made_and_removed_again_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A register without `risks/` gets it for a first risk; a failed write takes it away."""
    first = tmp_path / "risks" / "R-001.yaml"
    apply_changes(tmp_path, [FileChange(first, None, b"id: R-001\n")])
    assert first.read_bytes() == b"id: R-001\n"

    def failing_link(source: str, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", failing_link)
    with pytest.raises(RiskctlError, match="No space left on device; nothing written"):
        apply_changes(tmp_path, [FileChange(tmp_path / "controls" / "C-001.yaml", None, b"x\n")])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["risks"]


def test_only_a_kind_folder_is_made_never_a_tree(tmp_path: Path) -> None:
    deep = tmp_path / "risks" / "more" / "R-001.yaml"
    with pytest.raises(RiskctlError, match="does not exist"):
        apply_changes(tmp_path, [FileChange(deep, None, b"x\n")])
    assert list(tmp_path.iterdir()) == []
