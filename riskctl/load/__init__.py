"""Files to models: read a register, parse YAML with positions, validate, report problems.

One module per job: `parse` (YAML text to plain data, the only YAML reader for checking),
`validate` (schema validation and its messages), `files` (walking a folder, reading each file
the same way), `register` (assembling the register, the parse cache), `positions` (the one
place 0-based marks become 1-based) and `edit` (round-trip edits through ruamel.yaml).
Bad input never raises: every problem becomes a `Hit` with an RK0xx code.
"""

from riskctl.load.edit import add_keys
from riskctl.load.files import REGISTER_SUFFIXES, Sources, label_of, read_directory, read_file
from riskctl.load.parse import MAX_ALIAS_EXPANSION, MAX_DEPTH, Parsed, compose, decode, parse
from riskctl.load.positions import Locator
from riskctl.load.register import (
    IGNORED_AT_TOP,
    Loaded,
    LoadedFile,
    ParseCache,
    blob_id,
    file_ids,
    load,
    load_config,
    load_file,
)
from riskctl.load.validate import data_path, validate

__all__ = [
    "IGNORED_AT_TOP",
    "MAX_ALIAS_EXPANSION",
    "MAX_DEPTH",
    "REGISTER_SUFFIXES",
    "Loaded",
    "LoadedFile",
    "Locator",
    "ParseCache",
    "Parsed",
    "Sources",
    "add_keys",
    "blob_id",
    "compose",
    "data_path",
    "decode",
    "file_ids",
    "label_of",
    "load",
    "load_config",
    "load_file",
    "parse",
    "read_directory",
    "read_file",
    "validate",
]
