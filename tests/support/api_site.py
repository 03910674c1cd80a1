"""A whole site in this process behind the API: the real daemon (supervisor, ticker, debug
socket) on the real actor tree of a topology-8 site (recorder; sensors with CT 1 on a
simulated board; outputs 3 and 4 with their controller; the CAN group on a python-can
`virtual` channel; the site controller), the wallbox simulator on that channel, and the
API service on a free port, in real time.

The tree is the one `build_tree` makes, put together here from the same area functions
so the test holds the simulated board. `follow_grid()` closes the loop: CT 1 then reads
the house plus what the simulated cars draw at that moment, as a meter would.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from connext.actors.can_tree import can_group
from connext.actors.control_tree import control_children
from connext.actors.io_tree import io_children
from connext.actors.tree import Group
from connext.api.service import ApiService
from connext.bin.daemon import Daemon
from connext.bin.debug_client import request
from connext.core.clock import SystemClock
from connext.core.config import Config
from connext.core.hw.sim import SimBoard
from connext.sim.ev import EvModel
from connext.sim.wallbox import SimWallbox
from connext.sim.wallbox_bus import WallboxSimulator

from .api_client import FAST_KDF, ApiClient
from .configs import site_config
from .waiting import wait_until

VOLTAGE_V = 230.0
WALLBOX_1 = {"address": 1, "serial": "WB0000000001", "max_current_a": 16, "phases": 1, "mode": "plug_and_play"}
OUTPUTS = [{"number": 3, "name": "heat pump", "min_on_s": 0, "min_off_s": 0}, {"number": 4, "name": "boiler"}]


class MeteredBoard(SimBoard):
    """The simulated board, whose CT 1 reads the grid at the moment it is read once
    `meter` is set (as a meter would: no lag behind the cars)."""

    meter: Callable[[], float] | None = None

    def read_analog(self, name: str) -> float:
        if name == "ct1" and self.meter is not None:
            return self.meter()
        return super().read_analog(name)


class LiveSite:
    """The running parts; see the module docstring. Build it with `live_site(tmp_path)`."""

    def __init__(self, config: Config, board: MeteredBoard, daemon: Daemon, sim: WallboxSimulator, api: ApiClient):
        self.config, self.board, self.daemon, self.sim, self.api = config, board, daemon, sim, api
        self.house_w = 1000.0

    @property
    def directory(self) -> Any:
        return self.daemon.directory

    def debug(self, cmd: str, **fields: Any) -> dict[str, Any]:
        """One request to the daemon's debug socket."""
        return request(self.config.debug.socket, {"cmd": cmd, **fields})

    def state(self, name: str) -> dict[str, Any]:
        reply = self.debug("state", name=name)
        assert reply["ok"], reply
        return reply["state"]

    def wallbox(self, address: int) -> dict[str, Any]:
        """What the simulated wallbox knows (mode, limit, enabled, cards, ...)."""
        return next(w for w in self.sim.view() if w["address"] == address)

    def car_power_w(self) -> float:
        return sum(w["current_a"] * VOLTAGE_V for w in self.sim.view())

    def import_w(self) -> float:
        return self.house_w + self.car_power_w()

    def plug_in(self, address: int) -> None:
        self.sim.plug_in(address, EvModel(battery_wh=60_000, soc=0.3, max_current_a=16, phases=1))

    def follow_grid(self) -> None:
        """From now on CT 1 reads -(house + cars) (import is negative)."""
        self.board.meter = lambda: -self.import_w()


def site_tree(config: Config, board: SimBoard) -> Group:
    """The tree `build_tree(config)` makes for this site, with `board` for the sim drivers."""
    recorder, site_controller = control_children(config)
    return Group("site", (recorder, *io_children(config, board), can_group(config), site_controller))


@contextmanager
def live_site(tmp_path: Path, *extra: SimWallbox) -> Iterator[LiveSite]:
    """Start everything (wallbox 1 configured and simulated, plus `extra` simulated ones);
    stop it all afterwards."""
    with ExitStack() as stack:
        sockets = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cx")))  # a socket path is short
        config = site_config(
            tmp_path, 8,
            sensors={"ct1": {"multiplier": 1}, "period_s": 0.2},
            can={"interface": "virtual", "channel": f"connext-api-{uuid.uuid4().hex[:12]}", "fallback_timeout_s": 4},
            wallboxes=[WALLBOX_1], outputs=OUTPUTS, debug={"socket": str(sockets / "d.sock")},
            api={"enabled": False, "listen": "127.0.0.1:0"},  # started below with a fast KDF
        )  # fmt: skip
        board = MeteredBoard({"ct1": -1000.0, "ct2": 0.0, "temperature": 20.0})
        sim = WallboxSimulator([SimWallbox(1, "WB0000000001", max_current_a=16, phases=1), *extra], _bus(config))
        stack.callback(sim.stop)
        sim.start()
        daemon = Daemon(config, SystemClock(), tree=site_tree(config, board))
        daemon.start()
        stack.callback(daemon.stop)
        service = ApiService(config, daemon.directory, SystemClock(), kdf=FAST_KDF).start()
        stack.callback(service.stop)
        assert service.server is not None
        site = LiveSite(config, board, daemon, sim, ApiClient(service.server.port))
        wait_until(lambda: site.state("wallbox-1")["state"] == "available", what="wallbox 1 available")
        yield site


def _bus(config: Config) -> dict[str, Any]:
    return {"interface": config.can.interface, "channel": config.can.channel}


def tokens(api: ApiClient) -> dict[str, str]:
    """An owner (registered), an administrator and a user (added by the owner): role -> token."""
    out = {"owner": api.register("olivia", "owner-password")}
    for name, role in (("adam", "administrator"), ("ursula", "user")):
        body = {"name": name, "password": f"{role}-password", "role": role}
        assert api.request("POST", "/api/accounts", body, token=out["owner"]).status == 201
        out[role] = api.login(name, f"{role}-password")
    return out


@contextmanager
def restarted_api(site: LiveSite) -> Iterator[ApiClient]:
    """Another API service on the same site and database (as after a restart of the API)."""
    service = ApiService(site.config, site.directory, SystemClock(), kdf=FAST_KDF).start()
    try:
        assert service.server is not None
        yield ApiClient(service.server.port)
    finally:
        service.stop()
