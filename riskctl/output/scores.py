"""Formats of `riskctl score`: json, csv, markdown and a plain-text table."""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from riskctl.output.markdown import markdown_table
from riskctl.score.matrix import Cell
from riskctl.score.residual import RiskScore, Scorecard
from riskctl.textsafe import csv_cell, cut, display_width, json_safe, pad, visible


def tier(cell: Cell | None) -> dict[str, Any] | None:
    """A tier as JSON: likelihood, impact, score, level."""
    if cell is None:
        return None
    return {
        "likelihood": cell.likelihood,
        "impact": cell.impact,
        "score": cell.score,
        "level": cell.level,
    }


def is_overdue(score: RiskScore, today: datetime.date) -> bool:
    """Whether the next review date has passed (a risk never reviewed is overdue)."""
    return score.next_review is None or score.next_review < today


def risk_document(score: RiskScore, today: datetime.date) -> dict[str, Any]:
    """One risk's entry in the JSON document."""
    risk = score.risk
    residual = tier(score.residual)
    assert residual is not None
    residual["source"] = score.residual_source
    return {
        "id": risk.id,
        "title": risk.title,
        "category": risk.category,
        "owner": risk.owner,
        "status": risk.status,
        "inherent": tier(score.inherent),
        "residual": residual,
        "computed_residual": tier(score.computed.cell),
        "projected": tier(score.projected.cell),
        "target": tier(score.target),
        "appetite": {"limit": score.appetite.limit, "within": score.appetite.within},
        "next_review": score.next_review.isoformat() if score.next_review else None,
        "review_overdue": is_overdue(score, today),
        "credited_controls": [
            {"id": credit.control, "credit": credit.credit, "dimension": credit.dimension}
            for credit in score.computed.controls
            if credit.credit > 0
        ],
    }


def render_json(card: Scorecard, scores: Sequence[RiskScore], today: datetime.date) -> str:
    """`{"version": 1, "method": {...}, "now": ..., "risks": [...]}`; unrounded values."""
    document = {
        "version": 1,
        "method": card.method,
        "now": today.isoformat(),
        "risks": [risk_document(score, today) for score in scores],
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


CSV_HEADER = [
    "id", "title", "category", "owner", "status",
    "inherent_likelihood", "inherent_impact", "inherent_score", "inherent_level",
    "residual_likelihood", "residual_impact", "residual_score", "residual_level",
    "residual_source",
    "projected_likelihood", "projected_impact", "projected_score", "projected_level",
    "target_likelihood", "target_impact", "target_score", "target_level",
    "appetite", "within_appetite", "next_review", "review_overdue",
]  # fmt: skip


def _cell_columns(cell: Cell | None) -> list[object]:
    return ["", "", "", ""] if cell is None else list(cell)


def render_csv(card: Scorecard, scores: Sequence[RiskScore], today: datetime.date) -> str:
    """One row per risk, one column per tier dimension (RFC 4180 quoting).

    A text cell a spreadsheet would run as a formula is neutralised (`csv_cell`); the numbers
    riskctl computes stay numbers.
    """
    del card
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for score in scores:
        risk = score.risk
        within = score.appetite.within
        row: list[object] = [
            risk.id, risk.title, risk.category, risk.owner, risk.status,
            *_cell_columns(score.inherent),
            *_cell_columns(score.residual), score.residual_source,
            *_cell_columns(score.projected.cell),
            *_cell_columns(score.target),
            score.appetite.limit or "",
            "" if within is None else str(within).lower(),
            score.next_review.isoformat() if score.next_review else "",
            str(is_overdue(score, today)).lower(),
        ]  # fmt: skip
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def short(cell: Cell | None) -> str:
    """`L3 I4 12 high`, or `-` for a missing tier."""
    return "-" if cell is None else f"L{cell.likelihood} I{cell.impact} {cell.score} {cell.level}"


def appetite_text(score: RiskScore) -> str:
    """`above (medium)`, `within (low)`, or `?` when not judged."""
    if score.appetite.within is None:
        return "?"
    return f"{'within' if score.appetite.within else 'ABOVE'} ({score.appetite.limit})"


def review_text(score: RiskScore, today: datetime.date) -> str:
    """The next review date, marked when overdue."""
    if score.next_review is None:
        return "never reviewed"
    return f"{score.next_review}{' overdue' if score.next_review < today else ''}"


def rows(scores: Sequence[RiskScore], today: datetime.date) -> list[list[str]]:
    """The table's rows, as strings: shared by the text, markdown and terminal tables.

    Register text is `visible` (one line, no control character), so no row breaks and no
    escape sequence reaches a terminal.
    """
    return [
        [
            score.risk.id,
            visible(score.risk.title),
            visible(score.risk.category),
            visible(score.risk.owner),
            short(score.inherent),
            short(score.residual) + (" *" if score.residual_source == "override" else ""),
            short(score.projected.cell),
            short(score.target),
            appetite_text(score),
            review_text(score, today),
        ]
        for score in scores
    ]


HEADER = [
    "risk", "title", "category", "owner", "inherent", "residual", "projected", "target",
    "appetite", "next review",
]  # fmt: skip
TITLE_WIDTH = 48


def render_markdown(card: Scorecard, scores: Sequence[RiskScore], today: datetime.date) -> str:
    """A GitHub-flavoured Markdown table with the method's name and fingerprint."""
    note = (
        f"Method {card.method['name']} ({card.method['fingerprint']}), as of {today}. "
        "`*` marks an analyst's override of the computed residual.\n\n"
    )
    return note + markdown_table(HEADER, rows(scores, today))


def render_text(card: Scorecard, scores: Sequence[RiskScore], today: datetime.date) -> str:
    """A plain fixed-width table (for pipes and files), titles cut to fit.

    Columns are measured in terminal cells, so wide (CJK) and zero-width characters keep them
    aligned.
    """
    body = [[row[0], cut(row[1], TITLE_WIDTH), *row[2:]] for row in rows(scores, today)]
    widths = [
        max(display_width(line[index]) for line in [HEADER, *body]) for index in range(len(HEADER))
    ]
    lines = [
        "  ".join(pad(cell, width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [HEADER, *body]
    ]
    footer = (
        f"{len(scores)} risk{'s' if len(scores) != 1 else ''}; method {card.method['name']} "
        f"({card.method['fingerprint']}); * = analyst override"
    )
    return "\n".join([*lines, footer]) + "\n"


Renderer = Callable[[Scorecard, Sequence[RiskScore], datetime.date], str]
SCORE_FORMATS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
}
