"""`riskctl diff` on framework coverage: requirements whose status changed, the `coverage-lost`
gate, and a changed catalogue summarised instead of flooding the entity diff.

Each case commits a small register to a real git repository, changes the working tree, and
diffs HEAD with it, reading partially (as the command does) and completely: both must agree.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.diff import RegisterDiff, diff_registers
from riskctl.diff_reads import diff_sources, read_diff_sides
from riskctl.load import ParseCache, load
from riskctl.output.diff import render_json, render_markdown, render_text
from tests.conftest import BASE_REGISTER, FROZEN_NOW
from tests.gitrepo import GitRepo

NOW = datetime.date.fromisoformat(FROZEN_NOW)
runner = CliRunner()

#: A catalogue of the register's own: two groupings' worth of requirements.
ACME = """\
id: acme-2026
name: ACME baseline
version: "2026"
source: written for this test
licence: public domain
requirements:
  - {id: AC, title: Access, assessable: false}
  - {id: AC-1, title: Purchases are rate limited, parent: AC}
  - {id: AC-2, title: Chargebacks are reviewed, parent: AC}
"""

CONFIG_SCOPE = """\
frameworks:
  in_scope:
    - id: nist-csf-2.0
    - id: acme-2026
"""


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """The base register with C-001 (active, effective, tested 2026-09-15) mapped to
    PR.AA-01, DE.CM-01 and acme-2026:AC-1, and C-003 (active, partially effective) mapped to
    DE.CM-01 too; both frameworks in scope."""
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    control = repo.root / "register/controls/C-001.yaml"
    control.write_text(
        control.read_text()
        + "maps_to: [nist-csf-2.0:PR.AA-01, nist-csf-2.0:DE.CM-01, acme-2026:AC-1]\n"
    )
    repo.write(
        "register/controls/C-003.yaml",
        "id: C-003\ntitle: Login anomaly alerts\nowner: payments-risk\nnature: detective\n"
        "frequency: continuous\nreduces: likelihood\n"
        "effectiveness: {design: effective, operating: partially-effective}\n"
        "tests:\n  - {date: 2026-10-01, type: operating, procedure: reperformance, "
        "sample_size: 1, exceptions: 1, result: pass}\n"
        "  - {date: 2026-03-02, type: design, result: pass, procedure: inspection}\n"
        "maps_to: [nist-csf-2.0:DE.CM-01]\n",
    )
    repo.write("register/frameworks/acme-2026.yaml", ACME)
    config = repo.root / "register/riskctl.yaml"
    config.write_text(config.read_text() + CONFIG_SCOPE)
    repo.commit("mapped register", day=1)
    return repo


def edit(repo: GitRepo, relative: str, old: str, new: str) -> None:
    path = repo.root / "register" / relative
    text = path.read_text()
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1))


def diff_of(repo: GitRepo) -> RegisterDiff:
    """HEAD against the working tree, read partially; the complete read must agree."""
    documents = []
    diffs = []
    for complete in (False, True):
        sides = read_diff_sides(
            *diff_sources(repo.root / "register", None, None), complete=complete
        )
        cache: ParseCache = {}
        old, new = load(sides.old, cache), load(sides.new, cache)
        diff = diff_registers(
            old.register, new.register, NOW, sides.old_ref, sides.new_ref, old.failed, new.failed
        )
        diffs.append(diff)
        documents.append(render_json(diff, set()))
    assert documents[0] == documents[1]
    return diffs[0]


def moves(diff: RegisterDiff) -> list[tuple[str, str | None, str | None]]:
    return [(change.key, change.old, change.new) for change in diff.coverage]


def lost(diff: RegisterDiff) -> list[tuple[str, str]]:
    return [(hit.id, hit.message) for hit in diff.gates if hit.gate == "coverage-lost"]


def test_nothing_changed_reports_no_coverage_change(repo: GitRepo) -> None:
    diff = diff_of(repo)
    assert diff.coverage == () and lost(diff) == []


def test_a_retired_control_loses_what_only_it_covered(repo: GitRepo) -> None:
    edit(repo, "controls/C-001.yaml", "key: true\n", "key: true\nstatus: retired\n")
    diff = diff_of(repo)
    # DE.CM-01 keeps C-003 in operation (partial); PR.AA-01 and AC-1 had only C-001 (gap).
    assert moves(diff) == [
        ("acme-2026:AC-1", "covered", "gap"),
        ("nist-csf-2.0:PR.AA-01", "covered", "gap"),
        ("nist-csf-2.0:DE.CM-01", "covered", "partial"),
    ]
    standing = diff.coverage[2].controls
    assert [(each.control, each.old, each.new, each.reason) for each in standing] == [
        ("C-001", "meets", "not in operation", "retired: not in operation")
    ]
    assert lost(diff) == [
        (
            "acme-2026:AC-1",
            "acme-2026 AC-1 went from covered to gap: C-001 no longer meets it: "
            "retired: not in operation",
        ),
        (
            "nist-csf-2.0:DE.CM-01",
            "nist-csf-2.0 DE.CM-01 went from covered to partial: C-001 no longer meets it: "
            "retired: not in operation",
        ),
        (
            "nist-csf-2.0:PR.AA-01",
            "nist-csf-2.0 PR.AA-01 went from covered to gap: C-001 no longer meets it: "
            "retired: not in operation",
        ),
    ]


def test_a_failed_operating_test_makes_its_requirements_partial(repo: GitRepo) -> None:
    edit(
        repo,
        "controls/C-001.yaml",
        "tests:\n",
        "tests:\n  - {date: 2026-11-20, type: operating, procedure: reperformance, "
        "sample_size: 1, exceptions: 1, result: fail}\n",
    )
    diff = diff_of(repo)
    assert {new for _, _, new in moves(diff)} == {"partial"}
    assert len(lost(diff)) == 3
    assert all(
        message.endswith("C-001 no longer meets it: latest operating test (2026-11-20) failed")
        for _, message in lost(diff)
    )


def test_a_failed_test_dated_after_now_counts_on_neither_side(repo: GitRepo) -> None:
    edit(
        repo,
        "controls/C-001.yaml",
        "tests:\n",
        "tests:\n  - {date: 2026-12-20, type: operating, procedure: reperformance, "
        "sample_size: 1, exceptions: 1, result: fail}\n",
    )
    assert diff_of(repo).coverage == ()


def test_a_removed_mapping_names_the_mapping(repo: GitRepo) -> None:
    edit(repo, "controls/C-001.yaml", "nist-csf-2.0:PR.AA-01, ", "")
    diff = diff_of(repo)
    assert moves(diff) == [("nist-csf-2.0:PR.AA-01", "covered", "gap")]
    assert lost(diff) == [
        (
            "nist-csf-2.0:PR.AA-01",
            "nist-csf-2.0 PR.AA-01 went from covered to gap: C-001 no longer meets it: "
            "its mapping was removed",
        )
    ]


def test_a_deleted_control_is_named(repo: GitRepo) -> None:
    repo.remove("register/controls/C-001.yaml")
    diff = diff_of(repo)
    assert lost(diff)[0][1].endswith(
        "C-001 no longer meets it: the control was deleted (or does not load)"
    )


def test_an_incident_naming_a_control_voids_its_coverage(repo: GitRepo) -> None:
    repo.write(
        "register/incidents/INC-2026-002.yaml",
        "id: INC-2026-002\nkind: incident\ntitle: Velocity limits bypassed\noccurred: 2026-11-01\n"
        "severity: 3\nrisks: [R-001]\nfailed_controls: [C-001]\n",
    )
    diff = diff_of(repo)
    assert {(old, new) for _, old, new in moves(diff)} == {("covered", "partial")}
    _, message = lost(diff)[0]
    assert "C-001 no longer meets it: " in message and "INC-2026-002" in message


def test_a_new_mapping_covers_and_fires_nothing(repo: GitRepo) -> None:
    edit(repo, "controls/C-001.yaml", "acme-2026:AC-1]", "acme-2026:AC-1, acme-2026:AC-2]")
    diff = diff_of(repo)
    assert moves(diff) == [("acme-2026:AC-2", "gap", "covered")]
    [control] = diff.coverage[0].controls
    assert (control.old, control.new) == ("not mapped", "meets")
    assert control.reason.startswith("effective; operating test passed 2026-09-15")
    assert lost(diff) == []


def test_declaring_a_covered_requirement_not_applicable_does_not_fire(repo: GitRepo) -> None:
    edit(
        repo,
        "riskctl.yaml",
        "    - id: acme-2026\n",
        "    - id: acme-2026\n      not_applicable:\n"
        "        - {requirement: AC-1, justification: No purchases}\n",
    )
    diff = diff_of(repo)
    assert moves(diff) == [("acme-2026:AC-1", "covered", "not-applicable")]
    assert diff.coverage[0].why == "declared not applicable: No purchases"
    assert lost(diff) == []


def test_the_catalogue_losing_a_requirement_is_summarised_not_lost(repo: GitRepo) -> None:
    edit(
        repo,
        "frameworks/acme-2026.yaml",
        "  - {id: AC-1, title: Purchases are rate limited, parent: AC}\n",
        "",
    )
    edit(
        repo,
        "frameworks/acme-2026.yaml",
        "title: Chargebacks are reviewed",
        "title: Chargebacks are reviewed daily",
    )
    repo.write(
        "register/frameworks/acme-2026.yaml",
        (repo.root / "register/frameworks/acme-2026.yaml").read_text()
        + "  - {id: AC-3, title: Refunds are approved, parent: AC}\n",
    )
    diff = diff_of(repo)
    assert moves(diff) == [("acme-2026:AC-3", None, "gap"), ("acme-2026:AC-1", "covered", None)]
    assert diff.coverage[1].why == "gone from the catalogue"
    assert lost(diff) == []
    [change] = [each for each in diff.changes if each.kind == "framework"]
    assert change.fields == () and change.catalogue is not None
    assert (change.catalogue.added, change.catalogue.removed, change.catalogue.retitled) == (
        ("AC-3",),
        ("AC-1",),
        ("AC-2",),
    )
    text = render_text(diff, set())
    assert "  requirements removed: 1: AC-1\n" in text
    assert "requirements.0" not in text


def test_a_changed_catalogue_is_not_said_to_be_an_unchanged_file(repo: GitRepo) -> None:
    # Its requirements are summarised, not listed as fields: the text said "its file did not
    # change: its controls did" of a catalogue file that had just lost a requirement.
    edit(
        repo,
        "frameworks/acme-2026.yaml",
        "  - {id: AC-2, title: Chargebacks are reviewed, parent: AC}\n",
        "",
    )
    text = render_text(diff_of(repo), set())
    assert "framework acme-2026: modified\n  requirements removed: 1: AC-2\n" in text
    assert "its file did not change" not in text


def test_a_broken_catalogue_is_not_said_to_have_lost_its_requirements(repo: GitRepo) -> None:
    # A file that does not load says nothing of its requirements: the text listed every
    # requirement of a catalogue broken by a typo as removed (and, repaired, as added).
    repo.write("register/frameworks/acme-2026.yaml", "id: [acme-2026\n")
    sides = read_diff_sides(*diff_sources(repo.root / "register", None, None), complete=True)
    cache: ParseCache = {}
    old, new = load(sides.old, cache), load(sides.new, cache)
    for before, after in ((old, new), (new, old)):
        diff = diff_registers(
            before.register, after.register, NOW, "a", "b", before.failed, after.failed
        )
        [change] = [each for each in diff.changes if each.kind == "framework"]
        assert change.change in ("broken", "repaired")
        assert change.catalogue is None
        assert "requirements " not in render_text(diff, set())


def test_a_large_catalogue_change_lists_counts_and_the_first_ids(repo: GitRepo) -> None:
    extra = "".join(
        f"  - {{id: AC-{n}, title: Requirement {n}, parent: AC}}\n" for n in range(10, 40)
    )
    repo.write(
        "register/frameworks/acme-2026.yaml",
        ACME + extra,
    )
    diff = diff_of(repo)
    text = render_text(diff, set())
    assert (
        "  requirements added: 30: AC-10, AC-11, AC-12, AC-13, AC-14, AC-15, AC-16, AC-17, "
        "AC-18, AC-19, ... (20 more)\n" in text
    )
    assert len(diff.coverage) == 30  # each new requirement is a gap
    assert json.loads(render_json(diff, set()))["changes"][0]["catalogue"]["added"][-1] == "AC-39"


def test_every_format_shows_the_change_and_the_gate(repo: GitRepo) -> None:
    edit(repo, "controls/C-001.yaml", "nist-csf-2.0:PR.AA-01, ", "")
    diff = diff_of(repo)
    text = render_text(diff, {"coverage-lost"})
    assert "1 requirement(s) changed coverage; gates: coverage-lost (fails)" in text
    assert (
        "coverage (requirements whose status changed):\n"
        "  nist-csf-2.0 PR.AA-01: covered → gap\n"
        "    Identities and credentials for authorized users, services, and hardware are "
        "m...\n"
        "    C-001: meets → not mapped: its mapping was removed\n"
    ) in text
    markdown = render_markdown(diff, set())
    assert "**Requirements whose coverage changed**" in markdown
    assert "| nist-csf-2.0 PR.AA-01 |" in markdown
    document = json.loads(render_json(diff, set()))
    assert document["coverage"] == [
        {
            "framework": "nist-csf-2.0",
            "requirement": "PR.AA-01",
            "title": diff.coverage[0].title,
            "old": "covered",
            "new": "gap",
            "why": "",
            "controls": [
                {
                    "control": "C-001",
                    "old": "meets",
                    "new": "not mapped",
                    "reason": "its mapping was removed",
                }
            ],
        }
    ]


def test_the_gate_fails_the_run_when_asked(repo: GitRepo) -> None:
    edit(repo, "controls/C-001.yaml", "key: true\n", "key: true\nstatus: retired\n")
    arguments = ["diff", str(repo.root / "register"), "--now", FROZEN_NOW]
    assert runner.invoke(app, arguments).exit_code == 0
    result = runner.invoke(app, [*arguments, "--fail-on", "coverage-lost"])
    assert result.exit_code == 1, result.output
    assert "coverage-lost (fails): nist-csf-2.0 PR.AA-01 went from covered to gap" in result.stdout


def test_without_a_scope_the_mapped_frameworks_are_compared(repo: GitRepo) -> None:
    edit(repo, "riskctl.yaml", CONFIG_SCOPE, "")
    repo.commit("no scope", day=2)
    edit(repo, "controls/C-001.yaml", "key: true\n", "key: true\nstatus: retired\n")
    assert {change.framework for change in diff_of(repo).coverage} == {"acme-2026", "nist-csf-2.0"}


def test_a_framework_mapped_but_not_declared_is_compared_too(repo: GitRepo) -> None:
    """nist-csf-2.0 stays in scope; acme-2026 is only mapped: its change is reported all the
    same, and the gate fires on it."""
    edit(repo, "riskctl.yaml", "    - id: acme-2026\n", "")
    repo.commit("acme only mapped", day=2)
    edit(repo, "controls/C-001.yaml", "key: true\n", "key: true\nstatus: retired\n")
    diff = diff_of(repo)
    assert ("acme-2026:AC-1", "covered", "gap") in moves(diff)
    assert "acme-2026:AC-1" in [key for key, _ in lost(diff)]


def test_the_partial_read_takes_every_control_mapped_to_a_touched_requirement(
    repo: GitRepo,
) -> None:
    """C-001 changes; C-003 (unchanged, linked by no risk) maps to DE.CM-01 as C-001 does, so
    it is read; the catalogue files are read; nothing else that cannot matter."""
    edit(repo, "controls/C-001.yaml", "key: true\n", "key: true\nstatus: retired\n")
    sides = read_diff_sides(*diff_sources(repo.root / "register", None, None))
    assert sides.partial
    assert {"controls/C-003.yaml", "frameworks/acme-2026.yaml"} <= set(sides.new.files)
    assert not any(path.startswith(("kris/", "owners/", "launches/")) for path in sides.new.files)
