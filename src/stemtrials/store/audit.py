"""The audit log: every curation and account change, who made it, when, and the value before and after.

Append-only. This module only ever INSERTs into ``audit_log`` and SELECTs from it; migration 0003 adds database
triggers that refuse UPDATE and DELETE, so not even a stray SQL statement can rewrite the history.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select

from ..vocab import today_iso
from . import schema as s

ACTIONS = (
    "override.set", "override.accept", "override.remove", "link.confirm", "link.split",
    "user.create", "user.role", "user.password", "token.issue", "token.revoke",
)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    target: str | None
    related: str | None
    before: Any
    after: Any
    note: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def record(conn: Connection, *, actor: str, action: str, target: str | None, before: Any = None, after: Any = None,
           note: str | None = None, related: str | None = None) -> int:
    """Append one entry inside the caller's transaction (so the change and its entry land together) and return its
    id."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r} (known: {', '.join(ACTIONS)})")
    result = conn.execute(insert(s.audit_log).values(
        at=today_iso(), actor=actor[:128], action=action, target=target, related=related,
        before_json=_dump(before), after_json=_dump(after), note=note))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(id=row.id, at=row.at, actor=row.actor, action=row.action, target=row.target,
                      related=row.related, before=json.loads(row.before_json) if row.before_json else None,
                      after=json.loads(row.after_json) if row.after_json else None, note=row.note)


def for_target(engine: Engine, target: str) -> list[AuditEntry]:
    """Every entry about one record (as the target or the other record of a link decision), oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(s.audit_log).where(or_(s.audit_log.c.target == target,
                                                          s.audit_log.c.related == target))
                            .order_by(s.audit_log.c.id)).all()
    return [_entry(r) for r in rows]


def page(engine: Engine, *, limit: int = 50, before: int | None = None, actor: str | None = None,
         action: str | None = None, target: str | None = None) -> tuple[list[AuditEntry], int | None]:
    """Newest first, keyset-paginated: pass the returned cursor (the last id shown) as ``before`` for the next
    page; the cursor is None on the last page."""
    query = select(s.audit_log).order_by(s.audit_log.c.id.desc()).limit(limit + 1)
    if before is not None:
        query = query.where(s.audit_log.c.id < before)
    if actor:
        query = query.where(s.audit_log.c.actor == actor)
    if action:
        query = query.where(s.audit_log.c.action == action)
    if target:
        query = query.where(or_(s.audit_log.c.target == target, s.audit_log.c.related == target))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    entries = [_entry(r) for r in rows[:limit]]
    return entries, (entries[-1].id if len(rows) > limit else None)
