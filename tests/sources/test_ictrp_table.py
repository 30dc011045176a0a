"""WHO ICTRP CSV exports (40-column COVID-era and full-export layouts) and the Excel workbook, on the real files in
../shared/data/ictrp, field by field; plus sniffing and damaged inputs."""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from stemtrials.model import TrialRecord
from stemtrials.sources import detect, hpscreg_text
from stemtrials.sources import ictrp_table as fmt
from stemtrials.sources.base import ImportProblem, Parsed, SourceError

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ictrp"
COVID_CSV = "COVID19-927-trials_7Apr2020.csv.gz"
FULL_CSV = "ictrp_full_export_sample_nov2020.csv.gz"
XLSX = "ICTRP_29apr2020.xlsx"


class _OneWay:
    """A non-seekable stream, as gzip and zip members are."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._buf.read(size)


# Each sample is read once per test session; only what the tests look at is kept (the whole parse results would
# hold ~200 MB for the rest of the session).
_SEEN: dict[str, tuple[list[str], list[str], dict[str, list[TrialRecord]]]] = {}


def _read_sample(name: str) -> tuple[list[str], list[str], dict[str, list[TrialRecord]]]:
    """(positions, problems, records by id) of a sample file."""
    if name not in _SEEN:
        opener = gzip.open if name.endswith(".gz") else open
        positions: list[str] = []
        problems: list[str] = []
        records: dict[str, list[TrialRecord]] = {}
        with opener(DATA / name, "rb") as fh:
            for item in fmt.read(fh, name):
                positions.append(item.position or "")
                if isinstance(item, ImportProblem):
                    problems.append(str(item))
                elif item.record.id in _KEPT:
                    records.setdefault(item.record.id, []).append(item.record)
                else:
                    _check_clean(item)
        _SEEN[name] = positions, problems, records
    return _SEEN[name]


def _check_clean(item: Parsed) -> None:
    """No value keeps HTML line breaks, Excel escapes or padding; the raw kept is the header and the row."""
    assert item.record.source.format == "ictrp_table"
    data = item.record.model_dump_json()
    assert "<br" not in data and "&lt;br" not in data and "_x000D_" not in data, item.position
    rec = item.record
    for value in (rec.title, rec.official_title, *(s.name for s in rec.sponsors)):
        assert value is None or (value == value.strip() and "  " not in value), item.position
    header, row = list(csv.reader(io.StringIO(item.raw.decode("utf-8"))))
    assert header[0] == "TrialID" and row[0] in {rec.id, *(r.id for r in rec.registry_ids)}


def _record(name: str, ident: str) -> TrialRecord:
    found = _read_sample(name)[2].get(ident, [])
    assert len(found) == 1, f"{ident} in {name}: {len(found)}"
    return found[0]


_KEPT = {
    "ChiCTR2000031139", "NCT04331613", "ChiCTR2000030162", "ChiCTR2000030222", "ChiCTR2000029939",
    "ChiCTR2000029761", "ChiCTR2000030224", "2020-000890-25", "2019-001155-39", "2018-004024-11",
    "JPRN-UMIN000037291", "JPRN-jRCTs051180199", "JPRN-jRCTs031190226", "CTRI/2019/02/017575",
    "IRCT20100228003449N28", "IRCT20190122042450N3", "ACTRN12619000423112", "ACTRN12620000421932", "NCT04082325",
    "ChiCTR2000030987", "ChiCTR2000029990", "NCT04259892",
}


def _read(data: bytes, origin: str = "export.csv") -> list[Parsed | ImportProblem]:
    return list(fmt.read(_OneWay(data), origin))  # type: ignore[arg-type]


# ---------------------------------------------------------------- every row imports
@pytest.mark.parametrize(("name", "rows"), [(COVID_CSV, 927), (FULL_CSV, 125), (XLSX, 1829)])
def test_every_row_imports_clean_without_problems(shared: Path, name: str, rows: int) -> None:
    positions, problems, _ = _read_sample(name)  # each row is also checked by _check_clean
    assert problems == []
    assert len(positions) == rows
    assert positions[:2] == ["row 1", "row 2"]


# ---------------------------------------------------------------- ChiCTR2000031139 and the hPSCreg seed
def test_chictr2000031139_matches_the_hpscreg_seed(shared: Path) -> None:
    record = _record(COVID_CSV, "ChiCTR2000031139")
    assert record.registry == "ChiCTR"
    assert [(r.id, r.registry, r.kind) for r in record.registry_ids] == [("ChiCTR2000031139", "ChiCTR", "primary")]
    assert record.title == ("Safety and Effectiveness of Human embryonic stem cell-derived M cells (CAStem) for "
                            "Pulmonary Fibrosis Correlated with novel coronavirus pneumonia (COVID-19)")
    # the scientific title's 500-odd padding spaces are gone
    assert record.official_title == ("Safety and Effectiveness of Human embryonic stem cell-derived M cells (CAStem) "
                                     "for Pulmonary Fibrosis Correlated with novel coronavirus pneumonia(COVID-19)")
    assert (record.status, record.status_raw) == ("recruiting", "Recruiting")
    assert record.phases == ["other"]  # ChiCTR's "0"
    assert record.study_type == "interventional"
    assert record.enrollment.model_dump() == {"count": 20, "type": "estimated"}  # "Case series:20;"
    assert record.dates.start.model_dump() == {"date": "2020-03-20", "type": None}
    assert record.dates.first_posted.model_dump() == {"date": "2020-03-22", "type": None}
    assert record.dates.last_update.model_dump() == {"date": "2020-03-23", "type": None}
    assert [(s.name, s.role) for s in record.sponsors] == [
        ("Wuhan Jinyintan Hospital (Wuhan Infectious Diseases Hospital)", "lead")]
    [contact] = record.contacts
    assert contact.model_dump() == {
        "role": "contact", "name": "Zhang Dingyu", "first_name": None, "last_name": None, "title": None,
        "email": "1813886398@qq.com", "phone": "+86 13507117929",
        "address": "1 Yintan Road, Dongxihu District, Wuhan, Hubei, China", "city": None,
        "affiliation": "Wuhan Jinyintan Hospital (Wuhan Infectious Diseases Hospital)"}
    assert [loc.country for loc in record.locations] == ["China"]
    assert [c.text for c in record.conditions] == ["Novel Coronavirus Pneumonia (COVID-19)"]
    assert (record.eligibility.min_age_years, record.eligibility.max_age_years, record.eligibility.sex) == (
        18.0, 80.0, "all")
    assert record.eligibility.inclusion[:3] == ["Aged 18 to 80 years old",
                                                "Patients diagnosed with novel coronavirus pneumonia (COVID-19)",
                                                "Patients >=21 days since the first symptoms"]
    assert record.eligibility.exclusion[0] == ("Patients who are using invasive mechanical ventilation for "
                                               "respiratory support")
    assert record.eligibility.text.startswith("Inclusion criteria: 1. Aged 18 to 80 years old;\n2. Patients")
    assert [a.label for a in record.arms] == ["Case series"]
    assert record.interventions[0].name.startswith("The cell dose was 3*10^6 cells / kg.")
    assert [o.measure for o in record.outcomes.primary] == [
        "Pulmonary function evaluation", "Changes in blood gas analysis", "Evaluation of activity",
        "Evaluation of dyspnea", "CT changes from baseline"]
    assert record.design.intervention_model == "sequential"
    assert record.source.url == "http://www.chictr.org.cn/showproj.aspx?proj=51404"

    # What a linker compares: the hPSCreg record of the same trial carries the same normalized values.
    [seed] = list(hpscreg_text.read(io.BytesIO((shared / "seeds/000_c4e1eefd5bb6b75c.txt").read_bytes()), "seed"))
    hpscreg = seed.record  # type: ignore[union-attr]
    assert hpscreg.id == record.id and hpscreg.registry == record.registry
    assert hpscreg.title == record.title
    assert [s.name for s in hpscreg.sponsors if s.role == "lead"] == [s.name for s in record.sponsors
                                                                      if s.role == "lead"]
    assert hpscreg.dates.start.date == record.dates.start.date == "2020-03-20"
    assert hpscreg.enrollment.count == record.enrollment.count == 20
    assert hpscreg.status == record.status and hpscreg.phases == record.phases
    assert hpscreg.contacts[0].address == record.contacts[0].address  # the public contact (Liu Ying) is not in ICTRP


def test_nct04331613_is_a_record_of_its_own(shared: Path) -> None:
    record = _record(COVID_CSV, "NCT04331613")
    assert record.registry == "ClinicalTrials.gov"
    assert [r.id for r in record.registry_ids] == ["NCT04331613"]  # nothing ties it to ChiCTR2000031139
    assert record.title == "Safety and Efficacy of CAStem for Severe COVID-19 Associated With/Without ARDS"
    assert [(s.name, s.role) for s in record.sponsors] == [("Chinese Academy of Sciences", "lead")]
    assert record.enrollment.count == 9 and record.phases == ["phase1", "phase2"]
    assert record.dates.start.date == "2020-01-27"  # "January 27, 2020"
    assert record.dates.first_posted.date == "2020-02-06"  # "06/02/2020": ICTRP's day-first CT.gov dates
    assert (record.eligibility.min_age_years, record.eligibility.max_age_years) == (18.0, 70.0)
    assert [(i.type, i.name) for i in record.interventions] == [("biological", "CAStem")]
    assert [c.text for c in record.conditions] == ["COVID-19", "Acute Respiratory Distress Syndrome", "Virus",
                                                   "Pneumonia", "Acute Lung Injury"]
    # " ; " / "Zhou Qi, Doctor;Wang Liu, Doctor" / ";wangliu@ioz.ac.cn": two people, aligned by position
    assert [(c.name, c.email, c.phone) for c in record.contacts] == [
        ("Zhou Qi, Doctor", None, None), ("Wang Liu, Doctor", "wangliu@ioz.ac.cn", "+86-01064807858")]
    assert record.design.model_dump() == {"allocation": None, "intervention_model": "single_group",
                                          "masking": "none", "primary_purpose": "treatment"}
    assert record.source.url == "https://clinicaltrials.gov/show/NCT04331613"
    chictr = _record(COVID_CSV, "ChiCTR2000031139")
    assert record.id != chictr.id and not {r.id for r in record.registry_ids} & {r.id for r in chictr.registry_ids}


# ---------------------------------------------------------------- messy cases, real rows
def test_cancelled_chictr_record(shared: Path) -> None:
    record = _record(COVID_CSV, "ChiCTR2000030162")
    assert (record.status, record.status_raw) == ("withdrawn", "Cancelled by the investigator")
    assert record.title == ("Study for the water extract of soybean in the treatment of patients with novel "
                            "coronavirus pneumonia (COVID-19)")
    assert record.official_title == record.title
    # every other field says "Cancelled": none of it becomes a value
    assert record.sponsors == [] and record.conditions == [] and record.locations == []
    assert record.eligibility.inclusion == [] and record.eligibility.exclusion == []
    assert record.outcomes.primary == [] and record.enrollment.count is None
    assert [(c.name, c.email) for c in record.contacts] == [(None, "wdxjy@whu.edu")]
    other = _record(COVID_CSV, "ChiCTR2000030222")
    assert (other.status, other.status_raw) == ("withdrawn", "Cancelled due to lack of participants")
    assert other.title == ("Study for the Impact of Novel Coronavirus Pneumonia (COVID-19) to the Health of the "
                           "elderly People")
    assert other.enrollment.count == 658  # "the elderly population:658;"


def test_per_group_target_size(shared: Path) -> None:
    assert _record(COVID_CSV, "ChiCTR2000029939").enrollment.model_dump() == {"count": 100, "type": "estimated"}
    assert _record(COVID_CSV, "ChiCTR2000029761").enrollment.count == 240  # four groups of 60
    assert _record(XLSX, "ChiCTR2000030224").enrollment.count == 32  # "1 the critical group :8;2 the severe group:8;…"


def test_eu_ctr_record_collapses_to_the_eudract_number(shared: Path) -> None:
    record = _record(COVID_CSV, "2020-000890-25")  # TrialID EUCTR2020-000890-25-FR
    assert record.registry == "EU-CTR"
    assert [(r.id, r.registry, r.kind) for r in record.registry_ids] == [
        ("2020-000890-25", "EU-CTR", "primary"), ("EUCTR2020-000890-25-FR", "EU-CTR", "secondary")]
    assert record.phases == ["phase3"]  # "Human pharmacology (Phase I): no\n…(Phase III): yes\n…"
    assert record.eligibility.sex == "all"  # "<br>Female: yes<br>Male: yes<br>"
    assert record.dates.start.date == "2020-03-05"  # "05/03/2020", EU-CTR writes day first
    assert record.dates.first_posted.date == "2020-03-10"
    assert (record.status, record.status_raw) == ("other", "Authorised")
    assert record.study_type == "interventional"  # "Interventional clinical trial of medicinal product"
    assert record.source.url.endswith("eudract_number:2020-000890-25")


def test_eu_ctr_full_export_record(shared: Path) -> None:
    record = _record(FULL_CSV, "2019-001155-39")  # EUCTR2019-001155-39-GB, bridged to the French record
    assert [(r.id, r.kind) for r in record.registry_ids] == [
        ("2019-001155-39", "primary"), ("EUCTR2019-001155-39-GB", "secondary"), ("CO40778", "secondary"),
        ("EUCTR2019-001155-39-FR", "secondary")]
    assert record.phases == ["phase2"]  # the yes/no list run together: "…(Phase I): noTherapeutic exploratory…"
    assert (record.status, record.status_raw) == ("other", "Authorised-recruitment may be ongoing or finished")
    assert [c.text for c in record.conditions] == [
        "Solid tumors and primary central nervous system (CNS) tumors", "Malignant solid tumor", "Solid tumor"]
    assert record.design.model_dump() == {"allocation": "non_randomized", "intervention_model": None,
                                          "masking": "none", "primary_purpose": None}
    assert [(i.type, i.name) for i in record.interventions][:1] == [("drug", "Entrectinib")]
    assert [(s.name, s.role) for s in record.sponsors] == [("F. Hoffmann-La Roche Ltd", "lead"),
                                                           ("F. Hoffman-La Roche Ltd.", "funder")]
    assert record.dates.start.model_dump() == {"date": "2019-11-22", "type": None}  # "Date trial authorised"
    assert record.dates.last_update.date == "2020-06-02"  # the unnamed column: "2 June 2020"
    assert [loc.country for loc in record.locations] == ["United States", "France", "Spain", "Germany", "Italy",
                                                         "United Kingdom"]
    male_only = _record(FULL_CSV, "2018-004024-11")
    assert male_only.eligibility.sex == "male"  # "<br>Female: no<br>Male: yes<br>"
    assert [r.id for r in male_only.registry_ids] == [
        "2018-004024-11", "EUCTR2018-004024-11-FR", "SHP648-101", "EUCTR2018-004024-11-HU", "EUCTR2018-004024-11-ES"]


def test_jprn_records(shared: Path) -> None:
    record = _record(FULL_CSV, "JPRN-UMIN000037291")
    assert record.registry == "JPRN"
    assert [(r.id, r.registry) for r in record.registry_ids] == [("JPRN-UMIN000037291", "JPRN"),
                                                                 ("UMIN000037291", "JPRN")]
    assert (record.eligibility.min_age_years, record.eligibility.max_age_years) == (20.0, 85.0)  # "20years-old"
    assert record.eligibility.sex == "all"  # "Male and Female"
    assert (record.status, record.status_raw) == ("not_yet_recruiting", "Pending")
    assert record.phases == []  # "Not selected"
    assert record.dates.start.date == "2019-08-01"  # "2019/08/01"
    assert record.dates.completion.date == "2020-03-31"  # results_date_completed
    assert [(c.role, c.name, c.first_name, c.last_name) for c in record.contacts] == [
        ("public_contact", "Yuichiro Arima", "Yuichiro", "Arima"),
        ("scientific_contact", "Kenichi Tsujita", "Kenichi", "Tsujita")]
    assert [i.name for i in record.interventions] == ["Luseogliflozin", "Standard Therapy without Luseogliflozin"]
    assert record.eligibility.inclusion == []  # "Inclusion criteria:" and nothing else
    assert record.eligibility.exclusion[:2] == ["Type 1 diabetes", "Unstable angina"]
    assert record.eligibility.exclusion[4] == "eGFR < 45ml/min/1.73m2"  # "&lt;" unescaped
    jrct = _record(FULL_CSV, "JPRN-jRCTs051180199")
    assert (jrct.eligibility.min_age_years, jrct.eligibility.max_age_years) == (20.0, 80.0)  # "< 80age old"
    assert [(r.id, r.registry) for r in jrct.registry_ids] == [
        ("JPRN-jRCTs051180199", "JPRN"), ("jRCTs051180199", "jRCT"), ("UMIN000027229", "JPRN")]
    assert jrct.dates.start.model_dump() == {"date": "2020-02-26", "type": "actual"}
    covid = _record(COVID_CSV, "JPRN-jRCTs031190226")
    assert covid.eligibility.min_age_years == 20.0  # ">= 20age old"


def test_ctri_record(shared: Path) -> None:
    record = _record(FULL_CSV, "CTRI/2019/02/017575")
    assert record.registry == "CTRI"
    assert record.dates.first_posted.date == "2019-02-11"  # "11-02-2019", CTRI's %d-%m-%Y
    assert record.dates.start.date == "2019-02-12"
    assert (record.status, record.status_raw) == ("active_not_recruiting", "Closed to Recruitment of Participants")
    assert [c.text for c in record.conditions][:2] == ["Q214- Aortopulmonary septal defect",
                                                       "Q211- Atrial septal defect"]
    assert len(record.conditions) == 18
    assert [a.label for a in record.arms] == ["Intervention1", "Intervention2", "Control Intervention1"]
    assert [(o.measure, o.time_frame) for o in record.outcomes.primary] == [
        ("Post operative pain scores", "Post operative pain scores 2hr ,4 hrs,6 hrs,12 hrs after shifting to icu")]
    assert record.eligibility.sex is None and record.eligibility.min_age_years is None  # "NA"
    assert record.registry_ids[1:] == []  # SecondaryIDs "NIL"


def test_irct_record(shared: Path) -> None:
    record = _record(COVID_CSV, "IRCT20100228003449N28")
    assert record.registry == "IRCT"
    assert [(o.measure, o.time_frame, o.description) for o in record.outcomes.primary] == [
        ("Response to the treatment", "Daily", "According the clinical, paraclinical and laboratory findings."),
        ("Complications of the treatment", "Daily", "Interview and patient's record.")]
    assert [a.label for a in record.arms] == ["Intervention 1", "Intervention 2"]
    full = _record(FULL_CSV, "IRCT20190122042450N3")
    assert full.design.allocation == "randomized"
    assert [loc.country for loc in full.locations] == ["Iran, Islamic Republic of"]


def test_anzctr_records(shared: Path) -> None:
    record = _record(FULL_CSV, "ACTRN12619000423112")
    assert [c.text for c in record.conditions] == [  # "Peripheral Arterial Disease; <br>Peripheral Arterial Disease;…"
        "Peripheral Arterial Disease", "Cardiovascular - Diseases of the vasculature and circulation including the "
                                       "lymphatic system"]
    assert (record.eligibility.min_age_years, record.eligibility.max_age_years) == (40.0, 80.0)
    assert record.eligibility.sex == "all"  # "Both males and females"
    assert record.dates.first_posted.date == "2019-03-14"
    assert [s.role for s in record.sponsors] == ["lead", "funder"]
    assert record.registry_ids[1:] == []  # "Nil Known"
    covid = _record(COVID_CSV, "ACTRN12620000421932")
    assert [(o.measure, o.time_frame) for o in covid.outcomes.primary] == [
        ("Mortality", "At hospital discharge or 28 days post intensive care unit admission, whichever comes later.")]


def test_full_export_ct_gov_record(shared: Path) -> None:
    record = _record(FULL_CSV, "NCT04082325")
    assert [(r.id, r.registry, r.kind) for r in record.registry_ids] == [
        ("NCT04082325", "ClinicalTrials.gov", "primary"), ("18144A", None, "secondary")]
    assert record.eligibility.sex == "male" and record.eligibility.max_age_years == 45.0
    # "Email contact via H. Lundbeck A/S" three times per role: one contact each
    assert [(c.role, c.email, c.phone) for c in record.contacts] == [
        ("public_contact", "LundbeckClinicalTrials@Lundbeck.com", "+45 36301311"),
        ("scientific_contact", "LundbeckClinicalTrials@Lundbeck.com", "+45 36301311")]
    assert record.eligibility.exclusion[0].startswith("The subject has or has had any clinically significant "
                                                      "immunological, cardiovascular, respiratory,")  # rewrapped


# ---------------------------------------------------------------- the Excel form
def test_xlsx_values_match_the_csv(shared: Path) -> None:
    from_xlsx, from_csv = _record(XLSX, "ChiCTR2000031139"), _record(COVID_CSV, "ChiCTR2000031139")
    assert from_xlsx.dates.start == from_csv.dates.start and from_xlsx.dates.first_posted == from_csv.dates.first_posted
    assert from_xlsx.eligibility == from_csv.eligibility  # "_x000D_<br>" reads as "\r<br>"
    for field in ("title", "official_title", "status", "phases", "enrollment", "sponsors", "contacts", "conditions"):
        assert getattr(from_xlsx, field) == getattr(from_csv, field), field


def test_xlsx_cells_excel_mangled(shared: Path) -> None:
    # Excel turned the phase "2-3" into 2 March 2020 (the CSV export has "2-3")
    assert _record(XLSX, "ChiCTR2000030987").phases == ["phase2", "phase3"]
    assert _record(XLSX, "ChiCTR2000029990").phases == ["phase1", "phase2"]
    # UTF-8 read as Mac Roman: "Institut National de la Sant√© Et de la Recherche M√©dicale, France"
    record = _record(XLSX, "NCT04259892")
    assert record.sponsors[0].name == "Institut National de la Santé Et de la Recherche Médicale, France"
    assert _record(XLSX, "ChiCTR2000031139").dates.last_update.date == "2020-03-23"  # a datetime cell


# ---------------------------------------------------------------- sniffing
def test_sniff_accepts_each_layout_with_bom_and_whitespace(shared: Path) -> None:
    for name in (COVID_CSV, FULL_CSV):
        with gzip.open(DATA / name, "rb") as fh:
            head = fh.read(64 * 1024)
        assert fmt.sniff(head, name[:-3])
        assert fmt.sniff(b"\xef\xbb\xbf\n  " + head, "x.csv")
        assert detect(head, name[:-3]) is fmt
    head = (DATA / XLSX).read_bytes()[: 64 * 1024]
    assert fmt.sniff(head, XLSX) and detect(head, XLSX) is fmt
    tsv = (b"TrialID\tPublic title\tPrimary sponsor\tDate registration\tCountries\n"
           b"NCT04331613\tT\tS\t2020-01-01\tChina\n")
    for data in (tsv, tsv.replace(b"\t", b";")):  # as a spreadsheet re-saves it
        assert fmt.sniff(data, "x.csv")
        assert [i.record.id for i in _read(data)] == ["NCT04331613"]  # type: ignore[union-attr]


@pytest.mark.parametrize("head", [
    b"NCT Number,Title,Acronym,Status,Conditions\nNCT1,a,b,c,d\n",  # CT.gov CSV
    b"TrialID,Foo\nX,Y\n",  # too few known columns
    b'{"studies": []}', b"<clinical_study></clinical_study>", b"",
    b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml",  # a .docx: a zip without xl/
])
def test_sniff_refuses_other_formats(head: bytes) -> None:
    assert not fmt.sniff(head, "x")


def test_sniffers_do_not_claim_each_others_files(shared: Path) -> None:
    """Every shared sample file is claimed by exactly the format made for it."""
    from stemtrials.sources import FORMATS

    ictrp = {"ictrp_xml", "ictrp_table", "ictrp_reference"}
    for path in sorted(p for p in (shared / "data").rglob("*") if p.is_file()) + sorted((shared / "seeds").iterdir()):
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as fh:
            head = fh.read(64 * 1024)
        name = path.name[:-3] if path.name.endswith(".gz") else path.name
        claimed = {m.NAME for m in FORMATS if m.sniff(head, name)}
        if path.parent.name == "ictrp":
            assert len(claimed) == 1 and claimed <= ictrp, (path, claimed)
        else:
            assert not claimed & ictrp, (path, claimed)


# ---------------------------------------------------------------- damaged input
def test_row_without_trial_id_or_with_extra_cells_is_a_problem_and_reading_goes_on() -> None:
    data = (b"TrialID,Public title,Primary sponsor,Date registration,Countries\n"
            b",No id here,S,2020-01-01,China\n"
            b"NCT04331613,T,S,2020-01-01,China,extra,cells\n"
            b"NCT04331614,T2,S2,garbage date,China\n")
    items = _read(data)
    assert [(type(i).__name__, i.position) for i in items] == [
        ("ImportProblem", "row 1"), ("ImportProblem", "row 2"), ("Parsed", "row 3")]
    assert "no TrialID" in items[0].reason and "columns" in items[1].reason  # type: ignore[union-attr]
    assert items[2].record.dates.first_posted is None  # type: ignore[union-attr]


def test_short_rows_and_garbled_values_do_not_raise() -> None:
    data = ("TrialID,Public title,Target size,Inclusion agemin,Phase,Inclusion gender,Date enrollement,Countries\n"
            "ChiCTR2000000001,\x00\ufffd<br><br>,a:b;c:;,\u00bfx?,Phase 9,Female: maybe,31/02/2020,;;;\n"
            "ChiCTR2000000002\n").encode()
    items = _read(data)
    assert all(isinstance(i, Parsed) for i in items), items
    first = items[0].record  # type: ignore[union-attr]
    assert first.enrollment.count is None and first.dates.start is None and first.locations == []


@pytest.mark.parametrize("data", [b"", b"\n\n", b"Registry,Prefix\nA,B\n", b"TrialID,Foo\n1,2\n"])
def test_not_an_ictrp_table_is_a_source_error(data: bytes) -> None:
    with pytest.raises(SourceError):
        _read(data)


def test_damaged_gzip_is_a_source_error(shared: Path) -> None:
    blob = (DATA / COVID_CSV).read_bytes()
    damaged = blob[: len(blob) // 2] + bytes(64) + blob[len(blob) // 2 + 64:]
    with pytest.raises(SourceError):
        list(fmt.read(gzip.GzipFile(fileobj=io.BytesIO(damaged)), "damaged.csv.gz"))  # type: ignore[arg-type]


def test_damaged_workbooks_are_source_errors(shared: Path) -> None:
    blob = (DATA / XLSX).read_bytes()
    with pytest.raises(SourceError):
        _read(blob[: len(blob) // 3], "truncated.xlsx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<not a workbook")
    with pytest.raises(SourceError):
        _read(buf.getvalue(), "broken.xlsx")


def test_workbook_from_a_non_seekable_stream(shared: Path) -> None:
    """The pipeline hands .xlsx files over as plain streams: the reader spools them itself."""
    items = _read((DATA / XLSX).read_bytes(), XLSX)
    assert len(items) == 1829 and all(isinstance(i, Parsed) for i in items)


# ---------------------------------------------------------------- the pipeline route
_IMPORT = """
import json, sys
sys.path.insert(0, {tests!r})
from helpers import cli
db, target = sys.argv[1], sys.argv[2]
runs = [cli(db, "import", target)]
runs += [cli(db, "show", ident, "--format", "json")
         for ident in ("ChiCTR2000031139", "EUCTR2020-000890-25-FR", "NCT04331613")]
print(json.dumps([[r.code, r.stdout, r.stderr] for r in runs]))
"""


@pytest.mark.slow
def test_import_the_ictrp_directory(shared: Path, tmp_path: Path) -> None:
    """`stemtrials import ../shared/data/ictrp` through helpers.cli, in a child process so that the ~3,500 imported
    and annotated records do not stay in the test session's memory."""
    repo = Path(__file__).resolve().parents[2]
    target = "../shared/data/ictrp" if (repo / "../shared").resolve() == shared.resolve() else str(DATA)
    code = _IMPORT.format(tests=str(repo / "tests"))
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.db"), target], cwd=repo,
                         capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stderr[-2000:]
    (code_import, stdout, stderr), chictr, euctr, nct = json.loads(out.stdout.strip().splitlines()[-1])
    assert code_import == 0, stderr
    assert stdout.strip().splitlines()[-1].endswith(" 0 errors")
    assert chictr[0] == 0 and json.loads(chictr[1])["registry"] == "ChiCTR"
    assert euctr[0] == 0 and json.loads(euctr[1])["id"] == "2020-000890-25"  # found by its country record's ID
    assert nct[0] == 0 and json.loads(nct[1])["study_id"] != json.loads(chictr[1])["study_id"]
