"""Reading records back: by any registry ID, every version with what changed, the raw input, all records."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, case, select

from . import schema as s
from .writer import id_key


def resolve_id(engine: Engine, registry_id: str) -> str | None:
    """The trial a registry ID names: its own primary ID first, then a secondary ID, then an org study ID."""
    with engine.connect() as conn:
        direct = conn.execute(select(s.trials.c.id).where(s.trials.c.id == registry_id)).scalar()
        if direct:
            return direct
        rank = case((s.trial_ids.c.kind == "primary", 0), (s.trial_ids.c.kind == "secondary", 1), else_=2)
        return conn.execute(
            select(s.trial_ids.c.trial_id).where(s.trial_ids.c.registry_id == id_key(registry_id))
            .order_by(rank, s.trial_ids.c.trial_id).limit(1)
        ).scalar()


def get_record(engine: Engine, registry_id: str) -> dict[str, Any] | None:
    trial_id = resolve_id(engine, registry_id)
    if trial_id is None:
        return None
    with engine.connect() as conn:
        row = conn.execute(select(s.trials.c.record_json, s.trials.c.study_id).where(s.trials.c.id == trial_id)).first()
    return with_study(row.record_json, row.study_id) if row else None


def with_study(record_json: str, study_id: str) -> dict[str, Any]:
    """The record JSON of CONTRACT.md: the stored content plus its current study (kept apart because linking, not
    the registry, decides it)."""
    data = json.loads(record_json)
    data["study_id"] = study_id
    return data


def with_study_json(record_json: str, study_id: str) -> str:
    """:func:`with_study` as JSON text, spliced rather than parsed and re-serialized: lists of records are served
    this way. The stored text is always a JSON object holding at least the record's ``id``."""
    return record_json[:record_json.rindex("}")] + ', "study_id": ' + json.dumps(study_id, ensure_ascii=False) + "}"


def iter_records(engine: Engine, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every current record, ordered by ID, streamed in batches (keyset pagination keeps memory flat)."""
    last = ""
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(s.trials.c.id, s.trials.c.record_json, s.trials.c.study_id).where(s.trials.c.id > last)
                .order_by(s.trials.c.id).limit(batch)
            ).all()
        if not rows:
            return
        for row in rows:
            yield with_study(row.record_json, row.study_id)
        last = rows[-1].id


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Version:
    version: int
    current: bool
    imported_at: str
    source_format: str
    source_file: str | None
    last_update: str | None
    raw_sha256: str | None
    record: dict[str, Any]
    changes: list[Change]
    """What differs from the version before it (empty for the first)."""


def diff_records(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Field-level differences, one level into nested objects (``dates.start``, ``eligibility.max_age_years``);
    the ``source`` block is bookkeeping and left out."""
    changes: list[Change] = []
    for key in after.keys() | before.keys():
        if key == "source":
            continue
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            for sub in sorted(a.keys() | b.keys()):
                if a.get(sub) != b.get(sub):
                    changes.append(Change(f"{key}.{sub}", a.get(sub), b.get(sub)))
        else:
            changes.append(Change(key, a, b))
    order = list(after.keys())
    changes.sort(key=lambda c: (order.index(c.field.split(".")[0]) if c.field.split(".")[0] in order else 99,
                                c.field))
    return changes


def history(engine: Engine, registry_id: str) -> list[Version]:
    trial_id = resolve_id(engine, registry_id)
    if trial_id is None:
        return []
    with engine.connect() as conn:
        current = conn.execute(select(s.trials.c.current_version).where(s.trials.c.id == trial_id)).scalar()
        rows = conn.execute(
            select(s.versions).where(s.versions.c.trial_id == trial_id).order_by(s.versions.c.version)
        ).all()
    out: list[Version] = []
    previous: dict[str, Any] | None = None
    for row in rows:
        record = json.loads(row.record_json)
        out.append(Version(
            version=row.version, current=row.version == current, imported_at=row.imported_at,
            source_format=row.source_format, source_file=row.source_file, last_update=row.last_update,
            raw_sha256=row.raw_sha256, record=record,
            changes=diff_records(previous, record) if previous is not None else []))
        previous = record
    return out


def raw_input(engine: Engine, sha256: str) -> bytes | None:
    with engine.connect() as conn:
        row = conn.execute(select(s.raw_inputs).where(s.raw_inputs.c.sha256 == sha256)).first()
    if row is None:
        return None
    return zlib.decompress(row.content) if row.compression == "zlib" else bytes(row.content)
