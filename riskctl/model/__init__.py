"""pydantic models of the register: one module per kind, no I/O."""
