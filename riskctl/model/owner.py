"""Owners: the people and teams accountable for risks, controls and actions."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from riskctl.model.common import Entity, OwnerId, Reference, Text, must_match, python_pattern

#: A GitHub handle as CODEOWNERS names an owner: a user `@login` or a team `@org/team-slug`.
#: A login (and an organisation's name) is letters, digits and single hyphens, neither first
#: nor last, at most 39 characters (the lookahead counts them: GitHub's sign-up rules); a team
#: slug is letters, digits, `_` and `-`, not starting or ending with `-`. So a handle can hold
#: no space, `#`, newline or other character that would end or change a CODEOWNERS line.
#: ECMA-262 (JSON Schema) and Python both read this pattern.
GITHUB_HANDLE_PATTERN = (
    r"^@(?=[A-Za-z0-9-]{1,39}(?:/|$))[A-Za-z0-9](?:-?[A-Za-z0-9])*"
    r"(?:/[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)?$"
)
GITHUB_HANDLE = python_pattern(GITHUB_HANDLE_PATTERN)

GithubHandle = Annotated[
    str,
    Field(json_schema_extra={"pattern": GITHUB_HANDLE_PATTERN}),
    AfterValidator(
        must_match(
            GITHUB_HANDLE,
            "github_handle",
            "expected a GitHub handle: a user @login (letters, digits and single hyphens, at "
            'most 39 characters) or a team @org/team-slug, quoted in YAML: "@alice"',
        )
    ),
]
"""A user `@login` or a team `@org/team-slug`."""


class Owner(Entity):
    """A person or team accountable for risks, controls, KRIs and actions."""

    id: OwnerId
    """A kebab-case slug, the file name without `.yaml`."""
    name: Text
    """The person's or team's name."""
    team: str | None = None
    """The team the owner belongs to."""
    email: str | None = None
    """Where to reach the owner."""
    github: GithubHandle | None = None
    """The owner's GitHub handle, a user `"@login"` or a team `"@org/team-slug"` (quoted: YAML
    reserves a leading `@`). `riskctl codeowners` makes it a required reviewer of the files
    the owner is accountable for."""
    escalation: Reference | None = None
    """The owner id to escalate to."""
