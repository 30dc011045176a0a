"""The import path, end to end: inputs → format detection → reader → store, one transaction per file.

A file that cannot be read lands nothing; a bad record inside a readable file is reported and skipped; a record the
database refuses is undone alone (savepoint). Problems name the file and the position.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from types import ModuleType

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from . import sources
from .enrich import annotate
from .sources.base import ImportProblem, SourceError
from .sources.inputs import InputError, InputFile, iter_inputs, read_head
from .store.writer import Counts, FileTransaction

ProgressHook = Callable[[str, int], None]
"""Called with (file name, records done in this file) as the import advances."""


# Our own export carries its annotations (possibly curated): re-annotating would not be a lossless round trip.
_ALREADY_ANNOTATED = {"stemtrials_jsonl"}


class _StoreFailure(Exception):
    """A store failure that is not about one record (disk full, connection lost, a bug): the import must stop."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


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


def import_file(engine: Engine, item: InputFile, forced: ModuleType | None = None,
                progress: ProgressHook | None = None) -> Counts:
    """Import one input in one transaction and return its counts (errors included)."""
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
    done = 0
    try:
        with FileTransaction(engine) as tx, item.open() as stream:
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
                try:
                    outcome = tx.put(record, result.raw)
                except SQLAlchemyError as exc:
                    if not _record_level(exc):
                        raise _StoreFailure(exc) from exc
                    counts.errors += 1
                    counts.problems.append(str(ImportProblem(item.name, result.position,
                                                             f"not stored: {type(exc).__name__}: {exc.args[0]}")))
                    continue
                except Exception as exc:  # a store bug is not the input's fault: stop loudly
                    raise _StoreFailure(exc) from exc
                setattr(counts, outcome, getattr(counts, outcome) + 1)
                done += 1
                if progress is not None and done % 50 == 0:
                    progress(item.name, done)
            tx.commit()
    except SourceError as exc:
        return fail(f"{fmt.NAME}: {exc.reason} (nothing imported from this file)", exc.position)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        return fail(f"cannot read: {type(exc).__name__}: {exc} (nothing imported from this file)")
    except _StoreFailure as exc:
        raise exc.cause from None  # the database itself is failing: stop, rather than fail every remaining file
    except SQLAlchemyError:
        raise
    except Exception as exc:  # a reader bug must not cost the other files
        return fail(f"{fmt.NAME} reader failed: {type(exc).__name__}: {exc} (nothing imported from this file)")
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
