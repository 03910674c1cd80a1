"""The API in front of a real actor tree: live snapshots, the contracted power reaching
the site controller and surviving a restart, and the parts that answer 503 in this build."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.api_client import ApiClient, running_api
from support.waiting import wait_until

from connext.actors.base import ConnextActor
from connext.actors.directory import Directory
from connext.actors.messages import GetSnapshot, SetContractedPower
from connext.actors.supervisor import Supervisor
from connext.actors.tree import Child, Group
from connext.core.clock import ManualClock
from connext.core.config import SupervisorConfig

WALLBOXES = [{"address": 1, "serial": "WB0000000001", "max_current_a": 16}]
OUTPUTS = [{"number": 3, "name": "heat pump"}]


class StandIn(ConnextActor):
    """Stands in for an actor built on another branch: a fixed snapshot, and it keeps
    the `SetContractedPower` it receives."""

    def __init__(self, ctx: Any, state: dict[str, Any]) -> None:
        super().__init__(ctx)
        self.state = dict(state)

    def receive(self, message: Any) -> Any:
        match message:
            case SetContractedPower(power_w=power_w):
                self.state["contracted_power_w"] = power_w
            case _:
                return super().receive(message)
        return None

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


def test_the_contracted_power_reaches_the_site_controller_and_survives_a_restart(
    tmp_path: Path, clock: ManualClock, directory: Directory
) -> None:
    with running_api(tmp_path, clock, directory) as (_service, api):
        token = api.register("olivia", "owner-password")
        reply = api.request("PUT", "/api/contracted-power", {"contracted_power_w": 4500}, token=token)
        assert reply.body == {"contracted_power_w": 4500.0, "configured_w": 6000.0, "override": True,
                              "told_site_controller": True}  # fmt: skip
        controller = directory.ref("site-controller")
        wait_until(lambda: controller.ask(GetSnapshot(), timeout=5).get("contracted_power_w") == 4500.0)
    with running_api(tmp_path, clock, directory) as (_service, api):  # same database, new process state
        token = api.login("olivia", "owner-password")
        assert api.request("GET", "/api/contracted-power", token=token).body["contracted_power_w"] == 4500.0


def test_a_part_that_is_down_is_reported_not_fatal(live: ApiClient, directory: Directory) -> None:
    token = live.register("olivia", "owner-password")
    record = directory.record("wallbox-1")
    record.ref.stop()
    wait_until(lambda: directory.ref("wallbox-1") is None)
    site = live.request("GET", "/api/site", token=token).body
    assert site["wallboxes"][0]["live"] is None and "wallbox-1 is" in site["wallboxes"][0]["error"]
    assert site["live"]["pv_power_w"] == 3400.0


@pytest.mark.parametrize(
    ("method", "path", "body", "part"),
    [
        ("GET", "/api/strategy", None, "charging strategies (site controller)"),
        ("PUT", "/api/strategy", {"strategy": "fast"}, "charging strategies (site controller)"),
        ("GET", "/api/logics", None, "output logics (output controller)"),
        ("POST", "/api/wallboxes/1/start", None, "wallbox registration and control (CAN wallbox actors)"),
        ("GET", "/api/sessions", None, "charging sessions history (recorder)"),
    ],
)
def test_parts_not_in_this_build_answer_503_naming_them(
    live: ApiClient, method: str, path: str, body: Any, part: str
) -> None:
    token = live.register("olivia", "owner-password")
    reply = live.request(method, path, body, token=token)
    assert reply.status == 503 and reply.error == f"not available in this build: {part}"


def test_an_rfid_change_is_stored_even_though_pushing_is_not_in_this_build(live: ApiClient) -> None:
    token = live.register("olivia", "owner-password")
    reply = live.request("PUT", "/api/rfid-cards/04a1b2c3", {"label": "blue car", "wallboxes": [1, 2]}, token=token)
    assert reply.status == 200
    assert reply.body["card"] == {"card": "04A1B2C3", "label": "blue car", "wallboxes": [1, 2]}
    assert reply.body["push"]["1"].startswith("not available in this build: pushing card lists")
    assert live.request("GET", "/api/rfid-cards", token=token).body == [reply.body["card"]]
