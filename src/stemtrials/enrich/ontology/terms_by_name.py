"""Exact name → term lookups restricted to one ontology, for annotators that try many short names (cell products).

:func:`snapshot.resolve` also tries prefix and word-order matches, several queries per name. The cell-product
annotator instead asks "is this exact n-gram a Cell Ontology / Uberon name?" for a handful of n-grams per record, so
here a lookup is one indexed query on the snapshot's ``names`` table (keys already normalized with
:func:`.normalize.normalize`), filtered to live terms of one prefix and cached per process. Nothing is loaded up
front: a one-off annotation in a fresh process costs milliseconds, not an index build.

Names shared by several terms keep ``resolve``'s policy: a label beats a synonym, and among equals the most general
term (an ancestor of the others) wins; a name shared by unrelated terms resolves to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import snapshot
from .normalize import normalize


@dataclass(frozen=True)
class NamedTerm:
    id: str
    label: str | None
    definition: str | None


@lru_cache(maxsize=65536)
def lookup_norm(norm: str, prefix: str) -> str | None:
    """The live CURIE of ontology ``prefix`` ("CL", "UBERON") whose label or synonym normalizes to ``norm``."""
    if not norm:
        return None
    conn = snapshot.connect()
    row = conn.execute("SELECT refs FROM names WHERE norm = ?", (norm,)).fetchone()
    if not row:
        return None
    found: list[tuple[int, str]] = []
    for item in row[0].split():
        n, kind = item.split(":")
        if kind[0] not in "ls":  # MeSH entry terms and DOID labels never name a CL/Uberon term
            continue
        t = conn.execute("SELECT id, flags FROM terms WHERE n = ?", (int(n),)).fetchone()
        if t and not t[1] & snapshot.DEPRECATED and t[0].startswith(prefix + ":"):
            found.append((0 if kind[0] == "l" else 1, t[0]))
    if not found:
        return None
    best = min(r for r, _ in found)
    top = sorted({c for r, c in found if r == best})
    if len(top) == 1:
        return top[0]
    general = [c for c in top if not (snapshot.ancestors(c) & set(top))]
    return general[0] if len(general) == 1 else None


@lru_cache(maxsize=8192)
def by_name(name: str, prefix: str) -> NamedTerm | None:
    """The live term of ``prefix`` whose label or synonym equals ``name`` after normalization, or None."""
    cid = lookup_norm(normalize(name), prefix.upper())
    return by_id(cid) if cid else None


@lru_cache(maxsize=8192)
def by_id(curie: str) -> NamedTerm | None:
    """The term with this CURIE (a deprecated one followed to its replacement), or None."""
    cid = snapshot.resolve(curie)
    t = snapshot.term(cid) if cid else None
    return NamedTerm(id=t.id, label=t.label, definition=t.definition) if t else None
