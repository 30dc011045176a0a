#!/usr/bin/env python3
"""Evaluate record linkage on the real cross-registrations in ../shared.

    .venv/bin/python bench/eval_linking.py [--no-cache] [--list N]

Records: everything in ../shared/data and ../shared/seeds, read with the project's importers (CT.gov in all its
formats, the ICTRP CSV/XLSX/XML exports, the hPSCreg seed). Copies of one registry record (same primary ID from
several files) are one record.

Gold: a record whose secondary IDs (or an org-study field holding a registry ID) name another registry record that
is also present → a gold pair. The gold is derived from IDs, so:

(a) ID links are scored against it (close to 1 by construction; the interesting numbers are the links the guard
    flags as suspicious — titles that disagree — and the IDs it ignored);
(b) probabilistic links are run with every secondary ID HIDDEN (each record keeps only its primary ID), then
    scored against the gold pairs — the linker must find them from content alone.

The ID gold is small (ICTRP's 40-column exports carry no secondary IDs), so (c) also scores the probabilistic
links against bench/data/linking_audit.tsv: cross-registrations among these records judged by reading both records
(precision over judged links; recall over the pairs judged true, which include below-threshold probes).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time

from linking_data import ROOT, load_records

from stemtrials.link import distinct_records, studies
from stemtrials.link.ids import group_of, id_links, primary_key, record_keys
from stemtrials.link.probabilistic import probabilistic_links
from stemtrials.link.view import RecordView

AUDIT = ROOT / "bench" / "data" / "linking_audit.tsv"
Pair = tuple[str, str]


def gold_pairs(vs: list[RecordView]) -> dict[Pair, str]:
    """(a, b) → the ID that ties them, for records naming another present record's primary ID."""
    owner = {primary_key(v): v.id for v in vs}
    gold: dict[Pair, str] = {}
    for v in vs:
        for key, kind in record_keys(v).items():
            other = owner.get(key)
            if kind != "primary" and other is not None and other != v.id:
                a, b = sorted((v.id, other))
                gold[(a, b)] = key
    return gold


def prf(found: set[Pair], gold: set[Pair]) -> tuple[float, float, int, int, int]:
    tp = len(found & gold)
    precision = tp / len(found) if found else float("nan")
    recall = tp / len(gold) if gold else float("nan")
    return precision, recall, tp, len(found) - tp, len(gold) - tp


def load_audit() -> dict[Pair, tuple[str, str, str]]:
    out: dict[Pair, tuple[str, str, str]] = {}
    with AUDIT.open(encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    for row in csv.DictReader(rows, delimiter="\t"):
        a, b = sorted((row["a"], row["b"]))
        out[(a, b)] = (row["verdict"], row["source"], row["note"])
    return out


def hidden(v: RecordView) -> RecordView:
    """The record with its secondary and org-study IDs removed."""
    return RecordView(**{**v.__dict__, "ids": [(v.id, v.registry, "primary")]})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-cache", action="store_true", help="re-read ../shared instead of the /tmp cache")
    ap.add_argument("--list", type=int, default=15, help="how many errors to list per kind")
    args = ap.parse_args()

    t0 = time.perf_counter()
    records = load_records(use_cache=not args.no_cache)
    vs, _ = distinct_records(records)
    by_id = {v.id: v for v in vs}
    print(f"records: {len(records)} read, {len(vs)} distinct registry records "
          f"({len(records) - len(vs)} copies merged), read in {time.perf_counter() - t0:.1f} s")
    gold = gold_pairs(vs)
    cross = {p for p in gold if group_of(by_id[p[0]]) != group_of(by_id[p[1]])}
    print(f"gold pairs from secondary IDs: {len(gold)} ({len(cross)} across registries)")
    for (a, b), key in sorted(gold.items()):
        print(f"  {a} ↔ {b}  via {key}")

    # (a) ID links
    t1 = time.perf_counter()
    links, ignored = id_links(vs)
    found = {(lk.a, lk.b) for lk in links}
    p, r, tp, fp, fn = prf(found, set(gold))
    suspicious = [lk for lk in links if lk.evidence.get("suspicious")]
    print(f"\n(a) ID links: {len(links)} in {time.perf_counter() - t1:.2f} s")
    print(f"    precision {p:.3f}  recall {r:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    print(f"    suspicious (titles disagree): {len(suspicious)}; IDs ignored by the shared-ID guard: {len(ignored)}")
    for lk in suspicious[: args.list]:
        print(f"      suspicious {lk.a} ↔ {lk.b} title similarity {lk.evidence['title_similarity']}")
    for ig in ignored[: args.list]:
        print(f"      ignored {ig.key}: {ig.reason} ({', '.join(ig.records[:6])})")
    for a, b in sorted(found - set(gold))[: args.list]:
        print(f"      not in gold (shared third ID) {a} ↔ {b}")

    # (b) probabilistic links, secondary IDs hidden
    t2 = time.perf_counter()
    plinks = probabilistic_links([hidden(v) for v in vs])
    pfound = {(lk.a, lk.b) for lk in plinks}
    elapsed = time.perf_counter() - t2
    p, r, tp, fp, fn = prf(pfound, set(gold))
    print(f"\n(b) probabilistic links, secondary IDs hidden: {len(plinks)} in {elapsed:.1f} s")
    print(f"    against the ID gold: precision {p:.3f}  recall {r:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    print("    (a 'false positive' here is any link the sparse ID gold does not contain; see (c) for judged precision)")
    for a, b in sorted(set(gold) - pfound)[: args.list]:
        print(f"      missed gold {a} ↔ {b}: {by_id[a].title!r} / {by_id[b].title!r}")

    # (c) against the judged pairs
    audit = load_audit()
    judged = {pair: v for pair, (v, _, _) in audit.items()}
    true_pairs = {pair for pair, v in judged.items() if v == "true"}
    false_pairs = {pair for pair, v in judged.items() if v == "false"}
    judged_found = {pair for pair in pfound if pair in judged and judged[pair] != "unsure"}
    correct = judged_found & true_pairs
    unjudged = sorted(pfound - set(judged))
    print(f"\n(c) probabilistic links against {len(judged)} judged pairs ({AUDIT.relative_to(ROOT)}):")
    if judged_found:
        n_unsure = sum(1 for p_ in pfound if judged.get(p_) == "unsure")
        print(f"    precision {len(correct) / len(judged_found):.3f} ({len(correct)} of {len(judged_found)} judged"
              f" links; {n_unsure} unsure, {len(unjudged)} not judged)")
    hits = len(pfound & true_pairs)
    print(f"    recall {hits / len(true_pairs):.3f} ({hits} of {len(true_pairs)} pairs judged true, probes included)")
    for a, b in sorted(pfound & false_pairs):
        print(f"      false positive {a} ↔ {b}: {audit[(a, b)][2]}")
    for a, b in sorted(true_pairs - pfound)[: args.list]:
        print(f"      missed {a} ↔ {b}: {audit[(a, b)][2]}")
    for a, b in unjudged[: args.list]:
        print(f"      not judged yet {a} ↔ {b}: {by_id[a].title!r} / {by_id[b].title!r}")

    # Must show: the CAStem records
    both = [lk for lk in links + plinks if {lk.a, lk.b} & {"ChiCTR2000031139", "NCT04331613"}]
    study = studies([v.id for v in vs], links + plinks)
    sources = sorted({r.source.format for r in records if r.id == "ChiCTR2000031139"})
    print(f"\nCAStem: ChiCTR2000031139 read from {', '.join(sources)} → one record, study "
          f"{study.get('ChiCTR2000031139')}; NCT04331613 study {study.get('NCT04331613')}; links touching either: "
          f"{len(both)}")
    multi = len({s for s in study.values() if list(study.values()).count(s) > 1}) if len(study) < 5000 else -1
    print(f"studies: {len(set(study.values()))} for {len(vs)} records ({multi} with several records)")
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
