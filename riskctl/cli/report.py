"""`riskctl report KIND`: Markdown and HTML reports from the register (jinja2 templates)."""

import enum
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    NoCacheOpt,
    NowOpt,
    PartialOpt,
    RegisterArg,
    RevisionOpt,
    check_out,
    note_left_out,
    operational_errors,
    source_for,
    today_or,
    write_output,
)

if TYPE_CHECKING:
    from riskctl.report.produce import RegisterKind

app = typer.Typer(
    name="report",
    help="Reports in Markdown or HTML: register, RCM, one risk, WBR, MBR, one launch, SoA.",
    no_args_is_help=True,
)


def _out_file(value: str) -> Path:
    """`--out FILE`; a value ending in `/` names a folder, which pathlib would silently drop
    (`--out reports/` wrote a file named `reports`)."""
    if value.endswith(("/", os.sep)) and value != "/":
        raise typer.BadParameter(f"{value!r} ends in '/', so it names a folder; give a file name")
    return Path(value)


OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Write the report to this file (replaced atomically; - for stdout). Its folder must "
        "exist; a folder, device, FIFO or symbolic link is refused.",
        metavar="FILE",
        parser=_out_file,
    ),
]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        help="A folder of templates; one named like a shipped template replaces it.",
        metavar="DIR",
    ),
]

BaseOpt = Annotated[
    str | None,
    typer.Option(
        "--base",
        help="Compare with the register at this revision (the last review). Default: the most "
        "recent wbr-* (mbr-* for mbr) tag reachable from the reviewed revision.",
        metavar="REV",
    ),
]


class ReportFormat(enum.StrEnum):
    """Formats of a report."""

    MARKDOWN = "markdown"
    HTML = "html"


FormatOpt = Annotated[
    ReportFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="markdown, or html: one self-contained page (no script, nothing fetched; light "
        "and dark, prints with a page per section). Default: markdown, or html when --out "
        "names a .html or .htm file.",
        show_default=False,
    ),
]


def _produce(
    kind: "RegisterKind",
    path: Path,
    revision: str | None,
    now: str | None,
    out: Path | None,
    templates: Path | None,
    partial: bool,
    output_format: ReportFormat | None,
    subject: str | None = None,
) -> None:
    """Load and score the register, render the report, and print or write it."""
    from riskctl.report.produce import format_for, read_scored, register_report

    today = today_or(now)
    check_out(out, path)
    with operational_errors():
        scored = read_scored(path, revision, today, partial=partial)
        report = register_report(scored, kind, format_for(output_format, out), templates, subject)
    note_left_out(report.not_counted, today)
    write_output(out, report.text)


@app.command("register")
def register_command(
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
    output_format: FormatOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """All open risks with their tiers, owners and controls, and inherent/residual heat maps."""
    _produce("register", path, revision, now, out, templates, partial, output_format)


@app.command("rcm")
def rcm_command(
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
    output_format: FormatOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """The Risk Control Matrix: one row per risk-control pair, with the RCM columns."""
    _produce("rcm", path, revision, now, out, templates, partial, output_format)


@app.command("risk")
def risk_command(
    risk_id: Annotated[str, typer.Argument(help="The risk's id, e.g. R-003.", metavar="RISK-ID")],
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
    output_format: FormatOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """One risk on one page: tiers, controls, KRIs, incidents, acceptances, the derivation."""
    _produce("risk", path, revision, now, out, templates, partial, output_format, risk_id)


@app.command("launch")
def launch_command(
    launch_id: Annotated[
        str, typer.Argument(help="The launch's id, e.g. LAUNCH-002.", metavar="LAUNCH-ID")
    ],
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
    output_format: FormatOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """One launch on one page: failure modes by action priority, linked risks, monitoring KRIs."""
    _produce("launch", path, revision, now, out, templates, partial, output_format, launch_id)


@app.command("soa")
def soa_command(
    framework: Annotated[
        str,
        typer.Argument(
            help="The framework id, e.g. nist-csf-2.0.", metavar="FRAMEWORK", show_default=False
        ),
    ],
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
    output_format: FormatOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """A framework's Statement of Applicability (as `riskctl coverage -f markdown` or `-f html`)."""
    from riskctl.cli.coverage import produce_soa

    produce_soa(framework, path, revision, now, out, templates, partial, output_format)


def _review(
    kind: Literal["wbr", "mbr"],
    path: Path,
    revision: str | None,
    base: str | None,
    now: str | None,
    out: Path | None,
    templates: Path | None,
    partial: bool,
    output_format: ReportFormat | None,
) -> None:
    """Read the register and the last review, render the review, and print or write it."""
    from riskctl.report.inputs import read_review
    from riskctl.report.produce import format_for, review_report

    today = today_or(now)
    check_out(out, path)
    with operational_errors():
        source = source_for(path, revision, with_repository=True)
        review = read_review(source, base, kind, today, partial=partial)
        report = review_report(
            review, today, source.label, format_for(output_format, out), templates
        )
    note_left_out(report.not_counted, today)
    write_output(out, report.text)


@app.command("wbr")
def wbr_command(
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    base: BaseOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
    output_format: FormatOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """The weekly business review, exceptions first.

    What changed since the last review (the diff since --base, or the latest wbr-* tag), KRI
    exceptions with 6-week and 12-month charts and routine KRIs one line each, risks above
    appetite and their treatment, what falls due, and launches in monitoring. Tag the reviewed
    commit after each review (`git tag wbr-2026-11-27`) and the next WBR starts from it.
    """
    _review("wbr", path, revision, base, now, out, templates, partial, output_format)


@app.command("mbr")
def mbr_command(
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    base: BaseOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
    output_format: FormatOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """The monthly business review: the WBR's questions over a month.

    KRIs as monthly values with 13-month charts, the month's incidents and near-misses by root
    cause, and open risks per residual level at each of the last 12 month-ends (from git
    history) and today. --base defaults to the latest mbr-* tag.
    """
    _review("mbr", path, revision, base, now, out, templates, partial, output_format)


SiteOutOpt = Annotated[
    Path,
    typer.Option(
        "--out",
        help="The folder to write the site into: created if it does not exist (its parent "
        "must), replaced as a whole if an earlier `report site` wrote it; any other folder "
        "with files in it is refused.",
        metavar="DIR",
        show_default=False,
    ),
]


@app.command("site")
def site_command(
    out: SiteOutOpt,
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """The register's state as HTML pages for a static host.

    index.html (open risks and levels at a glance, a link to every page), wbr.html and mbr.html
    (since the latest wbr-*/mbr-* tag), register.html, rcm.html, risks/ID.html for each risk,
    launches/ID.html for each launch and soa/FRAMEWORK.html for each framework in scope. Each
    page is the self-contained report `--format html` writes, with a link back to the index.
    Publish the folder from CI to an internal static site.
    """
    from riskctl.cli._common import check_out_folder
    from riskctl.errors import RiskctlError
    from riskctl.fileio import check_output_folder, printable, write_folder
    from riskctl.report.site import MARKER, build_site

    today = today_or(now)
    with operational_errors():
        if str(out) == "-":  # stdout elsewhere; a folder named `-` is no one's intent
            raise RiskctlError(
                "--out -: a site is a folder of pages, not one stream: name a folder (e.g. "
                "build/site)"
            )
        check_out_folder(out, path, templates)
        check_output_folder(out, MARKER, "--out")
        site = build_site(path, revision, today, partial=partial, templates=templates)
        write_folder(out, dict(site.files), MARKER, "--out")
    note_left_out(site.not_counted, today)
    for sentence in site.skipped:
        typer.echo(f"note: {sentence}", err=True)
    write_output(None, f"wrote {printable(out)}/ ({len(site.files)} pages)\n")
