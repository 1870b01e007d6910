"""`riskctl diff` on real git repositories: changes, tier movements, gates, sides, formats.

Every scenario starts from tests/rules/base, committed as `base`, and is a detached line of
commits from it: an optional setup commit (`NAME-from`, else `base`) and the change under test
(`NAME-to`). Expected cells are computed by hand with the default credit model
(../shared/reference/residual-scoring.md, section 3) on the 5x5 preset: levels low 1-4,
medium 5-9, high 10-16, critical 20-25.

The base register at a glance. R-001 (payments-fraud, appetite medium): inherent L4 I4 = 16
high; linked C-001 (key, active, effective, reduces likelihood) and C-002 (planned, reduces
impact). ACC-001 accepts R-001 from 2026-10-01 to 2027-03-31, valid on FROZEN_NOW.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.diff import GATES, TIERS, FieldChange, MethodEffect, RegisterDiff, field_changes
from riskctl.diff import diff_registers as compare
from riskctl.diff_reads import DiffSides, diff_sources, read_diff_sides
from riskctl.load import ParseCache, load
from riskctl.output.diff import render_json, render_markdown, render_text
from riskctl.score.matrix import Cell
from tests.conftest import BASE_REGISTER, FROZEN_NOW, TESTS, check_golden
from tests.gitrepo import GitRepo

NOW = datetime.date.fromisoformat(FROZEN_NOW)
GOLDEN = TESTS / "golden" / "diff"
SIX_GATES = [
    "residual-lowered",
    "key-control-removed",
    "effectiveness-downgraded",
    "acceptance-extended",
    "above-appetite",
    "risk-deleted",
]
#: Every gate: the six above fire in SCENARIOS; tolerance-breached (it needs quant inputs and a
#: simulation) fires and is missed in tests/test_diff_quant.py; coverage-lost (it needs framework
#: mappings) in tests/test_diff_coverage.py.
GATE_NAMES = [*SIX_GATES, "tolerance-breached", "coverage-lost"]
runner = CliRunner()


def cell(likelihood: int, impact: int, level: str) -> Cell:
    return Cell(likelihood, impact, likelihood * impact, level)


# R-001 in the base register, by hand:
INHERENT = cell(4, 4, "high")  # 16
# L: C-001 effective, 0.6: v = 1 + 3 x 0.4 = 2.2 -> 3. I: C-002 planned earns 0 -> 4.
RESIDUAL = cell(3, 4, "high")  # 12, above the medium appetite
# Projected: C-002 counts as active and effective, I: v = 1 + 3 x 0.4 = 2.2 -> 3.
PROJECTED = cell(3, 3, "medium")  # 9
# C-001 earning nothing (retired, deleted, unlinked, failed or ineffective), or only the
# partially-effective 0.3 (L: v = 1 + 3 x 0.7 = 3.1 -> 4): L stays 4.
RESIDUAL_WITHOUT_C001 = cell(4, 4, "high")  # 16
PROJECTED_WITHOUT_C001 = cell(4, 3, "high")  # 12
# C-002 active and effective: I: 2.2 -> 3, L as in RESIDUAL.
RESIDUAL_WITH_C002 = cell(3, 3, "medium")  # 9, within the medium appetite


# --- scenario files ------------------------------------------------------------------------------

R002 = """\
id: R-002
title: Account takeover through password reuse
category: account-security
owner: payments-risk
inherent: {likelihood: 2, impact: 2}
treatment: mitigate
reviewed: 2026-10-01
"""
R002_ABOVE = R002.replace("impact: 2}", "impact: 3}")  # L2 I3 = 6 medium, above appetite low
R003 = """\
id: R-003
title: Refund abuse through reversed gift-coin transfers
category: payments-fraud
owner: payments-risk
inherent: {likelihood: 3, impact: 3}
controls: [C-003]
treatment: mitigate
reviewed: 2026-10-01
"""
C003 = """\
id: C-003
title: Step-up authentication on new devices
owner: payments-risk
nature: preventive
reduces: likelihood
effectiveness: {design: effective, operating: effective}
"""
C003_KEY_BOTH = """\
id: C-003
title: Refund reversal review
owner: payments-risk
key: true
nature: detective
automation: manual
frequency: daily
reduces: both
effectiveness: {design: effective, operating: effective}
tests:
  - {date: 2026-03-02, type: design, result: pass}
  - {date: 2026-09-15, type: operating, sample_size: 25, result: pass}
"""
ACC002 = """\
id: ACC-002
risk: R-002
approver: head-of-risk
decided: 2026-11-01
expires: 2027-02-28
rationale: Step-up authentication ships in February.
"""
INC002 = """\
id: INC-2026-002
kind: incident
title: Chargeback spike from one BIN range
occurred: 2026-11-02
severity: 3
risks: [R-001]
"""
KRI002 = """\
id: KRI-002
title: Velocity-limit hits
risks: [R-001]
owner: payments-risk
unit: count
direction: higher-is-worse
thresholds: {amber: 100, red: 200}
"""
LAUNCH002 = """\
id: LAUNCH-002
title: Gift coins in Mexico
owner: payments-risk
launch_date: 2027-04-01
"""
CFO = "id: cfo\nname: Chief Financial Officer\n"


@dataclass(frozen=True)
class Replace:
    """Replace the one occurrence of `old` in a register file."""

    path: str
    old: str
    new: str


@dataclass(frozen=True)
class Write:
    path: str
    text: str


@dataclass(frozen=True)
class Delete:
    path: str


@dataclass(frozen=True)
class Rename:
    path: str
    to: str


Edit = Replace | Write | Delete | Rename

C002_ACTIVE = Replace(
    "controls/C-002.yaml",
    "status: planned\n",
    "status: active\neffectiveness: {design: effective, operating: effective}\n"
    "tests: [{date: 2026-11-02, type: design, result: pass}, "
    "{date: 2026-11-09, type: operating, result: pass}]\n",
)
UNLINK_C001 = Replace("risks/R-001.yaml", "[C-001, C-002]", "[C-002]")
RETIRE_C001 = Replace("controls/C-001.yaml", "key: true\n", "key: true\nstatus: retired\n")
OWNER_TEAM = Replace("owners/payments-risk.yaml", "team: Trust & Safety", "team: Payments")
ACC001_LATER = Replace("acceptances/ACC-001.yaml", "expires: 2027-03-31", "expires: 2027-06-30")
FAIL_ON_IN_CONFIG = Replace(
    "riskctl.yaml", "version: 1\n", "version: 1\ngates: {fail_on: [key-control-removed]}\n"
)


def apply(repo: GitRepo, edits: tuple[Edit, ...]) -> None:
    register = repo.root / "register"
    for edit in edits:
        target = register / edit.path
        if isinstance(edit, Replace):
            text = target.read_text(encoding="utf-8")
            assert text.count(edit.old) == 1, edit  # a typo in a scenario must not pass quietly
            target.write_text(text.replace(edit.old, edit.new), encoding="utf-8")
        elif isinstance(edit, Write):
            repo.write(f"register/{edit.path}", edit.text)
        elif isinstance(edit, Delete):
            target.unlink()
        else:
            target.rename(register / edit.to)


# --- expectations --------------------------------------------------------------------------------

Observed = tuple[str, str, str, dict[str, Any], dict[str, Any], Any, tuple[str, ...]]


def entity(
    kind: str,
    entity_id: str,
    change: str,
    *,
    fields: dict[str, tuple[Any, Any]] | None = None,
    scores: Mapping[str, tuple[Cell | None, Cell | None]] | None = None,
    appetite: tuple[bool | None, bool | None] | None = None,
    moves: tuple[str, ...] = (),
) -> Observed:
    return (kind, entity_id, change, fields or {}, dict(scores or {}), appetite, moves)


def observed(diff: RegisterDiff) -> list[Observed]:
    return [
        (
            change.kind,
            change.id,
            change.change,
            {item.path: (item.old, item.new) for item in change.fields},
            dict(change.scores),
            change.appetite,
            change.moves,
        )
        for change in diff.changes
    ]


def gates_of(diff: RegisterDiff) -> list[tuple[str, str, str]]:
    return [(hit.gate, hit.id, hit.message) for hit in diff.gates]


@dataclass(frozen=True)
class Scenario:
    change: tuple[Edit, ...]
    changes: tuple[Observed, ...] = ()
    gates: tuple[tuple[str, str, str], ...] = ()
    setup: tuple[Edit, ...] = ()
    misses: str = ""
    """A near miss: the gate this scenario comes close to firing, and must not."""
    bug: str = ""
    """Set when riskctl gets this scenario wrong: the expectation is the correct one."""


#: Scenarios whose riskctl.yaml is invalid at the new side: diff exits 3 (tested apart).
CONFIG_ERRORS = frozenset({"policy-typo"})


def scenario_params() -> list[Any]:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=scenario.bug))
        if scenario.bug
        else name
        for name, scenario in SCENARIOS.items()
        if name not in CONFIG_ERRORS
    ]


def added_risk(cells: Cell, within: bool) -> dict[str, Any]:
    return {
        "scores": dict.fromkeys(("inherent", "residual", "projected"), (None, cells)),
        "appetite": (None, within),
    }


UNLINKED_SCORES = {
    "residual": (RESIDUAL, RESIDUAL_WITHOUT_C001),
    "projected": (PROJECTED, PROJECTED_WITHOUT_C001),
}
KEY_CONTROL_UNLINKED = (
    ("key-control-removed", "R-001", "key control C-001 was unlinked from R-001"),
)
C002_ACTIVE_FIELDS = {
    "effectiveness.design": ("not-tested", "effective"),
    "effectiveness.operating": ("not-tested", "effective"),
    "status": ("planned", "active"),
    "tests.0": (None, {"date": "2026-11-02", "type": "design", "procedure": None,
                       "sample_size": None, "exceptions": None, "result": "pass", "tester": None}),
    "tests.1": (None, {"date": "2026-11-09", "type": "operating", "procedure": None,
                       "sample_size": None, "exceptions": None, "result": "pass", "tester": None}),
}  # fmt: skip

SCENARIOS: dict[str, Scenario] = {
    # 1. Change types, one entity of every kind.
    "add-each-kind": Scenario(
        change=(
            Write("risks/R-002.yaml", R002),
            Write("controls/C-003.yaml", C003),
            Write("owners/cfo.yaml", CFO),
            Write("incidents/INC-2026-002.yaml", INC002),
            Write("kris/KRI-002.yaml", KRI002),
            Write("launches/LAUNCH-002.yaml", LAUNCH002),
            Write("acceptances/ACC-002.yaml", ACC002),
        ),
        changes=(
            # no controls, every tier is the inherent L2 I2 = 4 low; appetite low.
            entity("risk", "R-002", "added", **added_risk(cell(2, 2, "low"), within=True)),
            entity("control", "C-003", "added"),
            entity("owner", "cfo", "added"),
            entity("incident", "INC-2026-002", "added"),
            entity("kri", "KRI-002", "added"),
            entity("launch", "LAUNCH-002", "added"),
            entity("acceptance", "ACC-002", "added"),
        ),
    ),
    "remove-each-kind": Scenario(
        setup=(Write("risks/R-002.yaml", R002),),
        change=tuple(
            Delete(path)
            for path in (
                "risks/R-002.yaml",
                "controls/C-002.yaml",
                "owners/head-of-risk.yaml",
                "incidents/INC-2026-001.yaml",
                "kris/KRI-001.yaml",
                "launches/LAUNCH-001.yaml",
                "acceptances/ACC-001.yaml",
            )
        ),
        changes=(
            # Without planned C-002, R-001's projected I is back to 4; its residual stays.
            entity("risk", "R-001", "modified", scores={"projected": (PROJECTED, RESIDUAL)}),
            entity(
                "risk",
                "R-002",
                "removed",
                scores=dict.fromkeys(
                    ("inherent", "residual", "projected"), (cell(2, 2, "low"), None)
                ),
                appetite=(True, None),
            ),
            entity("control", "C-002", "removed"),
            entity("owner", "head-of-risk", "removed"),
            entity("incident", "INC-2026-001", "removed"),
            entity("kri", "KRI-001", "removed"),
            entity("launch", "LAUNCH-001", "removed"),
            entity("acceptance", "ACC-001", "removed"),
        ),
        gates=(
            # R-001 moved (projected) and lost both its plans: ACC-001 and planned C-002.
            (
                "above-appetite",
                "R-001",
                "R-001 residual L3 I4 (12 high) is above the payments-fraud appetite (medium) "
                "with no treatment plan",
            ),
            ("risk-deleted", "R-002", "R-002 was deleted; close it with status: closed"),
        ),
    ),
    "modify-each-kind": Scenario(
        change=(
            Replace("risks/R-001.yaml", "gift-coin purchases", "gift-coin and voucher purchases"),
            Replace(
                "controls/C-002.yaml",
                "reduces: impact\n",
                "reduces: impact\neffectiveness: {design: effective}\n",
            ),
            OWNER_TEAM,
            Replace("incidents/INC-2026-001.yaml", "status: open}", "status: done}"),
            Replace("kris/KRI-001.yaml", "red: 60}", "red: 55}"),
            Replace("launches/LAUNCH-001.yaml", "occurrence: 5", "occurrence: 3"),
            Replace("acceptances/ACC-001.yaml", "the monthly loss budget", "the loss budget"),
        ),
        changes=(
            entity(
                "risk",
                "R-001",
                "modified",
                fields={
                    "title": (
                        "Card testing through gift-coin purchases",
                        "Card testing through gift-coin and voucher purchases",
                    )
                },
            ),
            # C-002 is planned: its design rating changes no tier (projected already counts it
            # as effective).
            entity(
                "control",
                "C-002",
                "modified",
                fields={"effectiveness.design": ("not-tested", "effective")},
            ),
            entity(
                "owner",
                "payments-risk",
                "modified",
                fields={"team": ("Trust & Safety", "Payments")},
            ),
            entity(
                "incident",
                "INC-2026-001",
                "modified",
                fields={"actions.0.status": ("open", "done")},
            ),
            entity("kri", "KRI-001", "modified", fields={"thresholds.red": (60, 55)}),
            entity(
                "launch", "LAUNCH-001", "modified", fields={"failure_modes.0.occurrence": (5, 3)}
            ),
            entity(
                "acceptance",
                "ACC-001",
                "modified",
                fields={
                    "rationale": (
                        "Residual card-testing losses stay below the monthly loss budget.",
                        "Residual card-testing losses stay below the loss budget.",
                    )
                },
            ),
        ),
        misses="above-appetite",  # R-001 is touched and above, but has ACC-001 and C-002
    ),
    "control-test-result": Scenario(
        setup=(
            Replace(
                "controls/C-001.yaml",
                "result: pass}\n",
                "result: pass}\n"  # a second operating test: tests.1
                "  - {date: 2026-10-15, type: operating, exceptions: 1, result: pass}\n",
            ),
        ),
        change=(
            Replace(
                "controls/C-001.yaml", "exceptions: 1, result: pass", "exceptions: 1, result: fail"
            ),
        ),
        changes=(
            # The latest operating test failed: C-001 earns 0, L stays 4 on both tiers.
            entity("risk", "R-001", "modified", scores=UNLINKED_SCORES),
            entity(
                "control",
                "C-001",
                "modified",
                fields={"tests.1.result": ("pass", "fail")},
                moves=("R-001",),
            ),
        ),
    ),
    "rename-and-reformat": Scenario(
        change=(
            Rename("risks/R-001.yaml", "risks/R-001-card-testing.yaml"),
            Replace(
                "controls/C-001.yaml",
                "effectiveness: {design: effective, operating: effective}\n",
                "effectiveness:  # block style, keys swapped\n  operating: effective\n"
                "  design: effective\n",
            ),
        ),
    ),
    # 2 and 3. Tier movements and gates; a near miss beside each gate that fires.
    "control-improves": Scenario(
        change=(C002_ACTIVE,),
        changes=(
            # R-001's file did not change; C-002 now earns 0.6 on impact. The projected tier
            # already counted C-002 as effective: it does not move.
            entity(
                "risk",
                "R-001",
                "modified",
                scores={"residual": (RESIDUAL, RESIDUAL_WITH_C002)},
                appetite=(False, True),
            ),
            entity("control", "C-002", "modified", fields=C002_ACTIVE_FIELDS, moves=("R-001",)),
        ),
        misses="residual-lowered",  # lowered because a control got better
    ),
    "cosmetic-control-edit-beside-improvement": Scenario(
        change=(
            Replace("controls/C-001.yaml", "Purchase velocity limits", "Velocity limits per card"),
            C002_ACTIVE,
        ),
        changes=(
            entity(
                "risk",
                "R-001",
                "modified",
                scores={"residual": (RESIDUAL, RESIDUAL_WITH_C002)},
                appetite=(False, True),
            ),
            # C-001's credit did not change (0.6 before and after): it moves nothing.
            entity(
                "control",
                "C-001",
                "modified",
                fields={"title": ("Purchase velocity limits", "Velocity limits per card")},
            ),
            entity("control", "C-002", "modified", fields=C002_ACTIVE_FIELDS, moves=("R-001",)),
        ),
    ),
    "residual-lowered-inherent": Scenario(
        change=(Replace("risks/R-001.yaml", "likelihood: 4", "likelihood: 3"),),
        changes=(
            # L: x = 3, 0.6: v = 1 + 2 x 0.4 = 1.8 -> 2. Residual L2 I4 = 8 medium (within);
            # projected L2 I3 = 6 medium.
            entity(
                "risk",
                "R-001",
                "modified",
                fields={"inherent.likelihood": (4, 3)},
                scores={
                    "inherent": (INHERENT, cell(3, 4, "high")),
                    "residual": (RESIDUAL, cell(2, 4, "medium")),
                    "projected": (PROJECTED, cell(2, 3, "medium")),
                },
                appetite=(False, True),
            ),
        ),
        gates=(
            (
                "residual-lowered",
                "R-001",
                "R-001 residual went down from L3 I4 (12 high) to L2 I4 (8 medium) "
                "with no change to its controls",
            ),
        ),
    ),
    "residual-lowered-override": Scenario(
        change=(
            Replace(
                "risks/R-001.yaml",
                "treatment: mitigate\n",
                "residual: {likelihood: 2, impact: 4}\noverride_reason: Retuned velocity rules.\n"
                "treatment: mitigate\n",
            ),
        ),
        changes=(
            entity(
                "risk",
                "R-001",
                "modified",
                fields={
                    "override_reason": (None, "Retuned velocity rules."),
                    "residual": (None, {"likelihood": 2, "impact": 4}),
                },
                scores={"residual": (RESIDUAL, cell(2, 4, "medium"))},
                appetite=(False, True),
            ),
        ),
        gates=(
            (
                "residual-lowered",
                "R-001",
                "R-001 residual went down from L3 I4 (12 high) to L2 I4 (8 medium) "
                "with no change to its controls",
            ),
        ),
    ),
    "key-control-unlinked": Scenario(
        change=(UNLINK_C001,),
        changes=(
            entity(
                "risk",
                "R-001",
                "modified",
                fields={"controls": (["C-001", "C-002"], ["C-002"])},  # a list of ids, whole
                scores=UNLINKED_SCORES,
            ),
        ),
        gates=KEY_CONTROL_UNLINKED,
    ),
    "key-control-retired": Scenario(
        change=(RETIRE_C001,),
        changes=(
            entity("risk", "R-001", "modified", scores=UNLINKED_SCORES),
            entity(
                "control",
                "C-001",
                "modified",
                fields={"status": ("active", "retired")},
                moves=("R-001",),
            ),
        ),
        gates=(("key-control-removed", "C-001", "key control C-001 was retired"),),
    ),
    "key-control-deleted": Scenario(
        change=(Delete("controls/C-001.yaml"),),
        changes=(
            entity("risk", "R-001", "modified", scores=UNLINKED_SCORES),
            entity("control", "C-001", "removed", moves=("R-001",)),
        ),
        gates=(("key-control-removed", "C-001", "key control C-001 was deleted"),),
    ),
    "non-key-control-unlinked": Scenario(
        change=(Replace("risks/R-001.yaml", "[C-001, C-002]", "[C-001]"),),
        changes=(
            # C-002 (planned) counted only in the projected tier: I back to 4.
            entity(
                "risk",
                "R-001",
                "modified",
                fields={"controls": (["C-001", "C-002"], ["C-001"])},
                scores={"projected": (PROJECTED, cell(3, 4, "high"))},
            ),
        ),
        misses="key-control-removed",  # C-002 is not a key control
    ),
    "retired-key-control-deleted": Scenario(
        setup=(RETIRE_C001,),
        change=(Delete("controls/C-001.yaml"),),
        # Retired or missing, C-001 earns nothing: no tier moves.
        changes=(entity("control", "C-001", "removed"),),
        misses="key-control-removed",  # it was already retired
    ),
    "operating-downgraded": Scenario(
        change=(
            Replace(
                "controls/C-001.yaml", "operating: effective}", "operating: partially-effective}"
            ),
        ),
        changes=(
            # Grade partially-effective, 0.3: L: v = 1 + 3 x 0.7 = 3.1 -> 4.
            entity("risk", "R-001", "modified", scores=UNLINKED_SCORES),
            entity(
                "control",
                "C-001",
                "modified",
                fields={"effectiveness.operating": ("effective", "partially-effective")},
                moves=("R-001",),
            ),
        ),
        gates=(
            (
                "effectiveness-downgraded",
                "C-001",
                "C-001 operating effectiveness went down from effective to partially-effective",
            ),
        ),
    ),
    "design-downgraded": Scenario(
        change=(Replace("controls/C-001.yaml", "{design: effective,", "{design: ineffective,"),),
        changes=(
            entity("risk", "R-001", "modified", scores=UNLINKED_SCORES),
            entity(
                "control",
                "C-001",
                "modified",
                fields={"effectiveness.design": ("effective", "ineffective")},
                moves=("R-001",),
            ),
        ),
        gates=(
            (
                "effectiveness-downgraded",
                "C-001",
                "C-001 design effectiveness went down from effective to ineffective",
            ),
        ),
    ),
    "ineffective-to-not-tested": Scenario(
        setup=(Replace("controls/C-001.yaml", "operating: effective}", "operating: ineffective}"),),
        change=(
            Replace("controls/C-001.yaml", "operating: ineffective}", "operating: not-tested}"),
        ),
        changes=(
            entity(
                "control",
                "C-001",
                "modified",
                fields={"effectiveness.operating": ("ineffective", "not-tested")},
            ),
        ),
        misses="effectiveness-downgraded",  # ineffective and not-tested rank the same
    ),
    "acceptance-later": Scenario(
        change=(ACC001_LATER,),
        changes=(
            entity(
                "acceptance",
                "ACC-001",
                "modified",
                fields={"expires": ("2027-03-31", "2027-06-30")},
            ),
        ),
        gates=(
            (
                "acceptance-extended",
                "ACC-001",
                "ACC-001 of R-001 now expires 2027-06-30 instead of expiring 2027-03-31",
            ),
        ),
    ),
    "acceptance-expiry-removed": Scenario(
        change=(Replace("acceptances/ACC-001.yaml", "expires: 2027-03-31\n", ""),),
        changes=(
            entity("acceptance", "ACC-001", "modified", fields={"expires": ("2027-03-31", None)}),
        ),
        gates=(
            (
                "acceptance-extended",
                "ACC-001",
                "ACC-001 of R-001 now has no expiry instead of expiring 2027-03-31",
            ),
        ),
    ),
    "acceptance-earlier": Scenario(
        change=(Replace("acceptances/ACC-001.yaml", "2027-03-31", "2027-01-31"),),
        changes=(
            entity(
                "acceptance",
                "ACC-001",
                "modified",
                fields={"expires": ("2027-03-31", "2027-01-31")},
            ),
        ),
        misses="acceptance-extended",  # an earlier expiry is a tightening
    ),
    "above-appetite": Scenario(
        setup=(Write("risks/R-002.yaml", R002),),
        change=(Replace("risks/R-002.yaml", "impact: 2}", "impact: 3}"),),
        changes=(
            # No controls: every tier is the inherent, L2 I2 = 4 low -> L2 I3 = 6 medium.
            entity(
                "risk",
                "R-002",
                "modified",
                fields={"inherent.impact": (2, 3)},
                scores={
                    tier: (cell(2, 2, "low"), cell(2, 3, "medium"))
                    for tier in ("inherent", "residual", "projected")
                },
                appetite=(True, False),
            ),
        ),
        gates=(
            (
                "above-appetite",
                "R-002",
                "R-002 residual L2 I3 (6 medium) is above the account-security appetite (low) "
                "with no treatment plan",
            ),
        ),
    ),
    "above-appetite-planned-control": Scenario(
        setup=(Write("risks/R-002.yaml", R002),),
        change=(
            Replace("risks/R-002.yaml", "impact: 2}", "impact: 3}"),
            Replace("risks/R-002.yaml", "treatment:", "controls: [C-002]\ntreatment:"),
        ),
        changes=(
            # Planned C-002 earns nothing now; projected I: v = 1 + 2 x 0.4 = 1.8 -> 2, so the
            # projected tier stays L2 I2.
            entity(
                "risk",
                "R-002",
                "modified",
                fields={"controls": ([], ["C-002"]), "inherent.impact": (2, 3)},
                scores={
                    "inherent": (cell(2, 2, "low"), cell(2, 3, "medium")),
                    "residual": (cell(2, 2, "low"), cell(2, 3, "medium")),
                },
                appetite=(True, False),
            ),
        ),
        misses="above-appetite",  # a planned control is a treatment plan
    ),
    "above-appetite-accepted": Scenario(
        setup=(Write("risks/R-002.yaml", R002),),
        change=(
            Replace("risks/R-002.yaml", "impact: 2}", "impact: 3}"),
            Write("acceptances/ACC-002.yaml", ACC002),
        ),
        changes=(
            entity(
                "risk",
                "R-002",
                "modified",
                fields={"inherent.impact": (2, 3)},
                scores={
                    tier: (cell(2, 2, "low"), cell(2, 3, "medium"))
                    for tier in ("inherent", "residual", "projected")
                },
                appetite=(True, False),
            ),
            entity("acceptance", "ACC-002", "added"),
        ),
        misses="above-appetite",  # ACC-002 holds on FROZEN_NOW (2026-11-01 to 2027-02-28)
    ),
    "above-appetite-unchanged": Scenario(
        setup=(Write("risks/R-002.yaml", R002_ABOVE),),
        change=(OWNER_TEAM,),
        changes=(
            entity(
                "owner",
                "payments-risk",
                "modified",
                fields={"team": ("Trust & Safety", "Payments")},
            ),
        ),
        misses="above-appetite",  # R-002 is above appetite but the change leaves it alone
    ),
    "risk-deleted": Scenario(
        change=(Delete("risks/R-001.yaml"),),
        changes=(
            entity(
                "risk",
                "R-001",
                "removed",
                scores={
                    "inherent": (INHERENT, None),
                    "residual": (RESIDUAL, None),
                    "projected": (PROJECTED, None),
                },
                appetite=(False, None),
            ),
        ),
        gates=(("risk-deleted", "R-001", "R-001 was deleted; close it with status: closed"),),
    ),
    "risk-closed": Scenario(
        change=(Replace("risks/R-001.yaml", "treatment:", "status: closed\ntreatment:"),),
        changes=(entity("risk", "R-001", "modified", fields={"status": ("open", "closed")}),),
        misses="risk-deleted",  # closing keeps the record
    ),
    # 4. Gates in riskctl.yaml.
    "policy-in-config": Scenario(
        setup=(FAIL_ON_IN_CONFIG,),
        change=(UNLINK_C001,),
        changes=(
            entity(
                "risk",
                "R-001",
                "modified",
                fields={"controls": (["C-001", "C-002"], ["C-002"])},
                scores=UNLINKED_SCORES,
            ),
        ),
        gates=KEY_CONTROL_UNLINKED,
    ),
    "policy-removed": Scenario(
        setup=(FAIL_ON_IN_CONFIG,),
        change=(
            UNLINK_C001,
            Replace("riskctl.yaml", "gates: {fail_on: [key-control-removed]}\n", ""),
        ),
        changes=(
            entity(
                "risk",
                "R-001",
                "modified",
                fields={"controls": (["C-001", "C-002"], ["C-002"])},
                scores=UNLINKED_SCORES,
            ),
        ),
        gates=KEY_CONTROL_UNLINKED,
    ),
    "policy-typo": Scenario(
        setup=(
            Replace(
                "riskctl.yaml",
                "version: 1\n",
                "version: 1\ngates: {fail_on: [key-control-remove]}\n",
            ),
        ),
        change=(UNLINK_C001,),
        changes=(
            entity(
                "risk",
                "R-001",
                "modified",
                fields={"controls": (["C-001", "C-002"], ["C-002"])},
                scores=UNLINKED_SCORES,
            ),
        ),
        gates=KEY_CONTROL_UNLINKED,
    ),
    # 7. A scoring method change with a data change. Setup: C-003 (active, effective,
    # likelihood) linked to R-001 as well, so likelihood has two 0.6 credits.
    "method-change": Scenario(
        setup=(
            Write("controls/C-003.yaml", C003),
            Replace("risks/R-001.yaml", "[C-001, C-002]", "[C-001, C-002, C-003]"),
        ),
        change=(
            Replace("riskctl.yaml", "version: 1\n", "version: 1\nscoring: {combine: strongest}\n"),
            C002_ACTIVE,
        ),
        changes=(
            # Old data, old method (compound): L: R = 1 - 0.4 x 0.4 = 0.84, v = 1 + 3 x 0.16
            # = 1.48 -> 2; I 4: L2 I4 = 8 medium. Projected adds planned C-002 on I: L2 I3 = 6.
            # New data, new method (strongest): L: R = 0.6, v = 2.2 -> 3; I: C-002 active 0.6,
            # 2.2 -> 3: L3 I3 = 9 medium, on both tiers. Within the medium appetite throughout.
            entity(
                "risk",
                "R-001",
                "modified",
                scores={
                    "residual": (cell(2, 4, "medium"), cell(3, 3, "medium")),
                    "projected": (cell(2, 3, "medium"), cell(3, 3, "medium")),
                },
            ),
            entity("control", "C-002", "modified", fields=C002_ACTIVE_FIELDS, moves=("R-001",)),
        ),
    ),
    # 8. The golden history: setup R-003 (L3 I3) with key control C-003 (effective, both):
    # L and I: v = 1 + 2 x 0.4 = 1.8 -> 2, L2 I2 = 4 low.
    "golden": Scenario(
        setup=(Write("risks/R-003.yaml", R003), Write("controls/C-003.yaml", C003_KEY_BOTH)),
        change=(
            Replace("controls/C-003.yaml", "operating: effective}", "operating: ineffective}"),
            C002_ACTIVE,
            Write("risks/R-002.yaml", R002_ABOVE),
            ACC001_LATER,
            Replace("kris/KRI-001.yaml", "red: 60}", "red: 55}"),
            Delete("launches/LAUNCH-001.yaml"),
        ),
        changes=(
            entity(
                "risk",
                "R-001",
                "modified",
                scores={"residual": (RESIDUAL, RESIDUAL_WITH_C002)},
                appetite=(False, True),
            ),
            entity("risk", "R-002", "added", **added_risk(cell(2, 3, "medium"), within=False)),
            # C-003 ineffective earns 0: back to the inherent L3 I3 = 9 medium, still within.
            entity(
                "risk",
                "R-003",
                "modified",
                scores={
                    "residual": (cell(2, 2, "low"), cell(3, 3, "medium")),
                    "projected": (cell(2, 2, "low"), cell(3, 3, "medium")),
                },
            ),
            entity("control", "C-002", "modified", fields=C002_ACTIVE_FIELDS, moves=("R-001",)),
            entity(
                "control",
                "C-003",
                "modified",
                fields={"effectiveness.operating": ("effective", "ineffective")},
                moves=("R-003",),
            ),
            entity("kri", "KRI-001", "modified", fields={"thresholds.red": (60, 55)}),
            entity("launch", "LAUNCH-001", "removed"),
            entity(
                "acceptance",
                "ACC-001",
                "modified",
                fields={"expires": ("2027-03-31", "2027-06-30")},
            ),
        ),
        gates=(  # in gate-name order
            (
                "above-appetite",
                "R-002",
                "R-002 residual L2 I3 (6 medium) is above the account-security appetite (low) "
                "with no treatment plan",
            ),
            (
                "acceptance-extended",
                "ACC-001",
                "ACC-001 of R-001 now expires 2027-06-30 instead of expiring 2027-03-31",
            ),
            (
                "effectiveness-downgraded",
                "C-003",
                "C-003 operating effectiveness went down from effective to ineffective",
            ),
        ),
    ),
}


# --- repositories --------------------------------------------------------------------------------


def build_history(root: Path) -> GitRepo:
    """tests/rules/base as `base` (day 1); every scenario on its own line from it (days 2, 3)."""
    repo = GitRepo(root)
    repo.copy_register(BASE_REGISTER)
    repo.commit("the base register", day=1)
    repo.git("tag", "base")
    for name, scenario in SCENARIOS.items():
        repo.git("checkout", "--quiet", "--detach", "base")
        if scenario.setup:
            apply(repo, scenario.setup)
            repo.commit(f"{name}: setup", day=2)
        repo.git("tag", f"{name}-from")
        apply(repo, scenario.change)
        repo.commit(name, day=3)
        repo.git("tag", f"{name}-to")
    repo.git("checkout", "--quiet", "main")
    return repo


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    return build_history(tmp_path_factory.mktemp("history") / "repo")


@pytest.fixture(scope="module")
def branched(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    """base (tag v1) -> feature: C-002 goes live; main after the branch point: ACC-001 extended."""
    repo = GitRepo(tmp_path_factory.mktemp("branched") / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("the base register", day=1)
    repo.git("tag", "v1")
    repo.git("checkout", "--quiet", "-b", "feature")
    apply(repo, (C002_ACTIVE,))
    repo.commit("C-002 goes live", day=2)
    repo.git("checkout", "--quiet", "main")
    apply(repo, (ACC001_LATER, OWNER_TEAM))
    repo.commit("extend ACC-001", day=3)
    return repo


def read_and_compare(
    repo: GitRepo,
    first: str | None,
    second: str | None,
    *,
    complete: bool = False,
    now: datetime.date = NOW,
) -> tuple[RegisterDiff, DiffSides]:
    sides = read_diff_sides(*diff_sources(repo.root / "register", first, second), complete=complete)
    cache: ParseCache = {}
    old, new = load(sides.old, cache), load(sides.new, cache)
    assert (old.hits, new.hits) == ([], [])  # every scenario file is valid
    return compare(old.register, new.register, now, sides.old_ref, sides.new_ref), sides


def scenario_diff(repo: GitRepo, name: str, **options: Any) -> RegisterDiff:
    return read_and_compare(repo, f"{name}-from", f"{name}-to", **options)[0]


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["diff", *args])
    return result.exit_code, result.stdout, result.stderr


# --- 1-3: changes, tier movements, gates ---------------------------------------------------------


@pytest.mark.parametrize("name", scenario_params())
def test_scenario_changes_and_gates(history: GitRepo, name: str) -> None:
    diff = scenario_diff(history, name)
    scenario = SCENARIOS[name]
    assert observed(diff) == list(scenario.changes)
    assert gates_of(diff) == list(scenario.gates)


def test_every_gate_fires_in_a_scenario_and_is_missed_in_another() -> None:
    fired = {hit[0] for scenario in SCENARIOS.values() for hit in scenario.gates}
    missed = {scenario.misses for scenario in SCENARIOS.values() if scenario.misses}
    assert sorted(fired) == sorted(missed) == sorted(SIX_GATES)
    for name, scenario in SCENARIOS.items():
        assert scenario.misses not in {hit[0] for hit in scenario.gates}, name


@pytest.mark.parametrize(
    ("now", "fires"),
    [
        ("2026-11-27", False),  # ACC-002 holds: decided 2026-11-01, expires 2027-02-28
        ("2027-02-28", False),  # the last day it holds
        ("2027-03-01", True),  # expired
        ("2026-10-31", True),  # not decided yet
    ],
)
def test_above_appetite_depends_on_whether_the_acceptance_holds_on_now(
    history: GitRepo, now: str, fires: bool
) -> None:
    diff = scenario_diff(history, "above-appetite-accepted", now=datetime.date.fromisoformat(now))
    assert [(hit.gate, hit.id) for hit in diff.gates] == ([("above-appetite", "R-002")] * fires)


def test_a_risk_moved_only_by_its_control_is_modified_with_no_fields(history: GitRepo) -> None:
    diff = scenario_diff(history, "control-improves")
    risk = diff.changes[0]
    assert (risk.kind, risk.id, risk.change, risk.fields) == ("risk", "R-001", "modified", ())
    assert risk.level_move == -1  # high -> medium
    assert render_text(diff, ()).splitlines()[2:10] == [
        "risk R-001: modified",
        "  residual: L3 I4 12 high → L3 I3 9 medium",
        "  appetite: above → within",
        "  (its file did not change: its controls did)",
        "control C-002: modified",
        "  effectiveness.design: not-tested → effective",
        "  effectiveness.operating: not-tested → effective",
        "  status: planned → active",
    ]


def test_method_change_separates_old_method_new_method_and_new_data(history: GitRepo) -> None:
    diff, sides = read_and_compare(history, "method-change-from", "method-change-to")
    assert diff.method_changed is True
    assert (diff.old_method["combine"], diff.new_method["combine"]) == ("compound", "strongest")
    assert sides.partial is False  # riskctl.yaml changed: everything was read
    # Old data, old method: L2 I4 = 8 medium (see the scenario). Old data, new method: L: R =
    # max(0.6, 0.6) = 0.6, v = 2.2 -> 3; I: 4: L3 I4 = 12 high. New data, new method: L3 I3.
    assert diff.method_effects == (
        MethodEffect("R-001", cell(2, 4, "medium"), cell(3, 4, "high"), cell(3, 3, "medium")),
    )
    document = json.loads(render_json(diff, set()))
    assert document["method_changed"] is True
    assert document["method_effects"] == [
        {
            "id": "R-001",
            "old_data_old_method": {"likelihood": 2, "impact": 4, "score": 8, "level": "medium"},
            "old_data_new_method": {"likelihood": 3, "impact": 4, "score": 12, "level": "high"},
            "new_data_new_method": {"likelihood": 3, "impact": 3, "score": 9, "level": "medium"},
        }
    ]


def test_method_change_in_text_output(history: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(history.root)
    code, stdout, stderr = invoke("method-change-from", "method-change-to", "--now", FROZEN_NOW)
    assert (code, stderr) == (0, "")
    lines = stdout.splitlines()
    assert lines[0].endswith("0 risk level(s) up, 0 down; scoring method changed; no gate fired")
    assert lines[2].startswith("scoring method changed: 5x5-multiplicative (sha256:")
    assert lines[3:5] == [
        "residual: old data, old method → old data, new method → new data, new method",
        "  R-001: L2 I4 8 medium → L3 I4 12 high → L3 I3 9 medium",
    ]


def test_no_method_change_has_no_method_effects(history: GitRepo) -> None:
    diff = scenario_diff(history, "golden")
    assert (diff.method_changed, diff.method_effects) == (False, ())
    assert "method_effects" not in json.loads(render_json(diff, set()))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"a": {"b": 1, "c": 2}}, {"a": {"b": 1, "c": 3}}, [FieldChange("a.c", 2, 3)]),
        (
            {"tests": [{"result": "pass"}, {"result": "pass"}]},
            {"tests": [{"result": "pass"}, {"result": "fail"}]},
            [FieldChange("tests.1.result", "pass", "fail")],
        ),
        (
            {"tests": [{"result": "pass"}]},
            {"tests": [{"result": "pass"}, {"result": "fail"}]},
            [FieldChange("tests.1", None, {"result": "fail"})],
        ),
        (
            {"controls": ["C-001", "C-002"]},
            {"controls": ["C-002", "C-001"]},
            [FieldChange("controls", ["C-001", "C-002"], ["C-002", "C-001"])],
        ),
        ({"a": 1}, {"b": 1}, [FieldChange("a", 1, None), FieldChange("b", None, 1)]),
        ({"a": None}, {"a": {"b": 1}}, [FieldChange("a", None, {"b": 1})]),
        ({"a": [1, 2], "b": {"c": [{"d": 1}]}}, {"a": [1, 2], "b": {"c": [{"d": 1}]}}, []),
    ],
)
def test_field_changes_paths(old: Any, new: Any, expected: list[FieldChange]) -> None:
    assert field_changes(old, new) == expected


# --- 4: exit codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [
        ([], 0),
        (["--fail-on", "residual-lowered"], 0),  # key-control-removed fires, but does not fail
        (["--fail-on", "key-control-removed"], 1),
        (["--fail-on", "residual-lowered,key-control-removed"], 1),
        (["--fail-on", "residual-lowered", "--fail-on", "key-control-removed"], 1),
        (["--fail-on", "Key-Control-Removed"], 1),
    ],
)
def test_exit_code_follows_fail_on(
    history: GitRepo, monkeypatch: pytest.MonkeyPatch, fail_on: list[str], code: int
) -> None:
    monkeypatch.chdir(history.root)
    result = invoke("key-control-unlinked-from", "key-control-unlinked-to", *fail_on)
    assert (result[0], result[2]) == (code, "")
    marker = " (fails)" if code else ""
    assert (
        f"  key-control-removed{marker}: key control C-001 was unlinked from R-001\n" in (result[1])
    )


def test_fail_on_in_riskctl_yaml_fails_the_run(
    history: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(history.root)
    code, stdout, stderr = invoke("policy-in-config-from", "policy-in-config-to")
    assert (code, stderr) == (1, "")
    assert "key-control-removed (fails): key control C-001 was unlinked from R-001" in stdout


def test_a_change_cannot_remove_its_own_fail_on(
    history: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(history.root)
    code, stdout, _ = invoke("policy-removed-from", "policy-removed-to")
    assert "key control C-001 was unlinked from R-001" in stdout
    assert code == 1


def test_unknown_gate_in_riskctl_yaml_exits_3(
    history: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(history.root)
    code, _, stderr = invoke("policy-typo-from", "policy-typo-to")
    assert code == 3
    assert "gates.fail_on.0: input should be 'residual-lowered'" in stderr
    assert "found 'key-control-remove'" in stderr


def test_unknown_gate_in_fail_on_is_a_usage_error(
    history: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(history.root)
    code, stdout, stderr = invoke("base", "golden-to", "--fail-on", "risk-deleted,nope")
    assert (code, stdout) == (2, "")
    assert f"no gate 'nope'; gates: {', '.join(GATE_NAMES)}" in " ".join(stderr.split())


# --- 5: sides ------------------------------------------------------------------------------------


def test_default_sides_are_head_and_the_working_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    head = repo.commit("the base register", day=1)
    apply(
        repo,
        (
            Write("controls/C-003.yaml", C003),
            Delete("incidents/INC-2026-001.yaml"),
            Replace("controls/C-001.yaml", "operating: effective}", "operating: ineffective}"),
        ),
    )
    assert repo.git("status", "--porcelain", "--untracked-files=all").splitlines() == [
        "M register/controls/C-001.yaml",
        " D register/incidents/INC-2026-001.yaml",
        "?? register/controls/C-003.yaml",
    ]
    monkeypatch.chdir(repo.root)
    code, stdout, stderr = invoke("--format", "json", "--now", FROZEN_NOW)
    assert (code, stderr) == (0, "")
    document = json.loads(stdout)
    assert (document["from"], document["to"]) == (head, "worktree")
    assert [(c["kind"], c["id"], c["change"]) for c in document["changes"]] == [
        ("risk", "R-001", "modified"),
        ("control", "C-001", "modified"),
        ("control", "C-003", "added"),
        ("incident", "INC-2026-001", "removed"),
    ]
    assert [(g["gate"], g["id"]) for g in document["gates"]] == [
        ("effectiveness-downgraded", "C-001")
    ]
    assert invoke("HEAD", "--format", "json", "--now", FROZEN_NOW)[1] == stdout
    partial = render_json(read_and_compare(repo, None, None)[0], set())
    assert partial == render_json(read_and_compare(repo, None, None, complete=True)[0], set())


def _json_diff(*args: str) -> dict[str, Any]:
    code, stdout, stderr = invoke(*args, "--format", "json", "--now", FROZEN_NOW)
    assert (code, stderr) == (0, "")
    document: dict[str, Any] = json.loads(stdout)
    return document


def test_three_dots_compare_the_merge_base_with_the_branch(
    branched: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(branched.root)
    base, feature = branched.git("rev-parse", "v1"), branched.git("rev-parse", "feature")
    document = _json_diff("main...feature")
    assert (document["from"], document["to"]) == (base, feature)
    # Only the branch's change; ACC-001 and payments-risk changed on main after the branch point.
    assert [(c["kind"], c["id"]) for c in document["changes"]] == [
        ("risk", "R-001"),
        ("control", "C-002"),
    ]
    assert _json_diff("HEAD...feature") == document  # HEAD is main
    # git would read an empty side as HEAD; riskctl refuses it: it is usually an unset variable
    for empty in ("...feature", "main...", "..."):
        code, _, stderr = invoke(empty)
        assert code == 2 and "A...B needs both sides" in stderr
    assert _json_diff("v1", "feature") == document  # a tag
    assert _json_diff(base, feature) == document  # two commit ids
    two_dots = _json_diff("main", "feature")
    assert [(c["kind"], c["id"]) for c in two_dots["changes"]] == [
        ("risk", "R-001"),
        ("control", "C-002"),
        ("owner", "payments-risk"),
        ("acceptance", "ACC-001"),
    ]


def test_explicit_register_path(branched: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(branched.root)
    assert _json_diff("v1", "feature", "register") == _json_diff("v1", "feature")
    clean = invoke("--now", FROZEN_NOW)
    assert clean[0] == 0
    assert clean[1].endswith(": no changes; 0 risk level(s) up, 0 down; no gate fired\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--", "-x"], "not a revision: '-x'"),
        (["HEAD;ls"], "unknown revision 'HEAD;ls'"),  # `;` may be in a ref name; no shell
        (["nope"], "unknown revision 'nope'"),
        (["v1", "HEAD~9"], "unknown revision 'HEAD~9'"),
        (["main...nope"], "unknown revision 'nope'"),
        (["main..feature"], "not a revision: 'main..feature'"),
        (["main...feature", "feature"], "give either A...B or two revisions, not both"),
    ],
)
def test_bad_sides_exit_3(
    branched: GitRepo, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(branched.root)
    code, stdout, stderr = invoke(*args)
    assert (code, stdout) == (3, "")
    assert stderr.startswith(f"riskctl: error: {message}")


def test_not_a_git_repository_exits_3(base_register: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(base_register.parent)
    code, stdout, stderr = invoke()
    assert (code, stdout) == (3, "")
    assert stderr == (
        "riskctl: error: register: not inside a git repository (--rev and diff read git history)\n"
    )


# --- 6: the partial read gives the complete read's diff ------------------------------------------


@pytest.mark.parametrize("name", [name for name in SCENARIOS if name not in CONFIG_ERRORS])
def test_partial_read_equals_complete_read(history: GitRepo, name: str) -> None:
    partial = read_and_compare(history, f"{name}-from", f"{name}-to")[0]
    complete, everything = read_and_compare(history, f"{name}-from", f"{name}-to", complete=True)
    assert everything.partial is False
    assert render_json(partial, SIX_GATES) == render_json(complete, SIX_GATES)


def test_partial_read_across_a_merge_base(branched: GitRepo) -> None:
    partial = read_and_compare(branched, "main...feature", None)[0]
    complete = read_and_compare(branched, "main...feature", None, complete=True)[0]
    assert render_json(partial, ()) == render_json(complete, ())


@pytest.mark.parametrize(
    ("name", "files"),
    [
        ("acceptance-later", ["acceptances/ACC-001.yaml", "riskctl.yaml"]),
        (
            "operating-downgraded",  # the risks naming C-001, their controls and acceptances
            [
                "acceptances/ACC-001.yaml",
                "controls/C-001.yaml",
                "controls/C-002.yaml",
                "riskctl.yaml",
                "risks/R-001.yaml",
            ],
        ),
    ],
)
def test_partial_read_reads_only_what_the_change_needs(
    history: GitRepo, name: str, files: list[str]
) -> None:
    sides = read_and_compare(history, f"{name}-from", f"{name}-to")[1]
    assert sides.partial is True
    assert sorted(sides.old.files) == sorted(sides.new.files) == files


def test_partial_read_with_a_control_in_a_misnamed_file(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    apply(repo, (Rename("controls/C-001.yaml", "controls/C-009.yaml"),))
    repo.commit("C-001 lives in C-009.yaml", day=1)
    apply(
        repo,
        (
            Replace(
                "controls/C-009.yaml", "operating: effective}", "operating: partially-effective}"
            ),
        ),
    )
    repo.commit("downgrade C-001", day=2)
    complete = read_and_compare(repo, "HEAD~1", "HEAD", complete=True)[0]
    assert [(c.kind, c.id) for c in complete.changes] == [("risk", "R-001"), ("control", "C-001")]
    partial = read_and_compare(repo, "HEAD~1", "HEAD")[0]
    assert render_json(partial, ()) == render_json(complete, ())


# --- 8: formats and goldens ----------------------------------------------------------------------

GOLDEN_ARGS = ("golden-from", "golden-to", "--fail-on", "above-appetite", "--now", FROZEN_NOW)


@pytest.mark.parametrize(
    ("output_format", "suffix"), [("text", "txt"), ("json", "json"), ("markdown", "md")]
)
def test_golden_history_in_every_format(
    history: GitRepo,
    monkeypatch: pytest.MonkeyPatch,
    update_golden: bool,
    output_format: str,
    suffix: str,
) -> None:
    monkeypatch.chdir(history.root)
    code, stdout, stderr = invoke(*GOLDEN_ARGS, "--format", output_format)
    assert (code, stderr) == (1, "")  # above-appetite fires and is in --fail-on
    assert "\x1b[" not in stdout
    check_golden(GOLDEN / f"history.{suffix}", stdout, update_golden)


def test_commit_ids_are_the_same_in_any_folder(history: GitRepo, tmp_path: Path) -> None:
    again = build_history(tmp_path / "elsewhere")
    for tag in ("base", "golden-from", "golden-to"):
        assert again.git("rev-parse", tag) == history.git("rev-parse", tag)


def test_json_document_has_the_issue_shape(
    history: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(history.root)
    code, stdout, _ = invoke(*GOLDEN_ARGS, "--format", "json")
    assert code == 1
    document = json.loads(stdout)
    assert list(document)[:4] == ["version", "from", "to", "method_changed"]
    assert document["version"] == 1
    assert document["from"] == history.git("rev-parse", "golden-from")
    assert document["to"] == history.git("rev-parse", "golden-to")
    assert document["method_changed"] is False
    assert {"changes", "gates"} <= set(document)
    for change in document["changes"]:
        assert {"kind", "id", "change", "fields", "scores"} <= set(change)
        assert all(set(value) == {"old", "new"} for value in change["fields"].values())
        assert set(change["scores"]) <= set(TIERS)
        assert all(set(value) == {"old", "new"} for value in change["scores"].values())
    r003 = next(change for change in document["changes"] if change["id"] == "R-003")
    assert r003["scores"]["residual"] == {
        "old": {"likelihood": 2, "impact": 2, "score": 4, "level": "low"},
        "new": {"likelihood": 3, "impact": 3, "score": 9, "level": "medium"},
    }
    assert [(g["gate"], g["id"], g["fails"]) for g in document["gates"]] == [
        ("above-appetite", "R-002", True),
        ("acceptance-extended", "ACC-001", False),
        ("effectiveness-downgraded", "C-003", False),
    ]
    assert all({"gate", "id", "message"} <= set(gate) for gate in document["gates"])


def test_markdown_renders_a_table_and_details(
    history: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py is not installed")
    monkeypatch.chdir(history.root)
    stdout = invoke(*GOLDEN_ARGS, "--format", "markdown")[1]
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(stdout)
    types = [token.type for token in tokens]
    assert types.count("table_open") == 1
    start, end = types.index("thead_open"), types.index("thead_close")
    assert types[start:end].count("th_open") == 4
    headers = [tokens[i + 1].content for i in range(start, end) if types[i] == "th_open"]
    assert headers == ["risk", "residual before", "residual after", "appetite"]
    rows: list[list[str]] = []
    for index in range(types.index("tbody_open"), types.index("tbody_close")):
        if types[index] == "tr_open":
            rows.append([])
        elif types[index] == "td_open":
            rows[-1].append(tokens[index + 1].content)
    assert rows == [  # up first, then down
        ["⬆️ R-003", "L2 I2 4 low", "L3 I3 9 medium", ""],
        ["⬇️ R-001", "L3 I4 12 high", "L3 I3 9 medium", "above → within"],
    ]
    html = [token.content for token in tokens if token.type == "html_block"]
    assert html[0].startswith("<details><summary>6 other change(s)</summary>")
    assert html[-1].strip() == "</details>"
    fence = next(token for token in tokens if token.type == "fence")
    assert fence.content.startswith("risk R-002: added\n")
    assert "  moves the residual of: R-003\n" in fence.content


def test_markdown_without_moved_levels_has_no_table(history: GitRepo) -> None:
    diff = scenario_diff(history, "acceptance-later")
    text = render_markdown(diff, {"acceptance-extended"})
    assert "| risk |" not in text
    assert "- ❌ `acceptance-extended`: ACC-001 of R-001 now expires 2027-06-30" in text


# --- 9: gates list -------------------------------------------------------------------------------


def test_gates_list_names_every_gate() -> None:
    result = runner.invoke(app, ["gates", "list"])
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    names = [line for line in lines if line and not line.startswith(" ")]
    assert names == GATE_NAMES
    assert list(GATES) == GATE_NAMES
    for name in names:  # each name is followed by its summary, indented
        assert lines[lines.index(name) + 1] == "  " + GATES[name].summary
    assert all(line == line.rstrip() for line in lines)


def test_gate_vocabulary_matches_the_configuration_schema() -> None:
    from typing import get_args

    from riskctl.diff import GATES
    from riskctl.model.config import GateName

    assert list(GATES) == list(get_args(GateName))
