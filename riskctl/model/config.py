"""`riskctl.yaml`: the register's configuration. Only `version` and `categories` are required."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from riskctl.model.common import STRICT, Text

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
    color: str | None = None


class Credits(BaseModel):
    """Residual credit per control grade (0 <= credit < 1)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, populate_by_name=True
    )
    effective: Annotated[float, Field(ge=0, lt=1)] = 0.6
    partially_effective: Annotated[float, Field(ge=0, lt=1, alias="partially-effective")] = 0.3


class Scoring(BaseModel):
    """How scores and levels are computed (see `riskctl score`)."""

    model_config = STRICT
    method: Literal["5x5-multiplicative", "nist-800-30", "custom"] = "5x5-multiplicative"
    credits: Credits = Credits()
    combine: Literal["compound", "strongest"] = "compound"
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
]


class GatesConfig(BaseModel):
    """Pull-request gates of `riskctl diff` (see `riskctl gates list`)."""

    model_config = STRICT
    fail_on: list[GateName] = []
    """Gates that fail `riskctl diff` (exit 1) when they fire; `--fail-on` adds to them."""


class Config(BaseModel):
    """The register's configuration, `register/riskctl.yaml`."""

    model_config = STRICT
    version: Literal[1]
    categories: Annotated[list[Category], Field(min_length=1)]
    lint: LintConfig = LintConfig()
    scoring: Scoring = Scoring()
    review_days: dict[str, Annotated[int, Field(ge=1, strict=True)]] | None = None
    """Days between reviews per residual level; the method's defaults when absent."""
    gates: GatesConfig = GatesConfig()
