"""One WHO ICTRP record → TrialRecord, whatever layout it came in.

The layouts name the same fields differently ("Public title", "public_title", <Public_title>, <public_title>;
"Date enrollement", "Date_enrollment", <date_enrolment>; "Condition", "Conditions", <hc_freetext>), so a record is
first put into :class:`Fields` — column names lower-cased with everything but letters and digits removed — and read
through the aliases in ``_ALIASES``. Cell values are parsed by :mod:`._ictrp_parse` and :mod:`._ictrp_lists`.

Mapping decisions (ICTRP → contract):
- ``id``: the canonical primary ID; EU-CTR records collapse to the EudraCT number (``registry_ids`` keeps the
  country-suffixed form); ``registry`` from the ID, else from "Source Register".
- ``status``: see ``_ictrp_parse.status``; a ChiCTR title "Cancelled …" makes the record ``withdrawn`` with the
  cancellation note as ``status_raw`` and the title cleaned of it.
- ``dates``: registration → first_posted, "Date enrollement" → start (type from type_enrolment when given), last
  refreshed → last_update, results_date_completed → completion; ICTRP gives no actual/estimated for the others.
- ``enrollment``: the target size (summed over groups) as ``estimated``; a reported actual enrollment wins.
- ``contacts``: roles ``public_contact`` / ``scientific_contact`` where the layout says which; the 40-column
  layout's single "Contact" group does not (for ChiCTR it holds the study leader, for CT.gov the officials and
  central contacts together), so its role is plain ``contact``. ';'-joined multi-person cells are split by position.
- ``sponsors``: primary sponsor ``lead``, secondary sponsors ``collaborator``, sources of support ``funder``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .. import vocab
from ..model import (
    Condition,
    Contact,
    DateInfo,
    Dates,
    Eligibility,
    Enrollment,
    Location,
    Outcomes,
    RegistryId,
    Sponsor,
    TrialRecord,
)
from ..registry_ids import registry_of
from . import _ictrp_lists as lists
from . import _ictrp_parse as parse
from .base import ctgov_url, make_source


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("trialid",),
    "utrn": ("utrn",),
    # The full export's unnamed "Unknown" column holds the last-refreshed date ("4 November 2020").
    "last_refreshed": ("lastrefreshedon", "lastrefreshed", "lastupdated", "unknown"),
    "public_title": ("publictitle",),
    "scientific_title": ("scientifictitle",),
    "acronym": ("acronym", "publicacronym", "scientificacronym"),
    "primary_sponsor": ("primarysponsor",),
    # Registration date: the unambiguous forms first (YYYYMMDD, the full export's ISO column), then the registry's.
    "registration": ("dateregistration3", "dateregistrationformat", "dateregistration"),
    "source_register": ("sourceregister", "sourceregistry", "regname"),
    "url": ("webaddress", "url"),
    "status": ("recruitmentstatus",),
    "agemin": ("inclusionagemin", "agemin"),
    "agemax": ("inclusionagemax", "agemax"),
    "gender": ("inclusiongender", "gender"),
    "enrollment_date": ("dateenrollement", "dateenrollment", "dateenrolment"),
    "enrollment_date_iso": ("dateenrollmentformat", "dateenrolmentformat"),
    "day_inferred": ("dayinferred",),
    "enrollment_type": ("typeenrolment", "typeenrollment"),
    "target_size": ("targetsize",),
    "actual_enrollment": ("resultsactualenrollment", "resultsactualenrolment"),
    "study_type": ("studytype",),
    "study_design": ("studydesign",),
    "phase": ("phase",),
    "countries": ("countries",),
    "inclusion": ("inclusioncriteria",),
    "exclusion": ("exclusioncriteria",),
    "conditions": ("condition", "conditions", "hcfreetext"),
    "interventions": ("intervention", "interventions", "ifreetext"),
    "primary_outcome": ("primaryoutcome", "primaryoutcomes", "primoutcome"),
    "secondary_outcome": ("secondaryoutcomes", "secondaryoutcome", "secoutcome"),
    "secondary_ids": ("secondaryids", "secondaryid", "secid"),
    "secondary_sponsors": ("secondarysponsors", "secondarysponsor", "sponsorname"),
    "source_support": ("sourcesupport", "sourcename"),
    "bridged": ("bridgingflag",),  # full export: the IDs of the same trial's bridged records ("NA" when none)
    "children": ("childs",),
    "completed": ("resultsdatecompleted",),
    "condition_keywords": ("hckeyword",),
    "intervention_keywords": ("ikeyword",),
}
KNOWN_COLUMNS = frozenset(n for names in _ALIASES.values() for n in names) | {
    "exportdate", "otherrecords", "bridgingflagtruefalse", "bridgedtype", "retrospectiveflag", "trialprefix",
    "contactfirstname", "contactlastname", "contactaddress", "contactemail", "contacttel", "contactaffiliation",
    "publiccontactfirstname", "scientificcontactfirstname", "resultsurllink", "resultsyesno",
}

# Contact groups: column prefix → role; each group's parts by column suffix.
_CONTACT_GROUPS = {"contact": "contact", "publiccontact": "public_contact", "scientificcontact": "scientific_contact"}
_CONTACT_PARTS = {"firstname": "first", "middlename": "middle", "lastname": "last", "address": "address",
                  "city": "city", "email": "email", "tel": "phone", "telephone": "phone", "phone": "phone",
                  "affiliation": "affiliation"}
_NOT_A_FUNDER = re.compile(r"^please refer to (?:the )?primary and secondary sponsors?$", re.I)


class Fields:
    """One record's cells by normalized column name, read through the aliases of every layout."""

    def __init__(self, values: Mapping[str, object]) -> None:
        self.values = {norm(k): v for k, v in values.items() if k is not None}

    def get(self, field: str) -> object | None:
        """The first alias with a value (empty, whitespace and NULL are no value)."""
        for name in _ALIASES[field]:
            v = self.values.get(name)
            if v is not None and str(v).strip() not in ("", "NULL"):
                return v
        return None

    def contacts(self) -> list[dict[str, str | None]]:
        """Contacts from the flat column groups; ';'-joined cells hold several people, aligned by position."""
        out: list[dict[str, str | None]] = []
        for prefix, role in _CONTACT_GROUPS.items():
            parts = {part: self.values.get(prefix + suffix) for suffix, part in _CONTACT_PARTS.items()
                     if self.values.get(prefix + suffix) is not None}
            if not parts:
                continue
            split = {k: ("" if v is None else str(v)).split(";") for k, v in parts.items()}
            for i in range(max(len(v) for v in split.values())):
                out.append({"role": role, **{k: v[i] if i < len(v) else None for k, v in split.items()}})
        return out


def _contacts(people: list[dict[str, str | None]]) -> list[Contact]:
    """Contacts, the same person listed twice merged (CT.gov records repeat officials as contacts)."""
    merged: dict[tuple[str, str], Contact] = {}
    for p in people:
        first, middle, last = (parse.line(p.get(k)) for k in ("first", "middle", "last"))
        given = " ".join(x for x in (first, middle) if x) or None
        # ChiCTR and CT.gov write the whole name into one of the two name cells: only a real split is first/last.
        name = " ".join(x for x in (given, last) if x) or None
        c = Contact(role=p.get("role"), name=name, first_name=given if given and last else None,
                    last_name=last if given and last else None, email=parse.line(p.get("email")),
                    phone=parse.line(p.get("phone")), address=parse.line(p.get("address")),
                    city=parse.line(p.get("city")), affiliation=parse.line(p.get("affiliation")))
        if not (c.name or c.email or c.phone):
            continue
        key = (c.role or "", (c.name or c.email or c.phone or "").lower())
        if key in merged:
            old = merged[key]
            for field in ("email", "phone", "address", "city", "affiliation"):
                if getattr(old, field) is None:
                    setattr(old, field, getattr(c, field))
        else:
            merged[key] = c
    return list(merged.values())


def _registry_ids(ident: str, registry: str | None, aliases: list[str], f: Fields) -> list[RegistryId]:
    ids = [RegistryId(id=ident, registry=registry, kind="primary")]
    others = list(aliases)
    for field in ("secondary_ids", "bridged", "children", "utrn"):
        others += parse.secondary_ids(f.get(field), ident)
    for other in others:
        if all(r.id != other for r in ids):
            ids.append(RegistryId(id=other, registry=registry_of(other), kind="secondary"))
    return ids


def _dates(f: Fields, registry: str | None) -> Dates:
    def info(iso: str | None, kind: str | None = None) -> DateInfo | None:
        return DateInfo(date=iso, type=vocab.date_type(kind)) if iso else None

    first_posted = None
    for name in _ALIASES["registration"]:
        first_posted = first_posted or parse.iso_date(f.values.get(name), registry)
    start = parse.iso_date(f.get("enrollment_date"), registry)
    if start is None:
        start = parse.iso_date(f.get("enrollment_date_iso"))
        if start and str(f.get("day_inferred") or "").strip().upper() == "TRUE":
            start = start[:7]  # the export filled in a day the registry did not give
    return Dates(start=info(start, parse.line(f.get("enrollment_type"))),
                 first_posted=info(first_posted),
                 last_update=info(parse.iso_date(f.get("last_refreshed"))),
                 completion=info(parse.iso_date(f.get("completed"), registry)))


def _enrollment(f: Fields) -> Enrollment:
    actual = parse.line(f.get("actual_enrollment"))
    if actual and re.fullmatch(r"\d+", actual) and int(actual) > 0:
        return Enrollment(count=int(actual), type="actual")
    count = parse.target_size(f.get("target_size"))
    return Enrollment(count=count, type="estimated" if count is not None else None)


def _sponsors(f: Fields) -> list[Sponsor]:
    out: list[Sponsor] = []
    lead = parse.line(f.get("primary_sponsor"))
    named = [(lead, "lead")] if lead else []
    named += [(n, "collaborator") for n in parse.items(f.get("secondary_sponsors"), seps=";")]
    named += [(n, "funder") for n in parse.items(f.get("source_support"), seps=";") if not _NOT_A_FUNDER.match(n)]
    for name, role in named:
        s = Sponsor(name=re.sub(r"\s*\n\s*", " ", name), role=role)  # type: ignore[arg-type]
        if s not in out:
            out.append(s)
    return out


def build_record(f: Fields, *, fmt: str, raw: bytes, origin: str, position: str,
                 people: list[dict[str, str | None]] | None = None) -> TrialRecord:
    """The record for one ICTRP trial. ``people``: contacts a nested layout gives directly (else the flat columns')."""
    found = parse.trial_id(f.get("id"))
    if found is None:
        raise ValueError("no TrialID")
    ident, aliases = found
    registry = registry_of(ident) or parse.source_register(f.get("source_register"))
    pub, sci = f.get("public_title"), f.get("scientific_title")
    cancel_pub, cancel_sci = parse.cancelled(pub), parse.cancelled(sci)
    title = cancel_pub[1] if cancel_pub else parse.line(pub)
    official = cancel_sci[1] if cancel_sci else parse.line(sci)
    status_raw = parse.line(f.get("status"))
    status = parse.status(status_raw)
    note = (cancel_pub or cancel_sci or (None, None))[0]
    if note:
        status, status_raw = "withdrawn", note
    inclusion, exclusion, criteria_text = lists.criteria(f.get("inclusion"), f.get("exclusion"))
    interventions, arms = lists.interventions(f.get("interventions"))
    keywords = parse.items(f.get("condition_keywords")) + parse.items(f.get("intervention_keywords"))
    url = parse.line(f.get("url")) or (ctgov_url(ident) if registry == "ClinicalTrials.gov" else None)
    return TrialRecord(
        id=ident,
        registry=registry,
        registry_ids=_registry_ids(ident, registry, aliases, f),
        title=title or official,
        official_title=official,
        acronym=parse.line(f.get("acronym")),
        status=status,
        status_raw=status_raw,
        phases=parse.phases(f.get("phase")),
        study_type=parse.study_type(f.get("study_type")),
        enrollment=_enrollment(f),
        dates=_dates(f, registry),
        conditions=[Condition(text=c) for c in lists.conditions(f.get("conditions"))],
        interventions=interventions,
        eligibility=Eligibility(min_age_years=parse.age(f.get("agemin")), max_age_years=parse.age(f.get("agemax")),
                                sex=parse.sex(f.get("gender")), inclusion=inclusion, exclusion=exclusion,
                                text=criteria_text),
        design=parse.design(f.get("study_design")),
        arms=arms,
        outcomes=Outcomes(primary=lists.outcomes(f.get("primary_outcome")),
                          secondary=lists.outcomes(f.get("secondary_outcome"))),
        sponsors=_sponsors(f),
        contacts=_contacts(people if people is not None else f.contacts()),
        locations=[Location(country=c) for c in lists.countries(f.get("countries"))],
        keywords=list(dict.fromkeys(keywords)),
        source=make_source(fmt, raw, origin, position, url=url),
    )
