"""Ontology-aware filters (condition, cell type), and the age and sex filters' semantics.

Condition and cell-type filters run on the annotated copy of the sample (``searchdb.build_onto_db``): real records
whose condition terms and cell products were set by hand, so the expected sets are known whatever the annotators
currently produce. The oracle is "the stored terms intersect the term's descendants", walked with the snapshot's
``descendants`` (the ontology, not the search code).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from searchdb import MSC_LIKE, cell_type_ids, condition_ids
from stemtrials.enrich.ontology import descendants
from stemtrials.query.search import Filters, count, search

Records = dict[str, dict[str, Any]]
OA_FIXTURES = {"NCT00850187", "NCT01809769", "NCT01499056", "NCT01436058", "NCT03866330"}  # MONDO osteoarthritis
KNEE_OA_FIXTURES = {"NCT00850187", "NCT01809769", "NCT03866330"}


def found(engine: Engine, f: Filters) -> set[str]:
    res = search(engine, f, limit=5000)
    assert res.total == len(res.hits)
    return {h.id for h in res.hits}


def linked_below(records: Records, curie: str, kind: str) -> set[str]:
    below = descendants(curie)
    ids_of = condition_ids if kind == "condition" else cell_type_ids
    return {tid for tid, rec in records.items() if ids_of(rec) & below}


# ---------------------------------------------------------------- conditions
@pytest.mark.parametrize("term", ["osteoarthritis", "Osteoarthritis", "MONDO:0005178", "mondo:0005178",
                                  "MONDO_0005178"])
def test_condition_includes_descendants(term: str, onto_engine: Engine, onto_records: Records) -> None:
    got = found(onto_engine, Filters(condition=[term]))
    assert got == linked_below(onto_records, "MONDO:0005178", "condition")
    assert got >= OA_FIXTURES  # knee and hip osteoarthritis are below osteoarthritis
    assert "NCT00284986" not in got  # GVHD


def test_condition_child_term_excludes_siblings(onto_engine: Engine, onto_records: Records) -> None:
    got = found(onto_engine, Filters(condition=["osteoarthritis, knee"]))
    assert got == linked_below(onto_records, "MONDO:0005416", "condition")
    assert got >= KNEE_OA_FIXTURES
    assert not got & {"NCT01499056", "NCT01436058"}  # hip only; the parent term only


def test_condition_synonym_and_other_terms(onto_engine: Engine, onto_records: Records) -> None:
    gvhd = found(onto_engine, Filters(condition=["graft versus host disease"]))
    assert gvhd == linked_below(onto_records, "MONDO:0013730", "condition") >= {"NCT00284986", "NCT00447460"}
    covid = found(onto_engine, Filters(condition=["COVID-19"]))
    assert covid >= {"NCT04252118", "ChiCTR2000031139"}
    both = found(onto_engine, Filters(condition=["COVID-19", "MONDO:0013730"]))
    assert both == gvhd | covid  # several terms are OR-ed


def test_condition_curie_of_another_ontology(onto_engine: Engine, onto_records: Records) -> None:
    """A DOID (or MeSH) CURIE filters by that ontology's hierarchy, as the contract's CURIEs include DOID."""
    got = found(onto_engine, Filters(condition=["DOID:8398"]))
    assert got == linked_below(onto_records, "DOID:8398", "condition")
    assert "NCT01159899" in got


def test_condition_text_unknown_to_the_ontology_matches_facet_text(onto_engine: Engine) -> None:
    """Text no ontology term is named matches the condition facet's values (linked labels, unlinked texts)."""
    assert found(onto_engine, Filters(condition=["glenohumeral"])) == {"NCT03866330"}
    assert found(onto_engine, Filters(condition=["no such condition anywhere"])) == set()


# Was a known gap ('knee osteoarthritis' is not a Mondo name); resolve() now reads such text as the linker does.
def test_unresolvable_condition_text_still_finds_linked_trials(onto_engine: Engine) -> None:
    assert found(onto_engine, Filters(condition=["knee osteoarthritis"])) >= KNEE_OA_FIXTURES


# ---------------------------------------------------------------- cell types
@pytest.mark.parametrize("term", ["CL:0000134", "mesenchymal stem cell", "Mesenchymal Stem Cell", "cl:0000134"])
def test_cell_type_includes_descendants(term: str, onto_engine: Engine, onto_records: Records) -> None:
    got = found(onto_engine, Filters(cell_type=[term]))
    assert got == linked_below(onto_records, "CL:0000134", "cell_type")
    assert got >= MSC_LIKE  # bone marrow, adipose, Wharton's jelly, umbilical cord MSCs and MSC itself
    assert not got & {"NCT04339764", "NCT04696328", "NCT04313647"}  # iPSC RPE, cardiomyocytes, exosomes


def test_cell_type_other_branch(onto_engine: Engine, onto_records: Records) -> None:
    hsc = found(onto_engine, Filters(cell_type=["hematopoietic stem cell"]))
    assert hsc == linked_below(onto_records, "CL:0000037", "cell_type")
    assert "NCT01763099" in hsc and not hsc & (MSC_LIKE - {"NCT01763099"})


def test_ontology_filters_combine_with_others(onto_engine: Engine, onto_records: Records) -> None:
    both = found(onto_engine, Filters(condition=["osteoarthritis"], cell_type=["CL:0000134"]))
    assert both == (linked_below(onto_records, "MONDO:0005178", "condition")
                    & linked_below(onto_records, "CL:0000134", "cell_type"))
    assert both >= {"NCT00850187", "NCT01809769", "NCT03866330"}
    autologous = found(onto_engine, Filters(cell_type=["CL:0000134"], donor=["autologous"], q="knee"))
    assert autologous >= {"NCT00850187", "NCT01809769"} and "NCT03866330" not in autologous


def test_cell_facets_of_the_fixture(onto_engine: Engine) -> None:
    assert found(onto_engine, Filters(pluripotent_origin=["hiPSC"])) >= {"NCT04339764", "NCT04696328"}
    assert found(onto_engine, Filters(source_tissue=["umbilical cord"])) >= {"NCT03866330", "NCT04252118"}
    assert "NCT04313647" not in found(onto_engine, Filters(stem_cell_only=True))  # exosomes aren't cells
    assert "NCT04313647" in found(onto_engine, Filters(cell_category=["extracellular_vesicles"]))


# ---------------------------------------------------------------- age and sex
def _ages(rec: dict[str, Any]) -> tuple[float | None, float | None]:
    return rec["eligibility"].get("min_age_years"), rec["eligibility"].get("max_age_years")


def test_age_range_contains_the_age_bounds_inclusive(sample_engine: Engine, sample_records: Records) -> None:
    rec = sample_records["NCT01436058"]
    assert _ages(rec) == (18.0, 65.0)
    for age, inside in ((18, True), (65, True), (40.5, True), (17.99, False), (65.01, False), (0, False)):
        assert (rec["id"] in found(sample_engine, Filters(age=age))) is inside, age


def test_open_age_bounds_do_not_exclude(sample_engine: Engine, sample_records: Records) -> None:
    no_bounds = [tid for tid, rec in sample_records.items() if _ages(rec) == (None, None)]
    min_only = [tid for tid, rec in sample_records.items() if _ages(rec)[0] is not None and _ages(rec)[1] is None]
    max_only = [tid for tid, rec in sample_records.items() if _ages(rec)[0] is None and _ages(rec)[1] is not None]
    assert no_bounds and min_only and max_only
    for age in (0, 0.5, 17, 45, 99, 150):
        got = found(sample_engine, Filters(age=age))
        assert set(no_bounds) <= got
        assert {t for t in min_only if _ages(sample_records[t])[0] <= age} <= got  # type: ignore[operator]
        assert {t for t in max_only if _ages(sample_records[t])[1] >= age} <= got  # type: ignore[operator]
        assert not {t for t in min_only if _ages(sample_records[t])[0] > age} & got  # type: ignore[operator]


def test_sex_female_means_trials_for_all_or_female(sample_engine: Engine, sample_records: Records) -> None:
    for sex in ("female", "male"):
        got = found(sample_engine, Filters(sex=sex))
        want = {tid for tid, rec in sample_records.items() if rec["eligibility"].get("sex") in ("all", sex)}
        assert got == want
        other = "male" if sex == "female" else "female"
        assert not any(sample_records[t]["eligibility"].get("sex") == other for t in got)
        assert any(sample_records[t]["eligibility"].get("sex") == sex for t in got)
    assert count(sample_engine, Filters(sex="female")) + count(sample_engine, Filters(sex="male")) > \
        count(sample_engine, Filters())  # "all" trials are in both
