"""What a number in a CSV cell may look like: plain ASCII decimal, finite, within 10^15 of 0.

Shared by `kri ingest` and `kri xmr --csv`: Python's `float()` alone would take `1_000`, `١٢`
(Arabic-Indic digits), `nan` and `inf`, which no KRI export means.
"""

from __future__ import annotations

import math
import re

from riskctl.load.parse import quote
from riskctl.model.common import MAX_MAGNITUDE

#: A plain decimal number as YAML and every spreadsheet write it (no separators, ASCII digits).
NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_GROUPED = re.compile(r"[-+]?[0-9]+(?:[,.'][0-9]+)+")


def value_problem(text: str) -> str | None:
    """Why `text` is not a value riskctl takes, or None."""
    if not text:
        return "empty value"
    if not NUMBER.fullmatch(text):
        if _GROUPED.fullmatch(text) and ("," in text or "'" in text or text.count(".") > 1):
            return (
                f"value {quote(text)} has a thousands separator or a decimal comma: write plain "
                "digits with '.' as the decimal point (e.g. 1234.5)"
            )
        if any(character.isdigit() and not character.isascii() for character in text):
            return f"value {quote(text)} is not a number: use the digits 0-9"
        if text.endswith("%"):
            return f"value {quote(text)} is not a number: drop the % (the KRI's unit says it)"
        lowered = text.lower().lstrip("+-")
        if lowered in ("nan", "inf", "infinity", ".nan", ".inf"):
            return f"value {quote(text)} is not a finite number"
        return f"value {quote(text)} is not a number"
    number = float(text)
    if not (math.isfinite(number) and abs(number) <= MAX_MAGNITUDE):
        return f"value {quote(text)} is out of range: register numbers are within 10^15 of 0"
    return None
