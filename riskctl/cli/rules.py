"""`riskctl rules list` and `riskctl rules explain CODE`: the rules' own documentation."""

from typing import TYPE_CHECKING, Annotated

import typer

from riskctl.cli._common import operational_errors, write_stdout

if TYPE_CHECKING:
    from riskctl.lint.rules import Rule

app = typer.Typer(name="rules", help="List the lint rules or explain one.", no_args_is_help=True)


@app.command("list")
def list_command() -> None:
    """List every rule: code, default severity, name, `date` when it asks about the calendar
    (its outcome depends on --now), `as-of` when it judges the register as of --now, and
    summary."""
    from riskctl.lint.rules import all_rules

    rows = [
        (each.code, each.default.label, date_mark(each), each.name, each.summary)
        for each in all_rules().values()
    ]
    width = max(len(name) for _code, _severity, _date, name, _summary in rows)
    write_stdout(
        "".join(
            f"{code}  {severity:<7}  {name:<{width}}  {date}  {summary}\n"
            for code, severity, date, name, summary in rows
        )
    )


def date_mark(rule: "Rule") -> str:
    """The `rules list` column: `date` for a rule that asks about the calendar (`--now`),
    `as-of` for one that judges the register as of `--now`, blank for the others."""
    return "date " if rule.date_dependent else "as-of" if rule.as_of else "     "


@app.command("explain")
def explain_command(
    code: Annotated[
        str, typer.Argument(help="A rule code (RK103) or name (unknown-reference).", metavar="CODE")
    ],
) -> None:
    """Print a rule's full documentation."""
    from riskctl.errors import RiskctlError
    from riskctl.lint.rules import all_rules, find_rule_in

    with operational_errors():
        found = find_rule_in(all_rules(), code)
        if found is None:
            raise RiskctlError(f"no rule {code!r}; `riskctl rules list` shows them all")
    switch = "" if found.can_disable else " (cannot be disabled)"
    dated = "; date-dependent" if found.date_dependent else "; as of --now" if found.as_of else ""
    header = (
        f"{found.code} {found.name}  "
        f"[default: {found.default.label}{switch}; {found.family}{dated}]"
    )
    options = ""
    if found.options is not None:
        defaults = found.options()
        lines = [
            f"  {name}: {getattr(defaults, name)!r}"
            + (f"  # {field.description}" if field.description else "")
            for name, field in found.options.model_fields.items()
        ]
        options = (
            f"\nOptions, under lint: rules: {found.code}: (defaults):\n" + "\n".join(lines) + "\n"
        )
    date_note = (
        "\nDate-dependent: its outcome depends on today (--now), so its findings come and go\n"
        "with the calendar; `riskctl lint --new-since` reports a new one as date-driven, and\n"
        "does not fail on it, when the head did not have it yet on the merge base's day.\n"
        if found.date_dependent
        else "\nAs of --now: it judges the register as of today (records dated after --now left\n"
        "out, as every command leaves them out), so its outcome moves with --now only through\n"
        "such records; `riskctl lint --new-since` reads both sides as of the same day, and a\n"
        "new finding fails.\n"
        if found.as_of
        else ""
    )
    write_stdout(f"{header}\n\n{found.doc}\n{date_note}{options}")
