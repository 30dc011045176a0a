"""The one small interface every registry format implements.

A format is a module in ``sources/`` exposing::

    NAME: str                         # the --format name, e.g. "ctgov_v2"
    DESCRIPTION: str                  # one line for `stemtrials import --help` and the README
    def sniff(head: bytes, filename: str) -> bool
    def read(stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]

``sniff`` sees the first bytes of the (already decompressed) input and its file name, and answers whether this
format can read it. ``read`` streams records: a bad record is yielded as an :class:`ImportProblem` and reading goes
on; an input that cannot be read at all raises :class:`SourceError` (the store then lands nothing from that file).
Readers never touch the database or the network.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from ..model import Source, TrialRecord


@dataclass(frozen=True)
class Parsed:
    """One record read from an input, with the raw bytes it was read from."""

    record: TrialRecord
    raw: bytes
    position: str
    """Where in the file: 'line 12', 'study 3', 'row 40' …"""


@dataclass(frozen=True)
class ImportProblem:
    """A record (or whole file) that could not be imported, and why."""

    file: str
    position: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.position}" if self.position else self.file
        return f"{where}: {self.reason}"


class SourceError(Exception):
    """The input cannot be read as this format at all (truncated, malformed, hostile)."""

    def __init__(self, reason: str, position: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position


class SourceFormat(Protocol):
    NAME: str
    DESCRIPTION: str

    def sniff(self, head: bytes, filename: str) -> bool: ...

    def read(self, stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]: ...


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def json_bytes(obj: Any) -> bytes:
    """The raw form kept for a record parsed from JSON: the object re-serialised, keys in their original order."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def make_source(fmt: str, raw: bytes, origin: str, position: str | None, url: str | None = None) -> Source:
    return Source(
        format=fmt,
        url=url,
        sha256=sha256(raw),
        imported_at=None,  # stamped by the store when the record lands
        file=f"{origin}#{position}" if position else origin,
    )


def ctgov_url(nct_id: str | None) -> str | None:
    return f"https://clinicaltrials.gov/study/{nct_id}" if nct_id else None


def derived_id(*parts: str | None) -> str:
    """A stable ID for a record that names no registry ID: a hash of its identifying content (normalised title,
    sponsor, start date), so re-importing the same record finds it again."""
    norm = "|".join(re.sub(r"\W+", " ", (p or "").lower()).strip() for p in parts)
    return "ST-" + hashlib.sha256(norm.encode("utf-8")).hexdigest()[:12].upper()


def strip_bom(head: bytes) -> bytes:
    return head[3:] if head.startswith(b"\xef\xbb\xbf") else head


def problem_from(exc: Exception, origin: str, position: str | None) -> ImportProblem:
    """A readable reason from a validation or parsing exception."""
    reason = f"{type(exc).__name__}: {exc}"
    reason = re.sub(r"\s+", " ", reason)
    if len(reason) > 400:
        reason = reason[:400] + "…"
    return ImportProblem(origin, position, reason)


def read_text_blocks(blocks: Iterable[list[str]], parse: Callable[[list[str], str, str, bytes], TrialRecord],
                     origin: str, unit: str, missing: str) -> Iterator[Parsed | ImportProblem]:
    """Records from a text format whose file holds one or more blocks of lines (a copied web page, an hPSCreg
    record): each block parsed alone, a failing block reported at '<unit> N' while the others go on; no block at
    all raises SourceError(missing)."""
    found = False
    for n, lines in enumerate(blocks, start=1):
        found = True
        position = f"{unit} {n}"
        raw = "\n".join(lines).encode("utf-8")
        try:
            record = parse(lines, origin, position, raw)
        except Exception as exc:  # one bad block must not stop the file
            yield problem_from(exc, origin, position)
            continue
        yield Parsed(record, raw, position)
    if not found:
        raise SourceError(missing)


def text_lines(text: Iterable[str], what: str) -> Iterator[str]:
    """The lines of a text input without their newlines; a stream that fails while being read (a broken gzip
    member …) makes the whole input unreadable: SourceError("cannot read <what>: …")."""
    try:
        for line in text:
            yield line.rstrip("\n")
    except Exception as exc:
        raise SourceError(f"cannot read {what}: {exc}") from exc
