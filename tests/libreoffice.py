"""LibreOffice headless, for tests that resave a workbook as a spreadsheet user would.

`soffice_path()` finds `soffice` (None when LibreOffice is not installed: `requires_soffice`
then skips with the reason); `resave(paths, to, out_dir)` converts one or more files in ONE
soffice run (each start costs seconds), with a profile folder of its own, so parallel tests never
share LibreOffice's user profile (a shared one makes the second instance hand its work to the
first, or fail). CSV export uses the options LibreOffice's "Text CSV" filter uses by default:
comma, double quotes, UTF-8, quote only the cells that need it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pytest

#: Seconds one soffice run may take (a cold start is 2-5 s; a loaded CI machine is slower).
TIMEOUT = 180

#: "Text CSV" filter options, the defaults of LibreOffice's CSV export dialog, spelt out (left
#: out, LibreOffice 7.4 headless quotes every text cell): separator 44 (,), text delimiter 34
#: ("), character set 76 (UTF-8), first line 1, no column formats, language 0, quote all text
#: cells false, save cell contents as shown true, export formulas false, remove spaces false.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false"


def soffice_path() -> str | None:
    """The `soffice` executable LibreOffice installs, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


requires_soffice = pytest.mark.skipif(
    soffice_path() is None,
    reason="LibreOffice (soffice) is not installed: `apt-get install libreoffice-calc-nogui`",
)


#: "Text CSV" import options a person picks in LibreOffice's import dialog for riskctl's CSV:
#: separator 44 (,), text delimiter 34 ("), character set 76 (UTF-8), from line 1. (Without
#: them a headless import guesses the legacy character set and garbles non-ASCII text.)
CSV_IMPORT_FILTER = "Text - txt - csv (StarCalc):44,34,76,1"


def resave(
    paths: Sequence[Path],
    to: Literal["xlsx", "csv"],
    out_dir: Path,
    infilter: str | None = None,
) -> list[Path]:
    """Open each of `paths` in LibreOffice and save it as `to` in `out_dir`; the new paths.

    For CSV, LibreOffice writes the first (active) sheet. `infilter` opens the files with an
    import filter and its options (`CSV_IMPORT_FILTER` for a CSV). Raises `RuntimeError` with
    LibreOffice's output when a conversion fails or takes longer than `TIMEOUT`.
    """
    soffice = soffice_path()
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    target = "xlsx:Calc MS Excel 2007 XML" if to == "xlsx" else CSV_FILTER
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        command = [
            soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={Path(profile).as_uri()}",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            *(str(path) for path in paths),
        ]
        environment = {**os.environ, "HOME": profile, "SAL_USE_VCLPLUGIN": "svp"}
        try:
            result = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                env=environment,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"soffice took longer than {TIMEOUT} s: {error}") from None
    outputs = [out_dir / f"{path.stem}.{to}" for path in paths]
    missing = [path for path in outputs if not path.exists()]
    if result.returncode != 0 or missing:
        raise RuntimeError(
            f"soffice failed (exit {result.returncode}; missing {missing}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return outputs
