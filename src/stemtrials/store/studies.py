"""Studies: which records are the same trial. Runs the linker (link/) over what the store holds, applies curators'
decisions, and records the links and each record's study.

Linking reads a small projection of each record (``trials.link_json``, written with the record), so re-linking
never parses full records. Curators' decisions are keyed by registry IDs and survive re-imports.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from ..vocab import today_iso
from . import audit, state
from . import schema as s
from .locking import write_transaction
from .reader import resolve_id


@dataclass
class RelinkSummary:
    records: int
    links: int
    accepted: int
    studies: int
    multi_record_studies: int
    changed: int


def _projections(conn: Connection) -> Iterator[dict[str, Any]]:
    last = ""
    while True:
        rows = conn.execute(select(s.trials.c.id, s.trials.c.link_json).where(s.trials.c.id > last)
                            .order_by(s.trials.c.id).limit(5000)).all()
        if not rows:
            return
        for row in rows:
            if row.link_json:
                yield json.loads(row.link_json)
        last = rows[-1].id


def decisions(bind: Engine | Connection) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return decisions(conn)
    rows = bind.execute(select(s.link_decisions.c.a, s.link_decisions.c.b, s.link_decisions.c.decision)).all()
    confirmed = [(r.a, r.b) for r in rows if r.decision == "confirm"]
    split = [(r.a, r.b) for r in rows if r.decision == "split"]
    return confirmed, split


def relink(engine: Engine) -> RelinkSummary:
    """Recompute every link and study, in one transaction; study IDs that don't change aren't rewritten.

    Reading the records, linking and writing the studies all happen under the store's write lock
    (store/locking.py): concurrent importers each re-link when they finish, and a re-link computed from records
    read before another import committed would otherwise overwrite the newer one's studies and links. Readers
    keep reading the previous studies meanwhile; importers queue only for their own store phase.
    """
    with write_transaction(engine) as conn:
        summary = _relink(conn)
        state.put(conn, state.LINKS_STALE, "0")
        return summary


def _relink(conn: Connection) -> RelinkSummary:
    from ..link import link_records, studies

    projections = list(_projections(conn))
    by_id = {p["id"]: p for p in projections}
    links = link_records(projections)
    confirmed, split = decisions(conn)
    confirmed = [(a, b) for a, b in confirmed if a in by_id and b in by_id]
    split = [(a, b) for a, b in split if a in by_id and b in by_id]
    registered = {rid: ((p.get("dates") or {}).get("first_posted") or {}).get("date") for rid, p in by_id.items()}
    study_of = studies(list(by_id), links, confirmed=confirmed, split=split, registered=registered)
    members: dict[str, list[str]] = defaultdict(list)
    for rid, sid in study_of.items():
        members[sid].append(rid)
    # The representative of a study: its most complete record (ties: the study's own id, then the smallest id).
    representative = {sid: max(ids, key=lambda r: (by_id[r].get("filled", 0), r == sid, -ord(r[0]), r))
                      for sid, ids in members.items()}
    current = dict(conn.execute(select(s.trials.c.id, s.trials.c.study_id)).all())
    reps = {r for (r,) in conn.execute(select(s.trials.c.id).where(s.trials.c.representative.is_(True)))}
    changed = 0
    for rid, sid in study_of.items():
        is_rep = representative[sid] == rid
        if current.get(rid) != sid or (rid in reps) != is_rep:
            conn.execute(update(s.trials).where(s.trials.c.id == rid).values(study_id=sid, representative=is_rep))
            changed += 1
    conn.execute(delete(s.links))
    rows = [{"a": lk.a, "b": lk.b, "kind": lk.kind, "score": float(lk.score),
             "evidence": json.dumps(lk.evidence, ensure_ascii=False, default=str),
             "accepted": study_of.get(lk.a) == study_of.get(lk.b)} for lk in links]
    if rows:
        conn.execute(insert(s.links), rows)
    return RelinkSummary(records=len(by_id), links=len(links), accepted=sum(r["accepted"] for r in rows),
                         studies=len(members), multi_record_studies=sum(1 for m in members.values() if len(m) > 1),
                         changed=changed)


class LinkDecisionError(ValueError):
    """A curator's decision names an unknown record or the same record twice."""


def decide(engine: Engine, first: str, second: str, decision: str, who: str, note: str | None = None, *,
           actor: str | None = None) -> None:
    """Record a curator's 'confirm' or 'split' for two records (by any registry IDs); the caller re-links. The
    decision goes to the audit log in the same transaction, by ``actor`` (default: ``who``)."""
    if decision not in ("confirm", "split"):
        raise LinkDecisionError(f"decision must be confirm or split, not {decision!r}")
    a, b = resolve_id(engine, first), resolve_id(engine, second)
    for given, found in ((first, a), (second, b)):
        if found is None:
            raise LinkDecisionError(f"no trial with registry ID {given!r}")
    assert a is not None and b is not None
    if a == b:
        raise LinkDecisionError(f"{first} and {second} are the same record")
    a, b = sorted((a, b))
    with write_transaction(engine) as conn:
        before = conn.execute(select(s.link_decisions.c.decision, s.link_decisions.c.decided_by,
                                     s.link_decisions.c.note)
                              .where(s.link_decisions.c.a == a, s.link_decisions.c.b == b)).first()
        conn.execute(delete(s.link_decisions).where(s.link_decisions.c.a == a, s.link_decisions.c.b == b))
        conn.execute(insert(s.link_decisions).values(a=a, b=b, decision=decision, decided_by=who,
                                                     decided_at=today_iso(), note=note))
        audit.record(conn, actor=actor or who, action=f"link.{decision}", target=a, related=b, note=note,
                     before={"a": a, "b": b, **before._asdict()} if before else None,
                     after={"a": a, "b": b, "decision": decision, "decided_by": who})


def study_members(engine: Engine, registry_id: str) -> list[dict[str, Any]]:
    """Every record of the study a registry ID belongs to (full record JSON), the representative first."""
    from .reader import with_study

    rid = resolve_id(engine, registry_id)
    if rid is None:
        return []
    with engine.connect() as conn:
        sid = conn.execute(select(s.trials.c.study_id).where(s.trials.c.id == rid)).scalar()
        rows = conn.execute(select(s.trials.c.id, s.trials.c.record_json, s.trials.c.study_id,
                                   s.trials.c.representative)
                            .where(s.trials.c.study_id == sid)
                            .order_by(s.trials.c.representative.desc(), s.trials.c.id)).all()
    return [with_study(r.record_json, r.study_id) for r in rows]


def study_links(engine: Engine, study_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        ids = [r for (r,) in conn.execute(select(s.trials.c.id).where(s.trials.c.study_id == study_id))]
        rows = conn.execute(select(s.links).where(s.links.c.a.in_(ids) | s.links.c.b.in_(ids))).all()
        decided = conn.execute(select(s.link_decisions).where(
            s.link_decisions.c.a.in_(ids) | s.link_decisions.c.b.in_(ids))).all()
    out = [{"a": r.a, "b": r.b, "kind": r.kind, "score": r.score, "evidence": json.loads(r.evidence),
            "accepted": r.accepted} for r in rows]
    out.extend({"a": d.a, "b": d.b, "kind": f"curator_{d.decision}", "score": 1.0,
                "evidence": {"decided_by": d.decided_by, "decided_at": d.decided_at, "note": d.note},
                "accepted": d.decision == "confirm"} for d in decided)
    return out
