"""A CAN test rig: the real can-bus and wallbox actors under a real Supervisor, a
simulator on the same python-can `virtual` channel, a recording "site-controller",
and a ManualClock everyone shares. Frames travel through python-can's threads, so
tests wait for conditions (`wait_for`) instead of sleeping.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pykka

from connext.actors.base import ConnextActor
from connext.actors.can_tree import CAN_BUS, can_group, wallbox_name
from connext.actors.directory import Directory
from connext.actors.messages import ChildFailed, GetSnapshot, Tick, WallboxStatus
from connext.actors.supervisor import Supervisor
from connext.actors.ticker import Ticker
from connext.actors.tree import Child, Group
from connext.core.clock import ManualClock
from connext.core.config import Config
from connext.sim.wallbox import SimWallbox
from connext.sim.wallbox_bus import WallboxSimulator
from support.waiting import wait_until

from .configs import site_config

DEADLINE_S = 30.0  # generous: a loaded 2-core machine; a condition met returns at once
ASK_TIMEOUT_S = 5.0


class StatusRecorder(ConnextActor):
    """Stands in for the site controller: keeps every WallboxStatus it is told."""

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.statuses: list[WallboxStatus] = []

    def receive(self, message: Any) -> Any:
        if isinstance(message, WallboxStatus):
            self.statuses.append(message)
            return None
        return super().receive(message)

    def snapshot(self) -> dict[str, Any]:
        return {"statuses": list(self.statuses)}


class SupervisorRelay(pykka.ThreadingActor):
    """The directory entry "supervisor": passes failure reports on to the supervisor.

    Works around a runtime-core bug: the supervisor broadcasts `ActorsDegraded` to every
    record in the directory, itself included, and fails on it (it has no case for it).
    """

    use_daemon_thread = True

    def __init__(self, supervisor: pykka.ActorRef[Any]) -> None:
        super().__init__()
        self.supervisor = supervisor

    def on_receive(self, message: Any) -> Any:
        if isinstance(message, ChildFailed):
            self.supervisor.tell(message)
        return None


def wait_for(condition: Callable[[], Any], what: str, deadline_s: float = DEADLINE_S) -> Any:
    """Poll until `condition()` is truthy (returned); AssertionError naming `what` otherwise."""
    return wait_until(condition, deadline_s, what)


class CanRig:
    """The CAN group of `config` (virtual channel) plus a recorder, supervised."""

    def __init__(
        self,
        tmp_path: Path,
        clock: ManualClock,
        wallboxes: tuple[dict[str, Any], ...] = (),
        supervisor: dict[str, Any] | None = None,
        **can: Any,
    ):
        self.channel = f"connext-test-{uuid.uuid4().hex[:12]}"
        can_section = {"interface": "virtual", "channel": self.channel, **can}
        sections = {"can": can_section, "wallboxes": list(wallboxes), "supervisor": supervisor or {}}
        self.config: Config = site_config(tmp_path, 9, **sections)
        self.clock = clock
        self.directory = Directory()
        tree = Group("site", (Child("site-controller", StatusRecorder), can_group(self.config)))
        record = self.directory.declare("supervisor", "Supervisor", "-")  # children report failures to it
        self.ticker = Ticker(clock)  # never started: it only lists the jobs; tests tick by hand
        self.supervisor = Supervisor.start(tree, self.directory, clock, self.config.supervisor, self.ticker)
        record.ref, record.status = SupervisorRelay.start(self.supervisor), "running"
        self.sims: list[WallboxSimulator] = []
        self.frames_lost = 0  # frames sent while can-bus was down (see `settle`)
        wait_for(lambda: all(r.status == "running" for r in self.directory.records()), "every actor running")

    # --- parts --------------------------------------------------------------------------------

    def simulator(self, *wallboxes: SimWallbox) -> WallboxSimulator:
        sim = WallboxSimulator(wallboxes, {"interface": "virtual", "channel": self.channel}, self.clock)
        self.sims.append(sim)
        return sim

    def ref(self, name: str) -> pykka.ActorRef[Any]:
        return wait_for(lambda: self.directory.ref(name), f"{name} running")

    def ask(self, name: str, message: object) -> Any:
        return self.ref(name).ask(message, timeout=ASK_TIMEOUT_S)

    def snapshot(self, name: str) -> dict[str, Any]:
        return self.ask(name, GetSnapshot())

    def wallbox(self, address: int) -> dict[str, Any]:
        return self.snapshot(wallbox_name(address))

    def statuses(self, address: int) -> list[WallboxStatus]:
        return [s for s in self.snapshot("site-controller")["statuses"] if s.address == address]

    # --- time ---------------------------------------------------------------------------------

    def heartbeat(self) -> None:
        """One can-bus tick: a heartbeat on the bus (and a reopen when due)."""
        self.ask(CAN_BUS, Tick("heartbeat"))

    def tick_wallboxes(self, *addresses: int) -> None:
        for address in addresses:
            self.ask(wallbox_name(address), Tick("wallbox"))

    def settle(self, sim: WallboxSimulator) -> None:
        """Wait until can-bus has handled every frame `sim` sent (before time moves on)."""

        def handled() -> bool:
            frames = self.snapshot(CAN_BUS)["frames"]
            return frames["received"] + frames["bad"] >= sim.frames_sent - self.frames_lost

        wait_for(handled, "can-bus to handle the simulator's frames")

    def cycle(self, sim: WallboxSimulator, seconds: float = 1.0, heartbeat: bool = True) -> None:
        """Time passes: heartbeat (optionally), the simulator steps, every wallbox actor ticks.
        Each side has handled what the other sent before the clock moves on."""
        self.settle(sim)
        sent, received = self.snapshot(CAN_BUS)["frames"]["sent"], sim.frames_received
        self.clock.advance(seconds)
        if heartbeat:
            self.heartbeat()
        now_sent = self.snapshot(CAN_BUS)["frames"]["sent"]
        wait_for(lambda: sim.frames_received - received >= now_sent - sent, "the simulator to hear can-bus")
        sim.step()
        self.tick_wallboxes(*sim.wallboxes)

    def wait_state(
        self, address: int, state: str, sim: WallboxSimulator | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Wait until wallbox-<address> reports `state` (and `fields`), stepping `sim` meanwhile."""

        def reached() -> dict[str, Any] | None:
            if sim is not None:
                sim.step()
            snapshot = self.wallbox(address)
            wanted = {"state": state, **fields}
            return snapshot if all(snapshot.get(k) == v for k, v in wanted.items()) else None

        return wait_for(reached, f"wallbox-{address} {state} {fields or ''}")

    def crash(self, name: str) -> None:
        """Inject a crash: an unknown message is a bug, and the actor fails on it."""
        self.ref(name).tell(object())
        wait_for(lambda: self.directory.record(name).status in ("restarting", "degraded"), f"{name} failed")

    def supervise(self, seconds: float) -> None:
        """Let `seconds` pass for the supervisor (restarts and retries that are due)."""
        self.clock.advance(seconds)
        self.supervisor.ask(Tick(), timeout=ASK_TIMEOUT_S)

    def close(self) -> None:
        for sim in self.sims:
            sim.stop()
        if self.supervisor.is_alive():
            self.supervisor.stop()
