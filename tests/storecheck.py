"""Consistency checks of a store after concurrent or interrupted imports."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from stemtrials import sources
from stemtrials.model import TrialRecord
from stemtrials.sources.base import Parsed
from stemtrials.sources.inputs import InputFile, iter_inputs, read_head
from stemtrials.store import open_engine
from stemtrials.store.writer import facet_values, id_key


def records_in(paths: list[Path]) -> Iterator[Parsed]:
    """Every record the readers find in ``paths`` (the inputs' own truth, independent of the store)."""
    for item in iter_inputs([str(p) for p in paths]):
        assert isinstance(item, InputFile), item
        fmt = sources.detect(read_head(item), item.inner_name)
        assert fmt is not None, item.name
        with item.open() as stream:
            for result in fmt.read(stream, item.name):
                assert isinstance(result, Parsed), result
                yield result


def scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def assert_consistent(url: str) -> int:
    """Check every invariant the writer keeps; returns the number of trials.

    Each trial has versions 1..n with distinct contents, its current version among them with the same content,
    no version newer (registry last-update date) than the current one; every raw input a version names is there;
    the lookup IDs, facet rows and full-text row of each trial are exactly those of its current version."""
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            trials = {r.id: r for r in conn.execute(text(
                "SELECT id, current_version, content_hash, record_json FROM trials"))}
            versions: dict[str, list] = defaultdict(list)
            for v in conn.execute(text("SELECT trial_id, version, content_hash, record_json, last_update "
                                       "FROM versions ORDER BY trial_id, version")):
                versions[v.trial_id].append(v)
            missing_raw = conn.execute(text(
                "SELECT count(*) FROM versions v LEFT JOIN raw_inputs r ON r.sha256 = v.raw_sha256 "
                "WHERE v.raw_sha256 IS NOT NULL AND r.sha256 IS NULL")).scalar_one()
            facets: dict[str, set] = defaultdict(set)
            for f in conn.execute(text("SELECT trial_id, facet, value FROM trial_facets")):
                facets[f.trial_id].add((f.facet, f.value))
            ids: dict[str, set] = defaultdict(set)
            for i in conn.execute(text("SELECT trial_id, registry_id FROM trial_ids")):
                ids[i.trial_id].add(i.registry_id)
            fts: list[str] | None = None
            if inspect(conn).has_table("trials_fts"):
                fts = [r[0] for r in conn.execute(text("SELECT trial_id FROM trials_fts"))]
    finally:
        engine.dispose()

    assert missing_raw == 0, "versions name raw inputs that are not stored"
    assert set(versions) == set(trials), "versions of unknown trials, or trials without versions"
    assert set(facets) <= set(trials) and set(ids) <= set(trials), "index rows of unknown trials"
    for tid, row in trials.items():
        kept = versions[tid]
        assert [v.version for v in kept] == list(range(1, len(kept) + 1)), (tid, [v.version for v in kept])
        hashes = [v.content_hash for v in kept]
        assert len(set(hashes)) == len(hashes), f"{tid}: the same content stored twice"
        current = next(v for v in kept if v.version == row.current_version)
        assert current.content_hash == row.content_hash and current.record_json == row.record_json, tid
        dated = [v.last_update for v in kept]
        if all(dated):
            assert current.last_update == max(dated), f"{tid}: an older snapshot is current"
        record = TrialRecord.model_validate(json.loads(row.record_json))
        expected_facets = {(k, v) for k, vs in facet_values(record).items() for v in vs}
        assert facets[tid] == expected_facets, f"{tid}: facet rows are not those of the current version"
        assert ids[tid] == {id_key(record.id), *(id_key(r.id) for r in record.registry_ids)}, tid
    if fts is not None:
        assert len(fts) == len(set(fts)) == len(trials) and set(fts) == set(trials), "full-text index out of sync"
    return len(trials)
