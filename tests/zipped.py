"""Run Python against riskctl installed as a zip: only the package's own files, with the data
that pyproject.toml's package-data names, as a wheel would carry them. `importlib.resources`
must find shipped data there; a `__file__`-relative path would not."""

from __future__ import annotations

import glob
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "riskctl"


def package_data() -> set[str]:
    """The package's data files as pyproject.toml's package-data globs name them."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["riskctl"]
    return {
        name for pattern in globs for name in glob.glob(pattern, root_dir=PACKAGE, recursive=True)
    }


def run_from_zip(folder: Path, probe: str) -> subprocess.CompletedProcess[str]:
    """Zip the package into `folder` and run `probe` with only that zip on the path; the probe
    first asserts that riskctl was imported from the zip."""
    data = package_data()
    archive = folder / "site.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(PACKAGE.rglob("*")):
            relative = path.relative_to(PACKAGE).as_posix()
            if "__pycache__" in relative or not path.is_file():
                continue
            if path.suffix == ".py" or relative in data:
                bundle.write(path, f"riskctl/{relative}")
    check = (
        f"import riskctl\nassert riskctl.__file__.startswith({str(archive)!r}), riskctl.__file__\n"
    )
    return subprocess.run(
        [sys.executable, "-c", check + probe],
        capture_output=True,
        text=True,
        cwd=folder,
        env={"PYTHONPATH": str(archive), "PATH": "/usr/bin:/bin"},
        check=False,
    )
