"""Shared fixtures: the real records in ../shared (tests skip with a visible reason when it is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends import backend, databases, db_url, new_db  # noqa: F401 — fixtures, found by name
from searchdb import (  # noqa: F401 — the search and API tests' sample stores (built once per session, on demand)
    onto_client,
    onto_db,
    onto_engine,
    onto_records,
    onto_url,
    sample_client,
    sample_db,
    sample_engine,
    sample_records,
    sample_url,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip(f"../shared not found at {SHARED}: the real-record fixtures live there")
    return SHARED
