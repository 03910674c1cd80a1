"""Accounts: the first registration becomes the Owner, administrators and users, logins
with lock-out, and session tokens.

Passwords arrive here already hashed (`passwords.Kdf`): hashing is slow CPU work the
HTTP layer runs on its own threads, while this class does the quick database part.
Tokens are random (256 bits), handed out once and stored only as their SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any, NoReturn

from connext.core.clock import Clock
from connext.core.config import ApiConfig
from connext.core.config.schema import ABSENT, Problem, Rule, matches
from connext.core.store import Store

from .errors import BadValue, Conflict, InvalidCredentials, LockedOut, NotFound, Unauthenticated
from .passwords import KDF, Kdf, dummy_hash
from .roles import Role

NAME = matches(
    r"[A-Za-z0-9][A-Za-z0-9._@-]{2,63}", "must be 3..64 letters, digits or ._@- (starting with a letter or digit)"
)
PASSWORD = Rule("must be 8..256 characters", lambda v: 8 <= len(v) <= 256)
WRONG = "wrong name or password"
TOKEN_PREFIX = "cx_"
_ROLE_ORDER = "CASE role WHEN 'owner' THEN 0 WHEN 'administrator' THEN 1 ELSE 2 END"


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """Token lifetime and lock-out: after `lockout_after` consecutive failures the account
    is locked for `lockout_base_s`, doubling with each further failure up to `lockout_cap_s`."""

    token_lifetime_s: float = 86400.0
    lockout_after: int = 5
    lockout_base_s: float = 30.0
    lockout_cap_s: float = 900.0

    @classmethod
    def from_config(cls, api: ApiConfig) -> LoginPolicy:
        return cls(api.token_lifetime_s, api.lockout_after, api.lockout_base_s, api.lockout_cap_s)

    def lock_s(self, failures: int) -> float | None:
        """How long `failures` consecutive failures lock the account (None: not locked)."""
        if failures < self.lockout_after:
            return None
        return min(self.lockout_cap_s, self.lockout_base_s * 2 ** min(failures - self.lockout_after, 32))


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str
    role: Role
    created_at: float  # unix seconds

    def view(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role.value, "created_at": self.created_at}


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: whose token, and until when it is valid."""

    account: Account
    token_hash: str
    expires_at: float

    @property
    def role(self) -> Role:
        return self.account.role


@dataclass(frozen=True, slots=True)
class Attempt:
    """The first half of a login: what to check the password against."""

    name: str
    account_id: int | None  # None: no such account (checked against a dummy hash)
    stored_hash: str


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str  # shown once; only its hash is kept
    expires_at: float
    account: Account


def check_name(name: str) -> None:
    if not NAME.check(name):
        raise BadValue(str(Problem("name", name, NAME.text)))


def check_password(password: str) -> None:
    if not PASSWORD.check(password):
        raise BadValue(str(Problem("password", ABSENT, PASSWORD.text)))  # never echo a password


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    """The accounts of one box, over one `Store` connection (use it from one thread)."""

    def __init__(self, store: Store, clock: Clock, policy: LoginPolicy | None = None, kdf: Kdf = KDF) -> None:
        self.store, self.clock, self.policy, self.kdf = store, clock, policy or LoginPolicy(), kdf

    def _now(self) -> float:
        return self.clock.now().timestamp()

    # --- accounts -----------------------------------------------------------------------

    def has_owner(self) -> bool:
        return self.store.db.execute("SELECT 1 FROM accounts WHERE role = 'owner'").fetchone() is not None

    def register_owner(self, name: str, password_hash: str) -> Account:
        """The first account of the box becomes its Owner; after that, registration is closed.
        One write transaction decides, so two simultaneous first registrations cannot both win."""
        check_name(name)
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None:
                raise Conflict(
                    "registration is closed: this box already has its owner; ask the owner or an administrator"
                    " for an account"
                )
            return self._insert(db, name, Role.OWNER, password_hash)

    def add_account(self, name: str, password_hash: str, role: Role = Role.USER) -> Account:
        """An administrator or a user (who may add which is the role table's business)."""
        check_name(name)
        if role is Role.OWNER:
            raise Conflict("there is one owner, the first account registered; nobody can become owner afterwards")
        with self.store.transaction() as db:
            return self._insert(db, name, role, password_hash)

    def _insert(self, db: sqlite3.Connection, name: str, role: Role, password_hash: str) -> Account:
        now = self._now()
        try:
            cursor = db.execute(
                "INSERT INTO accounts (name, role, password, created_at) VALUES (?, ?, ?, ?)",
                (name, role.value, password_hash, now),
            )
        except sqlite3.IntegrityError as err:
            if "accounts.name" in str(err):
                raise Conflict(f"the name {name!r} is taken") from None
            raise Conflict(str(err)) from None  # the owner index: ownership cannot be taken
        return Account(int(cursor.lastrowid or 0), name, role, now)

    def get(self, name: str) -> Account:
        row = self.store.db.execute("SELECT id, name, role, created_at FROM accounts WHERE name = ?", (name,))
        found = row.fetchone()
        if found is None:
            raise NotFound(f"no account named {name!r}")
        return _account(found)

    def list(self) -> list[Account]:
        rows = self.store.db.execute(f"SELECT id, name, role, created_at FROM accounts ORDER BY {_ROLE_ORDER}, name")
        return [_account(row) for row in rows]

    def set_role(self, name: str, role: Role) -> Account:
        """Appoint an administrator (USER -> ADMINISTRATOR) or remove one (the reverse)."""
        if role is Role.OWNER:
            raise Conflict("ownership cannot be given or taken: the owner is the first account registered")
        account = self.get(name)
        if account.role is Role.OWNER:
            raise Conflict("the owner stays owner: ownership cannot be given or taken")
        self._write("UPDATE accounts SET role = ? WHERE id = ?", (role.value, account.id))
        return Account(account.id, account.name, role, account.created_at)

    def remove(self, name: str) -> Account:
        """Delete an account and its tokens; never the owner."""
        account = self.get(name)
        if account.role is Role.OWNER:
            raise Conflict("the owner account cannot be removed")
        self._write("DELETE FROM accounts WHERE id = ?", (account.id,))
        return account

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        try:
            with self.store.transaction() as db:
                db.execute(sql, args)
        except sqlite3.IntegrityError as err:  # the owner triggers: a last line of defence
            raise Conflict(str(err)) from None

    # --- logins -------------------------------------------------------------------------

    def login_attempt(self, name: str) -> Attempt:
        """What to check the password against; `LockedOut` while the account is locked."""
        row = self.store.db.execute("SELECT id, password, locked_until FROM accounts WHERE name = ?", (name,))
        found = row.fetchone()
        if found is None:
            return Attempt(name, None, dummy_hash(self.kdf))
        self._refuse_if_locked(found[2])
        return Attempt(name, int(found[0]), str(found[1]))

    def _refuse_if_locked(self, locked_until: float | None) -> None:
        now = self._now()
        if locked_until is not None and now < locked_until:
            wait_s = locked_until - now
            raise LockedOut(f"too many failed logins: locked, try again in {wait_s:.0f} s", wait_s)

    def record_failure(self, attempt: Attempt) -> NoReturn:
        """Count a wrong password; lock the account once the policy says so. Always raises."""
        if attempt.account_id is None:
            raise InvalidCredentials(WRONG)
        with self.store.transaction() as db:
            db.execute("UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = ?", (attempt.account_id,))
            (failures,) = db.execute(
                "SELECT failed_logins FROM accounts WHERE id = ?", (attempt.account_id,)
            ).fetchone()
            lock_s = self.policy.lock_s(int(failures))
            if lock_s is not None:
                db.execute(
                    "UPDATE accounts SET locked_until = ? WHERE id = ?", (self._now() + lock_s, attempt.account_id)
                )
        if lock_s is not None:
            raise LockedOut(f"{WRONG}; after {failures} failed logins the account is locked for {lock_s:.0f} s", lock_s)
        raise InvalidCredentials(WRONG)

    def login_outcome(self, attempt: Attempt, ok: bool, rehash: str | None = None) -> IssuedToken:
        """The second half of a login: count a failure (raises) or issue a token."""
        if not ok or attempt.account_id is None:
            self.record_failure(attempt)
        account_id = int(attempt.account_id or 0)
        with self.store.transaction() as db:
            (locked_until,) = db.execute("SELECT locked_until FROM accounts WHERE id = ?", (account_id,)).fetchone()
            self._refuse_if_locked(locked_until)  # locked meanwhile by a concurrent failure
            db.execute(
                "UPDATE accounts SET failed_logins = 0, locked_until = NULL, password = COALESCE(?, password)"
                " WHERE id = ?",
                (rehash, account_id),
            )
            return self._issue(db, account_id)

    def issue_token(self, account_id: int) -> IssuedToken:
        """A token for an account that has just proved who it is (registration)."""
        with self.store.transaction() as db:
            return self._issue(db, account_id)

    def _issue(self, db: sqlite3.Connection, account_id: int) -> IssuedToken:
        now = self._now()
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires_at = now + self.policy.token_lifetime_s
        db.execute("DELETE FROM tokens WHERE expires_at <= ?", (now,))
        db.execute(
            "INSERT INTO tokens (hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (token_hash(token), account_id, now, expires_at),
        )
        row = db.execute("SELECT id, name, role, created_at FROM accounts WHERE id = ?", (account_id,)).fetchone()
        return IssuedToken(token, expires_at, _account(row))

    # --- tokens -------------------------------------------------------------------------

    def authenticate(self, token: str) -> Caller:
        """The caller behind a bearer token; `Unauthenticated` when unknown, revoked or expired."""
        hashed = token_hash(token)
        row = self.store.db.execute(
            "SELECT a.id, a.name, a.role, a.created_at, t.expires_at FROM tokens t"
            " JOIN accounts a ON a.id = t.account_id WHERE t.hash = ?",
            (hashed,),
        ).fetchone()
        if row is None:
            raise Unauthenticated("unknown or revoked token: log in again")
        if self._now() >= row[4]:
            self.logout(hashed)
            raise Unauthenticated("the token has expired: log in again")
        return Caller(_account(row[:4]), hashed, float(row[4]))

    def logout(self, hashed: str) -> None:
        self.store.db.execute("DELETE FROM tokens WHERE hash = ?", (hashed,))

    def set_password(self, account_id: int, password_hash: str, keep_token_hash: str | None = None) -> None:
        """Change a password and revoke every other token of the account."""
        with self.store.transaction() as db:
            db.execute("UPDATE accounts SET password = ? WHERE id = ?", (password_hash, account_id))
            db.execute("DELETE FROM tokens WHERE account_id = ? AND hash IS NOT ?", (account_id, keep_token_hash))


def _account(row: Any) -> Account:
    return Account(int(row[0]), str(row[1]), Role(row[2]), float(row[3]))
