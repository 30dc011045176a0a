"""The normalized trial record of CONTRACT.md, as pydantic v2 models.

Every importer in ``sources/`` produces a :class:`TrialRecord`; everything downstream (enrichment, linking, the store,
queries, exports) consumes it. Unknown values are ``None`` or ``[]`` — never invented.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Status = Literal[
    "not_yet_recruiting",
    "recruiting",
    "enrolling_by_invitation",
    "active_not_recruiting",
    "suspended",
    "terminated",
    "completed",
    "withdrawn",
    "unknown",
    "other",
]
Phase = Literal["early_phase1", "phase1", "phase2", "phase3", "phase4", "not_applicable", "other"]
StudyType = Literal["interventional", "observational", "expanded_access", "other"]
DateType = Literal["actual", "estimated"]
Sex = Literal["all", "female", "male"]
IdKind = Literal["primary", "secondary", "org_study"]
SponsorRole = Literal["lead", "collaborator", "responsible_party", "funder"]
CellCategory = Literal[
    "msc",
    "hsc",
    "hesc_derived",
    "hipsc_derived",
    "neural_stem_cell",
    "other_stem",
    "extracellular_vesicles",
    "non_stem_cell_therapy",
]
STEM_CELL_CATEGORIES: frozenset[str] = frozenset(
    {"msc", "hsc", "hesc_derived", "hipsc_derived", "neural_stem_cell", "other_stem"}
)


class _Model(BaseModel):
    # Unknown keys are an error: a typo in an importer must not silently drop data. NaN and infinity are no value
    # of any field and would make the record JSON invalid (json.dumps writes them as bare NaN/Infinity).
    model_config = ConfigDict(extra="forbid", validate_assignment=False, allow_inf_nan=False)


class RegistryId(_Model):
    id: str
    registry: str | None = None
    kind: IdKind = "secondary"


class Enrollment(_Model):
    # Bounded by the store's integer column (PostgreSQL INTEGER; SQLite refuses past 64 bits with an error that is
    # no database error): a garbled count must cost its record, not stop an import.
    count: int | None = Field(default=None, ge=0, le=2**31 - 1)
    type: DateType | None = None


class DateInfo(_Model):
    date: str = Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-\d{2})?)?$")
    """ISO date at the precision given: ``2016-01-01``, ``2019-12`` or ``2016``."""
    type: DateType | None = None

    @field_validator("date")
    @classmethod
    def _a_real_day(cls, value: str) -> str:
        # Importers read dates through vocab.iso_date, which knows calendars; a record read back from JSON (our own
        # export, edited by hand) must not bring in a "2019-02-30" that sorts and filters as if it were a day.
        if len(value) == 10:
            datetime.date.fromisoformat(value)  # ValueError → ValidationError
        return value


class Dates(_Model):
    start: DateInfo | None = None
    primary_completion: DateInfo | None = None
    completion: DateInfo | None = None
    first_posted: DateInfo | None = None
    last_update: DateInfo | None = None
    verified: DateInfo | None = None


class OntologyTerm(_Model):
    id: str | None = None
    label: str | None = None
    definition: str | None = None
    xrefs: list[str] = Field(default_factory=list)
    score: float | None = None
    method: str | None = None


class Condition(_Model):
    text: str
    description: str | None = None
    """A definition the registry itself gives (hPSCreg does)."""
    terms: list[OntologyTerm] = Field(default_factory=list)


class MeshTerm(_Model):
    """A MeSH heading the registry itself indexed the record with (CT.gov condition browse)."""

    id: str | None = None
    label: str


class Intervention(_Model):
    type: str | None = None
    name: str
    description: str | None = None
    other_names: list[str] = Field(default_factory=list)


class CellTypeTerm(_Model):
    id: str | None = None
    label: str | None = None
    definition: str | None = None


class TissueTerm(_Model):
    id: str | None = None
    label: str | None = None


class CellProduct(_Model):
    name: str | None = None
    category: CellCategory | None = None
    pluripotent_origin: Literal["hESC", "hiPSC"] | None = None
    source_tissue: TissueTerm | None = None
    donor: Literal["autologous", "allogeneic"] | None = None
    cell_type: CellTypeTerm | None = None
    route: str | None = None
    dose: str | None = None
    evidence: str | None = None
    score: float | None = None


class Eligibility(_Model):
    min_age_years: float | None = None
    max_age_years: float | None = None
    sex: Sex | None = None
    healthy_volunteers: bool | None = None
    inclusion: list[str] = Field(default_factory=list)
    exclusion: list[str] = Field(default_factory=list)
    text: str | None = None


class Design(_Model):
    allocation: str | None = None
    intervention_model: str | None = None
    masking: str | None = None
    primary_purpose: str | None = None


class Arm(_Model):
    label: str | None = None
    type: str | None = None
    description: str | None = None
    interventions: list[str] = Field(default_factory=list)


class Outcome(_Model):
    measure: str
    time_frame: str | None = None
    description: str | None = None


class Outcomes(_Model):
    primary: list[Outcome] = Field(default_factory=list)
    secondary: list[Outcome] = Field(default_factory=list)


class Sponsor(_Model):
    name: str
    role: SponsorRole


class Contact(_Model):
    role: str | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    city: str | None = None
    affiliation: str | None = None


class Location(_Model):
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


class Regulatory(_Model):
    fda_regulated_drug: bool | None = None
    fda_regulated_device: bool | None = None


class Source(_Model):
    format: str
    url: str | None = None
    sha256: str | None = None
    imported_at: str | None = None
    file: str | None = None
    """Where the record was read from (path and position), for curators tracing a value back."""


class TrialRecord(_Model):
    id: str = Field(min_length=1, pattern=r"^\S(.*\S)?$")
    """Looked up by exact value: never empty, never with surrounding white space."""
    registry: str | None = None
    registry_ids: list[RegistryId] = Field(default_factory=list)
    unidentified: bool = False
    """True when the input named no registry ID and ``id`` was derived from the content."""
    title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    brief_summary: str | None = None
    detailed_description: str | None = None
    status: Status | None = None
    status_raw: str | None = None
    last_known_status: Status | None = None
    why_stopped: str | None = None
    phases: list[Phase] = Field(default_factory=list)
    study_type: StudyType | None = None
    enrollment: Enrollment = Field(default_factory=Enrollment)
    dates: Dates = Field(default_factory=Dates)
    conditions: list[Condition] = Field(default_factory=list)
    condition_mesh: list[MeshTerm] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    cell_products: list[CellProduct] = Field(default_factory=list)
    eligibility: Eligibility = Field(default_factory=Eligibility)
    design: Design = Field(default_factory=Design)
    arms: list[Arm] = Field(default_factory=list)
    outcomes: Outcomes = Field(default_factory=Outcomes)
    sponsors: list[Sponsor] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    regulatory: Regulatory = Field(default_factory=Regulatory)
    source: Source
    study_id: str | None = None

    @model_validator(mode="after")
    def _registry_ids_as_the_contract_says(self) -> TrialRecord:
        # Every importer builds them so (sources/_ctgov_common.registry_ids); a record read back from JSON must not
        # bring in a second primary ID, or one that is not the record's, which the store would index as primary.
        def key(value: str) -> str:
            return "".join(value.split()).upper()

        keys = [key(r.id) for r in self.registry_ids]
        if len(set(keys)) != len(keys):
            raise ValueError("registry_ids lists an ID twice")
        primaries = [r for r in self.registry_ids if r.kind == "primary"]
        if len(primaries) > 1 or (primaries and self.registry_ids[0].kind != "primary"):
            raise ValueError("registry_ids: at most one primary ID, listed first")
        if primaries and key(primaries[0].id) != key(self.id):
            raise ValueError(f"registry_ids: the primary ID {primaries[0].id!r} is not the record's id {self.id!r}")
        return self

    def countries(self) -> list[str]:
        """Distinct location countries, in order of first appearance."""
        seen: dict[str, None] = {}
        for loc in self.locations:
            if loc.country:
                seen.setdefault(loc.country, None)
        return list(seen)

    def is_stem_cell_trial(self) -> bool:
        return any(p.category in STEM_CELL_CATEGORIES for p in self.cell_products)

    def to_json_dict(self) -> dict:
        """The record JSON of CONTRACT.md (``study_id`` defaults to the record's own id)."""
        data = self.model_dump(mode="json")
        if data["study_id"] is None:
            data["study_id"] = self.id
        return data
