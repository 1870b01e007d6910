"""Run riskctl as `python -m riskctl`."""

from riskctl.cli import main

main()
