"""The lint floor: read every `.yaml` file under a register and parse it with libyaml.

    python bench/floor_csafe.py REGISTER

No riskctl code runs here. This is the least any YAML linter in Python must do (find the files,
read them, and parse them with the fastest parser there is), so `riskctl lint`'s time is reported
as a multiple of this process's time.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def parse_all(register: Path) -> int:
    """Parse every `.yaml` file under `register`; returns how many were parsed."""
    count = 0
    for path in sorted(register.rglob("*.yaml")):
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        count += 1
    return count


def main() -> int:
    """Parse the register named on the command line and print the number of files."""
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        print("usage: python bench/floor_csafe.py REGISTER", file=sys.stderr)
        return 2
    if not yaml.__with_libyaml__:
        print("floor_csafe.py: PyYAML was built without libyaml", file=sys.stderr)
        return 2
    print(parse_all(Path(sys.argv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
