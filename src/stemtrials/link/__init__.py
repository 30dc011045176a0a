"""Record linkage: which registry records are one trial (a *study*).

``link_records`` finds links — deterministic ones from registry IDs (:mod:`.ids`) and probabilistic ones from the
records' content (:mod:`.probabilistic`, splink on DuckDB) — each with its evidence and score; ``studies`` turns
links and curators' decisions into record → study assignments (:mod:`.studies`). Pure functions over records: the
store (store/studies.py) persists links, decisions and study ids.

Records may be :class:`~stemtrials.model.TrialRecord` models or record-JSON dicts (CONTRACT.md; the store's link
projection is enough). Copies of one registry record (same primary ID from two sources, e.g. the hPSCreg seed and
the ICTRP row of ChiCTR2000031139) are one record: their IDs and fields are pooled before linking.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model import TrialRecord
from .base import Link, LinkKind
from .ids import IgnoredId, id_links, primary_key, same_record_links
from .probabilistic import probabilistic_links
from .studies import studies
from .view import RecordView, merge, view


@dataclass
class LinkReport:
    links: list[Link]
    ignored_ids: list[IgnoredId] = field(default_factory=list)
    """IDs the shared-ID guard refused to link on, with the records that carry them."""
    records: list[RecordView] = field(default_factory=list)
    """One view per distinct record (copies merged)."""


def distinct_records(records: Iterable[TrialRecord | dict[str, Any]]) -> tuple[list[RecordView],
                                                                                list[tuple[str, str, str]]]:
    """One view per registry record, copies merged; and (kept id, other spelling, key) for copies whose ids are
    spelled differently. Inputs are put in a canonical order first, so the result does not depend on input order."""
    all_views = sorted((view(r) for r in records), key=lambda v: (v.id, v.source_format or "", v.title or ""))
    merged: dict[str, RecordView] = {}
    spellings: list[tuple[str, str, str]] = []
    for v in all_views:
        if not v.id:
            continue
        key = primary_key(v)
        kept = merged.get(key)
        if kept is None:
            merged[key] = v
            continue
        if v.id != kept.id and all(v.id != s[1] for s in spellings):
            spellings.append((kept.id, v.id, key))
        merge(kept, v)
    return sorted(merged.values(), key=lambda v: v.id), spellings


def link_report(records: Iterable[TrialRecord | dict[str, Any]], *, probabilistic: bool = True,
                threshold: float | None = None) -> LinkReport:
    """Every link among ``records``, and what the ID guard ignored."""
    vs, spellings = distinct_records(records)
    by_id, ignored = id_links(vs)
    found = same_record_links(spellings) + by_id
    if probabilistic:
        found += probabilistic_links(vs, by_id, ignored, threshold=threshold)
    best: dict[tuple[str, str], Link] = {}
    rank = {"id": 0, "probabilistic": 1}
    for lk in found:
        old = best.get((lk.a, lk.b))
        if old is None or (rank[lk.kind], -lk.score) < (rank[old.kind], -old.score):
            best[(lk.a, lk.b)] = lk
    return LinkReport(sorted(best.values(), key=lambda lk: (lk.a, lk.b)), ignored, vs)


def link_records(records: Iterable[TrialRecord] | Iterable[dict[str, Any]]) -> list[Link]:
    """All links among the given records (ID links, then probabilistic links for pairs without one), sorted."""
    return link_report(records).links


__all__ = ["IgnoredId", "Link", "LinkKind", "LinkReport", "distinct_records", "link_records", "link_report",
           "studies"]
