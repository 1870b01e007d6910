"""Framework catalogues: the shipped ones, the register's own, and importers (OSCAL, CISO
Assistant)."""
