"""The actor tree of a configured site, declared once, in start order.

Start order: the recorder first (everyone reports to it), then the buses with the
devices on them and the box I/O, then the site controller that reads the devices.
Stop runs in reverse, so the controller stops deciding before the devices go to their
safe state, and the recorder flushes last.
"""

from __future__ import annotations

from connext.core.clock import Clock
from connext.core.config import Config

from .can_tree import can_group
from .control_tree import control_children, register_control_commands
from .debug_socket import DebugServer
from .directory import Directory
from .io_tree import io_children
from .output_commands import register_io_commands
from .rs485_tree import register_rs485_debug, rs485_group
from .tree import Child, Group
from .wallbox_commands import register_wallbox_commands


def build_tree(config: Config) -> Group:
    """The root group `site` for `config`; each area contributes its children."""
    recorder, site_controller = control_children(config)
    children: list[Child | Group] = [recorder]
    rs485 = rs485_group(config)
    if rs485 is not None:
        children.append(rs485)
    children += io_children(config)
    children.append(can_group(config))
    children.append(site_controller)
    return Group("site", tuple(children), strategy="one_for_one")


def register_debug_commands(server: DebugServer, directory: Directory, config: Config, clock: Clock) -> None:
    """Debug-socket commands of the areas (register a wallbox, force an output, ...)."""
    register_rs485_debug(server, directory, config)
    register_io_commands(server, directory, config, clock)
    register_wallbox_commands(server, directory, config, clock)
    register_control_commands(server, directory, config, clock)
