"""The Recorder: the one writer of the recorder tables (SQLite, WAL, `storage.path`).

- SessionChanged -> upsert the session row (opened, progressed, changed, ended);
- StrategyChanged -> the runtime setting `charging.strategy` (survives a restart);
- SiteUpdate -> time-weighted aggregates, written as one `measurements` row per
  `storage.measurement_period_s` (a `Tick("flush")`);
- GetSessions (debug socket, API) -> a page of sessions, newest first.
Each write is its own transaction: after a `kill -9` everything committed is there.
"""

from __future__ import annotations

from typing import Any

from loguru import logger

from connext.core.config import Config
from connext.core.store import Store

from . import site_metrics as M
from .base import ActorContext, ConnextActor
from .measurements import Aggregate
from .messages import GetSessions, SessionChanged, SiteUpdate, StrategyChanged, Tick
from .session_rows import MIGRATIONS, STRATEGY_SETTING, recent_sessions, session_row, upsert_session

MEASUREMENT_COLUMNS = (
    "at", "period_s", "grid_w", "import_wh", "export_wh", "pv_w", "pv_wh", "battery_w", "battery_soc",
    "wallbox_w", "wallbox_wh", "house_w", "available_w", "stale_s",
)  # fmt: skip


class RecorderActor(ConnextActor):
    """Keeps sessions, measurements and runtime settings; see the module docstring."""

    def __init__(self, ctx: ActorContext, config: Config) -> None:
        super().__init__(ctx)
        self.config = config
        self.store: Store | None = None
        self.aggregate = Aggregate()
        self.written = {"sessions": 0, "measurements": 0, "settings": 0}

    def on_start(self) -> None:
        self.store = Store(self.config.storage.path, MIGRATIONS)
        if self.ctx.ticker:
            period = self.config.storage.measurement_period_s
            self.ctx.ticker.every(self.name, period, self.ctx.address(self.name), Tick("flush"), first_in_s=period)

    def on_stop(self) -> None:
        if self.store is not None:
            self._flush()
            self.store.close()
            self.store = None

    def receive(self, message: Any) -> Any:
        match message:
            case SiteUpdate():
                self.aggregate.add(message, self.clock.monotonic())
            case SessionChanged(session=session, energy_wh=energy_wh, counter_wh=counter_wh):
                upsert_session(self._store(), session_row(session, energy_wh, counter_wh, self._now()))
                self._wrote("sessions")
                if session.ended_at is not None:
                    logger.info("session {} ended: {:.0f} Wh", session.key, energy_wh)
            case StrategyChanged(strategy=strategy):
                self._store().put_setting(STRATEGY_SETTING, strategy.to_json())
                self._wrote("settings")
            case Tick():
                self._flush()
            case GetSessions(limit=limit, before_ts=before_ts, wallbox=wallbox):
                return recent_sessions(self._store(), limit, before_ts, wallbox)
            case _:
                raise TypeError(f"{self.name}: unexpected message {message!r}")
        return None

    def _store(self) -> Store:
        if self.store is None:
            raise RuntimeError("recorder: the store is not open")  # a message before on_start: a bug
        return self.store

    def _now(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")

    def _wrote(self, table: str) -> None:
        self.written[table] += 1
        M.RECORDER_ROWS.labels(table=table).inc()

    def _flush(self) -> None:
        row = self.aggregate.close(self.clock.monotonic(), self._now())
        if row is None:
            return
        marks = ", ".join(f":{c}" for c in MEASUREMENT_COLUMNS)
        self._store().db.execute(
            f"INSERT OR REPLACE INTO measurements ({', '.join(MEASUREMENT_COLUMNS)}) VALUES ({marks})", row
        )
        self._wrote("measurements")

    def enter_safe_state(self, reason: str) -> None:
        self._flush()

    def snapshot(self) -> dict[str, Any]:
        return {
            "path": self.config.storage.path,
            "schema_version": self.store.schema_version("recorder") if self.store else None,
            "written": dict(self.written),
            "measurement_period_s": self.config.storage.measurement_period_s,
        }
