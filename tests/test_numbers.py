"""Numbers and dates at the edges: a finding (or exit 3) at a position, never a crash or a lie.

Three classes of hostile input, each through the library (one CLI batch at the end for `--now`):
- non-finite and huge numbers (`.nan`, `.inf`, `-.inf`, 1e308, huge numerals in any base) in
  every numeric field: RK007 at the value, with the allowed range in the message;
- finite numbers at the bound (10^15) and ratios that would overflow: every computed number
  (WoW, YoY, XmR limits, chart points) stays finite;
- dates and day counts at the ends of the calendar: `9999-12-01` in every dated field,
  `--now 0001-01-01` and `--now 9999-12-31`, `review_days` of 10^8: a finding, a clear
  error, or a held date, never OverflowError.
Each case also asserts that it finished within a time bound and changed no file.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from riskctl.asof import as_of
from riskctl.cli import app
from riskctl.errors import RiskctlError
from riskctl.findings import LintResult
from riskctl.kri.status import kri_status, register_status
from riskctl.kri.xmr import parse_series_csv
from riskctl.lint.engine import lint
from riskctl.load import load, read_directory
from riskctl.model.days import add_days, shift_days
from riskctl.model.kri import Kri
from riskctl.report.mbr import mbr_kri_section
from riskctl.report.review import deadlines_section
from riskctl.report.wbr import wbr_kri_section
from riskctl.score.residual import score_register
from tests.conftest import BASE_REGISTER
from tests.gitrepo import IDENTITY, GitRepo
from tests.rules.test_cases import build_register

NOW = datetime.date(2026, 11, 27)
FIRST_DAY, LAST_DAY = datetime.date.min, datetime.date.max
#: Seconds any single library case may take (they take milliseconds; a hang or a quadratic blow-up
#: on a huge numeral would not).
BOUND = 10.0

FINITE = "input should be a finite number"
DAYS = "expected a whole number of days from 1 to 3,650"
RANGE = "expected a finite number from -10^15 to 10^15 (1e15)"
NON_FINITE = [".nan", ".NaN", ".inf", "-.inf", "+.Inf"]
HUGE = ["1e308", "-1e308", "1.0e16", "0x" + "f" * 40, "0o" + "7" * 60, "9" * 400]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with a digest of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@contextmanager
def unchanged_and_bounded(folder: Path) -> Iterator[None]:
    """The block changes no file under `folder` and finishes within BOUND seconds."""
    before, started = snapshot(folder), time.monotonic()
    yield
    assert time.monotonic() - started < BOUND
    assert snapshot(folder) == before


def lint_register(register: Path, today: datetime.date = NOW) -> LintResult:
    with unchanged_and_bounded(register):
        return lint(read_directory(register), today=today)


def at_value(result: LintResult) -> list[tuple[str, int, int, str]]:
    """The finding about a bad number: RK007 from the model's range, or RK004 from the loader
    for a numeral past 2**63 - 1 (reported once: the model does not report its text again)."""
    return sorted(
        findings_of(result, "RK007")
        + [each for each in findings_of(result, "RK004") if "number too large" in each[3]]
    )


def findings_of(result: LintResult, code: str) -> list[tuple[str, int, int, str]]:
    return sorted(
        (finding.file.rpartition("register/")[2], finding.line, finding.col, finding.message)
        for finding in result.findings
        if finding.code == code
    )


# --- numeric fields: where each one sits in a file --------------------------------------------

KRI = """\
id: KRI-001
title: Chargeback rate
risks: [R-001]
owner: payments-risk
unit: bps
direction: higher-is-worse
thresholds: {{amber: {amber}, red: {red}}}
observations:
  - {{date: 2026-11-16, value: 31}}
  - {{date: 2026-11-23, value: {value}}}
"""

CONTROL = """\
id: C-001
title: Purchase velocity limits
owner: payments-risk
key: true
nature: preventive
automation: automated
frequency: continuous
reduces: likelihood
effectiveness: {{design: effective, operating: effective}}
annual_cost: {cost}
tests:
  - {{date: 2026-09-15, type: design, result: pass}}
  - {{date: 2026-09-15, type: operating, result: pass,
     sample_size: {sample}, exceptions: {exceptions}}}
"""

RISK = """\
id: R-001
title: Card testing through gift-coin purchases
category: payments-fraud
owner: payments-risk
inherent: {{likelihood: 4, impact: 4}}
controls: [C-001, C-002]
kris: [KRI-001]
treatment: mitigate
reviewed: 2026-10-01
quant:
  frequency: {{pert: {{low: {low}, mode: {mode}, high: {high}}}}}
  magnitude:
    lognormal: {{low: {mag_low}, high: {mag_high}}}
    secondary: {{probability: 0.2, pert: {{low: 0, mode: {sec_mode}, high: 90000}}}}
"""
#: The same risk with the other forms: a Poisson rate, a PERT magnitude, a FAIR residual.
RISK_POISSON = """\
id: R-001
title: Card testing through gift-coin purchases
category: payments-fraud
owner: payments-risk
inherent: {{likelihood: 4, impact: 4}}
controls: [C-001, C-002]
kris: [KRI-001]
treatment: mitigate
reviewed: 2026-10-01
quant:
  frequency: {{poisson: {{lambda: {rate}}}}}
  magnitude: {{pert: {{low: 0, mode: {pert_mode}, high: 80000}}}}
  residual:
    frequency:
      fair:
        threat_event_frequency: {{poisson: {{lambda: 3}}}}
        vulnerability: {vulnerability}
"""

RISK_DEFAULTS = {
    "low": "1",
    "mode": "2",
    "high": "4",
    "mag_low": "1000",
    "mag_high": "50000",
    "sec_mode": "5000",
}
POISSON_DEFAULTS = {"rate": "0.5", "pert_mode": "4000", "vulnerability": "0.5"}

#: field -> (file, template, the template's defaults, line of the field)
FIELDS: dict[str, tuple[str, str, dict[str, str], int]] = {
    "thresholds.amber": ("kris/KRI-001.yaml", KRI, {"amber": "40", "red": "60", "value": "33"}, 7),
    "thresholds.red": ("kris/KRI-001.yaml", KRI, {"amber": "40", "red": "60", "value": "33"}, 7),
    "observations.1.value": (
        "kris/KRI-001.yaml",
        KRI,
        {"amber": "40", "red": "60", "value": "33"},
        10,
    ),
    "annual_cost": (
        "controls/C-001.yaml",
        CONTROL,
        {"cost": "1200", "sample": "1", "exceptions": "0"},
        10,
    ),
    "quant.frequency.pert.low": ("risks/R-001.yaml", RISK, RISK_DEFAULTS, 11),
    "quant.frequency.pert.mode": ("risks/R-001.yaml", RISK, RISK_DEFAULTS, 11),
    "quant.frequency.pert.high": ("risks/R-001.yaml", RISK, RISK_DEFAULTS, 11),
    "quant.magnitude.lognormal.low": ("risks/R-001.yaml", RISK, RISK_DEFAULTS, 13),
    "quant.magnitude.lognormal.high": ("risks/R-001.yaml", RISK, RISK_DEFAULTS, 13),
    "quant.magnitude.secondary.pert.mode": ("risks/R-001.yaml", RISK, RISK_DEFAULTS, 14),
    "quant.frequency.poisson.lambda": ("risks/R-001.yaml", RISK_POISSON, POISSON_DEFAULTS, 11),
    "quant.magnitude.pert.mode": ("risks/R-001.yaml", RISK_POISSON, POISSON_DEFAULTS, 12),
    "quant.residual.frequency.fair.vulnerability": (
        "risks/R-001.yaml",
        RISK_POISSON,
        POISSON_DEFAULTS,
        17,
    ),
}
#: The template placeholder behind each field.
PLACEHOLDER = {
    "thresholds.amber": "amber",
    "thresholds.red": "red",
    "observations.1.value": "value",
    "annual_cost": "cost",
    "quant.frequency.pert.low": "low",
    "quant.frequency.pert.mode": "mode",
    "quant.frequency.pert.high": "high",
    "quant.magnitude.lognormal.low": "mag_low",
    "quant.magnitude.lognormal.high": "mag_high",
    "quant.magnitude.secondary.pert.mode": "sec_mode",
    "quant.frequency.poisson.lambda": "rate",
    "quant.magnitude.pert.mode": "pert_mode",
    "quant.residual.frequency.fair.vulnerability": "vulnerability",
}
#: Fields that may be negative; the others are non-negative (or positive), and pydantic's own
#: `greater than` check may answer first for a negative or NaN value.
SIGNED = {"thresholds.amber", "thresholds.red", "observations.1.value"}


def write_field(tmp_path: Path, field: str, value: str) -> tuple[Path, str, int, int]:
    """The base register with `value` in `field`: the register, the file, and the value's place."""
    file, template, defaults, line = FIELDS[field]
    marker = "\x00"
    text = template.format(**{**defaults, PLACEHOLDER[field]: marker})
    col = text.splitlines()[line - 1].index(marker) + 1
    register = build_register(tmp_path, {file: text.replace(marker, value)})
    return register, file, line, col


def number_cases() -> Iterator[Any]:
    for field in FIELDS:
        for value in [*NON_FINITE, *HUGE]:
            if value.startswith("-") and field not in SIGNED:
                continue
            yield pytest.param(field, value, id=f"{field}={value[:12]}")


@pytest.mark.parametrize(("field", "value"), list(number_cases()))
def test_a_number_that_is_not_finite_or_too_large_is_rk007_at_the_value(
    tmp_path: Path, field: str, value: str
) -> None:
    register, file, line, col = write_field(tmp_path, field, value)
    found = at_value(lint_register(register))
    assert [(where, at_line, at_col) for where, at_line, at_col, _ in found] == [(file, line, col)]
    message = found[0][3]
    if message.startswith("number too large: "):
        return
    assert message.startswith(f"{field}: ")
    if field in SIGNED or not value.lstrip("+").lower().startswith(".nan"):
        assert RANGE in message or "input should be a valid number" in message, message


@pytest.mark.parametrize("value", ["1e15", "-1e15", "1000000000000000", "0.000001", "-0.0"])
def test_a_number_within_the_bound_is_valid(tmp_path: Path, value: str) -> None:
    register, _file, _line, _col = write_field(tmp_path, "observations.1.value", value)
    assert findings_of(lint_register(register), "RK007") == []


@pytest.mark.parametrize(
    ("place", "value", "message"),
    [
        ("sample", "9" * 400, "number too large"),
        ("sample", "0x" + "f" * 40, "number too large"),
        ("sample", "1000000001", "expected a whole number from 0 to 1,000,000,000"),
        ("exceptions", "0o" + "7" * 60, "number too large"),
        ("exceptions", "1e308", "input should be a valid integer"),
        ("exceptions", ".inf", "input should be a valid integer"),
    ],
)
def test_a_huge_count_is_rk007_at_the_value(
    tmp_path: Path, place: str, value: str, message: str
) -> None:
    marker = "\x00"
    defaults = {"cost": "1200", "sample": "1", "exceptions": "0"}
    text = CONTROL.format(**{**defaults, place: marker})
    col = text.splitlines()[13].index(marker) + 1
    register = build_register(tmp_path, {"controls/C-001.yaml": text.replace(marker, value)})
    # Past 2**63 - 1 the loader reports the numeral (RK004), once; below, the model's range.
    code = "RK004" if message == "number too large" else "RK007"
    result = lint_register(register)
    found = findings_of(result, code)
    if code == "RK004":  # reported once: not again as a schema error on its text
        assert findings_of(result, "RK007") == []
    assert [(where, line, at) for where, line, at, _ in found] == [("controls/C-001.yaml", 14, col)]
    key = "sample_size" if place == "sample" else "exceptions"
    expected = message if code == "RK004" else f"tests.1.{key}: {message}"
    assert found[0][3].startswith(expected), found[0][3]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("scoring: {credits: {effective: .nan}}", f"scoring.credits.effective: {FINITE}"),
        ("scoring: {credits: {partially-effective: .inf}}", f"partially-effective: {FINITE}"),
        ("review_days: {high: 100000000}", f"review_days.high: {DAYS}"),
        ("review_days: {high: 0}", f"review_days.high: {DAYS}"),
        ("review_days: {high: 0x" + "f" * 30 + "}", "number too large: '0xffffffffffff"),
        ("review_days: {high: .inf}", "review_days.high: input should be a valid integer"),
        (
            "quant: {tolerance: [{loss: .inf, probability: 0.1}]}",
            f"quant.tolerance.0.loss: {FINITE}",
        ),
        ("quant: {tolerance: [{loss: 1e308, probability: 0.1}]}", "quant.tolerance.0.loss: input"),
    ],
)
def test_a_configuration_number_out_of_range_is_an_operational_error(
    tmp_path: Path, setting: str, message: str
) -> None:
    config = (BASE_CONFIG + setting + "\n").replace("\n\n", "\n")
    register = build_register(tmp_path, {"riskctl.yaml": config})
    with unchanged_and_bounded(register), pytest.raises(RiskctlError) as raised:
        load(read_directory(register))
    assert message in str(raised.value)
    assert "riskctl.yaml:" in str(raised.value)


BASE_CONFIG = """\
version: 1
categories:
  - {id: payments-fraud, name: Payments fraud, appetite: medium}
  - {id: account-security, name: Account security, appetite: low}
"""


@pytest.mark.parametrize(
    ("rule", "options"),
    [
        ("RK301", "{window_days: {continuous: 100000000}}"),
        ("RK403", "{notice_days: 100000000}"),
        ("RK502", "{grace_days: 100000000}"),
    ],
)
def test_a_rule_day_count_out_of_range_is_rk801_and_the_default_applies(
    tmp_path: Path, rule: str, options: str
) -> None:
    config = BASE_CONFIG + f"lint: {{rules: {{{rule}: {options}}}}}\n"
    register = build_register(tmp_path, {"riskctl.yaml": config})
    for today in (NOW, FIRST_DAY, LAST_DAY):
        result = lint_register(register, today)
        found = findings_of(result, "RK801")
        assert [(where, line) for where, line, _col, _message in found] == [("riskctl.yaml", 5)]
        assert "3650" in found[0][3] or "3,650" in found[0][3], found[0][3]


# --- finite numbers at the bound: every computed number stays finite ---------------------------

SERIES: dict[str, list[float]] = {
    "alternating-at-the-bound": [1e15, -1e15] * 12,
    "from-tiny-to-the-bound": [1e-300, 1e15],
    "from-zero-to-the-bound": [0.0, 1e15],
    "bound-then-negative-tiny": [1e15, -1e-300, 1e15],
    "flat-at-the-bound": [1e15] * 25,
}
UNITS = [None, "count", "pct", "bps", "ratio", "currency", "duration"]


def weekly_kri(values: list[float], unit: str | None, first: datetime.date) -> Kri:
    """A KRI observed every 7 days from `first`, thresholds at the bound."""
    return Kri.model_validate(
        {
            "id": "KRI-001",
            "title": "At the bound",
            "owner": "payments-risk",
            "unit": unit,
            "direction": "higher-is-worse",
            "thresholds": {"amber": -1e15, "red": 1e15},
            "observations": [
                {"date": first + datetime.timedelta(days=7 * index), "value": value}
                for index, value in enumerate(values)
            ],
        }
    )


def every_number(value: object) -> Iterator[float]:
    """Every float inside a status, an analysis or a report section."""
    if isinstance(value, float):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from every_number(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from every_number(item)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from every_number(getattr(value, name))


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("series", sorted(SERIES))
def test_status_of_values_at_the_bound_is_finite(series: str, unit: str | None) -> None:
    values = SERIES[series]
    started = time.monotonic()
    status = kri_status(
        weekly_kri(values, unit, NOW - datetime.timedelta(days=7 * (len(values) - 1))), NOW
    )
    assert time.monotonic() - started < BOUND
    assert status.latest is not None and status.latest.value == values[-1]
    assert status.band == "red" if values[-1] >= 1e15 else status.band is not None
    assert (status.xmr.limits is not None) == (len(values) > 20)
    numbers = [*every_number(status.xmr), *every_number(status.wow), *every_number(status.yoy)]
    assert all(math.isfinite(number) for number in numbers), numbers


def test_a_volume_ratio_that_overflows_has_no_week_over_week_change() -> None:
    status = kri_status(weekly_kri([1e-300, 1e15], None, NOW - datetime.timedelta(days=7)), NOW)
    assert status.wow is None  # (1e15 / 1e-300 - 1) x 100 % is beyond the float range


def test_a_rate_change_at_the_bound_is_exact_in_basis_points() -> None:
    status = kri_status(weekly_kri([-1e15, 1e15], "ratio", NOW - datetime.timedelta(days=7)), NOW)
    assert status.wow is not None and status.wow.change == 2e19 and status.wow.unit == "bps"


@pytest.mark.parametrize("series", sorted(SERIES))
def test_review_kri_sections_at_the_bound_build_with_finite_chart_points(
    tmp_path: Path, series: str
) -> None:
    values = SERIES[series]
    first = NOW - datetime.timedelta(days=7 * (len(values) - 1))
    observations = "".join(
        f"  - {{date: {first + datetime.timedelta(days=7 * index)}, value: {value!r}}}\n"
        for index, value in enumerate(values)
    )
    kri = KRI.split("observations:")[0].format(amber="-1e15", red="1e15", value="0")
    register = build_register(
        tmp_path, {"kris/KRI-001.yaml": f"{kri}observations:\n{observations}"}
    )
    with unchanged_and_bounded(register):
        loaded = load(read_directory(register))
        assert [hit for hit in loaded.hits if hit.code == "RK007"] == []
        [status] = register_status(loaded.register, NOW)
        sections = [wbr_kri_section(loaded.register, NOW), mbr_kri_section(loaded.register, NOW)]
    assert status.latest is not None and status.latest.value == values[-1]
    points = [point for section in sections for text in chart_points(section) for point in text]
    assert points, "the KRI is charted"
    assert all(math.isfinite(float(point)) for point in points)
    assert all("e" not in point and "inf" not in point and "nan" not in point for point in points)


def chart_points(section: object) -> Iterator[list[str]]:
    """Every series' points of every chart in a report section, as Mermaid writes them."""
    from riskctl.report.charts import LineChart, mermaid_chart

    if isinstance(section, LineChart):
        for series in mermaid_chart(section)["series"]:
            yield series["points"]
    elif isinstance(section, dict):
        if "series" in section and "labels" in section:
            for series in section["series"]:
                yield series["points"]
        for value in section.values():
            yield from chart_points(value)
    elif isinstance(section, list | tuple):
        for item in section:
            yield from chart_points(item)
    elif hasattr(section, "__dataclass_fields__"):
        for name in section.__dataclass_fields__:
            yield from chart_points(getattr(section, name))


@pytest.mark.parametrize("value", ["1e308", "-1e308", "1e16", "inf", "-inf", "nan", "NaN"])
def test_an_xmr_csv_value_beyond_the_bound_is_an_error_naming_the_line(value: str) -> None:
    with pytest.raises(RiskctlError) as raised:
        parse_series_csv(f"date,value\n2026-01-05,1\n2026-01-12,{value}\n", "s.csv")
    finite = value.lstrip("-").lower() not in ("inf", "nan")
    why = (
        "is out of range: register numbers are within 10^15 of 0"
        if finite
        else ("is not a finite number")
    )
    assert str(raised.value) == f"s.csv:3: value {value!r} {why}"


# --- dates at the ends of the calendar --------------------------------------------------------

#: A dated field of the base register: its file, the text it has there, and that text with {d}.
DATED_FIELDS: dict[str, tuple[str, str, str]] = {
    "risk-reviewed": ("risks/R-001.yaml", "reviewed: 2026-10-01", "reviewed: {d}"),
    "acceptance-decided": ("acceptances/ACC-001.yaml", "decided: 2026-10-01", "decided: {d}"),
    "acceptance-expires": ("acceptances/ACC-001.yaml", "expires: 2027-03-31", "expires: {d}"),
    "control-test-date": ("controls/C-001.yaml", "{date: 2026-09-15,", "{date: {d},"),
    "observation-date": ("kris/KRI-001.yaml", "{date: 2026-11-23,", "{date: {d},"),
    "action-due": ("incidents/INC-2026-001.yaml", "due: 2026-12-15", "due: {d}"),
    "incident-occurred": ("incidents/INC-2026-001.yaml", "occurred: 2026-08-03", "occurred: {d}"),
    "launch-date": ("launches/LAUNCH-001.yaml", "launch_date: 2027-01-15", "launch_date: {d}"),
    "monitoring-until": ("launches/LAUNCH-001.yaml", "until: 2027-03-31", "until: {d}"),
}
#: The findings on the edited file with 9999-12-01 in the field, by today. At 0001-01-01 every
#: date is in the future; at 9999-12-31 every deadline has passed. Checked by hand:
#: - an acceptance that expired 9999-12-01 is RK401 on 9999-12-31 (and one decided then
#:   keeps its 2027 expiry, long past);
#: - a key control's only operating test dated 9999-12-01 is not within the year before
#:   2026-11-27 or 0001-01-01 (RK301), but is on 9999-12-31;
#: - an observation on 9999-12-01 is ignored before it, and stale (weekly + 7 days grace) on
#:   9999-12-31 (RK502); the base KRI's own 2026 observations are stale on 0001-01-01 too;
#: - an open action due 9999-12-01 is overdue on 9999-12-31 (RK604), as is the base action
#:   when the incident moves (its due date stays 2026-12-15);
#: - a launch's monitoring window ending 9999-12-01 (or its base 2027 window) has lapsed
#:   unreviewed on 9999-12-31 (RK703);
#: - a risk reviewed on 9999-12-01 is reviewed in the future (RK209) before that day, and not
#:   overdue on 9999-12-31: its next review, 180 days on, is held at 9999-12-31;
#: - a test dated 9999-12-01 is in the future (RK306) before that day, so until then the
#:   control rated operating-effective has no operating test on record (RK305);
#: - on 0001-01-01 every record of the edited file is dated after today, as is the one dated
#:   9999-12-01 before that day: a note for the acceptance (RK405), the observation (RK507)
#:   and the incident (RK607).
EDGE_FINDINGS: dict[str, dict[datetime.date, set[str]]] = {
    "risk-reviewed": {FIRST_DAY: {"RK209"}, NOW: {"RK209"}, LAST_DAY: set()},
    "acceptance-decided": {FIRST_DAY: {"RK405"}, NOW: {"RK405"}, LAST_DAY: {"RK401"}},
    "acceptance-expires": {FIRST_DAY: {"RK405"}, NOW: set(), LAST_DAY: {"RK401"}},
    "control-test-date": {
        FIRST_DAY: {"RK301", "RK305", "RK306"},
        NOW: {"RK301", "RK305", "RK306"},
        LAST_DAY: set(),
    },
    "observation-date": {FIRST_DAY: {"RK502", "RK507"}, NOW: {"RK507"}, LAST_DAY: {"RK502"}},
    "action-due": {FIRST_DAY: {"RK607"}, NOW: set(), LAST_DAY: {"RK604"}},
    "incident-occurred": {FIRST_DAY: {"RK607"}, NOW: {"RK607"}, LAST_DAY: {"RK604"}},
    "launch-date": {FIRST_DAY: set(), NOW: set(), LAST_DAY: {"RK703"}},
    "monitoring-until": {FIRST_DAY: set(), NOW: set(), LAST_DAY: {"RK703"}},
}


def edge_register(tmp_path: Path, field: str, day: str) -> tuple[Path, str]:
    file, old, new = DATED_FIELDS[field]
    text = (BASE_REGISTER / file).read_text(encoding="utf-8")
    assert old in text, f"the base register's {file} no longer holds {old!r}"
    return build_register(tmp_path, {file: text.replace(old, new.replace("{d}", day))}), file


@pytest.mark.parametrize("today", [FIRST_DAY, NOW, LAST_DAY], ids=str)
@pytest.mark.parametrize("field", sorted(DATED_FIELDS))
def test_a_date_at_the_end_of_the_calendar_gives_findings_never_overflow(
    tmp_path: Path, field: str, today: datetime.date
) -> None:
    register, file = edge_register(tmp_path, field, "9999-12-01")
    result = lint_register(register, today)
    assert {finding.code for finding in result.findings if finding.file.endswith(file)} == (
        EDGE_FINDINGS[field][today]
    )
    with unchanged_and_bounded(register):
        loaded = load(read_directory(register))
        as_of(loaded.register, today)
        card = score_register(loaded.register)
        statuses = register_status(loaded.register, today)
        if today == FIRST_DAY:  # its weeks and months would start before 0001-01-01
            for section in (wbr_kri_section, mbr_kri_section):
                with pytest.raises(RiskctlError, match=r"before 0001-01-01.*use a later --now"):
                    section(loaded.register, today)
        else:
            wbr_kri_section(loaded.register, today)
            mbr_kri_section(loaded.register, today)
        deadlines_section(loaded.register, card, today)
    assert [status.kri.id for status in statuses] == ["KRI-001"]


def test_next_review_past_the_last_day_is_held_at_the_last_day(tmp_path: Path) -> None:
    register, _file = edge_register(tmp_path, "risk-reviewed", "9999-12-01")
    [score] = score_register(load(read_directory(register)).register).risks
    assert score.next_review == LAST_DAY and score.review_days in (30, 90, 180, 365)


@pytest.mark.parametrize(
    ("setting", "today", "fired"),
    [
        # the window reaches back past 0001-01-01; the 2026 test is in the future
        ("RK301: {window_days: {continuous: 3650}}", FIRST_DAY, "controls/C-001.yaml"),
        # the notice reaches past 9999-12-31; the acceptance expired long before (RK401)
        ("RK403: {notice_days: 3650}", LAST_DAY, None),
        # due ten years and a week after the last 2026 observation: long before 9999
        ("RK502: {grace_days: 3650}", LAST_DAY, "kris/KRI-001.yaml"),
    ],
)
def test_the_largest_day_counts_at_the_ends_of_the_calendar(
    tmp_path: Path, setting: str, today: datetime.date, fired: str | None
) -> None:
    config = BASE_CONFIG + f"lint: {{rules: {{{setting}}}}}\nreview_days: {{high: 3650}}\n"
    register = build_register(tmp_path, {"riskctl.yaml": config})
    result = lint_register(register, today)
    assert findings_of(result, "RK801") == []
    rule = setting.partition(":")[0]
    assert [where for where, *_ in findings_of(result, rule)] == ([fired] if fired else [])
    if rule == "RK403":
        assert [where for where, *_ in findings_of(result, "RK401")] == ["acceptances/ACC-001.yaml"]


# --- `--now` at both ends of the calendar, on every command that takes it (the CLI) ----------

#: command -> its exit code at (0001-01-01, 9999-12-31). lint finds stale KRIs and untested key
#: controls at either end (exit 1); the reports whose weeks and months (and the same periods a
#: year earlier) would start before 0001-01-01 refuse with exit 3.
NOW_COMMANDS: dict[str, tuple[tuple[str, ...], int, int]] = {
    "lint": (("lint", "register"), 1, 1),
    "score-json": (("score", "register", "--format", "json"), 0, 0),
    "diff": (("diff", "HEAD~1", "HEAD", "register"), 0, 0),
    "incidents": (("incidents", "register"), 0, 0),
    "due": (("due", "register", "--fail-overdue"), 1, 1),
    "kri-status-json": (("kri", "status", "register", "--format", "json"), 0, 0),
    "premortem": (("premortem", "register"), 0, 0),
    "report-rcm": (("report", "rcm", "register"), 0, 0),
    "report-risk": (("report", "risk", "R-001", "register"), 0, 0),
    "report-launch": (("report", "launch", "LAUNCH-001", "register"), 3, 0),
    "report-wbr": (("report", "wbr", "--base", "HEAD~1", "register"), 3, 0),
    "report-mbr": (("report", "mbr", "--base", "HEAD~1", "register"), 3, 0),
}
EDGES = {"first-day": "0001-01-01", "last-day": "9999-12-31"}


@pytest.fixture(scope="module")
def now_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, str], dict[str, Result]]:
    """Every command at both ends, run in-process (typer's CliRunner) from the root of one
    repository holding the base register: an OverflowError anywhere is the run's exception,
    which the test refuses as the real CLI's exit 4 would be. (In subprocesses these 24 runs
    took 12 s of CPU, nearly all of it starting Python and importing riskctl 24 times.)"""
    repo = GitRepo(tmp_path_factory.mktemp("now-edges") / "repo")
    repo.copy_register(BASE_REGISTER)
    repo.commit("the shipped register", day=0)
    risk = repo.root / "register" / "risks" / "R-001.yaml"
    risk.write_text(risk.read_text(encoding="utf-8") + "description: edited\n", encoding="utf-8")
    repo.commit("an edit", day=1)
    before = snapshot(repo.root / "register")
    environment: dict[str, str | None] = {**IDENTITY, "GITHUB_ACTIONS": None, "NO_COLOR": "1"}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(repo.root)
        runs = {
            f"{name}@{edge}": CliRunner().invoke(app, [*arguments, "--now", day], env=environment)
            for name, (arguments, _first, _last) in NOW_COMMANDS.items()
            for edge, day in EDGES.items()
        }
    return repo.root, before, runs


@pytest.mark.parametrize("edge", sorted(EDGES))
@pytest.mark.parametrize("name", sorted(NOW_COMMANDS))
def test_now_at_the_end_of_the_calendar_is_an_answer_or_exit_3(
    name: str,
    edge: str,
    now_runs: tuple[Path, dict[str, str], dict[str, Result]],
) -> None:
    root, before, runs = now_runs
    completed = runs[f"{name}@{edge}"]
    _arguments, first, last = NOW_COMMANDS[name]
    expected = first if edge == "first-day" else last
    assert completed.exception is None or isinstance(completed.exception, SystemExit), repr(
        completed.exception
    )
    assert "Traceback" not in completed.stdout + completed.stderr
    assert completed.exit_code == expected, completed.stderr
    if expected == 3:
        assert completed.stderr.startswith("riskctl: error: the report's periods"), completed.stderr
        assert "use a later --now" in completed.stderr
        assert completed.stdout == ""
    else:
        assert completed.stdout.strip(), completed.stderr
    assert snapshot(root / "register") == before


@pytest.mark.parametrize("value", ["0x" + "f" * 40, "1000000001", "9" * 400, "0"])
def test_a_huge_baseline_count_is_rk007_at_the_value(tmp_path: Path, value: str) -> None:
    kri = KRI.format(amber="40", red="60", value="33") + f"baseline: {{first: {value}}}\n"
    register = build_register(tmp_path, {"kris/KRI-001.yaml": kri})
    found = at_value(lint_register(register))
    assert [(where, line, col) for where, line, col, _ in found] == [("kris/KRI-001.yaml", 11, 19)]
    assert found[0][3].startswith(("baseline.first: ", "number too large: "))


def test_a_huge_rule_sample_minimum_is_rk801(tmp_path: Path) -> None:
    config = BASE_CONFIG + "lint: {rules: {RK303: {minimum: {daily: 2000000000}}}}\n"
    register = build_register(tmp_path, {"riskctl.yaml": config})
    found = findings_of(lint_register(register), "RK801")
    assert [(where, line) for where, line, _col, _message in found] == [("riskctl.yaml", 5)]
    assert "1000000000" in found[0][3], found[0][3]


def test_a_rule_option_past_the_largest_number_is_a_broken_configuration(tmp_path: Path) -> None:
    config = BASE_CONFIG + "lint: {rules: {RK303: {minimum: {daily: 0x" + "f" * 40 + "}}}}\n"
    register = build_register(tmp_path, {"riskctl.yaml": config})
    with pytest.raises(RiskctlError, match=r"riskctl\.yaml:5:[0-9]+: number too large"):
        load(read_directory(register))


@pytest.mark.parametrize(
    ("day", "days", "held", "shifted"),
    [
        (datetime.date(9999, 12, 15), 30, LAST_DAY, None),
        (datetime.date(9999, 12, 15), 16, LAST_DAY, LAST_DAY),
        (datetime.date(1, 6, 1), -365, FIRST_DAY, None),
        (datetime.date(1, 1, 8), -7, FIRST_DAY, FIRST_DAY),
        (NOW, 10**10, LAST_DAY, None),  # beyond timedelta's own range
        (NOW, -(10**10), FIRST_DAY, None),
        (NOW, 7, datetime.date(2026, 12, 4), datetime.date(2026, 12, 4)),
    ],
)
def test_day_steps_hold_at_the_ends_or_give_no_date(
    day: datetime.date, days: int, held: datetime.date, shifted: datetime.date | None
) -> None:
    assert add_days(day, days) == held
    assert shift_days(day, days) == shifted
