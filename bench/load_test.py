#!/usr/bin/env python3
"""A bounded load test on loopback: many concurrent clients against ``stemtrials serve`` for a fixed time.

    .venv/bin/python bench/load_test.py --db postgresql://postgres@127.0.0.1:5432/stemtrials_load \\
        [--clients 32] [--seconds 30] [--workers 2] [--build]

- The database: ``--db URL`` (PostgreSQL or SQLite). ``--build`` first imports the shared sample
  (``../shared/seeds`` and ``../shared/data/ctgov``, ≈2,100 records) when the database holds no trial.
- The server: ``stemtrials --db URL serve --rate-limit 0 --workers W`` in its own process tree, as deployed (the
  rate limiter is off: this measures the service, not the limiter).
- The clients: ``--clients`` keep-alive HTTP/1.1 connections on one asyncio loop, each sending its next request as
  soon as the previous answer is read, for ``--seconds``; requests cycle through the search benchmark's mix
  (bench/bench_search.py: free text, facets, filters, ontology filters, age, stats, trial pages).

Prints requests, throughput, latency p50/p95/p99/max per kind and overall, and errors (any status but 200, any
connection failure); exits 1 if there was any error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import KINDS  # noqa: E402 — the same query mix as the latency benchmark

TRIAL_PAGES = [("trial_json", "/api/trials/NCT03123458", []), ("trial_page", "/trials/NCT03123458", []),
               ("search_page", "/", [("q", "mesenchymal")])]


def _trial_count(db: str) -> int:
    from sqlalchemy import text

    from stemtrials.store import open_engine

    engine = open_engine(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM trials")).scalar() or 0)
    finally:
        engine.dispose()


def build(db: str) -> None:
    if _trial_count(db):
        return
    print(f"importing the shared sample into {db} …", file=sys.stderr)
    t0 = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "stemtrials", "--db", db, "import", str(SHARED / "seeds"),
                          str(SHARED / "data" / "ctgov")], capture_output=True, text=True)
    if run.returncode not in (0, 1):
        sys.exit(f"import failed ({run.returncode}):\n{run.stderr[-2000:]}")
    print(f"  {run.stdout.strip().splitlines()[-1]} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "stemtrials", "--db", db, "serve", "--port", str(port),
                             "--workers", str(workers), "--rate-limit", "0", "--log-format", "json"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("server did not start within 60 s")


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: str) -> int:
    writer.write(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode())
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length = 0
    chunked = False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while (size := int((await reader.readline()).strip() or b"0", 16)) > 0:
            await reader.readexactly(size + 2)
        await reader.readline()
    else:
        await reader.readexactly(length)
    return status


async def client(port: int, requests: list[tuple[str, str]], stop_at: float, times: dict[str, list[float]],
                 errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = random.randrange(len(requests))
    try:
        while time.perf_counter() < stop_at:
            kind, target = requests[i % len(requests)]
            i += 1
            t0 = time.perf_counter()
            try:
                status = await _get(reader, writer, target)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(f"{kind}: {exc!r}")
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            times.setdefault(kind, []).append(time.perf_counter() - t0)
            if status != 200:
                errors.append(f"{kind}: HTTP {status} for {target}")
    finally:
        writer.close()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


async def run(port: int, clients: int, seconds: float) -> tuple[dict[str, list[float]], list[str], float]:
    requests = [(kind, path + ("?" + urllib.parse.urlencode(params) if params else ""))
                for kind, path, params in [*KINDS, *TRIAL_PAGES] if kind != "deep_page"]
    random.Random(1).shuffle(requests)
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    t0 = time.perf_counter()
    await asyncio.gather(*(client(port, requests, t0 + seconds, times, errors) for _ in range(clients)))
    return times, errors, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="database URL (postgresql://… or a SQLite file)")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2, help="server worker processes (default 2, one per core)")
    ap.add_argument("--build", action="store_true", help="import the shared sample first if the database is empty")
    args = ap.parse_args()
    if args.build:
        build(args.db)
    n_trials = _trial_count(args.db)
    port = free_port()
    server = start_server(args.db, port, args.workers)
    try:
        asyncio.run(run(port, 4, 3.0))  # warm-up: every worker builds its search snapshot
        times, errors, wall = asyncio.run(run(port, args.clients, args.seconds))
    finally:
        os.killpg(server.pid, 15)
        server.wait(10)
    every = [t for ts in times.values() for t in ts]
    print(f"machine: {os.cpu_count()} cores ({platform.machine()}), load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; Python {platform.python_version()}")
    print(f"database: {args.db.split('@')[-1]} — {n_trials} trials; server: {args.workers} worker(s), rate limit off")
    print(f"load: {args.clients} concurrent keep-alive clients for {wall:.1f} s on loopback; times in ms")
    for kind in sorted(times):
        ts = times[kind]
        print(f"{kind:18s} n={len(ts):<6d} p50={pct(ts, 50):8.2f}  p95={pct(ts, 95):8.2f}  p99={pct(ts, 99):8.2f}  "
              f"max={max(ts) * 1000:8.2f}")
    print(f"{'OVERALL':18s} n={len(every):<6d} p50={pct(every, 50):8.2f}  p95={pct(every, 95):8.2f}  "
          f"p99={pct(every, 99):8.2f}  max={max(every) * 1000:8.2f}  mean={statistics.fmean(every) * 1000:.2f}")
    print(f"throughput: {len(every) / wall:.0f} requests/s; errors: {len(errors)}")
    for line in errors[:20]:
        print("  " + line)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
