"""Ontologies shipped with the package (Mondo, Cell Ontology, Uberon, DOID, MeSH) and condition linking.

- :mod:`.snapshot` — the compact SQLite snapshot: ``term``, ``search_label``, ``resolve``, ``descendants``,
  ``ancestors``, ``expand`` (a search filter's term → the CURIEs it should match).
- :mod:`.lookup` — ``describe`` for ``stemtrials ontology TERM`` and ``GET /api/ontology/{curie}``.
- :mod:`.linker` — ``link_conditions`` (record → record with Mondo terms on each condition), ``unlinked_conditions``.

The snapshot is built by ``scripts/build_ontology.py`` from ``../shared/ontologies``; nothing is fetched at run time.
The linker's names are imported lazily, so a one-term lookup doesn't pay for the matcher's imports.
"""

from __future__ import annotations

from typing import Any

from .lookup import describe
from .snapshot import Term, ancestors, descendants, expand, mesh_to_mondo, resolve, search_label, term

_LAZY = {"link_conditions", "link_text", "unlinked_conditions"}

__all__ = [
    "Term",
    "ancestors",
    "descendants",
    "describe",
    "expand",
    "link_conditions",
    "link_text",
    "mesh_to_mondo",
    "resolve",
    "search_label",
    "term",
    "unlinked_conditions",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import linker

        return getattr(linker, name)
    raise AttributeError(name)
