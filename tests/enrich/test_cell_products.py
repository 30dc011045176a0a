"""Cell-product annotation on real records: the two seeds, negation, origin precedence, route/dose, brands, categories,
and the detection rate over the 995 shared MSC trials."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from stemtrials.enrich.cell_products import annotate_cell_products, brands, details, lexicon
from stemtrials.model import (
    Arm,
    CellProduct,
    CellTypeTerm,
    Condition,
    Eligibility,
    Intervention,
    Source,
    TrialRecord,
)
from stemtrials.sources import ctgov_classic, ctgov_page, hpscreg_text
from stemtrials.sources.base import Parsed

SEED_000 = "seeds/000_c4e1eefd5bb6b75c.txt"
SEED_004 = "seeds/004_e65ca66711663aaa.txt"
MSC_TRIALS = "data/ctgov/classic/msc_trials_study_fields.jsonl.gz"


def _one(module, path: Path) -> TrialRecord:
    with path.open("rb") as fh:
        out = [p.record for p in module.read(fh, path.name) if isinstance(p, Parsed)]
    assert len(out) == 1
    return out[0]


@pytest.fixture(scope="module")
def msc_trials(shared: Path) -> dict[str, TrialRecord]:
    with gzip.open(shared / MSC_TRIALS, "rb") as fh:
        return {p.record.id: p.record for p in ctgov_classic.read(fh, MSC_TRIALS) if isinstance(p, Parsed)}


def record(title: str, *interventions: Intervention, **kw) -> TrialRecord:
    kw.setdefault("study_type", "interventional")
    return TrialRecord(id="TEST-1", title=title, interventions=list(interventions), source=Source(format="ctgov_v2"),
                       **kw)


# --- the seeds ---------------------------------------------------------------------------------------------------

def test_seed_000_hpscreg_castem(shared: Path) -> None:
    rec = _one(hpscreg_text, shared / SEED_000)
    out = annotate_cell_products(rec)
    assert rec.cell_products[0].cell_type.id is None  # pure: the input is untouched
    assert out.is_stem_cell_trial()
    (p,) = out.cell_products
    # the stated type wins, with its CL id resolved by exact label and its definition kept as stated
    assert p.cell_type.id == "CL:0000134"
    assert p.cell_type.label == "mesenchymal stem cell"
    assert p.cell_type.definition.startswith("A connective tissue cell that normally gives rise to other cells")
    assert "Cultured MSCs are capable of producing stem cell factor" in p.cell_type.definition
    assert p.category == "hesc_derived" and p.pluripotent_origin == "hESC"
    assert p.evidence and "embryonic stem cell" in p.evidence.lower()
    assert p.name == "CAStem"
    assert p.source_tissue is None  # a pluripotent line is not a tissue


def test_seed_000_without_stated_type_is_inferred_the_same(shared: Path) -> None:
    rec = _one(hpscreg_text, shared / SEED_000)
    out = annotate_cell_products(rec.model_copy(update={"cell_products": []}))
    (p,) = out.cell_products
    assert (p.category, p.pluripotent_origin, p.cell_type.id) == ("hesc_derived", "hESC", "CL:0000134")
    assert p.cell_type.definition  # the definition comes from the Cell Ontology snapshot
    assert p.evidence == "CAStem"  # decided by the sourced product table …
    assert p.score == pytest.approx(0.85)  # … named in the title


def test_seed_004_clonal_fetal_mscs(shared: Path) -> None:
    rec = _one(ctgov_page, shared / SEED_004)
    out = annotate_cell_products(rec)
    (p,) = out.cell_products
    assert p.name == "clonal fetal MSCs"
    assert p.category == "msc" and p.pluripotent_origin is None
    assert p.source_tissue is not None and p.source_tissue.id == "UBERON:0000922"  # embryo: fetal tissue
    assert p.cell_type.id == "CL:0000134" and p.cell_type.definition
    assert p.evidence == "MSCs" and p.score == 1.0


# --- negation: stem cells as the setting, never the product --------------------------------------------------------

def test_stem_cells_only_in_exclusion_criteria_or_history() -> None:
    rec = record(
        "Ruxolitinib for Chronic GVHD After Allogeneic Hematopoietic Stem Cell Transplantation",
        Intervention(type="drug", name="Ruxolitinib", description="10 mg twice daily, given after HSCT"),
        Intervention(type="drug", name="Placebo", description="Placebo-matching tablets"),
        brief_summary="Patients with a history of stem cell transplant and prior mesenchymal stem cell therapy.",
        eligibility=Eligibility(exclusion=["Prior stem cell transplant", "Received MSCs within 6 months"],
                                text="Exclusion Criteria: history of stem cell transplantation; prior MSC infusion"),
        conditions=[Condition(text="Graft-versus-host Disease")])
    assert annotate_cell_products(rec).cell_products == []


def test_prior_transplant_in_title_of_drug_trial_and_no_msc_words() -> None:
    rec = record("Letermovir in Recipients of Prior Stem Cell Transplant",
                 Intervention(type="drug", name="Letermovir"))
    assert not annotate_cell_products(rec).is_stem_cell_trial()
    placebo = record("Mesenchymal Precursor Cells for Back Pain",
                     Intervention(type="biological", name="MPC injection"),
                     Intervention(type="other", name="Saline", description="saline without cells (no MPCs)"))
    (p,) = annotate_cell_products(placebo).cell_products
    assert p.name == "MPC injection" and p.category == "msc"  # the saline arm is no product


def test_follow_up_of_recipients_and_transplants_outside_haematology() -> None:
    follow_up = record("Long-term follow-up of patients previously treated with hESC-derived RPE",
                       study_type="observational")
    (p,) = annotate_cell_products(follow_up).cell_products  # "previously treated with X": X is what they got
    assert (p.category, p.cell_type.id) == ("hesc_derived", "CL:0002586")
    knee = record("Autologous Stem Cell Transplantation for Knee Cartilage",
                  Intervention(type="procedure", name="Autologous stem cell transplantation"))
    (p,) = annotate_cell_products(knee).cell_products
    assert (p.category, p.cell_type.label, p.donor) == ("other_stem", "stem cell", "autologous")
    myeloma = record("Busulfan Before Autologous Stem Cell Transplantation in Myeloma",
                     Intervention(type="drug", name="Busulfan"),
                     Intervention(type="procedure", name="Autologous stem cell transplantation"))
    (p,) = annotate_cell_products(myeloma).cell_products
    assert (p.category, p.cell_type.id) == ("hsc", "CL:0000037")
    mobilisation = record("Plerixafor for Stem Cell Mobilization in Myeloma",
                          Intervention(type="drug", name="Plerixafor"))
    assert annotate_cell_products(mobilisation).cell_products == []


# --- pluripotent origin wins over the differentiated cell type ------------------------------------------------------

@pytest.mark.parametrize(("title", "category", "origin", "cell"), [
    ("Sub-retinal Transplantation of hESC Derived RPE (MA09-hRPE) Cells in Dry AMD", "hesc_derived", "hESC",
     "CL:0002586"),
    ("Autologous Transplantation of Induced Pluripotent Stem Cell-Derived Retinal Pigment Epithelium for Geographic "
     "Atrophy", "hipsc_derived", "hiPSC", "CL:0002586"),
    ("Epicardial Injection of hiPSC-CMs to Treat Severe Chronic Ischemic Heart Failure", "hipsc_derived", "hiPSC",
     "CL:0000746"),
    ("Study to Evaluate the Safety of ESC-derived Dopamine Progenitor Cell Therapy in PD Patients", "hesc_derived",
     "hESC", "CL:0000700"),
    ("Exploratory Study in Children with Exosomes Derived from Induced Pluripotent Stem Cells (iPSC-Exo)",
     "extracellular_vesicles", "hiPSC", None),
])
def test_pluripotent_origin_precedence(title: str, category: str, origin: str, cell: str | None) -> None:
    rec = record(title, Intervention(type="biological", name="Cell product"))
    p = annotate_cell_products(rec).cell_products[0]
    assert (p.category, p.pluripotent_origin) == (category, origin)
    assert (p.cell_type.id if p.cell_type else None) == cell
    assert p.name == "Cell product"  # the title's product is the intervention its words did not explain


def test_hiPSC_nk_cells_are_hipsc_derived_not_non_stem() -> None:
    rec = record("iPSC-derived NK Cells in AML", Intervention(type="biological", name="iPSC-derived NK cells"))
    p = annotate_cell_products(rec).cell_products[0]
    assert (p.category, p.pluripotent_origin, p.cell_type.id) == ("hipsc_derived", "hiPSC", "CL:0000623")


# --- route and dose, as written, from real intervention descriptions -------------------------------------------------

def test_route_and_dose_from_real_descriptions(msc_trials: dict[str, TrialRecord]) -> None:
    p = annotate_cell_products(msc_trials["NCT00734396"]).cell_products[0]
    assert p.dose == "1-2x106 MSCs per kilogram body weight"  # "x106": a superscript lost in the registry's copy
    assert p.route == "intravenously"
    assert p.source_tissue.label == "bone marrow" and p.cell_type.id == "CL:0002540"
    p = annotate_cell_products(msc_trials["NCT00781872"]).cell_products[0]
    assert p.route == "intrathecally; intravenously"
    assert p.dose.startswith("60 million cells; 1 million cells per Kg of body weight")
    assert p.donor == "autologous"
    p = annotate_cell_products(msc_trials["NCT00587990"]).cell_products[0]
    assert p.route == "intramyocardial injections" and "2 x 10^7 cells" in p.dose


@pytest.mark.parametrize(("text", "dose"), [
    ("1×10^6 cells/kg", "1×10^6 cells/kg"), ("1 x 10(6)/kg", "1 x 10(6)/kg"), ("2.0*10^7 cells", "2.0*10^7 cells"),
    ("100 million cells", "100 million cells"), ("1e6 cells/kg", "1e6 cells/kg"),
    ("3.0 × 10⁶ cells/kg", "3.0 × 10⁶ cells/kg"),
    ("5 million units of IL-2", None), ("aged 18 to 65 years", None), ("busulfan 32 mg/m2", None),
])
def test_dose_forms(text: str, dose: str | None) -> None:
    assert details.doses(text) == dose


def test_donor_words() -> None:
    assert details.donor("the patient's own bone marrow") == "autologous"
    assert details.donor("autogenous fat") == "autologous"
    assert details.donor("allogenic umbilical cord MSCs") == "allogeneic"
    assert details.donor("donor-derived cells") == "allogeneic"
    assert details.donor("autologous or allogeneic") is None


# --- brands, vesicles, non-stem cell therapies -----------------------------------------------------------------------

def test_brand_resolution_castem_from_the_table() -> None:
    rec = record("A study on CAStem cell injection in acute respiratory distress syndrome",
                 Intervention(type="biological", name="CAStem", description="intravenous infusion"))
    (p,) = annotate_cell_products(rec).cell_products
    assert (p.name, p.category, p.pluripotent_origin, p.donor) == ("CAStem", "hesc_derived", "hESC", "allogeneic")
    assert p.cell_type.id == "CL:0000134" and p.route == "intravenous infusion" and p.score == 1.0


def test_every_table_row_is_sourced_and_resolves() -> None:
    from stemtrials.enrich.cell_products import terms

    rows, _, _ = brands.load()
    assert 30 <= len(rows) <= 80
    for b in rows:
        assert b.source and re.search(r"\w{4}", b.source)
        assert b.cell_type is None or terms.cell_term(b.cell_type), b.name
        assert b.source_tissue is None or terms.tissue_term(b.source_tissue), b.name
    assert brands.find("HS-001-D needle") == []  # a code running on into another is not the product


def test_exosomes_are_extracellular_vesicles(msc_trials: dict[str, TrialRecord]) -> None:
    out = annotate_cell_products(msc_trials["NCT04602104"])  # hMSC-Exos nebulised for ARDS
    assert not out.is_stem_cell_trial()
    p = out.cell_products[0]
    assert p.category == "extracellular_vesicles" and p.cell_type.id == "CL:0000134"  # the producing cell
    assert p.route == "inhalation" and p.dose.startswith("2.0*10^8 particles")
    for name in ("MSC-derived secretome", "Conditioned medium of umbilical cord MSCs", "MSC-EVs"):
        rec = record("A trial", Intervention(type="biological", name=name))
        assert annotate_cell_products(rec).cell_products[0].category == "extracellular_vesicles", name


def test_nk_cells_are_non_stem_cell_therapy() -> None:
    rec = record("Natural Killer Cells for Relapsed AML",
                 Intervention(type="biological", name="Haploidentical NK cells", description="1x10^7 cells/kg IV"))
    out = annotate_cell_products(rec)
    (p,) = out.cell_products
    assert (p.category, p.cell_type.id, p.donor) == ("non_stem_cell_therapy", "CL:0000623", "allogeneic")
    assert not out.is_stem_cell_trial()
    leukemia = record("Study in Aggressive NK Cell Leukaemia", Intervention(type="drug", name="PPMX-T003"))
    assert annotate_cell_products(leukemia).cell_products == []  # a disease named after a cell is no product


@pytest.mark.parametrize(("name", "category"), [
    ("CAR-T cells", "non_stem_cell_therapy"), ("Platelet-rich plasma injection", None),
    ("Stromal vascular fraction", "msc"), ("Autologous bone marrow aspirate concentrate", "other_stem"),
    ("Allogeneic hematopoietic stem cell transplantation", "hsc"), ("CD34+ selected cells", "hsc"),
    ("Cultivated limbal epithelial transplantation", "other_stem"), ("Human neural stem cells", "neural_stem_cell"),
    ("Wharton's jelly-derived MSCs", "msc"), ("Adipose-derived regenerative cells", "msc"),
])
def test_category_decisions(name: str, category: str | None) -> None:
    rec = record("A trial", Intervention(type="biological", name=name))
    got = annotate_cell_products(rec).cell_products
    assert (got[0].category if got else None) == category


def test_stated_type_of_another_record_keeps_its_label() -> None:
    rec = TrialRecord(id="X", title="Safety Study of allogenic hiPSC-retinas in Retinitis Pigmentosa",
                      source=Source(format="hpscreg_text"),
                      cell_products=[CellProduct(cell_type=CellTypeTerm(label="retina", definition=None))])
    (p,) = annotate_cell_products(rec).cell_products
    assert p.cell_type.id == "UBERON:0000966" and p.cell_type.label == "retina"  # curators recorded a tissue
    assert (p.category, p.pluripotent_origin, p.donor) == ("hipsc_derived", "hiPSC", "allogeneic")


def test_arm_of_several_interventions_does_not_lend_its_product() -> None:
    rec = record("MSC for stroke", Intervention(type="biological", name="UC-MSC"),
                 Intervention(type="other", name="standard treatment"),
                 arms=[Arm(label="MSC", description="UC-MSC plus standard treatment",
                           interventions=["UC-MSC", "standard treatment"])])
    (p,) = annotate_cell_products(rec).cell_products
    assert p.name == "UC-MSC" and p.source_tissue.label == "umbilical cord"


# --- the fast scanner equals the plain regex -------------------------------------------------------------------------

def test_fast_scanner_equals_the_master_regex(msc_trials: dict[str, TrialRecord]) -> None:
    texts = []
    for r in list(msc_trials.values())[:300]:
        texts += [r.title or "", r.brief_summary or "", *(f"{i.name} {i.description or ''}" for i in r.interventions)]
    for text in texts:
        slow = [(m.start(), m.group(0), m.lastgroup) for m in lexicon.MASTER.finditer(text)]
        fast = [(m.start(), m.group(0), m.lastgroup) for m in lexicon.scan(text)]
        assert fast == slow, text
    route = re.compile(r"(?i)\b(?:" + "|".join(details._ROUTES) + r")")
    for text in texts:
        assert [m.group(0) for m in details.ROUTE.scan(text)] == [m.group(0) for m in route.finditer(text)], text


# --- real-data quality ----------------------------------------------------------------------------------------------

def test_detection_rate_over_the_995_msc_trials(msc_trials: dict[str, TrialRecord]) -> None:
    annotated = {k: annotate_cell_products(r) for k, r in msc_trials.items()}
    rate = sum(a.is_stem_cell_trial() for a in annotated.values()) / len(annotated)
    # All 995 include trials that are no stem-cell trial under CONTRACT.md: MSC-derived exosome trials (vesicles are
    # not one of the six stem categories), gastrointestinal *stromal* tumour and other drug/device trials the keyword
    # search swept in, and laboratory studies of patients' own MSCs (bench/eval_cell_products.py lists them).
    assert rate >= 0.93
    # The trials whose title or interventions name MSCs as the product (interventional, not vesicles): ≥ 98 %.
    msc_words = re.compile(r"(?i)mesenchymal|\bMSCs?\b")
    ev_words = re.compile(r"(?i)exosom|vesicle|secretome|conditioned|\bEVs?\b|-Exo")
    named = [k for k, r in msc_trials.items() if r.study_type == "interventional"
             and any(msc_words.search(t) for t in [r.title or "", *(i.name for i in r.interventions)])
             and not any(ev_words.search(t) for t in [r.title or "", *(i.name for i in r.interventions)])]
    assert len(named) > 600
    named_rate = sum(annotated[k].is_stem_cell_trial() for k in named) / len(named)
    assert named_rate >= 0.98
    # … and a stem-cell trial's first product is what the trial is about: an MSC product for most of them
    cats = [a.cell_products[0].category for a in annotated.values() if a.is_stem_cell_trial()]
    assert cats.count("msc") / len(cats) > 0.85
