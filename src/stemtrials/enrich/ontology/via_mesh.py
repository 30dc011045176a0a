"""Condition text → Mondo through MeSH, for wordings Mondo's own names don't carry.

MeSH has entry terms Mondo lacks ("Bladder Cancer" under Urinary Bladder Neoplasms) and descriptors Mondo has no
term for (Urinary Incontinence, Stress; Rectovaginal Fistula; Diabetic Foot). Two lookups use that:

- :func:`via_mesh` — the text is a name of a MeSH descriptor that maps to Mondo: the mapped terms. An entry term is
  never broader than its descriptor, so this never yields a subtype the text doesn't state.
- :func:`via_mesh_any_order` — the same for a text that puts the words of a MeSH heading in another order: MeSH
  inverts its headings and entry terms ("Myasthenia Gravis, Generalized"), registries don't ("Generalized Myasthenia
  Gravis"). The matcher tries it last, for a whole text nothing else named.

A descriptor Mondo has no term for (Diabetic Foot, Rectovaginal Fistula) is *not* linked to the Mondo terms of its
MeSH tree parents: MeSH trees are not is-a hierarchies (Diabetic Foot sits under Diabetic Neuropathies and Diabetic
Angiopathies), so such a link would state a disease the record doesn't.

Only mappings whose two sides share a word are used (a few curated pairs are slips, see build_ontology.py), from the
most trusted tier that has any; acronym-like entry terms never match; vague Mondo roots are left out.
"""

from __future__ import annotations

from functools import lru_cache

from . import snapshot
from .index import get_index

_MAX_ROTATED = 5


def _descriptors(norm: str) -> list[tuple[int, str]]:
    """(snapshot key, kind) of the MeSH descriptors having this normalized name. A one-word name counts only as a
    descriptor's own heading: one-word entry terms are often loose ("Deformity" under Congenital Abnormalities)."""
    row = snapshot.connect().execute("SELECT refs FROM names WHERE norm = ?", (norm,)).fetchone()
    if row is None:
        return []
    top = len(get_index().ids)
    out = []
    for item in row[0].split():
        n, kind = item.split(":")
        if int(n) <= top or kind.endswith("a"):
            continue
        if " " not in norm and kind != "l":
            continue
        out.append((int(n), kind))
    return [(n, k) for n, k in out if _is_mesh(n)]


@lru_cache(maxsize=65536)
def _is_mesh(n: int) -> bool:
    row = snapshot.connect().execute("SELECT id FROM terms WHERE n = ?", (n,)).fetchone()
    return bool(row and row[0].startswith("MESH:"))


@lru_cache(maxsize=16384)
def mondo_of_descriptor(mesh: int) -> frozenset[int]:
    """Live Mondo terms a descriptor maps to (word-sharing mappings, most trusted tier, most general of a lineage)."""
    idx = get_index()
    rows = snapshot.connect().execute(
        "SELECT mondo, tier FROM mesh_mondo WHERE mesh = ? AND lexical = 1", (mesh,)).fetchall()
    rows = [(m, tier) for m, tier in rows if m <= len(idx.ids) and not idx.flags[m - 1]]
    if not rows:
        return frozenset()
    best = min(tier for _, tier in rows)
    found = {m for m, tier in rows if tier == best}
    return frozenset(m for m in found if not (idx.ancestors(m) & found))


@lru_cache(maxsize=65536)
def via_mesh(norm: str) -> tuple[int, ...]:
    """Mondo terms of the MeSH descriptors this multi-word text names (see the module docstring)."""
    if " " not in norm:
        return ()
    idx = get_index()
    out: set[int] = set()
    for n, _kind in _descriptors(norm):
        out |= mondo_of_descriptor(n)
    return tuple(sorted(n for n in out if not (idx.ancestors(n) & out)))


@lru_cache(maxsize=65536)
def via_mesh_any_order(norm: str) -> tuple[int, ...]:
    """:func:`via_mesh` for a text that names a descriptor in another word order: MeSH inverts its headings
    ("Urinary Incontinence, Stress"), registries don't. The text's rotations are tried (at most five words)."""
    words = norm.split()
    if not 1 < len(words) <= _MAX_ROTATED:
        return ()
    idx = get_index()
    out: set[int] = set()
    for k in range(1, len(words)):
        for n, _kind in _descriptors(" ".join(words[k:] + words[:k])):
            out |= mondo_of_descriptor(n)
    return tuple(sorted(n for n in out if not (idx.ancestors(n) & out)))
