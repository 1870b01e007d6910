"""The CI files we ship parse, and every riskctl command in them is one riskctl accepts."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import FROZEN_NOW, ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
WORKFLOW = ROOT / "docs" / "github-actions.yml"
#: Where the shell stops passing words to riskctl: control operators and redirections.
_OPERATORS = {"||", "&&", "|", ";", "&"}
_REDIRECTION = re.compile(r"\d*(?:>>?|<)")
#: `${{ expression }}` is replaced by Actions before the shell sees the line.
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
runner = CliRunner()


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _workflow_trigger(workflow: dict[Any, Any]) -> Any:
    # PyYAML reads YAML 1.1, where the bare key `on` is the boolean true.
    return workflow["on"] if "on" in workflow else workflow[True]


def riskctl_arguments(script: str) -> list[list[str]]:
    """The arguments of each `riskctl ...` command in a shell script, minus redirections."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        if line.split()[:1] != ["riskctl"]:
            continue  # not shlex-split: an `echo` line may hold an unbalanced apostrophe
        words = shlex.split(_EXPRESSION.sub("EXPR", line), comments=True)
        arguments: list[str] = []
        skip_target = False
        for word in words[1:]:
            if word in _OPERATORS:
                break
            if skip_target:
                skip_target = False
            elif _REDIRECTION.match(word):
                skip_target = _REDIRECTION.fullmatch(word) is not None  # `> file`, not `>file`
            else:
                arguments.append(word)
        commands.append(arguments)
    return commands


def _workflow_commands() -> list[list[str]]:
    workflow = _load(WORKFLOW)
    return [
        arguments
        for job in workflow["jobs"].values()
        for step in job["steps"]
        for arguments in riskctl_arguments(step.get("run", ""))
    ]


def _hook_commands() -> list[list[str]]:
    return [riskctl_arguments(hook["entry"])[0] for hook in _load(HOOKS)]


def _find_command(arguments: list[str]) -> tuple[Any, list[str], str]:
    """The click command the arguments name, the arguments left for it, and its full name."""
    command: Any = typer.main.get_command(app)
    name = "riskctl"
    remaining = list(arguments)
    while getattr(command, "commands", None) is not None:
        if not remaining or remaining[0] not in command.commands:
            wanted = remaining[0] if remaining else "(nothing)"
            known = ", ".join(sorted(command.commands))
            pytest.fail(f"`{name} {wanted}` is not a riskctl command (known: {known})")
        name = f"{name} {remaining[0]}"
        command = command.commands[remaining.pop(0)]
    return command, remaining, name


def _option_names(command: Any) -> set[str]:
    return {
        name
        for parameter in command.params
        if parameter.param_type_name == "option"
        for name in (*parameter.opts, *parameter.secondary_opts)
    } | {"--help"}


def _check(arguments: list[str]) -> None:
    """Fail unless riskctl accepts the command line: the command, its options, their values."""
    command, rest, name = _find_command(arguments)
    for word in rest:
        if word.startswith("-"):
            option = word.split("=", 1)[0]
            assert option in _option_names(command), f"`{name}` has no option {option}"
    # click parses (and type-checks) the arguments without running the command
    context = command.make_context(name, list(rest))
    context.close()


# --- the files parse and hold what a team needs -----------------------------------------------


def test_pre_commit_hook_manifest() -> None:
    hooks = _load(HOOKS)
    assert isinstance(hooks, list)
    assert [hook["id"] for hook in hooks] == ["riskctl-lint", "riskctl-fmt"]
    for hook, entry in zip(hooks, ["riskctl lint", "riskctl fmt"], strict=True):
        assert hook["entry"] == entry
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert hook["files"] == "^register/"
        assert hook["name"]
        assert hook["description"]
        assert re.search(hook["files"], "register/risks/R-001.yaml")
        assert not re.search(hook["files"], "riskctl/load/parse.py")
        assert not re.search(hook["files"], "docs/register/x.yaml")


def test_workflow_shape() -> None:
    workflow = _load(WORKFLOW)
    assert isinstance(workflow, dict)
    assert "pull_request" in _workflow_trigger(workflow)
    assert workflow["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "security-events": "write",
    }
    (job,) = workflow["jobs"].values()
    uses = {step["uses"].split("@")[0]: step for step in job["steps"] if "uses" in step}
    assert uses["actions/checkout"]["with"]["fetch-depth"] == 0
    assert uses["actions/setup-python"]["with"]["python-version"] == "3.11"  # a string
    assert uses["github/codeql-action/upload-sarif"]["with"]["sarif_file"] == "riskctl.sarif"
    assert "marocchino/sticky-pull-request-comment" in uses
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "--format sarif > riskctl.sarif || true" in runs
    assert "--format markdown" in runs
    assert "> diff.md" in runs
    assert uses["marocchino/sticky-pull-request-comment"]["with"]["path"] == "diff.md"


def test_the_workflow_runs_lint_twice_and_diff_once() -> None:
    assert [arguments[0] for arguments in _workflow_commands()] == ["lint", "lint", "diff"]


def test_riskctl_arguments_drop_redirections_and_what_follows_the_command() -> None:
    script = (
        "status=0\n"
        'riskctl diff "origin/${BASE}...HEAD" register -f json > out.json 2>err || status=$?\n'
        "riskctl lint register >x.sarif 2>&1 && echo done  # a comment\n"
        "riskctl gates list ${{ inputs.x }}\n"
        "echo riskctl lint\n"
        "echo it's fine\n"
    )
    assert riskctl_arguments(script) == [
        ["diff", "origin/${BASE}...HEAD", "register", "-f", "json"],
        ["lint", "register"],
        ["gates", "list", "EXPR"],
    ]


# --- every command line names real commands and options ---------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [arguments for arguments in _workflow_commands() if arguments[0] != "diff"] + _hook_commands(),
    ids=" ".join,
)
def test_command_lines_are_accepted(arguments: list[str]) -> None:
    _check(arguments)


def test_diff_command_lines_are_accepted() -> None:
    diff_lines = [arguments for arguments in _workflow_commands() if arguments[0] == "diff"]
    assert len(diff_lines) == 1
    if "diff" not in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        pytest.fail(
            "riskctl has no `diff` command yet, but docs/github-actions.yml runs "
            f"`riskctl {' '.join(diff_lines[0])}`: this passes once riskctl/cli/diff.py is "
            "registered in riskctl/cli/__init__.py"
        )
    _check(diff_lines[0])
    gates = importlib.import_module("riskctl.diff").GATES
    fail_on = diff_lines[0][diff_lines[0].index("--fail-on") + 1]
    assert set(fail_on.split(",")) <= set(gates), f"unknown gates in --fail-on {fail_on}"


def test_a_misspelt_option_is_caught() -> None:
    with pytest.raises(AssertionError, match="has no option --formt"):
        _check(["lint", "register", "--formt", "github"])
    with pytest.raises(pytest.fail.Exception, match="`riskctl lnt` is not a riskctl command"):
        _check(["lnt", "register"])
    with pytest.raises(Exception, match="'nope' is not one of 'auto', 'text'"):
        _check(["lint", "register", "--format", "nope"])


def test_the_pre_commit_entry_runs_clean_on_the_shipped_register(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # pre-commit runs hooks from the repository's root
    arguments = _hook_commands()[0]  # riskctl-lint; riskctl-fmt: tests/cli/test_fmt_cli.py
    result = runner.invoke(app, [*arguments, "--now", FROZEN_NOW])
    assert (result.exit_code, result.stderr) == (0, ""), result.stdout
    # no error; the warnings are the register's NIST CSF 2.0 gaps (RK907), which it keeps
    last = result.stdout.splitlines()[-1]
    assert "files checked: 0 errors" in last, last
    assert {line.split()[2] for line in result.stdout.splitlines()[:-1]} <= {"RK403", "RK907"}


def test_the_ci_guide_shows_the_hook_and_the_workflow() -> None:
    guide = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "id: riskctl-lint" in guide
    assert ".github/workflows/" in guide
    shown = [shlex.split(line) for line in re.findall(r"`(riskctl [^`]+)`", guide)]
    for words in shown:
        _find_command([word for word in words[1:] if not word.startswith("<")][:2])
