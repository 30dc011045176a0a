"""Fixtures of the curation tests: a database of the two real seed records (NCT03123458's CT.gov page, the hPSCreg
record of ChiCTR2000031139) imported with the CLI once per session and copied for each test, accounts of each
role with API tokens, and an in-process client."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from curation_helpers import PASSWORD
from helpers import cli
from stemtrials.api import create_app
from stemtrials.store import accounts, open_engine


@pytest.fixture(scope="session")
def seeds_db_template(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("curation") / "seeds.db"
    run = cli(db, "import", str(shared / "seeds"))
    assert run.code == 0 and "imported: 2 new" in run.stdout, run.stdout + run.stderr
    with sqlite3.connect(db) as conn:  # everything into the main file, so a file copy is the whole database
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


@pytest.fixture()
def db(seeds_db_template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "curation.db"
    shutil.copyfile(seeds_db_template, copy)
    return copy


@pytest.fixture()
def engine(db: Path) -> Engine:
    return open_engine(str(db))


@dataclass
class People:
    """One account per role; each has an API token, the curator also a password (for the web login)."""

    reader: str
    curator: str
    admin: str

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, role)}"}


@pytest.fixture()
def people(engine: Engine) -> People:
    tokens = {}
    for role in ("reader", "curator", "admin"):
        accounts.create_user(engine, f"{role}1", role, PASSWORD if role in ("reader", "curator") else None,
                             "cli:test")
        tokens[role] = accounts.issue_token(engine, f"{role}1", "cli:test")[1]
    return People(**tokens)


@pytest.fixture()
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine=engine))
