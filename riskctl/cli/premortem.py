"""`riskctl premortem`: launch failure modes ranked by action priority; draft risks from them."""

import enum
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    load_for,
    operational_errors,
    source_for,
    today_or,
    use_color,
    write_result,
    write_stdout,
)
from riskctl.errors import RiskctlError

if TYPE_CHECKING:  # datetime is imported where used: `--help` stays fast
    import datetime

    from riskctl.premortem import Premortem


class PremortemFormat(enum.StrEnum):
    """Output formats of `riskctl premortem`."""

    TEXT = "text"
    JSON = "json"


def premortem_command(
    path: RegisterArg = DEFAULT_REGISTER,
    launch: Annotated[
        str | None,
        typer.Option("--launch", help="Only this launch.", metavar="LAUNCH-ID"),
    ] = None,
    output_format: Annotated[
        PremortemFormat, typer.Option("--format", "-f", help="text or json.")
    ] = PremortemFormat.TEXT,
    seed_risks: Annotated[
        bool,
        typer.Option(
            "--seed-risks",
            help="Write a draft risk (risks/R-NNN.yaml) for each failure mode of --launch that "
            "links no risk, and print the paths written. Never overwrites a file.",
        ),
    ] = False,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="With --seed-risks: the drafts' owner (default: the launch's).",
            metavar="OWNER",
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            help="With --seed-risks: the drafts' category (default: the one category of the "
            "risks the launch links).",
            metavar="CATEGORY",
        ),
    ] = None,
    link: Annotated[
        bool,
        typer.Option(
            "--link",
            help="With --seed-risks: also add `risk: R-NNN` to each seeded failure mode in the "
            "launch file, keeping every other byte of it.",
        ),
    ] = False,
    revision: RevisionOpt = None,
    now: NowOpt = None,
    color: ColorOpt = ColorChoice.AUTO,
    partial: PartialOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Rank each launch's failure modes by AIAG-VDA action priority (H, M, L), then RPN.

    RPN = S*O*D is shown but secondary. The action priority table ships with riskctl
    (transcribed from the AIAG-VDA FMEA Handbook; verify it) and `premortem: {action_priority:
    ...}` in riskctl.yaml replaces it. Exit 3 for an unknown launch id, a broken table, or a
    --seed-risks run that cannot write every draft (then it writes none).
    """
    today = today_or(now)
    with operational_errors():
        if not seed_risks and (owner is not None or category is not None or link):
            raise typer.BadParameter(
                "--owner, --category and --link go with --seed-risks",
                param_hint="'--owner' / '--category' / '--link'",
            )
        if seed_risks:
            _seed(path, launch, revision, owner, category, link, today, partial)
            return
        from riskctl.premortem import premortem

        source = source_for(path, revision)
        loaded = load_as_of(source, partial, today)
        result = premortem(loaded.register, today, launch)
    if output_format is PremortemFormat.TEXT and use_color(color):
        write_result("", "text", loaded.failed, source.label, loaded.as_of)
        _print_coloured(result)
    else:
        from riskctl.output.premortem import PREMORTEM_FORMATS

        text = PREMORTEM_FORMATS[output_format.value](result)
        write_result(
            text,
            "json" if output_format is PremortemFormat.JSON else "text",
            loaded.failed,
            source.label,
            loaded.as_of,
        )


def _seed(
    path: Path,
    launch: str | None,
    revision: str | None,
    owner: str | None,
    category: str | None,
    link: bool,
    today: "datetime.date",
    partial: bool,
) -> None:
    """Plan the drafts, refuse before writing if any target exists, then write them all."""
    from riskctl.fileio import check_usable

    check_usable(path, "")
    drafts_folder = path / "risks"  # checked before loading: a linked folder would not load
    if drafts_folder.is_symlink():
        raise RiskctlError(
            f"refusing to write drafts into {drafts_folder.as_posix()}: a symbolic link (to "
            f"{os.readlink(drafts_folder)}); nothing written"
        )
    if launch is None:
        raise typer.BadParameter(
            "--seed-risks needs --launch LAUNCH-ID: the launch to seed from",
            param_hint="'--seed-risks'",
        )
    if revision is not None:
        raise typer.BadParameter(
            "--seed-risks writes draft files into the working tree; it cannot read --rev",
            param_hint="'--seed-risks'",
        )
    from riskctl.load import decode
    from riskctl.model.register import KIND_BY_NAME
    from riskctl.newentity import schema_line
    from riskctl.premortem import linked_launch_text, plan_drafts
    from riskctl.writes import FileChange, apply_changes

    loaded = load_for(source_for(path, None), partial)
    sources, register = loaded.sources, loaded.register
    plan = plan_drafts(
        register,
        launch,
        today,
        owner=owner,
        category=category,
        schema_line=schema_line(path, KIND_BY_NAME["risk"]),
    )
    new_files = {path / draft.file: draft.text for draft in plan.drafts}
    existing = [target for target in new_files if target.exists() or target.is_symlink()]
    if existing:
        names = ", ".join(target.as_posix() for target in existing)
        raise RiskctlError(f"refusing to overwrite {names}; nothing written")
    launch_edit: FileChange | None = None
    if link and plan.drafts:
        record = register.record("launch", plan.launch.id)
        assert record is not None  # plan_drafts found it
        raw = sources.files[record.file]
        text, problem = decode(record.file, raw)
        if text is None:  # pragma: no cover - the launch loaded, so its text decodes
            raise RiskctlError(f"{record.file}: {problem.message if problem else 'unreadable'}")
        edited = linked_launch_text(f"{sources.label}/{record.file}", text, plan)
        bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
        launch_edit = FileChange(path / record.file, raw, (bom + edited).encode("utf-8"))
    changes = [FileChange(target, None, text.encode("utf-8")) for target, text in new_files.items()]
    if launch_edit is not None:
        changes.append(launch_edit)
    apply_changes(path, changes)
    from riskctl.textsafe import visible  # a skipped mode's id is register text

    for message in plan.skipped:
        sys.stderr.write(f"riskctl: skipped {visible(message)}\n")
    if not plan.drafts:
        sys.stderr.write(
            f"riskctl: nothing to seed: every failure mode of {plan.launch.id} links a risk"
            f"{' or has a draft' if plan.skipped else ''}\n"
        )
    label = sources.label
    written = [f"{label}/{draft.file}" for draft in plan.drafts]
    if launch_edit is not None:
        written.append(f"{label}/launches/{launch_edit.path.name}")
    write_stdout("".join(f"{name}\n" for name in written))


def _print_coloured(result: "Premortem") -> None:
    """The table through rich, each action priority coloured (H red, M yellow, L green)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from riskctl.output.premortem import HEADER, RIGHT, footer, heading, monitoring_line, rows

    style = {"H": "bold red", "M": "yellow", "L": "green"}
    console = Console(highlight=False, force_terminal=True)
    for review in result.launches:
        title, details = heading(review)
        console.print(Text(title, style="bold"))
        console.print(Text(details))
        if review.failure_modes:
            table = Table(box=box.SIMPLE_HEAD, header_style="bold")
            for name in HEADER:
                table.add_column(name, justify="right" if name in RIGHT else "left")
            for row in rows(review):
                cells = [Text(value) for value in row]
                cells[1].stylize(style.get(row[1], ""))
                table.add_row(*cells)
            console.print(table)
        else:
            console.print(Text("no failure modes"))
        console.print(Text(monitoring_line(review)))
        console.print()
    for line in footer(result):
        console.print(Text(line))
