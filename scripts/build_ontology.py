#!/usr/bin/env python3
"""Build the ontology snapshot shipped in ``src/stemtrials/enrich/ontology/data/`` from ``../shared/ontologies``.

Run from the repository root: ``.venv/bin/python scripts/build_ontology.py [--shared ../shared]``. Nothing is ever
fetched at run time: the package reads only the SQLite file this script writes (plus its NOTICE.md).

Sources and what is kept (see data/NOTICE.md for licences):
- Mondo (cellxgene JSON): every term — label, definition, synonyms, direct parents, deprecated/replaced_by; exact
  xrefs to DOID, MeSH, ICD-10-CM, Orphanet, NCIt from Mondo's SSSOM exactMatch files and equivalencies.obo.
- MeSH 2024: descriptors in the disease trees (C, F03) and every descriptor mapped to Mondo, with entry terms and
  tree numbers; parents derived from tree numbers. MeSH → Mondo mappings in tiers of trust (table ``mesh_mondo``).
- DOID 2026-07-31: labels, parents, xrefs; definitions from the release's slims and the 2016 full OBO.
- Cell Ontology (cellxgene JSON): all terms, labels, definitions, synonyms, parents. Uberon: the same without
  definitions (they would push the file past ~20 MB; tissues are looked up by name).

Layout (SQLite, opened read-only by the package): ``terms`` (integer key ``n``, CURIE, label, flags, replaced_by, and
``detail``: a zstd-compressed JSON of definition/synonyms/xrefs/tree numbers, dictionary in ``blobs``), ``edges``
(direct child → parent, for ancestor/descendant walks), ``names`` (normalized name → "n:kind" references, the
matching index), ``mesh_mondo`` (with tier and a word-overlap check), ``meta``, and ``blobs.linker`` (the condition
linker's whole in-memory index as one zstd JSON). Integer keys keep it compact.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import zstandard

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stemtrials.enrich.ontology.normalize import NORMALIZER_VERSION, normalize, sorted_key, tokens  # noqa: E402

OUT_DIR = ROOT / "src" / "stemtrials" / "enrich" / "ontology" / "data"
DB_NAME = "ontology.sqlite"
SNAPSHOT_SCHEMA = "1"

# Flags in terms.flags
DEPRECATED = 1
NON_HUMAN = 2  # Mondo "non-human animal disease" subtree: resolvable, never matched
# Xref prefixes kept on Mondo terms, spelled as CURIE prefixes of the contract.
XREF_PREFIX = {"doid": "DOID", "mesh": "MESH", "icd10cm": "ICD10CM", "orphanet": "Orphanet", "ncit": "NCIT",
               "icd10who": "ICD10WHO"}
MESH_TREES = ("C", "F03")
NON_HUMAN_ROOT = "MONDO:0005583"
# An acronym-looking name ("ALS", "COPD", "MDS-U", "T1D", "chILD") may only match upper-case text: "all" is not "ALL".
_FILLER = frozenset({"disease", "disorder", "syndrome", "of", "and", "or", "with", "to", "in", "due", "type"})
_ACRONYM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,7}$")


def is_acronym(name: str) -> bool:
    return bool(_ACRONYM.match(name)) and sum(c.isupper() for c in name) >= 2 and " " not in name


def read_zst_json(path: Path) -> dict:
    with path.open("rb") as fh:
        return json.loads(zstandard.ZstdDecompressor().stream_reader(fh).read())


def read_tsv(path: Path) -> Iterator[list[str]]:
    """Rows of a gzipped TSV, '#' comment lines skipped, surrounding quotes removed (the DOID TSVs quote cells)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            yield [c.strip().strip('"') for c in line.rstrip("\n").split("\t")]


def read_sssom(path: Path) -> Iterator[dict[str, str]]:
    rows = read_tsv(path)
    header = next(rows)
    for row in rows:
        yield dict(zip(header, row, strict=False))


def read_obo(path: Path) -> Iterator[dict[str, list[str]]]:
    """A small OBO reader: each [Term] stanza as tag → list of values (enough for id/name/def/is_a/xref)."""
    stanza: dict[str, list[str]] | None = None
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("["):
                if stanza is not None:
                    yield stanza
                stanza = {} if line == "[Term]" else None
            elif stanza is not None and ": " in line:
                tag, value = line.split(": ", 1)
                stanza.setdefault(tag, []).append(value)
    if stanza is not None:
        yield stanza


def curie(raw: str) -> str | None:
    """'mesh:D000309' → 'MESH:D000309'; 'orphanet:123' → 'Orphanet:123'; None for prefixes we don't keep."""
    if ":" not in raw or raw.startswith("http"):
        return None
    prefix, local = raw.split(":", 1)
    p = prefix.lower()
    if p == "mondo":
        return f"MONDO:{local}"
    return f"{XREF_PREFIX[p]}:{local}" if p in XREF_PREFIX else None


def obo_def(values: list[str]) -> str | None:
    return values[0].split('"')[1] if values and values[0].startswith('"') else None


class Builder:
    def __init__(self, shared: Path) -> None:
        self.src = shared / "ontologies"
        self.terms: dict[str, dict] = {}  # CURIE → {label, definition, flags, replaced_by, synonyms, xrefs, extra}
        self.parents: dict[str, list[str]] = defaultdict(list)
        self.names: list[tuple[str, str, str]] = []  # (original name, CURIE, kind)
        self.mesh_mondo: dict[tuple[str, str], int] = {}  # (MESH:…, MONDO:…) → best (lowest) tier
        self.versions: dict[str, str] = {}
        self.lexical_ok: set[tuple[str, str]] = set()  # MeSH–Mondo pairs that share a content word

    def add(self, cid: str, label: str | None, **kw: object) -> dict:
        t = self.terms.setdefault(cid, {"label": None, "definition": None, "flags": 0, "replaced_by": None,
                                        "synonyms": [], "xrefs": [], "extra": {}})
        t["label"] = t["label"] or label
        for k, v in kw.items():
            if v:
                t[k] = v
        return t

    # ---- JSON ontologies (Mondo, CL, Uberon) -------------------------------------------------------------------
    def json_ontology(self, path: Path, *, defs: bool = True) -> dict:
        data = read_zst_json(path)
        self.versions[path.name] = path.name
        for cid, v in data.items():
            dep = bool(v.get("deprecated"))
            self.add(cid, v.get("label") or None, definition=v.get("description") if defs else None,
                     flags=DEPRECATED if dep else 0, replaced_by=v.get("replaced_by"),
                     synonyms=[s for s in v.get("synonyms") or [] if s != v.get("label")])
            if dep:
                continue
            self.parents[cid] = [p for p, d in (v.get("ancestors") or {}).items() if d == 1]
            self.names.append((v.get("label") or "", cid, "l"))
            self.names.extend((s, cid, "s") for s in v.get("synonyms") or [])
        return data

    def mondo(self) -> None:
        data = self.json_ontology(self.src / "mondo" / "MONDO-ontology-v2026-05-05.json.zst")
        for cid, v in data.items():
            if NON_HUMAN_ROOT in (v.get("ancestors") or {}) or cid == NON_HUMAN_ROOT:
                self.terms[cid]["flags"] |= NON_HUMAN
        xrefs: dict[str, set[str]] = defaultdict(set)
        # Exact mappings only: hasDbXref also holds broader/related codes (Crohn's colitis → MeSH Crohn Disease).
        for f in sorted((self.src / "mondo").glob("mondo_exactmatch_*.sssom.tsv.gz")):
            for r in read_sssom(f):
                x = curie(r["object_id"])
                if x and r["subject_id"] in self.terms:
                    xrefs[r["subject_id"]].add(x)
        for a, b in self.equivalencies():
            if b in self.terms:
                xrefs[b].add(a)
        for cid, xs in xrefs.items():
            self.terms[cid]["xrefs"] = sorted(xs)
            for x in xs:
                if x.startswith("MESH:"):
                    self.mesh_mondo[(x, cid)] = 0

    def equivalencies(self) -> Iterator[tuple[str, str]]:
        """(outside CURIE, MONDO CURIE) pairs of equivalencies.obo, whichever side the stanza is written from."""
        for st in read_obo(self.src / "mondo" / "equivalencies.obo.gz"):
            for other in st.get("equivalent_to", []):
                a, b = st["id"][0], other.split(" ")[0]
                if a.startswith("MONDO:"):
                    a, b = b, a
                ca = curie(a)
                if ca and b.startswith("MONDO:") and not ca.startswith("MONDO:"):
                    yield ca, b

    # ---- MeSH ------------------------------------------------------------------------------------------------
    def mesh(self) -> None:
        d = self.src / "mesh"
        trees: dict[str, list[str]] = defaultdict(list)
        for row in read_tsv(d / "mesh2024_descriptor_trees.tsv.gz"):
            if row[0] != "DescriptorUI":
                trees[row[0]].append(row[2])
        # Other MeSH → Mondo mappings, in falling order of trust: hasDbXref (tier 1), biomappings (2), MeSH → DOID →
        # Mondo (3). The linker uses a lower tier only when no higher one maps the descriptor.
        for r in read_sssom(self.src / "mondo" / "mondo_hasdbxref_mesh.sssom.tsv.gz"):
            self._map(curie(r["object_id"]), r["subject_id"], 1)
        for r in read_sssom(self.src / "mappings" / "biomappings_positive.sssom.tsv.gz"):
            s, o = curie(r["subject_id"]), curie(r["object_id"])
            if r["predicate_id"] == "skos:exactMatch" and s and o:
                self._map(*((s, o) if s.startswith("MESH:") else (o, s)), 2)
        doid_mondo = defaultdict(set)
        for r in read_sssom(self.src / "mondo" / "mondo_exactmatch_doid.sssom.tsv.gz"):
            doid_mondo[r["object_id"]].add(r["subject_id"])
        for row in read_tsv(self.src / "doid" / "2026-07-31" / "MESHinDO.tsv.gz"):
            for m in doid_mondo.get(row[0], ()):
                self._map(row[2] if row[2].startswith("MESH:") else None, m, 3)
        mapped = {m[5:] for m, _ in self.mesh_mondo}
        keep = {ui for ui, tns in trees.items() if any(t.startswith(MESH_TREES) for t in tns)} | mapped
        by_tree = {tn: ui for ui, tns in trees.items() for tn in tns}
        for ui in list(keep):  # the tree ancestors too, so every kept descriptor has its parents
            for tn in trees.get(ui, []):
                parts = tn.split(".")
                prefixes = (".".join(parts[:i]) for i in range(1, len(parts)))
                keep.update(by_tree[p] for p in prefixes if p in by_tree)
        entries: dict[str, list[tuple[str, bool, bool]]] = defaultdict(list)
        labels: dict[str, str] = {}
        pref_concept: dict[str, str] = {}
        rows = [r for r in read_tsv(d / "mesh2024_descriptor_terms.tsv.gz") if r[0] in keep]
        for ui, name, concept, *_rest, rec_pref in rows:
            labels[ui] = name
            if rec_pref == "Y":
                pref_concept[ui] = concept
        for ui, _name, concept, _t, term, _cp, permuted, lex, _rp in rows:
            if permuted == "N" and term != labels[ui]:
                entries[ui].append((term, concept == pref_concept.get(ui), lex in ("ABB", "ACR")))
        for ui in keep:
            if ui not in labels:
                continue
            cid = f"MESH:{ui}"
            self.add(cid, labels[ui], synonyms=sorted({e[0] for e in entries[ui]}),
                     extra={"tree_numbers": sorted(trees.get(ui, []))})
            self.parents[cid] = sorted({f"MESH:{by_tree[tn.rsplit('.', 1)[0]]}" for tn in trees.get(ui, [])
                                        if "." in tn and tn.rsplit(".", 1)[0] in by_tree})
            self.names.append((labels[ui], cid, "l"))
            self.names.extend((e, cid, "sa" if acro else "s") for e, _pref, acro in entries[ui])
        # Mondo terms borrow the entry terms of a descriptor they map to *exactly* (tier 0), from its preferred
        # concept only: the other concepts of a descriptor are narrower or merely related.
        self.lexical_ok = {k for k in self.mesh_mondo if k[0][5:] in labels and self._share_words(
            [labels[k[0][5:]], *(e[0] for e in entries[k[0][5:]] if e[1])], k[1])}
        for (m, mondo), tier in self.mesh_mondo.items():
            if tier == 0 and (m, mondo) in self.lexical_ok and self.terms.get(mondo, {}).get("flags") == 0:
                self.names.append((labels[m[5:]], mondo, "e"))
                self.names.extend((e, mondo, "ea" if acro else "e") for e, pref, acro in entries[m[5:]] if pref)

    def _share_words(self, mesh_names: list[str], mondo: str) -> bool:
        """Whether a MeSH descriptor and a Mondo term share a content word. A few curated mappings are slips (MeSH
        "Cicatrix" ↔ Mondo "severe cutaneous adverse reaction", via the acronym SCAR): borrowing names or linking
        through such a pair would be wrong, so those pairs are marked and left out of matching."""
        t = self.terms.get(mondo)
        if t is None:
            return False
        a = {w for n in mesh_names for w in tokens(n)} - _FILLER
        b = {w for n in [t["label"] or "", *t["synonyms"]] for w in tokens(n)} - _FILLER
        return bool(a & b)

    def _map(self, mesh: str | None, mondo: str | None, tier: int) -> None:
        if mesh and mondo and mesh.startswith("MESH:") and mondo in self.terms:
            key = (mesh, mondo)
            self.mesh_mondo[key] = min(tier, self.mesh_mondo.get(key, tier))

    # ---- DOID ------------------------------------------------------------------------------------------------
    def doid(self) -> None:
        d = self.src / "doid" / "2026-07-31"
        rows = list(read_tsv(d / "HumanDO.tsv.gz"))[1:]
        by_label: dict[str, set[str]] = defaultdict(set)
        for cid, label, _parent in rows:
            by_label[label].add(cid)
            self.add(cid, label)
        for cid, _label, parent in rows:
            pids = by_label.get(parent, set())  # the TSV names parents by label: use only unambiguous ones
            if len(pids) == 1 and next(iter(pids)) not in self.parents[cid]:
                self.parents[cid].append(next(iter(pids)))
        for cid, _label, xref in read_tsv(d / "allXREFinDO.tsv.gz"):
            p = xref.split(":", 1)[0]
            x = xref.replace("ORDO:", "Orphanet:").replace("NCI:", "NCIT:")
            if cid in self.terms and p in ("MESH", "ICD10CM", "ORDO", "NCI"):
                self.terms[cid]["xrefs"].append(x)
        # Definitions: the current slims first (they carry the newest terms, e.g. COVID-19), then the 2016 release.
        obos = [*sorted(d.glob("*.obo.gz")), self.src / "doid" / "doid_2016-09-01.obo.gz"]
        for f in obos:
            for st in read_obo(f):
                cid = st.get("id", [""])[0]
                t = self.terms.get(cid)
                if t is not None and not t["definition"]:
                    t["definition"] = obo_def(st.get("def", []))
        doid_mondo: dict[str, set[str]] = defaultdict(set)
        for r in read_sssom(self.src / "mondo" / "mondo_exactmatch_doid.sssom.tsv.gz"):
            doid_mondo[r["object_id"]].add(r["subject_id"])
        for cid, t in self.terms.items():
            if cid.startswith("DOID:"):
                t["xrefs"] = sorted(set(t["xrefs"]) | doid_mondo.get(cid, set()))
                self.names.append((t["label"], cid, "l"))
                # Mondo terms also answer to the label of the DOID term they map to exactly.
                self.names.extend((t["label"], m, "d") for m in doid_mondo.get(cid, ())
                                  if self.terms.get(m, {}).get("flags") == 0)

    def _linker_blob(self, mondo: list[str], refs: dict[str, dict[int, str]]) -> bytes:
        """The condition linker's whole in-memory index as one zstd JSON, so a process loads it in a fraction of a
        second instead of parsing 140k name rows: Mondo names (live, human) → [n, kind, …], the same by word-order-
        free key, labels and flags by n, direct parents by n."""
        top = len(mondo)
        names: dict[str, list] = {}
        for norm, v in refs.items():
            flat = [x for n, kd in sorted(v.items()) if n <= top and not self.terms[mondo[n - 1]]["flags"]
                    for x in (n, kd)]
            if flat:
                names[norm] = flat
        skeys: dict[str, list] = defaultdict(list)
        for norm, flat in names.items():
            key = sorted_key(norm)
            if key != norm:
                skeys[key].extend(flat)
        num = {c: i + 1 for i, c in enumerate(mondo)}
        parents = {num[c]: [num[p] for p in self.parents.get(c, []) if p in num] for c in mondo}
        blob = {"ids": [int(c.split(":")[1]) for c in mondo], "names": names, "skeys": skeys,
                "labels": [self.terms[c]["label"] for c in mondo], "flags": [self.terms[c]["flags"] for c in mondo],
                "parents": {k: v for k, v in parents.items() if v}}
        return zstandard.ZstdCompressor(level=19).compress(json.dumps(blob, separators=(",", ":")).encode())

    @staticmethod
    def _detail(t: dict) -> bytes:
        """The per-term JSON {"d": definition, "s": synonyms, "x": xrefs, **extra}; empty when there is nothing."""
        d = {k: v for k, v in (("d", t["definition"]), ("s", t["synonyms"]), ("x", sorted(set(t["xrefs"]))))
             if v}
        d.update(t["extra"])
        return json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode() if d else b""

    # ---- write -----------------------------------------------------------------------------------------------
    def write(self, path: Path) -> None:
        if path.exists():
            path.unlink()
        db = sqlite3.connect(path)
        db.executescript("""
            PRAGMA page_size = 4096;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
            CREATE TABLE blobs (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID;
            CREATE TABLE terms (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, label TEXT, flags INTEGER NOT NULL,
                                replaced_by TEXT, detail BLOB);
            CREATE TABLE edges (parent INTEGER, child INTEGER, PRIMARY KEY (parent, child)) WITHOUT ROWID;
            CREATE INDEX edges_child ON edges (child);
            CREATE TABLE names (norm TEXT PRIMARY KEY, refs TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE mesh_mondo (mesh INTEGER, mondo INTEGER, tier INTEGER, lexical INTEGER,
                                     PRIMARY KEY (mesh, mondo))
                WITHOUT ROWID;
        """)
        # Mondo first, so its terms hold one contiguous range of keys (the linker loads just that range).
        order = sorted(self.terms, key=lambda c: (not c.startswith("MONDO:"), c))
        num = {cid: i + 1 for i, cid in enumerate(order)}
        details = [self._detail(self.terms[c]) for c in order]
        # Definitions, synonyms and xrefs are read one term at a time, so each row's JSON is compressed on its own,
        # with a dictionary trained on all of them: ~3x smaller than plain text, microseconds to open.
        zdict = zstandard.train_dictionary(110_000, [d for d in details if d][:40_000], level=19)
        zc = zstandard.ZstdCompressor(level=19, dict_data=zdict)
        db.executemany("INSERT INTO terms VALUES (?,?,?,?,?,?)", [
            (num[c], c, self.terms[c]["label"], self.terms[c]["flags"], self.terms[c]["replaced_by"],
             zc.compress(d) if d else None) for c, d in zip(order, details, strict=True)])
        db.execute("INSERT INTO blobs VALUES ('zdict', ?)", (zdict.as_bytes(),))
        db.executemany("INSERT OR IGNORE INTO edges VALUES (?,?)",
                       [(num[p], num[c]) for c, ps in self.parents.items() for p in ps if p in num and c in num])
        refs: dict[str, dict[int, str]] = defaultdict(dict)
        rank = {"l": 0, "s": 1, "e": 2, "d": 3}  # a term keeps its strongest kind per name
        for name, cid, kind in self.names:
            if not name or cid not in num or self.terms[cid]["flags"] & DEPRECATED:
                continue
            if kind in ("s", "e") and is_acronym(name):
                kind += "a"
            norm = normalize(name)
            if not norm:
                continue
            old = refs[norm].get(num[cid])
            if old is None or rank[kind[0]] < rank[old[0]]:
                refs[norm][num[cid]] = kind
        db.executemany("INSERT INTO names VALUES (?,?)",
                       [(k, " ".join(f"{n}:{kd}" for n, kd in sorted(v.items()))) for k, v in sorted(refs.items())])
        mondo_max = max(num[c] for c in order if c.startswith("MONDO:"))
        db.execute("INSERT INTO blobs VALUES ('linker', ?)", (self._linker_blob(order[:mondo_max], refs),))
        db.executemany("INSERT INTO mesh_mondo VALUES (?,?,?,?)",
                       [(num[m], num[o], t, int((m, o) in self.lexical_ok))
                        for (m, o), t in self.mesh_mondo.items() if m in num and o in num])
        meta = {"schema": SNAPSHOT_SCHEMA, "normalizer": NORMALIZER_VERSION, "mondo_max": str(mondo_max),
                "built": time.strftime("%Y-%m-%d"), "sources": json.dumps(sorted(self.versions))}
        db.executemany("INSERT INTO meta VALUES (?,?)", list(meta.items()))
        db.commit()
        db.execute("VACUUM")
        db.close()


NOTICE = """# Ontology snapshot — sources and licences

`ontology.sqlite` is built by `scripts/build_ontology.py` from the files in `../shared/ontologies` (never fetched at
run time). It contains material from:

- **Mondo Disease Ontology** (monarch-initiative/mondo) 2026-05-05, via cellxgene-ontology-guide 1.11.1, with the
  Mondo repository's SSSOM mappings and equivalencies.obo. Licence: CC BY 4.0
  (https://creativecommons.org/licenses/by/4.0/). Kept: labels, definitions, synonyms, parents, xrefs, MeSH/DOID
  mappings.
- **Cell Ontology** (obophenotype/cell-ontology) 2026-03-26, via cellxgene-ontology-guide. Licence: CC BY 4.0.
  Kept: labels, definitions, synonyms, parents.
- **Uberon** anatomy ontology 2026-04-01, via cellxgene-ontology-guide. Licence: CC BY 3.0
  (https://creativecommons.org/licenses/by/3.0/). Kept: labels, synonyms, parents.
- **Human Disease Ontology** (DiseaseOntology/HumanDiseaseOntology) 2026-07-31, definitions also from the
  2016-09-01 release. Licence: CC0 1.0. Kept: labels, definitions, parents, xrefs.
- **Medical Subject Headings (MeSH)** 2024, U.S. National Library of Medicine, via jaytimm/mesh-resources. Used
  under the NLM terms and conditions (https://www.nlm.nih.gov/databases/download/terms_and_conditions.html). Kept:
  descriptors of trees C and F03 and those mapped to Mondo, with entry terms and tree numbers.
- **biomappings** 0.6.0 positive mappings (MeSH ↔ Mondo). Licence: CC0 1.0.

Attribution: Mondo — Vasilevsky NA et al., "Mondo: Unifying diseases for the world, by the world", medRxiv 2022.
Cell Ontology — Diehl AD et al., J Biomed Semantics 2016. Uberon — Mungall CJ et al., Genome Biol 2012. Human Disease
Ontology — Schriml LM et al., Nucleic Acids Res 2022. MeSH is produced by the U.S. National Library of Medicine;
this snapshot is a derived subset, not an official NLM product. The content was reorganized (normalized copies of
names for matching, integer keys, compression); no term, label or mapping was altered.
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    b = Builder(args.shared)
    b.mondo()
    b.json_ontology(b.src / "cl" / "CL-ontology-v2026-03-26.json.zst")
    # Uberon without definitions: tissues are looked up by name; their definitions would cost ~0.7 MB.
    b.json_ontology(b.src / "uberon" / "UBERON-ontology-v2026-04-01.json.zst", defs=False)
    b.mesh()
    b.doid()
    args.out.mkdir(parents=True, exist_ok=True)
    b.write(args.out / DB_NAME)
    (args.out / "NOTICE.md").write_text(NOTICE, encoding="utf-8")
    size = (args.out / DB_NAME).stat().st_size / 1e6
    print(f"{len(b.terms)} terms, {len(b.mesh_mondo)} MeSH→Mondo mappings → {args.out / DB_NAME} "
          f"({size:.1f} MB) in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
