"""Hardened, streaming XML reading shared by the XML importers (CT.gov legacy XML, WHO ICTRP XML).

Registry XML is untrusted: entities are never expanded or fetched (a DOCTYPE declaring any is refused before
parsing, and the DTD the parser saw is checked again), nothing is loaded from the network, huge text nodes are
refused, and finished elements are freed as the stream goes so a long dump reads in flat memory. Every way the
input can fail ends in :class:`SourceError` naming the line and column.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from .base import SourceError, strip_bom

_HEAD_BYTES = 64 * 1024
_CHUNK = 64 * 1024
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
# The first start tag that is not a declaration, processing instruction or comment: the DOCTYPE (and so any entity
# declaration) must come before it.
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_COMMENT = re.compile(rb"<!--.*?-->", re.S)  # a comment may hold "<tag" text: it must not pass for the root


class _Prefixed:
    """A read()-able stream that first replays bytes already consumed from a non-seekable input."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                out, self._head = self._head + self._rest.read(), b""
                return out
            out, self._head = self._head[:size], self._head[size:]
            return out
        return self._rest.read(size)


def _read_prolog(stream: BinaryIO) -> bytes:
    """Read up to the first element start (at least 64 KiB) so the whole DOCTYPE, if any, is in hand."""
    head = stream.read(_HEAD_BYTES) or b""
    # A long comment could push the DOCTYPE past the first chunk; keep reading (bounded) until an element starts.
    while head and not _FIRST_ELEMENT.search(_COMMENT.sub(b"", head)) and len(head) < 16 * _HEAD_BYTES:
        more = stream.read(_CHUNK)
        if not more:
            break
        head += more
    return head


def _refuse_entities(prolog: bytes) -> None:
    scan = _COMMENT.sub(b"", prolog)
    m = _FIRST_ELEMENT.search(scan)
    before_root = scan[: m.start()] if m else scan
    if _ENTITY_DECL.search(before_root):
        raise SourceError("refused: the XML DOCTYPE declares entities (<!ENTITY>); entities are never expanded")


def _syntax_error_where(exc: etree.XMLSyntaxError, log: etree._ListErrorLog) -> tuple[int, int, str]:
    """Line, column and message of a parse error. iterparse sometimes reports (0, 0) and keeps the real place in
    its own error log (e.g. "Entity 'xxe' not defined"); the exception's log may also hold other parses' errors."""
    line, column = exc.position if exc.position else (0, 0)
    if line:
        return line, column, exc.msg
    for entry in reversed(list(log)):
        if entry.line:
            return entry.line, entry.column, entry.message
    return line, column, exc.msg


def iter_events(stream: BinaryIO, tags: str | tuple[str, ...], what: str) -> Iterator[tuple[str, etree._Element]]:
    """("start" | "end", element) for the given tags, parsed safely; ``what`` names the expected content in errors
    ("<clinical_study> XML"). Call :func:`release` on each finished record element."""
    try:
        prolog = _read_prolog(stream)
    except (OSError, EOFError, zlib.error) as exc:  # e.g. a damaged .gz
        raise SourceError(f"unreadable input: {type(exc).__name__}: {exc}") from exc
    if not strip_bom(prolog).strip():
        raise SourceError(f"empty input: no {what}")
    _refuse_entities(prolog)
    context = etree.iterparse(
        _Prefixed(prolog, stream), events=("start", "end"), tag=tags, resolve_entities=False, no_network=True,
        huge_tree=False, load_dtd=False, dtd_validation=False, remove_comments=True, remove_pis=True,
    )
    checked_dtd = False
    try:
        for event, elem in context:
            if not checked_dtd:
                # Second line of defence: the DTD the parser actually saw (covers a DOCTYPE the head scan missed).
                dtd = elem.getroottree().docinfo.internalDTD
                if dtd is not None and any(True for _ in dtd.iterentities()):
                    raise SourceError("refused: the XML DOCTYPE declares entities (<!ENTITY>)")
                checked_dtd = True
            yield event, elem
    except etree.XMLSyntaxError as exc:
        line, column, msg = _syntax_error_where(exc, context.error_log)
        raise SourceError(f"malformed XML at line {line}, column {column}: {msg}", f"line {line}") from exc
    except (etree.LxmlError, ValueError, UnicodeError, OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"unreadable XML: {type(exc).__name__}: {exc}") from exc


def release(elem: etree._Element) -> None:
    """Free a finished record element and every earlier sibling: memory stays flat over a long dump."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]
