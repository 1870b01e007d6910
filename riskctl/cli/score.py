"""`riskctl score`: inherent, residual, projected and target risk, explained step by step."""

import enum
from typing import Annotated

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    ColorChoice,
    ColorOpt,
    NoCacheOpt,
    NowOpt,
    PartialOpt,
    RegisterArg,
    RevisionOpt,
    load_as_of,
    operational_errors,
    source_for,
    today_or,
    use_color,
    write_result,
)


def _check_sort(value: str) -> str:
    """`--sort`: a usage error (exit 2) for a field riskctl cannot sort by."""
    from riskctl.score.query import SORTS

    if value not in SORTS:
        raise typer.BadParameter(f"{value!r} is not a sort field: use one of {', '.join(SORTS)}")
    return value


class ScoreFormat(enum.StrEnum):
    """Output formats of `riskctl score`."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"


def score_command(
    path: RegisterArg = DEFAULT_REGISTER,
    output_format: Annotated[
        ScoreFormat, typer.Option("--format", "-f", help="text, json, csv or markdown.")
    ] = ScoreFormat.TEXT,
    explain: Annotated[
        str | None,
        typer.Option("--explain", help="Explain every step for one risk.", metavar="RISK-ID"),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", help="Only risks of this category.", metavar="CATEGORY"),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only risks of this owner.", metavar="OWNER")
    ] = None,
    above_appetite: Annotated[
        bool, typer.Option("--above-appetite", help="Only risks above their category's appetite.")
    ] = False,
    include_closed: Annotated[
        bool, typer.Option("--include-closed", help="Show closed risks too.")
    ] = False,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            callback=_check_sort,
            metavar="FIELD",
            help="residual (default), inherent, projected, target, id, title, category, owner "
            "or next-review.",
        ),
    ] = "residual",
    revision: RevisionOpt = None,
    now: NowOpt = None,
    color: ColorOpt = ColorChoice.AUTO,
    partial: PartialOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Score every risk: inherent, residual from the controls in place, projected and target.

    As of --now: a control test, incident or acceptance dated later does not count (--explain
    lists those that bear on the risk). Sorted by residual then inherent score, highest first.
    Exit 3 for an unknown risk id, category or owner, or a register that cannot be read.
    """
    from riskctl.asof import NotCounted
    from riskctl.load.register import remembered_for
    from riskctl.output.scores import SCORE_FORMATS
    from riskctl.score import query
    from riskctl.score.explain import explain as explain_risk
    from riskctl.score.residual import score_register
    from riskctl.textsafe import visible

    if explain is not None and output_format is not ScoreFormat.TEXT:
        raise typer.BadParameter(
            f"--explain prints text; it does not combine with --format {output_format.value}",
            param_hint="'--explain'",
        )
    today = today_or(now)
    if explain is None and not (output_format is ScoreFormat.TEXT and use_color(color)):
        with operational_errors():
            source = source_for(path, revision)
            sources = source.read()
            filters = (category, owner, above_appetite, include_closed, sort)
            key = ("score", output_format.value, *filters, partial, today.isoformat())

            def compute() -> tuple[str, dict[str, str], NotCounted]:
                loaded = load_as_of(source, partial, today, sources=sources)
                card = score_register(loaded.register)
                chosen = query.select(
                    card,
                    loaded.register,
                    category=category,
                    owner=owner,
                    above_appetite=above_appetite,
                    include_closed=include_closed,
                    sort=sort,
                )
                text = SCORE_FORMATS[output_format.value](card, chosen, today)
                return text, loaded.failed, NotCounted(today, loaded.as_of.left_out)

            text, failed, not_counted = remembered_for(sources, key, compute)
        kind = "text" if output_format is ScoreFormat.TEXT else output_format.value
        write_result(text, kind, failed, source.label, not_counted)  # type: ignore[arg-type]
        return
    with operational_errors():
        source = source_for(path, revision)
        loaded = load_as_of(source, partial, today)
        register = loaded.register
        card = score_register(register)
        if explain is not None:
            found = query.find(card, explain)
            written = loaded.loaded.register
            text = explain_risk(found, card, today, loaded.left_out, written)
            text = visible(text, keep_newlines=True)
            # register text: shown, not run
            write_result(text, "text", loaded.failed, source.label, loaded.as_of)
            return
        chosen = query.select(
            card,
            register,
            category=category,
            owner=owner,
            above_appetite=above_appetite,
            include_closed=include_closed,
            sort=sort,
        )
    from riskctl.cli._console import print_scores

    write_result("", "text", loaded.failed, source.label, loaded.as_of)
    print_scores(card, chosen, today)
