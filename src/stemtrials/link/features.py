"""The table the probabilistic linker compares: one row of normalised fields per record, plus blocking keys.

Blocking decides which pairs are compared at all; at 100k records it is what keeps linking fast. Each record gets a
list of keys (exploded by splink), and two records are compared when they share one and come from different
registries:

- ``t:``  pairs of the three rarest title words that at least one other record also uses (a word no other record
  has can never be shared) — robust to word order, boilerplate and a changed word, and selective;
- ``a:``  the acronym; ``e:`` a contact e-mail; ``p:`` a contact's name with the start year;
- ``s:``  the lead sponsor with the start month; ``d:`` the exact start day with the first country.

A key more than ``BLOCK_CAP`` records share is dropped (an institutional e-mail, a sponsor's busiest month): its
pairs would cost more than they find, and those records still meet through their other keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from itertools import combinations
from typing import Any

import pyarrow as pa

from .guard import title_words
from .ids import group_of
from .text import (
    country_norm,
    email_norm,
    fold,
    person_key,
    sponsor_norm,
    sponsor_tokens,
    title_norm,
    title_tokens,
)
from .view import RecordView

BLOCK_CAP = 60

SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("grp", pa.string()),
        ("title", pa.string()),
        ("official", pa.string()),
        ("ttok", pa.list_(pa.string())),
        ("sponsor", pa.string()),
        ("sponsors", pa.list_(pa.string())),
        ("sptok", pa.list_(pa.string())),
        ("start", pa.date32()),
        ("size", pa.int64()),
        ("cond", pa.list_(pa.string())),
        ("countries", pa.list_(pa.string())),
        ("emails", pa.list_(pa.string())),
        ("people", pa.list_(pa.string())),
        ("bkeys", pa.list_(pa.string())),
    ]
)


def parse_date(value: str | None) -> date | None:
    """An ISO date at any precision, as its first day ("2020-03" → 2020-03-01)."""
    if not value:
        return None
    parts = value[:10].split("-")
    try:
        y = int(parts[0])
        m = int(parts[1]) if len(parts) > 1 else 1
        d = int(parts[2]) if len(parts) > 2 else 1
        return date(y, m, d)
    except (ValueError, IndexError):
        return None


def _list_or_none(values: Sequence[str]) -> list[str] | None:
    return list(values) or None


def rows(vs: list[RecordView]) -> list[dict[str, Any]]:
    """Feature rows for ``vs`` (blocking keys depend on the whole batch: word rarity, key frequency)."""
    words = [title_words(v) for v in vs]
    df = Counter(t for w in words for t in w)
    out: list[dict[str, Any]] = []
    for v, ttok in zip(vs, words, strict=True):
        start = parse_date(v.start)
        lead = sponsor_norm(v.lead_sponsor())
        emails = sorted({e for c in v.contacts if (e := email_norm(c[3]))})
        people = sorted({p for c in v.contacts if (p := person_key(c[0], c[1], c[2]))})
        countries = sorted({c for name in v.countries if (c := country_norm(name))})
        keys: set[str] = set()
        for text in (v.title, v.official_title):
            shared = sorted((t for t in title_tokens(text) if df[t] >= 2), key=lambda t: (df[t], t))[:3]
            if len(shared) >= 2:
                keys.update(f"t:{a}|{b}" for a, b in combinations(sorted(shared), 2))
            elif shared:
                keys.add(f"t:{shared[0]}")
        acronym = fold(v.acronym).replace(" ", "")
        if len(acronym) >= 4:
            keys.add(f"a:{acronym}")
        keys.update(f"e:{e}" for e in emails)
        if start is not None:
            keys.update(f"p:{p}:{start.year}" for p in people)
            if lead:
                keys.add(f"s:{lead}:{start.year}-{start.month:02d}")
            if v.start and len(v.start) >= 10 and countries:
                keys.add(f"d:{start.isoformat()}:{countries[0]}")
        conds = sorted({t for c in v.conditions for t in title_tokens(c)})
        out.append(
            {
                "unique_id": v.id,
                "grp": group_of(v),
                "title": title_norm(v.title) or title_norm(v.official_title),
                "official": title_norm(v.official_title),
                "ttok": sorted(ttok) or None,
                "sponsor": lead,
                "sponsors": _list_or_none(sorted({s for name, _ in v.sponsors if (s := sponsor_norm(name))})),
                "sptok": list(sponsor_tokens(v.lead_sponsor())) or None,
                "start": start,
                "size": v.size,
                "cond": conds or None,
                "countries": countries or None,
                "emails": emails or None,
                "people": people or None,
                "bkeys": sorted(keys),
            }
        )
    _cap_keys(out)
    return out


def _cap_keys(out: list[dict[str, Any]]) -> None:
    """Drop blocking keys too many records share, and keys only one registry uses (they can make no pair)."""
    count: Counter[str] = Counter()
    first_group: dict[str, str] = {}
    mixed: set[str] = set()
    for row in out:
        group = row["grp"]
        keys = row["bkeys"]
        count.update(keys)
        for k in keys:
            if first_group.setdefault(k, group) != group:
                mixed.add(k)
    for row in out:
        kept = [k for k in row["bkeys"] if k in mixed and count[k] <= BLOCK_CAP]
        row["bkeys"] = kept or None


def table(feature_rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(feature_rows, schema=SCHEMA)
