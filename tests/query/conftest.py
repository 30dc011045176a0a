"""Fixtures of the search tests: the sample database built with the CLI from ../shared, its annotated copy, and
the API over each (defined in tests/searchdb.py, built once per session)."""

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
