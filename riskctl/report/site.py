"""`riskctl report site`: the register's state as a folder of HTML pages for a static host.

What a team publishes from CI to an internal static site: an index (the register's state at a
glance and a link to every page), the latest WBR and MBR, the register and the RCM, one page per
risk and per launch, and a Statement of Applicability per framework in scope. Every page is the
same self-contained HTML report that `riskctl report KIND --format html` writes, so a page can be
opened from disk, printed, or served; pages link to each other only by relative paths.

This module decides which pages there are, their file names and the index's ready values; the
CLI renders each page and writes the folder (`riskctl/cli/report.py`), all at once.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from riskctl.asof import LeftOut
from riskctl.kri.status import kri_status
from riskctl.model.kri import Kri
from riskctl.model.launch import Launch
from riskctl.model.register import Register
from riskctl.report.context import appetite_text, method_line, tier_text
from riskctl.score.residual import Scorecard

ReportName = Literal["wbr", "mbr", "register", "rcm", "risk", "launch", "soa"]

#: The file a site folder holds so that a later run knows it may replace the folder.
MARKER = ".riskctl-site"

#: What a page's file name may hold (the ids riskctl validates already do).
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class Page:
    """One page of the site: its path in the folder, the report that draws it, and its title."""

    path: str
    """Relative to the site's folder, `/`-separated: `risks/R-001.html`."""
    report: ReportName
    """The report that draws the page."""
    argument: str | None
    """The risk, launch or framework id of a per-entity report."""
    title: str

    @property
    def home(self) -> str:
        """The index's path relative to this page."""
        return "../" * self.path.count("/") + "index.html"


def page_name(identifier: str) -> str:
    """`identifier` as a file name: itself when it is one (every id riskctl validates is, up to
    100 characters); otherwise, as for `R-` and 300 digits (a valid risk id, too long for a file
    name, which holds 255 bytes), its first 40 characters that a name may hold, `~` and 16 hex
    digits of its SHA-256. `~` is never in a name of the first kind, so the two never meet."""
    if _SAFE_NAME.fullmatch(identifier) and identifier not in (".", ".."):
        return identifier
    digest = hashlib.sha256(identifier.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    start = re.sub(r"[^A-Za-z0-9._-]", "", identifier)[:40].lstrip(".")  # no hidden file
    return f"{start}~{digest}"


def site_pages(register: Register, card: Scorecard, frameworks: Sequence[str]) -> list[Page]:
    """Every page, the index's order: reviews, register views, risks (open first, then by id;
    the index lists them so), launches, frameworks."""
    pages = [
        Page("wbr.html", "wbr", None, "Weekly business review"),
        Page("mbr.html", "mbr", None, "Monthly business review"),
        Page("register.html", "register", None, "Risk register"),
        Page("rcm.html", "rcm", None, "Risk Control Matrix"),
    ]
    scores = sorted(card.risks, key=lambda s: (s.risk.status != "open", s.risk.id))
    pages += [
        Page(f"risks/{page_name(s.risk.id)}.html", "risk", s.risk.id, f"{s.risk.id} {s.risk.title}")
        for s in scores
    ]
    launches = sorted(register.by_id(Launch).values(), key=lambda launch: launch.id)
    pages += [
        Page(f"launches/{page_name(launch.id)}.html", "launch", launch.id, launch.title)
        for launch in launches
    ]
    pages += [
        Page(f"soa/{page_name(framework)}.html", "soa", framework, f"{framework} SoA")
        for framework in frameworks
    ]
    return pages


def index_context(
    register: Register,
    card: Scorecard,
    pages: Sequence[Page],
    today: datetime.date,
    source: str,
) -> dict[str, Any]:
    """The index page's ready values: the state at a glance and a link to every page."""
    open_scores = [s for s in card.risks if s.risk.status == "open"]
    above = [s for s in open_scores if s.appetite.within is False]
    levels = dict.fromkeys(reversed(card.matrix.levels), 0)
    for score in open_scores:
        levels[score.residual.level] = levels.get(score.residual.level, 0) + 1
    bands = Counter(kri_status(kri, today).band for kri in register.by_id(Kri).values())
    scores = {s.risk.id: s for s in card.risks}
    risks = []
    for page in pages:  # the risk pages in their order: open first, then by id
        if page.report == "risk" and page.argument is not None:
            score = scores[page.argument]
            risks.append(
                [
                    page.path,
                    score.risk.id,
                    score.risk.title,
                    score.risk.status,
                    tier_text(score.residual),
                    appetite_text(score),
                ]
            )
    return {
        "now": str(today),
        "source": source,
        "method": method_line(card),
        "glance": [
            ["open risks", str(len(open_scores))],
            ["above appetite", str(len(above))],
            *([f"residual {level}", str(count)] for level, count in levels.items()),
            ["KRIs red", str(bands["red"])],
            ["KRIs amber", str(bands["amber"])],
        ],
        "reports": [
            {"path": page.path, "title": page.title}
            for page in pages
            if page.report in ("wbr", "mbr", "register", "rcm")
        ],
        "risk_header": ["risk", "title", "status", "residual", "appetite"],
        "risks": risks,
        "launches": [
            {"path": page.path, "id": page.argument, "title": page.title}
            for page in pages
            if page.report == "launch"
        ],
        "frameworks": [
            {"path": page.path, "id": page.argument} for page in pages if page.report == "soa"
        ],
    }


@dataclass(frozen=True)
class Site:
    """The pages of a site, by path, and what its command says on stderr."""

    files: dict[str, str]
    not_counted: tuple[LeftOut, ...]
    skipped: tuple[str, ...]
    """Sentences naming what has no page (a framework in scope whose catalogue is unknown)."""


def build_site(
    path: Path,
    revision: str | None,
    today: datetime.date,
    *,
    partial: bool = False,
    templates: Path | None = None,
) -> Site:
    """Every page of the register's site, rendered: the register read once as of `today` for
    the register, RCM, risk, launch and SoA pages, and the WBR and MBR as `riskctl report wbr`
    and `mbr` read them (since the latest `wbr-*`/`mbr-*` tag)."""
    from riskctl.framework.catalog import catalogue
    from riskctl.load import ParseCache
    from riskctl.report.inputs import read_review
    from riskctl.report.produce import (
        read_scored,
        register_report,
        render_report,
        review_report,
        soa_report,
    )
    from riskctl.source import register_source

    source = register_source(path, revision, with_repository=True)
    cache: ParseCache = {}  # one parse of each file for the reviews and the other pages
    scored = read_scored(path, revision, today, partial=partial, source=source, cache=cache)
    register, card = scored.register, scored.card
    frameworks, skipped = [], []
    for scope in register.config.frameworks.in_scope:
        if scope.id in frameworks:
            continue
        if catalogue(register, scope.id) is None:
            skipped.append(f"no SoA page for {scope.id}: no such framework (riskctl lint: RK904)")
            continue
        frameworks.append(scope.id)
    pages = site_pages(register, card, frameworks)
    files: dict[str, str] = {}
    for page in pages:
        report = page.report
        if report == "wbr" or report == "mbr":
            review = read_review(source, None, report, today, partial=partial, cache=cache)
            text = review_report(review, today, source.label, "html", templates, home=page.home)
        elif report == "soa":
            assert page.argument is not None
            text, _ = soa_report(scored, page.argument, "html", templates, home=page.home)
        else:
            text = register_report(scored, report, "html", templates, page.argument, home=page.home)
        files[page.path] = text.text
    context = index_context(register, card, pages, today, scored.described)
    files["index.html"] = render_report(
        "site", context, "html", templates, scored.not_counted, today, scored.failed, scored.label
    )
    return Site(files, scored.not_counted, tuple(skipped))
