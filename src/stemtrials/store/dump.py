"""Dump and restore: the whole store as one versioned, checksummed file that restores into either backend.

The file (docs/DUMP.md is its reference) is gzip-compressed JSON Lines:

1. a header ``{"format": "stemtrials-dump", "format_version": 1, "schema_revision", "created_at", "tool_version",
   "backend", "tables": {name: {"columns": [...], "types": [...], "rows": n}}}``;
2. one line per row, ``{"t": table, "r": [values in the header's column order]}``, tables in foreign-key order;
3. a trailer ``{"end": "stemtrials-dump", "rows": {table: n}, "lines": n, "sha256": hex}``, the sha256 taken over
   the exact bytes of every line before it (header included), so truncation and corruption are detected.

Tables come from ``schema.metadata.sorted_tables``: a table added to the schema is dumped with no change here. The
full-text index is derived data and is rebuilt after a restore instead of being dumped. Both directions stream
(server-side cursors out, batched inserts in), so memory stays bounded by a batch, not by a table.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, String, Table, func, select
from sqlalchemy import text as sql_text

from .. import __version__
from ..vocab import today_iso
from . import fulltext, locking
from . import schema as s
from .db import MIGRATIONS, head_revision
from .dump_format import FORMAT, FORMAT_VERSION, DumpError, column_kind, decode_value, encode_value

__all__ = ["FORMAT", "FORMAT_VERSION", "DumpError", "dump", "known_revisions", "restore"]

READ_BATCH = 500
"""Rows fetched per round trip while dumping (the widest rows, raw inputs, hold one record's source: tens of KiB)."""
INSERT_BATCH_ROWS = 500
INSERT_BATCH_BYTES = 8 * 1024 * 1024
"""An insert batch is flushed at whichever limit it reaches first, so wide rows (raw inputs) keep memory bounded."""


def _line(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8") + b"\n"


def _row_order(table: Table, dialect: str) -> list[Any]:
    """Primary-key order, text compared by code point on both backends (PostgreSQL's default collation sorts by
    locale), so equal stores give byte-identical row lines whichever backend wrote them."""
    columns = list(table.primary_key.columns) or list(table.columns)
    if dialect != "postgresql":
        return columns
    return [c.collate("C") if isinstance(c.type, String) else c for c in columns]


# ---------------------------------------------------------------- dump
@contextmanager
def _read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction that sees one consistent state of the store for all its statements, so the header's
    row counts match the rows written even while an import commits meanwhile."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin() as tx:
            if conn.dialect.name == "sqlite":
                # pysqlite opens no transaction for SELECTs, so each would see the latest commit; an explicit BEGIN
                # makes the first read fix the snapshot (WAL: writers go on, unblocked).
                conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            finally:
                tx.rollback()


def dump(engine: Engine, path: Path) -> dict[str, int]:
    """Write every table of the schema to ``path`` (written beside it, renamed when complete); returns the row
    count per table."""
    tables = list(s.metadata.sorted_tables)
    kinds = {t.name: [column_kind(c) for c in t.columns] for t in tables}
    tmp = path.with_name(path.name + ".part")
    counts: dict[str, int] = {}
    try:
        with _read_snapshot(engine) as conn, gzip.open(tmp, "wb", compresslevel=6) as out:
            for table in tables:
                counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
            header = {
                "format": FORMAT, "format_version": FORMAT_VERSION,
                "schema_revision": MigrationContext.configure(conn).get_current_revision(),
                "created_at": today_iso(), "tool_version": __version__, "backend": conn.dialect.name,
                "tables": {t.name: {"columns": [c.name for c in t.columns], "types": kinds[t.name],
                                    "rows": counts[t.name]} for t in tables},
            }
            digest = hashlib.sha256()
            lines = 0

            def write(raw: bytes) -> None:
                nonlocal lines
                digest.update(raw)
                out.write(raw)
                lines += 1

            write(_line(header))
            for table in tables:
                written = 0
                result = conn.execute(select(table).order_by(*_row_order(table, conn.dialect.name)),
                                      execution_options={"yield_per": READ_BATCH})
                for row in result:
                    write(_line({"t": table.name,
                                 "r": [encode_value(k, v) for k, v in zip(kinds[table.name], row, strict=True)]}))
                    written += 1
                if written != counts[table.name]:  # cannot happen inside one snapshot; a guard, not a retry
                    raise DumpError(f"table {table.name} changed while it was dumped ({counts[table.name]} rows "
                                    f"counted, {written} read)")
            out.write(_line({"end": FORMAT, "rows": counts, "lines": lines, "sha256": digest.hexdigest()}))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return counts


# ---------------------------------------------------------------- restore
@dataclass
class _TablePlan:
    table: Table
    columns: list[str]
    kinds: list[str]
    expected_rows: int
    restored: int = 0
    batch: list[dict[str, Any]] = field(default_factory=list)
    batch_bytes: int = 0


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


class _DumpReader:
    """The lines of a dump file with their numbers; every error names the file and line."""

    def __init__(self, path: Path, stream: IO[bytes]) -> None:
        self.path = path
        self._stream = stream
        self.number = 0
        self.digest = hashlib.sha256()

    def error(self, message: str, number: int | None = None) -> DumpError:
        return DumpError(f"{self.path}: line {self.number if number is None else number}: {message}")

    def next_line(self) -> bytes | None:
        try:
            raw = self._stream.readline()
        except EOFError:
            raise DumpError(f"{self.path}: truncated after line {self.number}: the compressed stream ends early "
                            "(an incomplete copy?)") from None
        except (gzip.BadGzipFile, zlib.error, OSError) as exc:
            if self.number == 0:
                raise DumpError(f"{self.path}: not a gzip-compressed stemtrials dump ({exc})") from None
            raise DumpError(f"{self.path}: corrupted after line {self.number}: {exc}") from None
        if not raw:
            return None
        self.number += 1
        if not raw.endswith(b"\n"):
            raise self.error("truncated: the line has no end")
        return raw

    def parse(self, raw: bytes) -> dict[str, Any]:
        try:
            obj = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise self.error(f"not valid JSON ({exc})") from None
        if not isinstance(obj, dict):
            raise self.error("expected a JSON object")
        return obj


def _check_header(reader: _DumpReader, header: dict[str, Any]) -> None:
    if header.get("format") != FORMAT:
        raise reader.error(f"not a stemtrials dump: the header's format is {header.get('format')!r}, "
                           f"expected {FORMAT!r}")
    version = header.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise reader.error(f"invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise reader.error(f"dump format_version {version} is newer than this stemtrials ({__version__}) reads "
                           f"(up to {FORMAT_VERSION}); restore it with stemtrials {header.get('tool_version')} or "
                           "newer")
    revision = header.get("schema_revision")
    if revision not in known_revisions():
        raise reader.error(f"schema revision {revision!r} is unknown to this stemtrials (its newest is "
                           f"{head_revision()!r}); the dump was written by stemtrials {header.get('tool_version')}: "
                           "restore it with that version or a newer one")
    if not isinstance(header.get("tables"), dict):
        raise reader.error("the header has no 'tables' object")


def _plan(reader: _DumpReader, header: dict[str, Any]) -> dict[str, _TablePlan]:
    """Match the dump's tables and columns to the current schema. A dump of an older schema revision restores when
    its columns are a subset of today's and every column it lacks may be null or has a default (migrations so far
    only add); anything else is refused before a row is written."""
    current = {t.name: t for t in s.metadata.sorted_tables}
    plans: dict[str, _TablePlan] = {}
    for name, info in header["tables"].items():
        table = current.get(name)
        if table is None:
            raise reader.error(f"the dump has a table {name!r} that this schema does not")
        columns, kinds, rows = info.get("columns"), info.get("types"), info.get("rows")
        if (not isinstance(columns, list) or not isinstance(kinds, list) or len(columns) != len(kinds)
                or not isinstance(rows, int) or rows < 0):
            raise reader.error(f"table {name!r}: the header needs 'columns', 'types' (as many) and 'rows'")
        for column, kind in zip(columns, kinds, strict=True):
            if column not in table.c:
                raise reader.error(f"table {name!r}: the dump has a column {column!r} that this schema does not")
            if column_kind(table.c[column]) != kind:
                raise reader.error(f"table {name!r}: column {column!r} is {kind!r} in the dump but "
                                   f"{column_kind(table.c[column])!r} here")
        for column in table.columns:
            required = (not column.nullable and column.default is None and column.server_default is None
                        and column is not table.autoincrement_column)
            if column.name not in columns and required:
                raise reader.error(f"table {name!r}: the dump lacks column {column.name!r}, which this schema "
                                   "requires")
        plans[name] = _TablePlan(table, columns, kinds, rows)
    return plans


def _require_empty(conn: Connection, url: str) -> None:
    for table in s.metadata.sorted_tables:
        if conn.execute(select(table).limit(1)).first() is not None:
            raise DumpError(f"the target database {url} is not empty (table {table.name} has rows): restore only "
                            "into a new, empty database")


def _flush(reader: _DumpReader, conn: Connection, plan: _TablePlan) -> None:
    if not plan.batch:
        return
    try:
        conn.execute(plan.table.insert(), plan.batch)
    except Exception as exc:
        raise reader.error(f"table {plan.table.name}: the database refused a row of the batch ending here: "
                           f"{str(exc).splitlines()[0]}") from exc
    plan.batch = []
    plan.batch_bytes = 0


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: rows were inserted with their own IDs, so each serial column's sequence must move past them or
    the next new row would collide with a restored one."""
    if conn.dialect.name != "postgresql":
        return
    for table in s.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        conn.execute(sql_text(
            f'SELECT setval(pg_get_serial_sequence(:table, :column), COALESCE(MAX("{column.name}"), 0) + 1, false) '
            f'FROM "{table.name}"'), {"table": table.name, "column": column.name})


@contextmanager
def _open_dump(path: Path) -> Iterator[IO[bytes]]:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise DumpError(f"{path}: cannot open: {exc.strerror or exc}") from None
    with raw, gzip.GzipFile(fileobj=raw, mode="rb") as stream:
        yield stream


def restore(engine: Engine, path: Path) -> dict[str, int]:
    """Load a dump into an empty database in one transaction: nothing lands unless every line was read, every
    count and the checksum agree, and the full-text index was rebuilt. Returns the row count per table."""
    url = engine.url.render_as_string(hide_password=True)
    with _open_dump(path) as stream, locking.write_transaction(engine) as conn:
        reader = _DumpReader(path, stream)
        raw = reader.next_line()
        if raw is None:
            raise DumpError(f"{path}: empty file, not a stemtrials dump")
        reader.digest.update(raw)
        header = reader.parse(raw)
        _check_header(reader, header)
        plans = _plan(reader, header)
        _require_empty(conn, url)
        trailer: dict[str, Any] | None = None
        while (raw := reader.next_line()) is not None:
            if trailer is not None:
                raise reader.error("data after the trailer")
            obj = reader.parse(raw)
            if "end" in obj:
                trailer = obj
                trailer_line = reader.number
                continue
            reader.digest.update(raw)
            _restore_row(reader, plans, obj, conn, len(raw))
        if trailer is None:
            raise DumpError(f"{path}: truncated: no trailer after line {reader.number} (an incomplete copy?)")
        for plan in plans.values():
            _flush(reader, conn, plan)
        _check_trailer(reader, trailer, trailer_line, plans)
        _reset_sequences(conn)
        fulltext.rebuild(conn)
    return {name: plan.restored for name, plan in plans.items()}


def _restore_row(reader: _DumpReader, plans: dict[str, _TablePlan], obj: dict[str, Any], conn: Connection,
                 size: int) -> None:
    plan = plans.get(obj.get("t"))  # type: ignore[arg-type]
    values = obj.get("r")
    if plan is None:
        raise reader.error(f"a row of table {obj.get('t')!r}, which the header does not list")
    if not isinstance(values, list) or len(values) != len(plan.columns):
        raise reader.error(f"table {plan.table.name}: expected a list of {len(plan.columns)} values")
    row: dict[str, Any] = {}
    for column, kind, value in zip(plan.columns, plan.kinds, values, strict=True):
        try:
            row[column] = decode_value(kind, value)
        except ValueError as exc:
            raise reader.error(f"table {plan.table.name}, column {column}: {exc}") from None
    plan.restored += 1
    if plan.restored > plan.expected_rows:
        raise reader.error(f"table {plan.table.name} has more rows than the header's {plan.expected_rows}")
    # Tables arrive in foreign-key order; a table's pending rows go in before the next table's, so references hold.
    for other in plans.values():
        if other is not plan and other.batch:
            _flush(reader, conn, other)
    plan.batch.append(row)
    plan.batch_bytes += size
    if len(plan.batch) >= INSERT_BATCH_ROWS or plan.batch_bytes >= INSERT_BATCH_BYTES:
        _flush(reader, conn, plan)


def _check_trailer(reader: _DumpReader, trailer: dict[str, Any], line: int, plans: dict[str, _TablePlan]) -> None:
    if trailer.get("end") != FORMAT:
        raise reader.error("invalid trailer", line)
    restored = {name: plan.restored for name, plan in plans.items()}
    declared = {name: plan.expected_rows for name, plan in plans.items()}
    if restored != declared or trailer.get("rows") != declared:
        missing = {n: f"{restored[n]} of {declared[n]}" for n in declared if restored[n] != declared[n]}
        raise reader.error(f"row counts disagree with the header and trailer: {missing or trailer.get('rows')}", line)
    if trailer.get("lines") != line - 1:
        raise reader.error(f"the trailer counts {trailer.get('lines')} lines before it, the file has {line - 1}", line)
    if trailer.get("sha256") != reader.digest.hexdigest():
        raise reader.error("the content's sha256 does not match the trailer's: the file is corrupted", line)
