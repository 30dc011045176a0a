"""Accounts, API tokens and web sessions.

- Passwords: scrypt (stdlib ``hashlib.scrypt``) with a random 16-byte salt per password; the parameters travel in
  the stored string (``scrypt$N$r$p$salt$hash``), so they can be raised later without breaking old hashes. Checks
  compare in constant time, and an unknown account costs the same work as a wrong password (no account probing by
  timing).
- API tokens: 256 random bits, shown once; the table keeps only their sha256 (a fast hash is enough for a secret
  that long, and lets a request find its token with one indexed lookup).
- Sessions: server-side. The cookie carries 256 random bits, the table its sha256, the account and the session's
  CSRF token. Server-side rather than signed cookies because logging out, a role change or a password change must
  take effect at once, and there is then no signing secret to generate, store and rotate.

Every change (account created, role or password changed, token issued or revoked) is written to the audit log in
the same transaction.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, get_args

from sqlalchemy import Engine, delete, insert, select, update

from ..vocab import today_iso
from . import audit
from . import schema as s
from .locking import write_transaction

Role = Literal["reader", "curator", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
_RANK = {role: rank for rank, role in enumerate(ROLES)}

# OWASP's scrypt settings at 32 MiB of memory (N=2^15, r=8, p=3): about 0.4 s per check on one core.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 3
_MAXMEM = 256 * 1024 * 1024
MIN_PASSWORD = 10
SESSION_HOURS = 12
TOKEN_PREFIX = "stm_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class AccountError(ValueError):
    """A bad account name, role or password, or an unknown account or token; the message says which."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str

    def can(self, role: str) -> bool:
        """Whether this account has ``role`` or a higher one (reader < curator < admin)."""
        return _RANK.get(self.role, -1) >= _RANK[role]

    @property
    def audit_name(self) -> str:
        return f"user:{self.name}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to check against when the account is unknown (made on first use: CLI start-up shouldn't pay 0.4 s)."""
    return hash_password(secrets.token_hex(16))


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check of a password against a stored hash; a missing hash still costs one scrypt."""
    try:
        scheme, n, r, p, salt, digest = (stored or _dummy_hash()).split("$")
        if scheme != "scrypt":
            return False
        computed = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest)) and stored is not None


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: at least {MIN_PASSWORD} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: one of {', '.join(ROLES)}")


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _utc(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="seconds")


# ---------------------------------------------------------------- accounts
def create_user(engine: Engine, name: str, role: str, password: str | None, actor: str) -> Account:
    if not _NAME.match(name):
        raise AccountError(f"bad account name {name!r}: 1–64 letters, digits, '.', '_', '@', '-' (not first)")
    _check_role(role)
    if password is not None:
        check_password(password)
    hashed = hash_password(password) if password is not None else None
    with write_transaction(engine) as conn:
        if conn.execute(select(s.users.c.id).where(s.users.c.name == name)).first() is not None:
            raise AccountError(f"account {name!r} exists already")
        user_id = conn.execute(insert(s.users).values(name=name, role=role, password_hash=hashed,
                                                      created_at=today_iso())).inserted_primary_key[0]
        audit.record(conn, actor=actor, action="user.create", target=f"user:{name}",
                     after={"name": name, "role": role, "password": password is not None})
    return Account(int(user_id), name, role)  # type: ignore[arg-type]


def get_user(engine: Engine, name: str) -> Account | None:
    with engine.connect() as conn:
        row = conn.execute(select(s.users.c.id, s.users.c.name, s.users.c.role).where(s.users.c.name == name)).first()
    return Account(row.id, row.name, row.role) if row else None


def _require_user(engine: Engine, name: str) -> Account:
    account = get_user(engine, name)
    if account is None:
        raise AccountError(f"no account named {name!r}")
    return account


def set_role(engine: Engine, name: str, role: str, actor: str) -> Account:
    _check_role(role)
    account = _require_user(engine, name)
    if account.role == role:
        return account
    with write_transaction(engine) as conn:
        conn.execute(update(s.users).where(s.users.c.id == account.id).values(role=role))
        audit.record(conn, actor=actor, action="user.role", target=account.audit_name,
                     before={"role": account.role}, after={"role": role})
    return Account(account.id, account.name, role)


def set_password(engine: Engine, name: str, password: str, actor: str) -> None:
    """Set a new password; the account's open web sessions end (whoever knew the old password is logged out)."""
    check_password(password)
    account = _require_user(engine, name)
    with write_transaction(engine) as conn:
        had = conn.execute(select(s.users.c.password_hash).where(s.users.c.id == account.id)).scalar() is not None
        conn.execute(update(s.users).where(s.users.c.id == account.id).values(password_hash=hash_password(password)))
        conn.execute(delete(s.sessions).where(s.sessions.c.user_id == account.id))
        audit.record(conn, actor=actor, action="user.password", target=account.audit_name,
                     before={"password": had}, after={"password": True})


def list_users(engine: Engine) -> list[dict[str, Any]]:
    """Every account with its tokens (ids and dates, never the tokens themselves)."""
    with engine.connect() as conn:
        users = conn.execute(select(s.users).order_by(s.users.c.name)).all()
        tokens = conn.execute(select(s.api_tokens.c.id, s.api_tokens.c.user_id, s.api_tokens.c.created_at,
                                     s.api_tokens.c.revoked_at).order_by(s.api_tokens.c.id)).all()
    out = []
    for u in users:
        mine = [{"id": t.id, "created_at": t.created_at, "revoked_at": t.revoked_at} for t in tokens
                if t.user_id == u.id]
        out.append({"name": u.name, "role": u.role, "password": u.password_hash is not None,
                    "created_at": u.created_at, "tokens": mine,
                    "active_tokens": sum(1 for t in mine if t["revoked_at"] is None)})
    return out


def authenticate(engine: Engine, name: str, password: str) -> Account | None:
    with engine.connect() as conn:
        row = conn.execute(select(s.users).where(s.users.c.name == name)).first()
    if not verify_password(password, row.password_hash if row else None) or row is None:
        return None
    return Account(row.id, row.name, row.role)


# ---------------------------------------------------------------- API tokens
def issue_token(engine: Engine, name: str, actor: str) -> tuple[int, str]:
    """A new API token for the account: (token id, the token). The token is not stored; show it once."""
    account = _require_user(engine, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction(engine) as conn:
        token_id = int(conn.execute(insert(s.api_tokens).values(
            user_id=account.id, token_sha256=_sha256(token), created_at=today_iso())).inserted_primary_key[0])  # type: ignore[index]
        audit.record(conn, actor=actor, action="token.issue", target=account.audit_name,
                     after={"token_id": token_id, "role": account.role})
    return token_id, token


def revoke_token(engine: Engine, name: str, token_id: int, actor: str) -> None:
    account = _require_user(engine, name)
    with write_transaction(engine) as conn:
        row = conn.execute(select(s.api_tokens).where(s.api_tokens.c.id == token_id,
                                                      s.api_tokens.c.user_id == account.id)).first()
        if row is None:
            raise AccountError(f"account {name!r} has no token {token_id}")
        if row.revoked_at is not None:
            raise AccountError(f"token {token_id} of {name!r} was revoked already, at {row.revoked_at}")
        now = today_iso()
        conn.execute(update(s.api_tokens).where(s.api_tokens.c.id == token_id).values(revoked_at=now))
        audit.record(conn, actor=actor, action="token.revoke", target=account.audit_name,
                     before={"token_id": token_id, "revoked_at": None},
                     after={"token_id": token_id, "revoked_at": now})


def account_for_token(engine: Engine, token: str) -> Account | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    with engine.connect() as conn:
        row = conn.execute(select(s.users.c.id, s.users.c.name, s.users.c.role)
                           .join(s.api_tokens, s.api_tokens.c.user_id == s.users.c.id)
                           .where(s.api_tokens.c.token_sha256 == _sha256(token),
                                  s.api_tokens.c.revoked_at.is_(None))).first()
    return Account(row.id, row.name, row.role) if row else None


# ---------------------------------------------------------------- web sessions
def create_session(engine: Engine, account: Account) -> tuple[str, str]:
    """A new session for a logged-in account: (session ID for the cookie, its CSRF token). Expired sessions of
    everyone are cleared on the way."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with write_transaction(engine) as conn:
        conn.execute(delete(s.sessions).where(s.sessions.c.expires_at < _utc()))
        conn.execute(insert(s.sessions).values(id_sha256=_sha256(session_id), user_id=account.id, csrf_token=csrf,
                                               created_at=_utc(), expires_at=_utc(timedelta(hours=SESSION_HOURS))))
    return session_id, csrf


def session_account(engine: Engine, session_id: str) -> tuple[Account, str] | None:
    """The account and CSRF token of a live session, or None (unknown or expired)."""
    with engine.connect() as conn:
        row = conn.execute(select(s.users.c.id, s.users.c.name, s.users.c.role, s.sessions.c.csrf_token)
                           .join(s.sessions, s.sessions.c.user_id == s.users.c.id)
                           .where(s.sessions.c.id_sha256 == _sha256(session_id),
                                  s.sessions.c.expires_at > _utc())).first()
    return (Account(row.id, row.name, row.role), row.csrf_token) if row else None


def end_session(engine: Engine, session_id: str) -> None:
    with write_transaction(engine) as conn:
        conn.execute(delete(s.sessions).where(s.sessions.c.id_sha256 == _sha256(session_id)))

