"""Open a database by URL and bring its schema to the newest migration.

``--db`` takes a SQLAlchemy URL (``sqlite:///path.db``, ``postgresql://…``) or a plain file path, which means a
SQLite file. SQLite runs in WAL mode so readers (the web server) never block an import.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

from . import locking

MIGRATIONS = Path(__file__).with_name("migrations")
DEFAULT_DB = "stemtrials.db"


class DatabaseError(Exception):
    """The database cannot be opened or migrated; the message says which and why."""


def resolve_url(db: str | None) -> str:
    """The SQLAlchemy URL for ``--db`` / ``$STEMTRIALS_DB`` / the default ``stemtrials.db`` file."""
    value = db or os.environ.get("STEMTRIALS_DB") or DEFAULT_DB
    if value.startswith("postgresql://") or value.startswith("postgres://"):
        # psycopg 3 is the driver we support; plain postgresql:// would pick psycopg2.
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if "://" in value:
        return value
    return f"sqlite:///{value}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    # The busy timeout first: switching a new file to WAL needs a moment's exclusive lock, and several processes
    # may open the same new file at once.
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def open_engine(db: str | None = None, *, migrate: bool = True) -> Engine:
    url = resolve_url(db)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        parent = Path(url[len("sqlite:///") :]).expanduser().resolve().parent
        if not parent.is_dir():
            raise DatabaseError(f"cannot create database {url}: folder {parent} does not exist")
    try:
        engine = create_engine(url, future=True)
    except Exception as exc:  # an unknown dialect or a missing driver
        raise DatabaseError(f"cannot open database {url}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    locking.install(engine)
    if migrate:
        upgrade(engine)
    return engine


def upgrade(engine: Engine) -> None:
    """Apply pending migrations (cheap when already at head: one SELECT)."""
    head = head_revision()
    try:
        # Checked first without the write lock, so opening an up-to-date store (every command, the web server)
        # never waits for an import; checked again under the lock, because several processes opening a new or
        # older store at once must migrate it once, not race to create the same tables.
        with engine.connect() as conn:
            if MigrationContext.configure(conn).get_current_revision() == head:
                return
        with locking.write_transaction(engine) as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            if current == head:
                return
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except DatabaseError:
        raise
    except Exception as exc:
        raise DatabaseError(f"cannot open or migrate database {engine.url!r}: {exc}") from exc
