"""The recorder's tables (area "recorder" of the store) and the session <-> row mapping.

The recorder writes (one writer connection, a `Store`); the site controller reads the
open sessions and the strategy once at start (`read_restore_state`), to carry on where
it was after a restart or a power cut. SQLite WAL with synchronous=NORMAL: a process crash loses nothing
committed; a power cut at most the last commits.
"""

from __future__ import annotations

import json
import math
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connext.control.sessions import Session
from connext.control.strategy import Strategy
from connext.core.store import BUSY_TIMEOUT_S, Migrations, Store

AREA = "recorder"
STRATEGY_SETTING = "charging.strategy"

MIGRATIONS: Migrations = {
    AREA: (
        (
            1,
            """
            CREATE TABLE sessions (
                id          INTEGER PRIMARY KEY,
                key         TEXT NOT NULL UNIQUE,     -- wb<address>-<started_at>
                wallbox     INTEGER NOT NULL,
                started_at  TEXT NOT NULL,            -- ISO 8601 UTC
                ended_at    TEXT,                     -- NULL while the vehicle is plugged in
                energy_wh   REAL NOT NULL DEFAULT 0,
                counter_wh  REAL NOT NULL DEFAULT 0,  -- the wallbox's own session counter when last seen
                strategy    TEXT NOT NULL,
                parameters  TEXT NOT NULL,            -- JSON: the strategy and its parameters at the start
                card        TEXT,                     -- RFID card, if any
                done_reason TEXT NOT NULL DEFAULT '', -- km_target_reached / schedule_done
                timers      TEXT NOT NULL DEFAULT '{}', -- JSON: on/off and starts (flapping limits)
                updated_at  TEXT NOT NULL             -- ISO 8601 UTC of the last write
            );
            CREATE INDEX sessions_open ON sessions (wallbox) WHERE ended_at IS NULL;
            CREATE INDEX sessions_started ON sessions (started_at);
            CREATE TABLE measurements (
                at          TEXT PRIMARY KEY,         -- ISO 8601 UTC, end of the period
                period_s    REAL NOT NULL,
                grid_w      REAL,                     -- means over the period; grid + = export
                import_wh   REAL NOT NULL,
                export_wh   REAL NOT NULL,
                pv_w        REAL,
                pv_wh       REAL NOT NULL,
                battery_w   REAL,
                battery_soc REAL,                     -- last value, ratio
                wallbox_w   REAL NOT NULL,
                wallbox_wh  REAL NOT NULL,
                house_w     REAL,
                available_w REAL,
                stale_s     REAL NOT NULL             -- seconds without a fresh grid value
            );
            """,
        ),
    ),
}


def session_row(session: Session, energy_wh: float, counter_wh: float, updated_at: str) -> dict[str, Any]:
    timers = {"on": session.on, "switched_ts": session.switched_ts, "starts": list(session.starts)}
    return {
        "key": session.key,
        "wallbox": session.address,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "energy_wh": energy_wh,
        "counter_wh": counter_wh,
        "strategy": session.strategy.name,
        "parameters": json.dumps(session.strategy.to_json(), sort_keys=True),
        "card": session.card,
        "done_reason": session.done_reason,
        "timers": json.dumps(timers),
        "updated_at": updated_at,
    }


def upsert_session(store: Store, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    marks = ", ".join(f":{k}" for k in row)
    updates = ", ".join(f"{k} = excluded.{k}" for k in row if k not in ("key", "wallbox", "started_at"))
    store.db.execute(f"INSERT INTO sessions ({columns}) VALUES ({marks}) ON CONFLICT(key) DO UPDATE SET {updates}", row)


def read_restore_state(path: str, default: Strategy) -> tuple[Strategy, list[tuple[Session, float, float]]]:
    """The stored strategy and the sessions still open, as (session, energy, counter), with
    `seen_at` = their last write. A plain reading connection, not a `Store`: it neither
    creates the file nor changes its journal mode, so it never races the recorder (the one
    writer) while that opens and migrates the file; a file or table not there yet is a
    fresh site."""
    if not Path(path).exists():
        return default, []
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    db.row_factory = sqlite3.Row
    try:
        setting = db.execute("SELECT value FROM settings WHERE key = ?", (STRATEGY_SETTING,)).fetchone()
        rows = db.execute("SELECT * FROM sessions WHERE ended_at IS NULL ORDER BY started_at").fetchall()
    except sqlite3.OperationalError as err:
        if "no such table" not in str(err):
            raise
        return default, []
    finally:
        db.close()
    stored = json.loads(setting["value"]) if setting is not None else None
    strategy = Strategy.from_json(stored, default) if isinstance(stored, dict) else default
    return strategy, [_session(row, default) for row in rows]


def _session(row: sqlite3.Row, default: Strategy) -> tuple[Session, float, float]:
    timers = json.loads(row["timers"] or "{}")
    session = Session(
        key=row["key"],
        address=row["wallbox"],
        started_at=row["started_at"],
        started_ts=_epoch(row["started_at"]),
        strategy=Strategy.from_json(json.loads(row["parameters"]), default),
        card=row["card"],
        done_reason=row["done_reason"],
        on=bool(timers.get("on", False)),
        switched_ts=float(timers.get("switched_ts", 0.0)),
        starts=tuple(float(t) for t in timers.get("starts", ())),
        seen_at=row["updated_at"],
    )
    return session, float(row["energy_wh"]), float(row["counter_wh"])


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def recent_sessions(
    store: Store, limit: int, before_ts: float | None = None, wallbox: int | None = None
) -> list[dict[str, Any]]:
    """Sessions newest first: `limit` of them, started before `before_ts`, of `wallbox`."""
    where, args = [], []
    if before_ts is not None:  # started_at has whole seconds: before 20.5 takes 20 too
        where.append("started_at < ?")
        args.append(datetime.fromtimestamp(math.ceil(before_ts), UTC).isoformat(timespec="seconds"))
    if wallbox is not None:
        where.append("wallbox = ?")
        args.append(wallbox)
    condition = f"WHERE {' AND '.join(where)} " if where else ""
    store.db.row_factory = sqlite3.Row
    try:
        query = f"SELECT * FROM sessions {condition}ORDER BY started_at DESC, id DESC LIMIT ?"
        rows = store.db.execute(query, (*args, limit)).fetchall()
    finally:
        store.db.row_factory = None
    out = []
    for row in rows:
        item = {k: row[k] for k in row.keys() if k not in ("parameters", "timers")}  # noqa: SIM118 - sqlite3.Row
        item["parameters"] = json.loads(row["parameters"])
        out.append(item)
    return out
