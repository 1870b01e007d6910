"""HTML reports: goldens on the shipped register, pages that parse and hold their policy, hostile
register text that stays text, and how `--format` and `--out` choose the format."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskctl.cli import app
from riskctl.output.html import cell_class, html_cell, html_code, html_prose, html_text
from riskctl.report.produce import format_for
from tests.conftest import FROZEN_NOW, ROOT, SHIPPED_REGISTER, TESTS, check_golden

GOLDEN = TESTS / "golden" / "report"
runner = CliRunner()

#: Every report on the shipped register, named as its Markdown golden (tests/test_report.py,
#: tests/test_report_reviews.py), and the Statement of Applicability.
REPORTS: dict[str, list[str]] = {
    "register": ["report", "register"],
    "rcm": ["report", "rcm"],
    "risk-R-001": ["report", "risk", "R-001"],
    "risk-R-028": ["report", "risk", "R-028"],
    "wbr-register": ["report", "wbr"],
    "mbr-register": ["report", "mbr"],
    "launch-LAUNCH-001": ["report", "launch", "LAUNCH-001"],
    "launch-LAUNCH-002": ["report", "launch", "LAUNCH-002"],
    "soa-nist-csf-2.0": ["report", "soa", "nist-csf-2.0"],
}
#: HTML elements without an end tag (WHATWG HTML, 13.1.2 "Elements": void elements).
VOID = frozenset(
    "area base br col embed hr img input link meta source track wbr".split()  # noqa: SIM905
)


def _html(args: list[str], register: str = "register", *extra: str) -> str:
    result = runner.invoke(app, [*args, register, "--now", FROZEN_NOW, "-f", "html", *extra])
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.stdout


_rendered: dict[str, str] = {}


def _shipped(name: str) -> str:
    """The report on the shipped register, rendered once per test session."""
    if name not in _rendered:
        _rendered[name] = _html(REPORTS[name])
    return _rendered[name]


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_golden_html_reports_on_the_shipped_register(
    name: str, at_root: None, update_golden: bool
) -> None:
    page = _shipped(name)
    check_page(page)
    check_golden(GOLDEN / f"{name}.html", without_stylesheet(page), update_golden)


def without_stylesheet(page: str) -> str:
    """The page with its stylesheet, and the policy's hash of it, left out: a golden is the
    report, not the CSS (`test_the_stylesheet_is_the_shipped_one` checks that), so a change of
    style does not rewrite every golden."""
    style = re.compile(r"<style>.*?</style>", re.S)
    assert len(style.findall(page)) == 1
    page = style.sub("<style>/* riskctl/templates/_report.css */</style>", page)
    return re.sub(r"'sha256-[A-Za-z0-9+/]+=*'", "'sha256-(of the stylesheet)'", page, count=1)


def test_the_stylesheet_is_the_shipped_one(at_root: None) -> None:
    css = (ROOT / "riskctl" / "templates" / "_report.css").read_text(encoding="utf-8")
    assert parse(_shipped("register")).style == css


# --- the page: parses, one title, the policy first, the stylesheet's hash -------------------


class Page(HTMLParser):
    """What the checks read from a page: its tags in order (outside SVG), the element names
    inside SVG, every attribute, the head's order, the style text, and unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outline: list[tuple[str, str, tuple[str, ...]]] = []
        self.svg_elements: set[str] = set()
        self.attributes: list[tuple[str, str, str | None]] = []
        self.head: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.titles = 0
        self.title = ""
        self.style = ""
        self.text: list[str] = []

    def _in(self, tag: str) -> bool:
        return tag in self.stack

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [(tag, name, value) for name, value in attrs]
        if self._in("svg"):
            self.svg_elements.add(tag)
        else:
            self.outline.append(("start", tag, tuple(sorted(name for name, _ in attrs))))
        if self._in("head") and not self._in("svg"):
            self.head.append((tag, dict(attrs)))
        if tag == "title" and not self._in("svg"):
            self.titles += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [(tag, name, value) for name, value in attrs]
        if self._in("svg"):
            self.svg_elements.add(tag)
        else:
            self.problems.append(f"<{tag}/> outside SVG")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if not self._in("svg"):
            self.outline.append(("end", tag, ()))

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "style":
            self.style += data
        elif self.stack and self.stack[-1] == "title" and "svg" not in self.stack:
            self.title += data
        else:
            self.text.append(data)


def parse(page: str) -> Page:
    parsed = Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def check_page(page: str) -> Page:
    """Every rule an HTML report keeps; the parsed page."""
    assert page.startswith('<!doctype html>\n<html lang="en">\n')
    parsed = parse(page)
    assert parsed.problems == [] and parsed.stack == []
    assert parsed.titles == 1
    tags = [tag for tag, _ in parsed.head]
    assert tags[:2] == ["meta", "meta"]
    assert parsed.head[0][1] == {"charset": "utf-8"}
    assert parsed.head[1][1]["http-equiv"] == "Content-Security-Policy"
    assert tags.count("style") == 1 and "script" not in tags
    policy = parsed.head[1][1]["content"] or ""
    digest = base64.b64encode(hashlib.sha256(parsed.style.encode("utf-8")).digest()).decode()
    assert policy == (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; "
        "form-action 'none'"
    )
    assert "<script" not in page.lower()
    for tag, name, value in parsed.attributes:
        assert name != "style" and not name.startswith("on"), (tag, name)
        if name in ("src", "href", "xlink:href", "action", "formaction"):
            assert (value or "").startswith("#"), (tag, name, value)
    return parsed


#: The start of each report's `<title>` (then its subject and date).
TITLES = {
    "register": "Risk register · register · ",
    "rcm": "Risk Control Matrix · register · ",
    "risk-R-001": "Risk R-001 · Stolen-card coin purchases",
    "risk-R-028": "Risk R-028 · ",
    "wbr-register": "Weekly business review · register (the working tree) · ",
    "mbr-register": "Monthly business review · register (the working tree) · ",
    "launch-LAUNCH-001": "Launch LAUNCH-001 · ",
    "launch-LAUNCH-002": "Launch LAUNCH-002 · ",
    "soa-nist-csf-2.0": "Statement of Applicability: NIST Cybersecurity Framework",
}


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_html_report_parses_and_holds_its_policy(name: str, at_root: None) -> None:
    parsed = check_page(_shipped(name))
    assert parsed.title.startswith(TITLES[name]) and parsed.title.endswith(f" · {FROZEN_NOW}")
    sections = [event for event in parsed.outline if event[:2] == ("start", "section")]
    assert len(sections) >= 1
    assert [event[1] for event in parsed.outline if event[0] == "start"].count("h1") == 1


def test_the_check_finds_what_it_is_for(at_root: None) -> None:
    """The page check fails a page with a style attribute, a script, a second title, a link
    out, unbalanced tags or a stylesheet that is not the hashed one."""
    page = _shipped("rcm")
    broken = [
        page.replace("<main ", '<main style="color: red" ', 1),
        page.replace("</body>", "<script>alert(1)</script></body>", 1),
        page.replace("</head>", "<title>two</title></head>", 1),
        page.replace("</footer>", '<a href="https://example.com/">x</a></footer>', 1),
        page.replace("</tbody>", "</tbody></div>", 1),
        page.replace("--rk-ink: #1f2937", "--rk-ink: #000000", 1),
    ]
    for each in broken:
        assert each != page
        with pytest.raises(AssertionError):
            check_page(each)


#: A chart drawn by riskctl/report/svg.py.
CHART = re.compile(r'<svg [^>]*class="rk-chart"')


def test_the_wbr_shows_its_sections_charts_and_badges(at_root: None) -> None:
    page = _shipped("wbr-register")
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == [
        "1. What changed since the last review",
        "2. Key risk indicators",
        "3. Risks above appetite",
        "4. What falls due",
        "5. Launches in monitoring",
        "6. Loss exposure",
    ]
    markdown = (GOLDEN / "wbr-register.md").read_text(encoding="utf-8")
    assert len(CHART.findall(page)) == markdown.count("```mermaid")
    assert page.count("<figure>") == page.count("<details>")
    # a caption holds only a chart's notes, never its title again, and no figure has an empty one
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.DOTALL)
    assert captions and all(caption.strip() for caption in captions)
    assert not any(" weeks to " in each or " months to " in each for each in captions)
    # the Markdown's **above**: a badge that keeps its word
    assert '<strong class="rk-badge rk-amber">amber</strong> (amber 45, red 60' in page
    assert "<code>git tag wbr-2026-11-27</code>" in page


def test_the_register_report_draws_both_heat_maps(at_root: None) -> None:
    page = _shipped("register")
    assert re.findall(r"<h3>(.*?)</h3>", page)[:2] == ["Inherent", "Residual"]
    assert len(CHART.findall(page)) == 3  # two heat maps, the exceedance curve
    assert '<strong class="rk-badge rk-bad">above</strong> (' in page


# --- hostile register text --------------------------------------------------------------------

HOSTILE = (
    '<script>alert(1)</script></style><img src=x onerror=alert(1)>"><svg onload=alert(1)>'
    "{{ 7*7 }}{% raw %}\u202eevil\u2066x\u0000end & `code` **above**"
)
#: Where register text goes into the reports: (file, key at the start of a line).
HOSTILE_PLACES = [
    ("risks/R-001.yaml", "title"),
    ("risks/R-028.yaml", "title"),
    ("owners/payments-risk.yaml", "name"),
    ("kris/KRI-001.yaml", "title"),
    ("controls/C-001.yaml", "title"),
    ("launches/LAUNCH-001.yaml", "title"),
    ("launches/LAUNCH-002.yaml", "title"),
]


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two copies of the shipped register: as shipped, and with hostile text in its titles."""
    root = tmp_path_factory.mktemp("hostile")
    clean = root / "clean" / "register"
    hostile = root / "hostile" / "register"
    shutil.copytree(SHIPPED_REGISTER, clean)
    shutil.copytree(SHIPPED_REGISTER, hostile)
    for file, key in HOSTILE_PLACES:
        path = hostile / file
        text = path.read_text(encoding="utf-8")
        # a JSON string is a YAML double-quoted scalar, escapes included
        pattern = re.compile(rf"^{key}: .*$", flags=re.MULTILINE)
        line = f"{key}: {json.dumps(HOSTILE)}"
        match = pattern.search(text)
        assert match is not None, file
        text = text[: match.start()] + line + text[match.end() :]
        path.write_text(text, encoding="utf-8")
    return clean, hostile


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_hostile_register_text_never_becomes_markup(
    name: str, registers: tuple[Path, Path]
) -> None:
    clean, hostile = registers
    clean_page = check_page(_html(REPORTS[name], str(clean)))
    page = _html(REPORTS[name], str(hostile))
    hostile_page = check_page(page)
    assert hostile_page.outline == clean_page.outline
    assert hostile_page.svg_elements <= clean_page.svg_elements | {"title"}
    assert "\u202e" not in page and "\u2066" not in page and "\x00" not in page
    if name != "soa-nist-csf-2.0":  # the SoA names no risk, owner, KRI or launch title
        text = "".join(hostile_page.text)
        assert "<script>alert(1)</script></style><img src=x onerror=alert(1)>" in text
        assert "{{ 7*7 }}{% raw %}" in text and "\\u202eevil\\u2066x\\x00end" in text


BAD = '<strong class="rk-badge rk-bad">{}</strong>'

# --- the filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("escape", "value", "html"),
    [
        (html_cell, "<b>&'\"", "&lt;b&gt;&amp;&#x27;&quot;"),
        (html_cell, "two\r\nlines", "two<br>lines"),
        (html_text, "a\n<i>b</i>", "a<br>\n&lt;i&gt;b&lt;/i&gt;"),
        (html_cell, "\u202eevil\x1b[31m", "\\u202eevil\\x1b[31m"),
        (html_prose, "run `git tag <x>` now", "run <code>git tag &lt;x&gt;</code> now"),
        (html_prose, "`a` and `b", "<code>a</code> and `b"),
        (
            html_prose,
            "**breached**: `**none**`",
            f"{BAD.format('breached')}: <code>**none**</code>",
        ),
        (html_code, "if a < b:\n\tgo", "if a &lt; b:\n\\tgo"),
    ],
)
def test_html_filters_escape_everything_but_their_own_marks(
    escape: Callable[[object], str], value: str, html: str
) -> None:
    assert escape(value) == html


@pytest.mark.parametrize(
    ("column", "value", "html"),
    [
        ("appetite", "**above** (low)", f"{BAD.format('above')} (low)"),
        ("title", "**above** (low)", "**above** (low)"),
        ("status", "red", '<strong class="rk-badge rk-red">red</strong>'),
        ("status", "amber (x)", '<strong class="rk-badge rk-amber">amber</strong> (x)'),
        ("status", "reddish", "reddish"),
        ("title", "red", "red"),
        ("status", "gap", '<strong class="rk-badge rk-red">gap</strong>'),
        ("monitoring", "until X (**lapsed**: late)", f"until X ({BAD.format('lapsed')}: late)"),
        ("plan", "**<b>**", "**&lt;b&gt;**"),
        (None, "**none**", "**none**"),
    ],
)  # fmt: skip
def test_status_marks_are_badges_only_in_status_columns(
    column: str | None, value: str, html: str
) -> None:
    assert html_cell(value, column) == html


@pytest.mark.parametrize(
    ("value", "html"),
    [
        ("2026-07-14 (operating)", '<span class="rk-id">2026-07-14</span> (operating)'),
        ("R-001, R-002", '<span class="rk-id">R-001</span>, <span class="rk-id">R-002</span>'),
        ("GV.OC-01 and INC-2026-001", '<span class="rk-id">GV.OC-01</span> and '
         '<span class="rk-id">INC-2026-001</span>'),
        ("3-D Secure", "3-D Secure"), ("rk-bad-1", "rk-bad-1"), ("x2026-07-14", "x2026-07-14"),
        ("<R-001>", '&lt;<span class="rk-id">R-001</span>&gt;'),
    ],
)  # fmt: skip
def test_dates_and_ids_in_a_cell_are_kept_whole(value: str, html: str) -> None:
    assert html_cell(value) == html


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("12", "rk-num"), ("-1.5", "rk-num"), ("1,234", "rk-num"), ("7 %", "rk-num"),
        ("R-001", ""), ("2026-07-14", ""),
        ("R-001, R-002", ""), ("54.6 bps (2026-11-23)", ""), ("a title", ""), ("", ""),
        ("-".join(["word"] * 10), ""), ("1.2.3", ""), ("<b>-1</b>", ""),
    ],
)  # fmt: skip
def test_a_number_is_right_aligned(value: str, kind: str) -> None:
    assert cell_class(value) == kind


def test_table_cells_carry_their_class(at_root: None) -> None:
    page = _shipped("wbr-register")
    assert re.search(r'<td><span class="rk-id">R-\d{3}</span></td>', page)
    assert re.search(r'<td><span class="rk-id">\d{4}-\d{2}-\d{2}</span></td>', page)
    assert re.search(r'<td class="rk-num">\d+</td>', page)


# --- --format and --out -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "out", "expected"),
    [
        (None, None, "markdown"),
        (None, "x.md", "markdown"),
        (None, "x.html", "html"),
        (None, "X.HTM", "html"),
        ("markdown", "x.html", "markdown"),
        ("html", "x.md", "html"),
        ("html", None, "html"),
    ],
)
def test_format_for_follows_format_then_the_out_suffix(
    chosen: str | None, out: str | None, expected: str
) -> None:
    assert format_for(chosen, Path(out) if out else None) == expected


@pytest.mark.parametrize(
    ("options", "file", "is_html"),
    [
        (["--format", "html"], "x.md", True),
        ([], "x.html", True),
        (["-f", "markdown"], "x.html", False),
        ([], "x.md", False),
    ],
)
def test_out_and_format_choose_what_is_written(
    tmp_path: Path, at_root: None, options: list[str], file: str, is_html: bool
) -> None:
    target = tmp_path / file
    result = runner.invoke(
        app, ["report", "rcm", "register", "--now", FROZEN_NOW, *options, "--out", str(target)]
    )
    assert (result.exit_code, result.stdout) == (0, f"wrote {target}\n")
    written = target.read_text(encoding="utf-8")
    assert written.startswith("<!doctype html>") is is_html
    assert written.startswith("# Risk Control Matrix") is not is_html


def test_coverage_writes_the_soa_as_html(tmp_path: Path, at_root: None) -> None:
    target = tmp_path / "soa.html"
    result = runner.invoke(
        app,
        ["coverage", "nist-csf-2.0", "register", "--now", FROZEN_NOW, "-f", "html", "--out",
         str(target)],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8") == _shipped("soa-nist-csf-2.0")
    flagged = runner.invoke(
        app, ["coverage", "nist-csf-2.0", "register", "--now", FROZEN_NOW, "-f", "html",
              "--fail-on", "gap"],
    )  # fmt: skip
    assert flagged.exit_code == 1 and flagged.stdout == _shipped("soa-nist-csf-2.0")


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("rcm.html.j2", "{% if %}\n", "rcm.html.j2:1: Expected an expression"),
        ("_blocks.html.j2", "{% macro table(header, rows) %}{{ nope }}{% endmacro %}\n",
         "_blocks.html.j2"),
        ("_report.css", "body {}\n</style><script>\n", "_report.css: holds NUL or `</style`"),
        # what would let register text become markup is refused by name, with its line
        ("rcm.html.j2", "\n{{ source | safe }}\n", "rcm.html.j2:2: No filter named 'safe'"),
        ("rcm.html.j2", "{{ source | urlize }}\n", "No filter named 'urlize'"),
        ("rcm.html.j2", "\n\n{% autoescape false %}{{ source }}{% endautoescape %}\n",
         "rcm.html.j2:3: autoescape cannot be turned off"),
        ("rcm.html.j2", "{% set off = false %}{% autoescape off %}{% endautoescape %}\n",
         "autoescape cannot be turned off"),
    ],
)  # fmt: skip
def test_a_broken_html_template_exits_3_naming_it(
    tmp_path: Path, at_root: None, file: str, content: str, message: str
) -> None:
    (tmp_path / file).write_text(content, encoding="utf-8")
    result = runner.invoke(
        app, ["report", "rcm", "register", "--now", FROZEN_NOW, "-f", "html",
              "--templates", str(tmp_path)],
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (3, "")
    assert message in result.stderr


def test_a_user_template_may_keep_autoescape_on(tmp_path: Path, at_root: None) -> None:
    (tmp_path / "rcm.html.j2").write_text(
        "{% autoescape true %}<p>{{ source }}</p>{% endautoescape %}\n", encoding="utf-8"
    )
    page = _html(REPORTS["rcm"], "register", "--templates", str(tmp_path))
    assert page == "<p>register</p>"  # (trim_blocks takes the newline after the block)


def test_a_stylesheet_in_templates_dir_replaces_the_shipped_one_and_its_hash(
    tmp_path: Path, at_root: None
) -> None:
    (tmp_path / "_report.css").write_text("body { color: #123456; }\r\n", encoding="utf-8")
    page = _html(REPORTS["rcm"], "register", "--templates", str(tmp_path))
    assert "<style>body { color: #123456; }\n</style>" in page
    check_page(page)


def test_notices_name_what_the_report_does_not_count(base_register: Path) -> None:
    """Records dated after --now and files --partial left out: escaped notes at the top."""
    bad = base_register / "risks" / "R-9<b>.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    result = runner.invoke(
        app, ["report", "rcm", str(base_register), "--now", "2026-01-01", "-f", "html",
              "--partial"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    page = check_page(result.stdout)
    text = "".join(page.text)
    assert "Partial register: 1 file(s) did not load" in text
    assert "R-9<b>.yaml" in text and "R-9&lt;b&gt;.yaml" in result.stdout
    assert "As of 2026-01-01:" in text
    assert result.stdout.index('class="rk-notice"') < result.stdout.index("<table>")


# --- the HTML says what the Markdown says -----------------------------------------------------

#: The Markdown's own words about its Mermaid charts, which the SVG's legend says instead.
MERMAID_ONLY = re.compile(r"^Lines, in order: ")


def _markdown_texts(markdown: str) -> list[str]:
    """The text of every heading, paragraph and table cell of a Markdown report, as a reader
    sees it (escapes and emphasis gone), without the Mermaid charts and their captions."""
    from markdown_it import MarkdownIt

    texts = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type != "inline" or not token.children:
            continue
        pieces = [
            child.content
            for child in token.children
            if child.type in ("text", "code_inline") or child.type == "softbreak"
        ]
        text = "".join(pieces)
        if text and not MERMAID_ONLY.match(text):
            texts.append(text)
    return texts


def _squeezed(text: str) -> str:
    return re.sub(r"[\s\u200b]+", "", text)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_the_html_says_everything_the_markdown_says(name: str, at_root: None) -> None:
    if name.startswith("soa-"):
        markdown = _run_markdown(REPORTS[name])
    else:
        markdown = (GOLDEN / f"{name}.md").read_text(encoding="utf-8")
    html_text = _squeezed("".join(parse(_shipped(name)).text))
    missing = [text for text in _markdown_texts(markdown) if _squeezed(text) not in html_text]
    assert missing == []


def _run_markdown(args: list[str]) -> str:
    result = runner.invoke(app, [*args, "register", "--now", FROZEN_NOW])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_a_site_page_links_home_and_nowhere_else(at_root: None) -> None:
    """`report site` renders in-process from one read: a page links to its index only."""
    import datetime

    from riskctl.report.produce import read_scored, register_report

    scored = read_scored(Path("register"), None, datetime.date.fromisoformat(FROZEN_NOW))
    page = register_report(scored, "risk", "html", subject="R-001", home="../index.html").text
    assert '<nav class="rk-nav"><a href="../index.html">Index</a></nav>' in page
    assert page.replace('<nav class="rk-nav"><a href="../index.html">Index</a></nav>\n', "") == (
        _shipped("risk-R-001")
    )
    markdown = register_report(scored, "risk", "markdown", subject="R-001", home="x").text
    assert markdown == (GOLDEN / "risk-R-001.md").read_text(encoding="utf-8")
