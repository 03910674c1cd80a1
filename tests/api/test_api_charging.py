"""Strategy, sessions and the contracted power over real HTTP, against the real site:
the daemon's actor tree, the CAN wallbox simulator on a virtual bus, CT 1 on the simulated
board (support/api_site.py). Each change is checked where it lands: the debug socket, the
site controller's snapshot, the simulated wallbox."""

from __future__ import annotations

import time
from pathlib import Path

from support.api_site import LiveSite, live_site, restarted_api, tokens
from support.configs import site_config
from support.control_actors import ControlActors
from support.waiting import wait_until

from connext.core.site_settings import set_contracted_power
from connext.core.store import Store


def _sessions_open(site: LiveSite, token: str) -> int:
    return site.api.request("GET", "/api/strategy", token=token).body["sessions_open"]


def test_the_owner_and_administrators_change_the_strategy_users_may_not(tmp_path: Path) -> None:
    with live_site(tmp_path) as site:
        t = tokens(site.api)
        reply = site.api.request("PUT", "/api/strategy", {"strategy": "eco_pure"}, token=t["owner"])
        assert reply.status == 200, reply
        assert reply.body == {"strategy": "eco_pure", "parameters": {}}
        assert site.debug("strategy")["name"] == "eco_pure"  # the controller's own view

        change = {"strategy": "km_single", "km_distance_km": 80}
        assert site.api.request("PUT", "/api/strategy", change, token=t["administrator"]).status == 200
        refused = site.api.request("PUT", "/api/strategy", {"strategy": "fast"}, token=t["user"])
        assert refused.status == 403 and refused.error.endswith("you are user")
        assert site.api.request("GET", "/api/strategy", token=t["user"]).body == {
            "strategy": "km_single",
            "parameters": {"km_distance_km": 80, "km_consumption_wh_per_km": 160.0},
            "fallback": "eco_pure",
            "sessions_open": 0,
        }
        assert site.debug("strategy")["name"] == "km_single"

        wrong = site.api.request("PUT", "/api/strategy", {"strategy": "fast", "km_distance_km": 80}, token=t["owner"])
        assert wrong.status == 422 and "km_distance_km: not a parameter of fast" in wrong.error
        eco = {"strategy": "eco_pure", "eco_pure_threshold_w": 2000}  # an installation setting, not the strategy's
        assert site.api.request("PUT", "/api/strategy", eco, token=t["owner"]).error == (
            "eco_pure_threshold_w = 2000: unknown key"
        )
        assert site.state("site-controller")["strategy"]["name"] == "km_single"


def test_no_strategy_change_during_a_session_and_the_sessions_are_listed(tmp_path: Path) -> None:
    with live_site(tmp_path) as site:
        t = tokens(site.api)
        site.plug_in(1)
        wait_until(lambda: _sessions_open(site, t["user"]) == 1, what="the session to open")
        busy = site.api.request("PUT", "/api/strategy", {"strategy": "eco_pure"}, token=t["owner"])
        assert busy.status == 409, busy
        assert busy.error.startswith("strategy not changed: a charging session is in progress (wallbox 1 since")
        assert site.debug("strategy")["name"] == "fast"
        (running,) = site.api.request("GET", "/api/sessions", token=t["user"]).body["sessions"]
        assert (running["wallbox"], running["strategy"], running["ended_at"]) == (1, "fast", None)

        site.sim.unplug(1)
        wait_until(lambda: _sessions_open(site, t["user"]) == 0, what="the session to end")
        wait_until(lambda: time.time() >= running["started_at"] + 1, what="the next second")  # keys are per second
        site.plug_in(1)
        wait_until(lambda: _sessions_open(site, t["user"]) == 1, what="a second session")
        site.sim.unplug(1)
        wait_until(lambda: _sessions_open(site, t["user"]) == 0, what="the second session to end")
        assert site.api.request("PUT", "/api/strategy", {"strategy": "eco_pure"}, token=t["owner"]).status == 200

        def page(query: str) -> list[dict]:
            return site.api.request("GET", f"/api/sessions?{query}", token=t["user"]).body["sessions"]

        newest, oldest = page("limit=10")
        assert newest["started_at"] > oldest["started_at"] == running["started_at"]
        assert all(s["ended_at"] is not None and s["energy_wh"] >= 0 for s in (newest, oldest))
        assert page("limit=1") == [newest]
        assert page(f"limit=1&before={newest['started_at']}") == [oldest]  # the next page
        assert page(f"before={oldest['started_at']}") == []
        assert page("wallbox=2") == []
        assert [s["key"] for s in site.debug("sessions", limit=5)["sessions"]] == [newest["key"], oldest["key"]]


def test_a_lowered_contracted_power_keeps_the_site_under_it(tmp_path: Path) -> None:
    with live_site(tmp_path) as site:
        site.follow_grid()  # CT 1 reads the house (1 kW) plus the car
        owner = site.api.register("olivia", "owner-password")
        site.plug_in(1)
        wait_until(lambda: site.wallbox(1)["current_a"] == 16.0, what="the car at its 16 A")
        assert site.import_w() == 1000 + 16 * 230  # 4.7 kW: under the configured 6 kW

        reply = site.api.request("PUT", "/api/contracted-power", {"contracted_power_w": 3000}, token=owner)
        assert reply.status == 200 and reply.body["told_site_controller"] is True

        def under_contract() -> bool:
            box = site.state("site-controller")["wallboxes"]["1"]
            car = site.wallbox(1)
            return box["reason"] == "contract_limit" and 6.0 <= car["current_a"] == box["setpoint_a"] < 16.0

        wait_until(under_contract, what="the car to follow the lowered contract")
        # budget: 3000 - 100 (reserve) - 1000 (house) = 1900 W = 8.26 A, on the 0.1 A grid
        assert site.wallbox(1)["limit_a"] == 8.2
        assert site.import_w() <= 3000
        assert site.state("site-controller")["contracted_power_w"] == 3000
        shown = site.api.request("GET", "/api/site", token=owner).body
        assert shown["contracted_power"] == {"contracted_power_w": 3000.0, "configured_w": 6000.0, "override": True}
        assert shown["live"]["contracted_power_w"] == 3000.0

        with restarted_api(site) as api:  # kept in the store: a new API process reads it
            owner = api.login("olivia", "owner-password")
            assert api.request("GET", "/api/contracted-power", token=owner).body["contracted_power_w"] == 3000.0
            api.request("PUT", "/api/contracted-power", {"contracted_power_w": 6000}, token=owner)
        wait_until(lambda: site.wallbox(1)["current_a"] == 16.0, what="the car back at 16 A")


def test_the_site_controller_starts_with_the_stored_contracted_power(tmp_path: Path, clock) -> None:
    config = site_config(tmp_path, 9)
    store = Store(config.storage.path)
    set_contracted_power(store, 4500.0)  # as the API keeps it
    store.close()
    site = ControlActors(config, clock)
    assert site.snapshot()["contracted_power_w"] == 4500.0
