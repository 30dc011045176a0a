"""The REST API over the real sample: each route's answers, status codes and problem+json bodies.

(Facet counts through the API are checked against hand-written SQL in tests/query/test_facets_sql.py; schemathesis
fuzzes every route against the OpenAPI document in test_schemathesis.py.)
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from searchdb import MSC_LIKE
from stemtrials.query.search import Filters, search

Records = dict[str, dict[str, Any]]
PROBLEM = "application/problem+json"


def assert_problem(r: Any, status: int, path: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem: the status, the media type, and a body naming the problem and where it happened."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if path is not None:
        assert body["instance"] == path
    return body


# ---------------------------------------------------------------- /api/trials
def test_list_shape_and_defaults(sample_client: TestClient, sample_records: Records) -> None:
    r = sample_client.get("/api/trials")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"total", "results", "facets", "next"}
    assert body["total"] == len(sample_records)
    assert len(body["results"]) == 20 and body["next"]
    first = body["results"][0]
    assert first == sample_records[first["id"]]  # the full record JSON of the contract
    assert {"status", "phase", "country", "cell_category"} <= set(body["facets"])


def test_filters_and_text_through_the_api(sample_client: TestClient, sample_engine: Any) -> None:
    params = {"q": "knee", "status": ["completed", "unknown"], "age": 40, "sex": "female", "limit": 500}
    body = sample_client.get("/api/trials", params=params).json()
    want = search(sample_engine, Filters(q="knee", status=["completed", "unknown"], age=40, sex="female"), limit=500)
    assert body["total"] == want.total > 0
    assert [r["id"] for r in body["results"]] == [h.id for h in want.hits]
    assert all(r["status"] in ("completed", "unknown") for r in body["results"])


def walk(client: TestClient, params: dict[str, Any]) -> list[str]:
    """Every result's ID, following ``next`` to the last page."""
    params = {**params, "fields": "id", "limit": 100}
    out: list[str] = []
    while True:
        body = client.get("/api/trials", params=params).json()
        out.extend(r["id"] for r in body["results"])
        if body["next"] is None:
            assert len(out) == body["total"]
            return out
        params["cursor"] = body["next"]


def test_ontology_filters_through_the_api(onto_client: TestClient, onto_engine: Any) -> None:
    got = walk(onto_client, {"cell_type": "CL:0000134"})
    assert set(got) >= MSC_LIKE and "NCT04339764" not in got
    assert got == [h.id for h in search(onto_engine, Filters(cell_type=["CL:0000134"]), limit=5000).hits]
    oa = walk(onto_client, {"condition": "osteoarthritis"})
    assert {"NCT00850187", "NCT01499056"} <= set(oa)


@pytest.mark.parametrize("sort", ["relevance", "start_date", "last_update", "enrollment"])
def test_next_walks_every_result_once(sort: str, sample_client: TestClient, sample_engine: Any) -> None:
    params: dict[str, Any] = {"q": "stem cell", "country": "China", "sort": sort, "limit": 25, "fields": "id"}
    walked: list[str] = []
    while True:
        body = sample_client.get("/api/trials", params=params).json()
        walked.extend(r["id"] for r in body["results"])
        if body["next"] is None:
            break
        params["cursor"] = body["next"]
    whole = search(sample_engine, Filters(q="stem cell", country=["China"]), limit=5000, sort=sort)
    assert walked == [h.id for h in whole.hits] and len(set(walked)) == whole.total > 25


def test_fields_trim_results(sample_client: TestClient, sample_records: Records) -> None:
    body = sample_client.get("/api/trials", params={"fields": "title, status,eligibility", "limit": 5}).json()
    for rec in body["results"]:
        assert set(rec) == {"id", "title", "status", "eligibility"}
        full = sample_records[rec["id"]]
        assert rec == {k: full[k] for k in ("id", "title", "status", "eligibility")}
    assert body["facets"] and body["total"] == len(sample_records)
    only_id = sample_client.get("/api/trials", params={"fields": "no_such_key", "limit": 3}).json()
    assert all(set(rec) == {"id"} for rec in only_id["results"])
    blank = sample_client.get("/api/trials", params={"fields": " , ", "limit": 1}).json()
    assert blank["results"][0] == sample_records[blank["results"][0]["id"]]


def test_csv_format(sample_client: TestClient, sample_records: Records) -> None:
    r = sample_client.get("/api/trials", params={"format": "csv", "q": "GVHD", "limit": 30})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    as_json = sample_client.get("/api/trials", params={"q": "GVHD", "limit": 30, "fields": "id"}).json()
    assert [row["id"] for row in rows] == [rec["id"] for rec in as_json["results"]]
    assert len(rows) == 30
    for row in rows:
        rec = sample_records[row["id"]]
        assert row["title"] == (rec["title"] or "") and row["status"] == (rec["status"] or "")


# ---------------------------------------------------------------- /api/trials/{id} and history
@pytest.mark.parametrize("registry_id", ["NCT03123458", "nct03123458", "NCT 03123458", "GIMI-IRB-17001"])
def test_trial_by_any_registry_id(registry_id: str, sample_client: TestClient, sample_records: Records) -> None:
    r = sample_client.get(f"/api/trials/{registry_id}")
    assert r.status_code == 200, r.text
    assert r.json() == sample_records["NCT03123458"]


def test_trial_by_secondary_id(sample_client: TestClient, sample_records: Records) -> None:
    rec = next(r for r in sample_records.values() if any(i["kind"] == "secondary" for i in r["registry_ids"]))
    secondary = next(i["id"] for i in rec["registry_ids"] if i["kind"] == "secondary")
    assert sample_client.get(f"/api/trials/{secondary}").json()["id"] == rec["id"]


def test_unknown_trial_is_a_404_problem(sample_client: TestClient) -> None:
    body = assert_problem(sample_client.get("/api/trials/NCT99999999"), 404, "/api/trials/NCT99999999")
    assert "NCT99999999" in body["detail"]
    assert_problem(sample_client.get("/api/trials/NCT99999999/history"), 404, "/api/trials/NCT99999999/history")


def test_history(sample_client: TestClient, sample_records: Records) -> None:
    versions = sample_client.get("/api/trials/GIMI-IRB-17001/history").json()
    assert [v["version"] for v in versions] == list(range(1, len(versions) + 1)) and len(versions) >= 2
    assert [v["current"] for v in versions].count(True) == 1
    assert versions[0]["changes"] == []
    assert {v["source_format"] for v in versions} >= {"ctgov_page", "ctgov_classic"}
    for v in versions:
        assert set(v) == {"version", "current", "imported_at", "source_format", "source_file", "last_update",
                          "raw_sha256", "changes"}
        assert all(set(c) == {"field", "before", "after"} for c in v["changes"])


# ---------------------------------------------------------------- other routes
def test_facets_stats_ontology(sample_client: TestClient, sample_records: Records) -> None:
    facets = sample_client.get("/api/facets", params={"status": "recruiting"}).json()
    assert facets["status"] == {"recruiting": sum(r["status"] == "recruiting" for r in sample_records.values())}
    stats = sample_client.get("/api/stats").json()
    assert stats["trials"] == len(sample_records) and "start_year" in stats
    term = sample_client.get("/api/ontology/CL:0000134")
    assert term.status_code == 200
    assert term.json()["id"] == "CL:0000134" and term.json()["label"] == "mesenchymal stem cell"
    assert {"id", "label", "definition", "synonyms", "parents", "xrefs"} <= set(term.json())
    assert_problem(sample_client.get("/api/ontology/CL:9999999"), 404, "/api/ontology/CL:9999999")


BAD_PARAMS = [
    ("/api/trials", {"limit": 0}), ("/api/trials", {"limit": 501}), ("/api/trials", {"limit": "ten"}),
    ("/api/trials", {"age": -1}), ("/api/trials", {"age": "adult"}), ("/api/trials", {"age": 151}),
    ("/api/trials", {"sex": "other"}), ("/api/trials", {"sort": "title"}), ("/api/trials", {"format": "xml"}),
    ("/api/trials", {"start_year_min": 1800}), ("/api/trials", {"healthy_volunteers": "maybe"}),
    ("/api/trials", {"q": "x" * 501}), ("/api/trials", {"cursor": "c" * 2001}),
    ("/api/facets", {"limit": 0}), ("/api/facets", {"age": "old"}), ("/api/stats", {"stem_cell_only": "perhaps"}),
]


@pytest.mark.parametrize(("path", "params"), BAD_PARAMS, ids=lambda p: str(p)[:40])
def test_bad_parameters_are_422_problems(path: str, params: dict[str, Any], sample_client: TestClient) -> None:
    body = assert_problem(sample_client.get(path, params=params), 422, path)
    name = next(iter(params))
    assert any(name in e["loc"] for e in body["errors"]), body
    assert name in body["detail"]


@pytest.mark.parametrize("cursor", ["garbage!", "e30", "WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAsICJ4Il0",
                                    "W3RydWUsICJ4Il0", "W05hTiwgIngiXQ"])
def test_bad_cursor_is_a_400_problem(cursor: str, sample_client: TestClient) -> None:
    body = assert_problem(sample_client.get("/api/trials", params={"cursor": cursor}), 400, "/api/trials")
    assert "cursor" in body["detail"]


def test_unknown_route_and_method_are_problems(sample_client: TestClient) -> None:
    assert_problem(sample_client.get("/api/nothing-here"), 404, "/api/nothing-here")
    assert_problem(sample_client.post("/api/trials"), 405, "/api/trials")


@pytest.mark.parametrize("q", ['"', "NEAR(a b)", "title:stem", "stem*", "(", "💥", "a AND OR NOT b", "\\"])
def test_query_syntax_never_errors(q: str, sample_client: TestClient) -> None:
    assert sample_client.get("/api/trials", params={"q": q, "limit": 2}).status_code == 200
    assert sample_client.get("/api/facets", params={"q": q}).status_code == 200


def test_openapi_document(sample_client: TestClient) -> None:
    doc = sample_client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/trials", "/api/trials/{trial_id}", "/api/trials/{trial_id}/history", "/api/facets", "/api/stats",
            "/api/ontology/{curie}"} <= set(doc["paths"])
