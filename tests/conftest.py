"""Shared fixtures: settings, a fake clock, and databases on SQLite and PostgreSQL.

PostgreSQL tests run when LIVEDESK_TEST_POSTGRES_URL is set (CI sets it);
each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from core.clock import FakeClock
from core.config import Settings, settings_from_mapping
from core.storage.db import Database, _normalise_url

POSTGRES_ENV = "LIVEDESK_TEST_POSTGRES_URL"
_skipped_postgres: list[str] = []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))


@pytest.fixture
def settings() -> Settings:
    return settings_from_mapping({"slack": {"finance_agents": ["UFIN"]}}, environ={})


def _postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL whose search_path is a fresh schema of its own."""
    base = _postgres_url()
    if base is None:
        _skipped_postgres.append(request.node.nodeid)
        pytest.skip(f"PostgreSQL test: set {POSTGRES_ENV} to run it")
    schema = f"ld_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_normalise_url(base))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'livedesk.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.upgrade()
    yield database
    database.dispose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_postgres:
        terminalreporter.write_sep(
            "!",
            f"{len(_skipped_postgres)} PostgreSQL tests were SKIPPED: "
            f"set {POSTGRES_ENV} (CI does) to run them",
            yellow=True,
        )
