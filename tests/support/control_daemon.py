"""A daemon process for the crash test: the real recorder and site controller, plus a
stand-in wallbox + meter (the CAN and RS485 actors live on other branches).

    PYTHONPATH=tests python -m support.control_daemon CONFIG.toml PLUG_FILE STATE_FILE

The stand-in is the actor "wallbox-1". Every 0.2 s it reads PLUG_FILE ({"plugged":
true|false}, written by the test), charges its car at the current the controller
set, and sends a WallboxStatus and a MeterReading (house 1000 W + the car) to the
site controller. Like a real wallbox, its session counter lives outside the daemon
(STATE_FILE), so after a kill -9 it goes on counting, including the energy of the
time the daemon was down.

To run the crash test against the real CAN wallbox simulator later: build the tree
from `connext.actors.site_tree.build_tree(config)` with a `[can]` section on
`udp_multicast`, start the wallbox simulator in its own process, and replace the
PLUG_FILE writes by the simulator's plug/unplug commands; the assertions on the
sessions table stay the same.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from connext.actors.base import ActorContext, ConnextActor
from connext.actors.control_tree import control_children
from connext.actors.messages import MeterReading, SetChargeCurrent, StartCharging, StopCharging, Tick, WallboxStatus
from connext.actors.tree import Child, Group
from connext.bin.daemon import Daemon
from connext.core.config import load_config
from connext.core.logs import setup_logging

HOUSE_W = 1000.0
VOLTS = 230.0
PERIOD_S = 0.2


class StandInWallbox(ConnextActor):
    """Wallbox 1 with a car, and the meter that sees it; see the module docstring."""

    def __init__(self, ctx: ActorContext, plug_file: str, state_file: str) -> None:
        super().__init__(ctx)
        self.plug_file, self.state_file = Path(plug_file), Path(state_file)
        saved = json.loads(self.state_file.read_text()) if self.state_file.exists() else {}
        self.plugged = saved.get("plugged", False)
        self.energy_wh = saved.get("energy_wh", 0.0)
        self.current_a = saved.get("current_a", 0.0)
        self.saved_at = saved.get("saved_at")
        self.setpoint_a = self.current_a

    def on_start(self) -> None:
        if self.saved_at is not None and self.plugged:  # it went on charging while the daemon was down
            self.energy_wh += self.current_a * 3 * VOLTS * (self.clock.now().timestamp() - self.saved_at) / 3600
        self.last_s = self.clock.monotonic()
        if self.ctx.ticker:
            self.ctx.ticker.every(self.name, PERIOD_S, self.ctx.address(self.name), Tick())

    def receive(self, message: Any) -> Any:
        match message:
            case SetChargeCurrent(current_a=current):
                self.setpoint_a = current
            case StartCharging() | StopCharging():
                pass
            case Tick():
                self._step()
            case _:
                raise TypeError(f"{self.name}: unexpected {message!r}")

    def _step(self) -> None:
        now_s = self.clock.monotonic()
        dt, self.last_s = now_s - self.last_s, now_s
        plugged = json.loads(self.plug_file.read_text()).get("plugged", False)
        if plugged and not self.plugged:
            self.energy_wh, self.setpoint_a = 0.0, 0.0  # a new session: the counter starts again
        self.plugged = plugged
        self.energy_wh += self.current_a * 3 * VOLTS * dt / 3600
        self.current_a = self.setpoint_a if plugged else 0.0
        state = "available" if not plugged else "charging" if self.current_a > 0 else "connected"
        power = self.current_a * 3 * VOLTS
        site = self.ctx.address("site-controller")
        site.tell(WallboxStatus(1, now_s, state, True, power, (self.current_a,) * 3, self.energy_wh, 3, 16.0))
        grid = -(HOUSE_W + power)
        site.tell(MeterReading(32, now_s, grid, (grid / 3,) * 3, (VOLTS,) * 3, (0.0,) * 3))
        saved = {"plugged": plugged, "energy_wh": self.energy_wh, "current_a": self.current_a}
        self.state_file.write_text(json.dumps({**saved, "saved_at": self.clock.now().timestamp()}))


def main() -> int:
    config_path, plug_file, state_file = sys.argv[1:4]
    config = load_config(config_path)
    setup_logging("INFO")
    stand_in = Child("wallbox-1", StandInWallbox, {"plug_file": plug_file, "state_file": state_file})
    tree = Group("site", (stand_in, *control_children(config)))
    daemon = Daemon(config, tree=tree)
    daemon.handle_signals()
    daemon.start()
    return daemon.wait()


if __name__ == "__main__":
    sys.exit(main())
