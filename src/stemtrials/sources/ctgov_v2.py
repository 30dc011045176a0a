"""ClinicalTrials.gov API v2 JSON (https://clinicaltrials.gov/data-api/api).

Accepted layouts, all read streaming (a 1 GB export is never held whole):
- one study object ``{"protocolSection": …, "derivedSection": …}`` (the /studies/{nctId} response);
- a JSON array of studies (the site's "Download → JSON" export);
- a page of the /studies endpoint ``{"studies": [...], "nextPageToken": …, "totalCount": …}``, or several pages;
- JSON Lines, one study (or one page) per line.

The mapping itself is shared with the other CT.gov formats (:func:`_ctgov_common.record_from_study`): v2 is the
shape they are all converted to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from ._ctgov_common import record_from_study
from ._json_stream import iter_json_records, json_head
from .base import ImportProblem, Parsed, json_bytes, problem_from

NAME = "ctgov_v2"
DESCRIPTION = "ClinicalTrials.gov API v2 JSON: a study, an array export, /studies pages, or JSONL"

_LISTS = {"studies": ("studies",)}
_PAGE_KEYS = ("nextPageToken", "totalCount")

# camelCase "protocolSection" is v2's; the classic API spells it "ProtocolSection".
_STUDY = re.compile(rb'"protocolSection"\s*:\s*\{')
_DERIVED = re.compile(rb'"derivedSection"\s*:\s*\{\s*"(?:miscInfo|conditionBrowse|interventionBrowse)Module"')
_PAGE = re.compile(rb'^[\[\s]*\{\s*"(?:nextPageToken|totalCount)"\s*:|^[\[\s]*\{\s*"studies"\s*:\s*\[\s*[\]{]')


def sniff(head: bytes, filename: str) -> bool:
    body = json_head(head)
    if body is None:
        return False
    return bool(_STUDY.search(body) or _DERIVED.search(body) or _PAGE.match(body))


def read(stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]:
    for item in iter_json_records(stream, origin, _LISTS, _PAGE_KEYS):
        if isinstance(item, ImportProblem):
            yield item
            continue
        position, study = item
        if not isinstance(study, Mapping) or not isinstance(study.get("protocolSection"), Mapping):
            yield ImportProblem(origin, position, f"not a CT.gov v2 study (no protocolSection): {_kind(study)}")
            continue
        try:
            raw = json_bytes(study)
            record = record_from_study(study, fmt=NAME, raw=raw, origin=origin, position=position)
        except Exception as exc:  # a malformed study is one problem; the rest of the file goes on
            yield problem_from(exc, origin, position)
            continue
        yield Parsed(record=record, raw=raw, position=position)


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object with keys " + ", ".join(list(map(str, value))[:5])
    return f"a JSON {type(value).__name__}"
