"""Cell types and tissues as ontology terms: every identifier comes from the shipped snapshot, looked up by name.

- :func:`cell_term` — a Cell Ontology term for a name ("RPE", "cardiomyocytes", "mesenchymal stem cell"); Uberon for
  the few tissue-shaped products ("retina", "cartilage tissue", "islet of Langerhans").
- :func:`cell_in_words` — the longest exact CL name among the word n-grams of a short phrase ("corneal epithelial
  cell sheet" → corneal epithelial cell), for differentiated products the lexicon does not list.
- :func:`tissue_term` — an Uberon term for a source-tissue name.
- :func:`refine_msc` — the tissue-specific child of *mesenchymal stem cell* when the source tissue is known
  ("mesenchymal stem cell of adipose tissue"), found through the ontology's own labels rather than a table.
- :func:`condition_prior` — the cell a pluripotent-derived product most plausibly is when the record names only the
  indication (a PSC product for Parkinson's disease is made of dopaminergic neurons): used last, scored low.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..ontology import snapshot
from ..ontology.normalize import normalize
from ..ontology.terms_by_name import NamedTerm, by_id, by_name, lookup_norm

# CL names that are real terms but never what a trial's words mean: "M cells" of CAStem are not gut M cells, a bare
# "cell" or "like" says nothing.
_BLOCKED = frozenset({"CL:0000000", "CL:0000682", "CL:0000003", "CL:0000255", "CL:0000548"})
_CELLISH = re.compile(r"(?:cells?|cytes?|blasts?|neurons?|phages?|platelets?|sheets?|spheroids?)$", re.I)


@lru_cache(maxsize=4096)
def cell_term(name: str, ontology: str = "CL") -> NamedTerm | None:
    """The term named ``name`` in ``ontology`` (CL, else Uberon for ``"UBERON"``), tolerating plural and "-like"."""
    for variant in (name, re.sub(r"[\s-]+like\b", "", name, flags=re.I),
                    re.sub(r"[\s-]+(?:sheets?|spheroids?|patch(?:es)?|implants?|organoids?)$", "", name, flags=re.I)):
        t = by_name(variant, ontology)
        if t is not None and t.id not in _BLOCKED:
            return t
    return None


@lru_cache(maxsize=8192)
def cell_in_words(phrase: str) -> NamedTerm | None:
    """The longest CL name among the word n-grams of ``phrase`` that ends in a cell word, or None.

    Single letters never start a name ("M cells" is CAStem's name for its cells, not the gut's M cell)."""
    toks = normalize(phrase).split()
    best: tuple[int, str] | None = None
    for i in range(len(toks)):
        if len(toks[i]) < 2:
            continue
        for j in range(min(len(toks), i + 6), i, -1):
            if not _CELLISH.search(toks[j - 1]):
                continue
            cid = lookup_norm(" ".join(toks[i:j]), "CL")
            if cid and cid not in _BLOCKED and (best is None or j - i > best[0]):
                best = (j - i, cid)
                break
    return by_id(best[1]) if best else None


@lru_cache(maxsize=1024)
def tissue_term(name: str) -> NamedTerm | None:
    return by_name(name, "UBERON")


@lru_cache(maxsize=256)
def _msc_children() -> tuple[tuple[str, str], ...]:
    """(normalized label, CURIE) of the subclasses of mesenchymal stem cell two levels down, deepest first (the
    Wharton's-jelly MSC sits under the umbilical-cord MSC)."""
    msc = by_name("mesenchymal stem cell", "CL")
    if msc is None:
        return ()
    conn = snapshot.connect()
    sql = ("SELECT t.id, t.label FROM edges e JOIN terms p ON p.n = e.parent JOIN terms t ON t.n = e.child "
           "WHERE p.id = ? AND t.flags = 0")
    children = conn.execute(sql, (msc.id,)).fetchall()
    grand = [row for cid, _ in children for row in conn.execute(sql, (cid,)).fetchall()]
    return tuple((normalize(label or ""), cid) for cid, label in [*grand, *children])


@lru_cache(maxsize=256)
def refine_msc(tissue_id: str) -> NamedTerm | None:
    """The child of *mesenchymal stem cell* whose label names this tissue (by its label or a synonym), or None."""
    t = snapshot.term(tissue_id)
    if t is None:
        return None
    names = {normalize(n) for n in [t.label or "", *t.synonyms] if n}
    for label, cid in _msc_children():
        # the label names exactly this tissue: "… of adipose tissue", not "… of abdominal adipose tissue"
        rest = label.removeprefix("mesenchymal stem cell of ").removesuffix(" mesenchymal stem cell")
        if rest != label and rest in names:
            return by_id(cid)
    return None


def is_ancestor(ancestor: str, term_id: str, limit: int = 12) -> bool:
    """True when ``ancestor`` is above ``term_id`` (walks the cached parent lists; cheaper than a recursive query)."""
    frontier, seen = [term_id], set()
    for _ in range(limit):
        nxt = []
        for c in frontier:
            t = snapshot.term(c)
            for p in t.parents if t else []:
                if p == ancestor:
                    return True
                if p not in seen:
                    seen.add(p)
                    nxt.append(p)
        if not nxt:
            return False
        frontier = nxt
    return False


# Indication → the cell type pluripotent-derived products for it are made of, and the progenitor of that type for
# products named only "progenitors" ("hESC-derived progenitors in severe heart failure"). Only indications where
# the field has one answer; cancers (NK? T? macrophage?) and spinal cord injury (OPC? NS/PC?) have several.
_PRIORS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"(?i)parkinson"), "dopaminergic neuron", "dopaminergic neuron"),
    (re.compile(r"(?i)macular\s+degenerat|\bAMD\b|geographic\s+atrophy|stargardt|retinal\s+pigment\s+epitheli"),
     "retinal pigment epithelial cell", "retinal pigment epithelial cell"),
    (re.compile(r"(?i)heart\s+failure|cardiomyopath|isch(?:a)?emic\s+heart|ventricular\s+dysfunction"),
     "cardiac muscle cell", "cardiovascular progenitor cell"),
    (re.compile(r"(?i)type\s*(?:1|I)\s+diabet|\bT1D"), "type B pancreatic cell",
     "progenitor cell of endocrine pancreas"),
    (re.compile(r"(?i)thalass(?:a)?emia|sickle\s+cell|aplastic\s+an(?:a)?emia|fanconi"), "hematopoietic stem cell",
     "hematopoietic stem cell"),
    (re.compile(r"(?i)thrombocytopeni"), "platelet", "megakaryocyte"),
    (re.compile(r"(?i)limbal\s+stem[\s-]+cell\s+deficien|ocular\s+surface|corneal\s+epithel"),
     "corneal epithelial cell", "limbal stem cell"),
]


def condition_prior(texts: list[str], progenitor: bool = False) -> NamedTerm | None:
    """The cell type the first matching indication implies (its progenitor when ``progenitor``), or None."""
    for text in texts:
        for rx, name, prog in _PRIORS:
            if rx.search(text):
                return cell_term(prog if progenitor else name)
    return None
