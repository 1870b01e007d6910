"""`riskctl.yaml`: the register's configuration. Only `version` and `categories` are required."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from riskctl.model.common import (
    MAX_DAYS,
    STRICT,
    DayCount,
    Reference,
    Text,
    must_match,
    python_pattern,
)
from riskctl.model.framework import FrameworkId, RequirementId
from riskctl.model.launch import Rating10

SeverityName = Literal["error", "warning", "note", "off"]


class Category(BaseModel):
    """A risk category with its appetite: the highest acceptable residual level."""

    model_config = STRICT
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    name: Text
    appetite: Text
    """A level name of the scoring method, e.g. `medium` for 5x5-multiplicative."""


class RuleSetting(BaseModel):
    """A rule's severity and options, for rules that take options."""

    model_config = ConfigDict(extra="allow", frozen=True, use_attribute_docstrings=True)
    severity: SeverityName | None = None


def _rule_config_kind(value: object) -> str:
    """A plain severity name, or a mapping of severity and options."""
    return "rule-options" if isinstance(value, dict | RuleSetting) else "severity-name"


RuleConfig = Annotated[
    Annotated[SeverityName, Tag("severity-name")] | Annotated[RuleSetting, Tag("rule-options")],
    Discriminator(_rule_config_kind),
]


class LintConfig(BaseModel):
    """Lint settings: severity (or off) per rule code or name."""

    model_config = STRICT
    rules: dict[str, RuleConfig] = {}
    """`{RK301: warning, RK205: off}`; a key is a rule code or name."""


class Level(BaseModel):
    """A level of a custom matrix."""

    model_config = STRICT
    name: Text
    color: Annotated[str, StringConstraints(pattern=r"^#([0-9a-fA-F]{3}){1,2}$")] | None = None
    """`#rgb` or `#rrggbb`: the level's colour in the HTML reports' heat maps and trend."""


class Credits(BaseModel):
    """Residual credit per control grade (0 <= credit < 1)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, populate_by_name=True
    )
    effective: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.6
    partially_effective: Annotated[
        float, Field(ge=0, lt=1, allow_inf_nan=False, alias="partially-effective")
    ] = 0.3


#: scoring.untested_cap by default: an untested rating counts as partial evidence at most.
DEFAULT_UNTESTED_CAP = 0.3


class Scoring(BaseModel):
    """How scores and levels are computed (see `riskctl score`)."""

    model_config = STRICT
    method: Literal["5x5-multiplicative", "nist-800-30", "custom"] = "5x5-multiplicative"
    credits: Credits = Credits()
    combine: Literal["compound", "strongest"] = "compound"
    untested_cap: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = DEFAULT_UNTESTED_CAP
    """The most credit a control earns while its design or operating rating (effective or
    partially-effective) has no test of that type in its `tests` (lint RK305): 0.3 by default,
    the partially-effective credit; 0 gives an untested rating no credit; 1 turns the cap
    off."""
    levels: list[Level] | None = None
    """custom only: the levels, lowest first."""
    grid: list[list[str]] | None = None
    """custom only: grid[likelihood-1][impact-1] is a level name."""


#: The gates of `riskctl diff` (riskctl/diff.py documents each; a test keeps the two in step).
GateName = Literal[
    "residual-lowered",
    "key-control-removed",
    "effectiveness-downgraded",
    "acceptance-extended",
    "above-appetite",
    "risk-deleted",
    "tolerance-breached",
    "coverage-lost",
]


class GatesConfig(BaseModel):
    """Pull-request gates of `riskctl diff` (see `riskctl gates list`)."""

    model_config = STRICT
    fail_on: list[GateName] = []
    """Gates that fail `riskctl diff` (exit 1) when they fire; `--fail-on` adds to them."""


#: An action priority: H (the team must act or justify not acting), M (should), L (could).
Priority = Literal["H", "M", "L"]
#: A band of 1-10 ratings, `[lowest, highest]`, both included: `[7, 10]`, `[1, 1]`.
Band = tuple[Rating10, Rating10]


class ActionPriorityRow(BaseModel):
    """One row of an action priority table: a severity band and an occurrence band."""

    model_config = STRICT
    severity: Band
    """The row's severity band, `[lowest, highest]`."""
    occurrence: Band
    """The row's occurrence band, `[lowest, highest]`."""
    ap: Annotated[tuple[Priority, ...], Field(min_length=1)]
    """The action priority (H, M or L) for each detection band, in `detection_bands` order."""
    provenance: str | None = None
    """Where the row comes from and how far it has been checked."""


class ActionPriorityTable(BaseModel):
    """An FMEA action priority (AP) table: H, M or L for each severity, occurrence, detection.

    The rows' severity and occurrence bands and the detection bands must give exactly one
    priority for each of the 1,000 combinations of three 1-10 ratings.
    """

    model_config = STRICT
    source: str | None = None
    """Where the table comes from."""
    status: str | None = None
    """How far the table has been checked, e.g. `transcribed — verify`."""
    detection_bands: Annotated[tuple[Band, ...], Field(min_length=1)]
    """The detection bands, `[lowest, highest]` each: the columns of every row's `ap`."""
    rows: Annotated[tuple[ActionPriorityRow, ...], Field(min_length=1)]
    """The rows; each (severity, occurrence) pair falls in exactly one."""

    @model_validator(mode="after")
    def _covers_every_combination(self) -> Self:
        problems = coverage_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def coverage_problems(table: ActionPriorityTable) -> list[str]:
    """What keeps a table from giving exactly one priority for each S/O/D combination."""
    ratings = range(1, 11)
    bands = [(f"detection_bands[{i}]", band) for i, band in enumerate(table.detection_bands)]
    for index, row in enumerate(table.rows):
        bands += [(f"rows[{index}].severity", row.severity)]
        bands += [(f"rows[{index}].occurrence", row.occurrence)]
    problems = [
        f"{where} [{low}, {high}] runs backwards: write [lowest, highest]"
        for where, (low, high) in bands
        if low > high
    ]
    problems += [
        f"rows[{index}].ap has {len(row.ap)} priorities for {len(table.detection_bands)} "
        "detection bands"
        for index, row in enumerate(table.rows)
        if len(row.ap) != len(table.detection_bands)
    ]
    detection = {
        f"D {d}": sum(low <= d <= high for low, high in table.detection_bands) for d in ratings
    }
    problems += _coverage_counts(detection, "detection band")
    pairs = {
        f"S {s} O {o}": sum(
            row.severity[0] <= s <= row.severity[1] and row.occurrence[0] <= o <= row.occurrence[1]
            for row in table.rows
        )
        for s in ratings
        for o in ratings
    }
    problems += _coverage_counts(pairs, "row")
    return problems


def _coverage_counts(counts: dict[str, int], what: str) -> list[str]:
    """`no row covers S 1 O 1, S 1 O 2 and 8 more`; `more than one row covers S 9 O 4`."""
    problems = []
    for verb, keys in (
        (f"no {what} covers", [key for key, count in counts.items() if count == 0]),
        (f"more than one {what} covers", [key for key, count in counts.items() if count > 1]),
    ):
        if keys:
            more = f" and {len(keys) - 4} more" if len(keys) > 4 else ""
            problems.append(f"{verb} {', '.join(keys[:4])}{more}")
    return problems


class PremortemConfig(BaseModel):
    """Settings of `riskctl premortem` and the launch rules (RK7xx)."""

    model_config = STRICT
    action_priority: ActionPriorityTable | None = None
    """Replaces the AIAG-VDA action priority table shipped with riskctl (its
    `riskctl/data/action-priority.yaml`), in the same shape; it must cover every S/O/D
    combination."""


class TolerancePoint(BaseModel):
    """A point of the loss-tolerance curve: P(annual loss > `loss`) must be at most
    `probability` (Hubbard's loss-tolerance curve)."""

    model_config = STRICT
    loss: Annotated[float, Field(gt=0, le=1e15, allow_inf_nan=False)]
    """An annual loss, in the register's currency."""
    probability: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]
    """The highest acceptable probability that a year's loss exceeds `loss`."""


#: Bounds of `quant.years` (and `riskctl quant --years`).
MAX_YEARS = 10_000_000
#: The largest seed: numpy's SeedSequence takes any non-negative integer; 2^63 - 1 keeps it
#: a JSON-safe, int64-safe number.
MAX_SEED = 2**63 - 1


class QuantConfig(BaseModel):
    """Settings of `riskctl quant`, the diff's `tolerance-breached` gate and the reports."""

    model_config = STRICT
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    """The register's currency (ISO 4217 code): of loss inputs and controls' `annual_cost`."""
    years: Annotated[int, Field(strict=True, ge=1, le=MAX_YEARS)] = 100_000
    """Simulated years by default (at most 10,000,000)."""
    seed: Annotated[int, Field(strict=True, ge=0, le=MAX_SEED)] = 0
    """The default random seed: the same seed gives the same numbers."""
    semantics: Literal["compound-poisson", "fair-product"] = "compound-poisson"
    """`compound-poisson` (each year sums its events' losses) or `fair-product` (pyfair's
    loss event frequency x one loss magnitude a year)."""
    tolerance: list[TolerancePoint] = []
    """The loss-tolerance curve, points in increasing `loss`, checked against the simulated
    residual portfolio."""

    @model_validator(mode="after")
    def _a_curve(self) -> Self:
        for before, after in zip(self.tolerance, self.tolerance[1:], strict=False):
            if not before.loss < after.loss:
                raise ValueError("tolerance points must be in strictly increasing `loss`")
            if after.probability > before.probability:
                raise ValueError(
                    f"tolerance probability rises from {before.probability:g} to "
                    f"{after.probability:g} at loss {after.loss:g}: a larger loss cannot be "
                    "more acceptable than a smaller one"
                )
        return self


class DueConfig(BaseModel):
    """`riskctl due`: when an overdue item is shown with its owner's escalation contact."""

    model_config = STRICT
    escalate_after_days: Annotated[int, Field(ge=0, le=MAX_DAYS, strict=True)] = 14
    """Days overdue after which an item names the owner's `escalation` and reaches them
    (`riskctl due --owner`); 0 escalates every overdue item. Default 14: two weekly digests."""


#: A path inside the repository, relative to its root: `/`-separated names, none of them `.` or
#: `..`, no backslash or control character. ECMA-262 (JSON Schema) and Python read it alike.
REPOSITORY_PATH_PATTERN = (
    r"^(?!\.\.?(?:/|$))(?!.*/\.\.?(?:/|$))"
    r"[^/\\\x00-\x1f\x7f]+(?:/[^/\\\x00-\x1f\x7f]+)*$"
)
_repository_path = must_match(
    python_pattern(REPOSITORY_PATH_PATTERN),
    "repository_path",
    "expected a path relative to the repository root, e.g. .github/CODEOWNERS "
    "(`/` between names; no leading `/`, `.` or `..` part, backslash or control character)",
)


class CodeownersConfig(BaseModel):
    """`riskctl codeowners`: the CODEOWNERS file it writes, and the lint rules it switches on."""

    model_config = STRICT
    enabled: Annotated[bool, Field(strict=True)] = False
    """Whether pull requests are reviewed through CODEOWNERS: switches on the lint rules that
    acceptances' approvers and the default owners have a `github` handle (RK107) and risk
    owners one (RK108). `riskctl codeowners` works without it."""
    file: (
        Annotated[
            str,
            Field(json_schema_extra={"pattern": REPOSITORY_PATH_PATTERN}),
            AfterValidator(_repository_path),
        ]
        | None
    ) = None
    """The CODEOWNERS file, relative to the repository root; by default the first of
    `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS` that exists (GitHub's order), else
    `.github/CODEOWNERS`."""
    default_owners: list[Reference] = []
    """Owner ids whose handles own `riskctl.yaml` (appetite, scoring, lint settings) and every
    register file without an owner's handle of its own, including files a pull request adds;
    none: those files get no required reviewer from riskctl."""


class NotApplicable(BaseModel):
    """A requirement of an in-scope framework that does not apply, and why."""

    model_config = STRICT
    requirement: RequirementId
    """The requirement's id as the framework writes it, e.g. `PR.IR-02`."""
    justification: str | None = None
    """Why it does not apply (a Statement of Applicability must say); lint RK908 when
    missing or blank."""


class FrameworkScope(BaseModel):
    """One framework in scope, and its requirements that do not apply."""

    model_config = STRICT
    id: FrameworkId
    """The framework id: a catalogue shipped with riskctl (`nist-csf-2.0`) or one in the
    register's `frameworks/` folder."""
    not_applicable: list[NotApplicable] = []
    """Requirements excluded from coverage, each with its justification."""


class FrameworksConfig(BaseModel):
    """The frameworks the organisation answers to (`riskctl coverage`, lint RK907)."""

    model_config = STRICT
    in_scope: list[FrameworkScope] = []
    """Frameworks in scope; coverage works without the declaration (every requirement
    applies), lint's uncovered-requirement rule only with it."""


class Config(BaseModel):
    """The register's configuration, `register/riskctl.yaml`."""

    model_config = STRICT
    version: Literal[1]
    categories: Annotated[list[Category], Field(min_length=1)]
    lint: LintConfig = LintConfig()
    scoring: Scoring = Scoring()
    review_days: dict[str, DayCount] | None = None
    """Days between reviews per residual level, each 1 to 3,650 (ten years); the method's
    defaults when absent."""
    gates: GatesConfig = GatesConfig()
    premortem: PremortemConfig = PremortemConfig()
    """Launch pre-mortems: an optional override of the action priority table."""
    quant: QuantConfig = QuantConfig()
    """Loss quantification: currency, simulated years, seed, semantics, tolerance curve."""
    due: DueConfig = DueConfig()
    """`riskctl due`: when overdue items are escalated."""
    codeowners: CodeownersConfig = CodeownersConfig()
    """`riskctl codeowners`: where the CODEOWNERS file is, who owns riskctl.yaml, and whether
    the lint rules on `github` handles are on."""
    frameworks: FrameworksConfig = FrameworksConfig()
    """Frameworks in scope and their not-applicable requirements (`riskctl coverage`)."""
