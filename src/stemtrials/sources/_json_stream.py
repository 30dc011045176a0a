"""Streaming JSON inputs of records: one object, an array, API pages holding a list, several documents, JSON Lines.

Registry APIs and exports wrap their records in different ways; the importers should not each re-implement how to
find them without loading a large file whole. :func:`iter_json_records` finds the records and hands them over one at
a time, reporting a bad JSONL line as an ImportProblem and a malformed document as a SourceError with the position
reached. It knows nothing of what a record means.

Documents are read with ``ijson.items`` at the prefix where the records sit: that is ijson's parse events fed to its
ObjectBuilder, done in C by the yajl2_c backend — three times faster than the same loop in Python, which matters for
1 GB exports. ``use_float=True`` keeps numbers JSON-serialisable (no Decimal) for the raw bytes. That C parser
cannot hold an integer beyond 64 bits: a document with one is refused whole (SourceError naming the byte), as no
registry writes such numbers; in JSON Lines it costs only its line.
"""

from __future__ import annotations

import io
import json
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

import ijson

from .base import ImportProblem, SourceError, problem_from, strip_bom

HEAD_BYTES = 64 * 1024
_BOM = b"\xef\xbb\xbf"

_READ_ERRORS = (ijson.JSONError, ValueError, OSError, EOFError, zlib.error)
"""What a broken input raises while being read: bad JSON, bad UTF-8, a truncated or corrupt gzip underneath."""


MAX_DEPTH = 512
"""Deeper nesting is refused: no registry record comes near it, and ijson's C builder needs memory quadratic in the
depth (it keeps the prefix string of every level), so a hostile '[[[[…' of 100 000 levels would exhaust memory."""

# A string; the last one in a chunk may run on to its end. Matching an unfinished string to the end keeps the scan
# linear: retrying at every escaped quote inside it would be quadratic.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)')
# A quote after a run of backslashes (escaped when their number is odd). Matching starts at a run's first backslash
# only, so a long run without a quote is not rescanned from each of its backslashes.
_ESCAPED_QUOTE = re.compile(rb'(?<!\\)\\++"')
_UNESCAPED_QUOTE = re.compile(rb'(?<!\\)(?:\\\\)*+"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")


class _DepthGuard:
    """Follows the nesting depth of the JSON passing through (brackets outside strings), a chunk at a time."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.depth = 0
        self._carry = b""  # an unfinished string from the previous chunk

    def feed(self, data: bytes) -> None:
        text = self._carry + data
        outside = _STRING.sub(b"", text)
        # The chunk starts outside a string (a carried string starts with its quote): an odd number of unescaped
        # quotes means it ends inside one.
        escaped = sum(len(run) % 2 == 0 for run in _ESCAPED_QUOTE.findall(text))
        self._carry = self._unfinished(text) if (text.count(b'"') - escaped) % 2 else b""
        brackets = _NOT_BRACKET.sub(b"", outside)
        opened = brackets.count(b"[") + brackets.count(b"{")
        if self.depth + opened <= self.limit:  # cannot have gone past the limit within this chunk
            self.depth += 2 * opened - len(brackets)
            return
        for byte in brackets:
            self.depth += 1 if byte in b"[{" else -1
            if self.depth > self.limit:
                raise SourceError(f"JSON nested deeper than {self.limit} levels: not a registry record")

    @staticmethod
    def _unfinished(text: bytes) -> bytes:
        """The string that runs on past the chunk: from the last quote not escaped by a backslash."""
        start = len(text)
        for _ in range(8):  # usually the last quote or one of the few before it
            start = text.rfind(b'"', 0, start)
            if _backslashes_before(text, start) % 2 == 0:
                break
        else:  # a string full of escaped quotes: find the last unescaped one in one pass
            *_, last = _UNESCAPED_QUOTE.finditer(text)
            start = last.end() - 1
        tail = text[start:]
        if len(tail) > HEAD_BYTES:
            # A long string: keep its end only, from a byte that no backslash escapes.
            cut = len(tail) - 16
            cut += _backslashes_before(tail, cut) % 2
            tail = b'"' + tail[cut:]
        return tail


def json_head(head: bytes) -> bytes | None:
    """The head of an input that may be CT.gov JSON (an object or array first), or None — also for stemtrials'
    own JSONL export, whose lines are JSON objects too."""
    body = strip_bom(head).lstrip()
    if body[:1] not in (b"{", b"["):
        return None
    first_line = body.split(b"\n", 1)[0]
    if b'"registry_ids"' in first_line and b'"source"' in first_line:
        return None
    return body


def _backslashes_before(text: bytes, end: int) -> int:
    """How many backslashes come right before ``text[end]`` (looked at in growing windows: runs are short)."""
    count, window = 0, 64
    while True:
        part = text[max(0, end - count - window) : end - count]
        run = len(part) - len(part.rstrip(b"\\"))
        count += run
        if run < len(part) or end - count <= 0:
            return count
        window *= 2


class _Stream(io.RawIOBase):
    """The input with its first bytes kept for inspection (the input may not be seekable) and the BOM removed."""

    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self._source = source
        chunks, size = [], 0
        while size < HEAD_BYTES:
            chunk = source.read(HEAD_BYTES - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        head = b"".join(chunks)
        self.head = head[len(_BOM):] if head.startswith(_BOM) else head
        self._pending = self.head
        self.consumed = 0
        self.guard: _DepthGuard | None = None  # set before a document is parsed

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self._pending:
            data = self._pending[: len(view)]
            self._pending = self._pending[len(data):]
        else:
            data = self._source.read(len(view))
        n = len(data)
        view[:n] = data
        if self.guard is not None:
            self.guard.feed(data)
        self.consumed += n
        return n


# A line that only opens a document: brackets and keys, no value yet ('{', '[', '{"studies": [').
_OPENER = re.compile(rb'[\[{](?:\s*"(?:[^"\\]|\\.)*"\s*:\s*[\[{])*\s*')


def _whole(line: bytes) -> tuple[bool, Any]:
    try:
        return True, json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return False, None


def _is_json_lines(head: bytes, record_prefix: bool) -> bool:
    """Whether the input is JSON Lines rather than one (pretty-printed or compact) document.

    A first line that is a whole JSON object or array is a JSONL line — also when it is an array or a page and
    other lines follow: read as documents at the records' prefix, ijson would silently pass over every later line
    that is not of the first one's kind (an array, or a page). A damaged first line is a JSONL line when it ends
    like an object, or when it is not a document's opening line and the line after it is a whole object or array:
    it is then reported and the next lines go on, rather than the whole file failing. A first line that only opens
    a structure belongs to a document.
    """
    lines = head.split(b"\n", 2)
    starts_json = head[:1] in (b"{", b"[")
    if len(lines) == 1:
        # The first line is longer than the head: a compact study on one line, read the same either way; a whole
        # array or page on one line is streamed as a document.
        return starts_json and record_prefix
    first = lines[0].strip()
    if starts_json:
        if _whole(first)[0]:
            # A record line; an array or a page on the first line is JSONL only when other lines follow (a compact
            # document ending in a newline is still a document).
            return record_prefix or bool(b"".join(lines[1:]).strip())
        if record_prefix and first.endswith(b"}"):
            return True
        if _OPENER.fullmatch(first):
            return False
    whole, second = _whole(lines[1].strip())
    return len(lines) == 3 and whole and isinstance(second, dict | list)


def iter_json_records(
    stream: BinaryIO, origin: str, lists: Mapping[str, tuple[str, ...]], page_keys: Iterable[str] = ()
) -> Iterator[tuple[str, Any] | ImportProblem]:
    """Stream the records of a JSON input as ``(position, value)`` pairs, never holding more than one record.

    Layouts: one record object; a JSON array of records ("study N"); a page object whose records sit in a list
    named in ``lists`` (top-level key → path of the list, e.g. ``{"studies": ("studies",)}``, "study N"); several
    such documents one after another; JSON Lines ("line N"). A bad JSONL line is yielded as an ImportProblem;
    malformed JSON in a document raises SourceError with the position reached.
    """
    try:
        raw = _Stream(stream)
    except _READ_ERRORS as exc:
        raise SourceError(f"unreadable input: {_one_line(exc)}") from exc
    head = raw.head.lstrip()
    if not head:
        raise SourceError("empty input")
    buffered = io.BufferedReader(raw, buffer_size=HEAD_BYTES)
    prefix = _records_prefix(head, lists, page_keys) if head[:1] in (b"{", b"[") else ""
    if _is_json_lines(head, prefix == ""):
        yield from _iter_lines(buffered, origin, lists)
    elif head[:1] not in (b"{", b"["):
        raise SourceError(f"not JSON: the input starts with {head[:20]!r}")
    else:
        yield from _iter_documents(buffered, raw, prefix, lists)


def _expand(value: Any, position: str, lists: Mapping[str, tuple[str, ...]]) -> Iterator[tuple[str, Any]]:
    """A record, or the records of a page object held in memory (a page on one JSONL line or inside an array)."""
    if isinstance(value, Mapping):
        for key, path in lists.items():
            if key in value:
                node: Any = value
                for step in path:
                    node = node.get(step) if isinstance(node, Mapping) else None
                for n, item in enumerate(node if isinstance(node, list) else [], start=1):
                    yield f"{position} study {n}", item
                return
    yield position, value


def _iter_lines(buffered: io.BufferedReader, origin: str, lists: Mapping[str, tuple[str, ...]]
                ) -> Iterator[tuple[str, Any] | ImportProblem]:
    number = 0
    try:
        for line in buffered:
            number += 1
            content = line.strip()
            if not content:
                continue
            try:
                value = json.loads(content)
            except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
                yield problem_from(exc, origin, f"line {number}")
                continue
            if isinstance(value, list):  # an array of records on one line, as an array document holds them
                for n, item in enumerate(value, start=1):
                    yield from _expand(item, f"line {number} study {n}", lists)
                continue
            yield from _expand(value, f"line {number}", lists)
    except _READ_ERRORS as exc:
        raise SourceError(f"unreadable after line {number}: {_one_line(exc)}", f"line {number + 1}") from exc


def _one_line(exc: BaseException) -> str:
    message = str(exc).strip().split("\n", 1)[0]
    return f"{type(exc).__name__}: {message}"


def _records_prefix(head: bytes, lists: Mapping[str, tuple[str, ...]], page_keys: Iterable[str]) -> str:
    """Where the records sit, in ijson's prefix notation, judged from the head of the input.

    An array holds records ("item"); a page holds them in its list (the first list key seen in the head, or the only
    one the format knows); any other object is a record itself ("", one per top-level document).
    """
    if head[:1] == b"[":
        return "item"
    first_key = re.match(rb'\{\s*"([^"\\]{1,100})"', head)
    key = first_key[1].decode("utf-8", "replace") if first_key else None
    if key not in lists and key not in set(page_keys):
        return ""
    if key not in lists:
        seen = [k for k in lists if re.search(rb'"' + re.escape(k.encode()) + rb'"\s*:', head)]
        key = seen[0] if seen else next(iter(lists))
    return ".".join(lists[key]) + ".item"


def _iter_documents(buffered: io.BufferedReader, raw: _Stream, prefix: str, lists: Mapping[str, tuple[str, ...]]
                    ) -> Iterator[tuple[str, Any]]:
    """One record at a time from ijson's C-level item builder (several concatenated documents are allowed)."""
    raw.guard = _DepthGuard(MAX_DEPTH)
    count = 0
    try:
        for value in ijson.items(buffered, prefix, use_float=True, multiple_values=True):
            count += 1
            yield from _expand(value, f"study {count}", lists)
    except _READ_ERRORS as exc:
        raise SourceError(
            f"malformed JSON after {count} complete studies, near byte {raw.consumed}: {_one_line(exc)}",
            f"study {count + 1}",
        ) from exc
