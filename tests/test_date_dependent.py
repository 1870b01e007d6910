"""The `date_dependent` mark is honest: exactly the rules whose outcome moves with `--now`.

Every rule case (tests/rules/cases, which exercise every rule, dated ones included) and the
shipped register are checked at their own date and at dates far before and after it. A rule
not marked must give the same hits at every date; a marked rule must give different hits at
some date, in some case. Rules run directly on the loaded register (`rule.check`), as the
engine runs them, so an expiring waiver (the engine's business) does not blur the picture.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import yaml
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.findings import Hit
from riskctl.lint.engine import rule_context
from riskctl.lint.rules import all_rules
from riskctl.load import Sources, load, read_directory
from tests.conftest import BASE_REGISTER, FROZEN_NOW, SHIPPED_REGISTER

CASES = Path(__file__).parent / "rules" / "cases"
#: How far before and after each register's own date it is linted again.
SHIFTS = (-180, 0, 186)


def _registers() -> Iterator[tuple[str, Sources, datetime.date]]:
    """The shipped register at its frozen date, then every rule case at its date."""
    frozen = datetime.date.fromisoformat(FROZEN_NOW)
    yield "shipped register", read_directory(SHIPPED_REGISTER), frozen
    base = dict(read_directory(BASE_REGISTER).files)
    for case_file in sorted(CASES.glob("RK*.yaml")):
        spec = yaml.safe_load(case_file.read_text(encoding="utf-8"))
        for outcome in ("fires", "passes"):
            for name, case in (spec.get(outcome) or {}).items():
                files = dict(base)
                for relative, content in (case.get("files") or {}).items():
                    if content is None:
                        files.pop(relative, None)
                    else:
                        files[relative] = content.encode("utf-8")
                for relative, content in (case.get("latin1") or {}).items():
                    files[relative] = content.encode("latin-1")
                today = datetime.date.fromisoformat(str(case.get("now", FROZEN_NOW)))
                yield f"{spec['rule']} {outcome} {name}", Sources("register", files), today


def _hits_by_date(sources: Sources, today: datetime.date) -> dict[str, list[list[Hit]]]:
    """Each rule's hits in a register at each shifted date."""
    rules = all_rules()
    loaded = load(sources)
    per_rule: dict[str, list[list[Hit]]] = {code: [] for code in rules}
    for shift in SHIFTS:
        context = rule_context(loaded, today + datetime.timedelta(days=shift), rules)
        for code, each in rules.items():
            per_rule[code].append(list(each.check(context)))
    return per_rule


def test_date_dependent_marks_exactly_the_rules_that_move_with_the_date() -> None:
    rules = all_rules()
    moved: dict[str, str] = {}  # rule code -> the first register where its hits moved
    for label, sources, today in _registers():
        for code, hits in _hits_by_date(sources, today).items():
            if any(each != hits[0] for each in hits[1:]):
                moved.setdefault(code, label)
    marked = {code for code, each in rules.items() if each.date_dependent or each.as_of}
    unmarked_but_moved = {code: moved[code] for code in sorted(moved.keys() - marked)}
    assert unmarked_but_moved == {}, "mark these rules date_dependent=True (or as_of=True)"
    assert sorted(marked - moved.keys()) == [], "no case shows these marked rules move"
    both = [code for code, each in rules.items() if each.date_dependent and each.as_of]
    assert both == [], "a rule is either about the calendar or judged as of it"


def test_as_of_rules_ask_nothing_of_the_calendar_itself() -> None:
    """An `as_of` rule moves with the date only through records dated after it: in a register
    with none (the shipped one as of its freeze, every date later), its hits never move."""
    frozen = datetime.date.fromisoformat(FROZEN_NOW)
    sources = read_directory(SHIPPED_REGISTER)
    rules = all_rules()
    loaded = load(sources)
    for code, each in rules.items():
        if not each.as_of:
            continue
        hits = [
            list(each.check(rule_context(loaded, frozen + datetime.timedelta(days=shift), rules)))
            for shift in (0, 30, 400)
        ]
        assert hits[1:] == [hits[0], hits[0]], code


def test_the_check_would_catch_an_unmarked_date_rule() -> None:
    """The shipped register alone moves review-overdue and the KRI rules with the date."""
    frozen = datetime.date.fromisoformat(FROZEN_NOW)
    hits = _hits_by_date(read_directory(SHIPPED_REGISTER), frozen)
    assert hits["RK208"][0] != hits["RK208"][2]
    assert hits["RK502"][1] != hits["RK502"][2]


def test_rules_list_and_explain_show_the_mark() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["rules", "list"]).stdout.splitlines()
    by_code = {line[:5]: line for line in listed}
    rules = all_rules()
    assert sorted(by_code) == sorted(rules)
    width = max(len(each.name) for each in rules.values())
    for code, each in rules.items():
        mark = by_code[code][16 + width : 23 + width]
        expected = "  date " if each.date_dependent else "  as-of" if each.as_of else " " * 7
        assert mark == expected, by_code[code]
    dated = runner.invoke(app, ["rules", "explain", "RK208"]).stdout
    assert dated.startswith("RK208 review-overdue  [default: warning; scoring; date-dependent]\n")
    assert "\nDate-dependent: its outcome depends on today (--now)" in dated
    undated = runner.invoke(app, ["rules", "explain", "RK103"]).stdout
    assert "date-dependent" not in undated.lower() and "as of --now" not in undated
    as_of = runner.invoke(app, ["rules", "explain", "RK201"]).stdout
    assert as_of.startswith("RK201 override-below-computed  [default: error; scoring; as of --now]")
    assert "\nAs of --now: it judges the register as of today" in as_of
