"""triage corrections by agents

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "triage_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_ref", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subtype_before", sa.String(length=48), nullable=False),
        sa.Column("subtype_after", sa.String(length=48), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("priority_before", sa.String(length=4), nullable=False),
        sa.Column("priority_after", sa.String(length=4), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", core.storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("triage_correction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_triage_correction_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_triage_correction_ticket_ref"), ["ticket_ref"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("triage_correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_triage_correction_ticket_ref"))
        batch_op.drop_index(batch_op.f("ix_triage_correction_at"))
    op.drop_table("triage_correction")
