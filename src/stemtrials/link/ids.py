"""Deterministic links: one record names another's registry ID.

Every registry ID a record carries (its primary ID, secondary IDs, NCT aliases — and an org study ID only when it
*is* a registry ID by pattern, e.g. a EudraCT number in CT.gov's org-study field) is reduced to a matching key:

- spelling: spaces and case ("nct 0433 1613"), prefixes ("EudraCT Number: 2005-003674-14", "JPRN-UMIN000039686"
  ↔ "UMIN000039686", "JPRN-jRCTs031190226" ↔ "jRCTs031190226");
- EudraCT numbers with or without "EUCTR" and with or without the EU-CTR country suffix ("-DE", "-3RD") are one key,
  because EU-CTR keeps one record per member state of the same trial;
- junk values ("Nil known", "N/A", "pending", "none", all-zero numbers) are no ID at all.

Two records are linked when one's primary key is among the other's keys (score 1.0), or when both name the same
third registry's ID that no record in the batch owns (score 0.9; only across different registries — two records of
one registry citing one EudraCT number are parts of a programme, not copies). Org study IDs that follow no registry
pattern ("CAStem-001") never link: sponsors reuse them across trials.

Guard: an ID that more than three records claim while their titles disagree is a programme or umbrella number, a
grant, or a copy-paste error — it is ignored and reported (``ignored``); a link whose two titles disagree is kept
(one record explicitly names the other) but marked ``suspicious`` in its evidence and scored lower.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median
from typing import Any

from rapidfuzz import fuzz

from ..registry_ids import registry_of
from .base import Link, make_link
from .text import title_tokens
from .view import RecordView

JUNK_IDS = frozenset(
    {
        "", "nil", "nil known", "nill", "none", "none known", "no", "n a", "na", "nan", "null", "nd", "pending",
        "applied", "submitted", "in process", "in progress", "not applicable", "not appliable", "not available",
        "not yet", "not yet assigned", "not assigned", "not registered", "unknown", "tbd", "tba", "to be determined",
        "to be assigned", "0", "00", "000", "x", "xx", "xxx", "yes", "not required", "nothing", "not known",
    }
)

# Registry IDs found inside longer text ("EudraCT Number: 2005-003674-14"). The look-arounds keep a EudraCT-shaped
# run of digits inside a longer number (a phone number, a date range) from matching.
_EMBEDDED = re.compile(
    r"(?<![0-9])("
    r"NCT\d{8}"
    r"|(?:EUCTR)?\d{4}-\d{6}-\d{2}(?:-\d{2}|-[A-Z]{2}|-3RD)?"
    r"|ISRCTN\d{8}|ACTRN\d{14}|DRKS\d{8}|PACTR\d{15}|TCTR\d{11}|LBCTR\d{10}|RPCEC\d{8}|KCT\d{7}"
    r"|CHICTR(?:-[A-Z]{2,4}-)?\d{6,10}|UMIN\d{9}|JRCTS?\d{6,10}|JAPICCTI-?\d{6}|JMA-IIA\d{5}"
    r"|IRCT\d+N\d+|CTRI/\d{4}/\d+/\d+|SLCTR/\d{4}/\d+|RBR-[0-9A-Z]{6,8}|NTR\d{3,5}|NL-OMON\d+|U1111-\d{4}-\d{4}"
    r")(?![0-9])"
)
_EUDRACT = re.compile(r"^(?:EUCTR)?(\d{4}-\d{6}-\d{2})(?:-[A-Z]{2}|-3RD)?$")
_CTIS = re.compile(r"^(?:CTIS)?(\d{4}-\d{6}-\d{2}-\d{2})$")


def _junk(value: str) -> bool:
    folded = re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()
    return folded in JUNK_IDS


def _key(token: str) -> tuple[str, str] | None:
    """(matching key, registry) of one upper-cased, space-free ID token."""
    if re.fullmatch(r"[A-Z/-]*[0/-]+", token):  # NCT00000000, 0000-000000-00: placeholders
        return None
    if m := _CTIS.match(token):
        return "CTIS" + m.group(1), "CTIS"
    if m := _EUDRACT.match(token):
        return "EUCTR" + m.group(1), "EU-CTR"
    token = token.removeprefix("JPRN-")
    if token.startswith("JAPICCTI") and not token.startswith("JAPICCTI-"):
        token = "JAPICCTI-" + token[8:]
    if re.fullmatch(r"U1111-\d{4}-\d{4}", token):
        return token, "UTN"  # WHO Universal Trial Number: made to be quoted by every registry of a trial
    registry = registry_of(token)
    if registry is None and token.startswith(("JAPICCTI-", "JMA-")):
        registry = "JPRN"
    return (_registry_spelling(token), registry) if registry else None


def _registry_spelling(token: str) -> str:
    """The registry's own case for the IDs that have one, so evidence shows IDs as users know them."""
    if token.startswith("CHICTR"):
        return "ChiCTR" + token[6:]
    if m := re.fullmatch(r"JRCT([A-Z]?)(\d+)", token):
        return "jRCT" + m.group(1).lower() + m.group(2)
    if token.startswith("JAPICCTI-"):
        return "JapicCTI-" + token[9:]
    if token.startswith("RBR-"):
        return "RBR-" + token[4:].lower()
    return token


def id_keys(raw: str | None) -> list[tuple[str, str]]:
    """Every (key, registry) a raw ID value holds: none for junk or a non-registry ID, one usually, several for a
    cell listing more than one ("NCT04315948; EudraCT 2020-000936-23")."""
    if raw is None or _junk(raw):
        return []
    compact = re.sub(r"\s+", "", raw).upper()
    whole = _key(compact)
    if whole is not None:
        return [whole]
    found: list[tuple[str, str]] = []
    for m in _EMBEDDED.finditer(compact):
        k = _key(m.group(1))
        if k is not None and k not in found:
            found.append(k)
    return found


def primary_key(v: RecordView) -> str:
    """The key of a record's own ID; a record whose ID follows no registry pattern (a content-derived ``ST-…``)
    is keyed by that ID verbatim, so only copies of itself share it."""
    keys = id_keys(v.id)
    return keys[0][0] if keys else "RECORD:" + v.id


def record_keys(v: RecordView) -> dict[str, str]:
    """key → the strongest kind it comes with in this record (primary > secondary > org_study)."""
    rank = {"primary": 0, "secondary": 1, "org_study": 2}
    out: dict[str, str] = {primary_key(v): "primary"}
    for raw, _registry, kind in v.ids:
        for key, _reg in id_keys(raw):
            # A record's other spellings of its own ID ("EUCTR…-DE" beside "…") are its primary, not a reference.
            if key in out and rank[out[key]] <= rank.get(kind, 1):
                continue
            out[key] = kind if kind in rank else "secondary"
    return out


def group_of(v: RecordView) -> str:
    """The registry a record belongs to, for the one-record-per-registry rules; a record without one is its own."""
    return v.registry or (f"source:{v.source_format}" if v.source_format else f"record:{v.id}")


def title_similarity(x: RecordView, y: RecordView) -> float:
    """0..1: the best token-set agreement between either record's brief or official title."""
    best = 0.0
    for tx in (x.title, x.official_title):
        nx = " ".join(title_tokens(tx))
        if not nx:
            continue
        for ty in (y.title, y.official_title):
            ny = " ".join(title_tokens(ty))
            if ny:
                best = max(best, fuzz.token_set_ratio(nx, ny) / 100.0)
    return best


@dataclass(frozen=True)
class IgnoredId:
    key: str
    records: tuple[str, ...]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.key, "records": list(self.records), "reason": self.reason}


SHARED_LIMIT = 3
"""An ID claimed by more records than this (besides its owner) is checked for title agreement."""
SUSPICIOUS_BELOW = 0.35
"""Title similarity under which an ID link is flagged suspicious."""
UNRELATED_BELOW = 0.5
"""Median title similarity under which the records sharing a much-claimed ID are taken to be unrelated trials."""


def _unrelated(members: list[RecordView], limit: int = 12) -> bool:
    sims = [title_similarity(a, b) for i, a in enumerate(members[:limit]) for b in members[i + 1 : limit]]
    return bool(sims) and median(sims) < UNRELATED_BELOW


def _disagree(x: RecordView, y: RecordView) -> bool:
    """Both records have titles and they are about different things."""
    if not (title_tokens(x.title or x.official_title) and title_tokens(y.title or y.official_title)):
        return False
    return title_similarity(x, y) < SUSPICIOUS_BELOW


def id_links(vs: list[RecordView]) -> tuple[list[Link], list[IgnoredId]]:
    """Links among records (one view per record: copies already merged) from the IDs they name, and the IDs the
    shared-ID guard ignored. Deterministic: the output depends on the records, not their order."""
    owner: dict[str, int] = {}
    claims: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, v in enumerate(vs):
        for key, kind in record_keys(v).items():
            if kind == "primary":
                owner.setdefault(key, i)
            else:
                claims[key].append((i, kind))
    ignored: list[IgnoredId] = []
    found: dict[tuple[int, int], list[dict[str, str]]] = defaultdict(list)
    for key in sorted(claims):
        claimants = [(i, kind) for i, kind in claims[key] if owner.get(key) != i]
        if not claimants:
            continue
        o = owner.get(key)
        members = [vs[i] for i, _ in claimants] + ([vs[o]] if o is not None else [])
        if len(claimants) > SHARED_LIMIT and _unrelated(members):
            ignored.append(IgnoredId(key, tuple(sorted(m.id for m in members)),
                                     f"claimed by {len(claimants)} records whose titles disagree"))
            continue
        if o is not None:
            for i, kind in claimants:
                found[(o, i)].append({"id": key, vs[o].id: "primary", vs[i].id: kind})
            continue
        # Nobody here owns the ID: records of different registries citing it are registrations of its trial.
        pairs = [(i, j, ki, kj) for n, (i, ki) in enumerate(claimants) for j, kj in claimants[n + 1 :]
                 if group_of(vs[i]) != group_of(vs[j])]
        if pairs and all(_disagree(vs[i], vs[j]) for i, j, _, _ in pairs):
            ignored.append(IgnoredId(key, tuple(sorted(m.id for m in members)),
                                     "shared by records of unrelated titles and owned by none"))
            continue
        for i, j, ki, kj in pairs:
            found[(i, j)].append({"id": key, vs[i].id: ki, vs[j].id: kj})
    ignored_by_record: dict[str, list[str]] = defaultdict(list)
    for ig in ignored:
        for rid in ig.records:
            ignored_by_record[rid].append(ig.key)
    links: dict[tuple[str, str], Link] = {}
    for (i, j), matched in found.items():
        x, y = vs[i], vs[j]
        if x.id == y.id:
            continue
        direct = any("primary" in m.values() for m in matched)
        sim = round(title_similarity(x, y), 3)
        suspicious = _disagree(x, y)
        score = (1.0 if direct else 0.9) - (0.2 if suspicious else 0.0)
        evidence: dict[str, Any] = {
            "rule": "names primary id" if direct else "shared secondary id",
            "ids": matched,
            "title_similarity": sim,
            "suspicious": suspicious,
        }
        both_ignored = sorted(set(ignored_by_record[x.id]) & set(ignored_by_record[y.id]))
        if both_ignored:
            evidence["ignored_ids"] = both_ignored
        link = make_link(x.id, y.id, "id", score, evidence)
        old = links.get((link.a, link.b))
        if old is None or old.score < link.score:
            links[(link.a, link.b)] = link
    return sorted(links.values(), key=lambda lk: (lk.a, lk.b)), ignored


def same_record_links(pairs: Iterable[tuple[str, str, str]]) -> list[Link]:
    """Links between differently spelled ids of one registry record (``(id, other_id, key)``), e.g. an EU-CTR
    country copy kept under its suffixed id by one source and under the bare EudraCT number by another."""
    return [make_link(x, y, "id", 1.0, {"rule": "same primary id", "ids": [{"id": key, x: "primary", y: "primary"}],
                                        "title_similarity": None, "suspicious": False})
            for x, y, key in pairs if x != y]
