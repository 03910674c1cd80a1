"""`connext sim-wallbox`: serve simulated wallboxes + EVs on a CAN channel.

The bus comes from the config's [can] section (or --interface/--channel/--port), the
wallboxes from its [[wallboxes]] (or --count / --wallbox). Once serving it prints one
JSON line `{"ready": true, ...}`; then it reads commands from stdin, one per line, and
answers each with one JSON line:

    plug ADDR [SOC] [MAX_A] [PHASES] [BATTERY_KWH]    unplug ADDR
    card ADDR UID_HEX      mute ADDR      unmute ADDR      fault ADDR CODE (0 clears)
    bad ADDR (send garbage frames)        reboot ADDR      state      quit

It stops on `quit`, SIGTERM or SIGINT (stdin at EOF keeps it serving).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from connext.actors.can_io import bus_options  # the daemon's own mapping of [can] to python-can
from connext.core.config import CanConfig, Config, ConfigError, load_config
from connext.protocols.wallbox_can import Version

from .ev import EvModel
from .wallbox import FIRMWARE, SimWallbox
from .wallbox_bus import WallboxSimulator

MODES = ("online", "offline", "plug_and_play")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", "-c", metavar="PATH", help="take [can] and [[wallboxes]] from this config")
    parser.add_argument(
        "--interface", choices=["socketcan", "udp_multicast", "virtual"], help="overrides can.interface"
    )
    parser.add_argument("--channel", help="overrides can.channel")
    parser.add_argument("--port", type=int, help="overrides can.port (udp_multicast)")
    parser.add_argument("--count", type=int, default=1, help="without configured wallboxes: serve 1..N")
    parser.add_argument("--wallbox", action="append", default=[], metavar="ADDR:SERIAL[:FIRMWARE]", help="add one")
    parser.add_argument("--mode", choices=MODES, default="plug_and_play", help="working mode at power-on")
    parser.add_argument("--firmware", default=str(FIRMWARE), help="firmware of every wallbox (e.g. 1.0.492)")
    parser.add_argument("--status-period", type=float, default=1.0, metavar="S", help="status cycle period")
    parser.add_argument("--plug", type=int, action="append", default=[], metavar="ADDR", help="an EV plugged at start")


def _can_section(args: argparse.Namespace, config: Config | None) -> CanConfig:
    base = config.can if config else CanConfig(interface="udp_multicast", channel="239.74.163.2")
    return CanConfig(
        interface=args.interface or base.interface,
        channel=args.channel or base.channel,
        bitrate=base.bitrate,
        port=args.port or base.port,
    )


def _wallboxes(args: argparse.Namespace, config: Config | None) -> list[SimWallbox]:
    firmware = Version.parse(args.firmware)
    common = {"mode": args.mode, "status_period_s": args.status_period, "firmware": firmware}
    boxes = [
        SimWallbox(w.address, w.serial, max_current_a=w.max_current_a, phases=w.phases, **common)
        for w in (config.wallboxes if config else ())
    ]
    for text in args.wallbox:
        address, serial, *fw = text.split(":")
        extra = {"firmware": Version.parse(fw[0])} if fw else {}
        boxes.append(SimWallbox(int(address), serial, **(common | extra)))
    if not boxes:
        boxes = [SimWallbox(a, f"SIMWB{a:07d}", **common) for a in range(1, args.count + 1)]
    return boxes


def _plug(sim: WallboxSimulator, address: int, *params: str) -> None:
    soc, max_a, phases, battery_kwh = (list(map(float, params)) + [0.3, 16.0, 3.0, 60.0][len(params) :])[:4]
    sim.plug_in(address, EvModel(battery_wh=battery_kwh * 1000, soc=soc, max_current_a=max_a, phases=int(phases)))


def handle(sim: WallboxSimulator, line: str) -> dict[str, Any]:
    """One stdin command; the reply is a JSON-ready dict."""
    words = line.split()
    if not words:
        return {"ok": True}
    verb, rest = words[0], words[1:]
    actions = {
        "plug": lambda: _plug(sim, int(rest[0]), *rest[1:]),
        "unplug": lambda: sim.unplug(int(rest[0])),
        "card": lambda: sim.present_card(int(rest[0]), bytes.fromhex(rest[1])),
        "mute": lambda: sim.mute(int(rest[0]), True),
        "unmute": lambda: sim.mute(int(rest[0]), False),
        "fault": lambda: sim.set_error(int(rest[0]), int(rest[1])),
        "bad": lambda: sim.send_bad_frames(int(rest[0])),
        "reboot": lambda: sim.power_cycle(int(rest[0])),
        "state": lambda: None,
    }
    if verb not in actions:
        return {"ok": False, "error": f"unknown command {verb!r}; known: {', '.join(actions)}, quit"}
    try:
        actions[verb]()
    except (IndexError, ValueError, KeyError) as err:
        return {"ok": False, "error": f"{line.strip()!r}: {type(err).__name__}: {err}"}
    return {"ok": True, "wallboxes": sim.view()}


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config) if args.config else None
        boxes = _wallboxes(args, config)
    except (ConfigError, ValueError) as err:
        print(f"sim-wallbox: {err}", file=sys.stderr)
        return 2
    can_config = _can_section(args, config)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with WallboxSimulator(boxes, bus_options(can_config)) as sim:
        sim.start()
        for address in args.plug:
            _plug(sim, address)
        _print(
            {"ready": True, "interface": can_config.interface, "channel": can_config.channel, "wallboxes": sim.view()}
        )
        threading.Thread(target=_serve_stdin, args=(sim, stop), daemon=True).start()
        while not stop.wait(0.5):
            pass
    return 0


def _serve_stdin(sim: WallboxSimulator, stop: threading.Event) -> None:
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        _print(handle(sim, line))
    else:
        return  # EOF: keep serving until a signal
    stop.set()


def _print(reply: dict[str, Any]) -> None:
    print(json.dumps(reply), flush=True)
