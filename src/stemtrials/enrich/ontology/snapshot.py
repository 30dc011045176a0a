"""The shipped ontology snapshot (``data/ontology.sqlite``, built by ``scripts/build_ontology.py``): term lookups,
hierarchy walks and label resolution.

Every call here is an indexed SQLite query on a read-only file, so a one-off lookup in a fresh process (the
``stemtrials ontology`` command, a search filter) costs milliseconds, not a parse of the whole ontology. The in-memory
index the condition linker needs lives in :mod:`.index` and is built from the same file once per process.

CURIEs are those of the contract: ``MONDO:0100096``, ``CL:0000134``, ``UBERON:0002371``, ``DOID:0080600``,
``MESH:D000086382``. Deprecated terms are kept (``term()`` returns them with ``deprecated`` and ``replaced_by``) but
never returned by name searches; :func:`resolve` follows ``replaced_by``.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import zstandard

from .normalize import NORMALIZER_VERSION, normalize

DATA_DIR = Path(__file__).resolve().parent / "data"
DB_PATH = DATA_DIR / "ontology.sqlite"
SCHEMA = "1"
DEPRECATED = 1
NON_HUMAN = 2
PREFIXES = ("MONDO", "CL", "UBERON", "DOID", "MESH")
KIND_RANK = {"l": 0, "s": 1, "e": 2, "d": 3}
_CURIE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)[:_]([A-Za-z0-9.\-]+)\s*$")


class SnapshotError(RuntimeError):
    """The snapshot file is missing or was built for another version of the code."""


@dataclass(frozen=True)
class Term:
    id: str
    label: str | None
    definition: str | None = None
    synonyms: list[str] = field(default_factory=list)
    xrefs: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    deprecated: bool = False
    replaced_by: str | None = None
    tree_numbers: list[str] = field(default_factory=list)


_local = threading.local()  # one connection per thread: sqlite3 connections must not be shared across threads


def connect() -> sqlite3.Connection:
    """The per-thread read-only connection to the snapshot (opened on first use, checked once)."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        if not DB_PATH.exists():
            raise SnapshotError(f"ontology snapshot missing: {DB_PATH} (run scripts/build_ontology.py)")
        # immutable=1: the file never changes under us, so SQLite skips locking and change detection.
        conn = sqlite3.connect(f"{DB_PATH.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        if meta.get("schema") != SCHEMA or meta.get("normalizer") != NORMALIZER_VERSION:
            raise SnapshotError(
                f"ontology snapshot built for schema {meta.get('schema')}/normalizer {meta.get('normalizer')}, "
                f"code expects {SCHEMA}/{NORMALIZER_VERSION}: rebuild with scripts/build_ontology.py"
            )
        _local.conn = conn
    return conn


def meta() -> dict[str, str]:
    return dict(connect().execute("SELECT key, value FROM meta"))


@lru_cache(maxsize=1)
def _decompressor() -> zstandard.ZstdDecompressor:
    (blob,) = connect().execute("SELECT value FROM blobs WHERE key = 'zdict'").fetchone()
    return zstandard.ZstdDecompressor(dict_data=zstandard.ZstdCompressionDict(blob))


def detail(blob: bytes | None) -> dict:
    """The decompressed per-term JSON: {"d": definition, "s": synonyms, "x": xrefs, "tree_numbers": …}."""
    if not blob:
        return {}
    return json.loads(_decompressor().decompress(blob))


def normalize_curie(text: str) -> str | None:
    """'mondo:0100096', 'MONDO_0100096', 'mesh:D000086382' → canonical CURIE; None when the text isn't one."""
    m = _CURIE.match(text)
    if not m:
        return None
    prefix, local = m.group(1).upper(), m.group(2)
    if prefix == "ORPHANET":
        return f"Orphanet:{local}"
    if prefix == "MESH":
        return mesh_curie(local) or f"MESH:{local.upper()}"
    return f"{prefix}:{local}"


@lru_cache(maxsize=16384)
def mesh_curie(raw: str) -> str | None:
    """A MeSH descriptor UI in any registry spelling → the snapshot's CURIE, or None when unknown.

    The classic CT.gov API pads old six-digit UIs to nine digits ("D000007938" is D007938), while new UIs really have
    nine ("D000086382"): try the text as given, then unpadded.
    """
    ui = raw.strip().upper().removeprefix("MESH:")
    cands = [ui]
    if re.fullmatch(r"D000\d{6}", ui):
        cands.append("D" + ui[4:])
    for c in cands:
        if _num(f"MESH:{c}") is not None:
            return f"MESH:{c}"
    return None


@lru_cache(maxsize=65536)
def _num(curie: str) -> int | None:
    row = connect().execute("SELECT n FROM terms WHERE id = ?", (curie,)).fetchone()
    return row[0] if row else None


@lru_cache(maxsize=8192)
def term(curie: str) -> Term | None:
    """The term with this CURIE (deprecated ones included, flagged), or None."""
    cid = normalize_curie(curie) or curie
    row = connect().execute(
        "SELECT n, id, label, flags, replaced_by, detail FROM terms WHERE id = ?", (cid,)).fetchone()
    if row is None:
        return None
    n, cid, label, flags, replaced_by, blob = row
    d = detail(blob)
    parents = [r[0] for r in connect().execute(
        "SELECT t.id FROM edges e JOIN terms t ON t.n = e.parent WHERE e.child = ? ORDER BY t.id", (n,))]
    return Term(id=cid, label=label, definition=d.get("d"), synonyms=d.get("s", []), xrefs=d.get("x", []),
                parents=parents, deprecated=bool(flags & DEPRECATED), replaced_by=replaced_by,
                tree_numbers=d.get("tree_numbers", []))


def _walk(curie: str, down: bool, include_self: bool) -> set[str]:
    n = _num(normalize_curie(curie) or curie)
    if n is None:
        return set()
    a, b = ("parent", "child") if down else ("child", "parent")
    rows = connect().execute(
        f"WITH RECURSIVE w(n) AS (SELECT ? UNION SELECT e.{b} FROM edges e JOIN w ON e.{a} = w.n) "
        "SELECT t.id FROM w JOIN terms t ON t.n = w.n", (n,))
    out = {r[0] for r in rows}
    if not include_self:
        out.discard(normalize_curie(curie) or curie)
    return out


def descendants(curie: str, include_self: bool = True) -> set[str]:
    """Every term below ``curie`` (is-a closure), with ``curie`` itself unless ``include_self`` is False."""
    return _walk(curie, down=True, include_self=include_self)


def ancestors(curie: str, include_self: bool = False) -> set[str]:
    """Every term above ``curie`` up to the ontology's root."""
    return _walk(curie, down=False, include_self=include_self)


@dataclass(frozen=True)
class NameHit:
    id: str
    label: str | None
    name_kind: str
    """'label', 'synonym', 'mesh_entry' (entry term of an exactly mapped MeSH descriptor) or 'doid_label'."""
    exact: bool
    """True when the whole normalized text equals the name; False for prefix / word-order matches."""


_KIND_NAME = {"l": "label", "s": "synonym", "e": "mesh_entry", "d": "doid_label"}


def _refs(norm: str) -> list[tuple[int, str]]:
    row = connect().execute("SELECT refs FROM names WHERE norm = ?", (norm,)).fetchone()
    if not row:
        return []
    out = []
    for item in row[0].split():
        n, kind = item.split(":")
        out.append((int(n), kind))
    return out


def _hits(refs: list[tuple[int, str]], prefix: str | None, exact: bool) -> list[NameHit]:
    hits = []
    for n, kind in refs:
        row = connect().execute("SELECT id, label, flags FROM terms WHERE n = ?", (n,)).fetchone()
        if row and not row[2] and (prefix is None or row[0].startswith(prefix + ":")):
            hits.append(NameHit(row[0], row[1], _KIND_NAME[kind[0]], exact))
    return hits


def search_label(text: str, prefix: str | None = None, limit: int = 20) -> list[NameHit]:
    """Terms whose label or synonym matches ``text``: whole-name matches first (labels before synonyms), then names
    that start with the text. ``prefix`` ("MONDO", "CL", …) restricts the ontology. Deprecated terms are left out."""
    norm = normalize(text)
    if not norm:
        return []
    pfx = prefix.upper() if prefix and prefix.upper() != "ORPHANET" else prefix
    hits = _hits(sorted(_refs(norm), key=lambda r: (KIND_RANK[r[1][0]], r[0])), pfx, exact=True)
    seen = {h.id for h in hits}
    if len(hits) < limit:
        rows = connect().execute(
            "SELECT norm, refs FROM names WHERE norm > ? AND norm < ? ORDER BY length(norm), norm LIMIT 200",
            (norm + " ", norm + " \uffff"))
        for _norm, refs in rows:
            for h in _hits([(int(i.split(":")[0]), i.split(":")[1]) for i in refs.split()], pfx, exact=False):
                if h.id not in seen and len(hits) < limit:
                    seen.add(h.id)
                    hits.append(h)
    return hits[:limit]


def resolve(text_or_curie: str, prefix: str | None = None) -> str | None:
    """A label, synonym or CURIE → one live CURIE (None when nothing fits).

    A CURIE is returned as is when known (a deprecated one is replaced by its ``replaced_by``). A text resolves to the
    term whose label or synonym equals it after normalization — labels win over synonyms, and when several terms
    share the name the most general one (an ancestor of the others) wins; a name shared by unrelated terms with no
    label among them resolves to nothing rather than to a guess. For diseases (prefix None or MONDO), a text no name
    equals is read as the condition linker reads a whole condition text (word order, abbreviations, registry
    phrasing, spelling), so a search filter finds what linking linked.
    """
    cid = normalize_curie(text_or_curie)
    if cid and (prefix is None or cid.upper().startswith(prefix.upper() + ":")):
        t = term(cid)
        for _ in range(5):  # replaced_by chains are short; the bound only guards against a cycle
            if t is None or not t.deprecated:
                break
            t = term(t.replaced_by) if t.replaced_by else None
        return t.id if t and not t.deprecated else None
    if prefix is None:  # a bare name: exact names first — the disease ontology, then cells, tissues, DOID, MeSH
        found = next((c for p in PREFIXES if (c := _resolve_name(text_or_curie, p))), None)
        return found or _resolve_as_condition(text_or_curie)
    found = _resolve_name(text_or_curie, prefix)
    if found is None and prefix.upper() == "MONDO":
        return _resolve_as_condition(text_or_curie)
    return found


def _resolve_name(text: str, prefix: str) -> str | None:
    norm = normalize(text)
    hits = _hits(_refs(norm), prefix.upper() if prefix.upper() != "ORPHANET" else prefix, exact=True) if norm else []
    if not hits:
        return None
    best = min(KIND_RANK[h.name_kind[0]] for h in hits)
    top = [h.id for h in hits if KIND_RANK[h.name_kind[0]] == best]
    if len(top) == 1:
        return top[0]
    general = [c for c in top if not (ancestors(c) & set(top))]
    return general[0] if len(general) == 1 else None


def _resolve_as_condition(text: str) -> str | None:
    """A disease name in other words — another word order ("knee osteoarthritis" for "osteoarthritis, knee"), an
    abbreviation ("COPD"), registry English — read the way condition texts are linked, as a whole (the linker's
    index loads on first use, once per process)."""
    from .matcher import default_matcher

    matcher = default_matcher()
    found = {h.n for h in matcher.match(text) if h.whole}
    return matcher.idx.curie(found.pop()) if len(found) == 1 else None


def expand(text_or_curie: str, prefix: str | None = None) -> set[str]:
    """The CURIEs a search filter on this term should match: the resolved term and all its descendants (empty when
    the term can't be resolved — the caller may then fall back to a text match)."""
    cid = resolve(text_or_curie, prefix)
    return descendants(cid) if cid else set()


def mesh_to_mondo(mesh: str) -> list[str]:
    """Mondo terms a MeSH descriptor maps to, from the most trusted tier that has any (see build_ontology.py)."""
    cid = mesh_curie(mesh)
    if cid is None:
        return []
    rows = connect().execute(
        "SELECT t.id, m.tier FROM mesh_mondo m JOIN terms t ON t.n = m.mondo WHERE m.mesh = ? AND t.flags = 0",
        (_num(cid),)).fetchall()
    if not rows:
        return []
    best = min(r[1] for r in rows)
    return sorted(r[0] for r in rows if r[1] == best)
