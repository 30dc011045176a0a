"""ClinicalTrials.gov API v2 JSON: every real sample in ../shared, field by field on real studies, every layout
(single study, array export, /studies pages, JSONL), streaming, sniffing and hostile input."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stemtrials.sources import ctgov_v2 as fmt
from stemtrials.sources.base import ImportProblem, Parsed, SourceError


class _OneWay:
    """A non-seekable stream (like a gzip or zip member): read() only, counting what was read."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._buf.read(size)
        self.read_bytes += len(chunk)
        return chunk


def _v2(shared: Path) -> Path:
    return shared / "data" / "ctgov" / "v2"


def _read(data: bytes, origin: str = "test.json") -> list[Parsed | ImportProblem]:
    return list(fmt.read(_OneWay(data), origin))  # type: ignore[arg-type]


def _records(items: list[Parsed | ImportProblem]) -> list[Parsed]:
    problems = [str(i) for i in items if isinstance(i, ImportProblem)]
    assert problems == []
    return [i for i in items if isinstance(i, Parsed)]


def _study(shared: Path, file: str, nct: str) -> Parsed:
    path = _v2(shared) / file
    with path.open("rb") as fh:
        for item in fmt.read(fh, str(path)):
            assert isinstance(item, Parsed), item
            if item.record.id == nct:
                return item
    raise AssertionError(f"{nct} not in {file}")


def _export_10(shared: Path) -> list[dict[str, Any]]:
    return json.loads((_v2(shared) / "export_10_studies.json").read_bytes())


def _values(items: list[Parsed]) -> list[dict[str, Any]]:
    """Record values without where they were read from (position, file)."""
    out = []
    for item in items:
        data = item.record.model_dump(mode="json")
        data["source"].pop("file")
        out.append(data)
    return out


# ---------------------------------------------------------------- every sample file


def test_every_sample_reads_without_problems(shared: Path) -> None:
    files = sorted(_v2(shared).glob("*.json"))
    assert len(files) == 14
    counts = {}
    for path in files:
        head = path.read_bytes()[:65536]
        assert fmt.sniff(head, path.name), path.name
        with path.open("rb") as fh:
            parsed = _records(list(fmt.read(fh, str(path))))
        counts[path.name] = len(parsed)
        ids = [p.record.id for p in parsed]
        assert len(set(ids)) == len(ids)
        for n, p in enumerate(parsed, start=1):
            assert p.position == f"study {n}"
            assert p.record.registry == "ClinicalTrials.gov"
            assert p.record.registry_ids[0].kind == "primary" and p.record.registry_ids[0].id == p.record.id
            assert p.record.source.format == "ctgov_v2"
            assert p.record.source.url == f"https://clinicaltrials.gov/study/{p.record.id}"
            assert p.record.source.file == f"{path}#study {n}"
            assert p.record.cell_products == []
    assert counts.pop("export_50_studies.json") == 50
    assert counts.pop("export_10_studies.json") == 10
    assert set(counts.values()) == {1} and len(counts) == 12


def test_raw_is_the_study_object(shared: Path) -> None:
    p = _study(shared, "NCT03453554.json", "NCT03453554")
    raw = json.loads(p.raw)
    assert raw == json.loads((_v2(shared) / "NCT03453554.json").read_bytes())
    assert p.record.source.sha256 and len(p.record.source.sha256) == 64


# ---------------------------------------------------------------- field by field on real studies


def test_nct03418623_completed_crossover(shared: Path) -> None:
    r = _study(shared, "NCT03418623.json", "NCT03418623").record
    assert [(i.id, i.registry, i.kind) for i in r.registry_ids] == [
        ("NCT03418623", "ClinicalTrials.gov", "primary"), ("GET73 ¹H-MRS", None, "org_study")]
    assert r.title == ("Effect of GET73 on MRS Measures of Central Glutamate and GABA in Individuals With Alcohol "
                       "Use Disorder")
    assert r.official_title == "Effect of GET73 on Magnetic Resonance Spectroscopy Measures..."
    assert r.acronym is None
    assert (r.status, r.status_raw, r.last_known_status) == ("completed", "COMPLETED", None)
    assert r.phases == ["phase2"] and r.study_type == "interventional"
    assert (r.enrollment.count, r.enrollment.type) == (24, "actual")
    d = r.dates
    assert (d.start.date, d.start.type) == ("2018-03-08", "actual")
    assert (d.primary_completion.date, d.completion.date) == ("2020-03-13", "2020-03-13")
    assert (d.first_posted.date, d.first_posted.type) == ("2018-02-01", "actual")
    assert (d.last_update.date, d.last_update.type) == ("2020-10-08", "actual")
    assert (d.verified.date, d.verified.type) == ("2020-10", None)
    assert [c.text for c in r.conditions] == ["Alcohol Use Disorder"]
    assert [(m.id, m.label) for m in r.condition_mesh] == [
        ("MESH:D000000437", "Alcoholism"), ("MESH:D000000428", "Alcohol Drinking")]
    assert [(i.type, i.name, i.description) for i in r.interventions] == [
        ("drug", "GET73", "GET73 300 mg oral capsules..."), ("other", "Placebo", "Placebo oral capsules...")]
    assert [(a.label, a.type, a.interventions) for a in r.arms] == [
        ("GET73", "experimental", ["GET73"]), ("Placebo", "placebo_comparator", ["Placebo"])]
    assert r.design.model_dump() == {"allocation": "randomized", "intervention_model": "crossover",
                                     "masking": "quadruple", "primary_purpose": "basic_science"}
    assert [o.measure for o in r.outcomes.primary] == ["Concentrations of glutamate in dorsal..."]
    assert r.outcomes.primary[0].time_frame == "After 5 doses of medication..."
    assert len(r.outcomes.secondary) == 2
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("Laboratorio Farmaceutico Ct S.r.l.", "lead"), ("Latis S.r.l.", "collaborator"),
        ("Laboratorio Farmaceutico Ct S.r.l.", "responsible_party")]
    assert [(c.role, c.name, c.title) for c in r.contacts] == [
        ("overall_official", "Raymond F Anton, MD", "Principal Investigator")]
    assert [loc.model_dump() for loc in r.locations] == [{
        "facility": "Department of Psychiatry and Behavioral Sciences - Medical University of South Carolina",
        "city": "Charleston", "state": "South Carolina", "postal_code": "29425", "country": "United States"}]
    assert r.keywords == ["Glutamate", "Alcohol use", "GABA", "GET73", "Non-treatment seeking"]
    assert (r.regulatory.fda_regulated_drug, r.regulatory.fda_regulated_device) == (True, False)
    e = r.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (21, 40, "all", False)


def test_nct00973089_withdrawn_with_investigator_party(shared: Path) -> None:
    r = _study(shared, "NCT00973089.json", "NCT00973089").record
    assert (r.status, r.status_raw) == ("withdrawn", "WITHDRAWN")
    assert r.why_stopped == "recruiting or enrolling participants has halted prematurely and will not resume"
    assert r.phases == ["not_applicable"]
    assert (r.enrollment.count, r.enrollment.type) == (0, "actual")
    assert (r.dates.start.date, r.dates.start.type) == ("2010-05", None)  # v2 gives no type for this start
    assert (r.dates.first_posted.date, r.dates.first_posted.type) == ("2009-09-09", "estimated")
    assert r.dates.verified.date == "2015-08"
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("Hadassah Medical Organization", "lead"), ("Moti Moskovitz", "responsible_party")]
    assert [(c.role, c.name, c.title, c.affiliation) for c in r.contacts] == [
        ("responsible_party", "Moti Moskovitz", "Clinical Senior Lecturer", "Hadassah Medical Organization")]
    assert r.design.masking == "single" and r.design.allocation == "randomized"
    assert [(a.label, a.type, a.interventions) for a in r.arms] == [
        ("Complete caries removal", "no_intervention", []),
        ("Incomplete caries removal", "other", ["Incomplete caries removal in primary teeth"])]
    assert r.interventions[0].other_names == ["Indirect pulp capping"]
    e = r.eligibility
    assert (e.min_age_years, e.max_age_years, e.healthy_volunteers) == (5, 8, True)
    assert e.inclusion[0] == "Healthy children" and len(e.inclusion) == 5
    assert e.exclusion == ["Subjects that are not ASA I", "Lack of cooperation",
                           "Clinical or radiographic signs of pathology"]
    assert r.keywords == ["Primary tooth", "Caries, Dental", "Alternative treatment"]
    assert [(m.id, m.label) for m in r.condition_mesh] == [("MESH:D000003731", "Dental Caries")]
    assert r.regulatory.fda_regulated_drug is None  # the study predates the FDAAA flags
    assert [loc.country for loc in r.locations] == ["Israel"] and r.locations[0].postal_code is None


def test_nct04207047_unknown_with_last_known_status(shared: Path) -> None:
    r = _study(shared, "NCT04207047.json", "NCT04207047").record
    assert (r.status, r.status_raw, r.last_known_status) == ("unknown", "UNKNOWN", "active_not_recruiting")
    assert (r.dates.completion.date, r.dates.completion.type) == ("2020-03-31", "estimated")
    assert r.design.allocation == "non_randomized" and r.design.masking == "none"
    assert r.design.intervention_model == "single_group"
    assert r.arms[3].label == "Group D"
    assert r.arms[3].interventions == ["Genius", "eC02", "PicoPlus", "LaseMD", "LaseMD Flex"]
    assert (r.regulatory.fda_regulated_drug, r.regulatory.fda_regulated_device) == (False, True)
    assert r.condition_mesh == []
    assert r.locations[0].postal_code == "01821"  # a leading zero survives


def test_nct06171568_observational_with_phone_extensions(shared: Path) -> None:
    r = _study(shared, "NCT06171568.json", "NCT06171568").record
    assert [(i.id, i.registry, i.kind) for i in r.registry_ids] == [
        ("NCT06171568", "ClinicalTrials.gov", "primary"), ("APHP230528", None, "org_study"),
        ("2023-A00386-39", None, "secondary")]
    assert r.acronym == "ECOG"
    assert r.study_type == "observational" and r.phases == []
    assert r.design.model_dump() == {"allocation": None, "intervention_model": None, "masking": None,
                                     "primary_purpose": None}
    assert [(c.role, c.name, c.title, c.phone, c.email) for c in r.contacts] == [
        ("overall_official", "Emmanuel Mandonnet, MD, PhD", "Principal Investigator", None, None),
        ("overall_official", "Alexis Schnitzler, MD, PhD", "Study Director", None, None),
        ("central_contact", "Camille Heslot, MD", None, "01.49.95.81.69 ext +33", "camille.heslot@aphp.fr"),
        ("central_contact", "Alexis Schnitzler, MD, PhD", None, "01.40.05.49.58 ext +33",
         "alexis.schnitzler@aphp.fr")]
    assert [s.role for s in r.sponsors] == ["lead", "collaborator", "collaborator", "responsible_party"]
    assert r.locations[0].model_dump() == {"facility": "Neurosurgery - Lariboisière hospital", "city": "Paris",
                                           "state": "Ile-de-France", "postal_code": "75010", "country": "France"}
    assert (r.eligibility.min_age_years, r.eligibility.max_age_years) == (18, None)


def test_export_study_with_locations_nested_and_investigator(shared: Path) -> None:
    p = _study(shared, "export_10_studies.json", "NCT05914155")
    r = p.record
    assert p.position == "study 7"
    # The export carries the sites twice ("locations" and "locations_nested"): each site is kept once.
    assert len(r.locations) == 8
    assert r.locations[0].model_dump() == {"facility": "Anjo Kosei Hospital", "city": "Anjo", "state": "Aichi",
                                           "postal_code": "4468602", "country": "Japan"}
    assert r.locations[6].state is None and r.locations[6].city == "Fukuoka"
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("Shoichi Maruyama MD PhD", "lead"), ("Shoichi Maruyama MD PhD", "responsible_party")]
    assert (r.contacts[0].role, r.contacts[0].title, r.contacts[0].affiliation) == (
        "responsible_party", "Professor", "Nagoya University")
    assert [c.role for c in r.contacts] == ["responsible_party", "overall_official", "central_contact",
                                            "central_contact"]
    assert [c.text for c in r.conditions] == ["Glomerulonephritis, Membranous", "Nephrotic Syndrome，Idiopathic"]
    assert [m.label for m in r.condition_mesh] == ["Nephrotic Syndrome", "Nephrosis", "Glomerulonephritis",
                                                   "Glomerulonephritis, Membranous", "Syndrome"]
    assert [(a.type, a.interventions) for a in r.arms] == [
        ("active_comparator", ["Rituximab (genetical recombination)"]), ("placebo_comparator", ["Placebo"]),
        ("other", ["Rituximab (genetical recombination)"])]
    assert r.phases == ["phase3"] and r.eligibility.min_age_years == 15


def test_other_outcomes_follow_the_secondary_ones(shared: Path) -> None:
    r = _study(shared, "export_10_studies.json", "NCT05913700").record
    raw = next(s for s in _export_10(shared)
               if s["protocolSection"]["identificationModule"]["nctId"] == "NCT05913700")
    om = raw["protocolSection"]["outcomesModule"]
    expected = [o["measure"] for o in om["secondaryOutcomes"] + om["otherOutcomes"]]
    assert [o.measure for o in r.outcomes.secondary] == expected
    assert len(om["otherOutcomes"]) > 0
    assert r.outcomes.primary[0].measure == "RS virus infection"
    assert r.outcomes.primary[0].time_frame == "On admission"


def test_sparse_study_with_only_identification(shared: Path) -> None:
    r = _study(shared, "NCT03453554.json", "NCT03453554").record
    assert [(i.id, i.kind) for i in r.registry_ids] == [("NCT03453554", "primary"), ("AZ150096", "org_study")]
    assert r.title == "Evaluating a Digital..."
    assert r.status is None and r.phases == [] and r.enrollment.count is None and r.dates.start is None


# ---------------------------------------------------------------- layouts


def test_all_layouts_give_the_same_records(shared: Path) -> None:
    studies = _export_10(shared)
    array = _records(_read((_v2(shared) / "export_10_studies.json").read_bytes()))
    jsonl = _records(_read(b"\n".join(json.dumps(s).encode() for s in studies) + b"\n"))
    page = _records(_read(json.dumps({"studies": studies, "nextPageToken": "abc"}).encode()))
    pretty_page = _records(_read(json.dumps({"totalCount": 10, "studies": studies}, indent=2).encode()))
    two_pages = _records(_read(
        json.dumps({"studies": studies[:4], "nextPageToken": "x"}).encode() + b"\n"
        + json.dumps({"studies": studies[4:]}).encode()))
    bom_ws = _records(_read(b"\xef\xbb\xbf \n\t" + json.dumps(studies).encode()))
    expected = _values(array)
    for layout in (jsonl, page, pretty_page, two_pages, bom_ws):
        assert _values(layout) == expected
    assert [p.position for p in jsonl][:2] == ["line 1", "line 2"]
    assert [p.position for p in page][-1] == "study 10"
    assert [p.record.id for p in two_pages][4] == studies[4]["protocolSection"]["identificationModule"]["nctId"]


def test_single_study_compact_or_pretty(shared: Path) -> None:
    study = json.loads((_v2(shared) / "NCT02278341.json").read_bytes())
    compact = _records(_read(json.dumps(study).encode()))
    pretty = _records(_read(json.dumps(study, indent=4).encode()))
    assert len(compact) == len(pretty) == 1
    assert _values(compact) == _values(pretty)
    assert compact[0].record.id == "NCT02552212"  # the file name is not the ID
    assert pretty[0].position == "study 1"


def test_empty_page_gives_no_records() -> None:
    assert _read(b'{"studies": [], "totalCount": 0}') == []


def test_streams_a_large_array_without_reading_it_whole(shared: Path) -> None:
    study = (_v2(shared) / "NCT00763412.json").read_bytes()
    copies = 400
    data = b"[" + b",".join([study] * copies) + b"]"
    stream = _OneWay(data)
    items = fmt.read(stream, "big.json")  # type: ignore[arg-type]
    first = next(items)
    assert isinstance(first, Parsed) and first.record.id == "NCT00763412"
    assert stream.read_bytes < len(data) / 20  # only the first chunks were read
    assert sum(1 for _ in items) == copies - 1


# ---------------------------------------------------------------- bad input


def test_truncated_array_raises_with_position(shared: Path) -> None:
    data = (_v2(shared) / "export_10_studies.json").read_bytes()
    cut = data[: int(len(data) * 0.55)]
    got: list[Parsed | ImportProblem] = []
    with pytest.raises(SourceError) as err:
        for item in fmt.read(_OneWay(cut), "cut.json"):  # type: ignore[arg-type]
            got.append(item)
    assert all(isinstance(i, Parsed) for i in got) and 0 < len(got) < 10
    assert err.value.position == f"study {len(got) + 1}"
    assert "malformed JSON" in err.value.reason


def test_truncated_page_and_truncated_single_study_raise(shared: Path) -> None:
    page = json.dumps({"studies": _export_10(shared)}).encode()
    with pytest.raises(SourceError):
        _read(page[:-30])
    with pytest.raises(SourceError):
        _read((_v2(shared) / "NCT02210780.json").read_bytes()[:5000])


def test_unreadable_inputs_raise_source_error() -> None:
    for data in (b"", b"   \n", b"not json at all", b"<clinical_study/>", b'"a string"', b"[1, 2,", b"[{]",
                 b'{"studies": [{"protocolSection": {}}] trailing', b"\xff\xfe{\x00"):
        with pytest.raises(SourceError):
            _read(data)


def test_truncated_gzip_underneath_raises_source_error(shared: Path) -> None:
    data = gzip.compress((_v2(shared) / "export_50_studies.json").read_bytes())
    stream = gzip.GzipFile(fileobj=io.BytesIO(data[: len(data) // 2]))
    with pytest.raises(SourceError):
        list(fmt.read(stream, "cut.json.gz"))  # type: ignore[arg-type]


def test_jsonl_bad_lines_are_problems_and_the_rest_go_on(shared: Path) -> None:
    studies = _export_10(shared)
    lines = [json.dumps(studies[0]), '{"protocolSection": {"identificationModule": ', "[1, 2]",
             json.dumps({"protocolSection": {"identificationModule": {"briefTitle": "no id"}}}),
             "", json.dumps({"hello": "world"}), json.dumps(studies[1])]
    items = _read("\n".join(lines).encode())
    kinds = [(type(i).__name__, i.position) for i in items]
    # An array on a line holds records (as an array document does): here two that are no studies.
    assert kinds == [("Parsed", "line 1"), ("ImportProblem", "line 2"), ("ImportProblem", "line 3 study 1"),
                     ("ImportProblem", "line 3 study 2"), ("ImportProblem", "line 4"), ("ImportProblem", "line 6"),
                     ("Parsed", "line 7")]
    assert "nctId" in items[4].reason  # type: ignore[union-attr]


def test_hostile_nesting_and_early_gzip_damage() -> None:
    deep = b'{"protocolSection": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    items = _read(deep + b"\n" + deep)
    assert [(type(i).__name__, i.position) for i in items] == [("ImportProblem", "line 1"), ("ImportProblem", "line 2")]
    with pytest.raises(SourceError) as err:  # refused before ijson's builder runs out of memory on it
        _read(b"[" + deep + b"]")
    assert "nested deeper" in err.value.reason
    broken = gzip.compress(b'{"protocolSection": {}}' * 50)[:30]
    with pytest.raises(SourceError):
        list(fmt.read(gzip.GzipFile(fileobj=io.BytesIO(broken)), "x.gz"))  # type: ignore[arg-type]


def test_brackets_inside_strings_are_not_nesting(shared: Path) -> None:
    study = json.loads((_v2(shared) / "NCT03418623.json").read_bytes())
    study["protocolSection"]["identificationModule"]["acronym"] = '[{"[' * 3000 + '\\"' + "[" * 70_000
    items = _records(_read(json.dumps([study, study], indent=1).encode()))
    assert len(items) == 2 and items[1].record.acronym.endswith("[[[")  # type: ignore[union-attr]


def test_array_with_bad_items(shared: Path) -> None:
    studies = _export_10(shared)
    garbled = json.loads(json.dumps(studies[2]))
    ps = garbled["protocolSection"]
    ps["statusModule"] = ["not", "an", "object"]
    ps["designModule"]["phases"] = "PHASE2"
    ps["designModule"]["enrollmentInfo"] = {"count": "many", "type": 7}
    ps["contactsLocationsModule"]["locations"] = [None, 5, {"city": {"nested": 1}, "country": "Japan"}]
    ps["armsInterventionsModule"] = {"armGroups": {"label": 3}, "interventions": [{"type": "DRUG"}]}
    ps["eligibilityModule"]["minimumAge"] = ["18 Years"]
    data = json.dumps([studies[0], 42, {"protocolSection": "x"}, garbled, studies[1]]).encode()
    items = _read(data)
    assert [(type(i).__name__, i.position) for i in items] == [
        ("Parsed", "study 1"), ("ImportProblem", "study 2"), ("ImportProblem", "study 3"), ("Parsed", "study 4"),
        ("Parsed", "study 5")]
    r = items[3].record  # type: ignore[union-attr]
    assert r.status is None and r.phases == ["phase2"] and r.enrollment.count is None
    assert [loc.model_dump() for loc in r.locations] == [
        {"facility": None, "city": None, "state": None, "postal_code": None, "country": "Japan"}]
    assert r.interventions == [] and r.eligibility.min_age_years is None


def _mutations(data: bytes) -> Iterator[bytes]:
    yield data
    yield data.replace(b'"', b"", 3)
    yield data.replace(b":", b",", 2)
    yield data.replace(b"{", b"[", 5)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzzed_input_never_escapes(shared: Path, data: st.DataObject) -> None:
    base = (_v2(shared) / "NCT00973089.json").read_bytes()
    compact = json.dumps(json.loads(base)).encode()
    source = data.draw(st.sampled_from([base, compact, b"[" + compact + b"," + compact + b"]",
                                        compact + b"\n" + compact]))
    start = data.draw(st.integers(0, len(source)))
    end = data.draw(st.integers(start, min(len(source), start + 40)))
    junk = data.draw(st.binary(max_size=12))
    for mutated in (source[:start] + junk + source[end:], *_mutations(source[:end])):
        try:
            for item in fmt.read(_OneWay(mutated), "fuzz.json"):  # type: ignore[arg-type]
                assert isinstance(item, (Parsed, ImportProblem))
        except SourceError:
            pass


# ---------------------------------------------------------------- sniffing


def test_sniff_accepts_v2_layouts(shared: Path) -> None:
    study = (_v2(shared) / "NCT03418623.json").read_bytes()
    compact = json.dumps(json.loads(study)).encode()
    for head in (study, compact, b"\xef\xbb\xbf\n  " + compact, b"[\n" + compact, compact + b"\n" + compact,
                 b'{"studies":[' + compact, b'{"totalCount": 0, "studies": []}', b'{"studies": []}'):
        assert fmt.sniff(head[:65536], "x.json"), head[:60]


def test_sniff_refuses_other_formats(shared: Path) -> None:
    data = shared / "data"
    with gzip.open(data / "ctgov" / "classic" / "msc_trials_study_fields.jsonl.gz") as fh:
        study_fields = fh.read(65536)
    heads = [
        (data / "ctgov" / "classic_full_studies" / "NCT04780763.json").read_bytes(),
        study_fields,
        (data / "ctgov" / "legacy_xml" / "NCT00001177.xml").read_bytes(),
        (data / "ctgov" / "csv_export" / "ipsc_search_export.csv").read_bytes()[:65536],
        (data / "ictrp" / "ChiCTR2000034346.xml").read_bytes(),
        (data / "hpscreg" / "hpscreg_trials_scrape.tsv").read_bytes()[:65536],
        b"Clonal Fetal Mesenchymal Stem Cells\nClinicalTrials.gov Identifier: NCT03123458\nRecruitment Status",
        b'{"id": "NCT03123458", "registry": "ClinicalTrials.gov", "registry_ids": [], "source": {"format": "x"}}\n',
        b'{"studies": "not a list"}', b"[1, 2, 3]", b"",
    ]
    for head in heads:
        assert not fmt.sniff(head[:65536], "x"), head[:60]
