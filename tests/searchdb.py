"""Shared by the search and API tests: the sample database, an ontology-annotated copy, and plain-Python oracles.

- :func:`build_sample_db` — ``stemtrials import ../shared/seeds ../shared/data/ctgov`` through the CLI (≈2,100 real
  records, ≈1,200 trials), built once per test session however many conftests ask for it.
- :func:`build_onto_db` — every record of the sample exported with ``stemtrials export``, a dozen of them given
  condition terms and cell products by hand (:data:`CONDITION_TERMS`, :data:`PRODUCTS`), and imported back as
  ``stemtrials_jsonl`` (which the pipeline does not re-annotate). Ontology filters are tested on these hand-set terms,
  so the tests don't depend on the annotators' current state.
- The oracles (facet values, indexed text, tokenizer, filter predicates) read only the record JSON. They restate the
  contract and the writer's documented indexing rules a second time, independently of ``query/`` and ``store/``, so
  a test compares the code under test with a second implementation rather than with itself.

The fixtures at the end are imported by tests/query/conftest.py and tests/api/conftest.py.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backends import Databases
from helpers import cli
from stemtrials.api import create_app
from stemtrials.query.search import Filters
from stemtrials.query.synonyms import SYNONYMS
from stemtrials.store import open_engine

STEM_CATEGORIES = {"msc", "hsc", "hesc_derived", "hipsc_derived", "neural_stem_cell", "other_stem"}

# Real records and the ontology terms a curator would link to their conditions (condition text → CURIEs). Labels
# come from the shipped snapshot when the fixture is built. A listed record's other conditions are unlinked (so
# NCT03866330's "Glenohumeral Osteoarthritis" stays a text facet value); NCT01159899 is linked to a DOID term only.
CONDITION_TERMS: dict[str, dict[str, list[str]]] = {
    "NCT00850187": {"Knee Osteoarthritis": ["MONDO:0005416"]},
    "NCT01809769": {"Knee Osteoarthritis": ["MONDO:0005416"]},
    "NCT01499056": {"Hip Osteoarthritis": ["MONDO:0006629"]},
    "NCT01436058": {"Osteoarthritis": ["MONDO:0005178"]},
    "NCT03866330": {"Osteoarthritis": ["MONDO:0005178"], "Hip Osteoarthritis": ["MONDO:0006629"],
                    "Knee Osteoarthritis": ["MONDO:0005416"]},
    "NCT01159899": {"Osteoarthritis": ["DOID:8398"]},
    "NCT00284986": {"Graft Versus Host Disease": ["MONDO:0013730"]},
    "NCT00447460": {"Graft-vs-Host Disease (GVHD)": ["MONDO:0013730"]},
    "NCT04252118": {"COVID-19": ["MONDO:0100096"]},
    "ChiCTR2000031139": {"COVID-19": ["MONDO:0100096"]},
    "NCT01090817": {"Crohn Disease": ["MONDO:0005011"]},
}

# Cell products as the annotator would describe them: (category, cell type CURIE, tissue CURIE, donor, origin).
# The product name is the record's own first intervention name.
PRODUCTS: dict[str, list[tuple[str, str | None, str | None, str | None, str | None]]] = {
    "NCT00850187": [("msc", "CL:0002540", "UBERON:0002371", "autologous", None)],  # bone marrow MSC
    "NCT01809769": [("msc", "CL:0002570", "UBERON:0001013", "autologous", None)],  # adipose MSC
    "NCT03866330": [("msc", "CL:0002568", "UBERON:0002331", "allogeneic", None)],  # Wharton's jelly MSC
    "NCT00284986": [("msc", "CL:0000134", "UBERON:0002371", "allogeneic", None)],  # MSC itself
    "NCT04252118": [("msc", "CL:0002569", "UBERON:0002331", "allogeneic", None)],  # umbilical cord MSC
    "NCT01763099": [("msc", "CL:0000134", None, "allogeneic", None),
                    ("hsc", "CL:0000037", "UBERON:0012168", "allogeneic", None)],  # MSC + cord blood HSC
    "NCT04339764": [("hipsc_derived", "CL:0002586", None, "autologous", "hiPSC")],  # iPSC-derived RPE
    "NCT04696328": [("hipsc_derived", "CL:0000746", None, "allogeneic", "hiPSC")],  # iPSC cardiomyocytes
    "NCT04313647": [("extracellular_vesicles", None, None, "allogeneic", None)],  # MSC exosomes, no cell type
}
MSC_LIKE = {"NCT00850187", "NCT01809769", "NCT03866330", "NCT00284986", "NCT04252118", "NCT01763099"}
"""The fixture records whose products are CL:0000134 or one of its descendants."""

_built: dict[str, Path] = {}


def build_sample_db(root: Path, shared: Path) -> Path:
    """The sample database, imported with the CLI (once per session)."""
    if "sample" not in _built:
        db = root / "sample.db"
        run = cli(db, "import", str(shared / "seeds"), str(shared / "data" / "ctgov"))
        # Exit 1 means some records had problems (e.g. an annotator under construction); every record is still
        # stored, and import problems are the pipeline tests' business — the search tests need the records.
        assert run.code in (0, 1), run.stdout + run.stderr
        assert "imported:" in run.stdout + run.stderr
        with sqlite3.connect(db) as conn:
            (n,) = conn.execute("SELECT count(*) FROM trials").fetchone()
        assert n >= 1100, f"sample import stored only {n} trials"
        _built["sample"] = db
    return _built["sample"]


def _label(curie: str) -> str | None:
    from stemtrials.enrich.ontology import term

    t = term(curie)
    return t.label if t else None


def annotate(record: dict[str, Any]) -> dict[str, Any]:
    """The record with the hand-set terms and products of this module (a copy)."""
    rec = json.loads(json.dumps(record))
    if rec["id"] in CONDITION_TERMS:
        wanted = CONDITION_TERMS[rec["id"]]
        missing = set(wanted) - {c["text"] for c in rec["conditions"]}
        assert not missing, f"{rec['id']} has no condition {missing}"
        for cond in rec["conditions"]:  # conditions not listed are unlinked, whatever the linker said
            cond["terms"] = [{"id": c, "label": _label(c), "definition": None, "xrefs": [], "score": 1.0,
                              "method": "test-fixture"} for c in wanted.get(cond["text"], [])]
    if rec["id"] in PRODUCTS:
        name = rec["interventions"][0]["name"] if rec["interventions"] else None
        rec["cell_products"] = [
            {"name": name, "category": cat, "pluripotent_origin": origin,
             "source_tissue": {"id": tissue, "label": _label(tissue)} if tissue else None, "donor": donor,
             "cell_type": {"id": cell, "label": _label(cell), "definition": None} if cell else None,
             "route": None, "dose": None, "evidence": "test fixture", "score": 1.0}
            for cat, cell, tissue, donor, origin in PRODUCTS[rec["id"]]]
    return rec


def build_onto_db(root: Path, sample: Path) -> Path:
    """Export of the sample with the hand-set annotations, imported into a fresh database (once per session)."""
    if "onto" not in _built:
        export = root / "sample.jsonl"
        run = cli(sample, "export", "--format", "jsonl", "--out", str(export))
        assert run.code == 0, run.stdout + run.stderr
        edited = root / "annotated.jsonl"
        seen: set[str] = set()
        with export.open(encoding="utf-8") as src, edited.open("w", encoding="utf-8") as dst:
            for line in src:
                rec = json.loads(line)
                if rec["id"] in CONDITION_TERMS or rec["id"] in PRODUCTS:
                    seen.add(rec["id"])
                    rec = annotate(rec)
                dst.write(json.dumps(rec, ensure_ascii=False) + "\n")
        missing = (CONDITION_TERMS.keys() | PRODUCTS.keys()) - seen
        assert not missing, f"fixture records missing from the sample: {sorted(missing)}"
        db = root / "onto.db"
        run = cli(db, "import", "--format", "stemtrials_jsonl", str(edited))
        assert run.code == 0, run.stdout + run.stderr
        _built["onto"] = db
    return _built["onto"]


def load_records(db: Path | str) -> dict[str, dict[str, Any]]:
    """Every current record JSON, by trial ID, read with the database's own driver (sqlite3 or psycopg), no project
    code. ``study_id`` is derived by study linking and kept in its own column, so it is put back here as the API and
    the export show it."""
    if isinstance(db, str) and db.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(db) as pg:
            rows = pg.execute("SELECT id, record_json, study_id FROM trials").fetchall()
    else:
        with sqlite3.connect(db) as conn:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(trials)")}
            study = "study_id" if "study_id" in columns else "NULL"
            rows = conn.execute(f"SELECT id, record_json, {study} FROM trials").fetchall()
    out = {}
    for tid, raw, study_id in rows:
        rec = json.loads(raw)
        if study_id is not None:
            rec["study_id"] = study_id
        out[tid] = rec
    return out


# ---------------------------------------------------------------- facet values (CONTRACT.md + schema docs)
def _dedup(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v[:255] for v in values if v))


def facet_values(rec: dict[str, Any]) -> dict[str, list[str]]:
    """What each facet shows for one record: conditions by linked label (else their text), countries of sites,
    lead/collaborator sponsors, the cell products' fields; values cut at 255 characters, each once."""
    conditions: list[str | None] = []
    for cond in rec["conditions"]:
        linked = [t for t in cond["terms"] if t.get("id")]
        conditions.extend(t.get("label") or t["id"] for t in linked)
        if not linked:
            conditions.append(cond["text"])
    products = rec["cell_products"]
    start = (rec["dates"].get("start") or {}).get("date")
    year = int(start[:4]) if start and start[:4].isdigit() else None
    return {
        "phase": _dedup(rec["phases"]),
        "country": _dedup(loc.get("country") for loc in rec["locations"]),
        "condition": _dedup(conditions),
        "cell_type": _dedup((p["cell_type"].get("label") or p["cell_type"].get("id"))
                            for p in products if p.get("cell_type")),
        "cell_category": _dedup(p.get("category") for p in products),
        "source_tissue": _dedup((p.get("source_tissue") or {}).get("label") for p in products),
        "donor": _dedup(p.get("donor") for p in products),
        "pluripotent_origin": _dedup(p.get("pluripotent_origin") for p in products),
        "sponsor": _dedup(s["name"] for s in rec["sponsors"] if s["role"] in ("lead", "collaborator")),
        "status": _dedup([rec.get("status")]),
        "study_type": _dedup([rec.get("study_type")]),
        "registry": _dedup([rec.get("registry")]),
        "sex": _dedup([rec["eligibility"].get("sex")]),
        "start_year": [str(year)] if year is not None else [],
    }


def condition_ids(rec: dict[str, Any]) -> set[str]:
    return {t["id"] for c in rec["conditions"] for t in c["terms"] if t.get("id")}


def cell_type_ids(rec: dict[str, Any]) -> set[str]:
    return {p["cell_type"]["id"] for p in rec["cell_products"] if p.get("cell_type") and p["cell_type"].get("id")}


# ---------------------------------------------------------------- full text (FTS5 unicode61, remove_diacritics 2)
def tokens(text: str) -> list[str]:
    """FTS5's unicode61 tokenizer, closely enough for ASCII query words: lower case, diacritics removed, runs of
    letters and digits. Canonical decomposition only: unicode61 keeps ligatures and superscripts ('ﬁ', '²') as they
    are and splits at symbols ('™'), which NFKD would turn into letters."""
    folded = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", folded)


def fts_columns(rec: dict[str, Any]) -> list[list[str]]:
    """The indexed text of a record per FTS column (title; conditions; interventions; body), tokenized."""
    def join(parts: Iterable[str | None]) -> str:
        return "\n".join(p for p in parts if p)

    conditions: list[str | None] = []
    for cond in rec["conditions"]:
        conditions.append(cond["text"])
        conditions.extend(t.get("label") for t in cond["terms"])
    conditions.extend(m.get("label") for m in rec.get("condition_mesh", []))
    conditions.extend(rec["keywords"])
    interventions: list[str | None] = []
    for iv in rec["interventions"]:
        interventions.append(iv["name"])
        interventions.extend(iv["other_names"])
    for p in rec["cell_products"]:
        interventions.append(p.get("name"))
        interventions.append((p.get("cell_type") or {}).get("label"))
        interventions.append((p.get("source_tissue") or {}).get("label"))
    body = [rec.get("brief_summary"), rec.get("detailed_description"), rec["eligibility"].get("text"),
            *(iv.get("description") for iv in rec["interventions"])]
    title = [rec.get("title"), rec.get("official_title"), rec.get("acronym")]
    return [tokens(join(col)) for col in (title, conditions, interventions, body)]


def has_phrase(columns: list[list[str]], phrase: list[str], prefix_last: bool = False) -> bool:
    """Whether the words occur adjacently inside one column (the last one as a prefix when asked)."""
    n = len(phrase)
    if n == 0:
        return False
    for col in columns:
        for i in range(len(col) - n + 1):
            if col[i:i + n - 1] == phrase[:-1] and (
                    col[i + n - 1].startswith(phrase[-1]) if prefix_last else col[i + n - 1] == phrase[-1]):
                return True
    return False


def word_matches(columns: list[list[str]], word: str, last: bool) -> bool:
    """A plain query word: the word itself (a prefix when it is the last word and ≥ 3 letters) or any synonym."""
    if has_phrase(columns, [word], prefix_last=last and len(word) >= 3):
        return True
    return any(has_phrase(columns, tokens(syn)) for syn in SYNONYMS.get(word, ()))


def q_matches(columns: list[list[str]], q: str) -> bool:
    """The documented semantics of ``q`` for simple queries: "quoted phrases" and plain words, all required."""
    phrases = [tokens(p) for p in re.findall(r'"([^"]+)"', q)]
    words = tokens(re.sub(r'"[^"]*"', " ", q))
    return (all(has_phrase(columns, p) for p in phrases if p)
            and all(word_matches(columns, w, i == len(words) - 1) for i, w in enumerate(words)))


# ---------------------------------------------------------------- filters
@dataclass(frozen=True)
class Check:
    """A filter's meaning restated over the record JSON."""

    name: str
    ok: bool


def filter_checks(rec: dict[str, Any], f: Filters) -> list[Check]:
    """Each set filter of ``f`` (except q, condition and cell type, which have their own oracles) as a check."""
    fv = facet_values(rec)
    elig = rec["eligibility"]
    out: list[Check] = []

    def any_in(values: list[str], wanted: list[str]) -> bool:
        low = {w.lower() for w in wanted}
        return any(v.lower() in low for v in values)

    for name in ("status", "study_type", "registry", "phase", "country", "cell_category", "pluripotent_origin",
                 "source_tissue", "donor", "sponsor"):
        wanted = getattr(f, name)
        if wanted:
            out.append(Check(name, any_in(fv[name], wanted)))
    year = int(fv["start_year"][0]) if fv["start_year"] else None
    if f.start_year_min is not None:
        out.append(Check("start_year_min", year is not None and year >= f.start_year_min))
    if f.start_year_max is not None:
        out.append(Check("start_year_max", year is not None and year <= f.start_year_max))
    if f.age is not None:
        lo, hi = elig.get("min_age_years"), elig.get("max_age_years")
        out.append(Check("age", (lo is None or lo <= f.age) and (hi is None or f.age <= hi)))
    if f.sex:
        out.append(Check("sex", elig.get("sex") in ("all", f.sex)))
    if f.healthy_volunteers is not None:
        out.append(Check("healthy_volunteers", elig.get("healthy_volunteers") is f.healthy_volunteers))
    if f.stem_cell_only:
        out.append(Check("stem_cell_only", any(p.get("category") in STEM_CATEGORIES for p in rec["cell_products"])))
    return out


def failed_checks(rec: dict[str, Any], f: Filters) -> list[str]:
    return [c.name for c in filter_checks(rec, f) if not c.ok]


# ---------------------------------------------------------------- fixtures (imported by the conftests)
@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Path:
    """The SQLite sample: what the oracles read (with sqlite3, not project code), on every backend's run."""
    return build_sample_db(tmp_path_factory.mktemp("searchdb"), shared)


def _store(backend: str, databases: Databases, sqlite_db: Path, name: str, *import_args: str) -> str:
    """The SQLite database itself, or a PostgreSQL one importing the same inputs."""
    if backend == "sqlite":
        return str(sqlite_db)
    url = databases.new(backend, sqlite_db.parent, name)
    run = cli(url, "import", *import_args)
    # As for the SQLite build: exit 1 reports per-record problems, with every record still stored.
    assert run.code in (0, 1), run.stdout + run.stderr
    return url


def _engine(url: str) -> Iterator[Engine]:
    engine = open_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sample_url(sample_db: Path, backend: str, databases: Databases, shared: Path) -> str:
    """The store under test: the SQLite sample, or the same inputs imported into PostgreSQL."""
    return _store(backend, databases, sample_db, "sample", str(shared / "seeds"), str(shared / "data" / "ctgov"))


@pytest.fixture(scope="session")
def sample_engine(sample_url: str) -> Iterator[Engine]:
    yield from _engine(sample_url)


@pytest.fixture(scope="session")
def sample_records(sample_url: str) -> dict[str, dict[str, Any]]:
    """The records as the store under test holds them (import times differ between two imports of one input)."""
    return load_records(sample_url)


@pytest.fixture(scope="session")
def onto_db(tmp_path_factory: pytest.TempPathFactory, sample_db: Path) -> Path:
    return build_onto_db(tmp_path_factory.mktemp("ontodb"), sample_db)


@pytest.fixture(scope="session")
def onto_url(onto_db: Path, backend: str, databases: Databases) -> str:
    return _store(backend, databases, onto_db, "onto", "--format", "stemtrials_jsonl",
                  str(onto_db.parent / "annotated.jsonl"))


@pytest.fixture(scope="session")
def onto_engine(onto_url: str) -> Iterator[Engine]:
    yield from _engine(onto_url)


@pytest.fixture(scope="session")
def onto_records(onto_url: str) -> dict[str, dict[str, Any]]:
    return load_records(onto_url)


@pytest.fixture(scope="session")
def sample_client(sample_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine=sample_engine)) as client:
        yield client


@pytest.fixture(scope="session")
def onto_client(onto_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine=onto_engine)) as client:
        yield client
