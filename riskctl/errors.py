"""The one error type for operational failures the user can fix (exit 3)."""

from __future__ import annotations


class RiskctlError(Exception):
    """A path, revision or configuration problem: reported as `riskctl: error: ...`, exit 3.

    Bad *data* in the register is never an error: it is a finding.
    """
