"""The module layout holds: each third-party library in its one home, imports pointing down."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "riskctl"

#: top-level import name → where in riskctl/ it may appear
HOMES: dict[str, tuple[str, ...]] = {
    "yaml": ("load/parse.py", "load/positions.py"),
    "ruamel": ("load/edit.py",),
    "git": ("gitio.py",),
    "jinja2": ("report/render.py",),
    "markupsafe": ("report/render.py",),  # jinja2's Markup: the HTML filters' results
    "numpy": ("quant/",),
    "typer": ("cli/",),
    "rich": ("cli/",),
    "pydantic": ("model/", "load/validate.py", "lint/rules/"),
    "pydantic_core": ("model/",),  # PydanticCustomError: validation messages that name a range
    "openpyxl": ("rcm/xlsx.py",),
}


def imported_libraries(source: Path) -> set[str]:
    """Top-level names of third-party modules a file imports, anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name != "riskctl"}


def imported_riskctl_modules(source: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("riskctl"):
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("riskctl"))
    return names


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_every_library_stays_in_its_home(source: Path) -> None:
    where = source.relative_to(PACKAGE).as_posix()
    for library in imported_libraries(source):
        assert library in HOMES, f"{where} imports {library}, which has no home in HOMES"
        assert where.startswith(HOMES[library]), f"{where} imports {library}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_only_the_cli_imports_the_cli_and_reads_the_clock(source: Path) -> None:
    where = source.relative_to(PACKAGE).as_posix()
    if not where.startswith("cli/") and where != "__main__.py":
        assert not any(m.startswith("riskctl.cli") for m in imported_riskctl_modules(source))
    text = source.read_text(encoding="utf-8")
    if where != "cli/_common.py":
        # `time.time(` but not `datetime.time(` (a time of day, not a clock read)
        clocks = re.compile(
            r"date\.today\(|datetime\.now\(|datetime\.utcnow\(|(?<![\w.])time\.time\("
        )
        assert not clocks.search(text), f"{where} reads the clock"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_the_vocabulary_imports_nothing_above_it(source: Path) -> None:
    where = source.relative_to(PACKAGE).as_posix()
    if where.startswith("model/") or where in ("findings.py", "errors.py"):
        allowed = ("riskctl.model", "riskctl.findings", "riskctl.errors")
        for module in imported_riskctl_modules(source):
            assert module.startswith(allowed), f"{where} imports {module}"


def test_help_imports_no_heavy_library() -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['riskctl', '--help']\n"
        "from riskctl.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = {'pydantic', 'ruamel', 'yaml', 'git', 'jinja2', 'numpy', 'rich'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stderr.strip().splitlines()[-1] == "[]"


COMMAND_MODULES = sorted(
    path for path in (PACKAGE / "cli").glob("*.py") if not path.name.startswith("_")
)


@pytest.mark.parametrize("source", COMMAND_MODULES, ids=lambda p: p.name)
def test_command_modules_keep_real_annotations(source: Path) -> None:
    """typer reads every command's annotations on each `--help`: as strings (PEP 563) it must
    eval them all (about 500 evals, a third of the start-up budget), so command modules keep
    them as objects; helpers quote the few types imported only for type checking."""
    text = source.read_text(encoding="utf-8")
    assert "from __future__ import annotations" not in text


#: The only modules that write files: `--out` (fileio), register edits (writes, all or nothing
#: under a lock) and `init`'s new register (scaffold, built aside and renamed into place).
#: load/cache.py writes only inside the cache folder, atomically, and never fails a command.
WRITERS = ("fileio.py", "writes.py", "scaffold.py", "load/cache.py")
WRITE_CALL = re.compile(
    r"\bos\.(replace|rename|link|symlink)\(|\.write_(text|bytes)\(|\bmkstemp\(|\bshutil\.(copy|move)"
    r"|\bopen\([^)]*[\"'][wax]b?\+?[\"']"
)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_only_the_writers_write_files(source: Path) -> None:
    """Every file riskctl writes goes through fileio.write_file or writes.apply_changes."""
    where = source.relative_to(PACKAGE).as_posix()
    if where in WRITERS or where == "cli/__init__.py":  # cli/__init__ opens os.devnull only
        return
    found = WRITE_CALL.search(source.read_text(encoding="utf-8"))
    assert found is None, f"{where} writes a file itself ({found[0] if found else ''})"
