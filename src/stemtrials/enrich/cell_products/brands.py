"""The product table (``enrich/products.tsv``): brands and codes that name a stem-cell product without describing it.

"Safety of CAStem in ARDS" or "FT538 in AML" says nothing about the cells; the table says what the product is, with
the source of that knowledge on each row. Names and aliases match case-insensitively on word boundaries (so
"Prochymal®" and "VC-02™" match, "Cartistem" does not match inside another word).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .fastre import Alternation

TABLE = Path(__file__).resolve().parent.parent / "products.tsv"
CATEGORIES = frozenset({"msc", "hsc", "hesc_derived", "hipsc_derived", "neural_stem_cell", "other_stem",
                        "extracellular_vesicles", "non_stem_cell_therapy"})


@dataclass(frozen=True)
class Brand:
    name: str
    aliases: tuple[str, ...]
    category: str
    pluripotent_origin: str | None
    cell_type: str | None
    source_tissue: str | None
    donor: str | None
    source: str


@lru_cache(maxsize=1)
def load() -> tuple[tuple[Brand, ...], Alternation, dict[str, Brand]]:
    """The table's rows, one regex over every name and alias, and a lower-cased name → row map."""
    rows: list[Brand] = []
    with TABLE.open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    for rec in csv.DictReader(lines, delimiter="\t"):
        category = rec["category"].strip()
        if category not in CATEGORIES or not rec["source"].strip():
            raise ValueError(f"products.tsv: bad row {rec['name']!r} (unknown category or no source)")
        rows.append(Brand(
            name=rec["name"].strip(),
            aliases=tuple(a.strip() for a in rec["aliases"].split("|") if a.strip()),
            category=category,
            pluripotent_origin=rec["pluripotent_origin"].strip() or None,
            cell_type=rec["cell_type"].strip() or None,
            source_tissue=rec["source_tissue"].strip() or None,
            donor=rec["donor"].strip() or None,
            source=rec["source"].strip(),
        ))
    by_name: dict[str, Brand] = {}
    for b in rows:
        for n in (b.name, *b.aliases):
            by_name[n.lower()] = b
    names = sorted(by_name, key=len, reverse=True)  # longest first: "VCTX210A" before "VCTX210"
    # "HS-001-D" is the delivery needle, not HS-001: a name must not run on into another code
    rx = Alternation([(f"b{i}", re.escape(n) + r"(?![A-Za-z0-9]|-[A-Za-z0-9])") for i, n in enumerate(names)],
                     re.IGNORECASE)
    return tuple(rows), rx, by_name


@lru_cache(maxsize=8192)
def find(text: str) -> list[tuple[Brand, re.Match[str]]]:
    """The table products named in ``text``, in order of appearance (each once). Cached: do not modify the list."""
    _, rx, by_name = load()
    out: list[tuple[Brand, re.Match[str]]] = []
    seen: set[str] = set()
    for m in rx.scan(text):
        b = by_name[m.group(0).lower()]
        if b.name not in seen:
            seen.add(b.name)
            out.append((b, m))
    return out
