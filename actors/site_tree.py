"""The actor tree of a configured site, declared once, in start order.

Start order: storage first (others report to it), then the buses with the devices
on them, then the controllers that read the devices. Stop runs in reverse, so the
controllers stop deciding before the devices go to their safe state.
"""

from __future__ import annotations

from connext.core.clock import Clock
from connext.core.config import Config

from .control_tree import control_children, register_control_commands
from .debug_socket import DebugServer
from .directory import Directory
from .tree import Child, Group


def build_tree(config: Config) -> Group:
    """The root group `site` for `config`; each area contributes its children."""
    children: list[Child | Group] = []
    children += control_children(config)  # energy control: recorder, then the site controller
    return Group("site", tuple(children), strategy="one_for_one")


def register_debug_commands(server: DebugServer, directory: Directory, config: Config, clock: Clock) -> None:
    """Debug-socket commands of the areas (register a wallbox, force an output, ...)."""
    register_control_commands(server, directory, config, clock)
