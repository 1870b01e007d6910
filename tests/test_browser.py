"""Every HTML report opened from disk in a real headless Chromium, as a reader would open it.

Playwright drives the system's Chromium (`RISKCTL_CHROMIUM`, else `chromium`, `chromium-browser`
or `google-chrome` on PATH; `make test` installs Debian's where it can) and never downloads a
browser of its own. One browser per test process, launched once (a start costs about a second);
each report is opened in one page and `inspect` lists what is wrong with it:

- no console error, no uncaught error, no Content-Security-Policy violation, and no request but
  the file itself (every other request is also routed to a failure);
- every chart (`svg.rk-chart`) is drawn with a non-zero box;
- 360 px wide, the page never scrolls sideways: a wide table scrolls inside its wrapper;
- dark by `prefers-color-scheme: dark`, light again when printed;
- printed to A4 and to Letter, the PDF has the pages the layout asks for: each top-level
  section starts a page (`expected_pages`).

The static pages at the end check that `inspect` finds each of those faults when a page has it.
Without playwright or a browser the tests skip and say why (the README says how to get one).
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import FROZEN_NOW, ROOT, TESTS
from tests.test_report_reviews import build_review_history

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="playwright is not installed: `pip install -e '.[dev]'` (README, Browser tests)",
)

GOLDEN = TESTS / "golden" / "report"
#: Chromium's switches for a closed network: without the background-networking ones it keeps
#: trying Google's hosts (refused here, many at a time). Playwright adds --headless and
#: --no-sandbox, and starts the browser on a new empty profile (--user-data-dir) of its own.
FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Seconds a browser start or one page action may take (a loaded CI machine is slow).
TIMEOUT = 60


def chromium_path() -> tuple[str | None, str]:
    """The browser to drive and, when there is none, why: `RISKCTL_CHROMIUM` names one, else the
    first of chromium, chromium-browser, google-chrome on PATH."""
    named = os.environ.get("RISKCTL_CHROMIUM")
    if named:
        found = shutil.which(named)
        return found, "" if found else f"RISKCTL_CHROMIUM={named} is not an executable"
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found, ""
    return None, (
        "no Chromium (chromium, chromium-browser, google-chrome on PATH, or RISKCTL_CHROMIUM): "
        "`make browser` installs Debian's as root, or `apt-get install chromium`"
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path, reason = chromium_path()
    if path is None:
        pytest.skip(reason)
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=path, args=FLAGS, timeout=TIMEOUT * 1000
            )
        except sync_api.Error as error:
            pytest.skip(f"{path} did not start: {str(error).splitlines()[0]}")
        yield launched
        launched.close()


# --- paper and the printed page count ---------------------------------------------------------

#: CSS px per unit (CSS Values and Units 4, §6.2: 1in = 96px = 2.54cm = 72pt = 6pc = 101.6Q).
UNITS = {"px": 1.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6, "pt": 96 / 72}
UNITS["pc"] = 12 * UNITS["pt"]
#: Paper sizes (width, height) in CSS px: A4 is 210 by 297 mm (ISO 216), Letter 8.5 by 11 in
#: (ANSI/ASME Y14.1). Chromium rounds them to whole device pixels: the PDF's MediaBox is within
#: a point of these (checked in `inspect`).
PAPER = {
    "A4": (210 * UNITS["mm"], 297 * UNITS["mm"]),
    "Letter": (8.5 * UNITS["in"], 11 * UNITS["in"]),
}
#: A page object of a PDF: `/Type /Page` and not `/Type /Pages`, the page tree's nodes (PDF 32000-1
#: §7.7.3.3). Chromium's PDFs keep their objects uncompressed, so a byte regex sees each page.
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")


def css_length(value: str) -> float:
    """A CSS absolute length (`18mm`, `0.5in`, `0`) in px; ValueError for anything else."""
    match = re.fullmatch(r"\s*(-?[\d.]+)\s*([a-zA-Z]*)\s*", value)
    unit = match[2].lower() if match else ""
    if not match or (unit and unit not in UNITS) or (not unit and float(match[1]) != 0):
        raise ValueError(f"not an absolute CSS length: {value!r}")
    return float(match[1]) * UNITS[unit] if unit else 0.0


#: The stylesheet's `@page` margins as CSS text, from every `@page` rule (nested in `@media` too).
PAGE_MARGINS_JS = """() => {
  const found = [];
  const walk = rules => { for (const rule of rules) {
    if (rule instanceof CSSPageRule) found.push(['top', 'right', 'bottom', 'left'].map(
      side => rule.style.getPropertyValue('margin-' + side)));
    else if (rule.cssRules) walk(rule.cssRules);
  } };
  for (const sheet of document.styleSheets) walk(sheet.cssRules);
  return found;
}"""

#: Under print media at the printed width: for each top-level section (a `section` inside no
#: other), its stretch of the document, from where its page starts to where the next section's
#: does, its computed `break-before`, the boxes in it that a page break never splits and the
#: tables in it whose header row is repeated on every page they span. Positions in px from the
#: top of the document.
PRINT_LAYOUT_JS = """() => {
  const box = element => element.getBoundingClientRect();
  const top = element => box(element).top + window.scrollY;
  const bottom = element => box(element).bottom + window.scrollY;
  // The margin above a box: its own collapsed with its first children's while nothing (a
  // border, padding) separates them (CSS 2.2, §8.3.1).
  const marginTop = element => {
    let margin = 0;
    for (let box = element; box; box = box.firstElementChild) {
      const style = getComputedStyle(box);
      margin = Math.max(margin, parseFloat(style.marginTop) || 0);
      if (parseFloat(style.paddingTop) || parseFloat(style.borderTopWidth)) break;
      if (!['block', 'flow-root', 'list-item'].includes(style.display)) break;
    }
    return margin;
  };
  const tops = [...document.querySelectorAll('section')]
    .filter(section => !section.parentElement.closest('section'));
  const sections = tops.length ? tops : [document.body];  // a page without sections: one stretch
  // A forced break keeps the margin after it and truncates those before it (CSS Fragmentation
  // 3, §5.5): a stretch starts at its section's margin and ends at the bottom of the box before
  // the next section; the first starts at the top of the document, the last ends with the body.
  const starts = sections.map((section, i) => i === 0 ? 0 : top(section) - marginTop(section));
  const ends = sections.map((section, i) => {
    const next = sections[i + 1];
    if (!next) return bottom(document.body);
    const before = next.previousElementSibling;
    return before ? bottom(before) : top(next) - marginTop(next);
  });
  // Never split (CSS Fragmentation 3, §4.4 and §3.1): for sure (1), a replaced element (an
  // image, an SVG) and anything with break-inside: avoid; most likely (0), a table row, a block
  // of text (its lines keep 2 orphans and 2 widows; a report's paragraphs are short) and a box
  // with break-after: avoid together with the first line of the box after it.
  const TEXT = new Set(['TR', 'P', 'LI', 'DT', 'DD', 'PRE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6',
    'SUMMARY', 'CAPTION', 'FIGCAPTION', 'BLOCKQUOTE']);
  const atoms = [], tables = [];
  for (const element of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(element);
    if (style.display === 'none' || box(element).height === 0) continue;
    const sure = ['IMG', 'svg'].includes(element.tagName) || style.breakInside.startsWith('avoid');
    if (sure || TEXT.has(element.tagName))
      atoms.push([top(element), bottom(element), sure ? 1 : 0]);
    const next = element.nextElementSibling;
    if (style.breakAfter.startsWith('avoid') && next) {
      const line = parseFloat(getComputedStyle(next).lineHeight) || 24;
      atoms.push([top(element), Math.min(bottom(next), top(next) + line), 0]);
    }
    if (element.tagName === 'TABLE' && element.tHead)
      tables.push([bottom(element.tHead), bottom(element), box(element.tHead).height]);
  }
  return sections.map((section, i) => ({
    start: starts[i], end: ends[i], breakBefore: getComputedStyle(section).breakBefore,
    atoms: atoms.filter(([a, b]) => a >= starts[i] - 0.5 && b <= ends[i] + 0.5),
    tables: tables.filter(([a, b]) => a >= starts[i] - 0.5 && b <= ends[i] + 0.5),
  }));
}"""

FORCED_BREAKS = {"page", "always", "left", "right", "recto", "verso"}


@dataclass(frozen=True)
class PrintedSection:
    """A top-level section as laid out for print: its stretch of the document (px from the top),
    its computed `break-before`, the (top, bottom, sure) of each box a break does not split
    (sure: never; else most likely), and the (top of the body, bottom, header height) of each
    table whose header repeats on every page."""

    start: float
    end: float
    break_before: str = "page"
    atoms: tuple[tuple[float, float, bool], ...] = ()
    tables: tuple[tuple[float, float, float], ...] = ()


def paginate(section: PrintedSection, page_height: float, only_sure: bool = False) -> int:
    """The pages a section fills when it starts a page, broken as a browser breaks it.

    Each page takes `page_height` px of the layout from where it starts (less the repeated
    header of a table it starts inside); when a box that is not split (`only_sure`: one that is
    never split), and fits on a page, straddles that end, the page ends above the box and the
    next page starts with it (CSS Fragmentation 3, §4.4: a break is avoided inside it where
    possible).
    """
    position, pages = section.start, 0
    while True:
        pages += 1
        headers = [h for body, end, h in section.tables if body <= position + 0.5 < end]
        limit = position + page_height - max(headers, default=0.0)
        if limit >= section.end - 0.5:
            return pages
        straddling = [
            top
            for top, bottom, sure in section.atoms
            if position + 0.5 < top < limit < bottom
            and bottom - top <= page_height
            and (sure or not only_sure)
        ]
        position = min(straddling, default=limit)


def expected_pages(sections: list[PrintedSection], page_height: float) -> tuple[int, int]:
    """The fewest and the most pages a printout of `sections` has, each starting a page.

    At least ceil(h / H) pages for a section whose stretch is h px, on pages of printable height
    H (its content fits in no fewer), and at least what `paginate` counts when only the boxes
    that are never split move whole to the next page. At most what it counts when every box
    that is most likely not split does (a browser may split a long paragraph, and use fewer).
    Summed over the sections, as each starts a page. Fewer printed pages than the fewest means
    that sections share pages, a missing break; more than the most, a blank page or content
    that runs off its page.
    """
    fewest = sum(
        max(math.ceil((s.end - s.start) / page_height - 1e-6), paginate(s, page_height, True))
        for s in sections
    )
    return fewest, sum(paginate(section, page_height) for section in sections)


# --- colour ----------------------------------------------------------------------------------


def rgb(value: str) -> tuple[float, float, float, float]:
    """A computed CSS colour (`rgb(r, g, b)` or `rgba(r, g, b, a)`) as 0-1 channels and alpha."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", value)]
    if not value.startswith("rgb") or len(numbers) not in (3, 4):
        raise ValueError(f"not a computed rgb() colour: {value!r}")
    alpha = numbers[3] if len(numbers) == 4 else 1.0
    return numbers[0] / 255, numbers[1] / 255, numbers[2] / 255, alpha


def luminance(colour: tuple[float, float, float, float]) -> float:
    """Relative luminance of an sRGB colour (WCAG 2.2, "relative luminance")."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue, _ = colour
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: float, second: float) -> float:
    """WCAG 2.2 contrast ratio of two relative luminances: (L1 + 0.05) / (L2 + 0.05)."""
    return (max(first, second) + 0.05) / (min(first, second) + 0.05)


#: The page's own background (the body's, else the root element's; a page that sets neither
#: shows the browser's canvas, white in light mode) and the body's text colour.
COLOURS_JS = """() => {
  const clear = value => value === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(value);
  let background = getComputedStyle(document.body).backgroundColor;
  if (clear(background)) background = getComputedStyle(document.documentElement).backgroundColor;
  return {background, text: getComputedStyle(document.body).color};
}"""


def scheme_problems(page: Page, want: str, when: str) -> list[str]:
    """`want` is "dark" (a dark background, light text) or "light"; both need contrast >= 4.5
    (WCAG 2.2 SC 1.4.3, body text), and so do the charts (`chart_contrast_problems`)."""
    colours = page.evaluate(COLOURS_JS)
    background, text = rgb(colours["background"]), rgb(colours["text"])
    if background[3] == 0:
        background = (1.0, 1.0, 1.0, 1.0)
    back, fore = luminance(background), luminance(text)
    dark = back < 0.05 and fore > 0.4
    light = back > 0.7 and fore < 0.2
    problems = []
    if (want == "dark" and not dark) or (want == "light" and not light):
        problems.append(
            f"{when}: not {want}: background {colours['background']}, text {colours['text']}"
        )
    if contrast(back, fore) < 4.5:
        problems.append(f"{when}: text contrast {contrast(back, fore):.2f} below 4.5")
    return problems + chart_contrast_problems(page, back, when)


#: Series whose line carries the chart's message: this period, the thresholds, the tolerance.
STRONG_ROLES = ("this", "amber", "red", "tolerance")
#: For each chart: the computed stroke of each strong series' lines (the svg module's class
#: contract: `g.rk-s.rk-ROLE`), and of each heat-map cell with risks, the cell's fill and the
#: fill of each text on it (`g.rk-cell`: a rect, then texts).
CHART_COLOURS_JS = """roles => [...document.querySelectorAll('svg.rk-chart')].map(svg => ({
  lines: roles.flatMap(role => [...svg.querySelectorAll(`.rk-s.rk-${role} polyline`)]
    .map(line => [role, getComputedStyle(line).stroke])),
  cells: [...svg.querySelectorAll('.rk-cell')].filter(cell => cell.querySelector('text'))
    .map(cell => [cell.querySelector('rect').getAttribute('fill'),
                  getComputedStyle(cell.querySelector('rect')).fill,
                  [...cell.querySelectorAll('text')].map(text => getComputedStyle(text).fill)]),
}))"""


def chart_contrast_problems(page: Page, background: float, when: str) -> list[str]:
    """Each strong series' line stands out from the page by at least 3:1 (WCAG 2.2 SC 1.4.11,
    non-text contrast: "this period strong", thresholds in their colours, in either scheme), and
    each text on a heat-map cell is readable on it at 4.5:1 (SC 1.4.3)."""
    problems = []
    for number, chart in enumerate(page.evaluate(CHART_COLOURS_JS, list(STRONG_ROLES)), start=1):
        for role, stroke in chart["lines"]:
            ratio = contrast(luminance(rgb(stroke)), background)
            if ratio < 3:
                problems.append(
                    f"{when}: chart {number}: the {role} line ({stroke}) has contrast "
                    f"{ratio:.2f} with the page, below 3"
                )
        for drawn, fill, texts in chart["cells"]:
            cell = luminance(rgb(fill))
            for text in sorted(set(texts)):
                ratio = contrast(luminance(rgb(text)), cell)
                if ratio < 4.5:
                    problems.append(
                        f"{when}: chart {number}: text {text} on a {drawn} cell has contrast "
                        f"{ratio:.2f}, below 4.5"
                    )
    return sorted(set(problems))


# --- one page, every check -------------------------------------------------------------------

#: Reported to the console, so a violation the browser does not log is still seen.
CSP_LISTENER = (
    "document.addEventListener('securitypolicyviolation', event => console.error("
    "'CSP violation: ' + event.violatedDirective + ' blocked ' + event.blockedURI));"
)
CHART_BOXES_JS = """() => [...document.querySelectorAll('svg.rk-chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  return [box.width, box.height, box.right];
})"""
#: At a narrow width: how wide the page scrolls, and each table wider than the screen with the
#: nearest ancestor that scrolls it sideways (null when there is none) and that one's right edge.
NARROW_JS = """() => {
  const width = window.innerWidth;
  const tables = [...document.querySelectorAll('table')].map((table, index) => {
    let wrapper = table.parentElement;
    while (wrapper && !['auto', 'scroll'].includes(getComputedStyle(wrapper).overflowX))
      wrapper = wrapper.parentElement;
    return {index, width: table.getBoundingClientRect().width,
            wrapper: wrapper ? wrapper.getBoundingClientRect().right : null,
            scrolls: wrapper ? wrapper.scrollWidth > wrapper.clientWidth : false};
  }).filter(table => table.width > width);
  return {width, scrollWidth: document.scrollingElement.scrollWidth, tables};
}"""


def watch(page: Page, problems: list[str]) -> list[str]:
    """Report to `problems` every console error or warning, uncaught error, CSP violation and
    request for anything but the page's own file (those also fail). The page's URL is the last
    of the list returned, which a caller appends to before each `goto`."""
    urls: list[str] = []

    def own(url: str) -> bool:
        return url in urls[-1:] or url.startswith("data:")

    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning", "assert")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "request",
        lambda request: None if own(request.url) else problems.append(f"request: {request.url}"),
    )

    def only_the_file(route: Route) -> None:
        if own(route.request.url):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_the_file)
    page.add_init_script(CSP_LISTENER)
    return urls


def inspect(browser: Browser, path: Path) -> tuple[list[str], int]:
    """Open `path` from disk and list what is wrong with it; also the number of charts drawn."""
    url = path.resolve().as_uri()
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT * 1000)
    try:
        watch(page, problems).append(url)
        page.goto(url, wait_until="load")

        boxes = page.evaluate(CHART_BOXES_JS)
        problems += [
            f"chart {index + 1} has an empty box ({width} x {height})"
            for index, (width, height, _) in enumerate(boxes)
            if not (width > 0 and height > 0)
        ]

        problems += scheme_problems(page, "light", "light")
        page.emulate_media(color_scheme="dark")
        problems += scheme_problems(page, "dark", "dark")
        page.set_viewport_size({"width": 360, "height": 800})
        narrow = page.evaluate(NARROW_JS)
        if narrow["scrollWidth"] > narrow["width"]:
            problems.append(f"360 px: the page scrolls sideways ({narrow['scrollWidth']} px wide)")
        for table in narrow["tables"]:
            if table["wrapper"] is None or table["wrapper"] > narrow["width"] + 0.5:
                problems.append(f"360 px: table {table['index'] + 1} does not scroll in a wrapper")
        problems += [
            f"360 px: chart {index + 1} is wider than the screen ({width:.0f} px)"
            for index, (width, _, right) in enumerate(page.evaluate(CHART_BOXES_JS))
            if right > narrow["width"] + 0.5
        ]
        page.emulate_media(media="print")
        problems += scheme_problems(page, "light", "printed in dark mode")
        page.emulate_media(media="null", color_scheme="light")
        page.set_viewport_size({"width": 1280, "height": 900})
        problems += print_problems(page)
    finally:
        page.close()
    return problems, len(boxes)


def print_problems(page: Page) -> list[str]:
    """The PDF's page count for A4 and Letter against `expected_pages` from the print layout."""
    margins = page.evaluate(PAGE_MARGINS_JS)
    if not margins or not all(margins[-1]):
        return [f"print: no @page rule with margins in the stylesheet ({margins})"]
    top, right, bottom, left = (css_length(value) for value in margins[-1])
    problems = []
    for paper, (width, height) in PAPER.items():
        pdf = page.pdf(format=paper)
        pages = len(PAGE_OBJECT.findall(pdf))
        boxes = {(float(w), float(h)) for w, h in MEDIA_BOX.findall(pdf)}
        points = (width * 72 / 96, height * 72 / 96)
        if not boxes or any(abs(w - points[0]) > 1.5 or abs(h - points[1]) > 1.5 for w, h in boxes):
            problems.append(f"{paper}: pages of {boxes} pt, not {points}")
        # A page wider than the paper is laid out as wide as it is, up to twice the paper, and
        # shrunk to fit (Blink's PrintContext, kPrintingMaximumShrinkFactor = 2): pages of H px
        # hold H x shrink px of that layout.
        page.emulate_media(media="print")
        printed = width - left - right
        page.set_viewport_size({"width": math.floor(printed), "height": 900})
        wide = min(page.evaluate("document.scrollingElement.scrollWidth"), 2 * printed)
        shrink = max(wide, printed) / printed
        if shrink > 1:
            page.set_viewport_size({"width": math.floor(wide), "height": 900})
        sections = [
            PrintedSection(
                s["start"],
                s["end"],
                s["breakBefore"],
                tuple((a, b, bool(sure)) for a, b, sure in s["atoms"]),
                tuple((a, b, c) for a, b, c in s["tables"]),
            )
            for s in page.evaluate(PRINT_LAYOUT_JS)
        ]
        page.emulate_media(media="null")
        for index, section in enumerate(sections[1:], start=2):
            if section.break_before not in FORCED_BREAKS:
                problems.append(f"{paper}: section {index} does not start a page")
        page_height = (height - top - bottom) * shrink
        fewest, most = expected_pages(sections, page_height)
        if not fewest <= pages <= most:
            problems.append(
                f"{paper}: {pages} pages, expected {fewest}-{most} for sections of "
                f"{[round(s.end - s.start) for s in sections]} px on pages of {page_height:.0f}"
            )
    return problems


# --- the reports ------------------------------------------------------------------------------

#: Every report on the shipped register, as the README shows them: name → `riskctl report` args.
SHIPPED = {
    "wbr": ["wbr"],
    "mbr": ["mbr"],
    "register": ["register"],
    "rcm": ["rcm"],
    "risk-R-001": ["risk", "R-001"],
    "launch-LAUNCH-001": ["launch", "LAUNCH-001"],
    "soa-nist-csf-2.0": ["soa", "nist-csf-2.0"],
}
#: The reviews of the test register with a year of history (tests/test_report_reviews.py): every
#: section has content, and the charts have gaps a year earlier.
HISTORY = {"wbr-history": ["wbr"], "mbr-history": ["mbr"]}
#: The Markdown golden of each report: its Mermaid charts are charts the HTML draws too.
MARKDOWN = {"wbr": "wbr-register", "mbr": "mbr-register"}
runner = CliRunner()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_review_history(tmp_path_factory.mktemp("browser") / "repo").root


def render(arguments: list[str], root: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """`riskctl report ARGS register --now FROZEN_NOW -f html --out OUT` in `root`; the page."""
    monkeypatch.chdir(root)
    result = runner.invoke(
        app,
        ["report", *arguments, "register", "--now", FROZEN_NOW, "-f", "html", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def check_report(browser: Browser, name: str, page: Path) -> None:
    problems, charts = inspect(browser, page)
    assert problems == [], name
    source = page.read_text(encoding="utf-8")
    assert charts == len(re.findall(r"<svg\b[^>]*\bclass=\"rk-chart\"", source))
    golden = GOLDEN / f"{MARKDOWN.get(name, name)}.md"
    if golden.exists():
        assert charts >= golden.read_text(encoding="utf-8").count("```mermaid"), name


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_report_on_the_shipped_register_reads_right_in_chromium(
    name: str, browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / f"{name}.html"
    render(SHIPPED[name], ROOT, page, monkeypatch)
    check_report(browser, name, page)


@pytest.mark.parametrize("name", sorted(HISTORY))
def test_the_reviews_of_a_register_with_history_read_right_in_chromium(
    name: str, browser: Browser, history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / f"{name}.html"
    render(HISTORY[name], history, page, monkeypatch)
    check_report(browser, name, page)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`riskctl report site register --now FROZEN_NOW --out DIR` on the shipped register."""
    out = tmp_path_factory.mktemp("site") / "site"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(ROOT)
        arguments = ["report", "site", "register", "--now", FROZEN_NOW, "--out", str(out)]
        result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    return out


def test_the_site_index_reads_right_in_chromium(browser: Browser, site: Path) -> None:
    assert inspect(browser, site / "index.html")[0] == []


#: Each link of the page, as the browser resolves it, without its #fragment.
LINKS_JS = "() => [...document.links].map(link => link.href.split('#')[0])"


def test_every_page_of_the_site_opens_from_disk_and_its_links_land_on_its_pages(
    browser: Browser, site: Path
) -> None:
    """From the index, following links as a reader would, every page of the folder is reached;
    each loads with no console error and no request, and every link lands on a page of it
    (from file://, so relative links work wherever the folder is published). Each page links
    back to the index. The pages themselves are the reports tested above."""
    pages = {path.resolve().as_uri() for path in site.rglob("*.html")}
    index = (site / "index.html").resolve().as_uri()
    problems: list[str] = []
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT * 1000)
    urls = watch(page, problems)
    seen, queue = {index}, [index]
    try:
        while queue:
            url = queue.pop()
            urls.append(url)
            page.goto(url, wait_until="load")
            links = set(page.evaluate(LINKS_JS))
            problems += [f"{url}: a link to {link}, not a page" for link in links - pages]
            if url != index and index not in links:
                problems.append(f"{url}: no link to the index")
            queue += sorted((links & pages) - seen)
            seen |= links & pages
    finally:
        page.close()
    assert problems == []
    assert seen == pages


# --- static pages: `inspect` finds each fault ------------------------------------------------

CSS = """:root { --bg: #ffffff; --fg: #1b1f24; }
@media screen and (prefers-color-scheme: dark) { :root { --bg: #0f1419; --fg: #e6e8eb; }
  .rk-chart .rk-this { stroke: #93c5fd; } }
body { background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, sans-serif;
  margin: 0 auto; max-width: 60rem; padding: 1rem; }
.table { overflow-x: auto; }
svg.rk-chart { display: block; max-width: 100%; height: auto; }
@page { margin: 18mm 15mm; }
@media print { section + section { break-before: page; } tr, figure { break-inside: avoid; }
  h2 { break-after: avoid; } }
"""
#: A page with every fault but the last: (what it changes, what `inspect` says).
FAULTS = {
    "no page breaks": (("section + section { break-before: page; }", ""), "does not start a page"),
    "dark text on a red cell": (('fill="#ffffff">R-001', 'fill="#1f2937">R-001'), "#c62828 cell"),
    "no dark scheme": (("--bg: #0f1419; --fg: #e6e8eb;", ""), "dark: not dark"),
    "no table wrapper": (('<div class="table">', "<div>"), "does not scroll in a wrapper"),
    "an image from the network": (
        ("<h1>", '<img src="https://example.invalid/logo.png" alt=""><h1>'),
        "img-src",
    ),
}
#: ... and a page that ends on a blank one, its line for this period dark on the dark page.
DARK_LINE = (".rk-chart .rk-this { stroke: #93c5fd; }", "")
BLANK_PAGE = (
    "@media print {",
    '@media print { main::after { content: ""; display: block; break-before: page; }',
)


def static_page(*changes: tuple[str, str]) -> str:
    """A page shaped as riskctl's reports are: a CSP that allows only its own style (by hash),
    sections of tables (wider than 360 px) and an inline SVG chart; 20 rows in the second
    section, so it spans pages. Each change (old, new) is made once, before the policy hashes
    the style."""
    chart = (
        '<figure><svg class="rk-chart" viewBox="0 0 640 300" role="img" fill="currentColor">'
        '<title>KRI-001</title><g class="rk-s rk-this" stroke="#1d4ed8" fill="#1d4ed8">'
        '<polyline fill="none" points="0,300 320,100 640,150"/></g><g class="rk-cell">'
        '<rect x="500" y="200" width="100" height="60" fill="#c62828"/>'
        '<text x="550" y="235" text-anchor="middle" fill="#ffffff">R-001</text></g></svg></figure>'
    )

    def section(number: int, rows: int) -> str:
        row = "<tr><td>R-001</td><td>A long title</td><td>high</td>" + "<td>2026-11-27</td>" * 6
        header = "<tr><th>Risk</th><th>Title</th><th>Level</th>" + "<th>Due</th>" * 6
        return (
            f'<section><h2>{number}. Section</h2><p>Text.</p>{chart}<div class="table"><table>'
            f"<thead>{header}</tr></thead><tbody>{(row + '</tr>') * rows}</tbody></table></div>"
            "</section>"
        )

    page = f"<style>{CSS}</style></head><body><main><h1>Report</h1>"
    page += f"{section(1, 3)}{section(2, 20)}{section(3, 1)}</main></body></html>"
    for old, new in changes:
        assert old in page, old
        page = page.replace(old, new, 1)
    css = page[len("<style>") : page.index("</style>")]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Static</title>{page}"
    )


def test_a_page_shaped_as_the_reports_passes_every_check(browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(static_page(), encoding="utf-8")
    problems, charts = inspect(browser, path)
    assert problems == []
    assert charts == 3


def test_each_fault_of_a_page_is_found(browser: Browser, tmp_path: Path) -> None:
    """One page with every fault of FAULTS (a page load costs more than a check)."""
    page = static_page(*(change for change, _ in FAULTS.values()))
    path = tmp_path / "broken.html"
    path.write_text(page, encoding="utf-8")
    problems, _ = inspect(browser, path)
    for fault, (_, message) in FAULTS.items():
        assert any(message in problem for problem in problems), (fault, problems)
    assert any(re.match(r"A4: \d+ pages, expected", problem) for problem in problems), problems


def test_a_blank_page_and_a_dark_line_on_a_dark_page_are_found(
    browser: Browser, tmp_path: Path
) -> None:
    path = tmp_path / "blank.html"
    path.write_text(static_page(BLANK_PAGE, DARK_LINE), encoding="utf-8")
    problems, _ = inspect(browser, path)
    assert [p.split(":")[0] for p in problems] == ["dark"] * 3 + ["A4", "Letter"], problems
    assert all("the this line (rgb(29, 78, 216)) has contrast" in p for p in problems[:3])
    assert all(re.search(r": (\d+) pages, expected \d+-\d+", p) for p in problems[3:]), problems


def test_expected_pages_counts_each_section_from_a_new_page() -> None:
    page = 1000.0
    short = PrintedSection(0, 400)
    assert expected_pages([short, short, short], page) == (3, 3)
    # 2500 px of text that breaks anywhere: 3 pages
    assert expected_pages([short, PrintedSection(0, 2500)], page) == (4, 4)
    # a 300 px chart at 800-1100 moves to page 2, which then ends at 1800: 3 pages for 2500 px
    chart = PrintedSection(0, 2500, atoms=((800, 1100, True),))
    assert paginate(chart, page) == 3
    # ... and at 2950 px, where 3 pages hold the rest only without the chart's move: 4
    assert expected_pages([PrintedSection(0, 2950, atoms=((800, 1100, True),))], page) == (4, 4)
    # a paragraph there may split: 3 or 4 pages
    assert expected_pages([PrintedSection(0, 2950, atoms=((800, 1100, False),))], page) == (3, 4)
    # a box taller than a page is split: it moves nothing
    assert paginate(PrintedSection(0, 2950, atoms=((800, 1900, True),)), page) == 3
    # rows of 100 px under a 50 px header from 0 to 2000: pages end at 1000, then the header
    # repeats: 950 px a page; 1000 + 950 = 1950 < 2000: 3 pages
    rows = tuple((float(top), float(top + 100), False) for top in range(50, 2000, 100))
    table = PrintedSection(0, 2000, atoms=rows, tables=((50, 2000, 50),))
    assert paginate(table, page) == 3
    # a row straddling the end of a page moves: rows of 300 px from 0, 3 to a page
    six_rows = tuple((float(top), float(top + 300), False) for top in range(0, 1800, 300))
    assert paginate(PrintedSection(0, 1800, atoms=six_rows), page) == 2
    assert paginate(PrintedSection(0, 1800, atoms=six_rows), page, only_sure=True) == 2


def test_css_lengths_and_colours() -> None:
    assert css_length("25.4mm") == pytest.approx(96)
    assert css_length("0.5in") == 48
    assert css_length("0") == 0
    assert css_length("72pt") == 96
    with pytest.raises(ValueError):
        css_length("2em")
    assert luminance(rgb("rgb(255, 255, 255)")) == pytest.approx(1)
    assert luminance(rgb("rgba(0, 0, 0, 0.5)")) == 0
    # WCAG's own example: #777 on white is 4.48:1
    assert contrast(luminance(rgb("rgb(119, 119, 119)")), 1.0) == pytest.approx(4.48, abs=0.01)
