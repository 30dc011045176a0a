"""stemtrials' own JSONL export: one record JSON (CONTRACT.md) per line.

Reading it back is lossless: the record is taken as written, its ``source`` block included, so export → import →
export gives the same records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from pydantic import ValidationError

from ..model import TrialRecord
from .base import ImportProblem, Parsed, problem_from, strip_bom

NAME = "stemtrials_jsonl"
DESCRIPTION = "stemtrials' own JSONL export (one record per line; lossless round trip)"

_MARKERS = (b'"registry_ids"', b'"source"', b'"id"')


def sniff(head: bytes, filename: str) -> bool:
    first = strip_bom(head).lstrip().split(b"\n", 1)[0]
    return first.startswith(b"{") and all(m in first for m in _MARKERS) and b'"protocolSection"' not in first


def read(stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]:
    for number, line in enumerate(stream, start=1):
        if number == 1:
            line = strip_bom(line)
        text = line.strip()
        if not text:
            continue
        position = f"line {number}"
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
            # study_id is derived by the linker; the export writes it, the record keeps it only when it differs.
            if data.get("study_id") == data.get("id"):
                data["study_id"] = None
            record = TrialRecord.model_validate(data)
        except (ValueError, ValidationError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
            yield problem_from(exc, origin, position)
            continue
        yield Parsed(record=record, raw=text, position=position)
