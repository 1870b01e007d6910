"""`riskctl codeowners` on real git repositories: the block GitHub reads, and nothing else touched.

Each test builds a repository with a small register whose owners carry handles, runs the
command as a user would (CliRunner) and checks the file's bytes; a validator written from
GitHub's documented CODEOWNERS syntax checks every generated file, and a last-match resolver
checks that each register file is owned by the handle meant for it.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.codeowners import Block, OwnerLine, plan_block, splice
from riskctl.errors import RiskctlError
from riskctl.load import read_directory
from riskctl.load.register import load
from riskctl.model.owner import Owner
from riskctl.model.register import Record, Register
from tests.cli.test_paths import PATHS
from tests.conftest import BASE_REGISTER, SHIPPED_REGISTER
from tests.gitrepo import GitRepo

runner = CliRunner()

CONFIG = """\
version: 1
categories:
  - {id: payments-fraud, name: Payments fraud, appetite: medium}
  - {id: account-security, name: Account security, appetite: low}
codeowners:
  enabled: true
  default_owners: [head-of-risk]
"""
HEAD_OF_RISK = 'id: head-of-risk\nname: Head of Risk\ngithub: "@acme-head"\n'
PAYMENTS_RISK = """\
id: payments-risk
name: Payments Risk
team: Trust & Safety
github: "@acme/payments-risk"
escalation: head-of-risk
"""
#: What each file of the small register must be owned by (last matching line wins).
EXPECTED_OWNERS = {
    "register/riskctl.yaml": ("@acme-head",),
    "register/acceptances/ACC-001.yaml": ("@acme-head",),  # the approver, not the risk owner
    "register/owners/head-of-risk.yaml": ("@acme-head",),
    "register/owners/payments-risk.yaml": ("@acme/payments-risk",),
    "register/risks/R-001.yaml": ("@acme/payments-risk",),
    "register/controls/C-001.yaml": ("@acme/payments-risk",),
    "register/controls/C-002.yaml": ("@acme/payments-risk",),
    "register/kris/KRI-001.yaml": ("@acme/payments-risk",),
    "register/launches/LAUNCH-001.yaml": ("@acme/payments-risk",),
    "register/incidents/INC-2026-001.yaml": ("@acme/payments-risk",),
    # not a file yet: added by a pull request, it falls to the default owners
    "register/risks/R-002.yaml": ("@acme-head",),
    # the file itself: a pull request cannot take the block out without the default owners
    ".github/CODEOWNERS": ("@acme-head",),
}


def make_repo(tmp_path: Path, folder: str = "register") -> GitRepo:
    """A repository holding the small clean register with handles, committed."""
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER, folder)
    prefix = f"{folder}/" if folder else ""
    repo.write(f"{prefix}riskctl.yaml", CONFIG)
    repo.write(f"{prefix}owners/head-of-risk.yaml", HEAD_OF_RISK)
    repo.write(f"{prefix}owners/payments-risk.yaml", PAYMENTS_RISK)
    incident = repo.root / f"{prefix}incidents/INC-2026-001.yaml"
    text = incident.read_text(encoding="utf-8")
    incident.write_text(text.replace("kind:", "owner: payments-risk\nkind:"), encoding="utf-8")
    repo.commit("register", day=1)
    return repo


def run(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["codeowners", *arguments])
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


# --- GitHub's CODEOWNERS syntax, from its documentation -----------------------------------
# "About code owners" (GitHub Docs): a line is a gitignore-style pattern followed by one or more
# owners, `@username`, `@org/team-name` or an email address; `#` starts a comment line; no
# inline comments; escaping a leading `#` with `\`, negation with `!` and `[ ]` ranges do not
# work; a file over 3 MB is not loaded; paths are case-sensitive.

_OWNER = re.compile(
    r"@[A-Za-z0-9](?:-?[A-Za-z0-9])*(?:/[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)?"
    r"|[^@\s]+@[^@\s]+\.[^@\s]+"
)


def github_rules(data: bytes) -> list[tuple[str, tuple[str, ...]]]:
    """The (pattern, owners) lines of a CODEOWNERS file, failing on syntax GitHub refuses."""
    assert len(data) < 3_000_000
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    rules = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pattern, *owners = stripped.split()
        assert owners, f"line {number}: a pattern without owners: {line!r}"
        assert not pattern.startswith(("\\#", "!")), f"line {number}: unsupported: {pattern}"
        assert "[" not in pattern and "]" not in pattern, f"line {number}: a range: {pattern}"
        for owner in owners:
            assert "#" not in owner, f"line {number}: an inline comment: {line!r}"
            assert _OWNER.fullmatch(owner), f"line {number}: not an owner: {owner!r}"
        rules.append((pattern, tuple(owners)))
    return rules


def owners_of(rules: list[tuple[str, tuple[str, ...]]], path: str) -> tuple[str, ...]:
    """Who owns `path` (relative to the repository root): the last matching rule's owners.

    Only the pattern forms riskctl writes are matched exactly (a rooted file, a rooted folder
    with a trailing `/`, `*`); anything else fails the test, so nothing is assumed."""
    found: tuple[str, ...] = ()
    for pattern, owners in rules:
        if pattern == "*":
            matched = True
        elif pattern.startswith("/") and pattern.endswith("/"):
            matched = f"/{path}".startswith(pattern)
        elif pattern.startswith("/"):
            matched = f"/{path}" == pattern
        else:
            raise AssertionError(f"a pattern this resolver does not know: {pattern}")
        if matched:
            found = owners
    return found


def block_of(data: bytes) -> bytes:
    start = data.index(b"# BEGIN riskctl codeowners")
    end = data.index(b"\n", data.index(b"# END riskctl codeowners")) + 1
    return data[start:end]


# --- generating ------------------------------------------------------------------------------


def test_generates_the_block_in_github_s_first_location(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    code, out, err = run(str(repo.root / "register"))
    assert (code, err) == (0, "")
    assert out == "wrote .github/CODEOWNERS: 12 lines for /register/\n"
    data = (repo.root / ".github" / "CODEOWNERS").read_bytes()
    lines = data.decode("utf-8").splitlines()
    assert lines[0] == "# BEGIN riskctl codeowners /register/"
    assert lines[1].startswith("# Generated by `riskctl codeowners register` ")
    assert lines[2:5] == [
        "/register/ @acme-head",
        "/.github/CODEOWNERS @acme-head",
        "/register/acceptances/ACC-001.yaml @acme-head",
    ]
    assert lines[-1] == "# END riskctl codeowners /register/"
    rules = github_rules(data)
    for path, owners in EXPECTED_OWNERS.items():
        assert owners_of(rules, path) == owners, path
    for pattern, _owners in rules:  # every pattern names what is in the repository
        assert (repo.root / pattern.lstrip("/")).exists(), pattern


def test_a_second_run_changes_nothing_and_check_passes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    register = str(repo.root / "register")
    assert run(register)[0] == 0
    target = repo.root / ".github" / "CODEOWNERS"
    first = target.read_bytes()
    status = os.stat(target)
    assert run(register) == (0, ".github/CODEOWNERS: up to date\n", "")
    assert target.read_bytes() == first
    assert os.stat(target).st_mtime_ns == status.st_mtime_ns  # not even rewritten
    assert run(register, "--check") == (0, ".github/CODEOWNERS: up to date\n", "")


def test_the_shipped_register_binds_every_file_to_a_handle(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(SHIPPED_REGISTER)
    repo.commit("register", day=1)
    code, out, err = run(str(repo.root / "register"), "--print")
    assert (code, err) == (0, "")
    rules = github_rules(out.encode("utf-8"))
    assert rules[0] == ("/register/", ("@acme-praman",))
    files = sorted(
        path.relative_to(repo.root).as_posix() for path in (repo.root / "register").rglob("*.yaml")
    )
    assert len(rules) == len(files) + 2  # every file has a line, after the folder's
    assert rules[1] == ("/.github/CODEOWNERS", ("@acme-praman",))
    assert owners_of(rules, "register/acceptances/ACC-003.yaml") == ("@acme-dokafor",)
    assert owners_of(rules, "register/risks/R-001.yaml") == ("@acme-live/payments-risk",)
    assert owners_of(rules, "register/riskctl.yaml") == ("@acme-praman",)
    assert not (repo.root / ".github").exists()  # --print writes nothing


def test_print_writes_only_the_block_to_stdout(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    code, out, _err = run(str(repo.root / "register"), "--print")
    assert code == 0
    assert out.startswith("# BEGIN riskctl codeowners /register/\n")
    assert out.endswith("# END riskctl codeowners /register/\n")
    assert sorted(entry.name for entry in repo.root.iterdir()) == [".git", "register"]


def test_a_register_at_the_repository_root_is_owned_by_star(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, folder="")
    code, out, _err = run(str(repo.root), "--print")
    assert code == 0
    rules = github_rules(out.encode("utf-8"))
    assert rules[0] == ("*", ("@acme-head",))
    assert "# Generated by `riskctl codeowners .` " in out
    assert owners_of(rules, "risks/R-001.yaml") == ("@acme/payments-risk",)


# --- the rest of the file, byte for byte ---------------------------------------------------

#: A file written by hand: a BOM, CRLF line endings, a Latin-1 byte, a broad rule, no final
#: newline.
HAND_WRITTEN = b"\xef\xbb\xbf# Owners\r\n* @acme/everyone\r\n/docs/ @acme/writers # caf\xe9\r\n"


def test_lines_outside_the_block_stay_byte_for_byte(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    target = repo.root / "CODEOWNERS"
    target.write_bytes(HAND_WRITTEN + b"/tail @acme/tail")  # no final newline
    register = str(repo.root / "register")
    code, out, err = run(register)
    assert code == 0
    assert out == "wrote CODEOWNERS: 12 lines for /register/\n"
    # the new block comes last, so its rule after it warns
    assert "pattern line" not in err
    data = target.read_bytes()
    assert data.startswith(HAND_WRITTEN + b"/tail @acme/tail\r\n\r\n# BEGIN riskctl")
    block = block_of(data)
    assert block.count(b"\r\n") == block.count(b"\n")  # the file's own CRLF
    # an owner's handle changes; everything around the block stays as it was
    repo.write(
        "register/owners/payments-risk.yaml", PAYMENTS_RISK.replace("@acme/payments-risk", "@pr")
    )
    prefix = data[: data.index(b"# BEGIN")]
    assert run(register)[0] == 0
    again = target.read_bytes()
    assert again.startswith(prefix)
    assert again.endswith(b"# END riskctl codeowners /register/\r\n")
    assert b"/register/risks/R-001.yaml @pr\r\n" in again


def test_a_block_in_the_middle_is_replaced_in_place_and_warned_about(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    register = str(repo.root / "register")
    assert run(register, "--file", str(repo.root / "CODEOWNERS"))[0] == 0
    block = (repo.root / "CODEOWNERS").read_bytes()
    before, after = b"* @acme/everyone\n\n", b"\n# later\n/register/risks/ @acme/override\n"
    stale = block.replace(b"@acme/payments-risk", b"@acme/old-team")
    (repo.root / "CODEOWNERS").write_bytes(before + stale + after)
    code, _out, err = run(register)
    assert code == 0
    assert (repo.root / "CODEOWNERS").read_bytes() == before + block + after
    assert "1 pattern line after riskctl's block" in err
    assert "move the block to the end" in err


def test_another_register_s_block_is_left_alone(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    other = (
        b"# BEGIN riskctl codeowners /other/\n/other/x.yaml @a\n# END riskctl codeowners /other/\n"
    )
    (repo.root / "CODEOWNERS").write_bytes(other)
    code, _out, err = run(str(repo.root / "register"))
    assert (code, err) == (0, "")
    data = (repo.root / "CODEOWNERS").read_bytes()
    assert data.startswith(other + b"\n# BEGIN riskctl codeowners /register/\n")


# --- check -------------------------------------------------------------------------------------


def test_check_fails_when_a_handle_changed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    register = str(repo.root / "register")
    assert run(register)[0] == 0
    written = (repo.root / ".github" / "CODEOWNERS").read_bytes()
    repo.write("register/owners/head-of-risk.yaml", HEAD_OF_RISK.replace("@acme-head", "@new"))
    code, out, err = run(register, "--check")
    assert code == 1
    assert "-/register/acceptances/ACC-001.yaml @acme-head\n" in out
    assert "+/register/acceptances/ACC-001.yaml @new\n" in out
    assert out.startswith("--- .github/CODEOWNERS\n+++ .github/CODEOWNERS\n")
    cure = f"run `riskctl codeowners {register}` and commit it"
    assert err == f"riskctl: .github/CODEOWNERS is out of date; {cure}\n"
    assert (repo.root / ".github" / "CODEOWNERS").read_bytes() == written  # untouched


def test_check_fails_when_a_file_was_added(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    register = str(repo.root / "register")
    assert run(register)[0] == 0
    risk = (repo.root / "register" / "risks" / "R-001.yaml").read_text(encoding="utf-8")
    repo.write("register/risks/R-002.yaml", risk.replace("R-001", "R-002"))
    code, out, _err = run(register, "--check")
    assert code == 1
    assert "+/register/risks/R-002.yaml @acme/payments-risk\n" in out


def test_check_fails_when_the_file_is_missing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    code, out, err = run(str(repo.root / "register"), "--check")
    assert code == 1
    assert out.startswith("--- /dev/null\n+++ .github/CODEOWNERS\n")
    assert "is missing" in err
    assert not (repo.root / ".github").exists()


def test_check_and_print_together_are_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    code, out, err = run(str(repo.root / "register"), "--check", "--print")
    assert (code, out) == (2, "")
    assert "--check and --print do not go together" in err


# --- where the file is ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "chosen"),
    [
        ((), ".github/CODEOWNERS"),
        (("docs/CODEOWNERS",), "docs/CODEOWNERS"),
        (("CODEOWNERS", "docs/CODEOWNERS"), "CODEOWNERS"),
        ((".github/CODEOWNERS", "CODEOWNERS"), ".github/CODEOWNERS"),
    ],
)
def test_the_default_file_is_the_first_that_github_reads(
    tmp_path: Path, existing: tuple[str, ...], chosen: str
) -> None:
    repo = make_repo(tmp_path)
    for each in existing:
        repo.write(each, "* @acme/everyone\n")
    code, out, _err = run(str(repo.root / "register"))
    assert code == 0
    assert out.startswith(f"wrote {chosen}: ")
    assert b"# BEGIN riskctl" in (repo.root / chosen).read_bytes()
    for each in existing:
        if each != chosen:
            assert (repo.root / each).read_bytes() == b"* @acme/everyone\n"


def test_the_configured_file_is_used_and_github_s_view_of_it_said(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    repo.write("register/riskctl.yaml", CONFIG + "  file: docs/CODEOWNERS\n")
    repo.write(".github/CODEOWNERS", "* @acme/everyone\n")
    code, out, err = run(str(repo.root / "register"))
    assert code == 0
    assert out.startswith("wrote docs/CODEOWNERS: ")
    assert err.startswith(
        "riskctl: warning: docs/CODEOWNERS: GitHub reads .github/CODEOWNERS first and ignores "
        "this file\n"
    )
    repo.write("register/riskctl.yaml", CONFIG + "  file: owners.txt\n")
    code, _out, err = run(str(repo.root / "register"))
    assert code == 0
    assert "owners.txt: GitHub reads CODEOWNERS only from" in err


@pytest.mark.parametrize("bad", ["/CODEOWNERS", "../CODEOWNERS", "a/../CODEOWNERS", "a\\\\b"])
def test_a_configured_file_outside_the_repository_is_a_broken_configuration(
    tmp_path: Path, bad: str
) -> None:
    repo = make_repo(tmp_path)
    repo.write("register/riskctl.yaml", CONFIG + f'  file: "{bad}"\n')
    code, out, err = run(str(repo.root / "register"), "--print")
    assert (code, out) == (3, "")
    assert "codeowners.file" in err
    assert "expected a path relative to the repository root" in err


def test_a_symlinked_codeowners_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    target = tmp_path / "elsewhere"
    target.write_bytes(b"* @acme/everyone\n")
    (repo.root / ".github").mkdir()
    (repo.root / ".github" / "CODEOWNERS").symlink_to(target)
    for options in ([], ["--check"]):
        code, out, err = run(str(repo.root / "register"), *options)
        assert (code, out) == (3, ""), err
        assert "a symbolic link" in err
        assert "CODEOWNERS" in err
    assert target.read_bytes() == b"* @acme/everyone\n"
    assert (repo.root / ".github" / "CODEOWNERS").is_symlink()


def test_a_fifo_or_folder_as_codeowners_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    os.mkfifo(repo.root / "CODEOWNERS")
    code, _out, err = run(str(repo.root / "register"))
    assert code == 3
    assert "a FIFO (named pipe), not a regular file" in err
    (repo.root / "CODEOWNERS").unlink()
    (repo.root / "CODEOWNERS").mkdir()
    code, _out, err = run(str(repo.root / "register"))
    assert code == 3
    assert "a folder, not a regular file" in err


def test_a_codeowners_file_github_would_not_load_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    (repo.root / "CODEOWNERS").write_bytes(b"# padding\n" * 300_000)
    code, _out, err = run(str(repo.root / "register"))
    assert code == 3
    assert "GitHub reads CODEOWNERS files under 3 MB only" in err


# --- broken markers ------------------------------------------------------------------------

BEGIN = b"# BEGIN riskctl codeowners /register/\n"
END = b"# END riskctl codeowners /register/\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (BEGIN + END + b"x @a\n" + BEGIN + END, "CODEOWNERS:4: a second `# BEGIN riskctl"),
        (
            b"* @a\n" + BEGIN + b"/x @a\n",
            "CODEOWNERS:2: `# BEGIN riskctl codeowners /register/` has no end",
        ),
        (END + BEGIN + END, "CODEOWNERS:3: a second end marker"),
        (b"* @a\n" + END + BEGIN, "CODEOWNERS:2: an end marker for /register/ without its"),
    ],
    ids=["two-blocks", "begin-without-end", "two-ends", "end-before-begin"],
)
def test_broken_markers_are_exit_3_and_nothing_is_written(
    tmp_path: Path, content: bytes, message: str
) -> None:
    repo = make_repo(tmp_path)
    (repo.root / "CODEOWNERS").write_bytes(content)
    for options in ([], ["--check"]):
        code, out, err = run(str(repo.root / "register"), *options)
        assert (code, out) == (3, "")
        assert message in err, err
    assert (repo.root / "CODEOWNERS").read_bytes() == content


# --- what cannot be expressed or injected ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("R-001 copy.yaml", "a space"),
        ("R-001#.yaml", "a `#`"),
        ("R-001!.yaml", "a `!`"),
        ("R-001[1].yaml", "a `[`"),
        ("R-00*.yaml", "a `*`"),
        ("R-00?.yaml", "a `?`"),
        ("R-001\\.yaml", "a backslash"),
        ("R-001\x01.yaml", "a control character"),
        ("R-001\u3000.yaml", "white space"),
        ("R-001\u202e.yaml", "a character that cannot be printed"),
    ],
)
def test_a_register_path_codeowners_cannot_express_is_refused(
    tmp_path: Path, name: str, what: str
) -> None:
    repo = make_repo(tmp_path)
    source = repo.root / "register" / "risks" / "R-001.yaml"
    shutil.copy(source, source.with_name(name))
    code, out, err = run(str(repo.root / "register"))
    assert (code, out) == (3, ""), err
    assert f"CODEOWNERS cannot name this path: it holds {what}" in err
    assert "register/risks/R-00" in err
    assert not (repo.root / ".github").exists()


def test_a_file_name_that_is_not_utf_8_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    risks = os.fsencode(repo.root / "register" / "risks")
    shutil.copy(os.path.join(risks, b"R-001.yaml"), os.path.join(risks, b"R-\xff.yaml"))
    code, out, err = run(str(repo.root / "register"))
    assert (code, out) == (3, "")
    assert "register/risks/R-\\udcff.yaml: CODEOWNERS cannot name this path" in err


def test_a_register_folder_codeowners_cannot_express_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, folder="risk register")
    code, out, err = run(str(repo.root / "risk register"), "--print")
    assert (code, out) == (3, "")
    assert "risk register/: CODEOWNERS cannot name this path: it holds a space" in err


@pytest.mark.parametrize(
    "handle",
    [
        "@alice\\n/register/ @mallory",
        "@alice #comment",
        "@alice @bob",
        "@acme/team/x",
        "@a\\u2028b",
    ],
)
def test_a_handle_that_could_inject_never_loads(tmp_path: Path, handle: str) -> None:
    repo = make_repo(tmp_path)
    repo.write(
        "register/owners/head-of-risk.yaml", HEAD_OF_RISK.replace('"@acme-head"', f'"{handle}"')
    )
    code, out, err = run(str(repo.root / "register"))
    assert (code, out) == (3, "")
    assert "1 register file did not load: " in err
    assert "register/owners/head-of-risk.yaml" in err
    assert not (repo.root / ".github").exists()


def test_the_block_checks_handles_again_when_the_model_was_bypassed() -> None:
    loaded = load(read_directory(BASE_REGISTER))
    register = Register(loaded.register.config)
    hostile = Owner.model_construct(id="head-of-risk", name="x", github="@a\n* @mallory")
    for record in loaded.register.records:
        is_target = record.entity.id == "head-of-risk"
        register.add(Record("owner", record.file, hostile) if is_target else record)
    with pytest.raises(RiskctlError, match="is not a GitHub handle"):
        plan_block(register, "register", "riskctl codeowners register")


def test_no_git_is_exit_3_saying_why(tmp_path: Path) -> None:
    shutil.copytree(BASE_REGISTER, tmp_path / "register")
    code, out, err = run(str(tmp_path / "register"))
    assert (code, out) == (3, "")
    assert "not inside a git repository" in err
    assert "riskctl codeowners needs the one holding the register" in err


@pytest.mark.parametrize("kind", ["file", "fifo", "dangling-link", "newline-name"])
def test_a_hostile_register_path_is_exit_3(tmp_path: Path, kind: str) -> None:
    path = PATHS[kind](tmp_path)
    code, out, err = run(str(path), "--print")
    assert (code, out) == (3, "")
    assert err.startswith("riskctl: error: ")


def test_files_without_a_handle_get_no_line_and_are_named(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    repo.write(
        "register/owners/payments-risk.yaml",
        PAYMENTS_RISK.replace('github: "@acme/payments-risk"\n', ""),
    )
    code, out, err = run(str(repo.root / "register"), "--print")
    assert code == 0
    assert "R-001.yaml" not in out
    assert err.startswith(
        "riskctl: warning: 7 register files have no owner with a github handle, so no line of "
        "their own; the register folder's line (@acme-head) covers them: controls/C-001.yaml "
        "(owner payments-risk has no github handle); "
    )
    rules = github_rules(out.encode("utf-8"))
    assert owners_of(rules, "register/risks/R-001.yaml") == ("@acme-head",)


# --- the splice alone ---------------------------------------------------------------------


def test_splice_appends_after_a_blank_line_and_keeps_an_empty_file_empty_before(
    tmp_path: Path,
) -> None:
    loaded = load(read_directory(BASE_REGISTER))
    block = plan_block(loaded.register, "register", "riskctl codeowners register")
    rendered = block.render()
    assert splice(None, block, "CODEOWNERS") == (rendered, 0)
    assert splice(b"", block, "CODEOWNERS") == (rendered, 0)
    assert splice(b"* @a\n", block, "CODEOWNERS") == (b"* @a\n\n" + rendered, 0)
    assert splice(b"* @a\n\n", block, "CODEOWNERS") == (b"* @a\n\n" + rendered, 0)
    assert splice(b"\xef\xbb\xbf", block, "CODEOWNERS") == (b"\xef\xbb\xbf" + rendered, 0)
    bom_block = b"\xef\xbb\xbf" + rendered
    assert splice(bom_block, block, "CODEOWNERS") == (bom_block, 0)


def test_an_incident_without_an_owner_falls_to_the_default_owners(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    incident = repo.root / "register" / "incidents" / "INC-2026-001.yaml"
    text = incident.read_text(encoding="utf-8")
    incident.write_text(text.replace("owner: payments-risk\nkind:", "kind:"), encoding="utf-8")
    code, out, err = run(str(repo.root / "register"), "--print")
    assert code == 0
    assert err == (
        "riskctl: warning: 1 register file has no owner with a github handle, so no line of its "
        "own; the register folder's line (@acme-head) covers it: incidents/INC-2026-001.yaml "
        "(no owner)\n"
    )
    rules = github_rules(out.encode("utf-8"))
    assert owners_of(rules, "register/incidents/INC-2026-001.yaml") == ("@acme-head",)


def test_an_owner_id_declared_twice_is_refused(tmp_path: Path) -> None:
    """owners/aa.yaml declaring `id: payments-risk` came first in path order, so its handle
    became the required reviewer of everything payments-risk owns, their own file included."""
    repo = make_repo(tmp_path)
    repo.write("register/owners/aa.yaml", PAYMENTS_RISK.replace("@acme/payments-risk", "@evil"))
    code, out, err = run(str(repo.root / "register"))
    assert (code, out) == (3, "")
    assert err.startswith(
        "riskctl: error: owner payments-risk is declared by owners/aa.yaml and "
        "owners/payments-risk.yaml (RK101)"
    )
    assert not (repo.root / ".github").exists()
    assert run(str(repo.root / "register"), "--print")[0] == 3


def test_a_configured_file_name_reaches_the_terminal_escaped(tmp_path: Path) -> None:
    """`codeowners.file` is riskctl.yaml's text: `wrote ...` and `... up to date` printed it as
    it was, a bidi override or a C1 control (U+009B, CSI) included."""
    repo = make_repo(tmp_path)
    repo.write("register/riskctl.yaml", CONFIG + '  file: "OWNERS\\u202e\\x9b31m"\n')
    for arguments in ((), (), ("--check",)):
        code, out, _err = run(str(repo.root / "register"), *arguments)
        assert code == 0
        assert "\u202e" not in out and "\x9b" not in out
        assert "OWNERS\\u202e\\x9b31m: " in out
    assert (repo.root / "OWNERS\u202e\x9b31m").exists()


def test_a_named_file_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    missing = repo.root / "nowhere" / "CODEOWNERS"
    code, out, err = run(str(repo.root / "register"), "--file", str(missing))
    assert (code, out) == (3, "")
    assert "does not exist (riskctl does not create it)" in err
    assert not missing.parent.exists()


# --- properties of the splice ------------------------------------------------------------------

#: `make fuzz` sets HYPOTHESIS_PROFILE=fuzz; the default suite stays short.
EXAMPLES = 1_000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 60
SPLICE_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "fuzz",
)
#: Pieces of hand-written CODEOWNERS text, the awkward ones included: CR, CRLF, a BOM, bytes
#: that are not UTF-8, blank lines, comments, another register's block, trailing blanks.
PIECES = st.sampled_from(
    [
        b"\n",
        b"\r\n",
        b"\r",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"# comment",
        b"* @acme/everyone",
        b"/docs/ @acme/writers",
        b"  ",
        b"\t",
        b"# BEGIN riskctl codeowners /other/\n",
        b"# END riskctl codeowners /other/\n",
        b"# BEGIN riskctl codeowners /register/x",
        "caf\u00e9".encode(),
    ]
)
TEXTS = st.lists(PIECES, max_size=12).map(b"".join)
SMALL_BLOCK = Block(
    folder="/register/",
    command="riskctl codeowners register",
    lines=(
        OwnerLine("/register/", ("@acme-head",)),
        OwnerLine("/register/risks/R-001.yaml", ("@acme/payments-risk",)),
    ),
    unowned=(),
    default_handles=("@acme-head",),
)


def _without_markers(text: bytes) -> bool:
    bare = {line.rstrip(b"\r\n").rstrip(b" \t") for line in text.split(b"\n")}
    bare |= {line.removeprefix(b"\xef\xbb\xbf") for line in bare}
    return SMALL_BLOCK.begin not in bare and SMALL_BLOCK.end not in bare


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (b"* @x\r\n# c\r", b"* @x\r\n# c\r\n\r\n"),  # a CRLF file whose last LF is missing
        (b"* @x\r", b"* @x\r\n\r\n"),
    ],
)
def test_a_last_line_ending_in_cr_is_ended_as_crlf_not_cr_cr_lf(text: bytes, kept: bytes) -> None:
    spliced, _rules = splice(text, SMALL_BLOCK, "CODEOWNERS")
    assert spliced == kept + SMALL_BLOCK.render(b"\r\n")
    assert b"\r\r" not in spliced


@SPLICE_SETTINGS
@given(TEXTS)
def test_appending_keeps_every_byte_and_a_second_splice_changes_nothing(text: bytes) -> None:
    assume(_without_markers(text))
    spliced, _rules = splice(text, SMALL_BLOCK, "CODEOWNERS")
    assert spliced.startswith(text)
    added = spliced[len(text) :]
    assert added.lstrip(b"\r\n") in (SMALL_BLOCK.render(), SMALL_BLOCK.render(b"\r\n"))
    assert splice(spliced, SMALL_BLOCK, "CODEOWNERS") == (spliced, _rules)


@SPLICE_SETTINGS
@given(TEXTS, TEXTS, st.sampled_from([b"\n", b"\r\n"]))
def test_replacing_keeps_the_bytes_before_and_after_the_block(
    before: bytes, after: bytes, newline: bytes
) -> None:
    assume(_without_markers(before) and _without_markers(after))
    if before and not before.endswith(b"\n"):
        before += b"\n"
    stale = SMALL_BLOCK.render(newline).replace(b"@acme-head", b"@someone-else")
    spliced, _rules = splice(before + stale + after, SMALL_BLOCK, "CODEOWNERS")
    assert spliced.startswith(before)
    assert spliced.endswith(after)
    middle = spliced[len(before) : len(spliced) - len(after)]
    assert middle in (SMALL_BLOCK.render(), SMALL_BLOCK.render(b"\r\n"))
    assert splice(spliced, SMALL_BLOCK, "CODEOWNERS") == (spliced, _rules)


def test_a_linked_github_folder_is_not_written_through(tmp_path: Path) -> None:
    """A `.github` committed as a symbolic link to a folder outside the repository: the block
    was written there, though riskctl refuses a CODEOWNERS file that is itself a link."""
    repo = make_repo(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo.root / ".github").symlink_to(elsewhere)
    code, out, err = run(str(repo.root / "register"))
    assert (code, out) == (3, "")
    assert err.startswith("riskctl: error: .github/CODEOWNERS: its folder ")
    assert "is a symbolic link (to " in err
    assert list(elsewhere.iterdir()) == []


def test_a_file_in_gits_own_folder_is_never_taken_for_codeowners(tmp_path: Path) -> None:
    """`codeowners.file: .git/config` spliced the block into git's configuration, and every git
    command then failed on a bad config line."""
    repo = make_repo(tmp_path)
    config = repo.root / ".git" / "config"
    before = config.read_bytes()
    repo.write("register/riskctl.yaml", CONFIG + "  file: .git/config\n")
    for arguments in ((), ("--check",)):
        code, out, err = run(str(repo.root / "register"), *arguments)
        assert (code, out) == (3, "")
        assert err.startswith("riskctl: error: .git/config: inside git's own folder (.git)")
    exclude = repo.root / ".git" / "info" / "exclude"
    code, _out, err = run(str(repo.root / "register"), "--file", str(exclude))
    assert code == 3
    assert "inside git's own folder" in err
    assert config.read_bytes() == before
    repo.git("status")


@pytest.mark.parametrize("target", ["register/risks/R-001.yaml", "register/riskctl.yaml"])
def test_a_register_file_is_never_taken_for_codeowners(tmp_path: Path, target: str) -> None:
    repo = make_repo(tmp_path)
    before = (repo.root / target).read_bytes()
    code, out, err = run(str(repo.root / "register"), "--file", str(repo.root / target))
    assert (code, out) == (3, "")
    assert "a file of the register; the CODEOWNERS file must be one of its own" in err
    assert (repo.root / target).read_bytes() == before
    config = CONFIG + "  file: register/owners/head-of-risk.yaml\n"
    repo.write("register/riskctl.yaml", config)
    code, _out, err = run(str(repo.root / "register"))
    assert code == 3
    assert "register/owners/head-of-risk.yaml: a file of the register" in err


def test_a_file_github_does_not_read_gets_no_line_for_itself(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    for target in (repo.root / "owners.txt", tmp_path / "outside"):
        code, out, err = run(str(repo.root / "register"), "--file", str(target))
        assert code == 0, err
        assert out == f"wrote {target}: 11 lines for /register/\n"
        rules = github_rules(target.read_bytes())
        assert [pattern for pattern, _owners in rules if "register" not in pattern] == []
    assert "outside the repository; GitHub will not read it" in err


def test_without_default_owners_there_is_no_folder_line_and_it_is_said(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    repo.write("register/riskctl.yaml", CONFIG.replace("  default_owners: [head-of-risk]\n", ""))
    code, out, err = run(str(repo.root / "register"), "--print")
    assert code == 0
    rules = github_rules(out.encode("utf-8"))
    assert rules[0] == ("/register/acceptances/ACC-001.yaml", ("@acme-head",))
    assert owners_of(rules, "register/risks/R-002.yaml") == ()
    assert err == (
        "riskctl: warning: 1 register file has no owner with a github handle, so no line of its "
        "own; no one is required to review it (set codeowners.default_owners): riskctl.yaml "
        "(codeowners.default_owners names no owner with a github handle)\n"
    )
