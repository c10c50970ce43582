from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import core.storage.tables  # noqa: F401  (registers every table on the metadata)


def test_the_migrations_build_exactly_the_schema_the_models_describe(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_the_schema_head_constant_is_alembics_head(db):
    from core.storage.db import SCHEMA_HEAD

    assert db.head_revision() == SCHEMA_HEAD
    assert db.current_revision() == SCHEMA_HEAD


INCIDENT_TABLES = {"incident", "incident_update", "incident_ticket"}


def test_the_incident_migration_goes_down_and_up_again_with_tickets_kept(db, settings, clock):
    from alembic import command
    from sqlalchemy import inspect

    from core.storage.db import alembic_config
    from core.tickets import TicketService
    from tests.factories import draft

    ref = TicketService(db, settings).create(draft(), clock.now()).ref
    cfg = alembic_config(db.engine)
    command.downgrade(cfg, "0004")
    assert db.current_revision() == "0004"
    assert not INCIDENT_TABLES & set(inspect(db.engine).get_table_names())
    command.upgrade(cfg, "head")
    assert set(inspect(db.engine).get_table_names()) >= INCIDENT_TABLES
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    assert TicketService(db, settings).get(ref).ref == ref
