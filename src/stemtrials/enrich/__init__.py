"""Enrichment: pure functions record → record, applied by the import pipeline before storing.

- :mod:`.ontology` — shipped snapshots (Mondo, CL, Uberon, DOID, MeSH) and condition linking to Mondo.
- :mod:`.cell_products` — stem-cell product detection: category, origin, tissue, donor, CL cell type, route, dose.

No I/O per record: the snapshots load once per process, lazily.
"""

from __future__ import annotations

from ..model import TrialRecord


def annotate(record: TrialRecord) -> TrialRecord:
    """The record with its conditions linked to Mondo and its cell products annotated."""
    from .cell_products import annotate_cell_products
    from .ontology import link_conditions

    return annotate_cell_products(link_conditions(record))
