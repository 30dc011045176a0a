"""The store's one writer lock: a write transaction holds it from its first statement to its commit or rollback.

Several ``stemtrials import`` processes, ``stemtrials link`` and a curator's decision may write at once, on SQLite or
PostgreSQL, while the web server reads. Every writer follows the same read-then-write pattern (is this trial known?
which version is current? which records exist to link?), so each must see what the previous writer committed and
nothing may slip in between its read and its write. Without a lock:

- SQLite: a deferred transaction that read first and then writes must upgrade its lock; in WAL mode the upgrade
  fails at once with SQLITE_BUSY when another writer committed meanwhile (the busy timeout does not help there).
- PostgreSQL (READ COMMITTED): two importers that both find trial X missing both insert it — the second hits the
  primary key and its whole file fails; two that add versions of X both compute the same next version number (one
  fails) or each keep their own idea of the "current" version, so one update is lost; a re-link that read the
  records before an import committed overwrites the studies the import's own re-link just wrote.

Why one lock for the whole store rather than row locks (``SELECT … FOR UPDATE``, ``INSERT … ON CONFLICT``): a file
transaction touches hundreds of trials in file order, so row locks taken by overlapping files in different orders
deadlock and a whole file would have to be retried; re-linking reads every record, so it would need a table lock
anyway; and SQLite has only one writer at a time in any case. Serialising the writes costs little because readers
never wait (WAL snapshots on SQLite, MVCC on PostgreSQL) and importers parse and annotate — most of an import's
time — before they ask for the lock (pipeline.py spools a file's records first).

How: a connection opened through :func:`writer` carries the ``stemtrials_write`` execution option, and the engine's
"begin" event (installed by :func:`install`) then starts its transaction with ``BEGIN IMMEDIATE`` on SQLite or takes
the transaction-scoped advisory lock :data:`PG_WRITE_LOCK` on PostgreSQL, which the server releases at commit,
rollback or when the process dies (``kill -9`` included). Plain connections (readers) are untouched.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import AbstractContextManager

from sqlalchemy import Connection, Engine, event

WRITE_OPTION = "stemtrials_write"

# A fixed 64-bit key of pg_advisory_xact_lock, the same in every stemtrials process ("STMTRIAL" in ASCII), so
# stemtrials writers exclude each other and nothing else on the server.
PG_WRITE_LOCK = 0x53544D545249414C

# SQLite's busy timeout (store/db.py) bounds one wait for the lock; a long import of another process may hold it
# longer, so waiting goes on, up to this bound, before giving up with a clear message.
SQLITE_LOCK_WAIT_SECONDS = 3600.0


class WriteLockTimeout(Exception):
    """Another process held the store's write lock for longer than we are prepared to wait."""


def install(engine: Engine) -> None:
    """Make write transactions (connections from :func:`writer`) take the store's write lock when they begin."""
    if not event.contains(engine, "begin", _take_write_lock):
        event.listen(engine, "begin", _take_write_lock)


def writer(engine: Engine) -> Engine:
    """The engine whose transactions are write transactions (same pool; readers keep using ``engine``)."""
    return engine.execution_options(**{WRITE_OPTION: True})


def write_transaction(engine: Engine) -> AbstractContextManager[Connection]:
    """``with write_transaction(engine) as conn:`` — a transaction holding the write lock; commits on success."""
    return writer(engine).begin()


def _take_write_lock(conn: Connection) -> None:
    if not conn.get_execution_options().get(WRITE_OPTION):
        return
    # The driver connection directly: the statement must be the transaction's first, ahead of anything SQLAlchemy
    # would emit, and must not re-enter SQLAlchemy's own transaction handling from inside its "begin" event.
    driver = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        _begin_immediate(driver)
    elif conn.dialect.name == "postgresql":
        driver.execute("SELECT pg_advisory_xact_lock(%s)", (PG_WRITE_LOCK,))


def _begin_immediate(driver: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE: the write lock now, not on the first write (when an upgrade could fail with SQLITE_BUSY).

    pysqlite then sees an open transaction and adds no BEGIN of its own; SQLAlchemy's commit/rollback end it."""
    deadline = time.monotonic() + SQLITE_LOCK_WAIT_SECONDS
    while True:
        try:
            driver.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorname", "").startswith("SQLITE_BUSY") or "locked" in str(exc)
            if not busy:
                raise
            if time.monotonic() > deadline:
                raise WriteLockTimeout(
                    f"the database stayed locked by another writer for over {SQLITE_LOCK_WAIT_SECONDS:.0f} s"
                ) from exc
