"""Registry formats, detected from content. See :mod:`stemtrials.sources.base` for the interface."""

from __future__ import annotations

from types import ModuleType

from . import (
    ctgov_classic,
    ctgov_csv,
    ctgov_legacy_xml,
    ctgov_page,
    ctgov_v2,
    hpscreg_text,
    stemtrials_jsonl,
)
from .base import ImportProblem, Parsed, SourceError, SourceFormat

# Order matters for detection: the most specific sniffers first (our own JSONL before CT.gov JSON, the structured
# formats before the free-text page formats, whose sniffers are looser).
FORMATS: list[ModuleType] = [
    stemtrials_jsonl,
    ctgov_v2,
    ctgov_classic,
    ctgov_legacy_xml,
    ctgov_csv,
    hpscreg_text,
    ctgov_page,
]

BY_NAME: dict[str, ModuleType] = {m.NAME: m for m in FORMATS}


def detect(head: bytes, filename: str) -> ModuleType | None:
    """The first format whose sniffer accepts this input, or None."""
    for fmt in FORMATS:
        if fmt.sniff(head, filename):
            return fmt
    return None


__all__ = ["BY_NAME", "FORMATS", "ImportProblem", "Parsed", "SourceError", "SourceFormat", "detect"]
