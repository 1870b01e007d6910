"""RK8xx: the configuration file, `riskctl.yaml`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from riskctl.findings import Hit, Severity, Where
from riskctl.lint.rules import Rule, RuleContext, rule
from riskctl.model.config import RuleSetting
from riskctl.model.register import CONFIG_FILE
from riskctl.score.matrix import (
    Matrix,
    betweenness_violations,
    custom_grid_problems,
    level_names,
    monotonicity_violations,
)


@rule("RK801", "unknown-rule-setting")
def unknown_rule_setting(context: RuleContext) -> Iterator[Hit]:
    """Every key under `lint: rules:` is a rule code or name with valid options; RK001-9 stay on.

    Why: a misspelt code or option configures nothing, silently; and the loader's findings
    (RK001-RK009) cannot be turned off: a file that does not parse cannot be checked.
    Fires:   `lint: {rules: {RK999: off}}`, `{RK001: off}`, an option the rule does not take
    Passes:  `lint: {rules: {RK010: warning, waiver-unknown-rule: off}}`
    """
    for key, setting in context.config.lint.rules.items():
        where = Where(CONFIG_FILE, ("lint", "rules", key), at_key=True)
        found = context.find_rule(key)
        if found is None:
            yield Hit(where, f"lint.rules names no rule: {key!r}")
            continue
        severity = setting if isinstance(setting, str) else setting.severity
        if not found.can_disable and severity == "off":
            yield Hit(where, f"{key} cannot be turned off: it reports what the loader found")
        if isinstance(setting, RuleSetting):
            yield from _option_problems(key, found, setting.model_extra or {})


def _option_problems(key: str, found: Rule, options: dict[str, Any]) -> Iterator[Hit]:
    path = ("lint", "rules", key)
    if found.options is None:
        for option in options:
            yield Hit(
                Where(CONFIG_FILE, (*path, option), at_key=True),
                f"{found.code} {found.name} takes no options (only severity); not {option!r}",
            )
        return
    try:
        found.options.model_validate(options)
    except ValidationError as error:
        for problem in error.errors():
            location = tuple(problem["loc"])
            at_key = problem["type"] == "extra_forbidden"
            yield Hit(
                Where(CONFIG_FILE, (*path, *location), at_key=at_key),
                f"{found.code} option {'.'.join(map(str, location))}: "
                + ("unknown option" if at_key else problem["msg"]),
            )


@rule("RK802", "duplicate-category")
def duplicate_category(context: RuleContext) -> Iterator[Hit]:
    """Each category id is defined once.

    Why: two definitions with different appetites make a risk's appetite ambiguous.
    Fires:   two entries `{id: payments-fraud, ...}` under `categories`
    Passes:  each id once
    """
    seen: set[str] = set()
    for index, category in enumerate(context.config.categories):
        if category.id in seen:
            yield Hit(
                Where(CONFIG_FILE, ("categories", index, "id")),
                f"category {category.id!r} is defined twice",
            )
        seen.add(category.id)


@rule("RK803", "unknown-appetite-level")
def unknown_appetite_level(context: RuleContext) -> Iterator[Hit]:
    """A category's appetite is a level of the configured scoring method.

    Why: appetite is the highest acceptable residual level; a word that is not a level cannot
    be compared with one.
    Fires:   `appetite: cautious` with the 5x5-multiplicative method (levels low, medium, high,
             critical)
    Passes:  `appetite: medium`
    """
    levels = level_names(context.config.scoring)
    for index, category in enumerate(context.config.categories):
        if category.appetite not in levels:
            yield Hit(
                Where(CONFIG_FILE, ("categories", index, "appetite")),
                f"appetite {category.appetite!r} of {category.id} is not a level of "
                f"{context.config.scoring.method} ({', '.join(levels)})",
            )


def _custom_matrix(context: RuleContext) -> Matrix | None:
    """The custom matrix, when the method is custom and usable (else RK805 reports why)."""
    if context.config.scoring.method != "custom" or context.scorecard is None:
        return None
    return context.scorecard.matrix


@rule("RK804", "matrix-not-monotone")
def matrix_not_monotone(context: RuleContext) -> Iterator[Hit]:
    """Raising likelihood or impact never lowers the level of a custom grid.

    Why: a risk that becomes more likely or more severe must not look safer. Monotonicity is
    necessary for Cox's weak consistency (risk-matrices.md section 3). The presets are monotone;
    only a custom grid is checked, once it is usable (RK805).
    Each cell is compared with its lower-likelihood and lower-impact neighbours, and the cell
    that is lower than a neighbour is reported, at `scoring.grid.<likelihood-1>.<impact-1>`.
    Fires:   `grid[2][2]: low` (L3 I3) when `grid[1][2]` (L2 I3) is `medium`
    Passes:  every row and column non-decreasing
    """
    matrix = _custom_matrix(context)
    for likelihood, impact, message in monotonicity_violations(matrix) if matrix else []:
        yield Hit(
            Where(CONFIG_FILE, ("scoring", "grid", likelihood - 1, impact - 1)),
            f"custom grid: {message}",
        )


@rule("RK805", "custom-matrix-invalid")
def custom_matrix_invalid(context: RuleContext) -> Iterator[Hit]:
    """A custom scoring method has usable levels and grid; a preset method has neither.

    Why: with missing levels, a grid that is not 5 rows of 5 cells, or a cell that names no
    level, no risk can be scored (every scoring rule and command depends on it). `levels` and
    `grid` beside a preset method are ignored, which hides that the preset is in use.
    Fires:   `method: custom` without `grid`; a row of 4 cells; a cell `amber` that is not a
             level; `levels:` with `method: nist-800-30` (reported at the key)
    Passes:  `method: custom` with unique levels and 5 rows of 5 level names
    """
    scoring = context.config.scoring
    if scoring.method == "custom":
        for path, message in custom_grid_problems(scoring):
            yield Hit(Where(CONFIG_FILE, path), f"custom scoring method: {message}")
        return
    for key in ("levels", "grid"):
        if getattr(scoring, key) is not None:
            yield Hit(
                Where(CONFIG_FILE, ("scoring", key), at_key=True),
                f"scoring.{key} is ignored with method {scoring.method}; "
                "remove it, or use method: custom",
            )


@rule("RK806", "matrix-betweenness", default=Severity.WARNING)
def matrix_betweenness(context: RuleContext) -> Iterator[Hit]:
    """No lowest-level cell of a custom grid touches a highest-level cell.

    Why: Cox's betweenness (L. A. Cox Jr., "What's Wrong with Risk Matrices?", Risk Analysis
    28(2), 2008): going from a lowest-level cell to a highest-level one should always cross an
    intermediate level, or nearly equal risks on either side of the edge get opposite verdicts.
    Cells touch by an edge or a corner. Only a usable custom grid is checked (the presets
    satisfy it) and only with three levels or more; the lowest-level cell is reported.
    Fires:   L1 I4 `low` beside L2 I5 `critical`
    Passes:  a `medium` or `high` cell between every `low` and `critical` cell
    """
    matrix = _custom_matrix(context)
    for likelihood, impact, message in betweenness_violations(matrix) if matrix else []:
        yield Hit(
            Where(CONFIG_FILE, ("scoring", "grid", likelihood - 1, impact - 1)),
            f"custom grid: {message}",
        )


@rule("RK807", "review-days-unknown-level")
def review_days_unknown_level(context: RuleContext) -> Iterator[Hit]:
    """Every key of `review_days` is a level of the configured scoring method.

    Why: review cadence is looked up by the residual level; a key that is not a level (a
    misspelling, or a level of another method) sets nothing, and its level keeps the default.
    Fires:   `review_days: {medium: 120}` with method nist-800-30 (reported at the key)
    Passes:  `review_days: {moderate: 120}` with method nist-800-30
    """
    levels = level_names(context.config.scoring)
    for key in context.config.review_days or {}:
        if key not in levels:
            yield Hit(
                Where(CONFIG_FILE, ("review_days", key), at_key=True),
                f"review_days {key!r} is not a level of {context.config.scoring.method} "
                f"({', '.join(levels)})",
            )
