"""What every ClinicalTrials.gov format shares: the study → record mapping and small helpers.

The CT.gov formats (API v2 JSON, the classic API's FullStudies and study_fields JSON, legacy XML, the CSV export)
describe the same study tree with different spellings. The record is built in one place, :func:`record_from_study`,
from a tree in the *shape* of API v2's ``{"protocolSection": …, "derivedSection": …}``; an importer of another
CT.gov format converts its own structure into that shape and leaves the values in its own wording ("Anticipated",
"None (Open Label)", "Phase 1/Phase 2", "January 1, 2016") — :mod:`stemtrials.vocab` normalises every wording, so
the same trial gives identical values whichever file it came from.

Reading JSON inputs (one study, arrays, pages, JSONL), streaming, is :mod:`._json_stream`'s job.

The smaller helpers (:func:`registry_ids`, :func:`responsible_party`, :func:`official_role`, :func:`phone`,
:func:`mesh_term`, :func:`aligned`) are usable on their own by importers that build records field by field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .. import vocab
from ..model import (
    Arm,
    Condition,
    Contact,
    DateInfo,
    Dates,
    Design,
    Eligibility,
    Enrollment,
    Intervention,
    Location,
    MeshTerm,
    Outcome,
    Outcomes,
    RegistryId,
    Regulatory,
    Sponsor,
    TrialRecord,
)
from ..registry_ids import canonical_id, registry_of
from .base import ctgov_url, make_source

# ---------------------------------------------------------------------------------------------------- small helpers


def obj(value: Any) -> Mapping[str, Any]:
    """A JSON object, or an empty one when the value is missing or of the wrong kind (garbled input must not crash)."""
    return value if isinstance(value, Mapping) else {}


def arr(value: Any) -> list[Any]:
    """A JSON array; a lone value counts as a one-item array (classic exports sometimes drop the list)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text(value: Any) -> str | None:
    """Cleaned text of a scalar; objects and arrays are not text (never stringify a whole structure)."""
    if value is None or isinstance(value, (Mapping, list, bool)):
        return None
    return vocab.clean(value)


def texts(values: Any) -> list[str]:
    return [t for t in (text(v) for v in arr(values)) if t]


def registry_ids(
    primary: str, org_study_ids: Iterable[Any] = (), secondary_ids: Iterable[Any] = ()
) -> list[RegistryId]:
    """The primary ID first, then org study IDs, then secondary IDs / aliases; each ID once (first kind wins)."""
    out: list[RegistryId] = []
    seen: set[str] = set()

    def add(raw: Any, kind: str) -> None:
        value = text(raw)
        if not value:
            return
        ident = canonical_id(value)
        key = re.sub(r"\s+", "", ident).upper()
        if key in seen:
            return
        seen.add(key)
        out.append(RegistryId(id=ident, registry=registry_of(ident), kind=kind))  # type: ignore[arg-type]

    add(primary, "primary")
    for raw in org_study_ids:
        add(raw, "org_study")
    for raw in secondary_ids:
        add(raw, "secondary")
    return out


def is_investigator_party(party_type: Any) -> bool:
    """PRINCIPAL_INVESTIGATOR / "Principal Investigator" / SPONSOR_INVESTIGATOR / "Sponsor-Investigator"."""
    key = re.sub(r"[^a-z]+", "_", (text(party_type) or "").lower()).strip("_")
    return key in {"principal_investigator", "sponsor_investigator"}


def responsible_party(
    party_type: Any, full_name: Any, title: Any, affiliation: Any, lead_sponsor: Any,
    old_name: Any = None, old_organization: Any = None,
) -> tuple[Sponsor | None, Contact | None]:
    """The responsible party as a sponsor entry, and as a contact when a person is named.

    An investigator party is named by the investigator's full name; any other party (the sponsor, or a pre-2011
    entry with no type) by the lead sponsor. Pre-2011 entries name a person and organisation as free text
    (``oldNameTitle``/``oldOrganization``, legacy XML ``name_title``/``organization``): kept as the contact, since
    nothing says whether that person is an investigator.
    """
    if not any(text(v) for v in (party_type, full_name, old_name, old_organization)):
        return None, None
    name = text(full_name)
    if is_investigator_party(party_type) and name:
        contact = Contact(role="responsible_party", name=name, title=text(title), affiliation=text(affiliation))
        return Sponsor(name=name, role="responsible_party"), contact
    lead = text(lead_sponsor)
    sponsor = Sponsor(name=lead, role="responsible_party") if lead else None
    if text(old_name) or text(old_organization):
        return sponsor, Contact(role="responsible_party", name=text(old_name), affiliation=text(old_organization))
    return sponsor, None


def official_role(role: Any) -> str | None:
    """An overall official's role as CT.gov displays it: v2's STUDY_CHAIR → "Study Chair" (classic/XML already are)."""
    value = text(role)
    if value and re.fullmatch(r"[A-Z0-9_]+", value):
        return " ".join(w.capitalize() for w in value.split("_") if w)
    return value


def phone(number: Any, ext: Any = None) -> str | None:
    value, extension = text(number), text(ext)
    if value and extension:
        return f"{value} ext {extension}"
    return value


def mesh_term(mesh_id: Any, label: Any) -> MeshTerm | None:
    """A registry MeSH heading; the ID as a CURIE ("D000004194" → "MESH:D000004194")."""
    name = text(label)
    if not name:
        return None
    ident = text(mesh_id)
    if ident and not ident.upper().startswith("MESH:"):
        ident = f"MESH:{ident}"
    return MeshTerm(id=ident, label=name)


def aligned(columns: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Zip parallel lists into objects without misaligning them.

    Flat exports (the classic API's study_fields) list each attribute of repeated things separately and simply leave
    out missing values, so a shorter list cannot be lined up with the others: which item lacks the value is unknown.
    The number of items is the longest list; only the lists of exactly that length are used, the others are dropped.
    """
    lists = {name: arr(values) for name, values in columns.items()}
    count = max((len(v) for v in lists.values()), default=0)
    complete = {name: values for name, values in lists.items() if len(values) == count}
    return [{name: values[i] for name, values in complete.items()} for i in range(count)]


# ---------------------------------------------------------------------------------------------------- study → record


def _date(struct: Any) -> DateInfo | None:
    s = obj(struct)
    return vocab.date_info(text(s.get("date")), text(s.get("type")))


def _outcomes(items: Any) -> list[Outcome]:
    out = []
    for item in arr(items):
        o = obj(item)
        measure = text(o.get("measure"))
        if measure:
            out.append(Outcome(measure=measure, time_frame=text(o.get("timeFrame")),
                               description=text(o.get("description"))))
    return out


def record_from_study(study: Mapping[str, Any], *, fmt: str, raw: bytes, origin: str, position: str) -> TrialRecord:
    """The record of one study given in API v2's shape (values in any CT.gov wording). Raises on a study without an
    NCT ID or with values the model rejects; callers turn that into an ImportProblem."""
    ps = obj(study.get("protocolSection"))
    ident = obj(ps.get("identificationModule"))
    nct = text(ident.get("nctId"))
    if not nct:
        raise ValueError("the study has no nctId")
    nct = canonical_id(nct)
    status_m = obj(ps.get("statusModule"))
    sponsor_m = obj(ps.get("sponsorCollaboratorsModule"))
    design_m = obj(ps.get("designModule"))
    design_info = obj(design_m.get("designInfo"))
    arms_m = obj(ps.get("armsInterventionsModule"))
    outcomes_m = obj(ps.get("outcomesModule"))
    elig_m = obj(ps.get("eligibilityModule"))
    contacts_m = obj(ps.get("contactsLocationsModule"))
    oversight_m = obj(ps.get("oversightModule"))
    browse_m = obj(obj(study.get("derivedSection")).get("conditionBrowseModule"))

    ids = registry_ids(
        nct,
        [obj(ident.get("orgStudyIdInfo")).get("id")],
        [obj(s).get("id") for s in arr(ident.get("secondaryIdInfos"))] + arr(ident.get("nctIdAliases")),
    )

    status_raw = text(status_m.get("overallStatus"))
    last_known = text(status_m.get("lastKnownStatus"))
    enrollment = obj(design_m.get("enrollmentInfo"))

    # Sponsors: lead, collaborators, then the responsible party.
    lead = text(obj(sponsor_m.get("leadSponsor")).get("name"))
    sponsors = [Sponsor(name=lead, role="lead")] if lead else []
    sponsors += [Sponsor(name=n, role="collaborator") for c in arr(sponsor_m.get("collaborators"))
                 if (n := text(obj(c).get("name")))]
    party = obj(sponsor_m.get("responsibleParty"))
    party_sponsor, party_contact = responsible_party(
        party.get("type"), party.get("investigatorFullName"), party.get("investigatorTitle"),
        party.get("investigatorAffiliation"), lead, party.get("oldNameTitle"), party.get("oldOrganization"),
    )
    if party_sponsor:
        sponsors.append(party_sponsor)

    contacts = [party_contact] if party_contact else []
    for item in arr(contacts_m.get("overallOfficials")):
        o = obj(item)
        if text(o.get("name")) or text(o.get("affiliation")):
            contacts.append(Contact(role="overall_official", name=text(o.get("name")),
                                    title=official_role(o.get("role")), affiliation=text(o.get("affiliation"))))
    for item in arr(contacts_m.get("centralContacts")):
        c = obj(item)
        entry = Contact(role="central_contact", name=text(c.get("name")),
                        phone=phone(c.get("phone"), c.get("phoneExt")), email=text(c.get("email")))
        if entry.name or entry.phone or entry.email:
            contacts.append(entry)

    # Some exports carry the sites twice ("locations_nested"); the plain list is the one to read.
    sites = contacts_m.get("locations") if "locations" in contacts_m else contacts_m.get("locations_nested")
    locations = []
    for item in arr(sites):
        loc = obj(item)
        entry = Location(facility=text(loc.get("facility")), city=text(loc.get("city")), state=text(loc.get("state")),
                         postal_code=text(loc.get("zip")), country=text(loc.get("country")))
        if any(entry.model_dump().values()):
            locations.append(entry)

    interventions = []
    for item in arr(arms_m.get("interventions")):
        i = obj(item)
        name = text(i.get("name"))
        if name:
            interventions.append(Intervention(type=vocab.kind_value(text(i.get("type"))), name=name,
                                              description=text(i.get("description")),
                                              other_names=texts(i.get("otherNames"))))
    arms = []
    for item in arr(arms_m.get("armGroups")):
        a = obj(item)
        entry = Arm(label=text(a.get("label")), type=vocab.kind_value(text(a.get("type"))),
                    description=text(a.get("description")),
                    interventions=[vocab.split_typed_name(n)[1] for n in texts(a.get("interventionNames"))])
        if entry.label or entry.description or entry.interventions:
            arms.append(entry)

    criteria = text(elig_m.get("eligibilityCriteria"))
    inclusion, exclusion = vocab.split_criteria(criteria)
    meshes: list[MeshTerm] = []
    for item in arr(browse_m.get("meshes")):
        term = mesh_term(obj(item).get("id"), obj(item).get("term"))
        if term and term not in meshes:
            meshes.append(term)

    return TrialRecord(
        id=nct,
        registry=registry_of(nct),
        registry_ids=ids,
        title=text(ident.get("briefTitle")),
        official_title=text(ident.get("officialTitle")),
        acronym=text(ident.get("acronym")),
        brief_summary=text(obj(ps.get("descriptionModule")).get("briefSummary")),
        detailed_description=text(obj(ps.get("descriptionModule")).get("detailedDescription")),
        status=vocab.status(status_raw),
        status_raw=status_raw,
        last_known_status=vocab.status(last_known) if last_known else None,
        why_stopped=text(status_m.get("whyStopped")),
        phases=vocab.phases(texts(design_m.get("phases"))),
        study_type=vocab.study_type(text(design_m.get("studyType"))),
        enrollment=Enrollment(count=vocab.enrollment_count(enrollment.get("count")),
                              type=vocab.date_type(text(enrollment.get("type")))),
        dates=Dates(
            start=_date(status_m.get("startDateStruct")),
            primary_completion=_date(status_m.get("primaryCompletionDateStruct")),
            completion=_date(status_m.get("completionDateStruct")),
            first_posted=_date(status_m.get("studyFirstPostDateStruct")),
            last_update=_date(status_m.get("lastUpdatePostDateStruct")),
            verified=vocab.date_info(text(status_m.get("statusVerifiedDate"))),
        ),
        conditions=[Condition(text=c) for c in texts(obj(ps.get("conditionsModule")).get("conditions"))],
        condition_mesh=meshes,
        interventions=interventions,
        cell_products=[],
        eligibility=Eligibility(
            min_age_years=vocab.age_years(text(elig_m.get("minimumAge"))),
            max_age_years=vocab.age_years(text(elig_m.get("maximumAge"))),
            sex=vocab.sex(text(elig_m.get("sex"))),
            healthy_volunteers=vocab.yes_no(elig_m.get("healthyVolunteers")),
            inclusion=inclusion,
            exclusion=exclusion,
            text=criteria,
        ),
        design=Design(
            allocation=vocab.design_value(text(design_info.get("allocation"))),
            intervention_model=vocab.design_value(text(design_info.get("interventionModel"))),
            masking=vocab.design_value(text(obj(design_info.get("maskingInfo")).get("masking"))),
            primary_purpose=vocab.design_value(text(design_info.get("primaryPurpose"))),
        ),
        arms=arms,
        # "Other pre-specified" outcomes are kept with the secondary ones, after them.
        outcomes=Outcomes(primary=_outcomes(outcomes_m.get("primaryOutcomes")),
                          secondary=_outcomes(outcomes_m.get("secondaryOutcomes"))
                          + _outcomes(outcomes_m.get("otherOutcomes"))),
        sponsors=sponsors,
        contacts=contacts,
        locations=locations,
        keywords=texts(obj(ps.get("conditionsModule")).get("keywords")),
        regulatory=Regulatory(fda_regulated_drug=vocab.yes_no(oversight_m.get("isFdaRegulatedDrug")),
                              fda_regulated_device=vocab.yes_no(oversight_m.get("isFdaRegulatedDevice"))),
        source=make_source(fmt, raw, origin, position, url=ctgov_url(nct)),
    )
