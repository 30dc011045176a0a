"""Versions: unchanged re-imports are no-ops, changes keep history, status drift is visible, stale snapshots
don't replace newer ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import cli
from stemtrials.store import history, open_engine

SEED_PAGE = "seeds/004_e65ca66711663aaa.txt"


def _earlier_snapshot(seed_text: str) -> str:
    """The NCT03123458 page as it read in 2017, before the status drifted to Unknown (derived from the seed)."""
    text = seed_text.replace("Recruitment Status : Unknown\n", "Recruitment Status : Enrolling by invitation\n")
    text = text.replace("Recruitment status was: Enrolling by invitation\n", "")
    text = text.replace("Verified February 2018 by", "Verified April 2017 by")
    text = text.replace("Last Update Posted : February 26, 2018", "Last Update Posted : April 21, 2017")
    text = text.replace("Last Update Posted: | February 26, 2018", "Last Update Posted: | April 21, 2017")
    text = text.replace("Last Verified: | February 2018", "Last Verified: | April 2017")
    assert text != seed_text
    return text


@pytest.fixture()
def snapshots(tmp_path: Path, shared: Path) -> tuple[Path, Path]:
    seed = (shared / SEED_PAGE).read_text(encoding="utf-8")
    old = tmp_path / "NCT03123458_2017.txt"
    old.write_text(_earlier_snapshot(seed), encoding="utf-8")
    new = tmp_path / "NCT03123458_2018.txt"
    new.write_text(seed, encoding="utf-8")
    return old, new


def test_status_drift_is_visible_in_history(db_url: str, snapshots):
    old, new = snapshots
    db = db_url
    assert "1 new" in cli(db, "import", str(old)).stdout
    assert "0 new, 1 updated, 0 unchanged" in cli(db, "import", str(new)).stdout
    assert "0 new, 0 updated, 1 unchanged" in cli(db, "import", str(new)).stdout
    versions = history(open_engine(db), "NCT03123458")
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].current
    changes = {c.field: (c.before, c.after) for c in versions[1].changes}
    assert changes["status"] == ("enrolling_by_invitation", "unknown")
    assert changes["last_known_status"] == (None, "enrolling_by_invitation")
    assert changes["dates.last_update"][1]["date"] == "2018-02-26"

    page = cli(db, "show", "NCT03123458", "--history")
    assert page.code == 0
    assert "Versions" in page.stdout
    assert "status: enrolling_by_invitation → unknown" in page.stdout
    as_json = json.loads(cli(db, "show", "NCT03123458", "--history", "--format", "json").stdout)
    assert as_json["status"] == "unknown"
    assert [v["version"] for v in as_json["versions"]] == [1, 2]


def test_older_snapshot_joins_history_without_replacing_current(db_url: str, snapshots):
    old, new = snapshots
    db = db_url
    cli(db, "import", str(new))
    assert "0 new, 1 updated" in cli(db, "import", str(old)).stdout
    record = json.loads(cli(db, "show", "NCT03123458", "--format", "json").stdout)
    assert record["status"] == "unknown"
    versions = history(open_engine(db), "NCT03123458")
    assert [(v.version, v.current) for v in versions] == [(1, True), (2, False)]


def test_show_finds_a_trial_by_any_registry_id(db_url: str, shared: Path):
    db = db_url
    cli(db, "import", str(shared / SEED_PAGE))
    for ident in ("NCT03123458", "nct03123458", "GIMI-IRB-17001"):
        run = cli(db, "show", ident, "--format", "json")
        assert run.code == 0, ident
        assert json.loads(run.stdout)["id"] == "NCT03123458"
    missing = cli(db, "show", "NCT00000000")
    assert missing.code == 1
    assert "NCT00000000" in missing.stderr


def test_raw_input_is_kept_with_its_sha256(db_url: str, shared: Path):
    from stemtrials.store import raw_input

    db = db_url
    cli(db, "import", str(shared / SEED_PAGE))
    engine = open_engine(db)
    record = json.loads(cli(db, "show", "NCT03123458", "--format", "json").stdout)
    raw = raw_input(engine, record["source"]["sha256"])
    assert raw == (shared / SEED_PAGE).read_bytes()
