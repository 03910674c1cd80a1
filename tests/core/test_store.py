"""The SQLite store: WAL, per-area migrations, settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from connext.core.store import Store, StoreError

AREA_V1 = {"sessions": ((1, "CREATE TABLE sessions (id INTEGER PRIMARY KEY, energy_wh REAL);"),)}
AREA_V2 = {"sessions": (*AREA_V1["sessions"], (2, "ALTER TABLE sessions ADD COLUMN card TEXT;"))}


def test_wal_mode_and_settings_survive_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path / "db" / "connext.db")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.put_setting("charging.strategy", {"name": "fast"})
    store.put_setting("charging.strategy", {"name": "eco_pure"})
    store.close()
    again = Store(tmp_path / "db" / "connext.db")
    assert again.get_setting("charging.strategy") == {"name": "eco_pure"}
    assert again.get_setting("missing", 42) == 42
    again.delete_setting("charging.strategy")
    assert again.get_setting("charging.strategy") is None


def test_migrations_run_once_per_area_and_in_order(tmp_path: Path) -> None:
    path = tmp_path / "connext.db"
    first = Store(path, AREA_V1)
    first.db.execute("INSERT INTO sessions (energy_wh) VALUES (1.5)")
    assert first.schema_version("sessions") == 1
    first.close()
    second = Store(path, AREA_V2)  # an upgrade keeps the data
    assert second.schema_version("sessions") == 2
    assert second.db.execute("SELECT energy_wh, card FROM sessions").fetchall() == [(1.5, None)]
    assert second.schema_version("core") == 1
    second.close()
    Store(path, AREA_V2).close()  # nothing left to run: no error


def test_a_failing_migration_rolls_back_and_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "connext.db"
    broken = {"x": ((1, "CREATE TABLE a (id INTEGER);\nCREATE TABLE a (id INTEGER);"),)}
    with pytest.raises(StoreError, match=str(path)):
        Store(path, broken)
    db = sqlite3.connect(path)
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'a'").fetchall() == []


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "connext.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a database"):
        Store(path)


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "connext.db", AREA_V1)
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("INSERT INTO sessions (energy_wh) VALUES (1)")
        raise RuntimeError("abort")
    assert store.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


def test_many_connections_opening_a_fresh_file_at_once_all_get_wal(tmp_path: Path) -> None:
    import threading

    path, errors, modes = tmp_path / "fresh.db", [], []
    start = threading.Barrier(8)

    def open_store() -> None:
        start.wait()
        try:
            store = Store(path, AREA_V1)
        except StoreError as err:
            errors.append(err)
        else:
            modes.append(store.db.execute("PRAGMA journal_mode").fetchone()[0])
            store.close()

    threads = [threading.Thread(target=open_store) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert modes == ["wal"] * 8
