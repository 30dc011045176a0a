"""Probabilistic links: records that name no common ID but describe the same trial (splink, DuckDB backend).

Pairs are proposed by blocking (:mod:`.features`), scored by splink with the fixed model of :mod:`.comparisons`
(title, official title, lead sponsor, start date, target size, conditions, countries, contact), and then kept only
when three rules allow it:

1. **Threshold**: the match weight (log2 Bayes factor, prior included) reaches ``params.json``'s ``threshold``
   (5.0), chosen to favour precision — a wrong link merges two trials in every view, a missed one leaves a
   duplicate: on the real records of ../shared the judged cross-registrations score 5.4 and up, while the
   candidates below 5 were mostly different trials of one hospital (bench/data/linking_audit.tsv).
2. **Guard — never on a product alone** (:mod:`.guard`): the titles must agree on informative words that are not
   product words, or the sponsor (or contact) and start date must agree; starts a year apart with other sponsors
   need a near-identical title. ChiCTR2000031139 and NCT04331613 are two trials of
   CAStem: their titles share only "CAStem", the cell description and "COVID-19", their sponsors differ (Wuhan
   Jinyintan Hospital / Chinese Academy of Sciences) — no link, whatever the score.
3. **One record per registry**: a trial has one record in each registry (EU-CTR country copies are collapsed
   upstream), so a record links to at most one record of another registry — the best-scoring one, and none when
   it already names or is ID-linked to a record of that registry.

Only records of different registries are compared (blocking rule ``l.grp <> r.grp``): two records of one registry
with different primary IDs are different trials.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from .base import Link, make_link
from .comparisons import COMPARISONS, gamma_label, params, settings
from .features import rows, table
from .guard import WordInfo, guard
from .ids import IgnoredId, group_of, id_keys, primary_key, record_keys
from .view import RecordView

logging.getLogger("splink").setLevel(logging.WARNING)

# jRCT and UMIN IDs are both JPRN records: ICTRP files them under "JPRN-…".
_REGISTRY_GROUP = {"jRCT": "JPRN"}


@dataclass(frozen=True)
class Scored:
    """One pair splink scored above the threshold, before the guard and the one-per-registry rule."""

    a: str
    b: str
    weight: float
    probability: float
    levels: dict[str, str]
    weights: dict[str, float]


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that never downloads: extension auto-install and auto-load are off (everything the
    comparisons use — jaro_winkler_similarity, list functions, date_diff — is built in)."""
    return duckdb.connect(
        ":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )


def score_pairs(vs: list[RecordView], threshold: float | None = None,
                parameters: dict[str, Any] | None = None) -> list[Scored]:
    """Every blocked cross-registry pair whose match weight reaches ``threshold`` (default: the shipped one)."""
    from splink import DuckDBAPI, Linker

    p = parameters or params()
    limit = p["threshold"] if threshold is None else threshold
    feature_rows = rows(vs)
    if sum(1 for r in feature_rows if r["bkeys"]) < 2:
        return []
    con = connect()
    try:
        db = DuckDBAPI(con)
        linker = Linker(db.register(table(feature_rows), table_name="link_records"), settings(p), log_level=None)
        result = linker.inference.predict(threshold_match_weight=limit, warning_mode="never")
        found = result.as_record_list()
    finally:
        con.close()
    names = [name for name, _ in COMPARISONS]
    out = []
    for r in found:
        a, b = sorted((r["unique_id_l"], r["unique_id_r"]))
        out.append(Scored(
            a, b, float(r["match_weight"]), float(r["match_probability"]),
            {n: gamma_label(n, int(r[f"gamma_{n}"])) for n in names},
            {n: round(float(r[f"mw_{n}"]), 3) for n in names},
        ))
    out.sort(key=lambda s: (-s.weight, s.a, s.b))
    return out


def _declared_groups(v: RecordView, ignored: set[str]) -> dict[str, set[str]]:
    """registry → keys this record names in it (its own primary excluded)."""
    out: dict[str, set[str]] = defaultdict(set)
    own = primary_key(v)
    for key, kind in record_keys(v).items():
        if kind == "primary" or key == own or key in ignored:
            continue
        for k, registry in id_keys(key):
            out[_REGISTRY_GROUP.get(registry, registry)].add(k)
    return out


def probabilistic_links(vs: list[RecordView], id_links: Sequence[Link] = (), ignored: Sequence[IgnoredId] = (),
                        threshold: float | None = None, parameters: dict[str, Any] | None = None,
                        use_guard: bool = True) -> list[Link]:
    """Links between records with no ID link, by the rules of this module."""
    by_id = {v.id: v for v in vs}
    group = {v.id: _REGISTRY_GROUP.get(group_of(v), group_of(v)) for v in vs}
    skip_ids = {ig.key for ig in ignored}
    linked = {(lk.a, lk.b) for lk in id_links}
    taken: set[tuple[str, str]] = set()  # (record, registry) pairs already settled
    for lk in id_links:
        if lk.a in group and lk.b in group:
            taken.add((lk.a, group[lk.b]))
            taken.add((lk.b, group[lk.a]))
    declared = {v.id: _declared_groups(v, skip_ids) for v in vs}
    ignored_of: dict[str, set[str]] = defaultdict(set)
    for ig in ignored:
        for rid in ig.records:
            ignored_of[rid].add(ig.key)
    info = WordInfo(vs)
    out: list[Link] = []
    for s in score_pairs(vs, threshold, parameters):
        if (s.a, s.b) in linked:
            continue
        x, y = by_id[s.a], by_id[s.b]
        gx, gy = group[s.a], group[s.b]
        # A record that names its registration in y's registry, and names another one, is not y.
        if (gy in declared[s.a] and primary_key(y) not in declared[s.a][gy]) or (
                gx in declared[s.b] and primary_key(x) not in declared[s.b][gx]):
            continue
        if (s.a, gy) in taken or (s.b, gx) in taken:
            continue
        reason = guard(x, y, s.levels, info) if use_guard else "unguarded"
        if reason is None:
            continue
        taken.add((s.a, gy))
        taken.add((s.b, gx))
        evidence = {
            "rule": f"splink match weight >= threshold, agreement on {reason}",
            "match_weight": round(s.weight, 3),
            "match_probability": round(s.probability, 6),
            "levels": s.levels,
            "weights": s.weights,
            "agreement": reason,
        }
        if shared_ignored := sorted(ignored_of[s.a] & ignored_of[s.b]):
            evidence["ignored_ids"] = shared_ignored  # both name an ID the shared-ID guard refused to link on
        out.append(make_link(s.a, s.b, "probabilistic", s.probability, evidence))
    return sorted(out, key=lambda lk: (lk.a, lk.b))
