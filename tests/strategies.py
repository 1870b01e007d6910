"""Hypothesis strategies for the scoring core: controls, risks, and the configs they score under.

Credits are drawn as multiples of 1/20 (0, 0.05, ..., 0.95). With at most five credits on a
dimension, an exact v = 1 + (x - 1)(1 - R) is then either an integer or at least 1/20**5 (about
3e-7) away from one, far outside the code's 1e-9 tolerance: an exact-fraction model of the
reference and the float code must agree on every ceiling.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from riskctl.model.config import Config
from riskctl.model.control import Control
from riskctl.model.risk import Risk

EFFECTIVENESS = ("effective", "partially-effective", "ineffective", "not-tested")
STATUSES = ("planned", "active", "degraded", "retired")
REDUCES = ("likelihood", "impact", "both", None)
PRESETS = ("5x5-multiplicative", "nist-800-30")
COMBINES = ("compound", "strongest")
CATEGORIES = [{"id": "payments-fraud", "name": "Payments fraud", "appetite": "high"}]
#: A linked id that no control in the scenario has.
MISSING_CONTROL = "C-999"

ratings = st.integers(min_value=1, max_value=5)
#: A credit as a whole number of twentieths, 0..19 (so always < 1).
twentieths = st.integers(min_value=0, max_value=19)
test_dates = st.dates(datetime.date(2025, 1, 1), datetime.date(2026, 12, 31))


def control_data(
    control_id: str,
    *,
    status: str = "active",
    reduces: str | None = "likelihood",
    design: str = "effective",
    operating: str = "effective",
    tests: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The YAML mapping of a control, with only the fields scoring reads plus the required ones."""
    data: dict[str, Any] = {
        "id": control_id,
        "title": f"Control {control_id}",
        "owner": "payments-risk",
        "nature": "preventive",
        "status": status,
        "effectiveness": {"design": design, "operating": operating},
        "tests": tests or [],
    }
    if reduces is not None:
        data["reduces"] = reduces
    return data


@st.composite
def control_tests(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Up to three tests on distinct dates (a same-day tie is a separate, pinned unit test)."""
    dates = draw(st.lists(test_dates, max_size=3, unique=True))
    return [
        {
            "date": date,
            "type": draw(st.sampled_from(("design", "operating"))),
            "result": draw(st.sampled_from(("pass", "fail", "inconclusive"))),
        }
        for date in dates
    ]


@st.composite
def controls(draw: st.DrawFn, control_id: str = "C-001") -> Control:
    """Any control: any status, dimension (or none), rating and tests."""
    return Control.model_validate(
        control_data(
            control_id,
            status=draw(st.sampled_from(STATUSES)),
            reduces=draw(st.sampled_from(REDUCES)),
            design=draw(st.sampled_from(EFFECTIVENESS)),
            operating=draw(st.sampled_from(EFFECTIVENESS)),
            tests=draw(control_tests()),
        )
    )


@st.composite
def effective_active_controls(draw: st.DrawFn, control_id: str = "C-900") -> Control:
    """An active control rated effective on design and operating, with a passing test or none."""
    tests = draw(
        st.one_of(
            st.just([]),
            test_dates.map(lambda d: [{"date": d, "type": "operating", "result": "pass"}]),
        )
    )
    return Control.model_validate(
        control_data(
            control_id, reduces=draw(st.sampled_from(("likelihood", "impact", "both"))), tests=tests
        )
    )


@dataclass(frozen=True)
class Scenario:
    """A risk, the register's controls by id (some maybe unlinked), and a scoring config."""

    risk: Risk
    controls: dict[str, Control]
    config: Config


@st.composite
def configs(draw: st.DrawFn) -> Config:
    """A preset, a combination rule and credits in twentieths (partially-effective may even
    exceed effective: the model allows it, and every property must still hold)."""
    return Config.model_validate(
        {
            "version": 1,
            "categories": CATEGORIES,
            "scoring": {
                "method": draw(st.sampled_from(PRESETS)),
                "combine": draw(st.sampled_from(COMBINES)),
                "credits": {
                    "effective": draw(twentieths) / 20,
                    "partially-effective": draw(twentieths) / 20,
                },
                "untested_cap": draw(st.one_of(st.just(1.0), twentieths.map(lambda t: t / 20))),
            },
        }
    )


@st.composite
def scenarios(draw: st.DrawFn, max_controls: int = 5) -> Scenario:
    """Up to `max_controls` controls C-001.., a risk linking a unique subset of them (and maybe
    an id missing from the register), scored under a drawn config."""
    count = draw(st.integers(min_value=0, max_value=max_controls))
    ids = [f"C-{n:03d}" for n in range(1, count + 1)]
    by_id = {control_id: draw(controls(control_id)) for control_id in ids}
    linked = draw(st.lists(st.sampled_from([*ids, MISSING_CONTROL]), unique=True))
    risk = Risk.model_validate(
        {
            "id": "R-001",
            "title": "A drawn risk",
            "category": "payments-fraud",
            "owner": "payments-risk",
            "inherent": {"likelihood": draw(ratings), "impact": draw(ratings)},
            "controls": linked,
            "reviewed": datetime.date(2026, 10, 1),
        }
    )
    return Scenario(risk, by_id, draw(configs()))
