"""The condition linker's in-memory Mondo index, loaded once per process from the snapshot's ``linker`` blob.

Terms are small integers here (the snapshot's keys; Mondo holds 1…N), names are normalized strings (normalize.py),
so a lookup is one dict hit. What costs time — decompressing and parsing the blob, ~0.3 s — happens on the first
call of :func:`get_index` and never again in the process.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import zstandard

from . import lexicon, snapshot


@dataclass(frozen=True)
class Ref:
    n: int
    kind: str
    """'l' label, 's' synonym, 'e' entry term of an exactly mapped MeSH descriptor, 'd' DOID label; a trailing 'a'
    marks an acronym-like name ("ALS") that may only match text written in capitals."""

    @property
    def acronym(self) -> bool:
        return self.kind.endswith("a")

    @property
    def rank(self) -> int:
        return snapshot.KIND_RANK[self.kind[0]]


@dataclass
class MondoIndex:
    ids: list[int]
    labels: list[str | None]
    flags: list[int]
    names: dict[str, list]
    skeys: dict[str, list]
    parents: dict[int, list[int]]
    blocked: set[int] = field(default_factory=set)
    vocab: dict[str, int] = field(default_factory=dict)
    """Every word of the names, with how many names use it."""
    _anc: dict[int, frozenset[int]] = field(default_factory=dict)

    def curie(self, n: int) -> str:
        return f"MONDO:{self.ids[n - 1]:07d}"

    def num(self, curie: str) -> int | None:
        n = snapshot._num(curie)
        return n if n is not None and n <= len(self.ids) else None

    def label(self, n: int) -> str | None:
        return self.labels[n - 1]

    def lookup(self, norm: str, *, by_sorted_key: bool = False) -> list[Ref]:
        flat = (self.skeys if by_sorted_key else self.names).get(norm)
        if not flat:
            return []
        return [Ref(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]

    def ancestors(self, n: int) -> frozenset[int]:
        """All ancestors of ``n`` (not ``n`` itself), memoized: the hierarchy is a DAG of depth ≤ ~15."""
        got = self._anc.get(n)
        if got is None:
            acc: set[int] = set()
            for p in self.parents.get(n, ()):
                acc.add(p)
                acc |= self.ancestors(p)
            got = self._anc[n] = frozenset(acc)
        return got

    def is_blocked(self, n: int) -> bool:
        return n in self.blocked


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load() -> MondoIndex:
    conn = snapshot.connect()
    (blob,) = conn.execute("SELECT value FROM blobs WHERE key = 'linker'").fetchone()
    data = json.loads(zstandard.ZstdDecompressor().decompress(blob))
    idx = MondoIndex(ids=data["ids"], labels=data["labels"], flags=data["flags"], names=data["names"],
                     skeys=data["skeys"], parents={int(k): v for k, v in data["parents"].items()})
    idx.vocab = Counter(t for norm in idx.names for t in norm.split())
    roots = {n for c in lexicon.VAGUE_SUBTREES if (n := idx.num(c))}
    for n in range(1, len(idx.ids) + 1):
        label = idx.labels[n - 1] or ""
        if (idx.curie(n) in lexicon.VAGUE_TERMS or label.startswith(lexicon.VAGUE_LABEL_PREFIXES)
                or n in roots or idx.ancestors(n) & roots):
            idx.blocked.add(n)
    return idx


def get_index() -> MondoIndex:
    """The process-wide index (thread-safe first load)."""
    with _lock:
        return _load()
