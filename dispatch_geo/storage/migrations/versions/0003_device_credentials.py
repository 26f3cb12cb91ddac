"""Device credentials, unit-bound device tokens, and devices seen by any ingest but enrolled on no unit.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

``device_credentials`` holds one secret per device login (the MQTT username, the OwnTracks user, the
Traccar Client identifier): its SHA-256 hash for HTTP checks and its Mosquitto ``$7$`` (PBKDF2-SHA512)
hash, from which the broker's password file is generated. The unit a device moves stays in
``units.device_id``. ``api_tokens.unit_id`` binds a device-role token to one unit.
``unknown_devices`` collects devices that sent positions but are paired with no unit, from the API and
from every MQTT ingest worker.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dispatch_geo.storage.types import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "device_credentials",
        sa.Column("login", sa.String(32), primary_key=True, comment="MQTT username / OwnTracks user"),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("secret_prefix", sa.String(12), nullable=False),
        sa.Column("mosquitto_hash", sa.String(200), nullable=False, comment="mosquitto_passwd $7$ line"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("secret_sha256", name="uq_device_credentials_secret_sha256"),
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column(
                "unit_id",
                sa.String(32),
                sa.ForeignKey("units.id", name="fk_api_tokens_unit_id_units", ondelete="CASCADE"),
                nullable=True,
                comment="the one unit a device token may report for",
            )
        )
    # The well-known demo device token (development only) reports for the example fleet's first unit;
    # any other device token must be re-created with a unit (`dispatch-geo tokens create --unit`).
    op.execute(
        "UPDATE api_tokens SET unit_id = 'AMB-SIAK-01' WHERE demo AND role = 'device' "
        "AND EXISTS (SELECT 1 FROM units WHERE id = 'AMB-SIAK-01')"
    )
    op.create_table(
        "unknown_devices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("tracker_id", sa.String(32), nullable=True),
        sa.Column("messages", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", UtcDateTime(), nullable=False),
        sa.Column("last_seen", UtcDateTime(), nullable=False),
        sa.Column("last_fix_time", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("source", "device_id", name="uq_unknown_devices_source_device_id"),
    )


def downgrade() -> None:
    op.drop_table("unknown_devices")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("unit_id")
    op.drop_table("device_credentials")
