"""`as_of` as a property: a score as of a day depends on nothing dated after it."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from riskctl.asof import as_of
from riskctl.model.control import Control
from riskctl.model.register import Record, Register
from riskctl.score.residual import Scorecard, score_register
from tests.strategies import Scenario, scenarios, test_dates

PROPERTY_SETTINGS = settings(max_examples=100, deadline=None)

#: Tests added after the day: (which control, days after the day, type, result).
later_tests = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4),
        st.integers(min_value=1, max_value=400),
        st.sampled_from(("design", "operating")),
        st.sampled_from(("pass", "fail", "inconclusive")),
    ),
    max_size=4,
)


def build(scenario: Scenario, controls: dict[str, Control]) -> Register:
    register = Register(config=scenario.config)
    register.add(Record("risk", "risks/R-001.yaml", scenario.risk))
    for control_id, control in controls.items():
        register.add(Record("control", f"controls/{control_id}.yaml", control))
    return register


def cells(card: Scorecard) -> list[object]:
    return [(score.computed.cell, score.residual, score.projected.cell) for score in card.risks]


@PROPERTY_SETTINGS
@given(scenarios(), test_dates, later_tests)
def test_a_score_as_of_a_day_ignores_every_test_dated_after_it(
    scenario: Scenario, day: datetime.date, added: list[tuple[int, int, str, str]]
) -> None:
    grown = dict(scenario.controls)
    ids = sorted(grown)
    for which, days, test_type, result in added if ids else ():
        control = grown[ids[which % len(ids)]]
        test = {"date": day + datetime.timedelta(days=days), "type": test_type, "result": result}
        grown[control.id] = Control.model_validate(
            {**control.model_dump(), "tests": [*control.model_dump()["tests"], test]}
        )
    before = as_of(build(scenario, scenario.controls), day)
    after = as_of(build(scenario, grown), day)
    assert cells(score_register(before.register)) == cells(score_register(after.register))
    counted = {(each.entity, each.date) for each in after.left_out}
    assert all(each.date > day for each in after.left_out)
    assert len(after.left_out) - len(before.left_out) == (len(added) if ids else 0)
    assert {(each.entity, each.date) for each in before.left_out} <= counted
    # as of the same day again: nothing more to leave out, and the same register
    again = as_of(after.register, day)
    assert again.left_out == ()
    assert cells(score_register(again.register)) == cells(score_register(after.register))
