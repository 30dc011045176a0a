"""WHO ICTRP tabular exports: CSV and its Excel (.xlsx) form.

Layouts seen: the 40-column COVID-era search-portal export (``TrialID, Last Refreshed on, Public title, Scientific
title, Acronym, Primary sponsor, Date registration, Date registration3, …, Contact Firstname, …, Bridged type,
results yes no``) and the full export (``TrialID, SecondaryIDs, public_title, Scientific_title, url,
Public_Contact_Firstname, … Scientific_Contact_…, Source_Support, Secondary_sponsors, Agemin, Gender, … Ethics_…``,
with NULL for empty). Columns are found by name through :mod:`._ictrp_common`'s aliases, so column order, spelling
("Date enrollement"/"Date_enrollment") and missing columns do not matter.

CSV rows are streamed. An .xlsx workbook is a zip, which needs a seekable file: the stream is spooled to a
temporary file (in memory up to 16 MiB, on disk beyond) and read with openpyxl in read-only mode, row by row.
Excel cells come typed: dates become ISO text; a phase "1-2" or "2-3" that Excel turned into a date (2 March) is
given back as text.
"""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, BinaryIO

from ._ictrp_common import KNOWN_COLUMNS, Fields, build_record, norm
from .base import ImportProblem, Parsed, SourceError, problem_from, strip_bom

NAME = "ictrp_table"
DESCRIPTION = "WHO ICTRP CSV export (COVID-era 40-column and full-export layouts) and its Excel (.xlsx) form"

_FIELD_LIMIT = 32 * 1024 * 1024
_SPOOL_MEMORY = 16 * 1024 * 1024
_MAX_WORKBOOK = 512 * 1024 * 1024  # compressed bytes spooled
_MAX_UNPACKED = 2 * 1024 * 1024 * 1024  # a workbook unpacking to more is refused (zip bomb)
_CHUNK = 1024 * 1024
_STREAM_ERRORS = (csv.Error, OSError, EOFError, zlib.error)


def _is_header(cells: Iterable[object]) -> bool:
    names = {norm(str(c)) for c in cells if c is not None}
    return "trialid" in names and len(names & KNOWN_COLUMNS) >= 4


def _delimiter(header_line: str) -> str:
    """Comma as exported; tab or semicolon when a spreadsheet re-saved it (column names contain none of them)."""
    return max((",", "\t", ";"), key=header_line.count)


def _is_xlsx(head: bytes) -> bool:
    # The local file headers near the start name the parts: an OOXML spreadsheet has "xl/" members.
    return head.startswith(b"PK\x03\x04") and b"xl/" in head


def sniff(head: bytes, filename: str) -> bool:
    if _is_xlsx(head):
        return True
    text = strip_bom(head).decode("utf-8", errors="replace").lstrip()
    first = text.split("\n", 1)[0].rstrip("\r")
    try:
        cells = next(csv.reader([first], delimiter=_delimiter(first)))
    except (csv.Error, StopIteration):
        return False
    return _is_header(cells)


def read(stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]:
    try:
        first = stream.read(4) or b""
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"unreadable input: {type(exc).__name__}: {exc}") from exc
    if first.startswith(b"PK\x03\x04"):
        yield from _xlsx(first, stream, origin)
    else:
        yield from _csv(_Rejoined(first, stream), origin)


class _Rejoined(io.RawIOBase):
    """Bytes already read, then the rest of the stream."""

    def __init__(self, first: bytes, rest: BinaryIO) -> None:
        self._first, self._rest = first, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._first:
            n = min(len(buffer), len(self._first))
            buffer[:n], self._first = self._first[:n], self._first[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# ---------------------------------------------------------------- CSV


def _csv(raw: io.RawIOBase, origin: str) -> Iterator[Parsed | ImportProblem]:
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    # utf-8-sig drops a BOM; newline="" lets csv see quoted line breaks; a stray bad byte becomes U+FFFD.
    text = io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8-sig", errors="replace", newline="")
    try:
        first = text.readline()
        yield from _rows(csv.reader(_chain([first], text), delimiter=_delimiter(first)), origin)
    except _STREAM_ERRORS as exc:  # a damaged .gz fails while being read: the file is unreadable
        raise SourceError(f"unreadable CSV: {type(exc).__name__}: {exc}") from exc
    finally:
        with contextlib.suppress(ValueError):
            text.detach()


def _chain(first: list[str], rest: Iterable[str]) -> Iterator[str]:
    yield from first
    yield from rest


def _rows(reader: Iterator[list[Any]], origin: str) -> Iterator[Parsed | ImportProblem]:
    try:
        header = next(reader, None)
        while header is not None and not any(str(c or "").strip() for c in header):
            header = next(reader, None)
    except _STREAM_ERRORS as exc:
        raise SourceError(f"unreadable header: {exc}") from exc
    if header is None:
        raise SourceError("empty input: no ICTRP header row")
    header = [str(c).strip() if c is not None else "" for c in header]
    if not _is_header(header):
        raise SourceError("not an ICTRP export: no TrialID column among the known ICTRP columns")
    number = 0
    while True:
        try:
            row = next(reader, None)
        except _STREAM_ERRORS as exc:
            raise SourceError(f"unreadable after row {number}: {exc}", f"row {number + 1}") from exc
        if row is None:
            break
        if not any(str(c or "").strip() for c in row):
            continue
        number += 1
        position = f"row {number}"
        if len(row) > len(header) and any(str(c or "").strip() for c in row[len(header):]):
            yield ImportProblem(origin, position, f"expected {len(header)} columns, found {len(row)}")
            continue
        yield _one(header, [*row, *[None] * (len(header) - len(row))], origin, position)


def _one(header: list[str], row: list[Any], origin: str, position: str) -> Parsed | ImportProblem:
    try:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerow(["" if v is None else v for v in row[: len(header)]])
        raw = buf.getvalue().encode("utf-8")
        fields = Fields(dict(zip(header, row, strict=False)))
        if fields.get("id") is None:
            return ImportProblem(origin, position, "no TrialID")
        return Parsed(record=build_record(fields, fmt=NAME, raw=raw, origin=origin, position=position), raw=raw,
                      position=position)
    except Exception as exc:  # one bad row must not stop the file
        return problem_from(exc, origin, position)


# ---------------------------------------------------------------- Excel


def _xlsx(first: bytes, stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]:
    import openpyxl  # only needed for workbooks

    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY) as spool:
        total = len(first)
        spool.write(first)
        try:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > _MAX_WORKBOOK:
                    raise SourceError(f"workbook larger than {_MAX_WORKBOOK // 2**20} MiB")
                spool.write(chunk)
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(f"unreadable input: {exc}") from exc
        spool.seek(0)
        try:
            with zipfile.ZipFile(spool) as archive:
                if sum(i.file_size for i in archive.infolist()) > _MAX_UNPACKED:
                    raise SourceError("refused: the workbook unpacks to more than 2 GiB")
            spool.seek(0)
            book = openpyxl.load_workbook(spool, read_only=True, data_only=True)
        except SourceError:
            raise
        except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
            raise SourceError(f"not a readable .xlsx workbook: {type(exc).__name__}: {exc}") from exc
        try:
            sheet = book.worksheets[0] if book.worksheets else None
            if sheet is None:
                raise SourceError("the workbook has no worksheet")
            yield from _rows(_cells(sheet.iter_rows(values_only=True)), origin)
        finally:
            book.close()


def _cells(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[str | None]]:
    """Typed Excel cells as the text the CSV export would hold. Damaged sheet XML fails here: that is the file."""
    phase_col = None  # found in the header row
    try:
        for row in rows:
            if phase_col is None:
                names = [norm(str(c)) if c is not None else "" for c in row]
                if "trialid" in names:
                    phase_col = names.index("phase") if "phase" in names else -1
            yield [_cell(v, phase=(i == phase_col)) for i, v in enumerate(row)]
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(f"unreadable worksheet: {type(exc).__name__}: {exc}") from exc


def _cell(value: Any, phase: bool = False) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        if phase:  # "1-2" / "2-3" read by Excel as day-month
            return f"{value.day}-{value.month}"
        if isinstance(value, datetime) and (value.hour, value.minute, value.second) != (0, 0, 0):
            return value.isoformat(sep=" ")
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
