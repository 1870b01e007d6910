"""Formats of `riskctl log`: a readable block per commit, or a JSON document."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from riskctl.gitio import shallow_hint
from riskctl.history import EntityHistory, HistoryEntry
from riskctl.output.scores import appetite_text, short, tier
from riskctl.score.residual import RiskScore
from riskctl.textsafe import json_safe, visible

SHORT_ID = 12


def scores_document(score: RiskScore | None) -> dict[str, Any] | None:
    """A risk's tiers and appetite status as JSON, as `riskctl score` writes them."""
    if score is None:
        return None
    residual = tier(score.residual)
    assert residual is not None
    residual["source"] = score.residual_source
    return {
        "inherent": tier(score.inherent),
        "residual": residual,
        "projected": tier(score.projected.cell),
        "target": tier(score.target),
        "appetite": {"limit": score.appetite.limit, "within": score.appetite.within},
    }


def entry_document(entry: HistoryEntry) -> dict[str, Any]:
    """One commit's entry in the JSON document."""
    return {
        "commit": entry.commit.id,
        "date": entry.commit.date.isoformat(),
        "author": entry.commit.author,
        "subject": entry.commit.subject,
        "change": entry.change,
        "fields": None if entry.fields is None else list(entry.fields),
        "scores": scores_document(entry.scores),
        "parent_scores": scores_document(entry.parent_scores),
        "note": entry.note,
    }


def render_json(history: EntityHistory) -> str:
    """`{"version": 1, "id", "kind", "file", "commits": [...]}`, newest commit first."""
    document = {
        "version": 1,
        "id": history.id,
        "kind": history.kind,
        "file": history.file,
        "commits": [entry_document(entry) for entry in history.entries],
        "scores_at_revision": scores_document(history.scores_at_revision),
        "shallow": history.shallow,
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def _residual(score: RiskScore) -> str:
    override = " (override)" if score.residual_source == "override" else ""
    return f"{short(score.residual)}{override}"


def _headline(entry: HistoryEntry, is_risk: bool) -> str:
    """What the commit did to a risk's residual: `residual A → B`, or the residual now."""
    if not is_risk:
        return ""
    now, before = entry.scores, entry.parent_scores
    if now is None:
        if entry.change == "removed" and before is not None:
            return f"was residual {_residual(before)}"
        return "residual ?" if entry.note else ""
    if before is not None and _residual(before) != _residual(now):
        return f"residual {_residual(before)} → {_residual(now)}"
    return f"residual {_residual(now)}"


def _block(entry: HistoryEntry, older: HistoryEntry | None, is_risk: bool) -> list[str]:
    commit = entry.commit
    head = [commit.id[:SHORT_ID], commit.date.date().isoformat(), f"{entry.change:<8}"]
    headline = _headline(entry, is_risk)
    if headline:
        head.append(headline)
    # git metadata is anyone's text: quoted, and with no control character or bidi override
    head.append(visible(json.dumps(commit.subject, ensure_ascii=False)))
    lines = ["  ".join(head), f"    author    {visible(commit.author)}"]
    if entry.change == "unknown":
        lines.append("    fields    not known: the clone holds no parent of this commit")
    elif entry.fields is None:
        lines.append("    fields    not known: this commit or its parent could not be read")
    elif entry.change == "modified":
        changed = visible(", ".join(entry.fields)) or "none (formatting or comments only)"
        lines.append(f"    fields    {changed}")
    score = entry.scores
    if score is not None:
        tiers = (
            f"inherent {short(score.inherent)}; residual {_residual(score)}; "
            f"projected {short(score.projected.cell)}; target {short(score.target)}"
        )
        lines.append(f"    tiers     {tiers}")
        lines.append(f"    appetite  {appetite_text(score)}")
    if entry.note:
        lines.append(f"    note      {visible(entry.note)}")
    moved = _moved_elsewhere(entry, older)
    if moved:
        lines.append(f"    earlier   {moved}")
    return lines


def _moved_elsewhere(entry: HistoryEntry, older: HistoryEntry | None) -> str:
    """A residual that moved between two listed commits through other files, in words."""
    if older is None or older.scores is None or entry.parent_scores is None:
        return ""
    if _residual(older.scores) == _residual(entry.parent_scores):
        return ""
    return (
        f"residual moved {_residual(older.scores)} → {_residual(entry.parent_scores)} "
        "after the commit below, in commits not listed (e.g. a linked control changed)"
    )


def _moved_since(history: EntityHistory) -> str:
    """A residual that moved after the newest listed commit, through commits not listed."""
    newest = history.entries[0].scores if history.entries else None
    now = history.scores_at_revision
    if newest is None or now is None or _residual(newest) == _residual(now):
        return ""
    return (
        f"residual now {_residual(now)}, moved from {_residual(newest)} after the newest commit "
        "below, in commits not listed (e.g. a linked control changed)"
    )


def render_text(history: EntityHistory) -> str:
    """One block per commit, newest first, and a footer on what is and is not listed."""
    is_risk = history.kind == "risk"
    entries = history.entries
    blocks = [
        _block(entry, entries[index + 1] if index + 1 < len(entries) else None, is_risk)
        for index, entry in enumerate(entries)
    ]
    since = _moved_since(history)
    if since:
        blocks.insert(0, [f"{visible(history.revision):<12}  {since}"])
    count = len(entries)
    footer = [
        f"{count} commit{'s' if count != 1 else ''} touched {visible(history.file)} "
        f"(from {visible(history.revision)}), newest first."
    ]
    if is_risk:
        footer.append(
            "Scores are the whole register's at each commit. Only commits that touched this "
            "file are listed: a risk's residual also moves when a linked control changes."
        )
    if history.shallow:
        footer.append(f"Older commits are not listed: {shallow_hint()}.")
    header = f"{visible(history.id)} ({history.kind})  {visible(history.file)}"
    body = "\n\n".join("\n".join(block) for block in blocks)
    return f"{header}\n\n{body}\n\n" + "\n".join(footer) + "\n"


Renderer = Callable[[EntityHistory], str]
LOG_FORMATS: dict[str, Renderer] = {"text": render_text, "json": render_json}
