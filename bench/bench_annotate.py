#!/usr/bin/env python3
"""Microbenchmark of condition linking: milliseconds per record over the 995 classic CT.gov records of ../shared.

    .venv/bin/python bench/bench_annotate.py [--data FILE] [--repeat N]
    .venv/bin/python bench/bench_annotate.py --corpus DIR [--sample 5000] [--json OUT]

``--corpus`` measures the whole annotation step of an import instead (issue #7's target: ≥ 5,000 records/s): the
first ``--sample`` records of a generated corpus (bench/gen_corpus.py) are parsed with their format's reader, then
``stemtrials.enrich.annotate`` runs over them once in this process, caches cold as at the start of an import (the
one-off index loads are timed apart). Prints records/s (wall and CPU) and the share of stem-cell trials found.

Reports the one-off costs (snapshot open, in-memory index load) apart from the per-record cost, which is measured
on the first pass (nothing cached: every distinct condition text is matched) and on later passes (texts seen before
come from the per-text cache, as they do in a long import). The target is < 1 ms per record on average. CPU time
is printed beside wall time: on a shared machine it is the steadier of the two.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from eval_conditions import DATA, load_records  # noqa: E402


def parse_corpus(corpus: Path, sample: int) -> tuple[list, float, float]:
    """The first ``sample`` records of a corpus (files in name order), and the wall and CPU seconds parsing took."""
    from stemtrials import sources

    records = []
    t0, c0 = time.perf_counter(), time.process_time()
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith(".")):
        with path.open("rb") as f:
            fmt = sources.detect(f.read(65536), path.name)
        if fmt is None:
            continue
        with path.open("rb") as f:
            for result in fmt.read(f, str(path)):
                if hasattr(result, "record"):
                    records.append(result.record)
                    if len(records) >= sample:
                        return records, time.perf_counter() - t0, time.process_time() - c0
    return records, time.perf_counter() - t0, time.process_time() - c0


def bench_corpus(corpus: Path, sample: int) -> dict:
    from stemtrials.enrich import annotate
    from stemtrials.enrich.cell_products import annotate_cell_products
    from stemtrials.enrich.ontology import link_conditions

    records, parse_s, parse_cpu = parse_corpus(corpus, sample)
    if not records:
        raise SystemExit(f"no records read from {corpus}")
    t0 = time.perf_counter()
    annotate(records[0])  # loads the linker index and the product tables: once per process
    load_s = time.perf_counter() - t0
    records = records[1:]
    out: dict = {"records": len(records), "parse_records_per_s": round(len(records) / parse_s),
                 "parse_cpu_records_per_s": round(len(records) / parse_cpu), "index_load_s": round(load_s, 2)}
    t0, c0 = time.perf_counter(), time.process_time()
    annotated = [annotate(r) for r in records]
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out.update(records_per_s=round(len(records) / wall), cpu_records_per_s=round(len(records) / cpu))
    stem = sum(r.is_stem_cell_trial() for r in annotated)
    out["stem_cell_share"] = round(stem / len(annotated), 4)
    # Each half on its own (second pass: the per-text caches are warm for conditions, which is the steady state).
    for name, step in (("conditions", link_conditions), ("cell_products", annotate_cell_products)):
        c0 = time.process_time()
        for r in records:
            step(r)
        out[f"{name}_cpu_ms_per_record"] = round((time.process_time() - c0) * 1000 / len(records), 3)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--corpus", type=Path, help="a generated corpus: time parse + annotate over its records")
    ap.add_argument("--sample", type=int, default=5000, help="records of --corpus to use (default 5000)")
    ap.add_argument("--json", type=Path, help="also write the --corpus figures here as JSON")
    args = ap.parse_args(argv)
    if args.corpus:
        figures = bench_corpus(args.corpus, args.sample)
        load = os.getloadavg()
        figures["machine"] = {"cores": os.cpu_count(), "load_average": [round(x, 2) for x in load]}
        print(json.dumps(figures, indent=2))
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        return 0
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
