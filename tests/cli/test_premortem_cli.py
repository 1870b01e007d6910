"""`riskctl premortem` end to end: goldens, errors, --rev, and the --seed-risks writer."""

from __future__ import annotations

import datetime
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.lint.engine import lint
from riskctl.load import read_directory
from tests.conftest import FROZEN_NOW, ROOT, SHIPPED_REGISTER, TESTS, check_golden
from tests.gitrepo import GitRepo
from tests.test_premortem import SEEDABLE

GOLDEN = TESTS / "golden" / "premortem"
NOW = datetime.date.fromisoformat(FROZEN_NOW)
runner = CliRunner()


def _premortem(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["premortem", *args, "--now", FROZEN_NOW])
    return result.exit_code, result.stdout, result.stderr


# --- the view ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("output_format", "suffix"), [("text", "txt"), ("json", "json")])
def test_golden_formats_on_the_shipped_register(
    output_format: str, suffix: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, stderr = _premortem("register", "--format", output_format)
    assert (code, stderr) == (0, "")
    assert "\x1b[" not in stdout  # not a terminal: plain
    check_golden(GOLDEN / f"register.{suffix}", stdout, update_golden)


def test_golden_one_launch(monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    monkeypatch.chdir(ROOT)
    code, stdout, _ = _premortem("--launch", "LAUNCH-002")
    assert code == 0
    check_golden(GOLDEN / "LAUNCH-002.txt", stdout, update_golden)


def test_json_document_has_the_issue_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    document = json.loads(_premortem("-f", "json")[1])
    assert next(iter(document)) == "version"
    assert document["version"] == 1
    assert document["action_priority"]["status"] == "transcribed — verify"
    assert [launch["id"] for launch in document["launches"]] == ["LAUNCH-001", "LAUNCH-002"]
    launch = document["launches"][1]
    assert list(launch)[:5] == ["id", "title", "status", "launch_date", "failure_modes"]
    assert (launch["status"], launch["launch_date"]) == ("launched", "2026-10-05")
    mode = launch["failure_modes"][0]
    assert list(mode)[:9] == [
        "id", "description", "severity", "occurrence", "detection", "rpn", "ap", "actions", "risk",
    ]  # fmt: skip
    assert (mode["id"], mode["rpn"], mode["ap"], mode["risk"]) == ("FM-01", 210, "H", "R-028")
    assert [m["ap"] for m in launch["failure_modes"]] == ["H", "M", "M", "L", "L"]
    assert launch["failure_modes"][-1]["risk"] is None
    one = json.loads(_premortem("-f", "json", "--launch", "LAUNCH-002")[1])
    assert one["launches"] == [launch]


def test_unknown_launch_exits_3_with_the_known_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert _premortem("--launch", "LAUNCH-404") == (
        3,
        "",
        "riskctl: error: no launch 'LAUNCH-404' in the register; launches: LAUNCH-001, "
        "LAUNCH-002\n",
    )


def test_lapsed_monitoring_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["premortem", "--launch", "LAUNCH-002", "--now", "2027-01-05"])
    assert (
        "monitoring: KRI-004 until 2027-01-04, reviewed 2026-11-16 (LAPSED: no review since it "
        "ended); " in result.stdout
    )
    document = json.loads(
        runner.invoke(app, ["premortem", "-f", "json", "--now", "2027-01-05"]).stdout
    )
    assert [watch["lapsed"] for watch in document["launches"][1]["monitoring"]] == [True, True]


def test_colour_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    coloured = _premortem("--color", "always")[1]
    assert "\x1b[" in coloured
    assert "FM-01" in coloured


def test_broken_override_exits_3_naming_the_problem(base_register: Path) -> None:
    config = base_register / "riskctl.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "premortem:\n  action_priority:\n    detection_bands: [[1, 9]]\n"
        "    rows: [{severity: [1, 10], occurrence: [1, 10], ap: [L]}]\n",
        encoding="utf-8",
    )
    code, stdout, stderr = _premortem(str(base_register))
    assert (code, stdout) == (3, "")
    assert "riskctl.yaml:7:5: premortem.action_priority: no detection band covers D 10" in stderr


def test_at_a_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(SHIPPED_REGISTER)
    repo.commit("the shipped register", day=1)
    repo.remove("register/launches/LAUNCH-002.yaml")
    monkeypatch.chdir(repo.root)
    now = _premortem("-f", "json")[1]
    then = _premortem("-f", "json", "--rev", "HEAD")[1]
    assert [launch["id"] for launch in json.loads(now)["launches"]] == ["LAUNCH-001"]
    assert then == (GOLDEN / "register.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--seed-risks", "--launch", "LAUNCH-002"],
            "the risks LAUNCH-002 links are in more than one category",
        ),
        (["--seed-risks", "--launch", "LAUNCH-003"], "no launch 'LAUNCH-003'"),
    ],
)
def test_seed_refusals_exit_3_and_write_nothing(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    before = sorted((ROOT / "register").rglob("*"))
    code, stdout, stderr = _premortem(*args)
    assert (code, stdout) == (3, "")
    assert stderr.startswith(f"riskctl: error: {message}")
    assert sorted((ROOT / "register").rglob("*")) == before


# --- seeding draft risks ----------------------------------------------------------------------


@pytest.fixture
def seedable(base_register: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The base register with a launch whose FM2 and FM3 link no risk; cwd is its parent."""
    (base_register / "launches" / "LAUNCH-001.yaml").write_text(SEEDABLE, encoding="utf-8")
    monkeypatch.chdir(base_register.parent)
    return base_register


def _seed(*args: str) -> tuple[int, str, str]:
    return _premortem("register", "--launch", "LAUNCH-001", "--seed-risks", *args)


def test_a_skipped_modes_id_reaches_the_terminal_escaped(seedable: Path) -> None:
    """A failure mode's id is register text: `riskctl: skipped LAUNCH-001 FM2<ESC>[2J: ...`
    reached the terminal as it was written."""
    launch = seedable / "launches" / "LAUNCH-001.yaml"
    launch.write_text(SEEDABLE.replace("- id: FM2\n", '- id: "FM2\\e[2J"\n'), encoding="utf-8")
    assert _seed()[0] == 0
    code, _out, err = _seed()
    assert code == 0
    assert "\x1b" not in err
    assert "riskctl: skipped LAUNCH-001 FM2\\x1b[2J: R-002 is its draft already" in err


def _files(register: Path) -> list[str]:
    """Every file and folder, hidden ones (temporary files) included."""
    return sorted(path.relative_to(register).as_posix() for path in register.rglob("*"))


def _findings(register: Path) -> list[str]:
    """`file:line:col CODE` per finding; in a draft, `@id` stands for the line of its `id:`
    (where the risk's top mapping starts; the header above it varies in length)."""
    result = lint(read_directory(register), today=NOW)
    found = []
    for finding in result.findings:
        position = f"{finding.line}:{finding.col}"
        path = register.parent / finding.file
        if finding.file.startswith("register/risks/") and path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            if lines[finding.line - 1].startswith("id: ") and finding.col == 1:
                position = "@id"
        found.append(f"{finding.file}:{position} {finding.code}")
    return found


def test_seed_writes_drafts_that_lint_clean_but_for_judgement_findings(seedable: Path) -> None:
    assert _findings(seedable) == []
    launch_before = (seedable / "launches/LAUNCH-001.yaml").read_bytes()
    assert _seed() == (0, "register/risks/R-002.yaml\nregister/risks/R-003.yaml\n", "")
    # RK208: never reviewed (both). R-002 is L3 I5 (high), above the medium appetite of
    # payments-fraud: RK206, no treatment plan, and RK504, no KRI. Each asks for the analyst's
    # decision; nothing else fires.
    assert _findings(seedable) == [
        "register/risks/R-002.yaml:@id RK206",
        "register/risks/R-002.yaml:@id RK208",
        "register/risks/R-002.yaml:@id RK504",
        "register/risks/R-003.yaml:@id RK208",
    ]
    assert (seedable / "launches/LAUNCH-001.yaml").read_bytes() == launch_before
    assert (seedable / "risks/R-002.yaml").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_seed_twice_skips_modes_with_a_draft(seedable: Path) -> None:
    assert _seed()[0] == 0
    assert _seed() == (
        0,
        "",
        "riskctl: skipped LAUNCH-001 FM2: R-002 is its draft already; link it with "
        "`risk: R-002`\n"
        "riskctl: skipped LAUNCH-001 FM3: R-003 is its draft already; link it with "
        "`risk: R-003`\n"
        "riskctl: nothing to seed: every failure mode of LAUNCH-001 links a risk or has a draft\n",
    )
    assert sorted(path.name for path in (seedable / "risks").iterdir()) == [
        "R-001.yaml", "R-002.yaml", "R-003.yaml",
    ]  # fmt: skip


def test_seed_with_link_adds_only_the_risk_lines(seedable: Path) -> None:
    launch = seedable / "launches/LAUNCH-001.yaml"
    code, stdout, _ = _seed("--link", "--owner", "head-of-risk", "--category", "account-security")
    assert (code, stdout) == (
        0,
        "register/risks/R-002.yaml\nregister/risks/R-003.yaml\nregister/launches/LAUNCH-001.yaml\n",
    )
    expected = SEEDABLE.replace(
        "    actions: [Hold Pix-funded gifts]\n",
        "    actions: [Hold Pix-funded gifts]\n    risk: R-002\n",
    ).replace("    detection: 2\nmonitoring:", "    detection: 2\n    risk: R-003\nmonitoring:")
    expected = expected.replace("risks: [R-001]\n", "risks: [R-001, R-002, R-003]\n")
    assert launch.read_text(encoding="utf-8") == expected
    assert "owner: head-of-risk\n" in (seedable / "risks/R-002.yaml").read_text(encoding="utf-8")
    # account-security's appetite is low; R-003 is L2 I1, low. --link adds `risk:` to the
    # failure modes and the drafts to the launch's `risks`, so RK705 has nothing to say.
    assert _findings(seedable) == [
        "register/risks/R-002.yaml:@id RK206",
        "register/risks/R-002.yaml:@id RK208",
        "register/risks/R-002.yaml:@id RK504",
        "register/risks/R-003.yaml:@id RK208",
    ]
    assert _seed() == (
        0,
        "",
        "riskctl: nothing to seed: every failure mode of LAUNCH-001 links a risk\n",
    )


def test_seed_on_the_shipped_register_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    shutil.copytree(SHIPPED_REGISTER, tmp_path / "register")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        ["premortem", "--launch", "LAUNCH-002", "--seed-risks", "--category", "financial-crime",
         "--now", FROZEN_NOW],
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "register/risks/R-032.yaml\n")
    findings = [
        f for f in _findings(tmp_path / "register") if "RK403" not in f and "RK907" not in f
    ]
    assert findings == ["register/risks/R-032.yaml:@id RK208"]  # L1 I4: low, within appetite


def test_seed_refuses_to_overwrite_before_writing_anything(seedable: Path) -> None:
    # A dangling symlink is not a risk the loader can read, so R-003 is a new id; but the
    # path exists.
    # path exists. Without --partial the register is refused first: a file did not load.
    (seedable / "risks/R-003.yaml").symlink_to("nowhere.yaml")
    before = _files(seedable)
    code, stdout, stderr = _seed()
    assert (code, stdout) == (3, "")
    assert stderr.startswith("riskctl: error: 1 register file did not load: register/risks/R-003")
    code, stdout, stderr = _seed("--partial")
    assert (code, stdout) == (3, "")
    assert stderr == (
        "riskctl: error: refusing to overwrite register/risks/R-003.yaml; nothing written\n"
    )
    assert _files(seedable) == before


def _failing_on_call(
    number: int, calls: list[object], real: Callable[..., None]
) -> Callable[..., None]:
    def move(source: str, target: object) -> None:
        calls.append(target)
        if len(calls) == number:
            raise OSError(28, "No space left on device")
        real(source, target)

    return move


@pytest.mark.parametrize("failing", [1, 2, 3])
def test_a_failing_rename_leaves_no_file_behind(
    seedable: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    """New drafts are linked into place and the launch replaced: fail each move in turn."""
    before = _files(seedable)
    launch_before = (seedable / "launches/LAUNCH-001.yaml").read_bytes()
    monkeypatch.setenv("RISKCTL_NO_CACHE", "1")  # count only the command's own moves
    calls: list[object] = []
    monkeypatch.setattr(os, "replace", _failing_on_call(failing, calls, os.replace))
    monkeypatch.setattr(os, "link", _failing_on_call(failing, calls, os.link))
    code, stdout, stderr = _seed("--link")
    assert (code, stdout) == (3, "")
    target = ["risks/R-002.yaml", "risks/R-003.yaml", "launches/LAUNCH-001.yaml"][failing - 1]
    assert stderr == (
        f"riskctl: error: register/{target}: cannot write: No space left on device; "
        "nothing written\n"
    )
    assert _files(seedable) == before  # no draft, no temporary file
    assert (seedable / "launches/LAUNCH-001.yaml").read_bytes() == launch_before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_leaves_no_file_behind(seedable: Path) -> None:
    before = _files(seedable)
    (seedable / "risks").chmod(0o555)
    try:
        code, stdout, stderr = _seed()
    finally:
        (seedable / "risks").chmod(0o755)
    assert (code, stdout) == (3, "")
    assert stderr.startswith(
        "riskctl: error: register/risks/R-002.yaml: cannot create a file in register/risks: "
    )
    assert _files(seedable) == before


def test_seed_refuses_a_risks_folder_that_is_a_link(seedable: Path) -> None:
    elsewhere = seedable.parent / "elsewhere"
    (seedable / "risks").rename(elsewhere)
    (seedable / "risks").symlink_to(elsewhere)
    before, elsewhere_before = _files(seedable), _files(elsewhere)
    code, stdout, stderr = _seed("--category", "payments-fraud")
    assert (code, stdout) == (3, "")
    assert stderr == (
        f"riskctl: error: refusing to write drafts into register/risks: a symbolic link (to "
        f"{elsewhere}); nothing written\n"
    )
    assert (_files(seedable), _files(elsewhere)) == (before, elsewhere_before)


def test_seeded_drafts_get_the_umask_permissions(seedable: Path) -> None:
    previous = os.umask(0o027)
    try:
        assert _seed()[0] == 0
    finally:
        os.umask(previous)
    modes = {stat.S_IMODE((seedable / name).stat().st_mode) for name in ("risks/R-002.yaml",)}
    assert modes == {0o640}


def test_drafts_point_at_the_schemas_of_the_register(seedable: Path) -> None:
    """A register made by `riskctl init` has its JSON Schemas in .schemas/: drafts use them."""
    (seedable / ".schemas").mkdir()
    (seedable / ".schemas" / "risk.schema.json").write_text("{}\n", encoding="utf-8")
    code, stdout, _ = _seed("--category", "payments-fraud")
    assert code == 0
    first_lines = {
        (seedable.parent / name).read_text(encoding="utf-8").splitlines()[0]
        for name in stdout.split()
    }
    assert first_lines == {"# yaml-language-server: $schema=../.schemas/risk.schema.json"}
