"""The rule registry: each rule is a generator function with a code, a name and a docstring.

Codes are `RK` and three digits, families by hundreds: RK0xx files, YAML and schema (found by the
loader; cannot be disabled) and waivers, RK1xx identity and references, RK2xx scoring, RK3xx
controls and testing, RK4xx acceptances, RK5xx KRIs, RK6xx incidents and RCA, RK7xx launches,
RK8xx configuration, RK9xx frameworks (catalogues, mappings, scope). A code is never reused.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from riskctl.asof import AsOf, LeftOut, as_of
from riskctl.errors import RiskctlError
from riskctl.findings import Hit, Severity, Where
from riskctl.model.common import Waiver
from riskctl.model.config import Config, RuleSetting
from riskctl.model.references import Reference, references
from riskctl.model.register import Record, Register
from riskctl.score.residual import RiskScore, Scorecard, score_register

#: Modules holding rules, in code order.
RULE_MODULES = (
    "files",
    "identity",
    "scoring",
    "controls",
    "acceptances",
    "kris",
    "incidents",
    "launches",
    "config",
    "catalogues",
    "mappings",
)

OptionsT = TypeVar("OptionsT", bound=BaseModel)


@dataclass(frozen=True)
class RuleContext:
    """What a rule may look at: the register, each file's raw data, the loader's problems, today."""

    register: Register
    raw: dict[str, Any]
    load_hits: tuple[Hit, ...]
    today: datetime.date
    rules: Mapping[str, Rule]
    """Every rule by code, for rules about waivers and settings."""

    @property
    def config(self) -> Config:
        """The register's configuration."""
        return self.register.config

    def find_rule(self, code_or_name: str) -> Rule | None:
        """The rule with this code (any case) or name."""
        return find_rule_in(self.rules, code_or_name)

    def where(self, record: Record, *path: str | int, at_key: bool = False) -> Where:
        """A place in the file of `record`."""
        return Where(record.file, tuple(path), at_key=at_key)

    @functools.cached_property
    def as_of(self) -> AsOf:
        """The register as of today (`riskctl.asof`): what the scores are computed on, and the
        records dated after today that the RK306-family notes report."""
        return as_of(self.register, self.today)

    @functools.cached_property
    def references(self) -> tuple[tuple[Record, tuple[Reference, ...]], ...]:
        """Each valid record that refers to other entities, with its references (in file
        order, `riskctl.model.references`): listed once for every rule that checks them."""
        listed = ((record, tuple(references(record.entity))) for record in self.register.records)
        return tuple((record, made) for record, made in listed if made)

    @functools.cached_property
    def waivers(self) -> tuple[tuple[Record, int, Waiver], ...]:
        """Every waiver with its record and its index in `waivers`, in file order: the few
        records that have one, found once for the rules about waivers."""
        return tuple(
            (record, index, waiver)
            for record in self.register.records
            if record.entity.waivers
            for index, waiver in enumerate(record.entity.waivers)
        )

    @functools.cached_property
    def scorecard(self) -> Scorecard | None:
        """Every risk scored by the configured method, as of today (as `riskctl score --now`
        scores it); None when the method cannot be used."""
        try:
            return score_register(self.as_of.register)
        except RiskctlError:  # an unusable custom matrix: RK805 reports it
            return None

    @functools.cached_property
    def scores(self) -> dict[str, RiskScore]:
        """Scores by risk id (empty when the method cannot be used)."""
        card = self.scorecard
        return {score.risk.id: score for score in card.risks} if card else {}

    def options(self, code: str, model: type[OptionsT]) -> OptionsT:
        """A rule's options from `lint: rules:` in riskctl.yaml, or the model's defaults.

        Options that do not validate fall back to the defaults; RK801 reports them.
        """
        for key, setting in self.config.lint.rules.items():
            found = self.find_rule(key)
            if found is not None and found.code == code and isinstance(setting, RuleSetting):
                try:
                    return model.model_validate(setting.model_extra or {})
                except ValidationError:
                    break
        return model()


Check = Callable[[RuleContext], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    """A registered rule. `summary` is the docstring's first line; `doc` all of it."""

    code: str
    name: str
    default: Severity
    check: Check
    can_disable: bool = True
    options: type[BaseModel] | None = None
    """The rule's options (set under `lint: rules: CODE:` in riskctl.yaml), with defaults."""
    date_dependent: bool = False
    """Whether the rule asks a question of the calendar (a deadline passed, a date after
    today): its findings come and go with the calendar, so `lint --new-since` reports a new one
    that the head did not have yet on the merge base's day as date-driven, and does not fail
    on it."""
    as_of: bool = False
    """Whether the rule judges the register as of today (`riskctl.asof`: records dated after
    `--now` left out, as the scorer leaves them out), without asking about the calendar itself:
    its outcome moves with `--now` only through records dated after it. Both sides of `lint
    --new-since` are read as of the same day, so a new finding of such a rule is the change's
    own and fails. A test lints every rule case at far-apart dates to keep both marks honest."""

    @property
    def doc(self) -> str:
        """The rule's documentation: its docstring, dedented."""
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.doc.splitlines()[0] if self.doc else ""

    @property
    def family(self) -> str:
        """The module that holds the rule (files, identity, ...)."""
        return self.check.__module__.rpartition(".")[2]


_REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    default: Severity = Severity.ERROR,
    *,
    can_disable: bool = True,
    options: type[BaseModel] | None = None,
    date_dependent: bool = False,
    as_of: bool = False,
) -> Callable[[Check], Check]:
    """Register a rule function under a code and a kebab-case name; `date_dependent` marks a
    rule that compares dates with `context.today`, directly or through a helper, and `as_of` one
    that reads the register as of today (`context.as_of`, the scorecard) and nothing else of
    the date (see `Rule`)."""

    def register(check: Check) -> Check:
        if code in _REGISTRY:
            raise ValueError(f"duplicate rule code {code}")
        _REGISTRY[code] = Rule(
            code, name, default, check, can_disable, options, date_dependent, as_of
        )
        return check

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule by code, sorted by code."""
    for module in RULE_MODULES:
        importlib.import_module(f"{__name__}.{module}")
    return dict(sorted(_REGISTRY.items()))


def find_rule_in(rules: Mapping[str, Rule], code_or_name: str) -> Rule | None:
    """The rule with this code (any case) or name."""
    wanted = code_or_name.strip()
    if wanted.upper() in rules:
        return rules[wanted.upper()]
    return next((each for each in rules.values() if each.name == wanted), None)


def records(register: Register, kind: str) -> Sequence[Record]:
    """Every valid record of a kind, duplicates included, in file order."""
    return register.records_of(kind)


def dated_after_today(context: RuleContext, kind: str) -> Iterator[tuple[Record, LeftOut]]:
    """Each record of a kind's files dated after today, as `riskctl.asof` leaves it out of
    every computation, with the record of its file: one definition for lint and the commands."""
    by_file = {record.file: record for record in records(context.register, kind)}
    for each in context.as_of.left_out:
        record = by_file.get(each.file)
        if record is not None and record.entity.id == each.entity:
            yield record, each
