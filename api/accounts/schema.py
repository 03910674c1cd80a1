"""Tables of the "accounts" area. The database itself guards the owner rules: at most
one owner (a partial unique index), the owner's role never changes and the owner
account is never deleted (triggers), whatever code path tries."""

from __future__ import annotations

from connext.core.store import Migrations

AREA = "accounts"

MIGRATIONS: Migrations = {
    AREA: (
        (
            1,
            """
            CREATE TABLE accounts (
                id            INTEGER PRIMARY KEY,
                name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
                role          TEXT NOT NULL CHECK (role IN ('owner', 'administrator', 'user')),
                password      TEXT NOT NULL,              -- scrypt$n$r$p$salt$key (passwords.py)
                failed_logins INTEGER NOT NULL DEFAULT 0, -- consecutive
                locked_until  REAL,                       -- unix seconds; NULL = not locked
                created_at    REAL NOT NULL
            );
            CREATE UNIQUE INDEX accounts_one_owner ON accounts (role) WHERE role = 'owner';
            CREATE TRIGGER accounts_owner_role_is_final BEFORE UPDATE OF role ON accounts
                WHEN OLD.role = 'owner' OR NEW.role = 'owner'
                BEGIN SELECT RAISE(ABORT, 'ownership cannot be given or taken'); END;
            CREATE TRIGGER accounts_owner_stays BEFORE DELETE ON accounts
                WHEN OLD.role = 'owner'
                BEGIN SELECT RAISE(ABORT, 'the owner account cannot be removed'); END;
            CREATE TABLE tokens (
                hash       TEXT PRIMARY KEY,              -- sha256 of the token; the token is never stored
                account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                created_at REAL NOT NULL,
                expires_at REAL NOT NULL
            );
            CREATE INDEX tokens_account ON tokens (account_id);
            CREATE TABLE rfid_cards (
                card       TEXT PRIMARY KEY,              -- UID, upper-case hex
                label      TEXT NOT NULL DEFAULT '',
                created_at REAL NOT NULL
            );
            CREATE TABLE rfid_enrolments (
                card    TEXT NOT NULL REFERENCES rfid_cards (card) ON DELETE CASCADE,
                wallbox INTEGER NOT NULL,                 -- CAN address
                PRIMARY KEY (card, wallbox)
            );
            CREATE INDEX rfid_enrolments_wallbox ON rfid_enrolments (wallbox);
            """,
        ),
    ),
}
