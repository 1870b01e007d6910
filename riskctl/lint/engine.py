"""The lint engine: select rules, run them, apply waivers and severities, locate and sort."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from riskctl.findings import Finding, Hit, LintResult, Severity
from riskctl.lint.rules import Rule, RuleContext, all_rules, find_rule_in
from riskctl.load import Loaded, Locator, ParseCache, Sources, load
from riskctl.load.register import remembered_for
from riskctl.model.common import Entity
from riskctl.model.config import Config

SEVERITY_BY_NAME = {"error": Severity.ERROR, "warning": Severity.WARNING, "note": Severity.NOTE}


def is_selected(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Whether `--select`/`--ignore` code prefixes keep a rule; the longest matching prefix wins.

    With no `--select`, every rule is selected. A tie between a select and an ignore prefix of
    the same length goes to select. (After flake8's `DecisionEngine`.)
    """
    selected = max((len(p) for p in select if code.startswith(p)), default=-1 if select else 0)
    ignored = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return selected >= 0 and selected >= ignored


def severities(config: Config, rules: Mapping[str, Rule]) -> dict[str, Severity | None]:
    """Each rule's severity after `lint: rules:` in riskctl.yaml; None means off."""
    result: dict[str, Severity | None] = {code: each.default for code, each in rules.items()}
    for key, setting in config.lint.rules.items():
        configured = find_rule_in(rules, key)
        name = setting if isinstance(setting, str) else setting.severity
        if configured is None or name is None or not configured.can_disable:
            continue  # reported by RK801
        result[configured.code] = None if name == "off" else SEVERITY_BY_NAME[name]
    return result


def rule_context(loaded: Loaded, today: datetime.date, rules: Mapping[str, Rule]) -> RuleContext:
    """What every rule sees of a loaded register on a day."""
    return RuleContext(
        register=loaded.register,
        raw=loaded.raw,
        load_hits=tuple(loaded.hits),
        today=today,
        rules=rules,
    )


def lint(
    sources: Sources,
    today: datetime.date,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    cache: ParseCache | None = None,
) -> LintResult:
    """Load a register and run every selected rule on it.

    A `cache` shared by two lints (`lint --new-since`: the head and its merge base) parses a
    file the two sides hold alike once. With the persistent cache on (`load.cache`), the
    result for the same files (by blob id), day and selection is kept, and given again.
    """
    key = ("lint", today.isoformat(), tuple(select), tuple(ignore))
    return remembered_for(sources, key, lambda: _lint(sources, today, select, ignore, cache))


def _lint(
    sources: Sources,
    today: datetime.date,
    select: Sequence[str],
    ignore: Sequence[str],
    cache: ParseCache | None,
) -> LintResult:
    loaded = load(sources, cache)
    rules = all_rules()
    context = rule_context(loaded, today, rules)
    levels = severities(loaded.register.config, rules)
    entity_of_file: dict[str, Entity] = {
        record.file: record.entity for record in loaded.register.records
    }
    locator = Locator(sources)
    findings: list[Finding] = []
    for code, each in rules.items():
        severity = levels[code]
        if each.can_disable and (severity is None or not is_selected(code, select, ignore)):
            continue
        for hit in each.check(context):
            if is_waived(hit, each, entity_of_file, today):
                continue
            line, col = locator.locate(hit.where)
            findings.append(
                Finding(
                    _display(sources.label, hit.where.file),
                    line,
                    col,
                    code,
                    each.name,
                    severity or each.default,
                    hit.message,
                    path=hit.where.path,
                    register_file=hit.where.file,
                )
            )
    return LintResult(findings=tuple(sorted(findings)), files=len(sources.files))


def is_waived(
    hit: Hit, rule: Rule, entity_of_file: Mapping[str, Entity], today: datetime.date
) -> bool:
    """A finding is waived by a waiver of its rule, with a reason, not expired, in its entity."""
    if not rule.can_disable or rule.code in WAIVER_RULES:
        return False
    entity = entity_of_file.get(hit.where.file)
    if entity is None:
        return False
    return any(
        waiver.rule.upper() == rule.code or waiver.rule == rule.name
        for waiver in entity.waivers
        if (waiver.reason or "").strip() and (waiver.expires is None or waiver.expires >= today)
    )


#: Rules about waivers themselves, which no waiver can hide.
WAIVER_RULES = frozenset({"RK010", "RK011", "RK012"})


def _display(label: str, file: str) -> str:
    """A register file as the user sees it: relative to the current directory."""
    return file if label in ("", ".") else f"{label}/{file}"
