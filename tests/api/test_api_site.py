"""The API's live views in front of a supervised actor tree of stand-ins with fixed
snapshots: what each entry carries, and a part that is down reported, not fatal.
(The real site behind the API: test_api_charging.py, test_api_devices.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.api_client import ApiClient, running_api
from support.waiting import wait_until

from connext.actors.base import ConnextActor
from connext.actors.directory import Directory
from connext.actors.messages import GetSnapshot
from connext.actors.supervisor import Supervisor
from connext.actors.tree import Child, Group
from connext.core.clock import ManualClock
from connext.core.config import SupervisorConfig

WALLBOXES = [{"address": 1, "serial": "WB0000000001", "max_current_a": 16}]
OUTPUTS = [{"number": 3, "name": "heat pump"}]


class StandIn(ConnextActor):
    """A fixed snapshot, so the views can be compared whole."""

    def __init__(self, ctx: Any, state: dict[str, Any]) -> None:
        super().__init__(ctx)
        self.state = dict(state)

    def snapshot(self) -> dict[str, Any]:
        return dict(self.state)


@pytest.fixture
def directory(clock: ManualClock) -> Directory:
    tree = Group("site", (
        Child("site-controller", StandIn, {"state": {"grid_power_w": -1200.0, "pv_power_w": 3400.0}}),
        Child("wallbox-1", StandIn, {"state": {"state": "charging", "power_w": 7200.0}}),
        Child("output-3", StandIn, {"state": {"closed": True}}),
    ))  # fmt: skip
    directory = Directory()
    supervisor = Supervisor.start(tree, directory, clock, SupervisorConfig())
    supervisor.ask(GetSnapshot(), timeout=10)
    return directory  # the autouse fixture stops every actor


@pytest.fixture
def live(tmp_path: Path, clock: ManualClock, directory: Directory) -> Iterator[ApiClient]:
    with running_api(tmp_path, clock, directory, wallboxes=WALLBOXES, outputs=OUTPUTS) as (_service, client):
        yield client


def test_the_site_view_carries_the_live_snapshots(live: ApiClient) -> None:
    token = live.register("olivia", "owner-password")
    site = live.request("GET", "/api/site", token=token).body
    assert site["live"] == {"grid_power_w": -1200.0, "pv_power_w": 3400.0} and site["live_error"] is None
    (wallbox,) = site["wallboxes"]
    assert wallbox == {"address": 1, "configured": True, "serial": "WB0000000001", "max_current_a": 16.0,
                       "phases": 3, "live": {"state": "charging", "power_w": 7200.0}, "error": None}  # fmt: skip
    assert site["outputs"] == [{"number": 3, "name": "heat pump", "live": {"closed": True}, "error": None}]
    assert site["config"]["box_serial"] == "CA020490200005"
    names = [a["name"] for a in live.request("GET", "/api/actors", token=token).body["actors"]]
    assert names == ["supervisor", "site-controller", "wallbox-1", "output-3"]
    devices = live.request("GET", "/api/devices", token=token).body
    assert devices["wallboxes"][0]["actor"] == "running" and devices["meter"]["actor"] is None


def test_a_part_that_is_down_is_reported_not_fatal(live: ApiClient, directory: Directory) -> None:
    token = live.register("olivia", "owner-password")
    record = directory.record("wallbox-1")
    record.ref.stop()
    wait_until(lambda: directory.ref("wallbox-1") is None)
    site = live.request("GET", "/api/site", token=token).body
    assert site["wallboxes"][0]["live"] is None and "wallbox-1 is" in site["wallboxes"][0]["error"]
    assert site["live"]["pv_power_w"] == 3400.0
