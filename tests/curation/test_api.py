"""The curation API: who may write (anonymous 401, reader 403, curator and admin allowed), what a curator's override
does to the record everywhere it is read (show, search filters and facets, full text, history), removing it, link
decisions, and the audit endpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from curation_helpers import CHICTR, NCT, condition_terms, product
from helpers import cli
from stemtrials.store import accounts

PROBLEM = "application/problem+json"
WRITES = [
    ("put", f"/api/trials/{NCT}/overrides/condition", {"condition": "Tissue Damage", "terms": ["MONDO:0005416"]}),
    ("put", f"/api/trials/{NCT}/overrides/cell_product",
     {"product": "clonal fetal MSCs", "field": "donor", "value": "allogeneic"}),
    ("delete", f"/api/trials/{NCT}/overrides/1", None),
    ("post", f"/api/studies/{NCT}/links", {"other": CHICTR, "decision": "split"}),
]


def _call(client: TestClient, method: str, url: str, body: dict | None, headers: dict[str, str] | None = None):
    if body is None:
        return client.request(method.upper(), url, headers=headers)
    return client.request(method.upper(), url, json=body, headers=headers)


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_writes_refuse_anonymous_reader_and_revoked_tokens(client: TestClient, people, engine: Engine,
                                                          method: str, url: str, body: dict | None):
    anonymous = _call(client, method, url, body)
    assert anonymous.status_code == 401 and anonymous.headers["content-type"] == PROBLEM
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert anonymous.json()["status"] == 401
    reader = _call(client, method, url, body, people.auth("reader"))
    assert reader.status_code == 403 and reader.headers["content-type"] == PROBLEM
    assert "reader" in reader.json()["detail"]
    bogus = _call(client, method, url, body, {"Authorization": "Bearer stm_not-a-token"})
    assert bogus.status_code == 401
    # Nothing changed: no override, no audit entry about the record, the record as imported.
    assert client.get(f"/api/trials/{NCT}/overrides").json() == []
    assert client.get(f"/api/trials/{NCT}/audit").json() == []
    # A token stops working once revoked.
    token_id, token = accounts.issue_token(engine, "curator1", "cli:test")
    accounts.revoke_token(engine, "curator1", token_id, "cli:test")
    assert _call(client, method, url, body, {"Authorization": f"Bearer {token}"}).status_code == 401


def test_curator_condition_override_shows_in_show_search_facets_and_history(client: TestClient, people,
                                                                           db: Path):
    before = client.get(f"/api/trials/{NCT}").json()
    assert condition_terms(before, "Tissue Damage") == []  # the annotator left it unlinked
    # Knee osteoarthritis: found by its own CURIE and, through the ontology, by its parent "osteoarthritis".
    assert client.get("/api/trials", params={"condition": "MONDO:0005178"}).json()["total"] == 0
    r = client.put(f"/api/trials/{NCT}/overrides/condition", headers=people.auth("curator"),
                   json={"condition": "tissue  damage", "terms": ["MONDO:0005416"], "note": "knee cartilage"})
    assert r.status_code == 200, r.text
    change = r.json()
    assert change["override"]["target"] == "Tissue Damage" and change["override"]["set_by"] == "user:curator1"
    assert change["override"]["original"] == [] and change["override"]["applies"] is True
    assert condition_terms(change["record"], "Tissue Damage") == ["MONDO:0005416"]

    shown = json.loads(cli(db, "show", NCT, "--format", "json").stdout)
    term = next(c for c in shown["conditions"] if c["text"] == "Tissue Damage")["terms"][0]
    assert (term["id"], term["label"], term["method"]) == ("MONDO:0005416", "osteoarthritis, knee", "curator")
    assert "MESH:D020370" in term["xrefs"]
    for condition in ("MONDO:0005416", "MONDO:0005178", "osteoarthritis"):
        found = json.loads(cli(db, "search", "--condition", condition, "--json").stdout)
        assert [h["id"] for h in found["results"]] == [NCT], condition
    facets = client.get("/api/facets").json()
    assert facets["condition"].get("osteoarthritis, knee") == 1
    assert [h["id"] for h in client.get("/api/trials", params={"q": "osteoarthritis"}).json()["results"]] == [NCT]

    versions = json.loads(cli(db, "show", NCT, "--history", "--format", "json").stdout)["versions"]
    assert versions[-1]["current"] and versions[-1]["source_format"] == "curation"
    assert "curator1" in versions[-1]["source_file"]
    assert [c["field"] for c in versions[-1]["changes"]] == ["conditions"]


def test_curator_cell_product_override_and_removal(client: TestClient, people, db: Path):
    imported = product(client.get(f"/api/trials/{NCT}").json(), "clonal fetal MSCs")
    assert imported["donor"] is None and imported["cell_type"]["id"] == "CL:0000134"
    allogeneic_before = [h["id"] for h in client.get("/api/trials", params={"donor": "allogeneic"}).json()["results"]]
    assert NCT not in allogeneic_before
    auth = people.auth("curator")
    for field, value in (("donor", "Allogeneic"), ("cell_type", "CL:0002540"), ("route", "intravenous infusion")):
        r = client.put(f"/api/trials/{NCT}/overrides/cell_product", headers=auth,
                       json={"product": "#1", "field": field, "value": value})
        assert r.status_code == 200, r.text
        assert r.json()["override"]["target"] == "clonal fetal MSCs"  # keyed by the name, not the position
    curated = product(json.loads(cli(db, "show", NCT, "--format", "json").stdout), "clonal fetal MSCs")
    assert curated["donor"] == "allogeneic" and curated["route"] == "intravenous infusion"
    assert curated["cell_type"]["id"] == "CL:0002540"
    assert curated["cell_type"]["label"] == "mesenchymal stem cell of the bone marrow"
    allogeneic = [h["id"] for h in client.get("/api/trials", params={"donor": "allogeneic"}).json()["results"]]
    assert sorted(allogeneic) == sorted([NCT, *allogeneic_before])
    assert client.get("/api/facets").json()["donor"]["allogeneic"] == len(allogeneic_before) + 1
    found = json.loads(cli(db, "search", "--cell-type", "CL:0002540", "--json").stdout)
    assert [h["id"] for h in found["results"]] == [NCT]

    overrides = client.get(f"/api/trials/{NCT}/overrides").json()
    cell_type = next(o for o in overrides if o["field"] == "cell_type")
    assert cell_type["original"]["id"] == "CL:0000134"
    r = client.delete(f"/api/trials/{NCT}/overrides/{cell_type['id']}", headers=people.auth("admin"))
    assert r.status_code == 200 and r.json()["override"] is None
    assert product(r.json()["record"], "clonal fetal MSCs")["cell_type"] == imported["cell_type"]
    assert product(r.json()["record"], "clonal fetal MSCs")["donor"] == "allogeneic"  # the other overrides stay
    assert json.loads(cli(db, "search", "--cell-type", "CL:0002540", "--json").stdout)["total"] == 0
    removal = client.get(f"/api/trials/{NCT}/audit").json()[-1]
    assert removal["action"] == "override.remove" and removal["actor"] == "user:admin1"
    assert removal["before"]["value"]["id"] == "CL:0002540" and removal["after"]["value"]["id"] == "CL:0000134"


def test_accept_pins_the_current_annotation(client: TestClient, people):
    r = client.put(f"/api/trials/{NCT}/overrides/condition", headers=people.auth("curator"),
                   json={"condition": "Immune Related Disorder", "accept": True})
    assert r.status_code == 200
    assert r.json()["version"] is None  # the content is what it was: no new version
    assert [t["id"] for t in r.json()["override"]["value"]] == ["MONDO:0005046"]
    entry = client.get(f"/api/trials/{NCT}/audit").json()[-1]
    assert entry["action"] == "override.accept" and entry["before"]["value"] == entry["after"]["value"]


@pytest.mark.parametrize(("path", "body", "status", "says"), [
    ("condition", {"condition": "Tissue Damage", "terms": ["CL:0000134"]}, 422, "not a Mondo term"),
    ("condition", {"condition": "Tissue Damage", "terms": ["MONDO:9999999"]}, 422, "not a Mondo term"),
    ("condition", {"condition": "Tissue Damage"}, 422, "'terms'"),
    ("condition", {"condition": "Heart failure", "terms": ["MONDO:0005252"]}, 404, "Tissue Damage"),
    ("cell_product", {"product": "clonal fetal MSCs", "field": "donor", "value": "xenogeneic"}, 422, "allogeneic"),
    ("cell_product", {"product": "clonal fetal MSCs", "field": "category", "value": "ipsc"}, 422, "hipsc_derived"),
    ("cell_product", {"product": "no such product", "field": "route", "value": "iv"}, 404, "clonal fetal MSCs"),
])
def test_bad_overrides_are_refused_with_a_reason(client: TestClient, people, path: str, body: dict,
                                                  status: int, says: str):
    r = client.put(f"/api/trials/{NCT}/overrides/{path}", headers=people.auth("curator"), json=body)
    assert r.status_code == status and r.headers["content-type"] == PROBLEM
    assert says in r.json()["detail"]
    assert client.get(f"/api/trials/{NCT}/audit").json() == []


def test_link_decisions_through_the_api_are_audited_and_relink(client: TestClient, people):
    assert client.get(f"/api/trials/{NCT}").json()["study_id"] != client.get(f"/api/trials/{CHICTR}").json()["study_id"]
    r = client.post(f"/api/studies/{NCT}/links", headers=people.auth("curator"),
                    json={"other": CHICTR, "decision": "confirm", "note": "test of a confirm"})
    assert r.status_code == 200, r.text
    assert len(set(r.json()["study_of"].values())) == 1
    assert client.get(f"/api/trials/{NCT}").json()["study_id"] == client.get(f"/api/trials/{CHICTR}").json()["study_id"]
    r = client.post(f"/api/studies/{CHICTR}/links", headers=people.auth("admin"),
                    json={"other": NCT, "decision": "split"})
    assert r.status_code == 200 and len(set(r.json()["study_of"].values())) == 2
    # Both records' audit shows both decisions; the second says what it replaced.
    for rid in (NCT, CHICTR):
        entries = client.get(f"/api/trials/{rid}/audit").json()
        assert [(e["action"], e["actor"]) for e in entries] == [("link.confirm", "user:curator1"),
                                                               ("link.split", "user:admin1")]
        assert entries[1]["before"]["decision"] == "confirm" and entries[1]["after"]["decision"] == "split"
    assert client.post(f"/api/studies/{NCT}/links", headers=people.auth("curator"),
                       json={"other": "NCT00000000", "decision": "split"}).status_code == 404


def test_audit_log_for_admins_only_newest_first_and_paginated(client: TestClient, people):
    for terms in (["MONDO:0005416"], ["MONDO:0005178"], []):
        assert client.put(f"/api/trials/{NCT}/overrides/condition", headers=people.auth("curator"),
                          json={"condition": "Tissue Damage", "terms": terms}).status_code == 200
    assert client.get("/api/audit").status_code == 401
    assert client.get("/api/audit", headers=people.auth("curator")).status_code == 403
    everything = client.get("/api/audit", params={"limit": 500}, headers=people.auth("admin")).json()
    actions = [e["action"] for e in everything["entries"]]
    # Newest first: the three overrides, then the accounts and tokens the fixture made (cli:test).
    assert actions[:3] == ["override.set"] * 3 and "user.create" in actions and "token.issue" in actions
    assert everything["next"] is None
    ids = [e["id"] for e in everything["entries"]]
    assert ids == sorted(ids, reverse=True)
    paged, cursor = [], None
    while True:
        params = {"limit": 2, **({"before": cursor} if cursor else {})}
        page = client.get("/api/audit", params=params, headers=people.auth("admin")).json()
        paged.extend(e["id"] for e in page["entries"])
        cursor = page["next"]
        if cursor is None:
            break
    assert paged == ids
    mine = client.get("/api/audit", params={"actor": "user:curator1"}, headers=people.auth("admin")).json()
    assert mine["entries"][0]["after"]["value"] == []  # the newest: marked unlinked
    assert client.get(f"/api/trials/{NCT}/audit").json()[0]["before"]["value"] == []
    assert client.get("/api/trials/NCT00000000/audit").status_code == 404


def test_me_names_the_token_account(client: TestClient, people):
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me", headers=people.auth("reader")).json() == {"name": "reader1", "role": "reader"}
