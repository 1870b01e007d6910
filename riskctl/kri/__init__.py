"""Key risk indicators: XmR limits and signals (xmr.py), threshold status and deltas (status.py)."""
