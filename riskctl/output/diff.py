"""Formats of `riskctl diff`: text for terminals, json for machines, markdown for pull requests."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any

from riskctl.diff import (
    AleLine,
    AleMove,
    CatalogueChange,
    EntityChange,
    QuantDiff,
    RegisterDiff,
    RequirementChange,
)
from riskctl.output.amounts import amount, money, percent
from riskctl.output.markdown import markdown_cell, markdown_table
from riskctl.output.scores import tier
from riskctl.score.matrix import Cell
from riskctl.textsafe import json_safe, visible


def _ref(ref: str) -> str:
    return ref if ref == "worktree" else visible(ref[:12])


def _cell(cell: Cell | None) -> str:
    if cell is None:
        return "none"
    return f"L{cell.likelihood} I{cell.impact} {cell.score} {cell.level}"


def _value(value: Any) -> str:
    """A field's value on one line, control characters escaped, cut at 80 characters."""
    if value is None:
        return "(none)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # YAML's 60 is a float in the model: show it as written
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    text = visible(text)
    return text if len(text) <= 80 else text[:77] + "..."


def _counts(diff: RegisterDiff) -> str:
    counted: dict[str, int] = {}
    for change in diff.changes:
        counted[change.change] = counted.get(change.change, 0) + 1
    parts = [
        f"{counted[kind]} {kind}"
        for kind in ("added", "modified", "removed", "broken", "repaired")
        if kind in counted
    ]
    return ", ".join(parts) or "no changes"


def summary(diff: RegisterDiff, failing: Collection[str]) -> str:
    """One line: what changed, how many levels moved, which gates fired."""
    up = sum(1 for change in diff.changes if change.level_move > 0)
    down = sum(1 for change in diff.changes if change.level_move < 0)
    fired = sorted({hit.gate for hit in diff.gates})
    gates = (
        "no gate fired"
        if not fired
        else "gates: "
        + ", ".join(f"{name}{' (fails)' if name in failing else ''}" for name in fired)
    )
    method = "; scoring method changed" if diff.method_changed else ""
    covered = f"; {len(diff.coverage)} requirement(s) changed coverage" if diff.coverage else ""
    return (
        f"{_ref(diff.old_ref)} → {_ref(diff.new_ref)}: {_counts(diff)}; "
        f"{up} risk level(s) up, {down} down{method}{covered}; {gates}"
    )


def _ordered(diff: RegisterDiff) -> list[EntityChange]:
    """Risks whose level moved (up first), then everything else in kind and id order."""
    moved = [change for change in diff.changes if change.level_move]
    moved.sort(key=lambda change: (-change.level_move, change.id))
    return moved + [change for change in diff.changes if not change.level_move]


def _change_lines(change: EntityChange) -> list[str]:
    """The lines of one change; register text in them is `visible`, one value per line."""
    lines = [f"{change.kind} {visible(change.id)}: {change.change}"]
    if change.problem is not None:
        side = "after" if change.change == "broken" else "before"
        lines.append(f"  its file does not load {side} the change: {visible(change.problem)}")
    for tier_name, (old, new) in change.scores.items():
        lines.append(f"  {tier_name}: {_cell(old)} → {_cell(new)}")
    if change.appetite is not None:
        before, after = (_appetite(value) for value in change.appetite)
        lines.append(f"  appetite: {before} → {after}")
    lines += [
        f"  {visible(item.path)}: {_value(item.old)} → {_value(item.new)}" for item in change.fields
    ]
    if change.change == "modified" and not change.fields and change.catalogue is None:
        lines.append("  (its file did not change: its controls did)")
    if change.moves:
        lines.append(f"  moves the residual of: {visible(', '.join(change.moves))}")
    if change.catalogue is not None:
        lines += _catalogue_lines(change.catalogue)
    return lines


#: Requirement ids listed per kind of catalogue change in text (JSON lists them all).
LISTED_IDS = 10


def _catalogue_lines(found: CatalogueChange) -> list[str]:
    lines = []
    for name, ids in (
        ("added", found.added),
        ("removed", found.removed),
        ("retitled", found.retitled),
        ("regrouped", found.regrouped),
    ):
        if ids:
            shown = ", ".join(ids[:LISTED_IDS])
            more = f", ... ({len(ids) - LISTED_IDS} more)" if len(ids) > LISTED_IDS else ""
            lines.append(f"  requirements {name}: {len(ids)}: {visible(shown)}{more}")
    return lines


def _status(status: str | None) -> str:
    return "(not in the catalogue)" if status is None else status


def _title(title: str) -> str:
    text = visible(title)
    return text if len(text) <= 80 else text[:77] + "..."


def _coverage_lines(change: RequirementChange) -> list[str]:
    """A requirement whose status changed: the move, what changed besides the controls, and
    each control whose standing changed."""
    lines = [
        f"  {visible(change.framework)} {visible(change.requirement)}: "
        f"{_status(change.old)} → {_status(change.new)}",
        f"    {_title(change.title)}",
    ]
    if change.why:
        lines.append(f"    {visible(change.why)}")
    lines += [
        f"    {visible(each.control)}: {each.old} → {each.new}: {visible(each.reason)}"
        for each in change.controls
    ]
    return lines


def _appetite(within: bool | None) -> str:
    return {True: "within", False: "above", None: "n/a"}[within]


def render_text(diff: RegisterDiff, failing: Collection[str]) -> str:
    """A plain report: summary, method change, every change, the gates."""
    lines = [summary(diff, failing), ""]
    if diff.shallow_note:
        lines += [f"note: {diff.shallow_note}", ""]
    if diff.method_changed:
        lines += [*_method_lines(diff), ""]
    for change in _ordered(diff):
        lines += _change_lines(change)
    if diff.coverage:
        lines += ["", "coverage (requirements whose status changed):"]
        for requirement in diff.coverage:
            lines += _coverage_lines(requirement)
    if diff.quant is not None and diff.quant.risks:
        lines += ["", *_quant_lines(diff.quant)]
    if diff.gates:
        lines += ["", "gates:"]
        lines += [
            f"  {hit.gate}{' (fails)' if hit.gate in failing else ''}: {visible(hit.message)}"
            for hit in diff.gates
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _signed(value: float) -> str:
    text = amount(value)
    return "±0" if text in ("0", "-0") else f"+{text}" if value > 0 else text


def _move(move: AleMove, quant: QuantDiff) -> str:
    """`1,385,696 → 923,797 (-461,899, -33.33%)`; with the currency on each side and no
    change when the currency changed (the amounts are not comparable)."""
    if not quant.comparable:
        before, after = (
            "none" if value is None else money(value, currency)
            for value, currency in zip((move.old, move.new), quant.currency, strict=True)
        )
        return f"{before} → {after}"
    before, after = ("none" if value is None else amount(value) for value in (move.old, move.new))
    relative = move.relative
    share = "" if relative is None else f", {'+' if relative > 0 else ''}{percent(relative)}"
    return f"{before} → {after} ({_signed(move.change)}{share})"


def _portfolio_move(move: AleMove, quant: QuantDiff) -> str:
    if quant.totals:
        return _move(move, quant)
    if not quant.comparable:
        return "not comparable (the currency changed)"
    return _signed(move.change)


def _ale_header(quant: QuantDiff) -> str:
    old, new = quant.currency
    if quant.comparable:
        return f"annual loss expectancy (analytic, {new} a year):"
    return (
        f"annual loss expectancy (analytic, a year): the currency changed from {old} to {new}, "
        "so amounts are not comparable and no change is computed"
    )


def _ale_rows(quant: QuantDiff) -> list[tuple[str, str, str, str]]:
    """(id, why, inherent, residual) for each risk line and the portfolio."""
    rows = [
        (
            visible(line.id),
            visible(line.why),
            _move(line.inherent, quant),
            _move(line.residual, quant),
        )
        for line in quant.risks
    ]
    if quant.portfolio is not None:
        line: AleLine = quant.portfolio
        rows.append(
            (
                "portfolio",
                line.why,
                _portfolio_move(line.inherent, quant),
                _portfolio_move(line.residual, quant),
            )
        )
    return rows


def _tolerance_rows(quant: QuantDiff) -> list[tuple[str, str, str, str]]:
    """(loss, before, after, limit) for each tolerance point the gate simulated."""
    currency = quant.currency[1]
    return [
        (
            money(point.loss, currency),
            percent(point.old)
            if point.old is not None
            else "not simulated"
            if quant.comparable
            else "not comparable",
            percent(point.new) + (" (marginal)" if point.marginal else ""),
            percent(point.limit) + (", breached" if point.new > point.limit else ""),
        )
        for point in quant.tolerance
    ]


def _quant_lines(quant: QuantDiff) -> list[str]:
    lines = [_ale_header(quant)]
    for name, why, inherent, residual in _ale_rows(quant):
        lines += [f"  {name} ({why})", f"    inherent: {inherent}", f"    residual: {residual}"]
    if quant.simulated:
        lines.append(f"tolerance, P(residual portfolio loss > x a year), {quant.simulation}:")
        lines += [
            f"  {loss}: {before} → {after} (limit {limit})"
            for loss, before, after, limit in _tolerance_rows(quant)
        ]
    return lines


def _method_lines(diff: RegisterDiff) -> list[str]:
    old, new = diff.old_method, diff.new_method
    lines = [
        f"scoring method changed: {visible(old['name'])} ({old['fingerprint']}) → "
        f"{visible(new['name'])} ({new['fingerprint']})",
        "residual: old data, old method → old data, new method → new data, new method",
    ]
    lines.extend(
        f"  {effect.id}: {_cell(effect.old)} → {_cell(effect.old_data_new_method)} → "
        f"{_cell(effect.new)}"
        for effect in diff.method_effects
        if len({_cell(effect.old), _cell(effect.old_data_new_method), _cell(effect.new)}) > 1
    )
    return lines


def render_json(diff: RegisterDiff, failing: Collection[str]) -> str:
    """The diff as a version-1 JSON document."""
    document: dict[str, Any] = {
        "version": 1,
        "from": diff.old_ref,
        "to": diff.new_ref,
        "method_changed": diff.method_changed,
        "method": {"old": diff.old_method, "new": diff.new_method},
        "changes": [_change_document(change) for change in diff.changes],
        "coverage": [_coverage_document(change) for change in diff.coverage],
        "gates": [
            {"gate": hit.gate, "id": hit.id, "message": hit.message, "fails": hit.gate in failing}
            for hit in diff.gates
        ],
    }
    if diff.shallow_note:
        document["shallow"] = diff.shallow_note
    if diff.quant is not None:
        document["quant"] = _quant_document(diff.quant)
    if diff.method_changed:
        document["method_effects"] = [
            {
                "id": effect.id,
                "old_data_old_method": tier(effect.old),
                "old_data_new_method": tier(effect.old_data_new_method),
                "new_data_new_method": tier(effect.new),
            }
            for effect in diff.method_effects
        ]
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def _move_document(move: AleMove, quant: QuantDiff, totals: bool = True) -> dict[str, Any]:
    comparable = quant.comparable
    return {
        "old": move.old if totals else None,
        "new": move.new if totals else None,
        "change": move.change if comparable else None,
        "relative": move.relative if comparable and totals else None,
    }


def _quant_document(quant: QuantDiff) -> dict[str, Any]:
    """Analytic ALEs as numbers: each moved risk, the portfolio (`totals` false: only the
    change of the sum), and whether and why the tolerance gate simulated."""
    portfolio = quant.portfolio
    return {
        "currency": {"old": quant.currency[0], "new": quant.currency[1]},
        "comparable": quant.comparable,
        "risks": [
            {
                "id": line.id,
                "why": line.why,
                "inherent": _move_document(line.inherent, quant),
                "residual": _move_document(line.residual, quant),
            }
            for line in quant.risks
        ],
        "portfolio": None
        if portfolio is None
        else {
            "totals": quant.totals,
            "inherent": _move_document(portfolio.inherent, quant, quant.totals),
            "residual": _move_document(portfolio.residual, quant, quant.totals),
        },
        "changed": quant.changed,
        "simulated": quant.simulated,
        "simulation": quant.simulation,
        "tolerance": [
            {
                "loss": point.loss,
                "limit": point.limit,
                "old": point.old,
                "new": point.new,
                "marginal": point.marginal,
                "fires": point.fires,
            }
            for point in quant.tolerance
        ],
    }


def _change_document(change: EntityChange) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": change.kind,
        "id": change.id,
        "change": change.change,
        "fields": {item.path: {"old": item.old, "new": item.new} for item in change.fields},
        "scores": {
            name: {"old": tier(old), "new": tier(new)} for name, (old, new) in change.scores.items()
        },
    }
    if change.appetite is not None:
        document["appetite"] = {"old": change.appetite[0], "new": change.appetite[1]}
    if change.moves:
        document["moves"] = list(change.moves)
    if change.problem is not None:
        document["problem"] = change.problem
    if change.catalogue is not None:
        document["catalogue"] = {
            "added": list(change.catalogue.added),
            "removed": list(change.catalogue.removed),
            "retitled": list(change.catalogue.retitled),
            "regrouped": list(change.catalogue.regrouped),
        }
    return document


def _coverage_document(change: RequirementChange) -> dict[str, Any]:
    """A requirement whose status changed; `old`/`new` null: not in that side's catalogue."""
    return {
        "framework": change.framework,
        "requirement": change.requirement,
        "title": change.title,
        "old": change.old,
        "new": change.new,
        "why": change.why,
        "controls": [
            {"control": each.control, "old": each.old, "new": each.new, "reason": each.reason}
            for each in change.controls
        ],
    }


def render_markdown(diff: RegisterDiff, failing: Collection[str]) -> str:
    """A pull-request comment a reviewer reads in 30 seconds.

    A one-line summary, the gates, then the risks whose level moved (up first); everything
    else inside `<details>`.
    """
    lines = [f"**riskctl diff** {markdown_cell(summary(diff, failing))}", ""]
    if diff.shallow_note:
        lines += [f"> {markdown_cell(diff.shallow_note)}", ""]
    if diff.gates:
        lines += ["**Gates**", ""]
        lines += [
            f"- {'❌' if hit.gate in failing else '⚠️'} `{hit.gate}`: {markdown_cell(hit.message)}"
            for hit in diff.gates
        ]
        lines.append("")
    moved = [change for change in _ordered(diff) if change.level_move]
    if moved:
        rows = []
        for change in moved:
            old, new = change.scores["residual"]
            arrow = "⬆️" if change.level_move > 0 else "⬇️"
            rows.append([f"{arrow} {change.id}", _cell(old), _cell(new), _appetite_cell(change)])
        lines.append("**Risks whose residual level moved**")
        lines.append("")
        lines.append(
            markdown_table(["risk", "residual before", "residual after", "appetite"], rows)
        )
    if diff.coverage:
        lines += _coverage_markdown(diff.coverage)
    if diff.quant is not None and diff.quant.risks:
        lines += _quant_markdown(diff.quant)
    if diff.method_changed:
        method_lines = (line.replace("```", "` ` `") for line in _method_lines(diff))
        lines += ["**Scoring method changed**", "", "```", *method_lines, "```", ""]
    rest = [change for change in _ordered(diff) if not change.level_move]
    if rest:
        lines += [
            f"<details><summary>{len(rest)} other change(s)</summary>",
            "",
            "```",
            *(
                line.replace("```", "` ` `")  # a value can never close the code block early
                for change in rest
                for line in _change_lines(change)
            ),
            "```",
            "",
            "</details>",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _coverage_markdown(changes: tuple[RequirementChange, ...]) -> list[str]:
    rows = []
    for change in changes:
        why = [change.why] if change.why else []
        why += [
            f"{each.control}: {each.old} → {each.new}: {each.reason}" for each in change.controls
        ]
        rows.append(
            [
                f"{change.framework} {change.requirement}",
                _title(change.title),
                _status(change.old),
                _status(change.new),
                "; ".join(why),
            ]
        )
    return [
        "**Requirements whose coverage changed**",
        "",
        markdown_table(["requirement", "title", "before", "after", "why"], rows),
    ]


def _quant_markdown(quant: QuantDiff) -> list[str]:
    header = _ale_header(quant).removesuffix(":")
    lines = [f"**{markdown_cell(header[0].upper() + header[1:])}**", ""]
    rows = [list(row) for row in _ale_rows(quant)]
    lines += [markdown_table(["risk", "why", "inherent ALE", "residual ALE"], rows)]
    if quant.simulated:
        lines += [
            "**Loss tolerance**, "
            + markdown_cell(f"P(residual portfolio loss > x a year), {quant.simulation}"),
            "",
            markdown_table(
                ["loss x", "before", "after", "limit"],
                [list(row) for row in _tolerance_rows(quant)],
            ),
        ]
    return lines


def _appetite_cell(change: EntityChange) -> str:
    if change.appetite is None:
        return ""
    return f"{_appetite(change.appetite[0])} → {_appetite(change.appetite[1])}"


Renderer = Callable[[RegisterDiff, Collection[str]], str]
DIFF_FORMATS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
