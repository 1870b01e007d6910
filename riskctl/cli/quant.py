"""`riskctl quant`: Monte Carlo loss quantification, inherent against residual, against the
loss-tolerance curve."""

import enum
import sys
from typing import Annotated

import typer

from riskctl.cli._common import (
    DEFAULT_REGISTER,
    EXIT_FINDINGS,
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


class QuantFormat(enum.StrEnum):
    """Output formats of `riskctl quant`."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"


class SemanticsChoice(enum.StrEnum):
    """How a simulated year's loss is made (README, `riskctl quant`)."""

    COMPOUND_POISSON = "compound-poisson"
    FAIR_PRODUCT = "fair-product"


def _check_years(value: int | None) -> int | None:
    """`--years`: a usage error (exit 2) outside 1..MAX_YEARS."""
    if value is not None:
        from riskctl.model.config import MAX_YEARS

        if not 1 <= value <= MAX_YEARS:
            raise typer.BadParameter(f"{value} is not a number of years from 1 to {MAX_YEARS:,}")
    return value


def _check_seed(value: int | None) -> int | None:
    """`--seed`: a usage error (exit 2) outside 0..MAX_SEED."""
    if value is not None:
        from riskctl.model.config import MAX_SEED

        if not 0 <= value <= MAX_SEED:
            raise typer.BadParameter(f"{value} is not a seed from 0 to {MAX_SEED} (2^63 - 1)")
    return value


class ProgressLine:
    """A progress bar on one stderr line, redrawn with `\\r` and erased when the run ends."""

    WIDTH = 30

    def __init__(self, years: int) -> None:
        self.label = f"simulating {years:,} year{'s' if years != 1 else ''}"
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        filled = self.WIDTH * done // total if total else self.WIDTH
        line = f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total}"
        self.shown = max(self.shown, len(line) - 1)
        sys.stderr.write(line)
        sys.stderr.flush()

    def close(self) -> None:
        """Erase the line, so the terminal reads as if no bar had been drawn."""
        if self.shown:
            sys.stderr.write("\r" + " " * self.shown + "\r")
            sys.stderr.flush()
            self.shown = 0


def _print_colored(text: str) -> None:
    """The text format with the headings bold and each tolerance verdict coloured."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True, force_terminal=True)
    for line in text.splitlines():
        styled = Text(line)  # never markup: register text stays text
        if line.endswith(":") or line.startswith("Loss quantification:"):
            styled.stylize("bold")
        styled.highlight_regex(r"\bbreached\b", "bold red")
        styled.highlight_regex(r"\bheld\b", "green")
        styled.highlight_regex(r"\bmarginal\b", "yellow")
        console.print(styled)


def quant_command(
    path: RegisterArg = DEFAULT_REGISTER,
    years: Annotated[
        int | None,
        typer.Option(
            "--years",
            callback=_check_years,
            metavar="N",
            help="Simulated years (default: riskctl.yaml quant.years, else 100,000).",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            callback=_check_seed,
            metavar="S",
            help="Random seed; the same seed gives the same numbers (default: riskctl.yaml "
            "quant.seed, else 0).",
        ),
    ] = None,
    semantics: Annotated[
        SemanticsChoice | None,
        typer.Option(
            "--semantics",
            help="compound-poisson (each year sums its events' losses) or fair-product "
            "(pyfair's frequency x one loss); default: riskctl.yaml quant.semantics.",
            show_default=False,
        ),
    ] = None,
    risk: Annotated[
        list[str] | None,
        typer.Option(
            "--risk",
            metavar="RISK-ID",
            help="Only this risk (repeat for more); the portfolio is theirs.",
        ),
    ] = None,
    output_format: Annotated[
        QuantFormat, typer.Option("--format", "-f", help="text, json, csv or markdown.")
    ] = QuantFormat.TEXT,
    fail_on_tolerance: Annotated[
        bool,
        typer.Option(
            "--fail-on-tolerance",
            help="Exit 1 when the residual portfolio breaches a point of the tolerance curve.",
        ),
    ] = False,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    color: ColorOpt = ColorChoice.AUTO,
    partial: PartialOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Simulate the annual loss of every open risk with `quant:` inputs, inherent and residual.

    Per risk and for the portfolio: exact ALE, simulated mean, sd, P(any loss), percentiles,
    VaR and TVaR, the loss exceedance curve, and the residual portfolio against riskctl.yaml's
    loss-tolerance curve. The residual is as of --now: a control test or an incident dated
    later does not count. Exit 1 with --fail-on-tolerance when a point is breached; exit 3 for
    an unknown risk, one without inputs, a run too large, or a register that cannot be read.
    """
    from riskctl.errors import RiskctlError
    from riskctl.output.quant import QUANT_FORMATS, breach_lines
    from riskctl.quant.inputs import refuse_unknown_input_keys
    from riskctl.quant.run import run_register

    today = today_or(now)
    with operational_errors():
        source = source_for(path, revision)
        loaded = load_as_of(source, partial, today)
        refuse_unknown_input_keys(loaded.hits, source.label, loaded.failed)
        for risk_id in risk or ():
            problem = loaded.failed.get(f"risks/{risk_id}.yaml")
            if problem is not None:  # left out by --partial: not "no such risk"
                raise RiskctlError(
                    f"{source.label}/risks/{risk_id}.yaml did not load ({problem}): "
                    f"`riskctl lint {source.label}` shows why"
                )
        configured = loaded.register.config.quant.years
        progress = ProgressLine(years or configured) if sys.stderr.isatty() else None
        try:
            result = run_register(
                loaded.register,
                years=years,
                seed=seed,
                semantics=None if semantics is None else semantics.value,
                risk_ids=tuple(risk or ()),
                progress=progress,
            )
        finally:
            if progress is not None:
                progress.close()
    if output_format is QuantFormat.TEXT and use_color(color):
        write_result("", "text", loaded.failed, source.label, loaded.as_of)
        _print_colored(QUANT_FORMATS["text"](result))
    else:
        text = QUANT_FORMATS[output_format.value](result)
        kind = "text" if output_format is QuantFormat.TEXT else output_format.value
        as_of = loaded.as_of
        write_result(text, kind, loaded.failed, source.label, as_of)  # type: ignore[arg-type]
    if fail_on_tolerance:
        if not result.tolerance and result.portfolio is not None:
            sys.stderr.write(
                "riskctl: warning: --fail-on-tolerance: riskctl.yaml has no loss-tolerance "
                "curve (quant: tolerance:); nothing to fail on\n"
            )
        breaches = breach_lines(result)
        if breaches:
            for line in breaches:
                sys.stderr.write(f"riskctl: tolerance breached: {line}\n")
            raise typer.Exit(EXIT_FINDINGS)
