"""The database: engine set-up, transactions, and the schema version check."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from core.errors import SchemaOutOfDateError, StorageUnavailableError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision. Checking a schema against this constant
# keeps Alembic out of start-up; a test holds it equal to Alembic's head.
SCHEMA_HEAD = "0009"
READ_ONLY = "livedesk_read_only"


def _normalise_url(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgresql:// would look for psycopg2.
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the lock up front: a deferred transaction that later
        # writes can fail with "database is locked" instead of waiting its turn.
        # Readers never block anyone under WAL, so they begin deferred.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, pool_size: int = 10) -> Engine:
    url = _normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Pooled: each new SQLite connection pays for its PRAGMAs.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _sqlite_pragmas(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


class Database:
    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size)
        # SQLite has one writer at a time. Queueing this process's writers on a
        # lock is far faster than SQLite's busy handler, which sleeps and polls.
        self._write_lock = threading.RLock() if self.dialect == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error.

        `read_only` sessions never wait for SQLite's write lock, so they can run
        while another transaction of this process holds it.
        """
        bind = self.engine.execution_options(**{READ_ONLY: True}) if read_only else self.engine
        lock = self._write_lock if not read_only else None
        try:
            with (
                lock or nullcontext(),
                Session(bind, expire_on_commit=False) as session,
                session.begin(),
            ):
                yield session
        except OperationalError as err:
            if _is_connection_problem(err):
                raise StorageUnavailableError(f"the database is unavailable: {err.orig}") from err
            raise

    # Alembic is imported only here: most commands never need it.
    def upgrade(self) -> None:
        from alembic import command

        command.upgrade(alembic_config(self.engine), "head")

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def head_revision(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(alembic_config(self.engine)).get_current_head()

    def check_schema(self) -> None:
        """Refuse to run on a schema older (or newer) than this code expects."""
        try:
            current = self.current_revision()
        except DBAPIError as err:
            raise StorageUnavailableError(f"the database is unavailable: {err.orig}") from err
        head = SCHEMA_HEAD
        if current != head:
            raise SchemaOutOfDateError(
                f"database schema is at {current or 'nothing'}, this LiveDesk needs {head}: "
                "run `livedesk db upgrade`"
            )

    def dispose(self) -> None:
        self.engine.dispose()


def _is_connection_problem(err: OperationalError) -> bool:
    text = str(err.orig).lower()
    return any(
        s in text
        for s in ("connection", "could not connect", "server closed", "unable to open database")
    )
