"""ClinicalTrials.gov legacy ``<clinical_study>`` XML (the public.xsd format, retired in 2024).

A file holds one ``<clinical_study>`` or many inside any wrapper element (``<search_results>``, ``<clinical_studies>``
…). It is streamed with ``lxml.etree.iterparse`` and each study element is cleared once mapped, so a dump of
thousands of studies never sits in memory whole.

Security: these files come from archives and third parties. The parser never loads a DTD, never touches the network,
never resolves entities and refuses huge trees; on top of that any input whose DOCTYPE declares entities is refused
outright (checked in the head bytes and again in the parser's DTD), so neither an entity bomb nor an external entity
(``<!ENTITY xxe SYSTEM "file:///etc/passwd">``) is ever expanded or read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from lxml import etree

from .. import vocab
from ._ctgov_common import record_from_study
from ._xml_safe import iter_events, release
from .base import ImportProblem, Parsed, SourceError, problem_from, strip_bom

NAME = "ctgov_legacy_xml"
DESCRIPTION = "ClinicalTrials.gov legacy <clinical_study> XML (one study or a dump of many)"

_STUDY_TAG = re.compile(rb"<clinical_study[\s>/]")


def sniff(head: bytes, filename: str) -> bool:
    text = strip_bom(head).lstrip()
    # An XML document (declaration, comment, doctype or element first) that names a clinical_study element early on.
    return text.startswith(b"<") and _STUDY_TAG.search(text) is not None


def read(stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]:
    count = 0
    for event, elem in iter_events(stream, "clinical_study", "<clinical_study> XML"):
        if event == "start":
            continue
        count += 1
        yield _one(elem, origin, f"record {count}")
        release(elem)
    if count == 0:
        raise SourceError("no <clinical_study> element found")


def _one(elem: etree._Element, origin: str, position: str) -> Parsed | ImportProblem:
    try:
        raw = etree.tostring(elem, encoding="utf-8", with_tail=False)
        if not _text(elem, "id_info/nct_id"):
            return ImportProblem(origin, position, "no id_info/nct_id")
        record = record_from_study(as_v2(elem), fmt=NAME, raw=raw, origin=origin, position=position)
        # The export hard-wraps textblocks; split the criteria on the unwrapped items (``text`` keeps the original).
        inclusion, exclusion = vocab.split_criteria(unwrap_items(elem.findtext("eligibility/criteria/textblock")))
        record.eligibility.inclusion, record.eligibility.exclusion = inclusion, exclusion
        return Parsed(record=record, raw=raw, position=position)
    except Exception as exc:  # a bad record must not stop the file: report it and go on
        return problem_from(exc, origin, position)


# ---------------------------------------------------------------- helpers


def _text(elem: etree._Element, path: str) -> str | None:
    return vocab.clean(elem.findtext(path))


def _texts(elem: etree._Element, path: str) -> list[str]:
    return [t for t in (vocab.clean(e.text) for e in elem.findall(path)) if t]


def _date(elem: etree._Element, *paths: str) -> dict[str, str | None] | None:
    """The first of ``paths`` present as v2's date struct, with the ``type`` attribute ("Actual", "Anticipated",
    "Estimate") left in the export's wording for vocab to read."""
    for path in paths:
        node = elem.find(path)
        if node is not None and vocab.clean(node.text):
            return {"date": vocab.clean(node.text), "type": vocab.clean(node.get("type"))}
    return None


def _person(node: etree._Element) -> str | None:
    """contact_struct / investigator_struct: usually the whole name sits in last_name; join the parts when split."""
    parts = [_text(node, f) for f in ("first_name", "middle_name", "last_name")]
    name = " ".join(p for p in parts if p) or None
    degrees = _text(node, "degrees")
    if name and degrees:
        name = f"{name}, {degrees}"
    return name


# A list item in a textblock: "-  item", "1. item", "a) item", "(2) item".
_ITEM = re.compile(r"(?:[-*•·]|\d{1,2}[.)]|[a-z][.)]|\(\d{1,2}\)|\([a-z]\))\s+")


def unwrap_items(raw: str | None) -> str | None:
    """Undo the export's hard wrapping inside list items before criteria are split into items.

    The XML generator wraps textblocks at ~100 columns and indents a wrapped item's continuation lines to the item's
    text column. ``vocab.split_criteria`` would take each continuation line for a new item, so a line indented past
    the current item's marker, that is not itself an item, is joined back onto it.
    """
    if raw is None:
        return None
    out: list[str] = []
    item_indent: int | None = None  # the column of the current list item's marker
    for line in raw.replace("\r", "").split("\n"):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if not stripped:
            item_indent = None
            out.append("")
            continue
        if _ITEM.match(stripped):
            item_indent = indent
            out.append(line)
        elif item_indent is not None and indent > item_indent and out:
            out[-1] = f"{out[-1].rstrip()} {stripped}"
        else:
            item_indent = None
            out.append(line)
    return "\n".join(out)


# The pre-2017 single <study_design> text: "Allocation: Randomized, Endpoint Classification: Safety/Efficacy Study,
# Intervention Model: Parallel Assignment, Masking: Double Blind (Subject, Investigator), Primary Purpose: Treatment".
# Values contain commas ("(Subject, Investigator)"), so split only before a known label.
_DESIGN_LABELS = (
    "Allocation", "Endpoint Classification", "Intervention Model", "Masking", "Primary Purpose",
    "Observational Model", "Time Perspective",
)
_DESIGN_SPLIT = re.compile(r",\s*(?=(?:" + "|".join(_DESIGN_LABELS) + r")\s*:)", re.I)


def parse_study_design(text: str | None) -> dict[str, str]:
    """The old study_design text as {label (lower case): value}."""
    out: dict[str, str] = {}
    for part in _DESIGN_SPLIT.split(vocab.clean(text) or ""):
        label, sep, value = part.partition(":")
        if sep and value.strip():
            out[label.strip().lower()] = value.strip()
    return out


def _design_info(elem: etree._Element) -> dict[str, Any]:
    info = elem.find("study_design_info")
    if info is not None:
        values = {k: _text(info, k) for k in ("allocation", "intervention_model", "masking", "primary_purpose")}
    else:
        old = parse_study_design(elem.findtext("study_design"))
        values = {k: old.get(k.replace("_", " ")) for k in ("allocation", "intervention_model", "masking",
                                                            "primary_purpose")}
    return {"allocation": values["allocation"], "interventionModel": values["intervention_model"],
            "maskingInfo": {"masking": values["masking"]}, "primaryPurpose": values["primary_purpose"]}


def _outcomes(elem: etree._Element, tag: str) -> list[dict[str, str | None]]:
    return [{"measure": _text(n, "measure"), "timeFrame": _text(n, "time_frame"),
             "description": _text(n, "description")} for n in elem.findall(tag)]


def _arms_interventions(elem: etree._Element) -> dict[str, Any]:
    interventions = []
    arm_members: dict[str, list[str]] = {}
    for node in elem.findall("intervention"):
        kind, name = _text(node, "intervention_type"), _text(node, "intervention_name")
        interventions.append({"type": kind, "name": name, "description": _text(node, "description"),
                              "otherNames": _texts(node, "other_name")})
        if not name:
            continue
        # The link runs from intervention to arm: an arm's interventions are those whose arm_group_label names it.
        # Written as v2 writes it ("Drug: name"): the shared mapping strips exactly that prefix.
        typed = f"{kind}: {name}" if kind else name
        for label in _texts(node, "arm_group_label"):
            members = arm_members.setdefault(label, [])
            if typed not in members:
                members.append(typed)
    arms = [{"label": _text(n, "arm_group_label"), "type": _text(n, "arm_group_type"),
             "description": _text(n, "description"),
             "interventionNames": arm_members.get(_text(n, "arm_group_label") or "", [])}
            for n in elem.findall("arm_group")]
    return {"armGroups": arms, "interventions": interventions}


def _contacts_locations(elem: etree._Element) -> dict[str, Any]:
    officials = [{"name": _person(n), "role": _text(n, "role"), "affiliation": _text(n, "affiliation")}
                 for n in elem.findall("overall_official")]
    central = [{"name": _person(n), "phone": _text(n, "phone"), "phoneExt": _text(n, "phone_ext"),
                "email": _text(n, "email")}
               for tag in ("overall_contact", "overall_contact_backup") for n in elem.findall(tag)]
    # Contacts and investigators of individual sites are not kept (the record has no place for them).
    locations = [{"facility": _text(n, "facility/name"), "city": _text(n, "facility/address/city"),
                  "state": _text(n, "facility/address/state"), "zip": _text(n, "facility/address/zip"),
                  "country": _text(n, "facility/address/country")} for n in elem.findall("location")]
    return {"overallOfficials": officials, "centralContacts": central, "locations": locations}


def as_v2(elem: etree._Element) -> dict[str, Any]:
    """One <clinical_study> in API v2's shape, values in the export's own wording (the shared mapping and vocab
    normalise them, so a trial gives the same record from this file as from v2 JSON)."""
    rp = elem.find("responsible_party")
    party: dict[str, Any] = {}
    if rp is not None:
        party = {"type": _text(rp, "responsible_party_type"),
                 "investigatorFullName": _text(rp, "investigator_full_name"),
                 "investigatorTitle": _text(rp, "investigator_title"),
                 "investigatorAffiliation": _text(rp, "investigator_affiliation"),
                 # before 2011: free-text name and organisation, no type
                 "oldNameTitle": _text(rp, "name_title"), "oldOrganization": _text(rp, "organization")}
    enrollment = elem.find("enrollment")
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": _text(elem, "id_info/nct_id"),
                "orgStudyIdInfo": {"id": _text(elem, "id_info/org_study_id")},
                "secondaryIdInfos": [{"id": i} for i in _texts(elem, "id_info/secondary_id")],
                "nctIdAliases": _texts(elem, "id_info/nct_alias"),
                "briefTitle": _text(elem, "brief_title"),
                "officialTitle": _text(elem, "official_title"),
                "acronym": _text(elem, "acronym"),
            },
            "statusModule": {
                "overallStatus": _text(elem, "overall_status"),
                "lastKnownStatus": _text(elem, "last_known_status"),
                "whyStopped": _text(elem, "why_stopped"),
                "statusVerifiedDate": _text(elem, "verification_date"),  # a month, no type
                "startDateStruct": _date(elem, "start_date"),
                "primaryCompletionDateStruct": _date(elem, "primary_completion_date"),
                "completionDateStruct": _date(elem, "completion_date"),
                # The *_posted names (2017+) carry a type; older files only have the submitted/received dates.
                "studyFirstPostDateStruct": _date(elem, "study_first_posted", "study_first_submitted",
                                                  "firstreceived_date"),
                "lastUpdatePostDateStruct": _date(elem, "last_update_posted", "last_update_submitted",
                                                  "lastchanged_date"),
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": _text(elem, "sponsors/lead_sponsor/agency")},
                "collaborators": [{"name": n} for n in _texts(elem, "sponsors/collaborator/agency")],
                "responsibleParty": party,
            },
            # Pre-2017 files carry one <is_fda_regulated> flag for both kinds: it cannot say which, so it is unused.
            "oversightModule": {
                "isFdaRegulatedDrug": _text(elem, "oversight_info/is_fda_regulated_drug"),
                "isFdaRegulatedDevice": _text(elem, "oversight_info/is_fda_regulated_device"),
            },
            "descriptionModule": {
                "briefSummary": elem.findtext("brief_summary/textblock"),
                "detailedDescription": elem.findtext("detailed_description/textblock"),
            },
            "conditionsModule": {"conditions": _texts(elem, "condition"), "keywords": _texts(elem, "keyword")},
            "designModule": {
                "studyType": _text(elem, "study_type"),
                "phases": _texts(elem, "phase"),
                "designInfo": _design_info(elem),
                "enrollmentInfo": {"count": vocab.clean(enrollment.text), "type": enrollment.get("type")}
                if enrollment is not None else {},
            },
            "armsInterventionsModule": _arms_interventions(elem),
            "outcomesModule": {
                "primaryOutcomes": _outcomes(elem, "primary_outcome"),
                "secondaryOutcomes": _outcomes(elem, "secondary_outcome"),
                "otherOutcomes": _outcomes(elem, "other_outcome"),  # the shared mapping puts these after secondary
            },
            "eligibilityModule": {
                "eligibilityCriteria": elem.findtext("eligibility/criteria/textblock"),
                "sex": _text(elem, "eligibility/gender"),
                "minimumAge": _text(elem, "eligibility/minimum_age"),
                "maximumAge": _text(elem, "eligibility/maximum_age"),
                "healthyVolunteers": _text(elem, "eligibility/healthy_volunteers"),
            },
            "contactsLocationsModule": _contacts_locations(elem),
        },
        # Legacy XML names the condition MeSH headings without their IDs.
        "derivedSection": {
            "conditionBrowseModule": {"meshes": [{"term": t} for t in _texts(elem, "condition_browse/mesh_term")]},
        },
    }
