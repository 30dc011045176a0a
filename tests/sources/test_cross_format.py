"""The same trial read from different formats agrees on every field both carry.

NCT03123458: the curator's copy of its CT.gov page (seed 004) and its classic-API study_fields record.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

from stemtrials.sources import ctgov_classic, ctgov_page

# Registry text kept verbatim differs by export format by nature ("Unknown" on the page, "Unknown status" in the
# API; criteria as bullets or as paragraphs): those are compared through their normalized forms instead.
RAW_RENDERINGS = {"status_raw", "eligibility.text", "source"}


def _record(module: Any, data: bytes) -> dict[str, Any]:
    items = list(module.read(io.BytesIO(data), "test"))
    assert len(items) == 1 and hasattr(items[0], "record"), items
    return items[0].record.to_json_dict()


def _empty(v: Any) -> bool:
    return v is None or v == [] or v == ""


def _disagreements(a: Any, b: Any, path: str = "") -> list[str]:
    """Paths where both sides carry a value and the values differ (lists of equal length element-wise)."""
    if path.lstrip(".") in RAW_RENDERINGS or _empty(a) or _empty(b):
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in a.keys() | b.keys() for d in _disagreements(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _disagreements(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def test_seed_page_and_classic_record_agree(shared: Path):
    page = _record(ctgov_page, (shared / "seeds/004_e65ca66711663aaa.txt").read_bytes())
    with gzip.open(shared / "data/ctgov/classic/msc_trials_study_fields.jsonl.gz") as fh:
        line = next(raw for raw in fh if b'"NCT03123458"' in raw)
    classic = _record(ctgov_classic, line)

    # The page lost its "Primary/Secondary Outcome Measures" headings, so the comparison is on the measures both
    # list; the page shows only the responsible party among sponsors, so sponsors are compared by role.
    def measures(rec: dict) -> list[tuple]:
        return sorted((o["measure"], o["time_frame"], o["description"])
                      for kind in ("primary", "secondary") for o in rec["outcomes"][kind])

    assert measures(page) == measures(classic)
    page_sponsors = {(s["role"], s["name"]) for s in page["sponsors"]}
    assert page_sponsors <= {(s["role"], s["name"]) for s in classic["sponsors"]}
    for rec in (page, classic):
        rec.pop("outcomes")
        rec.pop("sponsors")

    assert _disagreements(page, classic) == []
    # And they do carry the substance on both sides.
    for key in ("status", "last_known_status", "phases", "study_type", "enrollment", "dates", "conditions",
                "interventions", "design", "arms", "keywords", "regulatory", "locations"):
        assert not _empty(page[key]) and not _empty(classic[key]), key
    assert page["eligibility"]["exclusion"] == classic["eligibility"]["exclusion"]
    assert page["eligibility"]["inclusion"] == classic["eligibility"]["inclusion"]
