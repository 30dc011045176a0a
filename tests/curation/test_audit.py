"""The audit log records who, when, what, before and after for every kind of change, and is append-only: the
database refuses UPDATE and DELETE of its rows, and no code in the package issues one."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError

from curation_helpers import CHICTR, NCT
from helpers import cli
from stemtrials.store import audit
from stemtrials.store import schema as s

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "stemtrials"


def test_every_kind_of_change_is_recorded_with_who_when_before_after(client: TestClient, people, db: Path,
                                                                     engine: Engine):
    auth = people.auth("curator")
    client.put(f"/api/trials/{NCT}/overrides/condition", headers=auth,
               json={"condition": "Tissue Damage", "terms": ["MONDO:0005416"], "note": "per protocol"})
    override_id = client.get(f"/api/trials/{NCT}/overrides").json()[0]["id"]
    client.delete(f"/api/trials/{NCT}/overrides/{override_id}", headers=auth)
    assert cli(db, "link", "split", NCT, CHICTR, "--note", "different products").code == 0
    assert cli(db, "user", "role", "reader1", "curator").code == 0

    entries, _ = audit.page(engine, limit=500)
    by_action = {e.action: e for e in entries}
    expected = {"user.create", "token.issue", "override.set", "override.remove", "link.split", "user.role"}
    assert expected <= set(by_action)
    for e in entries:
        assert datetime.fromisoformat(e.at).tzinfo is not None, e  # a full timestamp with its offset
        assert e.actor
    overridden = by_action["override.set"]
    assert (overridden.actor, overridden.target, overridden.note) == ("user:curator1", NCT, "per protocol")
    assert overridden.before["value"] == [] and overridden.after["value"][0]["id"] == "MONDO:0005416"
    removed = by_action["override.remove"]
    assert removed.before["override_id"] == override_id and removed.after["value"] == []
    split = by_action["link.split"]
    assert split.actor.startswith("cli:") and {split.target, split.related} == {NCT, CHICTR}
    assert split.before is None and split.after["decision"] == "split" and split.note == "different products"
    role = by_action["user.role"]
    assert role.target == "user:reader1" and (role.before, role.after) == ({"role": "reader"}, {"role": "curator"})
    # The version the override made points back to its audit entry.
    files = [v["source_file"] for v in client.get(f"/api/trials/{NCT}/history").json()]
    assert f"curation by user:curator1 (audit entry {overridden.id})" in files


def test_the_database_refuses_to_change_or_delete_audit_rows(client: TestClient, people, engine: Engine):
    client.put(f"/api/trials/{NCT}/overrides/condition", headers=people.auth("curator"),
               json={"condition": "Tissue Damage", "terms": []})
    with engine.connect() as conn:
        count = conn.execute(select(s.audit_log.c.id)).all()
    assert count
    for statement in (update(s.audit_log).values(actor="someone else"), delete(s.audit_log),
                      text("UPDATE audit_log SET note = 'rewritten' WHERE id = 1")):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    with engine.connect() as conn:
        assert conn.execute(select(s.audit_log.c.id)).all() == count
        assert "someone else" not in {r.actor for r in conn.execute(select(s.audit_log.c.actor))}


def test_no_code_path_updates_or_deletes_audit_rows():
    """A static check over the package: the only statements on audit_log are INSERT (store/audit.py) and SELECT."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for pattern in (r"(update|delete)\(\s*(s|schema)\.audit_log", r"(UPDATE|DELETE\s+FROM|TRUNCATE)\s+audit_log"):
            offenders.extend(f"{path}: {m.group(0)}" for m in re.finditer(pattern, source, re.IGNORECASE)
                             if "migrations" not in path.parts)
    assert offenders == []
    writers = [p.name for p in PACKAGE.rglob("*.py") if re.search(r"insert\(\s*s\.audit_log", p.read_text())]
    assert writers == ["audit.py"]
