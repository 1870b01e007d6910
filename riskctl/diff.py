"""What a change does to risk: entities added, removed and modified, every tier's movement,
and policy gates for pull requests.

`diff_registers` compares two loaded registers entity by entity (matched by id: a moved or
renamed file is not a change). Risks are scored on both sides, so a risk whose own file did
not change but whose residual moved because a control did is reported too, and each modified
control lists the risks it moves. When the scoring method changed (its fingerprint), the
effects are separated: old data under the old method, old data under the new method, and new
data under the new method.
"""

from __future__ import annotations

import dataclasses
import datetime
import inspect
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from riskctl.asof import LeftOut, as_of
from riskctl.coverage import (
    MappedControl,
    RequirementCoverage,
    Status,
    coverage,
    in_scope_ids,
    mapped_ids,
)
from riskctl.errors import RiskctlError
from riskctl.framework.catalog import catalogue
from riskctl.model.acceptance import Acceptance
from riskctl.model.common import Entity
from riskctl.model.control import Control
from riskctl.model.framework import Framework
from riskctl.model.register import KIND_BY_FOLDER, KINDS, Register
from riskctl.output.amounts import amount, money, percent
from riskctl.quant.inputs import LossModel, RiskQuant, quantify_open
from riskctl.score.matrix import Cell
from riskctl.score.residual import RiskScore, score_register
from riskctl.score.treatment import acceptances_by_risk, has_treatment_plan

TIERS = ("inherent", "residual", "projected", "target")
EFFECTIVENESS_RANK = {"effective": 2, "partially-effective": 1, "ineffective": 0, "not-tested": 0}


@dataclass(frozen=True)
class FieldChange:
    """One field that changed, by dotted path (`effectiveness.operating`, `tests.2.result`)."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class EntityChange:
    """One entity that the change added, removed or modified (or only re-scored)."""

    kind: str
    id: str
    change: Literal["added", "removed", "modified", "broken", "repaired"]
    """`broken`: the entity's file loaded before the change and does not load after it (or a
    new file does not load); `repaired`: the other way round. Neither is an addition or a
    deletion: the entity's file is there, unreadable on one side."""
    fields: tuple[FieldChange, ...] = ()
    scores: Mapping[str, tuple[Cell | None, Cell | None]] = field(default_factory=dict)
    """Risks: each tier that moved, old and new."""
    appetite: tuple[bool | None, bool | None] | None = None
    """Risks: within appetite before and after, when that moved."""
    moves: tuple[str, ...] = ()
    """Controls: the risks whose residual this change moves."""
    problem: str | None = None
    """Broken or repaired: the first problem of the file on the side where it did not load."""
    catalogue: CatalogueChange | None = None
    """Frameworks: the requirements added, removed, retitled or regrouped, in place of a
    field change per requirement (a catalogue has hundreds)."""

    @property
    def level_move(self) -> int:
        """+1 when the residual level went up, -1 down, 0 otherwise (for ordering)."""
        old, new = self.scores.get("residual", (None, None))
        if old is None or new is None or old.level == new.level:
            return 0
        return 1 if new.score > old.score else -1


@dataclass(frozen=True)
class GateHit:
    """A policy gate that fired on an entity."""

    gate: str
    id: str
    message: str


@dataclass(frozen=True)
class MethodEffect:
    """A risk's residual under old data/old method, old data/new method, new data/new method."""

    id: str
    old: Cell | None
    old_data_new_method: Cell | None
    new: Cell | None


@dataclass(frozen=True)
class RegisterDiff:
    """Everything a change does to the register, ready to format."""

    old_ref: str
    new_ref: str
    old_method: Mapping[str, object]
    new_method: Mapping[str, object]
    changes: tuple[EntityChange, ...]
    gates: tuple[GateHit, ...]
    method_effects: tuple[MethodEffect, ...] = ()
    shallow_note: str | None = None
    """Set when the repository is a shallow clone: what that hides and how to deepen it."""
    quant: QuantDiff | None = None
    """Loss quantification: ALE lines, the portfolio, the tolerance check."""
    left_out: tuple[LeftOut, ...] = ()
    """Records dated after `--now` on either side, not counted in scores, gates and quant."""
    coverage: tuple[RequirementChange, ...] = ()
    """Requirements whose coverage status changed, by framework id, then catalogue order."""

    @property
    def method_changed(self) -> bool:
        """Whether the scoring method (its fingerprint) differs between the two sides."""
        return self.old_method.get("fingerprint") != self.new_method.get("fingerprint")


# --- loss quantification -------------------------------------------------------------------------


@dataclass(frozen=True)
class AleMove:
    """One tier's analytic ALE before and after (None on a side where there is none)."""

    old: float | None
    new: float | None

    @property
    def change(self) -> float:
        """After minus before, a missing side counting as 0."""
        return (self.new or 0.0) - (self.old or 0.0)

    @property
    def relative(self) -> float | None:
        """The change as a share of the value before; None without a positive value before."""
        return self.change / self.old if self.old else None


@dataclass(frozen=True)
class AleLine:
    """A risk's (or the portfolio's) analytic ALE, inherent and residual, before and after."""

    id: str
    why: str
    """What moved it: `added`, `removed`, `quant inputs changed`, `credits changed: C-001`..."""
    inherent: AleMove
    residual: AleMove


@dataclass(frozen=True)
class ToleranceMove:
    """A point of the head's tolerance curve against the residual portfolio, both sides
    simulated with the head's years and seed."""

    loss: float
    limit: float
    old: float | None
    """P(annual loss > `loss`) before; None when the currency changed (not comparable) or the
    base's run is too large to draw (`BASE_TOO_LARGE`)."""
    new: float
    marginal: bool
    """The head's estimate is within two standard errors of the limit."""
    fires: bool


@dataclass(frozen=True)
class QuantDiff:
    """What a change does to the register's loss quantification (analytic, no simulation),
    and the tolerance check when the gate simulated."""

    currency: tuple[str, str]
    risks: tuple[AleLine, ...]
    portfolio: AleLine | None
    """The sum over every open quantified risk, or (`totals` False) the sum of the changes."""
    totals: bool
    """Whether the portfolio line holds the totals before and after; without a tolerance curve
    the diff reads only what the change touches, so it gives the change of the sum only."""
    changed: bool
    """Some quant-relevant input changed: a portfolio risk's loss model (inherent or
    residual), the set of quantified open risks, or riskctl.yaml's `quant:` settings."""
    simulated: bool
    simulation: str
    """Why the tolerance gate simulated or not, and with which years and seed."""
    tolerance: tuple[ToleranceMove, ...] = ()

    @property
    def comparable(self) -> bool:
        """Amounts before and after are in one currency (else no change is computed)."""
        return self.currency[0] == self.currency[1]


def _quantified(scores: Mapping[str, RiskScore], register: Register) -> dict[str, RiskQuant]:
    """The open risks with `quant:` inputs, by id (the portfolio `riskctl quant` simulates)."""
    return {quant.id: quant for quant in quantify_open(scores.values(), register.by_id(Control))}


def _ale_reason(
    risk_id: str,
    old: RiskScore | None,
    new: RiskScore | None,
    models: tuple[RiskQuant | None, RiskQuant | None],
    method_changed: bool,
    currency_changed: bool,
) -> str | None:
    """Why the risk's ALE line is shown, or None when it is not."""
    before, after = models
    if before is None and after is None:
        return None
    if old is None or new is None:
        return "added" if old is None else "removed"
    if (old.risk.quant is None) != (new.risk.quant is None):
        return "quant inputs added" if old.risk.quant is None else "quant inputs removed"
    if old.risk.status != new.risk.status:
        return f"status {old.risk.status} → {new.risk.status}"
    if old.risk.quant != new.risk.quant:
        return "quant inputs changed"
    moved = credit_changes(old, new)
    if moved:
        return "credits changed: " + ", ".join(sorted(moved))
    if method_changed:
        return "scoring method changed"
    if currency_changed:
        return "currency changed"
    assert before is not None and after is not None
    if (before.inherent, before.residual) != (after.inherent, after.residual):
        return "loss model changed"
    return None


def _tier_ale(quant: RiskQuant | None, tier: str) -> float | None:
    if quant is None:
        return None
    model: LossModel = getattr(quant, tier)
    return model.ale


def _portfolio_ale(quants: Mapping[str, RiskQuant], tier: str) -> float:
    return float(sum(_tier_ale(quant, tier) or 0.0 for quant in quants.values()))


def quant_diff(
    old: Register,
    new: Register,
    old_scores: Mapping[str, RiskScore],
    new_scores: Mapping[str, RiskScore],
    method_changed: bool,
) -> QuantDiff:
    """Each risk's analytic ALE before and after when it moved, and the portfolio's.

    A risk's line is shown when its quant inputs changed, a control it links changed its
    credit, the scoring method changed, the currency changed, or it joined or left the
    portfolio (added, removed, closed, reopened, inputs added or removed). The read may be
    partial (diff_reads): every risk whose ALE can move is loaded, the rest of the register
    may not be, so the portfolio's totals are given only when the head register has a
    tolerance curve (then the read is complete: the gate must simulate the whole portfolio).
    """
    currency = (old.config.quant.currency, new.config.quant.currency)
    before, after = _quantified(old_scores, old), _quantified(new_scores, new)
    lines = []
    for risk_id in sorted(old_scores.keys() | new_scores.keys()):
        models = (before.get(risk_id), after.get(risk_id))
        why = _ale_reason(
            risk_id,
            old_scores.get(risk_id),
            new_scores.get(risk_id),
            models,
            method_changed,
            currency[0] != currency[1],
        )
        if why is not None:
            lines.append(
                AleLine(
                    risk_id,
                    why,
                    AleMove(_tier_ale(models[0], "inherent"), _tier_ale(models[1], "inherent")),
                    AleMove(_tier_ale(models[0], "residual"), _tier_ale(models[1], "residual")),
                )
            )
    totals = bool(new.config.quant.tolerance)
    portfolio = None
    if lines and totals:
        portfolio = AleLine(
            "portfolio",
            "every open quantified risk",
            AleMove(_portfolio_ale(before, "inherent"), _portfolio_ale(after, "inherent")),
            AleMove(_portfolio_ale(before, "residual"), _portfolio_ale(after, "residual")),
        )
    elif lines:
        portfolio = AleLine(
            "portfolio",
            "the change of the sum; `riskctl quant` gives the totals",
            AleMove(0.0, sum(line.inherent.change for line in lines)),
            AleMove(0.0, sum(line.residual.change for line in lines)),
        )

    def models_of(quants: Mapping[str, RiskQuant]) -> dict[str, tuple[LossModel, LossModel]]:
        return {risk_id: (quant.inherent, quant.residual) for risk_id, quant in quants.items()}

    changed = models_of(before) != models_of(after) or old.config.quant != new.config.quant
    return QuantDiff(
        currency,
        tuple(lines),
        portfolio,
        totals,
        changed,
        simulated=False,
        simulation=_no_simulation(new, changed),
    )


def _no_simulation(new: Register, changed: bool) -> str:
    if not new.config.quant.tolerance:
        return "not simulated: riskctl.yaml has no quant.tolerance curve"
    if not changed:
        return "not simulated: no quant input changed, so the portfolio is as it was"
    return "not simulated"


#: Why the tolerance gate has no probabilities before a change (`simulate_tolerance`).
BASE_TOO_LARGE = "the base's run is too large to draw"


def simulate_tolerance(
    old: Register,
    new: Register,
    before: Mapping[str, RiskQuant],
    after: Mapping[str, RiskQuant],
) -> tuple[ToleranceMove, ...]:
    """Each point of the head's tolerance curve against the residual portfolio of both sides,
    simulated with the head's years and seed (each side with its own semantics), and whether
    it fires (see `tolerance_breached`). numpy is imported here, only when the gate must
    simulate."""
    from riskctl.quant.run import Settings, run

    config = new.config.quant
    points = [(point.loss, point.probability) for point in config.tolerance]

    def probabilities(
        register: Register, quants: Mapping[str, RiskQuant]
    ) -> list[tuple[float, bool]]:
        settings = Settings(config.years, config.seed, register.config.quant.semantics)
        try:
            checks = run(list(quants.values()), settings, tolerance=points).tolerance
        except ValueError as error:
            raise RiskctlError(
                f"the tolerance-breached gate cannot simulate: {error} (the diff simulates the "
                "years set in riskctl.yaml `quant: years:`)"
            ) from None
        # A side with no quantified risk loses nothing: P(loss > x) = 0 for every x > 0.
        return [(check.probability, check.marginal) for check in checks] or [(0.0, False)] * len(
            points
        )

    head = probabilities(new, after)
    try:
        base = probabilities(old, before)
    except RiskctlError:
        # The base is too large to draw and the head is not: the change that repairs it must
        # still be diffable. The base's probabilities are unknown; the head is judged alone.
        base = [(math.nan, False)] * len(points)
    comparable = old.config.quant.currency == config.currency and all(
        not math.isnan(was) for was, _ in base
    )
    kept = {(point.loss, point.probability) for point in old.config.quant.tolerance}
    moves = []
    for (loss, limit), (was, _), (now, marginal) in zip(points, base, head, strict=True):
        accepted = comparable and (loss, limit) in kept and was > limit
        moves.append(
            ToleranceMove(
                loss,
                limit,
                was if comparable else None,
                now,
                marginal,
                fires=now > limit and not accepted,
            )
        )
    return tuple(moves)


# --- coverage of frameworks ----------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueChange:
    """What changed in a framework catalogue file, by requirement id, each in catalogue order."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    retitled: tuple[str, ...] = ()
    regrouped: tuple[str, ...] = ()
    """Requirements whose parent or `assessable` changed."""


def catalogue_change(old: Framework | None, new: Framework | None) -> CatalogueChange:
    """The requirements a catalogue gained, lost, retitled or regrouped (the first of two
    requirements with one id counts, as in `Catalogue`)."""
    before = {} if old is None else _first_by_id(old)
    after = {} if new is None else _first_by_id(new)
    kept = [each for each in after if each in before]
    return CatalogueChange(
        added=tuple(each for each in after if each not in before),
        removed=tuple(each for each in before if each not in after),
        retitled=tuple(each for each in kept if before[each].title != after[each].title),
        regrouped=tuple(
            each
            for each in kept
            if (before[each].parent, before[each].assessable)
            != (after[each].parent, after[each].assessable)
        ),
    )


def _first_by_id(framework: Framework) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for requirement in framework.requirements:
        found.setdefault(requirement.id, requirement)
    return found


#: How a control stands towards a requirement: it meets it; it is mapped and in operation but
#: does not meet it; it is mapped but planned or retired; it is not mapped to it.
Standing = Literal["meets", "in operation", "not in operation", "not mapped"]


@dataclass(frozen=True)
class ControlStanding:
    """A control whose standing towards a requirement changed, and why."""

    control: str
    old: Standing
    new: Standing
    reason: str
    """The new side's reason (`coverage.meets`), or why it is no longer mapped."""


@dataclass(frozen=True)
class RequirementChange:
    """A requirement whose coverage status changed (or that is new in, or gone from, its
    framework's catalogue)."""

    framework: str
    requirement: str
    title: str
    old: Status | None
    """None: the requirement is new in the catalogue (or newly assessable)."""
    new: Status | None
    """None: the requirement is gone from the catalogue (or no longer assessable)."""
    why: str
    """What changed besides the controls: the catalogue, or the not-applicable declaration;
    empty when the controls explain it."""
    controls: tuple[ControlStanding, ...]
    """The mapped controls whose standing changed, by id."""

    @property
    def key(self) -> str:
        """`FRAMEWORK:REQUIREMENT`, as controls map to it."""
        return f"{self.framework}:{self.requirement}"


def _standing(mapped: MappedControl | None) -> Standing:
    if mapped is None:
        return "not mapped"
    if mapped.meets:
        return "meets"
    return "in operation" if mapped.in_operation else "not in operation"


def _standings(
    old: RequirementCoverage | None, new: RequirementCoverage | None, new_register: Register
) -> tuple[ControlStanding, ...]:
    before = {each.control.id: each for each in old.controls} if old else {}
    after = {each.control.id: each for each in new.controls} if new else {}
    controls = new_register.by_id(Control)
    found = []
    for control_id in sorted(before.keys() | after.keys()):
        was, now = before.get(control_id), after.get(control_id)
        if _standing(was) == _standing(now):
            continue
        if now is not None:
            reason = now.reason
        elif control_id not in controls:
            reason = "the control was deleted (or does not load)"
        elif new is None:
            reason = "the requirement is gone"
        else:
            reason = "its mapping was removed"
        found.append(ControlStanding(control_id, _standing(was), _standing(now), reason))
    return tuple(found)


def _requirement_why(old: RequirementCoverage | None, new: RequirementCoverage | None) -> str:
    if old is None:
        return "new in the catalogue"
    if new is None:
        return "gone from the catalogue"
    if new.status == "not-applicable":
        return f"declared not applicable: {new.justification or '(no justification)'}"
    if old.status == "not-applicable":
        return "no longer declared not applicable"
    return ""


def compared_frameworks(old: Register, new: Register) -> tuple[str, ...]:
    """The frameworks whose coverage a diff compares: those riskctl.yaml declares in scope on
    either side and those the controls of either side map to (a framework mapped but not
    declared is compared too, every requirement applicable, as `riskctl coverage` reads it: a
    reviewer sees what a change does to every framework the register claims to meet)."""
    declared = set(in_scope_ids(old)) | set(in_scope_ids(new))
    return tuple(sorted(declared | set(mapped_ids(old)) | set(mapped_ids(new))))


def coverage_changes(
    old: Register, new: Register, old_today: datetime.date, today: datetime.date
) -> tuple[RequirementChange, ...]:
    """Requirements whose coverage status differs between the registers (each as of its day).

    A framework whose catalogue is on one side only (a `frameworks/ID.yaml` added or removed,
    with no shipped catalogue of that id) is not compared: the entity diff summarises the
    catalogue file. A requirement in one side's catalogue only is reported as new or gone.
    """
    found: list[RequirementChange] = []
    for framework_id in compared_frameworks(old, new):
        if catalogue(old, framework_id) is None or catalogue(new, framework_id) is None:
            continue
        before = coverage(old, framework_id, old_today).by_id()
        after_coverage = coverage(new, framework_id, today)
        after = after_coverage.by_id()
        order = [*after, *(each for each in before if each not in after)]
        for requirement_id in order:
            was, now = before.get(requirement_id), after.get(requirement_id)
            old_status = was.status if was else None
            new_status = now.status if now else None
            if old_status == new_status:
                continue
            either = now if now is not None else was
            assert either is not None  # the id is on one side at least
            requirement = either.requirement
            found.append(
                RequirementChange(
                    framework_id,
                    requirement_id,
                    requirement.title,
                    old_status,
                    new_status,
                    _requirement_why(was, now),
                    _standings(was, now, new),
                )
            )
    return tuple(found)


# --- gates --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateContext:
    """What a gate looks at: both registers, their scores, the changes, and today."""

    old: Register
    new: Register
    old_scores: Mapping[str, RiskScore]
    new_scores: Mapping[str, RiskScore]
    changes: Mapping[tuple[str, str], EntityChange]
    today: datetime.date
    quant: QuantDiff | None = None
    coverage: tuple[RequirementChange, ...] = ()


GateCheck = Callable[[GateContext], Iterator[GateHit]]


@dataclass(frozen=True)
class Gate:
    """A documented policy gate: a name and a check; the docstring is its documentation."""

    name: str
    check: GateCheck

    @property
    def doc(self) -> str:
        """The gate's documentation."""
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.doc.splitlines()[0]


GATES: dict[str, Gate] = {}


def gate(name: str) -> Callable[[GateCheck], GateCheck]:
    """Register a gate under its name."""

    def register(check: GateCheck) -> GateCheck:
        GATES[name] = Gate(name, check)
        return check

    return register


def credit_changes(old: RiskScore | None, new: RiskScore | None) -> set[str]:
    """Controls whose contribution to the risk's computed residual differs between the sides.

    A contribution is a credit above 0 and the dimension it lowers; a control that earns
    nothing contributes nothing, linked or not. So an edit that leaves every credit as it was
    (a new title, a test that changes no grade) changes nothing here.
    """

    def contributions(score: RiskScore | None) -> dict[str, tuple[float, str | None]]:
        if score is None:
            return {}
        return {c.control: (c.credit, c.dimension) for c in score.computed.controls if c.credit}

    before, after = contributions(old), contributions(new)
    return {
        control
        for control in before.keys() | after.keys()
        if before.get(control) != after.get(control)
    }


def _cell_text(cell: Cell | None) -> str:
    return (
        "none" if cell is None else f"L{cell.likelihood} I{cell.impact} ({cell.score} {cell.level})"
    )


@gate("residual-lowered")
def residual_lowered(context: GateContext) -> Iterator[GateHit]:
    """A risk's residual score went down with no change to any control it credits.

    Every linked control earns the same credit before and after, so only the risk's own
    numbers moved (its inherent rating or its override): a lower residual should come from a
    control that got better, not from an edit to the risk alone. An edit to a control that does
    not change its credit does not count as a change.
    """
    for risk_id, new in context.new_scores.items():
        old = context.old_scores.get(risk_id)
        if old is None or new.residual.score >= old.residual.score:
            continue
        if not credit_changes(old, new):
            yield GateHit(
                "residual-lowered",
                risk_id,
                f"{risk_id} residual went down from {_cell_text(old.residual)} to "
                f"{_cell_text(new.residual)} with no change to its controls",
            )


@gate("key-control-removed")
def key_control_removed(context: GateContext) -> Iterator[GateHit]:
    """A key control was unlinked from a risk, retired, or deleted.

    A key control is relied on to address the risk (rcm.md section 3): losing one is a
    reviewable event even when the residual does not move.
    """
    old_controls = context.old.by_id(Control)
    new_controls = context.new.by_id(Control)
    for risk_id, old_score in context.old_scores.items():
        new_score = context.new_scores.get(risk_id)
        kept = set(new_score.risk.controls) if new_score else set()
        for control_id in old_score.risk.controls:
            control = old_controls.get(control_id)
            is_relied_on = control is not None and control.key and control.status != "retired"
            if is_relied_on and control_id not in kept and new_score:
                yield GateHit(
                    "key-control-removed",
                    risk_id,
                    f"key control {control_id} was unlinked from {risk_id}",
                )
    for control_id, old_control in old_controls.items():
        if not old_control.key or old_control.status == "retired":
            continue
        new_control = new_controls.get(control_id)
        change = context.changes.get(("control", control_id))
        if new_control is None and change is not None and change.change == "broken":
            yield GateHit(
                "key-control-removed",
                control_id,
                f"key control {control_id} no longer loads: {change.problem}",
            )
        elif new_control is None:
            yield GateHit(
                "key-control-removed", control_id, f"key control {control_id} was deleted"
            )
        elif new_control.status == "retired":
            yield GateHit(
                "key-control-removed", control_id, f"key control {control_id} was retired"
            )


@gate("effectiveness-downgraded")
def effectiveness_downgraded(context: GateContext) -> Iterator[GateHit]:
    """A control's design or operating effectiveness went down.

    Order: effective > partially-effective > ineffective = not-tested.
    """
    new_controls = context.new.by_id(Control)
    for control_id, old_control in context.old.by_id(Control).items():
        new_control = new_controls.get(control_id)
        if new_control is None:
            continue
        for aspect in ("design", "operating"):
            before = getattr(old_control.effectiveness, aspect)
            after = getattr(new_control.effectiveness, aspect)
            if EFFECTIVENESS_RANK[after] < EFFECTIVENESS_RANK[before]:
                yield GateHit(
                    "effectiveness-downgraded",
                    control_id,
                    f"{control_id} {aspect} effectiveness went down from {before} to {after}",
                )


@gate("acceptance-extended")
def acceptance_extended(context: GateContext) -> Iterator[GateHit]:
    """An acceptance's expiry moved later (or was removed).

    Extending an acceptance is a new decision to keep a risk above appetite: its approver
    should review it like the first one.
    """
    new_acceptances = context.new.by_id(Acceptance)
    for acceptance_id, old in context.old.by_id(Acceptance).items():
        new = new_acceptances.get(acceptance_id)
        if new is None or new.expires == old.expires:
            continue
        if new.expires is None or (old.expires is not None and new.expires > old.expires):
            after = f"expires {new.expires}" if new.expires else "has no expiry"
            yield GateHit(
                "acceptance-extended",
                acceptance_id,
                f"{acceptance_id} of {new.risk} now {after} instead of expiring {old.expires}",
            )


@gate("above-appetite")
def above_appetite(context: GateContext) -> Iterator[GateHit]:
    """A risk the change adds, modifies or moves is above appetite with no treatment plan.

    A plan is a valid acceptance (decided, not expired on --now) or a linked `planned`
    control, as for lint rule RK206.
    """
    controls = context.new.by_id(Control)
    acceptances = acceptances_by_risk(context.new)
    for risk_id, score in context.new_scores.items():
        if ("risk", risk_id) not in context.changes or score.risk.status != "open":
            continue
        if score.appetite.within is not False:
            continue
        plan = has_treatment_plan(score.risk, controls, acceptances.get(risk_id, []), context.today)
        if not plan:
            yield GateHit(
                "above-appetite",
                risk_id,
                f"{risk_id} residual {_cell_text(score.residual)} is above the "
                f"{score.risk.category} appetite ({score.appetite.limit}) with no treatment plan",
            )


@gate("risk-deleted")
def risk_deleted(context: GateContext) -> Iterator[GateHit]:
    """A risk file was deleted instead of the risk being closed.

    Closing (`status: closed`) keeps the record and its history in the register; deleting
    loses it from every later report.
    """
    for (kind, entity_id), change in context.changes.items():
        if kind == "risk" and change.change == "removed":
            yield GateHit(
                "risk-deleted", entity_id, f"{entity_id} was deleted; close it with status: closed"
            )


@gate("tolerance-breached")
def tolerance_breached(context: GateContext) -> Iterator[GateHit]:
    """The change makes the residual portfolio breach the loss-tolerance curve.

    Each point (loss x, probability p) of the head's `quant.tolerance` curve is checked
    against P(annual residual portfolio loss > x), simulated for both sides with the head's
    `quant.years` and `quant.seed` (each side with its own semantics) so the comparison is
    fair. A point fires when the head breaches it (P > p) unless the base breached the same
    point of its own curve (same x, same p, same currency): so a change that makes the
    portfolio cross the curve fires, and so does a curve added, tightened or moved that the
    head breaches. The gate simulates only when the head has a tolerance curve and some
    quant-relevant input changed (a quantified risk's inputs or credits, the quantified risks,
    the scoring method, or riskctl.yaml's `quant:`); otherwise the portfolio and the curve
    are as they were, and it cannot fire. `riskctl diff --format json` says why under
    `quant.simulation`.
    """
    if context.quant is None:
        return
    currency = context.quant.currency[1]
    for point in context.quant.tolerance:
        if not point.fires:
            continue
        if point.old is None and not context.quant.comparable:
            before = f"not comparable before (the currency was {context.quant.currency[0]})"
        elif point.old is None:
            before = f"not simulated before: {BASE_TOO_LARGE}"
        else:
            before = f"{percent(point.old)} before"
        marginal = ", within two standard errors of the limit" if point.marginal else ""
        yield GateHit(
            "tolerance-breached",
            "portfolio",
            f"P(residual portfolio loss > {money(point.loss, currency)} a year) is "
            f"{percent(point.new)} ({before}), above the limit of {percent(point.limit)}"
            f"{marginal}",
        )


@gate("coverage-lost")
def coverage_lost(context: GateContext) -> Iterator[GateHit]:
    """A framework requirement went from covered to partial or gap.

    Covered means a mapped control meets it (active, graded effective, its latest operating
    test passed within its window, no incident since: `riskctl coverage`); the message names
    the controls that stopped meeting it and why (retired, a failed or stale test, an
    incident, a mapping removed). A requirement declared not applicable in riskctl.yaml, or
    gone from the framework's catalogue, does not fire: that is a scoping or catalogue change,
    reviewed in its own file, and `riskctl diff` lists it with the other coverage changes.
    """
    for change in context.coverage:
        if change.old != "covered" or change.new not in ("partial", "gap"):
            continue
        lost = [each for each in change.controls if each.old == "meets"]
        because = "; ".join(
            f"{each.control} no longer meets it: {each.reason}" for each in lost
        ) or (change.why or "no mapped control meets it")
        yield GateHit(
            "coverage-lost",
            change.key,
            f"{change.framework} {change.requirement} went from covered to {change.new}: {because}",
        )


# --- the comparison ------------------------------------------------------------------------------


def field_changes(old: Any, new: Any, path: str = "") -> list[FieldChange]:
    """Changed fields as dotted paths; lists of mappings by index, other lists whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes = []
        for key in sorted(old.keys() | new.keys(), key=str):
            inner = f"{path}.{key}" if path else str(key)
            changes += field_changes(old.get(key), new.get(key), inner)
        return changes
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and any(isinstance(item, dict) for item in [*old, *new])
    ):
        changes = []
        for index in range(max(len(old), len(new))):
            before = old[index] if index < len(old) else None
            after = new[index] if index < len(new) else None
            changes += field_changes(before, after, f"{path}.{index}")
        return changes
    return [] if old == new else [FieldChange(path, old, new)]


def _catalogue_of(old: Entity | None, new: Entity | None) -> CatalogueChange | None:
    """A framework's requirement changes; None for another kind, or no requirement change."""
    if not isinstance(old, Framework | None) or not isinstance(new, Framework | None):
        return None
    if old is None and new is None:
        return None
    found = catalogue_change(old, new)
    return found if found != CatalogueChange() else None


def _dump(entity: Entity) -> dict[str, Any]:
    return entity.model_dump(mode="json", by_alias=True)


def _moved_tiers(
    old: RiskScore | None, new: RiskScore | None
) -> dict[str, tuple[Cell | None, Cell | None]]:
    moved = {}
    for tier in TIERS:
        before = _tier(old, tier)
        after = _tier(new, tier)
        if before != after:
            moved[tier] = (before, after)
    return moved


def _tier(score: RiskScore | None, tier: str) -> Cell | None:
    if score is None:
        return None
    if tier == "projected":
        return score.projected.cell
    cell: Cell | None = getattr(score, tier)
    return cell


def diff_registers(
    old: Register,
    new: Register,
    today: datetime.date,
    old_ref: str = "old",
    new_ref: str = "new",
    old_failed: Mapping[str, str] | None = None,
    new_failed: Mapping[str, str] | None = None,
    *,
    old_today: datetime.date | None = None,
) -> RegisterDiff:
    """Compare two registers: entity changes, tier movements, gates, method effects.

    `old_failed` and `new_failed` are the files that did not load on each side (path → first
    problem, `Loaded.failed`): an entity whose file loads on one side only is `broken` or
    `repaired`, never `added` or `removed`.

    The changes compare the registers as written (a test entered ahead of its date is a
    change); everything computed (scores, tier movements, gates, quant) compares both sides as
    of `today` (`riskctl.asof`): a record dated after it does not count on either side. A
    review compares the last review's register as it stood on its own day: `old_today`.
    """
    old_failed, new_failed = old_failed or {}, new_failed or {}
    old_as_of, new_as_of = as_of(old, old_today or today), as_of(new, today)
    written_old, written_new = old, new
    old, new = old_as_of.register, new_as_of.register
    old_card, new_card = score_register(old), score_register(new)
    old_scores = {score.risk.id: score for score in old_card.risks}
    new_scores = {score.risk.id: score for score in new_card.risks}
    changes: dict[tuple[str, str], EntityChange] = {}
    for kind in KINDS:
        before, after = written_old.of_kind(kind.name), written_new.of_kind(kind.name)
        for entity_id in sorted(before.keys() | after.keys()):
            old_record, new_record = before.get(entity_id), after.get(entity_id)
            if old_record is None and new_record is not None:
                problem = old_failed.get(new_record.file)
                changes[kind.name, entity_id] = EntityChange(
                    kind.name,
                    entity_id,
                    "added" if problem is None else "repaired",
                    problem=problem,
                    catalogue=_catalogue_of(None, new_record.entity) if problem is None else None,
                )
            elif new_record is None and old_record is not None:
                problem = new_failed.get(old_record.file)
                changes[kind.name, entity_id] = EntityChange(
                    kind.name,
                    entity_id,
                    "removed" if problem is None else "broken",
                    problem=problem,
                    catalogue=_catalogue_of(old_record.entity, None) if problem is None else None,
                )
            elif old_record is not None and new_record is not None:
                if old_record.entity is new_record.entity or old_record.entity == new_record.entity:
                    continue
                before_data, after_data = _dump(old_record.entity), _dump(new_record.entity)
                summary = _catalogue_of(old_record.entity, new_record.entity)
                if summary is not None:  # one line per requirement would flood the diff
                    before_data.pop("requirements", None)
                    after_data.pop("requirements", None)
                fields = field_changes(before_data, after_data)
                if fields or summary is not None:
                    changes[kind.name, entity_id] = EntityChange(
                        kind.name, entity_id, "modified", tuple(fields), catalogue=summary
                    )
    # A file that does not load on the new side and held no entity on the old one (new, or
    # broken on both sides with a change): broken, named by its file.
    named = {record.file for record in written_old.records}
    named |= {record.file for record in written_new.records}
    for file, problem in sorted(new_failed.items()):
        folder, _, name = file.rpartition("/")
        kind_of_file = KIND_BY_FOLDER.get(folder)
        if file in named or kind_of_file is None or old_failed.get(file) == problem:
            continue
        entity_id = name.removesuffix(".yaml")
        changes.setdefault(
            (kind_of_file.name, entity_id),
            EntityChange(kind_of_file.name, entity_id, "broken", problem=problem),
        )
    # Risks: tier movements, including risks whose file did not change.
    for risk_id in sorted(old_scores.keys() | new_scores.keys()):
        old_score, new_score = old_scores.get(risk_id), new_scores.get(risk_id)
        moved = _moved_tiers(old_score, new_score)
        was_within = old_score.appetite.within if old_score else None
        is_within = new_score.appetite.within if new_score else None
        appetite = (was_within, is_within) if was_within != is_within else None
        existing = changes.get(("risk", risk_id))
        if existing is None and not moved and appetite is None:
            continue
        base = existing or EntityChange("risk", risk_id, "modified")
        changes["risk", risk_id] = EntityChange(
            base.kind, base.id, base.change, base.fields, moved, appetite, problem=base.problem
        )
    # Controls: the risks whose residual each changed control moves (its credit changed).
    movers = {
        risk_id: credit_changes(old_scores.get(risk_id), new_scores.get(risk_id))
        for (kind_name, risk_id), risk_change in changes.items()
        if kind_name == "risk" and "residual" in risk_change.scores
    }
    for (entity_kind, control_id), change in list(changes.items()):
        if entity_kind != "control":
            continue
        moved_risks = tuple(
            risk_id for risk_id, controls in sorted(movers.items()) if control_id in controls
        )
        if moved_risks:
            changes[entity_kind, control_id] = EntityChange(
                change.kind,
                change.id,
                change.change,
                change.fields,
                moves=moved_risks,
                problem=change.problem,
            )
    method_changed = old_card.method.get("fingerprint") != new_card.method.get("fingerprint")
    quant = quant_diff(old, new, old_scores, new_scores, method_changed)
    if quant.changed and new.config.quant.tolerance:
        config = new.config.quant
        portfolios = (_quantified(old_scores, old), _quantified(new_scores, new))
        quant = dataclasses.replace(
            quant,
            simulated=True,
            simulation=f"simulated: {amount(config.years)} years, seed {config.seed} (the head's)",
            tolerance=simulate_tolerance(old, new, *portfolios),
        )
        if quant.comparable and any(point.old is None for point in quant.tolerance):
            quant = dataclasses.replace(quant, simulation=f"{quant.simulation}; {BASE_TOO_LARGE}")
    requirements = coverage_changes(old, new, old_today or today, today)
    context = GateContext(old, new, old_scores, new_scores, changes, today, quant, requirements)
    hits = [hit for each in GATES.values() for hit in each.check(context)]
    effects: tuple[MethodEffect, ...] = ()
    if old_card.method.get("fingerprint") != new_card.method.get("fingerprint"):
        crossed = {s.risk.id: s for s in score_register(old, new.config).risks}
        effects = tuple(
            MethodEffect(
                risk_id,
                old_scores[risk_id].residual if risk_id in old_scores else None,
                crossed[risk_id].residual if risk_id in crossed else None,
                new_scores[risk_id].residual if risk_id in new_scores else None,
            )
            for risk_id in sorted(old_scores.keys() | new_scores.keys())
        )
    ordered = sorted(changes.values(), key=lambda c: ([k.name for k in KINDS].index(c.kind), c.id))
    return RegisterDiff(
        old_ref=old_ref,
        new_ref=new_ref,
        old_method=old_card.method,
        new_method=new_card.method,
        changes=tuple(ordered),
        gates=tuple(sorted(hits, key=lambda hit: (hit.gate, hit.id, hit.message))),
        method_effects=effects,
        quant=quant,
        left_out=tuple(sorted(set(old_as_of.left_out) | set(new_as_of.left_out))),
        coverage=requirements,
    )
