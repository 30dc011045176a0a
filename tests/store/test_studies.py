"""Studies in the store: records of one trial across registries share a study; curators' decisions survive
re-imports; search counts studies unless asked for records."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from helpers import cli

CSV = "data/ictrp/COVID19-927-trials_7Apr2020.csv.gz"


@pytest.fixture()
def covid_db(db_url: str, shared: Path) -> str:
    # The ICTRP rows of the CAStem trials and their neighbours, plus the hPSCreg seed of ChiCTR2000031139.
    db = db_url
    run = cli(db, "import", str(shared / "seeds/000_c4e1eefd5bb6b75c.txt"), str(shared / CSV))
    assert run.code == 0, run.stderr
    return db


def _show(db: Path, ident: str) -> dict:
    run = cli(db, "show", ident, "--format", "json")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def test_castem_trials_stay_apart(covid_db: str):
    chictr = _show(covid_db, "ChiCTR2000031139")
    nct = _show(covid_db, "NCT04331613")
    assert chictr["study_id"] != nct["study_id"]
    # The seed and the ICTRP row of ChiCTR2000031139 are one record, with two versions from two sources.
    formats = {v["source_format"] for v in json.loads(
        cli(covid_db, "show", "ChiCTR2000031139", "--history", "--format", "json").stdout)["versions"]}
    assert formats == {"hpscreg_text", "ictrp_table"}


def test_cross_registered_trial_forms_one_study_with_discrepancies(covid_db: str):
    # DisCoVeRy: EudraCT 2020-000936-23 and NCT04315948 are one trial (INSERM).
    eu = _show(covid_db, "2020-000936-23")
    nct = _show(covid_db, "NCT04315948")
    assert eu["study_id"] == nct["study_id"] == "NCT04315948"
    study = json.loads(cli(covid_db, "show", "NCT04315948", "--study").stdout)
    assert {r["id"] for r in study["records"]} == {"2020-000936-23", "NCT04315948"}
    assert study["links"] and all("evidence" in lk for lk in study["links"])
    assert "countries" in study["discrepancies"]


def test_split_and_confirm_survive_reimport(covid_db: str, shared: Path, tmp_path: Path):
    split = cli(covid_db, "link", "split", "NCT04315948", "2020-000936-23", "--by", "curator-a", "--note", "test")
    assert split.code == 0, split.stderr
    assert _show(covid_db, "2020-000936-23")["study_id"] != _show(covid_db, "NCT04315948")["study_id"]
    # A changed re-import (another snapshot of the CSV) re-links; the curator's split holds.
    rows = gzip.decompress((shared / CSV).read_bytes()).decode("utf-8-sig").splitlines(keepends=True)
    changed = tmp_path / "again.csv"
    changed.write_text("".join(rows).replace("Recruiting", "Not Recruiting", 3), encoding="utf-8")
    again = cli(covid_db, "import", str(changed))
    assert again.code == 0, again.stderr
    assert _show(covid_db, "2020-000936-23")["study_id"] != _show(covid_db, "NCT04315948")["study_id"]

    confirm = cli(covid_db, "link", "confirm", "ChiCTR2000031139", "NCT04331613", "--by", "curator-b")
    assert confirm.code == 0
    assert _show(covid_db, "ChiCTR2000031139")["study_id"] == _show(covid_db, "NCT04331613")["study_id"]
    unknown = cli(covid_db, "link", "confirm", "ChiCTR2000031139", "NCT00000000")
    assert unknown.code == 1 and "NCT00000000" in unknown.stderr


def test_search_counts_studies_unless_records_are_asked(covid_db: str):
    from stemtrials.query.search import Filters, search
    from stemtrials.store import open_engine

    engine = open_engine(covid_db)
    studies = search(engine, Filters(q="COVID"), limit=1000)
    records = search(engine, Filters(q="COVID", per_record=True), limit=1000)
    assert records.total > studies.total
    assert len({h.record["study_id"] for h in studies.hits}) == len(studies.hits) == studies.total


def test_an_import_stopped_before_relinking_is_relinked_by_the_next(db_url: str, shared: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    # The records commit file by file; the re-link runs after the last one. A stop in between (kill -9, Ctrl-C)
    # must not leave the studies stale for good, although re-running the import finds nothing new to store.
    from stemtrials.store import open_engine, studies
    from stemtrials.store.state import links_stale

    def stopped(_engine):
        raise KeyboardInterrupt

    monkeypatch.setattr(studies, "relink", stopped)
    assert cli(db_url, "import", str(shared / CSV)).code == 130
    engine = open_engine(db_url)
    assert links_stale(engine)
    assert _show(db_url, "2020-000936-23")["study_id"] != _show(db_url, "NCT04315948")["study_id"]
    monkeypatch.undo()
    again = cli(db_url, "import", str(shared / CSV))
    assert again.code == 0 and "0 new, 0 updated" in again.stdout, again.stdout + again.stderr
    assert not links_stale(engine)
    assert _show(db_url, "2020-000936-23")["study_id"] == _show(db_url, "NCT04315948")["study_id"] == "NCT04315948"
    engine.dispose()
