"""ticket posts, resolution time, satisfaction comment

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_ref", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("created_at", core.storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "channel", "ts", name="uq_ticket_post_message"),
    )
    with op.batch_alter_table("ticket_post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_post_ticket_ref"), ["ticket_ref"], unique=False)

    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("satisfaction_comment", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("resolved_at", core.storage.types.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("satisfaction_comment")

    with op.batch_alter_table("ticket_post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_post_ticket_ref"))

    op.drop_table("ticket_post")
