"""What the site controller sends after each decision: setpoints (only when they change),
SiteUpdate, session records (throttled), metrics; and its snapshot for the debug socket."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from connext.control import reasons as R
from connext.control.site import SiteState
from connext.control.state import BoxMemory, ControlSettings, Decision, Memory, Setpoint

from . import site_metrics as M
from .base import ActorContext
from .messages import (
    SessionChanged,
    SetChargeCurrent,
    SiteUpdate,
    StartCharging,
    StopCharging,
    WallboxFlow,
    WallboxStatus,
)

UPDATE_S = 0.5  # a SiteUpdate at most this often while nothing but the flows changes
RESEND_S = 5.0  # a wallbox that reports another setpoint this long after ours gets it again
NOT_DRIVEN = frozenset({"detected", "needs_support"})  # never commanded (SPEC §2: firmware < 1.0.493)
OUTPUT_CONTROLLER = "output-controller"


class Outbox:
    """Remembers what was sent, so it sends only what changed."""

    def __init__(self, ctx: ActorContext, settings: ControlSettings, progress_s: float) -> None:
        self.ctx = ctx
        self.settings = settings
        self.progress_s = progress_s  # a session's energy goes to the recorder at most this often
        self.sent: dict[int, tuple[float, int]] = {}  # address -> (current, phases) last commanded
        self.sent_at: dict[int, float] = {}
        self.update_key: tuple[object, ...] | None = None  # what the last SiteUpdate said, in short
        self.update_at_s = float("-inf")
        self.exported: dict[int, tuple[float, int, str]] = {}  # address -> (current, phases, reason) shown
        self.recorded: dict[str, tuple[float, float]] = {}  # session key -> (energy recorded, at_s)

    def restored(self, boxes: Mapping[int, BoxMemory]) -> None:
        for mem in boxes.values():
            if mem.session is not None:
                self.recorded[mem.session.key] = (mem.energy_wh, float("-inf"))

    def send_setpoints(self, decision: Decision, statuses: Mapping[int, WallboxStatus], now_s: float) -> None:
        for sp in decision.setpoints:
            status = statuses.get(sp.address)
            if status is None or not status.registered or status.state in NOT_DRIVEN:
                continue
            wallbox = self.ctx.address(f"wallbox-{sp.address}")
            previous = self.sent.get(sp.address)
            ignored = (
                previous is not None
                and abs(status.setpoint_a - sp.current_a) > 0.05
                and now_s - self.sent_at[sp.address] >= RESEND_S
            )
            if previous != (sp.current_a, sp.phases) or ignored:
                wallbox.tell(SetChargeCurrent(sp.address, sp.current_a, sp.phases, sp.reason))
                self._count(sp.address, previous, sp.current_a, sp.phases)
                self.sent[sp.address], self.sent_at[sp.address] = (sp.current_a, sp.phases), now_s
            if sp.start:
                wallbox.tell(StartCharging(sp.address))
            if sp.stop:
                wallbox.tell(StopCharging(sp.address, sp.reason))

    @staticmethod
    def _count(address: int, previous: tuple[float, int] | None, current: float, phases: int) -> None:
        label = str(address)
        M.SENT.labels(address=label).inc()
        before = previous[0] if previous is not None else 0.0
        if current > 0.0 and before == 0.0:
            M.STARTS.labels(address=label).inc()
        elif current == 0.0 and before > 0.0:
            M.STOPS.labels(address=label).inc()
        elif current > 0.0 and previous is not None and previous[1] != phases:
            M.PHASE_SWITCHES.labels(address=label).inc()

    def report(
        self, site: SiteState, decision: Decision, memory: Memory, statuses: Mapping[int, WallboxStatus], now_s: float
    ) -> None:
        M.export_site(site, decision.available_power_w, decision.pv_smoothed_w)
        for sp in decision.setpoints:
            self._export(sp)
        if self._update_due(site, decision, memory, statuses, now_s):
            self._send_update(site, decision, memory, statuses)
        self._record_sessions(decision, memory, now_s)

    def _update_due(
        self, site: SiteState, decision: Decision, memory: Memory, statuses: Mapping[int, WallboxStatus], now_s: float
    ) -> bool:
        """A SiteUpdate at most every UPDATE_S (the output controller acts on its 1 s tick,
        the recorder keeps per-minute means), and at once when the grid's staleness, the
        strategy or a wallbox's state or setpoint changed."""
        key = (
            site.grid_fresh,
            memory.strategy.name,
            tuple(
                (sp.address, statuses[sp.address].state, sp.current_a, sp.phases, sp.reason)
                for sp in decision.setpoints
            ),
        )
        if key == self.update_key and now_s - self.update_at_s < UPDATE_S:
            return False
        self.update_key, self.update_at_s = key, now_s
        return True

    def _send_update(
        self, site: SiteState, decision: Decision, memory: Memory, statuses: Mapping[int, WallboxStatus]
    ) -> None:
        flows = tuple(
            WallboxFlow(sp.address, statuses[sp.address].state, statuses[sp.address].power_w, sp.current_a,
                        sp.phases, sp.reason)
            for sp in decision.setpoints
        )  # fmt: skip
        update = SiteUpdate(
            site.at_s,
            site.grid_power_w,
            site.pv_power_w,
            site.battery_power_w,
            site.battery_soc,
            site.wallbox_power_w,
            site.house_power_w,
            not site.grid_fresh,
            decision.available_power_w,
            decision.pv_smoothed_w,
            site.grid_phase_power_w,
            flows,
            memory.strategy.name,
        )
        self.ctx.address("recorder").tell(update)
        if self.ctx.directory.record(OUTPUT_CONTROLLER) is not None:
            self.ctx.address(OUTPUT_CONTROLLER).tell(update)

    def _export(self, sp: Setpoint) -> None:
        """Move the setpoint's gauges when it changed (they hold their values meanwhile)."""
        shown = self.exported.get(sp.address)
        if shown == (sp.current_a, sp.phases, sp.reason):
            return
        M.export_setpoint(sp.address, sp.current_a, sp.phases)
        if shown is None or shown[2] != sp.reason:
            M.export_reason(sp.address, shown[2] if shown else None, sp.reason)
        self.exported[sp.address] = (sp.current_a, sp.phases, sp.reason)

    def _record_sessions(self, decision: Decision, memory: Memory, now_s: float) -> None:
        recorder = self.ctx.address("recorder")
        for state in decision.sessions:  # facts changed: at once
            recorder.tell(SessionChanged(*state))
            self.recorded[state.session.key] = (state.energy_wh, now_s)
            if state.session.ended_at is not None:
                self.recorded.pop(state.session.key, None)
        open_now = memory.open_sessions()
        for state in open_now:  # energy only: at most every progress_s
            energy, at_s = self.recorded.get(state.session.key, (-1.0, float("-inf")))
            if state.energy_wh != energy and now_s - at_s >= self.progress_s:
                recorder.tell(SessionChanged(*state))
                self.recorded[state.session.key] = (state.energy_wh, now_s)
        M.SESSIONS_OPEN.set(len(open_now))

    def safe_state(self, memory: Memory, statuses: Mapping[int, WallboxStatus], reason: str) -> None:
        """Each wallbox that charges goes to min(setpoint, safe current)."""
        for address, (current, phases) in self.sent.items():
            status = statuses.get(address)
            if current <= 0.0 or status is None:
                continue
            safe = min(current, self.settings.box(address).safe_current_a)
            self.ctx.address(f"wallbox-{address}").tell(SetChargeCurrent(address, safe, phases, R.SHUTDOWN))
            self.sent[address] = (safe, phases)

    def snapshot(
        self, site: SiteState | None, decision: Decision | None, memory: Memory, decisions: int
    ) -> dict[str, Any]:
        boxes = {}
        for sp in decision.setpoints if decision is not None else ():
            mem = memory.boxes.get(sp.address)
            session = mem.session if mem is not None else None
            boxes[str(sp.address)] = {
                "setpoint_a": sp.current_a,
                "phases": sp.phases,
                "reason": sp.reason,
                "sent": self.sent.get(sp.address),
                "session": None
                if session is None
                else {
                    "key": session.key,
                    "started_at": session.started_at,
                    "energy_wh": round(mem.energy_wh, 1),  # type: ignore[union-attr]
                    "strategy": session.strategy.name,
                    "parameters": session.strategy.parameters(),
                    "charging": session.on,
                    "done": session.done_reason or None,
                    "card": session.card,
                },
            }
        strategy = memory.strategy
        return {
            "site": dataclasses.asdict(site) if site is not None else None,
            "available_power_w": decision.available_power_w if decision else None,
            "pv_smoothed_w": decision.pv_smoothed_w if decision else None,
            "strategy": {"name": strategy.name, "parameters": strategy.parameters(), "fallback": strategy.fallback},
            "sessions_open": len(memory.open_sessions()),
            "wallboxes": boxes,
            "decisions": decisions,
        }
