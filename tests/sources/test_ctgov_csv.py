"""ClinicalTrials.gov website CSV export: the classic layout (real files in ../shared) and the 2023+ layout."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

from stemtrials.sources import ctgov_csv as fmt
from stemtrials.sources.base import ImportProblem, Parsed, SourceError


class _OneWay:
    """A non-seekable stream (like gzip/zip members)."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)
        self.closed = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._buf.read(size)

    def read1(self, size: int = -1) -> bytes:
        return self._buf.read(size)

    def close(self) -> None:
        self.closed = True

    def flush(self) -> None:
        pass

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False


def _csv_dir(shared: Path) -> Path:
    return shared / "data" / "ctgov" / "csv_export"


def _read_file(path: Path) -> list[Parsed | ImportProblem]:
    with path.open("rb") as fh:
        return list(fmt.read(fh, str(path)))


def _read(data: bytes, origin: str = "export.csv") -> list[Parsed | ImportProblem]:
    return list(fmt.read(_OneWay(data), origin))  # type: ignore[arg-type]


def _by_id(items: list[Parsed | ImportProblem], nct: str) -> Parsed:
    found = [i for i in items if isinstance(i, Parsed) and i.record.id == nct]
    assert len(found) == 1
    return found[0]


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL).writerows(rows)
    return buf.getvalue().encode("utf-8")


# ---------------------------------------------------------------- the real classic exports


@pytest.fixture(scope="module")
def msc_items(shared: Path) -> list[Parsed | ImportProblem]:
    return _read_file(_csv_dir(shared) / "msc_search_export.csv")


@pytest.mark.parametrize(("name", "rows"), [("msc_search_export.csv", 895), ("ipsc_search_export.csv", 66)])
def test_real_exports_read_without_problems(shared: Path, name: str, rows: int) -> None:
    path = _csv_dir(shared) / name
    assert fmt.sniff(path.read_bytes()[:65536], name)
    items = _read_file(path)
    problems = [i for i in items if isinstance(i, ImportProblem)]
    assert problems == []
    assert len(items) == rows
    assert [i.position for i in items[:3]] == ["row 1", "row 2", "row 3"]  # type: ignore[union-attr]
    assert all(i.record.source.format == "ctgov_csv" for i in items)  # type: ignore[union-attr]


def test_msc_row_nct03765957_field_by_field(msc_items: list[Parsed | ImportProblem]) -> None:
    item = _by_id(msc_items, "NCT03765957")
    r = item.record
    assert item.position == "row 1"
    assert r.registry == "ClinicalTrials.gov"
    assert [(x.id, x.registry, x.kind) for x in r.registry_ids] == [
        ("NCT03765957", "ClinicalTrials.gov", "primary"),
        ("2018-MSC/CSU/PS", None, "org_study"),
    ]
    assert r.title == (
        "Clinical Research on Treatment of Psoriasis by Human Umbilical Cord-derived Mesenchymal Stem Cells"
    )
    assert (r.official_title, r.acronym, r.brief_summary) == (None, None, None)
    assert (r.status, r.status_raw, r.last_known_status) == ("unknown", "Unknown status", None)
    assert r.phases == ["early_phase1"]
    assert r.study_type == "interventional"
    assert (r.enrollment.count, r.enrollment.type) == (12, None)
    d = r.dates
    assert (d.start.date, d.start.type) == ("2019-02-20", None)  # type: ignore[union-attr]
    assert (d.primary_completion.date, d.primary_completion.type) == ("2020-07-31", None)  # type: ignore[union-attr]
    assert (d.completion.date, d.completion.type) == ("2021-06-01", None)  # type: ignore[union-attr]
    assert (d.first_posted.date, d.first_posted.type) == ("2018-12-05", None)  # type: ignore[union-attr]
    assert (d.last_update.date, d.last_update.type) == ("2020-09-23", None)  # type: ignore[union-attr]
    assert d.verified is None
    assert [(c.text, c.terms) for c in r.conditions] == [("Psoriasis", [])]
    assert [(i.type, i.name) for i in r.interventions] == [("biological", "Mesenchymal Stem Cells")]
    assert r.cell_products == []
    e = r.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (18.0, 65.0, "all", None)
    assert r.design.model_dump() == {
        "allocation": "not_applicable", "intervention_model": "single_group", "masking": "none",
        "primary_purpose": "treatment",
    }
    # classic layout: all outcome measures land in primary
    assert [o.measure for o in r.outcomes.primary] == [
        "Number of Participants Achieving Psoriasis Area and Severity Index ≥75% (PASI 75) Improvement",
        "Number of Participants Achieving a Physician Global Assessment (PGA) of (0, 1)",
        "Change From Baseline in Dermatology Life Quality Index (DLQI) Total Score",
        "Adverse event",
    ]
    assert r.outcomes.secondary == []
    assert [(s.name, s.role) for s in r.sponsors] == [("Central South University", "lead")]
    assert [loc.model_dump() for loc in r.locations] == [{
        "facility": "Xiangya Hospital, Central South University", "city": "Changsha", "state": "Hunan",
        "postal_code": None, "country": "China",
    }]
    assert r.source.url == "https://clinicaltrials.gov/study/NCT03765957"
    assert r.source.file is not None and r.source.file.endswith("msc_search_export.csv#row 1")
    # raw = the header and this row, re-written as CSV
    rows = list(csv.reader(io.StringIO(item.raw.decode("utf-8"))))
    assert rows[0][:3] == ["Rank", "NCT Number", "Title"] and rows[1][1] == "NCT03765957"


def test_msc_rows_with_collaborators_and_us_sites(msc_items: list[Parsed | ImportProblem]) -> None:
    r = _by_id(msc_items, "NCT04537351").record
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("Cynata Therapeutics Limited", "lead"), ("Cerebral Palsy Alliance", "collaborator"),
    ]
    assert r.acronym == "MEND"
    assert r.phases == ["phase1", "phase2"]
    assert (r.eligibility.min_age_years, r.eligibility.max_age_years) == (18.0, None)  # "18 Years and older"
    assert r.design.allocation == "randomized" and r.design.intervention_model == "parallel"
    assert [c.text for c in r.conditions] == ["Covid19", "Acute Respiratory Distress Syndrome"]
    assert [(loc.facility, loc.city, loc.state, loc.country) for loc in r.locations] == [
        ("Nepean Hospital", "Kingswood", "New South Wales", "Australia"),
        ("St George Hospital", "Kogarah", "New South Wales", "Australia"),
        ("Westmead Hospital", "Westmead", "New South Wales", "Australia"),
        ("Footscray Hospital", "Footscray", "Victoria", "Australia"),
        ("Sunshine Hospital", "Saint Albans", "Victoria", "Australia"),
    ]


def test_ipsc_row_nct03696628(shared: Path) -> None:
    r = _by_id(_read_file(_csv_dir(shared) / "ipsc_search_export.csv"), "NCT03696628").record
    assert [(x.id, x.kind) for x in r.registry_ids] == [
        ("NCT03696628", "primary"), ("9806", "org_study"), ("2017-A01589-44", "secondary"),
    ]
    assert r.acronym == "DMDstem"
    assert (r.status, r.status_raw) == ("recruiting", "Recruiting")
    assert r.phases == ["not_applicable"]
    assert (r.eligibility.min_age_years, r.eligibility.max_age_years) == (None, 17.0)  # "up to 17 Years (Child)"
    assert r.dates.primary_completion.date == "2021-04"  # type: ignore[union-attr]
    assert [(i.type, i.name) for i in r.interventions] == [
        ("other", "Electrocardiogram"), ("other", "physical examination"), ("other", "echocardiography"),
        ("biological", "blood test"),
    ]
    assert r.design.model_dump() == {
        "allocation": "non_randomized", "intervention_model": "parallel", "masking": "none",
        "primary_purpose": "basic_science",
    }
    assert [(s.name, s.role) for s in r.sponsors] == [("University Hospital, Montpellier", "lead")]
    assert [loc.model_dump() for loc in r.locations] == [{
        "facility": "CHU Arnaud de Villeneuve", "city": "Montpellier", "state": "Occitanie", "postal_code": None,
        "country": "France",
    }]


# ---------------------------------------------------------------- the 2023+ layout

MODERN_HEADER = [
    "NCT Number", "Study Title", "Study URL", "Acronym", "Study Status", "Brief Summary", "Study Results",
    "Conditions", "Interventions", "Primary Outcome Measures", "Secondary Outcome Measures", "Other Outcome Measures",
    "Sponsor", "Collaborators", "Sex", "Age", "Phases", "Enrollment", "Funder Type", "Study Type", "Study Design",
    "Other IDs", "Start Date", "Primary Completion Date", "Completion Date", "First Posted", "Results First Posted",
    "Last Update Posted", "Locations", "Study Documents",
]
# NCT03765957's values (the classic row above, the other fields from its CT.gov record) as the new site writes them.
MODERN_ROW = {
    "NCT Number": "NCT03765957",
    "Study Title": "Clinical Research on Treatment of Psoriasis by Human Umbilical Cord-derived Mesenchymal Stem Cells",
    "Study URL": "https://clinicaltrials.gov/study/NCT03765957",
    "Acronym": "",
    "Study Status": "UNKNOWN",
    "Brief Summary": "To evaluate the effect and safety of treatment of psoriasis by human umbilical cord-derived "
                     "mesenchymal stem cells.",
    "Study Results": "NO",
    "Conditions": "Psoriasis",
    "Interventions": "BIOLOGICAL: Mesenchymal Stem Cells",
    "Primary Outcome Measures": "Number of Participants Achieving Psoriasis Area and Severity Index ≥75% (PASI 75) "
                                "Improvement, PASI 75, week 12|Adverse event, Number of adverse events, 6 months",
    "Secondary Outcome Measures": "Change From Baseline in Dermatology Life Quality Index (DLQI) Total Score, DLQI, "
                                  "week 12",
    "Other Outcome Measures": "Serum cytokines, IL-17, week 12",
    "Sponsor": "Central South University",
    "Collaborators": "",
    "Sex": "ALL",
    "Age": "ADULT, OLDER_ADULT",
    "Phases": "EARLY_PHASE1",
    "Enrollment": "12",
    "Funder Type": "OTHER",
    "Study Type": "INTERVENTIONAL",
    "Study Design": "Allocation: NA|Intervention Model: SINGLE_GROUP|Masking: NONE|Primary Purpose: TREATMENT",
    "Other IDs": "2018-MSC/CSU/PS",
    "Start Date": "2019-02-20",
    "Primary Completion Date": "2020-07-31",
    "Completion Date": "2021-06-01",
    "First Posted": "2018-12-05",
    "Results First Posted": "",
    "Last Update Posted": "2020-09-23",
    "Locations": "Xiangya Hospital, Central South University, Changsha, Hunan, 410008, China",
    "Study Documents": "",
}


def _modern(header: list[str], *rows: dict[str, str]) -> bytes:
    return _csv_bytes([header, *[[row[h] for h in header] for row in rows]])


def test_modern_layout_matches_the_classic_row(msc_items: list[Parsed | ImportProblem]) -> None:
    data = _modern(MODERN_HEADER, MODERN_ROW)
    assert fmt.sniff(data[:65536], "ctg-studies.csv")
    (item,) = _read(data, "ctg-studies.csv")
    assert isinstance(item, Parsed)
    r = item.record
    classic = _by_id(msc_items, "NCT03765957").record
    # every CT.gov-family format gives the same values for the same trial
    for field in ("id", "registry", "registry_ids", "title", "status", "phases", "study_type", "enrollment",
                  "dates", "conditions", "interventions", "design", "sponsors"):
        assert getattr(r, field) == getattr(classic, field), field
    assert r.status_raw == "UNKNOWN"
    assert r.brief_summary is not None and r.brief_summary.startswith("To evaluate the effect and safety")
    # the modern "Age" column names only age groups: no numbers to take
    assert (r.eligibility.min_age_years, r.eligibility.max_age_years, r.eligibility.sex) == (None, None, "all")
    # outcomes kept whole (their ", "-joined parts cannot be told apart); other outcomes after secondary
    assert [o.measure for o in r.outcomes.primary] == [
        "Number of Participants Achieving Psoriasis Area and Severity Index ≥75% (PASI 75) Improvement, PASI 75, "
        "week 12",
        "Adverse event, Number of adverse events, 6 months",
    ]
    assert [o.measure for o in r.outcomes.secondary] == [
        "Change From Baseline in Dermatology Life Quality Index (DLQI) Total Score, DLQI, week 12",
        "Serum cytokines, IL-17, week 12",
    ]
    assert [loc.model_dump() for loc in r.locations] == [{
        "facility": "Xiangya Hospital, Central South University", "city": "Changsha", "state": "Hunan",
        "postal_code": "410008", "country": "China",
    }]


def test_modern_layout_columns_in_any_order_and_subset() -> None:
    header = ["Locations", "Study Status", "Phases", "Sponsor", "Collaborators", "NCT Number", "Study Title", "Sex"]
    row = dict(MODERN_ROW)
    row.update({
        "Study Status": "ENROLLING_BY_INVITATION",
        "Phases": "PHASE1|PHASE2",
        "Sponsor": "Institute of Technology, Sligo",
        "Collaborators": "Sligo General Hospital|Hospital Arnau de Vilanova",
        "Sex": "FEMALE",
        "Locations": "Hospital Universitari i Politecnic La Fe, Valencia, 46026, Spain|"
                     "Seoul National University Hospital, Seoul, 03080, Korea, Republic of|"
                     "Mayo Clinic, Rochester, Minnesota, 55905, United States|"
                     "Los Angeles, California, United States",
    })
    (item,) = _read(_modern(header, row))
    assert isinstance(item, Parsed)
    r = item.record
    assert (r.status, r.status_raw) == ("enrolling_by_invitation", "ENROLLING_BY_INVITATION")
    assert r.phases == ["phase1", "phase2"]
    assert r.eligibility.sex == "female"
    assert [(s.name, s.role) for s in r.sponsors] == [
        ("Institute of Technology, Sligo", "lead"),
        ("Sligo General Hospital", "collaborator"),
        ("Hospital Arnau de Vilanova", "collaborator"),
    ]
    assert [loc.model_dump() for loc in r.locations] == [
        {"facility": "Hospital Universitari i Politecnic La Fe", "city": "Valencia", "state": None,
         "postal_code": "46026", "country": "Spain"},
        {"facility": "Seoul National University Hospital", "city": "Seoul", "state": None, "postal_code": "03080",
         "country": "Korea, Republic of"},
        {"facility": "Mayo Clinic", "city": "Rochester", "state": "Minnesota", "postal_code": "55905",
         "country": "United States"},
        {"facility": None, "city": "Los Angeles", "state": "California", "postal_code": None,
         "country": "United States"},
    ]
    # columns absent from the export are unknown, not errors
    assert r.registry_ids[1:] == [] and r.interventions == [] and r.dates.start is None


# ---------------------------------------------------------------- cell parsers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18 Years to 65 Years \u00a0 (Adult, Older Adult)", ("18 Years", "65 Years")),
        ("18 Years and older   (Adult, Older Adult)", ("18 Years", None)),
        ("up to 80 Years   (Child, Adult, Older Adult)", (None, "80 Years")),
        ("6 Months to 80 Years   (Child, Adult, Older Adult)", ("6 Months", "80 Years")),
        ("Child, Adult, Older Adult", (None, None)),
        ("ADULT, OLDER_ADULT", (None, None)),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_age(text: str | None, expected: tuple[str | None, str | None]) -> None:
    assert fmt.split_age(text) == expected


def test_age_in_months_becomes_years(shared: Path) -> None:
    items = _read_file(_csv_dir(shared) / "ipsc_search_export.csv")
    ages = {(i.record.eligibility.min_age_years, i.record.eligibility.max_age_years)  # type: ignore[union-attr]
            for i in items}
    assert (0.5, 80.0) in ages  # "6 Months to 80 Years"


@pytest.mark.parametrize(
    ("text", "modern", "expected"),
    [
        ("Xiangya Hospital, Central South University, Changsha, Hunan, China", False,
         ("Xiangya Hospital, Central South University", "Changsha", "Hunan", None, "China")),
        ("Hospital Plato, Barcelona, Spain", False, ("Hospital Plato", "Barcelona", None, None, "Spain")),
        ("Cell Therapy Center, University of Jordan, Amman, Jordan", False,
         ("Cell Therapy Center, University of Jordan", "Amman", None, None, "Jordan")),
        ("Royan Institute, Tehran, Iran, Islamic Republic of", False,
         ("Royan Institute", "Tehran", None, None, "Iran, Islamic Republic of")),
        ("University of California, San Francisco, San Francisco, California, United States", False,
         ("University of California, San Francisco", "San Francisco", "California", None, "United States")),
        ("Paris, France", False, (None, "Paris", None, None, "France")),
        ("Haydarpaşa Numune Training and Research Hospital, Istanbul, Uskudar, 34668, Turkey", True,
         ("Haydarpaşa Numune Training and Research Hospital", "Istanbul", "Uskudar", "34668", "Turkey")),
        # the classic layout has no zip: a digit-bearing piece there is not taken for one
        ("INSERM/ Hospital Necker-Enfants Malades, Paris, Cedex 14, France", False,
         ("INSERM/ Hospital Necker-Enfants Malades", "Paris", "Cedex 14", None, "France")),
    ],
)
def test_parse_location(text: str, modern: bool, expected: tuple[str | None, ...]) -> None:
    loc = fmt.parse_location(text, modern)
    assert loc is not None
    assert (loc["facility"], loc["city"], loc["state"], loc["zip"], loc["country"]) == expected


def test_parse_design() -> None:
    assert fmt.parse_design("Allocation: N/A|Intervention Model: Single Group Assignment|Masking: None (Open Label)"
                            "|Primary Purpose: Treatment") == {
        "allocation": "N/A", "intervention model": "Single Group Assignment", "masking": "None (Open Label)",
        "primary purpose": "Treatment",
    }
    assert fmt.parse_design("Observational Model: |Time Perspective: p") == {"time perspective": "p"}


# ---------------------------------------------------------------- bad input


def test_bad_rows_are_problems_and_reading_goes_on(shared: Path) -> None:
    with (_csv_dir(shared) / "ipsc_search_export.csv").open(encoding="utf-8-sig", newline="") as fh:
        header, good1, good2 = list(csv.reader(fh))[:3]
    short = good1[:3]
    no_nct = [*good1[:1], "", *good1[2:]]
    not_nct = [*good1[:1], "ISRCTN12345678", *good1[2:]]
    data = _csv_bytes([header, good1, short, no_nct, not_nct]) + b"\r\n" + _csv_bytes([good2])
    items = _read(data)
    assert [type(i).__name__ for i in items] == ["Parsed", "ImportProblem", "ImportProblem", "ImportProblem",
                                                 "Parsed"]
    assert items[1].position == "row 2" and "columns" in items[1].reason  # type: ignore[union-attr]
    assert items[2].position == "row 3" and "NCT" in items[2].reason  # type: ignore[union-attr]
    assert items[3].position == "row 4" and "ISRCTN12345678" in items[3].reason  # type: ignore[union-attr]
    assert items[4].position == "row 5"  # the blank line is skipped, not counted
    assert items[4].record.id == good2[1]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n", b"Rank,Title,Status\n1,x,Recruiting\n", b"\x00\x01\x02garbage"],
    ids=["empty", "blank", "no-nct-column", "binary"],
)
def test_unreadable_inputs_are_source_errors(data: bytes) -> None:
    with pytest.raises(SourceError):
        _read(data)


def test_garbled_values_and_truncation_never_raise_other_errors() -> None:
    header = "NCT Number,Title,Status,Phases,Enrollment,Age,Start Date,Locations,Study Designs,Interventions\n"
    rows = [
        'NCT00000102,T,Weird status,Phase 9,lots,forever,someday,",,,",Masking,":"\n',
        'NCT00000103,"unclosed quote,Recruiting,Phase 1,1,1 Year,2020-01-01,,,\n',
    ]
    items = _read((header + "".join(rows)).encode("utf-8") + b"\xff\xfe")
    for item in items:
        assert isinstance(item, (Parsed, ImportProblem))
    first = items[0]
    assert isinstance(first, Parsed)
    assert first.record.status == "other" and first.record.enrollment.count is None
    assert first.record.dates.start is None and first.record.locations == []


def test_long_cells_and_bom_and_gzip_stream(shared: Path) -> None:
    header = ["NCT Number", "Study Title", "Brief Summary"]
    long_text = "cells " * 100_000  # 600 KB, past csv's 128 KiB default field limit
    data = b"\xef\xbb\xbf" + _csv_bytes([header, ["NCT03765957", "T", long_text]])
    stream = gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(data)))
    (item,) = list(fmt.read(stream, "big.csv.gz"))
    assert isinstance(item, Parsed)
    assert item.record.brief_summary is not None and len(item.record.brief_summary) > 500_000
    assert not stream.closed  # the reader leaves the caller's stream open


def test_damaged_gzip_is_a_source_error(shared: Path) -> None:
    data = gzip.compress((_csv_dir(shared) / "msc_search_export.csv").read_bytes())
    for cut in (data[:60], data[: len(data) // 2]):
        with pytest.raises(SourceError):
            list(fmt.read(gzip.GzipFile(fileobj=io.BytesIO(cut)), "cut.csv.gz"))  # type: ignore[arg-type]


def test_bare_read_only_object_is_accepted() -> None:
    class Bare:
        def __init__(self, data: bytes) -> None:
            self._buf = io.BytesIO(data)

        def read(self, size: int = -1) -> bytes:
            return self._buf.read(size)

    (item,) = list(fmt.read(Bare(_modern(MODERN_HEADER, MODERN_ROW)), "bare.csv"))  # type: ignore[arg-type]
    assert isinstance(item, Parsed) and item.record.id == "NCT03765957"


# ---------------------------------------------------------------- sniffing


def test_sniff_modern_header_with_bom_and_whitespace() -> None:
    head = b"\xef\xbb\xbf\n" + ",".join(MODERN_HEADER).encode() + b"\nNCT03765957,x\n"
    assert fmt.sniff(head, "ctg-studies.csv")


@pytest.mark.parametrize(
    "head",
    [
        b'{"protocolSection": {"identificationModule": {"nctId": "NCT03494712"}}}',
        b'{"FullStudiesResponse": {"FullStudies": []}}',
        b'{"id": "NCT1", "registry_ids": [], "source": {}}\n',
        b'<?xml version="1.0"?><clinical_study><id_info><nct_id>NCT1</nct_id></id_info></clinical_study>',
        b"TrialID,Last Refreshed on,Public title,Scientific title\nNCT04,1/1/2020,x,y\n",
        b"ClinicalTrials.gov ID: NCT03123458\nNCT Number",
        b"NCT Number\nNCT03765957\n",  # one lone column is not enough to call it an export
    ],
)
def test_sniff_refuses_other_formats(head: bytes) -> None:
    assert not fmt.sniff(head, "input")


def test_sniff_refuses_other_shared_files(shared: Path) -> None:
    ctgov = shared / "data" / "ctgov"
    paths = [
        *sorted((ctgov / "legacy_xml").glob("*.xml"))[:5],
        *sorted((ctgov / "v2").glob("*.json"))[:3],
        *sorted((ctgov / "classic_full_studies").glob("*.json")),
        shared / "data" / "ictrp" / "ChiCTR2000034346.xml",
        shared / "data" / "hpscreg" / "hpscreg_trials_scrape.tsv",
        *sorted((shared / "seeds").glob("*.txt")),
    ]
    for path in paths:
        with path.open("rb") as fh:
            assert not fmt.sniff(fh.read(65536), path.name), path
    with gzip.open(shared / "data" / "ictrp" / "COVID19-927-trials_7Apr2020.csv.gz", "rb") as fh:
        assert not fmt.sniff(fh.read(65536), "COVID19-927-trials_7Apr2020.csv")
