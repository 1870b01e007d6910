"""Shared vocabulary of the register models: id patterns, ratings, waivers, base config."""

from __future__ import annotations

import datetime
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

STRICT = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

#: Id patterns per kind, declared once. Ids are a prefix and 3 or more digits, except incidents
#: (INC-YYYY-NNN) and owners (a kebab-case slug).
ID_PATTERNS: dict[str, str] = {
    "risk": r"^R-\d{3,}$",
    "control": r"^C-\d{3,}$",
    "owner": r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "incident": r"^INC-\d{4}-\d{3,}$",
    "kri": r"^KRI-\d{3,}$",
    "launch": r"^LAUNCH-\d{3,}$",
    "acceptance": r"^ACC-\d{3,}$",
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

ID_REGEXES: dict[str, re.Pattern[str]] = {kind: re.compile(p) for kind, p in ID_PATTERNS.items()}

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
    waivers: list[Waiver] = []
    """Lint rules waived for this entity, each with a reason and an expiry."""
