"""Fixtures for the web UI tests: a database of real records from ../shared (imported with the project CLI)
plus one hostile record built from a real one, shared by the page tests and the browser tests (on each backend)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from backends import Databases
from helpers import cli

# The hostile strings of the XSS check: a script element, and an attribute break-out into an <img> with a handler.
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
XSS_ID = "NCT09999999"
XSS_TITLE = f"XSS probe {SCRIPT} {BREAKOUT} trial"
# A record can carry any URL; a javascript: one must never become a link.
XSS_URL = "javascript:alert(1)"

SOURCES = ("seeds", "data/ctgov/v2/export_50_studies.json", "data/ctgov/csv_export/ipsc_search_export.csv")


def hostile_record(real: dict) -> dict:
    """A real record with a fresh ID (so it is a new trial, not a new version of the real one) whose title, criteria
    and a condition carry the hostile strings."""
    rec = json.loads(json.dumps(real))
    rec["id"] = XSS_ID
    rec["registry"] = "ClinicalTrials.gov"
    rec["registry_ids"] = [{"id": XSS_ID, "registry": "ClinicalTrials.gov", "kind": "primary"}]
    rec["study_id"] = XSS_ID
    rec["title"] = XSS_TITLE
    rec["official_title"] = f"Official {BREAKOUT} {SCRIPT}"
    el = rec.setdefault("eligibility", {})
    el["text"] = f"Inclusion Criteria:\n- {SCRIPT}\n- {BREAKOUT}"
    el["inclusion"] = [SCRIPT, BREAKOUT]
    el["exclusion"] = [f"{BREAKOUT} and {SCRIPT}"]
    rec["conditions"] = [{"text": f"Condition {BREAKOUT}", "terms": []}, *rec.get("conditions", [])]
    rec["source"] = {**rec["source"], "url": XSS_URL}
    return rec


@pytest.fixture(scope="session")
def web_db(shared: Path, tmp_path_factory: pytest.TempPathFactory, backend: str, databases: Databases) -> str:
    folder = tmp_path_factory.mktemp("web")
    db = databases.new(backend, folder, "web")
    run = cli(db, "import", *(str(shared / s) for s in SOURCES))
    # The import itself is tested elsewhere; here it only has to land the records (exit 1 reports per-record
    # problems, e.g. an annotation step that failed, with the records still stored).
    assert run.code in (0, 1) and " 0 new" not in run.stdout, run.stdout + run.stderr
    export = folder / "all.jsonl"
    assert cli(db, "export", "--format", "jsonl", "--out", str(export)).code == 0
    real = next(json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()
                if json.loads(line)["id"] == "NCT03123458")
    hostile = folder / "hostile.jsonl"
    hostile.write_text(json.dumps(hostile_record(real)) + "\n", encoding="utf-8")
    run = cli(db, "import", str(hostile))
    assert run.code in (0, 1) and "imported: 1 new" in run.stdout, run.stdout + run.stderr
    return db


@pytest.fixture(scope="session")
def xss() -> SimpleNamespace:
    """The hostile strings and the ID of the record that carries them (test modules can't import conftest)."""
    return SimpleNamespace(script=SCRIPT, breakout=BREAKOUT, id=XSS_ID, title=XSS_TITLE, url=XSS_URL)
