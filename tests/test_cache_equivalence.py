"""With and without the cache, the same bytes (issue 16: "findings, scores and reports are
identical with and without the cache, tested over the shipped register, the hostile suite and
random edits").

Each command runs three times in one cache folder: cold (filling it), warm (answered from it),
and with `RISKCTL_NO_CACHE=1`; all three give the same exit code, stdout and stderr. Over the
hostile files, the loaded register itself is compared too, and a warm load parses nothing (a
pack that could not be read back would make the cache silently useless).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskctl.lint.engine import lint
from riskctl.load import Loaded, Sources, load, parse, read_directory
from riskctl.load import cache as cache_module
from riskctl.load import register as load_module
from tests.conftest import FROZEN_NOW, SHIPPED_REGISTER
from tests.gitrepo import GitRepo
from tests.test_cache import Run, packs, results, riskctl, warned_register
from tests.test_fuzz import HOSTILE_SCALARS, PROFILE, TYPE_CHANGES, mutated_sources
from tests.test_hostile import SHARED_SUITE, hostile_files, read_index, write_register
from tests.test_report_reviews import build_review_history

NOW = datetime.date.fromisoformat(FROZEN_NOW)


def three_ways(args: list[str], root: Path) -> Run:
    """Cold, warm and uncached: one answer; and every file the runs kept reads back (one the
    restricted unpickler refused would be a miss on every run)."""
    cold = riskctl(args, root)
    warm = riskctl(args, root)
    uncached = riskctl(args, None)
    assert cold == uncached
    assert warm == uncached
    for path in [*packs(root), *results(root)]:
        cache_module._decode(path.read_bytes())
    return warm


@contextlib.contextmanager
def working_directory(folder: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


# --- the shipped register -------------------------------------------------------------------

SHIPPED_COMMANDS = {
    "lint text": ["lint", "-f", "text"],
    "lint json": ["lint", "-f", "json"],
    "lint github": ["lint", "-f", "github"],
    "lint sarif": ["lint", "-f", "sarif"],
    "lint selected": ["lint", "--select", "RK9", "--ignore", "RK907"],
    "score text": ["score"],
    "score json": ["score", "-f", "json"],
    "score csv": ["score", "-f", "csv"],
    "score filtered": ["score", "-f", "json", "--category", "payments-fraud"],
    "score with records after --now": ["score", "-f", "json", "--now", "2026-11-20"],
    "report wbr": ["report", "wbr"],
}


@pytest.fixture(scope="module")
def shipped_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for every command on the shipped register, as a user's would be."""
    return tmp_path_factory.mktemp("shipped-cache")


@pytest.mark.parametrize("name", SHIPPED_COMMANDS)
def test_the_shipped_register_gives_the_same_bytes(name: str, shipped_cache: Path) -> None:
    command = SHIPPED_COMMANDS[name]
    args = [*command, "register", *([] if "--now" in command else ["--now", FROZEN_NOW])]
    with working_directory(SHIPPED_REGISTER.parent):
        warm = three_ways(args, shipped_cache)
    assert warm.stdout  # something to compare


TEST_REGISTERS = sorted((Path(__file__).parent / "data" / "registers").iterdir())


@pytest.mark.parametrize("folder", TEST_REGISTERS, ids=lambda folder: folder.name)
def test_the_test_registers_give_the_same_bytes(folder: Path, tmp_path: Path) -> None:
    """The suite's other registers (broken on purpose, frameworks, quant inputs)."""
    root = tmp_path / "cache"
    for args in (
        ["lint", "-f", "json"],
        ["score", "-f", "json", "--partial"],
        ["report", "register", "--partial"],
    ):
        three_ways([*args, str(folder), "--now", FROZEN_NOW], root)


# --- git: --rev reads and the MBR's month-ends ----------------------------------------------


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    """test_report_reviews' repository (commits over 2026, tags), with the working tree
    changed after its last commit."""
    repo = build_review_history(tmp_path_factory.mktemp("cache-reviews") / "repo")
    risk = repo.root / "register/risks/R-001.yaml"
    risk.write_text(risk.read_text(encoding="utf-8") + "# not committed\n", encoding="utf-8")
    return repo


HISTORY_COMMANDS = {
    "lint --rev HEAD": ["lint", "register", "--rev", "HEAD"],
    "lint --rev v0": ["lint", "register", "--rev", "v0"],
    "lint working tree": ["lint", "register"],
    "lint --new-since": ["lint", "register", "--new-since", "v0"],
    "lint --rev --select": ["lint", "-f", "json", "register", "--rev", "HEAD", "--select", "RK5"],
    "kri status": ["kri", "status", "-f", "json", "register"],
    "due": ["due", "register"],
    "incidents": ["incidents", "register"],
    "score --rev HEAD~2": ["score", "-f", "json", "register", "--rev", "HEAD~2"],
    "score csv --rev HEAD": ["score", "-f", "csv", "register", "--rev", "HEAD"],
    "report mbr": ["report", "mbr", "register"],
    "report mbr --rev": ["report", "mbr", "register", "--rev", "wbr-2026-11-13"],
    "report wbr": ["report", "wbr", "register"],
    "report register": ["report", "register", "register", "--rev", "HEAD~1"],
    "diff": ["diff", "v0", "HEAD", "register"],
    "diff of the working tree": ["diff", "-f", "json", "HEAD~1", "register"],
    "diff since a merge base": ["diff", "v0...HEAD", "register"],
    "log": ["log", "R-001", "register"],
}


@pytest.mark.parametrize("name", HISTORY_COMMANDS)
def test_git_reads_give_the_same_bytes(name: str, history: GitRepo, tmp_path: Path) -> None:
    args = [*HISTORY_COMMANDS[name], "--now", FROZEN_NOW]
    if name == "log":
        args = HISTORY_COMMANDS[name]
    with working_directory(history.root):
        warm = three_ways(args, tmp_path / "cache")
    assert warm.stdout


def test_report_site_writes_the_same_files(history: GitRepo, tmp_path: Path) -> None:
    """One process, many reads (every page, the WBR and the MBR): the same site."""
    root = tmp_path / "cache"
    sites = []
    with working_directory(history.root):
        for number, cache_dir in enumerate([root, root, None]):
            out = tmp_path / f"site-{number}"
            run = riskctl(
                ["report", "site", "register", "--out", str(out), "--now", FROZEN_NOW], cache_dir
            )
            assert run.exit_code == 0, run.stderr
            sites.append(
                {
                    path.relative_to(out).as_posix(): path.read_bytes()
                    for path in sorted(out.rglob("*"))
                    if path.is_file()
                }
            )
    assert len(sites[0]) > 5
    assert sites[0] == sites[2]
    assert sites[1] == sites[2]


def test_the_mbr_reads_month_ends_from_the_cache(
    history: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The month-end history is read through the cache: a second MBR parses no file again."""
    root = tmp_path / "cache"
    with working_directory(history.root):
        three_ways(["report", "mbr", "register", "--now", FROZEN_NOW], root)
        parsed: list[str] = []
        original = load_module.parse  # type: ignore[attr-defined]

        def counting(file: str, raw: bytes) -> object:
            parsed.append(file)
            return original(file, raw)

        monkeypatch.setattr(load_module, "parse", counting)
        riskctl(["report", "mbr", "register", "--now", FROZEN_NOW], root)
    assert [file for file in parsed if file != "riskctl.yaml"] == []


# --- hostile files --------------------------------------------------------------------------


def _register_of(folder: Path, cases: dict[str, bytes]) -> Path:
    """The minimal register with each case as a risk file of its own."""
    register = write_register(folder)
    for number, (_case, raw) in enumerate(sorted(cases.items()), start=1000):
        (register / f"risks/R-{number}.yaml").write_bytes(raw)
    return register


def _hostile_cases() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in hostile_files()}


def _shared_cases() -> dict[str, bytes]:
    if not (SHARED_SUITE / "index.txt").is_file():
        pytest.skip(f"no YAML test suite at {SHARED_SUITE}")
    return {
        case: (SHARED_SUITE / "cases" / f"{case}.yaml").read_bytes()
        for case in read_index(SHARED_SUITE)
    }


def _loaded_view(loaded: Loaded) -> tuple[str, ...]:
    """A loaded register as comparable text (repr: a NaN equals itself)."""
    return (
        repr(loaded.hits),
        repr(sorted(loaded.raw.items())),
        repr(sorted(loaded.failed.items())),
        repr(loaded.register.records),
        repr(sorted((kind, sorted(ids)) for kind, ids in loaded.register.known_ids.items())),
    )


@pytest.mark.parametrize("suite", ["hostile", "yaml-test-suite"])
def test_hostile_files_give_the_same_answers(
    suite: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = _hostile_cases() if suite == "hostile" else _shared_cases()
    register = _register_of(tmp_path / "register", cases)
    root = tmp_path / "cache"
    for args in (
        ["lint", "-f", "json", str(register), "--now", FROZEN_NOW],
        ["score", "-f", "json", "--partial", str(register), "--now", FROZEN_NOW],
    ):
        three_ways(args, root)
    # the library's load, cached (from the packs the runs above wrote) and not
    monkeypatch.setenv("RISKCTL_CACHE_DIR", str(root))
    sources = read_directory(register)
    cache_module.configure(enabled=False)
    uncached = _loaded_view(load(sources))
    parsed: list[str] = []
    original = load_module.parse  # type: ignore[attr-defined]

    def counting(file: str, raw: bytes) -> object:
        parsed.append(file)
        return original(file, raw)

    monkeypatch.setattr(load_module, "parse", counting)
    cache_module.configure(enabled=True)
    assert _loaded_view(load(sources)) == uncached
    assert parsed == ["riskctl.yaml"], "some parsed file did not come back from the pack"


# --- random edits, one cache ----------------------------------------------------------------

EDITS = ["change a value", "break the YAML", "invalid value", "delete", "add", "rename"]
FILES = [
    "risks/R-001.yaml",
    "controls/C-001.yaml",
    "controls/C-002.yaml",
    "acceptances/ACC-001.yaml",
    "kris/KRI-001.yaml",
    "owners/payments-risk.yaml",
]


def _apply(register: Path, edit: str, file: str, number: int) -> None:
    target = register / file
    folder = target.parent
    existing = sorted(folder.glob("*.yaml"))
    if not target.exists():
        if not existing:
            return
        target = existing[number % len(existing)]
    text = target.read_bytes()
    if edit == "change a value":
        lines = text.split(b"\n")
        lines[number % len(lines)] = lines[number % len(lines)].replace(b": ", b": x", 1)
        target.write_bytes(b"\n".join(lines))
    elif edit == "break the YAML":
        target.write_bytes(text + b"oops: [unclosed\n")
    elif edit == "invalid value":
        target.write_bytes(text + f"reviewed: {number}\n".encode())
    elif edit == "delete":
        target.unlink()
    elif edit == "add":
        stem = target.stem.rsplit("-", 1)[0]
        (folder / f"{stem}-{900 + number % 50}.yaml").write_bytes(text)
    else:
        stem = target.stem.rsplit("-", 1)[0]
        target.rename(folder / f"{stem}-{800 + number % 50}.yaml")


def _answers(register: Path) -> tuple[object, ...]:
    sources = read_directory(register)
    result = lint(sources, today=NOW)
    return (result, _loaded_view(load(sources)))


@settings(
    max_examples=12 if os.environ.get("HYPOTHESIS_PROFILE") != "fuzz" else 500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(EDITS), st.sampled_from(FILES), st.integers(0, 1000)),
        min_size=1,
        max_size=6,
    )
)
def test_random_edits_give_the_same_answers_with_a_warm_cache(
    edits: list[tuple[str, str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        register = warned_register(Path(folder) / "register")
        monkeypatch.setenv("RISKCTL_CACHE_DIR", str(Path(folder) / "cache"))
        try:
            cache_module.configure(enabled=True)
            _answers(register)  # a warm cache of the unedited register
            for edit, file, number in edits:
                _apply(register, edit, file, number)
                cache_module.configure(enabled=True)  # a new run: the packs read from disk
                cached = _answers(register)
                cache_module.configure(enabled=False)
                assert cached == _answers(register), (edit, file, number)
        finally:
            cache_module.configure(enabled=False)
            shutil.rmtree(folder, ignore_errors=True)


def test_log_keeps_what_it_parsed(
    history: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    with working_directory(history.root):
        three_ways(["log", "C-001", "register"], root)
        parsed: list[str] = []
        original = load_module.parse  # type: ignore[attr-defined]

        def counting(file: str, raw: bytes) -> object:
            parsed.append(file)
            return original(file, raw)

        monkeypatch.setattr(load_module, "parse", counting)
        riskctl(["log", "C-001", "register"], root)
    assert [file for file in parsed if file != "riskctl.yaml"] == []


# --- whatever parsing gives comes back from a pack ------------------------------------------


def _round_trip(file: str, raw: bytes) -> None:
    parsed = parse(file, raw)
    entry = (parsed.data, parsed.hits)
    assert repr(cache_module._decode(cache_module._encode({(file, "id"): entry}))) == repr(
        {(file, "id"): entry}
    )


@pytest.mark.parametrize("value", [*HOSTILE_SCALARS, *TYPE_CHANGES])
def test_every_odd_value_comes_back_from_a_pack(value: str) -> None:
    """test_fuzz's hostile scalars and type changes, as a value and as a key."""
    risk = (SHIPPED_REGISTER / "risks/R-001.yaml").read_bytes()
    for line in (f"title: {value}", f"{value}: 1", f"controls: [{value}]"):
        _round_trip("risks/R-001.yaml", risk + line.encode("utf-8") + b"\n")


@PROFILE
@given(mutated=mutated_sources())
def test_every_mutated_file_comes_back_from_a_pack(mutated: tuple[Sources, object]) -> None:
    sources, _mutations = mutated
    for file, raw in sources.files.items():
        _round_trip(file, raw)


def test_every_pack_entry_is_what_parsing_its_content_gives(
    history: GitRepo, tmp_path: Path
) -> None:
    """After commands that parse through the cache in many ways (month-ends, both sides of a
    diff, an entity's history, --new-since), each entry of each pack is exactly what parsing
    the content its key names gives: nothing a command did with the data it was handed was
    written back."""
    root = tmp_path / "cache"
    commands = [
        ["report", "mbr", "register", "--now", FROZEN_NOW],
        ["diff", "v0", "HEAD", "register", "--now", FROZEN_NOW],
        ["diff", "-f", "json", "HEAD~1", "register", "--now", FROZEN_NOW],
        ["log", "R-001", "register"],
        ["lint", "register", "--new-since", "v0", "--now", FROZEN_NOW],
        ["score", "-f", "json", "register", "--rev", "HEAD~2", "--now", FROZEN_NOW],
    ]
    with working_directory(history.root):
        for args in commands:
            riskctl(args, root)
    checked = 0
    for path in packs(root):
        for (file, blob), (data, hits) in cache_module._decode(path.read_bytes()).items():
            on_disk = history.root / "register" / file
            content = (
                on_disk.read_bytes()
                if on_disk.is_file() and load_module.blob_id(on_disk.read_bytes()) == blob
                else history.git("cat-file", "blob", blob).encode() + b"\n"
            )
            assert load_module.blob_id(content) == blob, file
            fresh = parse(file, content)
            assert repr((data, hits)) == repr((fresh.data, fresh.hits)), file
            checked += 1
    assert checked > 20
