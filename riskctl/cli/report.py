"""`riskctl report KIND`: Markdown reports from the register (jinja2 templates)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    NowOpt,
    RegisterArg,
    RevisionOpt,
    operational_errors,
    read_sources,
    today_or,
    write_atomically,
    write_stdout,
)

app = typer.Typer(
    name="report", help="Markdown reports: register, RCM, one risk.", no_args_is_help=True
)

OutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Write the report to this file (atomically) instead of stdout."),
]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        help="A folder of templates; one named like a shipped template replaces it.",
        metavar="DIR",
    ),
]


def _produce(
    template: str,
    build: Callable[..., dict[str, Any]],
    path: Path,
    revision: str | None,
    now: str | None,
    out: Path | None,
    templates: Path | None,
    *arguments: object,
) -> None:
    """Load, score, build the context, render, and print or write the report."""
    from riskctl.load import load
    from riskctl.report.render import render
    from riskctl.score.residual import score_register

    today = today_or(now)
    with operational_errors():
        register = load(read_sources(path, revision)).register
        card = score_register(register)
        source = f"{path.as_posix()}" + (f" at {revision}" if revision else "")
        context = build(register, card, *arguments, today, source)
        text = render(template, context, templates)
        if out is not None:
            write_atomically(out, text)
    if out is None:
        write_stdout(text)
    else:
        write_stdout(f"wrote {out}\n")


@app.command("register")
def register_command(
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
) -> None:
    """All open risks with their tiers, owners and controls, and inherent/residual heat maps."""
    from riskctl.report.context import register_context

    _produce("register.md.j2", register_context, path, revision, now, out, templates)


@app.command("rcm")
def rcm_command(
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
) -> None:
    """The Risk Control Matrix: one row per risk-control pair, with the RCM columns."""
    from riskctl.report.context import rcm_context

    _produce("rcm.md.j2", rcm_context, path, revision, now, out, templates)


@app.command("risk")
def risk_command(
    risk_id: Annotated[str, typer.Argument(help="The risk's id, e.g. R-003.", metavar="RISK-ID")],
    path: RegisterArg = DEFAULT_REGISTER,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    out: OutOpt = None,
    templates: TemplatesOpt = None,
) -> None:
    """One risk on one page: tiers, controls, KRIs, incidents, acceptances, the derivation."""
    from riskctl.report.context import risk_context

    _produce("risk.md.j2", risk_context, path, revision, now, out, templates, risk_id)
