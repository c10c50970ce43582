"""incidents: the incident, its public updates, the tickets linked to it

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("related_group", sa.String(length=32), nullable=False),
        sa.Column("subtypes", sa.JSON(), nullable=False),
        sa.Column("finance", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=4), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("open_key", sa.String(length=400), nullable=True),
        sa.Column("declared_by", sa.String(length=200), nullable=False),
        sa.Column("started_at", core.storage.types.UTCDateTime(), nullable=False),
        sa.Column("declared_at", core.storage.types.UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", core.storage.types.UTCDateTime(), nullable=True),
        sa.Column("identified_at", core.storage.types.UTCDateTime(), nullable=True),
        sa.Column("first_update_at", core.storage.types.UTCDateTime(), nullable=True),
        sa.Column("resolved_at", core.storage.types.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("cause_class", sa.String(length=32), nullable=True),
        sa.Column("merged_into", sa.String(length=32), nullable=True),
        sa.Column("updated_at", core.storage.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_key"),
        sa.UniqueConstraint("ref"),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_declared_at"), ["declared_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_status"), ["status"], unique=False)

    op.create_table(
        "incident_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("ticket_ref", sa.String(length=32), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("linked_by", sa.String(length=200), nullable=False),
        sa.Column("linked_at", core.storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
        sa.UniqueConstraint("ticket_ref"),
    )
    with op.batch_alter_table("incident_ticket", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_ticket_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("eta", core.storage.types.UTCDateTime(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("at", core.storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incident_update", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_update_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incident_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_update_incident_id"))

    op.drop_table("incident_update")
    with op.batch_alter_table("incident_ticket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_ticket_incident_id"))

    op.drop_table("incident_ticket")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_status"))
        batch_op.drop_index(batch_op.f("ix_incident_declared_at"))

    op.drop_table("incident")
