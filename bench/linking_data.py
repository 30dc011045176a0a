"""Real records for the linking scripts: everything in ../shared/data and ../shared/seeds, read with the project's own
importers (format detection + ``read``), in a stable order. Shared by train_linking.py, eval_linking.py and
bench_linking.py; not a test fixture.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from stemtrials import sources  # noqa: E402
from stemtrials.model import TrialRecord  # noqa: E402
from stemtrials.sources.base import ImportProblem  # noqa: E402
from stemtrials.sources.inputs import InputError, iter_inputs, read_head  # noqa: E402

CACHE = Path("/tmp/stemtrials_linking_records.pkl")


def load_records(paths: list[Path] | None = None, use_cache: bool = True, verbose: bool = True) -> list[TrialRecord]:
    """Every record the importers read from ``paths`` (default: ../shared/data and ../shared/seeds), copies included:
    the same trial read from two files is two records here, as it is two inputs to the store."""
    paths = paths or [SHARED / "data", SHARED / "seeds"]
    key = tuple(str(p) for p in paths)
    if use_cache and CACHE.exists():
        with CACHE.open("rb") as fh:
            cached_key, records = pickle.load(fh)
        if cached_key == key:
            return records
    records: list[TrialRecord] = []
    for item in iter_inputs([str(p) for p in paths]):
        if isinstance(item, InputError):
            continue
        fmt = sources.detect(read_head(item), item.inner_name)
        if fmt is None:
            continue
        n = 0
        with item.open() as stream:
            for result in fmt.read(stream, item.name):
                if isinstance(result, ImportProblem):
                    continue
                records.append(result.record)
                n += 1
        if verbose and n:
            print(f"  read {n:5d} records ({fmt.NAME}) from {Path(item.name).relative_to(SHARED)}", file=sys.stderr)
    if use_cache:
        with CACHE.open("wb") as fh:
            pickle.dump((key, records), fh)
    return records
