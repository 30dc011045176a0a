"""Condition linking for a whole record: each ``conditions[i]`` gets Mondo terms with label, definition, DOID/MeSH
xrefs, a score in 0–1 and the method that found it.

Two sources of evidence:
- **registry_mesh** — the registry's own MeSH indexing (CT.gov condition browse, ``record.condition_mesh``), mapped
  through the Mondo ↔ MeSH mappings of the snapshot (only pairs whose names share a word: a few curated pairs are
  slips). The record-level headings are attached to the condition they belong to: the condition whose text names
  the heading (or one of its entry terms), or whose text-linked term is in the heading's lineage.
- **text** — :mod:`.matcher` on the condition text (exact, synonym, abbreviation, fuzzy), with the record's titles,
  keywords and other conditions as context for ambiguous abbreviations and names.

When both give terms of one lineage for a condition, the more specific is kept (the text or the indexer stated it).
Conditions that nothing links keep ``terms == []``; :func:`unlinked_conditions` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ...model import Condition, MeshTerm, OntologyTerm, TrialRecord
from . import snapshot
from .index import MondoIndex, get_index
from .matcher import Context, Hit, Matcher, default_matcher
from .normalize import normalize, sorted_key

# Scores of registry-MeSH links by mapping tier (0: Mondo exactMatch/equivalency … 3: via DOID).
_TIER_SCORE = (0.97, 0.93, 0.9, 0.88)
_XREF_PREFIXES = ("DOID:", "MESH:")
_WEAK_WORDS = frozenset({"disease", "disorder", "syndrome", "of", "and", "or", "the", "in", "with", "chronic", "acute"})


@dataclass(frozen=True)
class _Heading:
    mesh: str
    names: frozenset[str]
    """Normalized label and entry terms of the descriptor, plus their word-order-free keys."""
    mondo: tuple[tuple[int, int], ...]
    """(term, tier) pairs, most general of each lineage."""


def link_conditions(record: TrialRecord, matcher: Matcher | None = None) -> TrialRecord:
    """A copy of ``record`` whose conditions carry their Mondo terms (existing terms are replaced)."""
    m = matcher or default_matcher()
    idx = m.idx
    texts = [c.text for c in record.conditions]
    context = Context(record.title, record.official_title, *record.keywords, *texts)
    text_hits = [m.match(t, context) for t in texts]
    headings = [h for mt in record.condition_mesh if (h := _heading(mt)) is not None]
    registry: list[list[tuple[int, float]]] = [[] for _ in texts]
    for h in headings:
        for i, factor in _owners(h, texts, text_hits, idx):
            registry[i].extend((n, _TIER_SCORE[min(tier, 3)] * factor) for n, tier in h.mondo)
    conditions = []
    for cond, hits, reg in zip(record.conditions, text_hits, registry, strict=True):
        terms = _merge(hits, reg, idx)
        conditions.append(Condition(text=cond.text, description=cond.description, terms=terms))
    return record.model_copy(update={"conditions": conditions})


def unlinked_conditions(record: TrialRecord) -> list[str]:
    """Texts of the conditions of a linked record that have no term (to report, or to curate by hand)."""
    return [c.text for c in record.conditions if not c.terms]


def link_text(text: str, context: str | None = None) -> list[OntologyTerm]:
    """The terms one condition text links to (no registry MeSH), e.g. for a search box or a curator's check."""
    m = default_matcher()
    return _merge(m.match(text, Context(context)), [], m.idx)


# ---- registry MeSH --------------------------------------------------------------------------------------------
def _heading(mt: MeshTerm) -> _Heading | None:
    mesh = snapshot.mesh_curie(mt.id) if mt.id else None
    if mesh is None and mt.label:
        mesh = _mesh_by_label(mt.label)
    if mesh is None:
        return None
    return _heading_of(mesh)


@lru_cache(maxsize=4096)
def _mesh_by_label(label: str) -> str | None:
    hits = [h for h in snapshot.search_label(label, "MESH", limit=5) if h.exact and h.name_kind == "label"]
    return hits[0].id if hits else None


@lru_cache(maxsize=8192)
def _heading_of(mesh: str) -> _Heading | None:
    idx = get_index()
    t = snapshot.term(mesh)
    if t is None:
        return None
    rows = snapshot.connect().execute(
        "SELECT m.mondo, m.tier FROM mesh_mondo m WHERE m.mesh = ? AND m.lexical = 1", (snapshot._num(mesh),)
    ).fetchall()
    rows = [(n, tier) for n, tier in rows if n <= len(idx.ids) and not idx.flags[n - 1] and not idx.is_blocked(n)]
    if rows:
        best = min(tier for _, tier in rows)
        top = {n: tier for n, tier in rows if tier == best}
        rows = [(n, tier) for n, tier in top.items() if not (idx.ancestors(n) & top.keys())]
    names = {normalize(x) for x in [t.label or "", *t.synonyms]} - {""}
    names |= {sorted_key(x) for x in names}
    return _Heading(mesh, frozenset(names), tuple(sorted(rows)))


def _owners(h: _Heading, texts: list[str], text_hits: list[list[Hit]], idx: MondoIndex) -> list[tuple[int, float]]:
    """The conditions a record-level MeSH heading belongs to, each with a confidence factor: the conditions whose
    text names the heading or whose text-linked term is in its lineage (1.0); failing those, the one condition
    sharing the most words with the heading's names, or the record's only condition (0.9) — NLM indexed the heading
    from somewhere, and that is the best guess of where. Otherwise the heading stays unattached."""
    if not h.mondo:
        return []
    owners: list[tuple[int, float]] = []
    for i, text in enumerate(texts):
        norm = normalize(text)
        padded = f" {norm} "
        named = norm in h.names or sorted_key(norm) in h.names or any(
            f" {name} " in padded for name in h.names if " " in name or len(name) > 5)
        related = any(
            n == t.n or n in idx.ancestors(t.n) or t.n in idx.ancestors(n) for n, _ in h.mondo for t in text_hits[i])
        if named or related:
            owners.append((i, 1.0))
    if owners or not texts:
        return owners
    words = {w for name in h.names for w in name.split()} - _WEAK_WORDS
    shared = [len(words & (set(normalize(t).split()) - _WEAK_WORDS)) for t in texts]
    best = max(shared)
    if best and shared.count(best) == 1:
        return [(shared.index(best), 0.9)]
    return [(0, 0.9)] if len(texts) == 1 else []


# ---- output -----------------------------------------------------------------------------------------------------
def _merge(hits: list[Hit], registry: list[tuple[int, float]], idx: MondoIndex) -> list[OntologyTerm]:
    scored: dict[int, tuple[float, str]] = {}
    for n, s in registry:
        if n not in scored or s > scored[n][0]:
            scored[n] = (s, "registry_mesh")
    for h in hits:
        if h.n not in scored or (h.score > scored[h.n][0] and scored[h.n][1] != "registry_mesh"):
            scored[h.n] = (h.score, h.method)
    keep = [n for n in scored if not any(n in idx.ancestors(o) for o in scored if o != n)]
    keep.sort(key=lambda n: -scored[n][0])
    return [_term(idx.curie(n), *scored[n]) for n in keep]


def _term(curie: str, score: float, method: str) -> OntologyTerm:
    t = _describe(curie)
    return OntologyTerm(id=curie, label=t[0], definition=t[1], xrefs=list(t[2]), score=round(score, 3),
                        method=method)


@lru_cache(maxsize=16384)
def _describe(curie: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    t = snapshot.term(curie)
    if t is None:
        return None, None, ()
    return t.label, t.definition, tuple(x for x in t.xrefs if x.startswith(_XREF_PREFIXES))
