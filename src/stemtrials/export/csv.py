"""CSV export: one row per trial, the record's main fields flattened; lists joined with ' | '."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TextIO

SEP = " | "


def _date(rec: dict, *, key: str) -> str:
    d = (rec.get("dates") or {}).get(key)
    return d["date"] if d else ""


def _date_type(rec: dict, key: str) -> str:
    d = (rec.get("dates") or {}).get(key)
    return (d.get("type") or "") if d else ""


def _terms(rec: dict) -> str:
    return SEP.join(f"{t['id']} {t.get('label') or ''}".strip()
                    for c in rec.get("conditions", []) for t in c.get("terms", []) if t.get("id"))


def _cells(rec: dict, key: str) -> str:
    values = []
    for p in rec.get("cell_products", []):
        v = p.get(key)
        if isinstance(v, dict):
            v = " ".join(x for x in (v.get("id"), v.get("label")) if x)
        if v:
            values.append(str(v))
    return SEP.join(dict.fromkeys(values))


COLUMNS: list[tuple[str, Callable[[dict], Any]]] = [
    ("id", lambda r: r["id"]),
    ("registry", lambda r: r.get("registry") or ""),
    ("study_id", lambda r: r.get("study_id") or r["id"]),
    ("registry_ids", lambda r: SEP.join(f"{i['id']} ({i['kind']})" for i in r.get("registry_ids", []))),
    ("title", lambda r: r.get("title") or ""),
    ("official_title", lambda r: r.get("official_title") or ""),
    ("acronym", lambda r: r.get("acronym") or ""),
    ("status", lambda r: r.get("status") or ""),
    ("status_raw", lambda r: r.get("status_raw") or ""),
    ("last_known_status", lambda r: r.get("last_known_status") or ""),
    ("phases", lambda r: SEP.join(r.get("phases", []))),
    ("study_type", lambda r: r.get("study_type") or ""),
    ("enrollment", lambda r: (r.get("enrollment") or {}).get("count") or ""),
    ("enrollment_type", lambda r: (r.get("enrollment") or {}).get("type") or ""),
    *[(f"{key}_date", partial(_date, key=key)) for key in
      ("start", "primary_completion", "completion", "first_posted", "last_update", "verified")],
    ("start_date_type", lambda r: _date_type(r, "start")),
    ("conditions", lambda r: SEP.join(c["text"] for c in r.get("conditions", []))),
    ("condition_terms", _terms),
    ("interventions", lambda r: SEP.join(
        f"{i['type']}: {i['name']}" if i.get("type") else i["name"] for i in r.get("interventions", []))),
    ("cell_categories", lambda r: _cells(r, "category")),
    ("cell_types", lambda r: _cells(r, "cell_type")),
    ("source_tissues", lambda r: _cells(r, "source_tissue")),
    ("min_age_years", lambda r: _num((r.get("eligibility") or {}).get("min_age_years"))),
    ("max_age_years", lambda r: _num((r.get("eligibility") or {}).get("max_age_years"))),
    ("sex", lambda r: (r.get("eligibility") or {}).get("sex") or ""),
    ("healthy_volunteers", lambda r: _bool((r.get("eligibility") or {}).get("healthy_volunteers"))),
    ("sponsors", lambda r: SEP.join(f"{s['name']} ({s['role']})" for s in r.get("sponsors", []))),
    ("countries", lambda r: SEP.join(dict.fromkeys(
        loc["country"] for loc in r.get("locations", []) if loc.get("country")))),
    ("locations", lambda r: len(r.get("locations", []))),
    ("keywords", lambda r: SEP.join(r.get("keywords", []))),
    ("url", lambda r: (r.get("source") or {}).get("url") or ""),
    ("source_format", lambda r: (r.get("source") or {}).get("format") or ""),
]


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def _bool(v: bool | None) -> str:
    return "" if v is None else ("yes" if v else "no")


def write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    n = 0
    for record in records:
        writer.writerow([fn(record) for _, fn in COLUMNS])
        n += 1
    return n
