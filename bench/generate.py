"""Write a large, deterministic, lint-clean synthetic risk register for benchmarks.

    python bench/generate.py OUT_DIR [--seed 7] [--risks 5000]
    python bench/generate.py OUT_DIR --mutate 1 [--mutate-seed 1]

The first form writes a register of about 28,000 files and 33 MB for 5,000 risks; the other kinds
scale with `--risks`. Every value is schema-valid, every reference resolves, and the data is built
to pass the domain rules the linter checks (residual within appetite unless an unexpired
acceptance covers it, reviews not overdue, ratings backed by tests, KRIs green and in control,
closed incidents without open actions, ...), as of the benchmark date 2026-11-27.

The second form rewrites PERCENT % of the entity files of an existing generated register in
place, changing one value in each and keeping the file schema-valid, so that two git revisions
differ by that share of files.

YAML is written with string formatting (no YAML library), which is fast and keeps the layout
predictable for `--mutate`. The same seed gives byte-identical output: all randomness comes from
one `random.Random(seed)` consumed in a fixed order.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import math
import random
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: The date the benchmarks lint at (`--now`); the data is valid and current as of this day.
NOW = datetime.date(2026, 11, 27)
#: Every incident occurred on or before this day, so every review and test came after it.
LAST_INCIDENT = datetime.date(2026, 9, 30)
#: The current testing cycle: the latest test of every tested control falls in this window.
CYCLE_START = datetime.date(2026, 10, 1)
CYCLE_END = datetime.date(2026, 11, 20)

LEVELS = ("low", "medium", "high", "critical")
REVIEW_DAYS = {"critical": 30, "high": 90, "medium": 180, "low": 365}
CREDITS = {"effective": 0.6, "partially-effective": 0.3, "ineffective": 0.0, "not-tested": 0.0}
GRADE_ORDER = ("not-tested", "ineffective", "partially-effective", "effective")
#: Minimum operating-test sample per frequency for manual controls (rcm.md §6); event-driven
#: controls have no convention, so they get the largest.
MIN_SAMPLE = {
    "annual": 1,
    "quarterly": 2,
    "monthly": 2,
    "weekly": 5,
    "daily": 20,
    "multiple-daily": 25,
    "continuous": 25,
    "event-driven": 25,
}

# --------------------------------------------------------------------------------------------
# Vocabulary for realistic text.

CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("fraud", "Fraud and scams", "medium"),
    ("payments-ops", "Payment operations", "medium"),
    ("credit", "Credit and merchant losses", "medium"),
    ("compliance", "Regulatory compliance", "low"),
    ("sanctions", "Sanctions and anti-money-laundering", "low"),
    ("privacy", "Privacy and data protection", "low"),
    ("security", "Information security", "medium"),
    ("trust-safety", "Trust and safety", "medium"),
    ("technology", "Technology and resilience", "high"),
    ("third-party", "Third parties and vendors", "high"),
    ("people", "People and conduct", "high"),
    ("strategic", "Strategic and growth bets", "critical"),
)
CATEGORY_WEIGHTS = (14, 12, 8, 8, 6, 7, 10, 10, 10, 7, 4, 4)

EVENTS: dict[str, tuple[str, ...]] = {
    "fraud": (
        "Account takeover through credential stuffing",
        "Synthetic identities pass onboarding",
        "Friendly fraud drives chargebacks",
        "Promotion abuse by coordinated accounts",
        "Card testing bursts on checkout",
        "Refund fraud through social engineering",
        "Merchant collusion with stolen cards",
        "Authorised push payment scams",
    ),
    "payments-ops": (
        "Payout file sent twice to the bank",
        "Settlement reconciliation breaks go unresolved",
        "Held payouts released without review",
        "Currency conversion uses a stale rate",
        "Manual ledger adjustments without approval",
        "Failed payouts not retried or returned",
        "Fee schedule misconfigured for a region",
    ),
    "credit": (
        "Merchant insolvency leaves negative balances",
        "Reserve levels too low for delayed delivery",
        "Credit limits granted outside policy",
        "Concentration of exposure in one vertical",
        "Early warning signals missed on large merchants",
    ),
    "compliance": (
        "Consumer complaints handled past deadline",
        "Regulatory report filed late or incomplete",
        "Licence conditions breached in a new market",
        "Marketing claims not reviewed for compliance",
        "Record retention rules not applied",
    ),
    "sanctions": (
        "Sanctioned party onboarded as a merchant",
        "Screening list updates applied late",
        "Suspicious activity not escalated in time",
        "Transaction monitoring rules drift out of tune",
        "High-risk corridors bypass enhanced due diligence",
    ),
    "privacy": (
        "Personal data exported without a legal basis",
        "Data subject requests answered late",
        "Support tooling exposes full card numbers",
        "Analytics events capture personal data",
        "Retention deletes do not reach backups",
    ),
    "security": (
        "Privileged access not revoked on leaving",
        "Secrets committed to source control",
        "Unpatched edge services exploited",
        "Phishing compromises a support agent",
        "API keys abused for enumeration",
        "Weak isolation between tenant data",
    ),
    "trust-safety": (
        "Prohibited goods listed by sellers",
        "Harassment reports triaged too slowly",
        "Minors reach age-restricted features",
        "Fake reviews inflate seller ratings",
        "Coordinated spam evades classifiers",
        "Appeals backlog breaches service levels",
    ),
    "technology": (
        "Primary database failover does not complete",
        "Release breaks checkout for a payment method",
        "Capacity exhausted during a seasonal peak",
        "Message queue backlog delays notifications",
        "Configuration drift between regions",
        "Certificate expiry takes an endpoint down",
    ),
    "third-party": (
        "Card processor outage halts authorisations",
        "KYC vendor degrades verification accuracy",
        "Cloud region incident without tested fallback",
        "Vendor subprocessor changes without notice",
        "Bank partner terminates the relationship",
    ),
    "people": (
        "Key-person dependency in payouts operations",
        "Moderator wellbeing erodes capacity",
        "Segregation of duties not maintained in small teams",
        "Contractor access outlives the engagement",
    ),
    "strategic": (
        "New market launch misses its licence window",
        "Pricing change drives merchant churn",
        "Partner platform changes its terms",
        "Crypto payouts pilot attracts abuse",
    ),
}
PRODUCTS = (
    "card payments",
    "instant payouts",
    "marketplace checkout",
    "subscriptions",
    "peer-to-peer transfers",
    "merchant onboarding",
    "seller storefronts",
    "buy now pay later",
    "gift cards",
    "wallet top-ups",
    "cross-border payouts",
    "in-app messaging",
    "live streaming",
    "reviews and ratings",
    "developer API",
)
REGIONS = ("EU", "UK", "US", "Canada", "Brazil", "Mexico", "India", "Japan", "Australia", "Nordics")
PROCESSES = (
    "Onboarding",
    "Checkout",
    "Payouts",
    "Settlement",
    "Disputes",
    "Customer support",
    "Content moderation",
    "Access management",
    "Change management",
    "Vendor management",
    "Regulatory reporting",
    "Incident response",
)
CAUSES = (
    "controls were designed for last year's volumes and have not been recalibrated",
    "the process depends on manual steps performed under time pressure",
    "a third party performs part of the process with limited oversight",
    "adversaries adapt faster than detection rules are updated",
    "ownership is split between teams without a shared runbook",
    "new markets launch before local requirements are fully mapped",
)
CONSEQUENCES = (
    "direct losses, customer refunds and a rise in complaints",
    "regulatory findings, remediation programmes and possible fines",
    "harm to users and loss of trust in the platform",
    "delayed payouts to merchants and breaches of contractual service levels",
    "reputational damage and increased scrutiny from partner banks",
)
TAGS = (
    "sox",
    "pci-dss",
    "gdpr",
    "dora",
    "psd2",
    "dsa",
    "aml",
    "board-watch",
    "emerging",
    "top-10",
    "customer-facing",
    "q1-focus",
)
CONTROL_ACTIONS: dict[str, tuple[str, ...]] = {
    "preventive": (
        "Second approver required for",
        "Velocity limits enforced on",
        "Automated sanctions screening of",
        "Role-based access restricted for",
        "Schema validation blocks malformed",
        "Mandatory peer review before changes to",
        "Step-up authentication enforced on",
        "Hold queue applied to risky",
    ),
    "detective": (
        "Daily reconciliation of",
        "Anomaly alerting on",
        "Weekly review of exceptions in",
        "Monthly access recertification for",
        "Sampling quality review of",
        "Dashboard threshold alerts on",
        "Independent reperformance of",
    ),
    "corrective": (
        "Clawback procedure for",
        "Automated rollback of",
        "Customer remediation playbook for",
        "Reissue and notify process for",
    ),
}
CONTROL_OBJECTS = (
    "payout batches",
    "merchant applications",
    "manual ledger adjustments",
    "refund requests",
    "production deployments",
    "privileged sessions",
    "chargeback disputes",
    "screening alerts",
    "seller listings",
    "user reports",
    "vendor access grants",
    "fee configuration changes",
    "data exports",
    "card-not-present transactions",
    "API key issuance",
)
ASSERTIONS = (
    "existence-or-occurrence",
    "completeness",
    "valuation-or-allocation",
    "rights-and-obligations",
    "presentation-and-disclosure",
    "accuracy",
    "cutoff",
    "classification",
)
EVIDENCE = (
    "Approval record in the payouts console, retained 7 years",
    "Signed reconciliation report in the finance drive",
    "Ticket with reviewer sign-off in the change tracker",
    "Alert history exported from the monitoring system",
    "Screening log with disposition per alert",
    "Access review spreadsheet signed by the system owner",
    "Pipeline run log with the approving reviewer",
    "Quality review checklist stored with each sampled case",
)
BARRIERS = (
    "The payout hold queue stopped the batch before release",
    "A second approver rejected the change in review",
    "Velocity limits blocked the burst after the first attempts",
    "The daily reconciliation flagged the break before settlement",
    "The canary deployment failed its health check and rolled back",
    "A support agent escalated the pattern to the fraud desk",
)
TESTERS = (
    "Internal Audit (M. Okafor)",
    "Internal Audit (S. Lindqvist)",
    "Second line (R. Haddad)",
    "Second line (J. Núñez)",
    "External auditor",
    "Controls testing team",
)
FIRST_NAMES = (
    "Ana", "Ben", "Chloé", "Dmitri", "Efua", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kemi", "Lars", "Maya", "Nikhil", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tariq",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë", "Amara", "Bruno", "Carmen", "Dev",
    "Elena", "Felix", "Gita", "Hamza", "Ivy", "José", "Kai", "Lina", "Mateo", "Noor",
)  # fmt: skip
LAST_NAMES = (
    "Okafor", "Lindqvist", "Haddad", "Núñez", "Tanaka", "Müller", "Silva", "Kowalski",
    "Mensah", "O'Brien", "Rossi", "Petrov", "Chen", "Dubois", "García", "Nakamura",
    "Ivanova", "Kaur", "Bergström", "Adeyemi", "Costa", "Novak", "Fischer", "Moreau",
    "Andersen", "Yilmaz", "Sato", "Hughes", "Reyes", "Kim",
)  # fmt: skip
TEAMS = (
    "payments-risk",
    "fraud-ops",
    "payouts-ops",
    "trust-safety",
    "compliance",
    "financial-crime",
    "privacy-office",
    "security-engineering",
    "platform-sre",
    "vendor-management",
    "credit-risk",
    "internal-audit",
    "customer-support",
    "data-platform",
    "legal",
)
ROOT_CAUSE_CATEGORIES = (
    "process",
    "technology",
    "monitoring",
    "third-party",
    "environment",
    "people",
)
WHY_CHAINS: dict[str, tuple[str, ...]] = {
    "process": (
        "The approval step could be skipped when the queue was over its service level",
        "The runbook allowed a single approver during peak periods",
        "The exception path was never reviewed after the volume doubled",
        "No owner was assigned to keep the procedure current",
        "Procedure reviews were not part of the quarterly control cycle",
    ),
    "technology": (
        "The deployment changed a default in the rules engine",
        "The configuration was not covered by integration tests",
        "The test fixtures predated the new payment method",
        "Fixture updates were not required by the change template",
        "The change template has no section for data fixtures",
    ),
    "monitoring": (
        "The spike was visible on the dashboard but raised no alert",
        "The alert threshold was tuned for last year's volume",
        "Thresholds are not recalibrated after growth",
        "No KRI tracked alert precision or recall",
        "Monitoring ownership moved teams without a handover",
    ),
    "third-party": (
        "The vendor's API returned stale results for six hours",
        "Our integration treated stale results as fresh",
        "The contract has no freshness commitment",
        "Vendor due diligence did not cover data freshness",
        "The vendor risk questionnaire predates real-time use",
    ),
    "environment": (
        "A coordinated ring attacked during a public holiday",
        "Staffing on holidays was sized for normal volume",
        "Capacity planning used averages instead of peaks",
        "Seasonal peaks were not modelled for new regions",
        "Regional launches skip the capacity review",
    ),
    "people": (
        "The on-call analyst lacked access to the hold queue",
        "Access requests for on-call rotations take three days",
        "Rotations are scheduled after the access cut-off",
        "The rota tool is not integrated with access provisioning",
        "Provisioning integration was descoped last year",
    ),
}
ACTION_TEXT = {
    "mitigate": (
        "Add an alert on payout volume per merchant per hour",
        "Write a playbook for releasing held payouts in bulk",
        "Introduce a kill switch for the new payment method",
        "Rate-limit the affected endpoint per API key",
    ),
    "prevent": (
        "Require a second approver in the console for every release",
        "Add integration tests for rules-engine defaults",
        "Add a freshness check on vendor responses",
        "Provision on-call access automatically from the rota",
    ),
    "process": (
        "Add the procedure to the quarterly control review",
        "Run a tabletop drill for a holiday fraud ring",
        "Include fixture updates in the change template",
        "Recalibrate alert thresholds after each growth review",
    ),
}
KRI_METRICS: tuple[tuple[str, str, str], ...] = (
    ("Chargeback rate on {p}", "pct", "higher-is-worse"),
    ("Account takeover reports on {p}", "count", "higher-is-worse"),
    ("Payout reconciliation breaks in {p}", "count", "higher-is-worse"),
    ("Fraud losses on {p}", "currency", "higher-is-worse"),
    ("Screening alert backlog age for {p}", "duration", "higher-is-worse"),
    ("Declined authorisation ratio on {p}", "ratio", "higher-is-worse"),
    ("Dispute loss rate on {p}", "bps", "higher-is-worse"),
    ("Time to action user reports on {p}", "duration", "higher-is-worse"),
    ("Open privileged sessions for {p}", "count", "higher-is-worse"),
    ("Detection coverage of {p}", "pct", "lower-is-worse"),
    ("Model precision on {p}", "ratio", "lower-is-worse"),
    ("Straight-through processing on {p}", "pct", "lower-is-worse"),
)
FAILURE_MODES = (
    "Fraudsters exploit the new flow before limits are tuned",
    "Support cannot see the new transaction type and mis-handles disputes",
    "Regional regulator objects to the disclosure wording",
    "Payout provider rejects the new currency at settlement",
    "Classifier precision drops on the new content type",
    "Load at launch exceeds the capacity plan",
    "Onboarding checks are skipped for migrated accounts",
    "Reconciliation misses the new fee line",
    "Minors reach the feature through a partner app",
    "Refund path double-credits customers",
)
LAUNCH_NAMES = (
    "Instant payouts",
    "Pay by bank",
    "Seller financing",
    "Creator tipping",
    "Group payments",
    "Recurring donations",
    "Marketplace escrow",
    "Live shopping",
    "Multi-currency wallets",
    "Merchant cash advance",
    "Business debit cards",
    "Teen accounts",
)


# --------------------------------------------------------------------------------------------
# YAML text helpers. Strings are written double-quoted with JSON escapes (valid YAML), so no
# value is ever read as a boolean, a number or a date by accident.


def quoted(text: str) -> str:
    """A YAML double-quoted scalar for `text`."""
    return json.dumps(text, ensure_ascii=False)


def number(value: float, decimals: int) -> str:
    """A float with a decimal point (YAML 1.1 and 1.2 both read it as a float)."""
    return f"{value:.{max(decimals, 1)}f}"


def block(text: str, indent: str) -> str:
    """A literal block scalar (`|-`) holding `text`, for multi-line descriptions."""
    lines = "".join(f"\n{indent}  {line}" for line in text.split("\n"))
    return "|-" + lines


def slug(text: str) -> str:
    """A kebab-case ASCII slug of `text`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    """A uniformly random day between `first` and `last`, inclusive."""
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def pick_weighted(rng: random.Random, items: Sequence[str], weights: Sequence[int]) -> str:
    """One of `items`, drawn with `weights`."""
    return rng.choices(items, weights=weights, k=1)[0]


def make_id(prefix: str, number_: int, width: int) -> str:
    """An id such as R-00042."""
    return f"{prefix}{number_:0{width}d}"


class UniqueTitles:
    """Hands out titles, suffixing a number when a generated title was already used."""

    def __init__(self) -> None:
        """Start with no title used."""
        self.used: set[str] = set()

    def claim(self, draw: Callable[[], str], tries: int = 8) -> str:
        """A title from `draw` that no earlier call returned."""
        title = draw()
        for _ in range(tries):
            if title not in self.used:
                break
            title = draw()
        base, suffix = title, 2
        while title in self.used:
            title, suffix = f"{base} ({suffix})", suffix + 1
        self.used.add(title)
        return title


# --------------------------------------------------------------------------------------------
# The register in memory: the cross-referenced facts, from which the YAML text is written.


@dataclass
class Owner:
    """An owner: a team or a person, escalating to an owner created before it."""

    id: str
    name: str
    team: str | None
    email: str
    escalation: str | None


@dataclass
class ControlTest:
    """One recorded test of a control."""

    date: datetime.date
    type: str
    procedure: str
    sample_size: int
    exceptions: int
    result: str
    tester: str


@dataclass
class Control:
    """A control, with what the residual calculation needs."""

    id: str
    title: str
    owner: str
    nature: str
    automation: str
    frequency: str
    status: str
    reduces: str
    key: bool
    design: str
    operating: str
    tests: list[ControlTest]
    objective: str
    assertions: list[str]
    evidence: str | None
    annual_cost: float | None

    def credit(self) -> float:
        """Residual credit under the project's default model (residual-scoring.md §3)."""
        if self.status not in ("active", "degraded"):
            return 0.0
        grade = min(self.design, self.operating, key=GRADE_ORDER.index)
        credit = CREDITS[grade]
        if self.status == "degraded":
            credit = min(credit, CREDITS["partially-effective"])
        operating_tests = [test for test in self.tests if test.type == "operating"]
        if operating_tests and operating_tests[-1].result == "fail":
            return 0.0
        return credit


@dataclass
class Risk:
    """A risk and its derived residual."""

    id: str
    title: str
    category: str
    owner: str
    process: str
    inherent: tuple[int, int]
    controls: list[str]
    residual: tuple[int, int] = (1, 1)
    override: tuple[int, int] | None = None
    target: tuple[int, int] | None = None
    status: str = "open"
    treatment: str = "mitigate"
    reviewed: datetime.date = NOW
    kris: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    accepted: bool = False

    @property
    def effective_residual(self) -> tuple[int, int]:
        """The analyst's override where there is one, else the computed residual."""
        return self.override or self.residual


def level_of(point: tuple[int, int]) -> str:
    """The 5x5-multiplicative level of a likelihood/impact pair."""
    score = point[0] * point[1]
    if score <= 4:
        return "low"
    if score <= 9:
        return "medium"
    if score <= 16:
        return "high"
    return "critical"


def residual_of(inherent: tuple[int, int], controls: Sequence[Control]) -> tuple[int, int]:
    """The computed residual: compound credits per dimension, mapped back conservatively."""
    remaining = {"likelihood": 1.0, "impact": 1.0}
    for control in controls:
        credit = control.credit()
        for dimension in ("likelihood", "impact"):
            if control.reduces in (dimension, "both"):
                remaining[dimension] *= 1.0 - credit
    result = []
    for value, dimension in zip(inherent, ("likelihood", "impact"), strict=True):
        reduced = 1.0 + (value - 1) * remaining[dimension]
        result.append(min(value, max(1, math.ceil(reduced - 1e-9))))
    return result[0], result[1]


class Generator:
    """Builds the register in memory from one seeded random stream, then writes it."""

    def __init__(self, seed: int, risks: int) -> None:
        """Size every kind from the number of risks."""
        self.rng = random.Random(seed)
        self.n_risks = risks
        self.n_controls = 2 * risks
        self.n_owners = max(12, round(risks * 0.06))
        self.n_incidents = round(risks * 1.6)
        self.n_kris = max(4, round(risks * 0.4))
        self.n_launches = max(3, round(risks * 0.14))
        self.n_acceptances = round(risks * 0.4)
        self.width = max(5, len(str(max(self.n_risks, self.n_controls))))
        self.owners: list[Owner] = []
        self.controls: dict[str, Control] = {}
        self.risks: list[Risk] = []
        self.kri_risks: dict[str, list[str]] = {}
        self.files: dict[str, str] = {}

    # -- owners ---------------------------------------------------------------------------

    def build_owners(self) -> None:
        """Teams first, then people; each escalates to an earlier owner, so no cycle exists."""
        rng = self.rng
        used: set[str] = set()
        root = Owner("chief-risk-officer", "Chief Risk Officer", "risk", "cro@example.com", None)
        self.owners.append(root)
        used.add(root.id)
        teams = [team for team in TEAMS if team not in used][: max(4, self.n_owners // 10)]
        for team in teams:
            name = team.replace("-", " ").capitalize() + " team"
            self.owners.append(Owner(team, name, team, f"{team}@example.com", root.id))
            used.add(team)
        while len(self.owners) < self.n_owners:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            owner_id = slug(name)
            suffix = 2
            while owner_id in used:
                owner_id, suffix = f"{slug(name)}-{suffix}", suffix + 1
            used.add(owner_id)
            team = rng.choice(teams)
            # People escalate to their team or to someone created earlier.
            escalation = team if rng.random() < 0.6 else rng.choice(self.owners[1:]).id
            self.owners.append(Owner(owner_id, name, team, f"{owner_id}@example.com", escalation))

    def owner_id(self) -> str:
        """A random owner other than the chief risk officer."""
        return self.rng.choice(self.owners[1:]).id

    # -- controls -------------------------------------------------------------------------

    def build_control(self, number_: int, is_first: bool, titles: UniqueTitles) -> Control:
        """One control; the first control of a risk is active, key and tested."""
        rng = self.rng
        nature = pick_weighted(rng, ("preventive", "detective", "corrective"), (50, 40, 10))
        if nature == "preventive":
            reduces = "both" if rng.random() < 0.15 else "likelihood"
        elif nature == "detective":
            reduces = pick_weighted(rng, ("impact", "both", "likelihood"), (60, 30, 10))
        else:
            reduces = "impact"
        automation = pick_weighted(
            rng, ("manual", "automated", "it-dependent-manual"), (35, 35, 30)
        )
        if automation == "automated":
            frequency = pick_weighted(
                rng, ("continuous", "multiple-daily", "daily", "event-driven"), (50, 15, 20, 15)
            )
        else:
            frequency = pick_weighted(
                rng,
                ("daily", "weekly", "monthly", "quarterly", "annual", "event-driven"),
                (20, 25, 25, 15, 5, 10),
            )
        if is_first:
            status = "active"
        else:
            status = pick_weighted(rng, ("active", "degraded", "planned"), (86, 6, 8))
        key = is_first or (status == "active" and rng.random() < 0.3)
        if status == "planned":
            design = operating = "not-tested"
        elif status == "degraded":
            design, operating = "effective", "partially-effective"
        else:
            weights = (78, 17, 0) if key else (70, 20, 10)
            operating = pick_weighted(
                rng, ("effective", "partially-effective", "ineffective"), weights
            )
            if operating == "effective":
                design = "effective"
            else:
                design = "effective" if rng.random() < 0.65 else "partially-effective"
        tests = self.build_tests(automation, frequency, design, operating)
        title = titles.claim(
            lambda: (
                f"{rng.choice(CONTROL_ACTIONS[nature])} {rng.choice(CONTROL_OBJECTS)}"
                f" ({rng.choice(PRODUCTS)})"
            )
        )
        if nature == "preventive":
            purpose = "errors and abuse are stopped before they reach customers"
        else:
            purpose = "errors and abuse are found and put right"
        objective = f"{title.split(' (')[0]}, so that {purpose} ({frequency.replace('-', ' ')})."
        assertions = sorted(rng.sample(ASSERTIONS, rng.randint(1, 3))) if rng.random() < 0.5 else []
        return Control(
            id=make_id("C-", number_, self.width),
            title=title,
            owner=self.owner_id(),
            nature=nature,
            automation=automation,
            frequency=frequency,
            status=status,
            reduces=reduces,
            key=key,
            design=design,
            operating=operating,
            tests=tests,
            objective=objective,
            assertions=assertions,
            evidence=rng.choice(EVIDENCE) if rng.random() < 0.85 else None,
            annual_cost=round(rng.uniform(500, 250_000), -2) if rng.random() < 0.7 else None,
        )

    def build_tests(
        self, automation: str, frequency: str, design: str, operating: str
    ) -> list[ControlTest]:
        """Tests that support the ratings: last year's cycle, then this year's, oldest first."""
        rng = self.rng
        if operating == "not-tested":
            return []
        minimum = 1 if automation == "automated" else MIN_SAMPLE[frequency]
        tests: list[ControlTest] = []
        if rng.random() < 0.5:  # last year's cycle, both passed
            last_year = day(rng, datetime.date(2025, 10, 1), datetime.date(2025, 11, 10))
            tests.append(
                ControlTest(last_year, "design", "inspection", 1, 0, "pass", rng.choice(TESTERS))
            )
            tests.append(
                ControlTest(
                    last_year + datetime.timedelta(days=rng.randint(3, 20)),
                    "operating",
                    rng.choice(("inspection", "reperformance", "observation")),
                    minimum + rng.randint(0, 5),
                    0,
                    "pass",
                    rng.choice(TESTERS),
                )
            )
        design_date = day(rng, CYCLE_START, CYCLE_END - datetime.timedelta(days=10))
        tests.append(
            ControlTest(
                design_date,
                "design",
                rng.choice(("inspection", "observation")),
                1,
                0,
                "pass",
                rng.choice(TESTERS),
            )
        )
        operating_date = day(rng, design_date + datetime.timedelta(days=1), CYCLE_END)
        sample = minimum + rng.randint(0, 5)
        if operating == "effective":
            result, exceptions = "pass", 0
        elif operating == "partially-effective":  # one exception: expanded sample, inconclusive
            result, exceptions, sample = "inconclusive", 1, 2 * sample
        else:
            result, exceptions = "fail", rng.randint(2, 4)
            sample = max(sample, exceptions)
        tests.append(
            ControlTest(
                operating_date,
                "operating",
                rng.choice(("inspection", "reperformance")),
                sample,
                exceptions,
                result,
                rng.choice(TESTERS),
            )
        )
        return tests

    # -- risks ----------------------------------------------------------------------------

    def build_risks(self) -> None:
        """Risks with their controls; residuals are within appetite unless accepted."""
        rng = self.rng
        control_titles, risk_titles = UniqueTitles(), UniqueTitles()
        # Split the controls over the risks: every risk has 1-4 controls of its own.
        counts = [1] * self.n_risks
        for _ in range(self.n_controls - self.n_risks):
            index = rng.randrange(self.n_risks)
            while counts[index] >= 4:
                index = rng.randrange(self.n_risks)
            counts[index] += 1
        accepted = set(rng.sample(range(self.n_risks), self.n_acceptances))
        control_number, deficit = 0, 0
        appetite_of = {category: appetite for category, _, appetite in CATEGORIES}
        category_ids = [category for category, _, _ in CATEGORIES]
        for index in range(self.n_risks):
            own: list[Control] = []
            for position in range(counts[index]):
                control_number += 1
                own.append(self.build_control(control_number, position == 0, control_titles))
            for control in own:
                self.controls[control.id] = control
            controls = list(own)
            if index > 0 and rng.random() < 0.1:  # a control shared with an earlier risk
                shared = self.controls[
                    make_id("C-", rng.randint(1, control_number - len(own)), self.width)
                ]
                controls.append(shared)
            # A risk picked for acceptance whose controls keep it within every appetite hands
            # its acceptance on to a later risk.
            wants_acceptance = index in accepted or (deficit > 0 and rng.random() < 0.5)
            placed = self.draw_above_appetite(controls) if wants_acceptance else None
            if placed is not None:
                category, inherent, residual = placed
                if index not in accepted:
                    deficit -= 1
            else:
                if index in accepted:
                    deficit += 1
                wants_acceptance = False
                category = pick_weighted(rng, category_ids, CATEGORY_WEIGHTS)
                inherent, residual = self.draw_within_appetite(controls, appetite_of[category])
            event = rng.choice(EVENTS[category])

            def draw_title(event: str = event) -> str:
                return f"{event} ({rng.choice(PRODUCTS)}, {rng.choice(REGIONS)})"

            title = risk_titles.claim(draw_title)
            risk = Risk(
                id=make_id("R-", index + 1, self.width),
                title=title,
                category=category,
                owner=self.owner_id(),
                process=rng.choice(PROCESSES),
                inherent=inherent,
                controls=sorted(control.id for control in controls),
                residual=residual,
                accepted=wants_acceptance,
            )
            self.finish_risk(risk, appetite_of[category])
            self.risks.append(risk)
        self.n_acceptances = sum(1 for risk in self.risks if risk.accepted)

    def draw_above_appetite(
        self, controls: Sequence[Control]
    ) -> tuple[str, tuple[int, int], tuple[int, int]] | None:
        """A category, an inherent point and its residual above the category's appetite."""
        rng = self.rng
        for _ in range(60):
            inherent = (rng.randint(3, 5), rng.randint(3, 5))
            residual = residual_of(inherent, controls)
            below = [
                category
                for category, _, appetite in CATEGORIES
                if LEVELS.index(appetite) < level_rank(residual)
            ]
            if below:
                return rng.choice(below), inherent, residual
        return None

    def draw_within_appetite(
        self, controls: Sequence[Control], appetite: str
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        """An inherent point and its residual, the residual within `appetite`."""
        rng = self.rng
        for _ in range(60):
            likelihood = int(pick_weighted(rng, "12345", (12, 25, 30, 23, 10)))
            impact = int(pick_weighted(rng, "12345", (8, 20, 32, 26, 14)))
            inherent = (likelihood, impact)
            residual = residual_of(inherent, controls)
            if level_rank(residual) <= LEVELS.index(appetite):
                return inherent, residual
        inherent = (1, rng.randint(1, 4))  # the quietest risk there is fits every appetite
        return inherent, residual_of(inherent, controls)

    def finish_risk(self, risk: Risk, appetite: str) -> None:
        """Treatment, status, override, target, review date and tags."""
        rng = self.rng
        if risk.accepted:
            risk.treatment = "accept"
        else:
            risk.treatment = "transfer" if rng.random() < 0.1 else "mitigate"
            if rng.random() < 0.03:
                risk.status = "closed"
            bumped = (min(risk.inherent[0], risk.residual[0] + 1), risk.residual[1])
            if (
                rng.random() < 0.04
                and bumped != risk.residual
                and level_rank(bumped) <= LEVELS.index(appetite)
            ):
                risk.override = bumped
            if rng.random() < 0.4:
                current = risk.effective_residual
                risk.target = (max(1, current[0] - rng.randint(0, 1)), max(1, current[1] - 1))
        cadence = REVIEW_DAYS[level_of(risk.effective_residual)]
        latest = NOW - datetime.timedelta(days=1)
        earliest = max(
            LAST_INCIDENT + datetime.timedelta(days=1),
            NOW - datetime.timedelta(days=cadence - 14),
        )
        risk.reviewed = day(rng, earliest, latest)
        risk.tags = sorted(rng.sample(TAGS, rng.randint(0, 3)))

    # -- KRIs, incidents, launches, acceptances -------------------------------------------

    def open_risks(self) -> list[Risk]:
        """Risks that other entities may point at."""
        return [risk for risk in self.risks if risk.status == "open"]

    def build_kris(self) -> None:
        """KRIs over open risks, with steady, green, in-control weekly series."""
        rng = self.rng
        candidates = self.open_risks()
        titles = UniqueTitles()
        width = max(3, len(str(self.n_kris)))
        # Every accepted (above-appetite) risk is watched by a KRI, as RK504 asks.
        above = [risk for risk in candidates if risk.accepted]
        assigned: list[list[Risk]] = []
        for number_ in range(self.n_kris):
            linked = rng.sample(candidates, 1 if rng.random() < 0.6 else 2)
            if number_ < len(above) and above[number_] not in linked:
                linked = [above[number_], *linked[1:]]
            assigned.append(linked)
        for extra, risk in enumerate(above[self.n_kris :]):
            group = assigned[extra % self.n_kris]
            if risk not in group:
                group.append(risk)
        for number_, linked in enumerate(assigned, start=1):
            kri_id = make_id("KRI-", number_, width)
            self.kri_risks[kri_id] = sorted(risk.id for risk in linked)
            for risk in linked:
                risk.kris.append(kri_id)
            metric, unit, direction = rng.choice(KRI_METRICS)

            def draw_title(metric: str = metric) -> str:
                return metric.format(p=rng.choice(PRODUCTS))

            title = titles.claim(draw_title)
            self.files[f"kris/{kri_id}.yaml"] = self.kri_text(
                kri_id, title, unit, direction, self.kri_risks[kri_id], linked[0].owner
            )

    def kri_text(
        self,
        kri_id: str,
        title: str,
        unit: str,
        direction: str,
        risks: list[str],
        owner: str,
    ) -> str:
        """A KRI file: thresholds clear of a series that alternates around its level.

        The series never stays on one side of its level for more than two points and no
        deviation exceeds one `scale`, so the XmR chart shows no signal (the average moving
        range keeps the mid-lines beyond every point) and no value reaches red; a few reach
        amber; the latest is green.
        """
        rng = self.rng
        decimals, base, scale = self.kri_scale(unit)
        worse = 1 if direction == "higher-is-worse" else -1
        amber = base + worse * 0.85 * scale
        red = base + worse * 3.2 * scale
        count = rng.randint(50, 100)
        last_date = NOW - datetime.timedelta(days=rng.randint(1, 6))
        first_date = last_date - datetime.timedelta(weeks=count - 1)
        baseline_roll = rng.random()
        baseline = 20 if baseline_roll < 0.45 else count
        values = self.kri_series(unit, base, scale, worse, decimals, count)
        for _ in range(50):
            if not has_xmr_signal(values, baseline) and not has_xmr_signal(values, count):
                break
            values = self.kri_series(unit, base, scale, worse, decimals, count)
        lines = [
            f"id: {kri_id}",
            f"title: {quoted(title)}",
            f"owner: {owner}",
            "risks: [" + ", ".join(risks) + "]",
            f"unit: {unit}",
            f"direction: {direction}",
        ]
        if rng.random() < 0.5:
            lines.append("frequency: weekly")
        lines += [
            "thresholds:",
            f"  amber: {number(amber, decimals)}",
            f"  red: {number(red, decimals)}",
        ]
        if baseline_roll < 0.3:
            lines += ["baseline:", "  first: 20"]
        elif baseline_roll < 0.45:
            end = first_date + datetime.timedelta(weeks=19)
            lines += ["baseline:", f"  from: {first_date.isoformat()}", f"  to: {end.isoformat()}"]
        lines.append("observations:")
        for offset, value in enumerate(values):
            when = first_date + datetime.timedelta(weeks=offset)
            lines.append(f"  - date: {when.isoformat()}")
            lines.append(f"    value: {number(value, decimals)}")
        return "\n".join(lines) + "\n"

    def kri_series(
        self, unit: str, base: float, scale: float, worse: int, decimals: int, count: int
    ) -> list[float]:
        """`count` values around `base`, rounded as written, the latest on the good side."""
        rng = self.rng
        side, run = rng.choice((-1, 1)), 0
        values: list[float] = []
        for _ in range(count):
            if run >= 2 or (run > 0 and rng.random() < 0.8):
                side, run = -side, 0
            run += 1
            deviation = rng.uniform(0.3, 1.0) * scale
            if unit == "count":
                deviation = float(rng.randint(1, int(scale)))
            values.append(base + side * deviation)
        if (values[-1] - base) * worse > 0:  # the latest observation is green
            values[-1] = 2 * base - values[-1]
        return [round(value, max(decimals, 1)) for value in values]

    def kri_scale(self, unit: str) -> tuple[int, float, float]:
        """Decimals, level and deviation scale of a series in `unit`."""
        rng = self.rng
        if unit == "count":
            base = float(rng.randint(20, 400))
            return 0, base, float(max(2, round(base * 0.08)))
        if unit == "pct":
            base = round(rng.uniform(40.0, 95.0) if rng.random() < 0.3 else rng.uniform(0.5, 20), 2)
            return 2, base, base * 0.03
        if unit == "ratio":
            base = round(rng.uniform(0.05, 0.8), 4)
            return 4, base, base * 0.05
        if unit == "bps":
            base = round(rng.uniform(5, 200), 1)
            return 1, base, base * 0.06
        if unit == "currency":
            base = round(rng.uniform(10_000, 2_000_000), -2)
            return 2, base, base * 0.07
        base = round(rng.uniform(1, 48), 2)  # duration, hours
        return 2, base, base * 0.07

    def build_incidents(self) -> None:
        """Incidents and near-misses from 2023 to September 2026, numbered per year."""
        rng = self.rng
        candidates = self.open_risks()
        by_year: dict[int, list[datetime.date]] = {}
        for _ in range(self.n_incidents):
            year = int(pick_weighted(rng, ("2023", "2024", "2025", "2026"), (20, 25, 30, 25)))
            last = LAST_INCIDENT if year == 2026 else datetime.date(year, 12, 31)
            by_year.setdefault(year, []).append(day(rng, datetime.date(year, 1, 1), last))
        titles = UniqueTitles()
        for year in sorted(by_year):
            dates = sorted(by_year[year])
            width = max(3, len(str(len(dates))))
            for number_, occurred in enumerate(dates, start=1):
                incident_id = f"INC-{year}-{number_:0{width}d}"
                self.files[f"incidents/{incident_id}.yaml"] = self.incident_text(
                    incident_id, occurred, rng.sample(candidates, rng.choice((1, 1, 1, 2))), titles
                )

    def incident_text(
        self,
        incident_id: str,
        occurred: datetime.date,
        risks: list[Risk],
        titles: UniqueTitles,
    ) -> str:
        """An incident file with a verified five-whys chain and its actions."""
        rng = self.rng
        near_miss = rng.random() < 0.25
        if near_miss:
            severity = rng.choice((1, 1, 2))
            potential: int | None = rng.randint(severity + 1, 5)
        else:
            severity = int(pick_weighted(rng, "12345", (30, 30, 22, 13, 5)))
            potential = rng.randint(severity, 5) if rng.random() < 0.3 else None
        detected = occurred + datetime.timedelta(days=rng.choice((0, 0, 0, 1, 2, 5, 10)))
        is_open = occurred.year == 2026 and rng.random() < 0.3
        resolved = None if is_open else detected + datetime.timedelta(days=rng.randint(0, 30))
        # A control that failed keeps its residual credit only if it passed an operating test
        # since; partially-effective controls have not (their latest test is inconclusive).
        candidates = sorted(
            {
                c
                for risk in risks
                for c in risk.controls
                if self.controls[c].status == "active"
                and self.controls[c].operating in ("effective", "ineffective")
            }
        )
        failed = sorted(rng.sample(candidates, min(len(candidates), rng.choice((0, 1, 1, 2)))))
        if near_miss and not failed and candidates:
            failed = [rng.choice(candidates)]
        risk = risks[0]
        title = titles.claim(
            lambda: f"{risk.title.split(' (')[0]}: {rng.choice(PRODUCTS)} on {occurred:%d %b %Y}"
        )
        cause = rng.choice(ROOT_CAUSE_CATEGORIES)
        chain = WHY_CHAINS[cause][: rng.randint(2, 5)]
        lines = [
            f"id: {incident_id}",
            f"kind: {'near-miss' if near_miss else 'incident'}",
            f"title: {quoted(title)}",
            f"status: {'open' if is_open else 'closed'}",
            f"occurred: {occurred.isoformat()}",
            f"detected: {detected.isoformat()}",
        ]
        if resolved is not None:
            lines.append(f"resolved: {resolved.isoformat()}")
        lines.append(f"severity: {severity}")
        if potential is not None:
            lines.append(f"potential_severity: {potential}")
        lines += [
            f"owner: {risk.owner}",
            "risks: [" + ", ".join(r.id for r in risks) + "]",
            "failed_controls: [" + ", ".join(failed) + "]",
        ]
        affected = rng.randint(3, 4000)
        if near_miss:
            lines.append(f"barrier_that_held: {quoted(rng.choice(BARRIERS))}")
            outcome = f"Up to {affected} customers could have been affected; none were."
            impact = f"No customer impact; potential exposure of EUR {affected * 37:,}"
        else:
            outcome = f"{affected} customers were affected before containment."
            impact = f"{affected} customers affected; losses of EUR {affected * 37:,}"
        lines += [
            "summary: "
            + block(
                f"{risk.title.split(' (')[0]}, detected after "
                f"{(detected - occurred).days} day(s).\n{outcome}",
                "",
            ),
            f"impact: {quoted(impact)}",
            "root_cause:",
            f"  category: {cause}",
            "  whys:",
        ]
        for position, why in enumerate(chain, start=1):
            lines.append(f"    - why: {quoted(why)}")
            lines.append(
                f"      evidence: {quoted(f'TICKET-{rng.randint(1000, 99999)} step {position}')}"
            )
            lines.append("      verified: true")
        lines.append("actions:")
        for position in range(1, rng.randint(1, 3) + 1):
            action_type = rng.choice(("mitigate", "prevent", "process"))
            if resolved is not None:
                status = "done" if rng.random() < 0.9 else "cancelled"
                due = resolved + datetime.timedelta(days=rng.randint(0, 45))
                due = min(due, NOW - datetime.timedelta(days=1))
            else:
                status = rng.choice(("open", "in-progress", "done"))
                due = NOW + datetime.timedelta(days=rng.randint(14, 120))
            lines += [
                f"  - id: A{position}",
                f"    description: {quoted(rng.choice(ACTION_TEXT[action_type]))}",
                f"    owner: {self.owner_id()}",
                f"    due: {due.isoformat()}",
                f"    status: {status}",
                f"    type: {action_type}",
            ]
        return "\n".join(lines) + "\n"

    def build_launches(self) -> None:
        """Launches with pre-mortem failure modes, each with an action and a detection control."""
        rng = self.rng
        watched = [risk for risk in self.open_risks() if risk.kris]
        live_controls = [c for c in self.controls.values() if c.status in ("active", "degraded")]
        by_nature = {
            nature: {c.id for c in live_controls if c.nature == nature}
            for nature in ("preventive", "detective")
        }
        titles = UniqueTitles()
        width = max(3, len(str(self.n_launches)))
        for number_ in range(1, self.n_launches + 1):
            launch_id = make_id("LAUNCH-", number_, width)
            risks = rng.sample(watched, rng.randint(1, 3))
            self.files[f"launches/{launch_id}.yaml"] = self.launch_text(
                launch_id, risks, by_nature, titles
            )

    def launch_text(
        self,
        launch_id: str,
        risks: list[Risk],
        by_nature: dict[str, set[str]],
        titles: UniqueTitles,
    ) -> str:
        """A launch file."""
        rng = self.rng
        status = pick_weighted(
            rng, ("planned", "launched", "closed", "cancelled"), (30, 35, 25, 10)
        )
        if status == "planned":
            launch_date = day(rng, NOW + datetime.timedelta(days=7), datetime.date(2027, 6, 30))
        elif status == "launched":
            launch_date = day(rng, datetime.date(2026, 6, 1), NOW - datetime.timedelta(days=7))
        elif status == "closed":
            launch_date = day(rng, datetime.date(2025, 3, 1), datetime.date(2026, 3, 31))
        else:
            launch_date = day(rng, datetime.date(2025, 6, 1), datetime.date(2027, 3, 31))
        title = titles.claim(lambda: f"{rng.choice(LAUNCH_NAMES)} in {rng.choice(REGIONS)}")
        name, region = title.split(" in ")[0], title.split(" in ")[1]
        risk_controls = sorted({c for risk in risks for c in risk.controls})
        fallback = {nature: sorted(ids) for nature, ids in by_nature.items()}

        def controls_of(nature: str) -> list[str]:
            own = [c for c in risk_controls if c in by_nature[nature]]
            pool = own or fallback[nature]
            return sorted(rng.sample(pool, min(len(pool), rng.randint(1, 2))))

        lines = [
            f"id: {launch_id}",
            f"title: {quoted(title)}",
            f"owner: {self.owner_id()}",
            f"launch_date: {launch_date.isoformat()}",
            f"status: {status}",
            "description: "
            + block(
                f"{name} for customers in {region}.\n"
                "Pre-mortem held with product, risk, support and engineering.",
                "",
            ),
            "risks: [" + ", ".join(sorted(risk.id for risk in risks)) + "]",
            "failure_modes:",
        ]
        for position in range(1, rng.randint(2, 6) + 1):
            lines += [
                f"  - id: FM-{position}",
                f"    description: {quoted(rng.choice(FAILURE_MODES))}",
                f"    severity: {rng.randint(1, 10)}",
                f"    occurrence: {rng.randint(1, 10)}",
                f"    detection: {rng.randint(1, 10)}",
                "    prevention_controls: [" + ", ".join(controls_of("preventive")) + "]",
                "    detection_controls: [" + ", ".join(controls_of("detective")) + "]",
                "    actions:",
            ]
            for action in rng.sample(ACTION_TEXT["mitigate"] + ACTION_TEXT["prevent"], 2):
                lines.append(f"      - {quoted(action)}")
            if rng.random() < 0.2:
                lines.append(
                    "    justification: "
                    + quoted("Residual exposure is covered by the merchant reserve.")
                )
            lines.append(f"    risk: {rng.choice(risks).id}")
        kris = sorted({kri for risk in risks for kri in risk.kris})
        if status != "cancelled":
            lines.append("monitoring:")
            for kri in rng.sample(kris, min(len(kris), rng.randint(1, 3))):
                lines.append(f"  - kri: {kri}")
                if status == "closed":
                    until = launch_date + datetime.timedelta(days=rng.randint(60, 180))
                    reviewed = until + datetime.timedelta(days=rng.randint(0, 14))
                    lines.append(f"    until: {until.isoformat()}")
                    lines.append(f"    reviewed: {reviewed.isoformat()}")
                else:
                    until = max(launch_date, NOW) + datetime.timedelta(days=rng.randint(30, 180))
                    lines.append(f"    until: {until.isoformat()}")
                    if status == "launched" and rng.random() < 0.5:
                        lines.append(
                            f"    reviewed: {(NOW - datetime.timedelta(days=3)).isoformat()}"
                        )
        return "\n".join(lines) + "\n"

    def build_acceptances(self) -> None:
        """One unexpired acceptance, approved by the risk owner, per accepted risk."""
        rng = self.rng
        width = max(5, len(str(self.n_acceptances)))
        accepted = [risk for risk in self.risks if risk.accepted]
        for number_, risk in enumerate(accepted, start=1):
            acceptance_id = make_id("ACC-", number_, width)
            decided = day(rng, datetime.date(2026, 1, 5), datetime.date(2026, 11, 20))
            expires = decided + datetime.timedelta(days=rng.choice((180, 270, 365)))
            expires = max(expires, NOW + datetime.timedelta(days=45))
            residual = risk.effective_residual
            lines = [
                f"id: {acceptance_id}",
                f"risk: {risk.id}",
                f"approver: {risk.owner}",
                f"decided: {decided.isoformat()}",
                f"expires: {expires.isoformat()}",
                "rationale: "
                + quoted(
                    f"Residual {level_of(residual)} exposure on {risk.title} is retained: "
                    "further controls cost more than the expected annual loss."
                ),
                "residual_at_decision:",
                f"  likelihood: {residual[0]}",
                f"  impact: {residual[1]}",
            ]
            self.files[f"acceptances/{acceptance_id}.yaml"] = "\n".join(lines) + "\n"

    # -- text of owners, controls, risks, config ------------------------------------------

    def write_texts(self) -> None:
        """Render the entities kept as objects, and the configuration."""
        for owner in self.owners:
            lines = [f"id: {owner.id}", f"name: {quoted(owner.name)}"]
            if owner.team is not None:
                lines.append(f"team: {quoted(owner.team)}")
            lines.append(f"email: {quoted(owner.email)}")
            if owner.escalation is not None:
                lines.append(f"escalation: {owner.escalation}")
            self.files[f"owners/{owner.id}.yaml"] = "\n".join(lines) + "\n"
        for control in self.controls.values():
            self.files[f"controls/{control.id}.yaml"] = control_text(control)
        for risk in self.risks:
            self.files[f"risks/{risk.id}.yaml"] = self.risk_text(risk)
        self.files["riskctl.yaml"] = config_text()

    def risk_text(self, risk: Risk) -> str:
        """A risk file."""
        rng = self.rng
        event = risk.title.split(" (")[0]
        lines = [
            f"id: {risk.id}",
            f"title: {quoted(risk.title)}",
            "description: "
            + block(
                f"{event} in {risk.process.lower()}.\n"
                f"Cause: {rng.choice(CAUSES)}.\n"
                f"Consequence: {rng.choice(CONSEQUENCES)}.\n"
                f"Assessed by {risk.owner} with the second line; evidence in the quarterly "
                "risk and control self-assessment.",
                "",
            ),
            f"category: {risk.category}",
            f"owner: {risk.owner}",
            f"process: {quoted(risk.process)}",
            f"status: {risk.status}",
            "inherent:",
            f"  likelihood: {risk.inherent[0]}",
            f"  impact: {risk.inherent[1]}",
        ]
        if risk.override is not None:
            lines += [
                "residual:",
                f"  likelihood: {risk.override[0]}",
                f"  impact: {risk.override[1]}",
                "override_reason: "
                + quoted("Control evidence covers one region only; the analyst holds one level."),
            ]
        if risk.target is not None:
            lines += [
                "target:",
                f"  likelihood: {risk.target[0]}",
                f"  impact: {risk.target[1]}",
            ]
        lines.append("controls:")
        lines += [f"  - {control}" for control in risk.controls]
        lines += [f"treatment: {risk.treatment}", f"reviewed: {risk.reviewed.isoformat()}"]
        lines.append("kris: [" + ", ".join(sorted(risk.kris)) + "]")
        lines.append("tags: [" + ", ".join(risk.tags) + "]")
        if rng.random() < 0.2:
            low = round(rng.uniform(0.0, 0.5), 2)
            mode = round(low + rng.uniform(0.1, 2.0), 2)
            high = round(mode + rng.uniform(0.5, 5.0), 2)
            magnitude_low = round(10 ** rng.uniform(3, 5), -2)
            magnitude_high = round(magnitude_low * rng.uniform(5, 50), -2)
            # The currency is register-wide now (riskctl.yaml `quant.currency`); the draw that
            # chose one per risk stays, so every other value of the register is unchanged.
            rng.choice(("USD", "USD", "EUR", "GBP"))
            lines += [
                "quant:",
                "  frequency:",
                "    pert:",
                f"      low: {number(low, 2)}",
                f"      mode: {number(mode, 2)}",
                f"      high: {number(high, 2)}",
                "  magnitude:",
                "    lognormal:",
                f"      low: {number(magnitude_low, 1)}",
                f"      high: {number(magnitude_high, 1)}",
            ]
        return "\n".join(lines) + "\n"

    def build(self) -> dict[str, str]:
        """Every file of the register, path (relative to the register) to text."""
        self.build_owners()
        self.build_risks()
        self.build_kris()
        self.build_incidents()
        self.build_launches()
        self.build_acceptances()
        self.write_texts()
        return self.files


def level_rank(point: tuple[int, int]) -> int:
    """The rank of a point's level, 0 for low."""
    return LEVELS.index(level_of(point))


def has_xmr_signal(values: Sequence[float], baseline: int) -> bool:
    """Whether an XmR chart with limits from the first `baseline` points shows any signal.

    Wheeler's rules as in the project reference (xmr.md): 1, a point beyond a natural process
    limit (X̄ ± 2.66·mR̄) or a moving range above 3.268·mR̄; 2, three of four successive points
    beyond the same mid-line (X̄ ± 1.33·mR̄); 3, eight successive points on one side of X̄.
    Comparisons are strict; a point on the centre line ends a run.
    """
    locked = values[:baseline]
    mean = sum(locked) / len(locked)
    moving = [abs(after - before) for before, after in itertools.pairwise(locked)]
    average_range = sum(moving) / len(moving)
    upper, lower = mean + 2.66 * average_range, mean - 2.66 * average_range
    high, low = mean + 1.33 * average_range, mean - 1.33 * average_range
    for index, value in enumerate(values):
        if value > upper or value < lower:
            return True
        if index and abs(value - values[index - 1]) > 3.268 * average_range:
            return True
        window = values[index : index + 4]
        if len(window) == 4 and (
            sum(point > high for point in window) >= 3 or sum(point < low for point in window) >= 3
        ):
            return True
    run, side = 0, 0
    for value in values:
        current = (value > mean) - (value < mean)
        run = run + 1 if current == side and current else (1 if current else 0)
        side = current
        if run >= 8:
            return True
    return False


def control_text(control: Control) -> str:
    """A control file; effectiveness is left at its default (not-tested) when planned."""
    lines = [
        f"id: {control.id}",
        f"title: {quoted(control.title)}",
        f"objective: {quoted(control.objective)}",
        f"owner: {control.owner}",
        f"key: {'true' if control.key else 'false'}",
        f"nature: {control.nature}",
        f"automation: {control.automation}",
        f"frequency: {control.frequency}",
        f"status: {control.status}",
        f"reduces: {control.reduces}",
    ]
    if control.status != "planned":
        lines += [
            "effectiveness:",
            f"  design: {control.design}",
            f"  operating: {control.operating}",
        ]
    if control.assertions:
        lines.append("assertions: [" + ", ".join(control.assertions) + "]")
    if control.evidence is not None:
        lines.append(f"evidence: {quoted(control.evidence)}")
    if control.annual_cost is not None:
        lines.append(f"annual_cost: {number(control.annual_cost, 1)}")
    if control.tests:
        lines.append("tests:")
        for test in control.tests:
            lines += [
                f"  - date: {test.date.isoformat()}",
                f"    type: {test.type}",
                f"    procedure: {test.procedure}",
                f"    sample_size: {test.sample_size}",
                f"    exceptions: {test.exceptions}",
                f"    result: {test.result}",
                f"    tester: {quoted(test.tester)}",
            ]
    return "\n".join(lines) + "\n"


def config_text() -> str:
    """`riskctl.yaml`: the categories with their appetites and the default scoring, spelt out."""
    lines = ["version: 1", "categories:"]
    for category, name, appetite in CATEGORIES:
        lines += [f"  - id: {category}", f"    name: {quoted(name)}", f"    appetite: {appetite}"]
    lines += [
        "scoring:",
        "  method: 5x5-multiplicative",
        "  credits:",
        "    effective: 0.6",
        "    partially-effective: 0.3",
        "  combine: compound",
        "review_days:",
    ]
    lines += [f"  {level}: {days}" for level, days in REVIEW_DAYS.items()]
    return "\n".join(lines) + "\n"


def write_register(out_dir: Path, files: dict[str, str]) -> tuple[int, int]:
    """Write every file under `out_dir`; returns the number of files and of bytes."""
    folders = {path.rsplit("/", 1)[0] for path in files if "/" in path}
    for folder in sorted(folders):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    total = 0
    for path, text in files.items():
        data = text.encode("utf-8")
        (out_dir / path).write_bytes(data)
        total += len(data)
    return len(files), total


# --------------------------------------------------------------------------------------------
# --mutate: change one value in a share of the files of a generated register.

INHERENT_LIKELIHOOD = re.compile(r"^(inherent:\n  likelihood: )(\d)$", re.MULTILINE)
OPERATING = re.compile(r"^(  operating: )(effective)$", re.MULTILINE)
QUOTED_FIELD = r'^({key}: )"(.*)"$'
LAST_VALUE = re.compile(r"^(    value: )(-?[0-9.]+)$", re.MULTILINE)
OCCURRENCE = re.compile(r"^(    occurrence: )(\d+)$", re.MULTILINE)


def replace_quoted(text: str, key: str, change: Callable[[str], str]) -> str | None:
    """`text` with the double-quoted value of top-level `key` changed, or None without it."""
    pattern = re.compile(QUOTED_FIELD.format(key=re.escape(key)), re.MULTILINE)
    match = pattern.search(text)
    if match is None:
        return None
    value = json.loads(f'"{match.group(2)}"')
    return text[: match.start()] + f"{key}: {quoted(change(value))}" + text[match.end() :]


def mutate_text(kind: str, text: str, rng: random.Random) -> str | None:
    """One file's text with one value changed (schema-valid), or None if nothing matched."""
    if kind == "risks":
        match = INHERENT_LIKELIHOOD.search(text)
        if match:
            new = rng.choice([v for v in "12345" if v != match.group(2)])
            return text[: match.start(2)] + new + text[match.end(2) :]
    elif kind == "controls":
        match = OPERATING.search(text)
        if match:  # a downgrade, which no test contradicts
            return text[: match.start(2)] + "partially-effective" + text[match.end(2) :]
    elif kind == "kris":
        matches = list(LAST_VALUE.finditer(text))
        if matches:
            last = matches[-1]
            old = last.group(2)
            decimals = len(old.split(".")[1]) if "." in old else 1
            new = number(float(old) * 0.99, decimals)
            if new == old:
                new = number(float(old) - 10**-decimals, decimals)
            return text[: last.start(2)] + new + text[last.end(2) :]
    elif kind == "launches":
        match = OCCURRENCE.search(text)
        if match:
            new = str(rng.choice([v for v in range(1, 11) if v != int(match.group(2))]))
            return text[: match.start(2)] + new + text[match.end(2) :]
    elif kind == "owners":
        return replace_quoted(text, "name", lambda value: value + " Jr")
    elif kind == "acceptances":
        return replace_quoted(text, "rationale", lambda value: value + " Re-confirmed.")
    elif kind == "incidents":
        return replace_quoted(text, "impact", lambda value: value + " (revised)")
    # Fallback for any kind: change the title.
    return replace_quoted(text, "title", lambda value: value + " (revised)")


def mutate_register(register: Path, percent: float, seed: int) -> int:
    """Rewrite `percent` % of the entity files in place; returns how many changed."""
    if not (register / "riskctl.yaml").is_file():
        raise SystemExit(f"generate.py: {register} is not a register (no riskctl.yaml)")
    files = sorted(
        path.relative_to(register).as_posix()
        for path in register.glob("*/*.yaml")
        if path.is_file()
    )
    rng = random.Random(seed)
    count = min(len(files), max(1 if percent > 0 else 0, round(len(files) * percent / 100)))
    changed = 0
    for relative in sorted(rng.sample(files, count)):
        path = register / relative
        text = path.read_text(encoding="utf-8")
        new_text = mutate_text(relative.split("/", 1)[0], text, rng)
        if new_text is not None and new_text != text:
            path.write_text(new_text, encoding="utf-8", newline="\n")
            changed += 1
    return changed


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="Write a deterministic synthetic risk register, or mutate one in place."
    )
    parser.add_argument("out_dir", type=Path, help="register folder (created; must be empty)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--risks", type=int, default=5000, help="number of risks (default 5000)")
    parser.add_argument(
        "--mutate",
        type=float,
        metavar="PERCENT",
        help="instead of generating, change one value in PERCENT %% of the files of OUT_DIR",
    )
    parser.add_argument("--mutate-seed", type=int, default=1, help="seed for --mutate (default 1)")
    args = parser.parse_args(argv)
    if args.risks < 10:
        parser.error("--risks must be at least 10")
    if args.mutate is not None and not 0 <= args.mutate <= 100:
        parser.error("--mutate takes a percentage between 0 and 100")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Generate or mutate, and say what was done on stderr."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    out_dir: Path = args.out_dir
    if args.mutate is not None:
        changed = mutate_register(out_dir, args.mutate, args.mutate_seed)
        elapsed = time.perf_counter() - started
        print(f"mutated {changed} files in {out_dir} in {elapsed:.2f} s", file=sys.stderr)
        return 0
    if out_dir.exists() and any(out_dir.iterdir()):
        print(f"generate.py: {out_dir} exists and is not empty", file=sys.stderr)
        return 2
    files = Generator(args.seed, args.risks).build()
    count, size = write_register(out_dir, files)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {count} files, {size / 1e6:.1f} MB, to {out_dir} in {elapsed:.2f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
