"""The shipped ontology snapshot: term lookups, hierarchy walks, label resolution, deprecated terms, describe()."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from stemtrials.enrich.ontology import describe, snapshot
from stemtrials.enrich.ontology.snapshot import (
    ancestors,
    descendants,
    expand,
    mesh_curie,
    mesh_to_mondo,
    normalize_curie,
    resolve,
    search_label,
    term,
)


def test_snapshot_and_notice_ship_with_the_package():
    assert snapshot.DB_PATH.is_file()
    notice = (snapshot.DATA_DIR / "NOTICE.md").read_text(encoding="utf-8")
    for needle in ("CC BY 4.0", "CC BY 3.0", "CC0", "National Library of Medicine", "Mondo", "Uberon"):
        assert needle in notice
    # The committed file stays small enough to ship in the repository.
    assert snapshot.DB_PATH.stat().st_size < 22_000_000


def test_mondo_term_has_label_definition_xrefs_and_parents():
    t = term("MONDO:0100096")
    assert t is not None
    assert t.label == "COVID-19"
    assert "severe acute respiratory syndrome coronavirus 2" in (t.definition or "")
    assert "DOID:0080600" in t.xrefs and "MESH:D000086382" in t.xrefs
    assert "coronavirus disease 2019" in t.synonyms
    assert t.parents == ["MONDO:0020753"]
    assert not t.deprecated


def test_other_ontologies_are_in_the_snapshot():
    assert term("CL:0000134").label == "mesenchymal stem cell"
    assert term("UBERON:0002371").label == "bone marrow"
    doid = term("DOID:0080600")
    assert doid.label == "COVID-19" and doid.definition and "MONDO:0100096" in doid.xrefs
    mesh = term("MESH:D006086")
    assert mesh.label == "Graft vs Host Disease"
    assert "Graft-Versus-Host Disease" in mesh.synonyms and mesh.tree_numbers == ["C20.452"]


def test_curie_spellings_are_normalized():
    assert normalize_curie("mondo:0100096") == "MONDO:0100096"
    assert normalize_curie("MONDO_0100096") == "MONDO:0100096"
    assert normalize_curie("lung disease") is None
    # The classic CT.gov API pads old six-digit MeSH UIs to nine digits; new UIs really have nine.
    assert mesh_curie("D000007938") == "MESH:D007938"
    assert mesh_curie("MESH:D000086382") == "MESH:D000086382"
    assert mesh_curie("D999999999") is None


def test_mesh_maps_to_mondo():
    assert mesh_to_mondo("D000086382") == ["MONDO:0100096"]
    assert mesh_to_mondo("MESH:D000006086") == ["MONDO:0013730"]


def test_descendants_of_lung_disease_include_ipf():
    lung = resolve("lung disease", "MONDO")
    assert lung == "MONDO:0005275"
    below = expand("lung disease", "MONDO")
    assert "MONDO:0800504" in below  # idiopathic pulmonary fibrosis
    assert "MONDO:0005002" in below  # COPD
    assert "MONDO:0005275" in below  # the term itself
    assert "MONDO:0005015" not in below  # diabetes mellitus
    assert expand("MONDO:0005275") == below


def test_descendants_of_mesenchymal_stem_cell():
    below = descendants("CL:0000134")
    assert "CL:0000134" in below
    assert len(below) > 5
    assert all(c.startswith("CL:") for c in below)
    for c in below - {"CL:0000134"}:
        assert "CL:0000134" in ancestors(c)
    assert expand("mesenchymal stem cell", "CL") == below


def test_ancestors_reach_the_root():
    up = ancestors("MONDO:0100096")
    assert {"MONDO:0000001", "MONDO:0005550"} <= up
    assert "MONDO:0100096" not in up


def test_search_label_prefers_labels_and_filters_by_ontology():
    hits = search_label("idiopathic pulmonary fibrosis", "MONDO")
    assert hits[0].id == "MONDO:0800504" and hits[0].name_kind == "label" and hits[0].exact
    assert all(h.id.startswith("MONDO:") for h in hits)
    cells = search_label("mesenchymal stem cell", "CL")
    assert cells[0].id == "CL:0000134"
    assert search_label("") == []


def test_resolve_labels_synonyms_and_unknowns():
    assert resolve("COVID-19", "MONDO") == "MONDO:0100096"
    assert resolve("coronavirus disease 2019", "MONDO") == "MONDO:0100096"
    assert resolve("bone marrow", "UBERON") == "UBERON:0002371"
    assert resolve("no such disease at all", "MONDO") is None
    assert resolve("MONDO:9999999") is None


def test_resolve_reads_disease_wordings_like_the_linker():
    # Not a Mondo name as written ("osteoarthritis, knee" is), but what a user types in a search filter.
    assert resolve("knee osteoarthritis", "MONDO") == "MONDO:0005416"
    assert resolve("COPD", "MONDO") == "MONDO:0005002"
    assert resolve("Novel Coronavirus Pneumonia") == "MONDO:0100096"
    # Without a prefix, exact names of any ontology come first.
    assert resolve("lung disease") == "MONDO:0005275"
    assert resolve("mesenchymal stem cell") == "CL:0000134"
    assert resolve("bone marrow") == "UBERON:0002371"
    assert resolve("MS") is None  # ambiguous: no guess
    assert resolve("mesenchymal stem cell", "MONDO") is None


def test_deprecated_terms_resolve_through_replaced_by_and_are_never_matched():
    old = term("MONDO:0000002")
    assert old.deprecated and old.replaced_by == "MONDO:0009299"
    assert resolve("MONDO:0000002") == "MONDO:0009299"
    assert all(h.id != "MONDO:0000002" for h in search_label("obsolete 46,XX sex reversal"))


def test_describe_returns_the_contract_shape():
    d = describe("MONDO:0100096")
    assert d is not None
    assert {"id", "label", "definition", "synonyms", "parents", "xrefs"} <= d.keys()
    assert d["id"] == "MONDO:0100096" and d["label"] == "COVID-19"
    assert "DOID:0080600" in d["xrefs"]
    assert d["parents"] == ["MONDO:0020753"]
    assert d["parent_labels"]["MONDO:0020753"]


def test_describe_by_label_and_for_other_ontologies():
    assert describe("covid-19")["id"] == "MONDO:0100096"
    assert describe("CL:0000134")["label"] == "mesenchymal stem cell"
    assert describe("mesenchymal stem cell")["id"] == "CL:0000134"
    assert describe("MESH:D000086382")["tree_numbers"]
    assert describe("MONDO:0000002")["deprecated"] is True
    assert describe("definitely not a term xyz") is None
    assert describe("  ") is None


def test_a_single_lookup_in_a_fresh_process_is_fast():
    code = (
        "import time; t = time.perf_counter();"
        "from stemtrials.enrich.ontology.lookup import describe;"
        "assert describe('MONDO:0100096')['label'] == 'COVID-19';"
        "print(time.perf_counter() - t)"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    in_process = float(out.stdout.strip())
    # Generous bound (shared CI machines vary); measured ~0.15 s including imports: nothing is parsed up front.
    assert in_process < 2.5, in_process
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("bad", ["", "MONDO:", ":::", "MESH:"])
def test_odd_inputs_do_not_raise(bad):
    assert describe(bad) is None or isinstance(describe(bad), dict)
    assert resolve(bad) is None or isinstance(resolve(bad), str)
