"""Shared vocabulary of the register models: id patterns, ratings, waivers, base config."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

STRICT = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

#: Id patterns per kind, declared once. Ids are a prefix and 3 or more digits, except incidents
#: (INC-YYYY-NNN) and owners (a kebab-case slug).
ID_PATTERNS: dict[str, str] = {
    "risk": r"^R-[0-9]{3,}$",
    "control": r"^C-[0-9]{3,}$",
    "owner": r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "incident": r"^INC-[0-9]{4}-[0-9]{3,}$",
    "kri": r"^KRI-[0-9]{3,}$",
    "launch": r"^LAUNCH-[0-9]{3,}$",
    "acceptance": r"^ACC-[0-9]{3,}$",
}

#: What each id pattern looks like, for messages.
ID_EXAMPLES: dict[str, str] = {
    "risk": "R- and 3 or more digits, e.g. R-007",
    "control": "C- and 3 or more digits, e.g. C-012",
    "owner": "a kebab-case slug, e.g. payments-risk",
    "incident": "INC-YYYY-NNN, e.g. INC-2026-014",
    "kri": "KRI- and 3 or more digits, e.g. KRI-001",
    "launch": "LAUNCH- and 3 or more digits, e.g. LAUNCH-001",
    "acceptance": "ACC- and 3 or more digits, e.g. ACC-001",
}

#: The patterns for Python: `\Z`, not `$`, which in Python also matches before a final newline
#: (pydantic's and JSON Schema's `$` mean the end of the text, as `\Z` does here).
ID_REGEXES: dict[str, re.Pattern[str]] = {
    kind: re.compile(pattern.removesuffix("$") + r"\Z") for kind, pattern in ID_PATTERNS.items()
}

RiskId = Annotated[str, StringConstraints(pattern=ID_PATTERNS["risk"])]
ControlId = Annotated[str, StringConstraints(pattern=ID_PATTERNS["control"])]
OwnerId = Annotated[str, StringConstraints(pattern=ID_PATTERNS["owner"])]
IncidentId = Annotated[str, StringConstraints(pattern=ID_PATTERNS["incident"])]
KriId = Annotated[str, StringConstraints(pattern=ID_PATTERNS["kri"])]
LaunchId = Annotated[str, StringConstraints(pattern=ID_PATTERNS["launch"])]
AcceptanceId = Annotated[str, StringConstraints(pattern=ID_PATTERNS["acceptance"])]

#: A reference to another entity. Its format is not constrained here: a reference that does not
#: resolve (whatever its shape) is the `unknown-reference` lint finding, at the reference.
Reference = Annotated[str, StringConstraints(min_length=1)]

Text = Annotated[str, StringConstraints(min_length=1)]

#: The largest magnitude of a number in the register (10^15). Far above any rate, count or
#: amount a register holds, and far enough below the float maximum (about 1.8e308) that every
#: computation on register numbers (week-over-week change, XmR limits, sums) stays finite.
MAX_MAGNITUDE = 1e15
#: The largest count of items (a test's sample and exceptions): a billion.
MAX_COUNT = 1_000_000_000
#: The largest day count in riskctl.yaml (review cadences, rule windows): ten years.
MAX_DAYS = 3650


def python_pattern(pattern: str) -> re.Pattern[str]:
    """An ECMA-262 pattern (what JSON Schema's `pattern` holds) for Python: `\\Z`, not `$`,
    which in Python also matches before a final newline."""
    return re.compile(pattern.replace("$", r"\Z"))


def must_match(compiled: re.Pattern[str], code: str, message: str) -> Callable[[str], str]:
    """An `AfterValidator` function: the value matches `compiled` whole, or a validation error
    of type `code` that says `message` (a finding at the value's position)."""

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError(code, message)
        return value

    return check


def _within_magnitude(value: float) -> float:
    if not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:  # also false for NaN
        raise PydanticCustomError(
            "number_out_of_range", "expected a finite number from -10^15 to 10^15 (1e15)"
        )
    return value


def _within_days(value: int) -> int:
    if not 1 <= value <= MAX_DAYS:
        raise PydanticCustomError(
            "days_out_of_range", f"expected a whole number of days from 1 to {MAX_DAYS:,}"
        )
    return value


def _within_count(value: int) -> int:
    if not 0 <= value <= MAX_COUNT:
        raise PydanticCustomError(
            "count_out_of_range", f"expected a whole number from 0 to {MAX_COUNT:,}"
        )
    return value


Number = Annotated[
    float,
    Field(json_schema_extra={"minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE}),
    AfterValidator(_within_magnitude),
]
"""A finite number from -10^15 to 10^15: `.nan`, `.inf` and 1e308 are invalid values (RK007)."""
NonNegative = Annotated[Number, Field(ge=0)]
"""A finite number from 0 to 10^15."""
Positive = Annotated[Number, Field(gt=0)]
"""A finite number above 0, at most 10^15."""
DayCount = Annotated[
    int,
    Field(strict=True, json_schema_extra={"minimum": 1, "maximum": MAX_DAYS}),
    AfterValidator(_within_days),
]
"""A whole number of days from 1 to 3,650 (ten years); larger counts are invalid values."""
Count = Annotated[
    int,
    Field(strict=True, json_schema_extra={"minimum": 0, "maximum": MAX_COUNT}),
    AfterValidator(_within_count),
]
"""A whole number from 0 to a billion: a huge numeral in any base (0x...) is an invalid value."""
Rating = Annotated[int, Field(ge=1, le=5, strict=True)]
"""A 1-5 rating: likelihood, impact or severity (5 the worst)."""


class LikelihoodImpact(BaseModel):
    """A point on the risk matrix: likelihood and impact, each 1-5."""

    model_config = STRICT
    likelihood: Rating
    """1 rare, 2 unlikely, 3 possible, 4 likely, 5 almost-certain."""
    impact: Rating
    """1 insignificant, 2 minor, 3 moderate, 4 major, 5 severe."""


class Waiver(BaseModel):
    """A documented, time-limited exception to one lint rule for this entity."""

    model_config = STRICT
    rule: Text
    """The rule's code (RK301) or name (review-overdue)."""
    reason: str | None = None
    """Why the finding is acceptable; a waiver without one is itself a finding."""
    expires: datetime.date | None = None
    """The last day the waiver holds; an expired waiver is itself a finding."""


class Entity(BaseModel):
    """Fields every register entity has: an id and waivers."""

    model_config = STRICT
    id: str
    """The entity's id, the file name without `.yaml`."""
    waivers: list[Waiver] = []
    """Lint rules waived for this entity, each with a reason and an expiry."""
