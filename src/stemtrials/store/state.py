"""Store state: named values written inside the transaction whose writes they describe (table ``store_state``)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from . import schema as s

LINKS_STALE = "links_stale"


def put(conn: Connection, key: str, value: str) -> None:
    table = s.store_state
    if conn.dialect.name in ("sqlite", "postgresql"):
        dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
        stmt = dialect.insert(table).values(key=key, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=[table.c.key], set_={"value": value}))
        return
    if not conn.execute(update(table).where(table.c.key == key).values(value=value)).rowcount:
        conn.execute(table.insert().values(key=key, value=value))


def get(engine: Engine, key: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(s.store_state.c.value).where(s.store_state.c.key == key)).scalar()


def links_stale(engine: Engine) -> bool:
    """Whether records changed since studies were last computed (an import stopped before it re-linked)."""
    return get(engine, LINKS_STALE) == "1"
