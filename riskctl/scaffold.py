"""A new register for `riskctl init`: the configuration, the kind folders, the JSON Schemas.

The register is built whole in a hidden temporary folder beside a new target and then renamed
into place (one `rename`, atomic on POSIX), so an interrupted `init` leaves either nothing or a
complete register; an existing empty folder is kept (it may be the current folder) and filled
from a staging folder inside it, removing what was placed if a step fails. The JSON Schemas
go inside the register, in `.schemas/` (hidden files are never register files), so the
`# yaml-language-server: $schema=` line of every file works in a register that lives outside
this repository. A target that exists and is not an empty folder
is refused: `init` never overwrites anything.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from riskctl.errors import RiskctlError
from riskctl.fileio import current_umask
from riskctl.model.register import CONFIG_FILE, KINDS
from riskctl.model.schema import json_schemas

#: Where the JSON Schemas live inside a register made by `init`.
SCHEMA_FOLDER = ".schemas"

CONFIG_TEXT = f"""\
# yaml-language-server: $schema={SCHEMA_FOLDER}/riskctl.schema.json
# The register's configuration: the risk categories and their appetite, the scoring method, the
# review cadence, loss quantification, the due digest and code owners. `riskctl lint` checks
# this file too; `riskctl rules list` names the rules.
version: 1

# What risks are about. `appetite` is the highest residual level the category accepts (with the
# default 5x5 method: low, medium, high or critical); a risk whose residual ranks above it needs
# a treatment plan. Rename, add or remove categories to fit the team; set appetite with whoever
# owns it (a risk committee), and record that decision here.
categories:
  - id: payments-fraud
    name: Payments fraud and chargebacks
    appetite: medium
  - id: account-integrity
    name: Account takeover and fake accounts
    appetite: medium
  - id: data-protection
    name: User data protection and privacy
    appetite: low

# The scoring method (the defaults, written out): the 5x5 multiplicative matrix, the credit an
# effective or partially effective control earns, and how credits combine per dimension.
scoring:
  method: 5x5-multiplicative      # or nist-800-30, or custom
  credits: {{effective: 0.6, partially-effective: 0.3}}
  combine: compound               # or strongest
  untested_cap: 0.3               # most credit for a rating with no test of its type (RK305)

# Days between reviews by residual level (each 1 to 3,650).
review_days: {{critical: 30, high: 90, medium: 180, low: 365}}

# Loss quantification (`riskctl quant`; risks opt in with a `quant:` block): the currency of
# every loss input and control `annual_cost`, the default simulation, and the loss-tolerance
# curve, points "a year's residual loss above `loss` no more often than `probability`". Set the
# curve with whoever owns the appetite; until then, none is checked.
quant:
  currency: USD
  years: 100000                   # simulated years (at most 10,000,000)
  seed: 0                         # the same seed gives the same numbers
  semantics: compound-poisson     # or fair-product (pyfair's)
  tolerance: []                   # e.g. [{{loss: 1000000, probability: 0.1}}]

# The weekly digest (`riskctl due`): an item overdue by more than this many days (or never done)
# names its owner's `escalation`.
due:
  escalate_after_days: 14

# Review through GitHub's CODEOWNERS (`riskctl codeowners`): give owners a `github: "@login"`
# handle, then enable it so that lint checks every approver has one (RK107, risk owners RK108).
# `default_owners` (owner ids) approve riskctl.yaml and files a pull request adds.
codeowners:
  enabled: false
  default_owners: []
"""


def init_files() -> dict[str, str]:
    """A new register's files: relative path → text (`.gitkeep` keeps an empty kind folder)."""
    files = {CONFIG_FILE: CONFIG_TEXT}
    files.update({f"{kind.folder}/.gitkeep": "" for kind in KINDS})
    files.update({f"{SCHEMA_FOLDER}/{name}": text for name, text in json_schemas().items()})
    return files


def init_register(target: Path) -> list[str]:
    """Create a register at `target` (a new name, or an empty folder); the files written.

    Raises `RiskctlError` for a target that exists and is anything but an empty folder (a
    file, a link, a folder with anything in it), or whose parent folder does not exist.
    """
    try:
        status = target.lstat()
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise RiskctlError(f"{target}: cannot use it: {error.strerror}") from None
    if status is not None:
        if target.is_symlink():
            raise RiskctlError(f"{target}: a symbolic link; give a new folder or an empty one")
        if not target.is_dir():
            raise RiskctlError(f"{target}: exists and is not a folder; nothing written")
        if any(target.iterdir()):
            raise RiskctlError(
                f"{target}: not empty; `riskctl init` writes only into a new or empty folder"
            )
    exists = status is not None
    parent = target.absolute().parent
    if not exists and not parent.is_dir():
        raise RiskctlError(f"{target}: the folder {parent} does not exist; create it first")
    # A new name: build beside it and rename into place (atomic). An existing empty folder is
    # kept (it may be someone's current folder): build inside it, then move each entry up.
    where = target if exists else parent
    try:
        staging = Path(tempfile.mkdtemp(prefix=".riskctl-init.", dir=where))
    except OSError as error:
        raise RiskctlError(f"{target}: cannot write in {where}: {error.strerror}") from None
    files = init_files()
    placed: list[Path] = []
    try:
        folder_mode = 0o777 & ~current_umask()
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        for folder in [staging, *(path for path in staging.rglob("*") if path.is_dir())]:
            folder.chmod(folder_mode)
        if not exists:
            os.rename(staging, target)
        else:
            for entry in sorted(staging.iterdir()):
                destination = target / entry.name
                os.rename(entry, destination)
                placed.append(destination)
            staging.rmdir()
    except OSError as error:
        for path in [staging, *placed]:
            with contextlib.suppress(OSError):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        raise RiskctlError(f"{target}: cannot create the register: {error.strerror}") from None
    return sorted(files)
