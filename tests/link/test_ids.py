"""Deterministic links: ID normalisation, the junk blocklist, the shared-ID guard, copies of one record."""

from __future__ import annotations

import pytest

from stemtrials.link import distinct_records, link_records, link_report
from stemtrials.link.ids import id_keys, record_keys
from stemtrials.link.view import view
from stemtrials.model import TrialRecord


def pick(records: list[TrialRecord], *ids: str) -> list[TrialRecord]:
    by_id = {r.id: r for r in records}
    return [by_id[i] for i in ids]


def rec(rid: str, title: str, *secondary: str, registry: str | None = None, org: str | None = None) -> dict:
    """A record-JSON dict (what the store hands the linker)."""
    ids = [{"id": rid, "registry": registry, "kind": "primary"}]
    ids += [{"id": s, "registry": None, "kind": "secondary"} for s in secondary]
    if org:
        ids.append({"id": org, "registry": None, "kind": "org_study"})
    return {"id": rid, "registry": registry, "registry_ids": ids, "title": title}


@pytest.mark.parametrize(("raw", "key"), [
    ("NCT04331613", "NCT04331613"),
    ("nct 0433 1613", "NCT04331613"),
    ("2020-001162-12", "EUCTR2020-001162-12"),
    ("EUCTR2020-001162-12-FR", "EUCTR2020-001162-12"),
    ("2016-005141-23-GB", "EUCTR2016-005141-23"),
    ("EUCTR2019-001458-24-3RD", "EUCTR2019-001458-24"),
    ("EudraCT Number: 2005-003674-14", "EUCTR2005-003674-14"),
    ("EudraCT 2007-003088-36", "EUCTR2007-003088-36"),
    ("2022-500012-34-00", "CTIS2022-500012-34-00"),
    ("JPRN-UMIN000039686", "UMIN000039686"),
    ("UMIN000039686", "UMIN000039686"),
    ("JPRN-jRCTs031190226", "jRCTs031190226"),
    ("jRCTs031190226", "jRCTs031190226"),
    ("chictr2000031139", "ChiCTR2000031139"),
    ("IRCT20200217046526N2", "IRCT20200217046526N2"),
    ("U1111-1231-4736", "U1111-1231-4736"),
    ("PACTR201904797961340", "PACTR201904797961340"),
])
def test_id_keys_normalise_spellings(raw: str, key: str) -> None:
    assert [k for k, _ in id_keys(raw)] == [key]


@pytest.mark.parametrize("junk", ["Nil Known", "nil known", "N/A", "NA", "pending", "none", "None", "NULL",
                                  "Not applicable", "not appliable", "NIL", "NCT00000000", "0000-000000-00", ""])
def test_junk_ids_are_no_ids(junk: str) -> None:
    assert id_keys(junk) == []


def test_org_study_ids_and_free_text_are_no_registry_ids() -> None:
    # Real secondary/org values from the CT.gov and ICTRP files: sponsor codes, grant numbers, Dutch CCMO numbers.
    for raw in ["CAStem-001", "MS200527_0074", "P30CA016058", "NL67751.078.18", "19/096", "CAAE 09006119.2.0000.5501"]:
        assert id_keys(raw) == [], raw
    a = rec("NCT04331613", "Safety and Efficacy of CAStem", org="CAStem-001", registry="ClinicalTrials.gov")
    b = rec("ChiCTR2000031139", "Another CAStem trial", "CAStem-001", registry="ChiCTR")
    assert link_records([a, b]) == []


def test_a_cell_listing_several_ids() -> None:
    assert [k for k, _ in id_keys("NCT04315948; EudraCT 2020-000936-23")] == ["NCT04315948", "EUCTR2020-000936-23"]


def test_record_keys_own_copies_stay_primary() -> None:
    # A real EU-CTR row of the full ICTRP export lists another member-state copy of itself as a secondary ID.
    v = view(rec("2016-005141-23", "FSGS trial", "021FSGS16010", "2016-005141-23-GB", registry="EU-CTR"))
    assert record_keys(v) == {"EUCTR2016-005141-23": "primary"}


def test_real_cross_registration_links_by_id(classic: list[TrialRecord], ictrp_xlsx: list[TrialRecord]) -> None:
    # NCT04366063 (CT.gov, classic API) lists IRCT20200217046526N2 (ICTRP export) as a secondary ID.
    (nct,) = pick(classic, "NCT04366063")
    (irct,) = pick(ictrp_xlsx, "IRCT20200217046526N2")
    (link,) = link_records([nct, irct])
    assert (link.a, link.b, link.kind, link.score) == ("IRCT20200217046526N2", "NCT04366063", "id", 1.0)
    assert link.evidence["rule"] == "names primary id"
    assert link.evidence["ids"] == [{"id": "IRCT20200217046526N2", "IRCT20200217046526N2": "primary",
                                     "NCT04366063": "secondary"}]
    assert link.evidence["suspicious"] is False and link.evidence["title_similarity"] > 0.6


def test_eudract_with_and_without_prefix_and_suffix_link() -> None:
    nct = rec("NCT04315948", "Trial of Treatments for COVID-19 in Hospitalized Adults (DisCoVeRy)",
              "2020-000936-23", registry="ClinicalTrials.gov")
    eu = rec("EUCTR2020-000936-23-FR", "Trial of treatments for COVID-19 in hospitalized adults", registry="EU-CTR")
    (link,) = link_records([nct, eu])
    assert (link.a, link.b, link.kind) == ("EUCTR2020-000936-23-FR", "NCT04315948", "id")
    assert link.evidence["ids"][0]["id"] == "EUCTR2020-000936-23"


def test_shared_secondary_id_links_across_registries_only() -> None:
    # Nobody in the batch owns the EudraCT number: an NCT and an ISRCTN record citing it are one trial; two NCT
    # records citing it are two trials of one programme.
    a = rec("NCT04000001", "Remdesivir in moderate COVID-19", "2020-000842-32", registry="ClinicalTrials.gov")
    b = rec("ISRCTN12345678", "Remdesivir for moderate COVID-19", "EUCTR2020-000842-32", registry="ISRCTN")
    c = rec("NCT04000002", "Remdesivir in severe COVID-19 extension", "2020-000842-32", registry="ClinicalTrials.gov")
    links = link_records([a, b, c])
    assert {(lk.a, lk.b) for lk in links} == {("ISRCTN12345678", "NCT04000001"), ("ISRCTN12345678", "NCT04000002")}
    assert all(lk.score == 0.9 and lk.evidence["rule"] == "shared secondary id" for lk in links)


def test_id_shared_by_many_unrelated_records_is_ignored_and_reported() -> None:
    owner = rec("ISRCTN86534580", "PRINCIPLE: treatments for suspected coronavirus infection in people aged 50",
                registry="ISRCTN")
    titles = ["Knee osteoarthritis injections of adipose stromal cells", "Heart failure after infarction",
              "Graft versus host disease steroid refractory", "Spinal cord injury in adults",
              "Type 1 diabetes islet transplantation"]
    claimants = [rec(f"NCT0500000{i}", t, "ISRCTN86534580", registry="ClinicalTrials.gov")
                 for i, t in enumerate(titles)]
    report = link_report([owner, *claimants], probabilistic=False)
    assert report.links == []
    (ignored,) = report.ignored_ids
    assert ignored.key == "ISRCTN86534580" and len(ignored.records) == 6
    assert "titles disagree" in ignored.reason


def test_id_shared_by_many_records_of_one_trial_still_links() -> None:
    # One EU trial cited by its NCT, ISRCTN, DRKS and ANZCTR records: titles agree, so the ID is trusted.
    title = "Convalescent plasma for hospitalised adults with COVID-19 pneumonia"
    others = [rec(i, title, "2020-001936-86", registry=r) for i, r in
              [("NCT04400001", "ClinicalTrials.gov"), ("ISRCTN11111111", "ISRCTN"), ("DRKS00021111", "DRKS"),
               ("ACTRN12620000001001", "ANZCTR")]]
    owner = rec("2020-001936-86", title, registry="EU-CTR")
    report = link_report([owner, *others], probabilistic=False)
    assert report.ignored_ids == []
    assert len(report.links) == 4 and all(lk.a == "2020-001936-86" or lk.b == "2020-001936-86" for lk in report.links)


def test_suspicious_id_link_is_kept_but_flagged() -> None:
    a = rec("NCT04100001", "Mesenchymal cells for knee osteoarthritis", "DRKS00021134", registry="ClinicalTrials.gov")
    b = rec("DRKS00021134", "Hydroxychloroquine prophylaxis for health care workers", registry="DRKS")
    (link,) = link_records([a, b])
    assert link.evidence["suspicious"] is True and link.score == pytest.approx(0.8)


def test_same_primary_id_from_two_sources_is_one_record(ictrp_csv: list[TrialRecord],
                                                        seed_castem: TrialRecord) -> None:
    (row,) = pick(ictrp_csv, "ChiCTR2000031139")
    assert seed_castem.id == row.id == "ChiCTR2000031139"
    assert seed_castem.source.format == "hpscreg_text" and row.source.format == "ictrp_table"
    vs, spellings = distinct_records([seed_castem, row])
    assert len(vs) == 1 and spellings == []
    # The pooled view keeps what either copy has: the ICTRP row's official title and the seed's product name.
    assert vs[0].official_title and "CAStem" in vs[0].products
    assert link_records([seed_castem, row]) == []


def test_one_record_under_two_spellings_gets_a_same_record_link() -> None:
    a = rec("2020-001162-12", "Sarilumab COVID-19", registry="EU-CTR")
    b = rec("EUCTR2020-001162-12-FR", "Sarilumab COVID-19", registry="EU-CTR")
    (link,) = link_records([a, b])
    assert (link.a, link.b, link.kind, link.score) == ("2020-001162-12", "EUCTR2020-001162-12-FR", "id", 1.0)
    assert link.evidence["rule"] == "same primary id"


def test_nct_alias_links_to_the_record_filed_under_it() -> None:
    # CT.gov keeps an obsolete NCT number of a merged duplicate as an alias (a secondary ID); a record another
    # source still files under the alias is the same trial.
    current = rec("NCT04315948", "Trial of Treatments for COVID-19 in Hospitalized Adults", "NCT04300001",
                  registry="ClinicalTrials.gov")
    current["registry_ids"][1]["registry"] = "ClinicalTrials.gov"
    assert current["registry_ids"][1] == {"id": "NCT04300001", "registry": "ClinicalTrials.gov", "kind": "secondary"}
    old = rec("NCT04300001", "Trial of treatments for COVID-19 in hospitalized adults", registry="ClinicalTrials.gov")
    (link,) = link_records([current, old])
    assert (link.a, link.b, link.kind, link.score) == ("NCT04300001", "NCT04315948", "id", 1.0)
