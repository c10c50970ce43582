"""sealed personal data: per-subject keys

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "personal_key",
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("subject"),
    )
    with op.batch_alter_table("personal_data", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_personal_data_subject"), ["subject"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("personal_data", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_subject"))
        batch_op.drop_column("subject")
    op.drop_table("personal_key")
