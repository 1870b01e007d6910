"""The README shows real output: each quoted command's output is what riskctl prints now."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
runner = CliRunner()


def _quoted_outputs() -> list[tuple[str, str]]:
    """Each indented `$ riskctl ...` example and the lines printed under it."""
    examples = []
    for block in re.findall(r"(?:^    .*\n|^\n)+", README, flags=re.MULTILINE):
        lines = [line[4:] for line in block.splitlines()]
        for index, line in enumerate(lines):
            if line.startswith("$ riskctl "):
                output = []
                for following in lines[index + 1 :]:
                    if following.startswith("$ "):
                        break
                    output.append(following)
                examples.append((line[2:], "\n".join(output).rstrip("\n")))
    return examples


@pytest.mark.parametrize(("command", "shown"), _quoted_outputs(), ids=lambda value: str(value)[:40])
def test_readme_output_is_real(
    command: str, shown: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(ROOT)
    if " --out " in command:  # written into a scratch folder, never into the repository
        (tmp_path / "build").mkdir()
        (tmp_path / "register").symlink_to(ROOT / "register")
        monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, command.split()[1:])
    actual = result.stdout.rstrip("\n").splitlines()
    before = README[: README.index(f"$ {command}")]
    if "shortened" in before[before.rstrip().rfind("\n\n") :]:
        assert set(shown.splitlines()) <= set(actual), "a shown line is not in the real output"
        assert shown.splitlines()[-1] == actual[-1]
    else:
        assert shown.splitlines() == actual


def test_readme_names_the_two_setup_commands() -> None:
    assert "make demo" in README
    assert "make test" in README
