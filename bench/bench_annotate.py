#!/usr/bin/env python3
"""Microbenchmark of condition linking: milliseconds per record over the 995 classic CT.gov records of ../shared.

    .venv/bin/python bench/bench_annotate.py [--data FILE] [--repeat N]

Reports the one-off costs (snapshot open, in-memory index load) apart from the per-record cost, which is measured
on the first pass (nothing cached: every distinct condition text is matched) and on later passes (texts seen before
come from the per-text cache, as they do in a long import). The target is < 1 ms per record on average. CPU time
is printed beside wall time: on a shared machine it is the steadier of the two.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from eval_conditions import DATA, load_records  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    records = load_records(args.data)

    t0 = time.perf_counter()
    from stemtrials.enrich.ontology import snapshot

    snapshot.term("MONDO:0100096")
    t1 = time.perf_counter()
    from stemtrials.enrich.ontology.index import get_index
    from stemtrials.enrich.ontology.linker import link_conditions

    get_index()
    t2 = time.perf_counter()
    print(f"records: {len(records)}  conditions: {sum(len(r.conditions) for r in records)}")
    print(f"snapshot open + first lookup: {(t1 - t0) * 1000:.0f} ms   linker index load: {(t2 - t1) * 1000:.0f} ms")

    for label, probe in (("without registry MeSH", [r.model_copy(update={"condition_mesh": []}) for r in records]),
                         ("with registry MeSH", records)):
        passes, cpu = [], []
        for _ in range(max(args.repeat, 1)):
            start, start_cpu = time.perf_counter(), time.process_time()
            for r in probe:
                link_conditions(r)
            passes.append((time.perf_counter() - start) * 1000 / len(probe))
            cpu.append((time.process_time() - start_cpu) * 1000 / len(probe))
        warm = statistics.median(passes[1:]) if len(passes) > 1 else passes[0]
        warm_cpu = statistics.median(cpu[1:]) if len(cpu) > 1 else cpu[0]
        print(f"{label:<22} first pass {passes[0]:.3f} ms/record (CPU {cpu[0]:.3f})   later passes (median) "
              f"{warm:.3f} ms/record (CPU {warm_cpu:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
