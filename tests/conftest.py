"""Shared fixtures: the real records in ../shared (tests skip with a visible reason when it is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends import backend, databases, db_url, new_db  # noqa: F401 — fixtures, found by name

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip(f"../shared not found at {SHARED}: the real-record fixtures live there")
    return SHARED
