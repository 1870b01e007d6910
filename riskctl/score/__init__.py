"""Scoring: matrices, levels and (later) residual credit."""
