"""One run of `connext demo`: start the simulated site and the daemon, show the status,
stop both in order (see demo.py for the choices)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from connext.core.config import Config
from connext.core.logs import setup_logging
from connext.sim.site_daemon import DaemonFailed, DaemonProcess, derived_config
from connext.sim.site_setup import SimulatedSite

from .common import load
from .demo_view import CLEAR, collect, line, screen
from .sim import open_site

REFRESH_S = 1.0
ALT_SCREEN_ON, ALT_SCREEN_OFF = "\x1b[?1049h\x1b[?25l", "\x1b[?25h\x1b[?1049l"


class DemoSession:
    def __init__(self, args: argparse.Namespace, config: Config, site: SimulatedSite, daemon: DaemonProcess) -> None:
        self.args, self.config, self.site, self.daemon = args, config, site, daemon
        self.stop_asked = threading.Event()
        self.footer: list[str] = []

    @classmethod
    def open(cls, args: argparse.Namespace) -> DemoSession | None:
        """Start the site, then the daemon; None (after saying why) when either cannot start."""
        config = load(args.config)
        if config is None:
            return None
        config_path = Path(args.config).resolve()
        state_dir = Path(config.state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        setup_logging("INFO", sink=(state_dir / "demo-sim.log").open("a", encoding="utf-8"))
        site = open_site(args, config, tcp_fallback=True)
        if site is None:
            return None
        if site.rs485 is not None and site.rs485.note:
            print(f"demo: {site.rs485.note}", file=sys.stderr)
        daemon_config = derived_config(config_path, config, site.rs485)
        daemon = DaemonProcess(daemon_config, config_path.parent, state_dir / "demo-daemon.log", config.debug.socket)
        return cls(args, config, site, daemon)

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda *_: self.stop_asked.set())
        try:
            self.daemon.start()
            version = self.daemon.wait_ready(self._endpoints())
        except DaemonFailed as err:
            print(f"demo: {err}", file=sys.stderr)
            self._stop()
            return 1
        self.footer = self._where_to_look(version)
        print("\n".join(self.footer), flush=True)
        why = self._show()
        print(f"demo: {why}; stopping the daemon (SIGTERM: safe state) and then the simulated site", flush=True)
        return self._stop()

    def _endpoints(self) -> tuple[str, ...]:
        enabled = {"metrics": self.config.metrics.enabled, "api": self.config.api.enabled}
        return tuple(name for name, on in enabled.items() if on)

    def _where_to_look(self, version: dict[str, Any]) -> list[str]:
        sim, link = self.site.sim, self.site.rs485
        rs485 = "none" if link is None else f"{link.kind} {link.daemon_port}"
        can = self.config.can
        return [
            f"connext demo: {sim.scenario.name}, profiles ×{sim.speed:g}",
            f"  simulated site  RS485 {rs485}; CAN {can.interface} {can.channel}:{can.port}",
            f"  daemon          pid {version['pid']}, log {self.daemon.log_path}",
            f"  metrics         {version.get('metrics', 'disabled')}",
            f"  web page / API  {version.get('api', 'disabled ([api] enabled = false)')}",
            f"  debug socket    {version['debug_socket']}  (try: connext debug -c {self.args.config} site)",
            "  Ctrl-C stops (the daemon first: it puts the site in its safe state)",
        ]

    def _show(self) -> str:
        """Refresh the status every second until asked to stop; returns why it stopped."""
        tty = sys.stdout.isatty() and not self.args.plain
        started = time.monotonic()
        deadline = None if self.args.duration_s is None else started + self.args.duration_s
        if tty:
            sys.stdout.write(ALT_SCREEN_ON)
        last = ""
        try:
            while True:
                if not self.daemon.alive():
                    return f"the daemon exited with code {self.daemon.exit_code()}"
                status = collect(self.daemon.ask, self.site.sim.view(), time.monotonic() - started)
                last = line(status)
                sys.stdout.write(CLEAR + screen(status, self.footer) + "\n" if tty else last + "\n")
                sys.stdout.flush()
                left = REFRESH_S if deadline is None else min(REFRESH_S, deadline - time.monotonic())
                if left <= 0:
                    return f"--for {self.args.duration_s:g} s is over"
                if self.stop_asked.wait(left):
                    return "stop asked"
        finally:
            if tty:
                sys.stdout.write(ALT_SCREEN_OFF + last + "\n")
                sys.stdout.flush()

    def _stop(self) -> int:
        code = self.daemon.stop()
        limits = ", ".join(f"wallbox {b['address']} at {b['limit_a']:.1f} A" for b in self.site.sim.view()["wallboxes"])
        self.site.stop()
        if code is None:
            return 1
        print(f"demo: stopped; the daemon exited with code {code}; the wallboxes it left: {limits}", flush=True)
        return 0 if code == 0 else 1
