"""Persistence: schema and migrations, writes with versions, reads. SQLite by default, PostgreSQL by URL."""

from .db import DatabaseError, open_engine, resolve_url
from .reader import Change, Version, get_record, history, iter_records, raw_input, resolve_id
from .writer import Counts, FileTransaction, content_hash

__all__ = [
    "Change", "Counts", "DatabaseError", "FileTransaction", "Version", "content_hash", "get_record", "history",
    "iter_records", "open_engine", "raw_input", "resolve_id", "resolve_url",
]
