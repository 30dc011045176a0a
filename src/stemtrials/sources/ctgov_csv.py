"""ClinicalTrials.gov website CSV export, both layouts.

* classic site (until 2023): ``Rank, NCT Number, Title, Acronym, Status, … Sponsor/Collaborators, Gender, Age,
  Phases, … Study Designs, Other IDs, …, Locations, Study Documents, URL`` with values as the old site wrote them
  ("Unknown status", "Phase 1|Phase 2", "February 20, 2019", "18 Years to 65 Years   (Adult, Older Adult)");
* modern site (2023+): ``NCT Number, Study Title, Study URL, Acronym, Study Status, Brief Summary, …, Sponsor,
  Collaborators, Sex, Age, Phases, …, Study Design, …`` with API v2 enum values ("RECRUITING", "PHASE1|PHASE2",
  "2019-02-20", "ADULT, OLDER_ADULT").

Users pick the columns they export, so columns are found by name (either layout's name), never by position, and a
missing column is simply unknown. Rows are streamed. The export says nothing about whether a date is actual or
estimated, so every date and the enrollment carry type ``None``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zlib
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from .. import vocab
from ..registry_ids import canonical_id, registry_of
from ._ctgov_common import record_from_study
from .base import ImportProblem, Parsed, SourceError, problem_from, strip_bom

NAME = "ctgov_csv"
DESCRIPTION = "ClinicalTrials.gov website CSV export (classic and 2023+ layouts)"

# Long free-text cells (Brief Summary, outcome lists) exceed csv's 128 KiB default; an unclosed quote still stops
# at this bound instead of swallowing a whole multi-gigabyte file into one field.
_FIELD_LIMIT = 32 * 1024 * 1024

# contract field -> column names, modern layout's first.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "nct": ("NCT Number",),
    "title": ("Study Title", "Title"),
    "acronym": ("Acronym",),
    "status": ("Study Status", "Status"),
    "summary": ("Brief Summary",),
    "conditions": ("Conditions",),
    "interventions": ("Interventions",),
    "primary_outcomes": ("Primary Outcome Measures", "Outcome Measures"),
    "secondary_outcomes": ("Secondary Outcome Measures",),
    "other_outcomes": ("Other Outcome Measures",),
    "sponsor": ("Sponsor",),
    "collaborators": ("Collaborators",),
    "sponsor_collaborators": ("Sponsor/Collaborators",),
    "sex": ("Sex", "Gender"),
    "age": ("Age",),
    "phases": ("Phases",),
    "enrollment": ("Enrollment",),
    "study_type": ("Study Type",),
    "design": ("Study Design", "Study Designs"),
    "other_ids": ("Other IDs",),
    "start": ("Start Date",),
    "primary_completion": ("Primary Completion Date",),
    "completion": ("Completion Date",),
    "first_posted": ("First Posted",),
    "last_update": ("Last Update Posted",),
    "locations": ("Locations",),
}
_MODERN_ONLY = {"Study Title", "Study Status", "Study URL", "Brief Summary", "Sponsor", "Sex", "Study Design",
                "Funder Type", "Primary Outcome Measures"}
_KNOWN = {name for names in _COLUMNS.values() for name in names} | {"Rank", "URL", "Study URL", "Study Results",
                                                                   "Funded Bys", "Funder Type", "Study Documents",
                                                                   "Results First Posted"}


def _header_cells(line: str) -> list[str]:
    try:
        return [c.strip() for c in next(csv.reader([line]))]
    except (csv.Error, StopIteration):
        return []


def sniff(head: bytes, filename: str) -> bool:
    text = strip_bom(head).decode("utf-8", errors="replace").lstrip()
    cells = _header_cells(text.split("\n", 1)[0].rstrip("\r"))
    # The NCT Number column plus at least one more column either export layout names.
    return "NCT Number" in cells and len(set(cells) & _KNOWN) >= 2


def read(stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]:
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    # utf-8-sig drops a BOM; newline="" lets csv see quoted line breaks. A stray bad byte becomes U+FFFD rather
    # than failing the whole file.
    binary = stream if isinstance(stream, io.IOBase) else io.BufferedReader(_ReadOnly(stream))
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")  # type: ignore[arg-type]
    try:
        yield from _rows(csv.reader(text), origin)
    finally:
        # Do not let the wrapper close the caller's stream when it is garbage-collected.
        with contextlib.suppress(ValueError):
            text.detach()


class _ReadOnly(io.RawIOBase):
    """Adapts a bare object with read() (not an io class) for TextIOWrapper."""

    def __init__(self, inner: BinaryIO) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# A damaged compressed input fails while it is being read: that is an unreadable file, not a bad row.
_STREAM_ERRORS = (csv.Error, OSError, EOFError, zlib.error)


def _rows(reader: Iterator[list[str]], origin: str) -> Iterator[Parsed | ImportProblem]:
    try:
        header = next(reader, None)
        while header is not None and not any(c.strip() for c in header):
            header = next(reader, None)  # leading blank lines
    except _STREAM_ERRORS as exc:
        raise SourceError(f"unreadable CSV header: {exc}") from exc
    if header is None:
        raise SourceError("empty input: no CSV header")
    header = [c.strip() for c in header]
    if "NCT Number" not in header:
        raise SourceError("not a ClinicalTrials.gov CSV export: no 'NCT Number' column")
    index = {name: i for i, name in enumerate(header)}
    cols = {field: next((index[n] for n in names if n in index), None) for field, names in _COLUMNS.items()}
    modern = bool(_MODERN_ONLY & set(header))
    number = 0
    while True:
        try:
            row = next(reader, None)
        except _STREAM_ERRORS as exc:
            raise SourceError(f"unreadable CSV after row {number}: {exc}", f"row {number + 1}") from exc
        if row is None:
            break
        if not any(cell.strip() for cell in row):
            continue  # blank line (a trailing newline, say)
        number += 1
        position = f"row {number}"
        if len(row) != len(header):
            yield ImportProblem(origin, position, f"expected {len(header)} columns, found {len(row)}")
            continue
        try:
            yield _one(header, row, cols, modern, origin, position)
        except Exception as exc:  # one bad row must not stop the file
            yield problem_from(exc, origin, position)


def _one(header: list[str], row: list[str], cols: dict[str, int | None], modern: bool, origin: str,
         position: str) -> Parsed | ImportProblem:
    def get(field: str) -> str | None:
        i = cols[field]
        return vocab.clean(row[i]) if i is not None else None

    nct_raw = get("nct")
    if not nct_raw:
        return ImportProblem(origin, position, "no NCT number")
    nct = canonical_id(nct_raw)
    if registry_of(nct) != "ClinicalTrials.gov":
        return ImportProblem(origin, position, f"not an NCT number: {nct_raw!r}")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerow(row)
    raw = buf.getvalue().encode("utf-8")

    record = record_from_study(_as_v2(get, nct, modern), fmt=NAME, raw=raw, origin=origin, position=position)
    return Parsed(record=record, raw=raw, position=position)


def _as_v2(get: Callable[[str], str | None], nct: str, modern: bool) -> dict[str, Any]:
    """The row in API v2's shape, values in the export's own wording, for the mapping every CT.gov format shares.
    The export gives no actual/estimated type for dates or enrollment: those types stay unknown."""
    ids = split_list(get("other_ids"))  # the org study ID, then the secondary IDs
    min_age, max_age = split_age(get("age"))
    design = parse_design(get("design"))
    if get("sponsor_collaborators") and not get("sponsor"):  # classic: the lead first, then the collaborators
        sponsors = split_list(get("sponsor_collaborators"))
        lead, collaborators = (sponsors[0] if sponsors else None), sponsors[1:]
    else:  # modern: separate columns (a sponsor name may hold commas, never "|")
        lead, collaborators = get("sponsor"), split_list(get("collaborators"))
    interventions = []
    for item in split_list(get("interventions")):
        kind, name = vocab.split_typed_name(item)  # "Biological: MSCs" / "BIOLOGICAL: MSCs"
        interventions.append({"type": kind, "name": name})

    def date(field: str) -> dict[str, str | None]:
        return {"date": get(field), "type": None}

    def outcomes(field: str) -> list[dict[str, str]]:
        return [{"measure": m} for m in split_list(get(field))]

    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": nct,
                "orgStudyIdInfo": {"id": ids[0] if ids else None},
                "secondaryIdInfos": [{"id": i} for i in ids[1:]],
                "briefTitle": get("title"),
                "acronym": get("acronym"),
            },
            "statusModule": {
                "overallStatus": get("status"),
                "startDateStruct": date("start"),
                "primaryCompletionDateStruct": date("primary_completion"),
                "completionDateStruct": date("completion"),
                "studyFirstPostDateStruct": date("first_posted"),
                "lastUpdatePostDateStruct": date("last_update"),
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": lead},
                "collaborators": [{"name": n} for n in collaborators],
            },
            "descriptionModule": {"briefSummary": get("summary")},
            "conditionsModule": {"conditions": split_list(get("conditions"))},
            "designModule": {
                "studyType": get("study_type"),
                "phases": split_list(get("phases")),
                "enrollmentInfo": {"count": get("enrollment")},
                "designInfo": {
                    "allocation": design.get("allocation"),
                    "interventionModel": design.get("intervention model"),
                    "maskingInfo": {"masking": design.get("masking")},
                    "primaryPurpose": design.get("primary purpose"),
                },
            },
            "armsInterventionsModule": {"interventions": interventions},
            # The classic layout has a single "Outcome Measures" column with no primary/secondary split: all of it
            # goes to primary. The modern layout writes each outcome as "measure, description, time frame" joined
            # by ", " although each part may itself contain commas, so the text is kept whole as the measure
            # rather than split at a guess. Other outcomes follow the secondary ones (the shared mapping does that).
            "outcomesModule": {
                "primaryOutcomes": outcomes("primary_outcomes"),
                "secondaryOutcomes": outcomes("secondary_outcomes"),
                "otherOutcomes": outcomes("other_outcomes"),
            },
            "eligibilityModule": {"sex": get("sex"), "minimumAge": min_age, "maximumAge": max_age},
            "contactsLocationsModule": {
                "locations": [loc for loc in (parse_location(t, modern) for t in split_list(get("locations")))
                              if loc],
            },
        },
    }


# ---------------------------------------------------------------- cell parsers


def split_list(text: str | None) -> list[str]:
    """A "|"-joined list cell."""
    if not text:
        return []
    return [v for v in (vocab.clean(p) for p in text.split("|")) if v]


_AGE_GROUPS = re.compile(r"\s*\([^)]*\)\s*$")  # "(Adult, Older Adult)"


def split_age(text: str | None) -> tuple[str | None, str | None]:
    """Classic: "18 Years to 65 Years (Adult, Older Adult)" → ("18 Years", "65 Years"); "18 Years and older" and
    "up to 80 Years" give one bound. Modern "ADULT, OLDER_ADULT" and classic "Child, Adult, Older Adult" name only
    age groups: no numbers, so both bounds are unknown."""
    s = vocab.clean(text)
    if not s or not re.search(r"\d", s):
        return None, None
    s = _AGE_GROUPS.sub("", s)
    m = re.fullmatch(r"(?:up\s+to|under|below)\s+(.+)", s, flags=re.I)  # before "X to Y": "up to" has "to"
    if m:
        return None, m[1]
    m = re.fullmatch(r"(.+?)\s+to\s+(.+)", s, flags=re.I)
    if m:
        return m[1], m[2]
    m = re.fullmatch(r"(.+?)\s+and\s+(?:older|over|above)", s, flags=re.I)
    if m:
        return m[1], None
    return None, None


def parse_design(text: str | None) -> dict[str, str]:
    """ "Allocation: N/A|Intervention Model: Single Group Assignment|Masking: None (Open Label)|…" -> {label: value}."""
    out: dict[str, str] = {}
    for part in split_list(text):
        label, sep, value = part.partition(":")
        if sep and value.strip():
            out[label.strip().lower()] = value.strip()
    return out


# ---------------------------------------------------------------- locations

# Country names that themselves contain ", " (CT.gov uses the ISO 3166 short names).
_COMMA_COUNTRY_TAILS = {
    "republic of", "islamic republic of", "democratic people's republic of", "the democratic republic of the",
    "the former yugoslav republic of", "united republic of", "province of china", "u.s.", "british",
    "federated states of", "occupied", "bolivarian republic of", "plurinational state of", "state of",
}
_US_STATES = {
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma",
    "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah",
    "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming", "District of Columbia",
    "Puerto Rico", "Guam", "Virgin Islands", "American Samoa", "Northern Mariana Islands",
}
# Words that mark a comma-separated piece as part of an institution's name rather than a city.
_INSTITUTION = re.compile(
    r"universit|hospital|h[ôo]pital|ospedale|klinik|clinic|center|centre|institut|college|school|foundation|"
    r"department|dept\b|medical|health|research|faculty|laborator|\bltd\b|\binc\b|\bllc\b|gmbh|pharma",
    re.I,
)


def parse_location(text: str, modern: bool) -> dict[str, str | None] | None:
    """One "|"-separated Locations entry, parsed from the right, as v2's location object.

    Classic: "Facility, City, [State,] Country"; modern: "Facility, City, [State,] [Zip,] Country". The facility may
    contain commas and state and zip are optional, so: the country is last (re-joined when its name has a comma, as
    "Korea, Republic of"); in the modern layout a digit-bearing piece before it is the zip; a US state name before
    that is the state; of what is left, two pieces are facility and city, three or more end with city and state —
    unless the would-be city reads like part of an institution's name, then there is no state.
    """
    parts = [p.strip() for p in text.split(",")]
    parts = [p for p in parts if p]
    if not parts:
        return None
    country = parts.pop()
    if parts and country.lower() in _COMMA_COUNTRY_TAILS:
        country = f"{parts.pop()}, {country}"
    zip_code = None
    if modern and len(parts) >= 2 and re.search(r"\d", parts[-1]):
        zip_code = parts.pop()
    state = city = facility = None
    if parts and country == "United States" and parts[-1] in _US_STATES:
        state = parts.pop()
        city = parts.pop() if parts else None
    elif len(parts) >= 3 and not _INSTITUTION.search(parts[-2]):
        state = parts.pop()
        city = parts.pop()
    elif len(parts) >= 2:
        city = parts.pop()
    elif len(parts) == 1 and not _INSTITUTION.search(parts[0]):
        # A lone piece before the country is most often the city of a site listed without a facility name.
        city = parts.pop()
    facility = ", ".join(parts) or None
    return {"facility": facility, "city": city, "state": state, "zip": zip_code, "country": country or None}
