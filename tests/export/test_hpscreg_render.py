"""The hPSCreg layout renderer: the seed's layout, and a round trip through the hPSCreg importer."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from stemtrials import vocab
from stemtrials.export.hpscreg_text import render_hpscreg
from stemtrials.model import (
    Arm,
    CellProduct,
    CellTypeTerm,
    Condition,
    Contact,
    DateInfo,
    Dates,
    Design,
    Eligibility,
    Enrollment,
    Intervention,
    Location,
    Outcome,
    Outcomes,
    RegistryId,
    Regulatory,
    Source,
    Sponsor,
    TrialRecord,
)
from stemtrials.sources import ctgov_page, hpscreg_text
from stemtrials.sources.base import Parsed

SEED_000 = "seeds/000_c4e1eefd5bb6b75c.txt"
SEED_004 = "seeds/004_e65ca66711663aaa.txt"


def read_one(module: Any, data: bytes) -> TrialRecord:
    out = list(module.read(io.BytesIO(data), "test"))
    assert len(out) == 1 and isinstance(out[0], Parsed), out
    return out[0].record


def carried(r: TrialRecord) -> dict[str, Any]:
    """The values the hPSCreg layout carries (contact roles and titles, arms, outcomes … it does not)."""
    return {
        "id": r.id,
        "registry": r.registry,
        "unidentified": r.unidentified,
        "registry_ids": [(x.id, x.registry, x.kind) for x in r.registry_ids],
        "title": r.title,
        "status": r.status,
        "status_raw": r.status_raw if r.status_raw and vocab.status(r.status_raw) == r.status else None,
        "phases": r.phases,
        "study_type": r.study_type,
        "enrollment": r.enrollment.model_dump(),
        "dates": [r.dates.start, r.dates.primary_completion, r.dates.completion],
        "conditions": [(c.text, c.description) for c in r.conditions],
        "cell_types": [(p.cell_type.label, p.cell_type.definition) for p in r.cell_products if p.cell_type],
        "sponsors": [(s.name, s.role) for s in r.sponsors if s.role in ("lead", "collaborator")],
        "contacts": [(c.name, c.first_name, c.last_name, c.email, c.phone, c.city, c.address, c.affiliation)
                     for c in r.contacts],
        "ages": (r.eligibility.min_age_years, r.eligibility.max_age_years, r.eligibility.sex),
        "countries": r.countries(),
        "url": r.source.url,
    }


def round_trip(record: TrialRecord) -> TrialRecord:
    return read_one(hpscreg_text, render_hpscreg(record).encode("utf-8"))


# ---------------------------------------------------------------- seed 000: the layout itself
def test_seed_000_renders_in_its_own_layout(shared: Path) -> None:
    seed = (shared / SEED_000).read_text(encoding="utf-8")
    record = read_one(hpscreg_text, seed.encode("utf-8"))
    text = render_hpscreg(record)
    assert text.endswith("\n") and not text.endswith("\n\n")
    # Every line of the seed that carries a value comes out identical, in the same order; labels left empty in the
    # seed (ICTRP weblink, Source weblink, Public email, Contact institutions/departments) are left out.
    seed_lines = [x for x in seed.splitlines() if x.strip()]
    empty = {"ICTRP weblink", "Source weblink", "Public email", "Contact institutions/departments"}
    expected = [x for x in seed_lines if x not in empty]
    assert [x for x in text.splitlines() if x.strip()] == expected
    # … and with the seed's blank-line layout around the sections.
    assert text.startswith(record.title + "\n\nGeneral Information\n\nClinical trials phase Other\n")
    assert "\n\nAdministrative Information\n\nOther study identifiers\nName ChiCTR2000031139\n" in text
    assert "\n\n\nWhich differentiated cell type is used\nLabel mesenchymal stem cell\n" in text
    assert text.endswith("\n\n\nRecruitment Status Recruiting\nEstimated number of participants 20\n")


def test_seed_000_round_trip(shared: Path) -> None:
    record = read_one(hpscreg_text, (shared / SEED_000).read_bytes())
    back = round_trip(record)
    assert carried(back) == carried(record)
    # For a record of this format the whole record survives, except where it was read from.
    assert back.model_dump(exclude={"source"}) == record.model_dump(exclude={"source"})


# ---------------------------------------------------------------- records from other importers
def seed_004_by_hand() -> TrialRecord:
    """NCT03123458 built by hand from the real values of seed 004 (its classic page)."""
    return TrialRecord(
        id="NCT03123458",
        registry="ClinicalTrials.gov",
        registry_ids=[RegistryId(id="NCT03123458", registry="ClinicalTrials.gov", kind="primary"),
                      RegistryId(id="GIMI-IRB-17001", registry=None, kind="org_study")],
        title="Clonal Fetal Mesenchymal Stem Cells (cfMSCs) for the Control of Immune-related Disorders",
        official_title="Clonal Fetal Mesenchymal Stem Cells (cfMSCs) for the Control of Immune-related Disorders",
        status="unknown", status_raw="Unknown", last_known_status="enrolling_by_invitation",
        phases=["phase1"], study_type="interventional",
        enrollment=Enrollment(count=100, type="estimated"),
        dates=Dates(start=DateInfo(date="2016-01-01", type="actual"),
                    primary_completion=DateInfo(date="2019-12-31", type="estimated"),
                    completion=DateInfo(date="2020-12-31", type="estimated"),
                    first_posted=DateInfo(date="2017-04-21"), last_update=DateInfo(date="2018-02-26"),
                    verified=DateInfo(date="2018-02")),
        conditions=[Condition(text="Immune Related Disorder"), Condition(text="Tissue Damage")],
        interventions=[Intervention(type="biological", name="clonal fetal MSCs")],
        eligibility=Eligibility(min_age_years=1, max_age_years=80, sex="all", healthy_volunteers=False,
                                inclusion=["Informed consent."], exclusion=["Pregnancy."]),
        design=Design(allocation="not_applicable", intervention_model="single_group", masking="none",
                      primary_purpose="treatment"),
        arms=[Arm(label="Single arm, cfMSC to treat immune disorders", type="experimental",
                  description="cfMSCs treatment", interventions=["clonal fetal MSCs"])],
        outcomes=Outcomes(primary=[Outcome(measure="Number of participants with treatment-related adverse events as "
                                                   "assessed by CTCAE v4.0", time_frame="up to one month")]),
        sponsors=[Sponsor(name="Lung-Ji Chang", role="responsible_party")],
        contacts=[Contact(role="responsible_party", name="Lung-Ji Chang", title="President",
                          affiliation="Shenzhen Geno-Immune Medical Institute")],
        locations=[Location(facility="Capital Institute of Pediatrics affiliated Children's hospital", city="Beijing",
                            state="Beijing", postal_code="100020", country="China"),
                   Location(facility="Shenzhen Geno-immune Medical Institute", city="Shenzhen", state="Guangdong",
                            postal_code="518000", country="China"),
                   Location(facility="Aerospace Center Hospital", city="Beijing", postal_code="100049",
                            country="China")],
        keywords=["MSC", "GVHDs", "transplantation"],
        regulatory=Regulatory(fda_regulated_drug=False, fda_regulated_device=False),
        source=Source(format="ctgov_page", url="https://clinicaltrials.gov/study/NCT03123458"),
    )


def test_hand_built_ctgov_record_renders_and_round_trips() -> None:
    record = seed_004_by_hand()
    text = render_hpscreg(record)
    assert text.splitlines() == [
        "Clonal Fetal Mesenchymal Stem Cells (cfMSCs) for the Control of Immune-related Disorders",
        "",
        "General Information",
        "",
        "Clinical trials phase Phase 1",
        "Trial type Interventional",
        "Start date (actual) 2016-01-01",
        "Primary completion date (estimated) 2019-12-31",
        "End date (estimated) 2020-12-31",
        "Clinical feature",
        "Label Immune Related Disorder",
        "Clinical feature",
        "Label Tissue Damage",
        "",
        "Administrative Information",
        "",
        "Other study identifiers",
        "Name NCT03123458",
        "Description ClinicalTrials.gov",
        "Other study identifiers",
        "Name GIMI-IRB-17001",
        "Description Sponsor's study ID",
        "Source weblink https://clinicaltrials.gov/study/NCT03123458",
        "Scientific contact",
        "Name Lung-Ji Chang",
        "Affiliation Shenzhen Geno-Immune Medical Institute",
        "",
        "",
        "Recruitment Status Unknown",
        "Estimated number of participants 100",
        "Minimum age 1 years",
        "Maximum age 80 years",
        "Gender All",
        "Countries China",
    ]
    back = round_trip(record)
    assert carried(back) == carried(record)
    assert back.id == "NCT03123458" and back.registry == "ClinicalTrials.gov" and not back.unidentified


def test_ctgov_page_import_round_trips(shared: Path) -> None:
    """Seed 004 through its own importer, then through the hPSCreg layout: the same values come back."""
    record = read_one(ctgov_page, (shared / SEED_004).read_bytes())
    back = round_trip(record)
    assert carried(back) == carried(record)
    assert carried(record)["countries"] == ["China"] and carried(record)["ages"] == (1.0, 80.0, "all")


@pytest.mark.parametrize("phases", [["early_phase1"], ["phase2", "phase3"], ["not_applicable"], ["other"],
                                    ["early_phase1", "phase1"], ["phase1", "phase2", "phase3"], []])
def test_phases_round_trip(phases: list[str]) -> None:
    record = seed_004_by_hand().model_copy(update={"phases": phases})
    assert round_trip(record).phases == phases


def test_rich_record_round_trips() -> None:
    """Several identifiers, conditions with descriptions, cell products, public and scientific contacts, undated
    types, fractional ages, collaborators and several countries."""
    record = TrialRecord(
        id="ChiCTR2000031139",
        registry="ChiCTR",
        registry_ids=[RegistryId(id="ChiCTR2000031139", registry="ChiCTR", kind="primary"),
                      RegistryId(id="NCT04331613", registry="ClinicalTrials.gov", kind="secondary"),
                      RegistryId(id="JRCT1234567", registry="jRCT", kind="secondary"),
                      RegistryId(id="LOCAL-7", registry=None, kind="secondary"),
                      RegistryId(id="CAS-001", registry=None, kind="org_study")],
        title="Safety and Effectiveness of Human embryonic stem cell-derived M cells (CAStem) for Pulmonary Fibrosis",
        status="active_not_recruiting", status_raw="ACTIVE_NOT_RECRUITING",
        phases=["phase1", "phase2"], study_type="observational",
        enrollment=Enrollment(count=40, type=None),
        dates=Dates(start=DateInfo(date="2020-03", type=None), completion=DateInfo(date="2022", type="actual")),
        conditions=[Condition(text="COVID-19", description="A coronavirus infectious disease."),
                    Condition(text="Pulmonary Fibrosis")],
        cell_products=[CellProduct(cell_type=CellTypeTerm(label="mesenchymal stem cell", definition="A cell.")),
                       CellProduct(cell_type=CellTypeTerm(label="type II pneumocyte"))],
        eligibility=Eligibility(min_age_years=0.5, max_age_years=17, sex="female"),
        sponsors=[Sponsor(name="Wuhan Jinyintan Hospital (Wuhan Infectious Diseases Hospital)", role="lead"),
                  Sponsor(name="Chinese Academy of Sciences", role="collaborator"),
                  Sponsor(name="A funder", role="funder")],
        contacts=[Contact(role="public_contact", name="Liu Ying", first_name="Liu", last_name="Ying",
                          email="ly@example.org", phone="+8627-85509088", city="Wuhan",
                          address="1 Yintan Road, Dongxihu District, Wuhan, Hubei, China"),
                  Contact(role="central_contact", name="Jane Doe", phone="555-0100 ext 2"),
                  Contact(role="overall_official", name="Zhou Qi", title="Principal Investigator",
                          affiliation="Institute of Zoology")],
        locations=[Location(country="China"), Location(facility="X", city="Tokyo", country="Japan")],
        source=Source(format="ictrp_xml"),
    )
    back = round_trip(record)
    assert carried(back) == carried(record)
    assert back.cell_products[0].name == "CAStem" and back.cell_products[0].category == "hesc_derived"
    assert [c.role for c in back.contacts] == ["public_contact", "public_contact", "scientific_contact"]


def test_unidentified_record_round_trips(shared: Path) -> None:
    seed = (shared / SEED_000).read_text(encoding="utf-8")
    seed = seed.replace("Other study identifiers\nName ChiCTR2000031139\nDescription Chinese Clinical Trial Registry "
                        "(ChiCTR)\n", "")
    record = read_one(hpscreg_text, seed.encode("utf-8"))
    assert record.unidentified and record.registry == "hPSCreg"
    text = render_hpscreg(record)
    assert "Other study identifiers" not in text
    back = round_trip(record)
    assert carried(back) == carried(record)


def test_fields_a_record_lacks_are_left_out() -> None:
    record = TrialRecord(id="NCT00000001", source=Source(format="x"))
    text = render_hpscreg(record)
    assert text == "NCT00000001\n\nGeneral Information\n\n\nAdministrative Information\n"
    back = round_trip(record.model_copy(update={"registry_ids": [RegistryId(id="NCT00000001",
                                                                           registry="ClinicalTrials.gov",
                                                                           kind="primary")]}))
    assert back.id == "NCT00000001" and back.title == "NCT00000001" and back.phases == [] and back.status is None
