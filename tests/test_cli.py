"""The CLI per CONTRACT.md, on real records: show formats, search filters, export, stats, usage errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from backends import Databases
from helpers import cli


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, backend: str, databases: Databases, shared: Path) -> str:
    path = databases.new(backend, tmp_path_factory.mktemp("cli"))
    run = cli(path, "import", str(shared / "seeds"), str(shared / "data/ctgov/v2/export_50_studies.json"),
              str(shared / "data/ctgov/csv_export/ipsc_search_export.csv"))
    assert run.code == 0, run.stderr
    return path


def test_show_text_groups_fields_like_the_seeds(db: str):
    run = cli(db, "show", "NCT03123458")
    assert run.code == 0
    text = run.stdout
    headings = ["General", "Administrative information and IDs", "Conditions", "Cell product", "Design", "Arms",
                "Outcomes", "Eligibility", "Locations", "Contacts", "Sponsors", "Source"]
    positions = [text.index("\n" + h + "\n") for h in headings]
    assert positions == sorted(positions)
    for value in ("enrolling by invitation", "2016-01-01 (actual)", "GIMI-IRB-17001", "clonal fetal MSCs",
                  "Tissue Damage", "Pregnancy.", "Shenzhen", "518000", "Lung-Ji Chang"):
        assert value in text, value


def test_show_hpscreg_layout(db: str):
    run = cli(db, "show", "ChiCTR2000031139", "--format", "hpscreg")
    assert run.code == 0
    for line in ("General Information", "Administrative Information", "Clinical trials phase Other",
                 "Start date (estimated) 2020-03-20", "Label COVID-19", "Name ChiCTR2000031139",
                 "Label mesenchymal stem cell", "Recruitment Status Recruiting"):
        assert line in run.stdout, line


def test_search_text_and_filters(db: str):
    run = cli(db, "search", "mesenchymal", "--json", "--limit", "100")
    data = json.loads(run.stdout)
    assert data["total"] >= 2
    ids = [r["id"] for r in data["results"]]
    assert "NCT03123458" in ids
    for rec in data["results"]:
        blob = json.dumps(rec).lower()
        assert "mesenchymal" in blob
    recruiting = json.loads(cli(db, "search", "--status", "recruiting", "--json", "--limit", "500").stdout)
    assert recruiting["total"] > 0
    assert all(r["status"] == "recruiting" for r in recruiting["results"])
    china = json.loads(cli(db, "search", "--country", "China", "--json", "--limit", "500").stdout)
    assert all(any(loc["country"] == "China" for loc in r["locations"]) for r in china["results"])
    aged = json.loads(cli(db, "search", "--age", "5", "--json", "--limit", "500").stdout)
    for r in aged["results"]:
        el = r["eligibility"]
        assert (el["min_age_years"] is None or el["min_age_years"] <= 5)
        assert (el["max_age_years"] is None or el["max_age_years"] >= 5)
    assert "NCT03123458" in [r["id"] for r in aged["results"]]


def test_search_survives_fts_syntax_in_user_text(db: str):
    for query in ('"unbalanced', "AND OR NOT", "col:umn*", "(((", "NEAR(a b)"):
        run = cli(db, "search", query)
        assert run.code == 0, query


def test_export_csv_and_stats(db: str):
    run = cli(db, "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    n = json.loads(cli(db, "stats", "--json").stdout)["trials"]
    assert len(rows) == n
    seed = next(r for r in rows if r["id"] == "NCT03123458")
    assert seed["status"] == "unknown" and seed["phases"] == "phase1" and seed["min_age_years"] == "1"
    stats = json.loads(cli(db, "stats", "--json").stdout)
    assert sum(stats["status"].values()) == n
    assert stats["registry"]["ChiCTR"] == 1


def test_usage_errors_exit_2(db: str):
    assert cli(db, "import").code == 2
    assert cli(db, "show", "NCT03123458", "--format", "pdf").code == 2
    assert cli(db, "import", "--format", "nonsense", "x").code == 2


def test_console_entry_point(db: str):
    out = subprocess.run([sys.executable, "-m", "stemtrials", "--db", str(db), "show", "NCT03123458",
                          "--format", "json"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["id"] == "NCT03123458"


def test_demo_imports_the_bundled_sample_and_shows_a_trial(db_url: str):
    # The README's main job without its last step (serving): the bundled real sample, a trial page, the landscape.
    run = cli(db_url, "demo", "--no-serve")
    assert run.code == 0, run.stderr
    summary = next(line for line in run.stdout.splitlines() if line.startswith("imported:"))
    assert summary.endswith(" 0 errors") and not summary.startswith("imported: 0 new"), summary
    assert "NCT03123458" in run.stdout and "Mesenchymal" in run.stdout
