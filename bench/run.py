"""Time riskctl as whole processes against floors measured in the same run; print a table.

    .venv/bin/python bench/run.py [--risks 5000] [--repeat 3] [--cmd "PATH [ARGS]"]

Every number is the wall-clock time (`time.perf_counter`) of a child process, from start to
exit. A benchmark is a ratio to a floor: the same work done by the simplest process that cannot
be beaten (a bare libyaml parse of the register, `import typer`), timed in the same run on the
same machine, so the goal holds whatever the machine. `make bench` runs this file.

riskctl's persistent cache is off in every command (`RISKCTL_NO_CACHE=1`) unless a measurement
says otherwise; the cached ones keep their cache in a folder of their own under bench/.data/cache/,
never the user's.

To add a benchmark, add its command to MEASUREMENTS (if new) and a row to BENCHMARKS; see
bench/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import itertools
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
RISKCTL = ROOT / ".venv" / "bin" / "riskctl"
#: The date every command is run at, so that findings do not depend on the day.
NOW = "2026-11-27"
SEED = 7
STARTUP_RUNS = 10
DROP_CACHES = Path("/proc/sys/vm/drop_caches")
#: pyfair's own venv (`make bench` installs pyfair==0.1a13 there; never in riskctl's).
PYFAIR_PYTHON = DATA / "venv-pyfair" / "bin" / "python"
#: Where the measurements that use riskctl's persistent cache keep it, one folder each.
CACHES = DATA / "cache"
#: riskctl's settings of its cache (riskctl/load/cache.py). The harness's own values of these
#: are never passed on: a command sees only what its measurement sets.
NO_CACHE, CACHE_DIR = "RISKCTL_NO_CACHE", "RISKCTL_CACHE_DIR"
RISKCTL_VARIABLES = "RISKCTL_"


@dataclass(frozen=True)
class Context:
    """What commands are built from: the interpreter, riskctl's command and the register."""

    python: str
    riskctl: list[str] | None
    """The command that runs riskctl, or None when it is not installed."""
    register: Path


def without_cache(context: Context) -> dict[str, str]:
    """The environment of a command timed without riskctl's persistent cache (the default)."""
    del context
    return {NO_CACHE: "1"}


@dataclass(frozen=True)
class Measurement:
    """A command timed as a whole process.

    `cold-warm`: one run just after the page cache is dropped (cold), then one unmeasured
    warm-up and the median of `--repeat` runs (warm). `warm`: the same without the cold run
    (what is timed is a state the warm-up builds, such as a filled cache). `startup`: one
    unmeasured warm-up, then the median of STARTUP_RUNS runs (warm only).
    """

    name: str
    argv: Callable[[Context], list[str]]
    style: Literal["cold-warm", "warm", "startup"]
    needs_riskctl: bool = False
    ok_codes: frozenset[int] = frozenset({0})
    """Exit codes that mean success (lint exits 1 when it has findings)."""
    prepare: Callable[[Context], None] | None = None
    """Builds what the command needs (a git history, a long series) once, before any timing."""
    before: Callable[[Context], None] | None = None
    """Called before every run of the command (cold, warm-up and timed), untimed: puts back
    the state each run must start from (an empty cache folder) or makes a fresh change. It
    raises CommandFailedError when it cannot, and the measurement fails."""
    environment: Callable[[Context], Mapping[str, str]] = without_cache
    """Variables set for the command, over the harness's environment without its `RISKCTL_*`
    variables. By default riskctl's persistent cache is off (see `cached`)."""


@dataclass(frozen=True)
class Benchmark:
    """A row of the table: a measurement, its floor and the goal for their ratio.

    With `floor` None, `goal` is in seconds, not a ratio; with `goal` None, the row is shown
    for reference only.
    """

    name: str
    measurement: str
    floor: str | None
    goal: float | None


def riskctl(*arguments: str) -> Callable[[Context], list[str]]:
    """The argv of a riskctl subcommand; `{register}` in an argument becomes the register."""

    def build(context: Context) -> list[str]:
        assert context.riskctl is not None  # measurements that need riskctl are skipped without
        return [*context.riskctl, *(a.format(register=context.register) for a in arguments)]

    return build


def python(*arguments: str) -> Callable[[Context], list[str]]:
    """The argv of the benchmark's Python; `{register}` in an argument becomes the register."""

    def build(context: Context) -> list[str]:
        return [context.python, *(a.format(register=context.register) for a in arguments)]

    return build


def diff_repository(context: Context) -> Path:
    """Where the diff benchmark's repository lives: two commits of the register, 1% apart."""
    return context.register.parent / f"diff-repo-{context.register.name}"


def prepare_diff_repository(context: Context) -> None:
    """A git repository holding the register, then a commit changing 1% of its files."""
    repository = diff_repository(context)
    if (repository / ".git").is_dir():
        return
    partial = repository.with_name(repository.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(context.register, partial / "register")
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }

    def git(*arguments: str) -> None:
        subprocess.run(["git", *arguments], cwd=partial, env=environment, check=True)

    git("init", "--quiet", "--initial-branch=main")
    git("add", "--all")
    git("commit", "--quiet", "-m", "synthetic register")
    mutate = [context.python, str(BENCH / "generate.py"), str(partial / "register")]
    subprocess.run([*mutate, "--mutate", "1"], check=True, stdout=subprocess.DEVNULL)
    git("add", "--all")
    git("commit", "--quiet", "-m", "change 1% of the files")
    partial.rename(repository)


KRI_SERIES_POINTS = 100_000


def kri_series(context: Context) -> Path:
    """Where the `kri xmr` benchmark's series lives."""
    del context
    return DATA / f"kri-series-{KRI_SERIES_POINTS}-seed{SEED}.csv"


def prepare_kri_series(context: Context) -> None:
    """A daily `date,value` series of 100,000 points with a shift in level, for `kri xmr`."""
    import random

    path = kri_series(context)
    if path.is_file():
        return
    generator = random.Random(SEED)
    start = datetime.date(1800, 1, 1)
    lines = ["date,value\n"]
    for index in range(KRI_SERIES_POINTS):
        level = 100.0 if index < KRI_SERIES_POINTS * 3 // 5 else 104.0
        day = start + datetime.timedelta(days=index)
        lines.append(f"{day.isoformat()},{generator.gauss(level, 3.0):.2f}\n")
    DATA.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text("".join(lines), encoding="utf-8")
    partial.rename(path)  # only a complete series ever has the final name


def cache_folder(context: Context, name: str) -> Path:
    """The persistent cache folder of the measurement `name` on this register."""
    return CACHES / f"{name}-{context.register.name}"


def cached(name: str) -> Callable[[Context], dict[str, str]]:
    """The environment of a command that uses riskctl's persistent cache, in its own folder."""

    def environment(context: Context) -> dict[str, str]:
        return {CACHE_DIR: str(cache_folder(context, name))}

    return environment


def empty_cache(name: str) -> Callable[[Context], None]:
    """A hook that empties the cache folder `name` (riskctl finds an empty folder, its own:
    private, as riskctl would create it)."""

    def empty(context: Context) -> None:
        folder = cache_folder(context, name)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(mode=0o700, parents=True)

    return empty


def changing_register(context: Context) -> Path:
    """A copy of the register that `change_files` changes before every run."""
    return context.register.parent / f"changing-{context.register.name}"


def copy_register(context: Context) -> None:
    """A fresh copy of the register at `changing_register`: the last run's changes undone."""
    copy = changing_register(context)
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(context.register, copy)


def in_order(*hooks: Callable[[Context], None]) -> Callable[[Context], None]:
    """One hook that calls `hooks` in order."""

    def call(context: Context) -> None:
        for hook in hooks:
            hook(context)

    return call


#: The first `--mutate-seed` of `change_files` (prepare_diff_repository uses generate.py's
#: default, 1).
FIRST_CHANGE_SEED = 1000


def change_files(percent: float) -> Callable[[Context], None]:
    """A hook that changes a fresh `percent` % of the files of `changing_register`, with a new
    seed each call (`generate.py --mutate`), so that no run finds the same files as any run
    before it: every run parses the changed files again and no whole result is reused."""
    seeds: Iterator[int] = itertools.count(FIRST_CHANGE_SEED)

    def change(context: Context) -> None:
        argv = [context.python, str(BENCH / "generate.py"), str(changing_register(context))]
        argv += ["--mutate", str(percent), "--mutate-seed", str(next(seeds))]
        completed = subprocess.run(argv, capture_output=True, check=False)
        stderr = completed.stderr.decode("utf-8", "replace").strip()
        changed = re.match(r"mutated (\d+) files", stderr)
        if completed.returncode != 0 or changed is None or int(changed.group(1)) == 0:
            # Without a change the timed run would only find the last run's result again.
            raise CommandFailedError(f"{shlex.join(argv)} changed no file\n{stderr}")

    return change


MEASUREMENTS: tuple[Measurement, ...] = (
    Measurement("floor-csafe", python(str(BENCH / "floor_csafe.py"), "{register}"), "cold-warm"),
    Measurement(
        "lint",
        riskctl("lint", "{register}", "--now", NOW, "--format", "json"),
        "cold-warm",
        needs_riskctl=True,
        ok_codes=frozenset({0, 1}),
    ),
    Measurement(
        "lint-warm-cache",
        riskctl("lint", "{register}", "--now", NOW, "--format", "json"),
        "warm",
        needs_riskctl=True,
        ok_codes=frozenset({0, 1}),
        prepare=empty_cache("lint-warm"),
        environment=cached("lint-warm"),
    ),
    Measurement(
        "lint-changed-warm-cache",
        lambda context: [
            *(context.riskctl or []),
            "lint",
            str(changing_register(context)),
            "--now",
            NOW,
            "--format",
            "json",
        ],
        "warm",
        needs_riskctl=True,
        ok_codes=frozenset({0, 1}),
        prepare=in_order(copy_register, empty_cache("lint-changed")),
        before=change_files(1),
        environment=cached("lint-changed"),
    ),
    Measurement(
        "lint-cold-cache",
        riskctl("lint", "{register}", "--now", NOW, "--format", "json"),
        "cold-warm",
        needs_riskctl=True,
        ok_codes=frozenset({0, 1}),
        before=empty_cache("lint-cold"),
        environment=cached("lint-cold"),
    ),
    Measurement(
        "score-warm-cache",
        riskctl("score", "{register}", "--now", NOW, "--format", "json"),
        "warm",
        needs_riskctl=True,
        prepare=empty_cache("score-warm"),
        environment=cached("score-warm"),
    ),
    Measurement(
        "fmt-check",
        riskctl("fmt", "--check", "{register}"),
        "cold-warm",
        needs_riskctl=True,
    ),
    Measurement(
        "score",
        riskctl("score", "{register}", "--now", NOW, "--format", "json"),
        "cold-warm",
        needs_riskctl=True,
    ),
    Measurement(
        "diff",
        lambda context: [
            *(context.riskctl or []),
            "diff",
            "HEAD~1",
            "HEAD",
            str(diff_repository(context) / "register"),
            "--now",
            NOW,
            "--format",
            "json",
        ],
        "cold-warm",
        needs_riskctl=True,
        prepare=prepare_diff_repository,
    ),
    Measurement(
        "kri-xmr",
        lambda context: [
            *(context.riskctl or []),
            "kri",
            "xmr",
            "--csv",
            str(kri_series(context)),
            "--baseline",
            "20000",
            "--format",
            "json",
        ],
        "cold-warm",
        needs_riskctl=True,
        prepare=prepare_kri_series,
    ),
    Measurement(
        "report-markdown",
        riskctl("report", "register", "{register}", "--now", NOW, "--format", "markdown"),
        "cold-warm",
        needs_riskctl=True,
    ),
    Measurement(
        "report-html",
        riskctl("report", "register", "{register}", "--now", NOW, "--format", "html"),
        "cold-warm",
        needs_riskctl=True,
    ),
    Measurement("import-typer", python("-c", "import typer"), "startup"),
    Measurement("python-pass", python("-c", "pass"), "startup"),
    Measurement("help", riskctl("--help"), "startup", needs_riskctl=True),
)

BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("riskctl lint", "lint", floor="floor-csafe", goal=1.5),
    Benchmark(
        "riskctl lint, warm cache (vs floor)", "lint-warm-cache", floor="floor-csafe", goal=0.2
    ),
    Benchmark(
        "riskctl lint, 1% changed, warm cache (vs floor)",
        "lint-changed-warm-cache",
        floor="floor-csafe",
        goal=0.35,
    ),
    Benchmark(
        "riskctl score -f json, warm cache (vs floor)",
        "score-warm-cache",
        floor="floor-csafe",
        goal=0.25,
    ),
    Benchmark(
        "riskctl lint, cold cache (vs uncached lint)", "lint-cold-cache", floor="lint", goal=1.1
    ),
    Benchmark("riskctl score (vs lint)", "score", floor="lint", goal=1.2),
    Benchmark("riskctl fmt --check (vs lint)", "fmt-check", floor="lint", goal=3.0),
    Benchmark("riskctl diff, 1% changed (vs score)", "diff", floor="score", goal=0.25),
    Benchmark("riskctl --help", "help", floor="import-typer", goal=1.3),
    Benchmark(
        "report register -f html (vs markdown)", "report-html", floor="report-markdown", goal=1.1
    ),
    Benchmark("riskctl kri xmr --csv, 100,000 points", "kri-xmr", floor=None, goal=1.0),
    Benchmark("floor: CSafeLoader parse", "floor-csafe", floor=None, goal=None),
    Benchmark("floor: import typer", "import-typer", floor=None, goal=None),
    Benchmark("ref: python -c pass", "python-pass", floor=None, goal=None),
)


@dataclass
class Timing:
    """The runs of one measurement."""

    cold: float | None = None
    warm_runs: list[float] = field(default_factory=list)
    skipped: str | None = None
    """Why the measurement was not run (riskctl missing)."""
    failed: str | None = None
    """The failing command's exit code and stderr."""

    @property
    def warm(self) -> float | None:
        """The median warm run."""
        return statistics.median(self.warm_runs) if self.warm_runs else None


class CommandFailedError(Exception):
    """A timed command exited with a code that is not one of its success codes."""


def child_environment(variables: Mapping[str, str]) -> dict[str, str]:
    """The harness's environment without its `RISKCTL_*` variables, with `variables` set."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(RISKCTL_VARIABLES)}
    return {**inherited, **variables}


def run_once(argv: Sequence[str], ok_codes: frozenset[int], variables: Mapping[str, str]) -> float:
    """Run `argv` with `variables` (see child_environment) to completion and return its
    wall-clock seconds; stdout goes to /dev/null."""
    environment = child_environment(variables)
    started = time.perf_counter()
    completed = subprocess.run(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=environment,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode not in ok_codes:
        stderr = completed.stderr.decode("utf-8", "replace").strip()
        raise CommandFailedError(f"{shlex.join(argv)} exited {completed.returncode}\n{stderr}")
    return elapsed


def drop_page_cache() -> bool:
    """Flush dirty pages and drop the page cache (needs root); whether it worked."""
    os.sync()
    try:
        DROP_CACHES.write_text("3\n")
    except OSError:
        return False
    return True


def ensure_register(risks: int, python_command: str) -> tuple[Path, float | None]:
    """The benchmark register, generated first if missing; returns it and the seconds taken."""
    # Named by the generator's content too, so a changed generator never reuses a stale register.
    generator = hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()[:10]
    register = DATA / f"register-{risks}-seed{SEED}-{generator}"
    if (register / "riskctl.yaml").is_file():
        return register, None
    partial = register.with_name(register.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"generating {register.relative_to(ROOT)} ...", flush=True)
    argv = [python_command, str(BENCH / "generate.py"), str(partial)]
    argv += ["--seed", str(SEED), "--risks", str(risks)]
    started = time.perf_counter()
    subprocess.run(argv, check=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    shutil.rmtree(register, ignore_errors=True)
    partial.rename(register)  # only a complete register ever has the final name
    return register, elapsed


def register_size(register: Path) -> tuple[int, int]:
    """The number of `.yaml` files under `register` and their total size in bytes."""
    sizes = [path.stat().st_size for path in register.rglob("*.yaml")]
    return len(sizes), sum(sizes)


def needed_measurements() -> list[Measurement]:
    """The measurements some benchmark uses, in MEASUREMENTS order."""
    names = {row.measurement for row in BENCHMARKS}
    names |= {row.floor for row in BENCHMARKS if row.floor is not None}
    return [measurement for measurement in MEASUREMENTS if measurement.name in names]


def measure(
    measurements: Sequence[Measurement], context: Context, repeat: int, drop: bool
) -> dict[str, Timing]:
    """Time every measurement: cold runs first, then interleaved warm rounds."""
    timings = {measurement.name: Timing() for measurement in measurements}
    runnable: list[Measurement] = []
    for measurement in measurements:
        if measurement.needs_riskctl and context.riskctl is None:
            timings[measurement.name].skipped = f"riskctl not found at {RISKCTL}"
            continue
        if measurement.prepare is not None:
            measurement.prepare(context)
        runnable.append(measurement)

    def attempt(measurement: Measurement, *, cold: bool = False) -> float | None:
        """One timed run (after the measurement's `before`, and for a cold run after dropping
        the page cache, both untimed), or None once the measurement has failed."""
        timing = timings[measurement.name]
        if timing.failed is not None:
            return None
        variables = measurement.environment(context)
        try:
            if measurement.before is not None:
                measurement.before(context)
            if cold:
                drop_page_cache()
            return run_once(measurement.argv(context), measurement.ok_codes, variables)
        except CommandFailedError as error:
            timing.failed = str(error)
            print(f"FAILED: {error}", file=sys.stderr, flush=True)
            return None

    cold_warm = [m for m in runnable if m.style == "cold-warm"]
    warm = [m for m in runnable if m.style in ("cold-warm", "warm")]
    startup = [m for m in runnable if m.style == "startup"]
    for measurement in cold_warm:
        timings[measurement.name].cold = attempt(measurement, cold=drop)
    # Warm: one unmeasured run each, then rounds that interleave the commands, so that a drift
    # in machine speed affects a benchmark and its floor alike.
    for group, rounds in ((warm, repeat), (startup, STARTUP_RUNS)):
        for measurement in group:
            attempt(measurement)
        for _ in range(rounds):
            for measurement in group:
                seconds = attempt(measurement)
                if seconds is not None:
                    timings[measurement.name].warm_runs.append(seconds)
    return timings


@dataclass(frozen=True)
class Row:
    """A computed row of the table."""

    name: str
    seconds_cold: float | None
    seconds_warm: float | None
    floor_cold: float | None
    floor_warm: float | None
    ratio_cold: float | None
    ratio_warm: float | None
    goal: str
    verdict: str


def ratio(value: float | None, floor: float | None) -> float | None:
    """value / floor, when both exist."""
    return None if value is None or floor is None or floor <= 0 else value / floor


def evaluate(row: Benchmark, timings: dict[str, Timing]) -> Row:
    """Ratios and verdict of one benchmark: OK only if every measured ratio meets the goal."""
    timing = timings[row.measurement]
    floor = timings[row.floor] if row.floor is not None else Timing()
    ratio_cold, ratio_warm = ratio(timing.cold, floor.cold), ratio(timing.warm, floor.warm)
    if row.goal is None:
        goal = "-"
    else:
        goal = f"<= {row.goal:.2f}x" if row.floor is not None else f"<= {row.goal:.2f} s"
    if timing.failed is not None or floor.failed is not None:
        verdict = "FAIL"
    elif timing.skipped is not None or floor.skipped is not None:
        verdict = "skipped"
    elif row.goal is None:
        verdict = "-"
    else:
        judged = [ratio_cold, ratio_warm] if row.floor is not None else [timing.cold, timing.warm]
        measured = [value for value in judged if value is not None]
        verdict = "OK" if measured and max(measured) <= row.goal else "MISS"
    return Row(
        name=row.name,
        seconds_cold=timing.cold,
        seconds_warm=timing.warm,
        floor_cold=floor.cold,
        floor_warm=floor.warm,
        ratio_cold=ratio_cold,
        ratio_warm=ratio_warm,
        goal=goal,
        verdict=verdict,
    )


def render_table(rows: Sequence[Row]) -> str:
    """The rows as a plain-text table."""

    def seconds(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    def times(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}x"

    header = (
        "benchmark",
        "seconds cold",
        "seconds warm",
        "floor cold",
        "floor warm",
        "ratio cold",
        "ratio warm",
        "goal",
        "",
    )
    cells = [header]
    cells += [
        (
            row.name,
            seconds(row.seconds_cold),
            seconds(row.seconds_warm),
            seconds(row.floor_cold),
            seconds(row.floor_warm),
            times(row.ratio_cold),
            times(row.ratio_warm),
            row.goal,
            row.verdict,
        )
        for row in rows
    ]
    widths = [max(len(line[column]) for line in cells) for column in range(len(header))]
    lines = []
    for line in cells:
        first = line[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(line[1:-1], widths[1:-1], strict=True)]
        lines.append("  ".join([first, *rest, line[-1]]).rstrip())
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


# --- quantification: computations timed inside child processes -----------------------------------

QUANT_RISKS, QUANT_YEARS = 1000, 100_000
MEMORY_RISKS, MEMORY_YEARS = 20, 1_000_000
MEMORY_GOAL = 1 << 30
QUANT_GOAL = 1.5


@dataclass(frozen=True)
class QuantRow:
    """A row of the quantification table."""

    name: str
    value: str
    floor: str
    ratio: float | None
    """Wall-clock seconds over the floor's (shown)."""
    cpu_ratio: float | None
    """CPU seconds over the floor's (judged: other work on a busy machine hardly moves it)."""
    goal: str
    verdict: str


def quant_child(argv: Sequence[str]) -> dict[str, object]:
    """Run a child that prints one JSON line; CommandFailedError when it fails."""
    completed = subprocess.run(
        argv, stdin=subprocess.DEVNULL, capture_output=True, cwd=ROOT, check=False
    )
    if completed.returncode != 0:
        stderr = completed.stderr.decode("utf-8", "replace").strip()
        raise CommandFailedError(f"{shlex.join(argv)} exited {completed.returncode}\n{stderr}")
    result = json.loads(completed.stdout.decode("utf-8").strip().splitlines()[-1])
    assert isinstance(result, dict)
    return result


def median_of(runs: Sequence[dict[str, object]], key: str) -> float:
    """The median of one number of the children's results."""
    return statistics.median(float(run[key]) for run in runs)  # type: ignore[arg-type]


def same_results(first: dict[str, object], second: dict[str, object]) -> bool:
    """Whether riskctl and the floor report the same residual portfolio (to rounding)."""
    a, b = first["residual"], second["residual"]
    assert isinstance(a, dict) and isinstance(b, dict)
    return all(math.isclose(a[key], b[key], rel_tol=1e-9) for key in ("mean", "p99", "tvar99"))


def measure_quant(python_command: str, runs: int) -> tuple[list[QuantRow], dict[str, object]]:
    """The quantification rows: riskctl against the floor (interleaved, `runs` each, median),
    peak memory at a million years, and pyfair against riskctl on one model."""
    script = str(BENCH / "quant.py")
    size = ["--risks", str(QUANT_RISKS), "--years", str(QUANT_YEARS)]
    raw: dict[str, object] = {}
    rows: list[QuantRow] = []
    name = f"quant {QUANT_RISKS:,} risks x {QUANT_YEARS:,} years"
    try:
        riskctl_runs, floor_runs = [], []
        for _ in range(runs):
            floor_runs.append(quant_child([python_command, script, "floor", *size]))
            riskctl_runs.append(quant_child([python_command, script, "riskctl", *size]))
        raw["riskctl"], raw["floor"] = riskctl_runs, floor_runs
        seconds, floor = median_of(riskctl_runs, "seconds"), median_of(floor_runs, "seconds")
        cpu = median_of(riskctl_runs, "cpu") / median_of(floor_runs, "cpu")
        agree = all(same_results(a, b) for a, b in zip(riskctl_runs, floor_runs, strict=True))
        quotient = seconds / floor
        # Judged on CPU time: the run is single-threaded and does no I/O, so its CPU time is its
        # work; the wall clock of a minute-long run on a shared machine also measures the others.
        verdict = ("OK" if cpu <= QUANT_GOAL else "MISS") if agree else "FAIL"
        if not agree:
            print(
                "FAILED: riskctl and the floor disagree on the residual portfolio", file=sys.stderr
            )
        rows.append(
            QuantRow(
                name,
                f"{seconds:.2f} s",
                f"{floor:.2f} s",
                quotient,
                cpu,
                f"<= {QUANT_GOAL:.2f}x",
                verdict,
            )
        )
    except CommandFailedError as error:
        print(f"FAILED: {error}", file=sys.stderr, flush=True)
        rows.append(QuantRow(name, "-", "-", None, None, f"<= {QUANT_GOAL:.2f}x", "FAIL"))

    name = f"quant peak RSS, {MEMORY_RISKS} risks x {MEMORY_YEARS:,} years"
    goal = f"< {MEMORY_GOAL / 2**30:.0f} GiB"
    memory = [python_command, script, "riskctl"]
    memory += ["--risks", str(MEMORY_RISKS), "--years", str(MEMORY_YEARS)]
    try:
        result = quant_child(memory)
        raw["memory"] = result
        peak = int(result["peak_rss"])  # type: ignore[call-overload]
        verdict = "OK" if peak < MEMORY_GOAL else "MISS"
        seconds = float(result["seconds"])  # type: ignore[arg-type]
        rows.append(
            QuantRow(
                name, f"{peak / 2**20:.0f} MiB", f"({seconds:.1f} s)", None, None, goal, verdict
            )
        )
    except CommandFailedError as error:
        print(f"FAILED: {error}", file=sys.stderr, flush=True)
        rows.append(QuantRow(name, "-", "-", None, None, goal, "FAIL"))

    name = f"pyfair Case A, {QUANT_YEARS:,} iterations (vs riskctl)"
    years = ["--years", str(QUANT_YEARS)]
    try:
        ours = quant_child([python_command, script, "pyfair-riskctl", *years])
        raw["pyfair-riskctl"] = ours
    except CommandFailedError as error:
        print(f"FAILED: {error}", file=sys.stderr, flush=True)
        rows.append(QuantRow(name, "-", "-", None, None, "-", "FAIL"))
        return rows, raw
    ours_seconds = median_of([ours], "seconds")
    if not PYFAIR_PYTHON.exists():
        print(
            f"pyfair not installed at {PYFAIR_PYTHON.relative_to(ROOT)} "
            "(make bench installs it): its row is skipped"
        )
        rows.append(QuantRow(name, "-", f"{ours_seconds:.3f} s", None, None, "-", "skipped"))
        return rows, raw
    try:
        theirs = quant_child([str(PYFAIR_PYTHON), str(BENCH / "pyfair_case_a.py"), *years])
    except CommandFailedError as error:
        print(f"pyfair did not run, its row is skipped: {error}", flush=True)
        rows.append(QuantRow(name, "-", f"{ours_seconds:.3f} s", None, None, "-", "skipped"))
        return rows, raw
    raw["pyfair"] = theirs
    seconds = median_of([theirs], "seconds")
    cpu = median_of([theirs], "cpu") / median_of([ours], "cpu")
    rows.append(
        QuantRow(
            name, f"{seconds:.3f} s", f"{ours_seconds:.3f} s", seconds / ours_seconds, cpu, "-", "-"
        )
    )
    return rows, raw


def render_quant_table(rows: Sequence[QuantRow]) -> str:
    """The quantification rows as a plain-text table."""
    header = ("quantification", "measured", "floor", "ratio", "ratio cpu", "goal", "")
    cells = [header]
    for row in rows:
        ratio_text = "-" if row.ratio is None else f"{row.ratio:.2f}x"
        cpu_text = "-" if row.cpu_ratio is None else f"{row.cpu_ratio:.2f}x"
        cells.append((row.name, row.value, row.floor, ratio_text, cpu_text, row.goal, row.verdict))
    widths = [max(len(line[column]) for line in cells) for column in range(len(header))]
    lines = []
    for line in cells:
        first = line[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(line[1:-1], widths[1:-1], strict=True)]
        lines.append("  ".join([first, *rest, line[-1]]).rstrip())
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--risks", type=int, default=5000, help="register size (default 5000)")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per median (default 3)")
    parser.add_argument(
        "--cmd",
        help="time this command instead of .venv/bin/riskctl (split like a shell would), "
        "to try the harness; its numbers are not riskctl's",
    )
    parser.add_argument(
        "--only",
        choices=("files", "quant"),
        help="only the whole-process rows (files) or only the quantification rows (quant)",
    )
    parser.add_argument(
        "--quant-runs",
        type=int,
        default=1,
        help="runs each of riskctl's quant and its floor, interleaved; the median (default 1)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.risks < 10 or args.quant_runs < 1:
        parser.error("--repeat and --quant-runs must be at least 1 and --risks at least 10")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the tables, write bench/.data/results.json; 1 if a command failed."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    python_command = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
    results: dict[str, object] = {
        "version": 1,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
    }
    failed = False
    if args.only != "quant":
        file_results, rows = measure_files(args, python_command)
        results.update(file_results)
        failed = any(row.verdict == "FAIL" for row in rows)
    if args.only != "files":
        print(
            f"\nquantification: seconds of the computation inside a child process (imports and "
            f"inputs excluded); riskctl and its floor interleaved, median of {args.quant_runs}",
            flush=True,
        )
        quant_rows, raw = measure_quant(python_command, args.quant_runs)
        print()
        print(render_quant_table(quant_rows))
        results["quant"] = {
            "runs": raw,
            "rows": [dataclasses.asdict(row) for row in quant_rows],
        }
        failed = failed or any(row.verdict == "FAIL" for row in quant_rows)
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"\nwrote {(DATA / 'results.json').relative_to(ROOT)}")
    return 1 if failed else 0


def measure_files(
    args: argparse.Namespace, python_command: str
) -> tuple[dict[str, object], list[Row]]:
    """The whole-process rows on the generated register: their results and rows."""
    if args.cmd:
        riskctl_command: list[str] | None = shlex.split(args.cmd)
    else:
        riskctl_command = [str(RISKCTL)] if RISKCTL.exists() else None
    register, generation_seconds = ensure_register(args.risks, python_command)
    # Time riskctl as an installed package runs: pip compiles an installed package's modules,
    # but an editable install (and PYTHONDONTWRITEBYTECODE, set on some machines) leaves them
    # to be compiled on every start, which `import typer`, the floor, never pays.
    subprocess.run([python_command, "-m", "compileall", "-q", str(ROOT / "riskctl")], check=True)
    files, size = register_size(register)
    context = Context(python=python_command, riskctl=riskctl_command, register=register)

    dropped = drop_page_cache()
    cold_method = (
        "cold = first run after dropping the page cache"
        if dropped
        else "cold = first run, page cache not dropped"
    )
    print(f"register: {register.relative_to(ROOT)} ({files} files, {size / 1e6:.1f} MB)")
    if generation_seconds is not None:
        print(f"generated in {generation_seconds:.1f} s")
    if riskctl_command is None:
        print(f"riskctl not found at {RISKCTL}: its rows are skipped")
    else:
        override = " (--cmd override: not riskctl's numbers)" if args.cmd else ""
        print(f"riskctl: {shlex.join(riskctl_command)}{override}")
    print(f"{cold_method}; warm = median of {args.repeat} runs after one warm-up;")
    print(f"start-up = median of {STARTUP_RUNS} runs; wall clock, whole processes", flush=True)

    timings = measure(needed_measurements(), context, args.repeat, dropped)
    rows = [evaluate(row, timings) for row in BENCHMARKS]
    print()
    print(render_table(rows))

    results = {
        "register": {"path": str(register.relative_to(ROOT)), "files": files, "bytes": size},
        "generation_seconds": generation_seconds,
        "riskctl": riskctl_command,
        "riskctl_override": bool(args.cmd),
        "cold_method": cold_method,
        "page_cache_dropped": dropped,
        "repeat": args.repeat,
        "startup_runs": STARTUP_RUNS,
        "measurements": {
            measurement.name: {
                "argv": None if timings[measurement.name].skipped else measurement.argv(context),
                "environment": dict(measurement.environment(context)),
                "cold": timings[measurement.name].cold,
                "warm": timings[measurement.name].warm,
                "warm_runs": timings[measurement.name].warm_runs,
                "skipped": timings[measurement.name].skipped,
                "failed": timings[measurement.name].failed,
            }
            for measurement in needed_measurements()
        },
        "benchmarks": [dataclasses.asdict(row) for row in rows],
    }
    return results, rows


if __name__ == "__main__":
    raise SystemExit(main())
