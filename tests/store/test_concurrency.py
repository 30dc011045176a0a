"""Several import processes and the web server at once, and an import killed with SIGKILL, on SQLite and
PostgreSQL: no lost update, no duplicate, nothing half-written, and a re-run completes what was cut off.

Real processes (``python -m stemtrials``), real inputs from ../shared, and the store's own invariants
(storecheck.assert_consistent) checked afterwards. Each test runs once per backend (tests/backends.py).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from stemtrials.store import open_engine
from storecheck import assert_consistent, records_in, scalar

SUMMARY = re.compile(r"imported: (\d+) new, (\d+) updated, (\d+) unchanged, (\d+) errors")
PROCESS_TIMEOUT = 300  # a generous bound for a hung process, never a timing assertion


_runs = itertools.count()


@dataclass
class _Process:
    """A stemtrials process whose output goes to files: a pipe nobody reads fills up and blocks the writer (the
    server logs every request)."""

    popen: subprocess.Popen[bytes]
    out: Path
    err: Path

    def finish(self) -> tuple[int, str, str]:
        self.popen.wait(timeout=PROCESS_TIMEOUT)
        return self.popen.returncode, self.out.read_text(encoding="utf-8"), self.err.read_text(encoding="utf-8")


def _stemtrials(logs: Path, url: str, *args: str, **environ: str) -> _Process:
    env = {k: v for k, v in os.environ.items() if k != "STEMTRIALS_DB"} | environ
    n = next(_runs)
    out, err = logs / f"{n}-{args[0]}.out", logs / f"{n}-{args[0]}.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        popen = subprocess.Popen([sys.executable, "-m", "stemtrials", "--db", url, *args], env=env,
                                 stdout=stdout, stderr=stderr)
    return _Process(popen, out, err)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            json.loads(response.read())
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _start_server(logs: Path, url: str) -> tuple[_Process, str]:
    port = _free_port()
    # The reads below come as fast as the server answers, on purpose: its per-client rate limit is not under test.
    server = _stemtrials(logs, url, "serve", "--port", str(port), STEMTRIALS_RATE_LIMIT="0")
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):  # bounded: up to ~30 s for uvicorn to start
        if server.popen.poll() is not None:
            raise AssertionError(f"server exited: {server.finish()}")
        try:
            if _get(f"{base}/api/trials?limit=1") == 200:
                return server, base
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    server.popen.kill()
    raise AssertionError(f"server did not start: {server.finish()}")


def test_concurrent_imports_and_reads(db_url: str, shared: Path, tmp_path: Path):
    ctgov = shared / "data/ctgov"
    # Overlapping inputs: the 10-study export lies inside the 50-study one, the CSV and classic JSON describe trials
    # that are also in the v2 and XML files, and the first and last importers read the very same files.
    jobs = [
        [ctgov / "v2", shared / "seeds/004_e65ca66711663aaa.txt"],
        [ctgov / "legacy_xml", ctgov / "v2/export_10_studies.json"],
        [ctgov / "csv_export/ipsc_search_export.csv", ctgov / "classic_full_studies", ctgov / "v2/NCT03418623.json"],
        [ctgov / "v2", shared / "seeds/004_e65ca66711663aaa.txt"],
    ]
    expected = {p.record.id for job in jobs for p in records_in(job)}

    server, base = _start_server(tmp_path, db_url)  # creates the schema; the importers find it ready
    try:
        importers = [_stemtrials(tmp_path, db_url, "import", *map(str, job)) for job in jobs]
        statuses: list[int] = []
        while any(p.popen.poll() is None for p in importers) or not statuses:
            statuses.append(_get(f"{base}/api/trials?q=mesenchymal&limit=5"))
            statuses.append(_get(f"{base}/api/trials/NCT03123458"))
            statuses.append(_get(f"{base}/api/stats"))
        results = [p.finish() for p in importers]
        landed = _get(f"{base}/api/trials/NCT03123458")
    finally:
        server.popen.terminate()
        server.finish()

    for code, _, err in results:
        assert code == 0, err
        assert err.strip() == "", err
    # Reads during the imports never failed; the trial page is 404 only until its record landed.
    assert set(statuses) <= {200, 404}, statuses
    assert landed == 200

    new = sum(int(SUMMARY.search(out).group(1)) for _, out, _ in results)  # type: ignore[union-attr]
    n_trials = assert_consistent(db_url)
    assert n_trials == len(expected)
    assert new == len(expected), "a trial was counted new by two importers (a race on its insert)"
    engine = open_engine(db_url)
    try:
        assert scalar(engine, "SELECT count(DISTINCT id) FROM trials") == len(expected)
        # The two identical jobs and the overlaps store each distinct content once.
        assert scalar(engine, "SELECT count(*) FROM (SELECT DISTINCT trial_id, content_hash FROM versions) d") == \
            scalar(engine, "SELECT count(*) FROM versions")
    finally:
        engine.dispose()


def _export(url: str, out: Path) -> list[str]:
    """The JSONL export without the import timestamps (the only thing two imports of one input may differ in)."""
    code, _, err = _stemtrials(out.parent, url, "export", "--format", "jsonl", "--out", str(out)).finish()
    assert code == 0, err
    lines = []
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record["source"].pop("imported_at", None)
        lines.append(json.dumps(record, sort_keys=True, ensure_ascii=False))
    return lines


def test_import_killed_mid_way_leaves_a_consistent_store_and_a_rerun_completes(db_url: str, new_db, shared: Path,
                                                                               tmp_path: Path):
    # ~80 files, ~300 records in four formats: several seconds of work, committed file by file.
    ctgov = shared / "data/ctgov"
    inputs = [str(ctgov / d) for d in ("classic_full_studies", "legacy_xml", "v2", "csv_export/ipsc_search_export.csv")]
    probe = open_engine(db_url)  # creates the schema, so polling below can count
    victim = _stemtrials(tmp_path, db_url, "import", *inputs)
    try:
        # Poll until at least one file's transaction committed, then kill without warning.
        while scalar(probe, "SELECT count(*) FROM trials") == 0:
            assert victim.popen.poll() is None, victim.finish()
            time.sleep(0.05)
        victim.popen.send_signal(signal.SIGKILL)
        code, _, _ = victim.finish()
    finally:
        if victim.popen.poll() is None:
            victim.popen.kill()
        probe.dispose()
    assert code == -signal.SIGKILL

    partial = assert_consistent(db_url)
    assert partial > 0

    code, out, err = _stemtrials(tmp_path, db_url, "import", *inputs).finish()
    assert code == 0, err
    completed = assert_consistent(db_url)
    # What the killed run committed is recognised; exactly the rest is new.
    assert int(SUMMARY.search(out).group(1)) == completed - partial  # type: ignore[union-attr]

    clean = new_db("clean")
    code, _, err = _stemtrials(tmp_path, clean, "import", *inputs).finish()
    assert code == 0, err
    reference = _export(clean, tmp_path / "clean.jsonl")
    resumed = _export(db_url, tmp_path / "resumed.jsonl")
    assert len(resumed) == len(set(resumed)) == len({json.loads(line)["id"] for line in resumed})
    assert sorted(resumed) == sorted(reference)


def test_processes_opening_a_new_store_at_once_migrate_it_once(db_url: str, shared: Path, tmp_path: Path):
    """Every command migrates the store when it opens it: several starting at once on a new (or older) store must
    not race to create the same tables (on PostgreSQL the losers failed with a duplicate pg_type key)."""
    page = shared / "seeds/004_e65ca66711663aaa.txt"
    runs = [_stemtrials(tmp_path, db_url, "import", str(page)) for _ in range(3)]
    runs.append(_stemtrials(tmp_path, db_url, "stats", "--json"))
    results = [p.finish() for p in runs]
    assert [code for code, _, _ in results] == [0, 0, 0, 0], [err for _, _, err in results]
    assert sum(int(SUMMARY.search(out).group(1)) for _, out, _ in results[:3]) == 1  # type: ignore[union-attr]
    assert assert_consistent(db_url) == 1
