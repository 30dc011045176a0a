#!/usr/bin/env python3
"""Search latency through the REST API on the shared sample (the target: p95 < 20 ms).

    .venv/bin/python bench/bench_search.py [--db PATH] [--n 200] [--warmup 20] [--threshold-ms 20] [--profile]

- The database: ``--db PATH`` is reused when it exists, else built there (default: a file in the system temp dir)
  with ``stemtrials --db PATH import ../shared/seeds ../shared/data/ctgov`` — the same ≈2,100 records the tests use.
- The server: ``stemtrials --db PATH serve`` in its own process on a free port (uvicorn, one worker), as deployed.
- The client: one keep-alive HTTP connection, requests one at a time; a request's time is from sending it to having
  read the whole body. After ``--warmup`` requests per kind, ``--n`` requests per kind are timed, the kinds
  interleaved in a fixed shuffled order so that machine noise spreads over all of them.
- The baseline, same run, same database: a bare FTS5 ``MATCH`` + ``bm25()`` top-20 query through ``sqlite3`` for the
  three free-text queries — the floor any search through this index pays; the ratio says what the API adds.

Prints p50/p95/p99 per kind and overall — wall time as the client sees it, and the server's own CPU time per request
(Linux), which tells the work apart from waiting for a busy machine's cores — the machine (cores, load average), and
exits 1 when the overall wall-time p95 reaches ``--threshold-ms``. ``--profile`` also runs the query mix in-process
under pyinstrument and prints where time goes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_DB = Path(tempfile.gettempdir()) / "stemtrials-bench" / "sample.db"

# (kind, path, query parameters); "deep_page" requests are filled in with cursors of deep pages at start-up.
KINDS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("text_mesenchymal", "/api/trials", [("q", "mesenchymal")]),
    ("text_GVHD", "/api/trials", [("q", "GVHD")]),
    ("text_knee_oa", "/api/trials", [("q", "knee osteoarthritis")]),
    ("facets_all", "/api/facets", []),
    ("facets_filtered", "/api/facets", [("status", "recruiting"), ("status", "completed"), ("phase", "phase2"),
                                        ("country", "China"), ("limit", "100")]),
    ("list_filtered", "/api/trials", [("phase", "phase1"), ("phase", "phase2"), ("study_type", "interventional"),
                                      ("start_year_min", "2015")]),
    ("condition_onto", "/api/trials", [("condition", "osteoarthritis")]),
    ("cell_type_onto", "/api/trials", [("cell_type", "CL:0000134"), ("q", "knee")]),
    ("age_sex", "/api/trials", [("age", "70"), ("sex", "female")]),
    ("deep_page", "/api/trials", []),
    ("stats", "/api/stats", []),
]
BASELINE_QUERIES = {"text_mesenchymal": '"mesenchymal"*', "text_GVHD": '"gvhd"*', "text_knee_oa": '"knee" AND '
                    '"osteoarthritis"*'}


def build_db(db: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {db} from {SHARED} …", file=sys.stderr)
    t0 = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "stemtrials", "--db", str(db), "import", str(SHARED / "seeds"),
                          str(SHARED / "data" / "ctgov")], capture_output=True, text=True)
    if run.returncode not in (0, 1) or not db.exists():
        sys.exit(f"import failed ({run.returncode}):\n{run.stderr[-2000:]}")
    summary = [line for line in (run.stdout + run.stderr).splitlines() if line.startswith("imported:")]
    print(f"  {summary[-1] if summary else '?'} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``stemtrials serve`` in a child process."""

    def __init__(self, db: Path) -> None:
        self.port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # The rate limiter is off: one client sending requests back to back is the benchmark, not an abuser. The
        # server's log (a line per request) goes to a file: an unread pipe would fill up and stall the server.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 — lives as long as the server; closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "stemtrials", "--db", str(db), "serve", "--port",
                                      str(self.port), "--rate-limit", "0"], stdout=subprocess.DEVNULL,
                                     stderr=self.log, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                sys.exit(f"server exited: {self.log.read().decode(errors='replace')[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        sys.exit("server did not start within 60 s")

    def cpu_ns(self) -> int | None:
        """CPU time the server has used so far, all threads (Linux schedstat, ns); None where unavailable. Requests
        run in the server's worker threads, so this measures their work without the machine's queueing."""
        total = 0
        try:
            for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
                total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return total

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str, params: list[tuple[str, str]]) -> tuple[float, dict]:
        url = path + ("?" + urllib.parse.urlencode(params) if params else "")
        t0 = time.perf_counter()
        self.conn.request("GET", url)
        resp = self.conn.getresponse()
        body = resp.read()
        elapsed = time.perf_counter() - t0
        if resp.status != 200:
            raise SystemExit(f"GET {url} → {resp.status}: {body[:300]!r}")
        return elapsed, json.loads(body)


def deep_cursors(client: Client) -> list[list[tuple[str, str]]]:
    """Requests for pages 25 and deeper of two walks: everything by start date, and "stem cell" by relevance."""
    out: list[list[tuple[str, str]]] = []
    for base in ([("limit", "20")], [("q", "stem cell"), ("limit", "20")]):
        params = list(base)
        page = 0
        while True:
            _, body = client.get("/api/trials", params)
            page += 1
            if body["next"] is None:
                break
            params = [*base, ("cursor", body["next"])]
            if page >= 25:
                out.append(params)
    if not out:
        raise SystemExit("the database is too small for deep pages")
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def line(name: str, ms: list[float]) -> str:
    return (f"{name:<18} n={len(ms):<5} p50={pct(ms, 50):7.2f}  p95={pct(ms, 95):7.2f}  p99={pct(ms, 99):7.2f}  "
            f"mean={statistics.fmean(ms):7.2f}  max={max(ms):7.2f}")


def baseline(db: Path, n: int, warmup: int) -> dict[str, list[float]]:
    """Bare FTS5 top-20 by bm25 (with the same column weights) through sqlite3 on the same file."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    sql = ("SELECT trial_id, bm25(trials_fts, 0.0, 10.0, 5.0, 3.0, 1.0) AS score FROM trials_fts "
           "WHERE trials_fts MATCH ? ORDER BY score LIMIT 20")
    out: dict[str, list[float]] = {}
    for kind, match in BASELINE_QUERIES.items():
        times = []
        for i in range(warmup + n):
            t0 = time.perf_counter()
            conn.execute(sql, (match,)).fetchall()
            if i >= warmup:
                times.append((time.perf_counter() - t0) * 1000)
        out[kind] = times
    conn.close()
    return out


def profile(db: Path) -> None:
    """The query mix in-process under pyinstrument, at the layer the routes call (search with facets, facets, stats):
    pyinstrument samples one thread, and a TestClient or server runs the app in others."""
    from pyinstrument import Profiler

    from stemtrials.query.search import Filters, facets, search
    from stemtrials.query.stats import stats
    from stemtrials.store import open_engine

    engine = open_engine(str(db))
    multi = {"status", "phase", "country", "study_type", "condition", "cell_type"}
    calls: list[Callable[[], object]] = []
    for kind, path, params in KINDS:
        if kind == "deep_page":
            continue
        kw: dict[str, object] = {}
        for name, value in params:
            if name == "limit":
                continue
            if name in multi:
                kw.setdefault(name, []).append(value)  # type: ignore[union-attr]
            else:
                kw[name] = float(value) if name == "age" else int(value) if name.startswith("start_year") else value
        f = Filters(**kw)  # type: ignore[arg-type]
        if path == "/api/trials":
            calls.append(lambda f=f: search(engine, f, with_facets=True))
        elif path == "/api/facets":
            calls.append(lambda f=f: facets(engine, f))
        else:
            calls.append(lambda f=f: stats(engine, f))
    for call in calls:
        call()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(20):
        for call in calls:
            call()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite file; built from ../shared when missing")
    ap.add_argument("--n", type=int, default=200, help="timed requests per kind (default 200)")
    ap.add_argument("--warmup", type=int, default=20, help="untimed requests per kind first (default 20)")
    ap.add_argument("--threshold-ms", type=float, default=20.0, help="overall p95 target (default 20)")
    ap.add_argument("--profile", action="store_true", help="also profile the mix in-process (pyinstrument)")
    args = ap.parse_args()
    db: Path = args.db.resolve()
    if not db.exists():
        build_db(db)
    with sqlite3.connect(db) as conn:
        (trials,) = conn.execute("SELECT count(*) FROM trials").fetchone()
        (versions,) = conn.execute("SELECT count(*) FROM versions").fetchone()

    server = Server(db)
    try:
        client = Client(server.port)
        deep = deep_cursors(client)
        plan: list[tuple[str, str, list[tuple[str, str]]]] = []
        for kind, path, params in KINDS:
            for i in range(args.warmup + args.n):
                plan.append((kind, path, deep[i % len(deep)] if kind == "deep_page" else params))
        rng = random.Random(20240601)
        rng.shuffle(plan)
        seen: dict[str, int] = {}
        times: dict[str, list[float]] = {kind: [] for kind, _, _ in KINDS}
        cpu: dict[str, list[float]] = {kind: [] for kind, _, _ in KINDS}
        totals: dict[str, int] = {}
        t_start = time.perf_counter()
        for kind, path, params in plan:
            before = server.cpu_ns()
            elapsed, body = client.get(path, params)
            after = server.cpu_ns()
            seen[kind] = seen.get(kind, 0) + 1
            if seen[kind] > args.warmup:
                times[kind].append(elapsed * 1000)
                if before is not None and after is not None:
                    cpu[kind].append((after - before) / 1e6)
            if "total" in body:
                totals[kind] = body["total"]
        wall = time.perf_counter() - t_start
    finally:
        server.stop()
    base = baseline(db, args.n, args.warmup)

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; Python {platform.python_version()}, SQLite "
          f"{sqlite3.sqlite_version}")
    print(f"database: {db} — {trials} trials, {versions} record versions")
    print(f"requests: {sum(len(v) for v in times.values())} timed over HTTP ({args.n} per kind after {args.warmup} "
          f"warm-up), {wall:.1f} s wall; times in ms\n")
    for kind, _, _ in KINDS:
        extra = f"  (total {totals[kind]})" if kind in totals else ""
        print(line(kind, times[kind]) + extra)
    everything = [t for v in times.values() for t in v]
    print(line("OVERALL", everything))
    if all(cpu.values()):
        print("\nserver CPU time per request (all server threads; what the work costs without the machine's queueing)")
        for kind, _, _ in KINDS:
            print(line(kind, cpu[kind]))
        print(line("OVERALL", [t for v in cpu.values() for t in v]))
    print("\nbaseline: bare FTS5 MATCH + bm25 top 20 via sqlite3, same database")
    for kind, ms in base.items():
        api95, base95 = pct(times[kind], 95), pct(ms, 95)
        print(line(kind, ms) + f"  API/baseline p95 = {api95 / base95:5.1f}×")
    all_base = [t for v in base.values() for t in v]
    text_api = [t for k in base for t in times[k]]
    print(line("baseline OVERALL", all_base) + f"  API/baseline p95 = {pct(text_api, 95) / pct(all_base, 95):5.1f}×")
    p95 = pct(everything, 95)
    verdict = "PASS" if p95 < args.threshold_ms else "FAIL"
    print(f"\n{verdict}: overall p95 {p95:.2f} ms (target < {args.threshold_ms:g} ms)")
    if args.profile:
        profile(db)
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
