"""ClinicalTrials.gov study page text: seed 004 (NCT03123458) field by field, edited variants of it, other layouts."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from stemtrials.model import TrialRecord
from stemtrials.sources import ctgov_page
from stemtrials.sources._segment import reference, segment
from stemtrials.sources.base import ImportProblem, Parsed, SourceError

SEED = "seeds/004_e65ca66711663aaa.txt"


@pytest.fixture(scope="module")
def seed_text(shared: Path) -> str:
    return (shared / SEED).read_text(encoding="utf-8")


def read_all(text: str | bytes, origin: str = "page.txt") -> list[Parsed | ImportProblem]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return list(ctgov_page.read(io.BytesIO(data), origin))


def parse(text: str) -> TrialRecord:
    out = read_all(text)
    assert len(out) == 1, out
    assert isinstance(out[0], Parsed), out[0]
    return out[0].record


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


# ---------------------------------------------------------------- the seed, every field
def test_seed_004_every_field(shared: Path, seed_text: str) -> None:
    out = read_all(seed_text, origin=str(shared / SEED))
    assert len(out) == 1 and isinstance(out[0], Parsed)
    assert out[0].position == "study 1"
    r = out[0].record

    assert r.id == "NCT03123458"
    assert r.registry == "ClinicalTrials.gov"
    assert [(x.id, x.registry, x.kind) for x in r.registry_ids] == [
        ("NCT03123458", "ClinicalTrials.gov", "primary"),
        ("GIMI-IRB-17001", None, "org_study"),
    ]
    assert r.unidentified is False
    assert r.title == "Clonal Fetal Mesenchymal Stem Cells (cfMSCs) for the Control of Immune-related Disorders"
    assert r.official_title == r.title
    assert r.acronym is None and r.brief_summary is None and r.detailed_description is None
    assert r.status == "unknown"
    assert r.status_raw == "Unknown"
    assert r.last_known_status == "enrolling_by_invitation"
    assert r.why_stopped is None
    assert r.phases == ["phase1"]
    assert r.study_type == "interventional"
    assert (r.enrollment.count, r.enrollment.type) == (100, "estimated")

    d = r.dates
    assert (d.start.date, d.start.type) == ("2016-01-01", "actual")
    assert (d.primary_completion.date, d.primary_completion.type) == ("2019-12-31", "estimated")
    assert (d.completion.date, d.completion.type) == ("2020-12-31", "estimated")
    assert (d.first_posted.date, d.first_posted.type) == ("2017-04-21", None)
    assert (d.last_update.date, d.last_update.type) == ("2018-02-26", None)
    assert (d.verified.date, d.verified.type) == ("2018-02", None)

    assert [c.text for c in r.conditions] == ["Immune Related Disorder", "Tissue Damage"]
    assert all(c.terms == [] and c.description is None for c in r.conditions)
    assert r.condition_mesh == []
    assert [(i.type, i.name, i.description, i.other_names) for i in r.interventions] == [
        ("biological", "clonal fetal MSCs", None, [])
    ]
    assert r.cell_products == []

    e = r.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (1.0, 80.0, "all", False)
    assert e.inclusion == [
        "Informed consent.",
        "No available alternative treatment that can reduce the symptoms",
        "Patients are required to meet the following inclusion criteria:",
        "Any patient that has clinically documented abnormal immune or age-related disorders including acute and "
        "chronic GVHD. Patients may receive best available treatment for the control of disease symptoms.",
        "Patients with symptoms associated with genetic defects or infectious diseases are not eligible.",
    ]
    assert e.exclusion == [
        "Inability to give informed consent.",
        "Patients with ongoing infection or history of cancer.",
        "Patients with poor clinical conditions with the life expectancy of less than 14 days.",
        "Pregnancy.",
    ]
    assert e.text.startswith("Inclusion Criteria:\n- Informed consent.\n")
    assert "\n-\nPatients are required" in e.text  # the empty bullet is kept in the text as given
    assert e.text.endswith("Exclusion Criteria:\n- Inability to give informed consent.\n- Patients with ongoing "
                           "infection or history of cancer.\n- Patients with poor clinical conditions with the life "
                           "expectancy of less than 14 days.\n- Pregnancy.")

    assert (r.design.allocation, r.design.intervention_model, r.design.masking, r.design.primary_purpose) == (
        "not_applicable", "single_group", "none", "treatment")
    assert [(a.label, a.type, a.description, a.interventions) for a in r.arms] == [
        ("Single arm, cfMSC to treat immune disorders", "experimental", "cfMSCs treatment", ["clonal fetal MSCs"])
    ]
    # The page lost its outcome headings: both measures count as primary.
    assert [(o.measure, o.time_frame, o.description) for o in r.outcomes.primary] == [
        ("Number of participants with treatment-related adverse events as assessed by CTCAE v4.0", "up to one month",
         "Safety of cfMSC infusion acute and prolonged"),
        ("Number of participants with reduced symptoms or stabilized conditions after treatment",
         "after 1 month from fMSC infusion",
         "Short term clinical effects measured by physiological and serological parameters related to the disease "
         "condition and symptoms using prepared study assessment table."),
    ]
    assert r.outcomes.secondary == []

    assert [(s.name, s.role) for s in r.sponsors] == [("Lung-Ji Chang", "responsible_party")]
    assert [c.model_dump(exclude_none=True) for c in r.contacts] == [
        {"role": "responsible_party", "name": "Lung-Ji Chang", "title": "President",
         "affiliation": "Shenzhen Geno-Immune Medical Institute"}
    ]
    assert [loc.model_dump() for loc in r.locations] == [
        {"facility": "Capital Institute of Pediatrics affiliated Children's hospital", "city": "Beijing",
         "state": "Beijing", "postal_code": "100020", "country": "China"},
        {"facility": "Shenzhen Geno-immune Medical Institute", "city": "Shenzhen", "state": "Guangdong",
         "postal_code": "518000", "country": "China"},
        {"facility": "Aerospace Center Hospital", "city": "Beijing", "state": None, "postal_code": "100049",
         "country": "China"},
    ]
    assert r.countries() == ["China"]
    assert r.keywords == ["MSC", "GVHDs", "transplantation"]
    assert (r.regulatory.fda_regulated_drug, r.regulatory.fda_regulated_device) == (False, False)

    assert r.source.format == "ctgov_page"
    assert r.source.url == "https://clinicaltrials.gov/study/NCT03123458"
    assert r.source.file == f"{shared / SEED}#study 1"
    assert len(r.source.sha256) == 64
    assert r.study_id is None
    assert r.to_json_dict()["study_id"] == "NCT03123458"


def test_seed_004_agrees_with_the_classic_api_record(shared: Path, seed_text: str) -> None:
    """The same trial from the classic API export: the page must give the same values where both carry them."""
    with gzip.open(shared / "data/ctgov/classic/msc_trials_study_fields.jsonl.gz", "rt", encoding="utf-8") as f:
        study = next(json.loads(line) for line in f if '"NCT03123458"' in line)
    r = parse(seed_text)
    assert [c.text for c in r.conditions] == study["Condition"]
    assert r.keywords == study["Keyword"]
    assert [loc.facility for loc in r.locations] == study["LocationFacility"]
    assert [loc.city for loc in r.locations] == study["LocationCity"]
    assert [loc.postal_code for loc in r.locations] == study["LocationZip"]
    assert r.registry_ids[1].id == study["OrgStudyId"][0]
    assert r.contacts[0].name == study["ResponsiblePartyInvestigatorFullName"][0]
    assert r.contacts[0].title == study["ResponsiblePartyInvestigatorTitle"][0]
    assert r.arms[0].label == study["ArmGroupLabel"][0]


# ---------------------------------------------------------------- edited variants
def test_variant_other_phase_status_and_actual_dates(seed_text: str) -> None:
    r = parse(edit(
        seed_text,
        ("Recruitment Status : Unknown\n", "Recruitment Status : Completed\n"),
        ("Recruitment status was: Enrolling by invitation\n", ""),
        ("| Phase 1 |", "| Phase 2 Phase 3 |"),
        ("Estimated Enrollment : | 100 participants |", "Actual Enrollment : | 87 participants |"),
        ("Estimated Primary Completion Date : | December 31, 2019 |", "Actual Primary Completion Date : | June 2019 |"),
        ("Estimated Study Completion Date : | December 31, 2020 |", "Actual Study Completion Date : | July 2020 |"),
        ("Allocation: | N/A |", "Allocation: | Randomized |"),
        ("Intervention Model: | Single Group Assignment |", "Intervention Model: | Parallel Assignment |"),
        ("Masking: | None (Open Label) |", "Masking: | Quadruple (Participant, Care Provider, Investigator, "
                                           "Outcomes Assessor) |"),
        ("Primary Purpose: | Treatment |", "Primary Purpose: | Prevention |"),
        ("1 Year to 80 Years (Child, Adult, Older Adult)", "up to 17 Years (Child)"),
        ("Sexes Eligible for Study: | All |", "Sexes Eligible for Study: | Male |"),
        ("Accepts Healthy Volunteers: | No |", "Accepts Healthy Volunteers: | Accepts Healthy Volunteers |"),
        ("Studies a U.S. FDA-regulated Drug Product: | No |", "Studies a U.S. FDA-regulated Drug Product: | Yes |"),
    ))
    assert (r.status, r.status_raw, r.last_known_status) == ("completed", "Completed", None)
    assert r.phases == ["phase2", "phase3"]
    assert (r.enrollment.count, r.enrollment.type) == (87, "actual")
    assert (r.dates.primary_completion.date, r.dates.primary_completion.type) == ("2019-06", "actual")
    assert (r.dates.completion.date, r.dates.completion.type) == ("2020-07", "actual")
    assert r.design.model_dump() == {"allocation": "randomized", "intervention_model": "parallel",
                                     "masking": "quadruple", "primary_purpose": "prevention"}
    e = r.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (None, 17.0, "male", True)
    assert (r.regulatory.fda_regulated_drug, r.regulatory.fda_regulated_device) == (True, False)


def test_variant_conditions_kept_on_their_own_lines(seed_text: str) -> None:
    """When the copy kept the cell's line breaks, each line is one condition (no re-splitting)."""
    r = parse(edit(seed_text, ("Immune Related Disorder Tissue Damage |",
                               "Graft Versus Host Disease\nCrohn Disease\nTissue Damage |")))
    assert [c.text for c in r.conditions] == ["Graft Versus Host Disease", "Crohn Disease", "Tissue Damage"]
    assert r.phases == ["phase1"] and r.interventions[0].name == "clonal fetal MSCs"


def test_variant_two_identifiers_and_terminated(seed_text: str) -> None:
    r = parse(edit(
        seed_text,
        ("Recruitment Status : Unknown\n", "Recruitment Status : Terminated\n(Sponsor decision)\n"),
        ("Other Study ID Numbers: |\nGIMI-IRB-17001 |", "Other Study ID Numbers: |\nGIMI-IRB-17001\n2017-001234-22 |"),
    ))
    assert (r.status, r.why_stopped) == ("terminated", "Sponsor decision")
    assert [(x.id, x.registry, x.kind) for x in r.registry_ids] == [
        ("NCT03123458", "ClinicalTrials.gov", "primary"),
        ("GIMI-IRB-17001", None, "org_study"),
        ("2017-001234-22", "EU-CTR", "secondary"),
    ]


def full_page(seed_text: str) -> str:
    """The seed with the parts of a classic page it lost put back (real values of NCT03123458 where they exist)."""
    return edit(
        seed_text,
        ("Last Update Posted : February 26, 2018\n",
         "Results First Posted : March 1, 2019\nLast Update Posted : February 26, 2018\nSponsor:\n"
         "Shenzhen Geno-Immune Medical Institute\nCollaborators:\nCapital Institute of Pediatrics\n"
         "Information provided by (Responsible Party):\nLung-Ji Chang, Shenzhen Geno-Immune Medical Institute\n"),
        ("- How to Read a Study Record\n",
         "- How to Read a Study Record\nBrief Summary:\nThe primary objectives are to evaluate the safety and efficacy "
         "of infusion of the third party fully-characterized clonally derived fetal MSCs (cfMSCs) for the control of "
         "severe symptoms associated with acute and chronic immune-related disorders and tissue damage.\n\n"
         "Detailed Description:\nMSCs have been extensively studied.\n\nGVHD is a serious and often fatal problem.\n"),
        ("Immune Related Disorder Tissue Damage | Biological: clonal fetal MSCs | Phase 1 |",
         "Graft Versus Host Disease Crohn Disease | Biological: clonal fetal MSCs Drug: Tacrolimus | "
         "Phase 1 Phase 2 |"),
        ("Biological: clonal fetal MSCs |\n- Number",
         "Biological: clonal fetal MSCs\nIntravenous infusion\nOther Names:\n- cfMSC\n- fetal MSC\n|\n"
         "Active Comparator: Standard care\nTacrolimus only\n|\nDrug: Tacrolimus\nOral tacrolimus\n|\n"
         "Primary Outcome Measures :\n- Number"),
        ("- Number of participants with reduced symptoms", "Secondary Outcome Measures :\n"
                                                           "- Number of participants with reduced symptoms"),
        ("using prepared study assessment table.\n", "using prepared study assessment table.\nSecond line.\n"
                                                      "Other Outcome Measures:\n- Quality of life [ Time Frame: "
                                                      "6 months ]\n"),
        ("(NCT number): NCT03123458\n",
         "(NCT number): NCT03123458\nContacts\nContact: Lung-Ji Chang, PhD | +86 755 8672 5195 ext 12 | "
         "c@szgimi.org |\nLocations\nUnited States, California | |\nStanford University | Recruiting |\n"
         "Stanford, California, United States, 94305 | |\nContact: Jane Roe | 650-555-0100 | |\n"
         "Principal Investigator: | John Doe, MD | |\nKorea, Republic of | |\nSeoul National University Hospital | |\n"
         "Seoul, Korea, Republic of, 03080 | |\n"),
        ("Responsible Party: | Lung-Ji Chang, President, Shenzhen Geno-Immune Medical Institute |",
         "Sponsors and Collaborators\nShenzhen Geno-Immune Medical Institute\nCapital Institute of Pediatrics\n"
         "Investigators\nPrincipal Investigator: | Lung-Ji Chang, PhD | Shenzhen Geno-Immune Medical Institute |\n"
         "Study Director: | Mary Major | Aerospace Center Hospital |\nMore Information\n"
         "Responsible Party: | Shenzhen Geno-Immune Medical Institute |"),
        ("MSC GVHDs transplantation |",
         "Plan to Share IPD: | No |\nKeywords provided by Shenzhen Geno-Immune Medical Institute: | mesenchymal stem "
         "cells graft versus host disease GVHD |\nAdditional relevant MeSH terms: | Graft vs Host Disease Crohn "
         "Disease Immune System Diseases |"),
    )


def check_full_page(r: TrialRecord) -> None:
    assert r.brief_summary.startswith("The primary objectives are to evaluate")
    assert r.detailed_description == "MSCs have been extensively studied.\n\nGVHD is a serious and often fatal problem."
    assert [c.text for c in r.conditions] == ["Graft Versus Host Disease", "Crohn Disease"]
    assert [m.label for m in r.condition_mesh] == ["Graft vs Host Disease", "Crohn Disease", "Immune System Diseases"]
    assert all(m.id is None for m in r.condition_mesh)
    assert r.keywords == ["mesenchymal stem cells", "graft versus host disease", "GVHD"]
    assert r.phases == ["phase1", "phase2"]
    assert [(i.type, i.name, i.description, i.other_names) for i in r.interventions] == [
        ("biological", "clonal fetal MSCs", "Intravenous infusion", ["cfMSC", "fetal MSC"]),
        ("drug", "Tacrolimus", "Oral tacrolimus", []),
    ]
    assert [(a.label, a.type, a.description, a.interventions) for a in r.arms] == [
        ("Single arm, cfMSC to treat immune disorders", "experimental", "cfMSCs treatment", ["clonal fetal MSCs"]),
        ("Standard care", "active_comparator", "Tacrolimus only", ["Tacrolimus"]),
    ]
    assert [o.measure for o in r.outcomes.primary] == [
        "Number of participants with treatment-related adverse events as assessed by CTCAE v4.0"]
    assert [(o.measure, o.time_frame) for o in r.outcomes.secondary] == [
        ("Number of participants with reduced symptoms or stabilized conditions after treatment",
         "after 1 month from fMSC infusion"),
        ("Quality of life", "6 months"),  # "other" outcomes follow the secondary ones
    ]
    assert r.outcomes.secondary[0].description.endswith("assessment table.\nSecond line.")
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("Shenzhen Geno-Immune Medical Institute", "lead"), ("Capital Institute of Pediatrics", "collaborator"),
        ("Shenzhen Geno-Immune Medical Institute", "responsible_party"),
    ]
    assert [c.model_dump(exclude_none=True) for c in r.contacts] == [
        {"role": "overall_official", "name": "Lung-Ji Chang, PhD", "title": "Principal Investigator",
         "affiliation": "Shenzhen Geno-Immune Medical Institute"},
        {"role": "overall_official", "name": "Mary Major", "title": "Study Director",
         "affiliation": "Aerospace Center Hospital"},
        {"role": "central_contact", "name": "Lung-Ji Chang, PhD", "phone": "+86 755 8672 5195 ext 12",
         "email": "c@szgimi.org"},
    ]
    assert [(loc.facility, loc.city, loc.state, loc.postal_code, loc.country) for loc in r.locations][:2] == [
        ("Stanford University", "Stanford", "California", "94305", "United States"),
        ("Seoul National University Hospital", "Seoul", None, "03080", "Korea, Republic of"),
    ]
    assert len(r.locations) == 5 and r.countries() == ["United States", "Korea, Republic of", "China"]


def test_variant_full_page_layout(seed_text: str) -> None:
    check_full_page(parse(full_page(seed_text)))


def test_variant_browser_copy_with_tabs(seed_text: str) -> None:
    """The same page copied from a browser: cells separated by tabs, no '|' row ends, cell line breaks kept."""
    text = full_page(seed_text) + "\n"
    text = text.replace("---|---|---|\n", "").replace("---|---|\n", "").replace("\n|\n", "\n")
    text = text.replace(" | |\n", "\n").replace(" |\n", "\n").replace(": | ", ":\t").replace(" | ", "\t")
    text = text.replace("Graft Versus Host Disease Crohn Disease\t", "Graft Versus Host Disease\nCrohn Disease\t")
    assert "|" not in text.replace("ClinicalTrials.gov Identifier: NCT03123458\n", "")
    check_full_page(parse(text))


def test_two_pages_in_one_file(seed_text: str) -> None:
    other = edit(seed_text, ("Clonal Fetal Mesenchymal Stem Cells (cfMSCs) for the Control of Immune-related "
                             "Disorders\n![]()", "Another Trial\n![]()")).replace("NCT03123458", "NCT04000001")
    out = read_all(seed_text + "\n" + other)
    assert [o.position for o in out] == ["study 1", "study 2"]
    assert [o.record.id for o in out] == ["NCT03123458", "NCT04000001"]
    assert out[1].record.title == "Another Trial"
    assert out[0].record.keywords == ["MSC", "GVHDs", "transplantation"]
    assert [loc.city for loc in out[1].record.locations] == ["Beijing", "Shenzhen", "Beijing"]
    assert out[0].raw.decode().startswith("Clonal Fetal") and out[1].raw.decode().startswith("Another Trial")


# ---------------------------------------------------------------- the list re-splitting heuristic
def test_segment_examples() -> None:
    ref = reference(["Clonal Fetal MSCs for the Control of Immune-related Disorders and tissue damage"])
    assert segment("Immune Related Disorder Tissue Damage", ref) == ["Immune Related Disorder", "Tissue Damage"]
    assert segment("Decompensated Liver Cirrhosis", reference(["decompensated cirrhosis of the liver"])) == [
        "Decompensated Liver Cirrhosis"]
    assert segment("Knee Osteoarthritis Cartilage Defect", reference([""])) == ["Knee Osteoarthritis",
                                                                               "Cartilage Defect"]
    assert segment("MSC GVHDs transplantation", reference(["graft versus host disease (GVHD)"]), kind="keyword") == [
        "MSC", "GVHDs", "transplantation"]
    assert segment("mesenchymal stem cells COVID-19", reference(["Mesenchymal stem cells for COVID-19"]),
                   kind="keyword") == ["mesenchymal stem cells", "COVID-19"]
    assert segment("", ref) == [] and segment("Asthma", ref) == ["Asthma"]


def test_segment_accuracy_on_real_trials(shared: Path) -> None:
    """The documented accuracy of the heuristic on the 995 real CT.gov MSC trials: run-together condition and keyword
    cells are rebuilt from each trial's own text, then compared with the registry's lists."""
    fields = ("BriefTitle", "OfficialTitle", "BriefSummary", "DetailedDescription", "EligibilityCriteria",
              "PrimaryOutcomeMeasure", "SecondaryOutcomeMeasure", "ArmGroupLabel", "InterventionName")
    hits = {"condition": [0, 0], "keyword": [0, 0]}
    with gzip.open(shared / "data/ctgov/classic/msc_trials_study_fields.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            study = json.loads(line)
            texts = [t for k in fields for t in study.get(k) or []]
            for kind, key, other in (("condition", "Condition", "Keyword"), ("keyword", "Keyword", "Condition")):
                items = [x.strip() for x in study.get(key) or []]
                if items:
                    got = segment(" ".join(items), reference([*texts, " ".join(study.get(other) or [])]), kind=kind)
                    hits[kind][0] += got == items
                    hits[kind][1] += 1
    assert hits["condition"][1] == 995 and hits["condition"][0] / 995 > 0.8
    assert hits["keyword"][1] == 700 and hits["keyword"][0] / 700 > 0.5


# ---------------------------------------------------------------- sniffing and bad input
def test_sniff_accepts_pages(seed_text: str) -> None:
    head = seed_text.encode()[:65536]
    assert ctgov_page.sniff(head, "page.txt")
    assert ctgov_page.sniff(b"\xef\xbb\xbf  \n\n" + head, "page.txt")
    assert ctgov_page.sniff(full_page(seed_text).encode(), "x")


def test_sniff_refuses_other_formats(shared: Path) -> None:
    others = [
        shared / "seeds/000_c4e1eefd5bb6b75c.txt",
        *sorted((shared / "data/ctgov/v2").glob("*.json"))[:3],
        *sorted((shared / "data/ctgov/legacy_xml").glob("*.xml"))[:3],
        *sorted((shared / "data/ctgov/classic_full_studies").glob("*.json")),
        *sorted((shared / "data/ctgov/csv_export").glob("*.csv")),
        shared / "data/ictrp/ChiCTR2000034346.xml",
        shared / "data/hpscreg/hpscreg_trials_scrape.tsv",
    ]
    for path in others:
        assert not ctgov_page.sniff(path.read_bytes()[:65536], path.name), path
    with gzip.open(shared / "data/ctgov/classic/msc_trials_study_fields.jsonl.gz") as f:
        assert not ctgov_page.sniff(f.read(65536), "x.jsonl")
    assert not ctgov_page.sniff(b'{"id": "NCT03123458", "registry_ids": [], "source": {}}\n', "x.jsonl")
    assert not ctgov_page.sniff(b"", "empty.txt")


def test_not_a_page_raises_source_error() -> None:
    with pytest.raises(SourceError):
        read_all("Just some text\nwith no identifier at all\n")
    with pytest.raises(SourceError):
        read_all(b"")


@pytest.mark.parametrize("cut", [0.1, 0.25, 0.5, 0.75, 0.9])
def test_truncated_page_never_crashes(seed_text: str, cut: float) -> None:
    text = seed_text[: int(len(seed_text) * cut)]
    try:
        out = read_all(text)
    except SourceError:
        return
    for item in out:
        assert isinstance(item, (Parsed, ImportProblem))


def test_garbled_bytes_never_crash(seed_text: str) -> None:
    data = bytearray(seed_text.encode())
    for k in range(0, len(data), 7):
        data[k] = (data[k] * 31 + 7) % 256
    try:
        out = read_all(bytes(data))
    except SourceError:
        return
    assert all(isinstance(item, (Parsed, ImportProblem)) for item in out)


def test_page_without_identifier_between_pages_is_a_problem(seed_text: str) -> None:
    broken = seed_text.replace("ClinicalTrials.gov Identifier: | NCT03123458 |", "")
    out = read_all(broken)
    assert isinstance(out[0], Parsed)  # the header still names the trial


def test_stream_failing_while_read_raises_source_error(seed_text: str) -> None:
    data = gzip.compress(seed_text.encode())
    broken = gzip.GzipFile(fileobj=io.BytesIO(data[: len(data) // 2]))
    with pytest.raises(SourceError):
        list(ctgov_page.read(broken, "broken.txt.gz"))


def test_variant_observational_page(seed_text: str) -> None:
    r = parse(edit(
        seed_text,
        ("Condition or disease | Intervention/treatment | Phase |\n---|---|---|\n"
         "Immune Related Disorder Tissue Damage | Biological: clonal fetal MSCs | Phase 1 |",
         "Condition or disease | Intervention/treatment |\n---|---|\nImmune Related Disorder Tissue Damage | "
         "Biological: clonal fetal MSCs |"),
        ("Study Type : | Interventional (Clinical Trial) |", "Study Type : | Observational [Patient Registry] |\n"
                                                             "Observational Model: | Cohort |\n"
                                                             "Time Perspective: | Prospective |"),
        ("Arm | Intervention/treatment |\n---|---|\nExperimental: Single arm, cfMSC to treat immune disorders\n",
         "Group/Cohort | Intervention/treatment |\n---|---|\nTreated patients\n"),
        ("Accepts Healthy Volunteers: | No |\n", "Accepts Healthy Volunteers: | No |\nSampling Method: | "
                                                 "Non-Probability Sample |\nStudy Population\nPatients of the clinic.\n"
                                                 "Criteria\n"),
    ))
    assert r.study_type == "observational" and r.phases == []
    assert [c.text for c in r.conditions] == ["Immune Related Disorder", "Tissue Damage"]
    assert [(a.label, a.type, a.description, a.interventions) for a in r.arms] == [
        ("Treated patients", None, "cfMSCs treatment", ["clonal fetal MSCs"])]
    assert r.eligibility.text.startswith("Inclusion Criteria:") and len(r.eligibility.exclusion) == 4
    assert len(r.outcomes.primary) == 2 and len(r.locations) == 3
