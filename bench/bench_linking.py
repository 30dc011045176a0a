#!/usr/bin/env python3
"""Benchmark: link 100k synthetic records end to end; target < 2 min on this machine (2 cores).

    .venv/bin/python bench/bench_linking.py [--records 100000] [--duplicates 0.15] [--with-id 0.3] [--runs 3]

Synthesis, from the real records of ../shared (so the vocabulary, sponsors, conditions, countries and name pools
are real): every synthetic trial gets a fresh primary ID in a registry drawn with realistic shares (CT.gov most),
a title made from a real title with a few content words replaced by other real title words, a real sponsor, start
date, size, conditions, countries and a contact drawn independently. A share of the trials (``--duplicates``) is
registered a second time in another registry, perturbed the way registries differ: brief and official titles
swapped or re-cased, a word dropped or misspelt, design boilerplate added, start date moved by up to 45 days or cut
to the month, size changed by up to 10 %, sponsor respelt, contact or countries missing; ``--with-id`` of those
name each other's ID (ID links), the rest must be found from content. The truth is the set of duplicate pairs.

Reported: wall time of ``link_records`` (median of ``--runs``), beside a same-run baseline — building the DuckDB
input table alone (views, features, pyarrow table, registration) — and precision / recall of all links, of the ID
links, and of the probabilistic links on the pairs that share no ID.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from typing import Any

from linking_data import load_records

from stemtrials.link import distinct_records, link_records
from stemtrials.link import text as link_text
from stemtrials.link.features import rows, table
from stemtrials.link.probabilistic import connect
from stemtrials.link.text import title_tokens
from stemtrials.link.view import RecordView

REGISTRIES = [("ClinicalTrials.gov", 0.55), ("ChiCTR", 0.12), ("EU-CTR", 0.08), ("IRCT", 0.05), ("ISRCTN", 0.04),
              ("JPRN", 0.04), ("ANZCTR", 0.03), ("DRKS", 0.03), ("CTRI", 0.03), ("NTR", 0.03)]
BOILERPLATE = ["A Randomized, Double-blind, Placebo-controlled Study of", "A Phase II Trial of",
               "Clinical Study of", "An Open-label Pilot Study of", "Multicenter Trial of"]


def fresh_id(registry: str, n: int) -> str:
    return {
        "ClinicalTrials.gov": f"NCT{10000000 + n:08d}", "ChiCTR": f"ChiCTR{2100000000 + n}",
        "EU-CTR": f"{2010 + n % 14}-{n % 1000000:06d}-{n % 97:02d}", "IRCT": f"IRCT2021{n:08d}N1",
        "ISRCTN": f"ISRCTN{n % 100000000:08d}", "JPRN": f"JPRN-UMIN{n % 1000000000:09d}",
        "ANZCTR": f"ACTRN126{n % 100000000000:011d}", "DRKS": f"DRKS{n % 100000000:08d}",
        "CTRI": f"CTRI/2021/{1 + n % 12:02d}/{n % 1000000:06d}", "NTR": f"NL{n}",
    }[registry]


def _mutate_title(title: str, vocab: list[str], rng: random.Random) -> str:
    """A new trial's title: a real title with 2-3 content words replaced by other real title words."""
    words = title.split()
    content = [i for i, w in enumerate(words) if title_tokens(w)]
    for i in rng.sample(content, min(len(content), rng.choice((2, 3)))):
        words[i] = rng.choice(vocab)
    return " ".join(words)


def _perturb_title(title: str | None, rng: random.Random) -> str | None:
    """The same trial's title as another registry writes it."""
    if not title:
        return title
    t = title
    r = rng.random()
    if r < 0.25:
        t = t.upper() if rng.random() < 0.5 else t.lower()
    elif r < 0.45:
        words = t.split()
        if len(words) > 4:
            del words[rng.randrange(len(words))]
        t = " ".join(words)
    elif r < 0.6:
        words = t.split()
        i = rng.randrange(len(words))
        if len(words[i]) > 5:
            w = words[i]
            j = rng.randrange(1, len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        t = " ".join(words)
    elif r < 0.7:
        t = f"{rng.choice(BOILERPLATE)} {t}"
    return t


def _shift(date: str | None, rng: random.Random) -> str | None:
    if not date or len(date) < 10:
        return date
    y, m, d = (int(x) for x in date[:10].split("-"))
    days = y * 365 + (m - 1) * 30 + min(d, 28) - 1 + rng.choice((0, 0, 0, rng.randint(-45, 45)))
    y2, rest = divmod(days, 365)
    m2, d2 = divmod(rest, 30)
    out = f"{y2:04d}-{min(m2 + 1, 12):02d}-{min(d2 + 1, 28):02d}"
    return out[:7] if rng.random() < 0.15 else out


def synthesize(real: list[RecordView], n_records: int, dup_share: float, id_share: float,
               seed: int = 7) -> tuple[list[dict[str, Any]], set[tuple[str, str]], set[tuple[str, str]]]:
    """(records, true pairs, true pairs that name each other's ID)."""
    rng = random.Random(seed)
    vocab = sorted({t for v in real for t in title_tokens(v.title) if len(t) > 3})
    people = [c for v in real for c in v.contacts if c[0] or c[2]]
    regs, weights = zip(*REGISTRIES, strict=True)
    trials = int(n_records / (1 + dup_share))
    out: list[dict[str, Any]] = []
    truth: set[tuple[str, str]] = set()
    with_ids: set[tuple[str, str]] = set()
    counter = 0
    for _ in range(trials):
        t = rng.choice(real)
        counter += 1
        registry = rng.choices(regs, weights)[0]
        title = _mutate_title(t.title or t.official_title or "trial", vocab, rng)
        official = _mutate_title(t.official_title, vocab, rng) if t.official_title else None
        sponsor = rng.choice(real).lead_sponsor()
        start = f"{rng.randint(2000, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        place = rng.choice(real)
        person = rng.choice(people) if people else (None, None, None, None)
        email = f"{(person[2] or person[0] or 'x').split()[0].lower()}{counter}@example.org"
        rec = {
            "id": fresh_id(registry, counter), "registry": registry, "registry_ids": [],
            "title": title, "official_title": official,
            "sponsors": [{"name": sponsor, "role": "lead"}] if sponsor else [],
            "dates": {"start": {"date": start}},
            "enrollment": {"count": rng.choice((10, 20, 30, 40, 60, 100, 120, 200, 300, 500))},
            "conditions": [{"text": c} for c in rng.choice(real).conditions[:3]],
            "locations": [{"country": c} for c in place.countries[:3]],
            "contacts": [{"name": person[0], "last_name": person[2], "email": email}],
            "interventions": [{"name": p} for p in t.products[:2]],
        }
        out.append(rec)
        if len(out) >= n_records or rng.random() >= dup_share:
            continue
        counter += 1
        other = rng.choices([r for r in regs if r != registry], [w for r, w in REGISTRIES if r != registry])[0]
        title2, official2 = (official, title) if official and rng.random() < 0.3 else (title, official)
        size = rec["enrollment"]["count"]
        dup = {
            **rec,
            "id": fresh_id(other, counter), "registry": other, "registry_ids": [],
            "title": _perturb_title(title2, rng), "official_title": _perturb_title(official2, rng),
            "sponsors": [{"name": (sponsor.upper() if rng.random() < 0.3 else f"{sponsor} Co., Ltd")
                          if rng.random() < 0.4 else sponsor, "role": "lead"}] if sponsor else [],
            "dates": {"start": {"date": _shift(start, rng)}},
            "enrollment": {"count": size if rng.random() < 0.6 else max(1, round(size * rng.uniform(0.9, 1.1)))},
            "contacts": rec["contacts"] if rng.random() < 0.6 else [],
            "locations": rec["locations"] if rng.random() < 0.8 else [],
        }
        pair = tuple(sorted((rec["id"], dup["id"])))
        truth.add(pair)  # type: ignore[arg-type]
        if rng.random() < id_share:
            dup["registry_ids"] = [{"id": rec["id"], "registry": registry, "kind": "secondary"}]
            with_ids.add(pair)  # type: ignore[arg-type]
        out.append(dup)
    return out[:n_records], truth, with_ids


def cold() -> None:
    """Empty the text normalisers' memo caches, so no run profits from an earlier one."""
    for name in dir(link_text):
        clear = getattr(getattr(link_text, name), "cache_clear", None)
        if clear is not None:
            clear()


def baseline(records: list[dict[str, Any]]) -> float:
    """Seconds to build and register the DuckDB input table alone."""
    from splink import DuckDBAPI

    cold()
    t = time.perf_counter()
    vs, _ = distinct_records(records)
    con = connect()
    DuckDBAPI(con).register(table(rows(vs)), table_name="bench")
    con.close()
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--duplicates", type=float, default=0.15, help="share of trials registered twice")
    ap.add_argument("--with-id", type=float, default=0.3, help="share of duplicates naming the other's ID")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    real, _ = distinct_records(load_records(verbose=False))
    records, truth, with_ids = synthesize(real, args.records, args.duplicates, args.with_id)
    print(f"synthetic: {len(records)} records from {len(real)} real ones; {len(truth)} cross-registered pairs "
          f"({len(with_ids)} naming each other's ID)")
    base = baseline(records)
    times, links = [], []
    for run in range(args.runs):
        cold()
        t = time.perf_counter()
        links = link_records(records)
        times.append(time.perf_counter() - t)
        print(f"  run {run + 1}: {times[-1]:.1f} s, {len(links)} links")
    wall = statistics.median(times)
    print(f"link_records: median {wall:.1f} s over {args.runs} runs (baseline, input table alone: {base:.1f} s); "
          f"target < 120 s: {'OK' if wall < 120 else 'MISSED'}")

    def report(name: str, found: set[tuple[str, str]], gold: set[tuple[str, str]]) -> None:
        tp = len(found & gold)
        p = tp / len(found) if found else float("nan")
        r = tp / len(gold) if gold else float("nan")
        print(f"  {name:38s} precision {p:.4f}  recall {r:.4f}  (links {len(found)}, gold {len(gold)})")

    all_found = {(lk.a, lk.b) for lk in links}
    report("all links", all_found, truth)
    report("ID links", {(lk.a, lk.b) for lk in links if lk.kind == "id"}, with_ids)
    prob = {(lk.a, lk.b) for lk in links if lk.kind == "probabilistic"}
    report("probabilistic links (pairs without IDs)", prob, truth - with_ids)
    return 0


if __name__ == "__main__":
    sys.exit(main())
