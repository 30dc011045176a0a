"""Facet counts equal independent SQL counts over the same database.

The expected counts come from SQL written here by hand over the record JSON (``json_extract``/``json_each`` on
``trials.record_json``), the FTS table for free text, and the ontology snapshot's ``edges`` table for descendants —
never from ``trial_facets`` or the code under test. Every facet of ``facets()``, of ``GET /api/facets`` and of
``GET /api/trials`` is compared value by value, order included, for several filter combinations.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from stemtrials.enrich.ontology.snapshot import DB_PATH as ONTOLOGY_DB
from stemtrials.query.search import Filters, count, facets, search
from stemtrials.query.stats import stats

J = "t.record_json"

# One row (value, trial id) per facet value of each matching trial; counted DISTINCT below.
MULTI_SQL: dict[str, str] = {
    "phase": f"SELECT p.value AS v, t.id AS id FROM m t, json_each({J}, '$.phases') p",
    "country": f"SELECT substr(json_extract(l.value, '$.country'), 1, 255) AS v, t.id AS id "
               f"FROM m t, json_each({J}, '$.locations') l",
    # A condition shows as the labels (else IDs) of its linked terms, or as its own text when nothing is linked.
    "condition": f"""
        SELECT substr(coalesce(json_extract(x.value, '$.label'), json_extract(x.value, '$.id')), 1, 255) AS v,
               t.id AS id
        FROM m t, json_each({J}, '$.conditions') c, json_each(c.value, '$.terms') x
        WHERE json_extract(x.value, '$.id') IS NOT NULL
        UNION
        SELECT substr(json_extract(c.value, '$.text'), 1, 255) AS v, t.id AS id
        FROM m t, json_each({J}, '$.conditions') c
        WHERE NOT EXISTS (SELECT 1 FROM json_each(c.value, '$.terms') x WHERE json_extract(x.value, '$.id') IS NOT NULL)
    """,
    "cell_type": f"SELECT substr(coalesce(json_extract(p.value, '$.cell_type.label'), "
                 f"json_extract(p.value, '$.cell_type.id')), 1, 255) AS v, t.id AS id "
                 f"FROM m t, json_each({J}, '$.cell_products') p",
    "cell_category": f"SELECT json_extract(p.value, '$.category') AS v, t.id AS id "
                     f"FROM m t, json_each({J}, '$.cell_products') p",
    "source_tissue": f"SELECT substr(json_extract(p.value, '$.source_tissue.label'), 1, 255) AS v, t.id AS id "
                     f"FROM m t, json_each({J}, '$.cell_products') p",
    "donor": f"SELECT json_extract(p.value, '$.donor') AS v, t.id AS id FROM m t, json_each({J}, '$.cell_products') p",
    "pluripotent_origin": f"SELECT json_extract(p.value, '$.pluripotent_origin') AS v, t.id AS id "
                          f"FROM m t, json_each({J}, '$.cell_products') p",
    "sponsor": f"SELECT substr(json_extract(s.value, '$.name'), 1, 255) AS v, t.id AS id "
               f"FROM m t, json_each({J}, '$.sponsors') s "
               f"WHERE json_extract(s.value, '$.role') IN ('lead', 'collaborator')",
}
_START = f"json_extract({J}, '$.dates.start.date')"
COLUMN_SQL: dict[str, str] = {
    "status": f"json_extract({J}, '$.status')",
    "study_type": f"json_extract({J}, '$.study_type')",
    "registry": f"json_extract({J}, '$.registry')",
    "sex": f"json_extract({J}, '$.eligibility.sex')",
    "start_year": f"CASE WHEN substr({_START}, 1, 4) GLOB '[0-9][0-9][0-9][0-9]' "
                  f"THEN CAST(CAST(substr({_START}, 1, 4) AS INTEGER) AS TEXT) END",
}
FACET_NAMES = ("status", "phase", "study_type", "registry", "country", "condition", "cell_category", "cell_type",
               "source_tissue", "donor", "pluripotent_origin", "sponsor", "sex", "start_year")


def _descendants_sql(param: str) -> str:
    """The CURIEs of a term and everything below it, walked here over the snapshot's edges."""
    return (f"WITH RECURSIVE d(n) AS (SELECT n FROM onto.terms WHERE id = :{param} "
            f"UNION SELECT e.child FROM onto.edges e JOIN d ON e.parent = d.n) "
            f"SELECT o.id FROM onto.terms o JOIN d ON o.n = d.n")


@dataclass
class Case:
    name: str
    filters: Filters
    query: dict[str, Any]
    """The same filters as API query parameters."""
    where: str
    """The same filters as hand-written SQL over ``trials t``."""
    args: dict[str, Any] = field(default_factory=dict)


SAMPLE_CASES = [
    Case("everything", Filters(), {}, "1"),
    Case("two statuses", Filters(status=["recruiting", "completed"]), {"status": ["recruiting", "completed"]},
         f"json_extract({J}, '$.status') IN ('recruiting', 'completed')"),
    Case("phase and country", Filters(phase=["phase2"], country=["china"]), {"phase": "phase2", "country": "china"},
         f"EXISTS (SELECT 1 FROM json_each({J}, '$.phases') p WHERE p.value = 'phase2') AND "
         f"EXISTS (SELECT 1 FROM json_each({J}, '$.locations') l WHERE json_extract(l.value, '$.country') = 'China')"),
    Case("age 70, female", Filters(age=70, sex="female"), {"age": 70, "sex": "female"},
         f"(json_extract({J}, '$.eligibility.min_age_years') IS NULL OR "
         f" json_extract({J}, '$.eligibility.min_age_years') <= 70) AND "
         f"(json_extract({J}, '$.eligibility.max_age_years') IS NULL OR "
         f" json_extract({J}, '$.eligibility.max_age_years') >= 70) AND "
         f"json_extract({J}, '$.eligibility.sex') IN ('all', 'female')"),
    Case("free text and start year", Filters(q="stromal", start_year_min=2015),
         {"q": "stromal", "start_year_min": 2015},
         f"t.id IN (SELECT trial_id FROM trials_fts WHERE trials_fts MATCH 'stromal*') AND "
         f"CAST(substr({_START}, 1, 4) AS INTEGER) >= 2015"),
    Case("synonym text, year range", Filters(q="GVHD", start_year_min=2005, start_year_max=2018),
         {"q": "GVHD", "start_year_min": 2005, "start_year_max": 2018},
         "t.id IN (SELECT trial_id FROM trials_fts WHERE trials_fts MATCH "
         "'gvhd* OR \"graft versus host\" OR \"graft vs host\" OR \"graft against host\" OR agvhd OR cgvhd') AND "
         f"CAST(substr({_START}, 1, 4) AS INTEGER) BETWEEN 2005 AND 2018"),
    Case("no healthy volunteers, interventional, registry in other case",
         Filters(healthy_volunteers=False, study_type=["interventional"], registry=["clinicaltrials.GOV"]),
         {"healthy_volunteers": "false", "study_type": "interventional", "registry": "clinicaltrials.GOV"},
         f"json_extract({J}, '$.eligibility.healthy_volunteers') = 0 AND "
         f"json_extract({J}, '$.study_type') = 'interventional' AND "
         f"json_extract({J}, '$.registry') = 'ClinicalTrials.gov'"),
    Case("two phases, child age", Filters(phase=["phase1", "phase2"], age=8),
         {"phase": ["phase1", "phase2"], "age": 8},
         f"EXISTS (SELECT 1 FROM json_each({J}, '$.phases') p WHERE p.value IN ('phase1', 'phase2')) AND "
         f"coalesce(json_extract({J}, '$.eligibility.min_age_years'), 0) <= 8 AND "
         f"coalesce(json_extract({J}, '$.eligibility.max_age_years'), 999) >= 8"),
]

_CONDITION_IN = (f"EXISTS (SELECT 1 FROM json_each({J}, '$.conditions') c, json_each(c.value, '$.terms') x "
                 f"WHERE json_extract(x.value, '$.id') IN ({_descendants_sql('cond')}))")
_CELL_TYPE_IN = (f"EXISTS (SELECT 1 FROM json_each({J}, '$.cell_products') p "
                 f"WHERE json_extract(p.value, '$.cell_type.id') IN ({_descendants_sql('cell')}))")
ONTO_CASES = [
    Case("everything (annotated)", Filters(), {}, "1"),
    Case("condition label with descendants", Filters(condition=["osteoarthritis"]), {"condition": "osteoarthritis"},
         _CONDITION_IN, {"cond": "MONDO:0005178"}),
    Case("cell type CURIE with descendants", Filters(cell_type=["CL:0000134"]), {"cell_type": "CL:0000134"},
         _CELL_TYPE_IN, {"cell": "CL:0000134"}),
    Case("category and donor", Filters(cell_category=["msc"], donor=["allogeneic"]),
         {"cell_category": "msc", "donor": "allogeneic"},
         f"EXISTS (SELECT 1 FROM json_each({J}, '$.cell_products') p WHERE json_extract(p.value, '$.category') = 'msc')"
         f" AND EXISTS (SELECT 1 FROM json_each({J}, '$.cell_products') p "
         f"WHERE json_extract(p.value, '$.donor') = 'allogeneic')"),
    Case("condition CURIE and cell type label",
         Filters(condition=["MONDO:0100096"], cell_type=["mesenchymal stem cell"]),
         {"condition": "MONDO:0100096", "cell_type": "mesenchymal stem cell"},
         f"{_CONDITION_IN} AND {_CELL_TYPE_IN}", {"cond": "MONDO:0100096", "cell": "CL:0000134"}),
    Case("stem-cell trials only", Filters(stem_cell_only=True), {"stem_cell_only": "true"},
         f"EXISTS (SELECT 1 FROM json_each({J}, '$.cell_products') p WHERE json_extract(p.value, '$.category') IN "
         f"('msc', 'hsc', 'hesc_derived', 'hipsc_derived', 'neural_stem_cell', 'other_stem'))"),
]


def _connect(db: Path, ontology: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    if ontology:  # read like the product reads it: a file that doesn't change while in use
        conn.execute("ATTACH DATABASE ? AS onto", (f"{ONTOLOGY_DB.as_uri()}?mode=ro&immutable=1",))
    return conn


def expected_facets(db: Path, case: Case) -> tuple[int, dict[str, dict[str, int]]]:
    """(matching trials, every facet's full counts, ordered by count then value; start years by year)."""
    cte = f"WITH m AS (SELECT * FROM trials t WHERE {case.where}) "
    out: dict[str, dict[str, int]] = {}
    with _connect(db, ontology="onto." in case.where) as conn:
        (total,) = conn.execute(cte + "SELECT count(*) FROM m", case.args).fetchone()
        for name, sql in MULTI_SQL.items():
            rows = conn.execute(cte + f"SELECT v, count(DISTINCT id) FROM ({sql}) WHERE v IS NOT NULL AND v != '' "
                                      "GROUP BY v", case.args).fetchall()
            out[name] = dict(sorted(rows, key=lambda r: (-r[1], r[0])))
        for name, expr in COLUMN_SQL.items():
            rows = conn.execute(cte + f"SELECT v, count(*) FROM (SELECT {expr} AS v FROM m t) "
                                      "WHERE v IS NOT NULL GROUP BY v", case.args).fetchall()
            key = (lambda r: r[0]) if name == "start_year" else (lambda r: (-r[1], r[0]))
            out[name] = dict(sorted(rows, key=key))
    return total, out


def top(expected: dict[str, dict[str, int]], n: int) -> dict[str, dict[str, int]]:
    """What a facet limit of n shows: the n most frequent values of each multi-valued facet, every column value."""
    return {k: dict(list(v.items())[:n]) if k in MULTI_SQL else v for k, v in expected.items()}


def _assert_same(got: dict[str, dict[str, int]], want: dict[str, dict[str, int]], where: str) -> None:
    assert set(got) >= set(FACET_NAMES), f"{where}: facets missing: {set(FACET_NAMES) - set(got)}"
    for name in FACET_NAMES:
        assert got[name] == want[name], f"{where}: facet {name!r} differs"
        assert list(got[name]) == list(want[name]), f"{where}: facet {name!r} is not ordered by count, then value"


def _check(db: Path, engine: Engine, client: TestClient, case: Case) -> None:
    total, want = expected_facets(db, case)
    assert count(engine, case.filters) == total
    _assert_same(facets(engine, case.filters, limit=None), want, "facets(limit=None)")
    _assert_same(facets(engine, case.filters), top(want, 25), "facets()")
    res = search(engine, case.filters, limit=5, with_facets=True)
    assert res.total == total
    _assert_same(res.facets, top(want, 25), "search(with_facets=True)")

    r = client.get("/api/facets", params={**case.query, "limit": 1000})
    assert r.status_code == 200, r.text
    _assert_same(r.json(), top(want, 1000), "GET /api/facets")
    r = client.get("/api/facets", params={**case.query, "limit": 3})
    _assert_same(r.json(), top(want, 3), "GET /api/facets?limit=3")
    r = client.get("/api/trials", params={**case.query, "limit": 1})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == total
    _assert_same(r.json()["facets"], top(want, 25), "GET /api/trials")


@pytest.mark.parametrize("case", SAMPLE_CASES, ids=lambda c: c.name)
def test_facets_equal_hand_written_sql(case: Case, sample_db: Path, sample_engine: Engine,
                                       sample_client: TestClient) -> None:
    _check(sample_db, sample_engine, sample_client, case)


@pytest.mark.parametrize("case", ONTO_CASES, ids=lambda c: c.name)
def test_facets_equal_hand_written_sql_with_ontology(case: Case, onto_db: Path, onto_engine: Engine,
                                                     onto_client: TestClient) -> None:
    _check(onto_db, onto_engine, onto_client, case)


def test_cases_are_not_trivial(sample_db: Path, onto_db: Path) -> None:
    """Each filter combination selects some trials but not all, so the comparisons above mean something."""
    for db, cases in ((sample_db, SAMPLE_CASES[1:]), (onto_db, ONTO_CASES[1:])):
        everything, _ = expected_facets(db, Case("all", Filters(), {}, "1"))
        for case in cases:
            total, _ = expected_facets(db, case)
            assert 0 < total < everything, case.name
    _, annotated = expected_facets(onto_db, ONTO_CASES[0])
    assert annotated["cell_type"] and annotated["source_tissue"] and annotated["donor"]
    assert "osteoarthritis, knee" in annotated["condition"]
    assert "Glenohumeral Osteoarthritis" in annotated["condition"]  # unlinked text stays a facet value


def test_stats_match_hand_written_sql(onto_db: Path, onto_engine: Engine, onto_client: TestClient) -> None:
    """``stats`` (and GET /api/stats) are the same counts: trials, stem-cell trials, versions, and the top 25."""
    total, want = expected_facets(onto_db, ONTO_CASES[0])
    stem, _ = expected_facets(onto_db, ONTO_CASES[-1])
    with _connect(onto_db) as conn:
        (versions,) = conn.execute("SELECT count(*) FROM versions").fetchone()
    for got in (stats(onto_engine), onto_client.get("/api/stats").json()):
        assert (got["trials"], got["stem_cell_trials"], got["versions"]) == (total, stem, versions)
        for name in ("registry", "status", "study_type", "phase", "cell_category", "cell_type", "pluripotent_origin",
                     "source_tissue", "donor", "country", "condition", "sponsor", "start_year"):
            assert got[name] == top(want, 25)[name], name


# Facets a user can click to filter by (start year is a range filter; sex is "female → all or female").
CLICKABLE = {"status": "status", "phase": "phase", "study_type": "study_type", "registry": "registry",
             "country": "country", "cell_category": "cell_category", "source_tissue": "source_tissue",
             "donor": "donor", "pluripotent_origin": "pluripotent_origin", "sponsor": "sponsor"}


@pytest.mark.parametrize("which", ["sample", "onto"])
def test_every_facet_value_filters_to_its_count(which: str, backend: str, request: pytest.FixtureRequest) -> None:
    """Clicking a facet value (filtering by it exactly as shown) selects exactly as many trials as the facet says —
    for every value of every clickable facet, letter case and accents included. (``backend`` is asked for by name so
    that the test runs per backend: the engine fixture fetched below depends on it.)"""
    db: Path = request.getfixturevalue(f"{which}_db")
    engine: Engine = request.getfixturevalue(f"{which}_engine")
    _, want = expected_facets(db, Case("all", Filters(), {}, "1"))
    wrong = []
    for facet, field_name in CLICKABLE.items():
        for value, n in want[facet].items():
            got = count(engine, Filters(**{field_name: [value]}))
            if got != n:
                wrong.append((facet, value, n, got))
    assert not wrong, wrong[:10]


def test_sample_has_one_record_per_study(sample_db: Path, onto_db: Path) -> None:
    """The hand-written SQL counts records; search counts studies (all registrations of one trial once). On these
    databases the two coincide — if a future sample links records into studies, the SQL above must count studies."""
    for db in (sample_db, onto_db):
        with _connect(db) as conn:
            n, studies = conn.execute("SELECT count(*), count(DISTINCT study_id) FROM trials").fetchone()
        assert n == studies
