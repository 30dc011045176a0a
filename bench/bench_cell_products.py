#!/usr/bin/env python3
"""Time the cell-product annotator: ms per record over the 995 shared MSC trials (a benchmark, not a test).

    .venv/bin/python bench/bench_cell_products.py [--repeat N]

Reported separately: the one-time start-up (imports, opening the ontology snapshot, first record), the first pass
over the 995 records (the figure that counts: every text seen for the first time) and later passes (texts cached —
the same intervention names recur across trials). CPU time is reported next to wall time: on a shared machine the
wall clock also counts other people's processes.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stemtrials.sources import ctgov_classic  # noqa: E402
from stemtrials.sources.base import Parsed  # noqa: E402

MSC = ROOT.parent / "shared" / "data" / "ctgov/classic/msc_trials_study_fields.jsonl.gz"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    with gzip.open(MSC, "rb") as fh:
        records = [p.record for p in ctgov_classic.read(fh, MSC.name) if isinstance(p, Parsed)]
    t0, c0 = time.perf_counter(), time.process_time()
    from stemtrials.enrich.cell_products import annotate_cell_products

    annotate_cell_products(records[0])
    print(f"start-up (import + snapshot + first record): {(time.perf_counter() - t0) * 1000:.0f} ms wall, "
          f"{(time.process_time() - c0) * 1000:.0f} ms CPU")
    for k in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        for r in records:
            annotate_cell_products(r)
        n = len(records)
        print(f"pass {k + 1} over {n} records: {(time.perf_counter() - t) / n * 1000:.3f} ms/record wall, "
              f"{(time.process_time() - c) / n * 1000:.3f} ms/record CPU")


if __name__ == "__main__":
    main()
