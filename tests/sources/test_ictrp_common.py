"""The ICTRP cell parsers and record mapping shared by the XML, CSV and Excel readers.

Values are the ones real ICTRP exports carry (the ../shared samples, noted per case); a few spellings the samples
lack but ICTRP documents ("65+", "18Y", "6M", typed ChiCTR IDs, "-3RD" EU-CTR suffixes) are covered too.
"""

from __future__ import annotations

import pytest

from stemtrials.model import Design
from stemtrials.sources import _ictrp_lists as lists
from stemtrials.sources import _ictrp_parse as parse
from stemtrials.sources._ictrp_common import Fields, build_record


# ---------------------------------------------------------------- identifiers
@pytest.mark.parametrize(("raw", "ident", "aliases"), [
    ("EUCTR2019-001155-39-GB", "2019-001155-39", ["EUCTR2019-001155-39-GB"]),  # full export
    ("EUCTR2020-001234-56-DE", "2020-001234-56", ["EUCTR2020-001234-56-DE"]),
    ("EUCTR2012-000123-11-3RD", "2012-000123-11", ["EUCTR2012-000123-11-3RD"]),
    ("euctr2020-000890-25-fr", "2020-000890-25", ["EUCTR2020-000890-25-FR"]),
    ("ChiCTR2000031139", "ChiCTR2000031139", []),
    ("ChiCTR-TRC-12002345", "ChiCTR-TRC-12002345", []),  # the pre-2016 typed form, kept as is
    ("chictr-ior-17012345", "ChiCTR-IOR-17012345", []),
    ("JPRN-UMIN000037291", "JPRN-UMIN000037291", ["UMIN000037291"]),  # full export
    ("JPRN-jRCTs031180097", "JPRN-jRCTs031180097", ["jRCTs031180097"]),
    ("JPRN-JapicCTI-194721", "JPRN-JapicCTI-194721", []),
    (" NCT04331613 ", "NCT04331613", []),
    ("CTRI/2019/02/017575", "CTRI/2019/02/017575", []),
    ("IRCT20190122042450N3", "IRCT20190122042450N3", []),
    ("NL8490", "NL8490", []),
    ("RBR-3cbs3w", "RBR-3cbs3w", []),
    ("", None, None),
    ("NULL", None, None),
])
def test_trial_id(raw: str, ident: str | None, aliases: list[str] | None) -> None:
    found = parse.trial_id(raw)
    assert (found is None) if ident is None else found == (ident, aliases)


def test_secondary_ids_drop_junk_and_give_the_bare_eudract_number() -> None:
    # Full-export cells: "Nil known;Nil known;MHREC 1554", "021FSGS16010;2016-005141-23-GB",
    # "Alofisel-4001;not appliable"
    assert parse.secondary_ids("Nil known;Nil known;MHREC 1554", "ACTRN12619000720112") == ["MHREC 1554"]
    assert parse.secondary_ids("021FSGS16010;2016-005141-23-GB", "NCT1") == [
        "021FSGS16010", "EUCTR2016-005141-23-GB", "2016-005141-23"]
    assert parse.secondary_ids("Alofisel-4001;not appliable", "x") == ["Alofisel-4001"]
    assert parse.secondary_ids("N/A;none;pending;Not applicable;NULL;NIL", "x") == []
    assert parse.secondary_ids("EUCTR2019-001155-39-FR", "2019-001155-39") == ["EUCTR2019-001155-39-FR"]


@pytest.mark.parametrize(("raw", "registry"), [
    ("ClinicalTrials.gov", "ClinicalTrials.gov"), ("CT.gov", "ClinicalTrials.gov"),
    ("EU Clinical Trials Register", "EU-CTR"), ("EUCTR", "EU-CTR"), ("German Clinical Trials Register", "DRKS"),
    ("Netherlands Trial Register", "NTR"), ("REBEC", "ReBec"), ("KCT", "CRiS"), ("Somewhere else", None),
])
def test_source_register(raw: str, registry: str | None) -> None:
    assert parse.source_register(raw) == registry


# ---------------------------------------------------------------- text
def test_text_cleaning() -> None:
    assert parse.text("a<br>b<br/>c<br />d<br/ >e&lt;br&gt;f") == "a\nb\nc\nd\ne\nf"
    assert parse.text("line_x000D_<br>next") == "line\nnext"  # Excel's escaped CR before the <br>
    assert parse.text("RT-PCR&#32;product") == "RT-PCR product"
    assert parse.text("  Zhongnan   Hospital  ") == "Zhongnan Hospital"
    assert parse.text("NULL") is None
    # UTF-8 read as Mac Roman in the Excel export: "Assistance Publique - H√¥pitaux de Paris"
    assert parse.text("Assistance Publique - H√¥pitaux de Paris") == "Assistance Publique - Hôpitaux de Paris"
    assert parse.text("‚ÄúDiagnosis and Treatment Scheme‚Äù") == "“Diagnosis and Treatment Scheme”"
    assert parse.text("x = √2") == "x = √2"  # not mojibake: left alone
    assert parse.line("Sichuan Academy\n& Hospital ") == "Sichuan Academy & Hospital"
    assert parse.line("N/A") is None and parse.line("Cancelled") is None


def test_items_split_dedupe_and_drop_junk() -> None:
    assert parse.items("Peripheral Arterial Disease; <br>Peripheral Arterial Disease;Cardiovascular") == [
        "Peripheral Arterial Disease", "Cardiovascular"]
    assert parse.items("COVID-19;SARS-CoV-2;;NA;") == ["COVID-19", "SARS-CoV-2"]


# ---------------------------------------------------------------- dates
@pytest.mark.parametrize(("raw", "registry", "iso"), [
    ("2020-03-22", "ChiCTR", "2020-03-22"),
    ("20200322", None, "2020-03-22"),  # Date registration3
    ("2020-03-22 00:00:00", "ChiCTR", "2020-03-22"),  # Excel datetime as text
    ("06/02/2020", "ClinicalTrials.gov", "2020-02-06"),  # ICTRP writes CT.gov dates day first
    ("5/9/2019", "ClinicalTrials.gov", "2019-09-05"),
    ("12-02-2019", "CTRI", "2019-02-12"),
    ("2019/08/01", "JPRN", "2019-08-01"),
    ("16/09/2015", "EU-CTR", "2015-09-16"),
    ("January 27, 2020", "ClinicalTrials.gov", "2020-01-27"),
    ("March 2020", None, "2020-03"),
    ("17 February 2020", None, "2020-02-17"),  # Last Refreshed on
    ("3/18/2020 6:53:35 PM", None, "2020-03-18"),  # Export date (US order: the day is > 12)
    ("1900-01-01", None, None),  # the full export's "no date"
    ("NULL", None, None), ("", None, None), ("soon", None, None),
])
def test_iso_date(raw: str, registry: str | None, iso: str | None) -> None:
    assert parse.iso_date(raw, registry) == iso


# ---------------------------------------------------------------- status, titles
@pytest.mark.parametrize(("raw", "status"), [
    ("Recruiting", "recruiting"), ("Not recruiting", "active_not_recruiting"),
    ("Not Recruiting", "active_not_recruiting"), ("Authorised", "other"),
    ("Authorised-recruitment may be ongoing or finished", "other"), ("Pending", "not_yet_recruiting"),
    ("Pending (Not yet recruiting)", "not_yet_recruiting"), ("Open to Recruitment", "recruiting"),
    ("Closed to Recruitment of Participants", "active_not_recruiting"), ("Complete", "completed"),
    ("Completed", "completed"), ("Terminated", "terminated"), ("Not Yet Recruiting", "not_yet_recruiting"),
    (None, None),
])
def test_status(raw: str | None, status: str | None) -> None:
    assert parse.status(raw) == status


@pytest.mark.parametrize(("raw", "note", "title"), [
    # ChiCTR2000030162, ChiCTR2000030222 (COVID CSV): the note, then a run of spaces, then the title
    ("Cancelled by the investigator                     Study for the water extract of soybean",
     "Cancelled by the investigator", "Study for the water extract of soybean"),
    ("Cancelled due to lack of participants                                        Study for the Impact",
     "Cancelled due to lack of participants", "Study for the Impact"),
    ("Cancelled                         Study for the water extract", "Cancelled", "Study for the water extract"),
    ("[Cancelled] A trial of X", "Cancelled", "A trial of X"),
    ("Cancelled by the investigator Study of Y", "Cancelled by the investigator", "Study of Y"),  # spaces collapsed
    ("Cancelled", "Cancelled", None),
])
def test_cancelled_titles(raw: str, note: str, title: str | None) -> None:
    assert parse.cancelled(raw) == (note, title)


def test_titles_that_are_not_cancelled() -> None:
    assert parse.cancelled("Cancellation of elective surgery during COVID-19") is None
    assert parse.cancelled("Study of cancelled operations") is None
    assert parse.cancelled(None) is None


# ---------------------------------------------------------------- participants
@pytest.mark.parametrize(("raw", "count"), [
    ("control group:50;sepsis group:50;", 100),
    ("Case series:20;", 20),  # ChiCTR2000031139
    ("2019 Y:2418;2020 Y:821;", 3239),  # ChiCTR2000034346 (per-trial XML)
    ("1 the critical group :8;2 the severe group:8;3 the control group of the critical group:8;", 24),
    ("Experimental group:30;Control group :30;", 60),
    ("100", 100), (100, 100), ("1,000", 1000), ("", None), (None, None), ("Case series:;", None),
])
def test_target_size(raw: object, count: int | None) -> None:
    assert parse.target_size(raw) == count


@pytest.mark.parametrize(("raw", "years"), [
    ("18 Years", 18.0), ("18", 18.0), (18, 18.0), ("18Y", 18.0), ("65+", 65.0), (">= 20age old", 20.0),
    ("< 80age old", 80.0), ("<= 79age old", 79.0), ("20years-old", 20.0), ("19(Year)", 19.0), ("44 Year(s)", 44.0),
    ("6 Months", 0.5), ("6M", 0.5), ("N/A", None), ("no limit", None), ("No Limit", None),
    ("no maximum age", None), ("??", None), ("-", None), ("ND", None), ("NA", None), (None, None),
])
def test_age(raw: object, years: float | None) -> None:
    assert parse.age(raw) == years


@pytest.mark.parametrize(("raw", "sex"), [
    ("Both", "all"), ("All", "all"), ("BOTH", "all"), ("Male and Female", "all"), ("Both males and females", "all"),
    ("Both, male and female", "all"), ("Male/Female", "all"), ("<br>Female: yes<br>Male: yes<br>", "all"),
    ("<br> Female: yes<br> Male: yes<br>", "all"), ("<br>Female: no<br>Male: yes<br>", "male"),
    ("Female: yes\nMale: no", "female"), ("Male", "male"), ("Males", "male"), ("Females", "female"),
    ("F", "female"), ("M", "male"), ("-", None), ("NA", None), (None, None),
])
def test_sex(raw: str | None, sex: str | None) -> None:
    assert parse.sex(raw) == sex


# ---------------------------------------------------------------- design
@pytest.mark.parametrize(("raw", "phases"), [
    ("Phase 3", ["phase3"]), ("3", ["phase3"]), ("Phase 2/Phase 3", ["phase2", "phase3"]),
    ("2-3", ["phase2", "phase3"]),
    ("II-III", ["phase2", "phase3"]), ("Phase4", ["phase4"]), ("Early Phase 1", ["early_phase1"]),
    ("N/A", ["not_applicable"]), ("Not Applicable", ["not_applicable"]), ("0", ["other"]),
    ("Retrospective study", ["other"]), ("Not selected", []), (None, []),
    ("Human pharmacology (Phase I): no\nTherapeutic exploratory (Phase II): yes\n"
     "Therapeutic confirmatory - (Phase III): yes\nTherapeutic use (Phase IV): no\n", ["phase2", "phase3"]),
    # run together, as in the full export
    ("Human pharmacology (Phase I): noTherapeutic exploratory (Phase II): yesTherapeutic confirmatory - (Phase III): "
     "noTherapeutic use (Phase IV): no", ["phase2"]),
    ("Human pharmacology (Phase I): \nTherapeutic exploratory (Phase II): yes\n", ["phase2"]),
    ("Human pharmacology (Phase I): no\nTherapeutic exploratory (Phase II): no\n", []),
])
def test_phases(raw: str | None, phases: list[str]) -> None:
    assert parse.phases(raw) == phases


@pytest.mark.parametrize(("raw", "kind"), [
    ("Interventional study", "interventional"),
    ("Interventional clinical trial of medicinal product", "interventional"),
    ("Intervention", "interventional"), ("Observational [Patient Registry]", "observational"),
    ("Epidemilogical research", "observational"), ("Prognosis study", "observational"),
    ("Expanded Access", "expanded_access"), ("Diagnostic test", "other"), (None, None),
])
def test_study_type(raw: str | None, kind: str | None) -> None:
    assert parse.study_type(raw) == kind


@pytest.mark.parametrize(("raw", "design"), [
    ("Allocation: Randomized. Intervention model: Parallel Assignment. Primary purpose: Treatment. Masking: Double "
     "(Participant, Investigator).", Design(allocation="randomized", intervention_model="parallel", masking="double",
                                           primary_purpose="treatment")),
    ("Allocation: N/A. Intervention model: Single Group Assignment. Primary purpose: Treatment. Masking: None (Open "
     "Label).", Design(allocation="not_applicable", intervention_model="single_group", masking="none",
                       primary_purpose="treatment")),
    ("Controlled: yes<br>Randomised: yes<br>Open: no<br>Single blind: no<br>Double blind: yes<br>Parallel group: no"
     "<br>Cross over: no<br>", Design(allocation="randomized", masking="double")),
    ("Controlled: noRandomised: noOpen: yesSingle blind: noDouble blind: noParallel group: noCross over: no",
     Design(allocation="non_randomized", masking="none")),
    ("Randomization: Randomized, Blinding: Double blinded, Placebo: Used, Assignment: Parallel, Purpose: Treatment",
     Design(allocation="randomized", intervention_model="parallel", masking="double", primary_purpose="treatment")),
    ("Randomization: N/A, Blinding: Not blinded, Placebo: Not used, Assignment: Single, Purpose: Treatment",
     Design(masking="none", primary_purpose="treatment")),
    ("Purpose: Diagnosis; Allocation: Non-randomised trial; Masking: Open (masking not used);Assignment: Single "
     "group", Design(allocation="non_randomized", intervention_model="single_group", masking="none",
                     primary_purpose="diagnostic")),
    ("Purpose: Natural history;Duration: Longitudinal;", Design(primary_purpose="other")),
    ("Parallel", Design(intervention_model="parallel")), ("Single arm", Design(intervention_model="single_group")),
    ("Non randomized control", Design(allocation="non_randomized")), ("Cohort study", Design()), (None, Design()),
])
def test_design(raw: str | None, design: Design) -> None:
    assert parse.design(raw) == design


# ---------------------------------------------------------------- lists
def test_conditions() -> None:
    # ACTRN12619000423112 (full export): "<br>"- and ";"-joined, repeated
    assert lists.conditions("Peripheral Arterial Disease; <br>Peripheral Arterial Disease;Cardiovascular - Diseases "
                            "of the vasculature") == ["Peripheral Arterial Disease",
                                                      "Cardiovascular - Diseases of the vasculature"]
    # IRCT20200316046792N1 (COVID CSV)
    assert lists.conditions("COVID-19. <br>COVID-19;U07.1") == ["COVID-19", "U07.1"]
    # EUCTR2019-001155-39-GB (full export): MedDRA blocks give their Term; the therapeutic area is no condition
    assert lists.conditions(
        "Solid tumors <br>MedDRA version: 21.1Level: LLTClassification code 10065147Term: Malignant solid tumorSystem "
        "Organ Class: 100000004864 <br>MedDRA version: 21.1Level: LLTClassification code 10065252Term: Solid tumor"
        "System Organ Class: 100000004864;Therapeutic area: Diseases [C] - Cancer [C04]") == [
        "Solid tumors", "Malignant solid tumor", "Solid tumor"]
    # CTRI/2019/02/017575: labels run together
    assert lists.conditions("Health Condition 1: Q214- Aortopulmonary septal defectHealth Condition 2: Q211- Atrial "
                            "septal defect") == ["Q214- Aortopulmonary septal defect", "Q211- Atrial septal defect"]
    assert lists.conditions("Cancelled") == [] and lists.conditions("Novel Cronavirus <br>?????? ?????") == [
        "Novel Cronavirus"]


def test_interventions_typed_grouped_and_eu_products() -> None:
    found, arms = lists.interventions("Drug: Hydroxychloroquine;Drug: Placebo oral tablet")
    assert [(i.type, i.name) for i in found] == [("drug", "Hydroxychloroquine"), ("drug", "Placebo oral tablet")]
    assert arms == []
    found, arms = lists.interventions("Experimental group:Hydroxychloroquin;Control group:Lopinavir /Ritonavir;")
    assert [i.name for i in found] == ["Hydroxychloroquin", "Lopinavir /Ritonavir"]
    assert [(a.label, a.interventions) for a in arms] == [("Experimental group", ["Hydroxychloroquin"]),
                                                          ("Control group", ["Lopinavir /Ritonavir"])]
    found, arms = lists.interventions("Case series:Nil;")
    assert found == [] and [(a.label, a.description) for a in arms] == [("Case series", None)]
    found, _ = lists.interventions("<br>Trade Name: Plaquenil<br>Product Name: Plaquenil<br>Pharmaceutical Form: "
                                   "Film-coated tablet<br>INN or Proposed INN: hydroxychloroquine sulfate<br><br>")
    assert [(i.type, i.name, i.description, i.other_names) for i in found] == [
        ("drug", "Plaquenil", "Pharmaceutical Form: Film-coated tablet", ["hydroxychloroquine sulfate"])]
    found, arms = lists.interventions("Intervention 1: Intervention group: Noscapine. Intervention 2: Control group: "
                                      "Placebo.")  # IRCT20160625028622N1
    assert [a.label for a in arms] == ["Intervention 1", "Intervention 2"]
    assert [i.name for i in found] == ["Intervention group: Noscapine.", "Control group: Placebo."]
    found, arms = lists.interventions("Luseogliflozin<br>Standard Therapy without Luseogliflozin")  # JPRN-UMIN000037291
    assert [i.name for i in found] == ["Luseogliflozin", "Standard Therapy without Luseogliflozin"] and arms == []


def test_outcomes_time_frames() -> None:
    # ACTRN12620000421932: "[time frame]" after a <br>
    [o] = lists.outcomes("Mortality<br>[At hospital discharge or 28 days post intensive care unit admission. ]")
    assert (o.measure, o.time_frame) == ("Mortality", "At hospital discharge or 28 days post intensive care unit "
                                                      "admission.")
    # IRCT20100228003449N28
    first, second = lists.outcomes("Response to the treatment. Timepoint: Daily. Method of measurement: According "
                                   "the clinical findings.;Complications of the treatment. Timepoint: Daily. Method of "
                                   "measurement: Interview.")
    assert (first.measure, first.time_frame, first.description) == (
        "Response to the treatment", "Daily", "According the clinical findings.")
    assert second.measure == "Complications of the treatment"
    # CTRI: "Timepoint" run on
    [o] = lists.outcomes("Post operative pain scoresTimepoint: 2hr ,4 hrs")
    assert (o.measure, o.time_frame) == ("Post operative pain scores", "2hr ,4 hrs")
    # EU-CTR: the end points are the measures, the objectives are not outcomes
    found = lists.outcomes("Main Objective: To shorten virus carrying;Secondary Objective: To evaluate X;"
                           "Primary end point(s): 1. Viral load<br>2. Clearance;"
                           "Timepoint(s) of evaluation of this end point: Day 6")
    assert [(o.measure, o.time_frame) for o in found] == [("Viral load", "Day 6"), ("Clearance", "Day 6")]
    assert [o.measure for o in lists.outcomes("health status;Mental health status;")] == [
        "health status", "Mental health status"]
    assert lists.outcomes("NIL<br><br>[NIL]") == [] and lists.outcomes("Cancelled;") == []


def test_countries() -> None:
    assert lists.countries("United States;Korea, Republic of;United States") == ["United States",
                                                                                 "Korea, Republic of"]
    assert lists.countries("Iran (Islamic Republic of);Iran (Islamic Republic of)") == ["Iran, Islamic Republic of"]
    assert lists.countries("China?") == ["China"] and lists.countries("china") == ["China"]
    assert lists.countries("The Netherlands") == ["Netherlands"] and lists.countries("??") == []


def test_criteria_separate_cells_and_headings() -> None:
    inc, exc, text = lists.criteria(
        "Inclusion criteria: 1. Aged 18 to 80 years old;\r<br>2. Patients diagnosed with COVID-19;",
        "Exclusion criteria: 1. Patients on invasive ventilation;\r<br>2. Pregnancy")
    assert inc == ["Aged 18 to 80 years old", "Patients diagnosed with COVID-19"]
    assert exc == ["Patients on invasive ventilation", "Pregnancy"]
    assert text == ("Inclusion criteria: 1. Aged 18 to 80 years old;\n2. Patients diagnosed with COVID-19;\n\n"
                    "Exclusion criteria: 1. Patients on invasive ventilation;\n2. Pregnancy")
    inc, exc, text = lists.criteria("Adults", "Children")  # no headings: the cell says which
    assert (inc, exc) == (["Adults"], ["Children"])
    assert text == "Inclusion criteria:\nAdults\n\nExclusion criteria:\nChildren"
    assert lists.criteria("Inclusion criteria: Cancelled", "Exclusion criteria: No")[:2] == ([], [])
    assert lists.criteria(None, "NULL") == ([], [], None)


# ---------------------------------------------------------------- the record
def test_record_from_full_export_layout_names() -> None:
    fields = Fields({
        "TrialID": "EUCTR2019-001155-39-GB", "public_title": "A Study of Entrectinib", "Scientific_title": "PHASE 1/2",
        "Source_registry": "EUCTR", "Date_registration": "16/07/2019", "Date_registration_format": "2019-07-16",
        "Date_enrollment": "22/11/2019", "type_enrolment": "Date trial authorised", "Target_size": "68",
        "Recruitment_status": "Authorised-recruitment may be ongoing or finished", "Primary_sponsor": "Roche",
        "Secondary_sponsors": "NULL", "Source_Support": "Please refer to primary and secondary sponsors",
        "Bridging_flag": "EUCTR2019-001155-39-FR", "Childs": "NULL", "SecondaryIDs": "CO40778",
        "Public_Contact_Firstname": "Trial Information Support Line-TISL", "Public_Contact_Lastname": "NA",
        "Public_Contact_Email": "global.rochegenentechtrials@roche.com", "Unknown": "2 June 2020",
        "url": "https://www.clinicaltrialsregister.eu/ctr-search/search?query=eudract_number:2019-001155-39",
    })
    record = build_record(fields, fmt="ictrp_table", raw=b"x", origin="t.csv", position="row 1")
    assert (record.id, record.registry) == ("2019-001155-39", "EU-CTR")
    assert [(r.id, r.registry, r.kind) for r in record.registry_ids] == [
        ("2019-001155-39", "EU-CTR", "primary"), ("EUCTR2019-001155-39-GB", "EU-CTR", "secondary"),
        ("CO40778", None, "secondary"), ("EUCTR2019-001155-39-FR", "EU-CTR", "secondary")]
    assert record.dates.first_posted.date == "2019-07-16" and record.dates.start.date == "2019-11-22"
    assert record.dates.start.type is None and record.dates.last_update.date == "2020-06-02"
    assert [(s.name, s.role) for s in record.sponsors] == [("Roche", "lead")]
    assert [(c.role, c.name, c.email) for c in record.contacts] == [
        ("public_contact", "Trial Information Support Line-TISL", "global.rochegenentechtrials@roche.com")]
    assert record.source.url.endswith("eudract_number:2019-001155-39")


def test_record_without_trial_id_is_refused() -> None:
    with pytest.raises(ValueError, match="no TrialID"):
        build_record(Fields({"Public title": "x"}), fmt="t", raw=b"", origin="o", position="row 1")


def test_multi_person_contact_cells_are_split_by_position_and_merged() -> None:
    # NCT04331613 (COVID CSV): official first, then the central contact
    fields = Fields({"TrialID": "NCT04331613", "Contact Firstname": " ; ",
                     "Contact Lastname": "Zhou Qi, Doctor;Wang Liu, Doctor", "Contact Email": ";wangliu@ioz.ac.cn",
                     "Contact Tel": ";+86-01064807858", "Contact Affiliation": "Institute of zoology, CAS;"})
    record = build_record(fields, fmt="t", raw=b"", origin="o", position="row 1")
    assert [(c.role, c.name, c.email, c.phone, c.affiliation) for c in record.contacts] == [
        ("contact", "Zhou Qi, Doctor", None, None, "Institute of zoology, CAS"),
        ("contact", "Wang Liu, Doctor", "wangliu@ioz.ac.cn", "+86-01064807858", None)]
    # NCT04082325 (full export): the same person three times, email and phone only on the later ones
    fields = Fields({"TrialID": "NCT04082325", "Public_Contact_Firstname": "; ;",
                     "Public_Contact_Lastname": "Email contact;Email contact;Email contact",
                     "Public_Contact_Email": ";Lundbeck@Lundbeck.com;Lundbeck@Lundbeck.com",
                     "Public_Contact_Tel": ";+45 36301311;+45 36301311"})
    record = build_record(fields, fmt="t", raw=b"", origin="o", position="row 1")
    assert [(c.name, c.email, c.phone) for c in record.contacts] == [
        ("Email contact", "Lundbeck@Lundbeck.com", "+45 36301311")]
