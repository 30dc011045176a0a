"""Migrations 0003-0004 on both backends (tests/backends.py): they create exactly the curation and store-state tables
schema.py describes, the triggers keep the audit log append-only, they downgrade and upgrade cleanly, and a curator's
override works end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from curation_helpers import NCT, condition_terms
from helpers import cli
from stemtrials.store import accounts, audit, curation, open_engine
from stemtrials.store import schema as s
from stemtrials.store.db import MIGRATIONS

CURATION_TABLES = {"users", "api_tokens", "sessions", "overrides", "audit_log"}
# Tables whose migrated form is compared with schema.py here: the curation tables and the store state (0004).
CHECKED_TABLES = CURATION_TABLES | {"store_state"}


def _table_of(diff: tuple | list) -> str | None:
    """The table an alembic autogenerate difference is about."""
    op = diff[0] if isinstance(diff, list) else diff  # column changes come as lists of modify_* tuples
    kind = op[0]
    if kind in ("add_table", "remove_table"):
        return op[1].name  # type: ignore[no-any-return]
    if kind.startswith(("add_column", "remove_column", "modify_")):
        return op[2]  # type: ignore[no-any-return]
    return op[1].table.name  # type: ignore[no-any-return]  # indexes, constraints, foreign keys


def _schema_differences(engine: Engine) -> list:
    """What differs between the migrated database and schema.py, for the curation tables."""
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), s.metadata)
    return [d for d in diffs if _table_of(d) in CHECKED_TABLES]


def _migrate(engine: Engine, revision: str, up: bool) -> None:
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        (command.upgrade if up else command.downgrade)(cfg, revision)


def _check_migration(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= CURATION_TABLES
    assert _schema_differences(engine) == []
    with engine.begin() as conn:
        audit.record(conn, actor="test", action="user.create", target="user:x", after={"name": "x"})
    for statement in ("UPDATE audit_log SET actor = 'y'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    _migrate(engine, "0002", up=False)
    assert not CURATION_TABLES & set(inspect(engine).get_table_names())
    _migrate(engine, "head", up=True)
    assert set(inspect(engine).get_table_names()) >= CURATION_TABLES
    with engine.begin() as conn:  # fresh tables after the round trip, and the triggers are back
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 0
        audit.record(conn, actor="test", action="user.create", target="user:x")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))


def test_migration(db_url: str):
    engine = open_engine(db_url)
    try:
        _check_migration(engine)
    finally:
        engine.dispose()


def test_curation_on_either_backend(db_url: str, shared: Path):
    run = cli(db_url, "import", str(shared / "seeds"))
    assert run.code == 0 and "imported: 2 new" in run.stdout, run.stdout + run.stderr
    engine = open_engine(db_url)
    try:
        accounts.create_user(engine, "pg_curator", "curator", None, "cli:test")
        change = curation.set_condition_terms(engine, NCT, "Tissue Damage", ["MONDO:0005416"], "user:pg_curator")
        assert change.version is not None
        shown = json.loads(cli(db_url, "show", NCT, "--format", "json").stdout)
        assert condition_terms(shown, "Tissue Damage") == ["MONDO:0005416"]
        found = json.loads(cli(db_url, "search", "--condition", "MONDO:0005178", "--json").stdout)
        assert [h["id"] for h in found["results"]] == [NCT]
        by_text = json.loads(cli(db_url, "search", "osteoarthritis", "--json").stdout)  # the full-text index too
        assert [h["id"] for h in by_text["results"]] == [NCT]
        assert "1 unchanged" in cli(db_url, "import", str(shared / "seeds/004_e65ca66711663aaa.txt")).stdout
        assert [e.action for e in audit.for_target(engine, NCT)] == ["override.set"]
    finally:
        engine.dispose()
