"""The rule registry: unique codes and names, documented rules, a case file for each."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from riskctl.lint.rules import RULE_MODULES, all_rules

CASES = Path(__file__).parent / "cases"
FAMILY_OF_DIGIT: dict[str, str | tuple[str, ...]] = {
    "0": "files",
    "1": "identity",
    "2": "scoring",
    "3": "controls",
    "4": "acceptances",
    "5": "kris",
    "6": "incidents",
    "7": "launches",
    "8": "config",
    "9": ("catalogues", "mappings"),
}


def test_codes_and_names_are_unique_and_well_formed() -> None:
    rules = all_rules()
    names = [each.name for each in rules.values()]
    assert len(set(names)) == len(names)
    for code, each in rules.items():
        assert re.fullmatch(r"RK\d{3}", code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", each.name)
        family = FAMILY_OF_DIGIT[code[2]]
        assert each.family in (family if isinstance(family, tuple) else (family,)), code
        assert each.family in RULE_MODULES


def test_every_rule_documents_why_fires_and_passes() -> None:
    for code, each in all_rules().items():
        assert each.summary.endswith("."), code
        for section in ("Why:", "Fires:", "Passes:"):
            assert section in each.doc, f"{code} lacks {section}"


def test_every_rule_has_a_case_file_with_both_kinds_of_case() -> None:
    rules = all_rules()
    files = {path.stem for path in CASES.glob("*.yaml")}
    assert files == set(rules), "each rule needs tests/rules/cases/CODE.yaml, and only rules"
    for code in rules:
        spec = yaml.safe_load((CASES / f"{code}.yaml").read_text(encoding="utf-8"))
        assert spec["rule"] == code
        assert spec.get("fires"), f"{code} has no case that fires"
        assert spec.get("passes"), f"{code} has no case that passes"
