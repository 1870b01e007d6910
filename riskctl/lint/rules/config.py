"""RK8xx: the configuration file, `riskctl.yaml`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from riskctl.findings import Hit, Where
from riskctl.lint.rules import Rule, RuleContext, rule
from riskctl.model.config import RuleSetting
from riskctl.model.register import CONFIG_FILE
from riskctl.score.matrix import level_names


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
