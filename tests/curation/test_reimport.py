"""Overrides survive re-imports: the same source file again stays 'unchanged' with the curation in place, and a newer
version of the record from the registry (the real seed page with a later last-update date) keeps it too; a target
the new version lacks leaves the override pending, not lost."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from curation_helpers import NCT, SEED_PAGE, condition_terms, product
from helpers import cli


def _newer_page(shared: Path, folder: Path, *, rename_condition: str | None = None,
                allogeneic: bool = False) -> Path:
    """The NCT03123458 page as the registry would show it after an update a year later (derived from the seed):
    optionally with a condition renamed, or with the title and arm saying the cells are allogeneic and infused."""
    text = (shared / SEED_PAGE).read_text(encoding="utf-8")
    newer = text.replace("Last Update Posted : February 26, 2018", "Last Update Posted : March 4, 2019")
    newer = newer.replace("Last Update Posted: | February 26, 2018", "Last Update Posted: | March 4, 2019")
    if rename_condition:
        newer = newer.replace("Tissue Damage", rename_condition)
    if allogeneic:
        newer = newer.replace("Clonal Fetal Mesenchymal Stem Cells (cfMSCs) for the Control",
                              "Allogeneic Clonal Fetal Mesenchymal Stem Cells (cfMSCs) for the Control")
        newer = newer.replace("\ncfMSCs treatment\n", "\nallogeneic cfMSCs treatment, given by intravenous infusion\n")
    assert newer.count("March 4, 2019") == 2 and newer != text
    path = folder / "NCT03123458_2019.txt"
    path.write_text(newer, encoding="utf-8")
    return path


def _show(db: Path) -> dict:
    run = cli(db, "show", NCT, "--format", "json", "--history")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def _curate(client: TestClient, people) -> None:
    for path, body in (("condition", {"condition": "Tissue Damage", "terms": ["MONDO:0005416"]}),
                       ("condition", {"condition": "Immune Related Disorder", "terms": []}),
                       ("cell_product", {"product": "clonal fetal MSCs", "field": "donor", "value": "allogeneic"}),
                       ("cell_product", {"product": "clonal fetal MSCs", "field": "source_tissue",
                                         "value": "UBERON:0002371"})):
        r = client.put(f"/api/trials/{NCT}/overrides/{path}", headers=people.auth("curator"), json=body)
        assert r.status_code == 200, r.text


def _assert_curated(record: dict) -> None:
    assert condition_terms(record, "Tissue Damage") == ["MONDO:0005416"]
    assert condition_terms(record, "Immune Related Disorder") == []
    msc = product(record, "clonal fetal MSCs")
    assert msc["donor"] == "allogeneic" and msc["source_tissue"] == {"id": "UBERON:0002371", "label": "bone marrow"}


def test_override_survives_reimport_of_the_same_file(client: TestClient, people, db: Path, shared: Path):
    _curate(client, people)
    curated = _show(db)
    _assert_curated(curated)
    run = cli(db, "import", str(shared / SEED_PAGE))
    assert run.code == 0 and "0 new, 0 updated, 1 unchanged" in run.stdout, run.stdout
    again = _show(db)
    _assert_curated(again)
    assert [v["source_format"] for v in again["versions"]] == ["ctgov_page"] + ["curation"] * 4
    search = json.loads(cli(db, "search", "--condition", "MONDO:0005416", "--json").stdout)
    assert [h["id"] for h in search["results"]] == [NCT]


def test_override_survives_a_newer_version_of_the_record(client: TestClient, people, db: Path, shared: Path,
                                                         tmp_path: Path):
    _curate(client, people)
    run = cli(db, "import", str(_newer_page(shared, tmp_path)))
    assert run.code == 0 and "0 new, 1 updated, 0 unchanged" in run.stdout, run.stdout
    record = _show(db)
    assert record["dates"]["last_update"]["date"] == "2019-03-04"  # the newer version is current …
    _assert_curated(record)  # … and carries the curation
    last = record["versions"][-1]
    assert last["current"] and last["source_format"] == "ctgov_page"
    assert [c["field"] for c in last["changes"]] == ["dates.last_update"]  # only the registry's change shows
    # Filters and facets follow the current version.
    assert json.loads(cli(db, "search", "--condition", "osteoarthritis", "--json").stdout)["total"] == 1
    assert client.get("/api/facets").json()["source_tissue"].get("bone marrow") == 1
    # Re-importing the newer file once more changes nothing.
    assert "1 unchanged" in cli(db, "import", str(tmp_path / "NCT03123458_2019.txt")).stdout


def test_an_override_whose_target_is_gone_waits(client: TestClient, people, db: Path, shared: Path,
                                                tmp_path: Path):
    _curate(client, people)
    run = cli(db, "import", str(_newer_page(shared, tmp_path, rename_condition="Tissue Injury")))
    assert run.code == 0 and "1 updated" in run.stdout
    record = _show(db)
    assert "Tissue Damage" not in [c["text"] for c in record["conditions"]]
    assert condition_terms(record, "Immune Related Disorder") == []  # the other overrides still apply
    pending = {o["target"]: o["applies"] for o in client.get(f"/api/trials/{NCT}/overrides").json()}
    assert pending == {"Tissue Damage": False, "Immune Related Disorder": True, "clonal fetal MSCs": True}


def test_removing_an_override_restores_what_the_annotator_says_now(client: TestClient, people, db: Path,
                                                                   shared: Path, tmp_path: Path):
    auth = people.auth("curator")
    r = client.put(f"/api/trials/{NCT}/overrides/cell_product", headers=auth,
                   json={"product": "clonal fetal MSCs", "field": "donor", "value": "autologous"})
    assert r.json()["override"]["original"] is None  # the imported page names no donor
    # The registry's next version says "allogeneic": the annotator reads it, the curator's value still wins …
    assert "1 updated" in cli(db, "import", str(_newer_page(shared, tmp_path, allogeneic=True))).stdout
    assert product(_show(db), "clonal fetal MSCs")["donor"] == "autologous"
    override = client.get(f"/api/trials/{NCT}/overrides").json()[0]
    assert override["original"] == "allogeneic"
    # … until the override goes: then the annotator's current reading comes back, not the old empty one.
    r = client.delete(f"/api/trials/{NCT}/overrides/{override['id']}", headers=auth)
    assert r.status_code == 200
    assert product(_show(db), "clonal fetal MSCs")["donor"] == "allogeneic"
