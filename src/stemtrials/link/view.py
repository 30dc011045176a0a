"""What linking reads of a record, from a :class:`TrialRecord` or from record JSON alike.

The store hands the linker JSON dicts (often a small projection: ``store.projection.LINK_KEYS``), importers hand it
models; validating 100k dicts into models just to read a dozen fields would cost more than linking them, so both are
read through the same few accessors here, tolerating missing keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model import TrialRecord


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _list(obj: Any, name: str) -> list[Any]:
    value = _get(obj, name)
    return list(value) if value else []


@dataclass
class RecordView:
    """One record's linking fields, as plain Python values."""

    id: str
    registry: str | None
    ids: list[tuple[str, str | None, str]]
    """(id, registry, kind) for every registry ID the record names, its own first."""
    title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    sponsors: list[tuple[str, str]] = field(default_factory=list)
    """(name, role)"""
    start: str | None = None
    registered: str | None = None
    size: int | None = None
    conditions: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    contacts: list[tuple[str | None, str | None, str | None, str | None]] = field(default_factory=list)
    """(name, first_name, last_name, email)"""
    products: list[str] = field(default_factory=list)
    """Intervention names, their other names, cell product names: what a 'product' agreement would rest on."""
    source_format: str | None = None

    def lead_sponsor(self) -> str | None:
        for name, role in self.sponsors:
            if role == "lead":
                return name
        return self.sponsors[0][0] if self.sponsors else None


def _date(obj: Any, name: str) -> str | None:
    info = _get(_get(obj, "dates"), name)
    value = _get(info, "date")
    return str(value) if value else None


def view(rec: TrialRecord | dict[str, Any]) -> RecordView:
    """The linking view of one record (model or record-JSON dict)."""
    rid = str(_get(rec, "id") or "").strip()
    ids: list[tuple[str, str | None, str]] = [(rid, _get(rec, "registry"), "primary")]
    for x in _list(rec, "registry_ids"):
        value = _get(x, "id")
        if value:
            ids.append((str(value), _get(x, "registry"), str(_get(x, "kind") or "secondary")))
    size = _get(_get(rec, "enrollment"), "count")
    products: list[str] = []
    for iv in _list(rec, "interventions"):
        if _get(iv, "name"):
            products.append(str(_get(iv, "name")))
        products.extend(str(n) for n in _list(iv, "other_names") if n)
    products.extend(str(_get(p, "name")) for p in _list(rec, "cell_products") if _get(p, "name"))
    countries: list[str] = []
    for loc in _list(rec, "locations"):
        c = _get(loc, "country")
        if c and c not in countries:
            countries.append(str(c))
    return RecordView(
        id=rid,
        registry=_get(rec, "registry"),
        ids=ids,
        title=_get(rec, "title"),
        official_title=_get(rec, "official_title"),
        acronym=_get(rec, "acronym"),
        sponsors=[(str(_get(s, "name")), str(_get(s, "role") or ""))
                  for s in _list(rec, "sponsors") if _get(s, "name")],
        start=_date(rec, "start"),
        registered=_date(rec, "first_posted"),
        size=size if isinstance(size, int) and size > 0 else None,
        conditions=[str(_get(c, "text")) for c in _list(rec, "conditions") if _get(c, "text")],
        countries=countries,
        contacts=[(_get(c, "name"), _get(c, "first_name"), _get(c, "last_name"), _get(c, "email"))
                  for c in _list(rec, "contacts")],
        products=products,
        source_format=_get(_get(rec, "source"), "format"),
    )


def merge(into: RecordView, other: RecordView) -> None:
    """Fold a second copy of the same record (same primary ID, another source) into the first: the union of their
    IDs, and the first's values where both have one — the copies describe one registry record."""
    seen = {(i, k) for i, _, k in into.ids}
    into.ids.extend(x for x in other.ids if (x[0], x[2]) not in seen)
    for name in ("registry", "title", "official_title", "acronym", "start", "registered", "size", "source_format"):
        if getattr(into, name) is None and getattr(other, name) is not None:
            setattr(into, name, getattr(other, name))
    for name in ("sponsors", "conditions", "countries", "contacts", "products"):
        mine = getattr(into, name)
        mine.extend(v for v in getattr(other, name) if v not in mine)


def views(records: Iterable[TrialRecord | dict[str, Any]]) -> list[RecordView]:
    return [view(r) for r in records]
