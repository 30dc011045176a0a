"""Probabilistic links (splink on DuckDB) on real ICTRP records: the CAStem pair stays apart, real cross-registrations
link with their evidence, the product-name guard, one registry per side, offline DuckDB, determinism."""

from __future__ import annotations

import pytest

from stemtrials.link import link_records, link_report, studies
from stemtrials.link.guard import guard, title_agreement
from stemtrials.link.probabilistic import connect, probabilistic_links
from stemtrials.link.view import view
from stemtrials.model import TrialRecord


def pick(records: list[TrialRecord], *ids: str) -> list[TrialRecord]:
    by_id = {r.id: r for r in records}
    return [by_id[i] for i in ids]


def test_castem_trials_stay_apart(ictrp_csv: list[TrialRecord], seed_castem: TrialRecord) -> None:
    """Must show: ChiCTR2000031139 from the ICTRP CSV and from the hPSCreg seed form one study; NCT04331613 does not
    join it (two different trials of the same product, CAStem)."""
    chictr, nct = pick(ictrp_csv, "ChiCTR2000031139", "NCT04331613")
    records = [chictr, seed_castem, nct]
    links = link_records(records)
    assert links == []
    got = studies([r.id for r in records], links)
    assert got["ChiCTR2000031139"] == "ChiCTR2000031139"
    assert got["NCT04331613"] == "NCT04331613"


def test_castem_guard_refuses_even_below_any_threshold(ictrp_csv: list[TrialRecord],
                                                       seed_castem: TrialRecord) -> None:
    # Whatever splink scores the pair, the titles share only the product and its description, and the sponsors
    # differ: the guard says no.
    chictr, nct = pick(ictrp_csv, "ChiCTR2000031139", "NCT04331613")
    a, b = view(chictr), view(nct)
    a.products.append(seed_castem.cell_products[0].name or "")
    assert not title_agreement(a, b)  # agreement beyond the product: only "COVID-19"
    # Counting product words, the official titles do agree (the same cell description): only a common sponsor or
    # contact and start could then link them — and these records have neither (53 days apart, other sponsor).
    assert title_agreement(a, b, loose=True)
    assert guard(a, b, {"sponsor": "else", "contact": "else", "start_date": "<=1 year", "title": "else"}) is None
    assert probabilistic_links([a, b], threshold=-50.0) == []


def test_castem_stays_apart_among_all_927_records(ictrp_csv: list[TrialRecord], seed_castem: TrialRecord) -> None:
    links = link_records([*ictrp_csv, seed_castem])
    got = studies(sorted({r.id for r in ictrp_csv}), links)
    assert got["ChiCTR2000031139"] != got["NCT04331613"]
    assert not any({lk.a, lk.b} & {"ChiCTR2000031139", "NCT04331613"} for lk in links)


@pytest.mark.parametrize(("chictr", "nct"), [
    ("ChiCTR2000030019", "NCT04275947"),  # The COVID-19 Mobile Health Study (CMHS)
    ("ChiCTR2000029603", "NCT04261907"),  # ASC09/ritonavir vs lopinavir/ritonavir
])
def test_real_cross_registrations_link(ictrp_csv: list[TrialRecord], chictr: str, nct: str) -> None:
    # Neither record names the other: ICTRP's 40-column export carries no secondary IDs.
    report = link_report(ictrp_csv)
    (link,) = [lk for lk in report.links if {lk.a, lk.b} == {chictr, nct}]
    assert link.kind == "probabilistic" and link.a == chictr and link.b == nct
    ev = link.evidence
    assert ev["agreement"] in ("title", "sponsor+start")
    assert set(ev["levels"]) == {"title", "official_title", "sponsor", "start_date", "target_size", "conditions",
                                 "countries", "contact"}
    assert ev["match_weight"] >= 6.0 and 0.0 < link.score <= 1.0
    assert studies([chictr, nct], report.links)[chictr] == nct


def test_same_registry_never_links(ictrp_csv: list[TrialRecord]) -> None:
    (nct,) = pick(ictrp_csv, "NCT04275947")
    twin = nct.model_copy(update={"id": "NCT09999999", "registry_ids": []})
    assert link_records([nct, twin]) == []
    other_registry = nct.model_copy(update={"id": "ISRCTN99999999", "registry": "ISRCTN", "registry_ids": []})
    (link,) = link_records([nct, other_registry])
    assert link.kind == "probabilistic"


def test_one_record_per_registry(ictrp_csv: list[TrialRecord]) -> None:
    # Two ISRCTN copies of an NCT record: the NCT record links to one of them only.
    (nct,) = pick(ictrp_csv, "NCT04275947")
    c1 = nct.model_copy(update={"id": "ISRCTN99999998", "registry": "ISRCTN", "registry_ids": []})
    c2 = nct.model_copy(update={"id": "ISRCTN99999999", "registry": "ISRCTN", "registry_ids": []})
    links = link_records([nct, c1, c2])
    assert len(links) == 1 and "NCT04275947" in (links[0].a, links[0].b)


def test_a_record_naming_its_other_registration_links_to_no_lookalike(ictrp_csv: list[TrialRecord]) -> None:
    (nct,) = pick(ictrp_csv, "NCT04275947")
    lookalike = nct.model_copy(update={"id": "ISRCTN99999999", "registry": "ISRCTN", "registry_ids": []})
    declares = nct.model_copy(update={"registry_ids": [*nct.registry_ids,
                                                       {"id": "ISRCTN12345678", "kind": "secondary"}]})
    assert link_records([declares, lookalike]) == []


def test_json_dicts_and_store_projection_link_like_models(ictrp_csv: list[TrialRecord]) -> None:
    import json

    from stemtrials.store.projection import link_projection

    sample = ictrp_csv[:300]
    expected = link_records(sample)
    assert expected, "the first 300 rows hold cross-registrations"
    assert link_records([r.to_json_dict() for r in sample]) == expected
    assert link_records([json.loads(link_projection(r.to_json_dict())) for r in sample]) == expected


def test_deterministic_and_order_free(ictrp_csv: list[TrialRecord]) -> None:
    sample = ictrp_csv[:400]
    first = link_records(sample)
    again = link_records(list(reversed(sample)))
    assert [(lk.a, lk.b, lk.kind, lk.score, lk.evidence) for lk in first] == [
        (lk.a, lk.b, lk.kind, lk.score, lk.evidence) for lk in again]


def test_duckdb_never_downloads() -> None:
    con = connect()
    try:
        settings = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('autoinstall_known_extensions', 'autoload_known_extensions')").fetchall())
        # Everything the comparisons use is built in (no extension needed).
        assert con.execute("SELECT jaro_winkler_similarity('castem', 'castem'), "
                           "list_has_any(['a'], ['a']), date_diff('day', DATE '2020-01-27', DATE '2020-03-20')"
                           ).fetchone() == (1.0, True, 53)
    finally:
        con.close()
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def test_links_are_json_ready(ictrp_csv: list[TrialRecord]) -> None:
    import json

    for lk in link_records(ictrp_csv[:300]):
        assert json.loads(json.dumps(lk.evidence)) == lk.evidence
