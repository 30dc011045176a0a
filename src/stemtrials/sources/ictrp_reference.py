"""Companion files that travel with WHO ICTRP exports and hold no trials.

ICTRP's export documentation (the data-field list, "ICTRP CSV export file list of data fields") and the table of
registry date formats (``Registry,Prefix,Abbreviation,Date Example,Format``) sit next to the exports in the
directories users import. They are recognised here so that importing such a directory does not report them as
unreadable; reading one yields nothing. (The date formats themselves are built into :mod:`._ictrp_parse`.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from .base import ImportProblem, Parsed, SourceError, strip_bom

NAME = "ictrp_reference"
DESCRIPTION = "WHO ICTRP companion files (export field list, registry date formats): recognised, no trials in them"

_FIELD_LIST = re.compile(r"ICTRP (?:CSV |XML )?export file list of data fields", re.I)
_DATE_FORMATS = re.compile(r"^\s*Registry\s*,\s*Prefix\s*,\s*Abbreviation\s*,\s*Date Example\s*,\s*Format\s*$", re.I)


def _kind(head: bytes) -> str | None:
    text = strip_bom(head).decode("utf-8", errors="replace").lstrip()
    first = text.split("\n", 1)[0].rstrip("\r")
    if _DATE_FORMATS.match(first):
        return "registry date formats"
    # The field list is short prose plus one field name a line, TrialID among them.
    if _FIELD_LIST.search(text[:4096]) and re.search(r"^TrialID\s*$", text, re.M):
        return "export field list"
    return None


def sniff(head: bytes, filename: str) -> bool:
    return _kind(head) is not None


def read(stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]:
    try:
        head = stream.read(64 * 1024) or b""
    except OSError as exc:
        raise SourceError(f"unreadable input: {exc}") from exc
    if _kind(head) is None:
        raise SourceError("not an ICTRP companion file (export field list or registry date formats)")
    return
    yield  # a generator that yields nothing: the file holds no trials
