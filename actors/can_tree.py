"""The CAN group of the actor tree: "can-bus", then "wallbox-1" .. "wallbox-31".

Strategy one_for_one: the wallbox actors hold the name "can-bus", not its ref, so a
can-bus crash restarts only can-bus; the wallbox actors keep their sessions, setpoints
and registrations (docs/can.md explains the choice). An actor exists for every
address so a wallbox detected or registered at run time needs no restart.
"""

from __future__ import annotations

from types import MappingProxyType

from connext.core.config import Config
from connext.protocols.wallbox_can import MAX_ADDRESS

from .can_bus import CanBusActor
from .tree import Child, Group
from .wallbox import WallboxActor

CAN_BUS = "can-bus"


def wallbox_name(address: int) -> str:
    return f"wallbox-{address}"


def can_group(config: Config) -> Group:
    """The group for `config`: configured wallboxes get their settings, others wait."""
    configured = {w.address: w for w in config.wallboxes}
    children: list[Child | Group] = [Child(CAN_BUS, CanBusActor, MappingProxyType({"can_config": config.can}))]
    for address in range(1, MAX_ADDRESS + 1):
        kwargs = {
            "address": address,
            "can_config": config.can,
            "configured": configured.get(address),
            "store_path": config.storage.path,
        }
        children.append(Child(wallbox_name(address), WallboxActor, MappingProxyType(kwargs)))
    return Group("can", tuple(children), strategy="one_for_one")
