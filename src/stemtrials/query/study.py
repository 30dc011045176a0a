"""The study view: one trial with all its registrations, each field's value per source, discrepancies flagged.

Registries disagree (a status updated in one and not the other, a target size revised, dates shifted); a curator
needs to see which registry says what. Values are compared after normalization, so "2020-03" and "2020-03-20" or
reordered lists don't count as disagreements.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _date(rec: dict, key: str) -> str | None:
    d = (rec.get("dates") or {}).get(key)
    return d.get("date") if d else None


def _lead(rec: dict) -> str | None:
    return next((s["name"] for s in rec.get("sponsors") or [] if s.get("role") == "lead"), None)


def _countries(rec: dict) -> list[str]:
    return sorted({loc["country"] for loc in rec.get("locations") or [] if loc.get("country")})


# (field, how to read it from a record, whether two values may differ in precision only)
FIELDS: list[tuple[str, Callable[[dict], Any], bool]] = [
    ("title", lambda r: r.get("title"), False),
    ("status", lambda r: r.get("status"), False),
    ("phases", lambda r: r.get("phases") or None, False),
    ("study_type", lambda r: r.get("study_type"), False),
    ("enrollment", lambda r: (r.get("enrollment") or {}).get("count"), False),
    ("start", lambda r: _date(r, "start"), True),
    ("primary_completion", lambda r: _date(r, "primary_completion"), True),
    ("completion", lambda r: _date(r, "completion"), True),
    ("last_update", lambda r: _date(r, "last_update"), True),
    ("lead_sponsor", _lead, False),
    ("countries", lambda r: _countries(r) or None, False),
    ("conditions", lambda r: sorted(c["text"] for c in r.get("conditions") or []) or None, False),
]


def _same(values: list[Any], by_precision: bool) -> bool:
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return True
    if by_precision:
        # '2020-03' agrees with '2020-03-20': compare at the coarsest precision given.
        width = min(len(v) for v in present)
        return len({v[:width] for v in present}) == 1
    if all(isinstance(v, str) for v in present):
        return len({" ".join(v.lower().split()) for v in present}) == 1
    return all(v == present[0] for v in present)


def study_view(members: list[dict[str, Any]], links: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``{"study_id", "records": [...], "fields": {field: [{"record", "registry", "value"}]}, "discrepancies":
    [field, …], "links": [...]}`` for the records of one study (the representative first)."""
    if not members:
        raise ValueError("a study has at least one record")
    fields: dict[str, list[dict[str, Any]]] = {}
    discrepancies: list[str] = []
    for name, read, by_precision in FIELDS:
        values = [read(rec) for rec in members]
        fields[name] = [{"record": rec["id"], "registry": rec.get("registry"), "value": v}
                        for rec, v in zip(members, values, strict=True)]
        if not _same(values, by_precision):
            discrepancies.append(name)
    return {
        "study_id": members[0].get("study_id") or members[0]["id"],
        "records": [{"id": r["id"], "registry": r.get("registry"), "format": (r.get("source") or {}).get("format"),
                     "url": (r.get("source") or {}).get("url"), "status": r.get("status"),
                     "last_update": _date(r, "last_update")} for r in members],
        "fields": fields,
        "discrepancies": discrepancies,
        "links": links or [],
    }
