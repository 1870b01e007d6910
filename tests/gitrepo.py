"""Real git repositories for tests: a fixed identity and fixed dates, no global configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

IDENTITY = {
    "GIT_AUTHOR_NAME": "riskctl tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "riskctl tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
#: 2026-01-01T00:00:00Z; commit `day` is this plus `day` days.
EPOCH = 1767225600


class GitRepo:
    """A repository in a temporary folder, committed to with fixed identities and dates."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *arguments: str, day: int = 0) -> str:
        stamp = f"{EPOCH + day * 86400} +0000"
        environment = {
            **os.environ,
            **IDENTITY,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }
        completed = subprocess.run(
            ["git", *arguments],
            cwd=self.root,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        return completed.stdout.strip()

    def write(self, relative: str, content: str) -> None:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")

    def remove(self, relative: str) -> None:
        (self.root / relative).unlink()

    def copy_register(self, source: Path, folder: str = "register") -> None:
        shutil.copytree(source, self.root / folder, dirs_exist_ok=True)

    def commit(self, message: str, day: int) -> str:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message, day=day)
        return self.git("rev-parse", "HEAD")
