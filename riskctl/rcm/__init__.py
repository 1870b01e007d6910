"""The Risk Control Matrix as a spreadsheet: export to CSV or xlsx, import edits back."""
