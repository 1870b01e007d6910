"""Filter and sort a scorecard as `riskctl score` options ask; unknown names are errors."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from riskctl.errors import RiskctlError
from riskctl.model.owner import Owner
from riskctl.model.register import Register
from riskctl.score.matrix import Cell
from riskctl.score.residual import RiskScore, Scorecard


def _score(cell: Cell | None) -> int:
    return -1 if cell is None else cell.score


#: Sort fields: (key, descending). Scores sort highest first (ties by the next tier's score,
#: then by id), names and dates in order.
SORTS: dict[str, tuple[Callable[[RiskScore], Any], bool]] = {
    "residual": (lambda s: (_score(s.residual), _score(s.inherent)), True),
    "inherent": (lambda s: (_score(s.inherent), _score(s.residual)), True),
    "projected": (lambda s: (_score(s.projected.cell), _score(s.residual)), True),
    "target": (lambda s: (_score(s.target), _score(s.residual)), True),
    "id": (lambda s: s.risk.id, False),
    "title": (lambda s: s.risk.title.casefold(), False),
    "category": (lambda s: s.risk.category, False),
    "owner": (lambda s: s.risk.owner, False),
    "next-review": (lambda s: s.next_review or datetime.date.min, False),
}


def select(
    card: Scorecard,
    register: Register,
    *,
    category: str | None = None,
    owner: str | None = None,
    above_appetite: bool = False,
    include_closed: bool = False,
    sort: str = "residual",
) -> list[RiskScore]:
    """The risks to show, filtered and sorted; ties fall back to the risk id."""
    if category is not None:
        known = sorted(c.id for c in register.config.categories)
        if category not in known:
            raise RiskctlError(f"no category {category!r}; categories: {', '.join(known)}")
    if owner is not None:
        owners = sorted(register.by_id(Owner))
        if owner not in owners:
            raise RiskctlError(f"no owner {owner!r}; owners: {', '.join(owners)}")
    if sort not in SORTS:
        raise RiskctlError(f"cannot sort by {sort!r}; choose one of {', '.join(SORTS)}")
    chosen = [
        score
        for score in card.risks
        if (include_closed or score.risk.status == "open")
        and (category is None or score.risk.category == category)
        and (owner is None or score.risk.owner == owner)
        and (not above_appetite or score.appetite.within is False)
    ]
    key, descending = SORTS[sort]
    chosen.sort(key=lambda score: score.risk.id)
    chosen.sort(key=key, reverse=descending)
    return chosen


def find(card: Scorecard, risk_id: str) -> RiskScore:
    """The score of one risk; an unknown id is an error that lists near misses."""
    for score in card.risks:
        if score.risk.id == risk_id:
            return score
    import difflib

    close = difflib.get_close_matches(risk_id, [score.risk.id for score in card.risks], n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise RiskctlError(f"no risk {risk_id!r} in the register{hint}")
