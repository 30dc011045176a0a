#!/usr/bin/env python3
"""Re-estimate the probabilistic linker's u parameters on the real records of ../shared and write params.json.

    .venv/bin/python bench/train_linking.py [--max-pairs 5e6] [--seed 42] [--dry-run]

u (how often two unrelated records show a level) comes from splink's random sampling over every pair of distinct
records, seeded, so the result is reproducible; a level never seen among the sampled pairs gets a floor of 1e-6
instead of zero (a zero u would make its weight infinite). m stays as set in params.json (priors): ../shared holds
too few labelled cross-registrations (one ID-confirmed pair) to estimate it.

It also writes word_freq.json: in how many records each title word occurs (words of at least two records), the
background the guard weighs title words with (link/guard.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from linking_data import ROOT, load_records

from stemtrials.link import distinct_records
from stemtrials.link.comparisons import COMPARISONS, params, settings
from stemtrials.link.features import rows, table
from stemtrials.link.guard import title_words
from stemtrials.link.probabilistic import connect

PARAMS = ROOT / "src" / "stemtrials" / "link" / "params.json"
WORDS = ROOT / "src" / "stemtrials" / "link" / "word_freq.json"
U_FLOOR = 1e-6


def estimate_u(max_pairs: float, seed: int) -> dict[str, dict[str, float]]:
    from splink import DuckDBAPI, Linker

    vs, _ = distinct_records(load_records())
    print(f"{len(vs)} distinct records", file=sys.stderr)
    con = connect()
    linker = Linker(DuckDBAPI(con).register(table(rows(vs)), table_name="train"), settings(), log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed, min_count_per_level=None)
    model = linker.misc.save_model_to_json()
    con.close()
    out: dict[str, dict[str, float]] = {}
    for comp in model["comparisons"]:
        levels = {}
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            u = level.get("u_probability")
            levels[level["label_for_charts"]] = max(float(u), U_FLOOR) if u is not None else U_FLOOR
        total = sum(levels.values())
        out[comp["output_column_name"]] = {k: round(v / total, 8) for k, v in levels.items()}
    return out


def word_frequencies() -> dict:
    vs, _ = distinct_records(load_records())
    df: Counter[str] = Counter(t for v in vs for t in title_words(v))
    kept = {w: c for w, c in sorted(df.items()) if c >= 2}
    return {"records": len(vs), "source": "title words of the distinct records in ../shared (bench/train_linking.py)",
            "df": kept}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-pairs", type=float, default=5e6)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--dry-run", action="store_true", help="print the estimates, leave params.json alone")
    ap.add_argument("--words-only", action="store_true", help="only rebuild word_freq.json")
    args = ap.parse_args()
    words = word_frequencies()
    print(f"{len(words['df'])} title words in >= 2 of {words['records']} records")
    if not args.dry_run:
        WORDS.write_text(json.dumps(words, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {WORDS.relative_to(ROOT)}")
    if args.words_only:
        return 0
    t0 = time.perf_counter()
    u = estimate_u(args.max_pairs, args.seed)
    p = json.loads(json.dumps(params()))
    names = [name for name, _ in COMPARISONS]
    for name in names:
        print(f"{name:15s} " + "  ".join(f"{lv}: u={u[name][lv]:.2e} (was {p['u'][name][lv]:.2e})" for lv in u[name]))
    print(f"estimated in {time.perf_counter() - t0:.1f} s")
    if not args.dry_run:
        p["u"] = {name: u[name] for name in names}
        Path(PARAMS).write_text(json.dumps(p, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {PARAMS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
