"""Full-text matching on either backend: user text → a parsed query → FTS5 ``MATCH`` or a PostgreSQL ``tsquery``.

One parse, two renderings, so both backends find the same trials: quoted phrases stay phrases; other words are AND-ed;
a word with known synonyms matches any of them; the last word also matches as a prefix (type-ahead). Words are folded
exactly as the index folds text (store/fulltext.py), and rendered quoted, so operators and punctuation in user input
never reach the query parser. Ranking differs by backend (BM25 on SQLite, ts_rank on PostgreSQL) but follows the same
field weights, and on both a title match ranks first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import TextClause, text

from ..store.fulltext import PG_WEIGHTS, tokens
from .synonyms import SYNONYMS

# BM25 weights per FTS5 column: trial_id (unindexed), title, conditions, interventions, body.
BM25_WEIGHTS = (0.0, 10.0, 5.0, 3.0, 1.0)
# Weights alone don't guarantee that title matches come first (a short conditions column, or a query word so common
# that FTS5 clamps its IDF, can outrank a long title): a trial whose title holds a query word or phrase gets this
# bonus, so relevance orders title matches first, each tier by the weighted score.
TITLE_ONLY_WEIGHTS = (0.0, 1.0, 0.0, 0.0, 0.0)
TITLE_TIER = -1.0e6
# ts_rank's weights, ordered {D, C, B, A}: the BM25 column weights scaled to ts_rank's 0..1 range.
TS_RANK_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"
assert tuple(PG_WEIGHTS.values()) == ("A", "B", "C", "D")


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    prefix: bool = False  # the last word also matches longer words


Clause = tuple[Phrase, ...]
"""Alternatives: a trial matches the clause when it contains any of them."""


def parse(q: str) -> list[Clause]:
    """The clauses (all must match) of user text; empty when it holds no word."""
    clauses: list[Clause] = []
    for phrase in re.findall(r'"([^"]+)"', q):
        words = tuple(tokens(phrase))
        if words:
            clauses.append((Phrase(words),))
    rest = tokens(re.sub(r'"[^"]*"', " ", q))
    for i, word in enumerate(rest):
        alternatives = [Phrase((word,), prefix=i == len(rest) - 1 and len(word) >= 3)]
        for synonym in SYNONYMS.get(word, ()):
            words = tuple(tokens(synonym))
            if words:
                alternatives.append(Phrase(words))
        clauses.append(tuple(alternatives))
    return clauses


def _fts5_phrase(p: Phrase) -> str:
    return '"' + " ".join(p.words) + '"' + ("*" if p.prefix else "")


def to_fts5(clauses: list[Clause]) -> str | None:
    parts = [_fts5_phrase(c[0]) if len(c) == 1 else "(" + " OR ".join(map(_fts5_phrase, c)) + ")" for c in clauses]
    return " AND ".join(parts) if parts else None


def _ts_phrase(p: Phrase) -> str:
    words = [f"'{w}'" for w in p.words]
    if p.prefix:
        words[-1] += ":*"
    return words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")"


def to_tsquery(clauses: list[Clause]) -> str | None:
    parts = [_ts_phrase(c[0]) if len(c) == 1 else "(" + " | ".join(map(_ts_phrase, c)) + ")" for c in clauses]
    return " & ".join(parts) if parts else None


def fts_query(q: str) -> str | None:
    """User text → a safe FTS5 query."""
    return to_fts5(parse(q))


def ranked(dialect: str, q: str) -> tuple[TextClause, dict[str, str]] | None:
    """SQL yielding ``(key, score)`` for the trials matching ``q`` (lower score ranks first), with its bound
    parameters; None when ``q`` holds no word or the backend has no full-text index. The key is the index row's
    rowid on SQLite — reading the trial_id column there would load each matching document's whole text from the
    FTS5 content table, ten times the cost of the match — and the trial ID on PostgreSQL (TrialIndex.text_keys maps
    either to a trial)."""
    clauses = parse(q)
    if not clauses:
        return None
    if dialect == "sqlite":
        weights = ", ".join(map(str, BM25_WEIGHTS))
        title_only = ", ".join(map(str, TITLE_ONLY_WEIGHTS))
        return text(
            f"SELECT rowid, bm25(trials_fts, {weights}) + CASE WHEN bm25(trials_fts, {title_only}) < 0 "
            f"THEN {TITLE_TIER} ELSE 0 END AS score FROM trials_fts WHERE trials_fts MATCH :match"
        ), {"match": to_fts5(clauses) or ""}
    if dialect == "postgresql":
        # The title tier as on SQLite: ts_filter keeps the title's (weight A) lexemes, and the title matches when it
        # holds any of the query's phrases.
        any_phrase = " | ".join(_ts_phrase(p) for clause in clauses for p in clause)
        return text(
            f"SELECT trial_id, -ts_rank('{TS_RANK_WEIGHTS}', document, query) + CASE WHEN "
            f"ts_filter(document, '{{a}}') @@ to_tsquery('simple', :title_any) THEN {TITLE_TIER} ELSE 0 END "
            "AS score FROM trials_fts, to_tsquery('simple', :match) AS query WHERE document @@ query"
        ), {"match": to_tsquery(clauses) or "", "title_any": any_phrase}
    return None
