"""Table of API tokens: who may call the HTTP API, and in which role.

A token is a random string shown once when it is created; only its SHA-256 hash is stored, so a copy
of the database does not leak usable tokens. Tokens are revoked, never deleted, so the audit trail
(``changed_by``, ``assigned_by`` ...) keeps pointing at a known name.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch_geo.storage.models import ID_LENGTH, Base, BigIntPK
from dispatch_geo.storage.types import UtcDateTime, enum_column_type

TOKEN_HASH_LENGTH = 64
"""Hex digits of a SHA-256 digest."""
TOKEN_PREFIX_LENGTH = 12
"""Leading characters of a token kept in clear, so an operator can tell tokens apart."""


class Role(StrEnum):
    """What a token holder may do through the API."""

    DISPATCHER = "dispatcher"
    """Creates and updates incidents, asks for recommendations, assigns units, changes unit status."""
    PLANNER = "planner"
    """Reads everything (and runs coverage analyses); changes nothing operational."""
    ADMIN = "admin"
    """Everything a dispatcher may do, plus fleet administration (creating units)."""
    DEVICE = "device"
    """A tracker or phone: reports its unit's position."""


class ApiTokenRow(Base):
    """One API token (hash only), its role and its lifecycle."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True, comment="shown in the audit trail")
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "role"))
    token_sha256: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(TOKEN_PREFIX_LENGTH))
    demo: Mapped[bool] = mapped_column(Boolean, comment="well-known development token")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
