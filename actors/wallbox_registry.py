"""Wallboxes registered at run time (debug socket, API), kept in the store (area "wallboxes").

Wallboxes in config.toml are static facts and are never stored here; a registration
made at run time survives a restart. The working mode and the RFID card list may be set
at run time over any registration (`SetWallboxMode`, `SetRfidCards`): kept as runtime
settings per address (`wallbox.<address>.mode|cards`), as the contracted power is.
Each call opens its own short connection: registrations are rare and the actors that
make them are many.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from loguru import logger

from connext.core.config import ConfigError, WallboxConfig
from connext.core.config.schema import Problem, build
from connext.core.store import Store

MIGRATIONS = {
    "wallboxes": (
        (
            1,
            """
            CREATE TABLE wallbox_registrations (
                address       INTEGER PRIMARY KEY,
                serial        TEXT NOT NULL,
                settings      TEXT NOT NULL,      -- JSON: the [[wallboxes]] keys
                registered_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            );
            """,
        ),
    ),
}
OVERRIDES = ("mode", "cards")  # settable at run time over a registration (config.toml's too)


def settings_from(document: dict[str, Any], key: str = "wallbox") -> WallboxConfig:
    """Validate a [[wallboxes]]-like table with the config's own rules; ConfigError if bad."""
    problems: list[Problem] = []
    settings = build(WallboxConfig, document, key, problems)
    if problems or settings is None:
        raise ConfigError(problems)
    return settings


def _document(settings: WallboxConfig) -> dict[str, Any]:
    document = dataclasses.asdict(settings)
    document["cards"] = list(settings.cards)
    return document


def _override_key(address: int, name: str) -> str:
    return f"wallbox.{address}.{name}"


def load(path: str | Path, address: int, registration: bool = True) -> tuple[WallboxConfig | None, dict[str, Any]]:
    """The stored registration of `address` (when `registration`; None if there is none or it
    is unreadable, which is logged), and the settings set over it at run time (mode, cards)."""
    store = Store(path, MIGRATIONS)
    try:
        row = None
        if registration:
            query = "SELECT settings FROM wallbox_registrations WHERE address = ?"
            row = store.db.execute(query, (address,)).fetchone()
        overrides = {name: store.get_setting(_override_key(address, name)) for name in OVERRIDES}
    finally:
        store.close()
    overrides = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items() if v is not None}
    return _registration(row, address), overrides


def _registration(row: tuple[str] | None, address: int) -> WallboxConfig | None:
    if row is None:
        return None
    try:
        return settings_from(json.loads(row[0]), f"stored wallbox {address}")
    except (ConfigError, json.JSONDecodeError) as err:
        logger.error("wallbox-{}: stored registration ignored: {}", address, err)
        return None


def save(path: str | Path, settings: WallboxConfig) -> None:
    store = Store(path, MIGRATIONS)
    try:
        store.db.execute(
            "INSERT INTO wallbox_registrations (address, serial, settings) VALUES (?, ?, ?)"
            " ON CONFLICT(address) DO UPDATE SET serial = excluded.serial, settings = excluded.settings,"
            " registered_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            (settings.address, settings.serial, json.dumps(_document(settings), sort_keys=True)),
        )
    finally:
        store.close()


def save_override(path: str | Path, address: int, name: str, value: Any) -> None:
    """Keep a setting set at run time over the registration's (`None` forgets it)."""
    store = Store(path, MIGRATIONS)
    try:
        if value is None:
            store.delete_setting(_override_key(address, name))
        else:
            store.put_setting(_override_key(address, name), list(value) if isinstance(value, tuple) else value)
    finally:
        store.close()


def delete(path: str | Path, address: int) -> bool:
    store = Store(path, MIGRATIONS)
    try:
        cursor = store.db.execute("DELETE FROM wallbox_registrations WHERE address = ?", (address,))
    finally:
        store.close()
    return cursor.rowcount > 0
