"""Alembic environment: runs on the engine the Database object hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import core.storage.tables  # noqa: F401  (registers every table on the metadata)

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
