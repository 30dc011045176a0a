"""``describe(TERM-OR-CURIE)``: what ``stemtrials ontology`` prints and ``GET /api/ontology/{curie}`` returns."""

from __future__ import annotations

from typing import Any

from . import snapshot


def describe(term_or_curie: str) -> dict[str, Any] | None:
    """``{"id", "label", "definition", "synonyms", "parents", "xrefs"}`` for a CURIE or a label/synonym (None when
    unknown). ``parents`` are CURIEs (their labels in ``parent_labels``); a deprecated term is described as it is,
    with ``deprecated`` and ``replaced_by``, so an old CURIE in a record still explains itself."""
    text = term_or_curie.strip()
    if not text:
        return None
    curie = snapshot.normalize_curie(text)
    t = snapshot.term(curie) if curie else None
    if t is None and curie is None:
        found = snapshot.resolve(text)  # exact names in every ontology first, then disease wordings
        t = snapshot.term(found) if found else None
    if t is None:
        return None
    parent_labels = {p: (pt.label if (pt := snapshot.term(p)) else None) for p in t.parents}
    out: dict[str, Any] = {
        "id": t.id,
        "label": t.label,
        "definition": t.definition,
        "synonyms": list(t.synonyms),
        "parents": list(t.parents),
        "xrefs": list(t.xrefs),
        "parent_labels": parent_labels,
        "ontology": t.id.split(":", 1)[0],
        "deprecated": t.deprecated,
        "replaced_by": t.replaced_by,
    }
    if t.tree_numbers:
        out["tree_numbers"] = list(t.tree_numbers)
    return out
