#!/usr/bin/env python3
"""Import throughput and peak memory on a generated corpus, against its floors measured in the same run (issue #7).

    .venv/bin/python bench/bench_import.py CORPUS [--db sqlite|postgresql://postgres@127.0.0.1:5432] [--repeat 3]
                                           [--skip-generic] [--phases] [--keep-db] [--work DIR] [--json OUT]

Each measurement is a child process timed from start to exit; its peak RSS is the kernel's high-water mark for it
(``wait4``'s ``ru_maxrss``, the VmHWM /proc shows while it runs), its CPU time user + system. Medians of ``--repeat``
runs; the corpus' files are read once first, so every run finds them in the page cache.

- **floor**: one process reads every file and parses it (``json.loads``; ``lxml.etree.fromstring`` for ICTRP XML) —
  what any importer of these files pays at least.
- **generic route** (SQLite only; sqlite-utils, the ``bench`` extra): the pages unwrapped to one study per JSONL line
  with three named text columns, ``sqlite-utils insert --nl --flatten --alter --pk id``, then ``sqlite-utils
  enable-fts`` on title, conditions and summary — storing and indexing the studies while normalizing and annotating
  nothing. stemtrials must beat it.
- **stemtrials**: ``stemtrials --db URL import CORPUS`` into a fresh database (a new SQLite file, or a new PostgreSQL
  database created and dropped here): parse, normalize, annotate, store with versions, raw inputs, facets and the
  full-text index, then link the studies — the command as users run it.
- ``--phases``: one more stemtrials run in a child that calls ``pipeline.import_paths`` and ``store.studies.relink``
  apart, so the linking step's share is known.

Targets (issue #7): stemtrials ≤ 2× the floor's wall time, below the generic route's, peak RSS ≤ 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_BIN = Path(sys.executable).parent
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432"

FLOOR_CHILD = r"""
import json, pathlib, sys
from lxml import etree
parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
n = 0
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*")):
    if not p.is_file() or p.name.startswith("."):
        continue
    data = p.read_bytes()
    if p.suffix == ".json":
        doc = json.loads(data)
        n += len(doc["studies"]) if isinstance(doc, dict) and "studies" in doc else 1
    elif p.suffix == ".xml":
        n += len(etree.fromstring(data, parser))
print(n)
"""

# The generic route's first step: unwrap the pages into JSONL, one study per line, with an ``id`` and the three text
# columns the full-text index is built on (ICTRP trials become one object of their fields).
FLATTEN_CHILD = r"""
import json, pathlib, sys
from lxml import etree
parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for p in sorted(pathlib.Path(sys.argv[1]).rglob("*")):
        if not p.is_file() or p.name.startswith("."):
            continue
        if p.suffix == ".json":
            for study in json.loads(p.read_bytes())["studies"]:
                ps = study["protocolSection"]
                row = {"id": ps["identificationModule"]["nctId"],
                       "title": ps["identificationModule"].get("briefTitle"),
                       "conditions": "; ".join(ps.get("conditionsModule", {}).get("conditions", [])),
                       "summary": ps.get("descriptionModule", {}).get("briefSummary"), **study}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif p.suffix == ".xml":
            for trial in etree.fromstring(p.read_bytes(), parser):
                fields = {c.tag: c.text for c in trial if isinstance(c.tag, str)}
                row = {"id": fields.get("TrialID"), "title": fields.get("Public_title"),
                       "conditions": fields.get("Condition"), "summary": fields.get("Scientific_title"), **fields}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
"""

PHASES_CHILD = r"""
import json, sys, time
from stemtrials.pipeline import import_paths
from stemtrials.store import open_engine
from stemtrials.store.studies import relink
t0 = time.perf_counter()
engine = open_engine(sys.argv[1])
t1 = time.perf_counter()
counts = import_paths(engine, [sys.argv[2]])
t2 = time.perf_counter()
relink(engine)
t3 = time.perf_counter()
print(json.dumps({"open_s": t1 - t0, "import_s": t2 - t1, "relink_s": t3 - t2, "summary": counts.summary()}))
"""


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    output: str


def measure(cmd: list[str], *, cwd: Path | None = None) -> Run:
    """Run a child to completion: wall time, CPU time and peak RSS (the kernel's, exact: no polling)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{stderr[-3000:]}\n{stdout[-1000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout)


def summed(runs: list[Run]) -> Run:
    return Run(sum(r.wall_s for r in runs), sum(r.cpu_s for r in runs), max(r.max_rss_mb for r in runs),
               runs[-1].output)


# ---------------------------------------------------------------- databases
class Databases:
    """Fresh databases of one backend: SQLite files under ``work``, or PostgreSQL databases on a server."""

    def __init__(self, spec: str, work: Path) -> None:
        self.backend = "postgresql" if spec.startswith(("postgresql://", "postgres://")) else "sqlite"
        self.server = spec.rstrip("/") if self.backend == "postgresql" else None
        self.work = work
        self.label = f"PostgreSQL ({self._server_version()})" if self.server else f"SQLite {_sqlite_version()}"

    def fresh(self) -> str:
        name = f"stemtrials_bench_{uuid.uuid4().hex[:10]}"
        if self.server:
            self._admin(f'CREATE DATABASE "{name}"')
            return f"{self.server}/{name}"
        return str(self.work / f"{name}.db")

    def size_mb(self, url: str) -> float:
        if self.server:
            import psycopg

            with psycopg.connect(url) as conn:
                return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20
        return sum(p.stat().st_size for p in Path(url).parent.glob(Path(url).name + "*")) / 2**20

    def drop(self, url: str) -> None:
        if self.server:
            self._admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        else:
            for p in Path(url).parent.glob(Path(url).name + "*"):
                p.unlink()

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def _server_version(self) -> str:
        import psycopg

        with psycopg.connect(f"{self.server}/postgres") as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def machine() -> dict:
    load = os.getloadavg()
    return {"cores": os.cpu_count(), "cpu": _cpu_model(), "python": platform.python_version(),
            "load_average": [round(x, 2) for x in load]}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# ---------------------------------------------------------------- the measurements
def floor(corpus: Path) -> Run:
    return measure([sys.executable, "-c", FLOOR_CHILD, str(corpus)])


def generic(corpus: Path, work: Path) -> Run:
    rows, db = work / f"generic_{uuid.uuid4().hex[:8]}.jsonl", work / f"generic_{uuid.uuid4().hex[:8]}.db"
    utils = str(VENV_BIN / "sqlite-utils")
    if not Path(utils).exists():
        raise SystemExit("sqlite-utils is missing: pip install -e '.[bench]' (or use --skip-generic)")
    try:
        return summed([
            measure([sys.executable, "-c", FLATTEN_CHILD, str(corpus), str(rows)]),
            measure([utils, "insert", str(db), "studies", str(rows), "--nl", "--flatten", "--alter", "--pk", "id"]),
            measure([utils, "enable-fts", str(db), "studies", "title", "conditions", "summary"]),
        ])
    finally:
        for p in (rows, db):
            p.unlink(missing_ok=True)


def stemtrials_import(corpus: Path, url: str) -> Run:
    run = measure([str(VENV_BIN / "stemtrials"), "--db", url, "import", str(corpus)], cwd=ROOT)
    if "imported:" not in run.output or " 0 errors" not in run.output:
        raise SystemExit(f"stemtrials import did not finish cleanly: {run.output[-500:]}")
    return run


def phases(corpus: Path, url: str) -> dict:
    run = measure([sys.executable, "-c", PHASES_CHILD, url, str(corpus)], cwd=ROOT)
    return {**json.loads(run.output.strip().splitlines()[-1]), "wall_s": run.wall_s, "max_rss_mb": run.max_rss_mb}


def corpus_records(corpus: Path) -> int | None:
    meta = corpus / ".corpus.json"
    if not meta.exists():
        return None
    data = json.loads(meta.read_text())
    return sum(data.get(k, {}).get("records", 0) for k in ("ctgov_v2", "ictrp_xml"))


def warm(corpus: Path) -> int:
    """Read every file once, so each timed run finds the corpus in the page cache. Returns its size in bytes."""
    size = 0
    for p in sorted(corpus.rglob("*")):
        if p.is_file():
            with p.open("rb") as f:
                while chunk := f.read(1 << 24):
                    size += len(chunk)
    return size


def median_run(runs: list[Run]) -> dict:
    return {"wall_s": round(statistics.median(r.wall_s for r in runs), 2),
            "cpu_s": round(statistics.median(r.cpu_s for r in runs), 2),
            "max_rss_mb": round(max(r.max_rss_mb for r in runs)),
            "runs_wall_s": [round(r.wall_s, 2) for r in runs]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--db", default="sqlite", help=f"'sqlite' (default) or a PostgreSQL server URL ({PG_DEFAULT})")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median; default 3)")
    ap.add_argument("--skip-generic", action="store_true", help="skip the sqlite-utils route")
    ap.add_argument("--phases", action="store_true", help="one more run timing import and linking apart")
    ap.add_argument("--keep-db", action="store_true", help="keep the last stemtrials database; its URL is printed")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "stemtrials-bench",
                    help="where SQLite files and the generic route's files go")
    ap.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = ap.parse_args(argv)
    corpus: Path = args.corpus.resolve()
    if not corpus.is_dir():
        ap.error(f"{corpus} is not a directory")
    args.work.mkdir(parents=True, exist_ok=True)
    dbs = Databases(args.db, args.work)
    size = warm(corpus)
    result: dict = {"corpus": str(corpus), "corpus_mb": round(size / 2**20), "backend": dbs.label,
                    "machine_before": machine()}

    floors = [floor(corpus) for _ in range(args.repeat)]
    records = corpus_records(corpus) or int(floors[0].output.strip())
    result["records"] = records
    result["floor"] = median_run(floors)
    print(f"floor (read + parse): {result['floor']}", file=sys.stderr)
    if not args.skip_generic:
        result["generic"] = median_run([generic(corpus, args.work) for _ in range(args.repeat)])
        print(f"generic route: {result['generic']}", file=sys.stderr)

    runs, sizes, kept = [], [], None
    for i in range(args.repeat):
        url = dbs.fresh()
        try:
            runs.append(stemtrials_import(corpus, url))
            sizes.append(dbs.size_mb(url))
            print(f"stemtrials run {i + 1}: {runs[-1].wall_s:.1f} s, {runs[-1].max_rss_mb:.0f} MB", file=sys.stderr)
        finally:
            if args.keep_db and i == args.repeat - 1:
                kept = url
            else:
                dbs.drop(url)
    result["stemtrials"] = {**median_run(runs), "db_mb": round(statistics.median(sizes)),
                            "records_per_s": round(records / statistics.median(r.wall_s for r in runs))}
    if args.phases:
        url = dbs.fresh()
        try:
            result["stemtrials_phases"] = phases(corpus, url)
        finally:
            dbs.drop(url)
    st, fl = result["stemtrials"], result["floor"]
    result["ratios"] = {"wall_vs_floor": round(st["wall_s"] / fl["wall_s"], 2),
                        "cpu_vs_floor": round(st["cpu_s"] / fl["cpu_s"], 2)}
    if "generic" in result:
        result["ratios"]["wall_vs_generic"] = round(st["wall_s"] / result["generic"]["wall_s"], 2)
        result["ratios"]["cpu_vs_generic"] = round(st["cpu_s"] / result["generic"]["cpu_s"], 2)
        result["ratios"]["generic_wall_vs_floor"] = round(result["generic"]["wall_s"] / fl["wall_s"], 2)
    result["machine_after"] = machine()
    if kept:
        result["kept_db"] = kept
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
