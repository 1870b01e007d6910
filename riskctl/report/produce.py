"""Reports as text, in Markdown or HTML, from a register read once: what `riskctl report KIND`
and `riskctl report site` share.

`read_scored` reads and scores the register as of a day (refusing it when a file did not load,
unless `partial`); `register_report` renders the register, RCM, risk and launch reports from
that one read, `soa_report` the Statement of Applicability, and `review_report` the WBR or MBR
from what `report/inputs.py` `read_review` read. Each returns a `Report`: the text, and what the
command says on stderr (the records `--now` did not count, the SoA's coverage notes).

Both formats say what the reader of the file cannot see on stderr: the records dated after
`--now` that are not counted, and the files a `--partial` read left out. Markdown puts them in
a quote at its top (`output/left_out.py`, `output/partial.py`, unchanged); HTML gets them as
`notices` in the template's context, escaped like every other value.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from riskctl.asof import LeftOut
from riskctl.findings import Hit
from riskctl.model.register import Register
from riskctl.score.residual import Scorecard

if TYPE_CHECKING:
    from riskctl.coverage import Coverage
    from riskctl.load import ParseCache
    from riskctl.report.review import Review
    from riskctl.source import RegisterSource

Format = Literal["markdown", "html"]
#: The formats of `--format`, and the extension of each one's templates.
TEMPLATE_SUFFIX: dict[str, str] = {"markdown": ".md.j2", "html": ".html.j2"}
#: File name endings that make `--out` write HTML when no `--format` is given.
HTML_SUFFIXES = (".html", ".htm")

#: The reports over one scored register: their template's stem and context builder.
RegisterKind = Literal["register", "rcm", "risk", "launch"]
#: The reports that run the loss simulation (riskctl/report/quant.py).
QUANTIFIED = ("register", "risk")


def format_for(chosen: str | None, out: Path | None) -> Format:
    """The format to write: `chosen` (`--format`) when given, else HTML for an `--out` file
    named `.html`/`.htm`, else Markdown."""
    if chosen is not None:
        return "html" if chosen == "html" else "markdown"
    if out is not None and out.suffix.lower() in HTML_SUFFIXES:
        return "html"
    return "markdown"


@dataclass(frozen=True)
class Report:
    """A rendered report and what its command says on stderr."""

    text: str
    not_counted: tuple[LeftOut, ...] = ()
    """Records dated after `--now` that the report does not count (named in the text too)."""


@dataclass(frozen=True)
class ScoredRegister:
    """A register read once as of a day and scored: the input of every report but the reviews."""

    register: Register
    card: Scorecard
    today: datetime.date
    described: str
    """How the reports' footers name it: `register`, `register at v1`."""
    description: str
    """How the SoA names it (`RegisterSource.description`, with the commit)."""
    label: str
    """How file names are shown (`RegisterSource.label`)."""
    not_counted: tuple[LeftOut, ...] = ()
    failed: Mapping[str, str] = field(default_factory=dict)
    """Files a `--partial` read left out, with why."""
    hits: Sequence[Hit] = ()
    """What loading found (the loss simulation refuses unknown `quant:` keys)."""


def read_scored(
    path: Path,
    revision: str | None,
    today: datetime.date,
    *,
    partial: bool = False,
    source: RegisterSource | None = None,
    cache: ParseCache | None = None,
) -> ScoredRegister:
    """The register at `path` (or at `revision`), as of `today`, scored. A caller that reads
    it again (`report site`: the reviews) passes the `source` it resolved and a `cache`, so
    the revision is resolved and each file parsed once."""
    from riskctl.asof import read_as_of
    from riskctl.score.residual import score_register
    from riskctl.source import register_source

    if source is None:
        source = register_source(path, revision)
    loaded = read_as_of(source, today, cache, partial=partial)
    return ScoredRegister(
        register=loaded.register,
        card=score_register(loaded.register),
        today=today,
        described=path.as_posix() + (f" at {revision}" if revision else ""),
        description=source.description,
        label=source.label,
        not_counted=tuple(loaded.left_out),
        failed=dict(loaded.failed),
        hits=tuple(loaded.hits),
    )


def _builder(kind: RegisterKind) -> Callable[..., dict[str, Any]]:
    if kind == "launch":
        from riskctl.report.launch import launch_context

        return launch_context
    from riskctl.report import context

    builders: dict[str, Callable[..., dict[str, Any]]] = {
        "register": context.register_context,
        "rcm": context.rcm_context,
        "risk": context.risk_context,
    }
    return builders[kind]


def register_report(
    scored: ScoredRegister,
    kind: RegisterKind,
    output_format: Format = "markdown",
    templates: Path | None = None,
    subject: str | None = None,
    *,
    home: str | None = None,
) -> Report:
    """The register, RCM, risk (`subject` is the risk id) or launch (the launch id) report."""
    if kind in QUANTIFIED:
        from riskctl.quant.inputs import refuse_unknown_input_keys

        refuse_unknown_input_keys(scored.hits, scored.label, scored.failed)
    arguments = () if subject is None else (subject,)
    context = _builder(kind)(
        scored.register, scored.card, *arguments, scored.today, scored.described
    )
    text = render_report(
        kind, context, output_format, templates, scored.not_counted, scored.today,
        scored.failed, scored.label, home=home,
    )  # fmt: skip
    return Report(text, scored.not_counted)


def soa_report(
    scored: ScoredRegister,
    framework: str,
    output_format: Format = "markdown",
    templates: Path | None = None,
    *,
    home: str | None = None,
) -> tuple[Report, Coverage]:
    """A framework's Statement of Applicability (`soa.md.j2`, `soa.html.j2`), and the coverage
    it shows (its command notes a framework not declared in scope, unknown mappings)."""
    from riskctl.coverage import coverage
    from riskctl.report.soa import soa_context, soa_document

    result = coverage(scored.register, framework, scored.today)
    context = soa_context(soa_document(result), scored.description)
    text = render_report(
        "soa", context, output_format, templates, scored.not_counted, scored.today,
        scored.failed, scored.label, home=home,
    )  # fmt: skip
    return Report(text, scored.not_counted), result


def review_report(
    review: Review,
    today: datetime.date,
    label: str,
    output_format: Format = "markdown",
    templates: Path | None = None,
    *,
    home: str | None = None,
) -> Report:
    """The weekly or monthly business review of what `read_review` read."""
    from riskctl.report.mbr import mbr_context
    from riskctl.report.wbr import wbr_context

    context = (mbr_context if review.kind == "mbr" else wbr_context)(review, today)
    text = render_report(
        review.kind, context, output_format, templates, review.not_counted, today,
        review.left_out, label, home=home,
    )  # fmt: skip
    return Report(text, review.not_counted)


def render_report(
    name: str,
    context: Mapping[str, Any],
    output_format: Format,
    templates: Path | None,
    not_counted: Sequence[LeftOut],
    today: datetime.date,
    failed: Mapping[str, str],
    label: str,
    *,
    home: str | None = None,
) -> str:
    """Render `name` (`wbr`: `wbr.md.j2` or `wbr.html.j2`) with what a reader must know first:
    the records `--now` did not count and the files a `--partial` read left out. An HTML page
    of a site links back to its index at `home` (a relative path), when given."""
    from riskctl.report.render import render

    template = name + TEMPLATE_SUFFIX[output_format]
    if output_format == "html":
        shown = notices(not_counted, today, failed, label)
        return render(template, {**context, "notices": shown, "home": home}, templates)
    from riskctl.output.left_out import left_out_markdown
    from riskctl.output.partial import mark_partial

    text = left_out_markdown(not_counted, today) + render(template, context, templates)
    if failed:
        text, _ = mark_partial(text, "markdown", failed, label)
    return text


def notices(
    not_counted: Sequence[LeftOut],
    today: datetime.date,
    failed: Mapping[str, str],
    label: str,
) -> list[dict[str, str]]:
    """The HTML report's notes at its top, as the Markdown's: `{"title", "text"}`, plain text
    (register text in it is escaped by the template like any value)."""
    from riskctl.output.left_out import not_counted_notice
    from riskctl.output.partial import partial_notice

    found = []
    if failed:
        found.append(partial_notice(failed, label))
    if not_counted:
        found.append(not_counted_notice(not_counted, today))
    return [{"title": title, "text": text} for title, text in found]
