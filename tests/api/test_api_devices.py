"""Output logics, wallboxes and RFID cards over real HTTP, against the real site (the
daemon's actor tree, the CAN wallbox simulator on a virtual bus: support/api_site.py).
Each operation is checked where it lands: the output controller through the debug
socket, the simulated relay, the wallbox actor and the frames the simulated wallbox got."""

from __future__ import annotations

from pathlib import Path

from support.api_site import LiveSite, live_site, tokens
from support.waiting import wait_until

from connext.sim.wallbox import SimWallbox

LOGIC = {"name": "heat pump", "output": 3, "variable": "grid_import", "max": 500, "min": 100}


def _controller_logics(site: LiveSite) -> list[dict]:
    return site.debug("outputs")["controller"]["logics"]


def test_output_logics_are_created_changed_and_deleted_in_the_output_controller(tmp_path: Path) -> None:
    with live_site(tmp_path) as site:
        t = tokens(site.api)
        created = site.api.request("POST", "/api/logics", LOGIC, token=t["administrator"])
        assert created.status == 201, created
        assert (created.body["name"], created.body["enabled"], created.body["period_s"]) == ("heat pump", True, 900.0)
        assert [lg["name"] for lg in _controller_logics(site)] == ["heat pump"]
        wait_until(lambda: site.board.contact_state(3) is True, what="the logic to close relay 3 (1 kW import)")
        listed = site.api.request("GET", "/api/logics", token=t["user"]).body["logics"]
        assert (listed[0]["in_force"], listed[0]["closed"], listed[0]["value"]) == (True, True, 1000.0)

        again = site.api.request("POST", "/api/logics", LOGIC, token=t["owner"])
        assert (again.status, again.error) == (409, 'name = "heat pump": is a logic already')
        assert site.api.request("POST", "/api/logics", {**LOGIC, "name": "x"}, token=t["user"]).status == 403
        bad = site.api.request("POST", "/api/logics", {**LOGIC, "name": "x", "min": 900}, token=t["owner"])
        assert bad.status == 422 and bad.error.startswith("min = 900.0: must be below max (500)")

        changed = {**LOGIC, "name": "heat-pump", "max": 5000, "min": 2000}
        reply = site.api.request("PUT", "/api/logics/heat%20pump", changed, token=t["owner"])
        assert reply.status == 200 and reply.body["max"] == 5000.0
        assert [(lg["name"], lg["max"]) for lg in _controller_logics(site)] == [("heat-pump", 5000.0)]
        wait_until(lambda: site.board.contact_state(3) is False, what="relay 3 to open (1 kW is below 2 kW)")
        assert site.api.request("PUT", "/api/logics/nothing", changed, token=t["owner"]).status == 404

        disabled = site.api.request("PUT", "/api/logics/heat-pump/enabled", {"enabled": False}, token=t["owner"])
        assert disabled.status == 200 and disabled.body["enabled"] is False
        assert _controller_logics(site)[0]["enabled"] is False

        assert site.api.request("DELETE", "/api/logics/heat-pump", token=t["owner"]).status == 204
        assert _controller_logics(site) == []
        gone = site.api.request("DELETE", "/api/logics/heat-pump", token=t["owner"])
        assert gone.status == 404 and "is not a logic" in gone.error


def test_a_wallbox_is_registered_driven_and_removed_through_the_api(tmp_path: Path) -> None:
    with live_site(tmp_path, SimWallbox(5, "PNP0005", max_current_a=16, phases=1)) as site:
        t = tokens(site.api)
        wait_until(lambda: site.state("wallbox-5")["state"] == "detected", what="wallbox 5 detected")
        listed = site.api.request("GET", "/api/wallboxes", token=t["user"]).body["wallboxes"]
        assert [(w["address"], w["configured"], w["live"]["state"]) for w in listed] == [
            (1, True, "available"),
            (5, False, "detected"),
        ]  # the 29 idle addresses of the CAN group are left out

        assert site.api.request("POST", "/api/wallboxes", {"serial": "PNP0005"}, token=t["user"]).status == 403
        nobody = site.api.request("POST", "/api/wallboxes", {"serial": "NOBODY"}, token=t["owner"])
        assert nobody.status == 404 and 'give its "address" too' in nobody.error
        taken = site.api.request("POST", "/api/wallboxes", {"serial": "WB0000000001", "address": 5}, token=t["owner"])
        assert taken.status == 409 and "already registered at another address" in taken.error
        reply = site.api.request("POST", "/api/wallboxes", {"serial": "PNP0005"}, token=t["administrator"])
        assert reply.status == 201 and reply.body["address"] == 5 and reply.body["registered"] is True
        wait_until(lambda: site.wallbox(5)["fallback_timeout_s"] == 4.0, what="SET_FALLBACK at wallbox 5")

        mode = site.api.request("PUT", "/api/wallboxes/5/mode", {"mode": "online"}, token=t["owner"])
        assert mode.status == 200 and mode.body["sent_now"] is True
        wait_until(lambda: site.wallbox(5)["mode"] == "online", what="SET_MODE at wallbox 5")
        assert site.state("wallbox-5")["settings"]["mode"] == "online"

        site.plug_in(5)  # online mode: the site controller authorises the session (START)
        wait_until(lambda: site.wallbox(5)["enabled"] and site.wallbox(5)["current_a"] > 0, what="charging at 5")
        stop = site.api.request("POST", "/api/wallboxes/5/stop", token=t["user"])
        assert stop.status == 200 and stop.body == {"address": 5, "sent": True}
        wait_until(lambda: not site.wallbox(5)["enabled"], what="STOP at wallbox 5")
        assert site.api.request("POST", "/api/wallboxes/5/start", token=t["user"]).status == 200
        wait_until(lambda: site.wallbox(5)["enabled"], what="START at wallbox 5")
        absent = site.api.request("POST", "/api/wallboxes/7/start", token=t["user"])
        assert (absent.status, absent.error) == (409, "wallbox 7 is absent")
        no_car = site.api.request("POST", "/api/wallboxes/1/start", token=t["user"])
        assert (no_car.status, no_car.error) == (409, "no vehicle is connected to wallbox 1")

        configured = site.api.request("DELETE", "/api/wallboxes/1", token=t["owner"])
        assert configured.status == 409 and "configured in config.toml" in configured.error
        assert site.api.request("DELETE", "/api/wallboxes/5", token=t["owner"]).status == 204
        assert site.state("wallbox-5")["state"] == "detected"
        assert site.api.request("DELETE", "/api/wallboxes/5", token=t["owner"]).status == 404


def test_rfid_card_lists_are_pushed_to_the_wallboxes(tmp_path: Path) -> None:
    with live_site(tmp_path) as site:
        owner = site.api.register("olivia", "owner-password")
        card = site.api.request("PUT", "/api/rfid-cards/04a1b2c3", {"wallboxes": [1, 9]}, token=owner)
        assert card.status == 200
        assert card.body["push"] == {
            "1": "sent to the wallbox (1 card)",
            "9": "kept; sent when the wallbox can be driven (it is absent)",
        }
        wait_until(lambda: site.wallbox(1)["cards"] == ["04A1B2C3"], what="the CARD_SLOT frames at wallbox 1")
        long_uid = "04A1B2C3D4E5F60718293A"[:20]
        triple = site.api.request("PUT", f"/api/rfid-cards/{long_uid}", {"wallboxes": [1]}, token=owner)
        assert triple.body["push"]["1"] == (
            f"sent to the wallbox (1 card); left out {long_uid}: a 10-byte UID does not fit a CAN card slot"
        )
        assert site.state("wallbox-1")["settings"]["cards"] == ["04A1B2C3"]
        removed = site.api.request("DELETE", "/api/rfid-cards/04A1B2C3", token=owner)
        assert removed.body["push"]["1"].startswith("sent to the wallbox (0 cards)")
        wait_until(lambda: site.wallbox(1)["cards"] == [], what="the emptied slots at wallbox 1")
