"""Registry formats, detected from content. See :mod:`stemtrials.sources.base` for the interface."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from .base import ImportProblem, Parsed, SourceError, SourceFormat

# Detection order matters: the most specific sniffers first (our own JSONL before CT.gov JSON, the structured formats
# before the free-text page formats, whose sniffers are looser). Adding a format = adding its module name here.
_MODULES = [
    "stemtrials_jsonl",
    "ctgov_v2",
    "ctgov_classic",
    "ctgov_legacy_xml",
    "ictrp_xml",
    "ictrp_table",
    "ictrp_reference",
    "ctgov_csv",
    "hpscreg_text",
    "ctgov_page",
]

FORMATS: list[ModuleType] = [import_module(f"{__name__}.{name}") for name in _MODULES]
BY_NAME: dict[str, ModuleType] = {m.NAME: m for m in FORMATS}


def detect(head: bytes, filename: str) -> ModuleType | None:
    """The first format whose sniffer accepts this input, or None."""
    for fmt in FORMATS:
        if fmt.sniff(head, filename):
            return fmt
    return None


__all__ = ["BY_NAME", "FORMATS", "ImportProblem", "Parsed", "SourceError", "SourceFormat", "detect"]
