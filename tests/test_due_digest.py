"""The weekly digest workflow (docs/due-digest.yml) parses, runs on a schedule, and every riskctl
command in it is one riskctl accepts; docs/ci.md explains it."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import ROOT
from tests.test_ci_files import _check, _load, _workflow_trigger, riskctl_arguments

DIGEST = ROOT / "docs" / "due-digest.yml"


def _steps() -> list[dict[str, Any]]:
    (job,) = _load(DIGEST)["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def test_the_digest_runs_weekly_and_by_hand_with_the_least_permissions() -> None:
    workflow = _load(DIGEST)
    trigger = _workflow_trigger(workflow)
    assert set(trigger) == {"schedule", "workflow_dispatch"}
    (schedule,) = trigger["schedule"]
    _minute, _hour, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*") and re.fullmatch(r"[0-6]", weekday), schedule
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}


def test_the_digest_command_lines_are_accepted() -> None:
    commands = [
        arguments for step in _steps() for arguments in riskctl_arguments(step.get("run", ""))
    ]
    assert commands == [["due", "register", "--format", "markdown"]]
    for arguments in commands:
        _check(arguments)


def test_the_digest_is_posted_as_an_issue_from_the_file_it_wrote() -> None:
    runs = "\n".join(step.get("run", "") for step in _steps())
    assert "riskctl due register --format markdown > due.md" in runs
    assert "gh issue create" in runs and "--body-file body.md" in runs
    # GitHub's limit for an issue body is 65,536 characters: a larger digest is cut, and kept
    # whole as the run's artifact
    assert "cp due.md body.md" in runs and "head -c 60000 due.md" in runs
    uses = {step["uses"].split("@")[0]: step for step in _steps() if "uses" in step}
    assert uses["actions/upload-artifact"]["with"]["path"] == "due.md"
    post = next(step for step in _steps() if "gh issue create" in step.get("run", ""))
    assert post["env"]["GH_TOKEN"] == "${{ github.token }}"
    # the chat alternative is there, commented out, with its secret through the environment
    text = DIGEST.read_text(encoding="utf-8")
    assert "#     WEBHOOK: ${{ secrets.RISKCTL_DUE_WEBHOOK }}" in text


def test_the_ci_guide_has_the_weekly_digest_section() -> None:
    guide = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "\n## Weekly digest\n" in guide
    assert "docs/due-digest.yml" in guide
    for command in re.findall(r"`(riskctl due [^`]+)`", guide):
        _check(command.split()[1:])
