"""Loss quantification (issue 12): the analytic model first; the Monte Carlo engine builds on it."""
