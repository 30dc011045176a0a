"""WHO ICTRP XML: the search-portal export (<Trials_downloaded_from_ICTRP><Trial>) and the per-trial XML
(<trials><Triall>), on the real files in ../shared/data/ictrp; plus sniffing and hostile or damaged input."""

from __future__ import annotations

import gzip
import io
from functools import cache
from pathlib import Path

import pytest

from stemtrials.model import TrialRecord
from stemtrials.sources import detect
from stemtrials.sources import ictrp_xml as fmt
from stemtrials.sources.base import ImportProblem, Parsed, SourceError

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ictrp"
PORTAL = "ICTRP-Results_18Mar2020.xml.gz"
PER_TRIAL = "ChiCTR2000034346.xml"


class _OneWay:
    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._buf.read(size)


@cache
def _portal() -> tuple[Parsed | ImportProblem, ...]:
    with gzip.open(DATA / PORTAL, "rb") as fh:
        return tuple(fmt.read(fh, PORTAL))


def _record(ident: str) -> TrialRecord:
    found = [i.record for i in _portal() if isinstance(i, Parsed) and i.record.id == ident]
    assert len(found) == 1
    return found[0]


def _read(data: bytes) -> list[Parsed | ImportProblem]:
    return list(fmt.read(_OneWay(data), "test.xml"))  # type: ignore[arg-type]


_TRIAL = (b"<Trial><TrialID>ChiCTR2000029953</TrialID><Public_title>T</Public_title>"
          b"<Target_size>a:1;b:2;</Target_size></Trial>")


# ---------------------------------------------------------------- the search-portal export
def test_all_578_trials_import_without_problems(shared: Path) -> None:
    items = _portal()
    assert [str(i) for i in items if isinstance(i, ImportProblem)] == []
    assert len(items) == 578
    assert [i.position for i in items[:2]] == ["record 1", "record 2"]
    registries = {i.record.registry for i in items}  # type: ignore[union-attr]
    assert registries == {"ChiCTR", "ClinicalTrials.gov"}
    assert all(i.raw.startswith(b"<Trial>") for i in items)  # type: ignore[union-attr]


def test_first_portal_record_chictr2000029953(shared: Path) -> None:
    record = _record("ChiCTR2000029953")
    assert record.title == ("Construction and Analysis of Prognostic Predictive Model of Novel Coronavirus Pneumonia "
                            "(COVID-19)")
    assert record.official_title == record.title  # its 900 padding spaces gone
    assert (record.status, record.status_raw) == ("active_not_recruiting", "Not Recruiting")
    assert record.enrollment.model_dump() == {"count": 400, "type": "estimated"}  # "survival group:200;died:200;"
    assert record.dates.start.date == "2020-02-01" and record.dates.first_posted.date == "2020-02-17"
    assert record.dates.last_update.model_dump() == {"date": "2020-02-17", "type": None}  # "17 February 2020"
    assert record.phases == ["not_applicable"] and record.study_type == "observational"
    assert record.design.intervention_model == "factorial"
    assert (record.eligibility.min_age_years, record.eligibility.max_age_years, record.eligibility.sex) == (
        None, None, "all")
    assert record.eligibility.exclusion == [
        "Patients diagnosed with pneumonia of age <15 years diagnosed according to\"guideline of the diagnose and "
        "treatment of 2019-nCoV (tested)\" published by National Health Committees of Peoples' Republic Country; "
        "Suspected patient with viral nucleic acid-negative 2019-nCoV infection."]
    assert [(a.label, a.interventions) for a in record.arms] == [("survival group", []), ("died", [])]
    assert record.interventions == []  # "survival group:none;died:none;"
    assert [o.measure for o in record.outcomes.primary] == [
        "duration of in hospital", "in hospital mortality", "the 28s day' mortality after admission",
        "duration of ICU stay"]
    assert [(c.role, c.name, c.email, c.phone) for c in record.contacts] == [
        ("contact", "Yan Zhao", "doctoryanzhao@whu.edu.cn", "+86 13995577963")]
    assert record.contacts[0].affiliation == "Emergency Department of Zhongnan Hospital of Wuhan University"
    assert [(s.name, s.role) for s in record.sponsors] == [("Zhongnan Hospital of Wuhan University", "lead")]
    assert [loc.country for loc in record.locations] == ["China"]
    assert record.source.url == "http://www.chictr.org.cn/showproj.aspx?proj=49217"
    assert record.source.file == f"{PORTAL}#record 1"


def test_portal_ct_gov_record_with_wrapped_criteria(shared: Path) -> None:
    record = _record("NCT04276896")
    assert record.registry == "ClinicalTrials.gov"
    assert record.eligibility.min_age_years == 0.5  # "6 Months"
    assert record.phases == ["phase1", "phase2"]
    # "\r&lt;br&gt;" in the file: one line break, and the wrapped lines joined back into their items
    assert record.eligibility.inclusion[0] == ("Laboratory (RT-PCR) confirmed Covid-19 infection in throat swab "
                                               "and/or sputum and/or lower respiratory tract samples")
    assert record.eligibility.exclusion[-1] == "Researchers consider unsuitable."
    assert record.eligibility.text.startswith("Inclusion Criteria:\n\n- Laboratory (RT-PCR) confirmed Covid-19")
    assert record.design.model_dump() == {"allocation": None, "intervention_model": "single_group",
                                          "masking": "none", "primary_purpose": "treatment"}


def test_portal_statuses_and_acronyms(shared: Path) -> None:
    records = [i.record for i in _portal()]  # type: ignore[union-attr]
    assert {(r.status_raw, r.status) for r in records} >= {
        ("Recruiting", "recruiting"), ("Not recruiting", "active_not_recruiting"),
        ("Not Recruiting", "active_not_recruiting")}
    assert {r.acronym for r in records if r.acronym} >= {"NoCovid", "ELACOI", "COPCOV"}


# ---------------------------------------------------------------- the per-trial XML
def test_per_trial_xml_chictr2000034346(shared: Path) -> None:
    [item] = list(fmt.read(io.BytesIO((DATA / PER_TRIAL).read_bytes()), PER_TRIAL))
    assert isinstance(item, Parsed) and item.position == "record 1" and item.raw.startswith(b"<Triall>")
    record = item.record
    assert (record.id, record.registry) == ("ChiCTR2000034346", "ChiCTR")
    assert record.title == record.official_title == ("Survey for Surgery status of a designated Hospital for "
                                                     "COVID-19 management in Guangzhou")
    assert (record.status, record.status_raw) == ("completed", "Completed")
    assert record.enrollment.model_dump() == {"count": 3239, "type": "estimated"}  # "2019 Y:2418;2020 Y:821;"
    assert record.dates.start.date == "2020-04-10" and record.dates.first_posted.date == "2020-07-02"
    assert record.phases == ["other"]  # "Retrospective study"
    assert record.study_type == "other"  # "Health services reaserch"
    assert record.design.intervention_model == "sequential"
    assert [c.text for c in record.conditions] == ["Novel Coronavirus Pneumonia (COVID-19)"]
    assert [(a.label, a.interventions) for a in record.arms] == [("2019 Y", []), ("2020 Y", [])]  # "2019 Y:N/A;…"
    assert record.eligibility.sex == "all"
    assert record.eligibility.inclusion == [
        "The patients Underwent surgery during the pandemic in our hospital and the same time in 2019 were "
        "inclusion."]
    assert record.eligibility.exclusion == ["missing detailed information",
                                            "Types of surgery not available previously in our hospital"]
    assert [o.measure for o in record.outcomes.primary] == ["decrease"] and record.outcomes.secondary == []
    assert [(s.name, s.role) for s in record.sponsors] == [
        ("Jianxing He", "lead"),
        ("China National Science Foundation (81871893). Key Project of Guangzhou Scientific Research Project "
         "(201804020030).", "funder")]
    affiliation = ("Guangzhou Institute of Respiratory Health, China State Key Laboratory of Respiratory Disease & "
                   "National Clinical Research Center for Respiratory Disease, the First Affiliated Hospital, GMU")
    address = "151 Yanjiang Road West, Yuexiu District, Guangzhou, Guangdong, China"
    assert [c.model_dump() for c in record.contacts] == [
        {"role": "scientific_contact", "name": "Ran Zhong", "first_name": None, "last_name": None, "title": None,
         "email": "zhongranran@163.com", "phone": "+86 15622150974", "address": address, "city": None,
         "affiliation": affiliation},
        {"role": "public_contact", "name": "Jianxing He", "first_name": None, "last_name": None, "title": None,
         "email": "drjianxing.he@gmail.com", "phone": "+86 13802777270", "address": address, "city": None,
         "affiliation": affiliation}]
    assert [loc.country for loc in record.locations] == ["China"]
    assert [r.id for r in record.registry_ids] == ["ChiCTR2000034346"]  # empty <sec_id/>
    assert record.source.url == "http://www.chictr.org.cn/showproj.aspx?proj=55654"


def test_per_trial_lists_secondary_ids_and_keywords() -> None:
    doc = b"""<?xml version="1.0" encoding="UTF-8"?>
<trials subjects="2">
  <Triall><main><trial_id>EUCTR2020-001234-56-DE</trial_id><public_title>A</public_title>
    <utrn>U1111-1234-5678</utrn><phase>Human pharmacology (Phase I): yes
Therapeutic exploratory (Phase II): no</phase></main>
    <secondary_ids><secondary_id><sec_id>NCT04331613</sec_id><issuing_authority>CT.gov</issuing_authority>
      </secondary_id><secondary_id><sec_id>Nil known</sec_id></secondary_id></secondary_ids>
    <health_condition_keyword><hc_keyword>COVID-19</hc_keyword></health_condition_keyword>
    <secondary_sponsor><sponsor_name>Org A</sponsor_name><sponsor_name>Org B</sponsor_name></secondary_sponsor>
    <contacts><contact><type>public</type><firstname>Ann</firstname><lastname>Lee</lastname></contact></contacts>
  </Triall>
  <Triall><main><public_title>no id</public_title></main></Triall>
</trials>"""
    first, second = _read(doc)
    record = first.record  # type: ignore[union-attr]
    assert [(r.id, r.registry) for r in record.registry_ids] == [
        ("2020-001234-56", "EU-CTR"), ("EUCTR2020-001234-56-DE", "EU-CTR"), ("NCT04331613", "ClinicalTrials.gov"),
        ("U1111-1234-5678", None)]
    assert record.phases == ["phase1"] and record.keywords == ["COVID-19"]
    assert [(s.name, s.role) for s in record.sponsors] == [("Org A", "collaborator"), ("Org B", "collaborator")]
    assert [(c.role, c.name, c.first_name, c.last_name) for c in record.contacts] == [
        ("public_contact", "Ann Lee", "Ann", "Lee")]
    assert isinstance(second, ImportProblem) and second.position == "record 2" and "TrialID" in second.reason


# ---------------------------------------------------------------- sniffing
def test_sniff_accepts_both_layouts(shared: Path) -> None:
    with gzip.open(DATA / PORTAL, "rb") as fh:
        head = fh.read(64 * 1024)
    assert fmt.sniff(head, PORTAL[:-3]) and detect(head, PORTAL[:-3]) is fmt
    per_trial = (DATA / PER_TRIAL).read_bytes()
    assert fmt.sniff(per_trial, PER_TRIAL) and detect(per_trial, PER_TRIAL) is fmt
    assert fmt.sniff(b"\xef\xbb\xbf \n\t" + per_trial, "x")
    assert fmt.sniff(b"<Trials_downloaded_from_ICTRP>" + _TRIAL + b"</Trials_downloaded_from_ICTRP>", "x")


@pytest.mark.parametrize("head", [
    b"<clinical_study><id_info><nct_id>NCT1</nct_id></id_info></clinical_study>",
    b"<trials><trial><name>not ICTRP</name></trial></trials>",  # a <trials> root alone is not enough
    b"TrialID,Public title\n", b'{"studies": []}', b"<html><body>Trial</body></html>", b"",
])
def test_sniff_refuses_other_formats(head: bytes) -> None:
    assert not fmt.sniff(head, "x.xml")


# ---------------------------------------------------------------- hostile and damaged input
@pytest.mark.parametrize("doc", [
    b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    b"<Trials_downloaded_from_ICTRP><Trial><TrialID>&b;</TrialID></Trial></Trials_downloaded_from_ICTRP>",
    b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<trials><Triall><main><trial_id>&xxe;</trial_id></main></Triall></trials>",
])
def test_entity_declarations_are_refused(doc: bytes) -> None:
    with pytest.raises(SourceError, match="entit"):
        _read(doc)


def test_undeclared_entity_is_not_resolved() -> None:
    with pytest.raises(SourceError):
        _read(b"<Trials_downloaded_from_ICTRP><Trial><TrialID>&xxe;</TrialID></Trial>"
              b"</Trials_downloaded_from_ICTRP>")


def test_truncated_file_is_a_source_error(shared: Path) -> None:
    with gzip.open(DATA / PORTAL, "rb") as fh:
        data = fh.read(200_000)
    with pytest.raises(SourceError, match="malformed XML"):
        _read(data)


@pytest.mark.parametrize("doc", [b"", b"   ", b"<Trials_downloaded_from_ICTRP></Trials_downloaded_from_ICTRP>",
                                 b"\x00\x01\x02 not xml"])
def test_nothing_to_read_is_a_source_error(doc: bytes) -> None:
    with pytest.raises(SourceError):
        _read(doc)


def test_bad_record_is_a_problem_and_reading_goes_on() -> None:
    doc = (b"<Trials_downloaded_from_ICTRP><Trial><Public_title>no id</Public_title></Trial>" + _TRIAL +
           b"<Trial><TrialID>NCT04331613</TrialID><Target_size>\xef\xbf\xbd;;</Target_size><Phase>9</Phase>"
           b"<Date_registration>31/02/2020</Date_registration><Inclusion_gender>?</Inclusion_gender></Trial>"
           b"</Trials_downloaded_from_ICTRP>")
    items = _read(doc)
    assert [type(i).__name__ for i in items] == ["ImportProblem", "Parsed", "Parsed"]
    assert items[1].record.enrollment.count == 3  # type: ignore[union-attr]
    garbled = items[2].record  # type: ignore[union-attr]
    assert garbled.dates.first_posted is None and garbled.eligibility.sex is None


def test_damaged_gzip_is_a_source_error(shared: Path) -> None:
    blob = (DATA / PORTAL).read_bytes()
    damaged = blob[: len(blob) // 2] + bytes(64) + blob[len(blob) // 2 + 64:]
    with pytest.raises(SourceError):
        list(fmt.read(gzip.GzipFile(fileobj=io.BytesIO(damaged)), "damaged.xml.gz"))  # type: ignore[arg-type]
