#!/usr/bin/env python3
"""Evaluate the cell-product annotator on the shared sample.

    .venv/bin/python bench/eval_cell_products.py [--misses N] [--show-ipsc] [--show-hpscreg]

(a) Stem-cell detection: the 995 MSC trials of ``ctgov/classic/msc_trials_study_fields.jsonl.gz`` and the 66 trials of
    the iPSC search export (``ctgov/csv_export/ipsc_search_export.csv``): share detected as stem-cell trials (a product
    whose category is one of the six stem categories), the category each gets, and the misses.
(b) hPSCreg cell-type agreement: each row of ``hpscreg/hpscreg_trials_scrape.tsv`` becomes a record *as a curator
    would receive a new hPSCreg trial* — title, phase, conditions, country, size, ages, sex, dates, but no cell-type
    section — the annotator runs, and its cell type is compared with the curators' ``tipo_celula`` resolved in the
    snapshot (CL, or Uberon for the three tissue labels). Exact agreement, and "within one ancestor step" (the
    prediction is the curated term's parent or child) reported apart. Rows without a curated label are skipped.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stemtrials import vocab  # noqa: E402
from stemtrials.enrich.cell_products import STEM, annotate_cell_products, brands, phrases, terms  # noqa: E402
from stemtrials.enrich.ontology import snapshot  # noqa: E402
from stemtrials.model import Condition, Dates, Eligibility, Enrollment, Location, Source, TrialRecord  # noqa: E402
from stemtrials.sources import ctgov_classic, ctgov_csv  # noqa: E402
from stemtrials.sources.base import Parsed  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
MSC = SHARED / "ctgov/classic/msc_trials_study_fields.jsonl.gz"
IPSC = SHARED / "ctgov/csv_export/ipsc_search_export.csv"
HPSCREG = SHARED / "hpscreg/hpscreg_trials_scrape.tsv"
AUDIT = ROOT / "bench" / "data" / "msc_detection_audit.tsv"


def read_records(module, path: Path) -> list[TrialRecord]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return [p.record for p in module.read(fh, path.name) if isinstance(p, Parsed)]


def read_audit(path: Path) -> dict[str, str]:
    """nct_id → verdict of the hand-judged misses (bench/data/msc_detection_audit.tsv)."""
    with path.open(encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        return {r["nct_id"]: r["verdict"] for r in rows}


def detection(name: str, records: list[TrialRecord], misses: int, audit: dict[str, str] | None = None) -> None:
    t0 = time.perf_counter()
    annotated = [annotate_cell_products(r) for r in records]
    dt = time.perf_counter() - t0
    hit = [a for a in annotated if a.is_stem_cell_trial()]
    cats = Counter(p.category for a in annotated for p in a.cell_products[:1])
    print(f"\n== {name}: {len(hit)}/{len(records)} detected as stem-cell trials = {len(hit) / len(records):.1%} "
          f"({dt / len(records) * 1000:.2f} ms/record incl. warm-up)")
    print("   first product's category:", ", ".join(f"{k or 'none'} {v}" for k, v in cats.most_common()))
    missed = [a for a in annotated if not a.is_stem_cell_trial()]
    kinds = Counter("extracellular vesicles only"
                    if any(p.category == "extracellular_vesicles" for p in a.cell_products)
                    else "non-stem cell therapy only" if a.cell_products else "no cell product found"
                    for a in missed)
    print(f"   misses ({len(missed)}):", ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    if audit is not None:
        # The figure the sample supports: trials that really give a stem-cell product, judged by reading each miss.
        judged_out = {i for i, v in audit.items() if v != "stem_cell_trial"}
        unjudged = [a.id for a in missed if a.id not in audit]
        real = len(records) - len({a.id for a in records} & judged_out)
        print(f"   leaving out the {len(judged_out)} misses judged not to be stem-cell trials ({AUDIT.name}): "
              f"{len(hit)}/{real} = {len(hit) / real:.1%} detected (detections themselves are not judged there)"
              + (f"; {len(unjudged)} misses not judged yet: {', '.join(unjudged)}" if unjudged else ""))
    for a in missed[:misses]:
        ivs = "; ".join(f"{i.type}: {i.name}" for i in a.interventions)[:110]
        got = ", ".join(f"{p.category}" for p in a.cell_products) or "-"
        print(f"     {a.id} [{a.study_type}] {a.title[:95] if a.title else ''} || {ivs} || got: {got}")


def hpscreg_record(row: dict[str, str]) -> TrialRecord:
    conds = [c for c in (row["condicion_primaria_estudio"], row["condicion_secundaria_estudio"]) if c.strip()]
    return TrialRecord(
        id=f"hPSCreg-{row['url'].rstrip('/').rsplit('/', 1)[-1]}", registry="hPSCreg",
        title=vocab.clean(row["estudio_clinico"]),
        study_type=vocab.study_type(row["tipo_estudio"]), phases=vocab.phases(row["fase_estudio_clinico"]),
        conditions=[Condition(text=c.strip()) for c in conds],
        enrollment=Enrollment(count=vocab.enrollment_count(row["n_participantes"])),
        dates=Dates(start=vocab.date_info(row["fecha_inicio"]), completion=vocab.date_info(row["fecha_conclusion"])),
        eligibility=Eligibility(min_age_years=vocab.age_years(row["edad_min_participante"] or None),
                                max_age_years=vocab.age_years(row["edad_max_participante"] or None),
                                sex=vocab.sex(row["genero_participante"])),
        locations=[Location(country=row["pais"])] if row["pais"].strip() else [],
        source=Source(format="hpscreg_text", url=row["url"]),
    )


def gold_term(label: str) -> str | None:
    t = terms.cell_term(label) or terms.cell_term(label, "UBERON")
    return t.id if t else None


def hpscreg(show: bool, table: bool = True) -> None:
    with HPSCREG.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    labelled = [r for r in rows if r["tipo_celula"].strip()]
    exact = near = 0
    wrong = []
    for row in labelled:
        gold = gold_term(row["tipo_celula"].strip())
        rec = annotate_cell_products(hpscreg_record(row))
        pred = next((p.cell_type.id for p in rec.cell_products if p.cell_type and p.cell_type.id), None)
        if pred == gold:
            exact += 1
            continue
        if pred and gold and (gold in (snapshot.term(pred).parents if snapshot.term(pred) else [])
                              or pred in (snapshot.term(gold).parents if snapshot.term(gold) else [])):
            near += 1
            tag = "near"
        else:
            tag = "miss"
        plabel = snapshot.term(pred).label if pred and snapshot.term(pred) else None
        wrong.append((tag, row["id"], row["tipo_celula"], gold, plabel, pred, row["estudio_clinico"][:90]))
    n = len(labelled)
    how = "" if table else " — WITHOUT the product table (general methods only)"
    print(f"\n== hPSCreg cell type{how}: {len(rows)} rows, {len(rows) - n} without a curated label (skipped), "
          f"{n} scored")
    print(f"   exact agreement: {exact}/{n} = {exact / n:.1%}")
    print(f"   within one ancestor step (not exact): {near}/{n} = {near / n:.1%}; exact or within: "
          f"{(exact + near) / n:.1%}")
    if show:
        for w in wrong:
            print("   ", *w, sep=" | ")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--misses", type=int, default=40)
    ap.add_argument("--show-hpscreg", action="store_true")
    args = ap.parse_args()
    print("stem categories:", ", ".join(STEM))
    detection("MSC trials (classic API, 995)", read_records(ctgov_classic, MSC), args.misses, read_audit(AUDIT))
    detection("iPSC search export (CSV, 66)", read_records(ctgov_csv, IPSC), args.misses)
    hpscreg(args.show_hpscreg)
    # the same with the brand table switched off: how much the general methods (lexicon, ontology, indication
    # priors) do alone on records whose title often names only a code ("FT538", "VX-880")
    brands.find.cache_clear()
    phrases._read.cache_clear()
    original = brands.load
    brands.load = lambda: ((), _NoBrands(), {})  # type: ignore[assignment]
    try:
        hpscreg(args.show_hpscreg, table=False)
    finally:
        brands.load = original  # type: ignore[assignment]
        brands.find.cache_clear()


class _NoBrands:
    def scan(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[object]:
        return iter(())


if __name__ == "__main__":
    main()
