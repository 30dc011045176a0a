"""Free text, ranking, sorting and cursor pagination on the real sample.

The oracles in ``searchdb`` re-tokenize each record's indexed text in Python, so "finds" means: exactly the records
whose text holds the words, phrases or synonyms — not merely "returns something".
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from searchdb import fts_columns, has_phrase, q_matches, tokens, word_matches
from stemtrials.query.fulltext import fts_query
from stemtrials.query.search import SORTS, Filters, QueryError, encode_cursor, search

Records = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def columns(sample_records: Records) -> dict[str, list[list[str]]]:
    return {tid: fts_columns(rec) for tid, rec in sample_records.items()}


def ids(engine: Engine, f: Filters, **kw: Any) -> list[str]:
    res = search(engine, f, limit=5000, **kw)
    assert res.next is None and res.total == len(res.hits)
    return [h.id for h in res.hits]


def oracle(columns: dict[str, list[list[str]]], q: str) -> set[str]:
    return {tid for tid, cols in columns.items() if q_matches(cols, q)}


def anywhere(cols: list[list[str]], *words: str) -> bool:
    return any(w in col for col in cols for w in words)


# ---------------------------------------------------------------- synonyms
@pytest.mark.parametrize(("q", "expansion", "own_words"), [
    ("MSC", "mesenchymal stromal cells", ("msc", "mscs")),
    ("GVHD", "graft-versus-host", ("gvhd", "agvhd", "cgvhd")),
    ("gvhd", "graft vs host", ("gvhd", "agvhd", "cgvhd")),
    ("ALS", "amyotrophic lateral sclerosis", ("als",)),
])
def test_abbreviation_finds_its_expansion(q: str, expansion: str, own_words: tuple[str, ...], sample_engine: Engine,
                                          columns: dict[str, list[list[str]]]) -> None:
    got = set(ids(sample_engine, Filters(q=q)))
    spelled_out = {tid for tid, cols in columns.items() if has_phrase(cols, tokens(expansion))}
    only_spelled_out = {tid for tid in spelled_out if not anywhere(columns[tid], *own_words)}
    assert only_spelled_out, f"the sample should have records saying {expansion!r} but never {q!r}"
    assert spelled_out <= got, sorted(spelled_out - got)[:5]
    assert got == oracle(columns, q)


def test_expansion_does_not_find_the_abbreviation_only(sample_engine: Engine,
                                                       columns: dict[str, list[list[str]]]) -> None:
    """Synonyms are one-way where the list says so: "graft versus host" is a phrase, "GVHD" alone doesn't match it."""
    got = set(ids(sample_engine, Filters(q='"graft versus host"')))
    assert got == oracle(columns, '"graft versus host"')
    assert all(has_phrase(columns[tid], ["graft", "versus", "host"]) for tid in got)


# ---------------------------------------------------------------- phrases and words
def test_quoted_phrase_needs_adjacent_words(sample_engine: Engine, columns: dict[str, list[list[str]]]) -> None:
    phrase = set(ids(sample_engine, Filters(q='"knee osteoarthritis"')))
    words = set(ids(sample_engine, Filters(q="knee osteoarthritis")))
    assert phrase == oracle(columns, '"knee osteoarthritis"')
    assert words == oracle(columns, "knee osteoarthritis")
    assert phrase and phrase < words  # every phrase hit has both words; some word hits aren't adjacent
    assert all(has_phrase(columns[tid], ["knee", "osteoarthritis"]) for tid in phrase)


def test_last_word_is_a_prefix(sample_engine: Engine, columns: dict[str, list[list[str]]]) -> None:
    got = set(ids(sample_engine, Filters(q="osteoarth")))
    assert got == oracle(columns, "osteoarth") and got
    assert set(ids(sample_engine, Filters(q="osteoarthritis"))) <= got  # the full word is among the prefix's
    assert not ids(sample_engine, Filters(q='"osteoarth"'))  # a quoted phrase is exact


def test_words_are_anded_case_and_accents_ignored(sample_engine: Engine) -> None:
    both = set(ids(sample_engine, Filters(q="crohn fistula")))
    assert both and both <= set(ids(sample_engine, Filters(q="crohn"))) & set(ids(sample_engine, Filters(q="fistula")))
    assert set(ids(sample_engine, Filters(q="CROHN Fistula"))) == both
    assert set(ids(sample_engine, Filters(q="crôhn fístula"))) == both


NASTY = ['"', '""', '" "', "'", "NEAR(a b)", "title:stem", "stem*", "*", "^stem", "stem OR", "AND", "NOT cell",
         "(", ")", "a:b:c", "-cell", "+cell", "{title}: cell", "cell\x00", "💥 cell", "İstanbul", "ß", "___", "_",
         "%", "\\", "cell'; DROP TABLE trials; --", "x" * 500, " ".join(["cell"] * 60), "c\u0301ell", "\u200b"]


@pytest.mark.parametrize("q", NASTY)
def test_fts_syntax_in_user_input_never_errors(q: str, sample_engine: Engine) -> None:
    res = search(sample_engine, Filters(q=q), limit=3, with_facets=True)
    assert res.total >= len(res.hits)


@settings(max_examples=150, deadline=None)
@given(q=st.text(max_size=40))
def test_any_text_is_a_valid_query(q: str, sample_engine: Engine) -> None:
    res = search(sample_engine, Filters(q=q), limit=2)
    assert res.total >= len(res.hits)
    match = fts_query(q)
    assert match is None or match.count('"') % 2 == 0


# ---------------------------------------------------------------- ranking
def _title_hit(cols: list[list[str]], q: str) -> bool:
    """Whether the title (title, official title, acronym) holds any of the query's words or phrases."""
    title = [cols[0]]
    words = tokens(q)
    return any(word_matches(title, w, i == len(words) - 1) for i, w in enumerate(words))


@pytest.mark.parametrize("q", ["osteoarthritis", "knee", "GVHD", "stroke", "lupus", "cartilage", "covid",
                               "mesenchymal", "MSC", "heart failure", "spinal cord injury", "sepsis"])
def test_title_matches_rank_first(q: str, sample_engine: Engine, columns: dict[str, list[list[str]]]) -> None:
    res = search(sample_engine, Filters(q=q), limit=5000)
    tiers = [_title_hit(columns[h.id], q) for h in res.hits]
    assert tiers[0], f"top hit for {q!r} has no query word in its title"
    assert tiers == sorted(tiers, reverse=True), f"{q!r}: a title match ranks below a trial without one"
    full = [q_matches([columns[h.id][0]], q) for h in res.hits]
    assert full.index(True) == 0
    scores = [h.score for h in res.hits]
    assert scores == sorted(scores)  # type: ignore[type-var]


# ---------------------------------------------------------------- sorting and cursors
def _key(sort: str, rec: dict[str, Any]) -> Any:
    if sort == "enrollment":
        n = rec["enrollment"].get("count")
        return n if n is not None else -1
    field = {"start_date": "start", "last_update": "last_update", "relevance": "start"}[sort]
    return (rec["dates"].get(field) or {}).get("date") or ""


def expected_order(records: Records, found: list[str], sort: str) -> list[str]:
    """Descending by the sort's value, missing values last, ties by trial ID (ascending)."""
    return sorted(sorted(found), key=lambda tid: _key(sort, records[tid]), reverse=True)


WALKS = [Filters(), Filters(q="knee"), Filters(q="MSC", status=["completed", "recruiting"]),
         Filters(country=["China"], age=30), Filters(q='"stem cell" transplantation')]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("f", WALKS, ids=["all", "knee", "MSC+status", "China+age", "phrase+word"])
def test_cursor_walk_yields_each_trial_once_in_order(f: Filters, sort: str, sample_engine: Engine,
                                                     sample_records: Records) -> None:
    whole = search(sample_engine, f, limit=5000, sort=sort)
    assert whole.next is None and whole.total == len(whole.hits) > 0
    size = max(7, whole.total // 12)
    walked: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = search(sample_engine, f, limit=size, cursor=cursor, sort=sort)
        assert page.total == whole.total
        assert len(page.hits) <= size
        walked.extend(h.id for h in page.hits)
        pages += 1
        if page.next is None:
            break
        assert len(page.hits) == size
        cursor = page.next
        assert pages < 1000
    assert walked == [h.id for h in whole.hits]
    assert len(set(walked)) == len(walked) == whole.total
    if sort == "relevance" and f.q:
        scores = [h.score for h in whole.hits]
        ties = [(s, tid) for s, tid in zip(scores, walked, strict=True)]
        assert ties == sorted(ties)  # type: ignore[type-var]
    else:
        assert walked == expected_order(sample_records, walked, sort)


def test_default_sort(sample_engine: Engine, sample_records: Records) -> None:
    """Relevance with text, newest start date without (also when relevance is asked for without text)."""
    assert [h.id for h in search(sample_engine, Filters(q="knee"), limit=50).hits] == \
        [h.id for h in search(sample_engine, Filters(q="knee"), limit=50, sort="relevance").hits]
    no_text = [h.id for h in search(sample_engine, Filters(), limit=50).hits]
    assert no_text == [h.id for h in search(sample_engine, Filters(), limit=50, sort="relevance").hits]
    assert no_text == expected_order(sample_records, list(sample_records), "start_date")[:50]


def test_unknown_sort_is_a_query_error(sample_engine: Engine) -> None:
    with pytest.raises(QueryError, match="unknown sort"):
        search(sample_engine, Filters(), sort="title")


def _b64(obj: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


BAD_CURSORS = ["garbage!", "a", "e30", _b64({"a": 1}), _b64([1]), _b64([1, 2, 3]), _b64(["2020", 5]),
               _b64([None, "NCT1"]), _b64([[1], "NCT1"]), _b64([True, "NCT1"]), _b64([10**30, "NCT1"]),
               base64.urlsafe_b64encode(b"[NaN, \"NCT1\"]").decode(), base64.urlsafe_b64encode(b"\xff\xfe").decode(),
               "////", "%%%"]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
@pytest.mark.parametrize("sort", ["start_date", "enrollment", "relevance"])
def test_bad_cursor_is_a_query_error(cursor: str, sort: str, sample_engine: Engine) -> None:
    with pytest.raises(QueryError, match="invalid cursor"):
        search(sample_engine, Filters(q="knee"), cursor=cursor, sort=sort)


def test_cursor_past_the_end_is_an_empty_page(sample_engine: Engine) -> None:
    res = search(sample_engine, Filters(), cursor=encode_cursor("", "~"), sort="start_date")
    assert res.hits == [] and res.next is None and res.total > 0
