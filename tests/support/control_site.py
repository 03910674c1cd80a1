"""A pure control harness for tests: readings in, `decide`, setpoints out, in virtual time."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connext.actors.messages import InverterReading, MeterReading, SensorReading, WallboxStatus
from connext.control.decide import decide, usable
from connext.control.site import Readings, SiteState, derive_site, wallbox_totals
from connext.control.state import ControlSettings, Decision, Memory, Setpoint
from connext.control.strategy import Strategy
from support.configs import site_config

START = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
VOLTS = 230.0


def wallboxes(n: int, **fields: Any) -> list[dict[str, Any]]:
    """`n` wallbox config tables, addresses 1..n."""
    return [{"address": a, "serial": f"WB{a:04d}", **fields} for a in range(1, n + 1)]


def config(tmp_path: Path, topology: int = 9, contracted_w: float = 6000, charging: dict | None = None, **sections):
    """A validated Config for `topology` with the contracted power and charging settings given."""
    from support.configs import TOPOLOGY_DOCUMENTS

    site = dict(TOPOLOGY_DOCUMENTS[topology]["site"], contracted_power_w=contracted_w)
    charging = {
        "min_on_s": 0,
        "min_off_s": 0,
        "dwell_s": 0,
        "pv_smoothing_s": 0,
        "stop_ramp_s": 0,
        "reserve_w": 0,  # hand-worked numbers use the whole contracted power
        **(charging or {}),
    }
    return site_config(tmp_path, topology, site=site, charging=charging, **sections)


class ControlHarness:
    """Holds the latest readings and statuses like the actor does, and runs `decide`."""

    def __init__(self, cfg, strategy: Strategy | None = None) -> None:
        self.config = cfg
        self.settings = ControlSettings.from_config(cfg)
        self.memory = Memory(strategy or Strategy.from_config(cfg.charging))
        self.readings = Readings()
        self.statuses: dict[int, WallboxStatus] = {}
        self.now_s = 1000.0
        self.site: SiteState | None = None
        self.decision: Decision | None = None

    @property
    def now(self) -> datetime:
        return START + timedelta(seconds=self.now_s - 1000.0)

    def advance(self, seconds: float) -> None:
        self.now_s += seconds

    def meter(self, grid_w: float, phases_w: Iterable[float] | None = None) -> ControlHarness:
        phases = tuple(phases_w) if phases_w is not None else (grid_w / 3,) * 3
        self.readings.meter = MeterReading(32, self.now_s, grid_w, phases, (VOLTS,) * 3, (0.0,) * 3)  # type: ignore[arg-type]
        return self

    def inverter(self, address: int, pv_w: float, **fields: Any) -> ControlHarness:
        self.readings.inverters[address] = InverterReading(address, self.now_s, pv_w, **fields)
        return self

    def sensors(self, ct1_w: float | None = None, ct2_w: float | None = None) -> ControlHarness:
        self.readings.sensors = SensorReading(self.now_s, ct1_w, ct2_w)
        return self

    def wallbox(self, address: int, state: str = "charging", current_a: float | None = None, **fields: Any):
        """Report a wallbox status; by default a charging car draws its setpoint (up to its maximum)."""
        old = self.statuses.get(address)
        values: dict[str, Any] = dataclasses.asdict(old) if old is not None else {"max_current_a": 32.0}
        values.update(fields)
        sp = self.setpoint(address)
        phases = sp.phases if sp is not None else values.get("phases", 3)
        if current_a is None:
            vehicle_max = values.get("vehicle_max_current_a") or 1e9
            current_a = min(sp.current_a, vehicle_max) if sp is not None and state == "charging" else 0.0
        per_phase = (current_a, current_a, current_a) if phases == 3 else (current_a, 0.0, 0.0)
        values.update(
            address=address,
            at_s=self.now_s,
            state=state,
            registered=values.get("registered", True),
            power_w=current_a * VOLTS * phases,
            current_a=per_phase,
            phases=phases,
        )
        self.statuses[address] = WallboxStatus(**values)
        return self

    def step(self, house_w: float, pv_w: float = 0.0, house_phases: tuple[float, float, float] | None = None):
        """One closed-loop step on a meter site: every plugged car draws its setpoint, the
        meter sees house + cars - PV, then the controller decides."""
        self.advance(1.0)
        for address, status in list(self.statuses.items()):
            if status.state == "available":
                state = "available"
            elif self.current(address) > 0:
                state = "charging"
            elif status.state == "charging":
                state = "suspended"
            else:
                state = status.state
            self.wallbox(address, state)
        split = house_phases or (1 / 3, 1 / 3, 1 / 3)
        phase_w = [pv_w / 3 - house_w * share for share in split]
        for status in self.statuses.values():
            for i in range(3):
                phase_w[i] -= status.current_a[i] * VOLTS
        self.meter(sum(phase_w), phase_w)
        layout = self.settings.layout
        if layout.topology.production == "inverters":
            for address in layout.inverters:
                self.inverter(address, pv_w / len(layout.inverters))
        elif layout.topology.production == "ct2":
            self.sensors(ct2_w=pv_w)
        return self.decide()

    def decide(self) -> Decision:
        fresh = [s for s in self.statuses.values() if usable(s, self.settings, self.now_s)]
        power, phase_a = wallbox_totals(fresh)
        self.site = derive_site(self.settings.layout, self.readings, power, phase_a, self.now_s)
        self.decision, self.memory = decide(self.site, self.statuses, self.settings, self.memory, self.now_s, self.now)
        return self.decision

    def setpoint(self, address: int) -> Setpoint | None:
        if self.decision is None:
            return None
        return next((s for s in self.decision.setpoints if s.address == address), None)

    def current(self, address: int) -> float:
        sp = self.setpoint(address)
        return 0.0 if sp is None else sp.current_a

    def reason(self, address: int) -> str:
        sp = self.setpoint(address)
        return "" if sp is None else sp.reason

    def decided(self, address: int) -> tuple[float, str]:
        """(current, reason) of the last decision for `address`."""
        return self.current(address), self.reason(address)

    def session(self, address: int):
        mem = self.memory.boxes.get(address)
        return None if mem is None else mem.session

    def add_energy(self, address: int, wh: float) -> None:
        status = self.statuses[address]
        self.statuses[address] = dataclasses.replace(status, session_energy_wh=status.session_energy_wh + wh)
