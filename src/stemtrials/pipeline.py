"""The import path, end to end: inputs → format detection → reader → store, one transaction per file.

A file that cannot be read lands nothing; a bad record inside a readable file is reported and skipped; a record the
database refuses is undone alone (savepoint). Problems name the file and the position.
"""

from __future__ import annotations

import pickle
import tempfile
import zlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import IO

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from . import sources
from .enrich import annotate
from .model import TrialRecord
from .sources.base import ImportProblem, SourceError
from .sources.inputs import InputError, InputFile, iter_inputs, read_head
from .store.writer import Counts, FileTransaction

ProgressHook = Callable[[str, int], None]
"""Called with (file name, records done in this file) as the import advances."""


# Our own export carries its annotations (possibly curated): re-annotating would not be a lossless round trip.
_ALREADY_ANNOTATED = {"stemtrials_jsonl"}

# A file's parsed records stay in memory up to this size, then spill to an (unlinked) temporary file, so a large
# export never has to fit in memory while it waits for the write lock.
SPOOL_IN_MEMORY = 32 * 1024 * 1024


def _record_level(exc: SQLAlchemyError) -> bool:
    """Errors one record can cause (a constraint, a value too long) as opposed to the database failing."""
    return isinstance(exc, (IntegrityError, DataError))


def _choose_format(item: InputFile, forced: ModuleType | None) -> tuple[ModuleType | None, str | None]:
    """The format to read an input with, or the reason it cannot be read."""
    head = read_head(item)
    if not head.strip():
        return None, "empty file"
    if forced is not None:
        return forced, None
    fmt = sources.detect(head, item.inner_name)
    if fmt is not None:
        return fmt, None
    if b"\x00" in head[:4096] or head[:4] in (b"PK\x03\x04", b"\x89PNG", b"%PDF"):
        return None, "binary content, not a registry export this version reads"
    names = ", ".join(m.NAME for m in sources.FORMATS)
    return None, f"unrecognised format (not one of: {names}); use --format to force one"


def _read_and_annotate(fmt: ModuleType, item: InputFile, counts: Counts, spool: IO[bytes],
                       progress: ProgressHook | None) -> int:
    """Read and annotate every record of one input into ``spool`` (pickled, in file order); bad records go to
    ``counts``. Raises what the reader raises for an unreadable input. Returns the number of records spooled."""
    done = 0
    with item.open() as stream:
        for result in fmt.read(stream, item.name):
            if isinstance(result, ImportProblem):
                counts.errors += 1
                counts.problems.append(str(result))
                continue
            record = result.record
            if fmt.NAME not in _ALREADY_ANNOTATED:
                try:
                    record = annotate(record)
                except Exception as exc:  # an annotator bug must not lose the record: store it bare, say so
                    counts.errors += 1
                    counts.problems.append(str(ImportProblem(
                        item.name, result.position,
                        f"annotation failed ({type(exc).__name__}: {exc}); stored without annotations")))
            pickle.dump((record, result.raw, result.position), spool, protocol=pickle.HIGHEST_PROTOCOL)
            done += 1
            if progress is not None and done % 50 == 0:
                progress(item.name, done)
    return done


def _spooled(spool: IO[bytes]) -> Iterator[tuple[TrialRecord, bytes, str]]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _store(engine: Engine, item: InputFile, spool: IO[bytes], counts: Counts) -> None:
    """Store the spooled records of one input in one transaction; a record the database refuses costs only itself,
    any other store failure stops the import (the transaction is rolled back: nothing of this file lands)."""
    with FileTransaction(engine) as tx:
        for record, raw, position in _spooled(spool):
            try:
                outcome = tx.put(record, raw)
            except SQLAlchemyError as exc:
                if not _record_level(exc):
                    raise
                counts.errors += 1
                counts.problems.append(str(ImportProblem(item.name, position,
                                                         f"not stored: {type(exc).__name__}: {exc.args[0]}")))
                continue
            setattr(counts, outcome, getattr(counts, outcome) + 1)
        tx.commit()


def import_file(engine: Engine, item: InputFile, forced: ModuleType | None = None,
                progress: ProgressHook | None = None) -> Counts:
    """Import one input in one transaction and return its counts (errors included).

    Two phases: the input is read and annotated into a spool (memory, then a temporary file past
    ``SPOOL_IN_MEMORY``) without touching the database, then stored in one write transaction. Parsing and
    annotation are most of an import's time, so concurrent importers do them in parallel and queue only for the
    store's write lock (store/locking.py), which they hold just while writing.
    """
    counts = Counts()

    def fail(reason: str, position: str | None = None) -> Counts:
        failed = Counts(errors=counts.errors + 1, problems=[*counts.problems,
                                                            str(ImportProblem(item.name, position, reason))])
        return failed

    try:
        fmt, why = _choose_format(item, forced)
    except (OSError, EOFError, zlib.error) as exc:
        return fail(f"cannot read: {exc}")
    if fmt is None:
        return fail(why or "cannot read")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        try:
            done = _read_and_annotate(fmt, item, counts, spool, progress)
        except SourceError as exc:
            return fail(f"{fmt.NAME}: {exc.reason} (nothing imported from this file)", exc.position)
        except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
            return fail(f"cannot read: {type(exc).__name__}: {exc} (nothing imported from this file)")
        except Exception as exc:  # a reader bug must not cost the other files
            return fail(f"{fmt.NAME} reader failed: {type(exc).__name__}: {exc} (nothing imported from this file)")
        # Store failures other than one record's (disk full, connection lost, a bug) propagate: the database
        # itself is failing, so stop rather than fail every remaining file.
        _store(engine, item, spool, counts)
    if progress is not None:
        progress(item.name, done)
    return counts


def import_paths(engine: Engine, paths: list[str], forced_format: str | None = None,
                 progress: ProgressHook | None = None,
                 on_file: Callable[[InputFile], None] | None = None) -> Counts:
    """Import every input under ``paths``; returns the totals."""
    forced = sources.BY_NAME[forced_format] if forced_format else None
    total = Counts()
    for item in iter_inputs(paths):
        if isinstance(item, InputError):
            total.errors += 1
            total.problems.append(str(item))
            continue
        if on_file is not None:
            on_file(item)
        total.add(import_file(engine, item, forced, progress))
    return total
