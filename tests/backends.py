"""The storage backends the suite runs on: SQLite files and throw-away PostgreSQL databases.

Tests that touch the store take the ``db_url`` fixture (or ``new_db`` for several databases); both follow the
session-wide ``backend`` parameter, so each such test runs once per backend. PostgreSQL is the server named by
``$STEMTRIALS_TEST_PG`` (default: the local one, trust auth). When it is unreachable its runs skip with the reason —
unless ``$STEMTRIALS_REQUIRE_PG=1`` (CI), which makes them fail instead.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from stemtrials.store import open_engine
from stemtrials.store.schema import metadata

BACKENDS = ("sqlite", "postgresql")
PG_SERVER = os.environ.get("STEMTRIALS_TEST_PG", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
REQUIRE_PG = os.environ.get("STEMTRIALS_REQUIRE_PG") == "1"


@functools.cache
def _pg_unreachable() -> str | None:
    import psycopg

    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL unreachable at {PG_SERVER}: {exc}".strip()
    return None


def require_postgresql() -> None:
    reason = _pg_unreachable()
    if reason is None:
        return
    if REQUIRE_PG:
        pytest.fail(f"{reason} (STEMTRIALS_REQUIRE_PG=1)")
    pytest.skip(reason)


class Databases:
    """Creates databases for tests and drops the PostgreSQL ones at the end."""

    def __init__(self) -> None:
        self._pg: list[str] = []

    def new(self, backend: str, folder: Path, name: str = "t") -> str:
        if backend == "sqlite":
            folder.mkdir(parents=True, exist_ok=True)
            return str(folder / f"{name}.db")
        require_postgresql()
        import psycopg

        db = f"stemtrials_test_{name}_{uuid.uuid4().hex[:10]}".lower()
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{db}"')
        self._pg.append(db)
        return f"{PG_SERVER}/{db}"

    def drop_all(self) -> None:
        if not self._pg:
            return
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            for db in self._pg:
                admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        self._pg.clear()


def scalar(url: str, sql: str) -> object:
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def all_text(engine: Engine) -> str:
    """Every value of every table as text: to check that something never reached the database."""
    parts: list[str] = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(table.select()):
                parts.extend(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row)
    return "\n".join(parts)


# ---------------------------------------------------------------- fixtures (imported by tests/conftest.py)
@pytest.fixture(scope="session")
def databases() -> Iterator[Databases]:
    dbs = Databases()
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        require_postgresql()
    return str(request.param)


@pytest.fixture()
def db_url(backend: str, databases: Databases, tmp_path: Path) -> str:
    """An empty database of the current backend."""
    return databases.new(backend, tmp_path / "db")


@pytest.fixture()
def new_db(backend: str, databases: Databases, tmp_path: Path) -> Callable[[str], str]:
    """Makes further empty databases of the current backend: ``new_db("copy")``."""
    return lambda name: databases.new(backend, tmp_path / f"db_{name}", name)
