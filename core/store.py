"""The embedded store: one SQLite file (WAL) on the SD card.

Each area owns its tables and declares their migrations under its own name, so areas
evolve their schemas independently: `schema_migrations(area, version)` records what
ran. Runtime settings (strategy, output logics, overrides, ...) are JSON values in
`settings`, keyed by name. A `Store` is one connection: open one per actor thread
that needs it (WAL lets readers and one writer work at once; writers wait up to
`BUSY_TIMEOUT_S` for each other).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_S = 5.0

# area -> ordered (version, SQL script) pairs; versions start at 1 and only grow
Migrations = dict[str, Sequence[tuple[int, str]]]

CORE_MIGRATIONS: Migrations = {
    "core": (
        (
            1,
            """
            CREATE TABLE settings (
                key        TEXT PRIMARY KEY,
                value      TEXT NOT NULL,          -- JSON
                updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            );
            """,
        ),
    ),
}

_migrate_lock = threading.Lock()


class StoreError(Exception):
    """The store cannot be opened or migrated; the message says why and where."""


class Store:
    """One connection to the site database, migrated on open."""

    def __init__(self, path: str | Path, migrations: Migrations | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            _enable_wal(self.db)
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a power cut loses at most the last commits
            self.db.execute("PRAGMA foreign_keys=ON")
            self.migrate({**CORE_MIGRATIONS, **(migrations or {})})
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: {err}") from err

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def migrate(self, migrations: Migrations) -> None:
        """Run, in order, the migrations of each area that have not run yet."""
        with _migrate_lock:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " area TEXT NOT NULL, version INTEGER NOT NULL,"
                " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
                " PRIMARY KEY (area, version))"
            )
            for area, steps in migrations.items():
                done = {v for (v,) in self.db.execute("SELECT version FROM schema_migrations WHERE area = ?", (area,))}
                for version, script in sorted(steps):
                    if version in done:
                        continue
                    with self.transaction() as db:
                        for statement in _statements(script):
                            db.execute(statement)
                        db.execute("INSERT INTO schema_migrations (area, version) VALUES (?, ?)", (area, version))

    def schema_version(self, area: str) -> int:
        row = self.db.execute("SELECT MAX(version) FROM schema_migrations WHERE area = ?", (area,)).fetchone()
        return int(row[0] or 0)

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def put_setting(self, key: str, value: Any) -> None:
        self.db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            (key, json.dumps(value, sort_keys=True)),
        )

    def delete_setting(self, key: str) -> None:
        self.db.execute("DELETE FROM settings WHERE key = ?", (key,))


def read_setting(path: str | Path, key: str, default: Any = None) -> Any:
    """One runtime setting, read with a plain connection that neither creates the file
    nor changes its journal mode (for an actor that only reads at start, while another
    may be creating and migrating the file); a file or table not there yet gives `default`."""
    if not Path(path).exists():
        return default
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError as err:
        if "no such table" not in str(err):
            raise
        return default
    finally:
        db.close()
    return default if row is None else json.loads(row[0])


def _enable_wal(db: sqlite3.Connection) -> None:
    """Switch to WAL. Two connections converting a fresh file at the same moment get
    "database is locked" at once (the busy handler does not cover the journal-mode
    change), so retry for up to BUSY_TIMEOUT_S."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    attempt = 0
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            attempt += 1
            time.sleep(min(0.2, 0.005 * attempt))


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside our literals)."""
    out, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out
