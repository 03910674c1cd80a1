"""A simulated site through a PV ramp, every part real: the daemon (supervisor,
ticker), the sensors actor on the simulated ADC, the site controller and recorder
(topology 6: PV from CT 2, grid from CT 1), the output controller and output actors on
simulated contacts, /metrics over HTTP and the debug socket."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.configs import site_config
from support.io_actors import wait_for

from connext.actors.control_tree import control_children
from connext.actors.io_tree import io_children
from connext.actors.tree import Group
from connext.bin.daemon import Daemon
from connext.bin.debug_client import request
from connext.core.hw.sim import SimBoard

RAMP = [  # (PV W, relay closed after the evaluation): max 4000 closes, min 2500 opens
    (1000, False),
    (3000, False),
    (4000, True),
    (4500, True),
    (3000, True),
    (2500, False),
    (3500, False),
    (1000, False),
]


def scrape(url: str) -> tuple[str, dict[tuple[str, tuple], float]]:
    text = urllib.request.urlopen(url, timeout=10).read().decode()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    return text, samples


@pytest.fixture
def site(tmp_path):
    config = site_config(
        tmp_path,
        6,
        sensors={"period_s": 0.1, "ct1": {"multiplier": 1}, "ct2": {"multiplier": 1}},
        outputs=[{"number": 3, "name": "heat pump", "min_on_s": 0, "min_off_s": 0, "stale_after_s": 5}],
        logics=[{"name": "heat pump on PV", "output": 3, "variable": "pv_power", "max": 4000, "min": 2500,
                 "period_s": 1}],
    )  # fmt: skip
    board = SimBoard({"ct1": -800.0, "ct2": 0.0})
    recorder, controller = control_children(config)
    tree = Group("site", (recorder, *io_children(config, board), controller))
    daemon = Daemon(config, tree=tree)
    daemon.start()
    yield daemon, board
    daemon.stop()


def ask(daemon: Daemon, **payload) -> dict:
    return request(daemon.config.debug.socket, payload)


def evaluated_with(daemon: Daemon, pv: float) -> dict | None:
    """The `outputs` reply once the logic has been evaluated with `pv` and output 3 obeys."""
    reply = ask(daemon, cmd="outputs")
    if not reply["ok"]:  # the actors are still starting
        return None
    (logic,) = reply["controller"]["logics"]
    decision = reply["controller"]["decisions"].get("3")
    if logic["value"] != pv or decision is None or reply["outputs"]["3"].get("wanted") != decision["closed"]:
        return None
    return reply


def test_pv_ramp_closes_and_opens_the_relay(site):
    daemon, board = site
    url = daemon.endpoints["metrics"]
    _, before = scrape(url)
    switches_key = ("connext_output_switches_total", (("output", "3"),))
    for pv, closed in RAMP:
        board.set_analog("ct2", pv)
        assert wait_for(lambda pv=pv: evaluated_with(daemon, pv)), f"never evaluated with {pv} W"
        assert wait_for(lambda closed=closed: board.contact_state(3) is closed), f"{pv} W: relay not {closed}"
    assert board.contact_history(3) == [False, True, False]  # start (safe), close at 4000 W, open at 2500 W

    text, after = scrape(url)
    assert after[switches_key] - before.get(switches_key, 0) == 2
    assert after[("connext_output_closed", (("output", "3"),))] == 0
    assert after[("connext_sensors_ct_power_watts", (("channel", "ct2"),))] == 1000
    assert after[("connext_sensors_ct_power_watts", (("channel", "ct1"),))] == -800
    assert after[("connext_output_logic_in_force", (("logic", "heat pump on PV"), ("output", "3")))] == 1
    if shutil.which("promtool"):
        lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        assert lint.returncode == 0, lint.stdout + lint.stderr


def test_debug_socket_forces_and_shutdown_opens(site):
    daemon, board = site
    assert wait_for(lambda: evaluated_with(daemon, 0.0))
    refused = ask(daemon, cmd="output-force", number=3, state="closed", for_s=600, role="user")
    assert refused["ok"] is False
    assert "only the owner or an administrator" in refused["error"]
    assert ask(daemon, cmd="output-force", number=3, state="closed", for_s=600)["ok"] is True
    assert wait_for(lambda: board.contact_state(3) is True)
    reply = ask(daemon, cmd="outputs")
    assert reply["controller"]["decisions"]["3"]["reason"] == "override"
    bad = ask(daemon, cmd="logic-set", name="heat pump on PV", min=5000)
    assert bad["error"] == ("logics[0].min = 5000.0: must be below max (4000): max closes the contact, min opens it")
    daemon.stop()
    assert board.contact_state(3) is False  # shutdown: the configured safe state, override or not
