"""Shared by the curation tests (tests/curation): the real seed records they curate and small readers of a record."""

from __future__ import annotations

from typing import Any

NCT = "NCT03123458"
"""The CT.gov page seed: conditions 'Immune Related Disorder' (linked) and 'Tissue Damage' (unlinked), one cell
product, 'clonal fetal MSCs'."""
CHICTR = "ChiCTR2000031139"
"""The hPSCreg seed: a different trial (CAStem)."""
SEED_PAGE = "seeds/004_e65ca66711663aaa.txt"
PASSWORD = "curator password 42"


def condition_terms(record: dict[str, Any], text: str) -> list[str]:
    """The term CURIEs of the record's condition with this text."""
    return [t["id"] for t in next(c for c in record["conditions"] if c["text"] == text)["terms"]]


def product(record: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in record["cell_products"] if p["name"] == name)
