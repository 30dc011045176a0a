"""The helpers every CT.gov importer shares: IDs, the responsible party, roles, phones, MeSH terms, and that one study
gives the same record whichever CT.gov wording its values come in."""

from __future__ import annotations

from typing import Any

from stemtrials import vocab
from stemtrials.sources._ctgov_common import (
    mesh_term,
    official_role,
    phone,
    record_from_study,
    registry_ids,
    responsible_party,
)


def test_registry_ids_order_kinds_and_duplicates() -> None:
    ids = registry_ids(" nct03123458 ", ["GIMI-IRB-17001", None, ""],
                       ["2004-000123-12", "NCT03123458", "gimi-irb-17001", "chictr2000031139", "R01 CA12345"])
    assert [(i.id, i.registry, i.kind) for i in ids] == [
        ("NCT03123458", "ClinicalTrials.gov", "primary"),
        ("GIMI-IRB-17001", None, "org_study"),
        ("2004-000123-12", "EU-CTR", "secondary"),
        ("ChiCTR2000031139", "ChiCTR", "secondary"),
        ("R01 CA12345", None, "secondary"),
    ]


def test_responsible_party_rules() -> None:
    sponsor, contact = responsible_party("PRINCIPAL_INVESTIGATOR", "Lung-Ji Chang", "President", "GIMI", "GIMI")
    assert (sponsor.name, sponsor.role) == ("Lung-Ji Chang", "responsible_party")  # type: ignore[union-attr]
    assert (contact.role, contact.name, contact.title, contact.affiliation) == (  # type: ignore[union-attr]
        "responsible_party", "Lung-Ji Chang", "President", "GIMI")
    sponsor, contact = responsible_party("Sponsor-Investigator", "A B", None, None, "Lead")
    assert sponsor.name == "A B" and contact is not None  # type: ignore[union-attr]
    sponsor, contact = responsible_party("SPONSOR", None, None, None, "Lead Co")
    assert (sponsor.name, contact) == ("Lead Co", None)  # type: ignore[union-attr]
    sponsor, contact = responsible_party(None, None, None, None, "Lead Co", "Dr X", "Univ Y")
    assert sponsor.name == "Lead Co"  # type: ignore[union-attr]
    assert (contact.name, contact.affiliation, contact.title) == ("Dr X", "Univ Y", None)  # type: ignore[union-attr]
    assert responsible_party(None, None, None, None, "Lead Co") == (None, None)


def test_small_helpers() -> None:
    assert official_role("PRINCIPAL_INVESTIGATOR") == "Principal Investigator"
    assert official_role("Study Chair") == "Study Chair" and official_role(None) is None
    assert phone("01.49.95.81.69", "+33") == "01.49.95.81.69 ext +33" and phone("123") == "123"
    assert phone(None, "12") is None
    assert mesh_term("D000004194", "Disease").model_dump() == {"id": "MESH:D000004194", "label": "Disease"}
    assert mesh_term(None, "Disease").id is None and mesh_term("D1", None) is None  # type: ignore[union-attr]
    assert mesh_term("MESH:D1", "X").id == "MESH:D1"  # type: ignore[union-attr]


def _study(**values: Any) -> dict[str, Any]:
    return {"protocolSection": {
        "identificationModule": {"nctId": "NCT03123458", "orgStudyIdInfo": {"id": "GIMI-IRB-17001"}},
        "statusModule": {"overallStatus": values["status"], "lastKnownStatus": values["last_known"],
                         "statusVerifiedDate": values["verified"],
                         "startDateStruct": {"date": values["start"], "type": values["actual"]},
                         "studyFirstPostDateStruct": {"date": values["posted"], "type": values["actual"]}},
        "designModule": {"studyType": values["type"], "phases": values["phases"],
                         "enrollmentInfo": {"count": values["count"], "type": values["estimated"]},
                         "designInfo": {"allocation": values["allocation"], "interventionModel": values["model"],
                                        "primaryPurpose": values["purpose"],
                                        "maskingInfo": {"masking": values["masking"]}}},
        "eligibilityModule": {"sex": values["sex"], "minimumAge": "1 Year", "healthyVolunteers": values["hv"]},
        "oversightModule": {"isFdaRegulatedDrug": values["no"]},
        "contactsLocationsModule": {"overallOfficials": [{"name": "X", "role": values["role"]}]},
    }}


def test_v2_and_classic_wordings_give_identical_records() -> None:
    v2 = _study(status="UNKNOWN", last_known="ENROLLING_BY_INVITATION", verified="2018-02", start="2016-01-01",
                posted="2017-04-21", actual="ACTUAL", type="INTERVENTIONAL", phases=["PHASE1", "PHASE2"], count=100,
                estimated="ESTIMATED", allocation="NA", model="SINGLE_GROUP", purpose="ECT", masking="NONE",
                sex="ALL", hv=False, no=False, role="PRINCIPAL_INVESTIGATOR")
    classic = _study(status="Unknown status", last_known="Enrolling by invitation", verified="February 2018",
                     start="January 1, 2016", posted="April 21, 2017", actual="Actual", type="Interventional",
                     phases=["Phase 1", "Phase 2"], count="100", estimated="Anticipated", allocation="N/A",
                     model="Single Group Assignment", purpose="Educational/Counseling/Training",
                     masking="None (Open Label)", sex="All", hv="No", no="No", role="Principal Investigator")
    a, b = (record_from_study(s, fmt="f", raw=b"{}", origin="o", position="study 1").model_dump()
            for s in (v2, classic))
    assert a.pop("status_raw") == "UNKNOWN" and b.pop("status_raw") == "Unknown status"
    assert a == b
    assert a["design"]["allocation"] == "not_applicable" and a["design"]["masking"] == "none"
    assert a["design"]["primary_purpose"] == vocab.design_value("ECT")  # whichever spelling vocab settles on
    assert (a["status"], a["last_known_status"]) == ("unknown", "enrolling_by_invitation")
    assert a["contacts"][0]["title"] == "Principal Investigator" and a["regulatory"]["fda_regulated_drug"] is False
    assert a["dates"]["verified"] == {"date": "2018-02", "type": None}
    assert a["phases"] == ["phase1", "phase2"] and a["enrollment"] == {"count": 100, "type": "estimated"}
