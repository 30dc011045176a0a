"""Studies from links and curators' decisions: union-find with cannot-link splits, strongest links first."""

from __future__ import annotations

import random

from stemtrials.link import Link, studies


def idl(a: str, b: str, score: float = 1.0) -> Link:
    return Link(*sorted((a, b)), "id", score, {"rule": "names primary id"})


def prob(a: str, b: str, score: float, weight: float = 10.0) -> Link:
    return Link(*sorted((a, b)), "probabilistic", score, {"match_weight": weight})


def test_components_and_singletons() -> None:
    ids = ["ChiCTR2000031139", "NCT04331613", "2020-000936-23", "NCT04315948", "ISRCTN86534580"]
    got = studies(ids, [idl("2020-000936-23", "NCT04315948")])
    assert got == {"ChiCTR2000031139": "ChiCTR2000031139", "NCT04331613": "NCT04331613",
                   "2020-000936-23": "NCT04315948", "NCT04315948": "NCT04315948",
                   "ISRCTN86534580": "ISRCTN86534580"}
    assert list(got) == ids  # the caller's order


def test_study_id_prefers_nct_then_earliest_registered_then_smallest() -> None:
    links = [idl("2020-000936-23", "ISRCTN11111111"), idl("DRKS00021111", "ISRCTN11111111")]
    ids = ["2020-000936-23", "DRKS00021111", "ISRCTN11111111"]
    assert set(studies(ids, links).values()) == {"2020-000936-23"}
    registered = {"2020-000936-23": "2020-03-20", "DRKS00021111": "2020-03-02", "ISRCTN11111111": "2020-04-01"}
    assert set(studies(ids, links, registered=registered).values()) == {"DRKS00021111"}
    with_nct = [*links, idl("NCT04315948", "ISRCTN11111111"), idl("NCT04315947", "NCT04315948")]
    assert set(studies([*ids, "NCT04315948", "NCT04315947"], with_nct, registered=registered).values()) == {
        "NCT04315947"}


def test_split_is_a_cannot_link_constraint() -> None:
    # A–B by ID, B–C probabilistically; the curator split A from C: C stays out, whatever the path.
    ids = ["A", "B", "C"]
    links = [idl("A", "B"), prob("B", "C", 0.99)]
    assert studies(ids, links) == {"A": "A", "B": "A", "C": "A"}
    assert studies(ids, links, split=[("C", "A")]) == {"A": "A", "B": "A", "C": "C"}


def test_stronger_links_win_against_a_split() -> None:
    # Split A|C; C links to A's study by a weak probabilistic link and to D by an ID link: C joins D, and the
    # weak link is the one dropped.
    ids = ["A", "B", "C", "D"]
    links = [prob("B", "C", 0.9), idl("A", "B"), idl("C", "D")]
    got = studies(ids, links, split=[("A", "C")])
    assert got["A"] == got["B"] == "A" and got["C"] == got["D"] == "C"


def test_probabilistic_links_apply_by_score() -> None:
    # X–Y and X–Z both probabilistic, Y|Z split: the higher-scoring one wins.
    ids = ["X", "Y", "Z"]
    got = studies(ids, [prob("X", "Y", 0.95, 9.0), prob("X", "Z", 0.999, 14.0)], split=[("Y", "Z")])
    assert got == {"X": "X", "Y": "Y", "Z": "X"}


def test_confirmed_pairs_join_and_come_first() -> None:
    ids = ["A", "B", "C"]
    assert studies(ids, [], confirmed=[("B", "C")]) == {"A": "A", "B": "B", "C": "B"}
    # Confirmed B–C beats the ID link A–B when A|C is split.
    got = studies(ids, [idl("A", "B")], confirmed=[("B", "C")], split=[("A", "C")])
    assert got == {"A": "A", "B": "B", "C": "B"}


def test_confirmed_and_split_same_pair_stays_apart() -> None:
    assert studies(["A", "B"], [idl("A", "B")], confirmed=[("A", "B")], split=[("B", "A")]) == {"A": "A", "B": "B"}


def test_unknown_ids_in_links_and_decisions_are_ignored() -> None:
    got = studies(["A", "B"], [idl("A", "Q")], confirmed=[("B", "R")], split=[("A", "S")])
    assert got == {"A": "A", "B": "B"}


def test_curator_decisions_survive_relinking() -> None:
    # Decisions are pairs of record ids, not link rows: recomputed links (a re-import) meet the same constraints.
    ids = ["ChiCTR2000031139", "NCT04331613", "NCT04336254", "ChiCTR2000031319"]
    first = [prob("ChiCTR2000031139", "NCT04331613", 0.97), prob("ChiCTR2000031319", "NCT04336254", 0.999)]
    split = [("ChiCTR2000031139", "NCT04331613")]
    confirmed = [("ChiCTR2000031319", "NCT04336254")]
    before = studies(ids, first, confirmed, split)
    after = studies(ids, [prob("ChiCTR2000031139", "NCT04331613", 0.999)], confirmed, split)
    assert before == after
    assert after["ChiCTR2000031139"] != after["NCT04331613"]
    assert after["ChiCTR2000031319"] == after["NCT04336254"] == "NCT04336254"


def test_deterministic_whatever_the_order() -> None:
    rng = random.Random(7)
    ids = [f"R{i:03d}" for i in range(60)]
    links = [prob(*sorted(rng.sample(ids, 2)), round(rng.random(), 3), rng.random() * 20) for _ in range(80)]
    split = [tuple(sorted(rng.sample(ids, 2))) for _ in range(15)]
    expected = studies(ids, links, split=split)
    for _ in range(5):
        shuffled = links[:]
        rng.shuffle(shuffled)
        assert studies(list(reversed(ids)), shuffled, split=list(reversed(split))) == expected
        # and no study holds a split pair
        assert all(expected[a] != expected[b] for a, b in split)
