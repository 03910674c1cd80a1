"""The daemon's lifecycle: lock the state dir, start metrics, the actor tree, the
ticker and the debug socket; on SIGTERM/SIGINT put the site in its safe state, stop
in reverse start order, and exit 0."""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass, field
from typing import Any

import pykka
from loguru import logger

from connext.actors.debug_commands import register_builtin
from connext.actors.debug_socket import DebugServer
from connext.actors.directory import ActorRecord, Directory
from connext.actors.messages import EnterSafeState, GetSnapshot, StopSupervising, Tick
from connext.actors.site_tree import build_tree, register_debug_commands
from connext.actors.supervisor import Supervisor
from connext.actors.ticker import Ticker
from connext.actors.tree import Group
from connext.core import metrics
from connext.core.clock import Clock, SystemClock
from connext.core.config import Config, parse_listen
from connext.core.lock import StateDirLock
from connext.core.systemd import Notifier

SUPERVISOR = "supervisor"
SAFE_STATE_TIMEOUT_S = 2.0
# Given up, these leave the box unable to do its job: the service watchdog starves and
# systemd restarts the daemon. A degraded device group does not (a restart cannot fix a
# missing meter; the controller already runs the site safely without it).
ESSENTIAL = frozenset({"site-controller"})
STOP_TIMEOUT_S = 3.0
TREE_START_TIMEOUT_S = 30.0


@dataclass
class Daemon:
    """One running site. `start()`, then `wait()` (signals) or `stop()`."""

    config: Config
    clock: Clock = field(default_factory=SystemClock)
    tree: Group | None = None  # default: the tree the config describes
    directory: Directory = field(default_factory=Directory)

    def __post_init__(self) -> None:
        self.lock = StateDirLock(self.config.state_dir)
        self.ticker = Ticker(self.clock)
        self.debug = DebugServer(self.config.debug.socket, self.clock)
        self.stopping = threading.Event()
        self.endpoints: dict[str, Any] = {"debug_socket": self.config.debug.socket}
        self._metrics_server: Any = None
        self._api: Any = None  # connext.api.service.ApiService when [api] is enabled
        self._supervisor: pykka.ActorRef[Supervisor] | None = None
        self._stopped = False
        self.notifier = Notifier()

    def start(self) -> None:
        started_at_s = self.clock.monotonic()
        self.lock.acquire()  # raises AlreadyRunning before anything else is touched
        if self.config.metrics.enabled:
            host, port = parse_listen(self.config.metrics.listen)
            self._metrics_server, bound = metrics.serve(host, port)
            self.endpoints["metrics"] = f"http://{host}:{bound}/metrics"
        tree = self.tree or build_tree(self.config)
        self._supervisor = Supervisor.start(
            tree, self.directory, self.clock, self.config.supervisor, self.ticker,
            notifier=self.notifier, essential=ESSENTIAL,
        )  # fmt: skip
        try:  # a barrier: the supervisor answers once on_start has started the whole tree
            self._supervisor.ask(GetSnapshot(), timeout=TREE_START_TIMEOUT_S)
        except pykka.Timeout:
            logger.warning("the actor tree is still starting after {} s; going on", TREE_START_TIMEOUT_S)
        self.ticker.every(SUPERVISOR, self.config.supervisor.tick_s, self.directory.address(SUPERVISOR), Tick())
        self.ticker.start()
        register_builtin(self.debug, self.directory, self.config, self.clock, started_at_s, self.endpoints)
        register_debug_commands(self.debug, self.directory, self.config, self.clock)
        self.debug.start()
        self._start_api()
        self.notifier.notify("READY=1", f"STATUS=running, {len(self.directory.records()) - 1} actors")
        logger.info(
            "connext {} running: {} actors, metrics {}, debug socket {}, api {} (start-up {:.0f} ms)",
            metrics.version(),
            len(self.directory.records()) - 1,
            self.endpoints.get("metrics", "disabled"),
            self.config.debug.socket,
            self.endpoints.get("api", "disabled"),
            (self.clock.monotonic() - started_at_s) * 1000,
        )

    def _start_api(self) -> None:
        if self.config.api.enabled:
            from connext.api.service import ApiService  # imported only when enabled: it costs start-up time

            self._api = ApiService(self.config, self.directory, self.clock).start()
            self.endpoints["api"] = self._api.url

    def _stop_api(self) -> None:
        if self._api is not None:
            self._api.stop()

    def handle_signals(self) -> None:
        """Route SIGTERM/SIGINT to a clean stop. Call from the main thread before `start()`,
        so a signal that arrives while starting is not lost."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def wait(self) -> int:
        """Block until a signal (see `handle_signals`) or `stopping`; then stop. Returns the exit code."""
        code = 0
        while not self.stopping.wait(timeout=1.0):
            if self._supervisor is not None and not self._supervisor.is_alive():
                logger.critical("the supervisor itself died: exiting so the service manager restarts us")
                code = 70
                break
        self.stop()
        return code

    def _on_signal(self, signum: int, _frame: object) -> None:
        logger.info("{} received: stopping", signal.Signals(signum).name)
        self.stopping.set()

    def stop(self) -> None:
        """Safe state everywhere, then stop the actors in reverse start order (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self.stopping.set()
        self.notifier.notify("STOPPING=1", "STATUS=stopping: outputs and wallboxes to their safe state")
        steps = (
            self._stop_api,  # first: no request reaches an actor that is stopping
            self.ticker.stop,
            self._stop_supervising,
            self._enter_safe_state,
            self._stop_actors,
            self.debug.stop,
            self._stop_metrics,
            self.lock.release,
        )
        for step in steps:
            try:
                step()
            except Exception as err:  # noqa: BLE001 - shutdown goes on: the remaining steps still matter
                logger.opt(exception=err).error("shutdown step {} failed", step.__name__)
        logger.info("connext stopped")

    def _children(self) -> list[ActorRecord]:
        """Every supervised actor, in reverse start order."""
        return [r for r in reversed(self.directory.records()) if r.name != SUPERVISOR]

    def _stop_supervising(self) -> None:
        if self._supervisor is not None and self._supervisor.is_alive():
            try:
                self._supervisor.ask(StopSupervising(), timeout=STOP_TIMEOUT_S)
            except (pykka.Timeout, pykka.ActorDeadError):
                logger.error("supervisor did not acknowledge the stop")

    def _enter_safe_state(self) -> None:
        for record in self._children():
            ref = self.directory.ref(record.name)
            if ref is None:
                continue
            try:
                ref.ask(EnterSafeState("shutdown"), timeout=SAFE_STATE_TIMEOUT_S)
            except (pykka.Timeout, pykka.ActorDeadError) as err:
                logger.error("{} did not reach its safe state: {}", record.name, type(err).__name__)

    def _stop_actors(self) -> None:
        for record in self._children():
            ref = self.directory.ref(record.name)
            if ref is not None:
                try:
                    ref.stop(block=True, timeout=STOP_TIMEOUT_S)
                except pykka.Timeout:
                    logger.error("{} did not stop within {} s", record.name, STOP_TIMEOUT_S)
            record.status = "stopped"
            metrics.ACTOR_UP.labels(actor=record.name).set(0)
        if self._supervisor is not None and self._supervisor.is_alive():
            self._supervisor.stop(block=True, timeout=STOP_TIMEOUT_S)

    def _stop_metrics(self) -> None:
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server.server_close()
