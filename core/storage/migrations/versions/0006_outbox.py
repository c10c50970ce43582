"""outbox of outgoing messages

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=True),
        sa.Column("bulk", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", core.storage.types.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_until", core.storage.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", core.storage.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", core.storage.types.UTCDateTime(), nullable=True),
        sa.Column("expires_at", core.storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_group_key"), ["group_key"], unique=False
        )
        batch_op.create_index("ix_outbox_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_outbox_chat_order", ["channel", "chat_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_chat_order")
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_index(batch_op.f("ix_outbox_message_group_key"))
    op.drop_table("outbox_message")
