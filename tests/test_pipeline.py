"""Import end to end: many formats at once, archives, bad inputs, transactions, idempotence, round trip."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text

from backends import all_text, scalar
from helpers import cli
from stemtrials.store import open_engine
from stemtrials.store.writer import FileTransaction

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<clinical_study><id_info><nct_id>NCT09999999</nct_id></id_info><brief_title>&lol9;</brief_title></clinical_study>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE clinical_study [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<clinical_study><id_info><nct_id>NCT09999998</nct_id></id_info><brief_title>&xxe;</brief_title></clinical_study>
"""


def _count(db: str, sql: str = "SELECT count(*) FROM trials") -> int:
    return int(scalar(db, sql))  # type: ignore[arg-type]


@pytest.fixture()
def bad_dir(tmp_path: Path, shared: Path) -> Path:
    d = tmp_path / "inbox"
    d.mkdir()
    v2 = shared / "data/ctgov/v2"
    shutil.copy(v2 / "NCT03418623.json", d / "good_v2.json")
    shutil.copy(shared / "data/ctgov/legacy_xml/NCT01339988.xml", d / "good_legacy.xml")
    shutil.copy(shared / "seeds/004_e65ca66711663aaa.txt", d / "good_page.txt")
    whole = (v2 / "export_10_studies.json").read_bytes()
    (d / "truncated.json").write_bytes(whole[: len(whole) // 2])
    (d / "invalid.xml").write_bytes(b"<?xml version='1.0'?><clinical_study><id_info><nct_id>NCT1</nct_id>"
                                    b"</id_info><brief_title>broken</clinical_study>")
    (d / "bomb.xml").write_bytes(BILLION_LAUGHS)
    (d / "xxe.xml").write_bytes(XXE)
    (d / "empty.json").write_bytes(b"")
    (d / "binary.dat").write_bytes(bytes(range(256)) * 64)
    return d


def test_bad_inputs_cost_only_themselves(db_url: str, bad_dir: Path):
    db = db_url
    run = cli(db, "import", str(bad_dir))
    assert run.code == 1
    assert run.stdout.strip().splitlines()[-1] == "imported: 3 new, 0 updated, 0 unchanged, 6 errors"
    for name in ("truncated.json", "invalid.xml", "bomb.xml", "xxe.xml", "empty.json", "binary.dat"):
        lines = [line for line in run.stderr.splitlines() if name in line]
        assert lines, f"{name} not reported: {run.stderr}"
    assert "empty file" in run.stderr
    assert "entit" in run.stderr.lower()  # the bombs are refused because they declare entities
    assert _count(db) == 3
    engine = open_engine(db)
    with engine.connect() as conn:
        ids = {r[0] for r in conn.execute(text("SELECT id FROM trials"))}
    assert ids == {"NCT03418623", "NCT01339988", "NCT03123458"}
    # Nothing from the hostile files reached the database, expanded or not.
    dump = all_text(engine)
    engine.dispose()
    assert "root:x:0:0" not in dump and "lollollol" not in dump


def test_entity_bomb_import_stays_small(tmp_path: Path, bad_dir: Path):
    # In a fresh process, so the peak RSS measured is the import's own.
    code = (
        "import sys\n"
        "from stemtrials.cli import app\n"
        "try:\n"
        f"    app(['--db', {str(tmp_path / 'm.db')!r}, 'import', {str(bad_dir / 'bomb.xml')!r}])\n"
        "except SystemExit as e:\n"
        "    print('exit', e.code)\n"
        # VmHWM is this process image's own peak; ru_maxrss would include the forking parent's (pytest's) peak.
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print('rss_mb', int(hwm.split()[1]) // 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    rss = int(out.stdout.split("rss_mb")[1])
    assert "exit 1" in out.stdout
    assert rss < 400, f"peak RSS {rss} MB"


def test_truncated_file_lands_nothing_but_a_bad_record_costs_only_itself(tmp_path: Path, db_url: str, shared: Path):
    db = db_url
    studies = json.loads((shared / "data/ctgov/v2/export_10_studies.json").read_text())
    studies[3] = {"protocolSection": {"identificationModule": {"briefTitle": "no NCT id here"}}}
    path = tmp_path / "one_bad.json"
    path.write_text(json.dumps(studies))
    run = cli(db, "import", str(path))
    assert run.code == 1
    assert "imported: 9 new, 0 updated, 0 unchanged, 1 errors" in run.stdout
    assert "one_bad.json" in run.stderr and "study 4" in run.stderr


def test_interrupted_import_leaves_nothing_half_done(db_url: str, shared: Path, monkeypatch):
    db = db_url
    original = FileTransaction.put
    calls = {"n": 0}

    def put_then_die(self, record, raw):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return original(self, record, raw)

    monkeypatch.setattr(FileTransaction, "put", put_then_die)
    interrupted = cli(db, "import", str(shared / "data/ctgov/v2/export_10_studies.json"))
    assert interrupted.code == 130  # Ctrl-C: "Aborted!", the conventional 128 + SIGINT
    assert _count(db) == 0
    assert _count(db, "SELECT count(*) FROM versions") == 0
    monkeypatch.undo()
    run = cli(db, "import", str(shared / "data/ctgov/v2/export_10_studies.json"))
    assert "imported: 10 new, 0 updated, 0 unchanged, 0 errors" in run.stdout


def test_archives_and_many_paths(tmp_path: Path, db_url: str, shared: Path):
    zpath = tmp_path / "bundle.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(shared / "data/ctgov/legacy_xml/NCT01339988.xml", "xml/NCT01339988.xml")
        zf.writestr("v2/NCT03418623.json.gz", gzip.compress((shared / "data/ctgov/v2/NCT03418623.json").read_bytes()))
        zf.writestr("README.md", "documentation travels with data and is passed over")
    gz = tmp_path / "page.txt.gz"
    gz.write_bytes(gzip.compress((shared / "seeds/000_c4e1eefd5bb6b75c.txt").read_bytes()))
    db = db_url
    run = cli(db, "import", str(zpath), str(gz))
    assert run.code == 0, run.stderr
    assert "imported: 3 new" in run.stdout
    assert _count(db) == 3


def test_missing_path_is_reported(tmp_path: Path):
    run = cli(tmp_path / "t.db", "import", str(tmp_path / "nope.json"))
    assert run.code == 1
    assert "nope.json: no such file or directory" in run.stderr


@pytest.mark.slow
def test_all_of_shared_ctgov_imports_idempotently_and_round_trips(tmp_path: Path, db_url: str, new_db, shared: Path):
    db = db_url
    first = cli(db, "import", str(shared / "data/ctgov"))
    assert first.code == 0, first.stderr
    assert first.stderr.strip() == ""
    counts = first.stdout.strip().splitlines()[-1]
    n_trials = _count(db)
    # The 10-study export lies inside the 50-study one: they collapse; every NCT ID is one trial.
    assert n_trials == _count(db, "SELECT count(DISTINCT id) FROM trials")
    assert n_trials >= 995
    second = cli(db, "import", str(shared / "data/ctgov"))
    assert second.stdout.strip().splitlines()[-1].startswith("imported: 0 new, 0 updated"), (counts, second.stdout)
    assert _count(db) == n_trials

    out1 = tmp_path / "a.jsonl"
    assert cli(db, "export", "--format", "jsonl", "--out", str(out1)).code == 0
    db2 = new_db("copy")
    again = cli(db2, "import", str(out1))
    assert again.code == 0, again.stderr
    assert f"imported: {n_trials} new, 0 updated, 0 unchanged, 0 errors" in again.stdout
    out2 = tmp_path / "b.jsonl"
    assert cli(db2, "export", "--format", "jsonl", "--out", str(out2)).code == 0
    assert out1.read_bytes() == out2.read_bytes()
