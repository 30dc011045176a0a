"""Legacy ClinicalTrials.gov <clinical_study> XML: real records from ../shared, multi-study dumps, hostile input."""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path

import pytest

from stemtrials.sources import ctgov_legacy_xml as fmt
from stemtrials.sources.base import ImportProblem, Parsed, SourceError


class _OneWay:
    """A non-seekable stream (like gzip/zip members): read() only."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._buf.read(size)


def _xml_dir(shared: Path) -> Path:
    return shared / "data" / "ctgov" / "legacy_xml"


def _read(data: bytes, origin: str = "test.xml") -> list[Parsed | ImportProblem]:
    return list(fmt.read(_OneWay(data), origin))  # type: ignore[arg-type]


def _one(shared: Path, name: str) -> Parsed:
    path = _xml_dir(shared) / name
    with path.open("rb") as fh:
        items = list(fmt.read(fh, str(path)))
    assert len(items) == 1
    assert isinstance(items[0], Parsed), items[0]
    return items[0]


def _strip_decl(data: bytes) -> bytes:
    return re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data)


# ---------------------------------------------------------------- every sample file


def test_all_samples_read_without_problems(shared: Path) -> None:
    files = sorted(_xml_dir(shared).glob("*.xml"))
    assert len(files) == 64
    parsed, problems = 0, []
    for path in files:
        head = path.read_bytes()[:65536]
        assert fmt.sniff(head, path.name), path.name
        with path.open("rb") as fh:
            for item in fmt.read(fh, str(path)):
                if isinstance(item, Parsed):
                    parsed += 1
                    assert item.record.id.startswith("NCT")
                    assert item.record.source.format == "ctgov_legacy_xml"
                    assert item.raw.startswith(b"<clinical_study")
                else:
                    problems.append(item)
    assert problems == []
    assert parsed == 64


# ---------------------------------------------------------------- field by field, real records


def test_pre_2017_record_example_study(shared: Path) -> None:
    """A 2016 download: old <study_design> text, firstreceived_date/lastchanged_date, name_title, gender Both."""
    item = _one(shared, "example_study.xml")
    r = item.record
    assert item.position == "record 1"
    assert r.id == "NCT00002475"
    assert r.registry == "ClinicalTrials.gov"
    assert [(x.id, x.registry, x.kind) for x in r.registry_ids] == [
        ("NCT00002475", "ClinicalTrials.gov", "primary"),
        ("SVMC-ONC-222", None, "org_study"),
        ("CDR0000076913", None, "secondary"),
        ("NCI-V91-0075", None, "secondary"),
    ]
    assert r.title == "Cyclophosphamide Plus Vaccine Therapy in Treating Patients With Advanced Cancer"
    assert r.official_title == (
        "A Trial of Active Intralymphatic Immunotherapy With Interferon-Treated Cells and Cyclophosphamide"
    )
    assert r.brief_summary is not None
    assert r.brief_summary.startswith("RATIONALE: Drugs used in chemotherapy work in different ways")
    assert "\n\nPURPOSE: Phase II trial" in r.brief_summary
    assert r.detailed_description is not None and r.detailed_description.startswith("OBJECTIVES:")
    assert (r.status, r.status_raw, r.last_known_status) == ("completed", "Completed", None)
    assert r.phases == ["phase2"]
    assert r.study_type == "interventional"
    assert (r.enrollment.count, r.enrollment.type) == (40, "estimated")  # type="Anticipated"
    d = r.dates
    assert (d.start.date, d.start.type) == ("1991-04", None)  # type: ignore[union-attr]
    assert (d.completion.date, d.completion.type) == ("2009-06", "actual")  # type: ignore[union-attr]
    assert (d.primary_completion.date, d.primary_completion.type) == ("2007-12", "actual")  # type: ignore[union-attr]
    # no study_first_posted / last_update_posted in 2016: the older firstreceived_date / lastchanged_date stand in
    assert (d.first_posted.date, d.first_posted.type) == ("1999-11-01", None)  # type: ignore[union-attr]
    assert (d.last_update.date, d.last_update.type) == ("2013-07-09", None)  # type: ignore[union-attr]
    assert (d.verified.date, d.verified.type) == ("2008-11", None)  # type: ignore[union-attr]
    assert [c.text for c in r.conditions] == [
        "Breast Cancer", "Colorectal Cancer", "Kidney Cancer", "Lung Cancer", "Malignant Mesothelioma",
        "Pancreatic Cancer",
    ]
    assert all(c.terms == [] for c in r.conditions)
    assert [(m.id, m.label) for m in r.condition_mesh] == [
        (None, "Lung Neoplasms"), (None, "Mesothelioma"), (None, "Pancreatic Neoplasms"),
    ]
    assert [(i.type, i.name) for i in r.interventions] == [
        ("biological", "allogeneic tumor cell vaccine"),
        ("biological", "autologous tumor cell vaccine"),
        ("biological", "recombinant interferon alfa"),
        ("biological", "recombinant interferon gamma"),
        ("biological", "sargramostim"),
        ("drug", "cyclophosphamide"),
    ]
    assert r.cell_products == []
    e = r.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (18.0, None, "all", False)
    assert e.text is not None and e.text.startswith("DISEASE CHARACTERISTICS:\n\n- Histologically confirmed cancer")
    # the hard-wrapped item is whole again, not cut at the export's line break
    assert e.inclusion[1] == (
        "Histologically confirmed cancer not amenable to cure or long-term control by surgery, radiotherapy, "
        "chemotherapy, or hormonal manipulations, including the following tumor types:"
    )
    assert e.exclusion == []
    # <study_design>Primary Purpose: Treatment</study_design>
    assert r.design.model_dump() == {
        "allocation": None, "intervention_model": None, "masking": None, "primary_purpose": "treatment",
    }
    assert r.arms == []
    assert [o.measure for o in r.outcomes.primary][:2] == [
        "Clinical response (patients with evaluable disease)",
        "Duration of response (patients with evaluable disease)",
    ]
    assert len(r.outcomes.primary) == 5 and r.outcomes.secondary == []
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("St. Vincent Medical Center - Los Angeles", "lead"),
        ("St. Vincent Medical Center - Los Angeles", "responsible_party"),
    ]
    assert [(c.role, c.name, c.title) for c in r.contacts] == [
        ("responsible_party", "Charles L. Wiseman", None),  # old <name_title>
        ("overall_official", "Charles L. Wiseman, MD, FACP", "Study Chair"),
    ]
    assert [loc.model_dump() for loc in r.locations] == [{
        "facility": "St. Vincent Medical Center - Los Angeles", "city": "Los Angeles", "state": "California",
        "postal_code": "90057-1901", "country": "United States",
    }]
    assert r.keywords[:2] == ["stage III colon cancer", "stage IV colon cancer"]
    assert len(r.keywords) == 23
    # only the old single <is_fda_regulated> flag: drug vs device unknown
    assert (r.regulatory.fda_regulated_drug, r.regulatory.fda_regulated_device) == (None, None)
    assert r.source.url == "https://clinicaltrials.gov/study/NCT00002475"
    assert r.source.file is not None and r.source.file.endswith("example_study.xml#record 1")


def test_2018_record_nct03494712(shared: Path) -> None:
    r = _one(shared, "NCT03494712.xml").record
    assert [(x.id, x.registry, x.kind) for x in r.registry_ids] == [
        ("NCT03494712", "ClinicalTrials.gov", "primary"),
        ("CL1-95010-001", None, "org_study"),
        ("2017-004180-12", "EU-CTR", "secondary"),
    ]
    assert r.title == "Safety of Single Intravenous Administration of S95010 in Human Healthy Volunteers"
    assert (r.status, r.status_raw) == ("recruiting", "Recruiting")
    assert r.phases == ["phase1"]
    assert (r.enrollment.count, r.enrollment.type) == (49, "estimated")
    d = r.dates
    assert (d.start.date, d.start.type) == ("2018-02-21", "actual")  # type: ignore[union-attr]
    assert (d.primary_completion.date, d.primary_completion.type) == ("2019-01-14", "estimated")  # type: ignore[union-attr]
    assert (d.completion.date, d.completion.type) == ("2020-01-13", "estimated")  # type: ignore[union-attr]
    assert (d.first_posted.date, d.first_posted.type) == ("2018-04-11", "actual")  # type: ignore[union-attr]
    assert (d.verified.date, d.verified.type) == ("2018-04", None)  # type: ignore[union-attr]
    assert [c.text for c in r.conditions] == ["Cardiovascular Diseases"]
    assert [m.label for m in r.condition_mesh] == ["Cardiovascular Diseases"]
    e = r.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (18.0, 45.0, "male", True)
    assert e.inclusion == ["Young healthy Caucasian male subjects aged between 18 and 45 years (both inclusive)"]
    assert e.exclusion[0] == (
        "Any acute or chronic illness or clinically relevant findings such as livers,kidney, spleen, cardiovascular "
        "disease, eye disease in the selection/ inclusion visit examinations"
    )
    assert r.design.model_dump() == {
        "allocation": "randomized", "intervention_model": "sequential", "masking": "double",
        "primary_purpose": "treatment",
    }
    assert [(a.label, a.type, a.interventions) for a in r.arms] == [
        ("S 95010", "experimental", ["S 95010"]),
        ("Placebo", "placebo_comparator", ["Placebo"]),
    ]
    assert r.arms[0].description == "Increasing single doses of S 95010 to 5 subjects."
    assert r.outcomes.primary[0].model_dump() == {
        "measure": "Safety assessed by incidence of Adverse Events",
        "time_frame": "Through study completion, an average of 12 weeks",
        "description": "Safety criterion",
    }
    assert len(r.outcomes.secondary) == 3
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("Institut de Recherches Internationales Servier", "lead"),
        ("ADIR Association", "collaborator"),
        ("Institut de Recherches Internationales Servier", "responsible_party"),
    ]
    assert [(c.role, c.name, c.phone, c.email) for c in r.contacts] == [(
        "central_contact", "Institut de Recherches Internationales Servier Clinical Studies Department",
        "+33 1 55 72 43 66", "clinicaltrials@servier.com",
    )]
    assert [loc.model_dump() for loc in r.locations] == [{
        "facility": "SGS Clinical Pharmacology Unit", "city": "Antwerpen", "state": None, "postal_code": "B-2060",
        "country": "Belgium",
    }]
    assert r.keywords == ["healthy volunteer", "antimiR", "single ascending dose"]
    assert (r.regulatory.fda_regulated_drug, r.regulatory.fda_regulated_device) == (True, False)


def test_alias_and_estimate_dates_nct00081588(shared: Path) -> None:
    r = _one(shared, "NCT00081588.xml").record
    assert [(x.id, x.registry, x.kind) for x in r.registry_ids] == [
        ("NCT00081588", "ClinicalTrials.gov", "primary"),
        ("CR006724", None, "org_study"),
        ("TMC114-C215", None, "secondary"),
        ("NCT00980226", "ClinicalTrials.gov", "secondary"),  # <nct_alias>
    ]
    # <study_first_posted type="Estimate">April 19, 2004</study_first_posted>
    assert (r.dates.first_posted.date, r.dates.first_posted.type) == ("2004-04-19", "estimated")  # type: ignore[union-attr]
    assert (r.enrollment.count, r.enrollment.type) == (555, "actual")
    assert r.design.model_dump() == {
        "allocation": "non_randomized", "intervention_model": "single_group", "masking": "none",
        "primary_purpose": "treatment",
    }
    assert [(a.label, a.type, a.interventions) for a in r.arms] == [("001", "experimental", ["TMC114"])]
    assert len(r.locations) == 68
    assert r.locations[0].model_dump() == {
        "facility": None, "city": "Birmingham", "state": "Alabama", "postal_code": None, "country": "United States",
    }
    assert [(c.role, c.name, c.title, c.affiliation) for c in r.contacts] == [
        ("overall_official", "Tibotec Pharmaceuticals Clinical Trial", "Study Director",
         "Tibotec Pharmaceutical Limited"),
    ]


def test_unknown_status_with_last_known_nct02591940(shared: Path) -> None:
    r = _one(shared, "NCT02591940.xml").record
    assert (r.status, r.status_raw, r.last_known_status) == ("unknown", "Unknown status", "enrolling_by_invitation")
    assert r.study_type == "observational"
    assert r.phases == []
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("German Heart Institute", "lead"),
        ("Bambino Gesù Hospital and Research Institute", "collaborator"),
        ("University College, London", "collaborator"),
        ("German Heart Institute", "responsible_party"),
    ]
    # one intervention names both arms
    assert [a.interventions for a in r.arms] == [["Surgery or Treatment by Heart Catheter"]] * 2


def test_principal_investigator_responsible_party_nct03459976(shared: Path) -> None:
    r = _one(shared, "NCT03459976.xml").record
    assert ("f m dabnon", "responsible_party") in [(s.name, s.role) for s in r.sponsors]
    rp = [c for c in r.contacts if c.role == "responsible_party"]
    assert [(c.name, c.title, c.affiliation) for c in rp] == [
        ("f m dabnon", "dr.fatma mohamed dapnon abuktaa", "Ain Shams University"),
    ]
    assert [i.type for i in r.interventions] == ["diagnostic_test"]
    assert (r.regulatory.fda_regulated_drug, r.regulatory.fda_regulated_device) == (False, False)


def test_wrapped_criteria_items_are_rejoined_nct03521479(shared: Path) -> None:
    """A wrapped item whose continuation line reads "exclusion criterion." is not taken for a heading."""
    e = _one(shared, "NCT03521479.xml").record.eligibility
    assert e.inclusion[:3] == [
        "Age ≥ 18 and ≤ 65",
        "Clinical diagnosis of herpes labialis, which may be made at the screening visit based on the patient's "
        "self-reported history of symptoms. An active herpes labialis outbreak at the time of entry into the "
        "clinical trial will neither be required nor will be an exclusion criterion.",
        "Self report having four (4) or more episodes of herpes labialis in the past 12 months.",
    ]
    assert e.exclusion[0] == "Pregnant or lactating females."
    assert e.text is not None and "based\non the patient's" in e.text  # the text itself is kept as given


def test_why_stopped_and_other_outcomes(shared: Path) -> None:
    r = _one(shared, "NCT00277524.xml").record
    assert (r.status, r.why_stopped) == ("terminated", "Ended follow-up after four years")
    r = _one(shared, "NCT01642004.xml").record
    # "other pre-specified" outcomes follow the secondary ones
    other_path = _xml_dir(shared) / "NCT01642004.xml"
    n_other = other_path.read_text(encoding="utf-8").count("<other_outcome>")
    n_secondary = other_path.read_text(encoding="utf-8").count("<secondary_outcome>")
    assert n_other > 0
    assert len(r.outcomes.secondary) == n_secondary + n_other


def test_phone_extension_joined(shared: Path) -> None:
    r = _one(shared, "NCT03391583.xml").record
    central = [(c.name, c.phone) for c in r.contacts if c.role == "central_contact"]
    assert central[0] == ("Cindy Hunt, PH, RN", "Phone: 416-864-6060 ext 77081")


# ---------------------------------------------------------------- old study_design text


def test_old_study_design_text_parsed() -> None:
    text = ("Allocation: Randomized, Endpoint Classification: Safety/Efficacy Study, Intervention Model: Parallel "
            "Assignment, Masking: Double Blind (Subject, Investigator), Primary Purpose: Treatment")
    assert fmt.parse_study_design(text) == {
        "allocation": "Randomized",
        "endpoint classification": "Safety/Efficacy Study",
        "intervention model": "Parallel Assignment",
        "masking": "Double Blind (Subject, Investigator)",
        "primary purpose": "Treatment",
    }
    doc = (b"<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info><brief_title>T</brief_title>"
           b"<study_design>" + text.encode() + b"</study_design></clinical_study>")
    (item,) = _read(doc)
    assert isinstance(item, Parsed)
    assert item.record.design.model_dump() == {
        "allocation": "randomized", "intervention_model": "parallel", "masking": "double",
        "primary_purpose": "treatment",
    }


# ---------------------------------------------------------------- many studies in one file


def test_two_studies_in_one_wrapped_file(shared: Path) -> None:
    a = _strip_decl((_xml_dir(shared) / "NCT03494712.xml").read_bytes())
    b = _strip_decl((_xml_dir(shared) / "NCT00081588.xml").read_bytes())
    doc = b'<?xml version="1.0" encoding="UTF-8"?>\n<search_results count="2">\n' + a + b + b"\n</search_results>\n"
    assert fmt.sniff(doc[:65536], "dump.xml")
    items = _read(gzip.decompress(gzip.compress(doc)), "dump.xml")
    assert [type(i) for i in items] == [Parsed, Parsed]
    assert [i.record.id for i in items] == ["NCT03494712", "NCT00081588"]  # type: ignore[union-attr]
    assert [i.position for i in items] == ["record 1", "record 2"]  # type: ignore[union-attr]
    assert items[1].record.source.file == "dump.xml#record 2"  # type: ignore[union-attr]
    # each record's raw bytes are its own element only
    assert items[0].raw.startswith(b"<clinical_study")  # type: ignore[union-attr]
    assert b"NCT00081588" not in items[0].raw  # type: ignore[union-attr]
    assert items[1].record.title == (  # type: ignore[union-attr]
        "An Open Label Trial of TMC114/RTV in HIV-1 Infected, Treatment-experienced Subjects."
    )


def test_record_without_nct_id_is_a_problem_and_reading_goes_on() -> None:
    doc = (b"<clinical_studies><clinical_study><brief_title>no id</brief_title></clinical_study>"
           b"<clinical_study><id_info><nct_id>NCT00000105</nct_id></id_info></clinical_study></clinical_studies>")
    items = _read(doc)
    assert isinstance(items[0], ImportProblem) and items[0].position == "record 1"
    assert "nct_id" in items[0].reason
    assert isinstance(items[1], Parsed) and items[1].record.id == "NCT00000105"


# ---------------------------------------------------------------- hostile and broken input


def _passwd_marker() -> str:
    try:
        first = Path("/etc/passwd").read_text().splitlines()[0]
    except (OSError, IndexError):
        return "root:x:0:0"
    return first[:12]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE clinical_study [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info><brief_title>&lol9;</brief_title></clinical_study>
"""

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE clinical_study [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info><brief_title>&xxe;</brief_title>
<brief_summary><textblock>&xxe;</textblock></brief_summary></clinical_study>
"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE search_results [ <!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext; ]>
<search_results><clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info></clinical_study></search_results>
"""


@pytest.mark.parametrize("doc", [BOMB, XXE, XXE_PARAMETER], ids=["entity-bomb", "external-entity", "parameter"])
def test_entity_declarations_refused(doc: bytes) -> None:
    assert fmt.sniff(doc, "evil.xml")  # claimed, so that read() is the one to refuse it
    with pytest.raises(SourceError) as err:
        _read(doc)
    assert "entit" in err.value.reason.lower()
    assert _passwd_marker() not in str(err.value)


def test_entities_refused_even_after_a_long_comment() -> None:
    """A DOCTYPE pushed far past the first 64 KiB by a comment is still caught (by the parser's DTD check)."""
    doc = b'<?xml version="1.0"?><!--' + b"x" * 3_000_000 + b"-->" + XXE.split(b"?>", 1)[1]
    with pytest.raises(SourceError) as err:
        _read(doc)
    assert "entit" in err.value.reason.lower()


def test_entity_bomb_behind_a_tag_in_a_comment_is_refused() -> None:
    doc = b'<?xml version="1.0"?><!-- <search_results> -->' + BOMB.split(b"?>", 1)[1].replace(
        b"<clinical_study>", b"<search_results>&lol9;&lol9;<clinical_study>"
    ).replace(b"</clinical_study>", b"</clinical_study></search_results>")
    with pytest.raises(SourceError) as err:
        _read(doc)
    assert "entit" in err.value.reason.lower()


def test_external_dtd_is_never_loaded() -> None:
    doc = (b'<?xml version="1.0"?><!DOCTYPE clinical_study SYSTEM "file:///etc/passwd">'
           b"<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info><brief_title>T</brief_title>"
           b"</clinical_study>")
    items = _read(doc)
    assert len(items) == 1 and isinstance(items[0], Parsed)
    dumped = items[0].record.model_dump_json() + items[0].raw.decode()
    assert _passwd_marker() not in dumped


@pytest.mark.parametrize(
    ("doc", "line"),
    [
        (b"<clinical_study>\n<id_info><nct_id>NCT00000102</nct_id></id_info>\n<brief_title>x</brief_titl>"
         b"</clinical_study>", 3),
        (b"<search_results>\n<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info></clinical_study>\n"
         b"<clinical_study><id_in", 3),
        (b"<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info>\n<brief_title>&undefined;</brief_title>"
         b"</clinical_study>", 2),
    ],
    ids=["tag-mismatch", "truncated", "undefined-entity"],
)
def test_malformed_xml_names_line_and_column(doc: bytes, line: int) -> None:
    with pytest.raises(SourceError) as err:
        _read(doc)
    assert f"line {line}, column " in err.value.reason


def test_damaged_gzip_is_a_source_error(shared: Path) -> None:
    data = gzip.compress((_xml_dir(shared) / "NCT02465060.xml").read_bytes())
    for cut in (data[:60], data[: len(data) // 2], data[:-12] + b"garbage!garbage!"):
        with pytest.raises(SourceError):
            list(fmt.read(gzip.GzipFile(fileobj=io.BytesIO(cut)), "cut.xml.gz"))  # type: ignore[arg-type]


@pytest.mark.parametrize("doc", [b"", b"   \n", b"<other><thing/></other>"])
def test_no_study_at_all_is_a_source_error(doc: bytes) -> None:
    with pytest.raises(SourceError):
        _read(doc)


def test_garbled_values_do_not_raise() -> None:
    doc = (b"<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info>"
           b"<start_date type='Nonsense'>sometime</start_date><enrollment>lots</enrollment>"
           b"<eligibility><minimum_age>old</minimum_age><gender>?</gender></eligibility>"
           b"<phase>Phase 9</phase><arm_group/><intervention/></clinical_study>")
    (item,) = _read(doc)
    assert isinstance(item, Parsed)
    r = item.record
    assert r.dates.start is None and r.enrollment.count is None
    assert (r.eligibility.min_age_years, r.eligibility.sex) == (None, None)


# ---------------------------------------------------------------- sniffing


def test_sniff_accepts_bom_and_whitespace(shared: Path) -> None:
    data = (_xml_dir(shared) / "NCT03494712.xml").read_bytes()[:65536]
    assert fmt.sniff(b"\xef\xbb\xbf\n  " + data, "x")


@pytest.mark.parametrize(
    "head",
    [
        b'{"protocolSection": {"identificationModule": {"nctId": "NCT03494712"}}}',
        b'{"FullStudiesResponse": {"FullStudies": [{"Study": {}}]}}',
        b'[{"protocolSection": {}}]',
        b'{"id": "NCT1", "registry_ids": [], "source": {}}\n',
        b"Rank,NCT Number,Title,Acronym,Status\n1,NCT03765957,T,,Recruiting\n",
        b'<?xml version="1.0"?><trials><trial><main><trial_id>ChiCTR2000034346</trial_id></main></trial></trials>',
        b'<?xml version="1.0"?><Trials_downloaded_from_ICTRP><Trial><TrialID>NCT04</TrialID></Trial>'
        b"</Trials_downloaded_from_ICTRP>",
        b"TrialID,Last Refreshed on,Public title\nChiCTR1,1/1/2020,x\n",
        b"ClinicalTrials.gov ID: NCT03123458\nclinical_study of cells",
        b"hPSCreg clinical study\tid\n",
    ],
)
def test_sniff_refuses_other_formats(head: bytes) -> None:
    assert not fmt.sniff(head, "input")


def test_sniff_refuses_other_shared_files(shared: Path) -> None:
    for path in [
        *sorted((shared / "data" / "ctgov" / "v2").glob("*.json"))[:3],
        *sorted((shared / "data" / "ctgov" / "classic_full_studies").glob("*.json")),
        *sorted((shared / "data" / "ctgov" / "csv_export").glob("*.csv")),
        shared / "data" / "ictrp" / "ChiCTR2000034346.xml",
        *sorted((shared / "seeds").glob("*.txt")),
    ]:
        with path.open("rb") as fh:
            assert not fmt.sniff(fh.read(65536), path.name), path
