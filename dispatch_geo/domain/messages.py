"""Messages a dispatcher reads, as a stable code and its parameters beside the English text.

The API keeps English text for machines and logs; the console renders ``code`` + ``params`` from its
ID/EN catalogue. Every code and its parameters are listed in docs/dispatch.md ("Message codes").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Message:
    """One message: ``code`` (e.g. ``"incident_off_road"``), its ``params`` and the English ``text``."""

    code: str
    text: str
    params: dict[str, Any] = field(default_factory=dict)
