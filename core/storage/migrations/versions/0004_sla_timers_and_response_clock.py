"""sla timers and response clock

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sla_timer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("ticket_ref", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("clock", sa.String(length=24), nullable=False),
        sa.Column("fraction", sa.Float(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=True),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("due_at", core.storage.types.UTCDateTime(), nullable=False),
        sa.Column("fired_at", core.storage.types.UTCDateTime(), nullable=True),
        sa.Column("fired_by", sa.String(length=64), nullable=True),
        sa.Column("delivered_at", core.storage.types.UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", core.storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("sla_timer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sla_timer_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sla_timer_ticket_ref"), ["ticket_ref"], unique=False)

    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("clock_started_at", core.storage.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("sla_pauses", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(
            sa.Column("page_acked_at", core.storage.types.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("page_acked_at")
        batch_op.drop_column("sla_pauses")
        batch_op.drop_column("clock_started_at")

    with op.batch_alter_table("sla_timer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sla_timer_ticket_ref"))
        batch_op.drop_index(batch_op.f("ix_sla_timer_due_at"))

    op.drop_table("sla_timer")
