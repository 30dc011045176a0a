"""The full-text index, one row per trial, on either backend.

SQLite: the FTS5 virtual table ``trials_fts`` (tokenizer unicode61, diacritics removed). PostgreSQL: the table
``trials_fts`` with a weighted ``tsvector`` (title A, conditions B, interventions C, body D) under a GIN index. Both
are built by migration 0001 and written here only, so search has the same tokens on both: text is folded by
:func:`tokens` (the unicode61 rule — letters and digits, diacritics and case removed) before PostgreSQL sees it, and
PostgreSQL's ``simple`` configuration then keeps those tokens as they are (no stemming, no stop words), as FTS5 does.
"""

from __future__ import annotations

import json
import re
import unicodedata

from sqlalchemy import Connection, text

from ..model import TrialRecord

COLUMNS = ("title", "conditions", "interventions", "body")
# PostgreSQL weight letter per column; ts_rank's weights array is ordered {D, C, B, A}.
PG_WEIGHTS = {"title": "A", "conditions": "B", "interventions": "C", "body": "D"}

# unicode61 keeps letters (L*), numbers (N*) and private-use characters inside tokens; everything else separates.
_TOKEN = re.compile(r"[^\W_]+")


def fold(value: str) -> str:
    """Lower case without diacritics ('Sjögren' → 'sjogren'), as unicode61 with remove_diacritics does. Canonical
    decomposition only: unicode61 keeps ligatures and superscripts ('ﬃ', '²') as they are, which NFKD would turn into
    letters (the PostgreSQL index then found 'efficacy' in a text that says 'eﬃcacy' and SQLite's did not)."""
    decomposed = unicodedata.normalize("NFD", value.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(value: str) -> list[str]:
    return _TOKEN.findall(fold(value))


def index_row(record: TrialRecord) -> dict[str, str]:
    """The text of a record per weighted column: what search finds it by."""
    def join(parts: list[str | None]) -> str:
        return "\n".join(p for p in parts if p)

    conditions: list[str | None] = []
    for cond in record.conditions:
        conditions.append(cond.text)
        conditions.extend(t.label for t in cond.terms)
    conditions.extend(m.label for m in record.condition_mesh)
    conditions.extend(record.keywords)
    interventions: list[str | None] = []
    for iv in record.interventions:
        interventions.append(iv.name)
        interventions.extend(iv.other_names)
    for product in record.cell_products:
        interventions.append(product.name)
        if product.cell_type:
            interventions.append(product.cell_type.label)
        if product.source_tissue:
            interventions.append(product.source_tissue.label)
    return {
        "trial_id": record.id,
        "title": join([record.title, record.official_title, record.acronym]),
        "conditions": join(conditions),
        "interventions": join(interventions),
        "body": join([record.brief_summary, record.detailed_description, record.eligibility.text,
                      *(iv.description for iv in record.interventions)]),
    }


_PG_DOCUMENT = " || ".join(f"setweight(to_tsvector('simple', :{c}_tokens), '{w}')" for c, w in PG_WEIGHTS.items())


def put(conn: Connection, record: TrialRecord, *, fresh: bool = False) -> None:
    """Index the record's current version, replacing what was indexed for it unless it is ``fresh`` (new)."""
    if not fresh:
        delete(conn, record.id)
    row = index_row(record)
    if conn.dialect.name == "sqlite":
        conn.execute(text("INSERT INTO trials_fts (trial_id, title, conditions, interventions, body) "
                          "VALUES (:trial_id, :title, :conditions, :interventions, :body)"), row)
    elif conn.dialect.name == "postgresql":
        params = {"trial_id": row["trial_id"], **{f"{c}_tokens": " ".join(tokens(row[c])) for c in COLUMNS}}
        conn.execute(text(f"INSERT INTO trials_fts (trial_id, document) VALUES (:trial_id, {_PG_DOCUMENT})"), params)


def delete(conn: Connection, trial_id: str) -> None:
    if conn.dialect.name in ("sqlite", "postgresql"):
        conn.execute(text("DELETE FROM trials_fts WHERE trial_id = :id"), {"id": trial_id})


def rebuild(conn: Connection) -> int:
    """Re-index every trial from its stored record (after a restore, say); returns the number indexed."""
    if conn.dialect.name not in ("sqlite", "postgresql"):
        return 0
    conn.execute(text("DELETE FROM trials_fts"))
    n = 0
    # Streamed (a server-side cursor on PostgreSQL): a restore's memory must not grow with the store.
    rows = conn.execute(text("SELECT record_json FROM trials ORDER BY id").execution_options(yield_per=500))
    for (record_json,) in rows:
        put(conn, TrialRecord.model_validate(json.loads(record_json)), fresh=True)
        n += 1
    return n
