"""Persistence of the output logics and manual overrides (store area "outputs").

The config's [[logics]] seed the store on the first start; from then on the store is
the truth, changed at run time (debug socket, HTTP API) and kept across restarts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from loguru import logger

from connext.control.output_logic_edit import EditRefused, logic_table, validate
from connext.control.output_logic_plan import Override
from connext.core.config import LogicConfig
from connext.core.store import Store

MIGRATIONS = {
    "outputs": (
        (
            1,
            """
            CREATE TABLE output_logics (
                name       TEXT PRIMARY KEY,
                position   INTEGER NOT NULL,      -- list order: alternatives pick the first in force
                definition TEXT NOT NULL          -- JSON: the fields of a [[logics]] table
            );
            CREATE TABLE output_overrides (
                output     INTEGER PRIMARY KEY,
                closed     INTEGER NOT NULL,
                until_utc  TEXT NOT NULL,         -- ISO 8601, wall clock: survives a restart
                set_by     TEXT NOT NULL          -- role of the caller
            );
            """,
        ),
    ),
}
SEEDED = "outputs.logics_seeded"


class OutputStore:
    """One connection to the site database for the output controller."""

    def __init__(self, path: str) -> None:
        self.store = Store(path, MIGRATIONS)

    def close(self) -> None:
        self.store.close()

    def load_logics(self, seed: Sequence[LogicConfig], outputs: Iterable[int]) -> tuple[LogicConfig, ...]:
        """The stored logics; on the very first start, the config's (then stored)."""
        if not self.store.get_setting(SEEDED, False):
            self.save_logics(seed)
            self.store.put_setting(SEEDED, True)
            return tuple(seed)
        outputs = tuple(outputs)
        rows = self.store.db.execute("SELECT definition FROM output_logics ORDER BY position").fetchall()
        tables = [json.loads(definition) for (definition,) in rows]
        try:
            return validate(tables, outputs)
        except EditRefused as err:  # e.g. an output removed from config.toml since
            logger.error("stored output logics no longer valid, keeping the valid ones: {}", err)
            return tuple(lg for t in tables for lg in _valid_alone(t, outputs))

    def save_logics(self, logics: Sequence[LogicConfig]) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM output_logics")
            db.executemany(
                "INSERT INTO output_logics (name, position, definition) VALUES (?, ?, ?)",
                [(lg.name, i, json.dumps(logic_table(lg), sort_keys=True)) for i, lg in enumerate(logics)],
            )

    def load_overrides(self) -> dict[int, Override]:
        rows = self.store.db.execute("SELECT output, closed, until_utc, set_by FROM output_overrides").fetchall()
        return {n: Override(n, bool(closed), datetime.fromisoformat(until), by) for n, closed, until, by in rows}

    def save_override(self, override: Override) -> None:
        self.store.db.execute(
            "INSERT OR REPLACE INTO output_overrides (output, closed, until_utc, set_by) VALUES (?, ?, ?, ?)",
            (override.number, int(override.closed), override.until.isoformat(), override.set_by),
        )

    def delete_override(self, number: int) -> None:
        self.store.db.execute("DELETE FROM output_overrides WHERE output = ?", (number,))


def _valid_alone(table: dict, outputs: Iterable[int]) -> tuple[LogicConfig, ...]:
    try:
        return validate([table], outputs)
    except EditRefused:
        return ()
