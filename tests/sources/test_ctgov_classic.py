"""The classic ClinicalTrials.gov API's JSON (FullStudiesResponse and study_fields): every real sample in ../shared,
the NCT03123458 check against its CT.gov page, field by field on other real studies, careful zipping of parallel
lists, every layout, sniffing and hostile input."""

from __future__ import annotations

import gzip
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from stemtrials.sources import ctgov_classic as fmt
from stemtrials.sources._ctgov_common import aligned
from stemtrials.sources.base import ImportProblem, Parsed, SourceError
from stemtrials.sources.ctgov_classic import _arm_links


class _OneWay:
    """A non-seekable stream (like a gzip or zip member): read() only."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._buf.read(size)


def _read(data: bytes, origin: str = "test.json") -> list[Parsed | ImportProblem]:
    return list(fmt.read(_OneWay(data), origin))  # type: ignore[arg-type]


def _records(items: list[Parsed | ImportProblem]) -> list[Parsed]:
    assert [str(i) for i in items if isinstance(i, ImportProblem)] == []
    return [i for i in items if isinstance(i, Parsed)]


def _fields_path(shared: Path) -> Path:
    return shared / "data" / "ctgov" / "classic" / "msc_trials_study_fields.jsonl.gz"


@cache
def _fields_items(path: Path) -> list[Parsed | ImportProblem]:
    with gzip.open(path, "rb") as fh:
        return list(fmt.read(fh, str(path)))  # type: ignore[arg-type]


def _fields(shared: Path) -> dict[str, Parsed]:
    return {p.record.id: p for p in _records(_fields_items(_fields_path(shared)))}


def _fields_lines(shared: Path) -> list[dict[str, Any]]:
    """The export's objects as plain JSON (a fresh copy: tests may change them)."""
    return json.loads(_fields_json(_fields_path(shared)))


@cache
def _fields_json(path: Path) -> str:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return "[" + ",".join(line for line in fh if line.strip()) + "]"


def _full(shared: Path, nct: str) -> Parsed:
    path = shared / "data" / "ctgov" / "classic_full_studies" / f"{nct}.json"
    with path.open("rb") as fh:
        items = _records(list(fmt.read(fh, str(path))))
    assert len(items) == 1 and items[0].position == "study 1"
    return items[0]


def _values(items: list[Parsed]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        data = item.record.model_dump(mode="json")
        data["source"].pop("file")
        out.append(data)
    return out


# ---------------------------------------------------------------- every sample file


def test_every_sample_reads_without_problems(shared: Path) -> None:
    items = _fields_items(_fields_path(shared))
    parsed = _records(items)
    assert len(parsed) == 995
    assert parsed[0].position == "line 1" and parsed[-1].position == "line 995"
    assert all(p.record.source.format == "ctgov_classic" and p.record.id.startswith("NCT") for p in parsed)
    assert len({p.record.id for p in parsed}) == 994  # NCT02421484 appears twice in the export
    with gzip.open(_fields_path(shared)) as fh:
        assert fmt.sniff(fh.read(65536), "msc_trials_study_fields.jsonl")
    for path in sorted((shared / "data" / "ctgov" / "classic_full_studies").glob("*.json")):
        assert fmt.sniff(path.read_bytes()[:65536], path.name)
        assert _full(shared, path.stem).record.id == path.stem


# ---------------------------------------------------------------- NCT03123458, checked against its CT.gov page


def test_nct03123458_matches_its_ctgov_page(shared: Path) -> None:
    p = _fields(shared)["NCT03123458"]
    r = p.record
    assert r.registry == "ClinicalTrials.gov"
    assert [(i.id, i.registry, i.kind) for i in r.registry_ids] == [
        ("NCT03123458", "ClinicalTrials.gov", "primary"), ("GIMI-IRB-17001", None, "org_study")]
    assert r.title == "Clonal Fetal Mesenchymal Stem Cells (cfMSCs) for the Control of Immune-related Disorders"
    assert (r.status, r.status_raw, r.last_known_status) == ("unknown", "Unknown status", "enrolling_by_invitation")
    d = r.dates
    assert (d.verified.date, d.verified.type) == ("2018-02", None)
    assert (d.first_posted.date, d.first_posted.type) == ("2017-04-21", "actual")
    assert (d.last_update.date, d.last_update.type) == ("2018-02-26", "actual")
    assert (d.start.date, d.start.type) == ("2016-01-01", "actual")
    assert (d.primary_completion.date, d.primary_completion.type) == ("2019-12-31", "estimated")
    assert (d.completion.date, d.completion.type) == ("2020-12-31", "estimated")
    assert r.phases == ["phase1"] and r.study_type == "interventional"
    assert (r.enrollment.count, r.enrollment.type) == (100, "estimated")
    assert r.design.model_dump() == {"allocation": "not_applicable", "intervention_model": "single_group",
                                     "masking": "none", "primary_purpose": "treatment"}
    assert [(a.label, a.type, a.description, a.interventions) for a in r.arms] == [
        ("Single arm, cfMSC to treat immune disorders", "experimental", "cfMSCs treatment", ["clonal fetal MSCs"])]
    assert [(i.type, i.name, i.other_names) for i in r.interventions] == [("biological", "clonal fetal MSCs", [])]
    # The page lists two outcome measures: one primary and one secondary, each with its time frame.
    assert [(o.measure, o.time_frame, o.description) for o in r.outcomes.primary] == [
        ("Number of participants with treatment-related adverse events as assessed by CTCAE v4.0",
         "up to one month", "Safety of cfMSC infusion acute and prolonged")]
    assert [(o.measure, o.time_frame) for o in r.outcomes.secondary] == [
        ("Number of participants with reduced symptoms or stabilized conditions after treatment",
         "after 1 month from fMSC infusion")]
    e = r.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (1, 80, "all", False)
    assert e.exclusion == ["Inability to give informed consent.",
                           "Patients with ongoing infection or history of cancer.",
                           "Patients with poor clinical conditions with the life expectancy of less than 14 days.",
                           "Pregnancy."]
    assert e.text is not None and e.text.startswith("Inclusion Criteria:\n\nInformed consent.")
    # Three sites; LocationState has two values for three sites, so no state can be placed with certainty.
    assert [loc.model_dump() for loc in r.locations] == [
        {"facility": "Capital Institute of Pediatrics affiliated Children's hospital", "city": "Beijing",
         "state": None, "postal_code": "100020", "country": "China"},
        {"facility": "Shenzhen Geno-immune Medical Institute", "city": "Shenzhen", "state": None,
         "postal_code": "518000", "country": "China"},
        {"facility": "Aerospace Center Hospital", "city": "Beijing", "state": None, "postal_code": "100049",
         "country": "China"}]
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("Shenzhen Geno-Immune Medical Institute", "lead"), ("Lung-Ji Chang", "responsible_party")]
    assert [(c.role, c.name, c.title, c.affiliation) for c in r.contacts] == [
        ("responsible_party", "Lung-Ji Chang", "President", "Shenzhen Geno-Immune Medical Institute")]
    assert (r.regulatory.fda_regulated_drug, r.regulatory.fda_regulated_device) == (False, False)
    assert r.keywords == ["MSC", "GVHDs", "transplantation"]
    assert [c.text for c in r.conditions] == ["Immune Related Disorder", "Tissue Damage"]
    assert [(m.id, m.label) for m in r.condition_mesh] == [("MESH:D000004194", "Disease")]
    assert r.cell_products == []
    assert r.source.url == "https://clinicaltrials.gov/study/NCT03123458"
    assert "Rank" not in json.loads(p.raw) and json.loads(p.raw)["NCTId"] == ["NCT03123458"]


# ---------------------------------------------------------------- study_fields: other real studies


def test_nct00721045_arm_links_rebuilt_from_both_flat_lists(shared: Path) -> None:
    r = _fields(shared)["NCT00721045"].record
    mpc, mock = "Mesenchymal Precursor Cells (MPCs)", "standard-of-care treatment with mock mapping and injection " \
        "procedures."
    assert [(a.label, a.type, a.interventions) for a in r.arms] == [
        ("A1", "active_comparator", [mpc]), ("A2", "sham_comparator", [mock]), ("B1", "active_comparator", [mpc]),
        ("B2", "sham_comparator", [mock]), ("C1", "active_comparator", [mpc]), ("C2", "sham_comparator", [mock])]
    assert [(i.type, i.description) for i in r.interventions] == [
        ("biological", "25 M allogeneic MPCs by transendocardial injection and mapping."),
        ("biological", "75 M allogeneic MPCs by transendocardial injection and mapping."),
        ("biological", "150 M allogeneic MPCs by transendocardial injection"),
        ("procedure", "Mock"), ("procedure", "Mock"), ("procedure", "Mock")]
    # Three "Revascor" other names over six interventions: which ones own them is unknown.
    assert all(i.other_names == [] for i in r.interventions)
    assert r.design.model_dump() == {"allocation": "randomized", "intervention_model": "factorial",
                                     "masking": "single", "primary_purpose": "treatment"}
    assert (r.status, r.status_raw, r.phases) == ("completed", "Completed", ["phase2"])
    assert (r.dates.start.date, r.dates.start.type) == ("2008-08", None)
    assert (r.dates.first_posted.date, r.dates.first_posted.type) == ("2008-07-23", "estimated")  # "Estimate"
    assert [loc.state for loc in r.locations] == ["Arizona", "California", "Minnesota", "Pennsylvania", "Texas",
                                                  "Washington"]
    assert r.locations[1].postal_code == "92037-1300"
    assert [(c.role, c.name, c.title) for c in r.contacts] == [
        ("overall_official", "Emerson Perin, MD", "Principal Investigator")]
    assert [(s.name, s.role) for s in r.sponsors] == [("Mesoblast, Ltd.", "lead"),
                                                      ("Mesoblast, Ltd.", "responsible_party")]


def test_nct01159899_misaligned_contact_lists_are_left_out(shared: Path) -> None:
    r = _fields(shared)["NCT01159899"].record
    # Two central contacts but one phone number: the phone cannot be given to either of them.
    assert [(c.role, c.name, c.phone, c.email) for c in r.contacts if c.role == "central_contact"] == [
        ("central_contact", "Michel Assor, MD", None, "michel.assor@free.fr"),
        ("central_contact", "Shimon Slavin, Pr", None, "slavin@CTCIcenter.com")]
    assert [(c.name, c.title) for c in r.contacts if c.role == "overall_official"] == [
        ("Michel Assor, MD", "Principal Investigator"), ("Shimon Slavin, MD", "Study Director")]
    assert [(c.role, c.name, c.title, c.affiliation) for c in r.contacts[:1]] == [
        ("responsible_party", "Michel Assor, MD", "Sponsor-Investigator", "University of Marseille")]
    assert (r.status, r.last_known_status, r.phases) == ("unknown", "recruiting", ["early_phase1"])
    # A lone intervention owns every other name.
    assert [(i.type, i.other_names) for i in r.interventions] == [
        ("procedure", ["mesenchymal stem cells", "Knee Arthrosis", "Knee osteochondral defect"])]
    assert r.locations[0].model_dump() == {"facility": "Knee and Lower Limb Institute, Dr Michel Assor",
                                           "city": "Marseille", "state": None, "postal_code": "13008",
                                           "country": "France"}
    assert r.regulatory.fda_regulated_drug is None and len(r.keywords) == 22
    assert [(i.id, i.kind) for i in r.registry_ids] == [("NCT01159899", "primary"), ("MSC- AS3", "org_study")]


def test_nct00361049_pre_2011_responsible_party(shared: Path) -> None:
    r = _fields(shared)["NCT00361049"].record
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("Case Comprehensive Cancer Center", "lead"), ("National Cancer Institute (NCI)", "collaborator"),
        ("Case Comprehensive Cancer Center", "responsible_party")]
    assert (r.contacts[0].role, r.contacts[0].name) == ("responsible_party", "Hillard M. Lazarus, M.D.")
    assert [(i.id, i.kind) for i in r.registry_ids] == [
        ("NCT00361049", "primary"), ("CWRU3Y03", "org_study"), ("P30CA043703", "secondary"),
        ("CASE-CWRU-3Y03", "secondary")]
    assert r.arms == [] and len(r.interventions) == 7 and len(r.locations) == 8
    assert [i.type for i in r.interventions] == ["biological", "genetic", "other", "other", "other", "procedure",
                                                 "procedure"]


def test_study_fields_values_never_misaligned(shared: Path) -> None:
    """Over the whole export: every kept site value sits at the index its own list gives it."""
    records = _fields(shared)
    linked = unlinked = 0
    for line in _fields_lines(shared):
        r = records[line["NCTId"][0]].record
        for key, attr in (("LocationFacility", "facility"), ("LocationCity", "city"), ("LocationState", "state"),
                          ("LocationZip", "postal_code"), ("LocationCountry", "country")):
            kept = [getattr(loc, attr) for loc in r.locations]
            assert kept == line[key] or all(v is None for v in kept), (r.id, key)
        labels = line.get("ArmGroupLabel", [])
        assert [a.label for a in r.arms] == labels
        flat = [n for a in r.arms for n in a.interventions]
        names = [n.split(": ", 1)[1] for n in line.get("ArmGroupInterventionName", [])]
        assert flat in ([], names), r.id
        if len(labels) > 1 and names:
            linked, unlinked = (linked + 1, unlinked) if flat else (linked, unlinked + 1)
    # Multi-arm studies whose links add up from both sides get them; the rest (e.g. NCT01290367, where two
    # interventions share one name and the arm side lists it once) are left without rather than guessed.
    assert (linked, unlinked) == (568, 2)
    assert not records["NCT01290367"].record.arms[0].interventions


# ---------------------------------------------------------------- FullStudiesResponse: real studies


def test_full_study_nct04780763(shared: Path) -> None:
    r = _full(shared, "NCT04780763").record
    assert [(i.id, i.kind) for i in r.registry_ids] == [
        ("NCT04780763", "primary"), ("NU391", "org_study"), ("S64737", "secondary")]
    assert r.acronym == "Tara"
    assert (r.status, r.status_raw) == ("not_yet_recruiting", "Not yet recruiting")
    assert r.phases == ["not_applicable"] and (r.enrollment.count, r.enrollment.type) == (168, "estimated")
    assert (r.dates.start.date, r.dates.start.type) == ("2021-03-04", "estimated")
    assert (r.dates.first_posted.date, r.dates.first_posted.type) == ("2021-03-03", "estimated")
    assert (r.dates.verified.date, r.dates.verified.type) == ("2021-02", None)
    assert r.design.model_dump() == {"allocation": "randomized", "intervention_model": "parallel",
                                     "masking": "quadruple", "primary_purpose": "supportive_care"}
    assert [(a.type, a.interventions) for a in r.arms] == [
        ("active_comparator", ["Milk product fermented by lactic bacteria or not fermented"]),
        ("placebo_comparator", ["Milk product fermented by lactic bacteria or not fermented"])]
    assert [(m.id, m.label) for m in r.condition_mesh] == [("MESH:D000001008", "Anxiety Disorders")]
    e = r.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (20, 30, "female", True)
    assert len(e.inclusion) == 8 and len(e.exclusion) == 8 and e.exclusion[-1].startswith("SE9: Pregnant woman")
    assert next((c.role, c.name, c.phone, c.email) for c in r.contacts if c.role == "central_contact") == (
        "central_contact", "Silvia MIRET-CATALAN", "+33 (0)6 15 37 21 02", "silvia.miret-catalan@danone.com")
    assert (r.regulatory.fda_regulated_drug, r.regulatory.fda_regulated_device) == (False, False)


def test_full_study_nct00023673(shared: Path) -> None:
    r = _full(shared, "NCT00023673").record
    assert [(i.id, i.kind) for i in r.registry_ids] == [
        ("NCT00023673", "primary"), ("RTOG L-0117", "org_study"), ("CDR0000068850", "secondary"),
        ("NCI-2012-02401", "secondary")]
    assert (r.status, r.phases, r.study_type) == ("completed", ["phase1", "phase2"], "interventional")
    assert (r.dates.start.date, r.dates.completion.date, r.dates.completion.type) == ("2001-07", "2013-11", "actual")
    assert (r.dates.last_update.date, r.dates.verified.date) == ("2017-12-22", "2017-11")
    assert r.design.allocation == "non_randomized" and r.design.masking == "none"
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("Radiation Therapy Oncology Group", "lead"), ("National Cancer Institute (NCI)", "collaborator"),
        ("Radiation Therapy Oncology Group", "responsible_party")]
    assert [(c.role, c.name, c.title) for c in r.contacts] == [("overall_official", "Jeffrey Bradley, MD",
                                                                 "Study Chair")]
    assert [(i.type, i.name) for i in r.interventions] == [
        ("drug", "carboplatin"), ("drug", "paclitaxel"), ("radiation", "three-dimensional conformal radiation therapy")]
    assert r.arms[0].interventions == ["carboplatin", "paclitaxel", "three-dimensional conformal radiation therapy"]
    assert len(r.locations) == 41 and r.locations[0].model_dump() == {
        "facility": "Mobile Infirmary Medical Center", "city": "Mobile", "state": "Alabama",
        "postal_code": "36652-2144", "country": "United States"}
    assert (len(r.outcomes.primary), len(r.outcomes.secondary)) == (2, 4)
    assert [c.text for c in r.conditions] == ["Lung Cancer"] and len(r.keywords) == 6
    assert [m.label for m in r.condition_mesh] == ["Lung Neoplasms", "Carcinoma, Non-Small-Cell Lung"]


def test_full_study_nct02028676_investigator_party(shared: Path) -> None:
    r = _full(shared, "NCT02028676").record
    assert r.acronym == "ARROW"
    assert (r.contacts[0].role, r.contacts[0].name, r.contacts[0].title, r.contacts[0].affiliation) == (
        "responsible_party", "Diana M Gibb", "Professor of Epidemiology", "Medical Research Council")
    assert ("Diana M Gibb", "responsible_party") in [(s.name, s.role) for s in r.sponsors]
    assert (r.eligibility.min_age_years, r.eligibility.max_age_years) == (0.25, 17)
    arm_a = next(i for i in r.interventions if i.name == "Arm A: ABC+3TC+NNRTI")
    assert arm_a.type == "drug" and arm_a.other_names[:2] == ["ABC: abacavir: Ziagen", "3TC: lamivudine: Epivir"]
    assert (r.arms[0].label, r.arms[0].interventions) == ("Clinically Driven Monitoring (CDM)",
                                                          ["Clinically Driven Monitoring (CDM)"])
    assert r.design.intervention_model == "factorial" and r.phases == ["phase4"]
    assert (r.enrollment.count, r.enrollment.type) == (1206, "actual")
    assert [loc.country for loc in r.locations] == ["Uganda", "Uganda", "Uganda", "Zimbabwe"]


# ---------------------------------------------------------------- layouts


def test_layouts_give_the_same_records(shared: Path) -> None:
    lines = _fields_lines(shared)[:12]
    jsonl = _records(_read(b"\n".join(json.dumps(x).encode() for x in lines)))
    page = _records(_read(json.dumps({"StudyFieldsResponse": {"APIVrs": "1.01.05", "NStudiesFound": 12,
                                                              "StudyFields": lines}}, indent=1).encode()))
    array = _records(_read(json.dumps(lines).encode()))
    assert _values(jsonl) == _values(page) == _values(array)
    assert [p.position for p in page][:2] == ["study 1", "study 2"]

    full = json.loads((shared / "data" / "ctgov" / "classic_full_studies" / "NCT04780763.json").read_bytes())
    entry = full["FullStudiesResponse"]["FullStudies"][0]
    two = {"FullStudiesResponse": {"NStudiesReturned": 2, "FullStudies": [entry, {**entry, "Rank": 2}]}}
    variants = [_records(_read(json.dumps(two).encode())), _records(_read(json.dumps([entry, entry]).encode())),
                _records(_read((json.dumps(entry["Study"]) + "\n" + json.dumps(entry)).encode()))]
    for got in variants:
        assert len(got) == 2 and _values(got)[0] == _values(got)[1]
        assert json.loads(got[0].raw) == entry["Study"]  # Rank is not part of the study
    assert _values(variants[0]) == _values(variants[1]) == _values(variants[2])


# ---------------------------------------------------------------- parallel-list helpers


def test_aligned_uses_only_complete_lists() -> None:
    rows = aligned({"facility": ["A", "B", "C"], "city": ["x", "y", "z"], "state": ["s1", "s2"], "zip": []})
    assert rows == [{"facility": "A", "city": "x"}, {"facility": "B", "city": "y"}, {"facility": "C", "city": "z"}]
    assert aligned({"a": None, "b": []}) == []
    assert aligned({"a": "lone"}) == [{"a": "lone"}]


def test_arm_links_refuses_what_it_cannot_be_sure_of() -> None:
    arms = [{"label": "A"}, {"label": "B"}]
    drugs = [{"type": "Drug", "name": "x"}, {"type": "Drug", "name": "y"}]
    assert _arm_links(arms, drugs, ["Drug: x", "Drug: y", "Drug: y"], ["A", "A", "B"]) == [
        ["Drug: x", "Drug: y"], ["Drug: y"]]
    assert _arm_links(arms, drugs, [], []) == [[], []]
    # The two sides disagree (x would be in A by one side, in B by the other): unknown.
    assert _arm_links(arms, drugs, ["Drug: x", "Drug: y"], ["B", "A"]) is None
    assert _arm_links(arms, drugs, ["Drug: x"], ["A", "B"]) is None  # counts do not add up
    assert _arm_links(arms, drugs, ["Drug: x", "Drug: y"], ["A", "C"]) is None  # unknown arm label
    assert _arm_links([{"label": "A"}, {"label": "a"}], drugs, ["Drug: x", "Drug: y"], ["A", "a"]) is None
    assert _arm_links([{"label": "A"}], drugs, ["Drug: x", "Drug: y"], []) == [["Drug: x", "Drug: y"]]
    assert _arm_links([], drugs, ["Drug: x"], ["A"]) is None


# ---------------------------------------------------------------- bad input


def test_jsonl_bad_lines_are_problems_and_the_rest_go_on(shared: Path) -> None:
    lines = _fields_lines(shared)[:2]
    text = "\n".join([json.dumps(lines[0]), '{"NCTId": ["NCT0', '{"NCTId": "NCT01234567"}', '{"NCTId": []}',
                      "7", json.dumps({"Study": {"ProtocolSection": {}}}), json.dumps(lines[1])])
    items = _read(text.encode())
    assert [(type(i).__name__, i.position) for i in items] == [
        ("Parsed", "line 1"), ("ImportProblem", "line 2"), ("ImportProblem", "line 3"), ("ImportProblem", "line 4"),
        ("ImportProblem", "line 5"), ("ImportProblem", "line 6"), ("Parsed", "line 7")]


def test_garbled_study_fields_values_do_not_crash(shared: Path) -> None:
    line = json.loads(json.dumps(_fields_lines(shared)[0]))
    line.update({"OverallStatus": [{"x": 1}], "LocationCity": "Paris", "Phase": [None, 3], "EnrollmentCount": [[]],
                 "ArmGroupLabel": [1, 2], "ArmGroupInterventionName": [None], "MinimumAge": ["old"]})
    items = _read(json.dumps(line).encode())
    assert len(items) == 1 and isinstance(items[0], Parsed)
    r = items[0].record
    assert r.status is None and r.enrollment.count is None and r.eligibility.min_age_years is None


def test_truncated_documents_raise_source_error(shared: Path) -> None:
    full = (shared / "data" / "ctgov" / "classic_full_studies" / "NCT02028676.json").read_bytes()
    with pytest.raises(SourceError) as err:
        _read(full[: len(full) // 2])
    assert err.value.position == "study 1"
    page = json.dumps({"StudyFieldsResponse": {"StudyFields": _fields_lines(shared)[:5]}}).encode()
    got: list[Parsed | ImportProblem] = []
    with pytest.raises(SourceError) as err:
        for item in fmt.read(_OneWay(page[: int(len(page) * 0.7)]), "cut.json"):  # type: ignore[arg-type]
            got.append(item)
    assert 0 < len(got) < 5 and err.value.position == f"study {len(got) + 1}"
    for data in (b"", b"junk", b"[", b'{"FullStudiesResponse": {"FullStudies": [1, ', b"\x00\x01"):
        with pytest.raises(SourceError):
            _read(data)


def test_truncated_gzip_underneath_raises_source_error(shared: Path) -> None:
    data = _fields_path(shared).read_bytes()
    stream = gzip.GzipFile(fileobj=io.BytesIO(data[: len(data) // 3]))
    got = []
    with pytest.raises(SourceError):
        for item in fmt.read(stream, "cut.jsonl.gz"):  # type: ignore[arg-type]
            got.append(item)
    assert len(got) > 100 and all(isinstance(i, Parsed) for i in got)


# ---------------------------------------------------------------- sniffing


def test_sniff_accepts_classic_layouts(shared: Path) -> None:
    line = json.dumps(_fields_lines(shared)[0]).encode()
    for head in (line, b"\xef\xbb\xbf  \n" + line, b"[" + line, b'{"StudyFieldsResponse": {"StudyFields": [' + line,
                 b'{\n  "FullStudiesResponse": {\n', b'{"Rank": 1, "Study": {"ProtocolSection": {'):
        assert fmt.sniff(head, "x.json"), head[:60]


def test_sniff_refuses_other_formats(shared: Path) -> None:
    data = shared / "data"
    heads = [
        (data / "ctgov" / "v2" / "NCT03418623.json").read_bytes(),
        (data / "ctgov" / "v2" / "export_10_studies.json").read_bytes()[:65536],
        (data / "ctgov" / "legacy_xml" / "NCT00001177.xml").read_bytes(),
        (data / "ctgov" / "csv_export" / "msc_search_export.csv").read_bytes()[:65536],
        (data / "ictrp" / "ChiCTR2000034346.xml").read_bytes(),
        (data / "hpscreg" / "hpscreg_trials_scrape.tsv").read_bytes()[:65536],
        b"NCT Number: NCT03123458\nStudy Type: Interventional\n",
        b'{"id": "NCT03123458", "registry": "ClinicalTrials.gov", "registry_ids": [], "source": {"format": "x"}}\n',
        b'{"NCTId": "NCT03123458"}', b"",
    ]
    for head in heads:
        assert not fmt.sniff(head[:65536], "x"), head[:60]
