"""Fixtures of the API tests: the same databases as the search tests (tests/searchdb.py, built once per
session), served in-process."""

from searchdb import (  # noqa: F401 — pytest finds fixtures by name in the conftest's namespace
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
