"""Records → studies: connected components of links, under curators' decisions.

Edges are applied strongest first — curator-confirmed pairs, then ID links, then probabilistic links by score —
with a union-find whose components remember which records they must never meet (curator splits are cannot-link
constraints). An edge that would bring a split pair into one study is skipped, so a split holds however many other
links connect the two sides; the weaker links are the ones dropped. A pair both confirmed and split stays apart.

Study id: a deterministic member of the component — the smallest ClinicalTrials.gov NCT id when the study has one
(the most cited registry), else the earliest-registered record when registration dates are given, else the
lexicographically smallest record id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .base import Link

_KIND_RANK = {"id": 1, "probabilistic": 2}


class _Components:
    def __init__(self, ids: Iterable[str]) -> None:
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}
        self.cannot: dict[str, set[str]] = {}
        for rid in ids:
            self.parent[rid] = rid
            self.members[rid] = {rid}
            self.cannot[rid] = set()

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def forbid(self, x: str, y: str) -> None:
        self.cannot[self.find(x)].add(y)
        self.cannot[self.find(y)].add(x)

    def union(self, x: str, y: str) -> bool:
        """Merge the components of x and y unless a split pair would end up together; True when merged."""
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return True
        if len(self.members[rx]) < len(self.members[ry]):
            rx, ry = ry, rx
        small, big = self.members[ry], self.members[rx]
        if not self.cannot[rx].isdisjoint(small) or not self.cannot[ry].isdisjoint(big):
            return False
        self.parent[ry] = rx
        big |= small
        self.cannot[rx] |= self.cannot[ry]
        del self.members[ry], self.cannot[ry]
        return True


def _weight(link: Link) -> float:
    mw = link.evidence.get("match_weight") if isinstance(link.evidence, dict) else None
    return float(mw) if isinstance(mw, int | float) else 0.0


def _study_id(members: set[str], registered: Mapping[str, str | None]) -> str:
    ncts = sorted(m for m in members if m.upper().startswith("NCT"))
    if ncts:
        return ncts[0]
    dated = sorted((d, m) for m in members if (d := registered.get(m)))
    if dated:
        return dated[0][1]
    return min(members)


def studies(ids: Iterable[str], links: Iterable[Link], confirmed: Iterable[tuple[str, str]] = (),
            split: Iterable[tuple[str, str]] = (), *, registered: Mapping[str, str | None] | None = None
            ) -> dict[str, str]:
    """record id → study id for every id in ``ids`` (see the module docstring for the rules).

    ``registered``: optional record id → registration date (ISO), used to choose a study id when no NCT record is
    in the study. Links and decisions naming records not in ``ids`` are ignored.
    """
    comps = _Components(dict.fromkeys(ids))
    known = comps.parent
    for x, y in split:
        if x in known and y in known and x != y:
            comps.forbid(x, y)
    edges: list[tuple[tuple[int, float, float, str, str], str, str]] = []
    for x, y in confirmed:
        if x in known and y in known and x != y:
            a, b = sorted((x, y))
            edges.append(((0, 0.0, 0.0, a, b), a, b))
    for lk in links:
        if lk.a in known and lk.b in known:
            edges.append(((_KIND_RANK.get(lk.kind, 3), -float(lk.score), -_weight(lk), lk.a, lk.b), lk.a, lk.b))
    for _, a, b in sorted(edges):
        comps.union(a, b)
    registered = registered or {}
    out: dict[str, str] = {}
    for members in comps.members.values():
        sid = _study_id(members, registered)
        for m in members:
            out[m] = sid
    return {rid: out[rid] for rid in known}  # in the caller's order
