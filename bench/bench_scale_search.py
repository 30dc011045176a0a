#!/usr/bin/env python3
"""Search latency at scale for a fixed query mix, in-process and through the REST API, against the bare full-text
floor on the same index (issue #7).

    .venv/bin/python bench/bench_scale_search.py --db URL [--n 100] [--warmup 10] [--json OUT]

``--db`` is a store an import filled (bench/bench_import.py ``--keep-db`` leaves one): a SQLite path or a
``postgresql://…`` URL. The mix (:data:`KINDS`): free text — the broad "cancer", a multi-word and a synonym-expanded
query, "mesenchymal stem cells" — each with the facet counts the API always returns; facets alone, unfiltered and
filtered; an ontology-expanded condition ("lung disease" and its Mondo descendants); age (+ sex) filters; and deep
pages (page 50 and on, or the deepest there are) reached by following ``next`` cursors, by relevance and by date.

- **in-process**: ``stemtrials.query.search.search(..., with_facets=True)`` / ``facets(...)``, the functions the
  routes call, timed in this process.
- **API**: ``stemtrials serve`` in its own process (one uvicorn worker), one keep-alive client connection, requests
  one at a time in a fixed shuffled order (kinds interleaved, so machine noise spreads over all), time to the last
  byte of the body; the server's CPU time per request beside it.
- **floor**: for each free-text kind, a bare ``MATCH`` + bm25 top 20 (SQLite FTS5 via sqlite3; on PostgreSQL the
  tsvector ``@@`` + ts_rank top 20 via psycopg), with the match expression search itself builds (synonyms, prefix),
  on the same index. The ratio API / floor says what everything above the index costs. Beside it, the floor plus
  one ``GROUP BY status`` over the matches (joined to the trials table): what counting a single facet in SQL costs.

Target (issue #7): p95 ≤ 25 ms over the mix at 1M records on SQLite, broad terms with facets included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_search import Client, Server, pct  # noqa: E402

# (kind, route, query parameters); the deep_* kinds get their cursors at start-up.
KINDS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("text_cancer", "/api/trials", [("q", "cancer")]),
    ("text_knee_oa", "/api/trials", [("q", "knee osteoarthritis")]),
    ("text_gvhd", "/api/trials", [("q", "GVHD")]),
    ("text_msc", "/api/trials", [("q", "mesenchymal stem cells")]),
    ("facets_all", "/api/facets", []),
    ("facets_filtered", "/api/facets", [("status", "recruiting"), ("status", "completed"), ("phase", "phase2"),
                                        ("country", "China"), ("limit", "100")]),
    ("condition_onto", "/api/trials", [("condition", "lung disease")]),
    ("condition_text", "/api/trials", [("condition", "diabetes mellitus"), ("q", "insulin")]),
    ("age_sex", "/api/trials", [("age", "70"), ("sex", "female")]),
    ("age_text", "/api/trials", [("q", "cancer"), ("age", "8")]),
    ("deep_relevance", "/api/trials", [("q", "cancer")]),
    ("deep_date", "/api/trials", []),
]
TEXT_KINDS = {kind: dict(params)["q"] for kind, _, params in KINDS if kind.startswith("text_")}
DEEP_FROM_PAGE = 50
DEEP_PAGES = 10
MULTI = {"status", "phase", "country", "study_type", "condition", "cell_type"}


def filters_of(params: list[tuple[str, str]]) -> tuple[Any, str | None, int]:
    """(Filters, cursor, facet limit) for a request's query parameters, as the API would build them."""
    from stemtrials.query.search import Filters

    kw: dict[str, Any] = {}
    cursor, limit = None, 25
    for name, value in params:
        if name == "cursor":
            cursor = value
        elif name == "limit":
            limit = int(value)
        elif name in MULTI:
            kw.setdefault(name, []).append(value)
        else:
            kw[name] = float(value) if name == "age" else value
    return Filters(**kw), cursor, limit


def deep_cursors(client: Client, base: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Requests for pages DEEP_FROM_PAGE … (+DEEP_PAGES) of a walk, or the deepest pages the walk has."""
    pages: list[list[tuple[str, str]]] = []
    params = [*base, ("limit", "20")]
    while True:
        _, body = client.get("/api/trials", params)
        if body["next"] is None or len(pages) >= DEEP_FROM_PAGE + DEEP_PAGES:
            break
        params = [*base, ("limit", "20"), ("cursor", body["next"])]
        pages.append(params)
    deep = pages[DEEP_FROM_PAGE - 1:] or pages[-DEEP_PAGES:]
    if not deep:
        raise SystemExit(f"too few results for deep pages of {base}")
    return deep


def patient_client(port: int) -> Client:
    """A client that waits for slow answers (a cold snapshot build at scale) instead of failing at 30 s."""
    client = Client(port)
    client.conn.timeout = 600  # applied when the connection opens, on the first request
    return client


def stats_of(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50": round(pct(ms, 50), 2), "p95": round(pct(ms, 95), 2), "p99": round(pct(ms, 99), 2),
            "mean": round(statistics.fmean(ms), 2), "max": round(max(ms), 2)}


# ---------------------------------------------------------------- the runs
def run_api(db: str, plans: dict[str, list[list[tuple[str, str]]]], n: int, warmup: int) -> tuple[dict, dict, dict]:
    routes = {kind: route for kind, route, _ in KINDS}
    server = Server(db)  # type: ignore[arg-type]  # a URL or path, passed on as --db
    try:
        client = patient_client(server.port)
        plan = [(kind, i) for kind in plans for i in range(warmup + n)]
        random.Random(20240601).shuffle(plan)
        seen: dict[str, int] = {}
        times: dict[str, list[float]] = {k: [] for k in plans}
        cpu: dict[str, list[float]] = {k: [] for k in plans}
        totals: dict[str, int] = {}
        for kind, i in plan:
            params = plans[kind][i % len(plans[kind])]
            before = server.cpu_ns()
            elapsed, body = client.get(routes[kind], params)
            after = server.cpu_ns()
            seen[kind] = seen.get(kind, 0) + 1
            if seen[kind] > warmup:
                times[kind].append(elapsed * 1000)
                if before is not None and after is not None:
                    cpu[kind].append((after - before) / 1e6)
            if "total" in body:
                totals[kind] = body["total"]
    finally:
        server.stop()
    return times, cpu, totals


def run_in_process(db: str, plans: dict[str, list[list[tuple[str, str]]]], n: int, warmup: int) -> tuple[dict, float]:
    from stemtrials.query.search import facets, search
    from stemtrials.query.trial_index import trial_index
    from stemtrials.store import open_engine

    engine = open_engine(db)
    t0 = time.perf_counter()
    trial_index(engine, force=True)
    snapshot_s = time.perf_counter() - t0
    routes = {kind: route for kind, route, _ in KINDS}
    calls: list[tuple[str, Callable[[], object]]] = []
    for kind, variants in plans.items():
        for params in variants:
            f, cursor, limit = filters_of(params)
            if routes[kind] == "/api/facets":
                calls.append((kind, lambda f=f, limit=limit: facets(engine, f, limit=limit)))
            else:
                calls.append((kind, lambda f=f, cursor=cursor: search(engine, f, limit=20, cursor=cursor,
                                                                      with_facets=True)))
    by_kind: dict[str, list[Callable[[], object]]] = {}
    for kind, call in calls:
        by_kind.setdefault(kind, []).append(call)
    plan = [(kind, i) for kind in by_kind for i in range(warmup + n)]
    random.Random(20240602).shuffle(plan)
    seen: dict[str, int] = {}
    times: dict[str, list[float]] = {k: [] for k in by_kind}
    for kind, i in plan:
        call = by_kind[kind][i % len(by_kind[kind])]
        t0 = time.perf_counter()
        call()
        elapsed = time.perf_counter() - t0
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] > warmup:
            times[kind].append(elapsed * 1000)
    engine.dispose()
    return times, snapshot_s


def run_floor(db: str, n: int, warmup: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Per free-text kind: the bare match + top 20 by rank (the floor), and the same plus one GROUP BY status over
    the matches (what counting one facet in SQL adds)."""
    from stemtrials.query import fulltext

    out: dict[str, list[float]] = {}
    with_group: dict[str, list[float]] = {}
    if db.startswith(("postgresql://", "postgres://")):
        import psycopg

        conn: Any = psycopg.connect(db)
        top = ("SELECT trial_id FROM trials_fts, to_tsquery('simple', %s) q WHERE document @@ q "
               "ORDER BY ts_rank(document, q) DESC LIMIT 20")
        group = ("SELECT t.status, count(*) FROM trials_fts f JOIN trials t ON t.id = f.trial_id "
                 "WHERE f.document @@ to_tsquery('simple', %s) GROUP BY t.status")
        expression = {k: fulltext.to_tsquery(fulltext.parse(q)) for k, q in TEXT_KINDS.items()}
    else:
        path = db[len("sqlite:///"):] if db.startswith("sqlite:///") else db
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        weights = ", ".join(map(str, fulltext.BM25_WEIGHTS))
        top = (f"SELECT trial_id, bm25(trials_fts, {weights}) AS score FROM trials_fts WHERE trials_fts MATCH ? "
               "ORDER BY score LIMIT 20")
        group = ("SELECT t.status, count(*) FROM trials_fts JOIN trials t ON t.id = trials_fts.trial_id "
                 "WHERE trials_fts MATCH ? GROUP BY t.status")
        expression = {k: fulltext.fts_query(q) for k, q in TEXT_KINDS.items()}
    for kind, match in expression.items():
        times, grouped = [], []
        for i in range(warmup + n):
            t0 = time.perf_counter()
            conn.execute(top, (match,)).fetchall()
            t1 = time.perf_counter()
            conn.execute(group, (match,)).fetchall()
            t2 = time.perf_counter()
            if i >= warmup:
                times.append((t1 - t0) * 1000)
                grouped.append((t2 - t0) * 1000)
        out[kind], with_group[kind] = times, grouped
    conn.close()
    return out, with_group


def store_size(db: str) -> dict[str, int]:
    from sqlalchemy import text

    from stemtrials.store import open_engine

    engine = open_engine(db)
    with engine.connect() as conn:
        trials = conn.execute(text("SELECT count(*) FROM trials")).scalar() or 0
        studies = conn.execute(text("SELECT count(DISTINCT study_id) FROM trials")).scalar() or 0
    engine.dispose()
    return {"trials": trials, "studies": studies}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="SQLite path or postgresql:// URL of an imported store")
    ap.add_argument("--n", type=int, default=100, help="timed requests per kind (default 100)")
    ap.add_argument("--warmup", type=int, default=10, help="untimed requests per kind first (default 10)")
    ap.add_argument("--skip-api", action="store_true", help="in-process and floor only")
    ap.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = ap.parse_args(argv)
    db: str = args.db
    # One client asking as fast as it can is what a latency benchmark is; the server's per-IP rate limit (on by
    # default, api/hardening.py) would answer 429 to it. The child server inherits this.
    os.environ["STEMTRIALS_RATE_LIMIT"] = "0"

    result: dict[str, Any] = {"db": db, "store": store_size(db), "load_average_before": os.getloadavg()}
    # Cursors for the deep pages come from the API's own walk (a cursor is opaque: only a previous page makes one).
    plans: dict[str, list[list[tuple[str, str]]]] = {kind: [params] for kind, _, params in KINDS}
    server = Server(db)  # type: ignore[arg-type]
    try:
        client = patient_client(server.port)
        for kind, _, params in KINDS:
            if kind.startswith("deep_"):
                plans[kind] = deep_cursors(client, params)
    finally:
        server.stop()

    in_process, snapshot_s = run_in_process(db, plans, args.n, args.warmup)
    result["snapshot_build_s"] = round(snapshot_s, 2)
    result["in_process"] = {k: stats_of(v) for k, v in in_process.items()}
    result["in_process"]["OVERALL"] = stats_of([t for v in in_process.values() for t in v])
    if args.json:  # the in-process figures survive a failure of the API run
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if not args.skip_api:
        api, cpu, totals = run_api(db, plans, args.n, args.warmup)
        result["api"] = {k: {**stats_of(v), **({"total": totals[k]} if k in totals else {})} for k, v in api.items()}
        result["api"]["OVERALL"] = stats_of([t for v in api.values() for t in v])
        if all(cpu.values()):
            result["api_server_cpu"] = {k: stats_of(v) for k, v in cpu.items()}
            result["api_server_cpu"]["OVERALL"] = stats_of([t for v in cpu.values() for t in v])
    floor, floor_grouped = run_floor(db, args.n, args.warmup)
    result["floor"] = {k: stats_of(v) for k, v in floor.items()}
    result["floor"]["OVERALL"] = stats_of([t for v in floor.values() for t in v])
    result["floor_with_group_by"] = {k: stats_of(v) for k, v in floor_grouped.items()}
    result["floor_with_group_by"]["OVERALL"] = stats_of([t for v in floor_grouped.values() for t in v])
    measured = result.get("api", result["in_process"])
    text_p95 = pct([t for k in floor for t in (api if not args.skip_api else in_process)[k]], 95)
    result["ratios"] = {
        "text_p95_vs_floor_p95": round(text_p95 / result["floor"]["OVERALL"]["p95"], 1),
        **{f"{k}_p95_vs_floor": round(measured[k]["p95"] / result["floor"][k]["p95"], 1) for k in floor}}
    result["load_average_after"] = os.getloadavg()
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
