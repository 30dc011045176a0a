"""`stemtrials user …`: add (password from stdin), list (table and JSON), token (issue once, revoke), role and
password; each change audited as cli:<OS user>; passwords and tokens never stored in plain text."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import cli
from stemtrials.api import create_app
from stemtrials.store import audit, open_engine
from stemtrials.store import schema as s
from stemtrials.store.accounts import verify_password

SECRET = "Wh1te-Rabbit plaintext check"


def _db_bytes(db: Path) -> bytes:
    """The whole database as stored: the main file and its write-ahead log."""
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def test_user_add_list_token_role(db: Path):
    run = cli(db, "user", "add", "dana", "--role", "curator", "--password-stdin", input=SECRET + "\n")
    assert run.code == 0 and "added dana (curator)" in run.stdout, run.stderr
    assert cli(db, "user", "add", "dana", "--role", "reader", "--password-stdin", input=SECRET + "\n").code == 1
    bad = cli(db, "user", "add", "eve", "--role", "curator", "--password-stdin", input="short\n")
    assert bad.code == 1 and "too short" in bad.stderr
    assert cli(db, "user", "add", "eve", "--role", "boss", "--password-stdin", input=SECRET + "\n").code == 2
    bot = cli(db, "user", "add", "bot", "--role", "reader")  # not a terminal, no --password-stdin: tokens only
    assert bot.code == 0 and "API tokens only" in bot.stdout

    table = cli(db, "user", "list")
    assert table.code == 0 and "dana" in table.stdout and "curator" in table.stdout and "bot" in table.stdout
    listed = {u["name"]: u for u in json.loads(cli(db, "user", "list", "--json").stdout)}
    assert listed["dana"]["role"] == "curator" and listed["dana"]["password"] is True
    assert listed["bot"]["password"] is False and listed["bot"]["tokens"] == []

    issued = cli(db, "user", "token", "dana")
    assert issued.code == 0
    token = issued.stdout.strip()
    assert token.startswith("stm_") and len(token) > 40 and "shown only now" in issued.stderr
    token_id = {u["name"]: u for u in json.loads(cli(db, "user", "list", "--json").stdout)}["dana"]["tokens"][0]["id"]
    client = TestClient(create_app(db=str(db)))
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"name": "dana", "role": "curator"}

    assert cli(db, "user", "role", "dana", "reader").code == 0
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["role"] == "reader"
    assert cli(db, "user", "role", "nobody", "admin").code == 1

    assert cli(db, "user", "token", "dana", "--revoke", str(token_id)).code == 0
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    again = cli(db, "user", "token", "dana", "--revoke", str(token_id))
    assert again.code == 1 and "revoked already" in again.stderr
    assert cli(db, "user", "token", "bot", "--revoke", str(token_id)).code == 1  # not bot's token

    entries, _ = audit.page(open_engine(str(db)), limit=100)
    actor = f"cli:{getpass.getuser()}"
    assert [(e.action, e.target) for e in reversed(entries)] == [
        ("user.create", "user:dana"), ("user.create", "user:bot"), ("token.issue", "user:dana"),
        ("user.role", "user:dana"), ("token.revoke", "user:dana")]
    assert {e.actor for e in entries} == {actor}


def test_passwords_and_tokens_are_stored_hashed(db: Path):
    assert cli(db, "user", "add", "frank", "--role", "admin", "--password-stdin", input=SECRET + "\n").code == 0
    token = cli(db, "user", "token", "frank").stdout.strip()
    assert cli(db, "user", "password", "frank", "--password-stdin", input=SECRET + " v2\n").code == 0
    stored = _db_bytes(db)
    for plain in (SECRET, SECRET + " v2", token):
        assert plain.encode() not in stored
    with open_engine(str(db)).connect() as conn:
        hashed = conn.execute(select(s.users.c.password_hash).where(s.users.c.name == "frank")).scalar()
        digests = [r.token_sha256 for r in conn.execute(select(s.api_tokens))]
    scheme, n, _r, _p, salt, digest = hashed.split("$")
    assert scheme == "scrypt" and int(n) >= 2**14 and len(salt) >= 16 and len(digest) >= 40
    assert verify_password(SECRET + " v2", hashed) and not verify_password(SECRET, hashed)
    assert len(digests) == 1 and len(digests[0]) == 64 and token not in digests[0]
    # The same password twice gets two different hashes (a salt per password).
    assert cli(db, "user", "add", "gina", "--role", "reader", "--password-stdin", input=SECRET + " v2\n").code == 0
    with open_engine(str(db)).connect() as conn:
        gina = conn.execute(select(s.users.c.password_hash).where(s.users.c.name == "gina")).scalar()
    assert gina != hashed and verify_password(SECRET + " v2", gina)
