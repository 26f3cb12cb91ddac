"""JSON Schemas of the formats this package defines (shipped as package data)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def native_fix_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the native tracker fix, read from ``native_fix.schema.json``."""
    text = resources.files(__package__).joinpath("native_fix.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
