"""The process's Prometheus registry, the runtime-core metrics, and the HTTP endpoint.

Naming: `connext_<area>_<quantity>_<base unit>`, counters end in `_total` (the client
library appends it), labels are bounded (actor name, device address, output number).
Each area declares its own metrics in its own module on `REGISTRY`.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any, Generic, TypeVar

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Info,
    disable_created_metrics,
    gc_collector,
    platform_collector,
    process_collector,
    start_http_server,
)

M = TypeVar("M", Counter, Gauge)

disable_created_metrics()  # no `_created` series: they double every counter for no dashboard use
REGISTRY = CollectorRegistry(auto_describe=True)
PHASE_LABELS = ("1", "2", "3")  # the `phase` label's values, L1..L3
process_collector.ProcessCollector(registry=REGISTRY)
platform_collector.PlatformCollector(registry=REGISTRY)
gc_collector.GCCollector(registry=REGISTRY)


def version() -> str:
    try:
        return metadata.version("connext")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


BUILD_INFO = Info("connext_build", "Version of the running connext daemon.", registry=REGISTRY)
BUILD_INFO.info({"version": version()})

ACTOR_UP = Gauge("connext_actor_up", "1 while the actor is running.", ["actor"], registry=REGISTRY)
ACTOR_RESTARTS = Counter(
    "connext_actor_restarts", "Restarts of the actor by its supervisor.", ["actor"], registry=REGISTRY
)
ACTOR_DEGRADED = Gauge(
    "connext_actor_degraded",
    "1 when the supervisor gave the actor up after too many restarts.",
    ["actor"],
    registry=REGISTRY,
)
ACTOR_FAILURES = Counter(
    "connext_actor_failures", "Unhandled errors that stopped the actor.", ["actor"], registry=REGISTRY
)
MESSAGES_DROPPED = Counter(
    "connext_actor_messages_dropped",
    "Messages to an actor that was down when they were sent.",
    ["actor"],
    registry=REGISTRY,
)
DEBUG_REQUESTS = Counter("connext_debug_requests", "Debug-socket requests by result.", ["result"], registry=REGISTRY)


class Children(Generic[M]):
    """The labelled children of one metric, each looked up once: `labels()` validates and
    locks on every call, which costs more than the `set()`/`inc()` after it on a path that
    runs many times a second. Only for metrics whose children are never removed."""

    def __init__(self, metric: M) -> None:
        self.metric = metric
        self._children: dict[tuple[str, ...], M] = {}

    def __call__(self, *values: str) -> M:
        """The child for these label values (in the metric's label order)."""
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self.metric.labels(*values)
        return child


def serve(host: str, port: int) -> tuple[Any, int]:
    """Start the /metrics endpoint in a daemon thread; returns (server, bound port)."""
    server, _thread = start_http_server(port, addr=host, registry=REGISTRY)
    return server, int(server.server_port)
