"""THROWAWAY (html helper, until the lead's LineChart/HeatMap contexts land): old chart dicts
as the new values, so the HTML templates can be developed. Delete before merging."""

from __future__ import annotations

from typing import Any

from riskctl.report.charts import HeatCell, HeatMap, LineChart, Series
from riskctl.report.context import IMPACT_NAMES, LIKELIHOOD_NAMES


def _role(index: int, name: str) -> Any:
    if index == 0:
        return "this"
    for prefix, role in (
        ("a year", "prior"),
        ("amber", "amber"),
        ("red", "red"),
        ("XmR", "centre"),
        ("tolerance", "tolerance"),
        ("inherent", "prior"),
    ):
        if name.startswith(prefix):
            return role
    return "level"


def convert(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"title", "labels", "y_title", "series"}:
            return LineChart(
                value["title"],
                value["labels"],
                value["y_title"],
                [
                    Series(s["name"], [float(p) for p in s["points"]], _role(i, s["name"]))
                    for i, s in enumerate(value["series"])
                ],
            )
        if set(value) == {"title", "header", "rows"} and value["header"][0].startswith(
            "likelihood"
        ):
            cells = []
            for row_index, row in enumerate(value["rows"]):
                for column, count in enumerate(row[1:]):
                    cells.append(
                        HeatCell(
                            5 - row_index,
                            column + 1,
                            "level",
                            None,
                            tuple("R-?" for _ in range(int(count or 0))),
                        )
                    )
            return HeatMap(value["title"], LIKELIHOOD_NAMES, IMPACT_NAMES, cells)
        return {key: convert(item) for key, item in value.items()}
    if isinstance(value, list):
        return [convert(item) for item in value]
    return value
