"""Any record written in the hPSCreg clinical-study layout (`show --format hpscreg`).

Section headings and labels are those of an hPSCreg trial page (seed 000): the title, "General Information",
"Administrative Information", "Which differentiated cell type is used", then status and size. Fields a record lacks
are left out. A few fields hPSCreg records carry but the seed does not show (trial type, primary completion date,
ages, gender, countries, a contact's plain name and affiliation, a scientific contact) are written under the labels
that :mod:`stemtrials.sources.hpscreg_text` reads, so that reading the output back gives the same values for every
field this layout carries.
"""

from __future__ import annotations

from .. import vocab
from ..model import Contact, DateInfo, RegistryId, TrialRecord

# How a registry describes itself on hPSCreg ("Chinese Clinical Trial Registry (ChiCTR)"); others by their name.
_REGISTRY_NAMES = {
    "ClinicalTrials.gov": "ClinicalTrials.gov",
    "ChiCTR": "Chinese Clinical Trial Registry (ChiCTR)",
    "EU-CTR": "EU Clinical Trials Register (EU-CTR)",
    "CTIS": "Clinical Trials Information System (CTIS)",
    "ISRCTN": "ISRCTN Registry (ISRCTN)",
    "jRCT": "Japan Registry of Clinical Trials (jRCT)",
    "JPRN": "Japan Primary Registries Network (JPRN)",
    "CTRI": "Clinical Trials Registry - India (CTRI)",
    "IRCT": "Iranian Registry of Clinical Trials (IRCT)",
    "ANZCTR": "Australian New Zealand Clinical Trials Registry (ANZCTR)",
    "DRKS": "German Clinical Trials Register (DRKS)",
    "CRiS": "Clinical Research Information Service (CRiS)",
    "ReBec": "Brazilian Clinical Trials Registry (ReBec)",
    "NTR": "Netherlands Trial Register (NTR)",
    "PACTR": "Pan African Clinical Trial Registry (PACTR)",
    "TCTR": "Thai Clinical Trials Registry (TCTR)",
}
_STATUS_WORDS = {
    "not_yet_recruiting": "Not yet recruiting", "recruiting": "Recruiting",
    "enrolling_by_invitation": "Enrolling by invitation", "active_not_recruiting": "Active, not recruiting",
    "suspended": "Suspended", "terminated": "Terminated", "completed": "Completed", "withdrawn": "Withdrawn",
    "unknown": "Unknown status", "other": "Other",
}
_STUDY_TYPES = {"interventional": "Interventional", "observational": "Observational",
                "expanded_access": "Expanded access", "other": "Other"}
_PUBLIC_ROLES = {"public_contact", "central_contact", None}


def _phase_text(phases: list[str]) -> str | None:
    numbers = [p[len("phase"):] for p in phases if p.startswith("phase")]
    parts = ["Early Phase 1"] if "early_phase1" in phases else []
    if len(numbers) == 1:
        parts.append(f"Phase {numbers[0]}")
    elif numbers:
        parts.append("Phases " + "/".join(numbers))
    parts += [{"not_applicable": "Not applicable", "other": "Other"}[p] for p in phases
              if p in ("not_applicable", "other")]
    return "; ".join(parts) or None  # the reader splits on ";"


def _date_line(label: str, info: DateInfo | None) -> list[str]:
    if info is None:
        return []
    return [f"{label} ({info.type}) {info.date}" if info.type else f"{label} {info.date}"]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _identifier(rid: RegistryId) -> list[str]:
    if rid.kind == "org_study":
        description = "Sponsor's study ID"  # the reader keeps it an org study ID
    elif rid.registry:
        description = _REGISTRY_NAMES.get(rid.registry, f"{rid.registry} registry ({rid.registry})")
    else:
        description = "Secondary ID"
    return ["Other study identifiers", f"Name {rid.id}", f"Description {description}"]


def _contact(heading: str, c: Contact, email_label: str) -> list[str]:
    out = [heading]
    if c.email:
        out.append(f"{email_label} {c.email}")
    if c.first_name or c.last_name:
        out += [f"First name {c.first_name}"] if c.first_name else []
        out += [f"Last name {c.last_name}"] if c.last_name else []
        if c.name and c.name != " ".join(x for x in (c.first_name, c.last_name) if x):
            out.append(f"Name {c.name}")
    elif c.name:
        out.append(f"Name {c.name}")
    for label, value in (("Phone", c.phone), ("City", c.city), ("Address freetext", c.address),
                         ("Affiliation", c.affiliation)):
        if value:
            out.append(f"{label} {_one_line(value)}")
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_hpscreg(record: TrialRecord) -> str:
    r = record
    lines = [_one_line(r.title or r.official_title or r.id), "", "General Information", ""]
    phase = _phase_text(list(r.phases))
    if phase:
        lines.append(f"Clinical trials phase {phase}")
    if r.study_type:
        lines.append(f"Trial type {_STUDY_TYPES.get(r.study_type, r.study_type)}")
    lines += _date_line("Start date", r.dates.start)
    lines += _date_line("Primary completion date", r.dates.primary_completion)
    lines += _date_line("End date", r.dates.completion)
    for cond in r.conditions:
        lines += ["Clinical feature", f"Label {_one_line(cond.text)}"]
        if cond.description:
            lines.append(f"Description {_one_line(cond.description)}")

    lines += ["", "Administrative Information", ""]
    for rid in r.registry_ids:
        lines += _identifier(rid)
    if r.source.url:
        lines.append(f"Source weblink {r.source.url}")
    for c in r.contacts:
        if c.role == "contact_institution":
            continue
        if c.role in _PUBLIC_ROLES:
            lines += _contact("Public contact", c, "Public email")
        else:
            lines += _contact("Scientific contact", c, "Scientific email")
    lead = [s.name for s in r.sponsors if s.role == "lead"]
    collaborators = [s.name for s in r.sponsors if s.role == "collaborator"]
    if lead:
        lines.append("Sponsors " + "; ".join(_one_line(n) for n in lead + collaborators))
    elif collaborators:
        lines.append("Collaborators " + "; ".join(_one_line(n) for n in collaborators))

    products = [p for p in r.cell_products if p.cell_type and (p.cell_type.label or p.cell_type.definition)]
    if products:
        lines += ["", ""]
        for p in products:
            assert p.cell_type is not None
            lines.append("Which differentiated cell type is used")
            if p.cell_type.label:
                lines.append(f"Label {_one_line(p.cell_type.label)}")
            if p.cell_type.definition:
                lines.append(f"Description {_one_line(p.cell_type.definition)}")

    lines += ["", ""]
    if r.status:
        raw = r.status_raw if r.status_raw and vocab.status(r.status_raw) == r.status else None
        lines.append(f"Recruitment Status {_one_line(raw or _STATUS_WORDS[r.status])}")
    if r.enrollment.count is not None:
        kind = {"estimated": "Estimated number", "actual": "Actual number"}.get(r.enrollment.type or "", "Number")
        lines.append(f"{kind} of participants {r.enrollment.count}")
    e = r.eligibility
    if e.min_age_years is not None:
        lines.append(f"Minimum age {_number(e.min_age_years)} years")
    if e.max_age_years is not None:
        lines.append(f"Maximum age {_number(e.max_age_years)} years")
    if e.sex:
        lines.append(f"Gender {e.sex.capitalize()}")
    if r.countries():
        lines.append("Countries " + "; ".join(r.countries()))
    institution = next((c.affiliation for c in r.contacts if c.role == "contact_institution"), None)
    if institution:
        lines.append(f"Contact institutions/departments {institution}")
    return "\n".join(lines).rstrip("\n") + "\n"
