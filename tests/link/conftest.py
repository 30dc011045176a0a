"""Real records for the linking tests, read with the project's importers (module-level caches: the ICTRP files take
seconds to read)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import pytest

from stemtrials.model import TrialRecord
from stemtrials.sources import ctgov_classic, hpscreg_text, ictrp_table
from stemtrials.sources.base import Parsed


def _read(module, path: Path) -> list[TrialRecord]:  # type: ignore[no-untyped-def]
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        return [r.record for r in module.read(stream, str(path)) if isinstance(r, Parsed)]


@cache
def _ictrp_csv(shared: Path) -> list[TrialRecord]:
    return _read(ictrp_table, shared / "data/ictrp/COVID19-927-trials_7Apr2020.csv.gz")


@cache
def _ictrp_xlsx(shared: Path) -> list[TrialRecord]:
    return _read(ictrp_table, shared / "data/ictrp/ICTRP_29apr2020.xlsx")


@cache
def _classic(shared: Path) -> list[TrialRecord]:
    return _read(ctgov_classic, shared / "data/ctgov/classic/msc_trials_study_fields.jsonl.gz")


@pytest.fixture
def ictrp_csv(shared: Path) -> list[TrialRecord]:
    """The 927 records of the ICTRP COVID-19 CSV export (7 Apr 2020)."""
    return _ictrp_csv(shared)


@pytest.fixture
def ictrp_xlsx(shared: Path) -> list[TrialRecord]:
    return _ictrp_xlsx(shared)


@pytest.fixture
def classic(shared: Path) -> list[TrialRecord]:
    return _classic(shared)


@pytest.fixture
def seed_castem(shared: Path) -> TrialRecord:
    """The hPSCreg seed of trial 78 (ChiCTR2000031139, CAStem)."""
    (record,) = _read(hpscreg_text, shared / "seeds/000_c4e1eefd5bb6b75c.txt")
    return record

