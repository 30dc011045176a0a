"""The retired classic ClinicalTrials.gov API's JSON (api/query/full_studies and api/query/study_fields, until 2024).

Two shapes, both converted to API v2's shape and mapped by the shared :func:`_ctgov_common.record_from_study`:

- **full_studies**: ``{"FullStudiesResponse": {"FullStudies": [{"Rank": 1, "Study": {"ProtocolSection": …,
  "DerivedSection": …}}]}}`` — v2's tree in PascalCase, with prefixed member names (``ArmGroupLabel``) and list
  wrappers (``ConditionList: {Condition: [...]}``). Also accepted: an array of such entries, a lone entry or Study.
- **study_fields**: flat objects in which every value is a list (``{"NCTId": ["NCT…"], "LocationCity": [...]}``),
  one per JSONL line, in an array, or in a ``{"StudyFieldsResponse": {"StudyFields": [...]}}`` page. Repeated things
  (sites, arms, outcomes, contacts) come as parallel lists from which missing values were simply dropped, so lists
  of unequal length are never zipped blindly (see :func:`_ctgov_common.aligned`).

Values keep the classic wording ("Anticipated", "None (Open Label)", "January 1, 2016"); vocab normalises them to
the same record values as v2. ``Rank`` (the position in a search result) is not part of the study: it is left out
of the raw bytes so the same study hashes the same whatever query fetched it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from .. import vocab
from ._ctgov_common import aligned, arr, record_from_study, text
from ._json_stream import iter_json_records, json_head
from .base import ImportProblem, Parsed, json_bytes, problem_from

NAME = "ctgov_classic"
DESCRIPTION = "Classic ClinicalTrials.gov API JSON: FullStudiesResponse, or study_fields objects (JSONL or page)"

_LISTS = {
    "FullStudiesResponse": ("FullStudiesResponse", "FullStudies"),
    "StudyFieldsResponse": ("StudyFieldsResponse", "StudyFields"),
}

_MARKERS = re.compile(rb'"(?:FullStudiesResponse|StudyFieldsResponse|ProtocolSection)"\s*:\s*\{|"NCTId"\s*:\s*\[')


def sniff(head: bytes, filename: str) -> bool:
    body = json_head(head)
    if body is None:
        return False
    return bool(_MARKERS.search(body))


def read(stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]:
    for item in iter_json_records(stream, origin, _LISTS):
        if isinstance(item, ImportProblem):
            yield item
            continue
        position, value = item
        try:
            record_obj, study = _as_v2(value)
            raw = json_bytes(record_obj)
            record = record_from_study(study, fmt=NAME, raw=raw, origin=origin, position=position)
        except Exception as exc:  # a malformed study is one problem; the rest of the file goes on
            yield problem_from(exc, origin, position)
            continue
        yield Parsed(record=record, raw=raw, position=position)


def _as_v2(value: Any) -> tuple[Mapping[str, Any], dict[str, Any]]:
    """(the study's own object, for the raw bytes; the study in v2's shape) for either classic shape."""
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a classic study object, got a JSON {type(value).__name__}")
    if isinstance(value.get("Study"), Mapping):  # a FullStudies entry {"Rank": …, "Study": …}
        value = value["Study"]
    if isinstance(value.get("ProtocolSection"), Mapping):
        return value, _full_to_v2(value)
    if isinstance(value.get("NCTId"), list):
        own = {k: v for k, v in value.items() if k != "Rank"}
        return own, _fields_to_v2(own)
    raise ValueError("not a classic CT.gov study: no Study, ProtocolSection or NCTId list")


# ---------------------------------------------------------------------------------------------------- full_studies

# Classic member name → v2 member name, where v2 does not just lower the first letter. Member names are unique across
# the classic tree thanks to their prefixes, so one table serves every module.
_V2_NAME = {
    "NCTId": "nctId", "NCTIdAliasList": "nctIdAliases", "OrgStudyId": "id", "SecondaryIdInfoList": "secondaryIdInfos",
    "SecondaryId": "id", "OrgFullName": "fullName", "OrgClass": "class",
    "IsFDARegulatedDrug": "isFdaRegulatedDrug", "IsFDARegulatedDevice": "isFdaRegulatedDevice",
    "ResponsiblePartyType": "type", "ResponsiblePartyInvestigatorFullName": "investigatorFullName",
    "ResponsiblePartyInvestigatorTitle": "investigatorTitle",
    "ResponsiblePartyInvestigatorAffiliation": "investigatorAffiliation",
    "ResponsiblePartyOldNameTitle": "oldNameTitle", "ResponsiblePartyOldOrganization": "oldOrganization",
    "LeadSponsorName": "name", "LeadSponsorClass": "class", "CollaboratorList": "collaborators",
    "CollaboratorName": "name", "CollaboratorClass": "class",
    "ConditionList": "conditions", "KeywordList": "keywords", "PhaseList": "phases",
    "DesignAllocation": "allocation", "DesignInterventionModel": "interventionModel",
    "DesignPrimaryPurpose": "primaryPurpose", "DesignMaskingInfo": "maskingInfo", "DesignMasking": "masking",
    "EnrollmentCount": "count", "EnrollmentType": "type",
    "ArmGroupList": "armGroups", "ArmGroupLabel": "label", "ArmGroupType": "type",
    "ArmGroupDescription": "description", "ArmGroupInterventionList": "interventionNames",
    "InterventionList": "interventions", "InterventionName": "name", "InterventionType": "type",
    "InterventionDescription": "description", "InterventionOtherNameList": "otherNames",
    "InterventionArmGroupLabelList": "armGroupLabels",
    "PrimaryOutcomeList": "primaryOutcomes", "SecondaryOutcomeList": "secondaryOutcomes",
    "OtherOutcomeList": "otherOutcomes", "Gender": "sex",
    "CentralContactList": "centralContacts", "CentralContactName": "name", "CentralContactRole": "role",
    "CentralContactPhone": "phone", "CentralContactPhoneExt": "phoneExt", "CentralContactEMail": "email",
    "OverallOfficialList": "overallOfficials", "OverallOfficialName": "name",
    "OverallOfficialAffiliation": "affiliation", "OverallOfficialRole": "role",
    "LocationList": "locations", "LocationFacility": "facility", "LocationStatus": "status", "LocationCity": "city",
    "LocationState": "state", "LocationZip": "zip", "LocationCountry": "country", "LocationContactList": "contacts",
    "ConditionMeshList": "meshes", "ConditionMeshId": "id", "ConditionMeshTerm": "term",
}
_OUTCOME_MEMBER = re.compile(r"(?:Primary|Secondary|Other)Outcome(Measure|Description|TimeFrame)")


def _v2_name(key: str, parent: str) -> str:
    if parent.endswith("DateStruct"):  # StartDateStruct: {StartDate, StartDateType} → {date, type}
        return "type" if key.endswith("Type") else "date"
    if key in _V2_NAME:
        return _V2_NAME[key]
    m = _OUTCOME_MEMBER.fullmatch(key)
    if m:
        return m[1][0].lower() + m[1][1:]
    return key[:1].lower() + key[1:]


def _full_to_v2(node: Any, parent: str = "") -> Any:
    """The classic tree renamed to v2's: members renamed, ``XList: {X: [...]}`` wrappers unwrapped to lists."""
    if isinstance(node, list):
        return [_full_to_v2(item, parent) for item in node]
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.endswith("List") and isinstance(value, Mapping) and len(value) == 1:
            value = arr(next(iter(value.values())))
        out[_v2_name(key, parent)] = _full_to_v2(value, key)
    return out


# ---------------------------------------------------------------------------------------------------- study_fields


def _fields_to_v2(rec: Mapping[str, Any]) -> dict[str, Any]:
    def one(key: str) -> Any:  # a single-valued field: its first value
        values = arr(rec.get(key))
        return values[0] if values else None

    def many(key: str) -> list[Any]:
        return arr(rec.get(key))

    def cols(**columns: str) -> list[dict[str, Any]]:
        return aligned({name: rec.get(key) for name, key in columns.items()})

    def date(key: str) -> dict[str, Any]:
        return {"date": one(key), "type": one(key + "Type")}

    arm_groups = cols(label="ArmGroupLabel", type="ArmGroupType", description="ArmGroupDescription")
    interventions = cols(name="InterventionName", type="InterventionType", description="InterventionDescription")
    if len(interventions) == 1:  # other names are one flat list over all interventions: only a lone one owns them
        interventions[0]["otherNames"] = many("InterventionOtherName")
    links = _arm_links(arm_groups, interventions, many("ArmGroupInterventionName"), many("InterventionArmGroupLabel"))
    for arm, names in zip(arm_groups, links or [], strict=False):
        arm["interventionNames"] = names

    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": one("NCTId"), "nctIdAliases": many("NCTIdAlias"),
                "orgStudyIdInfo": {"id": one("OrgStudyId")},
                "secondaryIdInfos": [{"id": i} for i in many("SecondaryId")],
                "briefTitle": one("BriefTitle"), "officialTitle": one("OfficialTitle"), "acronym": one("Acronym"),
            },
            "statusModule": {
                "overallStatus": one("OverallStatus"), "lastKnownStatus": one("LastKnownStatus"),
                "whyStopped": one("WhyStopped"), "statusVerifiedDate": one("StatusVerifiedDate"),
                "startDateStruct": date("StartDate"), "primaryCompletionDateStruct": date("PrimaryCompletionDate"),
                "completionDateStruct": date("CompletionDate"), "studyFirstPostDateStruct": date("StudyFirstPostDate"),
                "lastUpdatePostDateStruct": date("LastUpdatePostDate"),
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": one("LeadSponsorName")},
                "collaborators": [{"name": n} for n in many("CollaboratorName")],
                "responsibleParty": {
                    "type": one("ResponsiblePartyType"),
                    "investigatorFullName": one("ResponsiblePartyInvestigatorFullName"),
                    "investigatorTitle": one("ResponsiblePartyInvestigatorTitle"),
                    "investigatorAffiliation": one("ResponsiblePartyInvestigatorAffiliation"),
                    "oldNameTitle": one("ResponsiblePartyOldNameTitle"),
                    "oldOrganization": one("ResponsiblePartyOldOrganization"),
                },
            },
            "oversightModule": {
                "isFdaRegulatedDrug": one("IsFDARegulatedDrug"), "isFdaRegulatedDevice": one("IsFDARegulatedDevice"),
            },
            "descriptionModule": {
                "briefSummary": one("BriefSummary"), "detailedDescription": one("DetailedDescription"),
            },
            "conditionsModule": {"conditions": many("Condition"), "keywords": many("Keyword")},
            "designModule": {
                "studyType": one("StudyType"), "phases": many("Phase"),
                "enrollmentInfo": {"count": one("EnrollmentCount"), "type": one("EnrollmentType")},
                "designInfo": {
                    "allocation": one("DesignAllocation"), "interventionModel": one("DesignInterventionModel"),
                    "primaryPurpose": one("DesignPrimaryPurpose"), "maskingInfo": {"masking": one("DesignMasking")},
                },
            },
            "armsInterventionsModule": {"armGroups": arm_groups, "interventions": interventions},
            "outcomesModule": {
                kind.lower() + "Outcomes": cols(measure=f"{kind}OutcomeMeasure", timeFrame=f"{kind}OutcomeTimeFrame",
                                                description=f"{kind}OutcomeDescription")
                for kind in ("Primary", "Secondary", "Other")
            },
            "eligibilityModule": {
                "eligibilityCriteria": one("EligibilityCriteria"), "healthyVolunteers": one("HealthyVolunteers"),
                "sex": one("Gender"), "minimumAge": one("MinimumAge"), "maximumAge": one("MaximumAge"),
            },
            "contactsLocationsModule": {
                "centralContacts": cols(name="CentralContactName", role="CentralContactRole",
                                        phone="CentralContactPhone", phoneExt="CentralContactPhoneExt",
                                        email="CentralContactEMail"),
                "overallOfficials": cols(name="OverallOfficialName", affiliation="OverallOfficialAffiliation",
                                         role="OverallOfficialRole"),
                "locations": cols(facility="LocationFacility", city="LocationCity", state="LocationState",
                                  zip="LocationZip", country="LocationCountry"),
            },
        },
        "derivedSection": {"conditionBrowseModule": {"meshes": cols(id="ConditionMeshId", term="ConditionMeshTerm")}},
    }


def _typed_key(type_text: Any, name: Any) -> tuple[str | None, str]:
    return vocab.kind_value(text(type_text)), (text(name) or "").lower()


def _arm_links(
    arms: list[dict[str, Any]], interventions: list[dict[str, Any]], arm_side: list[Any], intervention_side: list[Any]
) -> list[list[Any]] | None:
    """Each arm's intervention names, rebuilt from the two flat link lists — or None when that is not certain.

    ``ArmGroupInterventionName`` is every arm's "Type: name" list run together in arm order, and
    ``InterventionArmGroupLabel`` every intervention's arm labels run together in intervention order. Both list the
    same links, so the number of times an arm's label appears on the intervention side is the number of names that
    arm owns on the arm side: the arm side splits by those counts. When the interventions are distinguishable, the
    links are checked from the other side as well; anything that does not add up gives None.
    """
    if not arms:
        return None
    if len(arms) == 1:
        return [arm_side]
    labels = [(text(a.get("label")) or "").lower() for a in arms]
    if not all(labels) or len(set(labels)) != len(labels):
        return None
    if not arm_side and not intervention_side:
        return [[] for _ in arms]
    per_arm = Counter((text(lab) or "").lower() for lab in intervention_side)
    if set(per_arm) - set(labels) or sum(per_arm.values()) != len(arm_side):
        return None
    links: list[list[Any]] = []
    start = 0
    for label in labels:
        links.append(arm_side[start : start + per_arm[label]])
        start += per_arm[label]
    # Cross-check: split the intervention side by how often each intervention is named on the arm side.
    typed = [_typed_key(i.get("type"), i.get("name")) for i in interventions]
    if len(typed) == len(set(typed)) and all(t[0] and t[1] for t in typed):
        named = [_typed_key(*vocab.split_typed_name(text(n) or "")) for n in arm_side]
        per_intervention = Counter(named)
        if set(per_intervention) - set(typed) or sum(per_intervention.values()) != len(intervention_side):
            return None
        edges, start = set(), 0
        for key in typed:
            for lab in intervention_side[start : start + per_intervention[key]]:
                edges.add(((text(lab) or "").lower(), key))
            start += per_intervention[key]
        from_arms = {(label, key) for label, names in zip(labels, links, strict=True)
                     for key in (_typed_key(*vocab.split_typed_name(text(n) or "")) for n in names)}
        if edges != from_arms:
            return None
    return links

