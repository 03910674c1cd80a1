"""Accounts on a real SQLite file: ownership, roles, tokens, lock-out."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from support.api_client import FAST_KDF

from connext.api.accounts import (
    MIGRATIONS,
    Accounts,
    Conflict,
    InvalidCredentials,
    LockedOut,
    LoginPolicy,
    NotFound,
    Role,
    Unauthenticated,
)
from connext.api.accounts.errors import BadValue
from connext.core.clock import ManualClock
from connext.core.store import Store

POLICY = LoginPolicy(token_lifetime_s=3600, lockout_after=3, lockout_base_s=30, lockout_cap_s=100)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "site.db"


@pytest.fixture
def accounts(db: Path, clock: ManualClock):
    store = Store(db, MIGRATIONS)
    yield Accounts(store, clock, POLICY, FAST_KDF)
    store.close()


def login(accounts: Accounts, name: str, password: str):
    attempt = accounts.login_attempt(name)
    ok, rehash = accounts.kdf.verify(password, attempt.stored_hash)
    return accounts.login_outcome(attempt, ok, rehash)


def test_the_first_registration_becomes_owner_and_closes_registration(accounts: Accounts) -> None:
    assert not accounts.has_owner()
    owner = accounts.register_owner("olivia", FAST_KDF.hash("owner-password"))
    assert owner.role is Role.OWNER and accounts.has_owner()
    with pytest.raises(Conflict, match="already has its owner"):
        accounts.register_owner("mallory", FAST_KDF.hash("mallory-password"))
    assert [a.name for a in accounts.list()] == ["olivia"]


def test_two_simultaneous_first_registrations_make_exactly_one_owner(db: Path, clock: ManualClock) -> None:
    Store(db, MIGRATIONS).close()
    hashed = FAST_KDF.hash("same-password")
    barrier, outcomes = threading.Barrier(6), []

    def register(n: int) -> None:
        store = Store(db, MIGRATIONS)  # one connection per thread, like separate processes
        try:
            barrier.wait()
            outcomes.append(Accounts(store, clock, POLICY, FAST_KDF).register_owner(f"racer{n}", hashed).role)
        except Conflict:
            outcomes.append("refused")
        finally:
            store.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(map(str, outcomes)) == ["owner"] + ["refused"] * 5
    rows = sqlite3.connect(db).execute("SELECT role, COUNT(*) FROM accounts GROUP BY role").fetchall()
    assert rows == [("owner", 1)]


def test_nobody_can_take_or_be_given_ownership(accounts: Accounts, db: Path) -> None:
    accounts.register_owner("olivia", FAST_KDF.hash("owner-password"))
    accounts.add_account("adam", FAST_KDF.hash("admin-password"), Role.ADMINISTRATOR)
    with pytest.raises(Conflict, match="one owner"):
        accounts.add_account("mallory", FAST_KDF.hash("mallory-password"), Role.OWNER)
    with pytest.raises(Conflict, match="ownership cannot be given or taken"):
        accounts.set_role("adam", Role.OWNER)
    with pytest.raises(Conflict, match="owner stays owner"):
        accounts.set_role("olivia", Role.USER)
    with pytest.raises(Conflict, match="cannot be removed"):
        accounts.remove("olivia")
    # the database refuses it too, whatever code path tries
    raw = sqlite3.connect(db)
    for sql in (
        "UPDATE accounts SET role = 'owner' WHERE name = 'adam'",
        "UPDATE accounts SET role = 'user' WHERE name = 'olivia'",
        "DELETE FROM accounts WHERE name = 'olivia'",
        "INSERT INTO accounts (name, role, password, created_at) VALUES ('eve', 'owner', 'x', 0)",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(sql)
    assert {a.name: a.role for a in accounts.list()} == {"olivia": Role.OWNER, "adam": Role.ADMINISTRATOR}


def test_administrators_are_appointed_and_removed_and_names_are_unique(accounts: Accounts) -> None:
    accounts.register_owner("olivia", FAST_KDF.hash("owner-password"))
    accounts.add_account("ursula", FAST_KDF.hash("user-password"))
    assert accounts.set_role("ursula", Role.ADMINISTRATOR).role is Role.ADMINISTRATOR
    assert accounts.set_role("ursula", Role.USER).role is Role.USER
    with pytest.raises(Conflict, match="taken"):
        accounts.add_account("URSULA", FAST_KDF.hash("user-password"))  # names ignore case
    with pytest.raises(BadValue, match="name"):
        accounts.add_account("x", FAST_KDF.hash("user-password"))
    accounts.remove("ursula")
    with pytest.raises(NotFound):
        accounts.get("ursula")


def test_tokens_expire_are_revoked_by_logout_and_are_stored_only_hashed(
    accounts: Accounts, clock: ManualClock, db: Path
) -> None:
    accounts.register_owner("olivia", FAST_KDF.hash("owner-password"))
    issued = login(accounts, "olivia", "owner-password")
    caller = accounts.authenticate(issued.token)
    assert caller.account.name == "olivia" and caller.role is Role.OWNER
    assert issued.token.encode() not in db.read_bytes() + Path(f"{db}-wal").read_bytes()
    clock.advance(3599)
    accounts.authenticate(issued.token)
    clock.advance(1)
    with pytest.raises(Unauthenticated, match="expired"):
        accounts.authenticate(issued.token)
    second = login(accounts, "olivia", "owner-password")
    accounts.logout(accounts.authenticate(second.token).token_hash)
    with pytest.raises(Unauthenticated, match="unknown or revoked"):
        accounts.authenticate(second.token)


def test_a_password_change_revokes_the_other_tokens(accounts: Accounts) -> None:
    owner = accounts.register_owner("olivia", FAST_KDF.hash("owner-password"))
    kept, other = login(accounts, "olivia", "owner-password"), login(accounts, "olivia", "owner-password")
    accounts.set_password(owner.id, FAST_KDF.hash("new-password"), accounts.authenticate(kept.token).token_hash)
    accounts.authenticate(kept.token)
    with pytest.raises(Unauthenticated):
        accounts.authenticate(other.token)
    login(accounts, "olivia", "new-password")


def test_repeated_failures_lock_the_account_with_a_doubling_backoff(accounts: Accounts, clock: ManualClock) -> None:
    accounts.register_owner("olivia", FAST_KDF.hash("owner-password"))
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            login(accounts, "olivia", "guess")
    with pytest.raises(LockedOut, match="locked for 30 s") as third:
        login(accounts, "olivia", "guess")
    assert third.value.retry_after_s == 30
    with pytest.raises(LockedOut, match="try again in 30 s"):  # even the right password waits
        login(accounts, "olivia", "owner-password")
    clock.advance(30)
    with pytest.raises(LockedOut, match="locked for 60 s"):  # the 4th failure doubles it
        login(accounts, "olivia", "guess")
    clock.advance(60)
    with pytest.raises(LockedOut, match="locked for 100 s"):  # capped
        login(accounts, "olivia", "guess")
    clock.advance(100)
    login(accounts, "olivia", "owner-password")  # success resets the count
    with pytest.raises(InvalidCredentials):
        login(accounts, "olivia", "guess")


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(accounts: Accounts) -> None:
    accounts.register_owner("olivia", FAST_KDF.hash("owner-password"))
    with pytest.raises(InvalidCredentials) as unknown:
        login(accounts, "nobody", "owner-password")
    with pytest.raises(InvalidCredentials) as wrong:
        login(accounts, "olivia", "wrong-password")
    assert str(unknown.value) == str(wrong.value) == "wrong name or password"


def test_a_login_rehashes_a_password_stored_with_older_parameters(accounts: Accounts, db: Path) -> None:
    old = FAST_KDF.hash("owner-password")
    accounts.register_owner("olivia", old)
    stronger = Accounts(accounts.store, accounts.clock, POLICY, type(FAST_KDF)(n=2**11, r=8, p=1))
    login(stronger, "olivia", "owner-password")
    (stored,) = sqlite3.connect(db).execute("SELECT password FROM accounts").fetchone()
    assert stored.startswith("scrypt$2048$8$1$") and stored != old
    login(stronger, "olivia", "owner-password")
