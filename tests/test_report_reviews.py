"""WBR, MBR and launch reports: goldens on the shipped register and on a small register with a
real git history (tags, month-ends, changes between reviews), Markdown and Mermaid that parse."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.gitio import Repository, last_commit_at
from riskctl.kri.status import Delta
from riskctl.kri.xmr import Signal
from riskctl.load import register as load_module
from riskctl.model.kri import Observation
from riskctl.output.markdown import mermaid_label
from riskctl.report.charts import ROLE_COLORS, Band, LineChart, Series, mermaid_chart, plain_number
from riskctl.report.inputs import read_review
from riskctl.report.mbr import trend_section
from riskctl.report.periods import (
    Period,
    last_value,
    month_ends_before,
    months_to,
    shift_months,
    weeks_to,
    year_before_month,
    year_before_week,
)
from riskctl.report.review import _cut, change_text, is_improvement, signals_text
from riskctl.source import register_source, sources_at_moments
from tests.conftest import BASE_REGISTER, FROZEN_NOW, ROOT, TESTS, check_golden
from tests.gitrepo import GitRepo
from tests.test_report import _tables

GOLDEN = TESTS / "golden" / "report"
NOW = datetime.date.fromisoformat(FROZEN_NOW)
runner = CliRunner()

# --- a small register with a real history ---------------------------------------------------

MONDAY_ONE = datetime.date(2025, 11, 3)
#: Stable weeks: alternating around the centre, so no XmR rule fires on them.
KRI_001_CYCLE = (30, 32, 29, 31, 33, 28, 30, 31)
#: The last six weeks (2026-10-19 to 2026-11-23) climb past amber: rule-1 signals.
KRI_001_RISE = (36, 39, 41, 43, 44, 45)
RISE_FROM = datetime.date(2026, 10, 19)
KRI_002_CYCLE = (98.2, 98.4, 98.1, 98.3)
KRI_003 = {
    datetime.date(2026, 10, 26): 6,
    datetime.date(2026, 11, 2): 7,
    datetime.date(2026, 11, 16): 8,
    datetime.date(2026, 11, 23): 9,
}


def _mondays(until: datetime.date) -> list[datetime.date]:
    days = []
    day = MONDAY_ONE
    while day <= until:
        days.append(day)
        day += datetime.timedelta(days=7)
    return days


def _observations(values: Mapping[datetime.date, float]) -> str:
    return "".join(f"  - {{date: {day}, value: {value}}}\n" for day, value in values.items())


def kri_001(until: datetime.date) -> str:
    values = {
        day: KRI_001_RISE[(day - RISE_FROM).days // 7]
        if day >= RISE_FROM
        else KRI_001_CYCLE[index % len(KRI_001_CYCLE)]
        for index, day in enumerate(_mondays(until))
    }
    return (
        "id: KRI-001\ntitle: Chargeback rate\nrisks: [R-001]\nowner: payments-risk\nunit: bps\n"
        "direction: higher-is-worse\nthresholds: {amber: 40, red: 60}\nbaseline: {first: 20}\n"
        "observations:\n" + _observations(values)
    )


def kri_002(until: datetime.date) -> str:
    values = {day: KRI_002_CYCLE[index % 4] for index, day in enumerate(_mondays(until))}
    return (
        "id: KRI-002\n"
        "title: Login success rate\n"
        "risks: [R-002]\nowner: payments-risk\nunit: pct\n"
        "direction: lower-is-worse\nthresholds: {amber: 97, red: 95}\n"
        "observations:\n" + _observations(values)
    )


def kri_003() -> str:
    return (
        "id: KRI-003\n"
        "title: 'Account \"takeovers\" #1 (% of logins) <b>'\nrisks: [R-003]\n"
        "owner: payments-risk\nunit: count\ndirection: higher-is-worse\n"
        "thresholds: {amber: 5, red: 8}\nobservations:\n" + _observations(KRI_003)
    )


def _risk(risk_id: str, title: str, category: str, inherent: str, rest: str) -> str:
    return (
        f"id: {risk_id}\ntitle: {title}\ncategory: {category}\nowner: payments-risk\n"
        f"inherent: {inherent}\n{rest}"
    )


R_001 = _risk(
    "R-001",
    "Card testing through gift-coin purchases",
    "payments-fraud",
    "{likelihood: 4, impact: 3}",
    "controls: [C-001, C-002]\nkris: [KRI-001]\ntreatment: mitigate\nreviewed: 2026-01-15\n",
)
R_002 = _risk(
    "R-002",
    "Account takeover through credential stuffing",
    "account-security",
    "{likelihood: 3, impact: 3}",
    "controls: [C-003]\nkris: [KRI-002]\ntreatment: accept\nreviewed: 2026-03-01\n",
)
R_003 = _risk(
    "R-003",
    "Takeover of creator accounts through SIM swap",
    "account-security",
    "{likelihood: 3, impact: 4}",
    "kris: [KRI-003]\n",
)
R_004 = _risk(
    "R-004",
    "Refund abuse on gift-coin bundles",
    "payments-fraud",
    "{likelihood: 2, impact: 2}",
    "treatment: accept\nreviewed: 2026-07-15\n",
)
#: C-001 tested before the first commit: as of every month-end it has a passing test of each
#: type (the base register's are dated later in 2026, which `--now` would leave out).
C_001 = (
    "id: C-001\ntitle: Purchase velocity limits\nowner: payments-risk\nkey: true\n"
    "nature: preventive\nautomation: automated\nfrequency: continuous\nreduces: likelihood\n"
    "effectiveness: {design: effective, operating: effective}\ntests:\n"
    "  - {date: 2025-12-15, type: operating, procedure: reperformance, sample_size: 1, "
    "exceptions: 0, result: pass}\n"
    "  - {date: 2025-12-01, type: design, result: pass, procedure: inspection}\n"
)
C_001_FAILED = (
    "id: C-001\ntitle: Purchase velocity limits\nowner: payments-risk\nkey: true\n"
    "nature: preventive\nautomation: automated\nfrequency: continuous\nreduces: likelihood\n"
    "effectiveness: {design: effective, operating: ineffective}\ntests:\n"
    "  - {date: 2025-12-15, type: operating, procedure: reperformance, sample_size: 1, "
    "exceptions: 0, result: pass}\n"
    "  - {date: 2026-11-21, type: operating, procedure: reperformance, sample_size: 1, "
    "exceptions: 1, result: fail}\n"
)
C_003 = (
    "id: C-003\ntitle: Credential-stuffing rate limits\nowner: payments-risk\nkey: true\n"
    "nature: preventive\nreduces: impact\neffectiveness: {design: effective, operating: effective}"
    "\ntests:\n  - {date: 2026-03-20, type: operating, sample_size: 25, exceptions: 0, "
    "result: pass}\n"
)
ACC_002 = (
    "id: ACC-002\nrisk: R-002\napprover: head-of-risk\ndecided: 2026-04-10\nexpires: 2026-12-15\n"
    "rationale: Rate limits hold the impact; MFA for all accounts ships in Q1.\n"
)
INC_001 = (
    "id: INC-2026-001\nkind: near-miss\ntitle: Card-testing burst stopped by velocity limits\n"
    "occurred: 2026-07-03\nseverity: 2\npotential_severity: 4\nrisks: [R-001]\n"
    "barrier_that_held: Purchase velocity limits (C-001)\nactions:\n"
    "  - {id: A1, description: Tune the velocity threshold, owner: payments-risk, "
    "due: 2026-11-01, status: open}\n"
)
INC_002 = (
    "id: INC-2026-002\nkind: incident\ntitle: New BIN ranges slipped past the velocity limits\n"
    "occurred: 2026-11-22\nseverity: 3\nrisks: [R-001]\nfailed_controls: [C-001]\n"
    "root_cause: {category: process}\nstatus: open\n"
)
INC_003 = (
    "id: INC-2026-003\nkind: near-miss\ntitle: SIM-swap attempt stopped by the carrier check\n"
    "occurred: 2026-11-24\nseverity: 1\npotential_severity: 4\nrisks: [R-003]\n"
    "barrier_that_held: Carrier SIM-swap check\nroot_cause: {category: technology}\n"
)
LAUNCH_001 = (
    "id: LAUNCH-001\ntitle: Gift coins in Brazil\nowner: payments-risk\nlaunch_date: 2026-10-05\n"
    "status: launched\nrisks: [R-001, R-002]\nfailure_modes:\n"
    "  - id: FM1\n    description: Card testing from new BIN ranges\n    severity: 7\n"
    "    occurrence: 5\n    detection: 4\n    prevention_controls: [C-001]\n    risk: R-001\n"
    "    actions: [Add BR BIN ranges to velocity rules]\n"
    "  - id: FM2\n    description: Pix refunds claimed after the gift is paid out\n"
    "    severity: 8\n    occurrence: 6\n    detection: 7\n    risk: R-004\n"
    "  - id: FM3\n    description: Portuguese support queue misses its SLA\n    severity: 3\n"
    "    occurrence: 3\n    detection: 2\n"
    "monitoring:\n  - {kri: KRI-001, until: 2027-03-31}\n  - {kri: KRI-002, until: 2026-10-20}\n"
)
LAUNCH_002 = (
    "id: LAUNCH-002\ntitle: Creator tipping in Mexico\nowner: payments-risk\n"
    "launch_date: 2027-03-01\n"
)
SUBJECTS = {
    20: "Start the register",
    100: "R-002 with its control, acceptance and KRIs",
    200: "R-004; the first near-miss",
    303: "LAUNCH-001 is live",
    316: "KRIs: week of 2026-11-09",
    323: "KRIs: week of 2026-11-16",
    328: "C-001 failed its test; R-003 new, R-004 closed; two incidents",
}


def _day(number: int) -> datetime.date:
    return datetime.date(2026, 1, 1) + datetime.timedelta(days=number)


def build_review_history(root: Path) -> GitRepo:
    """Seven commits over 2026, tags v0 (the first), mbr-2026-10-31, wbr-2026-11-13 and
    wbr-2026-11-20; HEAD is the state of 2026-11-25."""
    repo = GitRepo(root)
    repo.copy_register(BASE_REGISTER)
    for name in ("kris/KRI-001.yaml", "incidents/INC-2026-001.yaml", "launches/LAUNCH-001.yaml"):
        repo.remove(f"register/{name}")
    repo.write("register/risks/R-001.yaml", R_001.replace("kris: [KRI-001]\n", ""))
    repo.write("register/controls/C-001.yaml", C_001)
    repo.write(
        "register/acceptances/ACC-001.yaml",
        (BASE_REGISTER / "acceptances/ACC-001.yaml")
        .read_text(encoding="utf-8")
        .replace("decided: 2026-10-01", "decided: 2026-01-15"),
    )
    repo.commit(SUBJECTS[20], day=20)
    repo.git("tag", "v0")
    repo.write("register/risks/R-001.yaml", R_001)
    repo.write("register/risks/R-002.yaml", R_002)
    repo.write("register/controls/C-003.yaml", C_003)
    repo.write("register/acceptances/ACC-002.yaml", ACC_002)
    repo.write("register/kris/KRI-001.yaml", kri_001(_day(100)))
    repo.write("register/kris/KRI-002.yaml", kri_002(_day(100)))
    repo.commit(SUBJECTS[100], day=100)
    repo.write("register/risks/R-004.yaml", R_004)
    repo.write("register/incidents/INC-2026-001.yaml", INC_001)
    repo.commit(SUBJECTS[200], day=200)
    for day in (303, 316, 323):
        repo.write("register/kris/KRI-001.yaml", kri_001(_day(day)))
        repo.write("register/kris/KRI-002.yaml", kri_002(_day(day)))
        if day == 303:
            repo.write("register/launches/LAUNCH-001.yaml", LAUNCH_001)
            repo.write("register/launches/LAUNCH-002.yaml", LAUNCH_002)
        repo.commit(SUBJECTS[day], day=day)
    repo.git("tag", "mbr-2026-10-31", "HEAD~2")
    repo.git("tag", "wbr-2026-11-13", "HEAD~1")
    repo.git("tag", "wbr-2026-11-20", "HEAD")
    repo.write("register/kris/KRI-001.yaml", kri_001(_day(328)))
    repo.write("register/kris/KRI-002.yaml", kri_002(_day(328)))
    repo.write("register/kris/KRI-003.yaml", kri_003())
    repo.write("register/controls/C-001.yaml", C_001_FAILED)
    repo.write("register/risks/R-003.yaml", R_003)
    repo.write("register/risks/R-004.yaml", R_004 + "status: closed\n")
    repo.write("register/incidents/INC-2026-002.yaml", INC_002)
    repo.write("register/incidents/INC-2026-003.yaml", INC_003)
    repo.commit(SUBJECTS[328], day=328)
    return repo


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    return build_review_history(tmp_path_factory.mktemp("reviews") / "repo")


@pytest.fixture
def in_history(history: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    monkeypatch.chdir(history.root)
    return history


def test_the_test_register_loads_whole(in_history: GitRepo) -> None:
    """No file or reference problem (RK0xx, RK1xx), so no entity is silently left out; the
    other findings are the exceptions the reviews are meant to show."""
    result = runner.invoke(app, ["lint", "register", "--now", FROZEN_NOW])
    assert not re.search(r" RK[01]\d\d ", result.stdout), result.stdout


# --- goldens --------------------------------------------------------------------------------

SHIPPED = {
    "wbr-register": ["report", "wbr", "register", "--now", FROZEN_NOW],
    # Both ends pinned to commits of this repository: later commits cannot change it. Their
    # four risks with the placeholder `quant:` shape (before issue 12's) no longer validate:
    # --partial leaves them out at both ends, and the report says so.
    "wbr-register-since": [
        "report",
        "wbr",
        "register",
        "--now",
        FROZEN_NOW,
        "--base",
        "e0c5512",
        "--rev",
        "65682c6",
        "--partial",
    ],
    "mbr-register": ["report", "mbr", "register", "--now", FROZEN_NOW],
    "launch-LAUNCH-002": ["report", "launch", "LAUNCH-002", "register", "--now", FROZEN_NOW],
    "launch-LAUNCH-001": ["report", "launch", "LAUNCH-001", "register", "--now", FROZEN_NOW],
}
HISTORY = {
    "wbr-history": ["report", "wbr", "register", "--now", FROZEN_NOW],
    "wbr-history-quiet": [
        "report",
        "wbr",
        "register",
        "--now",
        "2026-01-31",
        "--rev",
        "v0",
        "--base",
        "v0",
    ],
    "mbr-history": ["report", "mbr", "register", "--now", FROZEN_NOW],
    "mbr-history-start": ["report", "mbr", "register", "--now", "2026-01-31", "--rev", "v0"],
    "launch-history-LAUNCH-001": [
        "report",
        "launch",
        "LAUNCH-001",
        "register",
        "--now",
        FROZEN_NOW,
    ],
    "launch-history-LAUNCH-002": [
        "report",
        "launch",
        "LAUNCH-002",
        "register",
        "--now",
        FROZEN_NOW,
    ],
}


def _run(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.stdout


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_golden_reviews_of_the_shipped_register(
    name: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    check_golden(GOLDEN / f"{name}.md", _run(SHIPPED[name]), update_golden)


@pytest.mark.parametrize("name", sorted(HISTORY))
def test_golden_reviews_of_a_register_with_history(
    name: str, in_history: GitRepo, update_golden: bool
) -> None:
    check_golden(GOLDEN / f"{name}.md", _run(HISTORY[name]), update_golden)


REVIEW_GOLDENS = sorted([*SHIPPED, *HISTORY])
WBR_SECTIONS = [
    "1. What changed since the last review",
    "2. Key risk indicators",
    "3. Risks above appetite",
    "4. What falls due",
    "5. Launches in monitoring",
]
#: Reviews of a register with `quant:` inputs: the WBR ends with the loss exposure.
QUANTIFIED_REVIEWS = {"wbr-register"}
MBR_SECTIONS = [
    "1. What changed since the last review",
    "2. Key risk indicators",
    "3. Incidents and near-misses by root cause",
    "4. Risks above appetite",
    "5. Residual levels over 13 months",
    "6. What falls due",
    "7. Launches in monitoring",
]
LAUNCH_SECTIONS = ["Failure modes", "Linked risks", "Monitoring KRIs"]


def _golden(name: str) -> str:
    return (GOLDEN / f"{name}.md").read_text(encoding="utf-8")


def _headings(markdown: str, level: str) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    return [
        tokens[index + 1].content
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == level
    ]


@pytest.mark.parametrize("name", REVIEW_GOLDENS)
def test_reviews_parse_as_intended(name: str) -> None:
    markdown = _golden(name)
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script" not in html and "<b>" not in html
    for header, rows in _tables(markdown):
        assert rows, "a table with a header and no rows"
        assert set(rows) == {header}, "a row with a different number of cells than the header"
    assert len(_headings(markdown, "h1")) == 1
    expected = {"wbr": WBR_SECTIONS, "mbr": MBR_SECTIONS, "launch": LAUNCH_SECTIONS}
    quantified = ["6. Loss exposure"] if name in QUANTIFIED_REVIEWS else []
    assert _headings(markdown, "h2") == expected[name.split("-")[0]] + quantified


def _mermaid_blocks(markdown: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [token.content for token in tokens if token.type == "fence" and token.info == "mermaid"]


@pytest.mark.parametrize("name", REVIEW_GOLDENS)
def test_every_mermaid_block_is_an_xychart_with_quoted_labels(name: str) -> None:
    blocks = _mermaid_blocks(_golden(name))
    fences = _golden(name).count("```mermaid")
    assert len(blocks) == fences
    for block in blocks:
        lines = block.splitlines()
        palette = _palette(lines[0])
        assert lines[1] == "xychart-beta"
        for line in lines[2:]:
            assert line.count('"') % 2 == 0, line
            keyword, _, rest = line.strip().partition(" ")
            assert keyword in ("title", "x-axis", "y-axis", "line", "bar"), line
            if keyword in ("line", "bar"):  # a quoted name, then plain numbers
                assert re.fullmatch(r'"[^"]*" \[-?\d+(\.\d+)?(, -?\d+(\.\d+)?)*\]', rest), line
        axis = next(line for line in lines if line.strip().startswith("x-axis"))
        categories = axis.count('", "') + 1
        plots = [line for line in lines if line.strip().startswith(("line ", "bar "))]
        assert len(plots) == len(palette), "a colour per series, in order"
        for line in plots:
            assert line.count(", ") + 1 == categories, "a series with a value per category"


def _palette(directive: str) -> list[str]:
    """The colours of a chart's init directive, which must be its first line."""
    match = re.fullmatch(
        r'%%\{init: \{"themeVariables": \{"xyChart": \{"plotColorPalette": "([^"]*)"\}\}\}\}%%',
        directive,
    )
    assert match, directive
    colours = match.group(1).split(", ")
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in colours), colours
    return colours


def test_this_period_is_the_strongest_line_and_thresholds_have_their_colours() -> None:
    """Each KRI chart draws "this period" first in the darkest colour of its palette (by WCAG
    relative luminance), amber and red in their own colours."""

    def luminance(colour: str) -> float:  # WCAG 2.1, relative luminance
        channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    blocks = [block for block in _mermaid_blocks(_golden("wbr-register")) if "this period" in block]
    assert blocks
    for block in blocks:
        lines = block.splitlines()
        palette = _palette(lines[0])
        names = [line.split('"')[1] for line in lines if line.strip().startswith(("line ", "bar "))]
        colours = dict(zip(names, palette, strict=True))
        assert names[0] == "this period"
        assert colours["this period"] == ROLE_COLORS["this"]
        others = [colour for name, colour in colours.items() if name != "this period"]
        assert all(luminance(colours["this period"]) < luminance(colour) for colour in others)
        assert (1 + 0.05) / (luminance(colours["this period"]) + 0.05) >= 4.5  # on white
        amber = next(name for name in names if name.startswith("amber"))
        red = next(name for name in names if name.startswith("red"))
        assert colours[amber] == "#d97706" and colours[red] == "#dc2626"
        assert colours["this period"] not in (colours[amber], colours[red])


def test_a_year_earlier_is_drawn_for_the_months_that_have_one() -> None:
    """KRI-001's 12-month chart: a year earlier exists for the last two months only; it is
    drawn there (bars of no height elsewhere, as Mermaid has no gap), not dropped."""
    wbr = _golden("wbr-register")
    block = next(b for b in _mermaid_blocks(wbr) if "KRI-001" in b and "12 months" in b)
    prior = next(line for line in block.splitlines() if '"a year earlier"' in line)
    assert prior.strip().startswith("bar ")
    values = [float(v) for v in prior[prior.index("[") + 1 : -1].split(", ")]
    assert values[:10] == [0] * 10 and all(value > 0 for value in values[10:])


def test_every_empty_section_says_nothing_to_report_in_some_golden() -> None:
    """Each titled part of a review and of a launch page is empty in at least one golden."""
    texts = [_golden(name) for name in REVIEW_GOLDENS]
    titles = [
        "### Risks whose residual level moved",
        "### New risks",
        "### Closed risks",
        "### Control failures",
        "### New incidents and near-misses",
        "### Exceptions",
        "### Routine",
        "## 3. Risks above appetite",
        "### Acceptances expiring within 30 days",
        "### Overdue actions",
        "### Overdue reviews",
        "Launched, with a monitoring window that includes",
        "## 3. Incidents and near-misses by root cause",
        "## Failure modes",
        "## Linked risks",
        "## Monitoring KRIs",
    ]
    for title in titles:
        empty = [
            text
            for text in texts
            if re.search(
                re.escape(title) + r"[^\n]*\n\n(?:[^#|\n][^\n]*\n\n)?Nothing to report\.", text
            )
        ]
        filled = [text for text in texts if title in text and text not in empty]
        assert empty, f"no golden shows {title!r} empty"
        assert filled, f"no golden shows {title!r} with content"


def test_the_history_goldens_have_content_in_every_section() -> None:
    wbr = _golden("wbr-history")
    for part in ("R-001", "R-003", "R-004", "C-001", "INC-2026-002", "INC-2026-003"):
        assert part in wbr.split("## 2.")[0], part
    assert "From the last review, tag wbr-2026-11-20 (commit " in wbr
    assert "**no plan**" in wbr and "planned controls: C-002" in wbr
    assert "accepted until 2026-12-15 (ACC-002)" in wbr
    mbr = _golden("mbr-history")
    assert "From the last review, tag mbr-2026-10-31 (commit " in mbr
    assert "| process | 1 | 0 | 1 |" in mbr and "| technology | 0 | 1 | 1 |" in mbr


# --- the residual trend, by hand -------------------------------------------------------------


def test_the_trend_counts_open_risks_per_level_at_each_month_end(in_history: GitRepo) -> None:
    """Commits on days 20, 100, 200, 303 and 316+: R-001 medium from January (C-001 credits
    likelihood: L4 → L3, L3 I3 = 9); R-002 medium (6) from April; R-004 low (4) from July."""
    rows = {row[0]: row[1:] for row in _trend_rows(_golden("mbr-history"))}
    assert rows["2025-11-30"][0] == "no data" and rows["2025-12-31"][0] == "no data"
    # open, low, medium, high, critical, above appetite
    assert rows["2026-01-31"][:6] == ["1", "0", "1", "0", "0", "0"]
    assert rows["2026-04-30"][:6] == ["2", "0", "2", "0", "0", "1"]
    assert rows["2026-07-31"][:6] == ["3", "1", "2", "0", "0", "1"]
    assert rows["2026-10-31"][:6] == ["3", "1", "2", "0", "0", "1"]
    # Now: R-001 high after C-001 failed, R-002 medium, R-003 high (no control), R-004 closed.
    assert rows["2026-11-27 (now)"][:6] == ["3", "0", "1", "2", "0", "3"]


def test_the_trend_is_drawn_as_stacked_bars_with_its_counts_per_level(in_history: GitRepo) -> None:
    """In HTML the levels of a month-end are parts of one bar (a level at 0 hides no other);
    the chart's values are the table's counts."""
    review = read_review(register_source(Path("register"), with_repository=True), None, "mbr", NOW)
    trend = trend_section(review, NOW)
    chart = trend["chart"]
    assert chart.stacked
    rows = {row[0]: row[2:6] for row in trend["rows"]}
    for index, label in enumerate(chart.labels):
        (row,) = [cells for day, cells in rows.items() if day.startswith(label)]
        values = [series.values[index] for series in chart.series]
        expected = [None] * 4 if row[0] == "" else [float(cell) for cell in row]
        assert values == expected, label


def _trend_rows(markdown: str) -> list[list[str]]:
    section = markdown.split("## 5. Residual levels")[1].split("## 6.")[0]
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| 20")
    ]


def test_month_end_commits_are_the_last_on_or_before_that_day(history: GitRepo) -> None:
    moments = [
        datetime.datetime(2025, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
        datetime.datetime(2026, 1, 21, 0, 0, 0, tzinfo=datetime.UTC),  # the first commit itself
        datetime.datetime(2026, 4, 10, 23, 59, 59, tzinfo=datetime.UTC),  # a day before C2
        datetime.datetime(2026, 10, 31, 23, 59, 59, tzinfo=datetime.UTC),
    ]
    found = sources_at_moments(register_source(history.root / "register", "HEAD"), moments)
    first = history.git("rev-parse", "v0")
    october = history.git("rev-parse", "mbr-2026-10-31")
    assert [at.commit.id if at.commit else None for at in found] == [None, first, first, october]
    assert found[0].problem == "before the first commit" and found[0].sources is None
    assert found[3].sources is not None and "kris/KRI-001.yaml" in found[3].sources.files


def test_month_ends_follow_the_first_parent_history(tmp_path: Path) -> None:
    """A branch commit dated before a month-end but merged after it is not the register of
    that month-end: the main line did not have it yet."""
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    first = repo.commit("one", day=1)
    repo.git("checkout", "--quiet", "-b", "side")
    repo.write("register/owners/cfo.yaml", "id: cfo\nname: CFO\n")
    repo.commit("side work", day=3)
    repo.git("checkout", "--quiet", "main")
    repo.git("merge", "--quiet", "--no-ff", "-m", "merge side", "side", day=10)
    moments = [datetime.datetime(2026, 1, 6, tzinfo=datetime.UTC)]  # day 5
    found = sources_at_moments(register_source(repo.root / "register", "main"), moments)
    assert found[0].commit is not None and found[0].commit.id == first
    assert found[0].sources is not None and "owners/cfo.yaml" not in found[0].sources.files


def test_last_commit_at_walks_the_mainline_newest_first() -> None:
    stamp = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    day = datetime.timedelta(days=1)
    mainline = [("c", stamp + day), ("b", stamp), ("a", stamp - day)]
    assert last_commit_at(mainline, stamp) == "b"
    assert last_commit_at(mainline, stamp - 2 * day) is None
    assert last_commit_at(mainline, stamp + 5 * day) == "c"


def test_unchanged_files_are_parsed_once_across_month_ends(
    in_history: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    original = load_module.parse  # type: ignore[attr-defined]

    def counting(file: str, raw: bytes) -> object:
        parsed.append(file)
        return original(file, raw)

    monkeypatch.setattr(load_module, "parse", counting)
    read_review(register_source(Path("register"), with_repository=True), None, "mbr", NOW)
    # The owners and riskctl.yaml never change: each owner file is parsed once, although 10
    # month-ends with data, the diff's two sides and the working tree all read it.
    assert parsed.count("owners/head-of-risk.yaml") == 1
    assert parsed.count("risks/R-002.yaml") == 1


# --- the last review: tags and --base ---------------------------------------------------------


def test_latest_tag_is_by_tag_date_and_reachable_only(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    first = repo.commit("one", day=1)
    second = repo.commit("two", day=2)
    repo.git("tag", "wbr-b", second)  # lightweight: the commit's date, day 2
    # Annotated on the older commit, but tagged later (day 5): the most recent by tag date.
    repo.git("tag", "-a", "wbr-a", "-m", "late review", first, day=5)
    repo.git("checkout", "--quiet", "-b", "side", first)
    third = repo.commit("three", day=9)
    repo.git("tag", "wbr-c", third)  # the newest, but not reachable from main
    repository = Repository(repo.root)
    main = repository.resolve("main")
    tag = repository.latest_tag("wbr-*", main)
    assert tag is not None and (tag.name, tag.commit) == ("wbr-a", first)
    assert repository.latest_tag("mbr-*", main) is None
    side = repository.latest_tag("wbr-*", repository.resolve("side"))
    assert side is not None and side.name == "wbr-c"


def test_same_date_tags_pick_the_greater_name(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(BASE_REGISTER)
    commit = repo.commit("one", day=1)
    repo.git("tag", "wbr-2026-01-02", commit)
    repo.git("tag", "wbr-2026-01-09", commit)
    tag = Repository(repo.root).latest_tag("wbr-*", commit)
    assert tag is not None and tag.name == "wbr-2026-01-09"


def test_a_register_outside_git_says_why_there_is_no_comparison(base_register: Path) -> None:
    result = runner.invoke(app, ["report", "wbr", str(base_register), "--now", FROZEN_NOW])
    assert result.exit_code == 0, result.stderr
    section = result.stdout.split("## 1. What changed since the last review\n\n")[1]
    assert section.startswith("No `wbr-*` tag could be looked up (")
    assert "not inside a git repository" in section.split("\n")[0]
    assert "`git tag wbr-2026-11-27`" in section.split("\n")[0]


def test_since_outside_git_or_unknown_exits_3(base_register: Path, in_history: GitRepo) -> None:
    outside = runner.invoke(app, ["report", "wbr", str(base_register), "--base", "HEAD~1"])
    assert outside.exit_code == 3 and "not inside a git repository" in outside.stderr
    for since, message in (("nope", "unknown revision 'nope'"), ("a..b", "not a revision")):
        result = runner.invoke(app, ["report", "wbr", "register", "--base", since])
        assert (result.exit_code, result.stdout) == (3, "")
        assert message in result.stderr


def test_wbr_compares_with_the_working_tree(in_history: GitRepo) -> None:
    risk = in_history.root / "register/risks/R-002.yaml"
    original = risk.read_text(encoding="utf-8")
    try:
        risk.write_text(original + "status: closed\n", encoding="utf-8")
        text = _run(["report", "wbr", "register", "--now", FROZEN_NOW, "--base", "HEAD"])
    finally:
        risk.write_text(original, encoding="utf-8")
    changes = text.split("## 2.")[0]
    assert ") to the working tree." in changes
    assert "| R-002 | Account takeover through credential stuffing | closed |" in changes


def test_unknown_launch_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["report", "launch", "LAUNCH-404", "--now", FROZEN_NOW])
    assert (result.exit_code, result.stdout) == (3, "")
    assert "no launch 'LAUNCH-404'" in result.stderr


def test_out_writes_the_wbr_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    target = tmp_path / "build" / "wbr.md"
    target.parent.mkdir()  # --out creates no folder (tests/test_out.py)
    result = runner.invoke(
        app, ["report", "wbr", "register", "--now", FROZEN_NOW, "--out", str(target)]
    )
    assert (result.exit_code, result.stdout) == (0, f"wrote {target}\n")
    assert target.read_text(encoding="utf-8") == _golden("wbr-register")
    assert [path.name for path in target.parent.iterdir()] == ["wbr.md"]


# --- pure pieces ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("plain", '"plain"'),
        ('a "quoted" title', '"a #quot;quoted#quot; title"'),
        ("C# 100% <b>", '"C#35; 100#37; #lt;b#gt;"'),
        ("line\nbreak\r\nand\ttab", '"line break and tab"'),
        ("%%{init: {}}%%", '"#37;#37;{init: {}}#37;#37;"'),
        ("#quot;", '"#35;quot;"'),
    ],
)
def test_mermaid_label_quotes_and_escapes(value: str, label: str) -> None:
    assert mermaid_label(value) == label


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [(54.6, None, "54.6"), (7.0, None, "7"), (1e-07, None, "0.0000001"), (1e20, None,
     "100000000000000000000"), (35.7375, 2, "35.74"), (-0.0, None, "0"), (2.5, 0, "2")],
)  # fmt: skip
def test_plain_number_never_uses_exponents(value: float, decimals: int | None, text: str) -> None:
    assert plain_number(value, decimals) == text


def test_mermaid_leaves_out_periods_without_data_and_draws_a_gappy_series_as_bars() -> None:
    chart = LineChart(
        "t",
        ["a", "b", "c", "d"],
        "y",
        [
            Series("this period", [1.0, None, 3.0, 4.5], "this"),
            Series("a year earlier", [None, 2.0, 2.5, 3.0], "prior"),
            Series("red 5", [5.0] * 4, "red"),
        ],
    )
    drawn = mermaid_chart(chart)
    assert drawn["labels"] == ["a", "c", "d"]
    assert [(s["kind"], s["points"]) for s in drawn["series"]] == [
        ("line", ["1", "3", "4.5"]),
        ("bar", ["0", "2.5", "3"]),
        ("line", ["5", "5", "5"]),
    ]
    assert drawn["palette"] == "#1d4ed8, #8b95a5, #dc2626"
    assert "No data for b: left out." in drawn["caption"]
    assert '"a year earlier" is drawn as bars' in drawn["caption"]


def test_levels_without_a_colour_get_one_each_from_green_to_red() -> None:
    from riskctl.report.charts import LEVEL_SCALE, level_colors

    four = level_colors(["a", "b", "c", "d"], [None, "#ABC", "red", None])
    # ranks 0..3 spread over the 5-step scale: 0, round(4/3) = 1, round(8/3) = 3, 4
    assert four == {"a": LEVEL_SCALE[0], "b": "#abc", "c": LEVEL_SCALE[3], "d": LEVEL_SCALE[4]}
    assert level_colors(["only"], [None]) == {"only": LEVEL_SCALE[0]}
    assert len(set(level_colors(list("abcde"), [None] * 5).values())) == 5


def test_a_chart_needs_one_value_per_label() -> None:
    with pytest.raises(ValueError, match="has 1 values for 2"):
        LineChart("t", ["a", "b"], "y", [Series("x", [1.0], "this")])
    with pytest.raises(ValueError, match="finite"):
        LineChart("t", ["a"], "y", [Series("x", [float("inf")], "this")])
    with pytest.raises(ValueError, match="finite"):
        LineChart("t", ["a"], "y", [], band=Band("b", 0.0, float("nan")))
    with pytest.raises(ValueError, match="finite"):
        LineChart("t", ["a"], "y", [], x_values=[float("inf")])
    with pytest.raises(ValueError, match="finite"):
        plain_number(float("nan"))


def test_weeks_are_iso_weeks_up_to_today() -> None:
    weeks = weeks_to(NOW, 6)  # Friday 2026-11-27 is in ISO week 48
    assert [week.label for week in weeks] == ["W43", "W44", "W45", "W46", "W47", "W48"]
    assert (weeks[0].first, weeks[-1].first, weeks[-1].last) == (
        datetime.date(2026, 10, 19),
        datetime.date(2026, 11, 23),
        NOW,
    )
    assert year_before_week(weeks[-1]).first == datetime.date(2025, 11, 24)  # a Monday too


def test_months_and_month_ends() -> None:
    months = months_to(NOW, 13)
    assert (months[0].label, months[-1].label, months[-1].last) == ("2025-11", "2026-11", NOW)
    earlier = year_before_month(months[-1])
    assert (earlier.first, earlier.last) == (
        datetime.date(2025, 11, 1),
        datetime.date(2025, 11, 27),
    )
    ends = month_ends_before(NOW, 12)
    assert (ends[0], ends[3], ends[-1]) == (
        datetime.date(2025, 11, 30),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 10, 31),
    )
    assert shift_months(datetime.date(2024, 3, 31), -1) == datetime.date(2024, 2, 29)
    assert shift_months(datetime.date(2026, 1, 15), -13) == datetime.date(2024, 12, 15)


def test_a_period_value_is_its_last_observation() -> None:
    observations = [
        Observation(date=datetime.date(2026, 11, 2), value=1),
        Observation(date=datetime.date(2026, 11, 9), value=2),
        Observation(date=datetime.date(2026, 11, 9), value=3),  # the later in the file wins
        Observation(date=datetime.date(2026, 12, 1), value=4),
    ]
    november = Period("2026-11", datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    october = Period("2026-10", datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    assert last_value(observations, november) == 3
    assert last_value(observations, october) is None


@pytest.mark.parametrize(
    ("change", "direction", "text"),
    [
        (Delta(-1.5, "bps"), "higher-is-worse", "-1.5 bps (better)"),
        (Delta(2.0, "%"), "higher-is-worse", "+2.0 % (worse)"),
        (Delta(2.0, "%"), "lower-is-worse", "+2.0 % (better)"),
        (Delta(0.04, "bps"), "higher-is-worse", "+0.0 bps (no change)"),
        (None, "higher-is-worse", "n/a"),
    ],
)
def test_change_text_keeps_the_sign_and_says_better_or_worse(
    change: Delta | None, direction: str, text: str
) -> None:
    assert change_text(change, direction) == text


def test_signals_on_the_better_side_are_improvements() -> None:
    day = datetime.date(2026, 11, 2)
    below = Signal("rule-3", "below", (day,) * 8)
    jump = Signal("moving-range", "above", (day,))
    assert is_improvement(below, "higher-is-worse")
    assert not is_improvement(below, "lower-is-worse")
    assert not is_improvement(jump, "higher-is-worse") and not is_improvement(
        jump, "lower-is-worse"
    )
    singles = [
        Signal("rule-1", "above", (day,)),
        Signal("rule-1", "above", (day + datetime.timedelta(days=7),)),
    ]
    assert signals_text(singles) == "rule-1 above on 2026-11-02, 2026-11-09"
    assert signals_text([]) == "none"


def test_an_error_in_a_shared_template_names_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    (tmp_path / "_chart.md.j2").write_text(
        "{% macro chart(c) %}\n{{ c.no_such_key }}\n{% endmacro %}\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["report", "wbr", "--now", FROZEN_NOW, "--templates", str(tmp_path)]
    )
    assert (result.exit_code, result.stdout) == (3, "")
    assert "template wbr.md.j2 (_chart.md.j2 line 2): " in result.stderr


@pytest.mark.parametrize(
    ("title", "cut"),
    [
        ("Gift-coin card chargeback rate (bps of settled card purchases)",
         "Gift-coin card chargeback rate"),
        ("Confirmed account takeovers per 10,000 logins",
         "Confirmed account takeovers per 10,000…"),
        ("Circular gifting and rapid cash-out AML alerts",
         "Circular gifting and rapid cash-out AML…"),
        ("Short (unit)", "Short"),
        ("(unit)", "(unit)"),
        ("A (note) in the middle", "A (note) in the middle"),
        ("x" * 50, "x" * 39 + "…"),
    ],
)  # fmt: skip
def test_a_chart_title_drops_its_unit_and_is_cut_between_words(title: str, cut: str) -> None:
    """The y axis names the unit; a cut title ends a word before "…" and fits 40 characters."""
    assert _cut(title, 40) == cut
    assert len(cut) <= 40
