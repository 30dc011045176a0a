"""`stemtrials dump` / `stemtrials restore` as a user runs them: summaries, exit codes 0/1/2, messages that name the
file, and `show --history --format json` identical after a round trip through the other backend."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from backends import Databases
from helpers import cli

TRIAL = "NCT00023673"  # two versions: classic full-study JSON and legacy XML


@pytest.fixture(scope="module")
def sample(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("dumpcli") / "sample.db"
    run = cli(db, "import", str(shared / "seeds"), str(shared / "data/ctgov/classic_full_studies" / f"{TRIAL}.json"),
              str(shared / "data/ctgov/legacy_xml" / f"{TRIAL}.xml"), str(shared / "data/ictrp/ChiCTR2000034346.xml"))
    assert run.code in (0, 1) and "4 new, 1 updated" in run.stdout, run.stdout + run.stderr
    assert cli(db, "link", "confirm", "ChiCTR2000034346", "NCT03123458", "--by", "curator-ana").code == 0
    return db


def _show(db: str, trial: str = TRIAL) -> dict:
    run = cli(db, "show", trial, "--history", "--format", "json")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def test_dump_and_restore_through_postgresql_and_back(sample: Path, databases: Databases, tmp_path: Path):
    first = tmp_path / "sqlite.stdump.gz"
    run = cli(sample, "dump", str(first))
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("dumped ") and f"to {first}" in run.stdout and "trials 4" in run.stdout
    pg = databases.new("postgresql", tmp_path / "pg", "dumpcli")
    run = cli(pg, "restore", str(first))
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("restored ") and "trials 4" in run.stdout
    shown = _show(pg)
    assert [v["version"] for v in shown["versions"]] == [1, 2]
    assert shown == _show(str(sample))
    assert _show(pg, "ChiCTR2000034346") == _show(str(sample), "ChiCTR2000034346")  # the confirmed study
    second = tmp_path / "pg.stdump.gz"
    assert cli(pg, "dump", str(second)).code == 0
    back = tmp_path / "back.db"
    assert cli(back, "restore", str(second)).code == 0
    assert _show(str(back)) == _show(str(sample))
    assert cli(back, "export").stdout == cli(sample, "export").stdout


def test_restore_refuses_a_non_empty_database(sample: Path, tmp_path: Path):
    path = tmp_path / "x.stdump.gz"
    assert cli(sample, "dump", str(path)).code == 0
    run = cli(sample, "restore", str(path))
    assert run.code == 1
    assert "is not empty" in run.stderr and "nothing was restored" in run.stderr


def test_restore_of_a_corrupted_dump_names_file_and_line_and_restores_nothing(sample: Path, tmp_path: Path):
    path = tmp_path / "x.stdump.gz"
    assert cli(sample, "dump", str(path)).code == 0
    with gzip.open(path, "rb") as fh:
        lines = fh.read().splitlines(keepends=True)
    lines[3] = b'{"t": "trials", "r": [\n'
    broken = tmp_path / "broken.stdump.gz"
    with gzip.open(broken, "wb") as fh:
        fh.writelines(lines)
    target = tmp_path / "target.db"
    run = cli(target, "restore", str(broken))
    assert run.code == 1
    assert f"{broken}: line 4: not valid JSON" in run.stderr
    assert cli(target, "export").stdout == ""  # nothing landed
    assert cli(target, "restore", str(path)).code == 0


def test_usage_errors_exit_2(sample: Path, tmp_path: Path):
    missing = tmp_path / "nope.stdump.gz"
    run = cli(tmp_path / "t.db", "restore", str(missing))
    assert run.code == 2 and f"{missing}: no such file" in run.stderr
    run = cli(sample, "dump", str(tmp_path / "no-such-folder" / "x.stdump.gz"))
    assert run.code == 2 and "does not exist" in run.stderr
