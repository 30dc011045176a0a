#!/usr/bin/env python3
"""Build the sample data bundled inside the package (src/stemtrials/data/sample) from ../shared.

Deterministic: the same ../shared gives the same files. Re-run after changing the selection; commit the result.
The selection mixes every CT.gov-family format the package reads, so `stemtrials demo` exercises them all:
the two seeds, 50 API v2 studies, every third MSC trial of the classic study_fields snapshot (plus NCT03123458),
the 66-trial iPSC website CSV export, small legacy XML records and one classic FullStudiesResponse file.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "src" / "stemtrials" / "data" / "sample"

NOTICE = """# Bundled sample data — sources and licences

Real registry records, copied unchanged (or as a subset of lines) from the project's shared test material by
`scripts/build_sample.py`. ClinicalTrials.gov records are public data of the U.S. National Library of Medicine.

| file | what | source | licence |
|---|---|---|---|
| `seeds/hpscreg_ChiCTR2000031139.txt` | hPSCreg clinical-study record, trial 78 (CAStem, ChiCTR2000031139) | hPSCreg (hpscreg.eu), the project's seed | hPSCreg terms of use |
| `seeds/ctgov_page_NCT03123458.txt` | ClinicalTrials.gov study page text of NCT03123458 | ClinicalTrials.gov, the project's seed | public data |
| `ctgov_v2/export_50_studies.json.gz` | 50 studies, ClinicalTrials.gov API v2 JSON | dgg32/clinical-trials-public | public data |
| `ctgov_classic/msc_study_fields_subset.jsonl.gz` | {n_classic} mesenchymal-stem-cell trials, classic API study_fields JSON (snapshot 2022) | jesnyder/mapClinical | public data |
| `ctgov_csv/ipsc_search_export.csv` | 66 iPSC trials, ClinicalTrials.gov website CSV export | jesnyder/allogenic | MIT repo; public data |
| `ctgov_legacy_xml/*.xml` | {n_xml} legacy `<clinical_study>` XML records | ctti-clinicaltrials/aact `spec/support/xml_data/` | MIT |
| `ctgov_classic/NCT04780763.json` | one classic API FullStudiesResponse | ctti-clinicaltrials/aact | MIT |
"""


def main() -> int:
    if not (SHARED / "data").is_dir():
        print(f"../shared not found at {SHARED}", file=sys.stderr)
        return 2
    if OUT.exists():
        shutil.rmtree(OUT)
    for sub in ("seeds", "ctgov_v2", "ctgov_classic", "ctgov_csv", "ctgov_legacy_xml"):
        (OUT / sub).mkdir(parents=True)
    data = SHARED / "data" / "ctgov"
    shutil.copy(SHARED / "seeds" / "000_c4e1eefd5bb6b75c.txt", OUT / "seeds" / "hpscreg_ChiCTR2000031139.txt")
    shutil.copy(SHARED / "seeds" / "004_e65ca66711663aaa.txt", OUT / "seeds" / "ctgov_page_NCT03123458.txt")
    with open(data / "v2" / "export_50_studies.json", "rb") as src, \
            gzip.GzipFile(OUT / "ctgov_v2" / "export_50_studies.json.gz", "wb", mtime=0) as dst:
        shutil.copyfileobj(src, dst)
    kept = 0
    with gzip.open(data / "classic" / "msc_trials_study_fields.jsonl.gz", "rt", encoding="utf-8") as src, \
            gzip.GzipFile(OUT / "ctgov_classic" / "msc_study_fields_subset.jsonl.gz", "wb", mtime=0) as raw_dst:
        for number, line in enumerate(src):
            if number % 3 == 0 or "NCT03123458" in json.loads(line).get("NCTId", []):
                raw_dst.write(line.encode("utf-8"))
                kept += 1
    shutil.copy(data / "classic_full_studies" / "NCT04780763.json", OUT / "ctgov_classic" / "NCT04780763.json")
    shutil.copy(data / "csv_export" / "ipsc_search_export.csv", OUT / "ctgov_csv" / "ipsc_search_export.csv")
    xml_files = sorted(p for p in (data / "legacy_xml").glob("NCT*.xml") if p.stat().st_size < 16_000)
    for path in xml_files:
        shutil.copy(path, OUT / "ctgov_legacy_xml" / path.name)
    (OUT / "NOTICE.md").write_text(NOTICE.format(n_classic=kept, n_xml=len(xml_files)), encoding="utf-8")
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"sample written to {OUT}: {kept} classic records, {len(xml_files)} XML files, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
