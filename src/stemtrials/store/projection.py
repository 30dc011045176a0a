"""Small derived views of a record the store keeps beside it: how complete it is, and what linking reads."""

from __future__ import annotations

import json
from typing import Any


def filled_fields(data: object) -> int:
    """How many non-empty leaf values a record carries (its ``source`` block excluded)."""
    if isinstance(data, dict):
        return sum(filled_fields(v) for k, v in data.items() if k != "source")
    if isinstance(data, list):
        return sum(filled_fields(v) for v in data)
    return 0 if data in (None, "", False) else 1


# What the linker compares; everything else in a record is irrelevant to whether two records are one trial.
LINK_KEYS = ("id", "registry", "registry_ids", "title", "official_title", "acronym", "sponsors", "dates",
             "enrollment", "conditions", "locations", "contacts", "interventions", "study_type")


def link_projection(data: dict[str, Any]) -> str:
    """The compact JSON the linker reads for one record (a record JSON dict in, JSON text out)."""
    small: dict[str, Any] = {k: data.get(k) for k in LINK_KEYS}
    small["conditions"] = [{"text": c.get("text")} for c in data.get("conditions") or []]
    small["locations"] = [{"country": loc.get("country"), "city": loc.get("city")}
                          for loc in data.get("locations") or []][:50]
    small["contacts"] = [{k: c.get(k) for k in ("name", "first_name", "last_name", "email", "role")}
                         for c in data.get("contacts") or []][:10]
    small["interventions"] = [{"name": i.get("name"), "type": i.get("type"), "other_names": i.get("other_names") or []}
                              for i in data.get("interventions") or []]
    # Product names let the linker's guard set them aside (two trials of one product are not one trial).
    small["cell_products"] = [{"name": p.get("name")} for p in data.get("cell_products") or [] if p.get("name")]
    small["source"] = {"format": (data.get("source") or {}).get("format")}
    small["filled"] = filled_fields(data)
    return json.dumps(small, ensure_ascii=False, separators=(",", ":"))


