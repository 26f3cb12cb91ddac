"""Table of API tokens: who may call the HTTP API, and in which role.

A token is a random string shown once when it is created; only its SHA-256 hash is stored, so a copy
of the database does not leak usable tokens. Tokens are revoked, never deleted, so the audit trail
(``changed_by``, ``assigned_by`` ...) keeps pointing at a known name.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, UniqueConstraint
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
    """Reads the operational picture without caller identity (phone numbers), runs coverage analyses;
    changes nothing operational."""
    ADMIN = "admin"
    """Everything a dispatcher may do, plus fleet administration (creating units)."""
    DEVICE = "device"
    """A tracker or phone bound to one unit: reports that unit's position, reads that unit's assignment."""
    SUPERVISOR = "supervisor"
    """Everything a dispatcher may do, plus opening and closing shifts and acknowledging handovers."""


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
    unit_id: Mapped[str | None] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), comment="the one unit a device token may report for"
    )


MOSQUITTO_HASH_LENGTH = 200
"""Room for a ``mosquitto_passwd`` ``$7$`` hash (PBKDF2-SHA512: about 120 characters)."""


class DeviceCredentialRow(Base):
    """The secret of one device login: MQTT username, OwnTracks user, Traccar Client identifier.

    The unit the device moves is ``units.device_id`` (the login, or ``login/device`` for one OwnTracks
    app instance). Only hashes are stored: SHA-256 for the HTTP endpoints (the secret is 256 random
    bits, so a fast hash is enough) and the Mosquitto ``$7$`` form for the broker's password file.
    """

    __tablename__ = "device_credentials"

    login: Mapped[str] = mapped_column(
        String(ID_LENGTH), primary_key=True, comment="MQTT username / OwnTracks user"
    )
    secret_sha256: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    secret_prefix: Mapped[str] = mapped_column(String(TOKEN_PREFIX_LENGTH))
    mosquitto_hash: Mapped[str] = mapped_column(
        String(MOSQUITTO_HASH_LENGTH), comment="mosquitto_passwd $7$ line"
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class UnknownDeviceRow(Base):
    """A device that sent positions (to the API or any MQTT ingest worker) but is paired with no unit."""

    __tablename__ = "unknown_devices"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    source: Mapped[str] = mapped_column(String(ID_LENGTH))
    device_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    tracker_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    messages: Mapped[int] = mapped_column(BigInteger)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_fix_time: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("source", "device_id"),)


# Operator accounts (they use Role) and shifts register on Base.metadata here, once Role exists: an
# import from models.py's own tail would meet this module half-initialised.
from dispatch_geo.storage import operator_models, shift_models  # noqa: E402, F401
