"""Which registry an ID belongs to, and its canonical spelling.

Registry IDs come with stray spaces, lower case and per-country suffixes; this module recognises the prefixes of
ClinicalTrials.gov and the WHO ICTRP primary registries.
"""

from __future__ import annotations

import re

# (pattern on the upper-cased, space-stripped ID, registry name). Order matters: the first match wins.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^NCT\d{8}$"), "ClinicalTrials.gov"),
    (re.compile(r"^CHICTR(-[A-Z]{2,4}-)?\d{6,10}$"), "ChiCTR"),
    # EU-CTR country suffixes: ISO codes ("-DE") and "-3RD" for sites outside the EU/EEA.
    (re.compile(r"^(EUCTR)?\d{4}-\d{6}-\d{2}(-[A-Z]{2}|-3RD)?$"), "EU-CTR"),
    (re.compile(r"^CTIS?\d{4}-\d{6}-\d{2}(-\d{2})?$|^\d{4}-\d{6}-\d{2}-\d{2}$"), "CTIS"),
    (re.compile(r"^ISRCTN\d{8}$"), "ISRCTN"),
    (re.compile(r"^JRCT[A-Z]?\d{6,10}$"), "jRCT"),
    (re.compile(r"^JPRN-"), "JPRN"),
    (re.compile(r"^UMIN\d{9}$"), "JPRN"),
    (re.compile(r"^CTRI/\d{4}/\d+/\d+$"), "CTRI"),
    (re.compile(r"^IRCT\d+N\d+$|^IRCT\d{10,}"), "IRCT"),
    (re.compile(r"^ACTRN\d{14}$"), "ANZCTR"),
    (re.compile(r"^DRKS\d{8}$"), "DRKS"),
    (re.compile(r"^KCT\d{7}$"), "CRiS"),
    (re.compile(r"^RBR-\w+$"), "ReBec"),
    (re.compile(r"^(NTR\d+|NL\d+|NL-OMON\d+)$"), "NTR"),
    (re.compile(r"^PACTR\d{15}$"), "PACTR"),
    (re.compile(r"^TCTR\d{11}$"), "TCTR"),
    (re.compile(r"^LBCTR\d{10}$"), "LBCTR"),
    (re.compile(r"^RPCEC\d{8}$"), "RPCEC"),
    (re.compile(r"^SLCTR/\d{4}/\d+$"), "SLCTR"),
    (re.compile(r"^PER-\d{3}-\d{2}$"), "REPEC"),
    (re.compile(r"^ITMCTR\d+$"), "ITMCTR"),
]


def canonical_id(raw: str) -> str:
    """Trim and normalise spelling where the registry's form is unambiguous ('nct 0312 3458' → 'NCT03123458')."""
    s = raw.strip()
    compact = re.sub(r"\s+", "", s)
    up = compact.upper()
    if re.fullmatch(r"NCT\d{8}", up):
        return up
    if up.startswith("CHICTR"):
        return "ChiCTR" + compact[6:].upper()
    if up.startswith(("ISRCTN", "ACTRN", "DRKS", "PACTR", "TCTR", "LBCTR", "RPCEC", "IRCT", "KCT", "CTRI")):
        return up
    return s


def registry_of(raw: str) -> str | None:
    """The registry an ID belongs to, or None when it follows no known registry's pattern (an org study ID)."""
    up = re.sub(r"\s+", "", raw).upper()
    for pattern, name in _PATTERNS:
        if pattern.search(up):
            return name
    return None
