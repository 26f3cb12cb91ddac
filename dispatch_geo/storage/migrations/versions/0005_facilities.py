"""Facilities as data, and where a transporting unit takes its patient.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

``facilities`` holds hospitals, puskesmas and the Damkar, police, BPBD and PSC 119 posts that an admin
manages (API, CSV import), each with its ``source`` and an ``approximate`` flag. The start-up seeds it
from the fleet's stations and ``data/siak_facilities_extra.csv`` when it is empty.

``assignments.destination_facility_id`` is where a unit takes the patient of *this* assignment (set
with the status ``transporting``). It lives on the assignment, not the unit: it belongs to one trip of
one incident, it disappears from the unit's live picture when the assignment is released (returning,
available) and stays in the record of the incident afterwards; a facility in such a record cannot be
deleted (deactivate it instead). The kinds are frozen here, as in 0001.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dispatch_geo.storage.types import PointType

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

FACILITY_KINDS = ("hospital", "puskesmas", "damkar_post", "police_post", "bpbd_post", "psc_post")


def upgrade() -> None:
    op.create_table(
        "facilities",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*FACILITY_KINDS, name="kind", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("location", PointType(), nullable=False),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_facilities_kind", "facilities", ["kind"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_facilities_location", "facilities", ["location"], postgresql_using="gist")
    comment = "where the unit takes the patient (set with 'transporting'; kept after release)"
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a nullable column with its REFERENCES clause in place (no table rebuild, so the
        # table keeps its CHECK constraints); Alembic would insist on batch mode for the constraint
        op.execute(
            "ALTER TABLE assignments ADD COLUMN destination_facility_id VARCHAR(32) "
            "CONSTRAINT fk_assignments_destination_facility_id_facilities "
            "REFERENCES facilities (id)"
        )
        return
    op.add_column(
        "assignments",
        sa.Column(
            "destination_facility_id",
            sa.String(32),
            sa.ForeignKey("facilities.id", name="fk_assignments_destination_facility_id_facilities"),
            nullable=True,
            comment=comment,
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("destination_facility_id")
    op.drop_table("facilities")
