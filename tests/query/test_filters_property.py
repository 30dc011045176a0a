"""Search results respect every filter (property tests over the real sample).

Hypothesis draws Filters from the values that actually occur in the database (statuses, phases, countries, study
types, registries, sponsors — in varying letter case), plus ages (every age bound in the data and random ones), sex,
start years, healthy volunteers, and free-text words and phrases taken from real titles. For each draw:

- every returned record satisfies every filter, checked in Python against its record JSON (``searchdb`` oracles);
- the result set is exactly what a brute-force Python filter over all records finds, so ``total`` is right too, and
  the default order (newest start first, then ID) holds;
- with free text, the result set is exactly the records whose indexed text contains the words/phrases (or a
  synonym) — filters and text compose as an intersection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from searchdb import facet_values, failed_checks, fts_columns, q_matches, tokens
from stemtrials.query.search import Filters, count, search

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Universe:
    values: dict[str, list[str]]
    ages: list[float]
    years: list[int]
    title_words: list[list[str]]
    """Each title's ASCII words, in order (for words and adjacent-word phrases)."""
    columns: dict[str, list[list[str]]]
    """Each record's tokenized FTS columns."""


@pytest.fixture(scope="module")
def universe(sample_records: dict[str, dict[str, Any]]) -> Universe:
    values: dict[str, set[str]] = {}
    ages: set[float] = set()
    years: set[int] = set()
    titles: list[list[str]] = []
    for rec in sample_records.values():
        for name, vs in facet_values(rec).items():
            values.setdefault(name, set()).update(vs)
        for key in ("min_age_years", "max_age_years"):
            if rec["eligibility"].get(key) is not None:
                ages.add(rec["eligibility"][key])
        fv = facet_values(rec)
        if fv["start_year"]:
            years.add(int(fv["start_year"][0]))
        words = [w for w in tokens(rec.get("title") or "") if re.fullmatch(r"[a-z0-9]+", w)]
        if words:
            titles.append(words)
    return Universe({k: sorted(v) for k, v in values.items()}, sorted(ages), sorted(years), titles,
                    {tid: fts_columns(rec) for tid, rec in sample_records.items()})


def _cased(value: str) -> st.SearchStrategy[str]:
    return st.sampled_from([value, value.upper(), value.lower(), value.title()])


def _some(values: list[str], extra: tuple[str, ...] = ()) -> st.SearchStrategy[list[str]]:
    """One to three values (a value the data doesn't have now and then), in any letter case."""
    pick = st.sampled_from(values + list(extra)).flatmap(_cased)
    return st.lists(pick, min_size=1, max_size=3)


FILTER_NAMES = ("status", "phase", "study_type", "registry", "country", "sponsor", "start_year_min", "start_year_max",
                "age", "sex", "healthy_volunteers", "stem_cell_only")


@st.composite
def filters(draw: st.DrawFn, u: Universe) -> Filters:
    """Up to four filters at a time (all of them at once would select nothing), each drawn from the real values."""
    maybe_year = st.one_of(st.sampled_from(u.years), st.integers(1990, 2030))
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "status": _some(u.values["status"], ("no_such_status",)),
        "phase": _some(u.values["phase"]),
        "study_type": _some(u.values["study_type"]),
        "registry": _some(u.values["registry"], ("ISRCTN",)),
        "country": _some(u.values["country"], ("Atlantis",)),
        "sponsor": st.lists(st.sampled_from(u.values["sponsor"]), min_size=1, max_size=2),
        "start_year_min": maybe_year,
        "start_year_max": maybe_year,
        "age": st.one_of(st.sampled_from(u.ages), st.floats(0, 110, allow_nan=False).map(lambda a: round(a, 2))),
        "sex": st.sampled_from(["female", "male"]),
        "healthy_volunteers": st.booleans(),
        "stem_cell_only": st.just(True),
    }
    names = draw(st.lists(st.sampled_from(FILTER_NAMES), max_size=4, unique=True))
    return Filters(**{name: draw(strategies[name], label=name) for name in names})


@st.composite
def text_query(draw: st.DrawFn, u: Universe) -> str:
    """One or two words of a real title, or a quoted phrase of two adjacent title words (plus a word)."""
    words = draw(st.sampled_from(u.title_words))
    i = draw(st.integers(0, len(words) - 1))
    kind = draw(st.sampled_from(["word", "two words", "phrase"]))
    if kind == "word" or len(words) == 1:
        return words[i]
    j = min(i + 1, len(words) - 1) if kind == "phrase" else draw(st.integers(0, len(words) - 1))
    if kind == "phrase" and i != j:
        return f'"{words[i]} {words[j]}"' + draw(st.sampled_from(["", f" {words[0]}"]))
    return f"{words[i]} {words[j]}"


def _expected_order(records: dict[str, dict[str, Any]], ids: set[str]) -> list[str]:
    """Newest start date first (missing dates last), then trial ID — the default order without text."""
    by_id = sorted(ids)
    return sorted(by_id, key=lambda i: (records[i]["dates"].get("start") or {}).get("date") or "", reverse=True)


def _bucket(n: int) -> str:
    """How many trials a draw selects, for ``--hypothesis-show-statistics`` (draws must not all select nothing)."""
    return "results: 0" if n == 0 else "results: 1-9" if n < 10 else "results: 10-99" if n < 100 else "results: 100+"


def _all(engine: Engine, f: Filters, n: int) -> list[Any]:
    res = search(engine, f, limit=n + 1)
    assert res.next is None
    assert res.total == len(res.hits)
    return res.hits


@SETTINGS
@given(data=st.data())
def test_results_respect_every_filter(data: st.DataObject, sample_engine: Engine,
                                      sample_records: dict[str, dict[str, Any]], universe: Universe) -> None:
    f = data.draw(filters(universe), label="filters")
    hits = _all(sample_engine, f, len(sample_records))
    for hit in hits:
        assert not failed_checks(hit.record, f), (hit.id, failed_checks(hit.record, f))
    expected = {tid for tid, rec in sample_records.items() if not failed_checks(rec, f)}
    event(_bucket(len(expected)))
    got = [h.id for h in hits]
    assert set(got) == expected, (sorted(set(got) - expected)[:5], sorted(expected - set(got))[:5])
    assert got == _expected_order(sample_records, expected)
    assert count(sample_engine, f) == len(expected)


@SETTINGS
@given(data=st.data())
def test_text_and_filters_intersect(data: st.DataObject, sample_engine: Engine,
                                    sample_records: dict[str, dict[str, Any]], universe: Universe) -> None:
    q = data.draw(text_query(universe), label="q")
    f = data.draw(filters(universe), label="filters")
    f.q = q
    hits = _all(sample_engine, f, len(sample_records))
    expected = {tid for tid, rec in sample_records.items()
                if q_matches(universe.columns[tid], q) and not failed_checks(rec, f)}
    event(_bucket(len(expected)))
    got = {h.id for h in hits}
    assert got == expected, (q, sorted(got - expected)[:5], sorted(expected - got)[:5])
    scores = [h.score for h in hits]
    assert all(s is not None for s in scores)
    assert scores == sorted(scores)  # relevance: best (lowest bm25) first


def test_strategies_reach_the_data(sample_engine: Engine, universe: Universe) -> None:
    """The value pools are the real ones (so draws select real subsets, not nothing)."""
    assert {"recruiting", "completed", "unknown"} <= set(universe.values["status"])
    assert len(universe.values["country"]) > 30 and len(universe.values["sponsor"]) > 500
    assert len(universe.ages) > 10 and len(universe.title_words) > 1000
    assert 0 < count(sample_engine, Filters(country=["CHINA"], age=40, sex="female")) < 1000
