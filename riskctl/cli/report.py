"""`riskctl report KIND`: Markdown reports from the register (jinja2 templates)."""

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    NowOpt,
    PartialOpt,
    RegisterArg,
    RevisionOpt,
    check_out,
    load_as_of,
    note_left_out,
    operational_errors,
    source_for,
    today_or,
    write_output,
)

if TYPE_CHECKING:
    import datetime
    from collections.abc import Sequence

    from riskctl.asof import LeftOut

app = typer.Typer(
    name="report",
    help="Markdown reports: register, RCM, one risk, WBR, MBR, one launch, SoA.",
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


#: The reports that run the loss simulation (riskctl/report/quant.py).
QUANTIFIED_TEMPLATES = ("register.md.j2", "risk.md.j2")


def _produce(
    template: str,
    build: Callable[..., dict[str, Any]],
    path: Path,
    revision: str | None,
    now: str | None,
    out: Path | None,
    templates: Path | None,
    partial: bool,
    *arguments: object,
) -> None:
    """Load, score, build the context, render, and print or write the report."""
    from riskctl.report.render import render
    from riskctl.score.residual import score_register

    today = today_or(now)
    check_out(out, path)
    with operational_errors():
        source = source_for(path, revision)
        loaded = load_as_of(source, partial, today)
        if template in QUANTIFIED_TEMPLATES:
            from riskctl.quant.inputs import refuse_unknown_input_keys

            refuse_unknown_input_keys(loaded.hits, source.label, loaded.failed)
        card = score_register(loaded.register)
        described = path.as_posix() + (f" at {revision}" if revision else "")
        context = build(loaded.register, card, *arguments, today, described)
        text = render(template, context, templates)
        _emit(mark_not_counted(text, loaded.left_out, today), out, loaded.failed, source.label)


def mark_not_counted(text: str, left_out: "Sequence[LeftOut]", today: "datetime.date") -> str:
    """The report with a note at its top naming the records dated after --now that it does
    not count (a reader of the file does not see stderr), and the stderr note."""
    from riskctl.output.left_out import left_out_markdown

    note_left_out(left_out, today)
    return left_out_markdown(left_out, today) + text


def _emit(text: str, out: Path | None, failed: dict[str, str], label: str) -> None:
    """Print the report, or write it to --out; a partial read is named at its top."""
    if failed:
        from riskctl.output.partial import mark_partial

        text, _ = mark_partial(text, "markdown", failed, label)
    write_output(out, text)


@app.command("register")
def register_command(
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
) -> None:
    """All open risks with their tiers, owners and controls, and inherent/residual heat maps."""
    from riskctl.report.context import register_context

    _produce("register.md.j2", register_context, path, revision, now, out, templates, partial)


@app.command("rcm")
def rcm_command(
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
) -> None:
    """The Risk Control Matrix: one row per risk-control pair, with the RCM columns."""
    from riskctl.report.context import rcm_context

    _produce("rcm.md.j2", rcm_context, path, revision, now, out, templates, partial)


@app.command("risk")
def risk_command(
    risk_id: Annotated[str, typer.Argument(help="The risk's id, e.g. R-003.", metavar="RISK-ID")],
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
) -> None:
    """One risk on one page: tiers, controls, KRIs, incidents, acceptances, the derivation."""
    from riskctl.report.context import risk_context

    _produce("risk.md.j2", risk_context, path, revision, now, out, templates, partial, risk_id)


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
) -> None:
    """One launch on one page: failure modes by action priority, linked risks, monitoring KRIs."""
    from riskctl.report.launch import launch_context

    _produce(
        "launch.md.j2", launch_context, path, revision, now, out, templates, partial, launch_id
    )


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
) -> None:
    """A framework's Statement of Applicability (as `riskctl coverage -f markdown`)."""
    from riskctl.cli.coverage import produce_soa

    produce_soa(framework, path, revision, now, out, templates, partial)


def _review(
    kind: Literal["wbr", "mbr"],
    path: Path,
    revision: str | None,
    base: str | None,
    now: str | None,
    out: Path | None,
    templates: Path | None,
    partial: bool,
) -> None:
    """Read the register and the last review, build the review's context, render, print/write."""
    from riskctl.report.inputs import read_review
    from riskctl.report.mbr import mbr_context
    from riskctl.report.render import render
    from riskctl.report.wbr import wbr_context

    today = today_or(now)
    check_out(out, path)
    with operational_errors():
        source = source_for(path, revision, with_repository=True)
        review = read_review(source, base, kind, today, partial=partial)
        context = (mbr_context if kind == "mbr" else wbr_context)(review, today)
        text = render(f"{kind}.md.j2", context, templates)
    _emit(mark_not_counted(text, review.not_counted, today), out, review.left_out, source.label)


@app.command("wbr")
def wbr_command(
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    base: BaseOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
) -> None:
    """The weekly business review, exceptions first.

    What changed since the last review (the diff since --base, or the latest wbr-* tag), KRI
    exceptions with 6-week and 12-month charts and routine KRIs one line each, risks above
    appetite and their treatment, what falls due, and launches in monitoring. Tag the reviewed
    commit after each review (`git tag wbr-2026-11-27`) and the next WBR starts from it.
    """
    _review("wbr", path, revision, base, now, out, templates, partial)


@app.command("mbr")
def mbr_command(
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    base: BaseOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
    partial: PartialOpt = False,
) -> None:
    """The monthly business review: the WBR's questions over a month.

    KRIs as monthly values with 13-month charts, the month's incidents and near-misses by root
    cause, and open risks per residual level at each of the last 12 month-ends (from git
    history) and today. --base defaults to the latest mbr-* tag.
    """
    _review("mbr", path, revision, base, now, out, templates, partial)
