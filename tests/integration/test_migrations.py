from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import core.storage.outbox_tables
import core.storage.tables  # noqa: F401


def test_the_migrations_build_exactly_the_schema_the_models_describe(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_the_schema_head_constant_is_alembics_head(db):
    from core.storage.db import SCHEMA_HEAD

    assert db.head_revision() == SCHEMA_HEAD
    assert db.current_revision() == SCHEMA_HEAD
